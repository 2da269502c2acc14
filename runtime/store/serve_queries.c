/*
 * serve_queries.c - the API server's tables in the store file (SQLite).
 * See serve_queries.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "serve_queries.h"

struct asl_sq {
    sqlite3 *db;
    char msg[256];
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS serve_meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS serve_activity(pos INTEGER PRIMARY KEY AUTOINCREMENT,"
    " arn TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS serve_tag(arn TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(arn, key));"
    "CREATE TABLE IF NOT EXISTS serve_activity_task(token TEXT PRIMARY KEY, activity TEXT NOT NULL,"
    " exec INTEGER NOT NULL, input TEXT NOT NULL, scheduled REAL NOT NULL, started REAL, worker TEXT,"
    " timeout_s REAL NOT NULL, heartbeat_s REAL NOT NULL);"
    "CREATE INDEX IF NOT EXISTS serve_activity_queue ON serve_activity_task(activity, scheduled)"
    " WHERE started IS NULL;"
    "CREATE TABLE IF NOT EXISTS serve_redrive_token(exec INTEGER NOT NULL, token TEXT NOT NULL,"
    " date REAL NOT NULL, PRIMARY KEY(exec, token));";

static int fail(struct asl_sq *q)
{
    snprintf(q->msg, sizeof q->msg, "%s", sqlite3_errmsg(q->db));
    return ASL_SQ_EIO;
}

int asl_sq_open(const char *path, int full, struct asl_sq **out, char *msg, size_t msgsize)
{
    struct asl_sq *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(msg, msgsize, "out of memory");
        return -1;
    }
    int rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(q->db, 10000);
        char pragmas[128];
        snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;",
                 full ? "FULL" : "NORMAL");
        rc = sqlite3_exec(q->db, pragmas, NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(q->db, schema, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(msg, msgsize, "cannot open the store %s: %s", path,
                 q->db ? sqlite3_errmsg(q->db) : "out of memory");
        sqlite3_close(q->db);
        free(q);
        return -1;
    }
    *out = q;
    return 0;
}

void asl_sq_close(struct asl_sq *q)
{
    if (!q)
        return;
    sqlite3_close(q->db);
    free(q);
}

const char *asl_sq_errmsg(struct asl_sq *q)
{
    return q->msg;
}

static int exec_sql(struct asl_sq *q, const char *sql)
{
    return sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK ? ASL_SQ_OK : fail(q);
}

int asl_sq_begin(struct asl_sq *q)
{
    return exec_sql(q, "BEGIN IMMEDIATE");
}

int asl_sq_commit(struct asl_sq *q)
{
    return exec_sql(q, "COMMIT");
}

int asl_sq_rollback(struct asl_sq *q)
{
    return exec_sql(q, "ROLLBACK");
}

/* Prepare sql and bind text arguments ("t" for text, "d" double, "i" int64,
 * "b" blob+len) described by fmt. */
static sqlite3_stmt *prep(struct asl_sq *q, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(q);
        return NULL;
    }
    return st;
}

/* prep, with text parameter ?1 bound. */
static sqlite3_stmt *prep_text(struct asl_sq *q, const char *sql, const char *arg)
{
    sqlite3_stmt *st = prep(q, sql);
    if (st)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    return st;
}

/* Step to the first row: OK (read it, then finalize), NOT_FOUND, or a failure. */
static int first_row(struct asl_sq *q, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    return rc == SQLITE_ROW ? ASL_SQ_OK : rc == SQLITE_DONE ? ASL_SQ_NOT_FOUND : fail(q);
}

/* Step a statement that returns no rows; SQLITE_CONSTRAINT becomes EXISTS. */
static int run_done(struct asl_sq *q, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int out = rc == SQLITE_DONE ? ASL_SQ_OK
              : (rc & 0xff) == SQLITE_CONSTRAINT ? ASL_SQ_EXISTS
                                                  : fail(q);
    sqlite3_finalize(st);
    return out;
}

int asl_sq_meta_get(struct asl_sq *q, const char *key, void **val, size_t *len)
{
    sqlite3_stmt *st = prep_text(q, "SELECT value FROM serve_meta WHERE key = ?1", key);
    if (!st)
        return ASL_SQ_EIO;
    int rc = sqlite3_step(st), out;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        *val = malloc(n + 1);
        if (*val) {
            if (n)
                memcpy(*val, sqlite3_column_blob(st, 0), n);
            ((char *)*val)[n] = '\0';
        }
        *len = n;
        out = *val ? ASL_SQ_OK : ASL_SQ_EIO;
    } else {
        out = rc == SQLITE_DONE ? ASL_SQ_NOT_FOUND : fail(q);
    }
    sqlite3_finalize(st);
    return out;
}

int asl_sq_meta_put_new(struct asl_sq *q, const char *key, const void *val, size_t len)
{
    sqlite3_stmt *st = prep_text(q, "INSERT INTO serve_meta(key, value) VALUES(?1, ?2)", key);
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_blob(st, 2, val, (int)len, SQLITE_STATIC);
    return run_done(q, st);
}

int asl_sq_activity_create(struct asl_sq *q, const char *arn, const char *name, double now,
                           double *created)
{
    sqlite3_stmt *st = prep_text(q, "INSERT INTO serve_activity(arn, name, created) VALUES(?1, ?2, ?3)", arn);
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, now);
    int rc = run_done(q, st);
    if (rc == ASL_SQ_OK)
        *created = now;
    else if (rc == ASL_SQ_EXISTS && asl_sq_activity_get(q, arn, created) != ASL_SQ_OK)
        return ASL_SQ_EIO;
    return rc;
}

int asl_sq_activity_get(struct asl_sq *q, const char *arn, double *created)
{
    sqlite3_stmt *st = prep_text(q, "SELECT created FROM serve_activity WHERE arn = ?1", arn);
    if (!st)
        return ASL_SQ_EIO;
    int out = first_row(q, st);
    if (out == ASL_SQ_OK) {
        *created = sqlite3_column_double(st, 0);
    }
    sqlite3_finalize(st);
    return out;
}

int asl_sq_activity_delete(struct asl_sq *q, const char *arn)
{
    sqlite3_stmt *st = prep_text(q, "DELETE FROM serve_activity WHERE arn = ?1", arn);
    if (!st)
        return ASL_SQ_EIO;
    int rc = run_done(q, st);
    if (rc == ASL_SQ_OK && sqlite3_changes(q->db) == 0)
        rc = ASL_SQ_NOT_FOUND;
    return rc;
}

int asl_sq_activity_list(struct asl_sq *q, int64_t after, int limit,
                         int (*fn)(void *arg, int64_t pos, const char *arn, const char *name,
                                   double created),
                         void *arg)
{
    sqlite3_stmt *st = prep(q, "SELECT pos, arn, name, created FROM serve_activity WHERE pos > ?1"
                               " ORDER BY pos LIMIT ?2");
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, limit);
    int rc, out = ASL_SQ_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(arg, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2), sqlite3_column_double(st, 3)) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        out = fail(q);
    sqlite3_finalize(st);
    return out;
}

int asl_sq_tags_list(struct asl_sq *q, const char *arn,
                     int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
    sqlite3_stmt *st = prep_text(q, "SELECT key, value FROM serve_tag WHERE arn = ?1 ORDER BY key", arn);
    if (!st)
        return ASL_SQ_EIO;
    int rc, out = ASL_SQ_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(arg, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1)) != 0)
            break;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        out = fail(q);
    sqlite3_finalize(st);
    return out;
}

int asl_sq_tags_count(struct asl_sq *q, const char *arn, int *n)
{
    sqlite3_stmt *st = prep_text(q, "SELECT count(*) FROM serve_tag WHERE arn = ?1", arn);
    if (!st)
        return ASL_SQ_EIO;
    int out = ASL_SQ_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    else
        out = fail(q);
    sqlite3_finalize(st);
    return out;
}

int asl_sq_tag_put(struct asl_sq *q, const char *arn, const char *key, const char *value)
{
    sqlite3_stmt *st = prep_text(q, "INSERT INTO serve_tag(arn, key, value) VALUES(?1, ?2, ?3)"
                               " ON CONFLICT(arn, key) DO UPDATE SET value = excluded.value", arn);
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    return run_done(q, st);
}

int asl_sq_tag_delete(struct asl_sq *q, const char *arn, const char *key)
{
    sqlite3_stmt *st = prep_text(q, "DELETE FROM serve_tag WHERE arn = ?1 AND key = ?2", arn);
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return run_done(q, st);
}

int asl_sq_tags_drop(struct asl_sq *q, const char *arn)
{
    sqlite3_stmt *st = prep_text(q, "DELETE FROM serve_tag WHERE arn = ?1", arn);
    if (!st)
        return ASL_SQ_EIO;
    return run_done(q, st);
}

int asl_sq_exec_list(struct asl_sq *q, const char *sm_arn, int status, int redriven, int64_t before,
                     int limit, int (*fn)(void *arg, const struct asl_sq_exec_item *it), void *arg)
{
    sqlite3_stmt *st = prep_text(q, "SELECT id, arn, name, sm_arn, status, start_date, stop_date,"
                               " redrive_count, redrive_date FROM executions"
                               " WHERE sm_arn = ?1 AND (?2 < 0 OR status = ?2) AND (?3 <= 0 OR id < ?3)"
                               " AND (?4 < 0 OR (redrive_count > 0) = ?4) ORDER BY id DESC LIMIT ?5", sm_arn);
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_int(st, 2, status);
    sqlite3_bind_int64(st, 3, before);
    sqlite3_bind_int(st, 4, redriven);
    sqlite3_bind_int(st, 5, limit);
    int rc, out = ASL_SQ_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct asl_sq_exec_item it = {
            sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            sqlite3_column_int(st, 4), sqlite3_column_double(st, 5), sqlite3_column_double(st, 6),
            sqlite3_column_double(st, 8), sqlite3_column_int(st, 7)};
        if (fn(arg, &it) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        out = fail(q);
    sqlite3_finalize(st);
    return out;
}

int asl_sq_exec_running(struct asl_sq *q, const char *sm_arn, int64_t *n)
{
    sqlite3_stmt *st = prep_text(q, "SELECT count(*) FROM executions WHERE sm_arn = ?1 AND status = 0", sm_arn);
    if (!st)
        return ASL_SQ_EIO;
    int out = ASL_SQ_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        out = fail(q);
    sqlite3_finalize(st);
    return out;
}

int asl_sq_activity_task_add(struct asl_sq *q, const char *token, const char *activity_arn,
                             int64_t exec, const char *input, double now, double timeout_s,
                             double heartbeat_s)
{
    sqlite3_stmt *st = prep_text(q, "INSERT INTO serve_activity_task(token, activity, exec, input, scheduled,"
                               " timeout_s, heartbeat_s) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                               " ON CONFLICT(token) DO NOTHING", token);
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_text(st, 2, activity_arn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, exec);
    sqlite3_bind_text(st, 4, input, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, now);
    sqlite3_bind_double(st, 6, timeout_s);
    sqlite3_bind_double(st, 7, heartbeat_s);
    return run_done(q, st);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

int asl_sq_activity_task_take(struct asl_sq *q, const char *activity_arn, const char *worker, double now,
                              char **token, char **input, int64_t *exec)
{
    *token = *input = NULL;
    if (asl_sq_begin(q) != ASL_SQ_OK)
        return ASL_SQ_EIO;
    /* The oldest queued task whose token is still open. */
    sqlite3_stmt *st = prep(q, "UPDATE serve_activity_task SET started = ?2, worker = ?3 WHERE token ="
                               " (SELECT a.token FROM serve_activity_task a JOIN tokens t ON t.token = a.token"
                               "  WHERE a.activity = ?1 AND a.started IS NULL AND t.state = 0"
                               "  ORDER BY a.scheduled LIMIT 1)"
                               " RETURNING token, input, exec, timeout_s, heartbeat_s");
    int out = ASL_SQ_NOT_FOUND;
    double timeout_s = 0, heartbeat_s = 0;
    if (!st)
        out = ASL_SQ_EIO;
    else {
        sqlite3_bind_text(st, 1, activity_arn, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 2, now);
        if (worker)
            sqlite3_bind_text(st, 3, worker, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 3);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *token = col_dup(st, 0);
            *input = col_dup(st, 1);
            *exec = sqlite3_column_int64(st, 2);
            timeout_s = sqlite3_column_double(st, 3);
            heartbeat_s = sqlite3_column_double(st, 4);
            out = *token && *input ? ASL_SQ_OK : ASL_SQ_EIO;
            rc = sqlite3_step(st);
        }
        if (rc != SQLITE_DONE && out != ASL_SQ_EIO)
            out = fail(q);
        sqlite3_finalize(st);
    }
    if (out == ASL_SQ_OK) {
        /* The task's clocks run from ActivityStarted, and its execution wakes
         * to record that event. */
        st = prep(q, "UPDATE tokens SET timeout_at = CASE WHEN ?2 > 0 THEN ?3 + ?2 ELSE NULL END,"
                     " heartbeat_s = ?4, last_heartbeat = ?3 WHERE token = ?1");
        if (st) {
            sqlite3_bind_text(st, 1, *token, -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 2, timeout_s);
            sqlite3_bind_double(st, 3, now);
            sqlite3_bind_double(st, 4, heartbeat_s);
            out = run_done(q, st);
        } else {
            out = ASL_SQ_EIO;
        }
    }
    if (out == ASL_SQ_OK) {
        st = prep(q, "UPDATE executions SET wake_at = ?2 WHERE id = ?1 AND status = 0");
        if (st) {
            sqlite3_bind_int64(st, 1, *exec);
            sqlite3_bind_double(st, 2, now);
            out = run_done(q, st);
        } else {
            out = ASL_SQ_EIO;
        }
    }
    if (out == ASL_SQ_OK && asl_sq_commit(q) == ASL_SQ_OK)
        return ASL_SQ_OK;
    asl_sq_rollback(q);
    free(*token);
    free(*input);
    *token = *input = NULL;
    return out == ASL_SQ_OK ? ASL_SQ_EIO : out;
}

int asl_sq_activity_task_get(struct asl_sq *q, const char *token, double *started, char **worker)
{
    *worker = NULL;
    sqlite3_stmt *st = prep_text(q, "SELECT started, worker FROM serve_activity_task WHERE token = ?1", token);
    if (!st)
        return ASL_SQ_EIO;
    int out = first_row(q, st);
    if (out == ASL_SQ_OK) {
        *started = sqlite3_column_double(st, 0);
        *worker = col_dup(st, 1);
    }
    sqlite3_finalize(st);
    return out;
}

int asl_sq_activity_task_done(struct asl_sq *q, const char *token)
{
    sqlite3_stmt *st = prep_text(q, "DELETE FROM serve_activity_task WHERE token = ?1", token);
    if (!st)
        return ASL_SQ_EIO;
    return run_done(q, st);
}

int asl_sq_activity_tasks_drop_exec(struct asl_sq *q, int64_t exec)
{
    sqlite3_stmt *st = prep(q, "DELETE FROM serve_activity_task WHERE exec = ?1");
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_int64(st, 1, exec);
    return run_done(q, st);
}

int asl_sq_redrive_token_get(struct asl_sq *q, int64_t exec, const char *token, double since, double *date)
{
    sqlite3_stmt *st = prep(q, "SELECT date FROM serve_redrive_token WHERE exec = ?1 AND token = ?2"
                               " AND date >= ?3");
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_int64(st, 1, exec);
    sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, since);
    int out = first_row(q, st);
    if (out == ASL_SQ_OK) {
        *date = sqlite3_column_double(st, 0);
    }
    sqlite3_finalize(st);
    return out;
}

int asl_sq_redrive_token_put(struct asl_sq *q, int64_t exec, const char *token, double date)
{
    sqlite3_stmt *st = prep(q, "INSERT INTO serve_redrive_token(exec, token, date) VALUES(?1, ?2, ?3)"
                               " ON CONFLICT(exec, token) DO UPDATE SET date = excluded.date");
    if (!st)
        return ASL_SQ_EIO;
    sqlite3_bind_int64(st, 1, exec);
    sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, date);
    return run_done(q, st);
}
