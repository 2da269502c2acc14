/*
 * emit_int.h - what the emitter's files share: the emitter state and the
 * helpers that write paths, expressions, templates and literals.  Their
 * input is the typed model (spec.h): nothing here reads the definition's
 * JSON or parses.
 */
#ifndef ASLC_EMIT_INT_H
#define ASLC_EMIT_INT_H

#include <stdio.h>

#include "emit.h"
#include "expr.h"
#include "maps.h"
#include "spec.h"
#include "vocab.h"

struct em {
    struct asl_model *m;
    struct asl_link_needs *needs;
    FILE *decl, *tab;           /* the two sections (see emit.c) */
    char **lits;                /* literal i + 1 is lits[i] (0 is "no literal") */
    size_t nlits;
    struct asl_strmap lit_ids;  /* literal text -> index: each distinct literal stored once */
    struct asl_strmap path_ids; /* path text -> table name: each distinct path emitted once */
    struct asl_strmap defs;     /* "type|initializer" -> table name (owned): identical tables once */
    struct asl_strmap counts;   /* name prefix -> how many tables carry it, plus one */
    const struct asl_emit_opts *opts;
    char ***bind_argv;          /* opts->bindings split into words, lazily */
    const char *s3_client;      /* the S3 client table (emit_map.c), or NULL */
};

/* The program a `aslc build --bind RESOURCE=PROGRAM` gives this resource. */
const char *const *asl_em_binding(struct em *em, const char *resource);

/* Every table goes through asl_em_def: `static const TYPE NAME = INIT;`
 * (NAME[] when is_array) is written to the declarations once per distinct
 * type and initializer, and NAME (PREFIX_N, owned by em) is returned, so
 * identical tables are shared.  init is freed. */
const char *asl_em_def(struct em *em, const char *type, const char *prefix, int is_array, char *init);
/* The next table name for prefix, "PREFIX_N" (malloc'd). */
char *asl_em_next_name(struct em *em, const char *prefix);
/* "{a, b}" (one_line) or "{\n    a,\n    b,\n}" from items (freed, the array too). */
char *asl_em_list(char **items, size_t n, int one_line);
/* Initializers are built as ", .a = x, .b = y" in a memstream: asl_em_field
 * appends one member when value is not NULL (value freed); asl_em_braced
 * closes f (its buffer *buf freed) and returns "{.a = x, .b = y}", or NULL when nothing was set. */
void asl_em_field(FILE *f, const char *name, char *value);
char *asl_em_braced(FILE *f, char **buf);

char *asl_em_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s as a C string literal (NULL as NULL), malloc'd. */
char *asl_em_str(const char *s);
/* The literal table index of v (each distinct value once). */
int asl_em_lit(struct em *em, json_t *v);
/* Table names of a compiled path and expression. */
const char *asl_em_path(struct em *em, const struct asl_path *p);
const char *asl_em_expr(struct em *em, const struct asl_expr *e);
/* "&path_N" for a path, NULL for none (malloc'd). */
char *asl_em_path_ref(struct em *em, const struct asl_path *p);
/* An object's or array's template initializer from its members (keys: C
 * literals, NULL for an array; all freed). */
char *asl_em_tpl_container(struct em *em, int is_object, char **keys, char **inits, size_t n);
/* "&tpl_N" for a template (JSONPath or JSONata), NULL for none (malloc'd). */
char *asl_em_tpl(struct em *em, const struct asl_ctpl *t);

/* emit_jsonata.c: the initializer of a JSONATA template node (its node
 * tables written once per distinct expression text). */
char *asl_em_jn_init(struct em *em, const struct asl_ctpl *t);

/* emit_exec.c: Task and Parallel descriptors; emit_map.c: Map.  Each
 * returns the descriptor's table name. */
/* ", .rec = {...}" for a state's Retry and Catch ("" when it has neither; malloc'd). */
char *asl_em_recovery(struct em *em, const struct asl_crecovery *rec);
const char *asl_em_task(struct em *em, const struct asl_cstate *s);
const char *asl_em_parallel(struct em *em, const struct asl_cstate *s);
const char *asl_em_map(struct em *em, const struct asl_cstate *s);

#endif
