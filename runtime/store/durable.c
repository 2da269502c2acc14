/*
 * durable.c - the runtime's side of the store: starting or resuming an
 * execution, replaying and recording effects, history events, callback
 * waits, and the flusher that bounds how long a write transaction stays
 * open.  See durable.h for the keys and docs/durability.md for the
 * guarantees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "durable.h"
#include "base/json.h"
#include "task/process.h"
#include "task/mock.h"
#include "base/timestamp.h"

struct asl_durable {
    struct asl_store *st;
    pthread_mutex_t mu;         /* the connection, the transaction, the maps */
    int64_t exec_id;
    struct asl_exec *ex;
    json_t *steps;              /* key -> recorded value, as JSON text (string) */
    json_t *events;             /* key -> stored event id */
    long last_event;
    int redrive_count;
    double clock_start;         /* start date, or the last redrive's date */
    int in_txn;
    struct timespec txn_since;
    int unsynced;               /* lazy commits not yet fsynced (full mode) */
    struct timespec unsynced_since;
    int stopped;                /* the record is no longer RUNNING: somebody stopped it */
    int failed;                 /* a store write failed: the run stops, resumable */
    /* Park mode (the API server, runtime/serve/): a wait at the top level
     * (not inside a Parallel branch or Map iteration) longer than
     * PARK_MIN_S ends the run instead of holding its thread; nothing more
     * is recorded, and the execution wants to run again at park_at. */
    int park_mode, parked;
    double park_at, machine_deadline;
    /* A Map iteration's callback wait may park (struct asl_park): keep this
     * process's records and event keys in steps/events too, for its rerun. */
    int iter_parking;
    char owner[64];
    pthread_t flusher;
    int flusher_on, quit;
    pthread_cond_t cv;
};

static _Thread_local struct asl_run *current;

/* ------------------------------------------------------------- helpers */

static void iso_of(double t, char *buf, size_t n)
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)((t - (double)s) * 1000.0 + 0.5);
    ms = ms < 0 ? 0 : ms > 999 ? 999 : ms;
    if (snprintf(buf, n, "%s.%03dZ", base, ms) >= (int)n)
        buf[0] = '\0';
}

/* "pid:<pid>:<start time in clock ticks>": unique on this machine while
 * the process lives (a pid alone may be reused). */
static int process_tag(long pid, char *buf, size_t n)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t got = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[got] = '\0';
    char *p = strrchr(line, ')');       /* the command name may hold spaces */
    if (!p)
        return -1;
    /* fields after ')': state(3) ... starttime(22) */
    int field = 2;
    unsigned long long start = 0;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        if (++field == 22) {
            start = strtoull(tok, NULL, 10);
            break;
        }
    }
    snprintf(buf, n, "pid:%ld:%llu", pid, start);
    return 0;
}

static int owner_alive(const char *owner)
{
    long pid = 0;
    if (!owner || sscanf(owner, "pid:%ld:", &pid) != 1 || pid <= 0)
        return 0;
    char now[64];
    return process_tag(pid, now, sizeof now) == 0 && strcmp(now, owner) == 0;
}

/* A store write failed: the run stops, resumable.  Called with d->mu held. */
static void store_failed(struct asl_durable *d)
{
    asl_log(ASL_LOG_ERROR, NULL, "%s", asl_store_errmsg(d->st));
    d->failed = 1;
    asl_cancel_set(d->ex->cancel, "States.Runtime", "the execution's store cannot be written");
}

/* Called with d->mu held. */
static int txn_open(struct asl_durable *d)
{
    if (d->in_txn)
        return 0;
    if (asl_store_begin(d->st) != ASL_STORE_OK) {
        store_failed(d);
        return -1;
    }
    d->in_txn = 1;
    clock_gettime(CLOCK_MONOTONIC, &d->txn_since);
    return 0;
}

static void mark_stopped(struct asl_durable *d)
{
    if (d->stopped)
        return;
    d->stopped = 1;
    asl_cancel_set(d->ex->cancel, "States.Aborted", "The execution was stopped");
}

/* Called with d->mu held: make every lazy commit so far survive an OS
 * crash (one fsync in full mode, nothing in process mode). */
static int txn_sync(struct asl_durable *d)
{
    if (!d->unsynced)
        return 0;
    if (asl_store_sync(d->st) != ASL_STORE_OK) {
        store_failed(d);
        return -1;
    }
    d->unsynced = 0;
    return 0;
}

/* Called with d->mu held: commit, unless the execution was stopped from
 * outside meanwhile (then nothing of ours is written after its end).  The
 * commit survives a process crash at once; with `durable` also an OS
 * crash (what comes next is a side effect), else within ~100 ms (the
 * flusher). */
static int txn_commit(struct asl_durable *d, int durable)
{
    if (!d->in_txn) {
        if (d->failed || d->stopped)
            return -1;
        return durable ? txn_sync(d) : 0;
    }
    struct asl_store_exec e = {0};
    int rc = asl_store_exec_get_id(d->st, d->exec_id, &e);
    int running = rc == ASL_STORE_OK && e.status == ASL_EXEC_RUNNING;
    asl_store_exec_clear(&e);
    if (!running || d->failed) {
        asl_store_rollback(d->st);
        d->in_txn = 0;
        if (!running)
            mark_stopped(d);
        return -1;
    }
    rc = asl_store_commit_lazy(d->st);
    d->in_txn = 0;
    if (rc != ASL_STORE_OK) {
        asl_store_rollback(d->st);
        store_failed(d);
        return -1;
    }
    if (!d->unsynced) {
        d->unsynced = 1;
        clock_gettime(CLOCK_MONOTONIC, &d->unsynced_since);
    }
    return durable ? txn_sync(d) : 0;
}

/* Record value (JSON, borrowed) under key.  Called with d->mu held. */
static void put_locked(struct asl_durable *d, const char *key, json_t *value)
{
    if (d->failed || d->stopped || d->parked || txn_open(d) != 0)
        return;
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    if (!text || asl_store_step_put(d->st, d->exec_id, key, text) != ASL_STORE_OK) {
        if (text)
            asl_log(ASL_LOG_ERROR, NULL, "%s", asl_store_errmsg(d->st));
        d->failed = 1;
        asl_cancel_set(d->ex->cancel, "States.Runtime", "the execution's store cannot be written");
    } else if (d->iter_parking) {
        /* A parked iteration runs again in this process: it replays this. */
        json_object_set_new(d->steps, key, json_string_nocheck(text));
    }
    free(text);
}

static void put(struct asl_durable *d, const char *key, json_t *value)
{
    pthread_mutex_lock(&d->mu);
    put_locked(d, key, value);
    pthread_mutex_unlock(&d->mu);
}

/* The recorded value for key (new reference), NULL when none. */
static json_t *lookup(struct asl_durable *d, const char *key)
{
    pthread_mutex_lock(&d->mu);
    json_t *s = json_object_get(d->steps, key);
    const char *text = s ? json_string_value(s) : NULL;
    json_t *v = NULL;
    if (text) {
        json_error_t jerr;
        v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!v)
            asl_log(ASL_LOG_ERROR, NULL, "store record %s does not parse: %s", key, jerr.text);
    }
    pthread_mutex_unlock(&d->mu);
    return v;
}

json_t *asl_dur_get(struct asl_exec *ex, const char *key)
{
    return ex->dur ? lookup(ex->dur, key) : NULL;
}

void asl_dur_put(struct asl_exec *ex, const char *key, json_t *v)
{
    if (ex->dur)
        put(ex->dur, key, v);
    json_decref(v);
}

void asl_dur_mark(struct asl_exec *ex, const char *key, unsigned long seq)
{
    if (!ex->dur || asl_cancel_is_set(ex->cancel))
        return;     /* a stop or a signal is not a failure of the state */
    json_t *v = json_integer((json_int_t)seq);
    put(ex->dur, key, v);
    json_decref(v);
}

int asl_dur_sync(struct asl_exec *ex)
{
    struct asl_durable *d = ex->dur;
    if (!d)
        return 0;
    pthread_mutex_lock(&d->mu);
    int rc = txn_commit(d, 1);
    pthread_mutex_unlock(&d->mu);
    return rc;
}

/* Commit what is recorded so that a process crash keeps it (an OS crash
 * keeps it from the next asl_dur_sync, or the flusher's, on). */
static int commit_lazy(struct asl_durable *d)
{
    pthread_mutex_lock(&d->mu);
    int rc = txn_commit(d, 0);
    pthread_mutex_unlock(&d->mu);
    return rc;
}

static double since_ms(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

/* The flusher: a transaction of pure records stays open at most ~10 ms,
 * so other processes (send-task-success, stop) are never locked out for
 * long; a lazy commit is fsynced within ~100 ms (full mode); and a stop
 * from outside is noticed within ~100 ms. */
static void *flusher_main(void *arg)
{
    struct asl_durable *d = arg;
    int ticks = 0;
    pthread_mutex_lock(&d->mu);
    while (!d->quit) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 10 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&d->cv, &d->mu, &until);
        if (d->quit)
            break;
        if (d->in_txn)
            txn_commit(d, 0);
        if (d->unsynced && !d->failed && since_ms(&d->unsynced_since) >= 100)
            txn_sync(d);
        if (++ticks >= 10 && !d->stopped && !d->failed) {
            ticks = 0;
            struct asl_store_exec e = {0};
            if (asl_store_exec_get_id(d->st, d->exec_id, &e) == ASL_STORE_OK && e.status != ASL_EXEC_RUNNING)
                mark_stopped(d);
            asl_store_exec_clear(&e);
        }
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* ------------------------------------------------------------ loading */

static int load_step(void *arg, const char *key, const char *value)
{
    json_object_set_new((json_t *)arg, key, json_string(value));
    return 0;
}

static int load_event(void *arg, const struct asl_store_event *ev)
{
    if (ev->key)
        json_object_set_new((json_t *)arg, ev->key, json_integer(ev->id));
    return 0;
}

static void print_store_error(const char *argv0, struct asl_store *st)
{
    fprintf(stderr, "%s: %s\n", argv0, asl_store_errmsg(st));
}

/* ---------------------------------------------------------- redrive */

/* Does `key` belong to fiber f's records numbered >= from, outside its
 * child fibers ("<f>/<n>" or "<f>/<n>/...", n >= from)? */
static int failed_part(const char *key, const char *f, size_t flen, unsigned long from)
{
    if (strncmp(key, f, flen) != 0 || key[flen] != '/')
        return 0;
    const char *rest = key + flen + 1;
    char *end;
    unsigned long n = strtoul(rest, &end, 10);
    if (end == rest || n < from)
        return 0;
    return *end == '\0' || *end == '/';
}

struct keyset {
    json_t *keys;       /* array of key strings */
};

static int collect_step_key(void *arg, const char *key, const char *value)
{
    (void)value;
    json_array_append_new(((struct keyset *)arg)->keys, json_string(key));
    return 0;
}

static int collect_event_key(void *arg, const struct asl_store_event *ev)
{
    if (ev->key)
        json_array_append_new(((struct keyset *)arg)->keys, json_string(ev->key));
    return 0;
}

/* Forget what failed: for every fiber that failed ("<f>/!" = the failed
 * state's first record), its records from there on, except its child
 * fibers (a Parallel's or Map's children that succeeded replay; the failed
 * ones have markers of their own).  Their events stay in the history but
 * no longer replay, so the rerun appends new ones. */
static int redrive_prune(struct asl_store *st, int64_t id, const char *argv0)
{
    json_t *steps = json_object();
    struct keyset sk = {json_array()}, ek = {json_array()};
    int rc = asl_store_step_all(st, id, load_step, steps);
    if (rc == ASL_STORE_OK)
        rc = asl_store_step_all(st, id, collect_step_key, &sk);
    if (rc == ASL_STORE_OK)
        rc = asl_store_event_read(st, id, 0, 0, 0, collect_event_key, &ek);
    const char *mk;
    json_t *mv;
    json_object_foreach(steps, mk, mv) {
        size_t ml = strlen(mk);
        if (rc != ASL_STORE_OK || ml < 2 || strcmp(mk + ml - 2, "/!") != 0)
            continue;
        unsigned long from = strtoul(json_string_value(mv), NULL, 10);
        size_t flen = ml - 2;
        for (size_t i = 0; rc == ASL_STORE_OK && i < json_array_size(sk.keys); i++) {
            const char *k = json_string_value(json_array_get(sk.keys, i));
            if (failed_part(k, mk, flen, from))
                rc = asl_store_step_delete(st, id, k);
        }
        for (size_t i = 0; rc == ASL_STORE_OK && i < json_array_size(ek.keys); i++) {
            const char *k = json_string_value(json_array_get(ek.keys, i));
            if (failed_part(k, mk, flen, from))
                rc = asl_store_event_unkey(st, id, k);
        }
        if (rc == ASL_STORE_OK)
            rc = asl_store_step_delete(st, id, mk);
    }
    if (rc == ASL_STORE_OK)
        rc = asl_store_event_unkey(st, id, "X1");   /* the execution's end event */
    if (rc != ASL_STORE_OK)
        print_store_error(argv0, st);
    json_decref(steps);
    json_decref(sk.keys);
    json_decref(ek.keys);
    return rc;
}

/* Reopen e (inside the caller's transaction): checks, prune, bookkeeping,
 * the ExecutionRedriven event.  0, or -1 with a message printed. */
static int redrive_exec(struct asl_store *st, struct asl_exec *ex, struct asl_store_exec *e, const char *argv0)
{
    const char *why = asl_store_redrive_reason(st, e);
    if (why) {
        fprintf(stderr, "%s: ExecutionNotRedrivable: %s\n", argv0, why);
        return -1;
    }
    json_error_t jerr;
    json_t *in = json_loads(e->input, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!in) {
        fprintf(stderr, "%s: store: the execution's input does not parse: %s\n", argv0, jerr.text);
        return -1;
    }
    json_decref(ex->input);
    ex->input = in;
    if (redrive_prune(st, e->id, argv0) != ASL_STORE_OK)
        return -1;
    double now = asl_store_now();
    int count = 0;
    long last = 0;
    if (asl_store_exec_redrive(st, e->id, now, &count) != ASL_STORE_OK ||
        asl_store_event_last(st, e->id, &last) != ASL_STORE_OK) {
        print_store_error(argv0, st);
        return -1;
    }
    /* previousEventId of ExecutionRedriven is unverified on AWS: it follows
     * the event that ended the execution. */
    json_t *ev = json_pack("{s:f,s:s,s:I,s:I,s:{s:i}}", "timestamp", now, "type", "ExecutionRedriven", "id",
                           (json_int_t)(last + 1), "previousEventId", (json_int_t)last,
                           "executionRedrivenEventDetails", "redriveCount", count);
    char *text = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(13));
    struct asl_store_event se = {.id = last + 1, .prev = last, .timestamp = now, .type = "ExecutionRedriven",
                                 .json = text};
    int rc = asl_store_event_append(st, e->id, &se);
    free(text);
    json_decref(ev);
    if (rc != ASL_STORE_OK) {
        print_store_error(argv0, st);
        return -1;
    }
    e->status = ASL_EXEC_RUNNING;
    e->redrive_count = count;
    e->redrive_date = now;
    free(e->owner);
    e->owner = NULL;
    return 0;
}

int asl_dur_start(struct asl_exec *ex, const char *path, int sync, int redrive, const char *argv0,
                  struct asl_store_exec *closed)
{
    char msg[600];
    struct asl_store *st = NULL;
    if (asl_store_open(path, sync, &st, msg, sizeof msg) != ASL_STORE_OK) {
        fprintf(stderr, "%s: %s\n", argv0, msg);
        return ASL_DUR_USAGE;
    }
    char me[64];
    if (process_tag((long)getpid(), me, sizeof me) != 0)
        snprintf(me, sizeof me, "pid:%ld:0", (long)getpid());
    char *input = asl_json_text(ex->input);
    struct asl_store_exec e = {0};
    int64_t id = 0;
    int result = ASL_DUR_USAGE;
    for (;;) {
        if (asl_store_begin(st) != ASL_STORE_OK) {
            print_store_error(argv0, st);
            goto bad;
        }
        int rc = asl_store_exec_get(st, ex->exec_arn, &e);
        if (redrive) {
            if (rc == ASL_STORE_NOT_FOUND)
                fprintf(stderr, "%s: ExecutionDoesNotExist: Execution Does Not Exist: '%s'\n", argv0, ex->exec_arn);
            else if (rc != ASL_STORE_OK)
                print_store_error(argv0, st);
            if (rc != ASL_STORE_OK || redrive_exec(st, ex, &e, argv0) != 0) {
                asl_store_rollback(st);
                goto bad;
            }
            free(input);
            input = asl_json_text(ex->input);
            redrive = 0;    /* then as a resume */
        }
        if (rc == ASL_STORE_NOT_FOUND) {
            struct asl_store_exec n = {.arn = ex->exec_arn, .name = ex->name, .sm_arn = ex->sm_arn,
                                       .input = input, .status = ASL_EXEC_RUNNING,
                                       .start_date = asl_store_now()};
            if (asl_store_exec_create(st, &n, &id) != ASL_STORE_OK ||
                asl_store_exec_claim(st, id, NULL, me) != ASL_STORE_OK ||
                asl_store_exec_get_id(st, id, &e) != ASL_STORE_OK || asl_store_commit(st) != ASL_STORE_OK) {
                print_store_error(argv0, st);
                goto bad;
            }
            break;
        }
        if (rc != ASL_STORE_OK) {
            print_store_error(argv0, st);
            goto bad;
        }
        if (strcmp(e.input, input) != 0) {
            asl_store_rollback(st);
            fprintf(stderr, "%s: ExecutionAlreadyExists: Execution Already Exists: '%s'\n", argv0, ex->exec_arn);
            goto bad;
        }
        if (e.status != ASL_EXEC_RUNNING) {
            asl_store_rollback(st);
            *closed = e;
            memset(&e, 0, sizeof e);
            result = ASL_DUR_CLOSED;
            goto bad;       /* not an error: nothing to run */
        }
        if (e.owner && strcmp(e.owner, me) != 0 && owner_alive(e.owner)) {
            /* Another process runs it: wait for its end and report it. */
            asl_store_rollback(st);
            uint64_t v = 0;
            asl_store_version(st, &v);
            asl_log(ASL_LOG_INFO, NULL, "execution %s is being run by %s: waiting for it", ex->name, e.owner);
            asl_store_exec_clear(&e);
            asl_store_wait_change(st, v, 1000);
            continue;
        }
        id = e.id;
        if (asl_store_exec_claim(st, id, e.owner, me) != ASL_STORE_OK || asl_store_commit(st) != ASL_STORE_OK) {
            asl_store_rollback(st);
            asl_store_exec_clear(&e);
            continue;       /* somebody else claimed it first: look again */
        }
        break;
    }
    struct asl_durable *d = calloc(1, sizeof *d);
    if (!d)
        goto bad;
    d->st = st;
    d->ex = ex;
    d->exec_id = id;
    snprintf(d->owner, sizeof d->owner, "%s", me);
    d->redrive_count = e.redrive_count;
    d->clock_start = e.redrive_date > 0 ? e.redrive_date : e.start_date;
    d->steps = json_object();
    d->events = json_object();
    if (asl_store_step_all(st, id, load_step, d->steps) != ASL_STORE_OK ||
        asl_store_event_read(st, id, 0, 0, 0, load_event, d->events) != ASL_STORE_OK ||
        asl_store_event_last(st, id, &d->last_event) != ASL_STORE_OK) {
        print_store_error(argv0, st);
        json_decref(d->steps);
        json_decref(d->events);
        free(d);
        goto bad;
    }
    iso_of(e.start_date, ex->start_time, sizeof ex->start_time);
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    ex->dur = d;
    asl_store_exec_clear(&e);
    free(input);
    return ASL_DUR_RUN;
bad:
    asl_store_exec_clear(&e);
    asl_store_close(st);
    free(input);
    return result;
}

/* The flusher starts once the cancellation token exists (cli.c creates it
 * after asl_dur_start, knowing how much of TimeoutSeconds is left). */
static void flusher_start(struct asl_durable *d)
{
    if (!d->flusher_on && d->ex->cancel)
        d->flusher_on = pthread_create(&d->flusher, NULL, flusher_main, d) == 0;
}

double asl_dur_elapsed(const struct asl_durable *d)
{
    double e = asl_store_now() - d->clock_start;
    return e > 0 ? e : 0;
}

void asl_dur_begin_run(struct asl_exec *ex)
{
    if (ex->dur)
        flusher_start(ex->dur);
}

long asl_dur_last_event(const struct asl_durable *d) { return d->last_event; }
int asl_dur_redrive_count(const struct asl_durable *d) { return d->redrive_count; }
struct asl_store *asl_dur_store(struct asl_durable *d) { return d->st; }
int64_t asl_dur_exec_id(const struct asl_durable *d) { return d->exec_id; }

int asl_dur_stopped(struct asl_durable *d)
{
    pthread_mutex_lock(&d->mu);
    int s = d->stopped;
    pthread_mutex_unlock(&d->mu);
    return s;
}

static void flusher_stop(struct asl_durable *d)
{
    if (!d->flusher_on)
        return;
    pthread_mutex_lock(&d->mu);
    d->quit = 1;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->flusher, NULL);
    d->flusher_on = 0;
}

int asl_dur_finish(struct asl_exec *ex, int status, const char *output, const char *error,
                   const char *cause, int *stopped)
{
    struct asl_durable *d = ex->dur;
    flusher_stop(d);
    pthread_mutex_lock(&d->mu);
    int rc = -1;
    if (!d->failed && !d->stopped && txn_open(d) == 0) {
        int c = asl_store_exec_close(d->st, d->exec_id, status, output, error, cause, asl_store_now());
        if (c == ASL_STORE_OK)
            c = asl_store_token_close_exec(d->st, d->exec_id);
        if (c == ASL_STORE_OK && asl_store_commit(d->st) == ASL_STORE_OK) {
            d->in_txn = 0;
            rc = 0;
        } else {
            if (c != ASL_STORE_CONFLICT)
                fprintf(stderr, "%s\n", asl_store_errmsg(d->st));
            asl_store_rollback(d->st);
            d->in_txn = 0;
            if (c == ASL_STORE_CONFLICT)
                d->stopped = 1;
        }
    }
    if (d->stopped) {
        struct asl_store_exec e = {0};
        if (asl_store_exec_get_id(d->st, d->exec_id, &e) == ASL_STORE_OK)
            *stopped = e.status;
        asl_store_exec_clear(&e);
        rc = 1;
    }
    pthread_mutex_unlock(&d->mu);
    return rc;
}

void asl_dur_leave(struct asl_exec *ex)
{
    struct asl_durable *d = ex->dur;
    flusher_stop(d);
    pthread_mutex_lock(&d->mu);
    if (!d->failed)
        txn_commit(d, 1);
    if (!d->stopped && !d->failed)
        asl_store_exec_claim(d->st, d->exec_id, d->owner, NULL);
    pthread_mutex_unlock(&d->mu);
}

void asl_dur_free(struct asl_exec *ex)
{
    struct asl_durable *d = ex->dur;
    if (!d)
        return;
    flusher_stop(d);
    if (d->in_txn)
        asl_store_rollback(d->st);
    asl_store_close(d->st);
    json_decref(d->steps);
    json_decref(d->events);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    free(d);
    ex->dur = NULL;
}

/* ---------------------------------------------------------------- keys */

void asl_dur_child(struct asl_run *child, const struct asl_run *parent, long index)
{
    int w = index < 0 ? snprintf(child->fiber, sizeof child->fiber, "%s.f", parent->fiber)
                      : snprintf(child->fiber, sizeof child->fiber, "%s.%ld", parent->fiber, index);
    if (w >= (int)sizeof child->fiber && child->exec->dur) {
        /* Nesting this deep would make keys collide: stop rather than replay wrongly. */
        asl_log(ASL_LOG_ERROR, NULL, "Parallel/Map nesting too deep for the store's keys");
        asl_cancel_set(child->exec->cancel, ASL_E_RUNTIME, "Parallel/Map nesting too deep for --store");
    }
    child->seq = 0;
}

void asl_dur_key(struct asl_run *run, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%lu", run->fiber, run->seq++);
}

struct asl_run *asl_dur_enter(struct asl_run *run)
{
    struct asl_run *prev = current;
    current = run;
    return prev;
}

/* -------------------------------------------------------------- effects */

void asl_dur_now_iso(struct asl_run *run, char *buf, size_t n)
{
    struct asl_durable *d = run->exec->dur;
    if (!d) {
        asl_ts_now_iso(buf, n);
        return;
    }
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    json_t *v = lookup(d, key);
    if (json_is_string(v)) {
        snprintf(buf, n, "%s", json_string_value(v));
    } else {
        asl_ts_now_iso(buf, n);
        json_t *s = json_string(buf);
        put(d, key, s);
        json_decref(s);
    }
    json_decref(v);
}

static int kernel_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* A recorded draw: exactly 2n hex digits into buf; -1 when it is not one. */
static int hex_decode(const char *hex, void *buf, size_t n)
{
    if (!hex || strlen(hex) != 2 * n || strspn(hex, "0123456789abcdefABCDEF") != 2 * n)
        return -1;
    unsigned char *p = buf;
    for (size_t i = 0; i < n; i++) {
        unsigned x = 0;
        sscanf(hex + 2 * i, "%2x", &x);
        p[i] = (unsigned char)x;
    }
    return 0;
}

int asl_dur_random(struct asl_run *run, void *buf, size_t n)
{
    struct asl_durable *d = run ? run->exec->dur : NULL;
    if (!d)
        return kernel_random(buf, n);
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    json_t *v = lookup(d, key);
    if (hex_decode(json_string_value(v), buf, n) == 0) {
        json_decref(v);
        return 0;
    }
    json_decref(v);
    if (kernel_random(buf, n) != 0)
        return -1;
    char *text = malloc(2 * n + 1);
    if (!text)
        return 0;
    for (size_t i = 0; i < n; i++)
        snprintf(text + 2 * i, 3, "%02x", ((unsigned char *)buf)[i]);
    json_t *s = json_string(text);
    put(d, key, s);
    json_decref(s);
    free(text);
    return 0;
}

int asl_dur_jn_entropy(void *arg, int64_t *now_ms, uint64_t *seed)
{
    struct asl_run *run = arg;
    struct asl_durable *d = run->exec->dur;
    if (!d)
        return -1;
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    json_t *v = lookup(d, key);
    json_t *t = json_object_get(v, "t");
    if (json_is_integer(t) && hex_decode(json_string_value(json_object_get(v, "s")), seed, sizeof *seed) == 0) {
        *now_ms = (int64_t)json_integer_value(t);
        json_decref(v);
        return 0;
    }
    json_decref(v);
    if (kernel_random(seed, sizeof *seed) != 0)
        return -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    char hex[2 * sizeof *seed + 1];
    for (size_t i = 0; i < sizeof *seed; i++)
        snprintf(hex + 2 * i, 3, "%02x", ((unsigned char *)seed)[i]);
    json_t *rec = json_pack("{s:I,s:s}", "t", (json_int_t)*now_ms, "s", hex);
    put(d, key, rec);
    json_decref(rec);
    return 0;
}

int asl_dur_random_here(void *buf, size_t n)
{
    return asl_dur_random(current, buf, n);
}

/* ---------------------------------------------------------------- parking */

#define PARK_MIN_S 0.2

static int may_park(struct asl_durable *d, const struct asl_run *run, double left)
{
    return d->park_mode && left > PARK_MIN_S && !strchr(run->fiber, '.');
}

/* End the run now; it resumes (by replay) at `at`, or sooner for the
 * machine's TimeoutSeconds, or when a callback answer wakes it (at 0). */
static void park(struct asl_durable *d, double at)
{
    pthread_mutex_lock(&d->mu);
    if (d->machine_deadline > 0 && (at <= 0 || d->machine_deadline < at))
        at = d->machine_deadline;
    d->park_at = at;
    d->parked = 1;
    pthread_mutex_unlock(&d->mu);
    asl_cancel_set(d->ex->cancel, ASL_DUR_PARKED, "the execution waits in the store");
}

void asl_dur_park_mode(struct asl_durable *d, double machine_deadline)
{
    d->park_mode = 1;
    d->machine_deadline = machine_deadline;
}

void asl_dur_park_now(struct asl_durable *d)
{
    park(d, asl_store_now());
}

int asl_dur_park_idle(struct asl_run *run)
{
    struct asl_durable *d = run->exec->dur;
    if (!d || !may_park(d, run, 1e9))
        return 0;
    park(d, 0);
    return 1;
}

int asl_dur_parked(struct asl_durable *d, double *wake)
{
    pthread_mutex_lock(&d->mu);
    int p = d->parked;
    *wake = d->park_at;
    pthread_mutex_unlock(&d->mu);
    return p;
}

int asl_dur_sleep(struct asl_run *run, double seconds)
{
    struct asl_durable *d = run->exec->dur;
    if (!d)
        return asl_cancel_sleep(run->cancel, seconds);
    double scale = asl_cancel_wait_scale(run->cancel);
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    json_t *v = lookup(d, key);
    double deadline;
    if (json_is_number(v)) {
        deadline = json_number_value(v);
    } else {
        deadline = asl_store_now() + (seconds > 0 ? seconds * scale : 0);
        json_t *r = json_real(deadline);
        put(d, key, r);
        json_decref(r);
    }
    json_decref(v);
    commit_lazy(d);     /* the deadline is kept before the wait begins (fsynced within ~100 ms) */
    double left = deadline - asl_store_now();
    if (left <= 0 || scale <= 0)
        return asl_cancel_is_set(run->cancel);
    if (may_park(d, run, left)) {
        park(d, deadline);
        return 1;
    }
    return asl_cancel_sleep(run->cancel, left / scale);
}

/* An attempt's outcome as a record: {"r": result} or {"e","c","n","h"},
 * and "p", the run's last event id after it. */
static json_t *outcome_record(struct asl_run *run, int rc, json_t *result)
{
    json_t *o = json_object();
    if (rc == 0) {
        json_object_set(o, "r", result ? result : json_null());
    } else {
        json_object_set_new(o, "e", run->err.name ? json_string(run->err.name) : json_null());
        json_object_set_new(o, "c", run->err.cause ? json_string(run->err.cause) : json_null());
        if (run->err.json_null)
            json_object_set_new(o, "n", json_true());
        if (run->err.heartbeat)
            json_object_set_new(o, "h", json_true());
    }
    json_object_set_new(o, "p", json_integer(run->prev_event));
    return o;
}

static int replay_outcome(struct asl_run *run, json_t *rec, json_t **result)
{
    run->prev_event = (long)json_integer_value(json_object_get(rec, "p"));
    json_t *r = json_object_get(rec, "r");
    if (r) {
        *result = json_incref(r);
        return 0;
    }
    asl_err_set_str(&run->err, json_string_value(json_object_get(rec, "e")),
                    json_string_value(json_object_get(rec, "c")));
    run->err.json_null = json_is_true(json_object_get(rec, "n"));
    run->err.heartbeat = json_is_true(json_object_get(rec, "h"));
    return -1;
}

int asl_dur_attempt(struct asl_run *run, const struct asl_state *st, asl_attempt_fn attempt, void *ctx,
                    json_t *params, json_t **result)
{
    struct asl_durable *d = run->exec->dur;
    if (!d)
        return attempt(run, st, ctx, params, result);
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    /* A mocked Task is pure (the mock file answers) and counts its attempts
     * per state: it runs again on replay rather than being recorded. */
    int pure = st->type == ASL_TASK && run->exec->mock && asl_mock_has(run->exec->mock, st->name);
    json_t *rec = pure ? NULL : lookup(d, key);
    if (rec) {
        int rc = replay_outcome(run, rec, result);
        json_decref(rec);
        return rc;
    }
    if (!pure && asl_dur_sync(run->exec) != 0)
        return asl_cancel_err(run->cancel, &run->err);
    char saved_fiber[ASL_FIBER_MAX];
    memcpy(saved_fiber, run->fiber, sizeof saved_fiber);
    unsigned long saved_seq = run->seq;
    if (snprintf(run->fiber, sizeof run->fiber, "%s", key) >= (int)sizeof run->fiber)
        asl_cancel_set(run->exec->cancel, ASL_E_RUNTIME, "Parallel/Map nesting too deep for --store");
    run->seq = 0;
    int rc = attempt(run, st, ctx, params, result);
    memcpy(run->fiber, saved_fiber, sizeof saved_fiber);
    run->seq = saved_seq;
    /* An attempt cut short by a stop, a signal or a sibling's failure
     * did not finish: it runs again on resume. */
    if (pure || asl_cancel_is_set(run->cancel))
        return rc;
    json_t *o = outcome_record(run, rc, rc == 0 ? *result : NULL);
    put(d, key, o);
    json_decref(o);
    /* A task's result survives a process crash at once, and an OS crash
     * before the next side effect (the next asl_dur_sync) or ~100 ms. */
    if (st->type == ASL_TASK)
        commit_lazy(d);
    return rc;
}

/* ---------------------------------------------------------- Map Runs */

/* The record "<attempt key>#maprun" {"arn", "id", "n": redrives, "g": the
 * execution's redrive count when last started or redriven}: a redrive
 * forgets the failed Map's records "<attempt key>/..." but not this one
 * (redrive_prune matches only "<fiber>/<n>..."), so the rerun Map is the
 * same Map Run, redriven. */
int asl_dur_map_run(struct asl_run *run, char **arn, char *id, size_t idlen)
{
    struct asl_durable *d = run->exec->dur;
    if (!d)
        return 0;
    char key[ASL_FIBER_MAX + 16];
    snprintf(key, sizeof key, "%s#maprun", run->fiber);
    json_t *rec = lookup(d, key);
    const char *old_arn = json_string_value(json_object_get(rec, "arn"));
    const char *old_id = json_string_value(json_object_get(rec, "id"));
    int n = 0;
    if (old_arn && old_id) {
        char *keep = strdup(old_arn);
        if (keep) {
            free(*arn);
            *arn = keep;
            snprintf(id, idlen, "%s", old_id);
        }
        n = (int)json_integer_value(json_object_get(rec, "n"));
        if (json_integer_value(json_object_get(rec, "g")) >= d->redrive_count) {
            json_decref(rec);
            return n;       /* resumed within the same run of the Map Run */
        }
        n++;
    }
    json_decref(rec);
    json_t *v = json_pack("{s:s,s:s,s:i,s:i}", "arn", *arn, "id", id, "n", n, "g", d->redrive_count);
    put(d, key, v);
    json_decref(v);
    return n;
}

/* -------------------------------------------------------------- history */

long asl_dur_event_id(struct asl_durable *d, const char *key)
{
    pthread_mutex_lock(&d->mu);
    long id = (long)json_integer_value(json_object_get(d->events, key));
    pthread_mutex_unlock(&d->mu);
    return id;
}

void asl_dur_event(struct asl_durable *d, long id, long prev, double ts, const char *type, const char *text,
                   const char *key)
{
    pthread_mutex_lock(&d->mu);
    if (text && !d->failed && !d->stopped && !d->parked && txn_open(d) == 0) {
        struct asl_store_event ev = {.id = id, .prev = prev, .timestamp = ts, .type = type, .json = text,
                                     .key = key};
        int rc = asl_store_event_append(d->st, d->exec_id, &ev);
        if (rc == ASL_STORE_OK && key && d->iter_parking)
            json_object_set_new(d->events, key, json_integer(id));
        if (rc == ASL_STORE_EXISTS) {
            mark_stopped(d);    /* `stop` wrote ExecutionAborted under this id */
        } else if (rc != ASL_STORE_OK) {
            store_failed(d);
        }
    }
    pthread_mutex_unlock(&d->mu);
}

/* ------------------------------------------------------------- callbacks */

int asl_dur_token_create(struct asl_run *run, const char *token, double timeout_s, double heartbeat_s)
{
    struct asl_durable *d = run->exec->dur;
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    pthread_mutex_lock(&d->mu);
    struct asl_store_token t = {0};
    int rc = 0;
    if (asl_store_token_get(d->st, token, &t) != ASL_STORE_OK) {
        double now = asl_store_now();
        struct asl_store_token n = {.token = (char *)token, .exec_id = d->exec_id, .key = key,
                                    .created = now, .last_heartbeat = now,
                                    .timeout_at = timeout_s > 0 ? now + timeout_s : 0,
                                    .heartbeat_s = heartbeat_s > 0 ? heartbeat_s : 0};
        if (txn_open(d) != 0 || asl_store_token_create(d->st, &n) != ASL_STORE_OK)
            rc = -1;
        if (txn_commit(d, 1) != 0)     /* the token exists before anyone is told it */
            rc = -1;
    }
    asl_store_token_clear(&t);
    pthread_mutex_unlock(&d->mu);
    if (rc != 0)
        return asl_err_set_str(&run->err, "States.Runtime", "cannot record the task token in the store");
    return 0;
}

void asl_dur_allow_parking(struct asl_exec *ex)
{
    struct asl_durable *d = ex->dur;
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->iter_parking = 1;
    pthread_mutex_unlock(&d->mu);
}

/* When an open token's TimeoutSeconds or HeartbeatSeconds run out (0: never). */
static double token_due(const struct asl_store_token *t)
{
    double next = t->timeout_at;
    if (t->heartbeat_s > 0 && (next == 0 || t->last_heartbeat + t->heartbeat_s < next))
        next = t->last_heartbeat + t->heartbeat_s;
    return next;
}

int asl_dur_park_scan(struct asl_exec *ex, struct asl_park_scan *sc, const char (*tokens)[64], size_t n,
                      unsigned char *ready)
{
    struct asl_durable *d = ex->dur;
    if (!d)
        return -1;
    pthread_mutex_lock(&d->mu);
    if (d->in_txn)
        txn_commit(d, 0);
    uint64_t v = 0;
    int changed = asl_store_version(d->st, &v) != ASL_STORE_OK || !sc->scanned || v != sc->version;
    double now = asl_store_now();
    int count = 0;
    if (changed || n != sc->n || (sc->due > 0 && now >= sc->due)) {
        sc->version = v;
        sc->scanned = 1;
        sc->n = n;
        sc->due = 0;
        for (size_t i = 0; i < n; i++) {
            struct asl_store_token t = {0};
            int open = asl_store_token_get(d->st, tokens[i], &t) == ASL_STORE_OK && t.state == ASL_TOKEN_OPEN;
            double due = open ? token_due(&t) : 0;
            ready[i] = !open || (due > 0 && now >= due);
            if (!ready[i] && due > 0 && (sc->due == 0 || due < sc->due))
                sc->due = due;
            count += ready[i];
            asl_store_token_clear(&t);
        }
    }
    pthread_mutex_unlock(&d->mu);
    return count;
}

int asl_dur_await_token(struct asl_run *run, const char *token, json_t **result)
{
    struct asl_durable *d = run->exec->dur;
    for (;;) {
        if (asl_cancel_is_set(run->cancel))
            return asl_cancel_err(run->cancel, &run->err);
        pthread_mutex_lock(&d->mu);
        if (d->in_txn)
            txn_commit(d, 0);
        struct asl_store_token t = {0};
        int rc = asl_store_token_get(d->st, token, &t);
        double now = asl_store_now();
        double next = 0;
        int done = 0;
        if (rc != ASL_STORE_OK) {
            asl_err_set_str(&run->err, "States.Runtime", "the task token is missing from the store");
            done = -1;
        } else if (t.state == ASL_TOKEN_SUCCEEDED) {
            json_error_t jerr;
            *result = json_loads(t.output ? t.output : "null", JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
            done = *result ? 1 : -1;
            if (!*result)
                asl_err_set_str(&run->err, "States.Runtime", "the callback's output does not parse");
        } else if (t.state == ASL_TOKEN_FAILED) {
            asl_err_set_str(&run->err, t.error, t.cause);
            done = -1;
        } else {
            int hb = t.heartbeat_s > 0 && now >= t.last_heartbeat + t.heartbeat_s;
            int to = t.timeout_at > 0 && now >= t.timeout_at;
            if (t.state != ASL_TOKEN_OPEN || hb || to) {
                int outcome = 0;
                if (t.state == ASL_TOKEN_OPEN)
                    asl_store_token_finish(d->st, token, ASL_TOKEN_TIMED_OUT, NULL, NULL, NULL, now, &outcome);
                if (outcome == ASL_SEND_OK) {
                    asl_err_set_str(&run->err, ASL_E_TIMEOUT, NULL);
                    run->err.heartbeat = (unsigned char)(hb && !to);
                    done = -1;
                }   /* else: answered meanwhile; read it again */
            } else if (run->park) {
                /* Park: give the thread back; the Map runs the iteration
                 * again when the token is answered or due. */
                snprintf(run->park->token, sizeof run->park->token, "%s", token);
                run->park->parked = 1;
                asl_cancel_set(run->park->tok, ASL_E_RUNTIME, "the callback wait is parked");
                asl_cancel_err(run->cancel, &run->err);
                done = -1;
            } else {
                next = token_due(&t);
            }
        }
        asl_store_token_clear(&t);
        if (done) {
            pthread_mutex_unlock(&d->mu);
            return done > 0 ? 0 : -1;
        }
        pthread_mutex_unlock(&d->mu);
        if (may_park(d, run, next > 0 ? next - now : 1e9)) {
            park(d, next);
            return asl_cancel_err(run->cancel, &run->err);
        }
        /* Look again in 10 ms (an answer reaches us well within 100 ms),
         * sooner when a deadline falls first.  The connection is shared
         * with the other fibers, so the wait holds no lock. */
        double slice = 0.010;
        if (next > 0 && next - now < slice)
            slice = next - now > 0.001 ? next - now : 0.001;
        struct timespec ts = {0, (long)(slice * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* ------------------------------------------------------- for the fuzzer */

void asl_dur_record_check(const char *value)
{
    json_error_t jerr;
    json_t *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!v)
        return;
    /* as an attempt's outcome */
    struct asl_exec ex = {0};
    struct asl_run run = {0};
    run.exec = &ex;
    json_t *result = NULL;
    if (replay_outcome(&run, v, &result) == 0)
        json_decref(result);
    asl_err_clear(&run.err);
    /* as a random draw of any length, and as a deadline */
    unsigned char draw[64];
    const char *hex = json_string_value(v);
    if (hex && strlen(hex) / 2 <= sizeof draw)
        hex_decode(hex, draw, strlen(hex) / 2);
    if (json_is_number(v))
        (void)(json_number_value(v) - asl_store_now());
    json_decref(v);
}

void asl_dur_next_task_token(struct asl_run *run)
{
    unsigned char raw[32];
    if (asl_dur_random(run, raw, sizeof raw) != 0)
        memset(raw, 0, sizeof raw);
    asl_store_token_format(raw, run->token_buf);
    run->task_token = run->token_buf;
}
