/*
 * emit_int.h - what the emitter's files share: the emitter state and the
 * helpers that write paths, expressions, templates and literals.
 */
#ifndef ASLC_EMIT_INT_H
#define ASLC_EMIT_INT_H

#include <stdio.h>

#include "emit.h"
#include "expr.h"
#include "vocab.h"

struct em {
    struct asl_model *m;
    struct asl_link_needs *needs;
    struct asl_arena arena;
    FILE *decl, *tab;           /* the two sections (see emit.c) */
    char **lits;                /* literal i + 1 is lits[i] (0 is "no literal") */
    size_t nlits;
    json_t *lit_ids;            /* literal text -> index: each distinct literal stored once */
    json_t *path_ids;           /* path text -> table name: each distinct path emitted once */
    json_t *defs;               /* "type|initializer" -> table name: identical tables once */
    json_t *def_counts;         /* name prefix -> how many tables carry it */
    const struct asl_emit_opts *opts;
    char ***bind_argv;          /* opts->bindings split into words, lazily */
};

/* The program a `aslc build --bind RESOURCE=PROGRAM` gives this resource. */
const char *const *asl_em_binding(struct em *em, const char *resource);

/* Every table goes through asl_em_def: `static const TYPE NAME = INIT;`
 * (NAME[] when is_array) is written to the declarations once per distinct
 * type and initializer, and NAME (PREFIX_N, owned by em) is returned, so
 * identical tables are shared.  init is freed. */
const char *asl_em_def(struct em *em, const char *type, const char *prefix, int is_array, char *init);
/* "{a, b}" (one_line) or "{\n    a,\n    b,\n}" from items (freed, the array too). */
char *asl_em_list(char **items, size_t n, int one_line);
/* Initializers are built as ", .a = x, .b = y" in a memstream: asl_em_field
 * appends one member when value is not NULL (value freed); asl_em_braced
 * closes f (its buffer *buf freed) and returns "{.a = x, .b = y}", or NULL when nothing was set. */
void asl_em_field(FILE *f, const char *name, char *value);
char *asl_em_braced(FILE *f, char **buf);

/* 1 when pred holds for some node of v (key: the member name, or NULL). */
int asl_em_tree_any(json_t *v, const char *key, int (*pred)(const char *key, json_t *v));
char *asl_em_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s as a C string literal (NULL as NULL), malloc'd. */
char *asl_em_str(const char *s);
struct asl_expr *asl_em_parse(struct em *em, const char *text, enum asl_expr_mode mode);
int asl_em_lit(struct em *em, json_t *v);
/* Table names of a compiled path and expression. */
const char *asl_em_path(struct em *em, const struct asl_path *p);
const char *asl_em_expr(struct em *em, const struct asl_expr *e);
/* Shared by JSONPath and JSONata templates: an object's or array's
 * initializer from its members (keys: C literals, NULL for an array; all
 * freed), and a root template from its initializer (freed): "&tpl_N". */
char *asl_em_tpl_container(struct em *em, int is_object, char **keys, char **inits, size_t n);
char *asl_em_tpl_root(struct em *em, char *init);
/* "&tpl_N" for a template value, NULL for none (malloc'd). */
char *asl_em_tpl(struct em *em, json_t *v);
/* "&path_N" for a path field, or NULL; *is_null for an explicit null. */
char *asl_em_path_field(struct em *em, json_t *node, const char *key, enum asl_expr_mode mode,
                        int *is_null);

/* emit_jsonata.c: a JSONata-state template ("&tpl_N", or NULL when v is);
 * location names the field in causes ("Output", nested "Output/result"). */
char *asl_em_jtpl(struct em *em, json_t *v, const char *location);
/* The field's "{% %}" expression as a template, or NULL when it is absent
 * or a literal. */
char *asl_em_jtpl_expr_only(struct em *em, json_t *node, const char *key);

/* emit_exec.c: Task and Parallel descriptors; emit_map.c: Map.  Each
 * returns the descriptor's table name. */
/* ", .rec = {...}" for a state's Retry and Catch ("" when it has neither; malloc'd). */
char *asl_em_recovery(struct em *em, struct asl_cstate *s);
/* A number field, or dflt when absent. */
double asl_em_num_or(json_t *obj, const char *key, double dflt);
const char *asl_em_task(struct em *em, struct asl_cstate *s);
const char *asl_em_parallel(struct em *em, struct asl_cstate *s);
const char *asl_em_map(struct em *em, struct asl_cstate *s);

#endif
