/*
 * jsonata_ast.c - JSONata at compile time: node allocation, the rewrite of
 * the parser's raw tree into the evaluator's tree (paths, stages, focus and
 * index bindings, groups, sorts), the static checks (S0208..S0217), and the
 * emission of the tree as static const C tables.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cemit.h"
#include "jsonata_parse.h"
#include "jsonata.tab.h"
#define YYSTYPE ASL_JN_YYSTYPE
#define YYLTYPE ASL_JN_YYLTYPE
#include "jsonata.lex.h"

/* ------------------------------------------------------------ allocation */

static int track(struct asl_jn_ast *a, void *ptr)
{
    if (a->nallocs == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 64;
        void **v = realloc(a->allocs, nc * sizeof *v);
        if (!v)
            return -1;
        a->allocs = v;
        a->cap = nc;
    }
    a->allocs[a->nallocs++] = ptr;
    return 0;
}

void *asl_jn_alloc(struct asl_jn_pctx *p, size_t size)
{
    void *m = calloc(1, size ? size : 1);
    if (!m || track(p->ast, m) != 0) {
        free(m);
        asl_jn_fail(p, "S0500", 0, "out of memory");
        return NULL;
    }
    return m;
}

char *asl_jn_strdup(struct asl_jn_pctx *p, const char *s, size_t len)
{
    char *d = asl_jn_alloc(p, len + 1);
    if (d)
        memcpy(d, s, len);
    return d;
}

struct asl_jn_node *asl_jn_mk(struct asl_jn_pctx *p, int type, int pos)
{
    struct asl_jn_ast *a = p->ast;
    if (a->nnodes == a->ncap) {
        size_t nc = a->ncap ? a->ncap * 2 : 64;
        struct asl_jn_node **v = realloc(a->nodes, nc * sizeof *v);
        if (!v)
            return NULL;
        a->nodes = v;
        a->ncap = nc;
    }
    struct asl_jn_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->type = (unsigned char)type;
    n->pos = pos;
    a->nodes[a->nnodes++] = n;
    return n;
}

void asl_jn_push(struct asl_jn_pctx *p, struct asl_jn_node *n, struct asl_jn_node *kid)
{
    const struct asl_jn_node **v = realloc((void *)n->kids, (n->nkids + 1) * sizeof *v);
    if (!v) {
        asl_jn_fail(p, "S0500", 0, "out of memory");
        return;
    }
    v[n->nkids++] = kid;
    n->kids = v;
}

static void push_stage(struct asl_jn_pctx *p, struct asl_jn_node *n, struct asl_jn_node *st)
{
    const struct asl_jn_node **v = realloc((void *)n->stages, (n->nstages + 1) * sizeof *v);
    if (!v) {
        asl_jn_fail(p, "S0500", 0, "out of memory");
        return;
    }
    v[n->nstages++] = st;
    n->stages = v;
}

struct asl_jn_node *asl_jn_mk2(struct asl_jn_pctx *p, int type, int op, int pos,
                               struct asl_jn_node *a, struct asl_jn_node *b)
{
    struct asl_jn_node *n = asl_jn_mk(p, type, pos);
    if (!n)
        return NULL;
    n->op = (unsigned char)op;
    if (a)
        asl_jn_push(p, n, a);
    if (b)
        asl_jn_push(p, n, b);
    return n;
}

void asl_jn_fail(struct asl_jn_pctx *p, const char *code, int col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    if (!p->err)
        return;
    snprintf(p->err->code, sizeof p->err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    p->err->column = col;
}

void asl_jn_free(struct asl_jn_ast *ast)
{
    if (!ast)
        return;
    for (size_t i = 0; i < ast->nnodes; i++) {
        free((void *)ast->nodes[i]->kids);
        free((void *)ast->nodes[i]->stages);
        free(ast->nodes[i]);
    }
    for (size_t i = 0; i < ast->nallocs; i++)
        free(ast->allocs[i]);
    for (size_t i = 0; i < ast->nvars; i++)
        free(ast->vars[i]);
    free(ast->vars);
    free(ast->nodes);
    free(ast->allocs);
    free(ast);
}

/* --------------------------------------------------------------- rewrite */

#define K(n, i) ((struct asl_jn_node *)(n)->kids[i])

static struct asl_jn_node *last_step(struct asl_jn_node *n)
{
    return n->type == ASL_JN_PATH ? K(n, n->nkids - 1) : n;
}

static struct asl_jn_node *as_path(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    if (n->type == ASL_JN_PATH)
        return n;
    struct asl_jn_node *path = asl_jn_mk(p, ASL_JN_PATH, n->pos);
    if (path)
        asl_jn_push(p, path, n);
    return path;
}

/* ------------------------------------------------- function signatures */

/* Check a lambda's signature "<params[:type]>" as JSONata 2.0.6 reads it:
 * type letters b n s l a o f j x u, a choice group (...) of plain letters,
 * a<type> and f<signature> parameters, modifiers ? + -.  Returns NULL or
 * the JSONata code. */
static const char *sig_params(const char *s, size_t n, size_t *i, char stop);

static const char *sig_type(const char *s, size_t n, size_t *i)
{
    if (*i >= n)
        return "S0401";
    char t = s[*i];
    if (t == '(') {
        for ((*i)++; *i < n && s[*i] != ')'; (*i)++) {
            if (s[*i] == '<')
                return "S0402";
            if (!strchr("bnslaofjxu", s[*i]))
                return "S0401";
        }
        if (*i >= n)
            return "S0401";
        (*i)++;
        return NULL;
    }
    if (!strchr("bnslaofjxu", t))
        return "S0401";
    (*i)++;
    if (*i < n && s[*i] == '<') {
        if (t != 'a' && t != 'f')
            return "S0401";
        (*i)++;
        const char *e = t == 'a' ? sig_type(s, n, i) : sig_params(s, n, i, '>');
        if (e)
            return e;
        if (*i >= n || s[*i] != '>')
            return "S0401";
        (*i)++;
    }
    return NULL;
}

static const char *sig_params(const char *s, size_t n, size_t *i, char stop)
{
    while (*i < n && s[*i] != stop && s[*i] != ':') {
        const char *e = sig_type(s, n, i);
        if (e)
            return e;
        while (*i < n && strchr("?+-", s[*i]))
            (*i)++;
    }
    if (*i < n && s[*i] == ':') {
        (*i)++;
        const char *e = sig_type(s, n, i);
        if (e)
            return e;
    }
    if (*i >= n || s[*i] != stop)
        return "S0401";
    return NULL;
}

static void check_signature(struct asl_jn_pctx *p, const struct asl_jn_node *n)
{
    if (!n->str || !n->len || n->str[0] != '<')
        return;
    size_t i = 1;
    const char *e = sig_params(n->str, n->len, &i, '>');
    if (!e && i + 1 != n->len)
        e = "S0401";
    if (e)
        asl_jn_fail(p, e, n->pos, "%s", strcmp(e, "S0402") == 0
                    ? "Choice groups containing parameterized types are not supported"
                    : "The function signature is not valid");
}

static struct asl_jn_node *rewrite(struct asl_jn_pctx *p, struct asl_jn_node *n);

static void rewrite_kids(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    for (size_t i = 0; i < n->nkids && !p->failed; i++)
        ((const struct asl_jn_node **)n->kids)[i] = rewrite(p, K(n, i));
}

static void step_flags(struct asl_jn_pctx *p, struct asl_jn_node *path, struct asl_jn_node *st)
{
    if (st->type == ASL_JN_NUM || st->type == ASL_JN_TRUE || st->type == ASL_JN_FALSE ||
        st->type == ASL_JN_NULL) {
        asl_jn_fail(p, "S0213", st->pos, "The literal value cannot be used as a step within a path expression");
        return;
    }
    if (st->type == ASL_JN_STR)
        st->type = ASL_JN_NAME;
    if (st->type == ASL_JN_ARRAY)
        st->flags |= ASL_JN_F_CONSARRAY;
    if (st->flags & ASL_JN_F_KEEPARRAY)
        path->flags |= ASL_JN_F_KEEPARRAY;
    if (st->focus || st->index)
        path->flags |= ASL_JN_F_TUPLE;
    for (size_t i = 0; i < st->nstages; i++)
        if (st->stages[i]->type == ASL_JN_INDEX)
            path->flags |= ASL_JN_F_TUPLE;
}

/* l.r: one path, the right side's steps appended to the left's */
static struct asl_jn_node *rewrite_dot(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    struct asl_jn_node *l = rewrite(p, K(n, 0));
    if (p->failed) return n;
    struct asl_jn_node *path = as_path(p, l);
    if (!path) return n;
    for (size_t i = 0; i < path->nkids && !p->failed; i++)
        step_flags(p, path, K(path, i));
    struct asl_jn_node *r = rewrite(p, K(n, 1));
    if (p->failed) return n;
    if (r->type == ASL_JN_PATH) {
        for (size_t i = 0; i < r->nkids; i++) {
            asl_jn_push(p, path, K(r, i));
            step_flags(p, path, K(r, i));
        }
        path->flags |= r->flags;
        if (r->group) {  /* (a.b{..}) on the right keeps its group on the whole */
            if (path->group)
                asl_jn_fail(p, "S0210", r->pos, "Each step can only have one grouping expression");
            path->group = r->group;
        }
    } else {
        asl_jn_push(p, path, r);
        step_flags(p, path, r);
    }
    return path;
}

/* l[e]: a filter stage on the last step (l[] keeps arrays) */
static struct asl_jn_node *rewrite_pred(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    struct asl_jn_node *l = rewrite(p, K(n, 0));
    if (p->failed) return n;
    struct asl_jn_node *step = last_step(l);
    if (n->nkids == 1) {
        step->flags |= ASL_JN_F_KEEPARRAY;
        l->flags |= ASL_JN_F_KEEPARRAY;
        return l;
    }
    if (step->group || l->group) {
        asl_jn_fail(p, "S0209", n->pos, "A predicate cannot follow a grouping expression in a step");
        return n;
    }
    struct asl_jn_node *f = asl_jn_mk(p, ASL_JN_FILTER, n->pos);
    if (!f) return n;
    asl_jn_push(p, f, rewrite(p, K(n, 1)));
    push_stage(p, step, f);
    return l;
}

/* l{...}: the step's one grouping expression */
static struct asl_jn_node *rewrite_group(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    struct asl_jn_node *l = rewrite(p, K(n, 0));
    if (p->failed) return n;
    if (l->group) {
        asl_jn_fail(p, "S0210", n->pos, "Each step can only have one grouping expression");
        return n;
    }
    l->group = rewrite(p, K(n, 1));
    return l;
}

/* l@$v and l#$v: a context or position variable on the last step */
static struct asl_jn_node *rewrite_bind_step(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    struct asl_jn_node *l = rewrite(p, K(n, 0));
    if (p->failed) return n;
    struct asl_jn_node *v = K(n, 1);
    if (v->type != ASL_JN_VAR) {
        asl_jn_fail(p, "S0214", n->pos, "The right side of %s must be a variable name (start with $)",
                    n->type == JN_R_FOCUS ? "@" : "#");
        return n;
    }
    struct asl_jn_node *step = last_step(l);
    /* As in JSONata, `expr@$v` on an expression that is not a path
     * stays that expression: the binding only matters once a later
     * step makes it a path (`$@$v.x`), and as_path does that then. */
    struct asl_jn_node *path = n->type == JN_R_FOCUS && l->type != ASL_JN_PATH ? l : as_path(p, l);
    if (!path) return n;
    if (n->type == JN_R_FOCUS) {
        if (step->nstages) {
            asl_jn_fail(p, "S0215", n->pos, "A context variable binding must precede any predicates on a step");
            return n;
        }
        if (step->type == ASL_JN_SORT) {
            asl_jn_fail(p, "S0216", n->pos, "A context variable binding must precede the 'order-by' clause on a step");
            return n;
        }
        step->focus = v->str;
        step->focus_len = v->len;
    } else if (step->nstages == 0) {
        step->index = v->str;
        step->index_len = v->len;
    } else {
        struct asl_jn_node *ix = asl_jn_mk(p, ASL_JN_INDEX, n->pos);
        if (!ix) return n;
        ix->str = v->str;
        ix->len = v->len;
        push_stage(p, step, ix);
    }
    if (path->type == ASL_JN_PATH)
        path->flags |= ASL_JN_F_TUPLE;
    return path;
}

/* l^(...): an order-by step */
static struct asl_jn_node *rewrite_sort(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    struct asl_jn_node *l = rewrite(p, K(n, 0));
    if (p->failed) return n;
    struct asl_jn_node *path = as_path(p, l);
    if (!path) return n;
    if (l != path)
        step_flags(p, path, l);
    struct asl_jn_node *s = asl_jn_mk(p, ASL_JN_SORT, n->pos);
    if (!s) return n;
    for (size_t i = 1; i < n->nkids; i++) {
        struct asl_jn_node *t = K(n, i);
        ((const struct asl_jn_node **)t->kids)[0] = rewrite(p, K(t, 0));
        asl_jn_push(p, s, t);
    }
    asl_jn_push(p, path, s);
    return path;
}

/* $v := e: the variable's name moves onto the node */
static struct asl_jn_node *rewrite_assign(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    if (K(n, 0)->type != ASL_JN_VAR) {
        asl_jn_fail(p, "S0212", n->pos, "The left side of := must be a variable name (start with $)");
        return n;
    }
    n->str = K(n, 0)->str;
    n->len = K(n, 0)->len;
    ((const struct asl_jn_node **)n->kids)[0] = rewrite(p, K(n, 1));
    n->nkids = 1;
    return n;
}

/* function($a, ...){...}: parameters are variables, the signature is valid */
static struct asl_jn_node *rewrite_lambda(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    check_signature(p, n);
    if (p->failed)
        return n;
    for (size_t i = 1; i < n->nkids; i++)
        if (K(n, i)->type != ASL_JN_VAR) {
            asl_jn_fail(p, "S0208", K(n, i)->pos, "Parameter %zu of function definition must be a variable name (start with $)", i);
            return n;
        }
    ((const struct asl_jn_node **)n->kids)[0] = rewrite(p, K(n, 0));
    return n;
}

/* -e: a negated number literal folds */
static struct asl_jn_node *rewrite_neg(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    struct asl_jn_node *k = rewrite(p, K(n, 0));
    if (k->type == ASL_JN_NUM) {
        k->num = -k->num;
        k->pos = n->pos;
        return k;
    }
    ((const struct asl_jn_node **)n->kids)[0] = k;
    return n;
}

/* The parser's raw tree to the evaluator's: paths flattened, predicates,
 * groups, bindings and sorts attached to their steps. */
static struct asl_jn_node *rewrite(struct asl_jn_pctx *p, struct asl_jn_node *n)
{
    if (p->failed || !n)
        return n;
    switch (n->type) {
    case JN_R_DOT:
        return rewrite_dot(p, n);
    case JN_R_PRED:
        return rewrite_pred(p, n);
    case JN_R_GROUP:
        return rewrite_group(p, n);
    case JN_R_FOCUS:
    case JN_R_IDX:
        return rewrite_bind_step(p, n);
    case JN_R_SORT:
        return rewrite_sort(p, n);
    case ASL_JN_BIND:
        return rewrite_assign(p, n);
    case ASL_JN_LAMBDA:
        return rewrite_lambda(p, n);
    case ASL_JN_NEG:
        return rewrite_neg(p, n);
    default:
        rewrite_kids(p, n);
        if (n->group)
            n->group = rewrite(p, (struct asl_jn_node *)n->group);
        return n;
    }
}

/* ---------------------------------------------------- parent (%) check */

/* How many ancestors of the context are known where `n` is evaluated
 * (`avail`); returns the same for its result.  A '%' with none is S0217. */
static int pcheck(struct asl_jn_pctx *p, const struct asl_jn_node *n, int avail);

static void pcheck_kids(struct asl_jn_pctx *p, const struct asl_jn_node *n, int avail)
{
    for (size_t i = 0; i < n->nkids; i++)
        pcheck(p, n->kids[i], avail);
}

static int pcheck(struct asl_jn_pctx *p, const struct asl_jn_node *n, int avail)
{
    int r = 0;
    if (!n || p->failed)
        return 0;
    switch (n->type) {
    case ASL_JN_PATH: {
        int a = avail;
        for (size_t i = 0; i < n->nkids; i++) {
            const struct asl_jn_node *st = n->kids[i];
            int sr = pcheck(p, st, a);
            for (size_t j = 0; j < st->nstages; j++)
                if (st->stages[j]->type == ASL_JN_FILTER)
                    pcheck(p, st->stages[j]->kids[0], sr);
            if (st->group)
                pcheck(p, st->group, sr);
            if (!st->focus)
                a = sr;
        }
        if (n->group)
            pcheck(p, n->group, a);
        return a;
    }
    case ASL_JN_NAME: case ASL_JN_WILD: case ASL_JN_DESC:
        return avail + 1;
    case ASL_JN_PARENT:
        if (avail <= 0) {
            asl_jn_fail(p, "S0217", n->pos, "The object representing the 'parent' cannot be derived from this expression");
            return 0;
        }
        return avail - 1;
    case ASL_JN_VAR:
        return n->len == 0 ? avail : 0;
    case ASL_JN_BLOCK:
        r = avail;   /* an empty block passes the ancestry through */
        for (size_t i = 0; i < n->nkids; i++)
            r = pcheck(p, n->kids[i], avail);
        break;
    case ASL_JN_LAMBDA:
        pcheck(p, n->kids[0], 1000);
        break;
    case ASL_JN_SORT:
        for (size_t i = 0; i < n->nkids; i++)
            pcheck(p, n->kids[i]->kids[0], avail);
        return avail;
    default:
        pcheck_kids(p, n, avail);
        break;
    }
    if (n->type != ASL_JN_PATH) {
        for (size_t j = 0; j < n->nstages; j++)
            if (n->stages[j]->type == ASL_JN_FILTER)
                pcheck(p, n->stages[j]->kids[0], r);
        if (n->group)
            pcheck(p, n->group, r);
    }
    return r;
}

/* ------------------------------------------------------ free variables */

static int has_var(struct asl_jn_ast *a, const char *s, size_t n)
{
    for (size_t i = 0; i < a->nvars; i++)
        if (strlen(a->vars[i]) == n && memcmp(a->vars[i], s, n) == 0)
            return 1;
    return 0;
}

/* The function library's names (runtime/jsonata/jn_funcs.c): not variables. */
static const char *const BUILTINS[] = {
    "abs", "append", "assert", "average", "base64decode", "base64encode", "boolean", "ceil",
    "contains", "count", "decodeUrl", "decodeUrlComponent", "distinct", "each", "encodeUrl",
    "encodeUrlComponent", "error", "exists", "filter", "floor", "formatBase", "formatInteger",
    "formatNumber", "fromMillis", "join", "keys", "length", "lookup", "lowercase", "map", "match",
    "max", "merge", "millis", "min", "not", "now", "number", "pad", "parse", "parseInteger",
    "partition", "power", "random", "range", "reduce", "replace", "reverse", "round", "shuffle",
    "sift", "single", "sort", "split", "spread", "sqrt", "string", "substring", "substringAfter",
    "substringBefore", "sum", "toMillis", "trim", "type", "uppercase", "uuid", "zip", "hash", NULL};

static int is_builtin(const char *s, size_t n)
{
    for (size_t i = 0; BUILTINS[i]; i++)
        if (strlen(BUILTINS[i]) == n && memcmp(BUILTINS[i], s, n) == 0)
            return 1;
    return 0;
}

static void scan(struct asl_jn_ast *a, const struct asl_jn_node *n)
{
    if (!n)
        return;
    if (n->type == ASL_JN_REGEX)
        a->uses_regex = 1;
    if (n->type == ASL_JN_VAR && n->len > 0 && !(n->len == 1 && n->str[0] == '$')) {
        if (n->len == 6 && memcmp(n->str, "states", 6) == 0)
            a->uses_states = 1;
        else if (!has_var(a, n->str, n->len) && !is_builtin(n->str, n->len)) {
            char **v = realloc(a->vars, (a->nvars + 2) * sizeof *v);
            if (v) {
                a->vars = v;
                v[a->nvars] = strndup(n->str, n->len);
                if (v[a->nvars])
                    a->nvars++;
                v[a->nvars] = NULL;
            }
        }
    }
    for (size_t i = 0; i < n->nkids; i++)
        scan(a, n->kids[i]);
    for (size_t i = 0; i < n->nstages; i++)
        scan(a, n->stages[i]);
    scan(a, n->group);
}

/* Names bound inside the expression (:=, parameters, @, #) are not free. */
static void unbind(struct asl_jn_ast *a, const struct asl_jn_node *n)
{
    if (!n)
        return;
    const char *names[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0};
    if (n->type == ASL_JN_BIND || n->type == ASL_JN_INDEX) { names[0] = n->str; lens[0] = n->len; }
    if (n->focus) { names[1] = n->focus; lens[1] = n->focus_len; }
    if (n->index) { names[2] = n->index; lens[2] = n->index_len; }
    for (int k = 0; k < 3; k++) {
        if (!names[k])
            continue;
        for (size_t i = 0; i < a->nvars; i++)
            if (strlen(a->vars[i]) == lens[k] && memcmp(a->vars[i], names[k], lens[k]) == 0) {
                free(a->vars[i]);
                memmove(a->vars + i, a->vars + i + 1, (a->nvars - i) * sizeof *a->vars);
                a->nvars--;
                break;
            }
    }
    if (n->type == ASL_JN_LAMBDA)
        for (size_t i = 1; i < n->nkids; i++) {
            struct asl_jn_node fake = {.type = ASL_JN_BIND, .str = n->kids[i]->str, .len = n->kids[i]->len};
            unbind(a, &fake);
        }
    for (size_t i = 0; i < n->nkids; i++)
        unbind(a, n->kids[i]);
    for (size_t i = 0; i < n->nstages; i++)
        unbind(a, n->stages[i]);
    unbind(a, n->group);
}

/* ----------------------------------------------------------------- parse */

int asl_jn_parse(const char *src, size_t len, struct asl_jn_ast **out, struct asl_jn_error *err)
{
    struct asl_jn_ast *ast = calloc(1, sizeof *ast);
    struct asl_jn_pctx p = {.src = src, .len = len, .ast = ast, .err = err, .col = 1, .fn_depth = -1};
    yyscan_t scanner = NULL;
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    if (!ast || asl_jn_yylex_init_extra(&p, &scanner) != 0) {
        asl_jn_fail(&p, "S0500", 0, "out of memory");
        goto fail;
    }
    YY_BUFFER_STATE buf = asl_jn_yy_scan_bytes(src, (int)len, scanner);
    int rc = asl_jn_yyparse(scanner, &p);
    asl_jn_yy_delete_buffer(buf, scanner);
    asl_jn_yylex_destroy(scanner);
    if (rc != 0 || p.failed || !p.root) {
        if (!p.failed)
            asl_jn_fail(&p, "S0201", 1, "Syntax error");
        goto fail;
    }
    struct asl_jn_node *root = rewrite(&p, p.root);
    if (!p.failed)
        pcheck(&p, root, 0);
    if (p.failed)
        goto fail;
    ast->root = root;
    scan(ast, root);
    unbind(ast, root);
    *out = ast;
    return 0;
fail:
    asl_jn_free(ast);
    return -1;
}

/* ------------------------------------------------------------------ emit */

/* Generated tables name node types and operators as the header does. */
#define TYPE_NAME(N) "ASL_JN_" #N,
static const char *const type_names[] = {ASL_JN_TYPES(TYPE_NAME)};
#undef TYPE_NAME
#define OP_NAME(N) "ASL_JN_OP_" #N,
static const char *const op_names[] = {NULL, ASL_JN_OPS(OP_NAME)};
#undef OP_NAME

/* ", .flags = ASL_JN_F_... | ..." (bits without a name as a number). */
static void emit_flags(FILE *out, unsigned f)
{
    static const struct {
        unsigned bit;
        const char *name;
    } flags[] = {{ASL_JN_F_KEEPARRAY, "ASL_JN_F_KEEPARRAY"}, {ASL_JN_F_TUPLE, "ASL_JN_F_TUPLE"},
                 {ASL_JN_F_CONSARRAY, "ASL_JN_F_CONSARRAY"}};
    const char *sep = "";
    fputs(", .flags = ", out);
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if (f & flags[i].bit) {
            fprintf(out, "%s%s", sep, flags[i].name);
            sep = " | ";
            f &= ~flags[i].bit;
        }
    if (f)
        fprintf(out, "%s%uu", sep, f);
}

struct emitter {
    FILE *out;
    const char *cname;
    const struct asl_jn_node **seen;
    size_t nseen;
};

static size_t node_id(struct emitter *e, const struct asl_jn_node *n)
{
    for (size_t i = 0; i < e->nseen; i++)
        if (e->seen[i] == n)
            return i;
    return SIZE_MAX;
}

static void emit_str(FILE *out, const char *field, const char *s, size_t n, const char *lenfield)
{
    if (!s)
        return;
    fprintf(out, ", .%s = ", field);
    asl_cemit_string(out, s, n);
    fprintf(out, ", .%s = %zu", lenfield, n);
}

static size_t emit_node(struct emitter *e, const struct asl_jn_node *n, int is_root);

static void emit_array(struct emitter *e, const struct asl_jn_node *const *v, size_t n, size_t id, char tag)
{
    size_t ids[n ? n : 1];
    for (size_t i = 0; i < n; i++)
        ids[i] = emit_node(e, v[i], 0);
    fprintf(e->out, "static const struct asl_jn_node *const %s_%c%zu[] = {", e->cname, tag, id);
    for (size_t i = 0; i < n; i++)
        fprintf(e->out, "%s&%s_%zu", i ? ", " : "", e->cname, ids[i]);
    fprintf(e->out, "};\n");
}

static size_t emit_node(struct emitter *e, const struct asl_jn_node *n, int is_root)
{
    size_t id = node_id(e, n);
    if (id != SIZE_MAX)
        return id;
    const struct asl_jn_node **v = realloc(e->seen, (e->nseen + 1) * sizeof *v);
    if (!v)
        return 0;
    e->seen = v;
    id = e->nseen++;
    e->seen[id] = n;
    size_t gid = n->group ? emit_node(e, n->group, 0) : 0;
    if (n->nkids)
        emit_array(e, n->kids, n->nkids, id, 'k');
    if (n->nstages)
        emit_array(e, n->stages, n->nstages, id, 's');
    if (is_root)
        fprintf(e->out, "static const struct asl_jn_node %s = {", e->cname);
    else
        fprintf(e->out, "static const struct asl_jn_node %s_%zu = {", e->cname, id);
    fprintf(e->out, ".type = %s", type_names[n->type]);
    if (n->type == ASL_JN_BINARY && n->op && n->op < sizeof op_names / sizeof *op_names)
        fprintf(e->out, ", .op = %s", op_names[n->op]);
    else if (n->op)
        fprintf(e->out, ", .op = %u", n->op);
    if (n->flags)
        emit_flags(e->out, n->flags);
    fprintf(e->out, ", .pos = %d", n->pos);
    if (n->type == ASL_JN_NUM)
        fprintf(e->out, ", .num = %.17g", n->num);
    emit_str(e->out, "str", n->str, n->len, "len");
    emit_str(e->out, "str2", n->str2, n->len2, "len2");
    emit_str(e->out, "focus", n->focus, n->focus_len, "focus_len");
    emit_str(e->out, "index", n->index, n->index_len, "index_len");
    if (n->nkids)
        fprintf(e->out, ", .kids = %s_k%zu, .nkids = %zu", e->cname, id, n->nkids);
    if (n->nstages)
        fprintf(e->out, ", .stages = %s_s%zu, .nstages = %zu", e->cname, id, n->nstages);
    if (n->group)
        fprintf(e->out, ", .group = &%s_%zu", e->cname, gid);
    fprintf(e->out, "};\n");
    return id;
}

void asl_jn_emit(FILE *out, const struct asl_jn_ast *ast, const char *cname)
{
    struct emitter e = {.out = out, .cname = cname};
    /* The root is named `cname`; references to it from below cannot occur
     * (a tree), so children are written first under cname_<n>. */
    emit_node(&e, ast->root, 1);
    free(e.seen);
}
