/*
 * serve_int.h - the pieces of `serve` and how they meet.
 *
 *   http.c      libmicrohttpd: reads a request (1 MB cap), checks SigV4
 *               (auth.c), hands the body to asl_serve_dispatch, writes the
 *               answer; suspends a connection while its answer is pending
 *   proto.c     the awsJson1_0 rules: the operation table, request
 *               validation against the model's constraints, AWS's error
 *               bodies, names, ARNs, page tokens
 *   ops_*.c     one function per operation
 *   exec.c      the execution pool: runs executions, parks and wakes them
 *   activity.c  GetActivityTask long polls
 *   serve.c     options, start-up, signals, sd_notify
 *
 * Threads: libmicrohttpd's pool runs the handlers; store handles come from
 * a small pool (each handle is used by one thread at a time).
 */
#ifndef ASL_SERVE_INT_H
#define ASL_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aslrt.h"

struct asl_serve;
struct asl_serve_db;

/* An API error as AWS sends it: HTTP status, __type (the part after '#'),
 * message. */
struct asl_serve_err {
    int http;
    const char *type;           /* static: "ExecutionDoesNotExist", ... */
    char *msg;                  /* malloc'd */
    json_t *extra;              /* members beside __type and message (resourceName), or NULL */
};

enum { ASL_SERVE_DONE = 0, ASL_SERVE_ASYNC = 1 };

/* One API call.  A handler fills `out` (new reference) or `err` and returns
 * ASL_SERVE_DONE, or returns ASL_SERVE_ASYNC and later calls
 * asl_serve_call_finish from any thread. */
struct asl_serve_call {
    struct asl_serve *srv;
    const char *op;
    json_t *in;                 /* the request body, an object (owned) */
    json_t *out;
    struct asl_serve_err err;
    double received;            /* when the request arrived (epoch seconds) */
    /* set by http.c for asynchronous answers */
    void (*finish)(struct asl_serve_call *c);
    void *conn;
};

/* Set the call's error; returns ASL_SERVE_DONE. */
int asl_serve_fail(struct asl_serve_call *c, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answer an ASYNC call (out or err already set). */
void asl_serve_call_finish(struct asl_serve_call *c);

/* The namespace AWS puts before '#' in __type for an error name. */
const char *asl_serve_err_namespace(const char *type);
/* The response body of an error (new reference). */
json_t *asl_serve_err_body(const struct asl_serve_err *e);

/* ---- the operation table and request validation (proto.c) */
enum asl_serve_vtype { V_STR, V_INT, V_BOOL, V_TAGS, V_STRLIST, V_OBJ };

struct asl_serve_field {
    const char *name;
    unsigned char type;         /* enum asl_serve_vtype */
    unsigned char required;
    long long min, max;         /* length (characters) or value range; -1: none */
    const char *const *enums;   /* NULL-terminated, or NULL */
};

struct asl_serve_op {
    const char *name;           /* "StartExecution" */
    int (*fn)(struct asl_serve_call *c);
    const struct asl_serve_field *fields;   /* terminated by a NULL name */
};

/* Find an operation by X-Amz-Target ("AWSStepFunctions.StartExecution"). */
const struct asl_serve_op *asl_serve_find_op(const char *target);
/* Check c->in against op's fields: a member of the wrong JSON type is a
 * SerializationException, a broken constraint a ValidationException listing
 * every violation.  0, or -1 with c->err set. */
int asl_serve_validate(struct asl_serve_call *c, const struct asl_serve_field *fields);

/* Parse, validate and run one request body (len bytes) for `target`.
 * Returns ASL_SERVE_DONE with c->out / c->err set, or ASL_SERVE_ASYNC. */
int asl_serve_dispatch(struct asl_serve *s, struct asl_serve_call *c, const char *target,
                       const char *body, size_t len);

/* Borrowed member accessors for validated requests (NULL / dflt when absent). */
const char *asl_serve_str(const struct asl_serve_call *c, const char *name);
long long asl_serve_int(const struct asl_serve_call *c, const char *name, long long dflt);
int asl_serve_bool(const struct asl_serve_call *c, const char *name, int dflt);

/* Names (executions, activities): 1-80 characters, none of AWS's
 * forbidden ones.  1 when valid. */
int asl_serve_name_ok(const char *name);

/* ARNs.  The resource kinds the server knows. */
enum asl_serve_arn_kind {
    ARN_STATE_MACHINE, ARN_EXECUTION, ARN_EXPRESS, ARN_ACTIVITY, ARN_OTHER,
};
struct asl_serve_arn {
    enum asl_serve_arn_kind kind;
    char region[32], account[16];
    char type[32];              /* "stateMachine", "execution", ... */
    char name[96];              /* state machine or activity name */
    char sub[96];               /* execution name; version/alias qualifier of a state machine */
};
/* Split an ARN of Step Functions.  0, or -1 with c's InvalidArn error set
 * ("Invalid Arn: 'Invalid ARN prefix: ...'"). */
int asl_serve_arn_parse(struct asl_serve_call *c, const char *arn, struct asl_serve_arn *out);

/* Page tokens: opaque, authenticated with the server's key, bound to the
 * operation and its arguments, valid 24 hours.  `after` is the position.
 * Encode: malloc'd text.  Decode: 0, or -1 with InvalidToken set. */
char *asl_serve_page_token(struct asl_serve *s, const char *scope, int64_t after);
int asl_serve_page_decode(struct asl_serve_call *c, const char *scope, const char *tok, int64_t *after);
/* Set c->out's nextToken to a token for `after`. */
void asl_serve_out_token(struct asl_serve_call *c, const char *scope, int64_t after);
/* maxResults with AWS's default: 0 or absent means 100. */
int asl_serve_page_size(const struct asl_serve_call *c);

/* Epoch seconds with milliseconds as a JSON number. */
json_t *asl_serve_date(double t);
double asl_serve_now(void);

/* ---- SigV4 (auth.c) */
struct asl_serve_creds;
/* Read access-key/secret pairs from an AWS shared-credentials style file.
 * NULL with msg filled on failure. */
struct asl_serve_creds *asl_serve_creds_load(const char *path, char *msg, size_t msgsize);
void asl_serve_creds_free(struct asl_serve_creds *cr);
size_t asl_serve_creds_count(const struct asl_serve_creds *cr);

/* What SigV4 needs from a request. */
struct asl_serve_sigreq {
    const char *method;
    const char *path;           /* "/" */
    const char *query;          /* canonical query string ("" when none) */
    size_t nheaders;
    const char *const *hnames;  /* as received */
    const char *const *hvalues;
    const char *body;
    size_t len;
    double now;
};
/* 0 when the request is signed by a known key with a valid signature for
 * service "states" in `region` within 15 minutes of now; else -1 with err
 * (MissingAuthenticationToken, IncompleteSignature, UnrecognizedClient,
 * InvalidSignature) filled. */
int asl_serve_sigv4_verify(const struct asl_serve_creds *cr, const char *region,
                           const struct asl_serve_sigreq *rq, struct asl_serve_err *err);

/* ---- the server */
struct asl_serve_limits {
    int http_threads;           /* libmicrohttpd worker threads */
    int workers;                /* execution threads */
    int max_connections;        /* open HTTP connections */
    int max_inflight;           /* requests being answered at once (long polls excluded) */
    int max_pollers;            /* GetActivityTask polls held at once, per activity */
    int max_queue;              /* executions waiting for a worker */
    int max_running;            /* open (RUNNING) executions */
    size_t max_request;         /* bytes, headers included */
    double poll_seconds;        /* GetActivityTask hold time */
};

struct asl_serve {
    const struct asl_program *prog;
    struct asl_serve_limits lim;
    char *store_path;
    int sync;                   /* the store's durability mode */
    char *sm_name, *sm_arn, *region, *account, *role_arn;
    double sm_created;          /* the state machine's creationDate: the store's first serve */
    struct asl_serve_creds *creds;
    unsigned char page_key[32];
    struct asl_serve_db *db;
    struct asl_serve_exec_pool *pool;
    struct asl_serve_polls *polls;
    atomic_int inflight;
    atomic_int stopping;
    /* what executions run with */
    struct asl_serve_runopts *run;
    struct asl_exec *tmpl;      /* the shared part of every execution (exec.c) */
    atomic_long running;
    /* Standard executions (exec_durable.c): run or resume one; make running
     * ones park.  NULL when this server runs none. */
    void (*run_durable)(struct asl_serve *s, int64_t id);
    void (*interrupt)(struct asl_serve *s);        /* open executions (ExecutionLimitExceeded past max_running) */
};

/* ---- store handles (db.c): a fixed pool, one thread per handle at a time */
struct asl_sq;
struct asl_serve_conn {
    struct asl_sq *sq;          /* the server's own tables (runtime/store/serve_queries.h) */
    struct asl_store *st;       /* executions (runtime/store/store.h) */
};
/* Open n handles on path; NULL with msg filled. */
struct asl_serve_db *asl_serve_db_open(const char *path, int full, int n, char *msg, size_t msgsize);
void asl_serve_db_close(struct asl_serve_db *db);
/* Borrow a handle (blocks while all are busy) and give it back. */
struct asl_serve_conn *asl_serve_db_get(struct asl_serve_db *db);
void asl_serve_db_put(struct asl_serve_db *db, struct asl_serve_conn *h);
/* The usual InternalFailure for a store error (logged, without payloads). */
int asl_serve_store_fail(struct asl_serve_call *c, const char *what, const char *why);

/* The state machine ARN check shared by every operation that names one:
 * 0 when `arn` is this server's state machine, else -1 with InvalidArn or
 * StateMachineDoesNotExist set. */
int asl_serve_check_sm(struct asl_serve_call *c, const char *arn);

#endif
