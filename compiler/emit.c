/*
 * emit.c - write the C program for one state machine.
 *
 * Layout of the generated file:
 *   banner, #include "aslrt.h", forward declarations of the machines
 *   paths, expressions, templates, Choice rule trees, descriptors  (decl)
 *   one state table per States block, each row pointing straight at
 *   its type's runner (asl_pass_run, ...)                          (tab)
 *   the literal table, the program, main()
 * The C is data, no code of its own.  Every table is defined once: two
 * with the same initializer are one (asl_em_def), and a field left at
 * zero is not written (aslrt.h: zero means absent).  Everything is named
 * by index (path_3, tpl_7); user text reaches the C only through
 * asl_cemit_*.  Counters advance in document order, so the same
 * definition always gives the same bytes.
 */
#define _GNU_SOURCE     /* open_memstream */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslc_config.h"
#include "cemit.h"
#include "emit.h"
#include "emit_int.h"
#include "exprs.h"
#include "intr_table.h"
#include "resource.h"
#include "spec.h"

/* ------------------------------------------------------------ sections */

static FILE *section(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f)
        abort();
    return f;
}

char *asl_em_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

/* ------------------------------------------------------------- tables */

const char *asl_em_def(struct em *em, const char *type, const char *prefix, int is_array, char *init)
{
    char *key = asl_em_fmt("%s%s|%s", type, is_array ? "[]" : "", init);
    char *name = asl_strmap_get(&em->defs, key);
    if (!name) {
        name = asl_em_next_name(em, prefix);
        fprintf(em->decl, "static const %s %s%s = %s;\n", type, name, is_array ? "[]" : "", init);
        asl_strmap_put(&em->defs, key, name);
    }
    free(key);
    free(init);
    return name;
}

char *asl_em_next_name(struct em *em, const char *prefix)
{
    /* Stored: how many names the prefix has given, plus one (NULL: none yet). */
    intptr_t given = (intptr_t)asl_strmap_get(&em->counts, prefix);
    long long n = given ? (long long)given - 1 : 0;
    asl_strmap_put(&em->counts, prefix, (void *)(intptr_t)(n + 2));
    return asl_em_fmt("%s_%lld", prefix, n);
}

char *asl_em_list(char **items, size_t n, int one_line)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    fputc('{', f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, one_line ? "%s%s" : "%s\n    %s,", one_line && i ? ", " : "", items[i]);
        free(items[i]);
    }
    fputs(one_line || !n ? "}" : "\n}", f);
    fclose(f);
    free(items);
    return buf;
}

/* ------------------------------------------------------------ bindings */

const char *const *asl_em_binding(struct em *em, const char *resource)
{
    const struct asl_emit_opts *o = em->opts;
    if (!o || !o->nbindings)
        return NULL;
    if (!em->bind_argv) {
        em->bind_argv = calloc(o->nbindings, sizeof *em->bind_argv);
        if (!em->bind_argv)
            abort();
        for (size_t i = 0; i < o->nbindings; i++)
            em->bind_argv[i] = asl_split_words(strchr(o->bindings[i], '=') + 1);
    }
    for (size_t i = 0; i < o->nbindings; i++) {
        if (asl_binding_matches(o->bindings[i], resource))
            return (const char *const *)em->bind_argv[i];
    }
    return NULL;
}

/* ------------------------------------------------------------ literals */

/* Literal indexes start at 1: 0 is "no literal" (aslrt.h). */
int asl_em_lit(struct em *em, json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text)
        abort();
    intptr_t known = (intptr_t)asl_strmap_get(&em->lit_ids, text);
    if (known) {
        free(text);
        return (int)known;
    }
    em->lits = asl_grow(em->lits, em->nlits, sizeof *em->lits);
    em->lits[em->nlits++] = text;
    asl_strmap_put(&em->lit_ids, text, (void *)(intptr_t)em->nlits);
    return (int)em->nlits;
}

char *asl_em_str(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    asl_cemit_cstr(f, s);
    fclose(f);
    return buf;
}

/* ------------------------------------------------------- values, paths */

static void val_init(FILE *f, const struct asl_val *v)
{
    switch (v->kind) {
    case ASL_VAL_STRING:
        fputs("{.kind = ASL_VAL_STRING, .str = ", f);
        asl_cemit_string(f, v->str, v->len);
        fprintf(f, ", .len = %zu}", v->len);
        break;
    case ASL_VAL_INT: fprintf(f, "{.kind = ASL_VAL_INT, .i = %lldLL}", v->i); break;
    case ASL_VAL_REAL: fprintf(f, "{.kind = ASL_VAL_REAL, .r = %.17g}", v->r); break;
    case ASL_VAL_TRUE: fputs("{.kind = ASL_VAL_TRUE}", f); break;
    case ASL_VAL_FALSE: fputs("{.kind = ASL_VAL_FALSE}", f); break;
    case ASL_VAL_NULL: fputs("{.kind = ASL_VAL_NULL}", f); break;
    }
}

static const char *const seg_kinds[] = {
    [ASL_SEG_FIELD] = "ASL_SEG_FIELD", [ASL_SEG_INDEX] = "ASL_SEG_INDEX",
    [ASL_SEG_WILDCARD] = "ASL_SEG_WILDCARD", [ASL_SEG_SLICE] = "ASL_SEG_SLICE",
    [ASL_SEG_FIELDS] = "ASL_SEG_FIELDS", [ASL_SEG_INDEXES] = "ASL_SEG_INDEXES",
    [ASL_SEG_FILTER] = "ASL_SEG_FILTER", [ASL_SEG_DESCENT] = "ASL_SEG_DESCENT",
};

static const char *const root_kinds[] = {
    [ASL_ROOT_INPUT] = "ASL_ROOT_INPUT", [ASL_ROOT_CONTEXT] = "ASL_ROOT_CONTEXT",
    [ASL_ROOT_VAR] = "ASL_ROOT_VAR", [ASL_ROOT_CURRENT] = "ASL_ROOT_CURRENT",
};

static const char *const filter_ops[] = {
    [ASL_F_OR] = "ASL_F_OR", [ASL_F_AND] = "ASL_F_AND", [ASL_F_NOT] = "ASL_F_NOT",
    [ASL_F_EXISTS] = "ASL_F_EXISTS", [ASL_F_EQ] = "ASL_F_EQ", [ASL_F_NE] = "ASL_F_NE",
    [ASL_F_LT] = "ASL_F_LT", [ASL_F_LE] = "ASL_F_LE", [ASL_F_GT] = "ASL_F_GT", [ASL_F_GE] = "ASL_F_GE",
};

static const char *emit_filter(struct em *em, const struct asl_filter *flt);

/* The initializer of one segment; the tables it points at are defined first. */
static char *seg_init(struct em *em, const struct asl_seg *s)
{
    char *buf = NULL;
    size_t len = 0;
    const char *dep = NULL;
    if (s->kind == ASL_SEG_FIELDS) {
        char **names = calloc(s->n ? s->n : 1, sizeof *names);
        if (!names)
            abort();
        for (size_t k = 0; k < s->n; k++)
            names[k] = asl_em_str(s->names[k]);
        dep = asl_em_def(em, "char *const", "names", 1, asl_em_list(names, s->n, 1));
    } else if (s->kind == ASL_SEG_INDEXES) {
        char **ix = calloc(s->n ? s->n : 1, sizeof *ix);
        if (!ix)
            abort();
        for (size_t k = 0; k < s->n; k++)
            ix[k] = asl_em_fmt("%lldLL", s->indexes[k]);
        dep = asl_em_def(em, "long long", "indexes", 1, asl_em_list(ix, s->n, 1));
    } else if (s->kind == ASL_SEG_FILTER) {
        dep = emit_filter(em, s->filter);
    } else if (s->kind == ASL_SEG_DESCENT && s->sub) {
        dep = asl_em_def(em, "struct asl_seg", "seg", 0, seg_init(em, s->sub));
    }
    FILE *f = section(&buf, &len);
    fprintf(f, "{.kind = %s", seg_kinds[s->kind]);
    switch (s->kind) {
    case ASL_SEG_FIELD:
        fputs(", .name = ", f);
        asl_cemit_string(f, s->name, s->name_len);
        fprintf(f, ", .name_len = %zu", s->name_len);
        break;
    case ASL_SEG_INDEX:
        fprintf(f, ", .index = %lldLL", s->index);
        break;
    case ASL_SEG_SLICE:
        if (s->has_start)
            fprintf(f, ", .start = %lldLL, .has_start = 1", s->start);
        if (s->has_end)
            fprintf(f, ", .end = %lldLL, .has_end = 1", s->end);
        if (s->has_step)
            fprintf(f, ", .step = %lldLL, .has_step = 1", s->step);
        break;
    case ASL_SEG_FIELDS:
        fprintf(f, ", .n = %zu, .names = %s", s->n, dep);
        break;
    case ASL_SEG_INDEXES:
        fprintf(f, ", .n = %zu, .indexes = %s", s->n, dep);
        break;
    case ASL_SEG_FILTER:
        fprintf(f, ", .filter = &%s", dep);
        break;
    case ASL_SEG_DESCENT:
        if (dep)
            fprintf(f, ", .sub = &%s", dep);
        break;
    case ASL_SEG_WILDCARD:
        break;
    }
    fputc('}', f);
    fclose(f);
    return buf;
}

const char *asl_em_path(struct em *em, const struct asl_path *p)
{
    /* A path's tables follow from its text alone: look the text up first. */
    const char *known = asl_strmap_get(&em->path_ids, p->text);
    if (known)
        return known;
    const char *segs = NULL;
    if (p->nseg) {
        char **inits = calloc(p->nseg, sizeof *inits);
        if (!inits)
            abort();
        for (size_t i = 0; i < p->nseg; i++)
            inits[i] = seg_init(em, &p->segs[i]);
        segs = asl_em_def(em, "struct asl_seg", "segs", 1, asl_em_list(inits, p->nseg, 0));
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    fputs("{.text = ", f);
    asl_cemit_cstr(f, p->text);
    if (p->root != ASL_ROOT_INPUT)
        fprintf(f, ", .root = %s", root_kinds[p->root]);
    if (p->var) {
        fputs(", .var = ", f);
        asl_cemit_cstr(f, p->var);
    }
    if (p->nseg)
        fprintf(f, ", .nseg = %zu, .segs = %s", p->nseg, segs);
    if (p->definite)
        fputs(", .definite = 1", f);
    fputc('}', f);
    fclose(f);
    const char *name = asl_em_def(em, "struct asl_path", "path", 0, buf);
    asl_strmap_put(&em->path_ids, p->text, (void *)name);   /* owned by em->defs */
    return name;
}

static void operand_init(struct em *em, FILE *f, const struct asl_foperand *o)
{
    if (o->path) {
        fprintf(f, "{.path = &%s}", asl_em_path(em, o->path));
    } else {
        fputs("{.val = ", f);
        val_init(f, &o->val);
        fputc('}', f);
    }
}

static const char *emit_filter(struct em *em, const struct asl_filter *flt)
{
    const char *left = flt->left ? emit_filter(em, flt->left) : NULL;
    const char *right = flt->right ? emit_filter(em, flt->right) : NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    fprintf(f, "{.op = %s", filter_ops[flt->op]);
    if (left)
        fprintf(f, ", .left = &%s", left);
    if (right)
        fprintf(f, ", .right = &%s", right);
    fputs(", .a = ", f);
    operand_init(em, f, &flt->a);
    fputs(", .b = ", f);
    operand_init(em, f, &flt->b);
    fputc('}', f);
    fclose(f);
    return asl_em_def(em, "struct asl_filter", "filter", 0, buf);
}

/* ------------------------------------------------------- expressions */

static const char *const expr_kinds[] = {
    [ASL_EX_VAL] = "ASL_EX_VAL", [ASL_EX_PATH] = "ASL_EX_PATH", [ASL_EX_CALL] = "ASL_EX_CALL",
};

#define INTR_ENUM(E, ...) [ASL_INTR_##E] = "ASL_INTR_" #E,
static const char *const intr_enum[] = {ASL_INTRINSICS(INTR_ENUM)};
#undef INTR_ENUM

static char *expr_init(struct em *em, const struct asl_expr *e)
{
    const char *dep = NULL;
    if (e->kind == ASL_EX_PATH) {
        dep = asl_em_path(em, e->path);
    } else if (e->kind == ASL_EX_CALL && e->nargs) {
        char **inits = calloc(e->nargs, sizeof *inits);
        if (!inits)
            abort();
        for (size_t i = 0; i < e->nargs; i++)
            inits[i] = expr_init(em, &e->args[i]);
        dep = asl_em_def(em, "struct asl_expr", "args", 1, asl_em_list(inits, e->nargs, 0));
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    fprintf(f, "{.kind = %s, .text = ", expr_kinds[e->kind]);
    asl_cemit_cstr(f, e->text);
    if (e->kind == ASL_EX_VAL) {
        fputs(", .val = ", f);
        val_init(f, &e->val);
    } else if (e->kind == ASL_EX_PATH) {
        fprintf(f, ", .path = &%s", dep);
    } else {
        const struct asl_intr_info *info = asl_intr_info(e->fn);
        fprintf(f, ", .fn = %s, .name = ", intr_enum[e->fn]);
        asl_cemit_cstr(f, e->name);
        fprintf(f, ", .impl = %s, .nargs = %zu", info->symbol, e->nargs);
        if (dep)
            fprintf(f, ", .args = %s", dep);
        if (info->needs_crypto)
            em->needs->crypto = 1;
    }
    fputc('}', f);
    fclose(f);
    return buf;
}

const char *asl_em_expr(struct em *em, const struct asl_expr *e)
{
    return asl_em_def(em, "struct asl_expr", "expr", 0, expr_init(em, e));
}

/* ---------------------------------------------------------- templates */

char *asl_em_tpl_container(struct em *em, int is_object, char **keys, char **inits, size_t n)
{
    const char *kids = asl_em_def(em, "struct asl_tpl", "kids", 1, asl_em_list(inits, n, 0));
    if (!is_object)
        return asl_em_fmt("{.kind = ASL_TPL_ARRAY, .n = %zu, .kids = %s}", n, kids);
    const char *k = asl_em_def(em, "char *const", "keys", 1, asl_em_list(keys, n, 1));
    return asl_em_fmt("{.kind = ASL_TPL_OBJECT, .n = %zu, .keys = %s, .kids = %s}", n, k, kids);
}

/* One template node's initializer; the tables it points at are defined first. */
static char *tpl_init(struct em *em, const struct asl_ctpl *t)
{
    switch (t->kind) {
    case ASL_CTPL_LIT:
        return asl_em_fmt("{.kind = ASL_TPL_LIT, .lit = %d}", asl_em_lit(em, t->lit));
    case ASL_CTPL_EXPR: {
        const char *e = asl_em_expr(em, t->expr);
        char *fld = asl_em_str(t->field);
        char *init = asl_em_fmt("{.kind = ASL_TPL_EXPR, .expr = &%s, .field = %s}", e, fld);
        free(fld);
        return init;
    }
    case ASL_CTPL_JSONATA:
        return asl_em_jn_init(em, t);
    case ASL_CTPL_OBJECT: case ASL_CTPL_ARRAY:
        break;
    }
    int is_object = t->kind == ASL_CTPL_OBJECT;
    char **inits = calloc(t->n ? t->n : 1, sizeof *inits);
    char **keys = is_object ? calloc(t->n ? t->n : 1, sizeof *keys) : NULL;
    if (!inits || (is_object && !keys))
        abort();
    for (size_t i = 0; i < t->n; i++) {
        if (is_object)
            keys[i] = asl_em_str(t->keys[i]);
        inits[i] = tpl_init(em, &t->kids[i]);
    }
    return asl_em_tpl_container(em, is_object, keys, inits, t->n);
}

char *asl_em_tpl(struct em *em, const struct asl_ctpl *t)
{
    if (!t)
        return NULL;
    return asl_em_fmt("&%s", asl_em_def(em, "struct asl_tpl", "tpl", 0, tpl_init(em, t)));
}

/* ------------------------------------------------------------- Choice */

/* The tree of one JSONPath rule, as an initializer. */
static char *rule_cond(struct em *em, const struct asl_ccond *c)
{
    if (c->kind == ASL_COND_CMP) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = section(&buf, &len);
        fprintf(f, "{.op = %s, .var = &%s", c->op->cmp_enum, asl_em_path(em, c->var));
        if (c->path)
            fprintf(f, ", .path = &%s", asl_em_path(em, c->path));
        else
            fprintf(f, ", .lit = %d", asl_em_lit(em, c->lit));
        fputc('}', f);
        fclose(f);
        return buf;
    }
    char **subs = calloc(c->n, sizeof *subs);
    if (!subs)
        abort();
    for (size_t i = 0; i < c->n; i++)
        subs[i] = rule_cond(em, &c->kids[i]);
    const char *kids = asl_em_def(em, "struct asl_cond", "conds", 1, asl_em_list(subs, c->n, 0));
    return asl_em_fmt("{.kind = %s, .n = %zu, .kids = %s}",
                      c->kind == ASL_COND_NOT ? "ASL_COND_NOT" : c->kind == ASL_COND_AND ? "ASL_COND_AND"
                                                                                        : "ASL_COND_OR",
                      c->n, kids);
}

void asl_em_field(FILE *f, const char *name, char *value)
{
    if (value)
        fprintf(f, ", .%s = %s", name, value);
    free(value);
}

char *asl_em_braced(FILE *f, char **buf)
{
    fclose(f);
    char *s = **buf ? asl_em_fmt("{%s}", *buf + 2) : NULL;
    free(*buf);
    *buf = NULL;
    return s;
}

#define field asl_em_field

static const char *emit_choice(struct em *em, const struct asl_cchoice *ch)
{
    char **rows = calloc(ch->nrules ? ch->nrules : 1, sizeof *rows);
    if (!rows)
        abort();
    for (size_t i = 0; i < ch->nrules; i++) {
        const struct asl_crule *r = &ch->rules[i];
        char *buf = NULL;
        size_t len = 0;
        FILE *f = section(&buf, &len);
        fprintf(f, "{.next = %d", r->next);
        if (r->cond) {
            char *cond = rule_cond(em, r->cond);
            fprintf(f, ", .cond = &%s", asl_em_def(em, "struct asl_cond", "cond", 0, cond));
            field(f, "assign", asl_em_tpl(em, r->assign));
        } else {
            field(f, "condition", asl_em_tpl(em, r->condition));
            field(f, "assign", asl_em_tpl(em, r->assign));
            field(f, "output", asl_em_tpl(em, r->output));
        }
        fputc('}', f);
        fclose(f);
        rows[i] = buf;
    }
    const char *rules = asl_em_def(em, "struct asl_choice_rule", "rules", 1, asl_em_list(rows, ch->nrules, 0));
    char *init = ch->has_default
                     ? asl_em_fmt("{.nrules = %zu, .rules = %s, .has_default = 1, .default_next = %d}",
                                  ch->nrules, rules, ch->default_next)
                     : asl_em_fmt("{.nrules = %zu, .rules = %s}", ch->nrules, rules);
    return asl_em_def(em, "struct asl_choice", "choice", 0, init);
}

/* ------------------------------------------------------------- states */

char *asl_em_path_ref(struct em *em, const struct asl_path *p)
{
    return p ? asl_em_fmt("&%s", asl_em_path(em, p)) : NULL;
}

static char *expr_ref(struct em *em, const struct asl_expr *e)
{
    return e ? asl_em_fmt("&%s", asl_em_expr(em, e)) : NULL;
}

static char *flag(int set)
{
    return set ? strdup("1") : NULL;
}

/* The state's ".io = {...}" member, or NULL when it sets none of it. */
static char *emit_io(struct em *em, const struct asl_cstate *s)
{
    const struct asl_cio *io = &s->spec->io;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    if (s->jsonata) {
        fputs(", .jsonata = 1", f);
        field(f, "arguments", asl_em_tpl(em, io->arguments));
        field(f, "output", asl_em_tpl(em, io->output));
        field(f, "assign", asl_em_tpl(em, io->assign));
    } else {
        field(f, "input_path", asl_em_path_ref(em, io->input_path));
        field(f, "output_path", asl_em_path_ref(em, io->output_path));
        field(f, "result_path", asl_em_path_ref(em, io->result_path));
        field(f, "parameters", asl_em_tpl(em, io->parameters));
        field(f, "result_selector", asl_em_tpl(em, io->result_selector));
        field(f, "assign", asl_em_tpl(em, io->assign));
        field(f, "input_null", flag(io->input_null));
        field(f, "output_null", flag(io->output_null));
        field(f, "result_null", flag(io->result_null));
    }
    return asl_em_braced(f, &buf);
}

static const char *emit_wait(struct em *em, const struct asl_cwait *w)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    if (w->has_seconds)
        fprintf(f, ", .seconds = %lld", w->seconds);
    field(f, "timestamp", w->timestamp ? asl_em_str(w->timestamp) : NULL);
    field(f, "seconds_path", asl_em_path_ref(em, w->seconds_path));
    field(f, "timestamp_path", asl_em_path_ref(em, w->timestamp_path));
    field(f, "seconds_jn", asl_em_tpl(em, w->seconds_jn));
    field(f, "timestamp_jn", asl_em_tpl(em, w->timestamp_jn));
    /* "Seconds": 0 is {.seconds = 0}: the descriptor itself says "Seconds". */
    char *init = asl_em_braced(f, &buf);
    return asl_em_def(em, "struct asl_wait", "wait", 0, init ? init : strdup("{.seconds = 0}"));
}

static const char *emit_fail(struct em *em, const struct asl_cfail *fl)
{
    char *ej = asl_em_tpl(em, fl->error_jn);
    char *cj = asl_em_tpl(em, fl->cause_jn);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = section(&buf, &len);
    field(f, "error", fl->error ? asl_em_str(fl->error) : NULL);
    field(f, "cause", fl->cause ? asl_em_str(fl->cause) : NULL);
    field(f, "error_path", expr_ref(em, fl->error_path));
    field(f, "cause_path", expr_ref(em, fl->cause_path));
    field(f, "error_jn", ej);
    field(f, "cause_jn", cj);
    char *init = asl_em_braced(f, &buf);
    return init ? asl_em_def(em, "struct asl_fail", "fail", 0, init) : NULL;
}

/* The type-specific descriptor's name, or NULL when the state needs none. */
static const char *emit_spec(struct em *em, const struct asl_cstate *s)
{
    const struct asl_cspec *sp = s->spec;
    switch (s->type) {
    case ASL_PASS:
        if (!sp->u.pass.result)
            return NULL;
        return asl_em_def(em, "struct asl_pass", "pass", 0,
                          asl_em_fmt("{.result_lit = %d}", asl_em_lit(em, sp->u.pass.result)));
    case ASL_WAIT:
        return emit_wait(em, &sp->u.wait);
    case ASL_FAIL:
        return emit_fail(em, &sp->u.fail);
    case ASL_CHOICE:
        return emit_choice(em, &sp->u.choice);
    case ASL_TASK:
        return asl_em_task(em, s);
    case ASL_PARALLEL:
        return asl_em_parallel(em, s);
    case ASL_MAP:
        return asl_em_map(em, s);
    case ASL_SUCCEED:
        break;
    }
    return NULL;
}

static void emit_state(struct em *em, const struct asl_cstate *s, FILE *table)
{
    const char *spec = emit_spec(em, s);
    char *io = emit_io(em, s);
    int nx = s->spec->next;
    fprintf(table, "    {   /* %d */\n        .name = ", s->local);
    asl_cemit_cstr(table, s->name);
    fprintf(table, ",\n        .type = %s, .fn = %s", asl_state_type_enum(s->type), asl_state_type_fn(s->type));
    if (spec)
        fprintf(table, ", .spec = &%s", spec);
    if (nx >= 0) {      /* say where Next goes: indexes alone are hard to follow */
        fprintf(table, ", .next = %d, /* ", nx);
        asl_cemit_comment(table, s->machine->states[nx].name, 60);
        fputs(" */\n", table);
    } else if (s->spec->end) {
        fputs(", .end = 1,\n", table);
    } else {
        fputs(",\n", table);
    }
    if (io)
        fprintf(table, "        .io = %s,\n", io);
    fputs("    },\n", table);
    free(io);
}

static void emit_machine(struct em *em, struct asl_cmachine *mc)
{
    char *rows = NULL;
    size_t rl = 0;
    FILE *table = section(&rows, &rl);
    for (size_t i = 0; i < mc->n; i++)
        emit_state(em, &mc->states[i], table);
    fclose(table);
    fputs("/* States block ", em->tab);
    asl_cemit_comment(em->tab, *mc->pointer ? mc->pointer : "/", 200);
    fprintf(em->tab, " */\nstatic const struct asl_state machine_%d_states[] = {\n%s};\n", mc->id, rows);
    fprintf(em->tab, "static const struct asl_machine machine_%d = {.start = %d, .nstates = %zu, .states = machine_%d_states};\n\n",
            mc->id, mc->start, mc->n, mc->id);
    free(rows);
}

int asl_emit(FILE *out, struct asl_model *m, const struct asl_emit_opts *o, struct asl_link_needs *needs)
{
    struct em em = {.m = m, .needs = needs, .opts = o};
    char *decl = NULL, *tab = NULL;
    size_t dl = 0, tl = 0;
    memset(needs, 0, sizeof *needs);
    em.decl = section(&decl, &dl);
    em.tab = section(&tab, &tl);

    /* Children before parents: a Parallel's spec points at its branches. */
    for (size_t i = m->nmachines; i-- > 0;)
        emit_machine(&em, m->machines[i]);
    fclose(em.decl);
    fclose(em.tab);

    fprintf(out, "/* Generated by aslc %s from ", ASLC_VERSION);
    asl_cemit_comment(out, o->source_name, 200);
    fputs(". Do not edit. */\n#include \"aslrt.h\"\n", out);
    if (needs->jsonata)
        fputs("#include \"aslrt_jsonata.h\"\n", out);
    fputc('\n', out);
    for (size_t i = 0; i < m->nmachines; i++)
        fprintf(out, "static const struct asl_machine machine_%zu;\n", i);
    fputs("\n/* ---- paths, expressions, templates, Choice rules, state descriptors */\n", out);
    fputs(decl, out);
    fputs("\n/* ---- states */\n", out);
    fputs(tab, out);
    fputs("/* ---- literals, parsed once at start-up ([0]: no literal) */\n", out);
    fprintf(out, "static const char *const lit_json[%zu] = {\n    NULL,\n", em.nlits + 1);
    for (size_t i = 0; i < em.nlits; i++) {
        fputs("    ", out);
        asl_cemit_cstr(out, em.lits[i]);
        fputs(",\n", out);
    }
    fprintf(out, "};\nstatic json_t *lits[%zu];\n\n", em.nlits + 1);
    fputs("static const struct asl_program program = {\n    .source = ", out);
    asl_cemit_cstr(out, o->source_name);
    fputs(",\n    .definition = ", out);
    asl_cemit_string(out, o->definition, o->definition_len);
    fprintf(out, ",\n    .machine = &machine_0,\n    .nlits = %zu, .lit_json = lit_json, .lits = lits,\n", em.nlits + 1);
    if (m->timeout_seconds)
        fprintf(out, "    .timeout_seconds = %lld,\n", m->timeout_seconds);
    if (needs->jsonata) {
        fputs("    .jsonata_eval = asl_jn_eval,\n", out);
        needs->pcre2 = needs->crypto = 1;
    }
    if (em.s3_client)
        fprintf(out, "    .s3 = &%s,\n", em.s3_client);
    fputs("};\n\n", out);
    fputs("int main(int argc, char **argv)\n{\n    return asl_main(&program, argc, argv);\n}\n", out);

    asl_strmap_free(&em.counts, NULL);
    asl_strmap_free(&em.defs, free);
    asl_strmap_free(&em.path_ids, NULL);
    asl_strmap_free(&em.lit_ids, NULL);
    for (size_t i = 0; em.bind_argv && i < o->nbindings; i++)
        asl_free_words(em.bind_argv[i]);
    free(em.bind_argv);
    for (size_t i = 0; i < em.nlits; i++)
        free(em.lits[i]);
    free(em.lits);
    free(decl);
    free(tab);
    return ferror(out) ? -1 : 0;
}
