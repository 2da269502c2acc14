/*
 * aws_task.c - AWS API Task resources at compile time (aws_task.h).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws_task.h"
#include "cemit.h"
#include "models.h"
#include "resource.h"

/* The optimized integrations aslc makes itself: the resource (without its
 * pattern), the aws-sdk service whose model describes the calls, and the
 * operations: the call first, then what .sync polls and what stops the job
 * when the execution is aborted (AWS's IAM templates name the same calls). */
struct optimized {
    const char *resource, *svc;
    const char *actions[4];
    const char *patterns;   /* besides request-response: s .sync, 2 .sync:2, t .waitForTaskToken */
};

static const struct optimized optimized[] = {
    {"dynamodb:getItem", "dynamodb", {"getItem"}, ""},
    {"dynamodb:putItem", "dynamodb", {"putItem"}, ""},
    {"dynamodb:updateItem", "dynamodb", {"updateItem"}, ""},
    {"dynamodb:deleteItem", "dynamodb", {"deleteItem"}, ""},
    {"sns:publish", "sns", {"publish"}, "t"},
    {"sqs:sendMessage", "sqs", {"sendMessage"}, "t"},
    {"events:putEvents", "eventbridge", {"putEvents"}, "t"},
    {"states:startExecution", "sfn", {"startExecution", "describeExecution", "stopExecution"}, "s2t"},
    {"ecs:runTask", "ecs", {"runTask", "describeTasks", "stopTask"}, "st"},
    {"batch:submitJob", "batch", {"submitJob", "describeJobs", "terminateJob"}, "s"},
    {"glue:startJobRun", "glue", {"startJobRun", "getJobRun", "batchStopJobRun"}, "s"},
    {"athena:startQueryExecution", "athena", {"startQueryExecution", "getQueryExecution", "stopQueryExecution"}, "s"},
    {"athena:stopQueryExecution", "athena", {"stopQueryExecution"}, ""},
    {"athena:getQueryExecution", "athena", {"getQueryExecution"}, ""},
    {"athena:getQueryResults", "athena", {"getQueryResults"}, ""},
    {"codebuild:startBuild", "codebuild", {"startBuild", "batchGetBuilds", "stopBuild"}, "s"},
    {"codebuild:stopBuild", "codebuild", {"stopBuild"}, ""},
    {"codebuild:batchDeleteBuilds", "codebuild", {"batchDeleteBuilds"}, ""},
    {"codebuild:batchGetReports", "codebuild", {"batchGetReports"}, ""},
    {"codebuild:startBuildBatch", "codebuild", {"startBuildBatch", "batchGetBuildBatches", "stopBuildBatch"}, "s"},
    {"codebuild:stopBuildBatch", "codebuild", {"stopBuildBatch"}, ""},
    {"codebuild:retryBuildBatch", "codebuild", {"retryBuildBatch", "batchGetBuildBatches", "stopBuildBatch"}, "s"},
    {"codebuild:retryBuild", "codebuild", {"retryBuild", "batchGetBuilds", "stopBuild"}, "s"},
    {"codebuild:deleteBuildBatch", "codebuild", {"deleteBuildBatch"}, ""},
    {"bedrock:invokeModel", "bedrockruntime", {"invokeModel"}, "t"},
    {"bedrock:createModelCustomizationJob", "bedrock",
     {"createModelCustomizationJob", "getModelCustomizationJob", "stopModelCustomizationJob"}, "s"},
};

/* The service and actions a resource calls; 0 when it is not an AWS API
 * call.  *svc and actions[] point into static data or into buf. */
static int resource_calls(const char *resource, char *buf, size_t bufn, const char **svc,
                          const char *actions[4], const char **patterns)
{
    const char *none;
    if (!patterns)
        patterns = &none;
    struct asl_resource r;
    int ok = asl_resource_parse(resource, &r) == 0 && r.kind == ASL_TASK_SERVICE && r.type && r.name;
    int found = 0;
    if (ok) {
        char *dot = strchr(r.name, '.');
        size_t an = dot ? (size_t)(dot - r.name) : strlen(r.name);
        if (strncmp(r.type, "aws-sdk:", 8) == 0) {
            snprintf(buf, bufn, "%s%c%.*s", r.type + 8, '\0', (int)an, r.name);
            *svc = buf;
            actions[0] = buf + strlen(buf) + 1;
            actions[1] = NULL;
            *patterns = "t";
            found = 1;
        } else {
            char key[256];
            snprintf(key, sizeof key, "%s:%.*s", r.type, (int)an, r.name);
            for (size_t i = 0; i < sizeof optimized / sizeof *optimized && !found; i++)
                if (strcmp(optimized[i].resource, key) == 0) {
                    *svc = optimized[i].svc;
                    memcpy(actions, optimized[i].actions, sizeof optimized[i].actions);
                    *patterns = optimized[i].patterns;
                    found = 1;
                }
        }
    }
    asl_resource_free(&r);
    return found;
}

static json_t *resource_model(const char *resource, char *why, size_t whyn, int *is_call)
{
    char buf[512];
    const char *svc = NULL, *actions[4] = {NULL};
    *is_call = resource_calls(resource, buf, sizeof buf, &svc, actions, NULL);
    if (!*is_call)
        return NULL;
    return asl_models_operations(svc, actions, why, whyn);
}

/* The integration pattern of a resource: 0 request-response, else 's'
 * (.sync), '2' (.sync:2), 't' (.waitForTaskToken). */
static char pattern_of(const char *resource)
{
    if (strstr(resource, ".waitForTaskToken"))
        return 't';
    if (strstr(resource, ".sync:2"))
        return '2';
    if (strstr(resource, ".sync"))
        return 's';
    return 0;
}

int asl_aws_task_check(const char *resource, char *why, size_t whyn)
{
    char buf[512];
    const char *svc = NULL, *actions[4] = {NULL}, *patterns = "";
    char pat = pattern_of(resource);
    if (pat && resource_calls(resource, buf, sizeof buf, &svc, actions, &patterns) && !strchr(patterns, pat)) {
        snprintf(why, whyn, "Step Functions does not support the %s pattern for this integration",
                 pat == 't' ? ".waitForTaskToken" : pat == '2' ? ".sync:2" : ".sync");
        return -1;
    }
    int is_call;
    json_t *m = resource_model(resource, why, whyn, &is_call);
    if (!is_call)
        return 0;
    if (!m)
        return -1;
    json_decref(m);
    return 1;
}

struct emitted {
    char *key;      /* the pruned model's text */
    char *name;
    struct emitted *next;
};
static struct emitted *emitted;
static int nemitted;

/* The model as C string literal pieces, one line per shape. */
static void emit_model(FILE *out, const char *name, json_t *m)
{
    fprintf(out, "/* AWS service model table: %s, operations", json_string_value(json_object_get(m, "service")));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(m, "operations"), k, v)
        fprintf(out, " %s", k);
    fprintf(out, " */\nstatic const char %s[] =\n", name);
    json_t *head = json_copy(m);
    json_object_del(head, "shapes");
    char *h = json_dumps(head, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(head);
    size_t hl = strlen(h);
    h[hl - 1] = '\0'; /* drop the closing brace */
    fputs("    ", out);
    asl_cemit_cstr(out, h);
    free(h);
    fputs("\n    ", out);
    asl_cemit_cstr(out, ",\"shapes\":{");
    int first = 1;
    json_t *shapes = json_object_get(m, "shapes");
    const char **keys = malloc((json_object_size(shapes) + 1) * sizeof *keys);
    size_t n = 0;
    json_object_foreach(shapes, k, v)
        keys[n++] = k;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        json_t *one = json_object();
        json_object_set(one, keys[i], json_object_get(shapes, keys[i]));
        char *s = json_dumps(one, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(one);
        s[strlen(s) - 1] = '\0';
        fputs("\n    ", out);
        if (!first)
            asl_cemit_cstr(out, ",");
        asl_cemit_cstr(out, s + 1);
        first = 0;
        free(s);
    }
    free(keys);
    fputs("\n    ", out);
    asl_cemit_cstr(out, "}}");
    fputs(";\n", out);
}

/* m's table (steals m), written once per distinct model; its C name. */
static char *emit_table(FILE *out, json_t *m)
{
    char *key = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    for (struct emitted *e = emitted; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            free(key);
            json_decref(m);
            return strdup(e->name);
        }
    struct emitted *e = calloc(1, sizeof *e);
    char name[32];
    snprintf(name, sizeof name, "aws_model_%d", nemitted++);
    e->key = key;
    e->name = strdup(name);
    e->next = emitted;
    emitted = e;
    emit_model(out, name, m);
    json_decref(m);
    return strdup(name);
}

char *asl_aws_task_emit(FILE *out, const char *resource)
{
    char why[1024];
    int is_call;
    json_t *m = resource_model(resource, why, sizeof why, &is_call);
    return m ? emit_table(out, m) : NULL;
}

char *asl_aws_s3_store_emit(FILE *out)
{
    static const char *const actions[] = {"listObjectsV2", "getObject", "putObject", NULL};
    char why[1024];
    json_t *m = asl_models_operations("s3", actions, why, sizeof why);
    return m ? emit_table(out, m) : NULL;
}

/* How the optimized patterns run, after the call itself. */
static const char *pattern_note(const char *resource)
{
    if (strstr(resource, ".waitForTaskToken"))
        return "; .waitForTaskToken: sends the call, then waits for send-task-success or send-task-failure "
               "(needs --store)";
    if (strstr(resource, ".sync"))
        return ".sync";
    return "";
}

char *asl_aws_task_describe(const char *resource)
{
    char why[1024], buf[512];
    const char *svc = NULL, *actions[4] = {NULL};
    if (!resource_calls(resource, buf, sizeof buf, &svc, actions, NULL))
        return NULL;
    json_t *m = asl_models_operations(svc, actions, why, sizeof why);
    if (!m)
        return strdup(why);
    json_t *meta = json_object_get(m, "metadata"), *names = json_object_get(m, "actions");
    const char *sid = json_string_value(json_object_get(meta, "serviceId"));
    const char *ep = json_string_value(json_object_get(meta, "endpointPrefix"));
    const char *signing = json_string_value(json_object_get(meta, "signingName"));
    const char *global = json_string_value(json_object_get(meta, "globalEndpoint"));
    const char *proto = json_string_value(json_object_get(meta, "protocol"));
    const char *jv = json_string_value(json_object_get(meta, "jsonVersion"));
    /* the runtime's endpoint variable: serviceId upper-cased, others '_' */
    char env[128] = "AWS_ENDPOINT_URL_";
    size_t n = strlen(env);
    for (const char *p = sid ? sid : svc; *p && n + 1 < sizeof env; p++)
        env[n++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    env[n] = '\0';
    char host[256];
    if (global)
        snprintf(host, sizeof host, "https://%s (us-east-1), else https://%s.REGION.amazonaws.com", global,
                 ep ? ep : svc);
    else
        snprintf(host, sizeof host, "https://%s.REGION.amazonaws.com", ep ? ep : svc);
    const char *note = pattern_note(resource);
    char sync[256] = "";
    if (!strcmp(note, ".sync") && actions[1]) {
        const char *poll = json_string_value(json_object_get(names, actions[1]));
        const char *stop = actions[2] ? json_string_value(json_object_get(names, actions[2])) : NULL;
        snprintf(sync, sizeof sync, "; .sync polls %s until the job ends%s%s%s", poll ? poll : actions[1],
                 stop ? " (" : "", stop ? stop : "", stop ? " if the execution is aborted)" : "");
        note = sync;
    } else if (!strcmp(note, ".sync")) {
        note = "";
    }
    const char *opname = json_string_value(json_object_get(names, actions[0]));
    char *b = NULL;
    if (asprintf(&b, "AWS API call %s %s (%s%s%s protocol, signed as %s; endpoint $%s, $AWS_ENDPOINT_URL or %s; "
                 "models: %s)%s",
                 svc, opname ? opname : actions[0], proto ? proto : "?", jv ? " " : "", jv ? jv : "",
                 signing ? signing : ep ? ep : svc, env, host,
                 json_string_value(json_object_get(m, "models")), note) < 0)
        b = NULL;
    json_decref(m);
    return b;
}
