/*
 * exec.c - the execution loop: enter a state, run it, record its events,
 * follow Next until a terminal state, a failure or cancellation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "exec/run.h"
#include "store/durable.h"
#include "exec/history.h"
#include "base/json.h"

#define TYPE_NAME(E, NAME, FN) [ASL_##E] = NAME,
static const char *const type_names[] = {ASL_STATE_TYPES(TYPE_NAME)};
#undef TYPE_NAME

void asl_ts_now_iso(char *buf, size_t n)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t t = tv.tv_sec;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%03dZ", base, (int)(tv.tv_usec / 1000));
}

int asl_run_fail_prefixed(struct asl_run *run, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = malloc((size_t)n + 1);
    if (!msg)
        return asl_err_set_str(&run->err, name, NULL);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    asl_err_set(&run->err, name,
                "An error occurred while executing the state '%s' (entered at the event id #%ld). %s",
                run->state ? run->state->name : "", run->entered_event, msg);
    free(msg);
    return -1;
}

json_t *asl_run_context(struct asl_run *run)
{
    struct asl_exec *ex = run->exec;
    json_t *ctx = json_object();
    json_t *exe = json_object();
    json_object_set_new(exe, "Id", json_string(ex->exec_arn));
    json_object_set(exe, "Input", ex->input);
    json_object_set_new(exe, "StartTime", json_string(ex->start_time));
    json_object_set_new(exe, "Name", json_string(ex->name));
    json_object_set_new(exe, "RoleArn", json_string(ex->role_arn));
    json_object_set_new(exe, "RedriveCount", json_integer(ex->redrive_count));
    json_object_set_new(ctx, "Execution", exe);
    json_t *sm = json_object();
    json_object_set_new(sm, "Id", json_string(ex->sm_arn));
    json_object_set_new(sm, "Name", json_string(ex->sm_name));
    json_object_set_new(ctx, "StateMachine", sm);
    json_t *state = json_object();
    json_object_set_new(state, "Name", json_string(run->state ? run->state->name : ""));
    json_object_set_new(state, "EnteredTime", json_string(run->entered_time));
    if (run->has_retry_count)
        json_object_set_new(state, "RetryCount", json_integer(run->retry_count));
    json_object_set_new(ctx, "State", state);
    if (run->task_token) {
        json_t *task = json_object();
        json_object_set_new(task, "Token", json_string(run->task_token));
        json_object_set_new(ctx, "Task", task);
    }
    if (run->map_item_index) {
        json_t *item = json_object();
        json_object_set(item, "Index", run->map_item_index);
        json_object_set(item, "Value", run->map_item_value);
        json_t *map = json_object();
        json_object_set_new(map, "Item", item);
        json_object_set_new(ctx, "Map", map);
    }
    return ctx;
}

static json_t *text_details(const char *name, const char *key, json_t *v)
{
    json_t *d = json_object();
    if (name)
        json_object_set_new(d, "name", json_string(name));
    char *s = asl_json_text(v);
    json_object_set_new(d, key, json_string(s ? s : "null"));
    free(s);
    char det[16];
    snprintf(det, sizeof det, "%sDetails", key);
    json_object_set_new(d, det, json_pack("{s:b}", "truncated", 0));
    return d;
}



/* With a store: where this fiber failed, for a redrive ("<fiber>/!" =
 * the number of the failed state's first record). */
static void mark_failure(struct asl_run *run, unsigned long state_seq)
{
    if (!run->exec->dur)
        return;
    char key[ASL_FIBER_MAX + 8];
    snprintf(key, sizeof key, "%s/!", run->fiber);
    asl_dur_mark(run->exec, key, state_seq);
}

int asl_run_machine(struct asl_run *run, const struct asl_machine *m, json_t *input, json_t **out)
{
    int idx = m->start;
    json_t *cur = json_incref(input);
    struct asl_size_memo memo = {0};
    struct asl_run *outer = asl_dur_enter(run);
    unsigned long state_seq = 0;
    for (;;) {
        if (asl_cancel_is_set(run->cancel)) {
            asl_cancel_err(run->cancel, &run->err);
            goto fail;
        }
        const struct asl_state *st = &m->states[idx];
        run->state = st;
        run->retry_count = 0;
        run->has_retry_count = st->type == ASL_TASK || st->type == ASL_MAP || st->type == ASL_PARALLEL;
        state_seq = run->seq;
        asl_dur_now_iso(run, run->entered_time, sizeof run->entered_time);
        char ev[48];
        snprintf(ev, sizeof ev, "%sStateEntered", type_names[st->type]);
        run->entered_prev = run->prev_event;
        run->entered_event = asl_history_add(run, ev,
            asl_history_recording(run) ? text_details(st->name, "input", cur) : NULL);
        asl_log(ASL_LOG_DEBUG, st->name, "entered");

        json_t *next_in = NULL;
        int next = -1;
        int rc = st->fn(run, st, cur, &next_in, &next);
        if (rc == ASL_STEP_FAIL) {
            /* A branch or iteration stopped because a sibling failed: AWS
             * records the interrupted state as aborted. */
            if (run->cancel != run->exec->cancel && asl_cancel_is_set(run->cancel) &&
                (st->type == ASL_TASK || st->type == ASL_WAIT || st->type == ASL_MAP ||
                 st->type == ASL_PARALLEL)) {
                snprintf(ev, sizeof ev, "%sStateAborted", type_names[st->type]);
                asl_history_add(run, ev, NULL);
            }
            goto fail;
        }
        if (st->type != ASL_FAIL) {
            if (next_in != cur && asl_json_size_memo(&memo, next_in) > ASL_PAYLOAD_MAX) {
                json_decref(next_in);
                asl_err_set(&run->err, ASL_E_DATA_LIMIT,
                            "The state/task '%s' returned a result with a size exceeding the "
                            "maximum number of bytes service limit.", st->name);
                goto fail;
            }
            snprintf(ev, sizeof ev, "%sStateExited", type_names[st->type]);
            asl_history_add(run, ev,
                asl_history_recording(run) ? text_details(st->name, "output", next_in) : NULL);
        }
        json_decref(cur);
        cur = next_in;
        if (rc == ASL_STEP_END || next < 0) {
            *out = cur;
            asl_json_size_memo_free(&memo);
            asl_dur_enter(outer);
            return 0;
        }
        idx = next;
    }
fail:
    mark_failure(run, state_seq);
    json_decref(cur);
    asl_json_size_memo_free(&memo);
    asl_dur_enter(outer);
    return -1;
}
