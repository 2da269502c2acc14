/*
 * store_sqlite.c - the SQLite backend of store.h: one file in WAL mode.
 *
 * Durability: WAL with synchronous=NORMAL; in ASL_STORE_SYNC_FULL a
 * commit is followed by an fsync of the WAL (what synchronous=FULL does),
 * which commit_lazy defers to a later sync; ASL_STORE_SYNC_PROCESS leaves
 * the WAL to the OS.  Any number of processes may open the file; SQLite's
 * locks serialise writers
 * (busy_timeout, $ASLC_STORE_BUSY_MS, default 5000 ms, before "locked").
 * Other processes learn of a commit from PRAGMA data_version, waited for
 * with inotify on the database's folder (and a 20 ms poll besides, so a
 * missing inotify only costs latency).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

#define SCHEMA_VERSION "1"
#define NSTMT 64

struct sq_store {
    struct asl_store base;
    sqlite3 *db;
    char *path;
    int in_txn;
    int sync;                   /* enum asl_store_sync */
    sqlite3_int64 synced;       /* sqlite3_total_changes64 at the last WAL fsync */
    int inotify_fd;             /* -1 until first wait, -2 when unavailable */
    char msg[512];
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[NSTMT];
};

static struct sq_store *SQ(struct asl_store *st) { return (struct sq_store *)st; }

static int code_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ASL_STORE_EBUSY;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        return ASL_STORE_EREADONLY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ASL_STORE_ECORRUPT;
    default:
        return ASL_STORE_EIO;
    }
}

static const char *advice(int code)
{
    switch (code) {
    case ASL_STORE_EBUSY: return " (another process holds the store locked; try again when it is done)";
    case ASL_STORE_EREADONLY: return " (the store file or its folder is not writable)";
    case ASL_STORE_ECORRUPT: return " (the file is not an aslc store or is damaged; it was left untouched)";
    default: return "";
    }
}

/* Record a failure in words and return its code. */
static int fail(struct sq_store *s, int rc, const char *what)
{
    int code = code_of(rc);
    snprintf(s->msg, sizeof s->msg, "store %s: %s: %s%s", s->path, what,
             s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), advice(code));
    return code;
}

static sqlite3_stmt *prep(struct sq_store *s, const char *sql)
{
    int free_slot = -1;
    for (int i = 0; i < NSTMT; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].stmt);
            sqlite3_clear_bindings(s->cache[i].stmt);
            return s->cache[i].stmt;
        }
        if (!s->cache[i].sql && free_slot < 0)
            free_slot = i;
    }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK) {
        fail(s, rc, "preparing a statement");
        return NULL;
    }
    if (free_slot >= 0) {
        s->cache[free_slot].sql = sql;
        s->cache[free_slot].stmt = stmt;
    }
    return stmt;
}

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

static void bind_time(sqlite3_stmt *q, int i, double t)
{
    if (t > 0)
        sqlite3_bind_double(q, i, t);
    else
        sqlite3_bind_null(q, i);
}

static char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

/* Run one statement to completion (no rows wanted). */
static int step_done(struct sq_store *s, sqlite3_stmt *q, const char *what)
{
    if (!q)
        return ASL_STORE_EIO;
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return ASL_STORE_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return ASL_STORE_EXISTS;
    return fail(s, rc, what);
}

static int exec_sql(struct sq_store *s, const char *sql, const char *what)
{
    char *err = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);
    sqlite3_free(err);
    return rc == SQLITE_OK ? ASL_STORE_OK : fail(s, rc, what);
}

/* ------------------------------------------------------- transactions */

static int sq_begin(struct asl_store *st)
{
    struct sq_store *s = SQ(st);
    if (s->in_txn)
        return ASL_STORE_OK;
    int rc = exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction");
    if (rc == ASL_STORE_OK)
        s->in_txn = 1;
    return rc;
}

/* In full mode the connection runs synchronous=NORMAL and a commit is
 * followed by an fsync of the WAL: what synchronous=FULL does, with the
 * fsync separable (sq_commit_lazy, then sq_sync).  The WAL is one file
 * written in order, so one fsync covers every commit before it. */
static int sq_sync(struct asl_store *st)
{
    struct sq_store *s = SQ(st);
    sqlite3_int64 changes = sqlite3_total_changes64(s->db);
    if (s->sync == ASL_STORE_SYNC_PROCESS || changes == s->synced)
        return ASL_STORE_OK;    /* nothing written since the last fsync */
    sqlite3_file *wal = NULL;
    int rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
    if (rc != SQLITE_OK)
        return fail(s, rc, "syncing");
    if (!wal || !wal->pMethods)
        return ASL_STORE_OK;    /* no WAL open: nothing was written */
    rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    if (rc != SQLITE_OK)
        return fail(s, rc, "syncing the write-ahead log");
    s->synced = changes;
    return ASL_STORE_OK;
}

/* A commit that survives a process crash (the WAL is written, not yet
 * fsynced). */
static int sq_commit_lazy(struct asl_store *st)
{
    struct sq_store *s = SQ(st);
    if (!s->in_txn)
        return ASL_STORE_OK;
    int rc = exec_sql(s, "COMMIT", "committing");
    if (rc == ASL_STORE_OK)
        s->in_txn = 0;
    return rc;
}

static int sq_commit(struct asl_store *st)
{
    struct sq_store *s = SQ(st);
    if (!s->in_txn)
        return ASL_STORE_OK;
    int rc = sq_commit_lazy(st);
    return rc == ASL_STORE_OK ? sq_sync(st) : rc;
}

static int sq_rollback(struct asl_store *st)
{
    struct sq_store *s = SQ(st);
    if (!s->in_txn)
        return ASL_STORE_OK;
    s->in_txn = 0;
    return exec_sql(s, "ROLLBACK", "rolling back");
}

/* A write that must be atomic on its own: inside the caller's transaction
 * when there is one, else in its own.  `inner` says whether we opened it. */
static int txn_enter(struct sq_store *s, int *inner)
{
    *inner = !s->in_txn;
    return *inner ? sq_begin(&s->base) : ASL_STORE_OK;
}

static int txn_leave(struct sq_store *s, int inner, int rc)
{
    if (!inner)
        return rc;
    if (rc < 0) {
        sq_rollback(&s->base);
        return rc;
    }
    int c = sq_commit(&s->base);
    return c < 0 ? c : rc;
}

static int sq_version(struct asl_store *st, uint64_t *out)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "PRAGMA data_version");
    if (!q)
        return ASL_STORE_EIO;
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(q);
        return fail(s, rc, "reading the data version");
    }
    uint64_t dv = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    /* data_version moves on other connections' commits, total_changes on ours */
    *out = dv << 32 ^ (uint64_t)sqlite3_total_changes64(s->db);
    return ASL_STORE_OK;
}

static void watch_start(struct sq_store *s)
{
    s->inotify_fd = -2;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", s->path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (inotify_add_watch(fd, dir, IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE) < 0) {
        close(fd);
        return;
    }
    s->inotify_fd = fd;
}

static int sq_wait_change(struct asl_store *st, uint64_t since, int timeout_ms)
{
    struct sq_store *s = SQ(st);
    if (s->inotify_fd == -1)
        watch_start(s);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        uint64_t v;
        int rc = sq_version(st, &v);
        if (rc != ASL_STORE_OK)
            return rc;
        if (v != since)
            return ASL_STORE_OK;
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long spent = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= timeout_ms)
            return ASL_STORE_NOT_FOUND;
        int slice = timeout_ms - (int)spent;
        if (slice > 20)
            slice = 20;
        if (s->inotify_fd >= 0) {
            struct pollfd p = {.fd = s->inotify_fd, .events = POLLIN};
            if (poll(&p, 1, slice) > 0) {
                char buf[4096];
                while (read(s->inotify_fd, buf, sizeof buf) > 0)
                    ;
            }
        } else {
            struct timespec d = {0, (long)slice * 1000000L};
            nanosleep(&d, NULL);
        }
    }
}

/* ---------------------------------------------------------- executions */

#define EXEC_COLS "id, arn, name, sm_arn, input, status, output, error, cause, start_date, " \
                  "stop_date, redrive_count, redrive_date, owner, wake_at"

static void read_exec(sqlite3_stmt *q, struct asl_store_exec *e)
{
    e->id = sqlite3_column_int64(q, 0);
    e->arn = col_text(q, 1);
    e->name = col_text(q, 2);
    e->sm_arn = col_text(q, 3);
    e->input = col_text(q, 4);
    e->status = sqlite3_column_int(q, 5);
    e->output = col_text(q, 6);
    e->error = col_text(q, 7);
    e->cause = col_text(q, 8);
    e->start_date = sqlite3_column_double(q, 9);
    e->stop_date = sqlite3_column_double(q, 10);
    e->redrive_count = sqlite3_column_int(q, 11);
    e->redrive_date = sqlite3_column_double(q, 12);
    e->owner = col_text(q, 13);
    e->wake_at = sqlite3_column_double(q, 14);
}

static int sq_exec_create(struct asl_store *st, const struct asl_store_exec *e, int64_t *id)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "INSERT INTO executions (arn, name, sm_arn, input, status, output, error, "
                              "cause, start_date, stop_date, redrive_count, redrive_date) "
                              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!q)
        return ASL_STORE_EIO;
    bind_text(q, 1, e->arn);
    bind_text(q, 2, e->name);
    bind_text(q, 3, e->sm_arn);
    bind_text(q, 4, e->input ? e->input : "{}");
    sqlite3_bind_int(q, 5, e->status);
    bind_text(q, 6, e->output);
    bind_text(q, 7, e->error);
    bind_text(q, 8, e->cause);
    sqlite3_bind_double(q, 9, e->start_date);
    bind_time(q, 10, e->stop_date);
    sqlite3_bind_int(q, 11, e->redrive_count);
    bind_time(q, 12, e->redrive_date);
    int rc = step_done(s, q, "creating an execution");
    if (rc == ASL_STORE_OK && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int get_one(struct sq_store *s, sqlite3_stmt *q, struct asl_store_exec *out)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        read_exec(q, out);
        sqlite3_reset(q);
        return ASL_STORE_OK;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ASL_STORE_NOT_FOUND : fail(s, rc, "reading an execution");
}

static int sq_exec_get(struct asl_store *st, const char *arn, struct asl_store_exec *out)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT " EXEC_COLS " FROM executions WHERE arn = ?");
    if (!q)
        return ASL_STORE_EIO;
    bind_text(q, 1, arn);
    return get_one(s, q, out);
}

static int sq_exec_get_id(struct asl_store *st, int64_t id, struct asl_store_exec *out)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT " EXEC_COLS " FROM executions WHERE id = ?");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, id);
    return get_one(s, q, out);
}

static int sq_exec_list(struct asl_store *st, const char *sm_arn, int status, int64_t after_id, int limit,
                        int (*fn)(void *arg, const struct asl_store_exec *e), void *arg)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT " EXEC_COLS " FROM executions WHERE (?1 IS NULL OR sm_arn = ?1) "
                              "AND (?2 < 0 OR status = ?2) AND id > ?3 ORDER BY id LIMIT ?4");
    if (!q)
        return ASL_STORE_EIO;
    bind_text(q, 1, sm_arn);
    sqlite3_bind_int(q, 2, status);
    sqlite3_bind_int64(q, 3, after_id);
    sqlite3_bind_int(q, 4, limit > 0 ? limit : -1);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct asl_store_exec e = {0};
        read_exec(q, &e);
        int stop = fn(arg, &e);
        asl_store_exec_clear(&e);
        if (stop) {
            sqlite3_reset(q);
            return stop;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ASL_STORE_OK : fail(s, rc, "listing executions");
}

static int changed_one(struct sq_store *s, int rc)
{
    if (rc != ASL_STORE_OK)
        return rc;
    return sqlite3_changes(s->db) > 0 ? ASL_STORE_OK : ASL_STORE_CONFLICT;
}

static int sq_exec_close(struct asl_store *st, int64_t id, int status, const char *output,
                         const char *error, const char *cause, double stop_date)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, "
                              "stop_date = ?, owner = NULL, wake_at = NULL WHERE id = ? AND status = 0");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int(q, 1, status);
    bind_text(q, 2, output);
    bind_text(q, 3, error);
    bind_text(q, 4, cause);
    bind_time(q, 5, stop_date);
    sqlite3_bind_int64(q, 6, id);
    return changed_one(s, step_done(s, q, "closing an execution"));
}

static int sq_exec_redrive(struct asl_store *st, int64_t id, double date, int *count)
{
    struct sq_store *s = SQ(st);
    int inner, rc = txn_enter(s, &inner);
    if (rc != ASL_STORE_OK)
        return rc;
    sqlite3_stmt *q = prep(s, "UPDATE executions SET status = 0, output = NULL, error = NULL, cause = NULL, "
                              "stop_date = NULL, redrive_count = redrive_count + 1, redrive_date = ? "
                              "WHERE id = ? AND status NOT IN (0, 1)");
    if (!q)
        return txn_leave(s, inner, ASL_STORE_EIO);
    sqlite3_bind_double(q, 1, date);
    sqlite3_bind_int64(q, 2, id);
    rc = changed_one(s, step_done(s, q, "redriving an execution"));
    if (rc == ASL_STORE_OK && count) {
        q = prep(s, "SELECT redrive_count FROM executions WHERE id = ?");
        if (!q)
            return txn_leave(s, inner, ASL_STORE_EIO);
        sqlite3_bind_int64(q, 1, id);
        *count = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
        sqlite3_reset(q);
    }
    return txn_leave(s, inner, rc);
}

static int sq_exec_claim(struct asl_store *st, int64_t id, const char *expect, const char *owner)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "UPDATE executions SET owner = ?1 WHERE id = ?2 AND owner IS ?3");
    if (!q)
        return ASL_STORE_EIO;
    bind_text(q, 1, owner);
    sqlite3_bind_int64(q, 2, id);
    bind_text(q, 3, expect);
    return changed_one(s, step_done(s, q, "claiming an execution"));
}

static int sq_exec_set_wake(struct asl_store *st, int64_t id, double wake_at)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "UPDATE executions SET wake_at = ? WHERE id = ?");
    if (!q)
        return ASL_STORE_EIO;
    bind_time(q, 1, wake_at);
    sqlite3_bind_int64(q, 2, id);
    return changed_one(s, step_done(s, q, "setting a timer"));
}

static int sq_exec_due(struct asl_store *st, double now, int limit,
                       int (*fn)(void *arg, int64_t id, double wake_at), void *arg)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT id, wake_at FROM executions WHERE wake_at IS NOT NULL AND "
                              "wake_at <= ? AND status = 0 ORDER BY wake_at LIMIT ?");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_double(q, 1, now);
    sqlite3_bind_int(q, 2, limit > 0 ? limit : -1);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int stop = fn(arg, sqlite3_column_int64(q, 0), sqlite3_column_double(q, 1));
        if (stop) {
            sqlite3_reset(q);
            return stop;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ASL_STORE_OK : fail(s, rc, "reading timers");
}

/* -------------------------------------------------------------- events */

static int sq_event_append(struct asl_store *st, int64_t exec, const struct asl_store_event *ev)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "INSERT INTO events (exec, id, prev, ts, type, json, key) VALUES (?,?,?,?,?,?,?)");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    sqlite3_bind_int64(q, 2, ev->id);
    sqlite3_bind_int64(q, 3, ev->prev);
    sqlite3_bind_double(q, 4, ev->timestamp);
    bind_text(q, 5, ev->type);
    bind_text(q, 6, ev->json);
    bind_text(q, 7, ev->key);
    return step_done(s, q, "appending a history event");
}

static int sq_event_read(struct asl_store *st, int64_t exec, long after, int reverse, int limit,
                         int (*fn)(void *arg, const struct asl_store_event *ev), void *arg)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = reverse
        ? prep(s, "SELECT id, prev, ts, type, json, key FROM events WHERE exec = ?1 AND "
                  "(?2 <= 0 OR id < ?2) ORDER BY id DESC LIMIT ?3")
        : prep(s, "SELECT id, prev, ts, type, json, key FROM events WHERE exec = ?1 AND id > ?2 "
                  "ORDER BY id LIMIT ?3");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    sqlite3_bind_int64(q, 2, after);
    sqlite3_bind_int(q, 3, limit > 0 ? limit : -1);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct asl_store_event ev = {
            .id = (long)sqlite3_column_int64(q, 0),
            .prev = (long)sqlite3_column_int64(q, 1),
            .timestamp = sqlite3_column_double(q, 2),
            .type = (const char *)sqlite3_column_text(q, 3),
            .json = (const char *)sqlite3_column_text(q, 4),
            .key = (const char *)sqlite3_column_text(q, 5),
        };
        int stop = fn(arg, &ev);
        if (stop) {
            sqlite3_reset(q);
            return stop;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ASL_STORE_OK : fail(s, rc, "reading history events");
}

static int sq_event_last(struct asl_store *st, int64_t exec, long *id)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT coalesce(max(id), 0) FROM events WHERE exec = ?");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    int rc = sqlite3_step(q);
    *id = rc == SQLITE_ROW ? (long)sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? ASL_STORE_OK : fail(s, rc, "reading history events");
}

/* --------------------------------------------------------------- steps */

static int sq_step_put(struct asl_store *st, int64_t exec, const char *key, const char *value)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "INSERT OR REPLACE INTO steps (exec, key, value) VALUES (?,?,?)");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    bind_text(q, 2, key);
    bind_text(q, 3, value);
    return step_done(s, q, "recording a step");
}

static int sq_step_get(struct asl_store *st, int64_t exec, const char *key, char **value)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT value FROM steps WHERE exec = ? AND key = ?");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    bind_text(q, 2, key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *value = col_text(q, 0);
        sqlite3_reset(q);
        return ASL_STORE_OK;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ASL_STORE_NOT_FOUND : fail(s, rc, "reading a step");
}

static int sq_step_all(struct asl_store *st, int64_t exec,
                       int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT key, value FROM steps WHERE exec = ?");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int stop = fn(arg, (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1));
        if (stop) {
            sqlite3_reset(q);
            return stop;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ASL_STORE_OK : fail(s, rc, "reading steps");
}

/* A statement of the form "... exec = ?1 ... ?2" run to completion. */
static int run_exec_text(struct sq_store *s, const char *sql, int64_t exec, const char *text, const char *what)
{
    sqlite3_stmt *q = prep(s, sql);
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    bind_text(q, 2, text);
    return step_done(s, q, what);
}

static int sq_step_delete_prefix(struct asl_store *st, int64_t exec, const char *prefix)
{
    return run_exec_text(SQ(st), "DELETE FROM steps WHERE exec = ?1 AND substr(key, 1, length(?2)) = ?2",
                         exec, prefix ? prefix : "", "forgetting steps");
}

static int sq_step_delete(struct asl_store *st, int64_t exec, const char *key)
{
    return run_exec_text(SQ(st), "DELETE FROM steps WHERE exec = ?1 AND key = ?2", exec, key,
                         "forgetting a step");
}

static int sq_event_unkey(struct asl_store *st, int64_t exec, const char *key)
{
    return run_exec_text(SQ(st), "UPDATE events SET key = NULL WHERE exec = ?1 AND key = ?2", exec, key,
                         "detaching an event");
}

/* -------------------------------------------------------------- tokens */

#define TOKEN_COLS "token, exec, key, state, output, error, cause, created, timeout_at, heartbeat_s, last_heartbeat"

static int sq_token_create(struct asl_store *st, const struct asl_store_token *t)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "INSERT INTO tokens (" TOKEN_COLS ") VALUES (?,?,?,0,NULL,NULL,NULL,?,?,?,?)");
    if (!q)
        return ASL_STORE_EIO;
    bind_text(q, 1, t->token);
    sqlite3_bind_int64(q, 2, t->exec_id);
    bind_text(q, 3, t->key);
    sqlite3_bind_double(q, 4, t->created);
    bind_time(q, 5, t->timeout_at);
    sqlite3_bind_double(q, 6, t->heartbeat_s);
    sqlite3_bind_double(q, 7, t->last_heartbeat > 0 ? t->last_heartbeat : t->created);
    return step_done(s, q, "recording a task token");
}

static int sq_token_get(struct asl_store *st, const char *token, struct asl_store_token *out)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT " TOKEN_COLS " FROM tokens WHERE token = ?");
    if (!q)
        return ASL_STORE_EIO;
    bind_text(q, 1, token);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->token = col_text(q, 0);
        out->exec_id = sqlite3_column_int64(q, 1);
        out->key = col_text(q, 2);
        out->state = sqlite3_column_int(q, 3);
        out->output = col_text(q, 4);
        out->error = col_text(q, 5);
        out->cause = col_text(q, 6);
        out->created = sqlite3_column_double(q, 7);
        out->timeout_at = sqlite3_column_double(q, 8);
        out->heartbeat_s = sqlite3_column_double(q, 9);
        out->last_heartbeat = sqlite3_column_double(q, 10);
        sqlite3_reset(q);
        return ASL_STORE_OK;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ASL_STORE_NOT_FOUND : fail(s, rc, "reading a task token");
}

/* Inside a transaction: the token's state for an answer at `now`, moving
 * an expired token to TIMED_OUT.  Returns the outcome, or a failure. */
static int token_check(struct sq_store *s, const char *token, double now, int64_t *exec)
{
    struct asl_store_token t = {0};
    int rc = sq_token_get(&s->base, token, &t);
    if (rc == ASL_STORE_NOT_FOUND)
        return asl_store_token_well_formed(token) ? ASL_SEND_DOES_NOT_EXIST : ASL_SEND_INVALID_TOKEN;
    if (rc != ASL_STORE_OK)
        return rc;
    int outcome = ASL_SEND_OK;
    *exec = t.exec_id;
    if (t.state != ASL_TOKEN_OPEN) {
        outcome = ASL_SEND_TIMED_OUT;
    } else if ((t.timeout_at > 0 && now >= t.timeout_at) ||
               (t.heartbeat_s > 0 && now >= t.last_heartbeat + t.heartbeat_s)) {
        sqlite3_stmt *q = prep(s, "UPDATE tokens SET state = 3 WHERE token = ? AND state = 0");
        if (!q) {
            asl_store_token_clear(&t);
            return ASL_STORE_EIO;
        }
        bind_text(q, 1, token);
        rc = step_done(s, q, "expiring a task token");
        outcome = rc == ASL_STORE_OK ? ASL_SEND_TIMED_OUT : rc;
    } else {
        sqlite3_stmt *q = prep(s, "SELECT status FROM executions WHERE id = ?");
        if (!q) {
            asl_store_token_clear(&t);
            return ASL_STORE_EIO;
        }
        sqlite3_bind_int64(q, 1, t.exec_id);
        int r = sqlite3_step(q);
        if (r != SQLITE_ROW)
            outcome = ASL_SEND_DOES_NOT_EXIST;
        else if (sqlite3_column_int(q, 0) != ASL_EXEC_RUNNING)
            outcome = ASL_SEND_TIMED_OUT;
        sqlite3_reset(q);
    }
    asl_store_token_clear(&t);
    return outcome;
}

static int sq_token_finish(struct asl_store *st, const char *token, int state, const char *output,
                           const char *error, const char *cause, double now, int *outcome)
{
    struct sq_store *s = SQ(st);
    if (state == ASL_TOKEN_SUCCEEDED && asl_store_check_output(output) != ASL_SEND_OK) {
        *outcome = ASL_SEND_INVALID_OUTPUT;
        return ASL_STORE_OK;
    }
    int inner, rc = txn_enter(s, &inner);
    if (rc != ASL_STORE_OK)
        return rc;
    int64_t exec = 0;
    int o = token_check(s, token, now, &exec);
    if (o < 0)
        return txn_leave(s, inner, o);
    if (o == ASL_SEND_OK || (o == ASL_SEND_TIMED_OUT && state >= ASL_TOKEN_TIMED_OUT && exec)) {
        /* The runtime ending a token it owns (its own timeout, or the task
         * ended) is never refused. */
        sqlite3_stmt *q = prep(s, "UPDATE tokens SET state = ?, output = ?, error = ?, cause = ? "
                                  "WHERE token = ? AND state IN (0, 3)");
        if (!q)
            return txn_leave(s, inner, ASL_STORE_EIO);
        sqlite3_bind_int(q, 1, state);
        bind_text(q, 2, state == ASL_TOKEN_SUCCEEDED ? output : NULL);
        bind_text(q, 3, state == ASL_TOKEN_FAILED ? error : NULL);
        bind_text(q, 4, state == ASL_TOKEN_FAILED ? cause : NULL);
        bind_text(q, 5, token);
        rc = step_done(s, q, "answering a task token");
        int changed = rc == ASL_STORE_OK && sqlite3_changes(s->db) > 0;
        if (changed && o == ASL_SEND_OK && state <= ASL_TOKEN_FAILED) {
            q = prep(s, "UPDATE executions SET wake_at = ? WHERE id = ? AND status = 0");
            if (!q)
                return txn_leave(s, inner, ASL_STORE_EIO);
            sqlite3_bind_double(q, 1, now);
            sqlite3_bind_int64(q, 2, exec);
            rc = step_done(s, q, "waking an execution");
        }
        if (rc != ASL_STORE_OK)
            return txn_leave(s, inner, rc);
        o = changed ? ASL_SEND_OK : ASL_SEND_TIMED_OUT;
    }
    *outcome = o;
    return txn_leave(s, inner, ASL_STORE_OK);
}

static int sq_token_heartbeat(struct asl_store *st, const char *token, double now, int *outcome)
{
    struct sq_store *s = SQ(st);
    int inner, rc = txn_enter(s, &inner);
    if (rc != ASL_STORE_OK)
        return rc;
    int64_t exec = 0;
    int o = token_check(s, token, now, &exec);
    if (o < 0)
        return txn_leave(s, inner, o);
    if (o == ASL_SEND_OK) {
        sqlite3_stmt *q = prep(s, "UPDATE tokens SET last_heartbeat = ? WHERE token = ? AND state = 0");
        if (!q)
            return txn_leave(s, inner, ASL_STORE_EIO);
        sqlite3_bind_double(q, 1, now);
        bind_text(q, 2, token);
        rc = step_done(s, q, "recording a heartbeat");
        if (rc != ASL_STORE_OK)
            return txn_leave(s, inner, rc);
    }
    *outcome = o;
    return txn_leave(s, inner, ASL_STORE_OK);
}

static int sq_token_close_exec(struct asl_store *st, int64_t exec)
{
    struct sq_store *s = SQ(st);
    sqlite3_stmt *q = prep(s, "UPDATE tokens SET state = 4 WHERE exec = ? AND state = 0");
    if (!q)
        return ASL_STORE_EIO;
    sqlite3_bind_int64(q, 1, exec);
    return step_done(s, q, "closing task tokens");
}

/* -------------------------------------------------------- open / close */

static const char *sq_errmsg(struct asl_store *st) { return SQ(st)->msg; }

static void sq_close(struct asl_store *st)
{
    struct sq_store *s = SQ(st);
    if (s->in_txn)
        sq_rollback(st);
    for (int i = 0; i < NSTMT; i++)
        sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close(s->db);
    if (s->inotify_fd >= 0)
        close(s->inotify_fd);
    free(s->path);
    free(s);
}

static const struct asl_store_ops sqlite_ops = {
    .backend = "sqlite",
    .close = sq_close,
    .errmsg = sq_errmsg,
    .begin = sq_begin,
    .commit = sq_commit,
    .commit_lazy = sq_commit_lazy,
    .sync = sq_sync,
    .rollback = sq_rollback,
    .version = sq_version,
    .wait_change = sq_wait_change,
    .exec_create = sq_exec_create,
    .exec_get = sq_exec_get,
    .exec_get_id = sq_exec_get_id,
    .exec_list = sq_exec_list,
    .exec_close = sq_exec_close,
    .exec_redrive = sq_exec_redrive,
    .exec_claim = sq_exec_claim,
    .exec_set_wake = sq_exec_set_wake,
    .exec_due = sq_exec_due,
    .event_append = sq_event_append,
    .event_read = sq_event_read,
    .event_last = sq_event_last,
    .step_put = sq_step_put,
    .step_get = sq_step_get,
    .step_all = sq_step_all,
    .step_delete_prefix = sq_step_delete_prefix,
    .step_delete = sq_step_delete,
    .event_unkey = sq_event_unkey,
    .token_create = sq_token_create,
    .token_get = sq_token_get,
    .token_finish = sq_token_finish,
    .token_heartbeat = sq_token_heartbeat,
    .token_close_exec = sq_token_close_exec,
};

/* events is a rowid table: its rows (the HistoryEvent text, often a few
 * KB) are appended in rowid order and stay on their leaf pages; stores
 * made before, with events WITHOUT ROWID (rows of more than ~1 KB spill to
 * overflow pages there), are read and written by the same statements. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS aslc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS executions ("
    " id INTEGER PRIMARY KEY, arn TEXT NOT NULL UNIQUE, name TEXT NOT NULL, sm_arn TEXT NOT NULL,"
    " input TEXT NOT NULL, status INTEGER NOT NULL, output TEXT, error TEXT, cause TEXT,"
    " start_date REAL NOT NULL, stop_date REAL, redrive_count INTEGER NOT NULL DEFAULT 0,"
    " redrive_date REAL, owner TEXT, wake_at REAL);"
    "CREATE INDEX IF NOT EXISTS executions_sm ON executions (sm_arn, id);"
    "CREATE INDEX IF NOT EXISTS executions_wake ON executions (wake_at) WHERE wake_at IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS events ("
    " exec INTEGER NOT NULL, id INTEGER NOT NULL, prev INTEGER NOT NULL, ts REAL NOT NULL,"
    " type TEXT NOT NULL, json TEXT NOT NULL, key TEXT, PRIMARY KEY (exec, id));"
    "CREATE TABLE IF NOT EXISTS steps ("
    " exec INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (exec, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS tokens ("
    " token TEXT PRIMARY KEY, exec INTEGER NOT NULL, key TEXT, state INTEGER NOT NULL, output TEXT,"
    " error TEXT, cause TEXT, created REAL NOT NULL, timeout_at REAL, heartbeat_s REAL NOT NULL,"
    " last_heartbeat REAL NOT NULL);"
    "CREATE INDEX IF NOT EXISTS tokens_exec ON tokens (exec) WHERE state = 0;"
    "INSERT OR IGNORE INTO aslc_meta (key, value) VALUES ('schema', '" SCHEMA_VERSION "');";

/* 1 when the file is an aslc store of our schema, 0 when it is empty
 * (new), -1 when it is some other database. */
static int check_format(struct sq_store *s)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT count(*), sum(name = 'aslc_meta') FROM sqlite_master", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(s, rc, "reading the schema");
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        return fail(s, rc, "reading the schema");
    }
    int n = sqlite3_column_int(q, 0), ours = sqlite3_column_int(q, 1);
    sqlite3_finalize(q);
    if (n == 0)
        return 0;
    if (!ours) {
        snprintf(s->msg, sizeof s->msg, "store %s: this SQLite database is not an aslc store%s", s->path,
                 advice(ASL_STORE_ECORRUPT));
        return ASL_STORE_ECORRUPT;
    }
    rc = sqlite3_prepare_v2(s->db, "SELECT value FROM aslc_meta WHERE key = 'schema'", -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(s, rc, "reading the schema");
    const char *v = sqlite3_step(q) == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
    int same = v && strcmp(v, SCHEMA_VERSION) == 0;
    if (!same)
        snprintf(s->msg, sizeof s->msg, "store %s: schema version %s, this binary reads version %s", s->path,
                 v ? v : "(none)", SCHEMA_VERSION);
    sqlite3_finalize(q);
    return same ? 1 : ASL_STORE_ECORRUPT;
}

static int open_common(const char *path, int flags, int sync, struct asl_store **out, char *msg, size_t msgsize)
{
    *out = NULL;
    struct sq_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(msg, msgsize, "store %s: out of memory", path);
        return ASL_STORE_EIO;
    }
    s->base.ops = &sqlite_ops;
    s->path = strdup(path);
    s->inotify_fd = -1;
    s->sync = sync;
    int rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    int code = ASL_STORE_OK;
    if (rc != SQLITE_OK) {
        code = fail(s, rc, "cannot open");
        goto bad;
    }
    const char *busy = getenv("ASLC_STORE_BUSY_MS");
    sqlite3_busy_timeout(s->db, busy ? atoi(busy) : 5000);
    sqlite3_extended_result_codes(s->db, 0);
    int fmt = check_format(s);
    if (fmt < 0) {
        code = fmt;
        goto bad;
    }
    if (!(flags & SQLITE_OPEN_READONLY)) {
        char pragmas[160];
        snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        if ((code = exec_sql(s, pragmas, "setting up")) != ASL_STORE_OK)
            goto bad;
        if (fmt == 0 && (code = exec_sql(s, "BEGIN IMMEDIATE;", "creating the schema")) == ASL_STORE_OK) {
            code = exec_sql(s, schema, "creating the schema");
            code = code == ASL_STORE_OK ? exec_sql(s, "COMMIT", "creating the schema")
                                        : (exec_sql(s, "ROLLBACK", "creating the schema"), code);
        }
        if (code != ASL_STORE_OK)
            goto bad;
    } else if (fmt == 0) {
        snprintf(s->msg, sizeof s->msg, "store %s: no such store (it holds no executions)", path);
        code = ASL_STORE_NOT_FOUND;
        goto bad;
    }
    *out = &s->base;
    return ASL_STORE_OK;
bad:
    snprintf(msg, msgsize, "%s", s->msg[0] ? s->msg : "cannot open the store");
    sq_close(&s->base);
    return code;
}

int asl_store_open(const char *path, int sync, struct asl_store **out, char *msg, size_t msgsize)
{
    return open_common(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, sync, out, msg, msgsize);
}

int asl_store_open_readonly(const char *path, struct asl_store **out, char *msg, size_t msgsize)
{
    if (access(path, F_OK) != 0) {
        snprintf(msg, msgsize, "store %s: %s", path, strerror(errno));
        *out = NULL;
        return ASL_STORE_NOT_FOUND;
    }
    return open_common(path, SQLITE_OPEN_READONLY, ASL_STORE_SYNC_FULL, out, msg, msgsize);
}
