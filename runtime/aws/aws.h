/*
 * aws.h - AWS API calls driven by the pruned service models aslc emits
 * (compiler/models/): the model at run time, request serialisation for the
 * json, rest-json, query, ec2 and rest-xml protocols, SigV4, response
 * parsing (XML through expat), Step Functions' error names, and the
 * optimized integrations on top.  Internal to the runtime.
 */
#ifndef ASL_AWS_H
#define ASL_AWS_H

#include <stddef.h>
#include <jansson.h>

#include "aslrt.h"
#include "task/aws.h"

/* ---------------------------------------------------------------- headers, query */

struct asl_aws_hdr {
    char *name, *value;
};
struct asl_aws_hdrs {
    struct asl_aws_hdr *v;
    size_t n, cap;
};
int asl_aws_hdrs_add(struct asl_aws_hdrs *h, const char *name, const char *value);
const char *asl_aws_hdrs_get(const struct asl_aws_hdrs *h, const char *name);
void asl_aws_hdrs_clear(struct asl_aws_hdrs *h);

/* Query pairs, unencoded. */
#define asl_aws_query asl_aws_hdrs
int asl_aws_query_add(struct asl_aws_query *q, const char *key, const char *value);
void asl_aws_query_clear(struct asl_aws_query *q);
/* key=value&... sorted and encoded as SigV4 wants it (also what is sent). */
char *asl_aws_query_string(const struct asl_aws_query *q);

/* --------------------------------------------------------------------- SigV4 */

struct asl_sigv4 {
    const char *method;
    const char *path;                   /* as sent (already URI-encoded) */
    const struct asl_aws_query *query;  /* may be NULL */
    const struct asl_aws_hdrs *headers; /* every header signed, exactly as sent */
    const char *payload_hash;           /* hex SHA-256, or "UNSIGNED-PAYLOAD" */
    const char *region, *service;
    const char *amz_date;               /* 20150830T123600Z */
    const char *key_id, *secret;
    int s3;                             /* S3: the path is not encoded again */
};
/* "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...", malloc'd. */
char *asl_sigv4_authorization(const struct asl_sigv4 *s);
/* The canonical request (for tests and verifiers); *signed_headers malloc'd. */
char *asl_sigv4_canonical(const struct asl_sigv4 *s, char **signed_headers);
void asl_sigv4_sha256_hex(const void *data, size_t n, char out[65]);
void asl_sigv4_hex(const unsigned char *p, size_t n, char *out);
/* RFC 3986 unreserved characters stay, everything else %XX (upper hex);
 * keep_slash keeps '/'. */
int asl_sigv4_encode(struct asl_buf *b, const char *s, size_t n, int keep_slash);

/* --------------------------------------------------------------------- model */

struct asl_aws_model {
    json_t *root;
    json_t *meta, *ops, *actions, *shapes;
    const char *service;        /* Step Functions' name: "s3", "sfn" */
    const char *prefix;         /* exception prefix: "S3", "Sfn" */
    const char *protocol;       /* json, rest-json, query, ec2, rest-xml */
};
/* The parsed model of an emitted table (cached; thread-safe); NULL when the
 * text does not parse (an aslc bug). */
const struct asl_aws_model *asl_aws_model_get(const char *text);
/* The operation for a Step Functions action name ("getObject"), or NULL. */
json_t *asl_aws_model_op(const struct asl_aws_model *m, const char *action);
json_t *asl_aws_shape(const struct asl_aws_model *m, json_t *ref);

/* Timestamps: the formats of the protocols (ISO 8601 with milliseconds
 * only when there are some, or always: ASL_TS_ISO_MS), epoch seconds,
 * RFC 822. */
enum asl_aws_ts { ASL_TS_ISO, ASL_TS_ISO_MS, ASL_TS_EPOCH, ASL_TS_RFC822 };
void asl_aws_ts_format(double secs, enum asl_aws_ts f, char *out, size_t n);
/* Whether secs is a finite time in years 0001..9999, the range every
 * protocol's formats can carry (readers treat anything else as text). */
int asl_aws_ts_in_range(double secs);

/* ------------------------------------------------------------------ requests */

struct asl_aws_request {
    const char *method;
    struct asl_buf path;        /* wire path, encoded */
    struct asl_aws_query query;
    struct asl_aws_hdrs headers;
    struct asl_buf body;
};
void asl_aws_request_clear(struct asl_aws_request *rq);

/* Step Functions' parameters (PascalCase member names) for the operation's
 * input -> the HTTP request.  -1 with err (States.Runtime) for a parameter
 * the operation does not have or a value of the wrong type. */
int asl_aws_serialize(const struct asl_aws_model *m, json_t *op, json_t *params,
                      struct asl_aws_request *rq, struct asl_err *err);

/* The response (status 2xx) -> the operation's output in Step Functions'
 * PascalCase shape; timestamps as ISO-8601 strings, or epoch milliseconds
 * when epoch_ms (the optimized integrations).  NULL with err when the body
 * does not parse. */
json_t *asl_aws_parse(const struct asl_aws_model *m, json_t *op, const struct asl_net_resp *rs,
                      int epoch_ms, struct asl_err *err);

/* The error code and message of a non-2xx answer, per protocol (code
 * malloc'd, "" when none; message malloc'd or NULL; request id malloc'd
 * or NULL). */
void asl_aws_error_fields(const struct asl_aws_model *m, const struct asl_net_resp *rs, char **code,
                          char **message, char **request_id);

/* ----------------------------------------------------------------------- XML */

struct asl_xml {
    char *name;             /* local name, without a namespace prefix */
    char *text;             /* concatenated character data */
    size_t text_len;
    struct asl_xml **kids;
    size_t nkids;
    char **attrs;           /* name, value, ..., NULL */
};
/* Parses an XML document with expat; NULL when it is not well-formed. */
struct asl_xml *asl_xml_parse(const char *p, size_t n);
void asl_xml_free(struct asl_xml *x);
/* First child named name, or NULL. */
struct asl_xml *asl_xml_child(const struct asl_xml *x, const char *name);

/* --------------------------------------------------------------------- calls */

struct asl_aws_ctx {
    struct asl_net_opts net;
    const char *region;         /* NULL: the environment's */
    const struct asl_aws_creds *creds;  /* NULL: the chain */
};

/* Signs rq (every header it has plus Host, X-Amz-Date, the S3 payload
 * hash and the session token, which it adds) for service in region and
 * sends it to url; cr NULL: unsigned (only Host is added).  max_body: the
 * largest answer taken (0: no limit).  The status of asl_net_perform; rs
 * holds the answer. */
enum asl_net_status asl_aws_send(struct asl_aws_request *rq, const char *url, const char *region,
                                 const char *service, int s3, const struct asl_aws_creds *cr,
                                 const struct asl_net_opts *o, size_t max_body, struct asl_net_resp *rs);
/* libcurl initialised once for the AWS calls (any thread); 0 when it is
 * unusable. */
int asl_aws_net_ready(void);
/* The Host header of a URL: host[:port] without the default port. */
char *asl_aws_url_host(const char *url);
/* hd with the header line "name: value" appended; the line, which may
 * hold a secret, is built in a buffer that is wiped after curl copied it.
 * A line that cannot be built is left out. */
struct curl_slist;
struct curl_slist *asl_aws_header_line(struct curl_slist *hd, const char *name, const char *value);

/* One API call: serialise, sign, send, and on 2xx parse.  On a non-2xx
 * answer returns 1 with *rs kept for the caller's error mapping; on 2xx 0
 * with *out and *rs (headers; the caller clears it); -1 with err for
 * failures before an answer (the error's name is prefix +
 * ".SdkClientException"). */
int asl_aws_call(const struct asl_aws_model *m, json_t *op, json_t *params,
                 const struct asl_aws_ctx *cx, const char *err_prefix, int epoch_ms, json_t **out,
                 struct asl_net_resp *rs, struct asl_err *err);
/* The same for a request already serialised (rq; a caller may have put
 * raw bytes in its body); params only give the region.  out NULL: a 2xx
 * answer is not parsed, rs holds it (the caller clears it). */
int asl_aws_call_request(const struct asl_aws_model *m, json_t *op, json_t *params, struct asl_aws_request *rq,
                         const struct asl_aws_ctx *cx, const char *err_prefix, int epoch_ms, json_t **out,
                         struct asl_net_resp *rs, struct asl_err *err);

/* ----------------------------------------------------------------- STS (sts.c) */

/* Where STS calls go and how they fail. */
struct asl_sts_where {
    const char *region;             /* signing region */
    const char *endpoint;           /* URL without the path: asl_aws_endpoint("sts", region) */
    const struct asl_net_opts *net;
    const char *ename;              /* the error name of a failure */
};
/* AssumeRole as role_arn, signed with source; session is the
 * RoleSessionName (characters outside [\w+=,.@-] become '-', cut at 64).
 * Cached per (source key, role, session) until 5 minutes before the
 * credentials expire.  0 with *out filled, or -1 with err (w->ename,
 * cause "Unable to assume the role 'ARN': <STS's message> (Service: Sts,
 * Status Code: N, Error Code: C, Request ID: R)"). */
int asl_aws_assume_role(const struct asl_sts_where *w, const char *role_arn, const char *session,
                        const struct asl_aws_creds *source, struct asl_aws_creds *out, struct asl_err *err);
/* AssumeRoleWithWebIdentity with the token in AWS_WEB_IDENTITY_TOKEN_FILE
 * for AWS_ROLE_ARN (session AWS_ROLE_SESSION_NAME, else aslc-<time>),
 * unsigned, cached the same way.  1 when those variables are not set, 0,
 * or -1 with err. */
int asl_aws_web_identity(const struct asl_sts_where *w, struct asl_aws_creds *out, struct asl_err *err);
/* Drops every cached STS credential (tests). */
void asl_aws_sts_cache_clear(void);

/* Step Functions' name for an aws-sdk service error (section 1.7 of the
 * integration notes): <Prefix>.<Shape>[Exception], unmodeled codes
 * <Prefix>.<Prefix>Exception; cause "<message> (Service: <Prefix>, Status
 * Code: N, Request ID: R)". */
void asl_aws_sdk_error(const struct asl_aws_model *m, json_t *op, const struct asl_net_resp *rs,
                       struct asl_err *err);

/* The modeled error shape of the operation for a wire code (by the
 * shape's error.code, then by its name), or NULL. */
const char *asl_aws_error_shape(const struct asl_aws_model *m, json_t *op, const char *code);
/* "<prefix>.<shape>" with "Exception" appended when the shape's name
 * lacks it; "<prefix>.<unmodeled>Exception" when there is no shape. */
void asl_aws_error_name(const char *prefix, const char *shape, const char *unmodeled, char *out, size_t n);
/* Step Functions' name of a model member: first letter uppercased
 * ("Equals" -> "EqualsValue"). */
void asl_aws_sfn_name(const char *member, char *out, size_t n);

#endif
