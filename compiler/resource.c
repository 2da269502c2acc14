/*
 * resource.c - Task Resource classification (see resource.h).
 */
#include <stdlib.h>
#include <string.h>

#include "resource.h"

char **asl_split_words(const char *s)
{
    size_t n = 0;
    char **w = calloc(strlen(s) / 2 + 2, sizeof *w);
    if (!w)
        abort();
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *b = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        w[n++] = strndup(b, (size_t)(s - b));
    }
    if (!n) {
        free(w);
        return NULL;
    }
    return w;
}

void asl_free_words(char **w)
{
    for (size_t i = 0; w && w[i]; i++)
        free(w[i]);
    free(w);
}

/* Split "arn:PART:SERVICE:REGION:ACCOUNT:REST" into its six parts. */
static int arn_parts(const char *arn, char parts[6][256])
{
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        const char *c = strchr(p, ':');
        if (!c || (size_t)(c - p) >= 256)
            return -1;
        memcpy(parts[i], p, (size_t)(c - p));
        parts[i][c - p] = '\0';
        p = c + 1;
    }
    if (strlen(p) >= 256 || !*p)
        return -1;
    strcpy(parts[5], p);
    return strcmp(parts[0], "arn") == 0 ? 0 : -1;
}

/* The optimized integrations (AWS developer guide, "Integrating optimized
 * services"): service, then its actions.  aws-sdk: takes any action. */
static const char *const optimized[] = {
    "lambda", "invoke", NULL,
    "batch", "submitJob", NULL,
    "dynamodb", "getItem", "putItem", "updateItem", "deleteItem", NULL,
    "ecs", "runTask", NULL,
    "eks", "createCluster", "deleteCluster", "createFargateProfile", "deleteFargateProfile",
        "createNodegroup", "deleteNodegroup", "runJob", "call", NULL,
    "elasticmapreduce", "createCluster", "setClusterTerminationProtection", "terminateCluster",
        "addStep", "cancelStep", "modifyInstanceFleetByName", "modifyInstanceGroupByName", NULL,
    "emr-containers", "createVirtualCluster", "deleteVirtualCluster", "startJobRun", NULL,
    "emr-serverless", "createApplication", "startApplication", "stopApplication",
        "deleteApplication", "startJobRun", "cancelJobRun", NULL,
    "events", "putEvents", NULL,
    "glue", "startJobRun", NULL,
    "databrew", "startJobRun", NULL,
    "athena", "startQueryExecution", "stopQueryExecution", "getQueryExecution", "getQueryResults", NULL,
    "sagemaker", "createTrainingJob", "createTransformJob", "createEndpoint", "createEndpointConfig",
        "createModel", "createHyperParameterTuningJob", "createLabelingJob", "createProcessingJob",
        "updateEndpoint", NULL,
    "sns", "publish", NULL,
    "sqs", "sendMessage", NULL,
    "states", "startExecution", NULL,
    "codebuild", "startBuild", "stopBuild", "batchDeleteBuilds", "batchGetReports",
        "startBuildBatch", "stopBuildBatch", "retryBuildBatch", "retryBuild", NULL,
    "apigateway", "invoke", NULL,
    "http", "invoke", NULL,
    "bedrock", "invokeModel", "createModelCustomizationJob", NULL,
    "bedrockagentcore", "invokeHarness", NULL,
    "mediaconvert", "createJob", NULL,
    NULL,
};

static int integration_known(const char *service, const char *action)
{
    static const char *const patterns[] = {"", ".sync", ".sync:2", ".waitForTaskToken", NULL};
    for (const char *const *p = optimized; *p; p++) {
        int this_service = strcmp(*p, service) == 0;
        for (p++; *p; p++) {
            if (!this_service)
                continue;
            size_t al = strlen(*p);
            if (strncmp(action, *p, al) != 0)
                continue;
            for (const char *const *pat = patterns; *pat; pat++)
                if (strcmp(action + al, *pat) == 0)
                    return 1;
        }
    }
    return 0;
}

static int partition_ok(const char *p)
{
    return !strcmp(p, "aws") || !strcmp(p, "aws-cn") || !strcmp(p, "aws-us-gov");
}

/* A region such as us-east-1, us-gov-west-1, cn-north-1, eu-central-2. */
static int region_ok(const char *s)
{
    const char *p = s;
    int groups = 0;
    for (;;) {
        const char *b = p;
        while (*p >= 'a' && *p <= 'z')
            p++;
        if (p == b)
            break;
        groups++;
        if (*p != '-')
            return 0;
        p++;
    }
    if (groups < 2 || !(*p >= '0' && *p <= '9'))
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == '\0';
}

static int account_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return 0;
    return n == 12;
}

static int lambda_word(const char *b, const char *e, size_t max)
{
    if (b >= e || (size_t)(e - b) > max)
        return 0;
    for (const char *p = b; p < e; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* function:NAME[:QUALIFIER] after arn:PART:lambda:REGION:ACCOUNT: -- Lambda's
 * FunctionName pattern (Lambda API reference, Invoke): a name of letters,
 * digits, '-' and '_' (1-64), and a qualifier that is $LATEST or a version
 * or alias of the same characters (1-128).  A trailing ':' is an empty
 * qualifier, which AWS rejects as an invalid resource. */
static int lambda_function_ok(const char *region, const char *account, const char *fn)
{
    /* Region and account must be there; their spelling is not checked here
     * because recorded definitions carry placeholders (test_aws_account_id). */
    if (!region[0] || !account[0])
        return 0;
    const char *colon = strchr(fn, ':');
    const char *end = fn + strlen(fn);
    if (!lambda_word(fn, colon ? colon : end, 64))
        return 0;
    if (!colon)
        return 1;
    const char *q = colon + 1;
    return strcmp(q, "$LATEST") == 0 || lambda_word(q, end, 128);
}

int asl_resource_parse(const char *resource, struct asl_resource *r)
{
    memset(r, 0, sizeof *r);
    r->kind = ASL_TASK_OTHER;
    if (strncmp(resource, ASLC_EXEC_PREFIX, strlen(ASLC_EXEC_PREFIX)) == 0) {
        r->kind = ASL_TASK_PROGRAM;
        r->argv = asl_split_words(resource + strlen(ASLC_EXEC_PREFIX));
        r->invoker = "asl_invoke_program";
        r->type = strdup("aslc");
        r->name = strdup("exec");
        return r->argv ? 0 : -1;
    }
    char parts[6][256];
    if (arn_parts(resource, parts) != 0 || !partition_ok(parts[1]))
        return -1;
    if (strcmp(parts[2], "lambda") == 0 && strncmp(parts[5], "function:", 9) == 0) {
        if (!lambda_function_ok(parts[3], parts[4], parts[5] + 9))
            return -1;
        r->kind = ASL_TASK_LAMBDA;
        r->invoker = "asl_invoke_lambda";
        return 0;
    }
    if (strcmp(parts[2], "states") != 0)
        return -1;
    if (strncmp(parts[5], "activity:", 9) == 0 && parts[3][0] && parts[4][0]) {
        r->kind = ASL_TASK_ACTIVITY;
        return 0;
    }
    /* arn:aws:states:::SERVICE:ACTION[.pattern] (aws-sdk:SERVICE:ACTION too).
     * Published AWS samples also spell the region and account out
     * (arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject) and
     * deploy; the empty form is what the developer guide writes.  Each of
     * the two is either empty or well formed. */
    if ((parts[3][0] && !region_ok(parts[3])) || (parts[4][0] && !account_ok(parts[4])))
        return -1;
    char *rest = parts[5];
    char *colon = strchr(rest, ':');
    if (!colon)
        return -1;
    r->kind = ASL_TASK_SERVICE;
    if (strncmp(rest, "aws-sdk:", 8) == 0) {
        char *c2 = strchr(rest + 8, ':');
        if (!c2)
            return -1;
        r->type = strndup(rest, (size_t)(c2 - rest));
        r->name = strdup(c2 + 1);
    } else {
        r->type = strndup(rest, (size_t)(colon - rest));
        r->name = strdup(colon + 1);
    }
    r->wait_for_token = strstr(r->name, ".waitForTaskToken") != NULL;
    if (strncmp(rest, "aws-sdk:", 8) != 0 && !integration_known(r->type, r->name))
        return -1;
    if (strcmp(rest, "lambda:invoke") == 0)
        r->invoker = "asl_invoke_lambda_api";
    else if (strcmp(rest, "http:invoke") == 0)
        r->invoker = "asl_invoke_http";
    return 0;
}

const char *asl_resource_problem(const char *resource)
{
    struct asl_resource r;
    int rc = asl_resource_parse(resource, &r);
    asl_resource_free(&r);
    if (rc == 0)
        return NULL;
    if (strncmp(resource, ASLC_EXEC_PREFIX, strlen(ASLC_EXEC_PREFIX)) == 0)
        return "aslc:exec: needs a program to run";
    return "The value is not a valid resource ARN, or the resource is not available in this region.";
}

void asl_resource_free(struct asl_resource *r)
{
    free(r->type);
    free(r->name);
    asl_free_words(r->argv);
    memset(r, 0, sizeof *r);
}

int asl_binding_matches(const char *binding, const char *resource)
{
    size_t rl = (size_t)(strchr(binding, '=') - binding);
    int star = rl && binding[rl - 1] == '*';
    return (!star && strlen(resource) == rl && strncmp(binding, resource, rl) == 0) ||
           (star && strncmp(binding, resource, rl - 1) == 0);
}
