/*
 * test_lambda.c - both Lambda forms against tests/servers/lambda_api.py, a
 * local Invoke API that verifies SigV4 with known test keys.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "local_server.h"
#include "task/net.h"
#include "task/lambda.h"

/* Starts a python3 server script; returns its port (printed first). */

static const struct asl_net_opts OPTS = {.timeout_s = 30, .tag = "Test"};

static int name_is(const struct asl_err *e, const char *n)
{
    return e->name && strcmp(e->name, n) == 0;
}

static int cause_has(const struct asl_err *e, const char *s)
{
    return e->cause && strstr(e->cause, s);
}

static void set_keys(const char *id, const char *secret, const char *token)
{
    setenv("AWS_ACCESS_KEY_ID", id, 1);
    setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
    if (token)
        setenv("AWS_SESSION_TOKEN", token, 1);
    else
        unsetenv("AWS_SESSION_TOKEN");
}

static const char *ARN_ECHO = "arn:aws:lambda:us-east-1:123456789012:function:echo";

static void test_direct_ok_and_signature(void)
{
    struct asl_err err = {0};
    json_t *res = NULL;
    json_t *in = json_pack("{s:s, s:[i,i], s:n}", "Value1", "HelloWorld!", "list", 1, 2, "n");

    set_keys("AKIDTESTLAMBDA", "testsecretkey", NULL);
    CHECK(asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err) == 0);
    CHECK(res && json_equal(res, in));
    json_decref(res);
    res = NULL;
    asl_err_clear(&err);

    /* Qualified ARN: the qualifier rides in the path, signed as AWS does. */
    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:echo:prod",
                                   in, &OPTS, &res, &err) == 0);
    json_decref(res);
    res = NULL;
    asl_err_clear(&err);

    /* A wrong secret: the server's SigV4 check rejects it. */
    set_keys("AKIDTESTLAMBDA", "wrongsecret", NULL);
    CHECK(asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err) == -1);
    CHECK(res == NULL);
    CHECK(name_is(&err, "Lambda.AWSLambdaException"));
    CHECK(cause_has(&err, "Status Code: 403; Error Code: InvalidSignatureException"));
    CHECK(!cause_has(&err, "wrongsecret"));
    asl_err_clear(&err);

    /* Session credentials: accepted with the token, rejected without. */
    set_keys("ASIATESTSESSION", "sessionsecret", "TOKEN-123");
    CHECK(asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err) == 0);
    json_decref(res);
    res = NULL;
    asl_err_clear(&err);
    set_keys("ASIATESTSESSION", "sessionsecret", NULL);
    CHECK(asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err) == -1);
    CHECK(cause_has(&err, "Status Code: 403"));
    asl_err_clear(&err);
    set_keys("AKIDTESTLAMBDA", "testsecretkey", NULL);
    json_decref(in);
}

static void test_direct_errors(void)
{
    struct asl_err err = {0};
    json_t *res = NULL, *in = json_object();

    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:fail", in,
                                   &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "Exception"));
    /* The direct form keeps the payload exactly as the function returned it. */
    CHECK(err.cause && strncmp(err.cause, "{\"errorMessage\": \"Some exception was raised.\", "
                               "\"errorType\": \"Exception\"", 70) == 0);
    asl_err_clear(&err);

    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:crash", in,
                                   &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "Lambda.Unknown"));
    CHECK(cause_has(&err, "Task timed out after 3.00 seconds"));
    asl_err_clear(&err);

    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:throttle", in,
                                   &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "Lambda.TooManyRequestsException"));
    CHECK(err.cause && strcmp(err.cause, "Rate Exceeded. (Service: AWSLambda; Status Code: 429; "
                              "Error Code: TooManyRequestsException; Request ID: req-err-1; "
                              "Proxy: null)") == 0);
    asl_err_clear(&err);

    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:broken", in,
                                   &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "Lambda.ServiceException"));
    CHECK(cause_has(&err, "Status Code: 500; Error Code: ServiceException"));
    asl_err_clear(&err);

    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:nosuch", in,
                                   &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "Lambda.ResourceNotFoundException"));
    CHECK(err.cause && strcmp(err.cause,
                              "Function not found: arn:aws:lambda:us-east-1:123456789012:function:"
                              "nosuch:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: "
                              "ResourceNotFoundException; Request ID: req-err-1; Proxy: null)") == 0);
    asl_err_clear(&err);

    const char *big = "arn:aws:lambda:us-east-1:123456789012:function:big";
    CHECK(asl_lambda_invoke_direct(big, in, &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "States.DataLimitExceeded"));
    CHECK(err.cause && strcmp(err.cause, "The state/task 'arn:aws:lambda:us-east-1:123456789012:"
                              "function:big' returned a result with a size exceeding the "
                              "maximum number of bytes service limit.") == 0);
    asl_err_clear(&err);

    /* A request above the quota never leaves. */
    char *huge = malloc(ASL_PAYLOAD_MAX + 10);
    memset(huge, 'a', ASL_PAYLOAD_MAX + 9);
    huge[ASL_PAYLOAD_MAX + 9] = '\0';
    json_t *hj = json_string(huge);
    CHECK(asl_lambda_invoke_direct(ARN_ECHO, hj, &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "States.DataLimitExceeded"));
    asl_err_clear(&err);
    json_decref(hj);
    free(huge);

    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:nojson", in,
                                   &OPTS, &res, &err) == 0);
    CHECK(json_is_string(res) && strcmp(json_string_value(res), "plain words") == 0);
    json_decref(res);
    asl_err_clear(&err);
    json_decref(in);
}

static json_t *integ(json_t *params, struct asl_err *err)
{
    json_t *res = NULL;
    asl_lambda_invoke_integration(params, &OPTS, &res, err);
    json_decref(params);
    return res;
}

static void test_integration(void)
{
    struct asl_err err = {0};
    setenv("AWS_REGION", "us-east-1", 1);

    json_t *res = integ(json_pack("{s:s, s:{s:s}}", "FunctionName", "echo", "Payload", "body",
                                  "string body"), &err);
    CHECK(res != NULL);
    json_t *want = json_pack("{s:s}", "body", "string body");
    CHECK(json_equal(json_object_get(res, "Payload"), want));
    json_decref(want);
    CHECK(json_integer_value(json_object_get(res, "StatusCode")) == 200);
    CHECK(strcmp(json_string_value(json_object_get(res, "ExecutedVersion")), "$LATEST") == 0);
    json_t *md = json_object_get(res, "SdkHttpMetadata");
    CHECK(json_integer_value(json_object_get(md, "HttpStatusCode")) == 200);
    json_t *all = json_object_get(json_object_get(md, "AllHttpHeaders"), "X-Amz-Executed-Version");
    CHECK(json_is_array(all) && json_array_size(all) == 1 &&
          strcmp(json_string_value(json_array_get(all, 0)), "$LATEST") == 0);
    CHECK(json_is_string(json_object_get(json_object_get(md, "HttpHeaders"), "Content-Type")));
    CHECK(json_is_string(json_object_get(json_object_get(res, "SdkResponseMetadata"),
                                         "RequestId")));
    CHECK(json_object_get(res, "LogResult") == NULL);
    json_decref(res);
    asl_err_clear(&err);

    /* A string Payload is sent by its length: a NUL inside it used to make
     * the copy shorter than the length sent (a heap over-read under ASan).
     * The echo function answers with the 12 bytes it got (signed as sent). */
    json_t *nulp = json_pack("{s:s}", "FunctionName", "echo");
    json_object_set_new(nulp, "Payload", json_stringn("{\"a\":1}\0tail", 12));
    res = integ(nulp, &err);
    json_t *echoed = json_object_get(res, "Payload");
    CHECK(json_is_string(echoed) && json_string_length(echoed) == 12 &&
          memcmp(json_string_value(echoed), "{\"a\":1}\0tail", 12) == 0);
    json_decref(res);
    asl_err_clear(&err);

    /* Every request field reaches the API. */
    res = integ(json_pack("{s:s, s:s, s:s, s:s, s:s, s:[i]}", "FunctionName",
                          "arn:aws:lambda:eu-west-1:123456789012:function:ctx", "Qualifier", "prod",
                          "InvocationType", "RequestResponse", "LogType", "Tail", "ClientContext",
                          "eyJhIjoxfQ==", "Payload", 7), &err);
    json_t *p = json_object_get(res, "Payload");
    CHECK(p && strcmp(json_string_value(json_object_get(p, "qualifier")), "prod") == 0);
    /* libcurl < 8.8 cannot sign an ARN path for AWS: the name goes instead. */
    CHECK(p && (strcmp(json_string_value(json_object_get(p, "function")),
                       "arn:aws:lambda:eu-west-1:123456789012:function:ctx") == 0 ||
                (curl_version_info(CURLVERSION_NOW)->version_num < 0x080800 &&
                 strcmp(json_string_value(json_object_get(p, "function")), "ctx") == 0)));
    CHECK(p && strcmp(json_string_value(json_object_get(p, "log_type")), "Tail") == 0);
    CHECK(p && strcmp(json_string_value(json_object_get(p, "client_context")), "eyJhIjoxfQ==") == 0);
    CHECK(p && strcmp(json_string_value(json_object_get(p, "body")), "[7]") == 0);
    CHECK(json_is_string(json_object_get(res, "LogResult")));
    CHECK(res && strcmp(json_string_value(json_object_get(res, "ExecutedVersion")), "prod") == 0);
    json_decref(res);
    asl_err_clear(&err);

    /* A string Payload goes as its bytes (recorded: "\"HelloWorld\"" -> "HelloWorld"). */
    res = integ(json_pack("{s:s, s:s}", "FunctionName", "echo", "Payload", "\"HelloWorld\""), &err);
    CHECK(res && strcmp(json_string_value(json_object_get(res, "Payload")), "HelloWorld") == 0);
    json_decref(res);
    res = integ(json_pack("{s:s, s:s}", "FunctionName", "echo", "Payload", "0.0"), &err);
    CHECK(res && json_is_real(json_object_get(res, "Payload")));
    json_decref(res);

    res = integ(json_pack("{s:s, s:s}", "FunctionName", "echo", "InvocationType", "Event"), &err);
    CHECK(res && json_integer_value(json_object_get(res, "StatusCode")) == 202);
    CHECK(res && strcmp(json_string_value(json_object_get(res, "Payload")), "") == 0);
    json_decref(res);
    res = integ(json_pack("{s:s, s:s}", "FunctionName", "echo", "InvocationType", "DryRun"), &err);
    CHECK(res && json_integer_value(json_object_get(res, "StatusCode")) == 204);
    json_decref(res);

    /* Function error: compact Cause, key order kept (recorded). */
    res = integ(json_pack("{s:s}", "FunctionName", "fail"), &err);
    CHECK(res == NULL && name_is(&err, "Exception"));
    CHECK(err.cause && strncmp(err.cause, "{\"errorMessage\":\"Some exception was raised.\","
                               "\"errorType\":\"Exception\",\"requestId\":\"rid-1\","
                               "\"stackTrace\":[\"  File", 110) == 0);
    asl_err_clear(&err);

    res = integ(json_pack("{s:s}", "FunctionName", "big"), &err);
    CHECK(name_is(&err, "States.DataLimitExceeded"));
    CHECK(cause_has(&err, "The state/task 'lambda' returned a result with a size exceeding"));
    asl_err_clear(&err);

    res = integ(json_pack("{s:s}", "FunctionName", "throttle"), &err);
    CHECK(name_is(&err, "Lambda.TooManyRequestsException"));
    asl_err_clear(&err);

    res = integ(json_pack("{s:i}", "FunctionName", 3), &err);
    CHECK(name_is(&err, "States.Runtime"));
    asl_err_clear(&err);
    res = integ(json_pack("{s:s}", "Payload", "x"), &err);
    CHECK(name_is(&err, "States.Runtime"));
    asl_err_clear(&err);

    /* No region anywhere and a bare name: a client error. */
    unsetenv("AWS_REGION");
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    res = integ(json_pack("{s:s}", "FunctionName", "echo"), &err);
    CHECK(name_is(&err, "Lambda.SdkClientException"));
    asl_err_clear(&err);
    setenv("AWS_REGION", "us-east-1", 1);
}

struct canceller {
    struct asl_cancel *tok;
};

static void *cancel_later(void *arg)
{
    struct canceller *c = arg;
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    asl_cancel_set(c->tok, "States.BranchFailed", "sibling failed");
    return NULL;
}

static void test_timeouts_and_cancel(int port)
{
    struct asl_err err = {0};
    json_t *res = NULL, *in = json_object();
    const char *slow = "arn:aws:lambda:us-east-1:123456789012:function:slow";
    struct timespec t0, t1;

    struct asl_net_opts o = OPTS;
    o.timeout_s = 0.5;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(asl_lambda_invoke_direct(slow, in, &o, &res, &err) == -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(name_is(&err, "States.Timeout"));
    CHECK(t1.tv_sec - t0.tv_sec < 3);
    asl_err_clear(&err);

    /* The execution deadline bounds the call too. */
    struct asl_cancel *root = asl_cancel_root_new(1.0, 0.5);
    o = OPTS;
    o.cancel = root;
    CHECK(asl_lambda_invoke_direct(slow, in, &o, &res, &err) == -1);
    CHECK(name_is(&err, "States.Timeout"));
    asl_err_clear(&err);
    asl_cancel_free(root);

    /* Cancellation mid-call ends it with the token's reason. */
    root = asl_cancel_root_new(1.0, 0);
    struct canceller c = {root};
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, &c);
    o.cancel = root;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(asl_lambda_invoke_direct(slow, in, &o, &res, &err) == -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(th, NULL);
    CHECK(name_is(&err, "States.BranchFailed"));
    CHECK(t1.tv_sec - t0.tv_sec < 3);
    asl_err_clear(&err);
    asl_cancel_free(root);

    /* Nothing listening: a client error, no retry. */
    setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:1", 1);
    CHECK(asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err) == -1);
    CHECK(name_is(&err, "Lambda.SdkClientException"));
    CHECK(cause_has(&err, "Unable to execute HTTP request"));
    asl_err_clear(&err);

    /* AWS_ENDPOINT_URL is the fallback for every service. */
    unsetenv("AWS_ENDPOINT_URL_LAMBDA");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    setenv("AWS_ENDPOINT_URL", url, 1);
    CHECK(asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err) == 0);
    json_decref(res);
    asl_err_clear(&err);
    unsetenv("AWS_ENDPOINT_URL");
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    setenv("AWS_ENDPOINT_URL_LAMBDA", url, 1);
    json_decref(in);
}

/* Keys and tokens never reach a log line or a cause. */
static void test_no_secret_in_logs(void)
{
    char path[] = "/tmp/test_lambda_logXXXXXX";
    int fd = mkstemp(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    asl_log_set_level(ASL_LOG_DEBUG);

    struct asl_err err = {0};
    json_t *res = NULL, *in = json_object();
    set_keys("ASIATESTSESSION", "sessionsecret", "TOKEN-123");
    asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err);
    json_decref(res);
    res = NULL;
    asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:fail", in, &OPTS,
                             &res, &err);
    CHECK(!cause_has(&err, "sessionsecret") && !cause_has(&err, "TOKEN-123"));
    asl_err_clear(&err);
    set_keys("ASIATESTSESSION", "sessionsecret", NULL);
    asl_lambda_invoke_direct(ARN_ECHO, in, &OPTS, &res, &err);
    CHECK(!cause_has(&err, "sessionsecret"));
    asl_err_clear(&err);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    asl_log_set_level(ASL_LOG_WARN);
    char buf[65536];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    CHECK(strstr(buf, "lambda: invoke") != NULL);     /* the log did run */
    CHECK(strstr(buf, "sessionsecret") == NULL);
    CHECK(strstr(buf, "TOKEN-123") == NULL);
    set_keys("AKIDTESTLAMBDA", "testsecretkey", NULL);
    json_decref(in);
}

int main(void)
{
    if (asl_net_global_init() != 0) {
        printf("FAIL: asl_net_global_init\n");
        return 1;
    }
    int port = server_start("../servers/lambda_api.py", NULL);
    if (port <= 0) {
        printf("FAIL: lambda_api.py did not start\n");
        return 1;
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    setenv("AWS_ENDPOINT_URL_LAMBDA", url, 1);
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_PROFILE");
    setenv("AWS_REGION", "us-east-1", 1);

    test_direct_ok_and_signature();
    test_direct_errors();
    test_integration();
    test_timeouts_and_cancel(port);
    test_no_secret_in_logs();

    server_stop();
    asl_net_global_cleanup();
    return failures ? 1 : 0;
}
