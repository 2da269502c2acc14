/*
 * recover.h - Retry and Catch around the work of a Task, Parallel or Map.
 */
#ifndef ASL_RECOVER_H
#define ASL_RECOVER_H

#include "run/run.h"

/* One attempt at the state's work with the effective parameters
 * (borrowed): 0 with *result (new reference), or -1 with run->err set. */
typedef int (*asl_attempt_fn)(struct asl_run *run, const struct asl_state *st, void *ctx,
                              json_t *params, json_t **result);

/* The whole state: InputPath, Parameters, attempts under Retry, Catch,
 * ResultSelector, Assign, ResultPath, OutputPath.  Returns an asl_step. */
int asl_recover_run(struct asl_run *run, const struct asl_state *st,
                          const struct asl_recovery *rec, json_t *in, asl_attempt_fn attempt,
                          void *ctx, json_t **out, int *next);

/* {"Error": ..., "Cause": ...} for a caught error (new reference). */
json_t *asl_recover_error_output(const struct asl_err *err);

#endif
