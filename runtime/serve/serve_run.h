/*
 * serve_run.h - the execution side of the server (run.c): a bounded pool of
 * worker threads runs executions until they end or suspend; a timer thread
 * wakes suspended executions when their deadline comes or when the store
 * says a callback was answered (by this server or another process).
 * Waiting executions hold no thread and no memory beyond their store rows.
 */
#ifndef ASL_SERVE_RUN_H
#define ASL_SERVE_RUN_H

#include <stddef.h>
#include <stdint.h>

struct asl_serve;

/* What every execution runs with (the single-run options that apply). */
struct asl_serve_runopts {
    const char **bind;
    size_t nbind;
    const char **bucket;
    size_t nbucket;
    double wait_scale;
};

/* Start the pool and resume the store's RUNNING executions.  0, or -1
 * with msg filled. */
int asl_serve_run_start(struct asl_serve *s, char *msg, size_t msgsize);
/* Stop taking work, answer pending long polls, let running executions
 * park in the store, join the threads. */
void asl_serve_run_stop(struct asl_serve *s);
void asl_serve_run_free(struct asl_serve *s);

/* Queue execution `id` for a worker (dropped when already queued; rerun
 * once more when it is running now).  0, or -1 when the queue is full. */
int asl_serve_run_submit(struct asl_serve *s, int64_t id);
/* The execution's callback was answered or its deadline moved: run it soon
 * (as submit, but a full queue leaves it to the timer). */
void asl_serve_run_wake(struct asl_serve *s, int64_t id);
/* Queue a StartSyncExecution call (answered by a worker).  0, or -1 when
 * the queue is full. */
struct asl_serve_call;
int asl_serve_run_sync(struct asl_serve *s, struct asl_serve_call *c);
/* Executions waiting for a worker now. */
int asl_serve_run_queued(struct asl_serve *s);

/* ---- GetActivityTask long polls (activity.c) */
int asl_serve_polls_start(struct asl_serve *s);
/* Answer every held poll with {} and stop. */
void asl_serve_polls_stop(struct asl_serve *s);

#endif
