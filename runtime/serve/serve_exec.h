/*
 * serve_exec.h - running one execution for the server (exec.c: in-memory
 * StartSyncExecution runs and what every run shares; exec_durable.c:
 * Standard executions through the store).  Called by the pool (run.c).
 */
#ifndef ASL_SERVE_EXEC_H
#define ASL_SERVE_EXEC_H

#include <stdint.h>

#include "run/run.h"

struct asl_serve;
struct asl_serve_call;
struct asl_serve_conn;

/* Parse --bind/--bucket once and check every Task can run (messages on
 * stderr): 0, or -1. */
int asl_serve_exec_setup(struct asl_serve *s, const char *argv0);
void asl_serve_exec_teardown(struct asl_serve *s);
/* One execution's struct asl_exec from the shared options; input borrowed,
 * strings copied (free them with asl_serve_exec_clear). */
void asl_serve_exec_init(struct asl_serve *s, struct asl_exec *ex, json_t *input, const char *name,
                         const char *exec_arn);
void asl_serve_exec_clear(struct asl_exec *ex);

/* Run a StartSyncExecution call to its end and answer it. */
void asl_serve_exec_sync(struct asl_serve *s, struct asl_serve_call *c);
/* Standard executions (exec_durable.c): set s->run_durable and
 * s->interrupt, queue the store's RUNNING executions, start the timer that
 * wakes parked ones.  0, or -1 with msg. */
int asl_serve_durable_start(struct asl_serve *s, char *msg, size_t msgsize);
/* Stop the timer (after the pool stopped). */
void asl_serve_durable_stop(struct asl_serve *s);

/* StopExecution of a RUNNING execution: ABORTED with error/cause, an
 * ExecutionAborted event, its tokens and queued activity tasks closed, in
 * one transaction.  0, or -1 (store error). */
struct asl_store_exec;
int asl_serve_exec_abort(struct asl_serve *s, struct asl_serve_conn *h, const struct asl_store_exec *e,
                         const char *error, const char *cause, double now);
/* RedriveExecution of a redrivable execution: RUNNING again, redriveCount
 * + 1, an ExecutionRedriven event.  0, or -1. */
int asl_serve_exec_redrive(struct asl_serve *s, struct asl_serve_conn *h, const struct asl_store_exec *e,
                           double now);
/* RedriveExecution clientToken: 1 when a redrive with this token happened
 * in the last 15 minutes (*date its date), else 0; keep records one. */
int asl_serve_redrive_token_seen(struct asl_serve *s, struct asl_serve_conn *h, int64_t exec,
                                 const char *token, double now, double *date);
void asl_serve_redrive_token_keep(struct asl_serve *s, struct asl_serve_conn *h, int64_t exec,
                                  const char *token, double now);

/* The one log line at an execution's end: name, status, duration. */
void asl_serve_log_end(const char *name, const char *status, double started, const char *error);
/* A random lower-case dashed UUID. */
void asl_serve_uuid(char *buf, size_t n);
/* malloc'd printf. */
char *asl_serve_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
