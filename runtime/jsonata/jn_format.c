/*
 * jn_format.c - JSONata's number and date/time formatting: $formatBase,
 * $formatInteger, $parseInteger, $millis.  $formatNumber is in
 * jn_number.c, $now/$fromMillis/$toMillis in jn_datetime.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ctype.h>

#include "jn_internal.h"

#define H(x) asl_jn_hold(c, (x))
#define ARG(i) ((i) < nargs ? args[i] : NULL)

int asl_jn_f_format_base(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_format_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_parse_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);

int asl_jn_f_format_base(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    double v = json_number_value(ARG(0));
    double rd = ARG(1) ? json_number_value(ARG(1)) : 10;
    int radix = rd >= 2 && rd < 37 ? (int)rd : 0;   /* range first: (int)1e300 is UB */
    if (radix < 2 || radix > 36)
        return asl_jn_ctx_fail(c, "D3100", "The radix of the formatBase function must be between 2 and 36");
    double r = round(v);
    if (fabs(r - v) == 0.5 && fmod(r, 2) != 0) r -= v < 0 ? -1 : 1;
    char buf[80];
    size_t o = sizeof buf - 1;
    buf[o] = 0;
    int neg = r < 0;
    /* beyond 2^64 (no unsigned long long): digits from the double itself */
    double a = fabs(r);
    for (; a >= 18446744073709551616.0 && o > 2; a = floor(a / radix)) {
        int d = (int)fmod(a, radix);
        buf[--o] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    unsigned long long u = a < 18446744073709551616.0 ? (unsigned long long)a : 0;
    do {
        int d = (int)(u % (unsigned)radix);
        buf[--o] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        u /= (unsigned)radix;
    } while (u && o > 1);
    if (neg) buf[--o] = '-';
    *out = H(json_string(buf + o));
    return 0;
}

int asl_jn_f_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)args; (void)nargs; (void)in;
    *out = H(json_integer((json_int_t)asl_jn_now_ms(c)));
    return 0;
}

static const char *ONES[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *TENS[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
static const struct { const char *name; double v; } SCALES[] = {
    {"trillion", 1e12}, {"billion", 1e9}, {"million", 1e6}, {"thousand", 1e3}};

static void words(double n, char *b, size_t cap)
{
    size_t l = strlen(b);
    if (n < 20) { snprintf(b + l, cap - l, "%s", ONES[(int)n]); return; }
    if (n < 100) {
        int t = (int)(n / 10), o = (int)fmod(n, 10);
        snprintf(b + l, cap - l, "%s%s%s", TENS[t], o ? "-" : "", o ? ONES[o] : "");
        return;
    }
    if (n < 1000) {
        int h = (int)(n / 100);
        double r = fmod(n, 100);
        snprintf(b + l, cap - l, "%s hundred%s", ONES[h], r > 0 ? " and " : "");
        if (r > 0) words(r, b, cap);
        return;
    }
    for (int i = 0; i < 4; i++) {
        if (n >= SCALES[i].v) {
            double hi = floor(n / SCALES[i].v), lo = n - hi * SCALES[i].v;
            if (lo < 0) lo = 0;
            words(hi, b, cap);
            l = strlen(b);
            snprintf(b + l, cap - l, " %s%s", SCALES[i].name, lo >= 1 ? (lo < 100 ? " and " : ", ") : "");
            if (lo >= 1) words(lo, b, cap);
            return;
        }
    }
}

static void ordinal_words(char *b, size_t cap)
{
    size_t l = strlen(b);
    char *w = b + l;
    while (w > b && w[-1] != ' ' && w[-1] != '-') w--;
    static const char *from[] = {"one", "two", "three", "five", "eight", "nine", "twelve"};
    static const char *to[] = {"first", "second", "third", "fifth", "eighth", "ninth", "twelfth"};
    for (int i = 0; i < 7; i++)
        if (strcmp(w, from[i]) == 0) { snprintf(w, cap - (size_t)(w - b), "%s", to[i]); return; }
    if (l && b[l - 1] == 'y') { snprintf(b + l - 1, cap - l + 1, "ieth"); return; }
    snprintf(b + l, cap - l, "th");
}

static size_t put_cp(char *o, unsigned long cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) { o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F)); return 3; }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* put_cp with the bytes reversed, for text built from the right. */
static size_t put_cp_rev(char *o, unsigned long cp)
{
    char tmp[4];
    size_t w = put_cp(tmp, cp);
    for (size_t m = 0; m < w; m++)
        o[m] = tmp[w - 1 - m];
    return w;
}

static unsigned long get_cp(const char *s, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    unsigned long cp;
    size_t w;
    if (u[0] < 0x80) { cp = u[0]; w = 1; }
    else if (u[0] < 0xE0) { cp = (unsigned long)(u[0] & 0x1F) << 6 | (u[1] & 0x3F); w = 2; }
    else if (u[0] < 0xF0) { cp = (unsigned long)(u[0] & 0x0F) << 12 | (unsigned long)(u[1] & 0x3F) << 6 | (u[2] & 0x3F); w = 3; }
    else { cp = (unsigned long)(u[0] & 0x07) << 18 | (unsigned long)(u[1] & 0x3F) << 12 | (unsigned long)(u[2] & 0x3F) << 6 | (u[3] & 0x3F); w = 4; }
    *i += w;
    return cp;
}

/* Unicode decimal digit zeros we recognise. */
static const unsigned long ZEROS[] = {0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66,
    0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10};

static long digit_zero(unsigned long cp)
{
    for (size_t i = 0; i < sizeof ZEROS / sizeof ZEROS[0]; i++)
        if (cp >= ZEROS[i] && cp <= ZEROS[i] + 9)
            return (long)ZEROS[i];
    return -1;
}

struct decpic {
    long zero;
    int mandatory, total;
    int nsep;
    int seppos[16];            /* digits to the right of the separator */
    unsigned long sepcp[16];
    int regular;
};

static int parse_decpic(struct jn_ctx *c, const char *p, struct decpic *d)
{
    size_t i = 0, n = strlen(p);
    memset(d, 0, sizeof *d);
    d->zero = -1;
    unsigned long cps[128];
    int nc = 0;
    while (i < n && nc < 128) cps[nc++] = get_cp(p, &i);
    int digits = 0;
    for (int k = nc - 1; k >= 0; k--) {
        long z = digit_zero(cps[k]);
        if (z >= 0) {
            if (d->zero >= 0 && d->zero != z)
                return asl_jn_ctx_fail(c, "D3131", "In a decimal digit pattern, all digits must be from the same decimal group");
            d->zero = z;
            d->mandatory++;
            digits++;
        } else if (cps[k] == '#') {
            digits++;
        } else if (d->nsep < 16) {
            d->seppos[d->nsep] = digits;
            d->sepcp[d->nsep++] = cps[k];
        }
    }
    if (d->zero < 0)
        return asl_jn_ctx_fail(c, "D3130", "Formatting or parsing an integer as a sequence starting with %s is not supported by this implementation", p);
    d->total = digits;
    d->regular = d->nsep > 0 && d->seppos[0] > 0;   /* not a trailing separator: k % 0 */
    for (int k = 0; k < d->nsep; k++)
        if (d->sepcp[k] != d->sepcp[0] || d->seppos[k] != (k + 1) * d->seppos[0])
            d->regular = 0;
    return 0;
}

static void roman(double v, char *b, size_t cap)
{
    static const int val[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
    static const char *sym[] = {"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"};
    size_t len = 0;
    b[0] = 0;
    /* v stays a double (1e300 has no long) and the loop ends when b is
     * full: a huge number gives as many M as fit, not 1e297 iterations. */
    for (int i = 0; i < 13; i++)
        while (v >= val[i]) {
            size_t l = strlen(sym[i]);
            if (len + l >= cap)
                return;
            memcpy(b + len, sym[i], l + 1);
            len += l;
            v -= val[i];
        }
}

/* The longest decimal result: up to 399 digits (digs below) of up to 4
 * bytes each, a separator of up to 4 bytes after every one, an ordinal. */
#define FMTINT_MAX (399 * 8 + 8)

/* Format v with a format-integer picture ("primary[;modifiers]") into
 * fin[0..cap).  0, or -1 with the error raised. */
int asl_jn_format_integer(struct jn_ctx *c, double v, const char *pic, char *fin, size_t cap)
{
    v = trunc(v);
    char prim[256], buf[FMTINT_MAX] = "";
    const char *semi = strrchr(pic, ';');
    int ord = 0;
    snprintf(prim, sizeof prim, "%.*s", (int)(semi ? (size_t)(semi - pic) : strlen(pic)), pic);
    if (semi && strchr(semi + 1, 'o')) ord = 1;
    int neg = v < 0;
    double a = fabs(v);
    if (strcmp(prim, "I") == 0 || strcmp(prim, "i") == 0) {
        roman(a, buf, sizeof buf);
        if (prim[0] == 'i') for (char *q = buf; *q; q++) *q = (char)(*q - 'A' + 'a');
    } else if (strcmp(prim, "A") == 0 || strcmp(prim, "a") == 0) {
        char tmp[64];
        int k = 0;
        double n = a;   /* not long: 1e300 has no long */
        while (n >= 1 && k < 63) { n -= 1; tmp[k++] = (char)(prim[0] + (int)fmod(n, 26)); n = floor(n / 26); }
        for (int i = 0; i < k; i++) buf[i] = tmp[k - 1 - i];
        buf[k] = 0;
    } else if (strcmp(prim, "w") == 0 || strcmp(prim, "W") == 0 || strcmp(prim, "Ww") == 0) {
        words(a, buf, sizeof buf);
        if (ord) ordinal_words(buf, sizeof buf);
        if (prim[0] == 'W' && prim[1] == 0) {
            for (char *q = buf; *q; q++) if (*q >= 'a' && *q <= 'z') *q = (char)(*q - 32);
        } else if (prim[1] == 'w') {
            for (char *q = buf; *q; q++)
                if ((q == buf || q[-1] == ' ' || q[-1] == '-') && *q >= 'a' && *q <= 'z' && strncmp(q, "and ", 4) != 0)
                    *q = (char)(*q - 32);
        }
    } else {
        struct decpic d;
        if (parse_decpic(c, prim, &d) != 0) return -1;
        char digs[400];
        snprintf(digs, sizeof digs, "%.0f", a);
        int nd = (int)strlen(digs);
        int width = nd > d.mandatory ? nd : d.mandatory;
        /* build from the right */
        char rev[FMTINT_MAX];
        size_t o = 0;
        int sepi = 0;
        for (int k = 0; k < width; k++) {
            if (k > 0) {
                if (d.regular && k % d.seppos[0] == 0)
                    o += put_cp_rev(rev + o, d.sepcp[0]);
                else if (!d.regular && sepi < d.nsep && d.seppos[sepi] == k)
                    o += put_cp_rev(rev + o, d.sepcp[sepi++]);
            }
            int dv = k < nd ? digs[nd - 1 - k] - '0' : 0;
            char tmp[4];
            size_t w = put_cp(tmp, (unsigned long)d.zero + (unsigned long)dv);
            for (size_t m = w; m > 0; m--) rev[o++] = tmp[m - 1];
        }
        for (size_t k = 0; k < o; k++) buf[k] = rev[o - 1 - k];
        buf[o] = 0;
        /* multibyte characters were reversed byte-wise twice: fine */
        if (ord) {
            long n = (long)fmod(a, 100);
            const char *suf = (n >= 11 && n <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
            strncat(buf, suf, sizeof buf - strlen(buf) - 1);
        }
    }
    snprintf(fin, cap, "%s%s", neg ? "-" : "", buf);
    return 0;
}

int asl_jn_f_format_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    if (!ARG(1))    /* the signature lets an undefined picture through */
        return asl_jn_ctx_fail(c, "T0410", "Argument 2 of function \"formatInteger\" does not match function signature");
    char fin[FMTINT_MAX + 1];
    if (asl_jn_format_integer(c, json_number_value(ARG(0)), json_string_value(ARG(1)), fin, sizeof fin) != 0)
        return -1;
    *out = H(json_string(fin));
    return 0;
}

static double word_value(const char *w, int *kind)
{
    static const char *ord1[] = {"zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
        "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
        "eighteenth", "nineteenth"};
    static const char *ordt[] = {"", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"};
    *kind = 0;
    for (int i = 0; i < 20; i++) if (strcmp(w, ONES[i]) == 0 || strcmp(w, ord1[i]) == 0) return i;
    for (int i = 2; i < 10; i++) if (strcmp(w, TENS[i]) == 0 || strcmp(w, ordt[i]) == 0) return i * 10;
    if (strcmp(w, "hundred") == 0 || strcmp(w, "hundredth") == 0) { *kind = 1; return 100; }
    for (int i = 0; i < 4; i++) {
        size_t l = strlen(SCALES[i].name);
        if (strncmp(w, SCALES[i].name, l) == 0 && (w[l] == 0 || strcmp(w + l, "th") == 0)) { *kind = 2; return SCALES[i].v; }
    }
    *kind = -1;
    return 0;
}

/* Parse s with a format-integer picture.  0 and *res, or -1 with the
 * error raised. */
int asl_jn_parse_integer(struct jn_ctx *c, const char *s, const char *pic, double *res)
{
    char prim[256];
    const char *semi = strrchr(pic, ';');
    snprintf(prim, sizeof prim, "%.*s", (int)(semi ? (size_t)(semi - pic) : strlen(pic)), pic);
    double r = 0;
    if (strcmp(prim, "I") == 0 || strcmp(prim, "i") == 0) {
        static const char *R = "IVXLCDM";
        static const int RV[] = {1, 5, 10, 50, 100, 500, 1000};
        size_t n = strlen(s);
        for (size_t i = 0; i < n; i++) {
            const char *p = strchr(R, toupper((unsigned char)s[i]));
            if (!p) { *res = NAN; return 0; }
            int v = RV[p - R], nx = 0;
            if (i + 1 < n) { const char *q = strchr(R, toupper((unsigned char)s[i + 1])); nx = q ? RV[q - R] : 0; }
            r += v < nx ? -v : v;
        }
    } else if (strcmp(prim, "A") == 0 || strcmp(prim, "a") == 0) {
        for (const char *p = s; *p; p++) r = r * 26 + (tolower((unsigned char)*p) - 'a' + 1);
    } else if (strcmp(prim, "w") == 0 || strcmp(prim, "W") == 0 || strcmp(prim, "Ww") == 0) {
        char w[64];
        double total = 0, cur = 0;
        int after_scale = 0;
        const char *p = s;
        while (*p) {
            while (*p == ' ' || *p == ',' || *p == '-') p++;
            size_t k = 0;
            while (*p && *p != ' ' && *p != ',' && *p != '-' && k < 63) w[k++] = (char)tolower((unsigned char)*p++);
            w[k] = 0;
            if (!k || strcmp(w, "and") == 0) continue;
            int kind;
            double v = word_value(w, &kind);
            if (kind < 0) return asl_jn_ctx_fail(c, "D3132", "Unknown word: %s", w);
            if (kind == 0) {
                if (after_scale) { total += cur; cur = 0; after_scale = 0; }
                cur += v;
            } else if (kind == 1) {
                cur = (cur ? cur : 1) * 100;
            } else {
                cur = (cur ? cur : 1) * v;
                after_scale = 1;
            }
        }
        r = total + cur;
    } else {
        struct decpic d;
        if (parse_decpic(c, prim, &d) != 0) return -1;
        size_t i = 0, n = strlen(s);
        while (i < n) {
            unsigned long cp = get_cp(s, &i);
            long z = digit_zero(cp);
            if (z >= 0) r = r * 10 + (double)(cp - (unsigned long)z);
        }
    }
    *res = r;
    return 0;
}

int asl_jn_f_parse_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    if (!ARG(1))
        return asl_jn_ctx_fail(c, "T0410", "Argument 2 of function \"parseInteger\" does not match function signature");
    double r;
    if (asl_jn_parse_integer(c, json_string_value(ARG(0)), json_string_value(ARG(1)), &r) != 0) return -1;
    if (isnan(r)) return 0;
    *out = H(asl_jn_num(r));
    return 0;
}
