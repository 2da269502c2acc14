/*
 * lambda.c - Lambda tasks through the Lambda Invoke REST API,
 *   POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=Q]
 * signed with SigV4 by aslc's own signer (runtime/aws/send.c: exactly the
 * headers sent, the path encoded again as Lambda canonicalises it; libcurl
 * 7.88's CURLOPT_AWS_SIGV4 signed an Expect header it did not send).
 *
 * Two Resource forms, two result shapes (08-task.md section 5):
 *   arn:...:lambda:R:A:function:F   result = the function's payload; a function
 *                                   error's Cause is the payload as returned
 *   arn:aws:states:::lambda:invoke  result = {ExecutedVersion, Payload,
 *                                   SdkHttpMetadata, SdkResponseMetadata,
 *                                   StatusCode}; a function error's Cause is
 *                                   the payload re-serialised compactly
 * (both recorded by AWS: conformance cases base_scenarios__test_lambda_invoke_
 * with_retry_base and error_output__test_task_catch_error_output__*).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/aws.h"
#include "task/net.h"
#include "task/aws.h"
#include "task/lambda.h"

/* Exceptions the Lambda API models (botocore lambda/2015-03-31 Invoke);
 * anything else surfaces as Lambda.AWSLambdaException, as the Java SDK
 * Step Functions uses names it. */
static const char *const modeled[] = {
    "ResourceNotFoundException", "TooManyRequestsException", "ServiceException",
    "InvalidParameterValueException", "RequestTooLargeException",
    "UnsupportedMediaTypeException", "InvalidRequestContentException",
    "InvalidRuntimeException", "ResourceConflictException", "ResourceNotReadyException",
    "EC2ThrottledException", "EC2UnexpectedException", "EC2AccessDeniedException",
    "ENILimitReachedException", "SubnetIPAddressLimitReachedException",
    "InvalidSubnetIDException", "InvalidSecurityGroupIDException", "InvalidZipFileException",
    "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException",
    "KMSNotFoundException", "EFSIOException", "EFSMountConnectivityException",
    "EFSMountFailureException", "EFSMountTimeoutException", "SnapStartException",
    "SnapStartNotReadyException", "SnapStartTimeoutException",
    "RecursiveInvocationException", "SerializedRequestEntityTooLargeException", NULL,
};

struct call {
    const char *function;       /* name, partial or full ARN, maybe :qualifier */
    const char *qualifier;
    const char *body;
    size_t body_len;
    const char *invocation_type;
    const char *log_type;
    const char *client_context;
    const char *label;          /* 'lambda' or the function ARN, for causes */
};

/* Field i (0-based) of a colon-separated ARN, malloc'd, or NULL. */
static char *arn_field(const char *arn, int i)
{
    const char *p = arn;
    for (int k = 0; k < i; k++) {
        p = strchr(p, ':');
        if (!p)
            return NULL;
        p++;
    }
    const char *e = strchr(p, ':');
    return e ? strndup(p, (size_t)(e - p)) : strdup(p);
}

/* Lambda.<Code> with "<message> (Service: AWSLambda; Status Code: N; Error
 * Code: C; Request ID: R; Proxy: null)", the recorded shape. */
static int service_error(const struct asl_net_resp *rs, struct asl_err *err)
{
    char code[128] = "";
    const char *et = asl_net_resp_header(rs, "x-amzn-ErrorType");
    json_t *j = json_loadb(rs->body, rs->body_len, 0, NULL);
    if (!et)
        et = json_string_value(json_object_get(j, "__type"));
    if (et) {
        size_t n = strcspn(et, ":");
        const char *hash = memchr(et, '#', n);
        if (hash) {
            n -= (size_t)(hash + 1 - et);
            et = hash + 1;
        }
        snprintf(code, sizeof code, "%.*s", (int)n, et);
    } else if (rs->status == 429) {
        snprintf(code, sizeof code, "TooManyRequestsException");
    } else if (rs->status >= 500) {
        snprintf(code, sizeof code, "ServiceException");
    } else {
        snprintf(code, sizeof code, "AWSLambdaException");
    }
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (!msg)
        msg = json_string_value(json_object_get(j, "Message"));
    if (!msg)
        msg = rs->reason && *rs->reason ? rs->reason : "null";
    const char *rid = asl_net_resp_header(rs, "x-amzn-RequestId");
    char name[160] = "Lambda.AWSLambdaException";
    for (const char *const *m = modeled; *m; m++)
        if (strcmp(*m, code) == 0)
            snprintf(name, sizeof name, "Lambda.%s", code);
    asl_err_set(err, name,
                "%s (Service: AWSLambda; Status Code: %ld; Error Code: %s; Request ID: %s; "
                "Proxy: null)",
                msg, rs->status, code, rid ? rid : "null");
    json_decref(j);
    return -1;
}

/* The FunctionName for the request path (a name, a partial or full ARN,
 * "name:qualifier": Lambda takes each as it is; the path is URI-encoded on
 * the wire and once more in the signature, send.c), and the qualifier. */
static int path_function(const struct call *cl, char **fn, char **qual)
{
    *qual = cl->qualifier ? strdup(cl->qualifier) : NULL;
    *fn = strdup(cl->function);
    return *fn && (!cl->qualifier || *qual) ? 0 : -1;
}

/* One Invoke call; on success rs holds a 2xx response (function errors
 * included: the caller tells them apart). */
static int invoke(const struct call *cl, const char *region_hint, const struct asl_net_opts *o,
                  struct asl_net_resp *rs, struct asl_err *err)
{
    struct asl_aws_creds cr = {0};
    struct asl_buf url = {0};
    struct asl_aws_request arq = {.method = "POST"};
    char *region = region_hint ? strdup(region_hint) : asl_aws_region();
    char *endpoint = NULL, *fn = NULL, *qual = NULL;
    int rc = -1;
    memset(rs, 0, sizeof *rs);

    if (cl->body_len > ASL_PAYLOAD_MAX) {
        asl_err_set(err, ASL_E_DATA_LIMIT, "The state/task '%s' submitted an input with a size "
                    "exceeding the maximum number of bytes service limit.", cl->label);
        goto done;
    }
    if (!region) {
        asl_err_set_str(err, "Lambda.SdkClientException",
                        "Unable to find a region: set AWS_REGION or AWS_DEFAULT_REGION, a "
                        "region in the profile, or use a function ARN");
        goto done;
    }
    if (asl_aws_creds_load(&cr, o, "Lambda", err))
        goto done;
    endpoint = asl_aws_endpoint("lambda", region);
    if (!endpoint)
        goto oom;
    if (path_function(cl, &fn, &qual))
        goto oom;
    if (asl_net_buf_addstr(&url, endpoint) ||
        asl_net_buf_addstr(&url, "/2015-03-31/functions/") ||
        asl_net_buf_addenc(&url, fn) || asl_net_buf_addstr(&url, "/invocations"))
        goto oom;
    if (qual) {
        /* signed from arq.query, sent in the URL: the same encoding */
        char *qs = NULL;
        if (asl_aws_query_add(&arq.query, "Qualifier", qual) || !(qs = asl_aws_query_string(&arq.query)) ||
            asl_net_buf_addstr(&url, "?") || asl_net_buf_addstr(&url, qs)) {
            free(qs);
            goto oom;
        }
        free(qs);
    }
    if (asl_aws_hdrs_add(&arq.headers, "Content-Type", "application/json") ||
        asl_aws_hdrs_add(&arq.headers, "X-Amz-Invocation-Type",
                         cl->invocation_type ? cl->invocation_type : "RequestResponse") ||
        (cl->log_type && asl_aws_hdrs_add(&arq.headers, "X-Amz-Log-Type", cl->log_type)) ||
        (cl->client_context && asl_aws_hdrs_add(&arq.headers, "X-Amz-Client-Context", cl->client_context)) ||
        (cl->body_len && asl_net_buf_add(&arq.body, cl->body, cl->body_len)))
        goto oom;

    asl_log(ASL_LOG_DEBUG, o->tag, "lambda: invoke %s (%s)", cl->function, region);
    enum asl_net_status st = asl_aws_send(&arq, url.p, region, "lambda", 0, &cr, o, ASL_PAYLOAD_MAX, rs);
    switch (st) {
    case ASL_NET_OK:
        break;
    case ASL_NET_CANCELLED:
    case ASL_NET_DEADLINE:
        asl_cancel_err(o->cancel, err);
        goto done;
    case ASL_NET_TASK_TIMEOUT:
    case ASL_NET_HARD_TIMEOUT:
        asl_err_set_str(err, ASL_E_TIMEOUT, NULL);
        goto done;
    case ASL_NET_TOO_BIG:
        asl_err_set(err, ASL_E_DATA_LIMIT, "The state/task '%s' returned a result with a size "
                    "exceeding the maximum number of bytes service limit.", cl->label);
        goto done;
    case ASL_NET_FAILED:
        asl_err_set(err, "Lambda.SdkClientException", "Unable to execute HTTP request: %s",
                    rs->msg);
        goto done;
    }
    asl_log(ASL_LOG_DEBUG, o->tag, "lambda: %s -> %ld", cl->function, rs->status);
    if (rs->status < 200 || rs->status > 299) {
        service_error(rs, err);
        goto done;
    }
    rc = 0;
    goto done;
oom:
    asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
done:
    for (size_t i = 0; i < arq.headers.n; i++)
        if (!strcasecmp(arq.headers.v[i].name, "X-Amz-Security-Token"))
            memset(arq.headers.v[i].value, 0, strlen(arq.headers.v[i].value));
    asl_aws_request_clear(&arq);
    free(url.p);
    free(endpoint);
    free(region);
    free(fn);
    free(qual);
    asl_aws_creds_clear(&cr);
    if (rc)
        asl_net_resp_clear(rs);
    return rc;
}

/* A function error: Error = errorType, else Lambda.Unknown. */
static int function_error(const struct asl_net_resp *rs, int compact, struct asl_err *err)
{
    json_t *j = json_loadb(rs->body, rs->body_len, JSON_DECODE_ANY, NULL);
    const char *type = json_string_value(json_object_get(j, "errorType"));
    char *cause = NULL;
    if (!type) {
        asl_err_set(err, "Lambda.Unknown", "The cause could not be determined because Lambda "
                    "did not return an error type. Returned payload: %.*s",
                    (int)rs->body_len, rs->body);
    } else {
        cause = compact ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        if (cause)
            asl_err_set_str(err, type, cause);
        else
            asl_err_set(err, type, "%.*s", (int)rs->body_len, rs->body);
    }
    free(cause);
    json_decref(j);
    return -1;
}

/* The payload as JSON, else as a string; empty_as for an empty body. */
static json_t *payload_value(const struct asl_net_resp *rs, json_t *empty_as)
{
    if (rs->body_len == 0)
        return empty_as;
    json_t *v = json_loadb(rs->body, rs->body_len, JSON_DECODE_ANY, NULL);
    if (!v)
        v = json_stringn(rs->body, rs->body_len);
    json_decref(empty_as);
    return v ? v : json_string("");
}

int asl_lambda_invoke_direct(const char *function_arn, json_t *payload,
                             const struct asl_net_opts *o, json_t **result,
                             struct asl_err *err)
{
    *result = NULL;
    char *region = arn_field(function_arn, 3);
    char *body = json_dumps(payload ? payload : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
    struct asl_net_resp rs;
    int rc = -1;
    if (!body) {
        asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
        goto done;
    }
    struct call cl = {.function = function_arn, .body = body, .body_len = strlen(body),
                      .label = function_arn};
    if (invoke(&cl, region && *region ? region : NULL, o, &rs, err))
        goto done;
    if (asl_net_resp_header(&rs, "X-Amz-Function-Error"))
        function_error(&rs, 0, err);
    else if ((*result = payload_value(&rs, json_null())))
        rc = 0;
    asl_net_resp_clear(&rs);
done:
    free(region);
    free(body);
    return rc;
}

static json_t *integration_result(const struct asl_net_resp *rs)
{
    json_t *all = json_object(), *one = json_object();
    size_t i;
    json_t *h;
    json_array_foreach(rs->headers, i, h) {
        const char *n = json_string_value(json_array_get(h, 0));
        json_t *v = json_array_get(h, 1);
        json_t *arr = json_object_get(all, n);
        if (!arr) {
            arr = json_array();
            json_object_set_new(all, n, arr);
        }
        json_array_append(arr, v);
        if (!json_object_get(one, n))
            json_object_set(one, n, v);
    }
    json_t *res = json_object();
    const char *ev = asl_net_resp_header(rs, "X-Amz-Executed-Version");
    const char *lr = asl_net_resp_header(rs, "X-Amz-Log-Result");
    const char *rid = asl_net_resp_header(rs, "x-amzn-RequestId");
    if (ev)
        json_object_set_new(res, "ExecutedVersion", json_string(ev));
    if (lr)
        json_object_set_new(res, "LogResult", json_string(lr));
    json_object_set_new(res, "Payload", payload_value(rs, json_string("")));
    json_object_set_new(res, "SdkHttpMetadata",
                        json_pack("{s:o, s:o, s:I}", "AllHttpHeaders", all, "HttpHeaders", one,
                                  "HttpStatusCode", (json_int_t)rs->status));
    json_object_set_new(res, "SdkResponseMetadata",
                        rid ? json_pack("{s:s}", "RequestId", rid) : json_object());
    json_object_set_new(res, "StatusCode", json_integer(rs->status));
    return res;
}

static int str_param(json_t *params, const char *key, const char **out, struct asl_err *err)
{
    json_t *v = json_object_get(params, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return asl_err_set(err, ASL_E_RUNTIME, "The field '%s' must be a string", key);
    *out = json_string_value(v);
    return 0;
}

int asl_lambda_invoke_integration(json_t *params, const struct asl_net_opts *o,
                                  json_t **result, struct asl_err *err)
{
    *result = NULL;
    struct call cl = {.label = "lambda"};
    char *body = NULL, *region = NULL;
    struct asl_net_resp rs;
    int rc = -1;
    if (str_param(params, "FunctionName", &cl.function, err) ||
        str_param(params, "Qualifier", &cl.qualifier, err) ||
        str_param(params, "InvocationType", &cl.invocation_type, err) ||
        str_param(params, "LogType", &cl.log_type, err) ||
        str_param(params, "ClientContext", &cl.client_context, err))
        return -1;
    if (!cl.function || !*cl.function)
        return asl_err_set_str(err, ASL_E_RUNTIME,
                               "The field 'FunctionName' is required but was missing");
    const char *checks[] = {cl.function, cl.qualifier, cl.invocation_type, cl.log_type,
                            cl.client_context};
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++)
        if (checks[i] && strpbrk(checks[i], "\r\n"))
            return asl_err_set_str(err, "Lambda.InvalidParameterValueException",
                                   "A parameter contains a line break");
    /* Payload: a string is sent as its bytes (the API's blob), anything
     * else as compact JSON; absent means no body. */
    json_t *pl = json_object_get(params, "Payload");
    if (json_is_string(pl)) {
        /* Not strndup: it stops at a NUL, and body_len is the whole length. */
        cl.body_len = json_string_length(pl);
        body = malloc(cl.body_len + 1);
        if (body) {
            memcpy(body, json_string_value(pl), cl.body_len);
            body[cl.body_len] = '\0';
        }
    } else if (pl) {
        body = json_dumps(pl, JSON_COMPACT | JSON_ENCODE_ANY);
        cl.body_len = body ? strlen(body) : 0;
    }
    if (pl && !body)
        return asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
    cl.body = body;
    if (strncmp(cl.function, "arn:", 4) == 0)
        region = arn_field(cl.function, 3);
    if (invoke(&cl, region && *region ? region : NULL, o, &rs, err))
        goto done;
    if (asl_net_resp_header(&rs, "X-Amz-Function-Error"))
        function_error(&rs, 1, err);
    else if ((*result = integration_result(&rs))) {
        char *t = json_dumps(*result, JSON_COMPACT);
        size_t n = t ? strlen(t) : 0;
        free(t);
        if (n > ASL_PAYLOAD_MAX) {
            json_decref(*result);
            *result = NULL;
            asl_err_set_str(err, ASL_E_DATA_LIMIT, "The state/task 'lambda' returned a result "
                            "with a size exceeding the maximum number of bytes service limit.");
        } else {
            rc = 0;
        }
    }
    asl_net_resp_clear(&rs);
done:
    free(body);
    free(region);
    return rc;
}
