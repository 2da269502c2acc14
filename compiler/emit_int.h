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
    FILE *decl, *fn, *tab;      /* the three sections (see emit.c) */
    int npath, nfilter, nexpr, nargs, ntpl, ncmp, ncond, njn;
    char **lits;
    size_t nlits;
    json_t *lit_ids;            /* literal text -> index: each distinct literal stored once */
    json_t *path_ids;           /* path text -> path id: each distinct path is emitted once */
    const struct asl_emit_opts *opts;
    char ***bind_argv;          /* opts->bindings split into words, lazily */
};

/* The program a `aslc build --bind RESOURCE=PROGRAM` gives this resource. */
const char *const *asl_em_binding(struct em *em, const char *resource);

/* 1 when pred holds for some node of v (key: the member name, or NULL). */
int asl_em_tree_any(json_t *v, const char *key, int (*pred)(const char *key, json_t *v));
char *asl_em_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct asl_expr *asl_em_parse(struct em *em, const char *text, enum asl_expr_mode mode);
int asl_em_lit(struct em *em, json_t *v);
int asl_em_path(struct em *em, const struct asl_path *p);
int asl_em_expr(struct em *em, const struct asl_expr *e);
/* Shared by JSONPath and JSONata templates: the kids array and container
 * initializer of template `id` (inits freed), and a named root (init freed). */
char *asl_em_tpl_kids(struct em *em, int id, int is_object, char **inits, size_t n);
char *asl_em_tpl_root(struct em *em, char *init);
/* "&tpl_N" for a template value, "NULL" for none (malloc'd). */
char *asl_em_tpl(struct em *em, json_t *v);
char *asl_em_path_field(struct em *em, json_t *node, const char *key, enum asl_expr_mode mode,
                        int *is_null);

/* emit_jsonata.c: a JSONata-state template ("&tpl_N" or "NULL"); location
 * names the field in causes ("Output", nested "Output/result"). */
char *asl_em_jtpl(struct em *em, json_t *v, const char *location);
/* The field's "{% %}" expression as a template, or "NULL" when it is absent
 * or a literal. */
char *asl_em_jtpl_expr_only(struct em *em, json_t *node, const char *key);

/* emit_exec.c: Task, Parallel descriptors ("&spec" text); emit_map.c: Map. */
/* ".rec = {...}" for a state's Retry and Catch. */
char *asl_em_recovery(struct em *em, struct asl_cstate *s);
/* A number field, or dflt when absent. */
double asl_em_num_or(json_t *obj, const char *key, double dflt);
char *asl_em_task(struct em *em, struct asl_cstate *s);
char *asl_em_parallel(struct em *em, struct asl_cstate *s);
char *asl_em_map(struct em *em, struct asl_cstate *s);

#endif
