/*
 * test_store.c - the store interface (runtime/store/store.h) over its
 * SQLite backend: executions, events, steps, tokens, timers, change
 * notification, and the files it must refuse (corrupt, foreign, read-only).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

static int failures;
#define CHECK(c)                                                                 \
    do {                                                                         \
        if (!(c)) {                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static char dir[256];

static char *path_in(const char *name)
{
    static char buf[4][320];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 320, "%s/%s", dir, name);
    return p;
}

static struct asl_store *open_ok(const char *path)
{
    struct asl_store *st = NULL;
    char msg[512] = "";
    int rc = asl_store_open(path, ASL_STORE_SYNC_FULL, &st, msg, sizeof msg);
    if (rc != ASL_STORE_OK)
        fprintf(stderr, "open %s: %s\n", path, msg);
    CHECK(rc == ASL_STORE_OK && st);
    return st;
}

static int64_t make_exec(struct asl_store *st, const char *name)
{
    char arn[128];
    snprintf(arn, sizeof arn, "arn:aws:states:us-east-1:123456789012:execution:sm:%s", name);
    struct asl_store_exec e = {
        .arn = arn, .name = (char *)name,
        .sm_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
        .input = "{\"a\":1}", .status = ASL_EXEC_RUNNING, .start_date = 1700000000.123,
    };
    int64_t id = 0;
    CHECK(asl_store_exec_create(st, &e, &id) == ASL_STORE_OK);
    CHECK(id > 0);
    return id;
}

static int count_cb(void *arg, const struct asl_store_exec *e)
{
    (void)e;
    (*(int *)arg)++;
    return 0;
}

static void test_executions(void)
{
    struct asl_store *st = open_ok(path_in("exec.db"));
    int64_t a = make_exec(st, "one");
    int64_t b = make_exec(st, "two");
    CHECK(a != b);
    /* the ARN is unique */
    struct asl_store_exec dup = {.arn = "arn:aws:states:us-east-1:123456789012:execution:sm:one",
                                 .name = "one", .sm_arn = "x", .input = "{}", .start_date = 1};
    CHECK(asl_store_exec_create(st, &dup, NULL) == ASL_STORE_EXISTS);

    struct asl_store_exec e = {0};
    CHECK(asl_store_exec_get(st, "arn:aws:states:us-east-1:123456789012:execution:sm:one", &e) == ASL_STORE_OK);
    CHECK(e.id == a && strcmp(e.name, "one") == 0 && strcmp(e.input, "{\"a\":1}") == 0);
    CHECK(e.status == ASL_EXEC_RUNNING && e.stop_date == 0 && e.redrive_count == 0);
    CHECK(e.start_date > 1700000000.12 && e.start_date < 1700000000.124);
    asl_store_exec_clear(&e);
    CHECK(asl_store_exec_get(st, "nope", &e) == ASL_STORE_NOT_FOUND);

    /* close: once */
    CHECK(asl_store_exec_close(st, a, ASL_EXEC_FAILED, NULL, "E", "C", 1700000001) == ASL_STORE_OK);
    CHECK(asl_store_exec_close(st, a, ASL_EXEC_SUCCEEDED, "1", NULL, NULL, 1700000002) == ASL_STORE_CONFLICT);
    CHECK(asl_store_exec_get_id(st, a, &e) == ASL_STORE_OK);
    CHECK(e.status == ASL_EXEC_FAILED && strcmp(e.error, "E") == 0 && strcmp(e.cause, "C") == 0);
    CHECK(e.stop_date == 1700000001 && !e.output);
    asl_store_exec_clear(&e);

    /* redrive: only closed, not succeeded */
    int count = 0;
    CHECK(asl_store_exec_redrive(st, b, 5, &count) == ASL_STORE_CONFLICT);   /* RUNNING */
    CHECK(asl_store_exec_redrive(st, a, 1700000010, &count) == ASL_STORE_OK && count == 1);
    CHECK(asl_store_exec_get_id(st, a, &e) == ASL_STORE_OK);
    CHECK(e.status == ASL_EXEC_RUNNING && e.redrive_count == 1 && e.redrive_date == 1700000010);
    CHECK(!e.error && !e.cause && e.stop_date == 0);
    asl_store_exec_clear(&e);
    CHECK(asl_store_exec_close(st, a, ASL_EXEC_SUCCEEDED, "{}", NULL, NULL, 1700000011) == ASL_STORE_OK);
    CHECK(asl_store_exec_redrive(st, a, 1700000012, &count) == ASL_STORE_CONFLICT);

    /* list: filter and paging */
    int n = 0;
    CHECK(asl_store_exec_list(st, NULL, -1, 0, 0, count_cb, &n) == ASL_STORE_OK && n == 2);
    n = 0;
    CHECK(asl_store_exec_list(st, NULL, ASL_EXEC_RUNNING, 0, 0, count_cb, &n) == ASL_STORE_OK && n == 1);
    n = 0;
    CHECK(asl_store_exec_list(st, NULL, -1, a, 0, count_cb, &n) == ASL_STORE_OK && n == 1);
    n = 0;
    CHECK(asl_store_exec_list(st, NULL, -1, 0, 1, count_cb, &n) == ASL_STORE_OK && n == 1);
    n = 0;
    CHECK(asl_store_exec_list(st, "other", -1, 0, 0, count_cb, &n) == ASL_STORE_OK && n == 0);

    /* claim: compare-and-set */
    CHECK(asl_store_exec_claim(st, b, NULL, "p1") == ASL_STORE_OK);
    CHECK(asl_store_exec_claim(st, b, NULL, "p2") == ASL_STORE_CONFLICT);
    CHECK(asl_store_exec_claim(st, b, "p1", "p2") == ASL_STORE_OK);
    CHECK(asl_store_exec_claim(st, b, "p2", NULL) == ASL_STORE_OK);

    CHECK(strcmp(asl_store_status_name(ASL_EXEC_TIMED_OUT), "TIMED_OUT") == 0);
    CHECK(asl_store_status_parse("ABORTED") == ASL_EXEC_ABORTED);
    CHECK(asl_store_status_parse("aborted") == -1);
    asl_store_close(st);
}

struct ev_walk {
    long ids[16];
    int n;
};

static int ev_cb(void *arg, const struct asl_store_event *ev)
{
    struct ev_walk *w = arg;
    if (w->n < 16)
        w->ids[w->n++] = ev->id;
    return 0;
}

/* ids[] gets 1 for an event with a key, 0 without */
static int key_cb(void *arg, const struct asl_store_event *ev)
{
    struct ev_walk *w = arg;
    if (w->n < 16)
        w->ids[w->n++] = ev->key != NULL;
    return 0;
}

static void test_events_and_steps(void)
{
    struct asl_store *st = open_ok(path_in("events.db"));
    int64_t x = make_exec(st, "ev");
    CHECK(asl_store_begin(st) == ASL_STORE_OK);
    for (long i = 1; i <= 5; i++) {
        char json[96];
        snprintf(json, sizeof json, "{\"id\":%ld,\"type\":\"PassStateEntered\"}", i);
        struct asl_store_event ev = {.id = i, .prev = i - 1, .timestamp = 1.5, .type = "PassStateEntered",
                                     .json = json, .key = i == 2 ? "k2" : "kx"};
        CHECK(asl_store_event_append(st, x, &ev) == ASL_STORE_OK);
    }
    CHECK(asl_store_commit(st) == ASL_STORE_OK);
    struct asl_store_event again = {.id = 3, .type = "X", .json = "{}"};
    CHECK(asl_store_event_append(st, x, &again) == ASL_STORE_EXISTS);
    long last = 0;
    CHECK(asl_store_event_last(st, x, &last) == ASL_STORE_OK && last == 5);

    struct ev_walk w = {0};
    CHECK(asl_store_event_read(st, x, 0, 0, 0, ev_cb, &w) == ASL_STORE_OK);
    CHECK(w.n == 5 && w.ids[0] == 1 && w.ids[4] == 5);
    w.n = 0;
    CHECK(asl_store_event_read(st, x, 2, 0, 2, ev_cb, &w) == ASL_STORE_OK);
    CHECK(w.n == 2 && w.ids[0] == 3 && w.ids[1] == 4);
    w.n = 0;
    CHECK(asl_store_event_read(st, x, 0, 1, 2, ev_cb, &w) == ASL_STORE_OK);
    CHECK(w.n == 2 && w.ids[0] == 5 && w.ids[1] == 4);
    w.n = 0;
    CHECK(asl_store_event_read(st, x, 4, 1, 0, ev_cb, &w) == ASL_STORE_OK);
    CHECK(w.n == 3 && w.ids[0] == 3 && w.ids[2] == 1);

    /* a rolled back transaction leaves nothing */
    CHECK(asl_store_begin(st) == ASL_STORE_OK);
    struct asl_store_event six = {.id = 6, .type = "X", .json = "{}"};
    CHECK(asl_store_event_append(st, x, &six) == ASL_STORE_OK);
    CHECK(asl_store_rollback(st) == ASL_STORE_OK);
    CHECK(asl_store_event_last(st, x, &last) == ASL_STORE_OK && last == 5);

    char *v = NULL;
    CHECK(asl_store_step_put(st, x, "0/t1", "{\"out\":1}") == ASL_STORE_OK);
    CHECK(asl_store_step_put(st, x, "0/t1", "{\"out\":2}") == ASL_STORE_OK);
    CHECK(asl_store_step_put(st, x, "1.0/t1", "3") == ASL_STORE_OK);
    CHECK(asl_store_step_get(st, x, "0/t1", &v) == ASL_STORE_OK && v && strcmp(v, "{\"out\":2}") == 0);
    free(v);
    v = NULL;
    CHECK(asl_store_step_get(st, x, "none", &v) == ASL_STORE_NOT_FOUND && !v);
    CHECK(asl_store_step_delete_prefix(st, x, "1.") == ASL_STORE_OK);
    CHECK(asl_store_step_get(st, x, "1.0/t1", &v) == ASL_STORE_NOT_FOUND);
    CHECK(asl_store_step_get(st, x, "0/t1", &v) == ASL_STORE_OK);
    free(v);
    CHECK(asl_store_step_delete(st, x, "0/t1") == ASL_STORE_OK);
    CHECK(asl_store_step_get(st, x, "0/t1", &v) == ASL_STORE_NOT_FOUND);
    CHECK(asl_store_event_unkey(st, x, "k2") == ASL_STORE_OK);
    struct ev_walk kw = {0};
    CHECK(asl_store_event_read(st, x, 1, 0, 1, key_cb, &kw) == ASL_STORE_OK && kw.n == 1 && kw.ids[0] == 0);
    asl_store_close(st);
}

static void test_tokens(void)
{
    struct asl_store *st = open_ok(path_in("tokens.db"));
    int64_t x = make_exec(st, "cb");
    char tok[ASL_STORE_TOKEN_LEN + 1], tok2[ASL_STORE_TOKEN_LEN + 1];
    CHECK(asl_store_token_make(tok) == 0 && asl_store_token_make(tok2) == 0);
    CHECK(strlen(tok) == ASL_STORE_TOKEN_LEN && strcmp(tok, tok2) != 0);
    CHECK(asl_store_token_well_formed(tok) && !asl_store_token_well_formed("FakeTaskToken"));

    double now = 1700000000;
    struct asl_store_token t = {.token = tok, .exec_id = x, .key = "0/3", .created = now,
                                .timeout_at = now + 100, .heartbeat_s = 10};
    CHECK(asl_store_token_create(st, &t) == ASL_STORE_OK);
    int o = -1;
    /* outcomes for strangers */
    CHECK(asl_store_token_finish(st, "FakeTaskToken", ASL_TOKEN_SUCCEEDED, "{}", NULL, NULL, now, &o) == 0);
    CHECK(o == ASL_SEND_INVALID_TOKEN);
    CHECK(asl_store_token_finish(st, tok2, ASL_TOKEN_SUCCEEDED, "{}", NULL, NULL, now, &o) == 0);
    CHECK(o == ASL_SEND_DOES_NOT_EXIST);
    CHECK(asl_store_token_finish(st, tok, ASL_TOKEN_SUCCEEDED, "{not json", NULL, NULL, now, &o) == 0);
    CHECK(o == ASL_SEND_INVALID_OUTPUT);
    char *big = malloc(262146);
    memset(big, ' ', 262145);
    big[0] = '1';
    big[262145] = '\0';
    CHECK(asl_store_check_output(big) == ASL_SEND_INVALID_OUTPUT);
    big[262144] = '\0';
    CHECK(asl_store_check_output(big) == ASL_SEND_OK);
    free(big);
    /* heartbeats keep it alive past the first heartbeat deadline */
    CHECK(asl_store_token_heartbeat(st, tok, now + 8, &o) == 0 && o == ASL_SEND_OK);
    CHECK(asl_store_token_heartbeat(st, tok, now + 16, &o) == 0 && o == ASL_SEND_OK);
    CHECK(asl_store_token_finish(st, tok, ASL_TOKEN_SUCCEEDED, "{\"ok\":true}", NULL, NULL, now + 20, &o) == 0);
    CHECK(o == ASL_SEND_OK);
    /* answered: a second answer is TaskTimedOut */
    CHECK(asl_store_token_finish(st, tok, ASL_TOKEN_FAILED, NULL, "E", "C", now + 21, &o) == 0);
    CHECK(o == ASL_SEND_TIMED_OUT);
    struct asl_store_token g = {0};
    CHECK(asl_store_token_get(st, tok, &g) == ASL_STORE_OK);
    CHECK(g.state == ASL_TOKEN_SUCCEEDED && strcmp(g.output, "{\"ok\":true}") == 0 && g.exec_id == x);
    CHECK(strcmp(g.key, "0/3") == 0 && g.last_heartbeat == now + 16);
    asl_store_token_clear(&g);
    /* the answer woke the execution */
    struct asl_store_exec e = {0};
    CHECK(asl_store_exec_get_id(st, x, &e) == ASL_STORE_OK && e.wake_at == now + 20);
    asl_store_exec_clear(&e);

    /* a missed heartbeat expires the token */
    struct asl_store_token t2 = {.token = tok2, .exec_id = x, .key = "0/4", .created = now, .heartbeat_s = 5};
    CHECK(asl_store_token_create(st, &t2) == ASL_STORE_OK);
    CHECK(asl_store_token_heartbeat(st, tok2, now + 6, &o) == 0 && o == ASL_SEND_TIMED_OUT);
    CHECK(asl_store_token_get(st, tok2, &g) == ASL_STORE_OK && g.state == ASL_TOKEN_TIMED_OUT);
    asl_store_token_clear(&g);
    /* the runtime may still close a token it owns */
    CHECK(asl_store_token_finish(st, tok2, ASL_TOKEN_TIMED_OUT, NULL, NULL, NULL, now + 6, &o) == 0 && o == ASL_SEND_OK);

    /* a stopped execution's tokens answer TaskTimedOut */
    char tok3[ASL_STORE_TOKEN_LEN + 1];
    asl_store_token_make(tok3);
    struct asl_store_token t3 = {.token = tok3, .exec_id = x, .key = "0/5", .created = now};
    CHECK(asl_store_token_create(st, &t3) == ASL_STORE_OK);
    CHECK(asl_store_exec_close(st, x, ASL_EXEC_ABORTED, NULL, NULL, NULL, now + 30) == ASL_STORE_OK);
    CHECK(asl_store_token_close_exec(st, x) == ASL_STORE_OK);
    CHECK(asl_store_token_finish(st, tok3, ASL_TOKEN_SUCCEEDED, "1", NULL, NULL, now + 31, &o) == 0);
    CHECK(o == ASL_SEND_TIMED_OUT);
    CHECK(strcmp(asl_store_send_error(ASL_SEND_TIMED_OUT), "TaskTimedOut") == 0);
    CHECK(strcmp(asl_store_send_message(ASL_SEND_TIMED_OUT), "Task Timed Out: 'Provided task does not exist anymore'") == 0);
    asl_store_close(st);
}

static int due_cb(void *arg, int64_t id, double wake_at)
{
    (void)wake_at;
    int64_t *ids = arg;
    ids[ids[0] + 1] = id;
    ids[0]++;
    return 0;
}

static void test_timers(void)
{
    struct asl_store *st = open_ok(path_in("timers.db"));
    int64_t a = make_exec(st, "t1"), b = make_exec(st, "t2"), c = make_exec(st, "t3");
    CHECK(asl_store_exec_set_wake(st, a, 300) == ASL_STORE_OK);
    CHECK(asl_store_exec_set_wake(st, b, 100) == ASL_STORE_OK);
    CHECK(asl_store_exec_set_wake(st, c, 200) == ASL_STORE_OK);
    CHECK(asl_store_exec_close(st, c, ASL_EXEC_ABORTED, NULL, NULL, NULL, 150) == ASL_STORE_OK);
    int64_t ids[8] = {0};
    CHECK(asl_store_exec_due(st, 250, 0, due_cb, ids) == ASL_STORE_OK);
    CHECK(ids[0] == 1 && ids[1] == b);
    memset(ids, 0, sizeof ids);
    CHECK(asl_store_exec_due(st, 1000, 0, due_cb, ids) == ASL_STORE_OK);
    CHECK(ids[0] == 2 && ids[1] == b && ids[2] == a);
    CHECK(asl_store_exec_set_wake(st, b, 0) == ASL_STORE_OK);
    memset(ids, 0, sizeof ids);
    CHECK(asl_store_exec_due(st, 1000, 0, due_cb, ids) == ASL_STORE_OK && ids[0] == 1);
    asl_store_close(st);
}

struct writer_arg {
    const char *path;
};

static void *writer(void *p)
{
    struct writer_arg *w = p;
    struct timespec d = {0, 50 * 1000000L};
    nanosleep(&d, NULL);
    struct asl_store *st = open_ok(w->path);
    make_exec(st, "later");
    asl_store_close(st);
    return NULL;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_change_notification(void)
{
    const char *p = path_in("notify.db");
    struct asl_store *st = open_ok(p);
    uint64_t v0 = 0, v1 = 0;
    CHECK(asl_store_version(st, &v0) == ASL_STORE_OK);
    /* nothing changes: the wait times out */
    double t0 = mono();
    CHECK(asl_store_wait_change(st, v0, 60) == ASL_STORE_NOT_FOUND);
    CHECK(mono() - t0 >= 0.055);
    /* another handle commits: the wait ends soon after */
    struct writer_arg w = {p};
    pthread_t tid;
    pthread_create(&tid, NULL, writer, &w);
    t0 = mono();
    CHECK(asl_store_wait_change(st, v0, 5000) == ASL_STORE_OK);
    CHECK(mono() - t0 < 1.0);
    pthread_join(tid, NULL);
    CHECK(asl_store_version(st, &v1) == ASL_STORE_OK && v1 != v0);
    /* our own commits count too */
    make_exec(st, "mine");
    uint64_t v2 = 0;
    CHECK(asl_store_version(st, &v2) == ASL_STORE_OK && v2 != v1);
    asl_store_close(st);
}

static void test_bad_files(void)
{
    struct asl_store *st = NULL;
    char msg[512];
    /* garbage: refused, untouched */
    const char *p = path_in("corrupt.db");
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 2000; i++)
        fputs("this is not a database ", f);
    fclose(f);
    struct stat before, after;
    stat(p, &before);
    int rc = asl_store_open(p, ASL_STORE_SYNC_FULL, &st, msg, sizeof msg);
    CHECK(rc == ASL_STORE_ECORRUPT && !st);
    CHECK(strstr(msg, "corrupt.db") && strstr(msg, "left untouched"));
    stat(p, &after);
    CHECK(before.st_size == after.st_size && before.st_mtime == after.st_mtime);
    CHECK(access(path_in("corrupt.db-wal"), F_OK) != 0);

    /* somebody else's SQLite database: refused, untouched */
    p = path_in("foreign.db");
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    rc = asl_store_open(p, ASL_STORE_SYNC_FULL, &st, msg, sizeof msg);
    CHECK(rc == ASL_STORE_ECORRUPT && !st && strstr(msg, "not an aslc store"));
    CHECK(access(path_in("foreign.db-wal"), F_OK) != 0);

    /* locked by another writer: a clear "locked" failure after the busy timeout */
    p = path_in("locked.db");
    struct asl_store *tmp = open_ok(p);
    asl_store_close(tmp);
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "BEGIN EXCLUSIVE; INSERT INTO aslc_meta VALUES ('x', 'y');", NULL, NULL, NULL) == SQLITE_OK);
    setenv("ASLC_STORE_BUSY_MS", "100", 1);
    tmp = open_ok(p);
    if (tmp) {
        rc = asl_store_exec_create(tmp, &(struct asl_store_exec){.arn = "l", .name = "l", .sm_arn = "s",
                                                                 .input = "{}", .start_date = 1}, NULL);
        CHECK(rc == ASL_STORE_EBUSY && strstr(asl_store_errmsg(tmp), "locked"));
        asl_store_close(tmp);
    }
    unsetenv("ASLC_STORE_BUSY_MS");
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);

    /* read-only store folder */
    char ro[300];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    mkdir(ro, 0755);
    char rop[320];
    snprintf(rop, sizeof rop, "%s/s.db", ro);
    tmp = open_ok(rop);
    make_exec(tmp, "kept");
    asl_store_close(tmp);
    if (geteuid() != 0) {   /* root writes anywhere: the script tests cover it with a read-only mount */
        chmod(rop, 0444);
        chmod(ro, 0555);
        rc = asl_store_open(rop, ASL_STORE_SYNC_FULL, &st, msg, sizeof msg);
        CHECK(rc == ASL_STORE_EREADONLY || rc == ASL_STORE_OK);
        if (rc == ASL_STORE_OK) {
            /* SQLite may open it; the first write must then fail cleanly */
            int64_t id;
            struct asl_store_exec e = {.arn = "a2", .name = "n", .sm_arn = "s", .input = "{}", .start_date = 1};
            CHECK(asl_store_exec_create(st, &e, &id) == ASL_STORE_EREADONLY);
            asl_store_close(st);
        } else {
            CHECK(strstr(msg, "not writable") != NULL);
        }
        chmod(ro, 0755);
        chmod(rop, 0644);
    }
    tmp = open_ok(rop);
    struct asl_store_exec e = {0};
    CHECK(asl_store_exec_get(tmp, "arn:aws:states:us-east-1:123456789012:execution:sm:kept", &e) == ASL_STORE_OK);
    asl_store_exec_clear(&e);
    asl_store_close(tmp);

    /* read-only opening of a missing store */
    rc = asl_store_open_readonly(path_in("missing.db"), &st, msg, sizeof msg);
    CHECK(rc == ASL_STORE_NOT_FOUND && !st && strstr(msg, "missing.db"));
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/aslc-test-store-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_executions();
    test_events_and_steps();
    test_tokens();
    test_timers();
    test_change_notification();
    test_bad_files();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
