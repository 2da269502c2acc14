/*
 * task/net.h - the network transport (net.c, libcurl) under the tasks that
 * call the network: the HTTP Task (task/http.h), Lambda (task/lambda.h) and
 * the AWS credential/region/endpoint chain (task/aws.h).
 *
 * Each invoker produces the raw task result (before ResultSelector /
 * ResultPath) or an ASL error; Retry/Catch/timeouts-as-states are the
 * caller's.  No invoker retries anything on its own.
 *
 * Threads: asl_net_global_init() once before any thread starts; each thread
 * then gets its own curl handle (kept for connection reuse, freed when the
 * thread exits, or by asl_net_global_cleanup() for the calling thread).
 * Inputs are borrowed and never mutated.  Secrets (connection parameters,
 * AWS keys) never appear in a log line, an error cause or a result.
 */
#ifndef ASL_TASK_NET_H
#define ASL_TASK_NET_H

#include <stddef.h>
#include <jansson.h>

#include "aslrt.h"
#include "base/text.h"

/* Per-execution network state: the OAuth token cache (thread-safe; defined
 * with the HTTP Task in http.c). */
struct asl_net_ctx;
struct asl_net_ctx *asl_net_ctx_new(void);
void asl_net_ctx_free(struct asl_net_ctx *ctx);

struct asl_net_opts {
    double timeout_s;               /* the task's remaining TimeoutSeconds; <= 0: none */
    const struct asl_cancel *cancel;/* execution/branch token; may be NULL */
    const char *ca_bundle;          /* CA file; NULL: $ASLC_CA_BUNDLE, else the system's */
    const char *tag;                /* log tag (the state name); may be NULL */
    struct asl_net_ctx *ctx;        /* may be NULL: no OAuth token caching */
    const char *role_arn;           /* a Task's Credentials.RoleArn: the chain's credentials
                                     * assume it (asl_aws_creds_load); NULL: none */
    const char *role_session;       /* its RoleSessionName (the execution's name) */
};

/* curl_global_init plus the per-thread handle key.  Call once, before any
 * thread starts; returns 0, or -1 when libcurl is unusable (too old for
 * SigV4, init failed). */
int asl_net_global_init(void);
/* Frees the calling thread's handle and calls curl_global_cleanup(); call
 * once at the end, after every other thread has exited. */
void asl_net_global_cleanup(void);

/* --------------------------------------------------- the transport (net.c) */

enum asl_net_status {
    ASL_NET_OK = 0,
    ASL_NET_CANCELLED,      /* the cancel token fired */
    ASL_NET_TASK_TIMEOUT,   /* opts->timeout_s ran out */
    ASL_NET_DEADLINE,       /* the execution deadline ran out */
    ASL_NET_HARD_TIMEOUT,   /* the request's own limit (hard_limit_s) ran out */
    ASL_NET_TOO_BIG,        /* response body above max_body */
    ASL_NET_FAILED,         /* connection / protocol failure; msg says what */
};

struct asl_net_req {
    const char *method;
    const char *url;
    struct curl_slist *headers;     /* borrowed */
    const char *body;               /* may be NULL */
    size_t body_len;
    const char *sigv4;              /* "aws:amz:REGION:SERVICE", or NULL */
    const char *userpwd;            /* "user:password" (SigV4 keys), or NULL */
    size_t max_body;                /* 0: unbounded */
    double hard_limit_s;            /* 0: none */
};

struct asl_net_resp {
    long status;
    char *reason;                   /* status text from the status line */
    json_t *headers;                /* [[name, value], ...] in arrival order */
    char *body;                     /* NUL-terminated */
    size_t body_len;
    char msg[256];                  /* for ASL_NET_FAILED */
};

enum asl_net_status asl_net_perform(const struct asl_net_req *rq, const struct asl_net_opts *o,
                                    struct asl_net_resp *rs);
void asl_net_resp_clear(struct asl_net_resp *rs);
/* The first value of a response header (case-insensitive name), borrowed. */
const char *asl_net_resp_header(const struct asl_net_resp *rs, const char *name);
/* Appends to the runtime's buffer (base/text.h), returning -1 once an
 * allocation has failed; _addenc appends "%XX"-encoded s (everything but
 * A-Z a-z 0-9 - _ . ~). */
int asl_net_buf_add(struct asl_buf *b, const char *s, size_t n);
int asl_net_buf_addstr(struct asl_buf *b, const char *s);
int asl_net_buf_addenc(struct asl_buf *b, const char *s);
/* base64 of n bytes, malloc'd. */
char *asl_net_base64(const unsigned char *p, size_t n);

#endif /* ASL_TASK_NET_H */
