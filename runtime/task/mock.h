/*
 * task/mock.h - Step Functions Local mock configs (mock.c).
 *
 * Internal to the runtime: the Task state's execution calls these; Retry,
 * Catch, ResultSelector and ResultPath happen around them.  Thread-safe:
 * Parallel branches and Map iterations call them at once.
 */
#ifndef ASL_TASK_MOCK_H
#define ASL_TASK_MOCK_H

#include <jansson.h>

#include "aslrt.h"

/* A loaded Step Functions Local MockConfigFile, narrowed to one test case,
 * with a per-state attempt counter. */
struct asl_mock;

/* Load `path`, pick the state machine named machine_name (when it is NULL
 * or not in the file, the file's only state machine) and its test case
 * case_name (NULL: the machine's only test case).  Returns 0 and *out, or
 * -1 with err (States.Runtime, a cause naming the file and the problem). */
int asl_mock_load(const char *path, const char *machine_name, const char *case_name,
                  struct asl_mock **out, struct asl_err *err);
/* The same; strict: machine_name must be in the file (--mock-machine NAME). */
int asl_mock_load_named(const char *path, const char *machine_name, int strict, const char *case_name,
                        struct asl_mock **out, struct asl_err *err);

/* 1 when the test case lists state_name. */
int asl_mock_has(const struct asl_mock *m, const char *state_name);

/* Take the next attempt of state_name (attempts counted from 0 per state
 * over the whole execution, retries included; thread-safe).
 *   1: *ret = the entry's Return (new reference to a shared value: never
 *      mutate it);
 *   0: err = the entry's Throw (Error and Cause kept NULL when JSON null
 *      or absent);
 *  -1: err = States.Runtime naming the state and attempt that has no
 *      response (or the state is not in the test case). */
int asl_mock_next(struct asl_mock *m, const char *state_name, json_t **ret, struct asl_err *err);

void asl_mock_free(struct asl_mock *m);

#endif
