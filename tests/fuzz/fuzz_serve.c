/*
 * fuzz_serve.c - the API server's request handling without the network:
 * asl_serve_dispatch (runtime/serve/proto.c: body parsing, validation
 * against the model's constraints, every operation's handler over a real
 * store in a temporary folder) and the SigV4 verifier (auth.c).
 *
 * Input: the first byte picks the mode.
 *   'S' + "Header: value\n" lines, a blank line, then the body: SigV4
 *       verification of that request against one known key;
 *   anything else: byte 0 selects the operation (X-Amz-Target; some values
 *       give unknown targets), the rest is the request body.
 * Executions are created in the store but never run (no pool), and
 * GetActivityTask answers at once (poll_seconds 0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "serve/serve_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const TARGETS[] = {
    "StartExecution", "StartSyncExecution", "DescribeExecution", "GetExecutionHistory",
    "ListExecutions", "StopExecution", "RedriveExecution", "SendTaskSuccess", "SendTaskFailure",
    "SendTaskHeartbeat", "CreateActivity", "DescribeActivity", "ListActivities", "DeleteActivity",
    "GetActivityTask", "DescribeStateMachine", "DescribeStateMachineForExecution",
    "ListStateMachines", "ListStateMachineVersions", "ListStateMachineAliases",
    "ListTagsForResource", "TagResource", "UntagResource", "NoSuchOperation",
};
#define NTARGETS (sizeof TARGETS / sizeof TARGETS[0])

static const char DEFINITION[] = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
static const struct asl_machine machine = {0, 0, NULL};
static const struct asl_program program = {.source = "fuzz.json", .definition = DEFINITION,
                                           .machine = &machine, .timeout_seconds = -1};

static struct asl_serve srv;
static struct asl_serve_creds *creds;

static void init(void)
{
    if (srv.db)
        return;
    char dir[] = "/tmp/fuzz_serve.XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char path[64], msg[256];
    snprintf(path, sizeof path, "%s/store.db", dir);
    srv.prog = &program;
    srv.lim = (struct asl_serve_limits){.http_threads = 1, .workers = 1, .max_connections = 16,
                                        .max_inflight = 16, .max_pollers = 4, .max_queue = 16,
                                        .max_running = 1000, .max_request = 1 << 20, .poll_seconds = 0};
    srv.store_path = strdup(path);
    srv.sm_name = strdup("fuzz");
    srv.sm_arn = strdup("arn:aws:states:us-east-1:123456789012:stateMachine:fuzz");
    srv.region = strdup("us-east-1");
    srv.account = strdup("123456789012");
    srv.role_arn = strdup("arn:aws:iam::123456789012:role/aslc-local");
    srv.db = asl_serve_db_open(path, 0, 1, msg, sizeof msg);
    if (!srv.db) {
        fprintf(stderr, "fuzz_serve: %s\n", msg);
        abort();
    }
    char cpath[80];
    snprintf(cpath, sizeof cpath, "%s/creds", dir);
    FILE *f = fopen(cpath, "w");
    if (!f)
        abort();
    fputs("[k]\naws_access_key_id = AKIDFUZZ\naws_secret_access_key = fuzzsecret\n", f);
    fclose(f);
    creds = asl_serve_creds_load(cpath, msg, sizeof msg);
    if (!creds)
        abort();
    asl_log_set_level(ASL_LOG_ERROR);
}

static void sigv4(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *names[32], *values[32];
    size_t n = 0;
    char *p = text, *body = "";
    while (*p && n < 32) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (!*p) {
            body = nl ? nl + 1 : "";
            break;
        }
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = '\0';
            names[n] = p;
            values[n] = colon + 1;
            n++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    struct asl_serve_sigreq rq = {"POST", "/", "", n, names, values, body, strlen(body), 1700000000.0};
    struct asl_serve_err err = {0};
    asl_serve_sigv4_verify(creds, "us-east-1", &rq, &err);
    free(err.msg);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    if (size == 0)
        return 0;
    if (data[0] == 'S') {
        sigv4(data + 1, size - 1);
        return 0;
    }
    char target[80];
    snprintf(target, sizeof target, "AWSStepFunctions.%s", TARGETS[data[0] % NTARGETS]);
    struct asl_serve_call c = {0};
    int rc = asl_serve_dispatch(&srv, &c, target, (const char *)data + 1, size - 1);
    if (rc == ASL_SERVE_DONE) {
        if (!c.out && !c.err.type)
            abort();    /* every call ends with an answer */
        json_t *body = c.err.type ? asl_serve_err_body(&c.err) : json_incref(c.out);
        char *text = json_dumps(body, JSON_COMPACT);
        free(text);
        json_decref(body);
    }
    json_decref(c.in);
    json_decref(c.out);
    json_decref(c.err.extra);
    free(c.err.msg);
    return 0;
}
