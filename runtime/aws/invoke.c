/*
 * invoke.c - asl_invoke_aws: a Task whose Resource is an AWS API call.
 *
 *   aws-sdk:SERVICE:ACTION    the operation with Step Functions' PascalCase
 *                             parameters and result; errors
 *                             <Prefix>.<Shape>Exception (SDK for Java 2.x
 *                             names, integration notes section 1.7)
 *   optimized integrations    the same call plus the integration's own
 *                             rules: the SdkHttpMetadata/SdkResponseMetadata
 *                             envelope, SDK 1.x error names and causes,
 *                             EventBridge's FailedEntry, Glue's JobName,
 *                             and .sync: polling the job's Describe call
 *                             with back-off until it ends
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "run/run.h"

/* The optimized integrations: Step Functions' error prefix, the SDK 1.x
 * client name its causes quote, and whether results carry the HTTP
 * envelope (recorded for dynamodb, sns, sqs, states, ecs; AWS's docs show
 * it for the others; not on events:putEvents). */
struct opt {
    const char *type, *prefix, *client;
    int envelope;
};
static const struct opt opts[] = {
    {"dynamodb", "DynamoDB", "AmazonDynamoDBv2", 1},
    {"sns", "SNS", "AmazonSNS", 1},
    {"sqs", "SQS", "AmazonSQS", 1},
    {"events", "EventBridge", "AmazonCloudWatchEvents", 0},
    {"states", "StepFunctions", "AWSStepFunctions", 1},
    {"ecs", "ECS", "AmazonECS", 1},
    {"batch", "Batch", "AWSBatch", 1},
    {"glue", "Glue", "AWSGlue", 1},
    {"athena", "Athena", "AmazonAthena", 1},
    {"codebuild", "CodeBuild", "AWSCodeBuild", 1},
    {"bedrock", "Bedrock", "AmazonBedrockRuntime", 0},
};

static const struct opt *opt_for(const char *type)
{
    for (size_t i = 0; type && i < sizeof opts / sizeof *opts; i++)
        if (!strcmp(opts[i].type, type))
            return &opts[i];
    return NULL;
}

/* SDK 1.x style error of an optimized integration. */
static void v1_error(const struct opt *o, const struct asl_aws_model *m, json_t *op,
                     const struct asl_net_resp *rs, struct asl_err *err)
{
    char *code, *msg, *rid;
    asl_aws_error_fields(m, rs, &code, &msg, &rid);
    const char *shape = asl_aws_error_shape(m, op, code);
    char name[320];
    asl_aws_error_name(o->prefix, shape, o->client, name, sizeof name);
    asl_err_set(err, name, "%s (Service: %s; Status Code: %ld; Error Code: %s; Request ID: %s; Proxy: null)",
                msg ? msg : "null", o->client, rs->status, code, rid ? rid : "null");
    free(code);
    free(msg);
    free(rid);
}

static json_t *envelope(json_t *res, const struct asl_net_resp *rs)
{
    json_t *all = json_object(), *one = json_object(), *h;
    size_t i;
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
    const char *rid = asl_net_resp_header(rs, "x-amzn-RequestId");
    json_object_set_new(res, "SdkHttpMetadata",
                        json_pack("{s:o, s:o, s:I}", "AllHttpHeaders", all, "HttpHeaders", one,
                                  "HttpStatusCode", (json_int_t)rs->status));
    json_object_set_new(res, "SdkResponseMetadata", rid ? json_pack("{s:s}", "RequestId", rid) : json_object());
    return res;
}

struct callctx {
    struct asl_run *run;
    const struct asl_aws_model *m;
    struct asl_aws_ctx cx;
    const struct opt *o;        /* NULL: aws-sdk */
};

/* One call; on a service error, the integration's error.  keep_rs: the
 * response (headers) of a successful call for the envelope. */
static int call(struct callctx *c, const char *action, json_t *params, json_t **out, struct asl_net_resp *keep)
{
    json_t *op = asl_aws_model_op(c->m, action);
    struct asl_err err = {0};
    if (!op)
        return asl_err_set(&c->run->err, ASL_E_RUNTIME, "the service model table has no '%s' (an aslc bug)", action);
    struct asl_net_resp rs;
    const char *pfx = c->o ? c->o->prefix : c->m->prefix;
    int rc = asl_aws_call(c->m, op, params, &c->cx, pfx, c->o != NULL, out, &rs, &err);
    if (rc == 1) {
        if (c->o)
            v1_error(c->o, c->m, op, &rs, &err);
        else
            asl_aws_sdk_error(c->m, op, &rs, &err);
        asl_net_resp_clear(&rs);
        rc = -1;
    } else if (rc == 0 && keep) {
        *keep = rs;
    } else if (rc == 0) {
        asl_net_resp_clear(&rs);
    }
    if (rc != 0)
        asl_err_move(&c->run->err, &err);
    return rc;
}

/* ----------------------------------------------------------------- .sync */

struct job {
    const char *describe;       /* action */
    json_t *(*params)(json_t *start);
    json_t *(*item)(json_t *described);     /* borrowed */
    const char *status_key;     /* in the item, a dotted path */
    const char *const *done_ok;
    const char *const *done_bad;
    const char *stop;
    json_t *(*stop_params)(json_t *start);
};

static json_t *get_path(json_t *v, const char *dotted)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", dotted);
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && v; t = strtok_r(NULL, ".", &save))
        v = json_object_get(v, t);
    return v;
}

static json_t *first_of(json_t *d, const char *key)
{
    return json_array_get(json_object_get(d, key), 0);
}

static json_t *sfn_params(json_t *s) { return json_pack("{s:O}", "ExecutionArn", json_object_get(s, "ExecutionArn")); }
static json_t *sfn_item(json_t *d) { return d; }
static json_t *ecs_params(json_t *s)
{
    json_t *t = first_of(s, "Tasks");
    return json_pack("{s:O?, s:[O]}", "Cluster", json_object_get(t, "ClusterArn"), "Tasks", json_object_get(t, "TaskArn"));
}
static json_t *ecs_item(json_t *d) { return first_of(d, "Tasks"); }
static json_t *ecs_stop(json_t *s)
{
    json_t *t = first_of(s, "Tasks");
    return json_pack("{s:O?, s:O}", "Cluster", json_object_get(t, "ClusterArn"), "Task", json_object_get(t, "TaskArn"));
}
static json_t *batch_params(json_t *s) { return json_pack("{s:[O]}", "Jobs", json_object_get(s, "JobId")); }
static json_t *batch_item(json_t *d) { return first_of(d, "Jobs"); }
static json_t *batch_stop(json_t *s)
{
    return json_pack("{s:O, s:s}", "JobId", json_object_get(s, "JobId"), "Reason", "Execution was aborted by Step Functions");
}
static json_t *glue_params(json_t *s)
{
    return json_pack("{s:O, s:O}", "JobName", json_object_get(s, "JobName"), "RunId", json_object_get(s, "JobRunId"));
}
static json_t *glue_item(json_t *d) { return json_object_get(d, "JobRun"); }
static json_t *glue_stop(json_t *s)
{
    return json_pack("{s:O, s:[O]}", "JobName", json_object_get(s, "JobName"), "JobRunIds", json_object_get(s, "JobRunId"));
}
static json_t *athena_params(json_t *s) { return json_pack("{s:O}", "QueryExecutionId", json_object_get(s, "QueryExecutionId")); }
static json_t *athena_item(json_t *d) { return json_object_get(d, "QueryExecution"); }
static json_t *cb_params(json_t *s) { return json_pack("{s:[O]}", "Ids", get_path(s, "Build.Id")); }
static json_t *cb_item(json_t *d) { return first_of(d, "Builds"); }
static json_t *cb_stop(json_t *s) { return json_pack("{s:O}", "Id", get_path(s, "Build.Id")); }

static const char *const sfn_ok[] = {"SUCCEEDED", NULL};
static const char *const sfn_bad[] = {"FAILED", "TIMED_OUT", "ABORTED", NULL};
static const char *const ecs_ok[] = {"STOPPED", NULL};
static const char *const none[] = {NULL};
static const char *const batch_bad[] = {"FAILED", NULL};
static const char *const glue_bad[] = {"FAILED", "ERROR", "TIMEOUT", "STOPPED", NULL};
static const char *const athena_bad[] = {"FAILED", "CANCELLED", NULL};
static const char *const cb_bad[] = {"FAILED", "FAULT", "TIMED_OUT", "STOPPED", NULL};

static const struct job jobs[] = {
    {"describeExecution", sfn_params, sfn_item, "Status", sfn_ok, sfn_bad, "stopExecution", sfn_params},
    {"describeTasks", ecs_params, ecs_item, "LastStatus", ecs_ok, none, "stopTask", ecs_stop},
    {"describeJobs", batch_params, batch_item, "Status", sfn_ok, batch_bad, "terminateJob", batch_stop},
    {"getJobRun", glue_params, glue_item, "JobRunState", sfn_ok, glue_bad, "batchStopJobRun", glue_stop},
    {"getQueryExecution", athena_params, athena_item, "Status.State", sfn_ok, athena_bad, "stopQueryExecution",
     athena_params},
    {"batchGetBuilds", cb_params, cb_item, "BuildStatus", sfn_ok, cb_bad, "stopBuild", cb_stop},
};

static const struct job *job_for(const char *type)
{
    static const char *const types[] = {"states", "ecs", "batch", "glue", "athena", "codebuild"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!strcmp(types[i], type))
            return &jobs[i];
    return NULL;
}

static int in_list(const char *s, const char *const *l)
{
    for (; s && *l; l++)
        if (!strcmp(*l, s))
            return 1;
    return 0;
}

/* .sync: poll until the job ends; back-off 1 s doubling to 30 s (scaled
 * by --wait-scale; $ASLC_AWS_POLL_SECONDS sets the first interval).  On
 * abort (the execution's token) the job is stopped, best effort. */
static int sync_wait(struct callctx *c, const char *type, json_t *start, int sync2, json_t **result)
{
    const struct job *j = job_for(type);
    if (!j)
        return asl_err_set(&c->run->err, ASL_E_RUNTIME, "no .sync for %s", type);
    const char *pe = getenv("ASLC_AWS_POLL_SECONDS");
    double delay = pe && atof(pe) > 0 ? atof(pe) : 1.0;
    for (;;) {
        if (asl_cancel_sleep(c->run->cancel, delay) != 0) {
            if (j->stop) {
                json_t *sp = j->stop_params(start), *ignored = NULL;
                struct asl_err saved = c->run->err;
                memset(&c->run->err, 0, sizeof c->run->err);
                struct asl_aws_ctx keep = c->cx;
                c->cx.net.cancel = NULL;
                if (call(c, j->stop, sp, &ignored, NULL) != 0)
                    asl_log(ASL_LOG_WARN, c->run->state->name, "stopping the job failed: %s",
                            c->run->err.cause ? c->run->err.cause : "");
                asl_err_clear(&c->run->err);
                c->run->err = saved;
                c->cx = keep;
                json_decref(sp);
                json_decref(ignored);
            }
            return asl_cancel_err(c->run->cancel, &c->run->err);
        }
        if (delay < 30)
            delay *= 2;
        json_t *dp = j->params(start), *d = NULL;
        int rc = call(c, j->describe, dp, &d, NULL);
        json_decref(dp);
        if (rc != 0)
            return -1;
        json_t *item = j->item(d);
        const char *status = json_string_value(get_path(item, j->status_key));
        if (in_list(status, j->done_ok) || in_list(status, j->done_bad)) {
            json_t *res = json_incref(item ? item : d);
            if (!strcmp(type, "codebuild"))
                res = json_pack("{s:o}", "Build", res);
            if (!strcmp(type, "athena"))
                res = json_pack("{s:o}", "QueryExecution", res);
            json_decref(d);
            if (!strcmp(type, "states") && sync2) {
                static const char *const keys[] = {"Input", "Output"};
                for (int k = 0; k < 2; k++) {
                    const char *s = json_string_value(json_object_get(res, keys[k]));
                    json_t *p = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
                    if (p)
                        json_object_set_new(res, keys[k], p);
                }
            }
            if (in_list(status, j->done_bad)) {
                char *cause = json_dumps(res, JSON_COMPACT);
                asl_err_set_str(&c->run->err, ASL_E_TASK_FAILED, cause);
                free(cause);
                json_decref(res);
                return -1;
            }
            *result = res;
            return 0;
        }
        json_decref(d);
    }
}

/* ------------------------------------------------------------------ entry */

int asl_invoke_aws(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result)
{
    *result = NULL;
    if (!asl_aws_net_ready())
        return asl_err_set_str(&run->err, ASL_E_TASK_FAILED, "libcurl could not be initialised");
    const struct asl_aws_model *m = t->aws_model ? asl_aws_model_get(t->aws_model) : NULL;
    if (!m)
        return asl_err_set_str(&run->err, ASL_E_RUNTIME, "the task's service model table does not parse (an aslc bug)");
    struct callctx c = {.run = run, .m = m};
    c.cx.net.timeout_s = asl_cancel_remaining(run->cancel);
    c.cx.net.cancel = run->cancel;
    c.cx.net.tag = run->state->name;
    c.cx.net.role_arn = run->task_role;
    c.cx.net.role_session = run->exec->name;
    const char *type = t->resource_type ? t->resource_type : "";
    const char *name = t->resource_name ? t->resource_name : "";
    char action[128];
    snprintf(action, sizeof action, "%.*s", (int)strcspn(name, "."), name);
    int sync = strstr(name, ".sync") != NULL, sync2 = strstr(name, ".sync:2") != NULL;
    int sdk = !strncmp(type, "aws-sdk:", 8);
    if (!sdk)
        c.o = opt_for(type);
    if (!sdk && !c.o)
        return asl_err_set(&run->err, ASL_E_RUNTIME, "the integration %s is not run by aslc", type);

    json_t *p = json_incref(params);
    if (!strcmp(type, "events") && !strcmp(action, "putEvents")) {
        /* Step Functions adds the execution and the state machine to each
         * entry's Resources. */
        json_decref(p);
        p = json_deep_copy(params);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(p, "Entries"), i, e) {
            json_t *r = json_object_get(e, "Resources");
            if (!json_is_array(r)) {
                r = json_array();
                json_object_set_new(e, "Resources", r);
            }
            json_array_append_new(r, json_string(run->exec->exec_arn));
            json_array_append_new(r, json_string(run->exec->sm_arn));
        }
    }
    struct asl_net_resp rs = {0};
    json_t *out = NULL;
    int rc = call(&c, action, p, &out, &rs);
    if (rc == 0 && c.o) {
        if (!strcmp(type, "events")) {
            json_int_t failed = json_integer_value(json_object_get(out, "FailedEntryCount"));
            if (failed > 0) {
                char *cause = json_dumps(out, JSON_COMPACT);
                asl_err_set_str(&run->err, "EventBridge.FailedEntry", cause);
                free(cause);
                rc = -1;
            }
        } else if (!strcmp(type, "glue") && json_object_get(p, "JobName")) {
            json_object_set(out, "JobName", json_object_get(p, "JobName"));
        } else if (!strcmp(type, "ecs") && (sync || t->wait_for_token) &&
                   json_array_size(json_object_get(out, "Failures")) > 0) {
            char *cause = json_dumps(out, JSON_COMPACT);
            asl_err_set_str(&run->err, "AmazonECS.Unknown", cause);
            free(cause);
            rc = -1;
        }
        if (rc == 0 && sync) {
            json_t *fin = NULL;
            rc = sync_wait(&c, type, out, sync2, &fin);
            json_decref(out);
            out = fin;
        } else if (rc == 0 && c.o->envelope) {
            out = envelope(out, &rs);
        }
    }
    asl_net_resp_clear(&rs);
    json_decref(p);
    if (rc != 0) {
        json_decref(out);
        return -1;
    }
    *result = out;
    return 0;
}
