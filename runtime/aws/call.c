/*
 * call.c - one AWS API call: endpoint, credentials, signing and sending (send.c), and
 * Step Functions' error names for service errors.
 *
 * Endpoint (the SDKs' convention, so one binary runs against AWS,
 * LocalStack or a local emulator): AWS_ENDPOINT_URL_<SERVICE> (the model's
 * serviceId, upper case, spaces as '_': AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SFN), then AWS_ENDPOINT_URL, then
 * https://<endpointPrefix>.<region>.amazonaws.com (.com.cn in China; the
 * model's global endpoint for global services; S3 buckets virtual-hosted).
 * With an endpoint URL S3 is addressed path-style.
 * Region: a region in an ARN parameter of the call, else AWS_REGION /
 * AWS_DEFAULT_REGION / the profile's, else us-east-1.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aws/aws.h"

static const char *sstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The region of the first ARN among the parameters' top-level strings. */
static char *region_from_params(json_t *params)
{
    const char *k;
    json_t *v;
    json_object_foreach(params, k, v) {
        const char *s = json_string_value(v);
        if (!s || strncmp(s, "arn:", 4) != 0)
            continue;
        const char *p = s;
        for (int i = 0; i < 3 && p; i++) {
            p = strchr(p, ':');
            if (p)
                p++;
        }
        const char *e = p ? strchr(p, ':') : NULL;
        if (e && e > p)
            return strndup(p, (size_t)(e - p));
    }
    /* SQS queue URLs name the region in the host */
    const char *q = json_string_value(json_object_get(params, "QueueUrl"));
    const char *h = q ? strstr(q, "://sqs.") : NULL;
    if (h) {
        h += 7;
        const char *e = strchr(h, '.');
        if (e && strncmp(e, ".amazonaws.com", 14) == 0)
            return strndup(h, (size_t)(e - h));
    }
    return NULL;
}

static char *endpoint_env(const char *service_id)
{
    char name[160] = "AWS_ENDPOINT_URL_";
    size_t n = strlen(name);
    for (const char *p = service_id; *p && n + 1 < sizeof name; p++)
        name[n++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    name[n] = '\0';
    const char *u = getenv(name);
    if (!u || !*u)
        u = getenv("AWS_ENDPOINT_URL");
    if (!u || !*u)
        return NULL;
    char *out = strdup(u);
    size_t l = out ? strlen(out) : 0;
    while (l > 0 && out[l - 1] == '/')
        out[--l] = '\0';
    return out;
}

static int dns_bucket(const char *b, size_t n)
{
    if (n < 3 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '-'))
            return 0;
    return b[0] != '-' && b[n - 1] != '-';
}

static int net_error(enum asl_net_status st, const struct asl_net_resp *rs, const struct asl_net_opts *o,
                     const char *prefix, struct asl_err *err)
{
    switch (st) {
    case ASL_NET_CANCELLED:
    case ASL_NET_DEADLINE:
        return asl_cancel_err(o->cancel, err);
    case ASL_NET_TASK_TIMEOUT:
    case ASL_NET_HARD_TIMEOUT:
        return asl_err_set_str(err, ASL_E_TIMEOUT, NULL);
    case ASL_NET_TOO_BIG:
        return asl_err_set(err, ASL_E_DATA_LIMIT, "The state/task '%s' returned a result with a size "
                           "exceeding the maximum number of bytes service limit.", o->tag ? o->tag : "");
    default:
        return asl_err_set(err, prefix, "Unable to execute HTTP request: %s", rs->msg);
    }
}

/* The call's region: the context's, an ARN's among the parameters, the
 * environment's or the profile's, else us-east-1.  NULL: out of memory. */
static char *call_region(const struct asl_aws_ctx *cx, json_t *params)
{
    char *region = cx->region ? strdup(cx->region) : region_from_params(params);
    if (!region)
        region = asl_aws_region();
    if (!region)
        region = strdup("us-east-1");
    return region;
}

/* The AWS host for a call without an endpoint URL; a DNS-compatible S3
 * bucket moves from the front of *path into the host (virtual-hosted). */
static void aws_host(const struct asl_aws_model *m, const char *region, int s3, const char **path,
                     struct asl_buf *ub)
{
    const char *suffix = !strncmp(region, "cn-", 3) ? "amazonaws.com.cn" : "amazonaws.com";
    const char *ge = sstr(m->meta, "globalEndpoint");
    const char *ep = sstr(m->meta, "endpointPrefix");
    asl_net_buf_addstr(ub, "https://");
    if (s3 && (*path)[0] == '/') {
        size_t bl = strcspn(*path + 1, "/?");
        if (dns_bucket(*path + 1, bl)) {
            asl_net_buf_add(ub, *path + 1, bl);
            asl_net_buf_addstr(ub, ".");
            *path += 1 + bl;
            if (!**path)
                *path = "/";
        }
    }
    if (ge && strcmp(region, "us-east-1") == 0) {
        asl_net_buf_addstr(ub, ge);
        return;
    }
    asl_net_buf_addstr(ub, ep ? ep : m->service);
    asl_net_buf_addstr(ub, ".");
    asl_net_buf_addstr(ub, region);
    asl_net_buf_addstr(ub, ".");
    asl_net_buf_addstr(ub, suffix);
}

/* The request's URL: endpoint (environment or AWS's), path, query string.
 * NULL: out of memory. */
static char *call_url(const struct asl_aws_model *m, const struct asl_aws_request *rq, const char *region,
                      int s3)
{
    const char *sid = sstr(m->meta, "serviceId") ? sstr(m->meta, "serviceId") : m->service;
    char *endpoint = endpoint_env(sid);
    struct asl_buf ub = {0};
    const char *path = rq->path.p ? rq->path.p : "/";
    if (endpoint)
        asl_net_buf_addstr(&ub, endpoint);
    else
        aws_host(m, region, s3, &path, &ub);
    /* a path in the endpoint URL goes before the request's */
    asl_net_buf_addstr(&ub, path);
    free(endpoint);
    char *query = asl_aws_query_string(&rq->query);
    if (query && *query) {
        asl_net_buf_addstr(&ub, "?");
        asl_net_buf_addstr(&ub, query);
    }
    if (!query) {
        free(ub.p);
        ub.p = NULL;
    }
    free(query);
    return ub.p;
}

/* Content-MD5 where the model asks for a checksum, as the SDKs send it
 * when no other checksum algorithm is chosen. */
static void content_md5(json_t *op, int s3, struct asl_aws_request *rq)
{
    if (!rq->body.len || !(json_is_true(json_object_get(op, "httpChecksumRequired")) ||
                           (s3 && json_object_get(op, "httpChecksum"))))
        return;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int ml = 0;
    EVP_Digest(rq->body.p, rq->body.len, md, &ml, EVP_md5(), NULL);
    char *b64 = asl_net_base64(md, ml);
    if (b64)
        asl_aws_hdrs_add(&rq->headers, "Content-MD5", b64);
    free(b64);
}

int asl_aws_call_request(const struct asl_aws_model *m, json_t *op, json_t *params, struct asl_aws_request *rq,
                         const struct asl_aws_ctx *cx, const char *err_prefix, int epoch_ms, json_t **out,
                         struct asl_net_resp *rs, struct asl_err *err)
{
    char ename[160];
    snprintf(ename, sizeof ename, "%s.SdkClientException", err_prefix);
    if (out)
        *out = NULL;
    memset(rs, 0, sizeof *rs);
    struct asl_aws_creds own = {0};
    const struct asl_aws_creds *cr = cx->creds;
    char *region = NULL, *url = NULL;
    int rc = -1;
    if (!cr) {
        if (asl_aws_creds_load(&own, &cx->net, err_prefix, err) != 0)
            goto done;
        cr = &own;
    }
    int s3 = !strcmp(m->service, "s3") || !strcmp(m->service, "s3control");
    region = call_region(cx, params);
    url = region ? call_url(m, rq, region, s3) : NULL;
    if (!url) {
        asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
        goto done;
    }
    content_md5(op, s3, rq);
    const char *signing = sstr(m->meta, "signingName");
    if (!signing)
        signing = sstr(m->meta, "endpointPrefix");
    asl_log(ASL_LOG_DEBUG, cx->net.tag, "%s %s (%s %s)", m->service, sstr(op, "name"), rq->method, url);
    enum asl_net_status st = asl_aws_send(rq, url, region, signing ? signing : m->service, s3, cr, &cx->net, 0, rs);
    if (st != ASL_NET_OK) {
        if (st == ASL_NET_FAILED)
            asl_err_set(err, ename, "Unable to execute HTTP request: %s", rs->msg);
        else
            net_error(st, rs, &cx->net, ename, err);
        asl_net_resp_clear(rs);
        goto done;
    }
    if (rs->status < 200 || rs->status > 299) {
        rc = 1;
    } else if (!out) {
        rc = 0;
    } else {
        *out = asl_aws_parse(m, op, rs, epoch_ms, err);
        rc = *out ? 0 : -1;
        if (rc)
            asl_net_resp_clear(rs);
    }
done:
    free(url);
    free(region);
    asl_aws_creds_clear(&own);
    return rc;
}

int asl_aws_call(const struct asl_aws_model *m, json_t *op, json_t *params, const struct asl_aws_ctx *cx,
                 const char *err_prefix, int epoch_ms, json_t **out, struct asl_net_resp *rs,
                 struct asl_err *err)
{
    struct asl_aws_request rq = {0};
    *out = NULL;
    memset(rs, 0, sizeof *rs);
    int rc = asl_aws_serialize(m, op, params, &rq, err) != 0
                 ? -1
                 : asl_aws_call_request(m, op, params, &rq, cx, err_prefix, epoch_ms, out, rs, err);
    asl_aws_request_clear(&rq);
    return rc;
}

/* The modeled error shape for a wire code: by error.code, then by name. */
const char *asl_aws_error_shape(const struct asl_aws_model *m, json_t *op, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(op, "errors"), i, e) {
        const char *name = sstr(e, "shape");
        json_t *sh = name ? json_object_get(m->shapes, name) : NULL;
        const char *c = sstr(json_object_get(sh, "error"), "code");
        if (c && !strcmp(c, code))
            return name;
    }
    json_array_foreach(json_object_get(op, "errors"), i, e) {
        const char *name = sstr(e, "shape");
        if (name && !strcmp(name, code))
            return name;
    }
    return NULL;
}

void asl_aws_error_name(const char *prefix, const char *shape, const char *unmodeled, char *out, size_t n)
{
    if (shape) {
        size_t l = strlen(shape);
        int has = l >= 9 && !strcmp(shape + l - 9, "Exception");
        snprintf(out, n, "%s.%s%s", prefix, shape, has ? "" : "Exception");
    } else {
        snprintf(out, n, "%s.%sException", prefix, unmodeled);
    }
}

void asl_aws_sdk_error(const struct asl_aws_model *m, json_t *op, const struct asl_net_resp *rs,
                       struct asl_err *err)
{
    char *code, *msg, *rid;
    asl_aws_error_fields(m, rs, &code, &msg, &rid);
    const char *shape = asl_aws_error_shape(m, op, code);
    char name[320];
    asl_aws_error_name(m->prefix, shape, m->prefix, name, sizeof name);
    const char *id2 = asl_net_resp_header(rs, "x-amz-id-2");
    char ext[300] = "";
    if (!strcmp(m->service, "s3") && id2)
        snprintf(ext, sizeof ext, ", Extended Request ID: %s", id2);
    asl_err_set(err, name, "%s (Service: %s, Status Code: %ld, Request ID: %s%s)", msg ? msg : "null",
                m->prefix, rs->status, rid ? rid : "null", ext);
    free(code);
    free(msg);
    free(rid);
}
