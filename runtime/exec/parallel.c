/*
 * parallel.c - the Parallel state: a thread per branch while the
 * execution's concurrency budget lasts (budget.c), the other branches one
 * after another on the calling thread; results in branch order, the first
 * failure cancels the others and becomes the state's error (AWS keeps the
 * branch's own error name).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"
#include "exec/exec.h"
#include "run/history.h"
#include "store/durable.h"
#include "exec/recover.h"

struct branch {
    struct asl_run run;
    struct asl_vars vars;
    const struct asl_machine *m;
    json_t *input;              /* borrowed */
    json_t *output;
    int ok;
    pthread_t tid;
    int started;
    int index;
    struct pstate *ps;
};

struct pstate {
    pthread_mutex_t mu;
    int failed;                 /* index of the first branch that failed, or -1 */
    struct asl_cancel *cancel;  /* the Parallel's own token: branches hang below it */
};

static void branch_run(struct branch *b)
{
    b->ok = asl_run_machine(&b->run, b->m, b->input, &b->output) == 0;
    if (!b->ok) {
        /* The first failure wins and stops the siblings at once; later
         * failures are mostly those siblings reporting their cancellation. */
        pthread_mutex_lock(&b->ps->mu);
        if (b->ps->failed < 0) {
            b->ps->failed = b->index;
            asl_cancel_set(b->ps->cancel, b->run.err.name, b->run.err.cause);
        }
        pthread_mutex_unlock(&b->ps->mu);
    }
}

static void *branch_main(void *arg)
{
    branch_run(arg);
    return NULL;
}

static int parallel_attempt(struct asl_run *run, const struct asl_state *st, void *ctx, json_t *params,
                            json_t **result)
{
    (void)ctx;
    const struct asl_parallel *p = st->spec;
    size_t n = p->nbranches;
    struct branch *bs = calloc(n, sizeof *bs);
    struct pstate ps = {.failed = -1};
    if (!bs)
        return asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
    pthread_mutex_init(&ps.mu, NULL);
    ps.cancel = asl_cancel_child_new(run->cancel);
    asl_history_add(run, "ParallelStateStarted", NULL);
    for (size_t i = 0; i < n; i++) {
        struct branch *b = &bs[i];
        b->ps = &ps;
        b->index = (int)i;
        b->m = p->branches[i];
        b->input = params;
        asl_run_child(&b->run, run, asl_cancel_child_new(ps.cancel), &b->vars, run->vars);
        asl_dur_child(&b->run, run, (long)i);
        /* The last branch always runs here; the others get a thread when a
         * budget slot is free. */
        if (i + 1 < n && asl_budget_take(run->exec)) {
            b->started = pthread_create(&b->tid, NULL, branch_main, b) == 0;
            if (!b->started)
                asl_budget_give(run->exec);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct branch *b = &bs[i];
        if (!b->started)
            branch_run(b);      /* stops at once when a sibling failed */
    }
    for (size_t i = 0; i < n; i++)
        if (bs[i].started) {
            pthread_join(bs[i].tid, NULL);
            asl_budget_give(run->exec);     /* after the join: the thread is gone */
        }
    int first_fail = ps.failed;
    int rc = 0;
    /* Events are numbered as they happen: the last branch event has the
     * highest id.  ParallelStateFailed follows the failing branch's last
     * event; on success, Succeeded and Exited both point at the last one. */
    long last = run->prev_event;
    for (size_t i = 0; i < n; i++)
        if (bs[i].run.prev_event > last)
            last = bs[i].run.prev_event;
    if (first_fail >= 0) {
        asl_err_move(&run->err, &bs[first_fail].run.err);
        run->prev_event = bs[first_fail].run.prev_event;   /* ParallelStateFailed follows it */
        rc = -1;
    } else {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append(arr, bs[i].output);
        *result = arr;
        run->prev_event = last;
        asl_history_add(run, "ParallelStateSucceeded", NULL);
        run->prev_event = last;
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(bs[i].output);
        json_decref(bs[i].vars.obj);
        asl_err_clear(&bs[i].run.err);
        asl_cancel_free(bs[i].run.cancel);
    }
    asl_cancel_free(ps.cancel);
    pthread_mutex_destroy(&ps.mu);
    free(bs);
    return rc;
}

int asl_parallel_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    const struct asl_parallel *p = st->spec;
    return asl_recover_run(run, st, &p->rec, in, parallel_attempt, NULL, out, next);
}
