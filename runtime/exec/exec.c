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

#include "run/run.h"
#include "base/timestamp.h"
#include "exec/exec.h"
#include "run/history.h"
#include "store/durable.h"
#include "base/json.h"
#include "base/text.h"

#define TYPE_NAME(E, NAME, FN) [ASL_##E] = NAME,
static const char *const type_names[] = {ASL_STATE_TYPES(TYPE_NAME)};
#undef TYPE_NAME

/* A state's output is the next state's input: its text, made for the
 * Exited event, is kept for the next Entered event only (`of` is held
 * until then, so it cannot change, be freed or have its address reused
 * meanwhile). */
struct payload_memo {
    const json_t *of;
    json_t *text;
};

static json_t *text_details(const char *name, const char *key, json_t *v, struct payload_memo *memo)
{
    json_t *d = json_object();
    if (name)
        json_object_set_new(d, "name", json_string(name));
    json_t *text = NULL;
    if (memo->text && memo->of == v) {
        text = json_incref(memo->text);
    } else {
        size_t len = 0;
        char *s = asl_text_json_dup(v, &len);     /* valid UTF-8: jansson need not check it again */
        text = s ? json_stringn_nocheck(s, len) : json_string("null");
        free(s);
    }
    json_decref(memo->text);
    int exited = key[0] == 'o';     /* "output": keep it for the next "input" */
    memo->of = exited ? v : NULL;
    memo->text = exited ? json_incref(text) : NULL;
    json_object_set_new(d, key, text);
    char det[16];
    snprintf(det, sizeof det, "%sDetails", key);
    json_object_set_new(d, det, json_pack("{s:b}", "truncated", 0));
    return d;
}

/* With a store: where this fiber failed, for a redrive ("<fiber>/!" =
 * the number of the failed state's first record). */
static void mark_failure(struct asl_run *run, unsigned long state_seq)
{
    if (!run->exec->dur || asl_run_parked(run))
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
    struct payload_memo text = {0};
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
            asl_history_recording(run) ? text_details(st->name, "input", cur, &text) : NULL);
        asl_log(ASL_LOG_DEBUG, st->name, "entered");

        json_t *next_in = NULL;
        int next = -1;
        int rc = st->fn(run, st, cur, &next_in, &next);
        if (rc == ASL_STEP_FAIL) {
            /* A branch or iteration stopped because a sibling failed: AWS
             * records the interrupted state as aborted. */
            if (run->cancel != run->exec->cancel && asl_cancel_is_set(run->cancel) && !asl_run_parked(run) &&
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
                asl_history_recording(run) ? text_details(st->name, "output", next_in, &text) : NULL);
        }
        json_decref(cur);
        cur = next_in;
        if (rc == ASL_STEP_END || next < 0) {
            *out = cur;
            asl_json_size_memo_free(&memo);
            json_decref(text.text);
            asl_dur_enter(outer);
            return 0;
        }
        idx = next;
    }
fail:
    mark_failure(run, state_seq);
    json_decref(cur);
    asl_json_size_memo_free(&memo);
    json_decref(text.text);
    asl_dur_enter(outer);
    return -1;
}
