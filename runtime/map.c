/*
 * map.c - the Map state: items from ItemsPath, each iteration built by
 * ItemSelector and run through the ItemProcessor on a bounded pool of
 * threads, results kept in item order.  Tolerated failures, batching and
 * distributed mode (isolated child runs) live here too.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recover.h"
#include "run.h"

/* AWS runs up to about 40 inline iterations at once; a distributed Map's
 * children run in-process here, so the pool stays bounded either way. */
#define ASL_MAP_INLINE_WORKERS 40
#define ASL_MAP_MAX_WORKERS 64

struct mstate {
    struct asl_run *parent;
    const struct asl_state *st;
    const struct asl_map *m;
    json_t *eff;                /* the Map's effective input (ItemSelector's $) */
    json_t *items;              /* what iterations run over (items or batches) */
    json_t *batch_input;        /* ItemBatcher.BatchInput, evaluated once */
    size_t n;
    json_t **results;
    struct asl_cancel *cancel;
    pthread_mutex_t mu;
    size_t next;
    size_t failed;
    int stop;
    struct asl_err err;         /* the error that stopped the Map */
    int tolerance;              /* a tolerated-failure threshold is set */
    long long tol_count;        /* -1: none */
    double tol_percent;         /* -1: none */
    long last_event;
};

/* Resolve a *Path field to a number: integer (or a numeric string, as AWS
 * accepts through variables). */
static int path_number(struct asl_run *run, const struct asl_path *p, json_t *eff, const char *field,
                       int want_int, double *out)
{
    json_t *v = NULL;
    int rc = asl_run_select(run, p, eff, &v);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        char *cause = asl_path_miss_text(run, p, eff);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME, "%s", cause ? cause : p->text);
        free(cause);
        return -1;
    }
    double d = 0;
    int ok = 0;
    if (json_is_number(v)) {
        d = json_number_value(v);
        ok = !want_int || floor(d) == d;
    } else if (json_is_string(v)) {
        char *end;
        const char *s = json_string_value(v);
        d = strtod(s, &end);
        ok = *s && !*end && (!want_int || floor(d) == d);
    }
    if (!ok) {
        char *text = json_is_string(v) ? strdup(json_string_value(v))
                                       : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                              "The %s field refers to value \"%s\" which is not a valid %s: %s",
                              field, text ? text : "", want_int ? "integer" : "float", p->text);
        free(text);
        json_decref(v);
        return -1;
    }
    json_decref(v);
    *out = d;
    return 0;
}

static int settle_limits(struct asl_run *run, const struct asl_map *m, json_t *eff,
                         long long *maxconc, struct mstate *ms)
{
    double d;
    *maxconc = m->max_concurrency;
    if (m->max_concurrency_path) {
        if (path_number(run, m->max_concurrency_path, eff, "MaxConcurrencyPath", 1, &d) != 0)
            return -1;
        if (d < 0)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                                         "Expected non-negative integer for MaxConcurrency, got '%lld' instead.",
                                         (long long)d);
        *maxconc = (long long)d;
    }
    ms->tol_count = m->tolerated_count;
    ms->tol_percent = m->tolerated_percent;
    if (m->tolerated_count_path) {
        if (path_number(run, m->tolerated_count_path, eff, "ToleratedFailureCountPath", 1, &d) != 0)
            return -1;
        if (d < 0)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME, "ToleratedFailureCount cannot be negative.");
        ms->tol_count = (long long)d;
    }
    if (m->tolerated_percent_path) {
        if (path_number(run, m->tolerated_percent_path, eff, "ToleratedFailurePercentagePath", 0, &d) != 0)
            return -1;
        if (d < 0 || d > 100)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                                         "ToleratedFailurePercentage must be between 0 and 100.");
        ms->tol_percent = d;
    }
    ms->tolerance = ms->tol_count >= 0 || ms->tol_percent >= 0;
    return 0;
}

/* Does `failed` of `n` exceed the tolerance?  With none set, any failure does. */
static int exceeded(const struct mstate *ms)
{
    if (!ms->tolerance)
        return ms->failed > 0;
    if (ms->tol_count >= 0 && (long long)ms->failed > ms->tol_count)
        return 1;
    if (ms->tol_percent >= 0 && ms->n && 100.0 * (double)ms->failed / (double)ms->n > ms->tol_percent)
        return 1;
    return 0;
}

static json_t *iteration_input(struct asl_run *it, struct mstate *ms, size_t i, json_t *item)
{
    if (!ms->m->item_selector)
        return json_incref(item);
    json_t *idx = json_integer((json_int_t)i);
    it->map_item_index = idx;
    it->map_item_value = item;
    json_t *out = NULL;
    if (asl_tpl_eval(it, ms->m->item_selector, ms->eff, &out) != 0)
        out = NULL;
    it->map_item_index = it->map_item_value = NULL;
    json_decref(idx);
    return out;
}

static void run_iteration(struct mstate *ms, size_t i)
{
    struct asl_run it;
    struct asl_vars scope;
    struct asl_cancel *tok = asl_cancel_child_new(ms->cancel);
    asl_run_child(&it, ms->parent, tok, &scope, ms->m->distributed ? NULL : ms->parent->vars);
    /* ItemSelector is evaluated as the Map state itself sees the world. */
    it.state = ms->parent->state;
    it.entered_event = ms->parent->entered_event;
    memcpy(it.entered_time, ms->parent->entered_time, sizeof it.entered_time);
    json_t *details = NULL;
    if (asl_history_recording(&it))
        details = json_pack("{s:s,s:i}", "name", ms->st->name, "index", (int)i);
    asl_history_add(&it, "MapIterationStarted", details);
    json_t *item = json_array_get(ms->items, i);
    json_t *input = ms->batch_input || ms->m->batch_max_items >= 0 ? json_incref(item)
                                                                   : iteration_input(&it, ms, i, item);
    json_t *out = NULL;
    int ok = input && asl_machine_run(&it, ms->m->processor, input, &out) == 0;
    json_decref(input);
    if (asl_history_recording(&it))
        details = json_pack("{s:s,s:i}", "name", ms->st->name, "index", (int)i);
    asl_history_add(&it, ok ? "MapIterationSucceeded" : "MapIterationFailed", details);
    pthread_mutex_lock(&ms->mu);
    if (ok) {
        ms->results[i] = out;
    } else {
        ms->failed++;
        ms->results[i] = asl_error_output(&it.err);
        if (!ms->stop && exceeded(ms)) {
            ms->stop = 1;
            if (ms->tolerance)
                asl_err_set(&ms->err, ASL_E_TOLERATED, "The specified tolerated failure threshold was exceeded");
            else
                asl_err_move(&ms->err, &it.err);
            asl_cancel_set(ms->cancel, ms->err.name, ms->err.cause);
        }
    }
    if (it.prev_event > ms->last_event)
        ms->last_event = it.prev_event;
    pthread_mutex_unlock(&ms->mu);
    json_decref(scope.obj);
    asl_err_clear(&it.err);
    asl_cancel_free(tok);
}

static void *worker_main(void *arg)
{
    struct mstate *ms = arg;
    for (;;) {
        pthread_mutex_lock(&ms->mu);
        if (ms->stop || ms->next >= ms->n || asl_cancel_is_set(ms->cancel)) {
            pthread_mutex_unlock(&ms->mu);
            return NULL;
        }
        size_t i = ms->next++;
        pthread_mutex_unlock(&ms->mu);
        run_iteration(ms, i);
    }
}

/* ItemBatcher: {"BatchInput": ..., "Items": [...]} per batch. */
static json_t *make_batches(struct asl_run *run, struct mstate *ms, json_t *items)
{
    size_t per = ms->m->batch_max_items > 0 ? (size_t)ms->m->batch_max_items : json_array_size(items);
    json_t *batches = json_array();
    for (size_t i = 0; i < json_array_size(items); i += per) {
        json_t *b = json_object();
        if (ms->batch_input)
            json_object_set(b, "BatchInput", ms->batch_input);
        json_t *slice = json_array();
        for (size_t k = i; k < i + per && k < json_array_size(items); k++) {
            json_t *sel = iteration_input(run, ms, k, json_array_get(items, k));
            if (!sel) {
                json_decref(slice);
                json_decref(b);
                json_decref(batches);
                return NULL;
            }
            json_array_append_new(slice, sel);
        }
        json_object_set_new(b, "Items", slice);
        json_array_append_new(batches, b);
    }
    return batches;
}

static int map_attempt(struct asl_run *run, const struct asl_state *st, void *ctx, json_t *eff,
                       json_t **result)
{
    (void)ctx;
    const struct asl_map *m = st->spec;
    struct mstate ms = {.parent = run, .st = st, .m = m, .eff = eff, .tol_count = -1, .tol_percent = -1};
    long long maxconc;
    json_t *items = NULL;
    int rc = -1;
    if (settle_limits(run, m, eff, &maxconc, &ms) != 0)
        return -1;
    if (m->items_path) {
        int s = asl_run_select(run, m->items_path, eff, &items);
        if (s < 0)
            return -1;
        if (s == 0) {
            char *cause = asl_path_miss_text(run, m->items_path, eff);
            asl_run_fail_prefixed(run, ASL_E_RUNTIME, "%s", cause ? cause : m->items_path->text);
            free(cause);
            return -1;
        }
    } else {
        items = json_incref(eff);
    }
    if (!json_is_array(items)) {
        asl_run_fail_prefixed(run, ASL_E_RUNTIME, "Reference path \"%s\" must point to array.",
                              m->items_path ? m->items_path->text : "$");
        json_decref(items);
        return -1;
    }
    if (m->batch_input && asl_tpl_eval(run, m->batch_input, eff, &ms.batch_input) != 0) {
        json_decref(items);
        return -1;
    }
    if (m->batch_max_items >= 0) {
        json_t *batches = make_batches(run, &ms, items);
        json_decref(items);
        if (!batches) {
            json_decref(ms.batch_input);
            return -1;
        }
        items = batches;
    }
    ms.items = items;
    ms.n = json_array_size(items);
    ms.results = calloc(ms.n ? ms.n : 1, sizeof *ms.results);
    ms.cancel = asl_cancel_child_new(run->cancel);
    pthread_mutex_init(&ms.mu, NULL);
    if (asl_history_recording(run))
        asl_history_add(run, "MapStateStarted", json_pack("{s:i}", "length", (int)ms.n));
    else
        asl_history_add(run, "MapStateStarted", NULL);
    if (m->distributed)
        asl_history_add(run, "MapRunStarted", NULL);
    ms.last_event = run->prev_event;

    size_t workers = maxconc > 0 ? (size_t)maxconc
                   : m->distributed ? ASL_MAP_MAX_WORKERS : ASL_MAP_INLINE_WORKERS;
    if (workers > ASL_MAP_MAX_WORKERS)
        workers = ASL_MAP_MAX_WORKERS;
    if (workers > ms.n)
        workers = ms.n;
    if (workers <= 1) {
        worker_main(&ms);   /* sequential: no thread needed */
    } else {
        pthread_t *tids = calloc(workers, sizeof *tids);
        size_t started = 0;
        for (; tids && started < workers; started++)
            if (pthread_create(&tids[started], NULL, worker_main, &ms) != 0)
                break;
        if (started == 0)
            worker_main(&ms);
        for (size_t i = 0; i < started; i++)
            pthread_join(tids[i], NULL);
        free(tids);
    }
    run->prev_event = ms.last_event;
    if (ms.stop || asl_cancel_is_set(ms.cancel)) {
        if (!ms.stop)   /* cancelled from outside: report why */
            asl_cancel_err(ms.cancel, &ms.err);
        asl_err_move(&run->err, &ms.err);
        if (m->distributed)
            asl_history_add(run, "MapRunFailed", NULL);
        asl_history_add(run, "MapStateFailed", NULL);
    } else {
        json_t *arr = json_array();
        for (size_t i = 0; i < ms.n; i++)
            json_array_append(arr, ms.results[i] ? ms.results[i] : json_null());
        *result = arr;
        if (m->distributed)
            asl_history_add(run, "MapRunSucceeded", NULL);
        asl_history_add(run, "MapStateSucceeded", NULL);
        rc = 0;
    }
    for (size_t i = 0; i < ms.n; i++)
        json_decref(ms.results[i]);
    free(ms.results);
    asl_err_clear(&ms.err);
    asl_cancel_free(ms.cancel);
    pthread_mutex_destroy(&ms.mu);
    json_decref(ms.batch_input);
    json_decref(items);
    return rc;
}

int asl_map_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    const struct asl_map *m = st->spec;
    return asl_run_with_recovery(run, st, &m->rec, in, map_attempt, NULL, out, next);
}
