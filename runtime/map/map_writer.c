/*
 * map_writer.c - ResultWriter (see map_writer.h).  Records are written as
 * children finish, in finishing order, so memory stays bounded by the
 * children in flight, never by the item count.  Layout and the result
 * object follow AWS's: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map/map_writer.h"
#include "run/run.h"
#include "store/durable.h"
#include "io/io.h"
#include "base/json.h"
#include "map/map_reader.h"
#include "map/map_store.h"

#define E_WRITER ASL_E_RESULT_WRITER

char *asl_map_writer_run_arn(const struct asl_exec *ex, const char *label, char *id, size_t idlen)
{
    unsigned char b[16] = {0};
    if (asl_dur_random_here(b, sizeof b) != 0)
        memset(b, 0x5a, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(id, idlen, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    /* sm_arn is arn:aws:states:REGION:ACCOUNT:stateMachine:NAME */
    const char *sm = ex->sm_arn ? ex->sm_arn : "arn:aws:states:us-east-1:123456789012:stateMachine:machine";
    const char *tail = strstr(sm, ":stateMachine:");
    int head = tail ? (int)(tail - sm) : (int)strlen(sm);
    const char *name = tail ? tail + strlen(":stateMachine:") : "machine";
    size_t n = strlen(sm) + strlen(label) + strlen(id) + 16;
    char *arn = malloc(n);
    if (arn)
        snprintf(arn, n, "%.*s:mapRun:%s/%s:%s", head, sm, name, label, id);
    return arn;
}

static char *dump(json_t *v)
{
    return v ? asl_json_text(v) : NULL;
}

json_t *asl_map_writer_record(const struct asl_exec *ex, const struct asl_map_child *c)
{
    /* Children are named after the Map Run: its id's first four groups and
     * the item index as the last, so names sort in item order. */
    const char *arn = c->map_run_arn;
    const char *last = strrchr(arn, ':');
    size_t base = last ? (size_t)(last - arn) : strlen(arn);
    const char *id = last ? last + 1 : "";
    char name[64];
    snprintf(name, sizeof name, "%.24s%012zx", id, c->index);
    const char *mr = strstr(arn, ":mapRun:");
    size_t pre = mr ? (size_t)(mr - arn) : 0;
    const char *mid = mr ? mr + strlen(":mapRun:") : arn;
    /* execution ARN: <arn prefix>:execution:<machine>/<label>:<name> */
    size_t n = base + 64 + strlen(name);
    char *exec_arn = malloc(n), *sm_arn = malloc(n);
    if (!exec_arn || !sm_arn) {
        free(exec_arn);
        free(sm_arn);
        return NULL;
    }
    snprintf(exec_arn, n, "%.*s:execution:%.*s:%s", (int)pre, arn, (int)(base - (size_t)(mid - arn)), mid, name);
    snprintf(sm_arn, n, "%.*s:stateMachine:%.*s", (int)pre, arn, (int)(base - (size_t)(mid - arn)), mid);
    (void)ex;
    char *in = dump(c->input);
    json_t *r = json_object();
    json_object_set_new(r, "ExecutionArn", json_string(exec_arn));
    json_object_set_new(r, "Input", json_string(in ? in : "null"));
    json_object_set_new(r, "InputDetails", json_pack("{s:b}", "Included", 1));
    json_object_set_new(r, "Name", json_string(name));
    if (c->err) {
        json_object_set_new(r, "Error", c->err->name ? json_string(c->err->name) : json_null());
        json_object_set_new(r, "Cause", c->err->cause ? json_string(c->err->cause) : json_null());
    } else {
        char *out = dump(c->output);
        json_object_set_new(r, "Output", json_string(out ? out : "null"));
        json_object_set_new(r, "OutputDetails", json_pack("{s:b}", "Included", 1));
        free(out);
    }
    json_object_set_new(r, "RedriveCount", json_integer(0));
    json_object_set_new(r, "RedriveStatus", json_string(c->err ? "REDRIVABLE" : "NOT_REDRIVABLE"));
    if (!c->err)
        json_object_set_new(r, "RedriveStatusReason", json_string("Execution is SUCCEEDED and cannot be redriven"));
    json_object_set_new(r, "StartDate", json_string(c->start));
    json_object_set_new(r, "StateMachineArn", json_string(sm_arn));
    json_object_set_new(r, "Status", json_string(c->err ? "FAILED" : "SUCCEEDED"));
    json_object_set_new(r, "StopDate", json_string(c->stop));
    free(in);
    free(exec_arn);
    free(sm_arn);
    return r;
}

/* ------------------------------------------------------------ the files */

/* One status's files: SUCCEEDED_0.json, SUCCEEDED_1.json, ... */
struct series {
    const char *status;
    FILE *f;
    long long size;             /* bytes in the open file */
    size_t count;               /* records in the open file */
    int seq;                    /* number of the open file */
    json_t *done;               /* [{Key, Size}] of the files written */
};

struct asl_map_writer {
    const struct asl_exec *ex;
    const struct asl_result_writer *cfg;
    pthread_mutex_t mu;
    char *bucket, *dir_key;     /* dir_key: "<Prefix>/<MapRunId>" */
    char *map_run_arn;
    struct series ok, failed;
    int broken;                 /* a write failed: later puts fail at once, */
    struct asl_err broken_err;  /* with the same error (whichever thread reports first) */
};

static char *key_of(const struct asl_map_writer *w, const char *name)
{
    size_t n = strlen(w->dir_key) + strlen(name) + 2;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s/%s", w->dir_key, name);
    return k;
}

static int series_close(struct asl_map_writer *w, struct series *s, struct asl_err *err)
{
    if (!s->f)
        return 0;
    if (!w->cfg->output_jsonl) {
        fputs(s->count ? "\n]\n" : "]\n", s->f);
        s->size += s->count ? 3 : 2;
    }
    int bad = ferror(s->f);
    bad |= fclose(s->f) != 0;
    const char *why = bad ? asl_map_store_put_error(w->ex, w->bucket) : NULL;
    s->f = NULL;
    char name[64];
    snprintf(name, sizeof name, "%s_%d.json", s->status, s->seq++);
    char *key = key_of(w, name);
    json_array_append_new(s->done, json_pack("{s:s,s:I}", "Key", key ? key : name, "Size", (json_int_t)s->size));
    free(key);
    if (bad)
        return asl_err_set(err, E_WRITER, "Cannot write the result file %s to s3://%s/%s: %s", name, w->bucket,
                           w->dir_key, why);
    return 0;
}

static int series_write(struct asl_map_writer *w, struct series *s, json_t *v, struct asl_err *err)
{
    char *text = dump(v);
    if (!text)
        return asl_err_set_str(err, E_WRITER, "out of memory");
    size_t len = strlen(text);
    if (s->f && s->count && s->size + (long long)len > ASL_RW_FILE_MAX && series_close(w, s, err) != 0) {
        free(text);
        return -1;
    }
    if (!s->f) {
        char name[64];
        snprintf(name, sizeof name, "%s_%d.json", s->status, s->seq);
        char *key = key_of(w, name);
        s->f = key ? asl_map_store_put(w->ex, w->bucket, key, E_WRITER, err) : NULL;
        free(key);
        if (!s->f) {
            free(text);
            return -1;
        }
        s->size = 0;
        s->count = 0;
        if (!w->cfg->output_jsonl) {
            fputs("[\n", s->f);
            s->size = 2;
        }
    }
    const char *sep = w->cfg->output_jsonl ? "" : s->count ? ",\n" : "";
    fputs(sep, s->f);
    fputs(text, s->f);
    s->size += (long long)(strlen(sep) + len);
    if (w->cfg->output_jsonl) {
        fputc('\n', s->f);
        s->size++;
    }
    s->count++;
    free(text);
    if (ferror(s->f))
        return asl_err_set(err, E_WRITER, "Cannot write a result file to s3://%s/%s", w->bucket, w->dir_key);
    return 0;
}

int asl_map_writer_open(struct asl_run *run, const struct asl_map *m, json_t *eff,
                        const char *map_run_arn, const char *map_run_id, struct asl_map_writer **out)
{
    const struct asl_result_writer *cfg = m->writer;
    json_t *params = NULL;
    if (asl_map_params_eval(run, m, cfg->parameters, eff, &params) != 0)
        return -1;
    const char *bucket = json_string_value(json_object_get(params, "Bucket"));
    const char *prefix = json_string_value(json_object_get(params, "Prefix"));
    if (!bucket) {
        json_decref(params);
        return asl_err_set_str(&run->err, E_WRITER, "The ResultWriter's Parameters need a string Bucket");
    }
    if (!prefix)
        prefix = "";
    struct asl_map_writer *w = calloc(1, sizeof *w);
    if (!w) {
        json_decref(params);
        return asl_err_set_str(&run->err, E_WRITER, "out of memory");
    }
    w->ex = run->exec;
    w->cfg = cfg;
    pthread_mutex_init(&w->mu, NULL);
    w->bucket = strdup(bucket);
    size_t plen = strlen(prefix);
    while (plen && prefix[plen - 1] == '/')
        plen--;
    size_t n = plen + strlen(map_run_id) + 2;
    w->dir_key = malloc(n);
    if (w->dir_key)
        snprintf(w->dir_key, n, "%.*s%s%s", (int)plen, prefix, plen ? "/" : "", map_run_id);
    w->map_run_arn = strdup(map_run_arn);
    w->ok = (struct series){.status = "SUCCEEDED", .done = json_array()};
    w->failed = (struct series){.status = "FAILED", .done = json_array()};
    json_decref(params);
    *out = w;
    return 0;
}

int asl_map_writer_put(struct asl_map_writer *w, const struct asl_map_child *c, struct asl_err *err)
{
    int rc = 0;
    json_t *rec = NULL;
    enum asl_writer_transform t = w->cfg->transform;
    /* NONE (the default with a bucket) writes the whole record; COMPACT
     * and FLATTEN only the output.  A failed child keeps its record. */
    if (c->err || t == ASL_WT_NONE || t == ASL_WT_DEFAULT)
        rec = asl_map_writer_record(w->ex, c);
    pthread_mutex_lock(&w->mu);
    if (w->broken) {
        rc = asl_err_set_str(err, w->broken_err.name ? w->broken_err.name : E_WRITER,
                             w->broken_err.cause ? w->broken_err.cause
                                                 : "An earlier result could not be written");
    } else if (c->err) {
        rc = series_write(w, &w->failed, rec, err);
    } else if (rec) {
        rc = series_write(w, &w->ok, rec, err);
    } else if (t == ASL_WT_FLATTEN && json_is_array(c->output)) {
        for (size_t i = 0; rc == 0 && i < json_array_size(c->output); i++)
            rc = series_write(w, &w->ok, json_array_get(c->output, i), err);
    } else {
        rc = series_write(w, &w->ok, c->output, err);
    }
    if (rc != 0 && !w->broken) {
        w->broken = 1;
        asl_err_set_str(&w->broken_err, err->name, err->cause);
    }
    pthread_mutex_unlock(&w->mu);
    json_decref(rec);
    return rc;
}

int asl_map_writer_close(struct asl_map_writer *w, json_t **result, struct asl_err *err)
{
    if (series_close(w, &w->ok, err) != 0 || series_close(w, &w->failed, err) != 0)
        return -1;
    json_t *manifest = json_pack("{s:s,s:s,s:{s:O,s:[],s:O}}", "DestinationBucket", w->bucket, "MapRunArn",
                                 w->map_run_arn, "ResultFiles", "FAILED", w->failed.done, "PENDING",
                                 "SUCCEEDED", w->ok.done);
    char *key = key_of(w, "manifest.json");
    FILE *f = key ? asl_map_store_put(w->ex, w->bucket, key, E_WRITER, err) : NULL;
    int rc = -1;
    if (f) {
        int bad = json_dumpf(manifest, f, JSON_INDENT(2)) != 0;
        bad |= fclose(f) != 0;
        if (bad) {
            asl_err_set(err, E_WRITER, "Cannot write s3://%s/%s: %s", w->bucket, key,
                        asl_map_store_put_error(w->ex, w->bucket));
        } else {
            *result = json_pack("{s:s,s:{s:s,s:s}}", "MapRunArn", w->map_run_arn, "ResultWriterDetails",
                                "Bucket", w->bucket, "Key", key);
            rc = 0;
        }
    }
    free(key);
    json_decref(manifest);
    return rc;
}

void asl_map_writer_free(struct asl_map_writer *w)
{
    if (!w)
        return;
    if (w->ok.f)
        fclose(w->ok.f);
    if (w->failed.f)
        fclose(w->failed.f);
    json_decref(w->ok.done);
    json_decref(w->failed.done);
    pthread_mutex_destroy(&w->mu);
    asl_err_clear(&w->broken_err);
    free(w->bucket);
    free(w->dir_key);
    free(w->map_run_arn);
    free(w);
}
