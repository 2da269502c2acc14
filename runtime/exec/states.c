/*
 * states.c - the states that move data without calling anything: Pass,
 * Succeed, Fail, Wait and Choice (its rules live in choice.c).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/run.h"
#include "run/history.h"
#include "store/durable.h"
#include "io/io.h"
#include "base/json.h"
#include "jsonata/jn_states.h"

/* Store the state's variables; on failure drop the output already built. */
static int commit_or_drop(struct asl_run *run, json_t **pending, json_t **out)
{
    json_t *p = *pending;
    *pending = NULL;
    if (asl_vars_commit(run, p) == 0)
        return 0;
    json_decref(*out);
    *out = NULL;
    return -1;
}

static int step_to(const struct asl_state *st, int *next)
{
    *next = st->next;
    return st->end ? ASL_STEP_END : ASL_STEP_NEXT;
}

/* Pass -> InputPath, Parameters, Result, ResultPath, OutputPath, Assign */
int asl_pass_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    const struct asl_pass *pass = st->spec;
    json_t *eff = NULL, *result = NULL, *merged = NULL, *pending = NULL;
    int rc = ASL_STEP_FAIL;
    if (st->io.jsonata) {
        if (asl_jn_finish(run, st->io.assign, st->io.output, in, NULL, NULL, out) != 0)
            return ASL_STEP_FAIL;
        return step_to(st, next);
    }
    if (asl_io_input(run, &st->io, in, &eff) != 0)
        goto done;
    if (pass && pass->result_lit)
        result = json_incref(asl_io_lit(run, pass->result_lit));
    else if (asl_io_parameters(run, &st->io, eff, &result) != 0)
        goto done;
    if (asl_vars_eval(run, st->io.assign, result, &pending) != 0)
        goto done;
    if (asl_io_result(run, &st->io, in, result, &merged) != 0)
        goto done;
    if (asl_io_output(run, &st->io, merged, out) != 0)
        goto done;
    if (commit_or_drop(run, &pending, out) != 0)
        goto done;
    rc = step_to(st, next);
done:
    json_decref(eff);
    json_decref(result);
    json_decref(merged);
    json_decref(pending);
    return rc;
}

/* Succeed -> InputPath, OutputPath */
int asl_succeed_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    json_t *eff;
    *next = -1;
    if (st->io.jsonata)
        return asl_jn_finish(run, NULL, st->io.output, in, NULL, NULL, out) == 0 ? ASL_STEP_END
                                                                                 : ASL_STEP_FAIL;
    if (asl_io_input(run, &st->io, in, &eff) != 0)
        return ASL_STEP_FAIL;
    int rc = asl_io_output(run, &st->io, eff, out);
    json_decref(eff);
    *next = -1;
    return rc == 0 ? ASL_STEP_END : ASL_STEP_FAIL;
}

/* ErrorPath / CausePath: a path or an intrinsic that must yield a string. */
static int fail_field(struct asl_run *run, const struct asl_expr *e, const char *field, json_t *in,
                      char **out)
{
    json_t *v = NULL;
    int rc = asl_io_expr_eval(run, e, in, &v);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        char *root = asl_io_root_text(run, e->path, in);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                              "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
                              e->text, field, root ? root : "");
        free(root);
        return -1;
    }
    if (!json_is_string(v)) {
        char *text = asl_json_text(v);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                              "The value of the field '%s' must be a string, but was '%s'",
                              field, text ? text : "");
        free(text);
        json_decref(v);
        return -1;
    }
    *out = strdup(json_string_value(v));
    json_decref(v);
    return 0;
}

/* Fail -> Error | ErrorPath, Cause | CausePath */
int asl_fail_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    static const struct asl_fail bare;     /* a Fail with no fields has no descriptor */
    const struct asl_fail *f = st->spec ? st->spec : &bare;
    char *error = NULL, *cause = NULL;
    *out = NULL;
    *next = -1;
    if (st->io.jsonata && (f->error_jn || f->cause_jn)) {
        json_t *states = asl_jn_states(run, in, NULL, NULL);
        json_t *ev = NULL, *cv = NULL;
        int bad = (f->error_jn && (asl_jn_tpl(run, f->error_jn, states, &ev) != 0 ||
                                   asl_jn_expect(run, f->error_jn, ev, "string") != 0)) ||
                  (f->cause_jn && (asl_jn_tpl(run, f->cause_jn, states, &cv) != 0 ||
                                   asl_jn_expect(run, f->cause_jn, cv, "string") != 0));
        if (!bad)
            asl_err_set_str(&run->err, ev ? json_string_value(ev) : f->error,
                            cv ? json_string_value(cv) : f->cause);
        json_decref(ev);
        json_decref(cv);
        json_decref(states);
        return ASL_STEP_FAIL;
    }
    if (f->error_path && fail_field(run, f->error_path, "ErrorPath", in, &error) != 0)
        return ASL_STEP_FAIL;
    if (f->cause_path && fail_field(run, f->cause_path, "CausePath", in, &cause) != 0) {
        free(error);
        return ASL_STEP_FAIL;
    }
    asl_err_set_str(&run->err, error ? error : f->error, cause ? cause : f->cause);
    free(error);
    free(cause);
    return ASL_STEP_FAIL;
}

/* Seconds from now until an RFC 3339 instant (may be negative). */
static double seconds_until(long long sec, long nsec)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (double)(sec - now.tv_sec) + (double)(nsec - now.tv_nsec) / 1e9;
}

/* The largest delay AWS accepts: recorded, 24,855 days pass and 24,856 fail. */
#define ASL_WAIT_MAX_SECONDS 2147483647.0

static int wait_amount_jsonata(struct asl_run *run, const struct asl_wait *w, json_t *in, double *secs)
{
    const struct asl_tpl *t = w->seconds_jn ? w->seconds_jn : w->timestamp_jn;
    json_t *states = asl_jn_states(run, in, NULL, NULL), *v = NULL;
    int rc = asl_jn_tpl(run, t, states, &v);
    json_decref(states);
    if (rc != 0)
        return -1;
    if (w->seconds_jn) {
        rc = asl_jn_expect(run, t, v, "integer");
        if (rc == 0 && json_number_value(v) < 0) {
            rc = asl_run_fail_prefixed(run, ASL_E_QUERY,
                                       "The Seconds field must be a non-negative integer, but was %lld",
                                       (long long)json_number_value(v));
            asl_history_evaluation_failed_after(run, "Seconds", run->entered_event);
        }
        if (rc == 0)
            *secs = json_number_value(v);
    } else {
        long long s;
        long ns;
        if (!json_is_string(v) ||
            asl_ts_parsen(json_string_value(v), json_string_length(v), &s, &ns) != 0) {
            char *text = asl_json_value_text(v);
            asl_run_fail_prefixed(run, ASL_E_QUERY,
                                  "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                                  "date-time format string: %s", text ? text : "");
            asl_history_evaluation_failed_after(run, "Timestamp", run->entered_event);
            free(text);
            rc = -1;
        } else {
            *secs = seconds_until(s, ns);
        }
    }
    json_decref(v);
    return rc;
}

static int wait_amount(struct asl_run *run, const struct asl_wait *w, json_t *eff, double *secs)
{
    if (w->seconds_jn || w->timestamp_jn)
        return wait_amount_jsonata(run, w, eff, secs);
    if (!w->timestamp && !w->seconds_path && !w->timestamp_path) {
        *secs = (double)w->seconds;     /* Seconds, 0 included */
        return 0;
    }
    if (w->timestamp) {
        long long s;
        long ns;
        asl_ts_parse(w->timestamp, &s, &ns);   /* checked at compile time */
        *secs = seconds_until(s, ns);
        return 0;
    }
    const struct asl_path *p = w->seconds_path ? w->seconds_path : w->timestamp_path;
    json_t *v = NULL;
    int rc = asl_io_select(run, p, eff, &v);
    if (rc < 0)
        return -1;
    if (w->seconds_path) {
        if (rc == 0)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                "The SecondsPath parameter does not reference an input value: %s", p->text);
        char *text = asl_json_text(v);
        int bad = 0;
        if (json_is_integer(v) && json_integer_value(v) < 0) {
            asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                "The SecondsPath parameter references a negative value: %s == %s", p->text, text);
            bad = 1;
        } else if (json_is_integer(v)) {
            *secs = (double)json_integer_value(v);
        } else {
            const char *shown = json_is_string(v) ? json_string_value(v) : text;
            asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                "The SecondsPath parameter cannot be parsed as a long value: %s == %s", p->text, shown);
            bad = 1;
        }
        free(text);
        json_decref(v);
        return bad ? -1 : 0;
    }
    long long s;
    long ns;
    if (rc == 0)
        return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
            "The TimestampPath parameter does not reference an input value: %s", p->text);
    if (!json_is_string(v) ||
        asl_ts_parsen(json_string_value(v), json_string_length(v), &s, &ns) != 0) {
        char *text = asl_json_value_text(v);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME,
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            "date-time format string: %s == %s", p->text, text ? text : "");
        free(text);
        json_decref(v);
        return -1;
    }
    json_decref(v);
    *secs = seconds_until(s, ns);
    return 0;
}

/* Wait -> Seconds | SecondsPath | Timestamp | TimestampPath, InputPath, OutputPath, Assign */
int asl_wait_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    const struct asl_wait *w = st->spec;
    json_t *eff = NULL, *pending = NULL;
    double secs = 0;
    int rc = ASL_STEP_FAIL;
    if (asl_io_input(run, &st->io, in, &eff) != 0)
        goto done;
    if (wait_amount(run, w, eff, &secs) != 0)
        goto done;
    if (secs > ASL_WAIT_MAX_SECONDS) {
        asl_run_fail_prefixed(run, ASL_E_RUNTIME, "Wait state delay is too long.");
        goto done;
    }
    /* With a store every Wait records its deadline, even a past one: a
     * Timestamp seen again on resume must not change what comes after. */
    if ((secs > 0 || run->exec->dur) && asl_dur_sleep(run, secs)) {
        asl_cancel_err(run->cancel, &run->err);
        goto done;
    }
    if (st->io.jsonata) {
        if (asl_jn_finish(run, st->io.assign, st->io.output, in, NULL, NULL, out) == 0)
            rc = step_to(st, next);
        goto done;
    }
    if (asl_vars_eval(run, st->io.assign, eff, &pending) != 0)
        goto done;
    if (asl_io_output(run, &st->io, eff, out) != 0)
        goto done;
    if (commit_or_drop(run, &pending, out) != 0)
        goto done;
    rc = step_to(st, next);
done:
    json_decref(eff);
    json_decref(pending);
    return rc;
}

/* A JSONata rule's Condition: true, false, or -1 on error. */
static int jn_condition(struct asl_run *run, const struct asl_choice_rule *r, json_t *states)
{
    json_t *v = NULL;
    if (asl_jn_tpl(run, r->condition, states, &v) != 0)
        return -1;
    int rc = asl_jn_expect(run, r->condition, v, "boolean") != 0 ? -1 : json_is_true(v);
    json_decref(v);
    return rc;
}

static int choice_jsonata(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out,
                          int *next)
{
    const struct asl_choice *c = st->spec;
    json_t *states = asl_jn_states(run, in, NULL, NULL);
    const struct asl_tpl *assign = st->io.assign, *output = st->io.output;
    int target = -1;
    for (size_t i = 0; i < c->nrules && target < 0; i++) {
        int m = jn_condition(run, &c->rules[i], states);
        if (m < 0) {
            json_decref(states);
            return ASL_STEP_FAIL;
        }
        if (m) {
            target = c->rules[i].next;
            assign = c->rules[i].assign;
            output = c->rules[i].output;
        }
    }
    json_decref(states);
    if (target < 0) {
        if (!c->has_default) {
            asl_err_set(&run->err, ASL_E_NO_CHOICE,
                        "No Matches! in state '%s' and no Default specified", st->name);
            return ASL_STEP_FAIL;
        }
        target = c->default_next;
    }
    if (asl_jn_finish(run, assign, output, in, NULL, NULL, out) != 0)
        return ASL_STEP_FAIL;
    *next = target;
    return ASL_STEP_NEXT;
}

/* Choice -> Choices[rule -> Next, Assign], Default, InputPath, OutputPath, Assign */
int asl_choice_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    const struct asl_choice *c = st->spec;
    json_t *eff = NULL, *pending = NULL;
    int rc = ASL_STEP_FAIL;
    if (st->io.jsonata)
        return choice_jsonata(run, st, in, out, next);
    if (asl_io_input(run, &st->io, in, &eff) != 0)
        goto done;
    const struct asl_tpl *assign = st->io.assign;
    int target = -1;
    for (size_t i = 0; i < c->nrules && target < 0; i++) {
        int m = asl_choice_eval(run, c->rules[i].cond, eff);
        if (m < 0)
            goto done;
        if (m) {
            target = c->rules[i].next;
            assign = c->rules[i].assign;
        }
    }
    if (target < 0) {
        if (!c->has_default) {
            asl_err_set(&run->err, ASL_E_NO_CHOICE,
                        "No Matches! in state '%s' and no Default specified", st->name);
            goto done;
        }
        target = c->default_next;
    }
    if (asl_vars_eval(run, assign, eff, &pending) != 0)
        goto done;
    if (asl_io_output(run, &st->io, eff, out) != 0)
        goto done;
    if (commit_or_drop(run, &pending, out) != 0)
        goto done;
    *next = target;
    rc = ASL_STEP_NEXT;
done:
    json_decref(eff);
    json_decref(pending);
    return rc;
}
