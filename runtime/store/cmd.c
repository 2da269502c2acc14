/*
 * cmd.c - a workflow binary's store subcommands and the start and end of
 * a run with --store (cli.c calls in here; docs/durability.md):
 *
 *   BINARY send-task-success   --store F --task-token T --task-output JSON
 *   BINARY send-task-failure   --store F --task-token T [--error E] [--cause C]
 *   BINARY send-task-heartbeat --store F --task-token T
 *   BINARY stop     --store F --name N [--error E] [--cause C]
 *   BINARY list     --store F [--status S] [--max-results N]
 *   BINARY describe --store F --name N
 *   BINARY history  --store F --name N [--reverse-order] [--max-results N]
 *   BINARY redrive  --store F --name N [run options]       (cli.c: runs it)
 *
 * Output is the JSON AWS's API returns for the same operation.  Exit 0 on
 * success; 2 with "<AWS error name>: <message>" on stderr for everything
 * refused (nothing is changed then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/text.h"
#include "run/history.h"
#include "store/cmd.h"
#include "store/durable.h"

#define USAGE 2

static const char *const commands[] = {
    "send-task-success", "send-task-failure", "send-task-heartbeat", "stop", "list", "describe",
    "history", "redrive",
};

int asl_store_cmd_is(const char *arg)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(arg, commands[i]) == 0)
            return 1;
    return 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static const char *region(void)
{
    const char *r = getenv("AWS_REGION");
    if (!r)
        r = getenv("AWS_DEFAULT_REGION");
    return r ? r : "us-east-1";
}

char *asl_store_sm_arn(const char *argv0)
{
    const char *sm = base_name(argv0);
    size_t n = strlen(sm) + strlen(region()) + 64;
    char *arn = malloc(n);
    if (arn)
        snprintf(arn, n, "arn:aws:states:%s:123456789012:stateMachine:%s", region(), sm);
    return arn;
}

char *asl_store_exec_arn(const char *argv0, const char *name)
{
    const char *sm = base_name(argv0);
    size_t n = strlen(sm) + strlen(name) + strlen(region()) + 64;
    char *arn = malloc(n);
    if (arn)
        snprintf(arn, n, "arn:aws:states:%s:123456789012:execution:%s:%s", region(), sm, name);
    return arn;
}

/* ---------------------------------------------------------- options */

struct opts {
    const char *store, *name, *token, *output, *error, *cause, *status;
    int reverse, max_results, has_output;
};

static int parse(int argc, char **argv, struct opts *o)
{
    o->max_results = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const char *val = eq ? eq + 1 : NULL;
#define IS(s) (len == strlen(s) && strncmp(a, s, len) == 0)
        const char **dst = IS("--store") ? &o->store : IS("--name") ? &o->name
                         : IS("--task-token") ? &o->token : IS("--task-output") ? &o->output
                         : IS("--error") ? &o->error : IS("--cause") ? &o->cause
                         : IS("--status") ? &o->status : NULL;
        if (IS("--reverse-order")) {
            o->reverse = 1;
            continue;
        }
        int is_max = IS("--max-results");
#undef IS
        if (!dst && !is_max) {
            fprintf(stderr, "%s %s: unknown option %s\n", argv[0], argv[1], a);
            return -1;
        }
        if (!val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s %s: option %s needs a value\n", argv[0], argv[1], a);
                return -1;
            }
            val = argv[++i];
        }
        if (is_max) {
            char *end;
            long m = strtol(val, &end, 10);
            if (*end || m < 0 || m > 1000) {
                fprintf(stderr, "%s %s: --max-results takes 0 to 1000\n", argv[0], argv[1]);
                return -1;
            }
            o->max_results = (int)m;
        } else {
            *dst = val;
            if (dst == &o->output)
                o->has_output = 1;
        }
    }
    if (!o->store) {
        fprintf(stderr, "%s %s: --store FILE is required\n", argv[0], argv[1]);
        return -1;
    }
    return 0;
}

static int need(const char *argv0, const char *cmd, const char *what, const char *v)
{
    if (v)
        return 0;
    fprintf(stderr, "%s %s: %s is required\n", argv0, cmd, what);
    return -1;
}

static int aws_error(const char *name, const char *msg)
{
    fprintf(stderr, "%s: %s\n", name, msg);
    return USAGE;
}

static void print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_REAL_PRECISION(13));
    if (s)
        puts(s);
    free(s);
    json_decref(v);
}

/* ---------------------------------------------------------- SendTask* */

static int send_task(struct asl_store *st, const char *cmd, const struct opts *o)
{
    /* AWS's model limits (14-api-and-durability.md section 2) */
    if (strlen(o->token) < 1 || strlen(o->token) > 2048)
        return aws_error("ValidationException", "1 validation error detected: Value at 'taskToken' failed to "
                                                "satisfy constraint: Member must have length less than or equal to 2048");
    if (o->error && strlen(o->error) > 256)
        return aws_error("ValidationException", "1 validation error detected: Value at 'error' failed to satisfy "
                                                "constraint: Member must have length less than or equal to 256");
    if (o->cause && strlen(o->cause) > 32768)
        return aws_error("ValidationException", "1 validation error detected: Value at 'cause' failed to satisfy "
                                                "constraint: Member must have length less than or equal to 32768");
    int outcome = 0, rc;
    double now = asl_store_now();
    if (strcmp(cmd, "send-task-heartbeat") == 0)
        rc = asl_store_token_heartbeat(st, o->token, now, &outcome);
    else if (strcmp(cmd, "send-task-success") == 0)
        rc = asl_store_token_finish(st, o->token, ASL_TOKEN_SUCCEEDED, o->output, NULL, NULL, now, &outcome);
    else
        rc = asl_store_token_finish(st, o->token, ASL_TOKEN_FAILED, NULL, o->error, o->cause, now, &outcome);
    if (rc != ASL_STORE_OK) {
        fprintf(stderr, "%s\n", asl_store_errmsg(st));
        return USAGE;
    }
    if (outcome != ASL_SEND_OK)
        return aws_error(asl_store_send_error(outcome), asl_store_send_message(outcome));
    puts("{}");
    return 0;
}

/* ---------------------------------------------------------- executions */

static json_t *date(double t)
{
    return t > 0 ? json_real(t) : json_null();
}

static json_t *list_item(const struct asl_store_exec *e)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "executionArn", e->arn, "stateMachineArn", e->sm_arn,
                          "name", e->name, "status", asl_store_status_name(e->status),
                          "startDate", date(e->start_date));
    if (e->stop_date > 0)
        json_object_set_new(o, "stopDate", date(e->stop_date));
    json_object_set_new(o, "redriveCount", json_integer(e->redrive_count));
    if (e->redrive_date > 0)
        json_object_set_new(o, "redriveDate", date(e->redrive_date));
    return o;
}

static json_t *describe(struct asl_store *st, const struct asl_store_exec *e)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:{s:b}}", "executionArn", e->arn, "stateMachineArn",
                          e->sm_arn, "name", e->name, "status", asl_store_status_name(e->status),
                          "startDate", date(e->start_date), "input", e->input, "inputDetails", "included", 1);
    if (e->stop_date > 0)
        json_object_set_new(o, "stopDate", date(e->stop_date));
    if (e->status == ASL_EXEC_SUCCEEDED && e->output) {
        json_object_set_new(o, "output", json_string(e->output));
        json_object_set_new(o, "outputDetails", json_pack("{s:b}", "included", 1));
    }
    if (e->error)
        json_object_set_new(o, "error", json_string(e->error));
    if (e->cause)
        json_object_set_new(o, "cause", json_string(e->cause));
    json_object_set_new(o, "redriveCount", json_integer(e->redrive_count));
    if (e->redrive_date > 0)
        json_object_set_new(o, "redriveDate", date(e->redrive_date));
    const char *why = asl_store_redrive_reason(st, e);
    json_object_set_new(o, "redriveStatus", json_string(why ? "NOT_REDRIVABLE" : "REDRIVABLE"));
    if (why)
        json_object_set_new(o, "redriveStatusReason", json_string(why));
    return o;
}

static int collect_item(void *arg, const struct asl_store_exec *e)
{
    json_array_append_new((json_t *)arg, list_item(e));
    return 0;
}

static int collect_event(void *arg, const struct asl_store_event *ev)
{
    json_error_t jerr;
    json_t *e = json_loads(ev->json, 0, &jerr);
    if (!e) {
        fprintf(stderr, "store: event %ld does not parse: %s\n", ev->id, jerr.text);
        return -1;
    }
    json_array_append_new((json_t *)arg, e);
    return 0;
}

json_t *asl_store_history_json(struct asl_store *st, int64_t exec, int reverse, int limit)
{
    json_t *events = json_array();
    if (asl_store_event_read(st, exec, 0, reverse, limit, collect_event, events) != ASL_STORE_OK) {
        json_decref(events);
        return NULL;
    }
    return events;
}

static int find_exec(struct asl_store *st, const char *argv0, const char *name, struct asl_store_exec *e)
{
    char *arn = asl_store_exec_arn(argv0, name);
    int rc = arn ? asl_store_exec_get(st, arn, e) : ASL_STORE_EIO;
    if (rc == ASL_STORE_NOT_FOUND) {
        char msg[512];
        snprintf(msg, sizeof msg, "Execution Does Not Exist: '%s'", arn);
        aws_error("ExecutionDoesNotExist", msg);
    } else if (rc != ASL_STORE_OK) {
        fprintf(stderr, "%s\n", asl_store_errmsg(st));
    }
    free(arn);
    return rc;
}

static int stop(struct asl_store *st, const char *argv0, const struct opts *o)
{
    if (o->error && strlen(o->error) > 256)
        return aws_error("ValidationException", "1 validation error detected: Value at 'error' failed to satisfy "
                                                "constraint: Member must have length less than or equal to 256");
    if (asl_store_begin(st) != ASL_STORE_OK) {
        fprintf(stderr, "%s\n", asl_store_errmsg(st));
        return USAGE;
    }
    struct asl_store_exec e = {0};
    if (find_exec(st, argv0, o->name, &e) != ASL_STORE_OK) {
        asl_store_rollback(st);
        return USAGE;
    }
    double now = asl_store_now();
    int rc = ASL_STORE_OK;
    if (e.status == ASL_EXEC_RUNNING) {
        /* ExecutionAborted follows the history's last event (its
         * previousEventId is 0, as recorded on AWS); the process that runs
         * the execution sees the status within ~100 ms and stops. */
        long last = 0;
        rc = asl_store_event_last(st, e.id, &last);
        json_t *det = json_object();
        if (o->error)
            json_object_set_new(det, "error", json_string(o->error));
        if (o->cause)
            json_object_set_new(det, "cause", json_string(o->cause));
        json_t *ev = json_pack("{s:f,s:s,s:I,s:i,s:o}", "timestamp", now, "type", "ExecutionAborted", "id",
                               (json_int_t)(last + 1), "previousEventId", 0, "executionAbortedEventDetails", det);
        char *text = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(13));
        struct asl_store_event se = {.id = last + 1, .prev = 0, .timestamp = now, .type = "ExecutionAborted",
                                     .json = text, .key = NULL};
        if (rc == ASL_STORE_OK)
            rc = asl_store_exec_close(st, e.id, ASL_EXEC_ABORTED, NULL, o->error, o->cause, now);
        if (rc == ASL_STORE_OK)
            rc = asl_store_token_close_exec(st, e.id);
        if (rc == ASL_STORE_OK)
            rc = asl_store_event_append(st, e.id, &se);
        free(text);
        json_decref(ev);
    } else {
        now = e.stop_date;      /* already over: nothing changes (AWS's answer here is unverified) */
    }
    if (rc == ASL_STORE_OK)
        rc = asl_store_commit(st);
    asl_store_exec_clear(&e);
    if (rc != ASL_STORE_OK) {
        fprintf(stderr, "%s\n", asl_store_errmsg(st));
        asl_store_rollback(st);
        return USAGE;
    }
    print_json(json_pack("{s:o}", "stopDate", date(now)));
    return 0;
}

int asl_store_cmd(const struct asl_program *prog, int argc, char **argv)
{
    (void)prog;
    const char *cmd = argv[1];
    struct opts o = {0};
    if (parse(argc, argv, &o) != 0)
        return USAGE;
    int sends = strncmp(cmd, "send-task-", 10) == 0;
    if (sends && need(argv[0], cmd, "--task-token", o.token) != 0)
        return USAGE;
    if (strcmp(cmd, "send-task-success") == 0 && need(argv[0], cmd, "--task-output", o.output) != 0)
        return USAGE;
    int by_name = strcmp(cmd, "stop") == 0 || strcmp(cmd, "describe") == 0 || strcmp(cmd, "history") == 0;
    if (by_name && need(argv[0], cmd, "--name", o.name) != 0)
        return USAGE;
    int status = -1;
    if (o.status && (status = asl_store_status_parse(o.status)) < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, "
                 "ABORTED, FAILED, RUNNING]", o.status);
        return aws_error("ValidationException", msg);
    }
    char msg[600];
    struct asl_store *st = NULL;
    int writes = sends || strcmp(cmd, "stop") == 0;
    int rc = writes ? asl_store_open(o.store, ASL_STORE_SYNC_FULL, &st, msg, sizeof msg)
                    : asl_store_open_readonly(o.store, &st, msg, sizeof msg);
    if (rc != ASL_STORE_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], msg);
        return USAGE;
    }
    int exit_code = 0;
    if (sends) {
        exit_code = send_task(st, cmd, &o);
    } else if (strcmp(cmd, "stop") == 0) {
        exit_code = stop(st, argv[0], &o);
    } else if (strcmp(cmd, "list") == 0) {
        json_t *items = json_array();
        char *sm = asl_store_sm_arn(argv[0]);
        if (asl_store_exec_list(st, sm, status, 0, o.max_results, collect_item, items) != ASL_STORE_OK) {
            fprintf(stderr, "%s\n", asl_store_errmsg(st));
            exit_code = USAGE;
            json_decref(items);
        } else {
            print_json(json_pack("{s:o}", "executions", items));
        }
        free(sm);
    } else if (strcmp(cmd, "describe") == 0 || strcmp(cmd, "history") == 0) {
        struct asl_store_exec e = {0};
        if (find_exec(st, argv[0], o.name, &e) != ASL_STORE_OK) {
            exit_code = USAGE;
        } else if (cmd[0] == 'd') {
            print_json(describe(st, &e));
        } else {
            json_t *events = asl_store_history_json(st, e.id, o.reverse, o.max_results);
            if (!events) {
                fprintf(stderr, "%s\n", asl_store_errmsg(st));
                exit_code = USAGE;
            } else {
                print_json(json_pack("{s:o}", "events", events));
            }
        }
        asl_store_exec_clear(&e);
    }
    asl_store_close(st);
    return exit_code;
}

/* ---------------------------------------------------- runs with --store */

int asl_store_run_start(struct asl_exec *ex, const char *path, int sync, int redrive, const char *argv0,
                        json_t **closed_result)
{
    struct asl_store_exec closed = {0};
    int r = asl_dur_start(ex, path, sync, redrive, argv0, &closed);
    if (r == ASL_DUR_USAGE)
        return -1;
    if (r == ASL_DUR_CLOSED) {
        /* The same command again after the end: the same answer. */
        json_t *res = json_pack("{s:s}", "status", asl_store_status_name(closed.status));
        if (closed.status == ASL_EXEC_SUCCEEDED) {
            json_error_t jerr;
            json_t *out = json_loads(closed.output ? closed.output : "null", JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
            json_object_set_new(res, "output", out ? out : json_null());
        } else {
            json_object_set_new(res, "error", closed.error ? json_string(closed.error) : json_null());
            json_object_set_new(res, "cause", closed.cause ? json_string(closed.cause) : json_null());
        }
        *closed_result = res;
        asl_store_exec_clear(&closed);
        return 1;
    }
    asl_history_details(ex->hist);
    asl_history_resume(ex->hist, asl_dur_last_event(ex->dur));
    ex->redrive_count = asl_dur_redrive_count(ex->dur);
    return 0;
}

static int join_event(void *arg, const struct asl_store_event *ev)
{
    struct asl_buf *b = arg;
    asl_buf_adds(b, b->len ? ",\n" : "{\"events\": [\n");
    asl_buf_adds(b, ev->json);
    return 0;
}

/* The stored events' texts joined as the --history file has them (they
 * were written once, as text, when they happened). */
static char *history_text(struct asl_store *st, int64_t exec)
{
    struct asl_buf b;
    asl_buf_init(&b);
    if (asl_store_event_read(st, exec, 0, 0, 0, join_event, &b) != ASL_STORE_OK) {
        fprintf(stderr, "%s\n", asl_store_errmsg(st));
        asl_buf_free(&b);
        return NULL;
    }
    asl_buf_adds(&b, b.len ? "\n]}" : "{\"events\": []}");
    if (b.oom) {
        asl_buf_free(&b);
        return NULL;
    }
    return b.p;
}

char *asl_store_history_doc(struct asl_exec *ex)
{
    return history_text(asl_dur_store(ex->dur), asl_dur_exec_id(ex->dur));
}

static int exit_of(int status)
{
    switch (status) {
    case ASL_EXEC_SUCCEEDED: return 0;
    case ASL_EXEC_FAILED: return 1;
    case ASL_EXEC_TIMED_OUT: return 3;
    default: return 4;
    }
}

int asl_store_run_end(struct asl_exec *ex, int exit_status, const char *output, const char *error,
                      const char *cause, json_t **result)
{
    int status = exit_status == 0 ? ASL_EXEC_SUCCEEDED : exit_status == 3 ? ASL_EXEC_TIMED_OUT : ASL_EXEC_FAILED;
    int stopped = ASL_EXEC_ABORTED;
    int rc = asl_dur_finish(ex, status, output, error, cause, &stopped);
    if (rc < 0)
        return USAGE;
    if (rc == 0)
        return exit_status;
    /* Stopped from outside: report the execution as the store has it. */
    struct asl_store_exec e = {0};
    json_decref(*result);
    *result = json_pack("{s:s}", "status", asl_store_status_name(stopped));
    if (asl_store_exec_get_id(asl_dur_store(ex->dur), asl_dur_exec_id(ex->dur), &e) == ASL_STORE_OK) {
        json_object_set_new(*result, "error", e.error ? json_string(e.error) : json_null());
        json_object_set_new(*result, "cause", e.cause ? json_string(e.cause) : json_null());
    }
    asl_store_exec_clear(&e);
    return exit_of(stopped);
}

int asl_store_report(json_t *result, const char *argv0)
{
    const char *status = json_string_value(json_object_get(result, "status"));
    int code = exit_of(asl_store_status_parse(status));
    if (code != 0) {
        const char *err = json_string_value(json_object_get(result, "error"));
        const char *cause = json_string_value(json_object_get(result, "cause"));
        fprintf(stderr, "%s: execution %s: Error: %s; Cause: %s\n", argv0, status, err ? err : "(none)",
                cause ? cause : "(none)");
    }
    return code;
}

char *asl_store_history_doc_closed(const char *store, const char *arn, const char *argv0)
{
    char msg[600];
    struct asl_store *st = NULL;
    if (asl_store_open_readonly(store, &st, msg, sizeof msg) != ASL_STORE_OK) {
        fprintf(stderr, "%s: %s\n", argv0, msg);
        return NULL;
    }
    struct asl_store_exec e = {0};
    char *text = asl_store_exec_get(st, arn, &e) == ASL_STORE_OK ? history_text(st, e.id) : NULL;
    asl_store_exec_clear(&e);
    asl_store_close(st);
    return text;
}
