/*
 * text.c - JSON values rendered as AWS (Java/Jackson) renders them,
 * and deep equality with numbers by value.  See text.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

/* ------------------------------------------------------------------ buffer */

void asl_buf_init(struct asl_buf *b)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void asl_buf_free(struct asl_buf *b)
{
    free(b->p);
    asl_buf_init(b);
}

void asl_buf_add(struct asl_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > ((size_t)-1) / 4 - b->len) {
        b->oom = 1;     /* no text is that long: a length went negative somewhere */
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) {
            if (cap > ((size_t)-1) / 2) {
                b->oom = 1;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void asl_buf_adds(struct asl_buf *b, const char *s)
{
    asl_buf_add(b, s, strlen(s));
}

void asl_buf_addc(struct asl_buf *b, char c)
{
    if (b->len + 2 <= b->cap) {     /* the common case, without a call */
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return;
    }
    asl_buf_add(b, &c, 1);
}

/* ----------------------------------------------------------------- numbers */

long long asl_text_java_round(double x)
{
    if (isnan(x))
        return 0;                       /* Math.round(NaN) == 0 */
    if (x >= 9223372036854775807.0)
        return 9223372036854775807LL;
    if (x <= -9223372036854775808.0)
        return (-9223372036854775807LL - 1);
    double f = floor(x);
    long long r = (long long)f;
    if (x - f >= 0.5)                   /* exact: x and f share an exponent range */
        r++;
    return r;
}

/* Shortest decimal digits that read back as d (d finite, > 0): digits into
 * dig (no dot, no trailing zeros), returns the exponent e of d1.d2d3... x 10^e. */
static int shortest_digits(double d, char *dig, size_t *ndig)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d || prec == 17)
            break;
    }
    /* tmp is "D.DDDDe+XX" or "De+XX" */
    size_t n = 0;
    const char *p = tmp;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            dig[n++] = *p;
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = '\0';
    *ndig = n;
    return *p == 'e' ? atoi(p + 1) : 0;
}

size_t asl_text_double(double d, char *buf, size_t sz)
{
    struct asl_buf b;
    char dig[32];
    size_t n;
    asl_buf_init(&b);
    if (isnan(d)) {
        asl_buf_adds(&b, "NaN");
    } else if (isinf(d)) {
        asl_buf_adds(&b, d < 0 ? "-Infinity" : "Infinity");
    } else if (d == 0) {
        asl_buf_adds(&b, signbit(d) ? "-0.0" : "0.0");
    } else {
        if (d < 0) {
            asl_buf_addc(&b, '-');
            d = -d;
        }
        int e = shortest_digits(d, dig, &n);
        if (d >= 1e-3 && d < 1e7) {
            /* plain notation, at least one digit after the dot */
            if (e >= 0) {
                for (int i = 0; i <= e; i++)
                    asl_buf_addc(&b, (size_t)i < n ? dig[i] : '0');
                asl_buf_addc(&b, '.');
                if ((size_t)e + 1 < n)
                    asl_buf_adds(&b, dig + e + 1);
                else
                    asl_buf_addc(&b, '0');
            } else {
                asl_buf_adds(&b, "0.");
                for (int i = 0; i < -e - 1; i++)
                    asl_buf_addc(&b, '0');
                asl_buf_adds(&b, dig);
            }
        } else {
            /* computerized scientific notation: 1.0E20, 1.234E-5 */
            char ex[16];
            asl_buf_addc(&b, dig[0]);
            asl_buf_addc(&b, '.');
            asl_buf_adds(&b, n > 1 ? dig + 1 : "0");
            snprintf(ex, sizeof ex, "E%d", e);
            asl_buf_adds(&b, ex);
        }
    }
    size_t len = 0;
    if (sz) {
        len = b.p && !b.oom ? b.len : 0;
        if (len >= sz)
            len = sz - 1;
        if (len)
            memcpy(buf, b.p, len);
        buf[len] = '\0';
    }
    asl_buf_free(&b);
    return len;
}

size_t asl_text_number(const json_t *num, char *buf, size_t sz)
{
    if (json_is_integer(num)) {
        int n = snprintf(buf, sz, "%" JSON_INTEGER_FORMAT, json_integer_value(num));
        return n < 0 ? 0 : ((size_t)n < sz ? (size_t)n : sz - 1);
    }
    return asl_text_double(json_real_value(num), buf, sz);
}

/* ------------------------------------------------------------ compact JSON */

/* The escape of each byte Jackson escapes ("\\n"...; 'u' for \u00XX), 0
 * for the bytes written as they are. */
static const char json_escape[256] = {
    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
    [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u',
    [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u',
    [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u',
    [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
    ['"'] = '"', ['\\'] = '\\',
};

static void add_json_string(struct asl_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";   /* Jackson writes upper case */
    asl_buf_addc(b, '"');
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && !json_escape[(unsigned char)s[run]])
            run++;
        asl_buf_add(b, s + i, run - i);
        if (run == n)
            break;
        unsigned char c = (unsigned char)s[run];
        char esc[6] = {'\\', json_escape[c], '0', '0', hex[c >> 4], hex[c & 15]};
        asl_buf_add(b, esc, esc[1] == 'u' ? 6 : 2);
        i = run + 1;
    }
    asl_buf_addc(b, '"');
}

void asl_text_json(struct asl_buf *b, const json_t *v)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;
        int first = 1;
        asl_buf_addc(b, '{');
        json_object_keylen_foreach((json_t *)v, k, klen, x) {
            if (!first)
                asl_buf_addc(b, ',');
            first = 0;
            add_json_string(b, k, klen);
            asl_buf_addc(b, ':');
            asl_text_json(b, x);
        }
        asl_buf_addc(b, '}');
        break;
    }
    case JSON_ARRAY:
        asl_buf_addc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                asl_buf_addc(b, ',');
            asl_text_json(b, json_array_get(v, i));
        }
        asl_buf_addc(b, ']');
        break;
    case JSON_STRING:
        add_json_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        asl_buf_add(b, num, asl_text_number(v, num, sizeof num));
        break;
    case JSON_TRUE: asl_buf_adds(b, "true"); break;
    case JSON_FALSE: asl_buf_adds(b, "false"); break;
    case JSON_NULL: asl_buf_adds(b, "null"); break;
    }
}

char *asl_text_json_dup(const json_t *v, size_t *len)
{
    struct asl_buf b;
    asl_buf_init(&b);
    asl_text_json(&b, v);
    if (b.oom || !b.p) {
        asl_buf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.p;
}

/* ------------------------------------------------------------- Java text */

void asl_text_java(struct asl_buf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;
        int first = 1;
        asl_buf_addc(b, '{');
        json_object_keylen_foreach((json_t *)v, k, klen, x) {
            if (!first)
                asl_buf_adds(b, ", ");
            first = 0;
            asl_buf_add(b, k, klen);
            asl_buf_addc(b, '=');
            asl_text_java(b, x);
        }
        asl_buf_addc(b, '}');
        break;
    }
    case JSON_ARRAY:
        asl_buf_addc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                asl_buf_adds(b, ", ");
            asl_text_java(b, json_array_get(v, i));
        }
        asl_buf_addc(b, ']');
        break;
    case JSON_STRING:
        asl_buf_add(b, json_string_value(v), json_string_length(v));
        break;
    default:
        asl_text_json(b, v);        /* numbers, true, false, null */
        break;
    }
}

/* ---------------------------------------------------------------- equality */

static int num_equal(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b))
        return json_integer_value(a) == json_integer_value(b);
    if (json_is_real(a) && json_is_real(b))
        return json_real_value(a) == json_real_value(b);
    const json_t *i = json_is_integer(a) ? a : b, *r = json_is_integer(a) ? b : a;
    double rv = json_real_value(r);
    if (rv != floor(rv) || rv < -9223372036854775808.0 || rv >= 9223372036854775808.0)
        return 0;
    return (long long)rv == (long long)json_integer_value(i);
}

int asl_json_equal(const json_t *a, const json_t *b)
{
    if (a == b)
        return 1;
    if (!a || !b)
        return 0;
    if (json_is_number(a) && json_is_number(b))
        return num_equal(a, b);
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;
        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_keylen_foreach((json_t *)a, k, klen, x) {
            if (!asl_json_equal(x, json_object_getn(b, k, klen)))
                return 0;
        }
        return 1;
    }
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!asl_json_equal(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    default:
        return 1;                   /* true, false, null */
    }
}
