/*
 * store.c - the backend-independent half of store.h: the calls through
 * the vtable, status names, task tokens and AWS's SendTask* errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "store.h"

static const char *const status_names[] = {
    [ASL_EXEC_RUNNING] = "RUNNING",       [ASL_EXEC_SUCCEEDED] = "SUCCEEDED",
    [ASL_EXEC_FAILED] = "FAILED",         [ASL_EXEC_TIMED_OUT] = "TIMED_OUT",
    [ASL_EXEC_ABORTED] = "ABORTED",       [ASL_EXEC_PENDING_REDRIVE] = "PENDING_REDRIVE",
};

const char *asl_store_status_name(int status)
{
    if (status < 0 || status >= (int)(sizeof status_names / sizeof status_names[0]))
        return NULL;
    return status_names[status];
}

int asl_store_status_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof status_names / sizeof status_names[0]); i++)
        if (name && strcmp(name, status_names[i]) == 0)
            return i;
    return -1;
}

void asl_store_exec_clear(struct asl_store_exec *e)
{
    free(e->arn);
    free(e->name);
    free(e->sm_arn);
    free(e->input);
    free(e->output);
    free(e->error);
    free(e->cause);
    free(e->owner);
    memset(e, 0, sizeof *e);
}

void asl_store_token_clear(struct asl_store_token *t)
{
    free(t->token);
    free(t->key);
    free(t->output);
    free(t->error);
    free(t->cause);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------- tokens */

#define TOKEN_PREFIX "aslc1."

static int random_fill(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

void asl_store_token_format(const unsigned char raw32[32], char *buf)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[33];
    memcpy(raw, raw32, 32);
    raw[32] = 0;
    char *p = buf + strlen(TOKEN_PREFIX);
    memcpy(buf, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
    /* 32 bytes -> 43 characters (the last group carries 2 bytes + padding bits) */
    for (int i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | (unsigned)raw[i + 2];
        *p++ = b64[(v >> 18) & 63];
        *p++ = b64[(v >> 12) & 63];
        *p++ = b64[(v >> 6) & 63];
        if (i + 3 < 33)
            *p++ = b64[v & 63];
    }
    *p = '\0';
}

int asl_store_token_make(char *buf)
{
    unsigned char raw[32];
    if (random_fill(raw, 32) != 0)
        return -1;
    asl_store_token_format(raw, buf);
    return 0;
}

int asl_store_token_well_formed(const char *token)
{
    if (!token || strlen(token) != ASL_STORE_TOKEN_LEN || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
        return 0;
    for (const char *p = token + strlen(TOKEN_PREFIX); *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

const char *asl_store_send_error(int outcome)
{
    switch (outcome) {
    case ASL_SEND_OK: return NULL;
    case ASL_SEND_INVALID_TOKEN: return "InvalidToken";
    case ASL_SEND_DOES_NOT_EXIST: return "TaskDoesNotExist";
    case ASL_SEND_TIMED_OUT: return "TaskTimedOut";
    default: return "InvalidOutput";
    }
}

/* TaskTimedOut and InvalidToken are AWS's texts (14-api-and-durability.md
 * §4); AWS's texts for the other two are not recorded anywhere we found,
 * so they follow the same "Title Case: 'detail'" pattern. */
const char *asl_store_send_message(int outcome)
{
    switch (outcome) {
    case ASL_SEND_OK: return NULL;
    case ASL_SEND_INVALID_TOKEN: return "Invalid Token: 'Invalid token'";
    case ASL_SEND_DOES_NOT_EXIST: return "Task Does Not Exist: 'Provided task does not exist'";
    case ASL_SEND_TIMED_OUT: return "Task Timed Out: 'Provided task does not exist anymore'";
    default: return "Invalid Output: 'Output must be JSON of at most 262144 bytes'";
    }
}

int asl_store_check_output(const char *output)
{
    if (!output || strlen(output) > 262144)
        return ASL_SEND_INVALID_OUTPUT;
    json_error_t jerr;
    json_t *v = json_loads(output, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!v)
        return ASL_SEND_INVALID_OUTPUT;
    json_decref(v);
    return ASL_SEND_OK;
}

double asl_store_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)(tv.tv_usec / 1000) / 1000.0;
}

/* ------------------------------------------------------ the vtable calls */

void asl_store_close(struct asl_store *st)
{
    if (st)
        st->ops->close(st);
}

const char *asl_store_errmsg(struct asl_store *st) { return st->ops->errmsg(st); }
int asl_store_begin(struct asl_store *st) { return st->ops->begin(st); }
int asl_store_commit(struct asl_store *st) { return st->ops->commit(st); }
int asl_store_commit_lazy(struct asl_store *st) { return st->ops->commit_lazy(st); }
int asl_store_sync(struct asl_store *st) { return st->ops->sync(st); }
int asl_store_rollback(struct asl_store *st) { return st->ops->rollback(st); }
int asl_store_version(struct asl_store *st, uint64_t *out) { return st->ops->version(st, out); }

int asl_store_wait_change(struct asl_store *st, uint64_t since, int timeout_ms)
{
    return st->ops->wait_change(st, since, timeout_ms);
}

int asl_store_exec_create(struct asl_store *st, const struct asl_store_exec *e, int64_t *id)
{
    return st->ops->exec_create(st, e, id);
}

int asl_store_exec_get(struct asl_store *st, const char *arn, struct asl_store_exec *out)
{
    return st->ops->exec_get(st, arn, out);
}

int asl_store_exec_get_id(struct asl_store *st, int64_t id, struct asl_store_exec *out)
{
    return st->ops->exec_get_id(st, id, out);
}

int asl_store_exec_list(struct asl_store *st, const char *sm_arn, int status, int64_t after_id, int limit,
                        int (*fn)(void *arg, const struct asl_store_exec *e), void *arg)
{
    return st->ops->exec_list(st, sm_arn, status, after_id, limit, fn, arg);
}

int asl_store_exec_close(struct asl_store *st, int64_t id, int status, const char *output,
                         const char *error, const char *cause, double stop_date)
{
    return st->ops->exec_close(st, id, status, output, error, cause, stop_date);
}

int asl_store_exec_redrive(struct asl_store *st, int64_t id, double date, int *count)
{
    return st->ops->exec_redrive(st, id, date, count);
}

int asl_store_exec_claim(struct asl_store *st, int64_t id, const char *expect, const char *owner)
{
    return st->ops->exec_claim(st, id, expect, owner);
}

int asl_store_exec_set_wake(struct asl_store *st, int64_t id, double wake_at)
{
    return st->ops->exec_set_wake(st, id, wake_at);
}

int asl_store_exec_due(struct asl_store *st, double now, int limit,
                       int (*fn)(void *arg, int64_t id, double wake_at), void *arg)
{
    return st->ops->exec_due(st, now, limit, fn, arg);
}

int asl_store_event_append(struct asl_store *st, int64_t exec, const struct asl_store_event *ev)
{
    return st->ops->event_append(st, exec, ev);
}

int asl_store_event_read(struct asl_store *st, int64_t exec, long after, int reverse, int limit,
                         int (*fn)(void *arg, const struct asl_store_event *ev), void *arg)
{
    return st->ops->event_read(st, exec, after, reverse, limit, fn, arg);
}

int asl_store_event_last(struct asl_store *st, int64_t exec, long *id)
{
    return st->ops->event_last(st, exec, id);
}

int asl_store_step_put(struct asl_store *st, int64_t exec, const char *key, const char *value)
{
    return st->ops->step_put(st, exec, key, value);
}

int asl_store_step_get(struct asl_store *st, int64_t exec, const char *key, char **value)
{
    return st->ops->step_get(st, exec, key, value);
}

int asl_store_step_all(struct asl_store *st, int64_t exec,
                       int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
    return st->ops->step_all(st, exec, fn, arg);
}

int asl_store_step_delete_prefix(struct asl_store *st, int64_t exec, const char *prefix)
{
    return st->ops->step_delete_prefix(st, exec, prefix);
}

int asl_store_step_delete(struct asl_store *st, int64_t exec, const char *key)
{
    return st->ops->step_delete(st, exec, key);
}

int asl_store_event_unkey(struct asl_store *st, int64_t exec, const char *key)
{
    return st->ops->event_unkey(st, exec, key);
}

int asl_store_token_create(struct asl_store *st, const struct asl_store_token *t)
{
    return st->ops->token_create(st, t);
}

int asl_store_token_get(struct asl_store *st, const char *token, struct asl_store_token *out)
{
    return st->ops->token_get(st, token, out);
}

int asl_store_token_finish(struct asl_store *st, const char *token, int state, const char *output,
                           const char *error, const char *cause, double now, int *outcome)
{
    return st->ops->token_finish(st, token, state, output, error, cause, now, outcome);
}

int asl_store_token_heartbeat(struct asl_store *st, const char *token, double now, int *outcome)
{
    return st->ops->token_heartbeat(st, token, now, outcome);
}

int asl_store_token_close_exec(struct asl_store *st, int64_t exec)
{
    return st->ops->token_close_exec(st, exec);
}

/* Why an execution cannot be redriven (AWS's redriveStatusReason), or NULL. */
const char *asl_store_redrive_reason(struct asl_store *st, const struct asl_store_exec *e)
{
    if (e->status == ASL_EXEC_RUNNING)
        return "Execution is RUNNING and cannot be redriven";
    if (e->status == ASL_EXEC_SUCCEEDED)
        return "Execution is SUCCEEDED and cannot be redriven";
    if (e->stop_date > 0 && asl_store_now() - e->stop_date > 14 * 86400.0)
        return "Execution redrivable period exceeded";
    if (asl_store_now() - e->start_date > 365 * 86400.0)
        return "Execution has exceeded the max execution time";
    long last = 0;
    if (asl_store_event_last(st, e->id, &last) == ASL_STORE_OK && last >= 24999)
        return "Execution history event limit exceeded";
    return NULL;
}
