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
void asl_check_task(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s);
void asl_check_parallel(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s);
void asl_check_map(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s);

/* "an object", "a string", ... for messages (check.c). */
const char *asl_ck_type_name(json_t *v);

/* Shared field checks (check_exec.c).  Every expression they parse is
 * kept in the model (asl_spec_keep_expr) for the spec. */
void asl_ck_int_range(struct asl_diags *d, json_t *node, const char *key, const char *base,
                      double min, double max);
void asl_ck_ref_path(struct asl_model *m, struct asl_diags *d, json_t *node, const char *key,
                     const char *base);
/* Parse text (the JSON string v) at pointer and keep it; NULL after a diagnostic. */
struct asl_expr *asl_ck_expr(struct asl_model *m, struct asl_diags *d, const char *pointer, json_t *v,
                             enum asl_expr_mode mode);
void asl_ck_retry(struct asl_diags *d, struct asl_cstate *s);
void asl_ck_catch(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s);

/* Variables assigned and read anywhere in the definition, for the warning
 * about reads of variables no state assigns. */
struct asl_varrefs {
    const char **assigned;      /* Assign keys, borrowed from the document (".$" kept) */
    size_t nassigned;
    char **read, **read_at;     /* owned: the name read and the pointer where */
    size_t nread;
};
void asl_varrefs_assigned(struct asl_varrefs *v, const char *key);
void asl_varrefs_read(struct asl_varrefs *v, const char *name, const char *pointer);

/* JSONata states (check_jsonata.c): every expression parses (its reads and
 * the state's Assign keys go to refs); Choice rules are JSONata rules. */
void asl_check_jsonata_state(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s,
                             struct asl_varrefs *refs);

#endif
