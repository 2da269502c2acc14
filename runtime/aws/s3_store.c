/*
 * s3_store.c - a distributed Map's buckets on real S3 (map_store.h): the
 * ItemReader's ListObjectsV2 and GetObject, the ResultWriter's PutObject,
 * made from the pruned S3 model table aslc emits for programs with an
 * ItemReader or a ResultWriter (asl_program.s3).  A bucket bound to a
 * local folder (--bucket, ASLC_BUCKET_<NAME>) never comes here.
 *
 * Requests are signed and sent as every other AWS call (call.c): the
 * credential chain, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, the region of
 * the environment.
 *   listing   every page: ContinuationToken until IsTruncated is false;
 *             items {Etag, Key, LastModified (epoch seconds), Size,
 *             StorageClass}, the shape AWS's ItemReader gives
 *   reading   GetObject's bytes, kept in a temporary file so that a large
 *             object is not held in memory while it is read
 *   writing   the object is written to a temporary file, then sent with
 *             one PutObject when the stream is closed (Content-Type
 *             application/json); one PUT takes at most 5 GB, the size
 *             at which the ResultWriter starts a new file
 * Failures are the reader's or writer's error (States.ItemReaderFailed,
 * States.ResultWriterFailed) with S3's error name and cause in the cause:
 * "S3.NoSuchBucketException: The specified bucket does not exist.
 * (Service: S3, Status Code: 404, Request ID: ...)".
 */
#define _GNU_SOURCE     /* fopencookie */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "aws/aws.h"
#include "run/run.h"

static const struct asl_aws_model *model_of(const struct asl_s3_client *c, const char *action, json_t **op,
                                            const char *ename, struct asl_err *err)
{
    const struct asl_aws_model *m = c && c->model ? asl_aws_model_get(c->model) : NULL;
    *op = m ? asl_aws_model_op(m, action) : NULL;
    if (!*op) {
        asl_err_set(err, ename, "the S3 model table has no '%s' (an aslc bug)", action);
        return NULL;
    }
    return m;
}

static void ctx_of(const struct asl_exec *ex, struct asl_aws_ctx *cx)
{
    memset(cx, 0, sizeof *cx);
    cx->net.cancel = ex->cancel;
    cx->net.tag = "S3";
}

/* A failed call as the reader's or writer's error: rc 1 (S3 answered
 * with an error) carries S3's name and cause; rc -1 the call's own. */
static int call_failed(const struct asl_aws_model *m, json_t *op, int rc, struct asl_net_resp *rs,
                       struct asl_err *cerr, const char *ename, struct asl_err *err)
{
    if (rc == 1) {
        asl_aws_sdk_error(m, op, rs, cerr);
        asl_net_resp_clear(rs);
    }
    asl_err_set(err, ename, "%s: %s", cerr->name ? cerr->name : "S3.SdkClientException",
                cerr->cause ? cerr->cause : "");
    asl_err_clear(cerr);
    return -1;
}

/* One call with Step Functions' parameters; out NULL: the raw answer in rs. */
static int s3_call(const struct asl_exec *ex, const char *action, json_t *params, json_t **out,
                   struct asl_net_resp *rs, const char *ename, struct asl_err *err)
{
    json_t *op;
    const struct asl_aws_model *m = model_of(ex->prog->s3, action, &op, ename, err);
    if (!m)
        return -1;
    if (!asl_aws_net_ready())
        return asl_err_set_str(err, ename, "libcurl could not be initialised");
    struct asl_aws_ctx cx;
    ctx_of(ex, &cx);
    struct asl_aws_request rq = {0};
    struct asl_err cerr = {0};
    int rc = asl_aws_serialize(m, op, params, &rq, &cerr);
    if (rc == 0)
        rc = asl_aws_call_request(m, op, params, &rq, &cx, "S3", 1, out, rs, &cerr);
    asl_aws_request_clear(&rq);
    return rc == 0 ? 0 : call_failed(m, op, rc, rs, &cerr, ename, err);
}

/* ------------------------------------------------------------- reading */

FILE *asl_s3_get(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                 struct asl_err *err)
{
    json_t *params = json_pack("{s:s,s:s}", "Bucket", bucket, "Key", key);
    struct asl_net_resp rs;
    int rc = params ? s3_call(ex, "getObject", params, NULL, &rs, ename, err)
                    : asl_err_set_str(err, ename, "out of memory");
    json_decref(params);
    if (rc != 0)
        return NULL;
    FILE *f = tmpfile();
    if (!f || (rs.body_len && fwrite(rs.body, 1, rs.body_len, f) != rs.body_len) || fflush(f) != 0) {
        asl_err_set(err, ename, "Cannot keep s3://%s/%s in a temporary file", bucket, key);
        if (f)
            fclose(f);
        f = NULL;
    } else {
        rewind(f);
    }
    asl_net_resp_clear(&rs);
    return f;
}

/* ------------------------------------------------------------- listing */

/* A listed object as the ItemReader gives it. */
static json_t *summary_of(json_t *o)
{
    json_t *s = json_object();
    json_t *lm = json_object_get(o, "LastModified");
    json_object_set(s, "Etag", json_object_get(o, "ETag"));
    json_object_set(s, "Key", json_object_get(o, "Key"));
    if (json_is_number(lm))     /* epoch milliseconds from the parser */
        json_object_set_new(s, "LastModified", json_integer((json_int_t)floor(json_number_value(lm) / 1000)));
    json_object_set(s, "Size", json_object_get(o, "Size"));
    json_object_set(s, "StorageClass", json_object_get(o, "StorageClass"));
    /* members S3 did not send stay out (set(NULL) leaves nothing) */
    return s;
}

json_t *asl_s3_list(const struct asl_exec *ex, const char *bucket, const char *prefix, const char *ename,
                    struct asl_err *err)
{
    json_t *items = json_array();
    char *token = NULL;
    int rc = 0;
    do {
        json_t *params = json_pack("{s:s}", "Bucket", bucket);
        if (prefix && *prefix)
            json_object_set_new(params, "Prefix", json_string(prefix));
        if (token)
            json_object_set_new(params, "ContinuationToken", json_string(token));
        free(token);
        token = NULL;
        json_t *page = NULL;
        struct asl_net_resp rs;
        rc = s3_call(ex, "listObjectsV2", params, &page, &rs, ename, err);
        json_decref(params);
        if (rc != 0)
            break;
        asl_net_resp_clear(&rs);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(page, "Contents"), i, o)
            json_array_append_new(items, summary_of(o));
        const char *next = json_string_value(json_object_get(page, "NextContinuationToken"));
        if (json_is_true(json_object_get(page, "IsTruncated"))) {
            if (!next || !*next)
                rc = asl_err_set(err, ename, "S3 listed s3://%s/%s as truncated without a continuation token",
                                 bucket, prefix ? prefix : "");
            else
                token = strdup(next);
        }
        json_decref(page);
    } while (rc == 0 && token);
    free(token);
    if (rc != 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}

/* ------------------------------------------------------------- writing */

/* Why this thread's last PutObject failed: fclose() cannot carry it. */
static __thread char put_why[600];

const char *asl_s3_put_error(void)
{
    return put_why[0] ? put_why : NULL;
}

struct put {
    const struct asl_exec *ex;
    FILE *tmp;
    char *bucket, *key, *ename;
};

static ssize_t put_write(void *c, const char *buf, size_t n)
{
    struct put *p = c;
    return fwrite(buf, 1, n, p->tmp) == n ? (ssize_t)n : -1;
}

/* Sends the object; -1 when it could not be stored (why in put_why). */
static int put_send(struct put *p)
{
    long size = fflush(p->tmp) != 0 || ferror(p->tmp) ? -1 : ftell(p->tmp);
    void *map = size > 0 ? mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fileno(p->tmp), 0) : NULL;
    if (size < 0 || map == MAP_FAILED) {
        snprintf(put_why, sizeof put_why, "the temporary file failed");
        return -1;
    }
    json_t *op;
    struct asl_err err = {0}, cerr = {0};
    int rc = -1;
    const struct asl_aws_model *m = model_of(p->ex->prog->s3, "putObject", &op, p->ename, &err);
    json_t *params = json_pack("{s:s,s:s,s:s}", "Bucket", p->bucket, "Key", p->key, "ContentType",
                               "application/json");
    struct asl_aws_request rq = {0};
    if (m && !asl_aws_net_ready()) {
        asl_err_set_str(&err, p->ename, "libcurl could not be initialised");
    } else if (m && params && asl_aws_serialize(m, op, params, &rq, &cerr) == 0) {
        /* the bytes as they are, not a JSON value (what Body would give) */
        free(rq.body.p);
        rq.body = (struct asl_buf){.p = map, .len = (size_t)size, .cap = 0};
        struct asl_aws_ctx cx;
        ctx_of(p->ex, &cx);
        struct asl_net_resp rs;
        rc = asl_aws_call_request(m, op, params, &rq, &cx, "S3", 1, NULL, &rs, &cerr);
        rq.body = (struct asl_buf){0};
        if (rc == 0)
            asl_net_resp_clear(&rs);
        else
            rc = call_failed(m, op, rc, &rs, &cerr, p->ename, &err);
    } else if (m) {
        call_failed(m, op, -1, NULL, &cerr, p->ename, &err);
    }
    put_why[0] = '\0';
    if (rc != 0)
        snprintf(put_why, sizeof put_why, "%s", err.cause ? err.cause : "out of memory");
    asl_err_clear(&err);
    asl_aws_request_clear(&rq);
    json_decref(params);
    if (map)
        munmap(map, (size_t)size);
    return rc;
}

static int put_close(void *c)
{
    struct put *p = c;
    int rc = put_send(p);
    fclose(p->tmp);
    free(p->bucket);
    free(p->key);
    free(p->ename);
    free(p);
    return rc ? -1 : 0;
}

FILE *asl_s3_put(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                 struct asl_err *err)
{
    struct put *p = calloc(1, sizeof *p);
    if (p) {
        p->ex = ex;
        p->tmp = tmpfile();
        p->bucket = strdup(bucket);
        p->key = strdup(key);
        p->ename = strdup(ename);
    }
    cookie_io_functions_t io = {.write = put_write, .close = put_close};
    FILE *f = p && p->tmp && p->bucket && p->key && p->ename ? fopencookie(p, "w", io) : NULL;
    if (!f) {
        if (p) {
            if (p->tmp)
                fclose(p->tmp);
            free(p->bucket);
            free(p->key);
            free(p->ename);
            free(p);
        }
        asl_err_set(err, ename, "Cannot write s3://%s/%s: no temporary file", bucket, key);
    }
    return f;
}
