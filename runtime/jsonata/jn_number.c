/*
 * jn_number.c - $formatNumber(number, picture [, options]): the XPath F&O
 * 3.1 format-number picture language (section 4.7) as JSONata documents it.
 *
 * The picture is split into sub-pictures at the pattern separator; each is
 * read as a sequence of units (a mandatory digit of the zero-digit family,
 * the optional digit, the decimal, grouping and exponent separators, the
 * percent and per-mille signs, or a passive character).  Every marker is a
 * string, since the options may set multi-character markers ("pm").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "jn_internal.h"

#define H(x) asl_jn_hold(c, (x))
#define ARG(i) ((i) < nargs ? args[i] : NULL)

int asl_jn_f_format_number(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);

enum { U_DIG, U_OPT, U_DEC, U_GRP, U_EXP, U_PCT, U_PML, U_SEP, U_OTHER };

struct unit {
    int kind;
    const char *s;     /* the text of the unit in the picture */
    size_t len;
};

struct symbols {
    const char *dec, *grp, *exp, *inf, *minus, *nan, *pct, *pml, *zero, *opt, *sep;
    unsigned long zcp;
};

struct subpic {
    const struct unit *u;
    size_t n;
    size_t first, last;          /* active extent [first, last] */
    int has_exp, pct, pml;
    int min_int, scaling, min_frac, max_frac, min_exp;
    int igrp[64], nigrp;         /* grouping positions from the decimal point, integer part */
    int fgrp[64], nfgrp;         /* from the decimal point, fraction part */
    int regular;                 /* integer grouping repeats every igrp[0] */
};

static unsigned long cp_at(const char *s, size_t *w)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) { *w = 1; return u[0]; }
    if (u[0] < 0xE0 && u[1]) { *w = 2; return (unsigned long)(u[0] & 0x1F) << 6 | (u[1] & 0x3F); }
    if (u[0] < 0xF0 && u[1] && u[2]) {
        *w = 3;
        return (unsigned long)(u[0] & 0x0F) << 12 | (unsigned long)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
    }
    if (u[1] && u[2] && u[3]) {
        *w = 4;
        return (unsigned long)(u[0] & 0x07) << 18 | (unsigned long)(u[1] & 0x3F) << 12 |
               (unsigned long)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
    }
    *w = 1;
    return u[0];
}

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int starts(const char *s, const char *m)
{
    size_t l = strlen(m);
    return l && strncmp(s, m, l) == 0;
}

/* Split one sub-picture [s, s+len) into units. */
static size_t tokenize(const struct symbols *y, const char *s, size_t len, struct unit *u, size_t cap)
{
    size_t n = 0, i = 0;
    while (i < len && n < cap) {
        const char *p = s + i;
        size_t w;
        unsigned long cp = cp_at(p, &w);
        int kind = U_OTHER;
        if (cp >= y->zcp && cp <= y->zcp + 9) kind = U_DIG;
        else if (starts(p, y->opt)) { kind = U_OPT; w = strlen(y->opt); }
        else if (starts(p, y->dec)) { kind = U_DEC; w = strlen(y->dec); }
        else if (starts(p, y->grp)) { kind = U_GRP; w = strlen(y->grp); }
        else if (starts(p, y->pct)) { kind = U_PCT; w = strlen(y->pct); }
        else if (starts(p, y->pml)) { kind = U_PML; w = strlen(y->pml); }
        else if (starts(p, y->exp)) { kind = U_EXP; w = strlen(y->exp); }
        if (i + w > len) w = len - i;
        u[n].kind = kind;
        u[n].s = p;
        u[n].len = w;
        n++;
        i += w;
    }
    /* An exponent separator counts only between an active character and a
     * digit; anywhere else it is a passive character. */
    for (size_t k = 0; k < n; k++)
        if (u[k].kind == U_EXP) {
            int before = k > 0 && (u[k - 1].kind == U_DIG || u[k - 1].kind == U_OPT || u[k - 1].kind == U_DEC ||
                                   u[k - 1].kind == U_GRP);
            int after = k + 1 < n && u[k + 1].kind == U_DIG;
            if (!before || !after) u[k].kind = U_OTHER;
        }
    return n;
}

static int active(int k)
{
    return k == U_DIG || k == U_OPT || k == U_DEC || k == U_GRP || k == U_EXP;
}

static int analyse(struct jn_ctx *c, struct subpic *sp)
{
    const struct unit *u = sp->u;
    size_t n = sp->n;
    int ndec = 0;
    sp->first = n;
    sp->last = 0;
    for (size_t k = 0; k < n; k++) {
        if (u[k].kind == U_PCT) sp->pct++;
        if (u[k].kind == U_PML) sp->pml++;
        if (u[k].kind == U_DEC) ndec++;
        if (u[k].kind == U_EXP) sp->has_exp = 1;
        if (active(u[k].kind)) {
            if (sp->first == n) sp->first = k;
            sp->last = k;
        }
    }
    if (ndec > 1)
        return asl_jn_ctx_fail(c, "D3081", "The sub-picture must not contain more than one instance of the 'decimal-separator' character");
    if (sp->pct > 1)
        return asl_jn_ctx_fail(c, "D3082", "The sub-picture must not contain more than one instance of the 'percent' character");
    if (sp->pml > 1)
        return asl_jn_ctx_fail(c, "D3083", "The sub-picture must not contain more than one instance of the 'per-mille' character");
    if (sp->pct && sp->pml)
        return asl_jn_ctx_fail(c, "D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character");
    if (sp->first == n)
        return asl_jn_ctx_fail(c, "D3085", "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'");
    for (size_t k = sp->first; k <= sp->last; k++)
        if (!active(u[k].kind))
            return asl_jn_ctx_fail(c, "D3086", "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character");
    size_t mend = sp->last + 1, k;
    for (k = sp->first; k <= sp->last; k++)
        if (u[k].kind == U_EXP) { mend = k; break; }
    int mdigits = 0;
    for (k = sp->first; k < mend; k++)
        if (u[k].kind == U_DIG || u[k].kind == U_OPT) mdigits++;
    if (!mdigits)
        return asl_jn_ctx_fail(c, "D3085", "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'");
    for (k = sp->first; k + 1 < mend; k++) {
        if ((u[k].kind == U_GRP && u[k + 1].kind == U_DEC) || (u[k].kind == U_DEC && u[k + 1].kind == U_GRP))
            return asl_jn_ctx_fail(c, "D3087", "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character");
        if (u[k].kind == U_GRP && u[k + 1].kind == U_GRP)
            return asl_jn_ctx_fail(c, "D3089", "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character");
    }
    size_t dec = mend;
    for (k = sp->first; k < mend; k++)
        if (u[k].kind == U_DEC) { dec = k; break; }
    if (dec == mend && mend > sp->first && u[mend - 1].kind == U_GRP)
        return asl_jn_ctx_fail(c, "D3088", "The sub-picture must not contain a 'grouping-separator' at the end of the integer part");
    /* integer part */
    int seen_dig = 0, nopt_int = 0, digits = 0;
    for (k = sp->first; k < dec; k++) {
        if (u[k].kind == U_DIG) { seen_dig = 1; sp->min_int++; }
        if (u[k].kind == U_OPT) {
            if (seen_dig)
                return asl_jn_ctx_fail(c, "D3090", "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'");
            nopt_int++;
        }
    }
    for (k = dec; k-- > sp->first;) {
        if (u[k].kind == U_DIG || u[k].kind == U_OPT) digits++;
        else if (u[k].kind == U_GRP && sp->nigrp < 64) sp->igrp[sp->nigrp++] = digits;
    }
    /* fraction part */
    int seen_opt = 0;
    digits = 0;
    for (k = dec + 1; k < mend && dec < mend; k++) {
        if (u[k].kind == U_DIG) {
            if (seen_opt)
                return asl_jn_ctx_fail(c, "D3091", "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'");
            sp->min_frac++;
            digits++;
        } else if (u[k].kind == U_OPT) {
            seen_opt = 1;
            digits++;
        } else if (u[k].kind == U_GRP && sp->nfgrp < 64) {
            sp->fgrp[sp->nfgrp++] = digits;
        }
    }
    sp->max_frac = digits;
    if (sp->has_exp) {
        if (sp->pct || sp->pml)
            return asl_jn_ctx_fail(c, "D3092", "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'");
        for (k = mend + 1; k <= sp->last; k++) {
            if (u[k].kind != U_DIG)
                return asl_jn_ctx_fail(c, "D3093", "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'");
            sp->min_exp++;
        }
    }
    /* regular grouping: every multiple of the smallest position, and only those */
    if (sp->nigrp > 0) {
        int g = sp->igrp[0], total = 0;
        for (int i = 0; i < sp->nigrp; i++) {
            int a = g, b = sp->igrp[i];
            while (b) { int t = a % b; a = b; b = t; }
            g = a;
        }
        for (k = sp->first; k < dec; k++)
            if (u[k].kind == U_DIG || u[k].kind == U_OPT) total++;
        sp->regular = g > 0;
        for (int m = g; sp->regular && m < total; m += g) {
            int found = 0;
            for (int i = 0; i < sp->nigrp; i++) if (sp->igrp[i] == m) found = 1;
            if (!found) sp->regular = 0;
        }
        for (int i = 0; sp->regular && i < sp->nigrp; i++)
            if (sp->igrp[i] >= total && total > 0) sp->regular = 0;
        if (sp->regular) { sp->igrp[0] = g; }
    }
    sp->scaling = sp->min_int;
    if (sp->has_exp && sp->min_int == 0 && nopt_int > 0) sp->min_int = 1;
    if (!sp->has_exp && sp->min_int == 0 && sp->max_frac == 0) sp->min_int = 1;
    return 0;
}

static void puts_units(struct asl_buf *o, const struct unit *u, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++) asl_buf_add(o, u[k].s, u[k].len);
}

/* Write ASCII digits d[0..n) in the zero-digit family. */
static void put_digits(struct asl_buf *o, const struct symbols *y, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char tmp[4];
        size_t w = put_utf8(tmp, y->zcp + (unsigned long)(d[i] - '0'));
        asl_buf_add(o, tmp, w);
    }
}

static const char *opt_str(struct jn_ctx *c, json_t *opts, const char *key, const char *dflt, int *bad)
{
    json_t *v = opts ? json_object_get(opts, key) : NULL;
    if (!v) return dflt;
    if (!json_is_string(v)) { *bad = 1; asl_jn_ctx_fail(c, "D3080", "Option %s must be a string", key); return dflt; }
    return json_string_value(v);
}

int asl_jn_f_format_number(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    (void)in;
    if (!ARG(0)) return 0;
    if (!ARG(1))    /* the signature lets an undefined picture through */
        return asl_jn_ctx_fail(c, "T0410", "Argument 2 of function \"formatNumber\" does not match function signature");
    double v = json_number_value(ARG(0));
    const char *pic = json_string_value(ARG(1));
    json_t *opts = ARG(2);
    struct symbols y;
    int bad = 0;
    y.dec = opt_str(c, opts, "decimal-separator", ".", &bad);
    y.grp = opt_str(c, opts, "grouping-separator", ",", &bad);
    y.exp = opt_str(c, opts, "exponent-separator", "e", &bad);
    y.inf = opt_str(c, opts, "infinity", "Infinity", &bad);
    y.minus = opt_str(c, opts, "minus-sign", "-", &bad);
    y.nan = opt_str(c, opts, "NaN", "NaN", &bad);
    y.pct = opt_str(c, opts, "percent", "%", &bad);
    y.pml = opt_str(c, opts, "per-mille", "\xE2\x80\xB0", &bad);
    y.zero = opt_str(c, opts, "zero-digit", "0", &bad);
    y.opt = opt_str(c, opts, "digit", "#", &bad);
    y.sep = opt_str(c, opts, "pattern-separator", ";", &bad);
    if (bad) return -1;
    size_t w;
    y.zcp = y.zero[0] ? cp_at(y.zero, &w) : '0';

    /* split into sub-pictures */
    size_t plen = strlen(pic), seplen = strlen(y.sep);
    const char *semi = NULL;
    int nsemi = 0;
    for (size_t i = 0; seplen && i + seplen <= plen; i++)
        if (strncmp(pic + i, y.sep, seplen) == 0) { if (!semi) semi = pic + i; nsemi++; i += seplen - 1; }
    if (nsemi > 1)
        return asl_jn_ctx_fail(c, "D3080", "The picture string must only contain a maximum of two sub-pictures");
    size_t len0 = semi ? (size_t)(semi - pic) : plen;
    size_t cap = plen + 1;
    struct unit *u0 = asl_jn_ctx_alloc(c, cap * sizeof *u0), *u1 = asl_jn_ctx_alloc(c, cap * sizeof *u1);
    if (!u0 || !u1) return asl_jn_ctx_fail(c, "D1001", "out of memory");
    struct subpic sp[2];
    memset(sp, 0, sizeof sp);
    sp[0].u = u0;
    sp[0].n = tokenize(&y, pic, len0, u0, cap);
    if (analyse(c, &sp[0]) != 0) return -1;
    int nsp = 1;
    if (semi) {
        sp[1].u = u1;
        sp[1].n = tokenize(&y, semi + seplen, plen - len0 - seplen, u1, cap);
        if (analyse(c, &sp[1]) != 0) return -1;
        nsp = 2;
    }

    struct asl_buf o = {0};
    int neg = v < 0;
    struct subpic *s = neg && nsp == 2 ? &sp[1] : &sp[0];
    if (isnan(v)) {
        asl_buf_add(&o, y.nan, strlen(y.nan));
        goto done;
    }
    if (neg && nsp == 1) asl_buf_add(&o, y.minus, strlen(y.minus));
    puts_units(&o, s->u, 0, s->first);
    double a = fabs(v);
    if (s->pct) a *= 100;
    else if (s->pml) a *= 1000;
    if (isinf(a)) {
        asl_buf_add(&o, y.inf, strlen(y.inf));
    } else {
        /* bullet 5, as 2.0.6 computes it: the mantissa is scaled by tens
         * into [10^(scaling-1), 10^scaling] (both ends included), then
         * rounded (bullet 6); a mantissa at or past 10^scaling moves one digit
         * into the exponent (99999 with 0.0e0 -> "1.0e5"). */
        int e = 0;
        double m = a;
        if (s->has_exp && a != 0) {
            double maxm = pow(10, s->scaling), minm = pow(10, s->scaling - 1);
            while (m < minm) { m *= 10; e--; }
            while (m > maxm) { m /= 10; e++; }
        }
        char num[512];
        /* bullet 6: round(mantissa, maximumFactionalPartSize), half to even
         * on the decimal text (34.555 -> 34.56), then toFixed */
        if (s->max_frac < 400)
            m = asl_jn_round(m, s->max_frac);
        if (s->has_exp && a != 0 && m >= pow(10, s->scaling)) {
            /* the rounding carried into one more integer digit */
            m /= 10;
            e++;
            if (s->max_frac < 400)
                m = asl_jn_round(m, s->max_frac);
        }
        snprintf(num, sizeof num, "%.*f", s->max_frac, m);
        char *dot = strchr(num, '.');
        char *ip = num, *fp = dot ? dot + 1 : num + strlen(num);
        if (dot) *dot = 0;
        size_t il = strlen(ip), fl = strlen(fp);
        if (il == 1 && ip[0] == '0') il = 0;
        while (fl > (size_t)s->min_frac && fp[fl - 1] == '0') fl--;
        char digs[600];
        size_t pad = il < (size_t)s->min_int ? (size_t)s->min_int - il : 0;
        if (il > 500) il = 500;
        if (pad + il > sizeof digs) pad = sizeof digs - il;
        memset(digs, '0', pad);
        memcpy(digs + pad, ip, il);
        il += pad;
        /* integer part with grouping */
        for (size_t i = 0; i < il; i++) {
            put_digits(&o, &y, digs + i, 1);
            size_t right = il - 1 - i;   /* digits still to come */
            if (!right) continue;
            int g = 0;
            if (s->regular) g = (int)right % s->igrp[0] == 0;
            else for (int k = 0; k < s->nigrp; k++) if ((size_t)s->igrp[k] == right) g = 1;
            if (g) asl_buf_add(&o, y.grp, strlen(y.grp));
        }
        if (fl) {
            asl_buf_add(&o, y.dec, strlen(y.dec));
            for (size_t i = 0; i < fl; i++) {
                if (i) for (int k = 0; k < s->nfgrp; k++)
                    if ((size_t)s->fgrp[k] == i) asl_buf_add(&o, y.grp, strlen(y.grp));
                put_digits(&o, &y, fp + i, 1);
            }
        }
        if (s->has_exp) {
            asl_buf_add(&o, y.exp, strlen(y.exp));
            if (e < 0) asl_buf_add(&o, y.minus, strlen(y.minus));
            char ed[32];
            int n = snprintf(ed, sizeof ed, "%0*d", s->min_exp, e < 0 ? -e : e);
            put_digits(&o, &y, ed, (size_t)n);
        }
    }
    puts_units(&o, s->u, s->last + 1, s->n);
done:
    if (o.oom) {
        free(o.p);
        return asl_jn_mem_fail(c);
    }
    *out = H(json_string(o.p ? o.p : ""));
    free(o.p);
    return 0;
}
