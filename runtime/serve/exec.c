/*
 * exec.c - running executions for the server.
 *
 * StartSyncExecution runs an Express-style execution in memory on a pool
 * worker and answers with its outcome (at-most-once, as AWS's synchronous
 * Express workflows: nothing is stored, a restart loses it and the client
 * sees the connection close).
 *
 * Standard executions (StartExecution) run through the durable store: see
 * exec_durable.c.
 */
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/timestamp.h"
#include "exec/exec.h"
#include "run/history.h"
#include "run/run.h"
#include "map/map_store.h"
#include "serve_exec.h"
#include "serve_int.h"
#include "serve_run.h"
#include "task/task.h"

void asl_serve_uuid(char *buf, size_t n)
{
    unsigned char b[16] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t got = read(fd, b, sizeof b);
        (void)got;
        close(fd);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(buf, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

char *asl_serve_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* The run options every execution shares (--bind, --bucket), parsed once. */
int asl_serve_exec_setup(struct asl_serve *s, const char *argv0)
{
    struct asl_exec *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    t->prog = s->prog;
    t->wait_scale = s->run->wait_scale;
    t->has_store = 1;           /* callbacks and activities wait in the store */
    t->store_path = s->store_path;
    s->tmpl = t;
    if (asl_task_bindings_parse(t, s->run->bind, s->run->nbind) != 0 ||
        asl_map_store_buckets_parse(t, s->run->bucket, s->run->nbucket) != 0 ||
        asl_task_preflight(t, argv0) != 0)
        return -1;
    return 0;
}

void asl_serve_exec_teardown(struct asl_serve *s)
{
    if (!s->tmpl)
        return;
    asl_task_bindings_free(s->tmpl);
    asl_map_store_buckets_free(s->tmpl);
    free(s->tmpl);
    s->tmpl = NULL;
}

/* Fill ex from the template for one execution (the strings are owned by ex). */
void asl_serve_exec_init(struct asl_serve *s, struct asl_exec *ex, json_t *input, const char *name,
                         const char *exec_arn)
{
    *ex = *s->tmpl;
    ex->input = input;
    ex->name = strdup(name);
    ex->exec_arn = strdup(exec_arn);
    ex->sm_arn = strdup(s->sm_arn);
    ex->sm_name = strdup(s->sm_name);
    ex->role_arn = strdup(s->role_arn);
    ex->store_path = s->store_path;
}

void asl_serve_exec_clear(struct asl_exec *ex)
{
    free(ex->name);
    free(ex->exec_arn);
    free(ex->sm_arn);
    free(ex->sm_name);
    free(ex->role_arn);
}

void asl_serve_log_end(const char *name, const char *status, double started, const char *error)
{
    double ms = (asl_serve_now() - started) * 1000.0;
    if (ms < 0)
        ms = 0;
    if (error)
        asl_log(ASL_LOG_INFO, "serve", "execution %s %s after %.0f ms (%s)", name, status, ms, error);
    else
        asl_log(ASL_LOG_INFO, "serve", "execution %s %s after %.0f ms", name, status, ms);
}

/* An Express run may last 5 minutes (AWS's limit), less when the machine says so. */
#define EXPRESS_MAX_S 300

void asl_serve_exec_sync(struct asl_serve *s, struct asl_serve_call *c)
{
    const char *in_text = asl_serve_str(c, "input");
    const char *given = asl_serve_str(c, "name");
    const char *inc = asl_serve_str(c, "includedData");
    int data = !inc || strcmp(inc, "METADATA_ONLY") != 0;
    char uuid[40], suffix[40];
    asl_serve_uuid(uuid, sizeof uuid);
    asl_serve_uuid(suffix, sizeof suffix);
    const char *name = given ? given : uuid;
    char *arn = asl_serve_printf("arn:aws:states:%s:%s:express:%s:%s:%s", s->region, s->account,
                                 s->sm_name, name, suffix);
    json_t *input = json_loads(in_text ? in_text : "{}", JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    double started = asl_serve_now();
    asl_log(ASL_LOG_INFO, "serve", "execution %s started (StartSyncExecution)", name);

    struct asl_exec ex;
    asl_serve_exec_init(s, &ex, input, name, arn);
    struct asl_budget budget;
    asl_budget_init(&budget, s->tmpl->budget ? s->tmpl->budget->limit : 0);
    ex.budget = &budget;
    asl_ts_now_iso(ex.start_time, sizeof ex.start_time);
    ex.hist = asl_history_new();
    double limit = s->prog->timeout_seconds > 0 && s->prog->timeout_seconds < EXPRESS_MAX_S
                       ? (double)s->prog->timeout_seconds
                       : EXPRESS_MAX_S;
    ex.cancel = asl_cancel_root_new(ex.wait_scale, limit);
    struct asl_run run = {0};
    struct asl_vars top = {0};
    run.exec = &ex;
    run.cancel = ex.cancel;
    run.vars = &top;
    json_t *output = NULL;
    int ok = input && asl_run_machine(&run, s->prog->machine, input, &output) == 0;
    double stopped = asl_serve_now();

    json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o}", "executionArn", arn, "stateMachineArn", s->sm_arn,
                          "name", name, "startDate", asl_serve_date(started), "stopDate",
                          asl_serve_date(stopped));
    const char *status = "SUCCEEDED";
    if (ok) {
        char *text = asl_json_text(output);
        if (data) {
            json_object_set_new(o, "output", json_string(text ? text : "null"));
            json_object_set_new(o, "outputDetails", json_pack("{s:b}", "included", 1));
        }
        free(text);
    } else {
        status = "FAILED";
        if (run.err.name && strcmp(run.err.name, ASL_E_TIMEOUT) == 0 && asl_cancel_is_set(ex.cancel) &&
            asl_cancel_remaining(ex.cancel) <= 0)
            status = "TIMED_OUT";
        if (run.err.name)
            json_object_set_new(o, "error", json_string(run.err.name));
        if (run.err.cause)
            json_object_set_new(o, "cause", json_string(run.err.cause));
    }
    json_object_set_new(o, "status", json_string(status));
    if (data) {
        json_object_set_new(o, "input", json_string(in_text ? in_text : "{}"));
        json_object_set_new(o, "inputDetails", json_pack("{s:b}", "included", 1));
    }
    /* AWS bills Express runs per started 100 ms and 64 MB steps. */
    long long billed = (long long)ceil((stopped - started) * 10.0) * 100;
    json_object_set_new(o, "billingDetails",
                        json_pack("{s:i,s:I}", "billedMemoryUsedInMB", 64, "billedDurationInMilliseconds",
                                  billed < 100 ? 100 : billed));
    asl_serve_log_end(name, status, started, ok ? NULL : run.err.name);
    c->out = o;
    json_decref(output);
    json_decref(top.obj);
    asl_err_clear(&run.err);
    asl_history_free(ex.hist);
    asl_cancel_free(ex.cancel);
    asl_serve_exec_clear(&ex);
    json_decref(input);
    free(arn);
    asl_serve_call_finish(c);
}
