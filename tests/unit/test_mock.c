/*
 * test_mock.c - Step Functions Local mock configs (runtime/task/mock.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "task/mock.h"

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Write text to a fresh temporary file; returns its malloc'd path. */
static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/aslc-test-mock-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n)
        printf("FAIL: cannot write %s\n", path);
    close(fd);
    return path;
}

static const char *const CONFIG =
    "{\"StateMachines\": {"
    "  \"Orders\": {\"TestCases\": {"
    "    \"Happy\": {\"Charge\": \"ChargeOk\", \"Ship\": \"Flaky\", \"Notify\": \"Nulls\"},"
    "    \"Other\": {\"Charge\": \"ChargeOk\"}}},"
    "  \"Billing\": {\"TestCases\": {\"Only\": {\"Bill\": \"Lambda\"}}}},"
    " \"MockedResponses\": {"
    "  \"ChargeOk\": {\"0\": {\"Return\": {\"charged\": true}}},"
    "  \"Flaky\": {"
    "    \"0\": {\"Throw\": {\"Error\": \"Lambda.ResourceNotReadyException\", \"Cause\": \"not ready\"}},"
    "    \"3\": {\"Return\": [1, \"two\", null]},"
    "    \"1-2\": {\"Throw\": {\"Error\": \"Lambda.TimeoutException\", \"Cause\": \"\"}}},"
    "  \"Nulls\": {\"0-1\": {\"Throw\": {\"Error\": null, \"Cause\": null}},"
    "             \"2\": {\"Return\": null}},"
    "  \"Lambda\": {\"0\": {\"Return\": {\"StatusCode\": 200, \"Payload\": {\"x\": 1}}}},"
    "  \"Unused\": {\"bogus\": 1}"
    "}}";

static void test_sequence(const char *path)
{
    struct asl_mock *m = NULL;
    struct asl_err err = {0};
    CHECK(asl_mock_load(path, "Orders", "Happy", &m, &err) == 0);
    if (!m) {
        printf("FAIL: load: %s\n", err.cause ? err.cause : "?");
        asl_err_clear(&err);
        return;
    }
    CHECK(asl_mock_has(m, "Charge"));
    CHECK(asl_mock_has(m, "Ship"));
    CHECK(!asl_mock_has(m, "Bill"));
    CHECK(!asl_mock_has(m, "charge"));

    json_t *ret = NULL;
    CHECK(asl_mock_next(m, "Charge", &ret, &err) == 1);
    CHECK(json_is_true(json_object_get(ret, "charged")));
    json_decref(ret);
    /* Only one invocation mocked: the second has none. */
    CHECK(asl_mock_next(m, "Charge", &ret, &err) == -1);
    CHECK(streq(err.name, ASL_E_RUNTIME));
    CHECK(err.cause && strstr(err.cause, "invocation 1") && strstr(err.cause, "'Charge'"));
    CHECK(ret == NULL);

    /* Ranges, out of order in the file. */
    CHECK(asl_mock_next(m, "Ship", &ret, &err) == 0);
    CHECK(streq(err.name, "Lambda.ResourceNotReadyException") && streq(err.cause, "not ready"));
    for (int i = 1; i <= 2; i++) {
        CHECK(asl_mock_next(m, "Ship", &ret, &err) == 0);
        CHECK(streq(err.name, "Lambda.TimeoutException") && streq(err.cause, ""));
    }
    CHECK(asl_mock_next(m, "Ship", &ret, &err) == 1);
    CHECK(json_is_array(ret) && json_array_size(ret) == 3);
    json_decref(ret);
    CHECK(asl_mock_next(m, "Ship", &ret, &err) == -1);
    CHECK(err.cause && strstr(err.cause, "invocation 4"));

    /* Throw with nulls keeps them NULL; Return null is a value. */
    asl_err_set_str(&err, "stale", "stale");
    CHECK(asl_mock_next(m, "Notify", &ret, &err) == 0);
    CHECK(err.name == NULL && err.cause == NULL);
    CHECK(asl_mock_next(m, "Notify", &ret, &err) == 0);
    CHECK(asl_mock_next(m, "Notify", &ret, &err) == 1);
    CHECK(ret && json_is_null(ret));
    json_decref(ret);

    /* A state the case does not list. */
    CHECK(asl_mock_next(m, "Bill", &ret, &err) == -1);
    CHECK(err.cause && strstr(err.cause, "'Bill'"));
    asl_mock_free(m);

    /* Counting starts again with a new load. */
    CHECK(asl_mock_load(path, "Orders", "Other", &m, &err) == 0);
    CHECK(!asl_mock_has(m, "Ship"));
    CHECK(asl_mock_next(m, "Charge", &ret, &err) == 1);
    json_decref(ret);
    asl_mock_free(m);
    asl_err_clear(&err);
}

static void test_selection(const char *path)
{
    struct asl_mock *m = NULL;
    struct asl_err err = {0};
    /* Two machines: a name is needed. */
    CHECK(asl_mock_load(path, NULL, "Happy", &m, &err) == -1 && !m);
    CHECK(err.cause && strstr(err.cause, "2 state machines"));
    CHECK(asl_mock_load(path, "Nope", "Happy", &m, &err) == -1);
    CHECK(err.cause && strstr(err.cause, "\"Nope\""));
    CHECK(asl_mock_load(path, "Orders", "Missing", &m, &err) == -1);
    CHECK(err.cause && strstr(err.cause, "\"Missing\""));
    /* Two test cases: a name is needed. */
    CHECK(asl_mock_load(path, "Orders", NULL, &m, &err) == -1);
    /* One test case: NULL picks it. */
    CHECK(asl_mock_load(path, "Billing", NULL, &m, &err) == 0);
    json_t *ret = NULL;
    CHECK(asl_mock_next(m, "Bill", &ret, &err) == 1);
    CHECK(json_integer_value(json_object_get(ret, "StatusCode")) == 200);
    json_decref(ret);
    asl_mock_free(m);

    /* One machine: its name need not match (the binary's own name). */
    char *one = write_tmp("{\"StateMachines\": {\"case_x\": {\"TestCases\": {\"Recorded\": "
                          "{\"S\": \"NotInvokedInRecording\"}}}},"
                          " \"MockedResponses\": {\"NotInvokedInRecording\": {\"0\": {\"Throw\":"
                          " {\"Error\": \"Mock.NotInvokedInRecording\", \"Cause\": \"x\"}}}}}");
    CHECK(asl_mock_load(one, "my_binary", "Recorded", &m, &err) == 0);
    CHECK(asl_mock_next(m, "S", &ret, &err) == 0);
    CHECK(streq(err.name, "Mock.NotInvokedInRecording"));
    asl_mock_free(m);
    CHECK(asl_mock_load(one, NULL, "Recorded", &m, &err) == 0);
    asl_mock_free(m);
    unlink(one);
    free(one);
    asl_err_clear(&err);
}

/* Each text must fail to load with a cause containing `want`. */
static void expect_bad(const char *text, const char *want)
{
    char *path = write_tmp(text);
    struct asl_mock *m = NULL;
    struct asl_err err = {0};
    int rc = asl_mock_load(path, NULL, "T", &m, &err);
    if (rc != -1 || m || !streq(err.name, ASL_E_RUNTIME) || !err.cause ||
        !strstr(err.cause, want)) {
        printf("FAIL: bad config %s: rc %d, cause %s (want \"%s\")\n", text, rc,
               err.cause ? err.cause : "(null)", want);
        failures++;
    }
    asl_mock_free(m);
    asl_err_clear(&err);
    unlink(path);
    free(path);
}

#define SM "{\"StateMachines\": {\"M\": {\"TestCases\": {\"T\": {\"S\": \"R\"}}}}, "

static void test_malformed(void)
{
    struct asl_mock *m = NULL;
    struct asl_err err = {0};
    CHECK(asl_mock_load("/nonexistent/mock.json", NULL, "T", &m, &err) == -1);
    CHECK(err.cause && strstr(err.cause, "/nonexistent/mock.json"));
    asl_err_clear(&err);

    expect_bad("{\"StateMachines\": {", "1:");                 /* syntax: line:col */
    expect_bad("[]", "\"StateMachines\" and \"MockedResponses\"");
    expect_bad("{\"StateMachines\": {}, \"MockedResponses\": {}}", "StateMachines is empty");
    expect_bad("{\"StateMachines\": {\"M\": {}}, \"MockedResponses\": {}}", "TestCases");
    expect_bad(SM "\"MockedResponses\": {}}", "does not define");
    expect_bad("{\"StateMachines\": {\"M\": {\"TestCases\": {\"T\": {\"S\": 3}}}}, "
               "\"MockedResponses\": {}}", "must name a mocked response");
    expect_bad(SM "\"MockedResponses\": {\"R\": {}}}", "non-empty object");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"x\": {\"Return\": 1}}}}", "\"x\"");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"2-1\": {\"Return\": 1}}}}", "\"2-1\"");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"-1\": {\"Return\": 1}}}}", "\"-1\"");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"1-\": {\"Return\": 1}}}}", "\"1-\"");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"0\": {}}}}", "exactly one");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"0\": {\"Return\": 1, \"Throw\": {}}}}}",
               "exactly one");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"0\": {\"Throw\": {\"Error\": 5}}}}}",
               "Throw must be");
    expect_bad(SM "\"MockedResponses\": {\"R\": {\"0-2\": {\"Return\": 1}, \"2\": {\"Return\": 2}}}}",
               "invocation 2 is covered twice");
}

/* Many threads draw from one state: every attempt number is used once. */
struct draw {
    struct asl_mock *m;
    int seen[64];
};

static void *draw_some(void *arg)
{
    struct draw *d = arg;
    for (int i = 0; i < 8; i++) {
        json_t *ret = NULL;
        struct asl_err err = {0};
        if (asl_mock_next(d->m, "S", &ret, &err) == 1 && json_is_integer(ret)) {
            json_int_t v = json_integer_value(ret);
            if (v >= 0 && v < 64)
                __atomic_add_fetch(&d->seen[v], 1, __ATOMIC_RELAXED);
        }
        json_decref(ret);
        asl_err_clear(&err);
    }
    return NULL;
}

static void test_threads(void)
{
    /* Responses 0..63, each returning its own number. */
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, SM "\"MockedResponses\": {\"R\": {");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\"%d\": {\"Return\": %d}",
                              i ? ", " : "", i, i);
    snprintf(text + n, sizeof text - n, "}}}");
    char *path = write_tmp(text);
    struct draw d = {0};
    struct asl_err err = {0};
    CHECK(asl_mock_load(path, NULL, NULL, &d.m, &err) == 0);
    if (d.m) {
        pthread_t th[8];
        for (int i = 0; i < 8; i++)
            pthread_create(&th[i], NULL, draw_some, &d);
        for (int i = 0; i < 8; i++)
            pthread_join(th[i], NULL);
        for (int i = 0; i < 64; i++)
            CHECK(d.seen[i] == 1);
        json_t *ret = NULL;
        CHECK(asl_mock_next(d.m, "S", &ret, &err) == -1);
        asl_mock_free(d.m);
    }
    asl_err_clear(&err);
    unlink(path);
    free(path);
}

int main(void)
{
    char *path = write_tmp(CONFIG);
    if (!path) {
        printf("FAIL: cannot create a temporary file\n");
        return 1;
    }
    test_sequence(path);
    test_selection(path);
    test_malformed();
    test_threads();
    unlink(path);
    free(path);
    return failures ? 1 : 0;
}
