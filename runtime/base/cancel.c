/*
 * cancel.c - cancellation tokens and interruptible sleeps.
 *
 * All tokens of one execution share the root's mutex and condition
 * variable, so cancelling any token wakes every sleeper; each sleeper then
 * checks its own chain of ancestors.  The root also carries the execution
 * deadline (TimeoutSeconds): past it, every token reads as cancelled with
 * States.Timeout.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aslrt.h"

struct asl_cancel {
    struct asl_cancel *parent;
    struct asl_cancel *root;
    atomic_int flag;
    char *name, *cause;         /* the reason, written once under root->mu */
    /* root only */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    double wait_scale;
    int has_deadline;
    struct timespec deadline;   /* CLOCK_MONOTONIC */
};

static void now_mono(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static void ts_add(struct timespec *ts, double seconds)
{
    double whole = floor(seconds);
    ts->tv_sec += (time_t)whole;
    ts->tv_nsec += (long)((seconds - whole) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

struct asl_cancel *asl_cancel_root_new(double wait_scale, double timeout_s)
{
    struct asl_cancel *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->root = t;
    atomic_init(&t->flag, 0);
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &attr);
    pthread_condattr_destroy(&attr);
    t->wait_scale = wait_scale >= 0 ? wait_scale : 1.0;
    if (timeout_s > 0) {
        t->has_deadline = 1;
        now_mono(&t->deadline);
        ts_add(&t->deadline, timeout_s);
    }
    return t;
}

struct asl_cancel *asl_cancel_child_new(struct asl_cancel *parent)
{
    struct asl_cancel *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->parent = parent;
    t->root = parent->root;
    atomic_init(&t->flag, 0);
    return t;
}

void asl_cancel_free(struct asl_cancel *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->cause);
    if (t->root == t) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
    }
    free(t);
}

void asl_cancel_set(struct asl_cancel *t, const char *name, const char *cause)
{
    struct asl_cancel *r = t->root;
    pthread_mutex_lock(&r->mu);
    if (!atomic_load(&t->flag)) {
        t->name = name ? strdup(name) : NULL;
        t->cause = cause ? strdup(cause) : NULL;
        atomic_store(&t->flag, 1);
    }
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

double asl_cancel_wait_scale(const struct asl_cancel *t)
{
    return t ? t->root->wait_scale : 1.0;
}

static int deadline_passed(const struct asl_cancel *r)
{
    if (!r->has_deadline)
        return 0;
    struct timespec now;
    now_mono(&now);
    return ts_diff(&now, &r->deadline) >= 0;
}

double asl_cancel_remaining(const struct asl_cancel *t)
{
    if (!t || !t->root->has_deadline)
        return 1e12;
    struct timespec now;
    now_mono(&now);
    double left = ts_diff(&t->root->deadline, &now);
    return left > 0 ? left : 0;
}

int asl_cancel_is_set(const struct asl_cancel *t)
{
    if (!t)
        return 0;
    for (const struct asl_cancel *c = t; c; c = c->parent)
        if (atomic_load(&c->flag))
            return 1;
    return deadline_passed(t->root);
}

int asl_cancel_err(const struct asl_cancel *t, struct asl_err *err)
{
    /* The outermost reason wins: an execution timeout explains a branch's
     * cancellation better than the branch's own token does. */
    const struct asl_cancel *hit = NULL;
    for (const struct asl_cancel *c = t; c; c = c->parent)
        if (atomic_load(&c->flag))
            hit = c;
    if (!hit && t && deadline_passed(t->root))
        return asl_err_set_str(err, ASL_E_TIMEOUT, NULL);
    if (!hit)
        return asl_err_set_str(err, ASL_E_ABORTED, NULL);
    pthread_mutex_lock(&hit->root->mu);
    asl_err_set_str(err, hit->name ? hit->name : ASL_E_ABORTED, hit->cause);
    pthread_mutex_unlock(&hit->root->mu);
    return -1;
}

int asl_cancel_sleep(const struct asl_cancel *t, double seconds)
{
    if (!t) {
        if (seconds > 0) {
            struct timespec ts = {(time_t)seconds, (long)((seconds - floor(seconds)) * 1e9)};
            while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
                ;
        }
        return 0;
    }
    struct asl_cancel *r = t->root;
    seconds *= r->wait_scale;
    struct timespec until;
    now_mono(&until);
    ts_add(&until, seconds > 0 ? seconds : 0);
    if (r->has_deadline && ts_diff(&until, &r->deadline) > 0)
        until = r->deadline;
    int cancelled = 0;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        if (asl_cancel_is_set(t)) {
            cancelled = 1;
            break;
        }
        int rc = pthread_cond_timedwait(&r->cv, &r->mu, &until);
        if (rc == ETIMEDOUT) {
            cancelled = asl_cancel_is_set(t);
            break;
        }
    }
    pthread_mutex_unlock(&r->mu);
    return cancelled;
}
