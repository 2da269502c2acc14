/*
 * net.h - tasks that call the network (libcurl): the HTTP Task
 * (arn:aws:states:::http:invoke), Lambda in both forms (a function ARN as
 * Resource, and arn:aws:states:::lambda:invoke) over the Lambda Invoke REST
 * API signed with SigV4, and the AWS credential/region/endpoint chain.
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
#ifndef ASL_NET_H
#define ASL_NET_H

#include <stddef.h>
#include <jansson.h>

#include "aslrt.h"

/* Per-execution network state: the OAuth token cache (thread-safe). */
struct asl_net_ctx;
struct asl_net_ctx *asl_net_ctx_new(void);
void asl_net_ctx_free(struct asl_net_ctx *ctx);

struct asl_net_opts {
    double timeout_s;               /* the task's remaining TimeoutSeconds; <= 0: none */
    const struct asl_cancel *cancel;/* execution/branch token; may be NULL */
    const char *ca_bundle;          /* CA file; NULL: $ASLC_CA_BUNDLE, else the system's */
    const char *tag;                /* log tag (the state name); may be NULL */
    struct asl_net_ctx *ctx;        /* may be NULL: no OAuth token caching */
};

/* curl_global_init plus the per-thread handle key.  Call once, before any
 * thread starts; returns 0, or -1 when libcurl is unusable (too old for
 * SigV4, init failed). */
int asl_net_global_init(void);
/* Frees the calling thread's handle and calls curl_global_cleanup(); call
 * once at the end, after every other thread has exited. */
void asl_net_global_cleanup(void);

/* ------------------------------------------------------------- HTTP Task */

/* params: {ApiEndpoint, Method, Authentication?: {ConnectionArn},
 * Headers?, QueryParameters?, RequestBody?, Transform?: {RequestBodyEncoding,
 * RequestEncodingOptions: {ArrayFormat}}} (borrowed).
 * *result (new reference): {Headers: {name: [values]}, ResponseBody,
 * StatusCode, StatusText}.  Errors: States.Http.StatusCode.NNN (cause: the
 * same object as compact JSON), States.Http.Socket, States.Timeout,
 * States.DataLimitExceeded, States.Runtime (bad parameters, forbidden
 * headers), Events.ConnectionResource.* (connection missing / unusable). */
int asl_http_invoke(json_t *params, const struct asl_net_opts *o, json_t **result,
                    struct asl_err *err);

/* ---------------------------------------------------------------- Lambda */

/* Resource = arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
 * Invoked RequestResponse with payload (borrowed) as the event; *result =
 * the function's returned payload (parsed JSON, else the text as a string).
 * Function error: Error = errorType (Lambda.Unknown when none), Cause = the
 * payload exactly as Lambda returned it. */
int asl_lambda_invoke_direct(const char *function_arn, json_t *payload,
                             const struct asl_net_opts *o, json_t **result,
                             struct asl_err *err);

/* arn:aws:states:::lambda:invoke.  params: {FunctionName, Payload?,
 * InvocationType?, Qualifier?, ClientContext?, LogType?}.
 * *result: {ExecutedVersion, [LogResult], Payload, SdkHttpMetadata:
 * {AllHttpHeaders, HttpHeaders, HttpStatusCode}, SdkResponseMetadata:
 * {RequestId}, StatusCode}.  Function error: Error = errorType, Cause = the
 * error payload as compact JSON. */
int asl_lambda_invoke_integration(json_t *params, const struct asl_net_opts *o,
                                  json_t **result, struct asl_err *err);

/* ------------------------------------------------- AWS credentials (aws.c) */

struct asl_aws_creds {
    char *key_id;
    char *secret;
    char *token;    /* session token, or NULL */
};

/* The chain AWS tools use: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
 * [/AWS_SESSION_TOKEN]; the profile (AWS_PROFILE, else "default") in the
 * shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials)
 * then in the config file (AWS_CONFIG_FILE, ~/.aws/config); the container
 * endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]).  0, or -1 with err set
 * (name: err_prefix + ".SdkClientException"). */
int asl_aws_creds_load(struct asl_aws_creds *c, const struct asl_net_opts *o,
                       const char *err_prefix, struct asl_err *err);
void asl_aws_creds_clear(struct asl_aws_creds *c);

/* Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region in the
 * config file; NULL when none.  Returns a malloc'd string. */
char *asl_aws_region(void);

/* Endpoint for a service: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * else https://SERVICE.REGION.amazonaws.com (.com.cn for cn-*).  malloc'd,
 * no trailing slash. */
char *asl_aws_endpoint(const char *service, const char *region);

/* ----------------------------------------- shared transport (http.c), internal */

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
/* Appends "%XX"-encoded s (everything but A-Z a-z 0-9 - _ . ~) to buf. */
struct asl_net_buf {
    char *p;
    size_t len, cap;
};
int asl_net_buf_add(struct asl_net_buf *b, const char *s, size_t n);
int asl_net_buf_addstr(struct asl_net_buf *b, const char *s);
int asl_net_buf_addenc(struct asl_net_buf *b, const char *s);
/* base64 of n bytes, malloc'd. */
char *asl_net_base64(const unsigned char *p, size_t n);

#endif /* ASL_NET_H */
