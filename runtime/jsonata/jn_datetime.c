/*
 * jn_datetime.c - $now, $fromMillis and $toMillis: ISO 8601 without a
 * picture, and the XPath F&O 3.1 date/time picture strings (section 9.8)
 * with a picture.
 *
 * A picture is literal text and variable markers "[C<presentation><,width>]"
 * ("[[" and "]]" stand for the brackets themselves).  Formatting walks the
 * markers; parsing builds one anchored regular expression from them, with a
 * capture group per marker, and combines the captured components.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jn_internal.h"

#define H(x) asl_jn_hold(c, (x))
#define ARG(i) ((i) < nargs ? args[i] : NULL)

int asl_jn_f_from_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_to_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_now(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);

static const char *MONTHS[] = {"January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"};
static const char *DAYS[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/* ---- growable string ---------------------------------------------------- */

struct sb {
    char *b;
    size_t n, cap;
    char *fixed;          /* b starts as this caller's buffer (not freed) */
};

static void sb_put(struct sb *o, const char *s, size_t len)
{
    if (o->n + len + 1 > o->cap) {
        size_t nc = (o->cap ? o->cap * 2 : 128) + len;
        char *nb = o->b && o->b == o->fixed ? malloc(nc) : realloc(o->b, nc);
        if (!nb) return;
        if (o->b && o->b == o->fixed) memcpy(nb, o->b, o->n + 1);
        o->b = nb;
        o->cap = nc;
    }
    memcpy(o->b + o->n, s, len);
    o->n += len;
    o->b[o->n] = 0;
}

static void sb_str(struct sb *o, const char *s) { sb_put(o, s, strlen(s)); }

/* ---- calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* ISO day of week, 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday). */
static int iso_wday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7) + 1;
}

struct dt {
    int64_t year;
    int month, day, yday, wday;   /* yday 1-based */
    int hour, minute, second, ms;
    int64_t iso_year;
    int iso_week;
    int wom_month, wom;           /* week of month, and the month it belongs to */
    int offset;                   /* minutes east of UTC */
};

static void dt_from_ms(double msv, int offset, struct dt *t)
{
    int64_t ms = (int64_t)floor(msv) + (int64_t)offset * 60000;
    int64_t days = floordiv(ms, 86400000);
    int64_t rem = ms - days * 86400000;
    civil_from_days(days, &t->year, &t->month, &t->day);
    t->yday = (int)(days - days_from_civil(t->year, 1, 1)) + 1;
    t->wday = iso_wday(days);
    t->hour = (int)(rem / 3600000);
    t->minute = (int)(rem / 60000 % 60);
    t->second = (int)(rem / 1000 % 60);
    t->ms = (int)(rem % 1000);
    t->offset = offset;
    /* The ISO week (and the week of the month) is the one holding the
     * Thursday of this Monday-based week. */
    int64_t thu = days - (t->wday - 1) + 3;
    int64_t ty;
    int tm, td;
    civil_from_days(thu, &ty, &tm, &td);
    t->iso_year = ty;
    t->iso_week = (int)((thu - days_from_civil(ty, 1, 1)) / 7) + 1;
    t->wom_month = tm;
    t->wom = (td - 1) / 7 + 1;
}

/* ---- picture parsing ----------------------------------------------------- */

struct marker {
    int literal;          /* 1: text[0..len) is literal */
    char *text;
    size_t len;
    char comp;            /* component letter */
    char pres[64];        /* first presentation modifier */
    char mod;             /* second presentation modifier: o, c, a, t or 0 */
    int minw, maxw;       /* -1 when not given */
    int plain;            /* pres is ASCII digits only, no 'o': formatted without asl_jn_format_integer */
};

struct picture {
    struct marker *m;     /* malloc'd, together with the literal texts */
    size_t n;
};

/* Parsed pictures, kept for the evaluation: a picture string is usually a
 * literal, used on every item of a sequence.  Keyed by the text. */
#define JN_PIC_CACHE 8
struct jn_piccache {
    char *text;           /* NULL: the ISO 8601 regex of $toMillis without a picture */
    size_t len;
    struct picture pic;
    pcre2_code *rx;       /* $toMillis's regex for it, compiled on first use */
    struct jn_piccache *next;
};

static const char COMPONENTS[] = "YMDdFWwXxHhPmsfZzCE";

static const char *default_pres(char comp)
{
    switch (comp) {
    case 'F': case 'P': case 'C': case 'E': return "n";
    case 'm': case 's': return "01";
    case 'Z': case 'z': return "01:01";
    default: return "1";
    }
}

/* Widths beyond this are taken as this: put_number pads into a 1100-byte
 * buffer, and no date component needs more digits. */
#define JN_DT_MAXW 1000

static int width_digits(const char **p)
{
    int v = 0;
    while (isdigit((unsigned char)**p)) {
        if (v < JN_DT_MAXW) v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v < JN_DT_MAXW ? v : JN_DT_MAXW;
}

static int is_width(const char *s, int *minw, int *maxw)
{
    /* (\*|\d+)(-(\*|\d+))? */
    const char *p = s;
    int a = -1, b = -1;
    if (*p == '*') p++;
    else if (isdigit((unsigned char)*p)) a = width_digits(&p);
    else return 0;
    if (*p == '-') {
        p++;
        if (*p == '*') p++;
        else if (isdigit((unsigned char)*p)) b = width_digits(&p);
        else return 0;
    }
    if (*p) return 0;
    *minw = a;
    *maxw = b;
    return 1;
}

static int name_pres(const char *p)
{
    return strcmp(p, "N") == 0 || strcmp(p, "n") == 0 || strcmp(p, "Nn") == 0;
}

static int parse_picture_(struct jn_ctx *c, const char *pic, struct picture *out);

static void picture_free(struct picture *p)
{
    free(p->m);
    p->m = NULL;
    p->n = 0;
}

static int parse_picture(struct jn_ctx *c, const char *pic, struct picture *out)
{
    int rc = parse_picture_(c, pic, out);
    if (rc != 0)
        picture_free(out);
    return rc;
}

static int parse_picture_(struct jn_ctx *c, const char *pic, struct picture *out)
{
    size_t len = strlen(pic), cap = len + 2;
    /* one block: the markers, then the literal texts */
    out->m = malloc(cap * sizeof *out->m + len + 1);
    out->n = 0;
    if (!out->m) return asl_jn_ctx_fail(c, "D1001", "out of memory");
    /* every '[' that is not "[[" must be closed before anything is formatted */
    for (size_t k = 0; k < len; k++) {
        if (pic[k] == '[' && pic[k + 1] == '[') { k++; continue; }
        if (pic[k] == '[') {
            const char *close = strchr(pic + k, ']');
            if (!close)
                return asl_jn_ctx_fail(c, "D3135", "No matching closing bracket ']' in date/time picture string");
            k = (size_t)(close - pic);
        }
    }
    char *lit = (char *)(out->m + cap);
    size_t ln = 0, i = 0;
    while (i < len) {
        if ((pic[i] == '[' && pic[i + 1] == '[') || (pic[i] == ']' && pic[i + 1] == ']')) {
            lit[ln++] = pic[i];
            i += 2;
            continue;
        }
        if (pic[i] != '[') {
            lit[ln++] = pic[i++];
            continue;
        }
        const char *close = strchr(pic + i, ']');
        if (!close)
            return asl_jn_ctx_fail(c, "D3135", "No matching closing bracket ']' in date/time picture string");
        if (ln) {
            struct marker *m = &out->m[out->n++];
            memset(m, 0, sizeof *m);
            m->literal = 1;
            m->text = lit;
            m->len = ln;
            lit += ln + 1;
            ln = 0;
        }
        /* the marker without whitespace */
        char body[128];
        size_t bl = 0;
        for (const char *q = pic + i + 1; q < close; q++)
            if (!isspace((unsigned char)*q) && bl < sizeof body - 1) body[bl++] = *q;
        body[bl] = 0;
        i = (size_t)(close - pic) + 1;
        struct marker *m = &out->m[out->n++];
        memset(m, 0, sizeof *m);
        m->minw = m->maxw = -1;
        if (!bl || !strchr(COMPONENTS, body[0]))
            return asl_jn_ctx_fail(c, "D3132", "Unknown component specifier %s in date/time picture string", bl ? body : "(empty)");
        m->comp = body[0];
        char *rest = body + 1;
        char *comma = strrchr(rest, ',');
        if (comma && is_width(comma + 1, &m->minw, &m->maxw)) *comma = 0;
        size_t rl = strlen(rest);
        if (rl > 1 && strchr("acot", rest[rl - 1]) && !name_pres(rest)) {
            m->mod = rest[rl - 1];
            rest[--rl] = 0;
        }
        snprintf(m->pres, sizeof m->pres, "%s", rl ? rest : default_pres(m->comp));
        m->plain = m->mod != 'o' && m->pres[0] != 0;
        for (const char *q = m->pres; *q; q++)
            if (*q < '0' || *q > '9') m->plain = 0;
        if (name_pres(m->pres) && !strchr("MxFPCE", m->comp))
            return asl_jn_ctx_fail(c, "D3133", "The 'name' modifier can only be applied to months and days in the date/time picture string, not %c", m->comp);
    }
    if (ln) {
        struct marker *m = &out->m[out->n++];
        memset(m, 0, sizeof *m);
        m->literal = 1;
        m->text = lit;
        m->len = ln;
    }
    return 0;
}

/* The cache entry for picture text pic[0..len) (NULL: the ISO regex),
 * parsed on first use; NULL when the picture is bad (error raised) or the
 * cache is full (*tmp then holds a parse the caller frees). */
static struct jn_piccache *picture_get(struct jn_ctx *c, const char *pic, size_t len, struct picture *tmp, int *rc)
{
    int n = 0;
    *rc = 0;
    tmp->m = NULL;
    tmp->n = 0;
    for (struct jn_piccache *e = c->pics; e; e = e->next, n++)
        if ((pic == NULL) == (e->text == NULL) && (!pic || (e->len == len && memcmp(e->text, pic, len) == 0)))
            return e;
    if (n >= JN_PIC_CACHE) {
        if (pic && parse_picture(c, pic, tmp) != 0)
            *rc = -1;
        return NULL;
    }
    struct jn_piccache *e = calloc(1, sizeof *e);
    if (!e) {
        *rc = asl_jn_ctx_fail(c, "D1001", "out of memory");
        return NULL;
    }
    if (pic) {
        e->text = malloc(len + 1);
        if (!e->text || parse_picture(c, pic, &e->pic) != 0) {
            if (!e->text) asl_jn_ctx_fail(c, "D1001", "out of memory");
            free(e->text);
            free(e);
            *rc = -1;
            return NULL;
        }
        memcpy(e->text, pic, len);
        e->text[len] = 0;
        e->len = len;
    }
    e->next = c->pics;
    c->pics = e;
    return e;
}

void asl_jn_pictures_free(struct jn_ctx *c)
{
    while (c->pics) {
        struct jn_piccache *e = c->pics;
        c->pics = e->next;
        picture_free(&e->pic);
        if (e->rx) pcre2_code_free(e->rx);
        free(e->text);
        free(e);
    }
}

/* ---- formatting ----------------------------------------------------------- */

static int decimal_pres(const char *p)
{
    for (; *p; p++)
        if (isdigit((unsigned char)*p) || *p == '#') return 1;
    /* other Unicode decimal digits (multi-byte) */
    return 0;
}

static int mandatory_digits(const char *p)
{
    int n = 0;
    for (; *p; p++) if (isdigit((unsigned char)*p)) n++;
    return n;
}

static void put_name(struct sb *o, const char *name, const struct marker *m)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", name);
    size_t l = strlen(buf);
    if (m->maxw > 0 && (size_t)m->maxw < l) buf[l = (size_t)m->maxw] = 0;
    if (strcmp(m->pres, "N") == 0) for (size_t i = 0; i < l; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    else if (strcmp(m->pres, "n") == 0) for (size_t i = 0; i < l; i++) buf[i] = (char)tolower((unsigned char)buf[i]);
    else { for (size_t i = 0; i < l; i++) buf[i] = (char)tolower((unsigned char)buf[i]); buf[0] = (char)toupper((unsigned char)buf[0]); }
    sb_str(o, buf);
}

static int put_number(struct jn_ctx *c, struct sb *o, double v, const struct marker *m)
{
    char pic[80], buf[1100];
    /* §9.8.4.4, as 2.0.6's analyseDateTimePicture sets it: a year keeps its
     * last n digits, n the maximum width when one is given, else the digit
     * signs of the picture when there are two or more ([Y01] -> "18"). */
    int yn = -1;
    if (m->comp == 'Y' && decimal_pres(m->pres)) {
        if (m->maxw > 0) {
            yn = m->maxw;
        } else {
            int w = 0;
            for (const char *q = m->pres; *q; q++)
                w += isdigit((unsigned char)*q) || *q == '#';
            if (w >= 2) yn = w;
        }
        if (yn > 0)
            v = fmod(v, pow(10, yn));
    }
    if (m->plain && v >= 0 && v < 1e15) {
        /* ASCII digits, no grouping: the integer padded to the digits given */
        uint64_t a = (uint64_t)v;
        size_t nd = strlen(m->pres), k = 0;
        char r[24];
        do { r[k++] = (char)('0' + a % 10); a /= 10; } while (a);
        size_t l = 0;
        while (nd > k && l < 64) { buf[l++] = '0'; nd--; }
        while (k) buf[l++] = r[--k];
        buf[l] = 0;
    } else {
        snprintf(pic, sizeof pic, "%s%s", m->pres, m->mod == 'o' ? ";o" : "");
        if (asl_jn_format_integer(c, v, pic, buf, sizeof buf) != 0) return -1;
    }
    if (decimal_pres(m->pres)) {
        size_t l = strlen(buf);
        int minw = m->comp == 'Y' && m->maxw > 0 ? m->maxw : m->minw;  /* mandatoryDigits = n */
        if (minw > 0 && l < (size_t)minw && m->mod != 'o') {
            char tmp[1100];
            size_t pad = (size_t)minw - l;
            memset(tmp, '0', pad);
            memcpy(tmp + pad, buf, l + 1);
            memcpy(buf, tmp, pad + l + 1);
        }
        l = strlen(buf);
        if (m->comp == 'Y' && m->maxw > 0 && l > (size_t)m->maxw)
            memmove(buf, buf + l - (size_t)m->maxw, (size_t)m->maxw + 1);
    }
    sb_str(o, buf);
    return 0;
}

static void put_tz(struct sb *o, int offset, const struct marker *m)
{
    if (m->mod == 't' && offset == 0) { sb_str(o, "Z"); return; }
    if (m->comp == 'z') sb_str(o, "GMT");
    int a = abs(offset), hh = a / 60, mm = a % 60;
    const char *p = m->pres;
    int before = 0, after = 0;
    char sep = 0;
    for (; *p && before < 4 && after < 4; p++) {
        if (isdigit((unsigned char)*p)) { if (sep) after++; else before++; }
        else if (!sep) sep = *p;
    }
    char buf[32];
    char sign = offset < 0 ? '-' : '+';
    if (sep) snprintf(buf, sizeof buf, "%c%0*d%c%02d", sign, before, hh, sep, mm);
    else if (before <= 2) {
        if (mm) snprintf(buf, sizeof buf, "%c%0*d:%02d", sign, before, hh, mm);
        else snprintf(buf, sizeof buf, "%c%0*d", sign, before, hh);
    } else snprintf(buf, sizeof buf, "%c%0*d%02d", sign, before - 2, hh, mm);
    sb_str(o, buf);
}

static int format_dt(struct jn_ctx *c, const struct picture *pic, const struct dt *t, struct sb *o)
{
    for (size_t i = 0; i < pic->n; i++) {
        const struct marker *m = &pic->m[i];
        if (m->literal) { sb_put(o, m->text, m->len); continue; }
        double v = 0;
        int named = name_pres(m->pres);
        switch (m->comp) {
        case 'Y': v = (double)t->year; break;
        case 'M': if (named) { put_name(o, MONTHS[t->month - 1], m); continue; } v = t->month; break;
        case 'D': v = t->day; break;
        case 'd': v = t->yday; break;
        case 'F': if (named) { put_name(o, DAYS[t->wday - 1], m); continue; } v = t->wday; break;
        case 'W': v = t->iso_week; break;
        case 'X': v = (double)t->iso_year; break;
        case 'w': v = t->wom; break;
        case 'x': if (named) { put_name(o, MONTHS[t->wom_month - 1], m); continue; } v = t->wom_month; break;
        case 'H': v = t->hour; break;
        case 'h': v = t->hour % 12 == 0 ? 12 : t->hour % 12; break;
        case 'P': put_name(o, t->hour < 12 ? "am" : "pm", m); continue;
        case 'm': v = t->minute; break;
        case 's': v = t->second; break;
        case 'f': {
            int n = mandatory_digits(m->pres);
            if (m->minw > n) n = m->minw;
            char d[32];
            snprintf(d, sizeof d, "%03d", t->ms);
            if (n <= 1 && m->maxw < 0 && strcmp(m->pres, "1") == 0) {
                size_t l = 3;
                while (l > 1 && d[l - 1] == '0') l--;
                d[l] = 0;
            } else if (n < 3) {
                d[n < 1 ? 1 : n] = 0;
            } else {
                for (int k = 3; k < n && k < 30; k++) d[k] = '0';
                d[n < 30 ? n : 30] = 0;
            }
            sb_str(o, d);
            continue;
        }
        case 'Z': case 'z': put_tz(o, t->offset, m); continue;
        case 'C': case 'E': sb_str(o, "ISO"); continue;
        default: continue;
        }
        if (put_number(c, o, v, m) != 0) return -1;
    }
    return 0;
}

/* "+hhmm", "-hh:mm", "+h": minutes east of UTC, or INT32_MIN. */
static int parse_offset(const char *s, int *off)
{
    int sign = 1;
    if (*s == '+') s++;
    else if (*s == '-') { sign = -1; s++; }
    else return -1;
    int digs[4], n = 0;
    for (; *s && n < 4; s++) {
        if (isdigit((unsigned char)*s)) digs[n++] = *s - '0';
        else if (*s != ':') return -1;
    }
    if (*s || n == 0) return -1;
    int hh, mm = 0;
    if (n <= 2) hh = n == 1 ? digs[0] : digs[0] * 10 + digs[1];
    else if (n == 3) { hh = digs[0]; mm = digs[1] * 10 + digs[2]; }
    else { hh = digs[0] * 10 + digs[1]; mm = digs[2] * 10 + digs[3]; }
    *off = sign * (hh * 60 + mm);
    return 0;
}

static int iso_string(struct jn_ctx *c, double ms, json_t **out)
{
    struct dt t;
    dt_from_ms(ms, 0, &t);
    char buf[80];
    snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)t.year, t.month, t.day,
             t.hour, t.minute, t.second, t.ms);
    *out = H(json_string(buf));
    return 0;
}

static int from_millis(struct jn_ctx *c, double ms, json_t *picv, json_t *tzv, json_t **out)
{
    int offset = 0;
    if (!(fabs(ms) <= 8.64e15))     /* beyond JavaScript's Date (and int64_t ms): no such time */
        return 0;
    if (tzv && parse_offset(json_string_value(tzv), &offset) != 0)
        return asl_jn_ctx_fail(c, "D3134", "The timezone argument of $fromMillis is not a valid offset: %s", json_string_value(tzv));
    if (!picv) {
        if (!tzv) return iso_string(c, ms, out);
        picv = H(json_string("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"));
    }
    struct picture tmp;
    int rc;
    struct jn_piccache *e = picture_get(c, json_string_value(picv), json_string_length(picv), &tmp, &rc);
    if (rc != 0) return -1;
    struct dt t;
    dt_from_ms(ms, offset, &t);
    char stack[256];
    stack[0] = 0;
    struct sb o = {stack, 0, sizeof stack, stack};
    rc = format_dt(c, e ? &e->pic : &tmp, &t, &o);
    picture_free(&tmp);
    if (rc == 0)
        *out = H(json_stringn(o.b ? o.b : "", o.n));
    if (o.b != stack) free(o.b);
    return rc;
}

int asl_jn_f_from_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    return from_millis(c, json_number_value(ARG(0)), ARG(1), ARG(2), out);
}

int asl_jn_f_now(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    return from_millis(c, (double)asl_jn_now_ms(c), ARG(0), ARG(1), out);
}

/* ---- parsing -------------------------------------------------------------- */

/* Number words, cardinal and ordinal, for the w/W/Ww presentations. */
static const char NUMWORDS[] =
    "(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    "thousand|million|billion|trillion|zeroth|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    "tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
    "twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth|hundredth|thousandth|"
    "millionth|billionth|trillionth|and)\\b";

static void rx_literal(struct sb *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80 && !isalnum(ch) && ch != ' ') sb_put(o, "\\", 1);
        sb_put(o, s + i, 1);
    }
}

static void rx_marker(struct sb *o, const struct marker *m)
{
    const char *p = m->pres;
    if (m->comp == 'Z') { sb_str(o, "(Z|[+-][0-9]{1,2}(?::?[0-9]{2})?)"); return; }
    if (m->comp == 'z') { sb_str(o, "GMT([+-][0-9]{1,2}(?::?[0-9]{2})?)"); return; }
    if (m->comp == 'P') { sb_str(o, "((?i:am|pm|a\\.m\\.|p\\.m\\.))"); return; }
    if (name_pres(p) || m->comp == 'C' || m->comp == 'E') { sb_str(o, "([A-Za-z]+)"); return; }
    if (strcmp(p, "I") == 0 || strcmp(p, "i") == 0) { sb_str(o, "([IVXLCDMivxlcdm]+)"); return; }
    if (strcmp(p, "A") == 0 || strcmp(p, "a") == 0) { sb_str(o, "([A-Za-z]+)"); return; }
    if (strcmp(p, "w") == 0 || strcmp(p, "W") == 0 || strcmp(p, "Ww") == 0) {
        sb_str(o, "((?i:");
        sb_str(o, NUMWORDS);
        sb_str(o, "(?:[ ,-]+");
        sb_str(o, NUMWORDS);
        sb_str(o, ")*))");
        return;
    }
    /* decimal digits, with any grouping separators of the picture */
    char cls[64] = "0-9";
    size_t cl = 3;
    for (const char *q = p; *q && cl < sizeof cls - 3; q++)
        if (!isdigit((unsigned char)*q) && *q != '#' && (unsigned char)*q < 0x80) {
            if (!isalnum((unsigned char)*q)) cls[cl++] = '\\';
            cls[cl++] = *q;
        }
    cls[cl] = 0;
    int lo = m->comp == 'f' ? 1 : mandatory_digits(p);
    if (lo < 1) lo = 1;
    if (m->minw > lo) lo = m->minw;
    char buf[128];
    if (m->maxw > 0) snprintf(buf, sizeof buf, "([%s]{%d,%d})", cls, lo > m->maxw ? m->maxw : lo, m->maxw);
    else snprintf(buf, sizeof buf, "([%s]{%d,})", cls, lo);
    sb_str(o, buf);
    if (m->mod == 'o') sb_str(o, "(?:st|nd|rd|th)");
}

static int name_index(const char *s, size_t len, const char *const *names, int n)
{
    if (len < 2) return -1;
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) >= len && strncasecmp(names[i], s, len) == 0) return i;
    return -1;
}

enum { C_Y, C_M, C_D, C_d, C_H, C_m, C_s, C_f, C_N };

static int to_millis_parts(struct jn_ctx *c, const char *pics, const struct picture *picp, char **cap, size_t ncap,
                           json_t **out);

int asl_jn_f_to_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    const char *s = json_string_value(ARG(0));
    size_t slen = json_string_length(ARG(0));
    const char *pics = ARG(1) ? json_string_value(ARG(1)) : NULL;
    struct picture tmp;
    int rc;
    struct jn_piccache *e = picture_get(c, pics, pics ? json_string_length(ARG(1)) : 0, &tmp, &rc);
    if (rc != 0) return -1;
    const struct picture *picp = e ? &e->pic : &tmp;
    pcre2_code *code = e ? e->rx : NULL;
    if (!code) {
        struct sb rx = {0};
        if (!pics) {
            sb_str(&rx, "^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?"
                        "(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?)?)?$");
        } else {
            sb_str(&rx, "^");
            for (size_t i = 0; i < picp->n; i++) {
                if (picp->m[i].literal) rx_literal(&rx, picp->m[i].text, picp->m[i].len);
                else rx_marker(&rx, &picp->m[i]);
            }
            sb_str(&rx, "$");
        }
        int ec;
        PCRE2_SIZE eo;
        code = rx.b ? pcre2_compile((PCRE2_SPTR)rx.b, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &eo, NULL) : NULL;
        free(rx.b);
        if (!code) {
            picture_free(&tmp);
            return asl_jn_ctx_fail(c, "D3110", "The date/time picture string cannot be used for parsing");
        }
        if (e) e->rx = code;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    int mrc = md ? pcre2_match(code, (PCRE2_SPTR)s, slen, 0, 0, md, NULL) : -1;
    if (mrc < 0) {
        pcre2_match_data_free(md);
        if (!e) pcre2_code_free(code);
        picture_free(&tmp);
        if (!pics) return asl_jn_ctx_fail(c, "D3110", "The timestamp %s cannot be parsed", s);
        return 0;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t nov = pcre2_get_ovector_count(md);
    /* copy the captures out, into one block freed when done */
    size_t ncap = nov > 1 ? nov - 1 : 0, total = 0;
    for (size_t i = 0; i < ncap; i++)
        if (ov[2 * (i + 1)] != PCRE2_UNSET) total += ov[2 * (i + 1) + 1] - ov[2 * (i + 1)] + 1;
    char **cap = malloc((ncap + 1) * sizeof *cap + total + 1);
    char *text = (char *)(cap + ncap + 1);
    for (size_t i = 0; cap && i < ncap; i++) {
        PCRE2_SIZE a = ov[2 * (i + 1)], b = ov[2 * (i + 1) + 1];
        if (a == PCRE2_UNSET) { cap[i] = NULL; continue; }
        cap[i] = text;
        memcpy(text, s + a, b - a);
        text[b - a] = 0;
        text += b - a + 1;
    }
    pcre2_match_data_free(md);
    if (!e) pcre2_code_free(code);
    if (!cap) {
        picture_free(&tmp);
        return asl_jn_ctx_fail(c, "D1001", "out of memory");
    }
    rc = to_millis_parts(c, pics, picp, cap, ncap, out);
    free(cap);
    picture_free(&tmp);
    return rc;
}

/* The components captured by $toMillis's regex, combined into milliseconds. */
static int to_millis_parts(struct jn_ctx *c, const char *pics, const struct picture *picp, char **cap, size_t ncap,
                           json_t **out)
{
    double v[C_N];
    int have[C_N] = {0};
    int offset = 0, pm = -1, week_based = 0, twelve = 0;
    if (!pics) {
        static const int order[] = {C_Y, C_M, C_D, C_H, C_m, C_s};
        for (int i = 0; i < 6 && (size_t)i < ncap; i++)
            if (cap[i]) { v[order[i]] = atof(cap[i]); have[order[i]] = 1; }
        if (ncap > 6 && cap[6]) { v[C_f] = round(atof(cap[6]) / pow(10, (double)strlen(cap[6])) * 1000); have[C_f] = 1; }
        if (ncap > 7 && cap[7] && strcmp(cap[7], "Z") != 0) parse_offset(cap[7], &offset);
    } else {
        size_t k = 0;
        for (size_t i = 0; i < picp->n; i++) {
            const struct marker *m = &picp->m[i];
            if (m->literal) continue;
            const char *t = k < ncap ? cap[k] : NULL;
            k++;
            if (!t) continue;
            int slot = -1;
            switch (m->comp) {
            case 'Y': slot = C_Y; break;
            case 'M': slot = C_M; break;
            case 'D': slot = C_D; break;
            case 'd': slot = C_d; break;
            case 'H': slot = C_H; break;
            case 'h': slot = C_H; twelve = 1; break;
            case 'm': slot = C_m; break;
            case 's': slot = C_s; break;
            case 'f': slot = C_f; break;
            case 'P': pm = tolower((unsigned char)t[0]) == 'p'; continue;
            case 'Z': if (strcmp(t, "Z") != 0) parse_offset(t, &offset); continue;
            case 'z': parse_offset(t, &offset); continue;
            case 'X': case 'x': case 'W': case 'w': week_based = 1; continue;
            default: continue;   /* F, C, E: checked by the match only */
            }
            double val;
            if (slot == C_f) {
                val = round(atof(t) / pow(10, (double)strlen(t)) * 1000);
            } else if (name_pres(m->pres)) {
                int ix = name_index(t, strlen(t), MONTHS, 12);
                if (ix < 0) return 0;
                val = ix + 1;
            } else if (decimal_pres(m->pres)) {
                val = 0;
                for (const char *q = t; *q; q++) if (isdigit((unsigned char)*q)) val = val * 10 + (*q - '0');
            } else {
                char pp[80];
                snprintf(pp, sizeof pp, "%s", m->pres);
                if (asl_jn_parse_integer(c, t, pp, &val) != 0) return -1;
                if (isnan(val)) return 0;
            }
            v[slot] = val;
            have[slot] = 1;
        }
        if (week_based)
            return asl_jn_ctx_fail(c, "D3136", "The date/time picture string is underspecified: week-based dates are not supported for parsing");
    }
    int any = 0;
    for (int i = 0; i < C_N; i++) any |= have[i];
    if (!any) return 0;
    /* The components given must be contiguous: Y M D H m s f, or Y d H m s f. */
    static const int seq_md[] = {C_Y, C_M, C_D, C_H, C_m, C_s, C_f};
    static const int seq_yd[] = {C_Y, C_d, C_H, C_m, C_s, C_f};
    const int *seq = have[C_d] ? seq_yd : seq_md;
    int nseq = have[C_d] ? 6 : 7;
    if (have[C_d] && (have[C_M] || have[C_D]))
        return asl_jn_ctx_fail(c, "D3136", "The date/time picture string is underspecified");
    int state = 0;   /* 0 before, 1 inside, 2 after */
    for (int i = 0; i < nseq; i++) {
        if (have[seq[i]]) {
            if (state == 2) return asl_jn_ctx_fail(c, "D3136", "The date/time picture string is underspecified");
            state = 1;
        } else if (state == 1) state = 2;
    }
    /* Leading components missing: now's; trailing: their least value. */
    struct dt now;
    dt_from_ms((double)asl_jn_now_ms(c), 0, &now);
    double nowv[C_N] = {(double)now.year, now.month, now.day, now.yday, now.hour, now.minute, now.second, now.ms};
    int leading = 1;
    for (int i = 0; i < nseq; i++) {
        int sl = seq[i];
        if (have[sl]) { leading = 0; continue; }
        v[sl] = leading ? nowv[sl] : (sl == C_M || sl == C_D || sl == C_d ? 1 : 0);
    }
    if (twelve) {
        if (pm == 1 && v[C_H] < 12) v[C_H] += 12;
        else if (pm == 0 && v[C_H] == 12) v[C_H] = 0;
    }
    /* far beyond any date (8.64e15 ms is 275760 years): undefined, before
     * the casts to int64_t and int below overflow */
    int huge = !(fabs(v[C_Y]) < 1e6);
    if (have[C_d]) huge |= !(fabs(v[C_d]) < 1e9);
    else huge |= !(fabs(v[C_M]) < 1e6) || !(fabs(v[C_D]) < 1e9);
    if (huge)
        return 0;
    int64_t days;
    if (have[C_d]) days = days_from_civil((int64_t)v[C_Y], 1, 1) + (int64_t)v[C_d] - 1;
    else days = days_from_civil((int64_t)v[C_Y], (int)v[C_M], (int)v[C_D]);
    double ms = (double)days * 86400000.0 + v[C_H] * 3600000.0 + v[C_m] * 60000.0 + v[C_s] * 1000.0 + v[C_f] -
                (double)offset * 60000.0;
    *out = H(asl_jn_num(ms));
    return 0;
}
