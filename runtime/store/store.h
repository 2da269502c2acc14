/*
 * store.h - the durable store of executions: one interface, one backend
 * per database (store_sqlite.c today; a PostgreSQL one can follow by
 * filling in another struct asl_store_ops).
 *
 * What it holds, per execution:
 *   - the execution record (name, ARN, input, status, output or error and
 *     cause, start/stop dates, redrive count and date, who runs it, when
 *     it must wake up);
 *   - its history events in AWS's shapes (GetExecutionHistory's
 *     HistoryEvent objects, as JSON text), numbered from 1;
 *   - its step records: what the runtime needs to continue it.  The runtime
 *     is deterministic given the results of its effects, so each effect
 *     (task result, clock read, random draw, deadline) is recorded under a
 *     deterministic key and a resumed execution replays them;
 *   - its callback task tokens.
 * And, for other processes, a change counter to wait on.
 *
 * Ownership and threads:
 *   - A struct asl_store is one connection.  Use it from one thread at a
 *     time (the caller locks); open another handle for another thread or
 *     process.  Many handles, in many processes, may use one store.
 *   - Every `const char *` argument is borrowed for the duration of the
 *     call.  Records given to a callback are valid only during the call.
 *     Records a function fills (struct asl_store_exec, asl_store_token)
 *     own their strings (malloc'd): free them with the matching _clear.
 *   - JSON payloads (input, output, event, step values) are JSON text.
 *   - Times are seconds since the Unix epoch (double, millisecond
 *     precision), 0 when unset.
 *
 * Results: ASL_STORE_OK (0), or a positive outcome (NOT_FOUND, EXISTS,
 * CONFLICT), or a negative failure (the store cannot be used as asked;
 * asl_store_errmsg() says why in words a user can act on).
 *
 * Durability: writes outside a transaction are committed at once.  Between
 * asl_store_begin() and asl_store_commit() they are one atomic unit;
 * commit returns only once the unit is as durable as the store's mode
 * promises (ASL_STORE_SYNC_FULL: survives an OS crash or power loss;
 * ASL_STORE_SYNC_PROCESS: survives the process crashing).  commit_lazy
 * returns once the unit survives the process crashing; a later sync (one
 * fsync for any number of lazy commits) gives it the mode's durability.
 */
#ifndef ASL_STORE_H
#define ASL_STORE_H

#include <stdint.h>

enum {
    ASL_STORE_OK = 0,
    ASL_STORE_NOT_FOUND = 1,    /* no such execution / token / record */
    ASL_STORE_EXISTS = 2,       /* the execution ARN is taken */
    ASL_STORE_CONFLICT = 3,     /* a compare-and-set lost (another writer got there first) */
    ASL_STORE_EIO = -1,         /* any other failure */
    ASL_STORE_EBUSY = -2,       /* locked by another process for too long */
    ASL_STORE_EREADONLY = -3,   /* the file or its folder cannot be written */
    ASL_STORE_ECORRUPT = -4,    /* not a store, or damaged */
};

/* Execution statuses, AWS's ExecutionStatus values. */
enum asl_store_status {
    ASL_EXEC_RUNNING = 0,
    ASL_EXEC_SUCCEEDED,
    ASL_EXEC_FAILED,
    ASL_EXEC_TIMED_OUT,
    ASL_EXEC_ABORTED,
    ASL_EXEC_PENDING_REDRIVE,
};
/* "RUNNING", ... ; NULL for an unknown value. */
const char *asl_store_status_name(int status);
/* The status named `name`, or -1. */
int asl_store_status_parse(const char *name);

enum asl_store_sync {
    ASL_STORE_SYNC_FULL = 0,    /* WAL, synchronous=FULL: fsync at every commit */
    ASL_STORE_SYNC_PROCESS = 1, /* WAL, synchronous=NORMAL: a process crash loses nothing,
                                 * an OS crash may lose the last commits (never corrupts) */
};

struct asl_store_exec {
    int64_t id;                 /* the store's own key */
    char *arn;                  /* unique: the execution ARN (state machine + name) */
    char *name;
    char *sm_arn;               /* the state machine's ARN */
    char *input;                /* JSON text */
    int status;                 /* enum asl_store_status */
    char *output;               /* JSON text when SUCCEEDED, else NULL */
    char *error, *cause;        /* when FAILED / TIMED_OUT / ABORTED; each may be NULL */
    double start_date, stop_date;
    int redrive_count;
    double redrive_date;
    char *owner;                /* who runs it now (see asl_store_exec_claim), NULL: nobody */
    double wake_at;             /* a suspended execution wants running again at this time; 0: no timer */
};
void asl_store_exec_clear(struct asl_store_exec *e);

struct asl_store_event {
    long id;                    /* 1, 2, ... per execution */
    long prev;                  /* previousEventId */
    double timestamp;
    const char *type;           /* "TaskStateEntered", ... */
    const char *json;           /* the whole HistoryEvent object, compact JSON text */
    const char *key;            /* the runtime's replay key for the event; may be NULL */
};

/* Callback task tokens. */
enum asl_token_state {
    ASL_TOKEN_OPEN = 0,         /* the task waits */
    ASL_TOKEN_SUCCEEDED,        /* SendTaskSuccess arrived: output */
    ASL_TOKEN_FAILED,           /* SendTaskFailure arrived: error, cause */
    ASL_TOKEN_TIMED_OUT,        /* TimeoutSeconds or HeartbeatSeconds expired */
    ASL_TOKEN_CLOSED,           /* the task or its execution ended otherwise */
};

struct asl_store_token {
    char *token;
    int64_t exec_id;
    char *key;                  /* the step key of the waiting task */
    int state;                  /* enum asl_token_state */
    char *output;               /* SUCCEEDED */
    char *error, *cause;        /* FAILED (each may be NULL) */
    double created;
    double timeout_at;          /* absolute TimeoutSeconds deadline; 0: none */
    double heartbeat_s;         /* HeartbeatSeconds; 0: none */
    double last_heartbeat;      /* created, then each SendTaskHeartbeat */
};
void asl_store_token_clear(struct asl_store_token *t);

/* The outcome of SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat. */
enum asl_token_outcome {
    ASL_SEND_OK = 0,
    ASL_SEND_INVALID_TOKEN,     /* InvalidToken: not a token this store could have issued */
    ASL_SEND_DOES_NOT_EXIST,    /* TaskDoesNotExist: well formed, unknown here */
    ASL_SEND_TIMED_OUT,         /* TaskTimedOut: answered, expired, or its execution ended */
    ASL_SEND_INVALID_OUTPUT,    /* InvalidOutput: not JSON, or over 262144 bytes */
};
/* AWS's error name and message for an outcome (static strings). */
const char *asl_store_send_error(int outcome);
const char *asl_store_send_message(int outcome);

/* Length of a token's text: "aslc1." and 43 base64url characters of 32
 * random bytes (256 bits). */
#define ASL_STORE_TOKEN_LEN 49
/* Make a new token (buf of at least ASL_STORE_TOKEN_LEN + 1); 0, or -1
 * when the kernel's random source fails. */
int asl_store_token_make(char *buf);
/* The token text for 32 random bytes (what asl_store_token_make uses;
 * the runtime draws the bytes itself so that a resumed run has them). */
void asl_store_token_format(const unsigned char raw[32], char *buf);
/* 1 when `token` has the shape asl_store_token_make gives. */
int asl_store_token_well_formed(const char *token);

struct asl_store;

struct asl_store_ops {
    const char *backend;        /* "sqlite" */
    void (*close)(struct asl_store *st);
    const char *(*errmsg)(struct asl_store *st);
    int (*begin)(struct asl_store *st);
    int (*commit)(struct asl_store *st);
    int (*commit_lazy)(struct asl_store *st);
    int (*sync)(struct asl_store *st);
    int (*rollback)(struct asl_store *st);
    /* A counter that changes whenever any handle (any process) commits. */
    int (*version)(struct asl_store *st, uint64_t *out);
    /* Block until version() differs from `since` or timeout_ms passes. */
    int (*wait_change)(struct asl_store *st, uint64_t since, int timeout_ms);

    int (*exec_create)(struct asl_store *st, const struct asl_store_exec *e, int64_t *id);
    int (*exec_get)(struct asl_store *st, const char *arn, struct asl_store_exec *out);
    int (*exec_get_id)(struct asl_store *st, int64_t id, struct asl_store_exec *out);
    int (*exec_list)(struct asl_store *st, const char *sm_arn, int status, int64_t after_id, int limit,
                     int (*fn)(void *arg, const struct asl_store_exec *e), void *arg);
    int (*exec_close)(struct asl_store *st, int64_t id, int status, const char *output,
                      const char *error, const char *cause, double stop_date);
    int (*exec_redrive)(struct asl_store *st, int64_t id, double date, int *count);
    int (*exec_claim)(struct asl_store *st, int64_t id, const char *expect, const char *owner);
    int (*exec_set_wake)(struct asl_store *st, int64_t id, double wake_at);
    int (*exec_due)(struct asl_store *st, double now, int limit,
                    int (*fn)(void *arg, int64_t id, double wake_at), void *arg);

    int (*event_append)(struct asl_store *st, int64_t exec, const struct asl_store_event *ev);
    int (*event_read)(struct asl_store *st, int64_t exec, long after, int reverse, int limit,
                      int (*fn)(void *arg, const struct asl_store_event *ev), void *arg);
    int (*event_last)(struct asl_store *st, int64_t exec, long *id);

    int (*step_put)(struct asl_store *st, int64_t exec, const char *key, const char *value);
    int (*step_get)(struct asl_store *st, int64_t exec, const char *key, char **value);
    int (*step_all)(struct asl_store *st, int64_t exec,
                    int (*fn)(void *arg, const char *key, const char *value), void *arg);
    int (*step_delete_prefix)(struct asl_store *st, int64_t exec, const char *prefix);
    int (*step_delete)(struct asl_store *st, int64_t exec, const char *key);
    int (*event_unkey)(struct asl_store *st, int64_t exec, const char *key);

    int (*token_create)(struct asl_store *st, const struct asl_store_token *t);
    int (*token_get)(struct asl_store *st, const char *token, struct asl_store_token *out);
    int (*token_finish)(struct asl_store *st, const char *token, int state, const char *output,
                        const char *error, const char *cause, double now, int *outcome);
    int (*token_heartbeat)(struct asl_store *st, const char *token, double now, int *outcome);
    int (*token_close_exec)(struct asl_store *st, int64_t exec);
};

struct asl_store {
    const struct asl_store_ops *ops;
};

/* ---- opening */
/* Open (creating when missing) the store at `path`: a SQLite file.
 * Returns 0 and *out, or a failure with `msg` (msgsize bytes) filled:
 * a locked, read-only, corrupt or foreign file fails here, untouched. */
int asl_store_open(const char *path, int sync, struct asl_store **out, char *msg, size_t msgsize);
/* Open without creating and without writing (list, describe, history). */
int asl_store_open_readonly(const char *path, struct asl_store **out, char *msg, size_t msgsize);

/* ---- the operations, through the vtable (see the ops above) */
void asl_store_close(struct asl_store *st);
const char *asl_store_errmsg(struct asl_store *st);
int asl_store_begin(struct asl_store *st);
int asl_store_commit(struct asl_store *st);
/* Commit so that the unit survives a process crash, deferring what an OS
 * crash needs (the fsync, in ASL_STORE_SYNC_FULL) to asl_store_sync. */
int asl_store_commit_lazy(struct asl_store *st);
/* Make every commit so far as durable as the store's mode promises. */
int asl_store_sync(struct asl_store *st);
int asl_store_rollback(struct asl_store *st);
int asl_store_version(struct asl_store *st, uint64_t *out);
int asl_store_wait_change(struct asl_store *st, uint64_t since, int timeout_ms);

/* Create an execution (id, owner and wake_at of *e ignored; status taken
 * as given).  EXISTS when its ARN is taken. */
int asl_store_exec_create(struct asl_store *st, const struct asl_store_exec *e, int64_t *id);
/* By ARN / by id: OK with *out filled, or NOT_FOUND. */
int asl_store_exec_get(struct asl_store *st, const char *arn, struct asl_store_exec *out);
int asl_store_exec_get_id(struct asl_store *st, int64_t id, struct asl_store_exec *out);
/* Executions of sm_arn (NULL: all) with `status` (-1: any) and
 * id > after_id, in id order (the order they started), at most `limit`
 * (<= 0: no limit).  fn returning nonzero stops the walk (and is
 * returned). */
int asl_store_exec_list(struct asl_store *st, const char *sm_arn, int status, int64_t after_id,
                        int limit, int (*fn)(void *arg, const struct asl_store_exec *e), void *arg);
/* Close a RUNNING execution: status, output or error/cause, stop date;
 * clears owner and wake_at.  CONFLICT when it is not RUNNING. */
int asl_store_exec_close(struct asl_store *st, int64_t id, int status, const char *output,
                         const char *error, const char *cause, double stop_date);
/* Reopen a closed, non-SUCCEEDED execution: RUNNING, redrive_count + 1
 * (*count gets it), redrive_date = date, output/error/cause/stop_date
 * cleared.  CONFLICT when it is RUNNING or SUCCEEDED. */
int asl_store_exec_redrive(struct asl_store *st, int64_t id, double date, int *count);
/* Compare-and-set the owner: succeeds (OK) only when the current owner
 * equals `expect` (NULL: nobody); else CONFLICT.  owner NULL releases. */
int asl_store_exec_claim(struct asl_store *st, int64_t id, const char *expect, const char *owner);
/* The time a suspended execution wants to run again (0: none). */
int asl_store_exec_set_wake(struct asl_store *st, int64_t id, double wake_at);
/* RUNNING executions whose wake_at is set and <= now, earliest first. */
int asl_store_exec_due(struct asl_store *st, double now, int limit,
                       int (*fn)(void *arg, int64_t id, double wake_at), void *arg);

/* Append one event (ids are the caller's: 1, 2, ...).  EXISTS when that
 * id is already stored. */
int asl_store_event_append(struct asl_store *st, int64_t exec, const struct asl_store_event *ev);
/* Events with id > after (reverse: id < after, or all when after is 0),
 * in id order (reverse: newest first), at most limit (<= 0: all). */
int asl_store_event_read(struct asl_store *st, int64_t exec, long after, int reverse, int limit,
                         int (*fn)(void *arg, const struct asl_store_event *ev), void *arg);
/* The highest event id (0 when none). */
int asl_store_event_last(struct asl_store *st, int64_t exec, long *id);

/* Step records: put replaces; get gives a malloc'd copy or NOT_FOUND. */
int asl_store_step_put(struct asl_store *st, int64_t exec, const char *key, const char *value);
int asl_store_step_get(struct asl_store *st, int64_t exec, const char *key, char **value);
int asl_store_step_all(struct asl_store *st, int64_t exec,
                       int (*fn)(void *arg, const char *key, const char *value), void *arg);
/* Forget the records whose key starts with prefix ("" = all). */
int asl_store_step_delete_prefix(struct asl_store *st, int64_t exec, const char *prefix);
/* Forget one record (OK also when there was none). */
int asl_store_step_delete(struct asl_store *st, int64_t exec, const char *key);
/* Keep the event with replay key `key` in the history but detach it from
 * replay (its key becomes NULL): a redriven execution runs that part anew
 * and appends new events. */
int asl_store_event_unkey(struct asl_store *st, int64_t exec, const char *key);

/* Record a new OPEN token (state, output, error, cause of *t ignored). */
int asl_store_token_create(struct asl_store *st, const struct asl_store_token *t);
int asl_store_token_get(struct asl_store *st, const char *token, struct asl_store_token *out);
/* Answer or end an OPEN token: state SUCCEEDED (output), FAILED
 * (error/cause), TIMED_OUT or CLOSED.  The token's deadlines are checked
 * against `now` first (an expired one becomes TIMED_OUT).  *outcome gets
 * the SendTask* outcome; on OK the owning execution's wake_at becomes now,
 * so a scheduler finds it. */
int asl_store_token_finish(struct asl_store *st, const char *token, int state, const char *output,
                           const char *error, const char *cause, double now, int *outcome);
/* SendTaskHeartbeat: last_heartbeat = now for an OPEN, unexpired token. */
int asl_store_token_heartbeat(struct asl_store *st, const char *token, double now, int *outcome);
/* Close every OPEN token of an execution (it stopped or ended). */
int asl_store_token_close_exec(struct asl_store *st, int64_t exec);

/* SendTaskSuccess's output check: JSON text of at most 262144 bytes.
 * ASL_SEND_OK or ASL_SEND_INVALID_OUTPUT. */
int asl_store_check_output(const char *output);

/* Wall-clock now, seconds since the epoch, millisecond precision. */
double asl_store_now(void);
/* Why e cannot be redriven (AWS's redriveStatusReason), NULL when it can. */
const char *asl_store_redrive_reason(struct asl_store *st, const struct asl_store_exec *e);

#endif /* ASL_STORE_H */
