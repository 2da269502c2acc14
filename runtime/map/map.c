/*
 * map.c - the Map state: items from ItemsPath or an ItemReader, each
 * iteration built by ItemSelector (or a batch by ItemBatcher) and run
 * through the ItemProcessor on a bounded pool of threads.  Results are
 * kept in item order, or streamed to a ResultWriter.  Tolerated failures
 * and distributed mode (isolated child runs) live here too.
 *
 * Items are pulled lazily from a source (map_reader.h) by the workers, so
 * memory is bounded by the iterations in flight: with a ResultWriter no
 * result is kept, and a million-line file is never held whole.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"
#include "base/timestamp.h"
#include "exec/exec.h"
#include "run/history.h"
#include "store/durable.h"
#include "exec/recover.h"
#include "io/io.h"
#include "base/json.h"
#include "jsonata/jn_states.h"
#include "base/progress.h"
#include "map/map_reader.h"
#include "map/map_writer.h"

/* AWS's hard limit of redrives of one Map Run. */
#define ASL_MAP_RUN_REDRIVES_MAX 1000

/* AWS runs up to about 40 inline iterations at once; a distributed Map's
 * children run in-process here, so the pool stays bounded either way. */
#define ASL_MAP_INLINE_WORKERS 40
#define ASL_MAP_MAX_WORKERS 64
/* A distributed Map runs up to 10,000 children at once on AWS: how many
 * parked callback waits one may hold without MaxConcurrency. */
#define ASL_MAP_DIST_INFLIGHT 10000

/* The dynamic limits of one Map run (map_limits). */
struct mlimits {
    long long maxconc;          /* 0: no limit */
    long long tol_count;        /* -1: none */
    double tol_percent;         /* -1: none */
    long long batch_items;      /* items per batch, 0: no limit */
    long long batch_bytes;      /* bytes per batch, 0: no limit */
    int batching;               /* an ItemBatcher is present */
};

struct mstate {
    struct asl_progress *progress;  /* items done / failed (base/progress.h); NULL: silent */
    struct asl_run *parent;
    const struct asl_state *st;
    const struct asl_map *m;
    json_t *eff;                /* the Map's effective input (ItemSelector's $) */
    struct mlimits lim;
    int tolerance;              /* a tolerated-failure threshold is set */
    json_t *batch_input;        /* ItemBatcher.BatchInput, evaluated once */
    struct asl_cancel *cancel;
    struct asl_map_writer *writer;
    char *map_run_arn;          /* distributed mode (records, ResultWriter) */
    int keep_records;           /* WriterConfig only, Transformation NONE */
    pthread_mutex_t mu;         /* guards everything below */
    struct asl_items *src;      /* read only under mu */
    int pairs;                  /* src hands out a JSON object's Key/Value pairs */
    struct asl_run feed;        /* evaluates a batch's ItemSelectors under mu */
    struct asl_vars feed_scope;
    json_t *held;               /* a selected item that did not fit the last batch */
    size_t nread;               /* items read from src */
    size_t n;                   /* iterations handed out (items or batches) */
    int src_done;
    json_t **results;           /* by iteration, unless a ResultWriter takes them */
    size_t cap;
    size_t failed;
    int stop;
    struct asl_err err;         /* the error that stopped the Map */
    long last_event;            /* chain: the last state event of the latest iteration */
    long last_iter_event;       /* the latest MapIteration{Succeeded,Failed} event */
    long fail_event;            /* the failing iteration's last state event */
    /* Parked iterations (struct asl_park): with a store, an iteration whose
     * callback wait would block gives its thread back and waits here. */
    int may_park;
    size_t running;             /* iterations on a thread now */
    size_t inflight_max;        /* running + parked at most (MaxConcurrency) */
    struct parked *parked;      /* waiting for their tokens */
    size_t nparked, cap_parked;
    struct parked *ready;       /* answered or due: to run again */
    size_t nready, cap_ready;
    int polling;                /* a worker watches the parked tokens */
    pthread_cond_t cv;          /* parked/ready/running changed */
    int park_changed;           /* parked entries came since the poller's last scan */
    struct asl_park_scan scan;  /* the poller's alone (one at a time, handed over under mu) */
};

struct parked {
    size_t index;
    json_t *unit;
    json_t *source;             /* its $$.Map.Item.Source */
    char token[64];
};

/* MaxConcurrency, the tolerances and the batch limits, literal or from
 * their *Path fields against the effective input. */
/* MaxConcurrencyPath: AWS resolves it before MapStateStarted (recorded: a
 * bad value fails the execution straight after MapStateEntered). */
static int map_maxconc(struct asl_run *run, const struct asl_map *m, json_t *eff, long long *out)
{
    double d;
    *out = m->max_concurrency;
    if (!m->max_concurrency_path)
        return 0;
    if (asl_map_path_number(run, m->max_concurrency_path, eff, "MaxConcurrencyPath", 1, &d) != 0)
        return -1;
    if (d < 0)
        return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                                     "Expected non-negative integer for MaxConcurrency, got '%lld' instead.",
                                     (long long)d);
    *out = (long long)d;
    return 0;
}

static int batch_limits(struct asl_run *run, const struct asl_map *m, json_t *eff, struct mlimits *l);

static int map_limits(struct asl_run *run, const struct asl_map *m, json_t *eff, struct mlimits *l)
{
    double d;
    if (m->max_concurrency_jn || m->tolerated_count_jn || m->tolerated_percent_jn) {
        l->maxconc = m->max_concurrency;
        l->tol_count = m->has_tolerated_count ? m->tolerated_count : -1;
        l->tol_percent = m->has_tolerated_percent ? m->tolerated_percent : -1;
        if (m->max_concurrency_jn) {
            if (asl_map_jn_number(run, m->max_concurrency_jn, eff, 1, &d) != 0)
                return -1;
            if (d < 0)
                return asl_run_fail_prefixed(run, ASL_E_QUERY, "Expected non-negative integer for "
                                             "MaxConcurrency, got '%lld' instead.", (long long)d);
            l->maxconc = (long long)d;
        }
        if (m->tolerated_count_jn) {
            if (asl_map_jn_number(run, m->tolerated_count_jn, eff, 1, &d) != 0)
                return -1;
            if (d < 0)
                return asl_run_fail_prefixed(run, ASL_E_QUERY, "ToleratedFailureCount cannot be negative.");
            l->tol_count = (long long)d;
        }
        if (m->tolerated_percent_jn) {
            if (asl_map_jn_number(run, m->tolerated_percent_jn, eff, 0, &d) != 0)
                return -1;
            if (d < 0 || d > 100)
                return asl_run_fail_prefixed(run, ASL_E_QUERY,
                                             "ToleratedFailurePercentage must be between 0 and 100.");
            l->tol_percent = d;
        }
        return batch_limits(run, m, eff, l);
    }
    l->tol_count = m->has_tolerated_count ? m->tolerated_count : -1;
    l->tol_percent = m->has_tolerated_percent ? m->tolerated_percent : -1;
    if (m->tolerated_count_path) {
        if (asl_map_path_number(run, m->tolerated_count_path, eff, "ToleratedFailureCountPath", 1, &d) != 0)
            return -1;
        if (d < 0)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME, "ToleratedFailureCount cannot be negative.");
        l->tol_count = (long long)d;
    }
    if (m->tolerated_percent_path) {
        if (asl_map_path_number(run, m->tolerated_percent_path, eff, "ToleratedFailurePercentagePath", 0, &d) != 0)
            return -1;
        if (d < 0 || d > 100)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                                         "ToleratedFailurePercentage must be between 0 and 100.");
        l->tol_percent = d;
    }
    return batch_limits(run, m, eff, l);
}

/* ItemBatcher's limits: literal, from their *Path fields, or (JSONata)
 * {% %} expressions, each a positive integer. */
static int batch_limits(struct asl_run *run, const struct asl_map *m, json_t *eff, struct mlimits *l)
{
    double d;
    l->batching = m->batched;
    l->batch_items = m->batch_max_items > 0 ? m->batch_max_items : 0;
    l->batch_bytes = m->batch_max_bytes > 0 ? m->batch_max_bytes : 0;
    if (m->batch_max_items_path) {
        if (asl_map_path_number(run, m->batch_max_items_path, eff, "MaxItemsPerBatchPath", 1, &d) != 0)
            return -1;
        if (d <= 0)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME, "MaxItemsPerBatch must be positive.");
        l->batch_items = (long long)d;
    }
    if (m->batch_max_bytes_path) {
        if (asl_map_path_number(run, m->batch_max_bytes_path, eff, "MaxInputBytesPerBatchPath", 1, &d) != 0)
            return -1;
        if (d <= 0)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME, "MaxInputBytesPerBatch must be positive.");
        l->batch_bytes = (long long)d;
    }
    if (m->batch_max_items_jn) {
        if (asl_map_jn_number(run, m->batch_max_items_jn, eff, 1, &d) != 0)
            return -1;
        if (d <= 0)
            return asl_run_fail_prefixed(run, ASL_E_QUERY, "MaxItemsPerBatch must be positive.");
        l->batch_items = d > 2147483647.0 ? 2147483647 : (long long)d;
    }
    if (m->batch_max_bytes_jn) {
        if (asl_map_jn_number(run, m->batch_max_bytes_jn, eff, 1, &d) != 0)
            return -1;
        if (d <= 0)
            return asl_run_fail_prefixed(run, ASL_E_QUERY, "MaxInputBytesPerBatch must be positive.");
        l->batch_bytes = d > (double)ASL_PAYLOAD_MAX ? ASL_PAYLOAD_MAX : (long long)d;
    }
    if (l->batch_bytes > ASL_PAYLOAD_MAX)
        l->batch_bytes = ASL_PAYLOAD_MAX;
    return 0;
}

/* The items the Map runs over: an ItemReader's, or ItemsPath's array on
 * the effective input.  0 with *out, or -1 with run->err. */
static int map_items(struct asl_run *run, const struct asl_map *m, json_t *eff, struct asl_items **out)
{
    if (m->reader)
        return asl_map_reader_open(run, m, eff, out);
    json_t *items = NULL;
    if (m->jsonata) {
        if (m->items_jn) {
            json_t *states = asl_jn_states(run, eff, NULL, NULL);
            int rc = asl_jn_tpl(run, m->items_jn, states, &items);
            json_decref(states);
            if (rc != 0 || asl_jn_expect(run, m->items_jn, items, "array") != 0) {
                json_decref(items);
                return -1;
            }
        } else if (!json_is_array(eff)) {
            char *text = asl_json_text(eff);
            asl_run_fail_prefixed(run, ASL_E_QUERY, "Map state input must be an array but was: %s",
                                  text ? text : "");
            free(text);
            asl_history_evaluation_failed(run, "Items");
            return -1;
        } else {
            items = json_incref(eff);
        }
        *out = asl_map_reader_array_new(items);
        return *out ? 0 : asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
    }
    if (m->items_path) {
        int s = asl_io_select(run, m->items_path, eff, &items);
        if (s < 0)
            return -1;
        if (s == 0) {
            char *cause = asl_io_miss_text(run, m->items_path, eff);
            asl_run_fail_prefixed(run, ASL_E_RUNTIME, "%s", cause ? cause : m->items_path->text);
            free(cause);
            return -1;
        }
    } else {
        items = json_incref(eff);
    }
    /* An object runs one iteration per member (AWS's ItemsPath page, 2025:
     * "If the input to the Map state is a JSON object, it runs an iteration
     * for each key-value pair").  JSONata's Items above keeps the recorded
     * failure for an object (conformance, recorded 2024-11-19): AWS's
     * pages state the object rule for ItemsPath only. */
    int rc = asl_map_reader_value_new(items, out);
    if (rc == 0)
        return asl_run_fail_prefixed(run, ASL_E_RUNTIME, "Reference path \"%s\" must point to array.",
                                     m->items_path ? m->items_path->text : "$");
    return rc > 0 ? 0 : asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
}

/* Does the failure count exceed the tolerance?  With none set, any failure
 * does.  The percentage needs the total: known up front for an array,
 * else once the source is exhausted (`final`). */
static int exceeded(const struct mstate *ms, int final)
{
    if (!ms->tolerance)
        return ms->failed > 0;
    if (ms->lim.tol_count >= 0 && (long long)ms->failed > ms->lim.tol_count)
        return 1;
    if (ms->lim.tol_percent >= 0) {
        double total = final || ms->src_done ? (double)ms->n
                     : !ms->lim.batching && ms->src->total >= 0 ? (double)ms->src->total : 0;
        if (total > 0 && 100.0 * (double)ms->failed / total > ms->lim.tol_percent)
            return 1;
    }
    return 0;
}

/* Stop the Map with `err` (moved), unless it has stopped already; under mu. */
static void stop_with(struct mstate *ms, struct asl_err *err)
{
    if (!ms->stop) {
        ms->stop = 1;
        asl_err_move(&ms->err, err);
        asl_cancel_set(ms->cancel, ms->err.name, ms->err.cause);
    }
    asl_err_clear(err);
}

/* ItemSelector for item i, evaluated as the Map state itself sees the
 * world (its variables, $$.Map.Item.*), with `it`'s error slot. */
static json_t *iteration_input(struct asl_run *it, struct mstate *ms, size_t i, json_t *item, json_t *source)
{
    if (!ms->m->item_selector)
        return json_incref(item);
    json_t *idx = json_integer((json_int_t)i);
    struct asl_vars *own = it->vars;
    it->vars = ms->parent->vars;    /* read-only while the Map runs */
    it->map_item_index = idx;
    it->map_item_value = item;
    it->map_item_source = source;
    if (ms->pairs) {                /* a JSON object's member: Key and Value apart */
        it->map_item_key = json_object_get(item, "Key");
        it->map_item_value = json_object_get(item, "Value");
    }
    json_t *out = NULL;
    if (ms->m->jsonata) {
        /* $states.context.Map.Item.{Index,Value} come from the run. */
        json_t *states = asl_jn_states(it, ms->eff, NULL, NULL);
        if (asl_jn_tpl(it, ms->m->item_selector, states, &out) != 0)
            out = NULL;
        json_decref(states);
    } else if (asl_io_tpl_eval(it, ms->m->item_selector, ms->eff, &out) != 0) {
        out = NULL;
    }
    it->map_item_index = it->map_item_value = it->map_item_key = it->map_item_source = NULL;
    it->vars = own;
    json_decref(idx);
    return out;
}

/* The next batch: {"BatchInput"?, "Items": [selected items]} within the
 * item and byte limits.  Under mu.  1, 0 at the end, -1 (Map stopped). */
static int pull_batch(struct mstate *ms, json_t **unit)
{
    json_t *items = json_array();
    size_t bytes = 2;
    for (;;) {
        if (ms->lim.batch_items > 0 && (long long)json_array_size(items) >= ms->lim.batch_items)
            break;
        json_t *sel = ms->held;
        ms->held = NULL;
        if (!sel) {
            json_t *raw = NULL;
            struct asl_err err = {0};
            int r = ms->src_done ? 0 : asl_map_reader_next(ms->src, &raw, &err);
            if (r < 0) {
                stop_with(ms, &err);
                json_decref(items);
                return -1;
            }
            if (r == 0) {
                ms->src_done = 1;
                break;
            }
            sel = iteration_input(&ms->feed, ms, ms->nread++, raw, ms->src->source);
            json_decref(raw);
            if (!sel) {
                stop_with(ms, &ms->feed.err);
                json_decref(items);
                return -1;
            }
        }
        if (ms->lim.batch_bytes > 0) {
            size_t sz = asl_json_size(sel) + 1;
            if (json_array_size(items) && bytes + sz > (size_t)ms->lim.batch_bytes) {
                ms->held = sel;
                break;
            }
            bytes += sz;
        }
        json_array_append_new(items, sel);
    }
    if (json_array_size(items) == 0) {
        json_decref(items);
        return 0;
    }
    json_t *b = json_object();
    if (ms->batch_input)
        json_object_set(b, "BatchInput", ms->batch_input);
    json_object_set_new(b, "Items", items);
    *unit = b;
    return 1;
}

/* The next unit of work (an item or a batch), its index and, for an
 * item, its $$.Map.Item.Source (*source, new reference); under mu.
 * 1, 0 at the end, -1 when the Map stopped. */
static int pull_unit(struct mstate *ms, json_t **unit, size_t *index, json_t **source)
{
    int r;
    if (ms->lim.batching) {
        r = pull_batch(ms, unit);
    } else {
        struct asl_err err = {0};
        r = ms->src_done ? 0 : asl_map_reader_next(ms->src, unit, &err);
        if (r < 0)
            stop_with(ms, &err);
        else if (r == 0)
            ms->src_done = 1;
        else
            ms->nread++;
        if (r == 1)
            *source = json_incref(ms->src->source);
    }
    if (r != 1)
        return r;
    if (!ms->writer && ms->n >= ms->cap) {
        size_t cap = ms->cap ? ms->cap * 2 : 64;
        json_t **nr = realloc(ms->results, cap * sizeof *nr);
        if (!nr) {
            json_decref(*unit);
            json_decref(*source);
            struct asl_err err = {0};
            asl_err_set_str(&err, ASL_E_RUNTIME, "out of memory");
            stop_with(ms, &err);
            return -1;
        }
        memset(nr + ms->cap, 0, (cap - ms->cap) * sizeof *nr);
        ms->results = nr;
        ms->cap = cap;
    }
    *index = ms->n++;
    return 1;
}

/* Run iteration i; 1 when it parked (struct asl_park, *token gets what it
 * waits for), else 0. */
static int run_iteration(struct mstate *ms, size_t i, json_t *unit, json_t *source, char token[64])
{
    struct asl_run it;
    struct asl_vars scope;
    struct asl_cancel *tok = asl_cancel_child_new(ms->cancel);
    asl_run_child(&it, ms->parent, tok, &scope, ms->m->distributed ? NULL : ms->parent->vars);
    struct asl_park park = {.tok = tok};
    if (ms->may_park)
        it.park = &park;
    asl_dur_child(&it, ms->parent, (long)i);
    struct asl_run *outer = asl_dur_enter(&it);    /* ItemSelector's random draws are the iteration's */
    /* ItemSelector is evaluated as the Map state itself sees the world. */
    it.state = ms->parent->state;
    it.entered_event = ms->parent->entered_event;
    memcpy(it.entered_time, ms->parent->entered_time, sizeof it.entered_time);
    /* An iteration's first event follows the previous iteration's last
     * state event (AWS's previousEventId chain). */
    pthread_mutex_lock(&ms->mu);
    it.prev_event = ms->last_event;
    pthread_mutex_unlock(&ms->mu);
    /* A distributed Map's children are executions of their own: their
     * events are numbered in their own history, not the parent's. */
    struct asl_exec child_ex;
    if (ms->m->distributed) {
        child_ex = *ms->parent->exec;
        child_ex.hist = asl_history_new();
        child_ex.child_history = 1;
        it.exec = &child_ex;
        it.prev_event = 0;
    }
    json_t *details = NULL;
    if (!ms->m->distributed) {
        if (asl_history_recording(&it))
            details = json_pack("{s:s,s:i}", "name", ms->st->name, "index", (int)i);
        asl_history_add(&it, "MapIterationStarted", details);
    }
    char start[40] = "", stop[40] = "";
    int want_record = ms->writer || ms->keep_records;
    if (want_record)
        asl_ts_now_iso(start, sizeof start);
    json_t *input = ms->lim.batching ? json_incref(unit) : iteration_input(&it, ms, i, unit, source);
    json_t *out = NULL;
    if (ms->m->distributed && input)
        child_ex.input = input;     /* the child's $$.Execution.Input */
    int ok = input && asl_run_machine(&it, ms->m->processor, input, &out) == 0;
    long last_state_event = it.prev_event;
    if (ms->m->distributed) {
        asl_history_free(child_ex.hist);
        it.exec = ms->parent->exec;
    }
    if (park.parked) {      /* not a failure: it runs again, replaying what it did */
        memcpy(token, park.token, sizeof park.token);
        json_decref(out);
        json_decref(input);
        json_decref(scope.obj);
        asl_err_clear(&it.err);
        asl_cancel_free(tok);
        asl_dur_enter(outer);
        return 1;
    }
    if (!ms->m->distributed) {
        if (asl_history_recording(&it))
            details = json_pack("{s:s,s:i}", "name", ms->st->name, "index", (int)i);
        asl_history_add(&it, ok ? "MapIterationSucceeded" : "MapIterationFailed", details);
    }
    json_t *keep = NULL;        /* what results[i] gets */
    struct asl_err werr = {0};
    int wrote = 0;
    if (want_record) {
        asl_ts_now_iso(stop, sizeof stop);
        struct asl_map_child c = {.map_run_arn = ms->map_run_arn, .index = i, .input = input ? input : unit,
                                  .output = ok ? out : NULL, .err = ok ? NULL : &it.err,
                                  .start = start, .stop = stop};
        if (ms->writer)
            wrote = asl_map_writer_put(ms->writer, &c, &werr) == 0 ? 1 : -1;
        else
            keep = asl_map_writer_record(it.exec, &c);
    }
    if (!ms->writer && !keep)
        keep = ok ? json_incref(out) : asl_recover_error_output(&it.err);
    pthread_mutex_lock(&ms->mu);
    if (!ms->writer)
        ms->results[i] = keep;
    if (!ok) {
        ms->failed++;
        if (!ms->stop && exceeded(ms, 0)) {
            if (ms->tolerance)
                asl_err_set(&it.err, ASL_E_TOLERATED, "The specified tolerated failure threshold was exceeded");
            stop_with(ms, &it.err);
        }
    }
    if (wrote < 0)
        stop_with(ms, &werr);
    asl_progress_item(ms->progress, !ok);
    if (!ms->m->distributed && last_state_event > ms->last_event)
        ms->last_event = last_state_event;
    if (!ms->m->distributed && it.prev_event > ms->last_iter_event)
        ms->last_iter_event = it.prev_event;
    if (!ok && ms->stop && !ms->fail_event)
        ms->fail_event = last_state_event;
    pthread_mutex_unlock(&ms->mu);
    json_decref(out);
    json_decref(input);
    json_decref(scope.obj);
    asl_err_clear(&it.err);
    asl_err_clear(&werr);
    asl_cancel_free(tok);
    asl_dur_enter(outer);
    return 0;
}

static int push_parked(struct parked **arr, size_t *n, size_t *cap, const struct parked *p)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        struct parked *na = realloc(*arr, c * sizeof *na);
        if (!na)
            return -1;
        *arr = na;
        *cap = c;
    }
    (*arr)[(*n)++] = *p;
    return 0;
}

/* Under mu, as the one poller: watch the parked tokens (the store is read
 * again only when something changed, see asl_dur_park_scan) until some can
 * go on, and move those to the ready list.  The lock is dropped while
 * waiting. */
static void poll_parked(struct mstate *ms)
{
    ms->polling = 1;
    while (ms->nparked && !ms->nready && !ms->stop && !asl_cancel_is_set(ms->cancel) &&
           (ms->src_done || ms->running + ms->nparked >= ms->inflight_max)) {
        size_t n = ms->nparked;
        char (*tokens)[64] = malloc(n * sizeof *tokens);
        unsigned char *ready = calloc(n ? n : 1, 1);
        if (!tokens || !ready) {
            free(tokens);
            free(ready);
            struct asl_err err = {0};
            asl_err_set_str(&err, ASL_E_RUNTIME, "out of memory");
            stop_with(ms, &err);
            break;
        }
        for (size_t k = 0; k < n; k++)
            memcpy(tokens[k], ms->parked[k].token, sizeof tokens[k]);
        if (ms->park_changed)
            ms->scan.scanned = 0;
        ms->park_changed = 0;
        pthread_mutex_unlock(&ms->mu);
        int got = asl_dur_park_scan(ms->parent->exec, &ms->scan, (const char (*)[64])tokens, n, ready);
        if (got <= 0) {
            struct timespec ts = {0, 10 * 1000000L};     /* an answer is seen within ~10 ms */
            nanosleep(&ts, NULL);
        }
        pthread_mutex_lock(&ms->mu);
        /* Entries [0, n) are the ones scanned (others are only appended). */
        for (size_t k = n; got > 0 && k-- > 0;) {
            if (!ready[k])
                continue;
            if (push_parked(&ms->ready, &ms->nready, &ms->cap_ready, &ms->parked[k]) != 0)
                continue;
            ms->parked[k] = ms->parked[--ms->nparked];
        }
        if (got > 0)
            ms->park_changed = 1;       /* the set changed */
        free(tokens);
        free(ready);
    }
    ms->polling = 0;
    pthread_cond_broadcast(&ms->cv);
}

/* A worker: iterations ready again after parking first, then new units
 * while running + parked stay under the Map's concurrency; when only
 * parked iterations are left, one worker polls their tokens and the others
 * wait.  Without parking this is: pull a unit, run it, until none is left. */
static void *worker_main(void *arg)
{
    struct mstate *ms = arg;
    pthread_mutex_lock(&ms->mu);
    for (;;) {
        if (ms->stop || asl_cancel_is_set(ms->cancel))
            break;
        json_t *unit = NULL, *source = NULL;
        size_t i = 0;
        int r = 0;
        if (ms->nready) {
            struct parked p = ms->ready[--ms->nready];
            unit = p.unit;
            source = p.source;
            i = p.index;
            r = 1;
        } else if (!ms->src_done && ms->running + ms->nparked < ms->inflight_max) {
            r = pull_unit(ms, &unit, &i, &source);
            if (r < 0)
                break;
        }
        if (r != 1) {
            if (!ms->nparked)
                break;          /* nothing left to pull, nothing waiting */
            if (!ms->polling)
                poll_parked(ms);
            else
                pthread_cond_wait(&ms->cv, &ms->mu);
            continue;
        }
        ms->running++;
        pthread_mutex_unlock(&ms->mu);
        struct parked p = {.index = i, .unit = unit, .source = source};
        int parked = run_iteration(ms, i, unit, source, p.token);
        pthread_mutex_lock(&ms->mu);
        ms->running--;
        if (parked && push_parked(&ms->parked, &ms->nparked, &ms->cap_parked, &p) == 0) {
            ms->park_changed = 1;
        } else {
            if (parked) {
                struct asl_err err = {0};
                asl_err_set_str(&err, ASL_E_RUNTIME, "out of memory");
                stop_with(ms, &err);
            }
            json_decref(unit);
            json_decref(source);
        }
        pthread_cond_broadcast(&ms->cv);
    }
    pthread_cond_broadcast(&ms->cv);    /* the Map stops: wake the waiting workers */
    pthread_mutex_unlock(&ms->mu);
    return NULL;
}

/* Does this processor (or one nested in it) run a .waitForTaskToken Task? */
static int has_callback(const struct asl_machine *m)
{
    for (size_t i = 0; i < m->nstates; i++) {
        const struct asl_state *st = &m->states[i];
        if (st->type == ASL_TASK && ((const struct asl_task *)st->spec)->wait_for_token)
            return 1;
        if (st->type == ASL_MAP && has_callback(((const struct asl_map *)st->spec)->processor))
            return 1;
        if (st->type == ASL_PARALLEL) {
            const struct asl_parallel *p = st->spec;
            for (size_t b = 0; b < p->nbranches; b++)
                if (has_callback(p->branches[b]))
                    return 1;
        }
    }
    return 0;
}

/* `workers` at most: the calling thread and one thread per budget slot of
 * the execution's concurrency budget (budget.c) that is free now.  A slot
 * is given back once its thread is joined, so threads never outnumber the
 * budget, not even while one is exiting. */
static void run_workers(struct mstate *ms, size_t workers)
{
    struct asl_exec *ex = ms->parent->exec;
    pthread_t *tids = workers > 1 ? calloc(workers - 1, sizeof *tids) : NULL;
    size_t started = 0;
    while (tids && started + 1 < workers && asl_budget_take(ex)) {
        if (pthread_create(&tids[started], NULL, worker_main, ms) != 0) {
            asl_budget_give(ex);
            break;
        }
        started++;
    }
    worker_main(ms);
    for (size_t i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
        asl_budget_give(ex);
    }
    free(tids);
}

/* WriterConfig without a bucket: the results array, transformed. */
static json_t *transform_inline(const struct asl_result_writer *w, json_t *arr)
{
    if (!w || w->transform != ASL_WT_FLATTEN)
        return arr;
    json_t *flat = json_array();
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        if (json_is_array(v))
            json_array_extend(flat, v);
        else
            json_array_append(flat, v);
    }
    json_decref(arr);
    return flat;
}

/* After the iterations: the tolerated-failure check, the ResultWriter's
 * files, then the result or the error and the closing events. */
static int map_finish(struct mstate *ms, struct asl_run *run, json_t **result)
{
    if (!ms->stop && !asl_cancel_is_set(ms->cancel) && exceeded(ms, 1)) {
        struct asl_err err = {0};
        asl_err_set(&err, ASL_E_TOLERATED, "The specified tolerated failure threshold was exceeded");
        stop_with(ms, &err);
    }
    json_t *arr = NULL;
    if (ms->writer) {
        /* The files are finished even when the Map fails, as AWS's are. */
        struct asl_err err = {0};
        if (asl_map_writer_close(ms->writer, &arr, &err) != 0 && !ms->stop)
            stop_with(ms, &err);
        asl_err_clear(&err);
    }
    if (ms->stop || asl_cancel_is_set(ms->cancel)) {
        if (!ms->stop)   /* cancelled from outside: report why */
            asl_cancel_err(ms->cancel, &ms->err);
        asl_err_move(&run->err, &ms->err);
        json_decref(arr);
        if (ms->fail_event && !ms->m->distributed)
            run->prev_event = ms->fail_event;
        if (ms->m->distributed)
            asl_history_add(run, "MapRunFailed", NULL);
        /* MapStateFailed is recover.c's: only when no retry follows. */
    } else {
        if (!ms->writer) {
            arr = json_array();
            for (size_t i = 0; i < ms->n; i++)
                json_array_append(arr, ms->results[i] ? ms->results[i] : json_null());
            arr = transform_inline(ms->m->writer, arr);
        }
        *result = arr;
        /* As recorded on AWS, Succeeded and Exited follow the same event:
         * the last MapIterationSucceeded inline, MapRunSucceeded when
         * distributed. */
        if (ms->m->distributed)
            asl_history_add(run, "MapRunSucceeded", NULL);
        long exited_prev = run->prev_event;
        asl_history_add(run, "MapStateSucceeded", NULL);
        run->prev_event = exited_prev;
        return 0;
    }
    return -1;
}

/* What the iterations left: results, parked and ready units, the feed. */
static void map_threads_clear(struct mstate *ms)
{
    if (ms->results)
        for (size_t i = 0; i < ms->n; i++)
            json_decref(ms->results[i]);
    free(ms->results);
    json_decref(ms->held);
    asl_err_clear(&ms->feed.err);
    json_decref(ms->feed_scope.obj);
    asl_cancel_free(ms->cancel);
    for (size_t k = 0; k < ms->nparked; k++) {   /* the Map stopped: they will not run again */
        json_decref(ms->parked[k].unit);
        json_decref(ms->parked[k].source);
    }
    for (size_t k = 0; k < ms->nready; k++) {
        json_decref(ms->ready[k].unit);
        json_decref(ms->ready[k].source);
    }
    free(ms->parked);
    free(ms->ready);
    pthread_cond_destroy(&ms->cv);
    pthread_mutex_destroy(&ms->mu);
}

/* What map_attempt set up before the iterations. */
static void map_state_clear(struct mstate *ms)
{
    asl_map_reader_close(ms->src);
    asl_map_writer_free(ms->writer);
    asl_err_clear(&ms->err);
    free(ms->map_run_arn);
    json_decref(ms->batch_input);
}

static int map_attempt(struct asl_run *run, const struct asl_state *st, void *ctx, json_t *eff,
                       json_t **result)
{
    (void)ctx;
    const struct asl_map *m = st->spec;
    struct mstate ms = {.parent = run, .st = st, .m = m, .eff = eff};
    int rc = -1;
    ms.lim.batching = m->batched;
    ms.lim.batch_items = m->batch_max_items > 0 ? m->batch_max_items : 0;   /* for the length */
    ms.lim.batch_bytes = m->batch_max_bytes > 0 || m->batch_max_bytes_path || m->batch_max_bytes_jn ? 1 : 0;
    char run_id[40] = "";
    if (m->distributed || m->writer) {
        ms.map_run_arn = asl_map_writer_run_arn(run->exec, m->label ? m->label : st->name, run_id, sizeof run_id);
        if (!ms.map_run_arn) {
            json_decref(ms.batch_input);
            return asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
        }
    }
    /* A redriven execution reruns a failed Distributed Map as the same Map
     * Run, redriven (AWS: at most 1,000 times, then States.Runtime). */
    int redrives = m->distributed ? asl_dur_map_run(run, &ms.map_run_arn, run_id, sizeof run_id) : 0;
    if (redrives > ASL_MAP_RUN_REDRIVES_MAX) {
        asl_err_set(&run->err, ASL_E_RUNTIME, "The Map Run %s has been redriven %d times, the limit",
                    ms.map_run_arn, ASL_MAP_RUN_REDRIVES_MAX);
        free(ms.map_run_arn);
        return -1;
    }
    if (m->writer && m->writer->parameters &&
        asl_map_writer_open(run, m, eff, ms.map_run_arn, run_id, &ms.writer) != 0)
        goto early;
    ms.keep_records = m->writer && !m->writer->parameters && m->writer->transform == ASL_WT_NONE;
    long long maxconc;
    if (map_maxconc(run, m, eff, &maxconc) != 0 || map_items(run, m, eff, &ms.src) != 0)
        goto early;

    ms.cancel = asl_cancel_child_new(run->cancel);
    pthread_mutex_init(&ms.mu, NULL);
    pthread_cond_init(&ms.cv, NULL);
    asl_run_child(&ms.feed, run, ms.cancel, &ms.feed_scope, NULL);
    asl_dur_child(&ms.feed, run, -1);
    ms.feed.state = run->state;
    ms.feed.entered_event = run->entered_event;
    memcpy(ms.feed.entered_time, run->entered_time, sizeof ms.feed.entered_time);
    ms.pairs = ms.src->pairs;
    long long total = ms.src->total;
    if (total >= 0 && ms.lim.batching)
        total = ms.lim.batch_bytes > 0 || m->batch_max_items_path || m->batch_max_items_jn ? -1
              : ms.lim.batch_items > 0
              ? (total + ms.lim.batch_items - 1) / ms.lim.batch_items : total > 0;
    if (asl_history_recording(run))
        asl_history_add(run, "MapStateStarted",
                        total >= 0 ? json_pack("{s:I}", "length", (json_int_t)total) : NULL);
    else
        asl_history_add(run, "MapStateStarted", NULL);
    /* AWS settles the limits after MapStateStarted: a bad *Path value fails
     * the execution right there, with no MapStateFailed. */
    ms.lim.maxconc = maxconc;
    if (map_limits(run, m, eff, &ms.lim) != 0)
        goto cleanup;
    ms.tolerance = ms.lim.tol_count >= 0 || ms.lim.tol_percent >= 0;
    if (m->batch_input && asl_map_params_eval(run, m, m->batch_input, eff, &ms.batch_input) != 0)
        goto cleanup;
    if (ms.batch_input && m->jsonata && asl_jn_expect(run, m->batch_input, ms.batch_input, "object") != 0)
        goto cleanup;
    if (m->distributed && redrives > 0)
        asl_history_add(run, "MapRunRedriven", asl_history_recording(run)
                        ? json_pack("{s:s,s:i}", "mapRunArn", ms.map_run_arn, "redriveCount", redrives) : NULL);
    else if (m->distributed)
        asl_history_add(run, "MapRunStarted", asl_history_recording(run)
                        ? json_pack("{s:s}", "mapRunArn", ms.map_run_arn) : NULL);
    ms.last_event = ms.last_iter_event = run->prev_event;

    size_t workers = ms.lim.maxconc > 0 ? (size_t)ms.lim.maxconc
                   : m->distributed ? ASL_MAP_MAX_WORKERS : ASL_MAP_INLINE_WORKERS;
    if (workers > ASL_MAP_MAX_WORKERS)
        workers = ASL_MAP_MAX_WORKERS;
    if (total >= 0 && workers > (size_t)total)
        workers = (size_t)total;
    /* With a store, callback waits park (above): up to MaxConcurrency
     * iterations (with none, 40 inline as AWS, 10,000 distributed) wait
     * at once on `workers` threads. */
    ms.may_park = run->exec->dur && has_callback(m->processor);
    if (ms.may_park)
        asl_dur_allow_parking(run->exec);
    ms.inflight_max = ms.lim.maxconc > 0 ? (size_t)ms.lim.maxconc
                    : ms.may_park ? (m->distributed ? ASL_MAP_DIST_INFLIGHT : ASL_MAP_INLINE_WORKERS) : SIZE_MAX;
    ms.progress = asl_progress_begin(st->name, total);
    run_workers(&ms, workers);
    asl_progress_end(ms.progress);
    run->prev_event = ms.last_iter_event;

    rc = map_finish(&ms, run, result);
cleanup:
    map_threads_clear(&ms);
early:
    map_state_clear(&ms);
    return rc;
}

int asl_map_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    const struct asl_map *m = st->spec;
    return asl_recover_run(run, st, &m->rec, in, map_attempt, NULL, out, next);
}
