/*
 * exprs.c - expression fields: parse, report, check intrinsic calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exprs.h"
#include "intr_table.h"

/* AWS's documented limit on nested intrinsic calls in one field. */
#define ASL_INTR_MAX_NESTING 10

static int check_calls(struct asl_diags *d, const char *pointer, const char *text,
                       const struct asl_expr *e, int depth)
{
    if (e->kind != ASL_EX_CALL)
        return 0;
    int bad = 0;
    char msg[300];
    if (depth > ASL_INTR_MAX_NESTING) {
        snprintf(msg, sizeof msg, "intrinsic functions nest more than %d deep", ASL_INTR_MAX_NESTING);
        asl_diag_expr(d, pointer, text, e->col, msg);
        return -1;
    }
    if (asl_intr_check_call(e, msg, sizeof msg) != 0) {
        asl_diag_expr(d, pointer, text, e->col, msg);
        bad = -1;
    }
    for (size_t i = 0; i < e->nargs; i++)
        if (check_calls(d, pointer, text, &e->args[i], depth + 1) != 0)
            bad = -1;
    return bad;
}

/* A path written without its '$' ("foo.bar", ".foo", "[0]"): a message with
 * the path it probably meant.  Not for anything with a '(' (an intrinsic
 * call) or a blank in it. */
static int missing_dollar(const char *text, char *msg, size_t n)
{
    unsigned char c = (unsigned char)text[0];
    if (!c || c == '$' || strpbrk(text, "( \t"))
        return 0;
    if (!(c == '.' || c == '[' || c == '_' || (unsigned)((c | 0x20) - 'a') < 26u))
        return 0;
    snprintf(msg, n, "a path must start with '$' (did you mean '%s%.200s'?)",
             c == '.' || c == '[' ? "$" : "$.", text);
    return 1;
}

struct asl_expr *asl_compile_expr(struct asl_arena *a, struct asl_diags *d, const char *pointer,
                                  const char *text, enum asl_expr_mode mode)
{
    struct asl_expr *e = NULL;
    struct asl_expr_error err = {0};
    if (asl_expr_parse(a, text, strlen(text), mode, &e, &err) != 0) {
        char hint[300];
        if (missing_dollar(text, hint, sizeof hint))
            asl_diag_expr(d, pointer, text, 1, hint);
        else
            asl_diag_expr(d, pointer, text, err.col, err.msg);
        return NULL;
    }
    if (check_calls(d, pointer, text, e, 1) != 0)
        return NULL;
    return e;
}

static void add_name(const char ***names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0)
            return;
    const char **nn = realloc(*names, (*n + 1) * sizeof *nn);
    if (!nn)
        abort();
    *names = nn;
    nn[(*n)++] = name;
}

static void filter_vars(const struct asl_filter *f, const char ***names, size_t *n);

static void path_vars(const struct asl_path *p, const char ***names, size_t *n)
{
    if (!p)
        return;
    if (p->root == ASL_ROOT_VAR)
        add_name(names, n, p->var);
    for (size_t i = 0; i < p->nseg; i++) {
        const struct asl_seg *s = &p->segs[i];
        if (s->kind == ASL_SEG_FILTER)
            filter_vars(s->filter, names, n);
    }
}

static void filter_vars(const struct asl_filter *f, const char ***names, size_t *n)
{
    if (!f)
        return;
    filter_vars(f->left, names, n);
    filter_vars(f->right, names, n);
    path_vars(f->a.path, names, n);
    path_vars(f->b.path, names, n);
}

void asl_expr_vars(const struct asl_expr *e, const char ***names, size_t *n)
{
    if (!e)
        return;
    if (e->kind == ASL_EX_PATH)
        path_vars(e->path, names, n);
    for (size_t i = 0; e->kind == ASL_EX_CALL && i < e->nargs; i++)
        asl_expr_vars(&e->args[i], names, n);
}

int asl_expr_needs_crypto(const struct asl_expr *e)
{
    if (!e || e->kind != ASL_EX_CALL)
        return 0;
    const struct asl_intr_info *info = asl_intr_info(e->fn);
    if (info && info->needs_crypto)
        return 1;
    for (size_t i = 0; i < e->nargs; i++)
        if (asl_expr_needs_crypto(&e->args[i]))
            return 1;
    return 0;
}
