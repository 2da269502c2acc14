/*
 * recover.c - the life of a state that runs work (Task, Parallel, Map):
 * input processing, attempts with Retry, Catch, output processing.  Built
 * once and shared by the three state types.  See shared/asl/07-errors.md.
 *
 *   raw -InputPath-> eff -Parameters-> params
 *   attempt(params) ... fails -> Retry? sleep, attempt again
 *                            -> Catch? error output -ResultPath(raw)-> next state
 *   result -ResultSelector-> R' -ResultPath(raw)-> -OutputPath-> output
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec/recover.h"
#include "run/run.h"
#include "run/history.h"
#include "store/durable.h"
#include "task/task.h"
#include "io/io.h"
#include "jsonata/jn_states.h"

/* Does error `name` match one ErrorEquals list?  States.ALL matches every
 * error but States.Runtime (which nothing catches); States.TaskFailed, as
 * AWS documents it, matches every error but States.Timeout. */
static int matches(const char *const *errors, size_t n, const struct asl_err *err)
{
    const char *name = err->name ? err->name : "";
    for (size_t i = 0; i < n; i++) {
        const char *e = errors[i];
        if (strcmp(e, name) == 0)
            return 1;
        if (strcmp(e, ASL_E_ALL) == 0)
            return 1;
        /* AWS reports a missed heartbeat as States.Timeout; a retrier or
         * catcher naming States.HeartbeatTimeout still means it. */
        if (err->heartbeat && strcmp(e, ASL_E_HEARTBEAT) == 0)
            return 1;
        if (strcmp(e, ASL_E_TASK_FAILED) == 0 && strcmp(name, ASL_E_TIMEOUT) != 0)
            return 1;
    }
    return 0;
}

static int uncatchable(const struct asl_err *err)
{
    return err->name && strcmp(err->name, ASL_E_RUNTIME) == 0;
}

/* A uniform random double in [0, 1), for FULL jitter (recorded with a
 * store, so a resumed retry waits as the first run would have). */
static double jitter_unit(struct asl_run *run)
{
    uint64_t r = 0;
    if (asl_dur_random(run, &r, sizeof r) != 0)
        r = 0;
    return (double)(r >> 11) / 9007199254740992.0;
}

/* 1: slept, try again; 0: no retrier applies (or it is exhausted);
 * -1: cancelled while waiting (run->err set). */
static int retry_wait(struct asl_run *run, const struct asl_recovery *rec, long long *counts,
                      const struct asl_err *err)
{
    if (uncatchable(err))
        return 0;
    for (size_t i = 0; i < rec->nretry; i++) {
        const struct asl_retrier *r = &rec->retry[i];
        if (!matches(r->errors, r->nerrors, err))
            continue;
        /* Absent fields are zero: AWS's defaults apply. */
        long long attempts = r->has_max_attempts ? r->max_attempts : 3;
        double interval = r->interval > 0 ? r->interval : 1, backoff = r->backoff > 0 ? r->backoff : 2.0;
        if (counts[i] >= attempts)
            return 0;       /* exhausted: straight to Catch, no other retrier */
        double d = interval * pow(backoff, (double)counts[i]);
        if (r->max_delay > 0 && d > r->max_delay)
            d = r->max_delay;
        if (r->jitter_full)
            d *= jitter_unit(run);
        counts[i]++;
        asl_log(ASL_LOG_INFO, run->state->name, "retrying after %s in %.3fs (attempt %lld of %lld)",
                err->name ? err->name : "error", d, counts[i], attempts);
        if (asl_dur_sleep(run, d))
            return asl_cancel_err(run->cancel, &run->err);
        return 1;
    }
    return 0;
}

json_t *asl_recover_error_output(const struct asl_err *err)
{
    json_t *o = json_object();
    json_object_set_new(o, "Error", err->name ? json_string(err->name)
                                   : err->json_null ? json_null() : json_string(""));
    json_object_set_new(o, "Cause", err->cause ? json_string(err->cause)
                                   : err->json_null ? json_null() : json_string(""));
    return o;
}

/* 1: caught (*out, *next set); 0: not caught; -1: failed while catching. */
static int try_catch(struct asl_run *run, const struct asl_state *st, const struct asl_recovery *rec,
                     json_t *raw, json_t **out, int *next)
{
    if (uncatchable(&run->err))
        return 0;
    for (size_t i = 0; i < rec->ncatch; i++) {
        const struct asl_catcher *c = &rec->catchers[i];
        if (!matches(c->errors, c->nerrors, &run->err))
            continue;
        asl_log(ASL_LOG_INFO, st->name, "caught %s", run->err.name ? run->err.name : "error");
        json_t *eo = asl_recover_error_output(&run->err);
        json_t *pending = NULL;
        int rc = -1;
        struct asl_io io = {.result_path = c->result_path, .result_null = c->result_null};
        struct asl_err saved = run->err;
        run->err = (struct asl_err){0};
        if (st->io.jsonata) {
            if (asl_jn_finish(run, c->assign, c->output, raw, NULL, eo, out) == 0) {
                *next = c->next;
                rc = 1;
            }
            asl_err_clear(&saved);
        } else if (asl_vars_eval(run, c->assign, eo, &pending) == 0 &&
            asl_io_result(run, &io, raw, eo, out) == 0) {
            json_t *p = pending;
            pending = NULL;
            if (asl_vars_commit(run, p) == 0) {
                *next = c->next;
                rc = 1;
            } else {
                json_decref(*out);
                *out = NULL;
            }
            asl_err_clear(&saved);
        } else {
            asl_err_clear(&saved);
        }
        json_decref(pending);
        json_decref(eo);
        return rc;
    }
    return 0;
}

int asl_recover_run(struct asl_run *run, const struct asl_state *st,
                          const struct asl_recovery *rec, json_t *in, asl_attempt_fn attempt,
                          void *ctx, json_t **out, int *next)
{
    json_t *eff = NULL, *params = NULL, *result = NULL, *sel = NULL, *merged = NULL, *pending = NULL;
    long long stack_counts[8] = {0};
    long long *counts = rec->nretry <= 8 ? stack_counts : calloc(rec->nretry, sizeof *counts);
    int rc = ASL_STEP_FAIL;
    if (!counts) {
        asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
        goto done;
    }
    for (;;) {
        /* Input processing runs again for every attempt, so Parameters (or
         * Arguments) see this attempt's $$.State.RetryCount. */
        json_decref(eff);
        json_decref(params);
        eff = params = NULL;
        if (st->type == ASL_TASK)
            asl_dur_next_task_token(run);   /* AWS fills $$.Task.Token for every Task */
        if (st->io.jsonata) {
            json_t *states = asl_jn_states(run, in, NULL, NULL);
            int bad = st->io.arguments ? asl_jn_tpl(run, st->io.arguments, states, &params)
                                       : (params = json_incref(in), 0);
            json_decref(states);
            if (bad)
                goto done;
        } else if (asl_io_input(run, &st->io, in, &eff) != 0 ||
                   asl_io_parameters(run, &st->io, eff, &params) != 0) {
            goto done;
        }
        int arc = asl_dur_attempt(run, st, attempt, ctx, params, &result);
        if (arc == 0 && st->io.jsonata) {
            if (asl_jn_finish(run, st->io.assign, st->io.output, in, result, NULL, out) == 0) {
                *next = st->next;
                rc = st->end ? ASL_STEP_END : ASL_STEP_NEXT;
                goto done;
            }
            json_decref(result);
            result = NULL;
            break;
        }
        if (arc == 0) {
            /* Errors in result processing are the state's errors too: a
             * ResultPath that cannot apply is caught like a task failure. */
            if (asl_io_selector(run, &st->io, result, &sel) == 0 &&
                asl_vars_eval(run, st->io.assign, result, &pending) == 0 &&
                asl_io_result(run, &st->io, in, sel, &merged) == 0 &&
                asl_io_output(run, &st->io, merged, out) == 0) {
                json_t *p = pending;
                pending = NULL;
                if (asl_vars_commit(run, p) != 0) {
                    json_decref(*out);
                    *out = NULL;
                    goto done;      /* a variable error is not the task's: no Retry/Catch */
                }
                *next = st->next;
                rc = st->end ? ASL_STEP_END : ASL_STEP_NEXT;
                goto done;
            }
            json_decref(result);
            json_decref(sel);
            json_decref(merged);
            json_decref(pending);
            result = sel = merged = pending = NULL;
            break;
        }
        if (asl_cancel_is_set(run->cancel))
            goto done;          /* a cancelled attempt is not retried or caught */
        int w = retry_wait(run, rec, counts, &run->err);
        if (w < 0)
            goto done;
        if (w == 0)
            break;
        run->retry_count++;
        asl_err_clear(&run->err);
    }
    /* A Parallel or Map that will not be retried reports its failure (AWS
     * records no ...StateFailed between attempts, nor for States.Runtime). */
    if ((st->type == ASL_PARALLEL || st->type == ASL_MAP) && !uncatchable(&run->err) &&
        !asl_cancel_is_set(run->cancel))
        asl_history_add(run, st->type == ASL_MAP ? "MapStateFailed" : "ParallelStateFailed", NULL);
    int c = try_catch(run, st, rec, in, out, next);
    if (c == 1)
        rc = ASL_STEP_NEXT;
done:
    if (counts != stack_counts)
        free(counts);
    json_decref(eff);
    json_decref(params);
    json_decref(result);
    json_decref(sel);
    json_decref(merged);
    json_decref(pending);
    return rc;
}
