/*
 * activity.c - GetActivityTask: a worker's long poll.  The call is answered
 * at once when a task of the activity is queued (runtime/store/serve_queries.h),
 * else held, with no thread, until a task arrives or poll_seconds pass
 * (then an empty answer, {}, as AWS's "no task" reply).  One thread checks
 * the held polls every 50 ms, one store query per activity being polled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve_int.h"
#include "serve_ops.h"
#include "serve_run.h"
#include "store/serve_queries.h"

#define TICK_MS 50

struct poller {
    struct asl_serve_call *c;
    char *arn;
    char *worker;
    double deadline;
    struct poller *next;
};

struct asl_serve_polls {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct poller *head, *tail;
    int stop;
    pthread_t thread;
};

/* Answer a poll with a task, or with {} when token is NULL. */
static void answer(struct asl_serve_call *c, const char *token, const char *input)
{
    c->out = token ? json_pack("{s:s,s:s}", "taskToken", token, "input", input) : json_object();
    asl_serve_call_finish(c);
}

static void free_poller(struct poller *p)
{
    free(p->arn);
    free(p->worker);
    free(p);
}

/* Take a task for (arn, worker): 1 with *token and *input (malloc'd), 0 none, -1 store error. */
static int take(struct asl_serve *s, struct asl_serve_conn *h, const char *arn, const char *worker,
                char **token, char **input)
{
    int64_t exec = 0;
    int rc = asl_sq_activity_task_take(h->sq, arn, worker, asl_serve_now(), token, input, &exec);
    if (rc == ASL_SQ_OK) {
        asl_serve_run_wake(s, exec);    /* it records ActivityStarted */
        return 1;
    }
    if (rc < 0)
        asl_log(ASL_LOG_ERROR, "serve", "GetActivityTask: the store failed: %s", asl_sq_errmsg(h->sq));
    return rc == ASL_SQ_NOT_FOUND ? 0 : -1;
}

/* One pass over the held polls: expire, then serve each activity's queue
 * to its pollers in arrival order. */
static void sweep(struct asl_serve *s, struct asl_serve_polls *P, int stopping)
{
    double now = asl_serve_now();
    pthread_mutex_lock(&P->mu);
    struct poller *list = P->head;
    P->head = P->tail = NULL;
    pthread_mutex_unlock(&P->mu);

    struct poller *keep = NULL, **kt = &keep;   /* polls still waiting, in order */
    struct asl_serve_conn *h = list && !stopping ? asl_serve_db_get(s->db) : NULL;
    /* Activities found empty in this pass are not asked again. */
    const char *empty[64];
    int nempty = 0;
    for (struct poller *p = list, *next; p; p = next) {
        next = p->next;
        p->next = NULL;
        if (stopping || now >= p->deadline) {
            answer(p->c, NULL, NULL);
            free_poller(p);
            continue;
        }
        int known_empty = 0;
        for (int i = 0; i < nempty; i++)
            if (strcmp(empty[i], p->arn) == 0)
                known_empty = 1;
        char *token = NULL, *input = NULL;
        int got = known_empty ? 0 : take(s, h, p->arn, p->worker, &token, &input);
        if (got == 1) {
            answer(p->c, token, input);
            free(token);
            free(input);
            free_poller(p);
            continue;
        }
        if (got == 0 && !known_empty && nempty < 64)
            empty[nempty++] = p->arn;
        *kt = p;
        kt = &p->next;
    }
    if (h)
        asl_serve_db_put(s->db, h);
    /* Put the survivors back in front of polls that arrived meanwhile. */
    pthread_mutex_lock(&P->mu);
    if (keep) {
        struct poller *last = keep;
        while (last->next)
            last = last->next;
        last->next = P->head;
        if (!P->head)
            P->tail = last;
        P->head = keep;
    }
    pthread_mutex_unlock(&P->mu);
}

static void *poll_thread(void *arg)
{
    struct asl_serve *s = arg;
    struct asl_serve_polls *P = s->polls;
    pthread_mutex_lock(&P->mu);
    while (!P->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&P->cv, &P->mu, &ts);
        if (P->stop)
            break;
        pthread_mutex_unlock(&P->mu);
        sweep(s, P, 0);
        pthread_mutex_lock(&P->mu);
    }
    pthread_mutex_unlock(&P->mu);
    sweep(s, P, 1);
    return NULL;
}

int asl_serve_polls_start(struct asl_serve *s)
{
    struct asl_serve_polls *P = calloc(1, sizeof *P);
    if (!P)
        return -1;
    pthread_mutex_init(&P->mu, NULL);
    pthread_cond_init(&P->cv, NULL);
    s->polls = P;
    if (pthread_create(&P->thread, NULL, poll_thread, s) != 0) {
        s->polls = NULL;
        pthread_cond_destroy(&P->cv);
        pthread_mutex_destroy(&P->mu);
        free(P);
        return -1;
    }
    return 0;
}

void asl_serve_polls_stop(struct asl_serve *s)
{
    struct asl_serve_polls *P = s->polls;
    if (!P)
        return;
    pthread_mutex_lock(&P->mu);
    P->stop = 1;
    pthread_cond_signal(&P->cv);
    pthread_mutex_unlock(&P->mu);
    pthread_join(P->thread, NULL);
    pthread_cond_destroy(&P->cv);
    pthread_mutex_destroy(&P->mu);
    free(P);
    s->polls = NULL;
}

/* GetActivityTask {activityArn, workerName?} -> {taskToken?, input?} */
int asl_serve_op_get_activity_task(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    struct asl_serve_polls *P = s->polls;
    const char *arn = asl_serve_str(c, "activityArn");
    const char *worker = asl_serve_str(c, "workerName");
    struct asl_serve_arn a;
    if (asl_serve_arn_parse(c, arn, &a) != 0)
        return ASL_SERVE_DONE;
    if (a.kind != ARN_ACTIVITY)
        return asl_serve_fail(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", a.type);
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    double created;
    int rc = asl_sq_activity_get(h->sq, arn, &created);
    char *token = NULL, *input = NULL;
    int got = rc == ASL_SQ_OK ? take(s, h, arn, worker, &token, &input) : 0;
    asl_serve_db_put(s->db, h);
    if (rc == ASL_SQ_NOT_FOUND)
        return asl_serve_fail(c, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn);
    if (rc < 0 || got < 0)
        return asl_serve_fail(c, "InternalFailure", "The store failed while polling for a task");
    if (got == 1) {
        c->out = json_pack("{s:s,s:s}", "taskToken", token, "input", input);
        free(token);
        free(input);
        return ASL_SERVE_DONE;
    }
    if (s->stopping || s->lim.poll_seconds <= 0) {
        c->out = json_object();
        return ASL_SERVE_DONE;
    }
    struct poller *p = calloc(1, sizeof *p);
    if (!p || !(p->arn = strdup(arn)) || (worker && !(p->worker = strdup(worker)))) {
        if (p)
            free_poller(p);
        return asl_serve_fail(c, "InternalFailure", "out of memory");
    }
    p->c = c;
    p->deadline = c->received + s->lim.poll_seconds;
    pthread_mutex_lock(&P->mu);
    int n = 0;
    for (struct poller *q = P->head; q; q = q->next)
        if (strcmp(q->arn, arn) == 0)
            n++;
    if (n >= s->lim.max_pollers) {
        pthread_mutex_unlock(&P->mu);
        free_poller(p);
        return asl_serve_fail(c, "ActivityWorkerLimitExceeded",
                              "The maximum number of workers concurrently polling for activity tasks "
                              "has been reached (%d for '%s')", s->lim.max_pollers, arn);
    }
    if (P->tail)
        P->tail->next = p;
    else
        P->head = p;
    P->tail = p;
    pthread_mutex_unlock(&P->mu);
    return ASL_SERVE_ASYNC;
}
