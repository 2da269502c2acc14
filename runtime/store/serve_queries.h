/*
 * serve_queries.h - what the API server keeps in the store file beside the
 * executions (store.h): its own key and dates, activities, tags and the
 * activity task queue.  Its own SQLite connection to the same file (WAL lets
 * both connections work at once), its own tables (serve_*).
 *
 * One handle per thread at a time, as with store.h.  Results: 0 OK, 1 not
 * found, 2 exists, negative on failure (asl_sq_errmsg says why).
 */
#ifndef ASL_SERVE_QUERIES_H
#define ASL_SERVE_QUERIES_H

#include <stddef.h>
#include <stdint.h>

enum { ASL_SQ_OK = 0, ASL_SQ_NOT_FOUND = 1, ASL_SQ_EXISTS = 2, ASL_SQ_EIO = -1 };

struct asl_sq;

/* Open the store file (creating the serve tables); full != 0 asks for
 * fsync at every commit.  0, or -1 with msg filled. */
int asl_sq_open(const char *path, int full, struct asl_sq **out, char *msg, size_t msgsize);
void asl_sq_close(struct asl_sq *q);
const char *asl_sq_errmsg(struct asl_sq *q);
int asl_sq_begin(struct asl_sq *q);
int asl_sq_commit(struct asl_sq *q);
int asl_sq_rollback(struct asl_sq *q);

/* Small named values (the page-token key, the state machine's creation
 * date).  get: malloc'd copy of len bytes, or NOT_FOUND.  put_new keeps an
 * existing value (EXISTS) so concurrent first starts agree. */
int asl_sq_meta_get(struct asl_sq *q, const char *key, void **val, size_t *len);
int asl_sq_meta_put_new(struct asl_sq *q, const char *key, const void *val, size_t len);

/* Activities, by ARN.  create: OK, or EXISTS with *created the first
 * creation date (CreateActivity is idempotent by name). */
int asl_sq_activity_create(struct asl_sq *q, const char *arn, const char *name, double now,
                           double *created);
int asl_sq_activity_get(struct asl_sq *q, const char *arn, double *created);
int asl_sq_activity_delete(struct asl_sq *q, const char *arn);
/* In creation order, position > after (a rowid), at most limit; fn gets
 * each with its position; nonzero from fn stops the walk. */
int asl_sq_activity_list(struct asl_sq *q, int64_t after, int limit,
                         int (*fn)(void *arg, int64_t pos, const char *arn, const char *name,
                                   double created),
                         void *arg);

/* Tags of a resource ARN, in key order. */
int asl_sq_tags_list(struct asl_sq *q, const char *arn,
                     int (*fn)(void *arg, const char *key, const char *value), void *arg);
int asl_sq_tags_count(struct asl_sq *q, const char *arn, int *n);
int asl_sq_tag_put(struct asl_sq *q, const char *arn, const char *key, const char *value);
int asl_sq_tag_delete(struct asl_sq *q, const char *arn, const char *key);
int asl_sq_tags_drop(struct asl_sq *q, const char *arn);

/* ---- executions (store.h's table), as ListExecutions pages them */
struct asl_sq_exec_item {
    int64_t id;
    const char *arn, *name, *sm_arn;
    int status;
    double start_date, stop_date, redrive_date;
    int redrive_count;
};
/* Executions of sm_arn, newest first, with id < before (0: from the
 * newest), status (-1: any) and redriven (-1: any, 1: redriven at least
 * once, 0: never), at most limit. */
int asl_sq_exec_list(struct asl_sq *q, const char *sm_arn, int status, int redriven, int64_t before,
                     int limit, int (*fn)(void *arg, const struct asl_sq_exec_item *it), void *arg);
/* Open (RUNNING) executions of sm_arn. */
int asl_sq_exec_running(struct asl_sq *q, const char *sm_arn, int64_t *n);

/* ---- the activity task queue: an activity Task's token waits here until a
 * worker's GetActivityTask takes it. */
/* Queue a task (its token is the callback token of store.h). */
int asl_sq_activity_task_add(struct asl_sq *q, const char *token, const char *activity_arn,
                             int64_t exec, const char *input, double now, double timeout_s,
                             double heartbeat_s);
/* Hand the oldest queued task of the activity to a worker: marks it
 * started (worker may be NULL), starts its TimeoutSeconds and
 * HeartbeatSeconds clocks from now (the token's deadlines), wakes its
 * execution so that it records ActivityStarted.  OK with malloc'd *token
 * and *input and *exec, or NOT_FOUND. */
int asl_sq_activity_task_take(struct asl_sq *q, const char *activity_arn, const char *worker, double now,
                              char **token, char **input, int64_t *exec);
/* The task's state: NOT_FOUND when it is not queued; else *started (0: not
 * yet taken) and *worker (malloc'd or NULL). */
int asl_sq_activity_task_get(struct asl_sq *q, const char *token, double *started, char **worker);
/* Forget a task (answered, timed out, its execution ended). */
int asl_sq_activity_task_done(struct asl_sq *q, const char *token);
int asl_sq_activity_tasks_drop_exec(struct asl_sq *q, int64_t exec);

/* ---- RedriveExecution client tokens (idempotent for 15 minutes) */
/* OK with *date of the redrive that token made after `since`, or NOT_FOUND. */
int asl_sq_redrive_token_get(struct asl_sq *q, int64_t exec, const char *token, double since, double *date);
int asl_sq_redrive_token_put(struct asl_sq *q, int64_t exec, const char *token, double date);

#endif
