/*
 * exec_durable.c - Standard executions of the server, through the durable
 * store: stopping and redriving them (store records and events), finding
 * the ones to resume at start-up, and running them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "exec/exec.h"
#include "run/history.h"
#include "serve_exec.h"
#include "serve_int.h"
#include "serve_run.h"
#include "store/serve_queries.h"
#include "store/cmd.h"
#include "store/durable.h"
#include "store/store.h"

static atomic_int timer_stop;
static pthread_t timer_thread;
static int timer_started;

/* Append an execution-level event (previousEventId 0, as AWS records
 * ExecutionAborted) after the last one. */
static int append_exec_event(struct asl_serve_conn *h, int64_t exec, const char *type, const char *member,
                             json_t *details, double now)
{
    long last = 0;
    if (asl_store_event_last(h->st, exec, &last) != ASL_STORE_OK) {
        json_decref(details);
        return -1;
    }
    json_t *ev = json_pack("{s:o,s:s,s:I,s:i}", "timestamp", asl_serve_date(now), "type", type, "id",
                           (json_int_t)(last + 1), "previousEventId", 0);
    json_object_set_new(ev, member, details);
    char *text = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(13));
    struct asl_store_event e = {last + 1, 0, now, type, text, NULL};
    int rc = text ? asl_store_event_append(h->st, exec, &e) : -1;
    free(text);
    json_decref(ev);
    return rc == ASL_STORE_OK ? 0 : -1;
}

int asl_serve_exec_abort(struct asl_serve *s, struct asl_serve_conn *h, const struct asl_store_exec *e,
                         const char *error, const char *cause, double now)
{
    if (asl_store_begin(h->st) != ASL_STORE_OK)
        return -1;
    json_t *det = json_object();
    if (error)
        json_object_set_new(det, "error", json_string(error));
    if (cause)
        json_object_set_new(det, "cause", json_string(cause));
    int ok = asl_store_exec_close(h->st, e->id, ASL_EXEC_ABORTED, NULL, error, cause, now) == ASL_STORE_OK &&
             append_exec_event(h, e->id, "ExecutionAborted", "executionAbortedEventDetails", det, now) == 0 &&
             asl_store_token_close_exec(h->st, e->id) == ASL_STORE_OK &&
             asl_store_commit(h->st) == ASL_STORE_OK;
    if (!ok) {
        asl_store_rollback(h->st);
        return -1;
    }
    atomic_fetch_sub(&s->running, 1);
    asl_sq_activity_tasks_drop_exec(h->sq, e->id);
    return 0;
}

/* A redrive is the durable layer's (asl_dur_start with redrive: the failed
 * states' records are forgotten, the rest replays): reopen it here, before
 * the answer, then let a worker resume it. */
int asl_serve_exec_redrive(struct asl_serve *s, struct asl_serve_conn *h, const struct asl_store_exec *e,
                           double now)
{
    (void)h;
    (void)now;
    json_t *input = json_loads(e->input, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    struct asl_exec ex;
    asl_serve_exec_init(s, &ex, input, e->name, e->arn);
    ex.has_store = 1;
    ex.hist = asl_history_new();
    struct asl_store_exec closed = {0};
    int r = asl_dur_start(&ex, s->store_path, s->sync ? ASL_STORE_SYNC_FULL : ASL_STORE_SYNC_PROCESS, 1,
                          "serve: RedriveExecution", &closed);
    if (r == ASL_DUR_RUN)
        asl_dur_leave(&ex);
    asl_dur_free(&ex);
    asl_store_exec_clear(&closed);
    asl_history_free(ex.hist);
    asl_serve_exec_clear(&ex);
    json_decref(ex.input);
    return r == ASL_DUR_RUN ? 0 : -1;
}

int asl_serve_redrive_token_seen(struct asl_serve *s, struct asl_serve_conn *h, int64_t exec,
                                 const char *token, double now, double *date)
{
    (void)s;
    return asl_sq_redrive_token_get(h->sq, exec, token, now - 900, date) == ASL_SQ_OK;
}

void asl_serve_redrive_token_keep(struct asl_serve *s, struct asl_serve_conn *h, int64_t exec,
                                  const char *token, double now)
{
    (void)s;
    if (asl_sq_redrive_token_put(h->sq, exec, token, now) != ASL_SQ_OK)
        asl_log(ASL_LOG_WARN, "serve", "RedriveExecution: the client token was not kept: %s",
                asl_sq_errmsg(h->sq));
}

struct recover {
    struct asl_serve *s;
    int64_t n;
    size_t nlate, cap;
    int64_t *late;              /* did not fit in the queue */
};

/* A RUNNING execution with a wake time is parked: the timer finds it when
 * due.  One without was running when the last process stopped: queue it. */
static int on_running(void *arg, const struct asl_store_exec *e)
{
    struct recover *r = arg;
    r->n++;
    if (e->wake_at > 0 || asl_serve_run_submit(r->s, e->id) == 0)
        return 0;
    if (r->nlate == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        int64_t *l = realloc(r->late, cap * sizeof *l);
        if (!l)
            return 0;
        r->late = l;
        r->cap = cap;
    }
    r->late[r->nlate++] = e->id;
    return 0;
}

static int recover(struct asl_serve *s, struct asl_serve_conn *h, int64_t *n)
{
    struct recover r = {s, 0, 0, 0, NULL};
    int rc = asl_store_exec_list(h->st, s->sm_arn, ASL_EXEC_RUNNING, 0, 0, on_running, &r);
    double now = asl_serve_now();
    for (size_t i = 0; i < r.nlate; i++)
        asl_store_exec_set_wake(h->st, r.late[i], now);
    free(r.late);
    *n = r.n;
    atomic_store(&s->running, (long)r.n);
    return rc < 0 ? -1 : 0;
}

struct due {
    struct asl_serve *s;
    int full;
};

static int on_due(void *arg, int64_t id, double wake_at)
{
    struct due *d = arg;
    (void)wake_at;
    if (asl_serve_run_submit(d->s, id) != 0)
        d->full = 1;
    return d->full;
}

/* Every 250 ms at least, and whenever the store changes (an answer from
 * another process, a commit of ours), queue the executions that are due. */
static void *timer(void *arg)
{
    struct asl_serve *s = arg;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    uint64_t version = 0;
    asl_store_version(h->st, &version);
    while (!atomic_load(&timer_stop)) {
        struct due d = {s, 0};
        if (asl_store_exec_due(h->st, asl_serve_now(), 512, on_due, &d) < 0)
            asl_log(ASL_LOG_ERROR, "serve", "reading due executions: %s", asl_store_errmsg(h->st));
        asl_store_wait_change(h->st, version, d.full ? 50 : 250);
        asl_store_version(h->st, &version);
    }
    asl_serve_db_put(s->db, h);
    return NULL;
}

/* Queue what the store says is RUNNING and not held by another live
 * process: executions left by a stop or a crash resume here. */
static int resume_all(struct asl_serve *s, char *msg, size_t msgsize)
{
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    int64_t n = 0;
    int rc = recover(s, h, &n);
    asl_serve_db_put(s->db, h);
    if (rc != 0) {
        snprintf(msg, msgsize, "cannot resume the store's executions");
        return -1;
    }
    if (n)
        asl_log(ASL_LOG_INFO, "serve", "%lld running execution%s found in the store", (long long)n,
                n == 1 ? "" : "s");
    return 0;
}

/* ------------------------------------------------------------ running */

/* The executions workers are running now, so that a stop can interrupt them. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static struct asl_exec *live[256];

static void live_set(int slot_wanted, struct asl_exec *c, int *slot)
{
    pthread_mutex_lock(&live_mu);
    if (slot_wanted) {
        *slot = -1;
        for (int i = 0; i < 256; i++)
            if (!live[i]) {
                live[i] = c;
                *slot = i;
                break;
            }
    } else if (*slot >= 0) {
        live[*slot] = NULL;
    }
    pthread_mutex_unlock(&live_mu);
}

static void interrupt(struct asl_serve *s)
{
    (void)s;
    pthread_mutex_lock(&live_mu);
    for (int i = 0; i < 256; i++)
        if (live[i] && live[i]->dur)
            asl_dur_park_now(live[i]->dur);
    pthread_mutex_unlock(&live_mu);
}

static json_t *started_details(struct asl_exec *ex, const char *input)
{
    return json_pack("{s:s,s:s}", "input", input, "roleArn", ex->role_arn);
}

/* Run or resume execution `id` until it ends or parks (a Wait, a callback,
 * an activity: asl_dur parks it and the store keeps its wake-up time). */
static void run_one(struct asl_serve *s, int64_t id)
{
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_exec e = {0};
    int rc = asl_store_exec_get_id(h->st, id, &e);
    asl_serve_db_put(s->db, h);
    if (rc != ASL_STORE_OK || e.status != ASL_EXEC_RUNNING) {
        asl_store_exec_clear(&e);
        return;
    }
    /* This run consumes the wake-up that brought it here: a wake left in
     * the store would have the timer queue it again every tick.  Answers
     * that arrive from now on set a new one. */
    if (e.wake_at > 0) {
        h = asl_serve_db_get(s->db);
        asl_store_exec_set_wake(h->st, id, 0);
        asl_serve_db_put(s->db, h);
    }
    json_t *input = json_loads(e.input, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    struct asl_exec ex;
    asl_serve_exec_init(s, &ex, input, e.name, e.arn);
    ex.has_store = 1;
    ex.hist = asl_history_new();
    ex.cancel = asl_cancel_root_new(ex.wait_scale, 0);
    struct asl_run run = {0};
    struct asl_vars top = {0};
    json_t *result = NULL, *output = NULL;
    int slot = -1;
    char argv0[128];
    snprintf(argv0, sizeof argv0, "serve: execution %s", e.name);
    int r = asl_store_run_start(&ex, s->store_path, s->sync ? ASL_STORE_SYNC_FULL : ASL_STORE_SYNC_PROCESS,
                                0, argv0, &result);
    if (r != 0)
        goto out;      /* over already, or held by another process */
    asl_cancel_free(ex.cancel);
    double left = s->prog->timeout_seconds > 0 ? (double)s->prog->timeout_seconds - asl_dur_elapsed(ex.dur) : 0;
    ex.cancel = asl_cancel_root_new(ex.wait_scale, s->prog->timeout_seconds > 0 ? (left > 0.001 ? left : 0.001) : 0);
    asl_dur_park_mode(ex.dur, s->prog->timeout_seconds > 0 ? e.start_date + (double)s->prog->timeout_seconds : 0);
    run.exec = &ex;
    run.cancel = ex.cancel;
    run.vars = &top;
    live_set(1, &ex, &slot);
    asl_dur_begin_run(&ex);
    asl_history_add_key(&ex, 0, "ExecutionStarted", started_details(&ex, e.input), "X0");
    int ok = asl_run_machine(&run, s->prog->machine, ex.input, &output) == 0;
    double wake = 0;
    if (!ok && asl_dur_parked(ex.dur, &wake)) {
        /* Waiting: nothing more is recorded; the store wakes it. */
        asl_dur_leave(&ex);
        h = asl_serve_db_get(s->db);
        /* An answer during this run (another process's send-task-success)
         * left a wake-up that is already due: keep it, so that the run
         * after it sees the answer. */
        struct asl_store_exec now_e = {0};
        int woken = asl_store_exec_get_id(h->st, id, &now_e) == ASL_STORE_OK && now_e.wake_at > 0;
        asl_store_exec_clear(&now_e);
        if (wake > 0 && !woken)
            asl_store_exec_set_wake(h->st, id, wake);
        asl_serve_db_put(s->db, h);
        goto out;
    }
    const char *status;
    if (ok) {
        char *text = asl_json_text(output);
        asl_history_add_key(&ex, run.prev_event, "ExecutionSucceeded",
                            json_pack("{s:s}", "output", text ? text : "null"), "X1");
        int st = asl_store_run_end(&ex, 0, text, NULL, NULL, &result);
        status = st == 4 ? "ABORTED" : st == 2 ? NULL : "SUCCEEDED";
        free(text);
    } else {
        const char *name = run.err.name;
        int timed_out = name && strcmp(name, ASL_E_TIMEOUT) == 0 && asl_cancel_is_set(ex.cancel) &&
                        asl_cancel_remaining(ex.cancel) <= 0;
        json_t *det = json_object();
        if (name)
            json_object_set_new(det, "error", json_string(name));
        if (run.err.cause)
            json_object_set_new(det, "cause", json_string(run.err.cause));
        asl_history_add_key(&ex, run.prev_event, timed_out ? "ExecutionTimedOut" : "ExecutionFailed", det, "X1");
        int st = asl_store_run_end(&ex, timed_out ? 3 : 1, NULL, name, run.err.cause, &result);
        status = st == 4 ? "ABORTED" : st == 2 ? NULL : timed_out ? "TIMED_OUT" : "FAILED";
    }
    if (status) {
        atomic_fetch_sub(&s->running, 1);
        if (strcmp(status, "ABORTED") != 0)     /* a stop logged its own end */
            asl_serve_log_end(e.name, status, e.start_date, ok ? NULL : run.err.name);
        h = asl_serve_db_get(s->db);
        asl_sq_activity_tasks_drop_exec(h->sq, id);
        asl_serve_db_put(s->db, h);
    }
out:
    live_set(0, NULL, &slot);
    json_decref(result);
    json_decref(output);
    json_decref(top.obj);
    asl_err_clear(&run.err);
    asl_dur_free(&ex);
    asl_history_free(ex.hist);
    asl_cancel_free(ex.cancel);
    asl_serve_exec_clear(&ex);
    json_decref(ex.input);
    asl_store_exec_clear(&e);
}

int asl_serve_durable_start(struct asl_serve *s, char *msg, size_t msgsize)
{
    s->run_durable = run_one;
    s->interrupt = interrupt;
    if (resume_all(s, msg, msgsize) != 0)
        return -1;
    atomic_store(&timer_stop, 0);
    if (pthread_create(&timer_thread, NULL, timer, s) != 0) {
        snprintf(msg, msgsize, "cannot start the timer thread");
        return -1;
    }
    timer_started = 1;
    return 0;
}

void asl_serve_durable_stop(struct asl_serve *s)
{
    (void)s;
    atomic_store(&timer_stop, 1);
    if (timer_started)
        pthread_join(timer_thread, NULL);
    timer_started = 0;
}

