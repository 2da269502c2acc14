/*
 * jsonata/jn_states.h - JSONata states (jn_states.c): the $states object, "{% %}"
 * templates and fields, and the end of a JSONata state (Assign, Output).
 *
 * Ownership: *out results are new references; arguments are borrowed.
 */
#ifndef ASL_JSONATA_JN_STATES_H
#define ASL_JSONATA_JN_STATES_H

#include "run/run.h"

/* The $states object {input, context, result?, errorOutput?} (new reference). */
json_t *asl_jn_states(struct asl_run *run, json_t *input, json_t *result, json_t *error_output);
/* Evaluate a JSONata-state template against a $states object. */
int asl_jn_tpl(struct asl_run *run, const struct asl_tpl *t, json_t *states, json_t **out);
/* Finish a JSONata state: evaluate Assign and Output against
 * $states {input: raw, result, errorOutput} (both see the variables as they
 * were on entry), then store the variables.  Output defaults to
 * errorOutput, else result, else the raw input. */
int asl_jn_finish(struct asl_run *run, const struct asl_tpl *assign, const struct asl_tpl *output,
                  json_t *raw, json_t *result, json_t *error_output, json_t **out);
/* A JSONata field's value must be of `want` ("string", "integer", "array",
 * "boolean", ...): fail with AWS's "returned an unexpected result type"
 * cause otherwise.  Returns 0 or -1. */
int asl_jn_expect(struct asl_run *run, const struct asl_tpl *t, json_t *v, const char *want);

#endif
