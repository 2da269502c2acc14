/*
 * jn_funcs.c - the JSONata function library (2.0.6) plus Step Functions'
 * additions ($partition, $range, $uuid, $parse, $hash, seeded $random), and
 * the signature checker that gives built-ins and typed lambdas JSONata's
 * argument errors (T0410, T0411, T0412).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "jn_internal.h"

#define H(x) asl_jn_hold(c, (x))
#define ARG(i) ((i) < nargs ? args[i] : NULL)
#define FN(name) static int name(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)

/* ------------------------------------------------------------ signatures */

struct param {
    char types[16];
    char sub;
    int opt, plus, ctx;
};

static int parse_sig(const char *s, struct param *p, int max)
{
    int n = 0;
    if (*s == '<')
        s++;
    while (*s && *s != ':' && *s != '>' && n < max) {
        if (*s == '?' || *s == '+' || *s == '-') {
            if (n > 0) {
                if (*s == '?') p[n - 1].opt = 1;
                if (*s == '+') p[n - 1].plus = 1;
                if (*s == '-') p[n - 1].ctx = 1;
            }
            s++;
            continue;
        }
        memset(&p[n], 0, sizeof p[n]);
        if (*s == '(') {
            size_t k = 0;
            for (s++; *s && *s != ')'; s++) {
                if (*s == '<') {
                    int d = 0;
                    do {
                        if (*s == '<') d++;
                        if (*s == '>') d--;
                        s++;
                    } while (*s && d > 0);
                    s--;
                    continue;
                }
                if (k < sizeof p[n].types - 1)
                    p[n].types[k++] = *s;
            }
            if (*s) s++;
        } else {
            p[n].types[0] = *s++;
        }
        if (*s == '<') {
            p[n].sub = s[1];
            int d = 0;
            do {
                if (*s == '<') d++;
                if (*s == '>') d--;
                s++;
            } while (*s && d > 0);
        }
        n++;
    }
    return n;
}

static char symbol(struct jn_ctx *c, json_t *v)
{
    if (!v) return 'm';
    if (asl_jn_fn_of(c, v)) return 'f';
    switch (json_typeof(v)) {
    case JSON_STRING: return 's';
    case JSON_INTEGER: case JSON_REAL: return 'n';
    case JSON_TRUE: case JSON_FALSE: return 'b';
    case JSON_NULL: return 'l';
    case JSON_ARRAY: return 'a';
    default: return 'o';
    }
}

static int accepts(const struct param *p, char sym)
{
    if (sym == 'm')
        return 1;
    for (const char *t = p->types; *t; t++) {
        if (*t == sym || *t == 'x' || *t == 'a') return 1;
        if (*t == 'j' && sym != 'f') return 1;
        if (*t == 'u' && strchr("bnsl", sym)) return 1;
    }
    return 0;
}

static int match(const struct param *p, int np, const char *syms, int na, int pi, int ai, int *cnt)
{
    if (pi == np)
        return ai == na;
    int max = p[pi].plus ? na - ai : 1, min = (p[pi].opt || p[pi].ctx) ? 0 : 1;
    int k = 0;
    while (k < max && ai + k < na && accepts(&p[pi], syms[ai + k]))
        k++;
    for (; k >= min; k--) {
        cnt[pi] = k;
        if (match(p, np, syms, na, pi + 1, ai + k, cnt))
            return 1;
    }
    return 0;
}

int asl_jn_validate(struct jn_ctx *c, const char *sig, const char *fname, json_t **args, size_t nargs,
                json_t *in, json_t ***vargs, size_t *nv)
{
    struct param p[12];
    int cnt[12];
    char syms[64] = {0};
    int np = parse_sig(sig, p, 12);
    if (nargs > 60)
        return asl_jn_ctx_fail(c, "T0410", "Too many arguments to function %s", fname);
    for (size_t i = 0; i < nargs; i++)
        syms[i] = symbol(c, args[i]);
    if (!match(p, np, syms, (int)nargs, 0, 0, cnt)) {
        /* the first argument that cannot match */
        size_t bad = 0;
        for (bad = 0; bad < nargs; bad++)
            if ((int)bad >= np || !accepts(&p[bad], syms[bad]))
                break;
        return asl_jn_ctx_fail(c, "T0410", "Argument %zu of function \"%s\" does not match function signature",
                       bad + 1, fname);
    }
    json_t **v = calloc((size_t)np + nargs + 1, sizeof *v);
    if (!v)
        return -1;
    size_t o = 0, ai = 0;
    for (int i = 0; i < np; i++) {
        if (cnt[i] == 0) {
            if (p[i].ctx) {
                if (!accepts(&p[i], symbol(c, in))) {
                    free(v);
                    return asl_jn_ctx_fail(c, "T0411", "Context value is not a compatible type with argument %d of function \"%s\"",
                                   i + 1, fname);
                }
                v[o++] = in;
            } else {
                v[o++] = NULL;
            }
            continue;
        }
        for (int k = 0; k < cnt[i]; k++) {
            json_t *a = args[ai++];
            if (a && strchr(p[i].types, 'a') && p[i].types[1] == 0) {
                if (p[i].sub && p[i].sub != 'x' && p[i].sub != 'j') {
                    int ok = 1;
                    if (json_is_array(a)) {
                        for (size_t m = 0; m < json_array_size(a); m++)
                            if (symbol(c, json_array_get(a, m)) != p[i].sub)
                                ok = 0;
                    } else if (symbol(c, a) != p[i].sub) {
                        ok = 0;
                    }
                    if (!ok) {
                        free(v);
                        return asl_jn_ctx_fail(c, "T0412", "Argument %zu of function \"%s\" must be an array of %c",
                                       ai, fname, p[i].sub);
                    }
                }
                if (!json_is_array(a)) {
                    json_t *w = H(json_array());
                    json_array_append(w, a);
                    a = w;
                }
            }
            v[o++] = a;
        }
    }
    *vargs = v;
    *nv = o;
    return 0;
}

/* ---------------------------------------------------------------- helpers */

static json_t *str_new(struct jn_ctx *c, const char *s, size_t n)
{
    return H(json_stringn(s, n));
}

static int set_num(struct jn_ctx *c, double d, json_t **out)
{
    if (!isfinite(d))
        return asl_jn_ctx_fail(c, "D1001", "Number out of range");
    *out = H(asl_jn_num(d));
    return 0;
}

/* Call f with as many of (a, b, d) as it takes. */
static int hof(struct jn_ctx *c, json_t *f, json_t *a, json_t *b, json_t *d, json_t *in, json_t **out)
{
    json_t *args[3] = {a, b, d};
    int ar = asl_jn_arity(c, f);
    struct jn_fn *fn = asl_jn_fn_of(c, f);
    if (fn && fn->kind == JN_FN_NATIVE) {
        ar = 1;
    } else if (ar > 3) {
        ar = 3;
    }
    if (ar < 1) ar = fn && fn->kind == JN_FN_LAMBDA ? 0 : 1;
    return asl_jn_apply(c, f, args, (size_t)ar, in, out);
}

/* ---------------------------------------------------------------- strings */

FN(f_string)
{
    json_t *v = ARG(0);
    if (!v) return 0;
    *out = asl_jn_stringify(c, v, asl_jn_bool(c, ARG(1)));
    return *out ? 0 : -1;
}

FN(f_length)
{
    json_t *s = ARG(0);
    if (!s) return 0;
    return set_num(c, (double)asl_jn_utf8_len(json_string_value(s), json_string_length(s)), out);
}

FN(f_substring)
{
    json_t *s = ARG(0);
    if (!s) return 0;
    const char *t = json_string_value(s);
    size_t n = json_string_length(s), len = asl_jn_utf8_len(t, n);
    double st = json_number_value(ARG(1));
    double ln = ARG(2) ? json_number_value(ARG(2)) : INFINITY;
    st = floor(st);  /* JS rounds via substr semantics */
    if (st < 0) st = (double)len + st;
    if (st < 0) st = 0;
    if (st > (double)len) st = (double)len;
    double end = ln == INFINITY ? (double)len : st + floor(ln);
    if (ARG(2) && ln <= 0) end = st;
    if (end > (double)len) end = (double)len;
    if (end < st) end = st;
    size_t a = asl_jn_utf8_offset(t, n, (size_t)st), b = asl_jn_utf8_offset(t, n, (size_t)end);
    *out = str_new(c, t + a, b - a);
    return 0;
}

static const char *find(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0) return h;
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, nd, nn) == 0)
            return h + i;
    return NULL;
}

FN(f_substring_before)
{
    json_t *s = ARG(0), *d = ARG(1);
    if (!s) return 0;
    if (!d) { *out = s; return 0; }
    const char *t = json_string_value(s), *p = find(t, json_string_length(s), json_string_value(d), json_string_length(d));
    *out = p ? str_new(c, t, (size_t)(p - t)) : s;
    return 0;
}

FN(f_substring_after)
{
    json_t *s = ARG(0), *d = ARG(1);
    if (!s) return 0;
    if (!d) { *out = s; return 0; }
    const char *t = json_string_value(s);
    size_t n = json_string_length(s);
    const char *p = find(t, n, json_string_value(d), json_string_length(d));
    *out = p ? str_new(c, p + json_string_length(d), n - (size_t)(p - t) - json_string_length(d)) : s;
    return 0;
}

static int casemap(struct jn_ctx *c, json_t *s, int up, json_t **out)
{
    if (!s) return 0;
    size_t n = json_string_length(s);
    char *b = malloc(n + 1);
    if (!b) return -1;
    memcpy(b, json_string_value(s), n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)b[i] < 0x80)
            b[i] = (char)(up ? toupper((unsigned char)b[i]) : tolower((unsigned char)b[i]));
    *out = str_new(c, b, n);
    free(b);
    return 0;
}

FN(f_uppercase) { return casemap(c, ARG(0), 1, out); }
FN(f_lowercase) { return casemap(c, ARG(0), 0, out); }

FN(f_trim)
{
    json_t *s = ARG(0);
    if (!s) return 0;
    const char *t = json_string_value(s);
    size_t n = json_string_length(s);
    char *b = malloc(n + 1);
    size_t o = 0;
    int sp = 0;
    if (!b) return -1;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
            sp = 1;
            continue;
        }
        if (sp && o) b[o++] = ' ';
        sp = 0;
        b[o++] = t[i];
    }
    *out = str_new(c, b, o);
    free(b);
    return 0;
}

FN(f_pad)
{
    json_t *s = ARG(0);
    if (!s) return 0;
    double w = json_number_value(ARG(1));
    const char *pc = ARG(2) ? json_string_value(ARG(2)) : " ";
    size_t pn = ARG(2) ? json_string_length(ARG(2)) : 1;
    if (pn == 0) { pc = " "; pn = 1; }
    size_t len = asl_jn_utf8_len(json_string_value(s), json_string_length(s));
    double aw = fabs(w);
    if (aw <= (double)len) { *out = s; return 0; }
    /* the range before the cast ((size_t)1e300 is UB): past JavaScript's
     * longest string (2^29 - 24), where JSONata fails too */
    if (aw > 536870888) return asl_jn_ctx_fail(c, "D1001", "Number out of range");
    size_t need = (size_t)aw - len, pcl = asl_jn_utf8_len(pc, pn);
    size_t sn = json_string_length(s);
    if (asl_jn_mem_check(c, (double)sn + 3.0 * (double)need * (double)pn))  /* padding, buffer, string */
        return -1;
    char *b = malloc(sn + need * pn + 1);
    if (!b) return -1;
    size_t o = 0;
    /* padding made of whole repeats, cut to `need` code points */
    char *pad = malloc(need * pn + pn + 1);
    size_t po = 0, pcnt = 0;
    if (!pad) { free(b); return -1; }
    while (pcnt < need) {
        size_t take = need - pcnt < pcl ? asl_jn_utf8_offset(pc, pn, need - pcnt) : pn;
        memcpy(pad + po, pc, take);
        po += take;
        pcnt += need - pcnt < pcl ? need - pcnt : pcl;
    }
    if (w < 0) { memcpy(b, pad, po); o = po; memcpy(b + o, json_string_value(s), sn); o += sn; }
    else { memcpy(b, json_string_value(s), sn); o = sn; memcpy(b + o, pad, po); o += po; }
    *out = str_new(c, b, o);
    free(pad);
    free(b);
    return 0;
}

/* ------------------------------------------------- user-defined matchers */

/* A matcher that is a function but not a regex literal ($contains, $match,
 * $replace and $split take either; 2.0.6's regex literals are themselves
 * such functions). */
static int user_matcher(struct jn_ctx *c, json_t *p)
{
    struct jn_fn *fn = asl_jn_fn_of(c, p);
    return fn && fn->kind != JN_FN_REGEX;
}

/* 2.0.6's evaluateMatcher: call the matcher with arg (NULL: undefined, as
 * for next()); *res is the object it returned (borrowed) or NULL.  T1010
 * when that value has none of a numeric start, an array of groups, a next
 * function. */
static int matcher_call(struct jn_ctx *c, json_t *fnv, json_t *arg, json_t *in, json_t **res)
{
    json_t *r = NULL, *a[1] = {arg};
    *res = NULL;
    if (!asl_jn_fn_of(c, fnv))
        return 0;       /* no next(): the matches end */
    if (asl_jn_apply(c, fnv, a, 1, in, &r) != 0)
        return -1;
    if (!r)
        return 0;
    json_t *st = json_is_object(r) ? json_object_get(r, "start") : NULL;
    json_t *gr = json_is_object(r) ? json_object_get(r, "groups") : NULL;
    json_t *nx = json_is_object(r) ? json_object_get(r, "next") : NULL;
    if (!(asl_jn_is_num(st) || json_is_array(gr) || asl_jn_fn_of(c, nx)))
        return asl_jn_ctx_fail(c, "T1010", "The matcher function argument passed to function does not return the correct object structure");
    *res = r;
    return 0;
}

/* The byte offset of a matcher's character index v (JavaScript's
 * substring: NaN or negative is 0, past the end is the end). */
static size_t matcher_off(json_t *v, const char *t, size_t n)
{
    double d = asl_jn_is_num(v) ? json_number_value(v) : 0;
    if (!(d > 0))
        return 0;
    return asl_jn_utf8_offset(t, n, d >= (double)n ? n : (size_t)d);
}

/* JavaScript's str.substring(a, b) on byte offsets: the ends swap. */
static void sb_substring(struct asl_buf *b, const char *t, size_t a, size_t e)
{
    if (a > e) { size_t x = a; a = e; e = x; }
    asl_buf_add(b, t + a, e - a);
}

/* 2.0.6's replacer for a string replacement of a user matcher's match:
 * $$ is $, $0 the match, $N the Nth group (as many digits as the group
 * count has, one fewer when that is too many); any other $ stays. */
static void sb_substitute(struct asl_buf *b, json_t *rep, json_t *m)
{
    const char *r = json_string_value(rep);
    size_t rn = json_string_length(rep);
    json_t *match = json_object_get(m, "match"), *groups = json_object_get(m, "groups");
    size_t ng = json_is_array(groups) ? json_array_size(groups) : 0;
    size_t pos = 0;
    while (pos < rn) {
        const char *d = memchr(r + pos, '$', rn - pos);
        if (!d)
            break;
        size_t idx = (size_t)(d - r);
        asl_buf_add(b, r + pos, idx - pos);
        pos = idx + 1;
        char dv = pos < rn ? r[pos] : '\0';
        if (dv == '$') {
            asl_buf_add(b, "$", 1);
            pos++;
        } else if (dv == '0') {
            if (json_is_string(match))
                asl_buf_add(b, json_string_value(match), json_string_length(match));
            pos++;
        } else {
            size_t maxd = ng == 0 ? 1 : (size_t)floor(log10((double)ng)) + 1;
            size_t k = 0, g = 0;
            while (k < maxd && pos + k < rn && isdigit((unsigned char)r[pos + k]))
                g = g * 10 + (size_t)(r[pos + k++] - '0');
            if (maxd > 1 && k == maxd && g > ng) {
                g /= 10;
                k--;
            }
            if (k == 0) {
                asl_buf_add(b, "$", 1);
            } else {
                json_t *sub = g >= 1 && g <= ng ? json_array_get(groups, g - 1) : NULL;
                if (json_is_string(sub))
                    asl_buf_add(b, json_string_value(sub), json_string_length(sub));
                char num[24];
                pos += (size_t)snprintf(num, sizeof num, "%zu", g);   /* index.toString().length */
            }
        }
    }
    if (pos < rn)
        asl_buf_add(b, r + pos, rn - pos);
}

/* $match(str, matcher, limit) with a user matcher. */
static int match_user(struct jn_ctx *c, json_t *s, json_t *fnv, double lim, json_t *in, json_t **out)
{
    json_t *r = asl_jn_seq(c), *m;
    if (lim > 0) {
        if (matcher_call(c, fnv, s, in, &m) != 0) return -1;
        for (double count = 0; m && count < lim; count++) {
            json_t *o = json_object(), *v;
            if ((v = json_object_get(m, "match"))) json_object_set(o, "match", v);
            if ((v = json_object_get(m, "start"))) json_object_set(o, "index", v);
            if ((v = json_object_get(m, "groups"))) json_object_set(o, "groups", v);
            json_array_append_new(r, o);
            if (matcher_call(c, json_object_get(m, "next"), NULL, in, &m) != 0) return -1;
        }
    }
    *out = r;
    return 0;
}

FN(f_contains)
{
    json_t *s = ARG(0), *p = ARG(1);
    if (!s) return 0;
    const char *t = json_string_value(s);
    size_t n = json_string_length(s);
    int r;
    if (json_is_string(p)) {
        r = find(t, n, json_string_value(p), json_string_length(p)) != NULL;
    } else if (user_matcher(c, p)) {
        json_t *m;
        if (matcher_call(c, p, s, in, &m) != 0) return -1;
        r = m != NULL;
    } else {
        size_t ov[64], ng;
        r = asl_jn_regex_exec(c, p, t, n, 0, ov, &ng);
        if (r < 0) return -1;
    }
    *out = r ? json_true() : json_false();
    return 0;
}

FN(f_split)
{
    json_t *s = ARG(0), *sep = ARG(1);
    if (!s) return 0;
    double lim = INFINITY;
    if (ARG(2)) {
        lim = floor(json_number_value(ARG(2)));
        if (lim < 0) return asl_jn_ctx_fail(c, "D3020", "Third argument of split function must evaluate to a positive number");
    }
    const char *t = json_string_value(s);
    size_t n = json_string_length(s);
    json_t *r = H(json_array());
    if (json_is_string(sep)) {
        const char *d = json_string_value(sep);
        size_t dn = json_string_length(sep);
        if (dn == 0) {
            for (size_t i = 0; i < n && (double)json_array_size(r) < lim;) {
                if (ASL_JN_MEM_POLL_FAILS(c, json_array_size(r)))
                    return -1;
                size_t w = asl_jn_utf8_offset(t + i, n - i, 1);
                json_array_append_new(r, json_stringn(t + i, w));
                i += w;
            }
        } else {
            size_t i = 0;
            for (;;) {
                if ((double)json_array_size(r) >= lim) break;
                if (ASL_JN_MEM_POLL_FAILS(c, json_array_size(r)))
                    return -1;
                const char *p = find(t + i, n - i, d, dn);
                if (!p) { json_array_append_new(r, json_stringn(t + i, n - i)); break; }
                json_array_append_new(r, json_stringn(t + i, (size_t)(p - t) - i));
                i = (size_t)(p - t) + dn;
            }
        }
    } else if (user_matcher(c, sep)) {
        json_t *m;
        double count = 0;
        size_t start = 0;
        if (matcher_call(c, sep, s, in, &m) != 0) return -1;
        if (!m) {
            json_array_append(r, s);
        } else {
            for (; m && count < lim; count++) {
                size_t ms = matcher_off(json_object_get(m, "start"), t, n);
                size_t lo = start < ms ? start : ms, hi = start < ms ? ms : start;
                json_array_append_new(r, json_stringn(t + lo, hi - lo));
                start = matcher_off(json_object_get(m, "end"), t, n);
                if (matcher_call(c, json_object_get(m, "next"), NULL, in, &m) != 0) return -1;
            }
            if (count < lim)
                json_array_append_new(r, json_stringn(t + start, n - start));
        }
    } else {
        size_t i = 0, ov[64], ng;
        for (;;) {
            if ((double)json_array_size(r) >= lim) break;
            if (ASL_JN_MEM_POLL_FAILS(c, json_array_size(r)))
                return -1;
            int m = asl_jn_regex_exec(c, sep, t, n, i, ov, &ng);
            if (m < 0) return -1;
            if (m == 0 || ov[1] == ov[0]) { json_array_append_new(r, json_stringn(t + i, n - i)); break; }
            json_array_append_new(r, json_stringn(t + i, ov[0] - i));
            i = ov[1];
        }
    }
    *out = r;
    return 0;
}

FN(f_join)
{
    json_t *a = ARG(0), *sep = ARG(1);
    if (!a) return 0;
    size_t total = 0, sn = sep ? json_string_length(sep) : 0;
    for (size_t i = 0; i < json_array_size(a); i++)
        total += json_string_length(json_array_get(a, i)) + sn;
    if (asl_jn_mem_check(c, 2.0 * (double)total))   /* the buffer, then the string */
        return -1;
    char *b = malloc(total + 1);
    size_t o = 0;
    if (!b) return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        if (i && sn) { memcpy(b + o, json_string_value(sep), sn); o += sn; }
        json_t *e = json_array_get(a, i);
        memcpy(b + o, json_string_value(e), json_string_length(e));
        o += json_string_length(e);
    }
    *out = str_new(c, b, o);
    free(b);
    return 0;
}

static size_t cp_index(const char *t, size_t byte)
{
    return asl_jn_utf8_len(t, byte);
}

FN(f_match)
{
    json_t *s = ARG(0), *re = ARG(1);
    if (!s) return 0;
    double lim = ARG(2) ? json_number_value(ARG(2)) : INFINITY;
    if (ARG(2) && lim < 0) return asl_jn_ctx_fail(c, "D3040", "Third argument of match function must evaluate to a positive number");
    if (user_matcher(c, re))
        return match_user(c, s, re, lim, in, out);
    const char *t = json_string_value(s);
    size_t n = json_string_length(s), i = 0, ov[64], ng;
    json_t *r = asl_jn_seq(c);
    while ((double)json_array_size(r) < lim && i <= n) {
        if (ASL_JN_MEM_POLL_FAILS(c, json_array_size(r)))
            return -1;
        int m = asl_jn_regex_exec(c, re, t, n, i, ov, &ng);
        if (m < 0) return -1;
        if (m == 0) break;
        json_t *o = json_object(), *groups = json_array();
        json_object_set_new(o, "match", json_stringn(t + ov[0], ov[1] - ov[0]));
        json_object_set_new(o, "index", json_integer((json_int_t)cp_index(t, ov[0])));
        for (size_t g = 1; g < ng; g++)
            json_array_append_new(groups, ov[2 * g] == (size_t)-1 ? json_string("") : json_stringn(t + ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
        json_object_set_new(o, "groups", groups);
        json_array_append_new(r, o);
        i = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
    *out = r;
    return 0;
}

/* regex(str): {match, start, end, groups, next} */
FN(f_regexcall)
{
    json_t *s = ARG(0), *re = ARG(1);
    if (!s || !json_is_string(s)) return 0;
    const char *t = json_string_value(s);
    size_t ov[64], ng;
    int m = asl_jn_regex_exec(c, re, t, json_string_length(s), 0, ov, &ng);
    if (m <= 0) return m;
    json_t *o = H(json_object()), *groups = json_array();
    json_object_set_new(o, "match", json_stringn(t + ov[0], ov[1] - ov[0]));
    json_object_set_new(o, "start", json_integer((json_int_t)cp_index(t, ov[0])));
    json_object_set_new(o, "end", json_integer((json_int_t)cp_index(t, ov[1])));
    for (size_t g = 1; g < ng; g++)
        json_array_append_new(groups, ov[2 * g] == (size_t)-1 ? json_string("") : json_stringn(t + ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
    json_object_set_new(o, "groups", groups);
    *out = o;
    return 0;
}


FN(f_replace)
{
    json_t *s = ARG(0), *pat = ARG(1), *rep = ARG(2);
    if (!s) return 0;
    if (json_is_string(pat) && json_string_length(pat) == 0)
        return asl_jn_ctx_fail(c, "D3010", "Second argument of replace function cannot be an empty string");
    double lim = ARG(3) ? json_number_value(ARG(3)) : INFINITY;
    if (ARG(3) && lim < 0) return asl_jn_ctx_fail(c, "D3011", "Fourth argument of replace function must evaluate to a positive number");
    const char *t = json_string_value(s);
    size_t n = json_string_length(s), i = 0, ov[64], ng;
    struct asl_buf b = {0};
    int count = 0, rc = -1;
    if (user_matcher(c, pat)) {
        /* 2.0.6: the text up to each match's start, then the replacement
         * (a function gets the matcher's own object), then on after it */
        json_t *m;
        size_t position = 0;
        if (lim > 0) {
            if (matcher_call(c, pat, s, in, &m) != 0) goto done;
            for (; m && (double)count < lim; count++) {
                if (asl_jn_mem_check(c, (double)b.cap)) goto done;
                sb_substring(&b, t, position, matcher_off(json_object_get(m, "start"), t, n));
                if (asl_jn_fn_of(c, rep)) {
                    json_t *r;
                    if (asl_jn_apply(c, rep, &m, 1, in, &r) != 0) goto done;
                    if (!json_is_string(r)) { asl_jn_ctx_fail(c, "D3012", "Attempted to replace a matched string with a non-string value"); goto done; }
                    asl_buf_add(&b, json_string_value(r), json_string_length(r));
                } else {
                    sb_substitute(&b, rep, m);
                }
                json_t *mt = json_object_get(m, "match");
                double st = asl_jn_is_num(json_object_get(m, "start")) ? json_number_value(json_object_get(m, "start")) : 0;
                double ml = json_is_string(mt) ? (double)asl_jn_utf8_len(json_string_value(mt), json_string_length(mt)) : 0;
                json_t *endv = asl_jn_num(st + ml);
                position = matcher_off(endv, t, n);
                json_decref(endv);
                if (matcher_call(c, json_object_get(m, "next"), NULL, in, &m) != 0) goto done;
            }
        } else {
            position = 0;
            asl_buf_add(&b, t, n);
            position = n;
        }
        if (position < n) asl_buf_add(&b, t + position, n - position);
        if (b.oom) {
            rc = asl_jn_mem_fail(c);
            goto done;
        }
        *out = str_new(c, b.p ? b.p : "", b.len);
        rc = 0;
        goto done;
    }
    while ((double)count < lim && i <= n) {
        size_t ms, me;
        if (asl_jn_mem_check(c, (double)b.cap)) goto done;
        if (json_is_string(pat)) {
            const char *p = find(t + i, n - i, json_string_value(pat), json_string_length(pat));
            if (!p) break;
            ms = (size_t)(p - t);
            me = ms + json_string_length(pat);
            ng = 1;
            ov[0] = ms; ov[1] = me;
        } else {
            int m = asl_jn_regex_exec(c, pat, t, n, i, ov, &ng);
            if (m < 0) goto done;
            if (m == 0) break;
            ms = ov[0];
            me = ov[1];
            if (me == ms) { asl_jn_ctx_fail(c, "D1004", "Regular expression matches zero length string"); goto done; }
        }
        asl_buf_add(&b, t + i, ms - i);
        if (asl_jn_fn_of(c, rep)) {
            json_t *o = H(json_object()), *groups = json_array(), *r;
            json_object_set_new(o, "match", json_stringn(t + ms, me - ms));
            json_object_set_new(o, "index", json_integer((json_int_t)cp_index(t, ms)));
            for (size_t g = 1; g < ng; g++)
                json_array_append_new(groups, ov[2 * g] == (size_t)-1 ? json_string("") : json_stringn(t + ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
            json_object_set_new(o, "groups", groups);
            if (asl_jn_apply(c, rep, &o, 1, in, &r) != 0) goto done;
            if (!json_is_string(r)) { asl_jn_ctx_fail(c, "D3012", "Attempted to replace a matched string with a non-string value"); goto done; }
            asl_buf_add(&b, json_string_value(r), json_string_length(r));
        } else {
            const char *rs = json_string_value(rep);
            size_t rn = json_string_length(rep);
            for (size_t k = 0; k < rn; k++) {
                if (rs[k] == '$' && k + 1 < rn && rs[k + 1] == '$') { asl_buf_add(&b, "$", 1); k++; continue; }
                if (rs[k] == '$' && k + 1 < rn && isdigit((unsigned char)rs[k + 1])) {
                    /* longest group number that exists */
                    size_t g = (size_t)(rs[k + 1] - '0'), used = 1;
                    if (k + 2 < rn && isdigit((unsigned char)rs[k + 2]) && g * 10 + (size_t)(rs[k + 2] - '0') < ng) {
                        g = g * 10 + (size_t)(rs[k + 2] - '0');
                        used = 2;
                    }
                    if (g < ng) {
                        if (ov[2 * g] != (size_t)-1)
                            asl_buf_add(&b, t + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
                    } else if (g >= 10 || ng <= 1 || g >= ng) {
                        /* unknown group: nothing */
                    }
                    k += used;
                    continue;
                }
                asl_buf_add(&b, rs + k, 1);
            }
        }
        i = me;
        count++;
    }
    if (i < n) asl_buf_add(&b, t + i, n - i);
    if (b.oom) {
        rc = asl_jn_mem_fail(c);
        goto done;
    }
    *out = str_new(c, b.p ? b.p : "", b.len);
    rc = 0;
done:
    free(b.p);
    return rc;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

FN(f_base64encode)
{
    json_t *s = ARG(0);
    if (!s) return 0;
    const unsigned char *t = (const unsigned char *)json_string_value(s);
    size_t n = json_string_length(s), o = 0;
    char *b = malloc(n * 4 / 3 + 8);
    if (!b) return -1;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)t[i] << 16 | (i + 1 < n ? (unsigned)t[i + 1] << 8 : 0) | (i + 2 < n ? t[i + 2] : 0);
        b[o++] = B64[v >> 18 & 63];
        b[o++] = B64[v >> 12 & 63];
        b[o++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
        b[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    *out = str_new(c, b, o);
    free(b);
    return 0;
}

FN(f_base64decode)
{
    json_t *s = ARG(0);
    if (!s) return 0;
    const char *t = json_string_value(s);
    size_t n = json_string_length(s), o = 0;
    char *b = malloc(n + 1);
    unsigned acc = 0;
    int bits = 0;
    if (!b) return -1;
    for (size_t i = 0; i < n; i++) {
        const char *p = strchr(B64, t[i]);
        if (!p || !t[i]) continue;
        acc = acc << 6 | (unsigned)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            b[o++] = (char)(acc >> bits & 0xFF);
        }
    }
    *out = str_new(c, b, o);
    free(b);
    return 0;
}

/* Is t[i..n) the start of a lone surrogate?  WTF-8 (ED A0..BF) or, as the
 * compiler keeps one from the definition, U+10F800..U+10FFFF (F4 8F A0..BF).
 * Returns its code unit (0xD800..0xDFFF) and its length, or 0. */
static unsigned lone_surrogate(const unsigned char *t, size_t i, size_t n, size_t *len)
{
    if (t[i] == 0xED && i + 2 < n && t[i + 1] >= 0xA0) {
        *len = 3;
        return 0xD000u | ((t[i + 1] & 0x3Fu) << 6) | (t[i + 2] & 0x3Fu);
    }
    if (t[i] == 0xF4 && i + 3 < n && t[i + 1] == 0x8F && t[i + 2] >= 0xA0) {
        *len = 4;
        unsigned cp = 0x100000u | (0xFu << 12) | ((t[i + 2] & 0x3Fu) << 6) | (t[i + 3] & 0x3Fu);
        return 0xD800u + (cp - 0x10F800u);
    }
    return 0;
}

/* D3140 "Malformed URL passed to $<fn>(): <value>", the value as
 * JSON.stringify writes it (a lone surrogate escaped as \udXXX). */
static int malformed_url(struct jn_ctx *c, const char *fn, json_t *s)
{
    const unsigned char *t = (const unsigned char *)json_string_value(s);
    size_t n = json_string_length(s), k = 0;
    char *q = malloc(n * 6 + 3);
    if (!q) return -1;
    q[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        size_t len;
        unsigned u = lone_surrogate(t, i, n, &len);
        if (u) {
            k += (size_t)sprintf(q + k, "\\u%04x", u);
            i += len - 1;
        } else if (t[i] == '"' || t[i] == '\\') {
            q[k++] = '\\';
            q[k++] = (char)t[i];
        } else if (t[i] < 0x20) {
            const char *e = t[i] == '\n' ? "\\n" : t[i] == '\t' ? "\\t" : t[i] == '\r' ? "\\r"
                          : t[i] == '\b' ? "\\b" : t[i] == '\f' ? "\\f" : NULL;
            k += e ? (size_t)sprintf(q + k, "%s", e) : (size_t)sprintf(q + k, "\\u%04x", t[i]);
        } else {
            q[k++] = (char)t[i];
        }
    }
    q[k++] = '"';
    q[k] = '\0';
    int rc = asl_jn_ctx_fail(c, "D3140", "Malformed URL passed to $%s(): %s", fn, q);
    free(q);
    return rc;
}

static int url_encode(struct jn_ctx *c, json_t *s, const char *keep, const char *fn, json_t **out)
{
    if (!s) return 0;
    const unsigned char *t = (const unsigned char *)json_string_value(s);
    size_t n = json_string_length(s), o = 0;
    char *b = malloc(n * 3 + 1);
    if (!b) return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = t[i];
        size_t len;
        if (lone_surrogate(t, i, n, &len)) {     /* encodeURI throws URIError */
            free(b);
            return malformed_url(c, fn, s);
        }
        if (isalnum(ch) || strchr(keep, ch))
            b[o++] = (char)ch;
        else
            o += (size_t)sprintf(b + o, "%%%02X", ch);
    }
    *out = str_new(c, b, o);
    free(b);
    return 0;
}

FN(f_encode_url_component) { return url_encode(c, ARG(0), "-_.!~*'()", "encodeUrlComponent", out); }
FN(f_encode_url) { return url_encode(c, ARG(0), "-_.!~*'();/?:@&=+$,#", "encodeUrl", out); }

static int url_decode(struct jn_ctx *c, json_t *s, const char *reserved, const char *fn, json_t **out)
{
    if (!s) return 0;
    const char *t = json_string_value(s);
    size_t n = json_string_length(s), o = 0;
    char *b = malloc(n + 1);
    if (!b) return -1;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '%') {
            if (i + 2 >= n || !isxdigit((unsigned char)t[i + 1]) || !isxdigit((unsigned char)t[i + 2])) {
                free(b);
                return malformed_url(c, fn, s);
            }
            char hx[3] = {t[i + 1], t[i + 2], 0};
            long v = strtol(hx, NULL, 16);
            if (reserved && v < 128 && strchr(reserved, (int)v)) {
                memcpy(b + o, t + i, 3);
                o += 3;
            } else {
                b[o++] = (char)v;
            }
            i += 2;
        } else {
            b[o++] = t[i];
        }
    }
    /* must be valid UTF-8 */
    json_t *r = json_stringn(b, o);
    free(b);
    if (!r) return malformed_url(c, fn, s);
    *out = H(r);
    return 0;
}

FN(f_decode_url_component) { return url_decode(c, ARG(0), NULL, "decodeUrlComponent", out); }
FN(f_decode_url) { return url_decode(c, ARG(0), ";/?:@&=+$,#", "decodeUrl", out); }

/* ---------------------------------------------------------------- numbers */

FN(f_number)
{
    json_t *v = ARG(0);
    if (!v) return 0;
    if (json_is_number(v)) { *out = v; return 0; }
    if (json_is_boolean(v)) return set_num(c, json_is_true(v), out);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        double d;
        if (memchr(s, '\0', json_string_length(v)))
            goto bad;           /* "5\u0000x" is no number: the text ends at its length */
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O')) {
            int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'b' || s[1] == 'B') ? 2 : 8;
            d = (double)strtoll(s + 2, &end, base);
            if (*end || end == s + 2) goto bad;
            return set_num(c, d, out);
        }
        /* strict JSON number syntax */
        const char *p = s;
        if (*p == '-') p++;
        if (!isdigit((unsigned char)*p)) goto bad;
        while (isdigit((unsigned char)*p)) p++;
        if (*p == '.') { p++; if (!isdigit((unsigned char)*p)) goto bad; while (isdigit((unsigned char)*p)) p++; }
        if (*p == 'e' || *p == 'E') { p++; if (*p == '+' || *p == '-') p++; if (!isdigit((unsigned char)*p)) goto bad; while (isdigit((unsigned char)*p)) p++; }
        if (*p) goto bad;
        d = strtod(s, &end);
        if (!isfinite(d)) goto bad;
        return set_num(c, d, out);
    }
bad:
    return asl_jn_ctx_fail(c, "D3030", "Unable to cast value to a number");
}

FN(f_abs) { if (!ARG(0)) return 0; return set_num(c, fabs(json_number_value(ARG(0))), out); }
FN(f_floor) { if (!ARG(0)) return 0; return set_num(c, floor(json_number_value(ARG(0))), out); }
FN(f_ceil) { if (!ARG(0)) return 0; return set_num(c, ceil(json_number_value(ARG(0))), out); }
FN(f_sqrt)
{
    if (!ARG(0)) return 0;
    double d = json_number_value(ARG(0));
    if (d < 0) return asl_jn_ctx_fail(c, "D3060", "The sqrt function cannot be applied to a negative number");
    return set_num(c, sqrt(d), out);
}
FN(f_power)
{
    if (!ARG(0)) return 0;
    double r = pow(json_number_value(ARG(0)), json_number_value(ARG(1)));
    if (!isfinite(r)) return asl_jn_ctx_fail(c, "D3061", "The power function has resulted in a value that cannot be represented as a JSON number");
    return set_num(c, r, out);
}

/* v * 10^p through decimal text, to avoid binary drift: v's 17 significant
 * digits with p added to their exponent ("%.17g" + "e<p>" misread v's own
 * exponent: 1.5e300 shifted by -300 stayed 1.5e300). */
/* v * 10^p the way 2.0.6's round() computes it: Number(v + 'e' + p), on
 * the shortest text that reads back as v (JavaScript's number to string). */
static double shift10(double v, int p)
{
    char t[64];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(t, sizeof t, "%.*e", prec, v);
        if (strtod(t, NULL) == v)
            break;
    }
    char *e = strchr(t, 'e');
    snprintf(e, sizeof t - (size_t)(e - t), "e%ld", strtol(e + 1, NULL, 10) + p);
    return strtod(t, NULL);
}

/* 2.0.6's round(v, p): half to even at p decimal places. */
double asl_jn_round(double v, int p)
{
    double scaled = shift10(v, p);
    if (!(fabs(scaled) < 1e17))
        return v;   /* an integer at that scale already */
    double r = round(scaled);
    double diff = fabs(scaled - trunc(scaled));
    if (fabs(diff - 0.5) < 1e-12 * (fabs(scaled) > 1 ? fabs(scaled) : 1)) {
        double fl = floor(scaled);
        r = fmod(fl, 2) == 0 ? fl : fl + 1;
    }
    double res = shift10(r, -p);
    return res == 0 ? 0 : res;
}

FN(f_round)
{
    if (!ARG(0)) return 0;
    double v = json_number_value(ARG(0));
    double pd = ARG(1) ? json_number_value(ARG(1)) : 0;
    /* the range before the cast ((int)1e300 is UB): 400 places keep every
     * digit of a double, -400 none */
    if (pd >= 400) return set_num(c, v, out);
    if (pd <= -400) return set_num(c, 0, out);
    return set_num(c, asl_jn_round(v, (int)pd), out);
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

FN(f_random)
{
    uint64_t st = 0;
    if (ARG(0)) {
        double d = json_number_value(ARG(0));
        /* the range before the cast: (int64_t)1e300 is UB */
        int64_t seed = d > -9.2e18 && d < 9.2e18 ? (int64_t)d : d > 0 ? INT64_MAX : INT64_MIN;
        st = (uint64_t)seed * 2654435761u + 12345;
        *out = H(json_real((double)(rng_next(&st) >> 11) / 9007199254740992.0));
        return 0;
    }
    *out = H(json_real((double)(rng_next(asl_jn_rng(c)) >> 11) / 9007199254740992.0));
    (void)st;
    return 0;
}

/* ------------------------------------------------------------ aggregation */

FN(f_sum)
{
    json_t *a = ARG(0);
    if (!a) return 0;
    double s = 0;
    for (size_t i = 0; i < json_array_size(a); i++) s += json_number_value(json_array_get(a, i));
    return set_num(c, s, out);
}

FN(f_count)
{
    json_t *a = ARG(0);
    return set_num(c, a ? (double)json_array_size(a) : 0, out);
}

static int minmax(struct jn_ctx *c, json_t *a, int mx, json_t **out)
{
    if (!a || json_array_size(a) == 0) return 0;
    double r = json_number_value(json_array_get(a, 0));
    for (size_t i = 1; i < json_array_size(a); i++) {
        double d = json_number_value(json_array_get(a, i));
        if (mx ? d > r : d < r) r = d;
    }
    return set_num(c, r, out);
}

FN(f_max) { return minmax(c, ARG(0), 1, out); }
FN(f_min) { return minmax(c, ARG(0), 0, out); }

FN(f_average)
{
    json_t *a = ARG(0);
    if (!a || json_array_size(a) == 0) return 0;
    double s = 0;
    for (size_t i = 0; i < json_array_size(a); i++) s += json_number_value(json_array_get(a, i));
    return set_num(c, s / (double)json_array_size(a), out);
}

/* ---------------------------------------------------------------- boolean */

FN(f_boolean)
{
    if (!ARG(0)) return 0;
    *out = asl_jn_bool(c, ARG(0)) ? json_true() : json_false();
    return 0;
}

FN(f_not)
{
    if (!ARG(0)) return 0;
    *out = asl_jn_bool(c, ARG(0)) ? json_false() : json_true();
    return 0;
}

FN(f_exists)
{
    *out = ARG(0) ? json_true() : json_false();
    return 0;
}

/* ------------------------------------------------------------------ arrays */

FN(f_append)
{
    json_t *a = ARG(0), *b = ARG(1);
    if (!a) { *out = b; return 0; }
    if (!b) { *out = a; return 0; }
    json_t *r = H(json_array());
    asl_jn_append_flat(r, a);
    asl_jn_append_flat(r, b);
    *out = r;
    return 0;
}

FN(f_reverse)
{
    json_t *a = ARG(0);
    if (!a) return 0;
    json_t *r = H(json_array());
    for (size_t i = json_array_size(a); i > 0; i--) json_array_append(r, json_array_get(a, i - 1));
    *out = r;
    return 0;
}

FN(f_shuffle)
{
    json_t *a = ARG(0);
    if (!a) return 0;
    json_t *r = H(json_array());
    asl_jn_append_flat(r, a);
    size_t n = json_array_size(r);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next(asl_jn_rng(c)) % i);
        json_t *x = json_incref(json_array_get(r, i - 1)), *y = json_incref(json_array_get(r, j));
        json_array_set_new(r, i - 1, y);
        json_array_set_new(r, j, x);
    }
    *out = r;
    return 0;
}

FN(f_distinct)
{
    json_t *a = ARG(0);
    if (!a) return 0;
    if (!json_is_array(a)) { *out = a; return 0; }
    json_t *r = H(json_array());
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *e = json_array_get(a, i);
        int dup = 0;
        for (size_t j = 0; j < json_array_size(r) && !dup; j++) dup = asl_jn_equal(c, e, json_array_get(r, j));
        if (!dup) json_array_append(r, e);
    }
    *out = r;
    return 0;
}

FN(f_zip)
{
    size_t min = (size_t)-1;
    for (size_t i = 0; i < nargs; i++) {
        if (!args[i]) { min = 0; break; }
        if (json_array_size(args[i]) < min) min = json_array_size(args[i]);
    }
    json_t *r = H(json_array());
    if (nargs == 0) min = 0;
    for (size_t k = 0; k < min; k++) {
        json_t *t = json_array();
        for (size_t i = 0; i < nargs; i++) json_array_append(t, json_array_get(args[i], k));
        json_array_append_new(r, t);
    }
    *out = r;
    return 0;
}

FN(f_sort)
{
    json_t *a = ARG(0), *f = ARG(1);
    if (!a) return 0;
    size_t n = json_array_size(a);
    json_t **v = malloc((n + 1) * sizeof *v), **tmp = malloc((n + 1) * sizeof *tmp);
    int rc = -1;
    if (!v || !tmp) goto done;
    for (size_t i = 0; i < n; i++) v[i] = json_array_get(a, i);
    if (!f) {
        int nums = 1, strs = 1;
        for (size_t i = 0; i < n; i++) {
            if (!json_is_number(v[i])) nums = 0;
            if (!json_is_string(v[i])) strs = 0;
        }
        if (!nums && !strs) { asl_jn_ctx_fail(c, "D3070", "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"); goto done; }
    }
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, x = lo, y = mid, o = lo;
            while (x < mid || y < hi) {
                int takey;
                if (x >= mid) takey = 1;
                else if (y >= hi) takey = 0;
                else if (f) {
                    json_t *ab[2] = {v[x], v[y]}, *r;
                    if (asl_jn_apply(c, f, ab, 2, in, &r) != 0) goto done;
                    takey = asl_jn_bool(c, r);
                } else if (json_is_number(v[x])) {
                    takey = json_number_value(v[x]) > json_number_value(v[y]);
                } else {
                    takey = asl_jn_str_cmp(v[x], v[y]) > 0;
                }
                tmp[o++] = takey ? v[y++] : v[x++];
            }
        }
        memcpy(v, tmp, n * sizeof *v);
    }
    json_t *r = H(json_array());
    for (size_t i = 0; i < n; i++) json_array_append(r, v[i]);
    *out = r;
    rc = 0;
done:
    free(v);
    free(tmp);
    return rc;
}

/* ---------------------------------------------------------------- objects */

FN(f_keys)
{
    json_t *v = ARG(0);
    if (!v) return 0;
    json_t *r = asl_jn_seq(c);
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            if (!json_is_object(e) || asl_jn_fn_of(c, e)) continue;
            const char *k;
            json_t *x;
            json_object_foreach(e, k, x) {
                int dup = 0;
                for (size_t j = 0; j < json_array_size(r) && !dup; j++)
                    dup = strcmp(json_string_value(json_array_get(r, j)), k) == 0;
                if (!dup) json_array_append_new(r, json_string(k));
            }
        }
    } else if (json_is_object(v) && !asl_jn_fn_of(c, v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) json_array_append_new(r, json_string(k));
    }
    *out = r;
    return 0;
}

FN(f_lookup)
{
    json_t *v = ARG(0), *k = ARG(1);
    if (!v || !k) return 0;
    if (json_is_array(v)) {
        json_t *r = asl_jn_seq(c);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *a2[2] = {json_array_get(v, i), k}, *x;
            if (f_lookup(c, a2, 2, in, &x) != 0) return -1;
            asl_jn_append_flat(r, x);
        }
        *out = r;
        return 0;
    }
    if (json_is_object(v) && !asl_jn_fn_of(c, v))
        *out = json_object_get(v, json_string_value(k));
    return 0;
}

FN(f_spread)
{
    json_t *v = ARG(0);
    if (!v) return 0;
    if (json_is_array(v)) {
        json_t *r = asl_jn_seq(c);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *a1 = json_array_get(v, i), *x;
            if (f_spread(c, &a1, 1, in, &x) != 0) return -1;
            asl_jn_append_flat(r, x);
        }
        *out = r;
        return 0;
    }
    if (!json_is_object(v) || asl_jn_fn_of(c, v)) { *out = v; return 0; }
    json_t *r = asl_jn_seq(c);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
        json_t *o = json_object();
        json_object_set(o, k, x);
        json_array_append_new(r, o);
    }
    *out = r;
    return 0;
}

FN(f_merge)
{
    json_t *a = ARG(0);
    if (!a) return 0;
    json_t *r = H(json_object());
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *k;
        json_t *x;
        json_object_foreach(json_array_get(a, i), k, x) json_object_set(r, k, x);
    }
    *out = r;
    return 0;
}

FN(f_sift)
{
    json_t *o = ARG(0), *f = ARG(1);
    if (!o) return 0;
    json_t *r = H(json_object());
    const char *k;
    json_t *x;
    json_object_foreach(o, k, x) {
        json_t *res, *key = H(json_string(k));
        if (hof(c, f, x, key, o, in, &res) != 0) return -1;
        if (asl_jn_bool(c, res)) json_object_set(r, k, x);
    }
    if (json_object_size(r) > 0) *out = r;
    return 0;
}

FN(f_each)
{
    json_t *o = ARG(0), *f = ARG(1);
    if (!o) return 0;
    json_t *r = asl_jn_seq(c);
    const char *k;
    json_t *x;
    json_object_foreach(o, k, x) {
        json_t *res, *key = H(json_string(k));
        if (hof(c, f, x, key, o, in, &res) != 0) return -1;
        if (res) json_array_append(r, res);
    }
    *out = r;
    return 0;
}

FN(f_error)
{
    json_t *m = ARG(0);
    return asl_jn_ctx_fail(c, "D3137", "%s", m ? json_string_value(m) : "$error() function evaluated");
}

FN(f_assert)
{
    if (!asl_jn_bool(c, ARG(0)))
        return asl_jn_ctx_fail(c, "D3141", "%s", ARG(1) ? json_string_value(ARG(1)) : "$assert() statement failed");
    return 0;
}

FN(f_type)
{
    json_t *v = ARG(0);
    if (!v) return 0;
    const char *t;
    if (asl_jn_fn_of(c, v)) t = "function";
    else switch (json_typeof(v)) {
    case JSON_STRING: t = "string"; break;
    case JSON_INTEGER: case JSON_REAL: t = "number"; break;
    case JSON_TRUE: case JSON_FALSE: t = "boolean"; break;
    case JSON_NULL: t = "null"; break;
    case JSON_ARRAY: t = "array"; break;
    default: t = "object"; break;
    }
    *out = H(json_string(t));
    return 0;
}

/* ----------------------------------------------------------- higher order */

FN(f_map)
{
    json_t *a = ARG(0), *f = ARG(1);
    if (!a) return 0;
    json_t *r = asl_jn_seq(c);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *res, *idx = H(asl_jn_num((double)i));
        if (hof(c, f, json_array_get(a, i), idx, a, in, &res) != 0) return -1;
        if (res) json_array_append(r, res);
    }
    *out = r;
    return 0;
}

FN(f_filter)
{
    json_t *a = ARG(0), *f = ARG(1);
    if (!a) return 0;
    json_t *r = asl_jn_seq(c);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *res, *idx = H(asl_jn_num((double)i));
        if (hof(c, f, json_array_get(a, i), idx, a, in, &res) != 0) return -1;
        if (asl_jn_bool(c, res)) json_array_append(r, json_array_get(a, i));
    }
    *out = r;
    return 0;
}

FN(f_single)
{
    json_t *a = ARG(0), *f = ARG(1), *found = NULL;
    if (!a) return 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *res = json_true(), *idx = H(asl_jn_num((double)i));
        if (f && hof(c, f, json_array_get(a, i), idx, a, in, &res) != 0) return -1;
        if (asl_jn_bool(c, res)) {
            if (found) return asl_jn_ctx_fail(c, "D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more.");
            found = json_array_get(a, i);
        }
    }
    if (!found) return asl_jn_ctx_fail(c, "D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0.");
    *out = found;
    return 0;
}

FN(f_reduce)
{
    json_t *a = ARG(0), *f = ARG(1), *acc = ARG(2);
    if (!a) return 0;
    if (asl_jn_arity(c, f) < 2) return asl_jn_ctx_fail(c, "D3050", "The second argument of reduce function must be a function with at least two arguments");
    size_t i = 0;
    if (!acc && json_array_size(a) > 0) acc = json_array_get(a, i++);
    for (; i < json_array_size(a); i++) {
        json_t *idx = H(asl_jn_num((double)i));
        json_t *args4[4] = {acc, json_array_get(a, i), idx, a};
        int ar = asl_jn_arity(c, f);
        if (ar > 4) ar = 4;
        if (asl_jn_apply(c, f, args4, (size_t)ar, in, &acc) != 0) return -1;
    }
    *out = acc;
    return 0;
}

/* ---------------------------------------------------- Step Functions extras */

FN(f_partition)
{
    json_t *a = ARG(0);
    if (!a) return 0;
    double sz = json_number_value(ARG(1));
    if (sz < 1 || sz != floor(sz)) return asl_jn_ctx_fail(c, "D3100", "Invalid partition size");
    json_t *r = H(json_array()), *chunk = NULL;
    for (size_t i = 0; i < json_array_size(a); i++) {
        if (!chunk || (double)json_array_size(chunk) >= sz) {
            chunk = json_array();
            json_array_append_new(r, chunk);
        }
        json_array_append(chunk, json_array_get(a, i));
    }
    *out = r;
    return 0;
}

FN(f_range)
{
    if (!ARG(0) || !ARG(1)) return 0;
    double a = json_number_value(ARG(0)), b = json_number_value(ARG(1)), st = ARG(2) ? json_number_value(ARG(2)) : 1;
    json_t *r = H(json_array());
    if (st == 0) { *out = r; return 0; }
    if (fabs((b - a) / st) > 1e7) return asl_jn_ctx_fail(c, "D2014", "Range too large");
    for (double x = a; st > 0 ? x <= b : x >= b; x += st) json_array_append_new(r, asl_jn_num(x));
    /* AWS returns $range's result as a sequence: one number comes back as
     * that number (recorded: $range(1, 9, 9) is 1), none as []. */
    if (json_array_size(r) == 1) {
        json_t *sq = asl_jn_seq(c);
        json_array_append(sq, json_array_get(r, 0));
        r = sq;
    }
    *out = r;
    return 0;
}

FN(f_uuid)
{
    unsigned char b[16];
    for (int i = 0; i < 16; i += 8) {
        uint64_t v = rng_next(asl_jn_rng(c));
        memcpy(b + i, &v, 8);
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    char s[40];
    snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    *out = H(json_string(s));
    return 0;
}

FN(f_parse)
{
    json_t *s = ARG(0);
    if (!s) return 0;
    json_error_t e;
    json_t *v = json_loadb(json_string_value(s), json_string_length(s), JSON_DECODE_ANY, &e);
    if (!v) return asl_jn_ctx_fail(c, "D3136", "Unable to parse JSON: %s", e.text);
    *out = H(v);
    return 0;
}

int asl_jn_f_format_number(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_format_base(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_format_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_parse_integer(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_from_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_to_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_now(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_millis(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_f_hash(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);

const struct jn_builtin asl_jn_builtins[] = {
    {"__regexcall", "<x-x:o>", f_regexcall},
    {"abs", "<n-:n>", f_abs},
    {"append", "<xx:a>", f_append},
    {"assert", "<bs?:x>", f_assert},
    {"average", "<a<n>:n>", f_average},
    {"base64decode", "<s-:s>", f_base64decode},
    {"base64encode", "<s-:s>", f_base64encode},
    {"boolean", "<x-:b>", f_boolean},
    {"ceil", "<n-:n>", f_ceil},
    {"contains", "<s-(sf):b>", f_contains},
    {"count", "<a:n>", f_count},
    {"decodeUrl", "<s-:s>", f_decode_url},
    {"decodeUrlComponent", "<s-:s>", f_decode_url_component},
    {"distinct", "<x:x>", f_distinct},
    {"each", "<o-f:a>", f_each},
    {"encodeUrl", "<s-:s>", f_encode_url},
    {"encodeUrlComponent", "<s-:s>", f_encode_url_component},
    {"error", "<s?:x>", f_error},
    {"exists", "<x:b>", f_exists},
    {"filter", "<af>", f_filter},
    {"floor", "<n-:n>", f_floor},
    {"formatBase", "<n-n?:s>", asl_jn_f_format_base},
    {"formatInteger", "<n-s:s>", asl_jn_f_format_integer},
    {"formatNumber", "<n-so?:s>", asl_jn_f_format_number},
    {"fromMillis", "<n-s?s?:s>", asl_jn_f_from_millis},
    {"hash", "<s-s?:s>", asl_jn_f_hash},
    {"join", "<a<s>s?:s>", f_join},
    {"keys", "<x-:a<s>>", f_keys},
    {"length", "<s-:n>", f_length},
    {"lookup", "<x-s:x>", f_lookup},
    {"lowercase", "<s-:s>", f_lowercase},
    {"map", "<af>", f_map},
    {"match", "<s-f<s:o>n?:a<o>>", f_match},
    {"max", "<a<n>:n>", f_max},
    {"merge", "<a<o>:o>", f_merge},
    {"millis", "<:n>", asl_jn_f_millis},
    {"min", "<a<n>:n>", f_min},
    {"not", "<x-:b>", f_not},
    {"now", "<s?s?:s>", asl_jn_f_now},
    {"number", "<(nsb)-:n>", f_number},
    {"pad", "<s-ns?:s>", f_pad},
    {"parse", "<s-:x>", f_parse},
    {"parseInteger", "<s-s:n>", asl_jn_f_parse_integer},
    {"partition", "<an:a>", f_partition},
    {"power", "<n-n:n>", f_power},
    {"random", "<n?:n>", f_random},
    {"range", "<nnn?:a>", f_range},
    {"reduce", "<afj?:j>", f_reduce},
    {"replace", "<s-(sf)(sf)n?:s>", f_replace},
    {"reverse", "<a:a>", f_reverse},
    {"round", "<n-n?:n>", f_round},
    {"shuffle", "<a:a>", f_shuffle},
    {"sift", "<o-f?:o>", f_sift},
    {"single", "<af?>", f_single},
    {"sort", "<af?:a>", f_sort},
    {"split", "<s-(sf)n?:a<s>>", f_split},
    {"spread", "<x-:a<o>>", f_spread},
    {"sqrt", "<n-:n>", f_sqrt},
    {"string", "<x-b?:s>", f_string},
    {"substring", "<s-nn?:s>", f_substring},
    {"substringAfter", "<s-s:s>", f_substring_after},
    {"substringBefore", "<s-s:s>", f_substring_before},
    {"sum", "<a<n>:n>", f_sum},
    {"toMillis", "<s-s?:n>", asl_jn_f_to_millis},
    {"trim", "<s-:s>", f_trim},
    {"type", "<x:s>", f_type},
    {"uppercase", "<s-:s>", f_uppercase},
    {"uuid", "<:s>", f_uuid},
    {"zip", "<a+>", f_zip},
};
const size_t asl_jn_nbuiltins = sizeof asl_jn_builtins / sizeof asl_jn_builtins[0];

const struct jn_builtin *asl_jn_builtin_find(const char *name, size_t len)
{
    for (size_t i = 0; i < asl_jn_nbuiltins; i++)
        if (strlen(asl_jn_builtins[i].name) == len && memcmp(asl_jn_builtins[i].name, name, len) == 0)
            return &asl_jn_builtins[i];
    return NULL;
}
