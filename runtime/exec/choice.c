/*
 * choice.c - Choice rules: the tree of And/Or/Not the generated tables
 * hold, and at its leaves one Variable + operator + operand.
 *
 * AWS semantics: a type mismatch is simply false, never an error; a
 * Variable that selects nothing fails the execution, except for IsPresent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"
#include "io/io.h"

/* Next code point of UTF-8 text, advancing *p (invalid bytes pass as is). */
static unsigned next_cp(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *s = *p;
    unsigned c = *s++;
    int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (extra) {
        c &= 0x3fu >> extra;
        for (int i = 0; i < extra && s < end; i++)
            c = (c << 6) | (*s++ & 0x3fu);
    }
    *p = s;
    return c;
}

/* Compare as Java compares Strings: by UTF-16 code unit. */
static int utf16_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    const unsigned char *pa = (const unsigned char *)a, *ea = pa + an;
    const unsigned char *pb = (const unsigned char *)b, *eb = pb + bn;
    unsigned qa = 0, qb = 0;    /* pending low surrogates */
    for (;;) {
        if ((pa >= ea && !qa) || (pb >= eb && !qb))
            break;
        unsigned ua, ub;
        if (qa) { ua = qa; qa = 0; }
        else {
            unsigned c = next_cp(&pa, ea);
            if (c >= 0x10000) { ua = 0xd800 + ((c - 0x10000) >> 10); qa = 0xdc00 + ((c - 0x10000) & 0x3ff); }
            else ua = c;
        }
        if (qb) { ub = qb; qb = 0; }
        else {
            unsigned c = next_cp(&pb, eb);
            if (c >= 0x10000) { ub = 0xd800 + ((c - 0x10000) >> 10); qb = 0xdc00 + ((c - 0x10000) & 0x3ff); }
            else ub = c;
        }
        if (ua != ub)
            return ua < ub ? -1 : 1;
    }
    int da = pa < ea || qa, db = pb < eb || qb;
    return da - db;
}

/* StringMatches: `*` matches any run; `\*` and `\\` are literal.  Both
 * strings are taken by length: a NUL byte is a character like any other. */
static int wildcard_match(const char *pat, size_t pn, const char *s, size_t sn)
{
    size_t p = 0, i = 0, star_p = 0, star_s = 0;
    int star = 0;
    while (i < sn) {
        if (p < pn && pat[p] == '*') {
            star = 1;
            star_p = ++p;
            star_s = i;
            continue;
        }
        size_t lit = p;
        if (p + 1 < pn && pat[p] == '\\' && (pat[p + 1] == '*' || pat[p + 1] == '\\'))
            lit = p + 1;
        if (lit < pn && pat[lit] == s[i]) {
            p = lit + 1;
            i++;
            continue;
        }
        if (!star)
            return 0;
        p = star_p;
        i = ++star_s;
    }
    while (p < pn && pat[p] == '*')
        p++;
    return p == pn;
}

static int cmp_result(enum asl_cmp_op op, int c)
{
    switch (op) {
    case ASL_CMP_STR_EQ: case ASL_CMP_NUM_EQ: case ASL_CMP_TS_EQ: return c == 0;
    case ASL_CMP_STR_LT: case ASL_CMP_NUM_LT: case ASL_CMP_TS_LT: return c < 0;
    case ASL_CMP_STR_GT: case ASL_CMP_NUM_GT: case ASL_CMP_TS_GT: return c > 0;
    case ASL_CMP_STR_LE: case ASL_CMP_NUM_LE: case ASL_CMP_TS_LE: return c <= 0;
    case ASL_CMP_STR_GE: case ASL_CMP_NUM_GE: case ASL_CMP_TS_GE: return c >= 0;
    default: return 0;
    }
}

static int num_cmp(json_t *a, json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return x < y ? -1 : x > y;
    }
    double x = json_number_value(a), y = json_number_value(b);
    return x < y ? -1 : x > y;
}

static int is_timestamp(json_t *v, long long *s, long *ns)
{
    return json_is_string(v) &&
           asl_ts_parsen(json_string_value(v), json_string_length(v), s, ns) == 0;
}

static int compare(enum asl_cmp_op op, json_t *v, json_t *rhs)
{
    switch (op) {
    case ASL_CMP_STR_EQ: case ASL_CMP_STR_LT: case ASL_CMP_STR_GT:
    case ASL_CMP_STR_LE: case ASL_CMP_STR_GE:
        if (!json_is_string(v) || !json_is_string(rhs))
            return 0;
        return cmp_result(op, utf16_cmp(json_string_value(v), json_string_length(v),
                                        json_string_value(rhs), json_string_length(rhs)));
    case ASL_CMP_STR_MATCHES:
        return json_is_string(v) && json_is_string(rhs) &&
               wildcard_match(json_string_value(rhs), json_string_length(rhs),
                              json_string_value(v), json_string_length(v));
    case ASL_CMP_NUM_EQ: case ASL_CMP_NUM_LT: case ASL_CMP_NUM_GT:
    case ASL_CMP_NUM_LE: case ASL_CMP_NUM_GE:
        if (!json_is_number(v) || !json_is_number(rhs))
            return 0;
        return cmp_result(op, num_cmp(v, rhs));
    case ASL_CMP_BOOL_EQ:
        return json_is_boolean(v) && json_is_boolean(rhs) &&
               json_is_true(v) == json_is_true(rhs);
    case ASL_CMP_TS_EQ: case ASL_CMP_TS_LT: case ASL_CMP_TS_GT:
    case ASL_CMP_TS_LE: case ASL_CMP_TS_GE: {
        long long s1, s2;
        long n1, n2;
        if (!is_timestamp(v, &s1, &n1) || !is_timestamp(rhs, &s2, &n2))
            return 0;
        int c = s1 != s2 ? (s1 < s2 ? -1 : 1) : (n1 != n2 ? (n1 < n2 ? -1 : 1) : 0);
        return cmp_result(op, c);
    }
    case ASL_CMP_IS_NULL: return json_is_null(v) == json_is_true(rhs);
    case ASL_CMP_IS_PRESENT: return json_is_true(rhs);
    case ASL_CMP_IS_NUMERIC: return json_is_number(v) == json_is_true(rhs);
    case ASL_CMP_IS_STRING: return json_is_string(v) == json_is_true(rhs);
    case ASL_CMP_IS_BOOLEAN: return json_is_boolean(v) == json_is_true(rhs);
    case ASL_CMP_IS_TIMESTAMP: {
        long long s;
        long ns;
        return is_timestamp(v, &s, &ns) == json_is_true(rhs);
    }
    }
    return 0;
}

static int choice_cmp(struct asl_run *run, const struct asl_cond *cmp, json_t *in)
{
    json_t *v = NULL, *rhs = NULL;
    int rc = asl_io_select(run, cmp->var, in, &v);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        if (cmp->op == ASL_CMP_IS_PRESENT)
            return !json_is_true(asl_io_lit(run, cmp->lit));
        return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
            "Invalid path '%s': The choice state's condition path references an invalid value.",
            cmp->var->text);
    }
    if (cmp->path) {
        rc = asl_io_select(run, cmp->path, in, &rhs);
        if (rc <= 0) {
            json_decref(v);
            if (rc == 0)
                return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                    "Invalid path '%s': The choice state's condition path references an invalid value.",
                    cmp->path->text);
            return -1;
        }
    } else {
        rhs = json_incref(asl_io_lit(run, cmp->lit));
    }
    int m = compare(cmp->op, v, rhs);
    json_decref(v);
    json_decref(rhs);
    return m;
}

int asl_choice_eval(struct asl_run *run, const struct asl_cond *c, json_t *in)
{
    int r;
    switch (c->kind) {
    case ASL_COND_CMP:
        return choice_cmp(run, c, in);
    case ASL_COND_NOT:
        r = asl_choice_eval(run, &c->kids[0], in);
        return r < 0 ? r : !r;
    case ASL_COND_AND:
    case ASL_COND_OR:
        for (size_t i = 0; i < c->n; i++)
            if ((r = asl_choice_eval(run, &c->kids[i], in)) != (c->kind == ASL_COND_AND))
                return r;
        return c->kind == ASL_COND_AND;
    }
    return -1;
}
