/*
 * emit.c - write the C program for one state machine.
 *
 * Layout of the generated file:
 *   banner, #include "aslrt.h", forward declarations of the machines
 *   compiled paths, expressions, templates, Choice comparisons   (decl)
 *   Choice conditions and one function per state                 (fn)
 *   state descriptors and one table per States block             (tab)
 *   the literal table, the program, main()
 * Everything is named by index (path_3, state_7); user text reaches the C
 * only through asl_cemit_*.  Counters advance in document order, so the
 * same definition always gives the same bytes.
 */
#define _GNU_SOURCE     /* open_memstream */
#include <stdarg.h>
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

/* Reparse an expression the checker already accepted. */
struct asl_expr *asl_em_parse(struct em *em, const char *text, enum asl_expr_mode mode)
{
    struct asl_expr *e = NULL;
    struct asl_expr_error err;
    if (asl_expr_parse(&em->arena, text, strlen(text), mode, &e, &err) != 0) {
        fprintf(stderr, "aslc: internal error: '%s' no longer parses (%s)\n", text, err.msg);
        abort();
    }
    return e;
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

int asl_em_lit(struct em *em, json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text)
        abort();
    json_t *known = json_object_get(em->lit_ids, text);
    if (known) {
        free(text);
        return (int)json_integer_value(known);
    }
    if (!(em->nlits & (em->nlits - 1))) {   /* capacity doubles at powers of two */
        em->lits = realloc(em->lits, (em->nlits ? 2 * em->nlits : 1) * sizeof *em->lits);
        if (!em->lits)
            abort();
    }
    json_object_set_new(em->lit_ids, text, json_integer((json_int_t)em->nlits));
    em->lits[em->nlits] = text;
    return (int)em->nlits++;
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

static int emit_filter(struct em *em, const struct asl_filter *flt);

/* The initializer of one segment; its dependencies go to decl first. */
static char *seg_init(struct em *em, const char *prefix, size_t i, const struct asl_seg *s)
{
    char *buf = NULL;
    size_t len = 0;
    char *dep = NULL;
    if (s->kind == ASL_SEG_FIELDS) {
        dep = asl_em_fmt("%s_s%zu_names", prefix, i);
        fprintf(em->decl, "static const char *const %s[] = {", dep);
        for (size_t k = 0; k < s->n; k++) {
            fputs(k ? ", " : "", em->decl);
            asl_cemit_cstr(em->decl, s->names[k]);
        }
        fputs("};\n", em->decl);
    } else if (s->kind == ASL_SEG_INDEXES) {
        dep = asl_em_fmt("%s_s%zu_indexes", prefix, i);
        fprintf(em->decl, "static const long long %s[] = {", dep);
        for (size_t k = 0; k < s->n; k++)
            fprintf(em->decl, "%s%lldLL", k ? ", " : "", s->indexes[k]);
        fputs("};\n", em->decl);
    } else if (s->kind == ASL_SEG_FILTER) {
        dep = asl_em_fmt("filter_%d", emit_filter(em, s->filter));
    } else if (s->kind == ASL_SEG_DESCENT && s->sub) {
        char *sub_prefix = asl_em_fmt("%s_s%zu", prefix, i);
        char *sub = seg_init(em, sub_prefix, 0, s->sub);
        dep = asl_em_fmt("%s_sub", sub_prefix);
        fprintf(em->decl, "static const struct asl_seg %s = %s;\n", dep, sub);
        free(sub);
        free(sub_prefix);
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
        fprintf(f, ", .start = %lldLL, .end = %lldLL, .step = %lldLL, .has_start = %d, .has_end = %d, .has_step = %d",
                s->start, s->end, s->step, s->has_start, s->has_end, s->has_step);
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
    free(dep);
    return buf;
}

int asl_em_path(struct em *em, const struct asl_path *p)
{
    /* A path's tables follow from its text alone: emit each text once. */
    json_t *known = json_object_get(em->path_ids, p->text);
    if (known)
        return (int)json_integer_value(known);
    int id = em->npath++;
    json_object_set_new(em->path_ids, p->text, json_integer(id));
    char *prefix = asl_em_fmt("path_%d", id);
    if (p->nseg) {
        char **inits = calloc(p->nseg, sizeof *inits);
        if (!inits)
            abort();
        for (size_t i = 0; i < p->nseg; i++)
            inits[i] = seg_init(em, prefix, i, &p->segs[i]);
        fprintf(em->decl, "static const struct asl_seg %s_segs[] = {\n", prefix);
        for (size_t i = 0; i < p->nseg; i++) {
            fprintf(em->decl, "    %s,\n", inits[i]);
            free(inits[i]);
        }
        fputs("};\n", em->decl);
        free(inits);
    }
    fprintf(em->decl, "static const struct asl_path %s = {.text = ", prefix);
    asl_cemit_cstr(em->decl, p->text);
    fprintf(em->decl, ", .root = %s", root_kinds[p->root]);
    if (p->var) {
        fputs(", .var = ", em->decl);
        asl_cemit_cstr(em->decl, p->var);
    }
    if (p->nseg)
        fprintf(em->decl, ", .nseg = %zu, .segs = %s_segs", p->nseg, prefix);
    fprintf(em->decl, ", .definite = %d};\n", p->definite);
    free(prefix);
    return id;
}

static void operand_init(struct em *em, FILE *f, const struct asl_foperand *o)
{
    if (o->path) {
        int pid = asl_em_path(em, o->path);
        fprintf(f, "{.path = &path_%d}", pid);
    } else {
        fputs("{.val = ", f);
        val_init(f, &o->val);
        fputc('}', f);
    }
}

static int emit_filter(struct em *em, const struct asl_filter *flt)
{
    int left = flt->left ? emit_filter(em, flt->left) : -1;
    int right = flt->right ? emit_filter(em, flt->right) : -1;
    char *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;
    FILE *fa = section(&a, &al), *fb = section(&b, &bl);
    operand_init(em, fa, &flt->a);
    operand_init(em, fb, &flt->b);
    fclose(fa);
    fclose(fb);
    int id = em->nfilter++;
    fprintf(em->decl, "static const struct asl_filter filter_%d = {.op = %s", id, filter_ops[flt->op]);
    if (left >= 0)
        fprintf(em->decl, ", .left = &filter_%d", left);
    if (right >= 0)
        fprintf(em->decl, ", .right = &filter_%d", right);
    fprintf(em->decl, ", .a = %s, .b = %s};\n", a, b);
    free(a);
    free(b);
    return id;
}

/* ------------------------------------------------------- expressions */

static const char *const expr_kinds[] = {
    [ASL_EX_VAL] = "ASL_EX_VAL", [ASL_EX_PATH] = "ASL_EX_PATH", [ASL_EX_CALL] = "ASL_EX_CALL",
};

static char *expr_init(struct em *em, const struct asl_expr *e)
{
    char *dep = NULL;
    if (e->kind == ASL_EX_PATH) {
        dep = asl_em_fmt("path_%d", asl_em_path(em, e->path));
    } else if (e->kind == ASL_EX_CALL && e->nargs) {
        char **inits = calloc(e->nargs, sizeof *inits);
        if (!inits)
            abort();
        for (size_t i = 0; i < e->nargs; i++)
            inits[i] = expr_init(em, &e->args[i]);
        dep = asl_em_fmt("args_%d", em->nargs++);
        fprintf(em->decl, "static const struct asl_expr %s[] = {\n", dep);
        for (size_t i = 0; i < e->nargs; i++) {
            fprintf(em->decl, "    %s,\n", inits[i]);
            free(inits[i]);
        }
        fputs("};\n", em->decl);
        free(inits);
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
        fprintf(f, ", .fn = %d, .name = ", (int)e->fn);
        asl_cemit_cstr(f, e->name);
        fprintf(f, ", .impl = %s, .nargs = %zu", info->symbol, e->nargs);
        if (dep)
            fprintf(f, ", .args = %s", dep);
        if (info->needs_crypto)
            em->needs->crypto = 1;
    }
    fputc('}', f);
    fclose(f);
    free(dep);
    return buf;
}

int asl_em_expr(struct em *em, const struct asl_expr *e)
{
    char *init = expr_init(em, e);
    int id = em->nexpr++;
    fprintf(em->decl, "static const struct asl_expr expr_%d = %s;\n", id, init);
    free(init);
    return id;
}

/* ---------------------------------------------------------- templates */

int asl_em_tree_any(json_t *v, const char *key, int (*pred)(const char *key, json_t *v))
{
    if (pred(key, v))
        return 1;
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, x)
            if (asl_em_tree_any(x, k, pred))
                return 1;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            if (asl_em_tree_any(x, NULL, pred))
                return 1;
    }
    return 0;
}

/* A "key.$" member: the template is not a plain literal. */
static int is_dollar_key(const char *key, json_t *v)
{
    (void)v;
    size_t kl = key ? strlen(key) : 0;
    return kl >= 2 && strcmp(key + kl - 2, ".$") == 0;
}

static int has_dynamic(json_t *v)
{
    return asl_em_tree_any(v, NULL, is_dollar_key);
}

/* The kids array of template `id` (inits are freed) and the container's
 * initializer; keys, for an object, were written as tpl_<id>_keys. */
char *asl_em_tpl_kids(struct em *em, int id, int is_object, char **inits, size_t n)
{
    fprintf(em->decl, "static const struct asl_tpl tpl_%d_kids[] = {\n", id);
    for (size_t i = 0; i < n; i++) {
        fprintf(em->decl, "    %s,\n", inits[i]);
        free(inits[i]);
    }
    fputs("};\n", em->decl);
    free(inits);
    if (is_object)
        return asl_em_fmt("{.kind = ASL_TPL_OBJECT, .n = %zu, .keys = tpl_%d_keys, .kids = tpl_%d_kids}",
                          n, id, id);
    return asl_em_fmt("{.kind = ASL_TPL_ARRAY, .n = %zu, .kids = tpl_%d_kids}", n, id);
}

/* A named root template from its initializer (freed): "&tpl_N". */
char *asl_em_tpl_root(struct em *em, char *init)
{
    int id = em->ntpl++;
    fprintf(em->decl, "static const struct asl_tpl tpl_%d = %s;\n", id, init);
    free(init);
    return asl_em_fmt("&tpl_%d", id);
}

static char *tpl_init(struct em *em, json_t *v, const char *field)
{
    if (!has_dynamic(v))
        return asl_em_fmt("{.kind = ASL_TPL_LIT, .lit = %d}", asl_em_lit(em, v));
    int id = em->ntpl++;
    size_t n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
    char **inits = calloc(n, sizeof *inits);
    if (!inits)
        abort();
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        size_t i = 0;
        char **keys = calloc(n, sizeof *keys);
        if (!keys)
            abort();
        json_object_foreach(v, k, x) {
            size_t kl = strlen(k);
            if (kl >= 2 && strcmp(k + kl - 2, ".$") == 0) {
                keys[i] = strndup(k, kl - 2);
                struct asl_expr *e = asl_em_parse(em, json_string_value(x), ASL_MODE_PAYLOAD);
                char *ei = expr_init(em, e);
                char *fld = NULL;
                size_t fl = 0;
                FILE *ff = section(&fld, &fl);
                asl_cemit_cstr(ff, k);
                fclose(ff);
                /* A lone expression needs a named asl_expr to point at. */
                int eid = em->nexpr++;
                fprintf(em->decl, "static const struct asl_expr expr_%d = %s;\n", eid, ei);
                inits[i] = asl_em_fmt("{.kind = ASL_TPL_EXPR, .expr = &expr_%d, .field = %s}", eid, fld);
                free(ei);
                free(fld);
            } else {
                keys[i] = strdup(k);
                inits[i] = tpl_init(em, x, k);
            }
            i++;
        }
        fprintf(em->decl, "static const char *const tpl_%d_keys[] = {", id);
        for (i = 0; i < n; i++) {
            fputs(i ? ", " : "", em->decl);
            asl_cemit_cstr(em->decl, keys[i]);
            free(keys[i]);
        }
        fputs("};\n", em->decl);
        free(keys);
    } else {
        for (size_t i = 0; i < n; i++)
            inits[i] = tpl_init(em, json_array_get(v, i), field);
    }
    return asl_em_tpl_kids(em, id, json_is_object(v), inits, n);
}

char *asl_em_tpl(struct em *em, json_t *v)
{
    if (!v)
        return strdup("NULL");
    return asl_em_tpl_root(em, tpl_init(em, v, NULL));
}

/* ------------------------------------------------------------- Choice */


/* A C expression evaluating one rule (1 true, 0 false, -1 error). */
static char *rule_cond(struct em *em, json_t *rule, const char *pointer)
{
    const char *key;
    json_t *v;
    json_object_foreach(rule, key, v) {
        const struct asl_choice_op *op = asl_choice_op_lookup(key);
        if (op) {
            struct asl_expr *var = asl_em_parse(em, json_string_value(json_object_get(rule, "Variable")),
                                                ASL_MODE_PATH);
            int vid = asl_em_path(em, var->path);
            int pid = -1, lit = -1;
            if (op->operand == ASL_OPND_PATH)
                pid = asl_em_path(em, asl_em_parse(em, json_string_value(v), ASL_MODE_PATH)->path);
            else
                lit = asl_em_lit(em, v);
            int id = em->ncmp++;
            fprintf(em->decl, "static const struct asl_cmp cmp_%d = {.var = &path_%d, .op = %s, .lit = %d",
                    id, vid, op->cmp_enum, lit);
            if (pid >= 0)
                fprintf(em->decl, ", .path = &path_%d", pid);
            fputs(", .pointer = ", em->decl);
            asl_cemit_cstr(em->decl, pointer);
            fputs("};\n", em->decl);
            return asl_em_fmt("asl_choice_cmp(run, &cmp_%d, in)", id);
        }
    }
    int is_and = json_object_get(rule, "And") != NULL;
    int is_or = json_object_get(rule, "Or") != NULL;
    json_t *not = json_object_get(rule, "Not");
    const char *which = is_and ? "And" : is_or ? "Or" : "Not";
    char *bp = asl_ptr_join(pointer, which);
    size_t n = not ? 1 : json_array_size(json_object_get(rule, which));
    char **subs = calloc(n, sizeof *subs);
    if (!subs)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (not) {
            subs[i] = rule_cond(em, not, bp);
        } else {
            char *ip = asl_ptr_index(bp, i);
            subs[i] = rule_cond(em, json_array_get(json_object_get(rule, which), i), ip);
            free(ip);
        }
    }
    int id = em->ncond++;
    fprintf(em->fn, "/* %s at ", which);
    asl_cemit_comment(em->fn, pointer, 200);
    fprintf(em->fn, " */\nstatic int cond_%d(struct asl_run *run, json_t *in)\n{\n", id);
    if (not) {
        fprintf(em->fn, "    int r = %s;\n    return r < 0 ? r : !r;\n", subs[0]);
    } else {
        /* And stops at the first rule that is not true; Or at the first that is not false. */
        fputs("    int r;\n", em->fn);
        for (size_t i = 0; i < n; i++)
            fprintf(em->fn, "    if ((r = %s) != %d)\n        return r;\n", subs[i], is_and ? 1 : 0);
        fprintf(em->fn, "    return %d;\n", is_and ? 1 : 0);
    }
    fputs("}\n\n", em->fn);
    for (size_t i = 0; i < n; i++)
        free(subs[i]);
    free(subs);
    free(bp);
    return asl_em_fmt("cond_%d(run, in)", id);
}

static void emit_choice(struct em *em, struct asl_cstate *s)
{
    json_t *choices = json_object_get(s->node, "Choices");
    size_t n = json_array_size(choices);
    char *rules = NULL;
    size_t rl = 0;
    FILE *rf = section(&rules, &rl);
    char *cp = asl_ptr_join(s->pointer, "Choices");
    for (size_t i = 0; i < n && s->jsonata; i++) {
        json_t *rule = json_array_get(choices, i);
        char *cond = asl_em_jtpl(em, json_object_get(rule, "Condition"), "Condition");
        char *assign = asl_em_jtpl(em, json_object_get(rule, "Assign"), "Assign");
        char *output = asl_em_jtpl(em, json_object_get(rule, "Output"), "Output");
        int next = asl_machine_find(s->machine, json_string_value(json_object_get(rule, "Next")));
        fprintf(rf, "    {.condition = %s, .next = %d, .assign = %s, .output = %s},\n", cond, next,
                assign, output);
        free(cond);
        free(assign);
        free(output);
    }
    for (size_t i = 0; i < n && !s->jsonata; i++) {
        json_t *rule = json_array_get(choices, i);
        char *rp = asl_ptr_index(cp, i);
        char *cond = rule_cond(em, rule, rp);
        fprintf(em->fn, "/* rule %zu of state %d: ", i, s->gid);
        asl_cemit_comment(em->fn, rp, 200);
        fprintf(em->fn, " */\nstatic int rule_%d_%zu(struct asl_run *run, json_t *in)\n{\n    return %s;\n}\n\n",
                s->gid, i, cond);
        char *assign = asl_em_tpl(em, json_object_get(rule, "Assign"));
        int next = asl_machine_find(s->machine, json_string_value(json_object_get(rule, "Next")));
        fprintf(rf, "    {.test = rule_%d_%zu, .next = %d, .assign = %s},\n", s->gid, i, next, assign);
        free(assign);
        free(cond);
        free(rp);
    }
    fclose(rf);
    free(cp);
    fprintf(em->tab, "static const struct asl_choice_rule choice_%d_rules[] = {\n%s};\n", s->gid, rules);
    json_t *def = json_object_get(s->node, "Default");
    fprintf(em->tab, "static const struct asl_choice choice_%d = {.nrules = %zu, .rules = choice_%d_rules, .default_next = %d};\n",
            s->gid, n, s->gid, def ? asl_machine_find(s->machine, json_string_value(def)) : -1);
    free(rules);
}

/* ------------------------------------------------------------- states */

/* "&path_N" for a path field, or NULL; *is_null for an explicit null. */
char *asl_em_path_field(struct em *em, json_t *node, const char *key, enum asl_expr_mode mode,
                        int *is_null)
{
    json_t *v = json_object_get(node, key);
    if (is_null)
        *is_null = json_is_null(v);
    if (!json_is_string(v))
        return strdup("NULL");
    struct asl_expr *e = asl_em_parse(em, json_string_value(v), mode);
    return asl_em_fmt("&path_%d", asl_em_path(em, e->path));
}

static char *expr_field(struct em *em, json_t *node, const char *key, enum asl_expr_mode mode)
{
    json_t *v = json_object_get(node, key);
    if (!json_is_string(v))
        return strdup("NULL");
    return asl_em_fmt("&expr_%d", asl_em_expr(em, asl_em_parse(em, json_string_value(v), mode)));
}

static void emit_io(struct em *em, struct asl_cstate *s, FILE *f)
{
    if (s->jsonata) {
        char *args = asl_em_jtpl(em, json_object_get(s->node, "Arguments"), "Arguments");
        char *out = asl_em_jtpl(em, json_object_get(s->node, "Output"), "Output");
        char *as = asl_em_jtpl(em, json_object_get(s->node, "Assign"), "Assign");
        fprintf(f, "        .io = {.jsonata = 1, .arguments = %s, .output = %s, .assign = %s},\n",
                args, out, as);
        free(args);
        free(out);
        free(as);
        return;
    }
    int in_null, out_null, res_null;
    char *ip = asl_em_path_field(em, s->node, "InputPath", ASL_MODE_PATH, &in_null);
    char *op = asl_em_path_field(em, s->node, "OutputPath", ASL_MODE_PATH, &out_null);
    char *rp = asl_em_path_field(em, s->node, "ResultPath", ASL_MODE_RESULTPATH, &res_null);
    json_t *params = json_object_get(s->node, s->type == ASL_MAP ? "__none__" : "Parameters");
    char *pt = asl_em_tpl(em, params);
    char *rs = asl_em_tpl(em, json_object_get(s->node, "ResultSelector"));
    char *as = asl_em_tpl(em, json_object_get(s->node, "Assign"));
    /* Only what the state sets: absent fields are NULL/0 by C's rules. */
    const char *names[] = {"input_path", "output_path", "result_path", "parameters",
                           "result_selector", "assign"};
    const char *vals[] = {ip, op, rp, pt, rs, as};
    int nulls[] = {in_null, out_null, res_null};
    const char *null_names[] = {"input_null", "output_null", "result_null"};
    int first = 1;
    for (int i = 0; i < 6; i++)
        first &= strcmp(vals[i], "NULL") == 0;
    for (int i = 0; i < 3; i++)
        first &= !nulls[i];
    if (first)
        goto done;      /* nothing to say: no .io line at all */
    first = 1;
    fputs("        .io = {", f);
    for (int i = 0; i < 6; i++)
        if (strcmp(vals[i], "NULL") != 0) {
            fprintf(f, "%s.%s = %s", first ? "" : ", ", names[i], vals[i]);
            first = 0;
        }
    for (int i = 0; i < 3; i++)
        if (nulls[i]) {
            fprintf(f, "%s.%s = 1", first ? "" : ", ", null_names[i]);
            first = 0;
        }
    fputs("},\n", f);
done:
    free(ip);
    free(op);
    free(rp);
    free(pt);
    free(rs);
    free(as);
}


/* The type-specific descriptor; returns "&spec" text or "NULL". */
static char *emit_spec(struct em *em, struct asl_cstate *s)
{
    json_t *n = s->node;
    switch (s->type) {
    case ASL_PASS: {
        json_t *res = json_object_get(n, "Result");
        fprintf(em->tab, "static const struct asl_pass pass_%d = {.result_lit = %d};\n", s->gid,
                res ? asl_em_lit(em, res) : -1);
        return asl_em_fmt("&pass_%d", s->gid);
    }
    case ASL_WAIT: {
        json_t *secs = json_object_get(n, "Seconds");
        char *sj = asl_em_jtpl_expr_only(em, n, "Seconds");
        char *tj = asl_em_jtpl_expr_only(em, n, "Timestamp");
        if (!json_is_number(secs))
            secs = NULL;
        char *sp = asl_em_path_field(em, n, "SecondsPath", ASL_MODE_REFPATH, NULL);
        char *tp = asl_em_path_field(em, n, "TimestampPath", ASL_MODE_REFPATH, NULL);
        fprintf(em->tab, "static const struct asl_wait wait_%d = {.seconds = %lld, .timestamp = ",
                s->gid, secs ? (long long)json_number_value(secs) : -1LL);
        const char *ts = json_string_value(json_object_get(n, "Timestamp"));
        asl_cemit_cstr(em->tab, ts && !asl_is_jsonata_text(ts, NULL, NULL) ? ts : NULL);
        fprintf(em->tab, ", .seconds_path = %s, .timestamp_path = %s, .seconds_jn = %s, .timestamp_jn = %s};\n",
                sp, tp, sj, tj);
        free(sp);
        free(tp);
        free(sj);
        free(tj);
        return asl_em_fmt("&wait_%d", s->gid);
    }
    case ASL_FAIL: {
        char *ep = expr_field(em, n, "ErrorPath", ASL_MODE_ERRPATH);
        char *cp = expr_field(em, n, "CausePath", ASL_MODE_ERRPATH);
        char *ej = s->jsonata ? asl_em_jtpl_expr_only(em, n, "Error") : strdup("NULL");
        char *cj = s->jsonata ? asl_em_jtpl_expr_only(em, n, "Cause") : strdup("NULL");
        const char *et = json_string_value(json_object_get(n, "Error"));
        const char *ct = json_string_value(json_object_get(n, "Cause"));
        fprintf(em->tab, "static const struct asl_fail fail_%d = {.error = ", s->gid);
        asl_cemit_cstr(em->tab, strcmp(ej, "NULL") == 0 ? et : NULL);
        fputs(", .cause = ", em->tab);
        asl_cemit_cstr(em->tab, strcmp(cj, "NULL") == 0 ? ct : NULL);
        fprintf(em->tab, ", .error_path = %s, .cause_path = %s, .error_jn = %s, .cause_jn = %s};\n",
                ep, cp, ej, cj);
        free(ep);
        free(cp);
        free(ej);
        free(cj);
        return asl_em_fmt("&fail_%d", s->gid);
    }
    case ASL_CHOICE:
        emit_choice(em, s);
        return asl_em_fmt("&choice_%d", s->gid);
    case ASL_TASK:
        return asl_em_task(em, s);
    case ASL_PARALLEL:
        return asl_em_parallel(em, s);
    case ASL_MAP:
        return asl_em_map(em, s);
    case ASL_SUCCEED:
        break;
    }
    return strdup("NULL");
}

static void emit_state(struct em *em, struct asl_cstate *s, FILE *table)
{
    fprintf(em->fn, "/* state %d: %s ", s->gid, asl_state_type_name(s->type));
    asl_cemit_comment(em->fn, s->pointer, 200);
    fprintf(em->fn, " */\nstatic int state_%d(struct asl_run *run, const struct asl_state *st, json_t *in,\n"
                    "                   json_t **out, int *next)\n{\n    return %s(run, st, in, out, next);\n}\n\n",
            s->gid, asl_state_type_fn(s->type));
    char *spec = emit_spec(em, s);
    json_t *next = json_object_get(s->node, "Next");
    int nx = json_is_string(next) ? asl_machine_find(s->machine, json_string_value(next)) : -1;
    fprintf(table, "    {   /* %d */\n        .name = ", s->local);
    asl_cemit_cstr(table, s->name);
    fputs(", .pointer = ", table);
    asl_cemit_cstr(table, s->pointer);
    fprintf(table, ",\n        .type = %s, .fn = state_%d, .spec = %s, .next = %d,",
            asl_state_type_enum(s->type), s->gid, spec, nx);
    if (nx >= 0) {      /* say where Next goes: indexes alone are hard to follow */
        fputs(" /* ", table);
        asl_cemit_comment(table, s->machine->states[nx].name, 60);
        fputs(" */", table);
    }
    fputc('\n', table);
    emit_io(em, s, table);
    fputs("    },\n", table);
    free(spec);
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
    char *decl = NULL, *fn = NULL, *tab = NULL;
    size_t dl = 0, fl = 0, tl = 0;
    memset(needs, 0, sizeof *needs);
    asl_arena_init(&em.arena);
    em.lit_ids = json_object();
    em.path_ids = json_object();
    if (!em.lit_ids || !em.path_ids)
        abort();
    em.decl = section(&decl, &dl);
    em.fn = section(&fn, &fl);
    em.tab = section(&tab, &tl);

    /* Children before parents: a Parallel's spec points at its branches. */
    for (size_t i = m->nmachines; i-- > 0;)
        emit_machine(&em, m->machines[i]);
    fclose(em.decl);
    fclose(em.fn);
    fclose(em.tab);

    fprintf(out, "/* Generated by aslc %s from ", ASLC_VERSION);
    asl_cemit_comment(out, o->source_name, 200);
    fputs(". Do not edit. */\n#include \"aslrt.h\"\n", out);
    if (needs->jsonata)
        fputs("#include \"aslrt_jsonata.h\"\n", out);
    fputc('\n', out);
    for (size_t i = 0; i < m->nmachines; i++)
        fprintf(out, "static const struct asl_machine machine_%zu;\n", i);
    fputs("\n/* ---- compiled paths, expressions, templates, comparisons */\n", out);
    fputs(decl, out);
    fputs("\n/* ---- states */\n", out);
    fputs(fn, out);
    fputs("/* ---- tables */\n", out);
    fputs(tab, out);
    fputs("/* ---- literals, parsed once at start-up */\n", out);
    fprintf(out, "static const char *const lit_json[%zu] = {\n", em.nlits ? em.nlits : 1);
    for (size_t i = 0; i < em.nlits; i++) {
        fputs("    ", out);
        asl_cemit_cstr(out, em.lits[i]);
        fputs(",\n", out);
    }
    fprintf(out, "};\nstatic json_t *lits[%zu];\n\n", em.nlits ? em.nlits : 1);
    json_t *to = json_object_get(m->doc, "TimeoutSeconds");
    fputs("static const struct asl_program program = {\n    .source = ", out);
    asl_cemit_cstr(out, o->source_name);
    fputs(",\n    .definition = ", out);
    asl_cemit_string(out, o->definition, o->definition_len);
    fprintf(out, ",\n    .machine = &machine_0,\n    .nlits = %zu, .lit_json = lit_json, .lits = lits,\n"
                 "    .timeout_seconds = %lld,\n",
            em.nlits, json_is_number(to) ? (long long)json_number_value(to) : -1LL);
    if (needs->jsonata) {
        fputs("    .jsonata_eval = asl_jn_eval,\n", out);
        needs->pcre2 = needs->crypto = 1;
    }
    fputs("};\n\n", out);
    fputs("int main(int argc, char **argv)\n{\n    return asl_main(&program, argc, argv);\n}\n", out);

    json_decref(em.path_ids);
    json_decref(em.lit_ids);
    for (size_t i = 0; em.bind_argv && i < o->nbindings; i++)
        asl_free_words(em.bind_argv[i]);
    free(em.bind_argv);
    for (size_t i = 0; i < em.nlits; i++)
        free(em.lits[i]);
    free(em.lits);
    free(decl);
    free(fn);
    free(tab);
    asl_arena_free(&em.arena);
    return ferror(out) ? -1 : 0;
}
