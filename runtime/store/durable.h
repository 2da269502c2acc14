/*
 * durable.h - the runtime's hooks into the store (internal to the
 * runtime).  docs/durability.md describes the design; in short:
 *
 * The runtime is deterministic given the results of its effects.  Every
 * effect - a Task/Parallel/Map attempt's outcome, a clock read, a random
 * draw, a Wait or retry deadline, a task token, a callback delivery - is
 * recorded in the store under a key made of the fiber path (the top
 * level "", a Parallel branch or Map iteration "<attempt key>.<index>")
 * and a per-fiber sequence number: "<fiber>/<seq>".  Inside an attempt,
 * the attempt's key is the fiber, so what an attempt does inside does not
 * move the numbers after it.  History events are keyed the same way.
 *
 * Resuming runs the execution again from the start: a recorded effect is
 * taken from the store instead of being performed, an event whose key is
 * stored keeps its stored id and is not appended again.
 *
 * Every function here is a no-op (or the plain, unrecorded behaviour)
 * when the execution has no store (ex->dur == NULL).
 */
#ifndef ASL_DURABLE_H
#define ASL_DURABLE_H

#include <stdint.h>

#include "exec/recover.h"
#include "run/run.h"
#include "store.h"

struct asl_durable;

/* ---- the execution's life (runtime/store/cmd.c, runtime/cli.c) */

/* What asl_dur_start found. */
enum {
    ASL_DUR_RUN = 0,        /* new or resumable: run it (ex->dur set) */
    ASL_DUR_CLOSED = 1,     /* already over: *closed describes it */
    ASL_DUR_USAGE = -1,     /* message printed: exit 2 */
};

/* Open the store, find or create the execution ex->exec_arn with ex->input
 * (same input: resume or report it; different input: AWS's
 * ExecutionAlreadyExists, exit 2), claim it for this process, load what
 * replay needs and set ex->dur, ex->start_time.  With `redrive`, reopen a
 * FAILED, TIMED_OUT or ABORTED execution instead (AWS's RedriveExecution:
 * the failed states' records are forgotten, the rest replays; ex->input
 * becomes the stored input).  *closed (when CLOSED) is
 * the stored record; clear it with asl_store_exec_clear. */
int asl_dur_start(struct asl_exec *ex, const char *path, int sync, int redrive, const char *argv0,
                  struct asl_store_exec *closed);
/* Seconds since the execution's clock started (its start, or its last
 * redrive): what a resumed run deducts from TimeoutSeconds. */
double asl_dur_elapsed(const struct asl_durable *d);
/* The run begins (ex->cancel exists): start the flusher. */
void asl_dur_begin_run(struct asl_exec *ex);
/* The history's last event id on resume (0 for a new execution). */
long asl_dur_last_event(const struct asl_durable *d);
/* The execution's redrive count ($$.Execution.RedriveCount). */
int asl_dur_redrive_count(const struct asl_durable *d);
/* Close the execution (status, output or error/cause), commit, release it.
 * Returns 0, 1 when somebody else closed it first (a `stop`: *stopped
 * gets its status), or -1 (message printed). */
int asl_dur_finish(struct asl_exec *ex, int status, const char *output, const char *error,
                   const char *cause, int *stopped);
/* Leave the execution RUNNING and resumable (a signal, an internal stop):
 * commit what is recorded, release the claim. */
void asl_dur_leave(struct asl_exec *ex);
/* Free everything (after finish or leave). */
void asl_dur_free(struct asl_exec *ex);
/* The store, for --history at the end (borrowed). */
struct asl_store *asl_dur_store(struct asl_durable *d);
int64_t asl_dur_exec_id(const struct asl_durable *d);
/* 1 when the execution was stopped from outside (its record is no longer
 * RUNNING): the run should end without writing more. */
int asl_dur_stopped(struct asl_durable *d);

/* ---- parking (the API server) */
/* The error name of a run ended by parking (never recorded). */
#define ASL_DUR_PARKED "aslc.Parked"
/* Waits at the top level park the execution instead of holding the
 * thread; machine_deadline (0: none) is the machine's TimeoutSeconds. */
void asl_dur_park_mode(struct asl_durable *d, double machine_deadline);
/* Park now (the server stops): the run ends, resumable at once. */
void asl_dur_park_now(struct asl_durable *d);
/* A wait with no deadline of its own (an activity nobody took yet): in
 * park mode at the top level, park (1: the run must end); else 0. */
int asl_dur_park_idle(struct asl_run *run);
/* 1 when the run ended by parking; *wake gets when it wants to run again
 * (0: only when a callback answer wakes it). */
int asl_dur_parked(struct asl_durable *d, double *wake);

/* ---- keys and fibers */
/* A child fiber (Parallel branch i, Map iteration i, or -1: a Map's item
 * feed) of parent's current scope. */
void asl_dur_child(struct asl_run *child, const struct asl_run *parent, long index);
/* The next key of run's fiber into buf (n >= ASL_FIBER_MAX + 24). */
void asl_dur_key(struct asl_run *run, char *buf, size_t n);

/* ---- effects */
/* A Task/Parallel/Map attempt through the store: replayed when recorded,
 * else run (after committing what came before) and recorded. */
int asl_dur_attempt(struct asl_run *run, const struct asl_state *st, asl_attempt_fn attempt, void *ctx,
                    json_t *params, json_t **result);
/* $$.State.EnteredTime and friends: now, or the recorded now. */
void asl_dur_now_iso(struct asl_run *run, char *buf, size_t n);
/* Random bytes: fresh, or the recorded ones.  0, or -1 when the kernel's
 * source fails. */
int asl_dur_random(struct asl_run *run, void *buf, size_t n);
/* A Task attempt's $$.Task.Token: opaque, 256 random bits (recorded with a
 * store, so a resumed run hands out the same one), in run->token_buf. */
void asl_dur_next_task_token(struct asl_run *run);
/* The same for code that has no run at hand (intrinsics, the Map Run
 * id): through the thread's current run (asl_dur_enter), else unrecorded.
 * 0, or -1 when the kernel's source fails. */
int asl_dur_random_here(void *buf, size_t n);
/* A JSONata evaluation's instant and seed (struct asl_jn_env's entropy
 * hook; arg is the run): recorded, so a resumed run's $now(), $millis(),
 * $random() and $uuid() give what they gave.  -1 without a store. */
int asl_dur_jn_entropy(void *arg, int64_t *now_ms, uint64_t *seed);
/* Make `run` the thread's current run; returns the previous one. */
struct asl_run *asl_dur_enter(struct asl_run *run);
/* Sleep `seconds` (scaled by --wait-scale) toward a deadline recorded as
 * an absolute time: a resumed sleep waits only what is left.  1 when
 * cancelled first (as asl_cancel_sleep). */
int asl_dur_sleep(struct asl_run *run, double seconds);
/* Record a fiber's failure marker (key "<fiber>/!", value seq). */
void asl_dur_mark(struct asl_exec *ex, const char *key, unsigned long seq);
/* A recorded value by key (new reference, NULL when none) / record one
 * (v stolen). */
json_t *asl_dur_get(struct asl_exec *ex, const char *key);
void asl_dur_put(struct asl_exec *ex, const char *key, json_t *v);
/* Make everything recorded so far durable (before a side effect). */
int asl_dur_sync(struct asl_exec *ex);

/* A Distributed Map's Map Run across redrives (run: inside the Map's
 * attempt).  The first attempt's Map Run ARN and id are kept; *arn and id
 * (idlen bytes) are replaced by them when the Map runs again.  Returns
 * how often the Map Run was redriven (0: it starts now or resumes its
 * first run; n > 0: MapRunRedriven, redriveCount n).  Without a store,
 * 0 and nothing changes. */
int asl_dur_map_run(struct asl_run *run, char **arn, char *id, size_t idlen);

/* ---- history (history.c) */
/* The id of the stored event with this key, 0 when none. */
long asl_dur_event_id(struct asl_durable *d, const char *key);
/* Record a new event (text: the HistoryEvent object as compact JSON,
 * borrowed). */
void asl_dur_event(struct asl_durable *d, long id, long prev, double ts, const char *type, const char *text,
                   const char *key);

/* ---- callbacks (task.c) */
/* Wait for the answer to `token`, created and delivered by the caller,
 * until it arrives, HeartbeatSeconds/TimeoutSeconds pass, or the run is
 * cancelled.  0 with *result, or -1 with run->err. */
int asl_dur_await_token(struct asl_run *run, const char *token, json_t **result);
/* Parked callback waits (struct asl_park, run/run.h): which can go on.
 * The store is read again only when another process committed, a
 * deadline came, or the set changed since the last scan (sc starts
 * zeroed).  ready[i] = 1 for tokens answered, closed or due; returns how
 * many, -1 without a store. */
struct asl_park_scan {
    uint64_t version;
    int scanned;
    size_t n;
    double due;                 /* the earliest deadline among those not ready */
};
int asl_dur_park_scan(struct asl_exec *ex, struct asl_park_scan *sc, const char (*tokens)[64], size_t n,
                      unsigned char *ready);
/* Let callback waits of Map iterations park from now on (they run again
 * in this process, so its records are kept at hand for replay). */
void asl_dur_allow_parking(struct asl_exec *ex);
/* Record a new token for the current attempt (deadlines absolute). */
int asl_dur_token_create(struct asl_run *run, const char *token, double timeout_s, double heartbeat_s);

/* ---- the store fuzz harness (tests/fuzz/fuzz_store.c) */
/* Read one stored step value as every replay reader reads it. */
void asl_dur_record_check(const char *value);

#endif /* ASL_DURABLE_H */
