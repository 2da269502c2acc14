/*
 * test_process.c - local programs as tasks (runtime/task/process.c), with
 * the real programs in tests/progs/.  Runs from tests/unit.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "task/process.h"

#define PROGS "../progs/"

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Run argv with a spec; returns asl_proc_invoke's status. */
static int run(const char *const *argv, double timeout, double hb, json_t *in, json_t **out,
               struct asl_err *err)
{
    struct asl_proc_spec sp = {.argv = argv, .timeout_s = timeout, .heartbeat_s = hb,
                               .log_tag = "T", .resource = "local:test"};
    return asl_proc_invoke(&sp, in, out, err);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static pid_t read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return (pid_t)pid;
}

/* Gone, or a zombie waiting for an init that does not reap. */
static int pid_dead(pid_t pid)
{
    if (pid <= 0)
        return 0;
    for (int i = 0; i < 100; i++) {
        if (kill(pid, 0) != 0 && errno == ESRCH)
            return 1;
        char path[64], buf[256];
        snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = '\0';
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'Z')
                return 1;
        }
        usleep(10000);          /* SIGKILL delivery is asynchronous */
    }
    return 0;
}

static void test_success(void)
{
    const char *argv[] = {PROGS "ok.sh", NULL};
    json_t *out = NULL;
    struct asl_err err = {0};
    CHECK(run(argv, 0, 0, NULL, &out, &err) == 0);
    json_t *want = json_loads("{\"ok\":true,\"n\":[1,2]}", 0, NULL);
    CHECK(out && json_equal(out, want));
    json_decref(want);
    json_decref(out);
    asl_err_clear(&err);
}

static void test_echo(void)
{
    const char *argv[] = {PROGS "echo.sh", NULL};
    json_t *in = json_loads("{\"a\":[1,\"\\u00e9\",null],\"b\":{\"c\":2.5}}", 0, NULL);
    json_t *out = NULL;
    struct asl_err err = {0};
    CHECK(run(argv, 5, 0, in, &out, &err) == 0);
    CHECK(out && json_equal(out, in));
    json_decref(out);
    /* A scalar input travels too. */
    json_t *s = json_string("just a string");
    out = NULL;
    CHECK(run(argv, 5, 0, s, &out, &err) == 0);
    CHECK(out && json_equal(out, s));
    json_decref(out);
    json_decref(s);
    json_decref(in);
    asl_err_clear(&err);
}

static void test_path_lookup(void)
{
    /* No slash: found in PATH; arguments pass through untouched (no shell). */
    const char *argv[] = {"printf", "{\"arg\": \"%s\"}", "$HOME; rm -rf /", NULL};
    json_t *out = NULL;
    struct asl_err err = {0};
    CHECK(run(argv, 5, 0, NULL, &out, &err) == 0);
    CHECK(out && streq(json_string_value(json_object_get(out, "arg")), "$HOME; rm -rf /"));
    json_decref(out);

    const char *missing[] = {"aslc-no-such-program-here", NULL};
    out = NULL;
    CHECK(run(missing, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_TASK_FAILED));
    CHECK(err.cause && strstr(err.cause, "aslc-no-such-program-here"));
    CHECK(!out);
    asl_err_clear(&err);
}

static void test_empty_and_notjson(void)
{
    const char *empty[] = {PROGS "empty.sh", NULL};
    json_t *out = NULL;
    struct asl_err err = {0};
    CHECK(run(empty, 5, 0, NULL, &out, &err) == 0);
    CHECK(out && json_is_null(out));
    json_decref(out);

    const char *bad[] = {PROGS "notjson.sh", NULL};
    out = NULL;
    CHECK(run(bad, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_TASK_FAILED));
    CHECK(err.cause && strstr(err.cause, "not JSON"));
    CHECK(!out);
    asl_err_clear(&err);
}

static void test_lambda_errors(void)
{
    const char *argv[] = {PROGS "fail_lambda.sh", NULL};
    json_t *out = NULL;
    struct asl_err err = {0};
    CHECK(run(argv, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, "CustomError"));
    CHECK(streq(err.cause, "{\"errorType\":\"CustomError\",\"errorMessage\":\"it broke\"}"));
    CHECK(!out);

    const char *argv2[] = {PROGS "fail_lambda_stderr.sh", NULL};
    CHECK(run(argv2, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, "ValidationError"));
    CHECK(streq(err.cause, "{\"errorMessage\":\"bad input\",\"errorType\":\"ValidationError\"}"));
    asl_err_clear(&err);
}

static void test_plain_failures(void)
{
    struct asl_err err = {0};
    json_t *out = NULL;
    const char *a1[] = {PROGS "fail_stderr.sh", NULL};
    CHECK(run(a1, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_TASK_FAILED));
    CHECK(streq(err.cause, "line one\ndisk is full"));

    const char *a2[] = {PROGS "fail_silent.sh", NULL};
    CHECK(run(a2, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_TASK_FAILED));
    CHECK(err.cause && strstr(err.cause, "exited with status 7"));

    const char *a3[] = {PROGS "fail_long_stderr.sh", NULL};
    CHECK(run(a3, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_TASK_FAILED));
    CHECK(err.cause && strlen(err.cause) <= 1024 && strlen(err.cause) > 900);
    size_t n = err.cause ? strlen(err.cause) : 0;
    CHECK(n > 15 && strcmp(err.cause + n - 15, "the real reason") == 0);

    const char *a4[] = {PROGS "crash.sh", NULL};
    CHECK(run(a4, 5, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_TASK_FAILED));
    CHECK(err.cause && strstr(err.cause, "SIGSEGV"));
    CHECK(!out);
    asl_err_clear(&err);
}

static void test_timeout(const char *prog, double max_s)
{
    char pidfile[] = "/tmp/aslc-test-proc-XXXXXX";
    int fd = mkstemp(pidfile);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    const char *argv[] = {prog, pidfile, NULL};
    json_t *out = NULL;
    struct asl_err err = {0};
    double t0 = now_s();
    CHECK(run(argv, 0.4, 0, NULL, &out, &err) == -1);
    double dt = now_s() - t0;
    CHECK(streq(err.name, ASL_E_TIMEOUT));
    CHECK(err.cause == NULL);
    CHECK(dt >= 0.35 && dt < max_s);
    /* The whole group died, background child included. */
    CHECK(pid_dead(read_pid(pidfile)));
    unlink(pidfile);
    asl_err_clear(&err);
}

static void test_heartbeats(void)
{
    struct asl_err err = {0};
    json_t *out = NULL;
    /* 6 beats 0.1 s apart: longer than HeartbeatSeconds in all, fine each time. */
    const char *ok[] = {PROGS "heartbeat.sh", "6", NULL};
    CHECK(run(ok, 5, 0.6, NULL, &out, &err) == 0);
    CHECK(out && json_integer_value(json_object_get(out, "beats")) == 6);
    json_decref(out);
    out = NULL;

    const char *stop[] = {PROGS "heartbeat.sh", "3", "stop", NULL};
    double t0 = now_s();
    CHECK(run(stop, 10, 0.4, NULL, &out, &err) == -1);
    double dt = now_s() - t0;
    CHECK(streq(err.name, ASL_E_TIMEOUT));
    CHECK(dt > 0.6 && dt < 3.0);
    CHECK(!out);
    asl_err_clear(&err);
}

static void test_data_limit(void)
{
    struct asl_err err = {0};
    json_t *out = NULL;
    const char *big[] = {PROGS "big_out.sh", "300000", NULL};
    CHECK(run(big, 10, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_DATA_LIMIT));
    CHECK(streq(err.cause, "The state/task 'local:test' returned a result with a size "
                           "exceeding the maximum number of bytes service limit."));
    CHECK(!out);

    /* Exactly at the limit: 262142 bytes plus two quotes. */
    const char *edge[] = {PROGS "big_out.sh", "262142", NULL};
    CHECK(run(edge, 10, 0, NULL, &out, &err) == 0);
    CHECK(out && json_string_length(out) == 262142);
    json_decref(out);
    out = NULL;
    const char *over[] = {PROGS "big_out.sh", "262143", NULL};
    CHECK(run(over, 10, 0, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_DATA_LIMIT));
    asl_err_clear(&err);
}

static json_t *big_input(size_t n)
{
    char *s = malloc(n + 1);
    memset(s, 'x', n);
    s[n] = '\0';
    json_t *v = json_pack("{s:s}", "blob", s);
    free(s);
    return v;
}

static void test_big_input(void)
{
    struct asl_err err = {0};
    json_t *out = NULL;
    json_t *in = big_input(3u << 20);
    char *text = json_dumps(in, JSON_COMPACT);
    size_t len = strlen(text);
    free(text);
    const char *count[] = {PROGS "count.sh", NULL};
    CHECK(run(count, 20, 0, in, &out, &err) == 0);
    CHECK(out && json_integer_value(out) == (json_int_t)len + 1);   /* + "\n" */
    json_decref(out);
    out = NULL;

    /* Big both ways: echoed back, then refused for its size (no deadlock). */
    const char *echo[] = {PROGS "echo.sh", NULL};
    CHECK(run(echo, 20, 0, in, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_DATA_LIMIT));

    /* A program that never reads its input: EPIPE, no SIGPIPE death. */
    const char *ok[] = {PROGS "ok.sh", NULL};
    CHECK(run(ok, 20, 0, in, &out, &err) == 0);
    CHECK(json_is_object(out));
    json_decref(out);
    json_decref(in);
    asl_err_clear(&err);
}

static void test_leftover(void)
{
    char pidfile[] = "/tmp/aslc-test-proc-XXXXXX";
    int fd = mkstemp(pidfile);
    if (fd >= 0)
        close(fd);
    const char *argv[] = {PROGS "leftover.sh", pidfile, NULL};
    json_t *out = NULL;
    struct asl_err err = {0};
    double t0 = now_s();
    CHECK(run(argv, 10, 0, NULL, &out, &err) == 0);
    CHECK(now_s() - t0 < 2.0);
    CHECK(streq(json_string_value(out), "done"));
    CHECK(pid_dead(read_pid(pidfile)));
    json_decref(out);
    unlink(pidfile);
    asl_err_clear(&err);
}

/* Cancellation from another thread. */
struct canceller {
    struct asl_cancel *tok;
    double after;
};

static void *cancel_later(void *arg)
{
    struct canceller *c = arg;
    usleep((useconds_t)(c->after * 1e6));
    asl_cancel_set(c->tok, "States.BranchFailed", "a sibling failed");
    return NULL;
}

static void test_cancel(void)
{
    struct asl_cancel *root = asl_cancel_root_new(1.0, 0);
    struct asl_cancel *child = asl_cancel_child_new(root);
    char pidfile[] = "/tmp/aslc-test-proc-XXXXXX";
    int fd = mkstemp(pidfile);
    if (fd >= 0)
        close(fd);
    const char *argv[] = {PROGS "hang.sh", pidfile, NULL};
    struct asl_proc_spec sp = {.argv = argv, .timeout_s = 20, .cancel = child, .log_tag = "C"};
    struct canceller c = {child, 0.3};
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, &c);
    json_t *out = NULL;
    struct asl_err err = {0};
    double t0 = now_s();
    CHECK(asl_proc_invoke(&sp, NULL, &out, &err) == -1);
    double dt = now_s() - t0;
    pthread_join(th, NULL);
    CHECK(streq(err.name, "States.BranchFailed"));
    CHECK(streq(err.cause, "a sibling failed"));
    CHECK(dt >= 0.25 && dt < 2.0);
    CHECK(pid_dead(read_pid(pidfile)));
    /* Already cancelled: nothing starts. */
    CHECK(asl_proc_invoke(&sp, NULL, &out, &err) == -1);
    CHECK(streq(err.name, "States.BranchFailed"));
    unlink(pidfile);
    asl_err_clear(&err);
    asl_cancel_free(child);
    asl_cancel_free(root);

    /* The execution deadline (machine TimeoutSeconds) stops the task too. */
    root = asl_cancel_root_new(1.0, 0.3);
    const char *hang2[] = {PROGS "heartbeat.sh", "0", "stop", NULL};
    struct asl_proc_spec sp2 = {.argv = hang2, .cancel = root, .log_tag = "D"};
    t0 = now_s();
    CHECK(asl_proc_invoke(&sp2, NULL, &out, &err) == -1);
    CHECK(streq(err.name, ASL_E_TIMEOUT));
    CHECK(now_s() - t0 < 2.0);
    asl_err_clear(&err);
    asl_cancel_free(root);
}

static void test_logging(void)
{
    /* Capture our own stderr while the program's lines are logged. */
    char logfile[] = "/tmp/aslc-test-log-XXXXXX";
    int lfd = mkstemp(logfile);
    CHECK(lfd >= 0);
    if (lfd < 0)
        return;
    fflush(stderr);
    int saved = dup(2);
    dup2(lfd, 2);
    asl_log_set_level(ASL_LOG_INFO);
    const char *argv[] = {PROGS "logs.sh", NULL};
    json_t *out = NULL;
    struct asl_err err = {0};
    CHECK(run(argv, 5, 0, NULL, &out, &err) == 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    asl_log_set_level(ASL_LOG_WARN);
    CHECK(json_integer_value(out) == 42);
    json_decref(out);
    char buf[4096];
    ssize_t n = pread(lfd, buf, sizeof buf - 1, 0);
    close(lfd);
    unlink(logfile);
    buf[n > 0 ? n : 0] = '\0';
    CHECK(strstr(buf, "[T] hello from stderr\n"));
    CHECK(strstr(buf, "[T] no newline at end\n"));
    CHECK(!strstr(buf, "heartbeat"));
    asl_err_clear(&err);
}

static void *parallel_echo(void *arg)
{
    long i = (long)(size_t)arg;
    const char *argv[] = {PROGS "echo.sh", NULL};
    json_t *in = json_pack("{s:i}", "i", (json_int_t)i);
    json_t *out = NULL;
    struct asl_err err = {0};
    int ok = run(argv, 10, 0, in, &out, &err) == 0 && json_equal(in, out);
    json_decref(in);
    json_decref(out);
    asl_err_clear(&err);
    return ok ? arg : NULL;
}

static void test_threads(void)
{
    pthread_t th[8];
    for (long i = 0; i < 8; i++)
        pthread_create(&th[i], NULL, parallel_echo, (void *)(size_t)(i + 1));
    for (long i = 0; i < 8; i++) {
        void *r = NULL;
        pthread_join(th[i], &r);
        CHECK(r == (void *)(size_t)(i + 1));
    }
}

static void test_stubborn(void)
{
    /* SIGTERM ignored: SIGKILL after the grace period. */
    test_timeout(PROGS "hang_stubborn.sh", 0.4 + ASL_PROC_KILL_GRACE + 1.0);
}

int main(void)
{
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);    /* crash.sh leaves no core file */
    /* Orphans of killed process groups become our children, so the last
     * check below sees any descendant that survived. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    int fds0 = count_fds();
    test_success();
    test_echo();
    test_path_lookup();
    test_empty_and_notjson();
    test_lambda_errors();
    test_plain_failures();
    test_timeout(PROGS "hang.sh", 1.5);
    test_stubborn();
    test_heartbeats();
    test_data_limit();
    test_big_input();
    test_leftover();
    test_cancel();
    test_logging();
    test_threads();
    CHECK(count_fds() == fds0);
    /* No descendant is left running: reap the dead orphans, then expect
     * no children at all. */
    usleep(100000);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
    return failures ? 1 : 0;
}
