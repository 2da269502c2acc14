/*
 * check.h - semantic checks of a loaded definition.
 */
#ifndef ASLC_CHECK_H
#define ASLC_CHECK_H

#include "expr.h"
#include "model.h"

/* Every problem, reported through d; returns 0 when the definition is valid. */
int asl_check(struct asl_model *m, struct asl_diags *d);

/* Per-type checks for the states that run work (check_exec.c). */
void asl_check_task(struct asl_model *m, struct asl_diags *d, struct asl_arena *a, struct asl_cstate *s);
void asl_check_parallel(struct asl_model *m, struct asl_diags *d, struct asl_arena *a, struct asl_cstate *s);
void asl_check_map(struct asl_model *m, struct asl_diags *d, struct asl_arena *a, struct asl_cstate *s);

/* "an object", "a string", ... for messages (check.c). */
const char *asl_ck_type_name(json_t *v);

/* Shared field checks (check_exec.c). */
void asl_ck_int_range(struct asl_diags *d, json_t *node, const char *key, const char *base,
                      double min, double max);
void asl_ck_ref_path(struct asl_diags *d, struct asl_arena *a, json_t *node, const char *key,
                     const char *base);
void asl_ck_retry(struct asl_diags *d, struct asl_cstate *s);
void asl_ck_catch(struct asl_diags *d, struct asl_arena *a, struct asl_cstate *s);

/* JSONata states (check_jsonata.c): adds the variables JSONata Assign
 * blocks define to the list used for the unassigned-variable warning. */
void asl_check_jsonata_vars(struct asl_model *m, const char ***assigned, size_t *n);
/* Every expression of a JSONata state parses; its Choice rules are JSONata rules. */
void asl_check_jsonata_state(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s);
/* The variables JSONata expressions read, with where (borrowed until
 * asl_check_jsonata_done). */
void asl_check_jsonata_reads(const char ***names, char ***where, size_t *n);
/* Release what the JSONata checks collected. */
void asl_check_jsonata_done(void);

/* The index of a Choice comparison operator by name, or -1. */
int asl_choice_op_index(const char *name);

#endif
