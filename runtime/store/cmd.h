/*
 * store/cmd.h - what cli.c calls for the store: the subcommands
 * (send-task-success, ..., history) and the start and end of a run with
 * --store.  See store/cmd.c.
 */
#ifndef ASL_STORE_CMD_H
#define ASL_STORE_CMD_H

#include "run/run.h"
#include "store/store.h"

/* 1 when argv[1] names a store subcommand. */
int asl_store_cmd_is(const char *arg);
/* Run the subcommand argv[1] (not redrive: cli.c runs that); returns the
 * exit status. */
int asl_store_cmd(const struct asl_program *prog, int argc, char **argv);
/* This binary's state machine ARN / an execution's ARN (malloc'd). */
char *asl_store_sm_arn(const char *argv0);
char *asl_store_exec_arn(const char *argv0, const char *name);

/* Before the run: open the store and find, create, resume or (redrive)
 * reopen ex->exec_arn.  0: run it; 1: it is over already, *closed_result
 * is its --result object; -1: refused, message printed (exit 2). */
int asl_store_run_start(struct asl_exec *ex, const char *path, int sync, int redrive, const char *argv0,
                        json_t **closed_result);
/* After the run: close the execution in the store.  exit_status is the
 * run's (0, 1, 3); returns the exit status to use: 4 when the execution
 * was stopped meanwhile (*result then says ABORTED), 2 when the store
 * cannot be written (the execution stays resumable). */
int asl_store_run_end(struct asl_exec *ex, int exit_status, const char *output, const char *error,
                      const char *cause, json_t **result);
/* Report an execution that was already over: its error on stderr (its
 * output is the caller's to write); returns its exit status. */
int asl_store_report(json_t *result, const char *argv0);
/* The history as GetExecutionHistory answers, {"events": [...]}, one event
 * a line (malloc'd text): of an execution that was already over / of this
 * run's, from the store (across restarts).  NULL on a store error (message
 * printed). */
char *asl_store_history_doc_closed(const char *store, const char *arn, const char *argv0);
char *asl_store_history_doc(struct asl_exec *ex);
/* The whole history as a JSON array (new reference), NULL on a store error. */
json_t *asl_store_history_json(struct asl_store *st, int64_t exec, int reverse, int limit);

#endif /* ASL_STORE_CMD_H */
