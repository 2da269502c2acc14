/*
 * run.c - the execution pool.  A bounded queue of jobs (a durable
 * execution to run or resume, through s->run_durable, or a
 * StartSyncExecution call) and `workers` threads taking them.  An
 * execution that waits is not in the queue and holds no thread: only its
 * store rows remember it, and exec_durable.c's timer queues it again when
 * its time comes.
 *
 * Each execution id is in the pool at most once: queued, or running (and
 * then flagged to run again if woken meanwhile).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve_exec.h"
#include "serve_int.h"
#include "serve_run.h"

#define NBUCKETS 4096

enum { IN_QUEUE = 1, IN_RUN = 2, IN_RUN_AGAIN = 3 };

struct member {
    int64_t id;
    int state;
    struct member *next;
};

struct job {
    int64_t id;                 /* a durable execution, or 0 */
    struct asl_serve_call *sync;/* a StartSyncExecution call */
};

/* A bounded FIFO. */
struct ring {
    struct job *jobs;
    size_t cap, head, len;
};

struct asl_serve_exec_pool {
    pthread_mutex_t mu;
    pthread_cond_t work, tick;
    struct ring durable, sync;  /* sync calls go first: a client waits on each */
    struct member *set[NBUCKETS];
    int stop;
    int nworkers;
    pthread_t *workers;
};

static struct member **slot(struct asl_serve_exec_pool *P, int64_t id)
{
    struct member **m = &P->set[(uint64_t)id % NBUCKETS];
    while (*m && (*m)->id != id)
        m = &(*m)->next;
    return m;
}

/* Push a job; the lock is held.  0, or -1 when full. */
static int push(struct asl_serve_exec_pool *P, struct ring *r, struct job j)
{
    if (r->len == r->cap)
        return -1;
    r->jobs[(r->head + r->len) % r->cap] = j;
    r->len++;
    pthread_cond_signal(&P->work);
    return 0;
}

static struct job pop(struct ring *r)
{
    struct job j = r->jobs[r->head];
    r->head = (r->head + 1) % r->cap;
    r->len--;
    return j;
}

int asl_serve_run_submit(struct asl_serve *s, int64_t id)
{
    struct asl_serve_exec_pool *P = s->pool;
    int rc = 0;
    if (!P || !s->run_durable)
        return -1;
    pthread_mutex_lock(&P->mu);
    struct member **m = slot(P, id);
    if (*m) {
        if ((*m)->state == IN_RUN)
            (*m)->state = IN_RUN_AGAIN;
    } else if (P->stop) {
        rc = -1;
    } else {
        struct member *n = malloc(sizeof *n);
        if (!n || push(P, &P->durable, (struct job){id, NULL}) != 0) {
            free(n);
            rc = -1;
        } else {
            n->id = id;
            n->state = IN_QUEUE;
            n->next = NULL;
            *m = n;
        }
    }
    pthread_mutex_unlock(&P->mu);
    return rc;
}

void asl_serve_run_wake(struct asl_serve *s, int64_t id)
{
    asl_serve_run_submit(s, id);
}

int asl_serve_run_queued(struct asl_serve *s)
{
    struct asl_serve_exec_pool *P = s->pool;
    if (!P)
        return 0;
    pthread_mutex_lock(&P->mu);
    int n = (int)P->durable.len;
    pthread_mutex_unlock(&P->mu);
    return n;
}

int asl_serve_run_sync(struct asl_serve *s, struct asl_serve_call *c)
{
    struct asl_serve_exec_pool *P = s->pool;
    if (!P)
        return -1;
    pthread_mutex_lock(&P->mu);
    int rc = P->stop ? -1 : push(P, &P->sync, (struct job){0, c});
    pthread_mutex_unlock(&P->mu);
    return rc;
}

static void *worker(void *arg)
{
    struct asl_serve *s = arg;
    struct asl_serve_exec_pool *P = s->pool;
    pthread_mutex_lock(&P->mu);
    for (;;) {
        while (!P->durable.len && !P->sync.len && !P->stop)
            pthread_cond_wait(&P->work, &P->mu);
        if (P->stop)
            break;
        struct job j = pop(P->sync.len ? &P->sync : &P->durable);
        if (j.sync) {
            pthread_mutex_unlock(&P->mu);
            asl_serve_exec_sync(s, j.sync);
            pthread_mutex_lock(&P->mu);
            continue;
        }
        struct member **m = slot(P, j.id);
        (*m)->state = IN_RUN;
        for (;;) {
            pthread_mutex_unlock(&P->mu);
            s->run_durable(s, j.id);
            pthread_mutex_lock(&P->mu);
            m = slot(P, j.id);
            if ((*m)->state != IN_RUN_AGAIN || P->stop)
                break;
            (*m)->state = IN_RUN;
        }
        struct member *done = *m;
        *m = done->next;
        free(done);
    }
    pthread_mutex_unlock(&P->mu);
    return NULL;
}

int asl_serve_run_start(struct asl_serve *s, char *msg, size_t msgsize)
{
    struct asl_serve_exec_pool *P = calloc(1, sizeof *P);
    if (!P)
        return -1;
    pthread_mutex_init(&P->mu, NULL);
    pthread_cond_init(&P->work, NULL);
    pthread_cond_init(&P->tick, NULL);
    P->durable.cap = P->sync.cap = (size_t)s->lim.max_queue;
    P->durable.jobs = calloc(P->durable.cap, sizeof *P->durable.jobs);
    P->sync.jobs = calloc(P->sync.cap, sizeof *P->sync.jobs);
    P->workers = calloc((size_t)s->lim.workers, sizeof *P->workers);
    s->pool = P;
    if (!P->durable.jobs || !P->sync.jobs || !P->workers) {
        snprintf(msg, msgsize, "out of memory");
        return -1;
    }
    if (asl_serve_polls_start(s) != 0) {
        snprintf(msg, msgsize, "cannot start the activity poll thread");
        return -1;
    }
    for (int i = 0; i < s->lim.workers; i++) {
        if (pthread_create(&P->workers[i], NULL, worker, s) != 0) {
            snprintf(msg, msgsize, "cannot start execution threads: %s", strerror(errno));
            return -1;
        }
        P->nworkers++;
    }
    return 0;
}

void asl_serve_run_stop(struct asl_serve *s)
{
    struct asl_serve_exec_pool *P = s->pool;
    asl_serve_polls_stop(s);
    if (!P)
        return;
    /* Running executions park (s->interrupt); queued ones stay RUNNING in
     * the store for the next start. */
    if (s->interrupt)
        s->interrupt(s);
    pthread_mutex_lock(&P->mu);
    P->stop = 1;
    pthread_cond_broadcast(&P->work);
    pthread_mutex_unlock(&P->mu);
    for (int i = 0; i < P->nworkers; i++)
        pthread_join(P->workers[i], NULL);
    P->nworkers = 0;
    /* Sync calls still queued get an answer. */
    while (P->sync.len) {
        struct job j = pop(&P->sync);
        asl_serve_fail(j.sync, "ServiceUnavailable", "The server is stopping");
        asl_serve_call_finish(j.sync);
    }
}

void asl_serve_run_free(struct asl_serve *s)
{
    struct asl_serve_exec_pool *P = s->pool;
    if (!P)
        return;
    for (int i = 0; i < NBUCKETS; i++)
        for (struct member *m = P->set[i], *n; m; m = n) {
            n = m->next;
            free(m);
        }
    free(P->durable.jobs);
    free(P->sync.jobs);
    free(P->workers);
    pthread_cond_destroy(&P->work);
    pthread_cond_destroy(&P->tick);
    pthread_mutex_destroy(&P->mu);
    free(P);
    s->pool = NULL;
}
