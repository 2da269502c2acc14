/*
 * jn_string.c - JSONata text: JavaScript-style number formatting, $string's
 * JSON serialisation, UTF-8 code point counting, and regex matching
 * through PCRE2 (compiled once per evaluation, per literal).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <float.h>
#include <math.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "jn_internal.h"

/* Lay out a number the way JavaScript prints it: significant digits
 * d[0..nd) (no trailing zeros, nd >= 1) times 10^e, e the exponent of the
 * first digit.  out needs 32 bytes; returns the length. */
static size_t js_layout(int neg, const char *d, size_t nd, int e, char *out)
{
    size_t o = 0;
    if (neg) out[o++] = '-';
    if (e >= -6 && e < 21) {
        if (e < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = -1; i > e; i--) out[o++] = '0';
            for (size_t i = 0; i < nd; i++) out[o++] = d[i];
        } else {
            for (int i = 0; i <= e || (size_t)i < nd; i++) {
                if (i == e + 1) out[o++] = '.';
                out[o++] = (size_t)i < nd ? d[i] : '0';
            }
        }
    } else {
        out[o++] = d[0];
        if (nd > 1) {
            out[o++] = '.';
            for (size_t i = 1; i < nd; i++) out[o++] = d[i];
        }
        out[o++] = 'e';
        out[o++] = e < 0 ? '-' : '+';
        int a = e < 0 ? -e : e;
        char r[8];
        int k = 0;
        do { r[k++] = (char)('0' + a % 10); a /= 10; } while (a);
        while (k) out[o++] = r[--k];
    }
    out[o] = 0;
    return o;
}

/* Digits and exponent of "[-]D.DDDDe[+-]XX" (printf's %e), trailing zeros dropped. */
static size_t e_digits(const char *s, char *d, int *neg, int *e)
{
    size_t nd = 0;
    *neg = 0;
    if (*s == '-') { *neg = 1; s++; }
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            d[nd++] = *s;
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    *e = atoi(s + 1);
    return nd;
}

/* Shortest round-trip digits, laid out the way JavaScript prints a Number. */
void asl_jn_fmt_number(double d, char *buf, size_t n)
{
    char tmp[40], digits[24], out[40];
    if (d == 0) {
        snprintf(buf, n, "0");
        return;
    }
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    int neg, e;
    size_t nd = e_digits(tmp, digits, &neg, &e);
    js_layout(neg, digits, nd, e, out);
    snprintf(buf, n, "%s", out);
}

/* Is a (> 0, normal, first digit at 10^e) exactly halfway between two
 * 15-significant-digit decimals, i.e. (2k+1)/2 * 10^(e-14)?  Checked in
 * exact binary arithmetic: scaling by powers of two and dividing by a power
 * of five that divides evenly are exact. */
static int halfway15(double a, int e)
{
    if (e <= 14) {
        /* a * 2^(15-e) = (2k+1) / 5^(14-e) is dyadic only if it is an odd integer */
        double y = ldexp(a, 15 - e);
        return isfinite(y) && y == floor(y) && fmod(y, 2) == 1;
    }
    if (e - 14 > 22)
        return 0;    /* (2k+1) * 5^(e-14) would not fit in 53 bits */
    double p5 = 1;
    for (int i = 0; i < e - 14; i++)
        p5 *= 5;
    double y = ldexp(a, -(e - 15));
    if (y != floor(y) || fmod(y, p5) != 0)
        return 0;
    return fmod(y / p5, 2) == 1;
}

/* $string's number: rounded to 15 significant digits, then laid out as
 * JavaScript does.  Any 15-digit decimal names a distinct double, so the
 * 15-digit rounding without its trailing zeros is already the shortest
 * representation of the rounded value.  Integers of up to 15 digits are
 * their own rounding and skip printf.  out needs 40 bytes. */
static size_t fmt_number15(double v, char *out)
{
    if (v == 0) {
        out[0] = '0';
        out[1] = 0;
        return 1;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        uint64_t a = (uint64_t)fabs(v);
        char r[24];
        size_t k = 0, o = 0;
        while (a) { r[k++] = (char)('0' + a % 10); a /= 10; }
        if (v < 0) out[o++] = '-';
        while (k) out[o++] = r[--k];
        out[o] = 0;
        return o;
    }
    char p15[40], digits[24];
    snprintf(p15, sizeof p15, "%.14e", v);
    if (fabs(v) < DBL_MIN || fabs(v) > 1e308) {
        /* subnormals have fewer digits than 15; near the top, the rounding can overflow */
        double r = strtod(p15, NULL);
        if (isinf(r)) {
            memcpy(out, "null", 5);   /* what JSON.stringify makes of the overflow */
            return 4;
        }
        asl_jn_fmt_number(r, out, 40);
        return strlen(out);
    }
    int neg, e;
    size_t nd = e_digits(p15, digits, &neg, &e);
    if (halfway15(fabs(v), e)) {
        /* printf breaks the tie to even; JavaScript's toPrecision rounds the magnitude up */
        char p16[40];
        snprintf(p16, sizeof p16, "%.15e", v);
        nd = e_digits(p16, digits, &neg, &e);   /* 16 digits, the last a 5 */
        nd--;
        size_t k = nd;
        while (k > 0 && digits[k - 1] == '9')
            digits[--k] = '0';
        if (k == 0) {
            digits[0] = '1';
            nd = 1;
            e++;
        } else {
            digits[k - 1]++;
        }
        while (nd > 1 && digits[nd - 1] == '0')
            nd--;
    }
    return js_layout(neg, digits, nd, e, out);
}

/* $string's text: the runtime's buffer, held to what is left of the
 * evaluation's memory budget. */
struct sbuf {
    struct asl_buf t;
    size_t limit;           /* the most the text may take: what is left of the memory budget */
    int over;               /* it would have taken more, or memory ran out: the text is incomplete */
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->over || n > b->limit - b->t.len) {
        b->over = 1;        /* shared subtrees can make the text exponentially longer than the value */
        return;
    }
    asl_buf_add(&b->t, s, n);
    b->over = b->t.oom;
}

static void sb_str(struct sbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        switch (ch) {
        case '"': sb_add(b, "\\\"", 2); break;
        case '\\': sb_add(b, "\\\\", 2); break;
        case '\b': sb_add(b, "\\b", 2); break;
        case '\f': sb_add(b, "\\f", 2); break;
        case '\n': sb_add(b, "\\n", 2); break;
        case '\r': sb_add(b, "\\r", 2); break;
        case '\t': sb_add(b, "\\t", 2); break;
        default:
            if (ch < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", ch);
                sb_add(b, esc, 6);
            } else {
                sb_add(b, (const char *)&s[i], 1);
            }
        }
    }
    sb_add(b, "\"", 1);
}

static void indent(struct sbuf *b, int pretty, int level)
{
    if (!pretty)
        return;
    sb_add(b, "\n", 1);
    for (int i = 0; i < level; i++)
        sb_add(b, "  ", 2);
}

static void ser(struct jn_ctx *c, struct sbuf *b, json_t *v, int pretty, int level)
{
    char num[64];
    if (b->over)
        return;             /* the walk stops too: the value may be a huge tree of shared parts */
    if (asl_jn_fn_of(c, v)) {
        sb_add(b, "\"\"", 2);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_STRING: sb_str(b, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER:
    case JSON_REAL: {
        size_t l = fmt_number15(json_number_value(v), num);
        sb_add(b, num, l);
        break;
    }
    case JSON_TRUE: sb_add(b, "true", 4); break;
    case JSON_FALSE: sb_add(b, "false", 5); break;
    case JSON_NULL: sb_add(b, "null", 4); break;
    case JSON_ARRAY:
        sb_add(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v) && !b->over; i++) {
            if (i) sb_add(b, ",", 1);
            indent(b, pretty, level + 1);
            ser(c, b, json_array_get(v, i), pretty, level + 1);
        }
        if (json_array_size(v)) indent(b, pretty, level);
        sb_add(b, "]", 1);
        break;
    case JSON_OBJECT: {
        const char *k;
        json_t *e;
        int first = 1;
        sb_add(b, "{", 1);
        json_object_foreach(v, k, e) {
            if (b->over)
                break;
            if (!first) sb_add(b, ",", 1);
            first = 0;
            indent(b, pretty, level + 1);
            sb_str(b, k, strlen(k));
            sb_add(b, pretty ? ": " : ":", pretty ? 2 : 1);
            ser(c, b, e, pretty, level + 1);
        }
        if (!first) indent(b, pretty, level);
        sb_add(b, "}", 1);
        break;
    }
    }
}

json_t *asl_jn_stringify(struct jn_ctx *c, json_t *v, int pretty)
{
    if (!v)
        return NULL;
    if (json_is_string(v))
        return v;
    if (asl_jn_is_nonfinite(c, v)) {
        asl_jn_ctx_fail(c, "D3001", "Attempting to invoke string function on Infinity or NaN");
        return NULL;
    }
    if (asl_jn_fn_of(c, v))
        return asl_jn_hold(c, json_string(""));
    if ((json_is_array(v) || json_is_object(v)) && asl_jn_contains_mark(c, v, JN_NONFINITE)) {
        asl_jn_ctx_fail(c, "D1001", "Number out of range");   /* JSON.stringify's replacer meets Infinity */
        return NULL;
    }
    if (json_is_number(v)) {
        char num[40];
        size_t l = fmt_number15(json_number_value(v), num);
        return asl_jn_hold(c, json_stringn(num, l));
    }
    /* The text, then the string made from it: each gets half of what is left. */
    double left = ((double)asl_jn_mem_max() - (double)c->mem) / 2;
    struct sbuf b = {.limit = left > 0 ? (size_t)left : 0};
    ser(c, &b, v, pretty, 0);
    if (b.over) {
        free(b.t.p);
        asl_jn_mem_fail(c);
        return NULL;
    }
    json_t *r = asl_jn_hold(c, json_stringn(b.t.p ? b.t.p : "", b.t.len));
    free(b.t.p);
    return r;
}

size_t asl_jn_utf8_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) != 0x80)
            k++;
    }
    return k;
}

/* Byte offset of UTF-16 unit index `cps` (clamped to n). */
size_t asl_jn_utf8_offset(const char *s, size_t n, size_t cps)
{
    size_t i = 0, k = 0;
    while (i < n && k < cps) {
        unsigned char ch = (unsigned char)s[i];
        size_t w = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        k++;
        i += w;
    }
    return i > n ? n : i;
}

void asl_jn_regex_free(void *code)
{
    pcre2_code_free(code);
}

int asl_jn_regex_exec(struct jn_ctx *c, json_t *re, const char *s, size_t len, size_t start,
                  size_t *ovec, size_t *ngroups)
{
    struct jn_fn *fn = asl_jn_fn_of(c, re);
    if (!fn || fn->kind != JN_FN_REGEX)
        return asl_jn_ctx_fail(c, "T1010", "The matcher function argument passed to function does not return the correct object structure");
    if (!fn->code) {
        const struct asl_jn_node *n = fn->node;
        uint32_t opts = PCRE2_UTF;
        for (size_t i = 0; i < n->len2; i++) {
            if (n->str2[i] == 'i') opts |= PCRE2_CASELESS;
            else if (n->str2[i] == 'm') opts |= PCRE2_MULTILINE;
            else if (n->str2[i] == 's') opts |= PCRE2_DOTALL;
        }
        int ec;
        PCRE2_SIZE eo;
        fn->code = pcre2_compile((PCRE2_SPTR)n->str, n->len, opts, &ec, &eo, NULL);
        if (!fn->code)
            return asl_jn_ctx_fail(c, "S0303", "The regular expression is invalid");
    }
    /* PCRE2 checks the UTF-8 of the subject from the start offset to its end
     * on every call: a loop over the matches would be quadratic.  Every
     * caller walks one subject from offset 0 on, and that first call checks
     * it whole; later calls skip the check, starting at a character's first
     * byte (an empty match advances one byte, which may be inside one). */
    uint32_t mopts = 0;
    if (start > 0) {
        while (start < len && ((unsigned char)s[start] & 0xC0) == 0x80)
            start++;
        mopts = PCRE2_NO_UTF_CHECK;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(fn->code, NULL);
    if (!md)
        return -1;
    int rc = pcre2_match(fn->code, (PCRE2_SPTR)s, len, start, mopts, md, NULL);
    if (rc <= 0) {
        pcre2_match_data_free(md);
        return 0;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t np = pcre2_get_ovector_count(md);
    if (np > 32) np = 32;
    for (uint32_t i = 0; i < np; i++) {
        ovec[2 * i] = ov[2 * i] == PCRE2_UNSET ? (size_t)-1 : ov[2 * i];
        ovec[2 * i + 1] = ov[2 * i + 1] == PCRE2_UNSET ? (size_t)-1 : ov[2 * i + 1];
    }
    *ngroups = np;
    pcre2_match_data_free(md);
    return 1;
}
