/*
 * test_http.c - the HTTP Task against tests/servers/http_echo.py on 127.0.0.1.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "local_server.h"
#include "task/net.h"
#include "task/http.h"

#define SECRET "Sup3r-S3cret-Value"

static char base[64];

static struct asl_net_opts OPTS = {.timeout_s = 30, .tag = "Http"};

static const char *url(const char *path)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s%s", base, path);
    return buf;
}

static int name_is(const struct asl_err *e, const char *n)
{
    return e->name && strcmp(e->name, n) == 0;
}

/* Runs the task with params (stolen); returns the result or NULL. */
static json_t *run(json_t *params, struct asl_err *err)
{
    json_t *res = NULL;
    asl_err_clear(err);
    asl_http_invoke(params, &OPTS, &res, err);
    json_decref(params);
    return res;
}

static const char *s_at(json_t *v, const char *k)
{
    const char *s = json_string_value(json_object_get(v, k));
    return s ? s : "";
}

static json_t *echoed(json_t *res)
{
    return json_object_get(res, "ResponseBody");
}

static void test_get_and_shape(void)
{
    struct asl_err err = {0};
    json_t *res = run(json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:[s,s], s:i}}", "ApiEndpoint",
                                url("/echo"), "Method", "GET", "Headers", "X-Custom", "yes",
                                "QueryParameters", "a", "1 2", "list", "x", "y", "n", 5),
                      &err);
    CHECK(res != NULL);
    CHECK(json_integer_value(json_object_get(res, "StatusCode")) == 200);
    CHECK(strcmp(s_at(res, "StatusText"), "OK") == 0);
    json_t *ct = json_object_get(json_object_get(res, "Headers"), "content-type");
    CHECK(json_is_array(ct) && strcmp(json_string_value(json_array_get(ct, 0)),
                                      "application/json") == 0);
    json_t *e = echoed(res);
    CHECK(json_is_object(e));
    CHECK(strcmp(s_at(e, "method"), "GET") == 0);
    CHECK(strcmp(s_at(e, "query"), "a=1%202&list=x&list=y&n=5") == 0);
    json_t *h = json_object_get(e, "headers");
    CHECK(strcmp(s_at(h, "x-custom"), "yes") == 0);
    CHECK(strcmp(s_at(h, "user-agent"), "Amazon|StepFunctions|HttpInvoke|us-east-1") == 0);
    CHECK(strcmp(s_at(h, "range"), "bytes=0-262144") == 0);
    CHECK(json_object_get(h, "authorization") == NULL);
    json_decref(res);

    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/multi"), "Method", "GET"), &err);
    json_t *sc = json_object_get(json_object_get(res, "Headers"), "set-cookie");
    CHECK(json_array_size(sc) == 2 && strcmp(json_string_value(json_array_get(sc, 1)), "b=2") == 0);
    json_decref(res);

    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/text"), "Method", "GET"), &err);
    CHECK(strcmp(s_at(res, "ResponseBody"), "hello world") == 0);
    json_decref(res);
    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/badjson"), "Method", "GET"), &err);
    CHECK(strcmp(s_at(res, "ResponseBody"), "{not json") == 0);
    json_decref(res);
    asl_err_clear(&err);
}

static void test_methods_and_bodies(void)
{
    struct asl_err err = {0};
    static const char *const ms[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
        json_t *res = run(json_pack("{s:s, s:s, s:{s:s, s:[i]}}", "ApiEndpoint", url("/echo"),
                                    "Method", ms[i], "RequestBody", "k", "v", "n", 1), &err);
        json_t *e = echoed(res);
        CHECK(strcmp(s_at(e, "method"), ms[i]) == 0);
        CHECK(strcmp(s_at(e, "body"), "{\"k\":\"v\",\"n\":[1]}") == 0);
        CHECK(strcmp(s_at(json_object_get(e, "headers"), "content-type"),
                     "application/json; charset=UTF-8") == 0);
        json_decref(res);
    }
    json_t *res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/echo"), "Method", "HEAD"), &err);
    CHECK(res && json_integer_value(json_object_get(res, "StatusCode")) == 200);
    json_decref(res);

    /* A string body goes as is; the caller's Content-Type wins. */
    res = run(json_pack("{s:s, s:s, s:s, s:{s:s}}", "ApiEndpoint", url("/echo"), "Method", "POST",
                        "RequestBody", "raw text", "Headers", "Content-Type", "text/plain"), &err);
    CHECK(strcmp(s_at(echoed(res), "body"), "raw text") == 0);
    CHECK(strcmp(s_at(json_object_get(echoed(res), "headers"), "content-type"), "text/plain") == 0);
    json_decref(res);

    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/echo"), "Method", "TRACE"), &err);
    CHECK(res == NULL && name_is(&err, "States.Runtime"));
    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", "ftp://x/", "Method", "GET"), &err);
    CHECK(res == NULL && name_is(&err, "States.Runtime"));
    asl_err_clear(&err);
}

static void check_form(const char *fmt, const char *want)
{
    struct asl_err err = {0};
    json_t *tr = fmt ? json_pack("{s:s, s:{s:s}}", "RequestBodyEncoding", "URL_ENCODED",
                                 "RequestEncodingOptions", "ArrayFormat", fmt)
                     : json_pack("{s:s}", "RequestBodyEncoding", "URL_ENCODED");
    json_t *res = run(json_pack("{s:s, s:s, s:{s:[s,s], s:s, s:{s:s}}, s:o}", "ApiEndpoint",
                                url("/echo"), "Method", "POST", "RequestBody", "a", "x", "y z",
                                "b", "c&d", "o", "k", "v", "Transform", tr), &err);
    const char *got = s_at(echoed(res), "body");
    if (strcmp(got, want) != 0)
        printf("FAIL form %s: got %s want %s\n", fmt ? fmt : "(default)", got, want), failures++;
    CHECK(strcmp(s_at(json_object_get(echoed(res), "headers"), "content-type"),
                 "application/x-www-form-urlencoded") == 0);
    json_decref(res);
    asl_err_clear(&err);
}

static void test_url_encoding(void)
{
    check_form(NULL, "a[0]=x&a[1]=y%20z&b=c%26d&o[k]=v");
    check_form("INDICES", "a[0]=x&a[1]=y%20z&b=c%26d&o[k]=v");
    check_form("REPEAT", "a=x&a=y%20z&b=c%26d&o[k]=v");
    check_form("COMMAS", "a=x,y%20z&b=c%26d&o[k]=v");
    check_form("BRACKETS", "a[]=x&a[]=y%20z&b=c%26d&o[k]=v");
    struct asl_err err = {0};
    json_t *res = run(json_pack("{s:s, s:s, s:{}, s:{s:s, s:{s:s}}}", "ApiEndpoint", url("/echo"),
                                "Method", "POST", "RequestBody", "Transform",
                                "RequestBodyEncoding", "URL_ENCODED", "RequestEncodingOptions",
                                "ArrayFormat", "SEMICOLONS"), &err);
    CHECK(res == NULL && name_is(&err, "States.Runtime"));
    asl_err_clear(&err);
}

static void test_forbidden_headers(void)
{
    struct asl_err err = {0};
    json_t *res = run(json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "ApiEndpoint", url("/echo"),
                                "Method", "GET", "Headers", "Authorization", "x", "Host", "h",
                                "Ok-Header", "1"), &err);
    CHECK(res == NULL && name_is(&err, "States.Runtime"));
    CHECK(err.cause && strcmp(err.cause, "The 'Headers' field contains unsupported values: "
                              "[authorization, host]") == 0);
    res = run(json_pack("{s:s, s:s, s:{s:s}}", "ApiEndpoint", url("/echo"), "Method", "GET",
                        "Headers", "X-Amz-Target", "x"), &err);
    CHECK(res == NULL && name_is(&err, "States.Runtime"));
    res = run(json_pack("{s:s, s:s, s:{s:s}}", "ApiEndpoint", url("/echo"), "Method", "GET",
                        "Headers", "X-Forwarded-For", "x"), &err);
    CHECK(res == NULL && name_is(&err, "States.Runtime"));
    res = run(json_pack("{s:s, s:s, s:{s:s}}", "ApiEndpoint", url("/echo"), "Method", "GET",
                        "Headers", "X-Inject", "a\r\nHost: evil"), &err);
    CHECK(res == NULL && name_is(&err, "States.Runtime"));
    asl_err_clear(&err);
}

static void test_failures(void)
{
    struct asl_err err = {0};
    json_t *res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/status/404"), "Method", "GET"),
                      &err);
    CHECK(res == NULL && name_is(&err, "States.Http.StatusCode.404"));
    json_t *c = err.cause ? json_loads(err.cause, 0, NULL) : NULL;
    CHECK(json_integer_value(json_object_get(c, "StatusCode")) == 404);
    CHECK(strcmp(s_at(c, "StatusText"), "Not Found") == 0);
    CHECK(strcmp(s_at(json_object_get(c, "ResponseBody"), "error"), "status 404") == 0);
    CHECK(json_is_object(json_object_get(c, "Headers")));
    json_decref(c);

    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/status/503"), "Method", "POST"), &err);
    CHECK(name_is(&err, "States.Http.StatusCode.503"));
    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/status/302"), "Method", "GET"), &err);
    CHECK(name_is(&err, "States.Http.StatusCode.302"));   /* redirects are not followed */

    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/close"), "Method", "GET"), &err);
    CHECK(res == NULL && name_is(&err, "States.Http.Socket"));

    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", "http://127.0.0.1:1/x", "Method", "GET"),
              &err);
    CHECK(res == NULL && name_is(&err, "States.Http.Socket"));

    /* TLS is always verified: plain HTTP spoken to as https fails. */
    char https[128];
    snprintf(https, sizeof https, "https%s", base + 4);
    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", https, "Method", "GET"), &err);
    CHECK(res == NULL && name_is(&err, "States.Http.Socket"));

    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/big"), "Method", "GET"), &err);
    CHECK(res == NULL && name_is(&err, "States.DataLimitExceeded"));
    CHECK(err.cause && strcmp(err.cause, "The state/task 'http' returned a result with a size "
                              "exceeding the maximum number of bytes service limit.") == 0);

    struct timespec t0, t1;
    OPTS.timeout_s = 0.5;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/stall"), "Method", "GET"), &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(res == NULL && name_is(&err, "States.Timeout"));
    CHECK(t1.tv_sec - t0.tv_sec < 3);
    OPTS.timeout_s = 30;

    /* A cancelled execution stops the call at once. */
    struct asl_cancel *root = asl_cancel_root_new(1.0, 0);
    asl_cancel_set(root, "States.Aborted", "stopped");
    OPTS.cancel = root;
    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/stall"), "Method", "GET"), &err);
    CHECK(res == NULL && name_is(&err, "States.Aborted"));
    asl_cancel_free(root);
    root = asl_cancel_root_new(1.0, 0.5);
    OPTS.cancel = root;
    res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/stall"), "Method", "GET"), &err);
    CHECK(res == NULL && name_is(&err, "States.Timeout"));
    asl_cancel_free(root);
    OPTS.cancel = NULL;
    asl_err_clear(&err);
}

static char conn_file[64];

static void write_connections(void)
{
    char tok_url[128];
    snprintf(tok_url, sizeof tok_url, "%s/oauth/token", base);
    json_t *all = json_pack(
        "{s:{s:s, s:{s:{s:s, s:s}}},"
        " s:{s:s, s:{s:{s:s, s:s, s:{s:s, s:s}}}},"
        " s:{s:s, s:{s:{s:s, s:s}, s:{s:[{s:s, s:s}], s:[{s:s, s:s}], s:[{s:s, s:s}]}}}}",
        "BasicConn", "AuthorizationType", "BASIC", "AuthParameters", "BasicAuthParameters",
        "Username", "user", "Password", SECRET,
        "arn:aws:events:us-east-1:123456789012:connection/OAuthConn/1111", "AuthorizationType",
        "OAUTH_CLIENT_CREDENTIALS", "AuthParameters", "OAuthParameters", "AuthorizationEndpoint",
        tok_url, "HttpMethod", "POST", "ClientParameters", "ClientID", "client-id",
        "ClientSecret", SECRET,
        "ParamsConn", "AuthorizationType", "API_KEY", "AuthParameters", "ApiKeyAuthParameters",
        "ApiKeyName", "x-other-key", "ApiKeyValue", "not-secret-here", "InvocationHttpParameters",
        "HeaderParameters", "Key", "X-From-Conn", "Value", "h1", "QueryStringParameters", "Key",
        "fromconn", "Value", "q1", "BodyParameters", "Key", "extra", "Value", "b1");
    strcpy(conn_file, "/tmp/test_http_connXXXXXX");
    int fd = mkstemp(conn_file);
    close(fd);
    json_dump_file(all, conn_file, 0);
    json_decref(all);
    setenv("ASLC_CONNECTIONS_FILE", conn_file, 1);
}

static json_t *auth_call(const char *path, const char *arn, struct asl_err *err)
{
    return run(json_pack("{s:s, s:s, s:{s:s}}", "ApiEndpoint", url(path), "Method", "GET",
                         "Authentication", "ConnectionArn", arn), err);
}

static long token_count(void)
{
    struct asl_err err = {0};
    json_t *res = run(json_pack("{s:s, s:s}", "ApiEndpoint", url("/oauth/count"), "Method", "GET"),
                      &err);
    long n = atol(s_at(res, "ResponseBody"));
    if (json_is_integer(json_object_get(res, "ResponseBody")))
        n = (long)json_integer_value(json_object_get(res, "ResponseBody"));
    json_decref(res);
    asl_err_clear(&err);
    return n;
}

struct oauth_thread {
    json_t *res;
    struct asl_err err;
};

static void *oauth_worker(void *arg)
{
    struct oauth_thread *t = arg;
    char endpoint[256];     /* url()'s buffer is shared: threads build their own */
    snprintf(endpoint, sizeof endpoint, "%s/auth/bearer", base);
    json_t *p = json_pack("{s:s, s:s, s:{s:s}}", "ApiEndpoint", endpoint, "Method",
                          "GET", "Authentication", "ConnectionArn",
                          "arn:aws:events:us-east-1:123456789012:connection/OAuthConn/1111");
    asl_http_invoke(p, &OPTS, &t->res, &t->err);
    json_decref(p);
    return NULL;
}

/* Every auth kind, and proof that no secret reaches logs, causes or results. */
static void test_auth_and_secrets(void)
{
    char path[] = "/tmp/test_http_logXXXXXX";
    int fd = mkstemp(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    asl_log_set_level(ASL_LOG_DEBUG);
    struct asl_buf seen = {0};   /* every cause and result, to scan */
    struct asl_err err = {0};

    setenv("ASLC_CONNECTION_MYCONN_API_KEY_NAME", "x-api-key", 1);
    setenv("ASLC_CONNECTION_MYCONN_API_KEY_VALUE", SECRET, 1);
    const char *apikey = "arn:aws:events:us-east-1:123456789012:connection/MyConn/abcd-1234";
    json_t *res = auth_call("/auth/apikey", apikey, &err);
    CHECK(res && json_is_true(json_object_get(echoed(res), "authenticated")));
    char *t = json_dumps(res, JSON_COMPACT);
    asl_net_buf_addstr(&seen, t);
    free(t);
    json_decref(res);
    /* A failure with a secret-bearing request: the cause shows only the response. */
    res = auth_call("/status/401", apikey, &err);
    CHECK(name_is(&err, "States.Http.StatusCode.401"));
    asl_net_buf_addstr(&seen, err.cause ? err.cause : "");

    res = auth_call("/auth/basic", "BasicConn", &err);
    CHECK(res && json_is_true(json_object_get(echoed(res), "authenticated")));
    t = json_dumps(res, JSON_COMPACT);
    asl_net_buf_addstr(&seen, t);
    free(t);
    json_decref(res);

    /* OAuth: one token per execution context, even across threads. */
    struct asl_net_ctx *ctx = asl_net_ctx_new();
    OPTS.ctx = ctx;
    long before = token_count();
    struct oauth_thread th[4];
    pthread_t tid[4];
    memset(th, 0, sizeof th);
    for (int i = 0; i < 4; i++)
        pthread_create(&tid[i], NULL, oauth_worker, &th[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(tid[i], NULL);
        CHECK(th[i].res && json_is_true(json_object_get(echoed(th[i].res), "authenticated")));
        if (!th[i].res)
            printf("  oauth thread %d: %s: %s\n", i, th[i].err.name ? th[i].err.name : "?",
                   th[i].err.cause ? th[i].err.cause : "");  /* say why, if it ever fails */
        json_decref(th[i].res);
        asl_err_clear(&th[i].err);
    }
    res = auth_call("/auth/bearer", "arn:aws:events:us-east-1:123456789012:connection/OAuthConn/1111",
                    &err);
    CHECK(res != NULL);
    json_decref(res);
    CHECK(token_count() == before + 1);
    OPTS.ctx = NULL;
    asl_net_ctx_free(ctx);
    res = auth_call("/auth/bearer", "OAuthConn", &err);   /* name-only lookup, no cache */
    CHECK(res != NULL);
    json_decref(res);
    CHECK(token_count() == before + 2);

    /* A wrong client secret: the connection error names no secret. */
    setenv("ASLC_CONNECTION_BADOAUTH_CLIENT_ID", "client-id", 1);
    setenv("ASLC_CONNECTION_BADOAUTH_CLIENT_SECRET", "wrong-" SECRET, 1);
    char tok_url[128];
    snprintf(tok_url, sizeof tok_url, "%s/oauth/token", base);
    setenv("ASLC_CONNECTION_BADOAUTH_TOKEN_URL", tok_url, 1);
    res = auth_call("/auth/bearer", "BadOAuth", &err);
    CHECK(res == NULL && name_is(&err, "Events.ConnectionResource.InvalidConnectionState"));
    asl_net_buf_addstr(&seen, err.cause ? err.cause : "");

    res = auth_call("/auth/apikey", "arn:aws:events:us-east-1:1:connection/Nope/x", &err);
    CHECK(res == NULL && name_is(&err, "Events.ConnectionResource.ResourceNotFound"));

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    asl_log_set_level(ASL_LOG_WARN);
    char buf[65536];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    CHECK(strstr(buf, "http:invoke GET") != NULL);   /* logging did run */
    CHECK(strstr(buf, SECRET) == NULL);
    CHECK(seen.p && strstr(seen.p, SECRET) == NULL);
    free(seen.p);
    asl_err_clear(&err);
}

static void test_connection_parameters(void)
{
    struct asl_err err = {0};
    json_t *res = run(json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}}", "ApiEndpoint",
                                url("/echo?x=1"), "Method", "POST", "Authentication",
                                "ConnectionArn", "ParamsConn", "RequestBody", "mine", "m",
                                "QueryParameters", "q", "2"), &err);
    json_t *e = echoed(res);
    CHECK(strcmp(s_at(e, "query"), "x=1&q=2&fromconn=q1") == 0);
    CHECK(strcmp(s_at(json_object_get(e, "headers"), "x-from-conn"), "h1") == 0);
    CHECK(strcmp(s_at(json_object_get(e, "headers"), "x-other-key"), "not-secret-here") == 0);
    CHECK(strcmp(s_at(e, "body"), "{\"mine\":\"m\",\"extra\":\"b1\"}") == 0);
    json_decref(res);
    asl_err_clear(&err);
}

int main(void)
{
    if (asl_net_global_init() != 0) {
        printf("FAIL: asl_net_global_init\n");
        return 1;
    }
    int port = server_start("../servers/http_echo.py", SECRET);
    if (port <= 0) {
        printf("FAIL: http_echo.py did not start\n");
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    setenv("AWS_REGION", "us-east-1", 1);
    write_connections();

    test_get_and_shape();
    test_methods_and_bodies();
    test_url_encoding();
    test_forbidden_headers();
    test_failures();
    test_auth_and_secrets();
    test_connection_parameters();

    unlink(conn_file);
    server_stop();
    asl_net_global_cleanup();
    return failures ? 1 : 0;
}
