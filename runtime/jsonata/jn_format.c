/*
 * jn_format.c - JSONata's number and date/time formatting: $formatBase,
 * $formatNumber, $formatInteger, $parseInteger, $now, $millis,
 * $fromMillis, $toMillis (ISO 8601 without a picture).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jn_internal.h"

#define H(x) jn_hold(c, (x))
#define ARG(i) ((i) < nargs ? args[i] : NULL)

int jn_f_format_number(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int jn_f_format_base(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int jn_f_format_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int jn_f_parse_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int jn_f_from_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int jn_f_to_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int jn_f_now(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int jn_f_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);

int jn_f_format_base(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    double v = json_number_value(ARG(0));
    int radix = ARG(1) ? (int)json_number_value(ARG(1)) : 10;
    if (radix < 2 || radix > 36)
        return jn_fail(c, "D3100", "The radix of the formatBase function must be between 2 and 36");
    double r = round(v);
    if (fabs(r - v) == 0.5 && fmod(r, 2) != 0) r -= v < 0 ? -1 : 1;
    char buf[80];
    size_t o = sizeof buf - 1;
    buf[o] = 0;
    int neg = r < 0;
    unsigned long long u = (unsigned long long)fabs(r);
    do {
        int d = (int)(u % (unsigned)radix);
        buf[--o] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        u /= (unsigned)radix;
    } while (u && o > 1);
    if (neg) buf[--o] = '-';
    *out = H(json_string(buf + o));
    return 0;
}

static void iso(struct jn_ctx *c, int64_t ms, json_t **out)
{
    time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)s * 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[64];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    *out = H(json_string(buf));
}

int jn_f_now(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)args; (void)nargs; (void)in;
    iso(c, c->now_ms, out);
    return 0;
}

int jn_f_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)args; (void)nargs; (void)in;
    *out = H(json_integer((json_int_t)c->now_ms));
    return 0;
}

int jn_f_from_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    if (ARG(1) || ARG(2))
        return jn_fail(c, "D3133", "picture strings are not supported yet");
    iso(c, (int64_t)floor(json_number_value(ARG(0))), out);
    return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int jn_f_to_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    if (ARG(1))
        return jn_fail(c, "D3136", "picture strings are not supported yet");
    const char *s = json_string_value(ARG(0));
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, n = 0;
    double sec = 0;
    char rest[32] = "";
    int k = sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n);
    if (k < 1)
        return jn_fail(c, "D3110", "The timestamp cannot be parsed");
    const char *p = s + n;
    int64_t tz = 0;
    if (*p == 'T' || *p == ' ') {
        int m2 = 0;
        if (sscanf(p + 1, "%d:%d%n", &h, &mi, &m2) < 2)
            return jn_fail(c, "D3110", "The timestamp cannot be parsed");
        p += 1 + m2;
        if (*p == ':') {
            char *e;
            sec = strtod(p + 1, &e);
            p = e;
        }
        if (*p == 'Z') p++;
        else if (*p == '+' || *p == '-') {
            int th = 0, tm2 = 0;
            if (sscanf(p + 1, "%2d:%2d", &th, &tm2) < 1 && sscanf(p + 1, "%2d%2d", &th, &tm2) < 1)
                return jn_fail(c, "D3110", "The timestamp cannot be parsed");
            tz = (*p == '-' ? -1 : 1) * (th * 60 + tm2);
            p += strlen(p);
        }
    }
    (void)rest;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31)
        return jn_fail(c, "D3110", "The timestamp cannot be parsed");
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    double ms = (double)days * 86400000.0 + h * 3600000.0 + mi * 60000.0 + round(sec * 1000) - (double)tz * 60000.0;
    *out = H(jn_num(ms));
    return 0;
}

int jn_f_format_number(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)args; (void)nargs; (void)in; (void)out;
    return jn_fail(c, "D3080", "$formatNumber is not supported yet");
}

int jn_f_format_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)args; (void)nargs; (void)in; (void)out;
    return jn_fail(c, "D3130", "$formatInteger is not supported yet");
}

int jn_f_parse_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)args; (void)nargs; (void)in; (void)out;
    return jn_fail(c, "D3130", "$parseInteger is not supported yet");
}
