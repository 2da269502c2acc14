/*
 * task/activity.c - a Task whose Resource is an activity ARN: a callback
 * whose delivery is a queue.  The task (its input and token) is queued in
 * the store (store/serve_queries.h) and the execution records
 * ActivityScheduled; the next GetActivityTask of that activity (the API
 * server, or `BINARY get-activity-task --store`) takes it, which starts its
 * TimeoutSeconds/HeartbeatSeconds clocks; the execution then records
 * ActivityStarted {workerName} and waits for SendTaskSuccess/Failure as for
 * any callback.  Until a worker takes it only the machine's TimeoutSeconds
 * ends the wait (AWS's rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "run/history.h"
#include "store/durable.h"
#include "store/serve_queries.h"
#include "task/activity.h"

/* Wait until a worker took the task: 0 with *worker (malloc'd or NULL), or
 * -1 with run->err (cancelled, parked, the store failed). */
static int await_taken(struct asl_run *run, const char *token, char **worker)
{
    struct asl_exec *ex = run->exec;
    char msg[256];
    struct asl_sq *q = NULL;
    if (asl_sq_open(ex->store_path, 0, &q, msg, sizeof msg) != 0)
        return asl_err_set(&run->err, ASL_E_RUNTIME, "the activity queue cannot be read: %s", msg);
    int rc = -1;
    for (;;) {
        double started = 0;
        int got = asl_sq_activity_task_get(q, token, &started, worker);
        if (got == ASL_SQ_OK && started > 0) {
            rc = 0;
            break;
        }
        if (got == ASL_SQ_NOT_FOUND) {
            /* Its row is gone: the task was taken and its execution's end
             * (another run of it) dropped the queue rows.  Go on to the
             * token, which holds the answer. */
            rc = 0;
            break;
        }
        free(*worker);
        *worker = NULL;
        if (got < 0) {
            asl_err_set(&run->err, ASL_E_RUNTIME, "the activity queue cannot be read: %s", asl_sq_errmsg(q));
            break;
        }
        if (asl_dur_park_idle(run)) {       /* the server: no thread waits for a worker */
            asl_cancel_err(run->cancel, &run->err);
            break;
        }
        if (asl_cancel_sleep(run->cancel, 0.05)) {
            asl_cancel_err(run->cancel, &run->err);
            break;
        }
    }
    asl_sq_close(q);
    return rc;
}

int asl_task_activity_attempt(struct asl_run *run, const struct asl_task *t, double timeout,
                              double heartbeat, json_t *params, json_t **result)
{
    struct asl_exec *ex = run->exec;
    if (!ex->dur || !run->task_token || !ex->store_path)
        return asl_err_set_str(&run->err, ASL_E_RUNTIME, "an activity task needs --store");
    /* No deadlines until a worker takes it. */
    if (asl_dur_token_create(run, run->task_token, 0, 0) != 0)
        return -1;
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    json_t *queued = asl_dur_get(ex, key);
    if (!queued) {
        char msg[256];
        struct asl_sq *q = NULL;
        char *input = asl_json_text(params);
        int rc = input && asl_sq_open(ex->store_path, 0, &q, msg, sizeof msg) == 0
                     ? asl_sq_activity_task_add(q, run->task_token, t->resource, asl_dur_exec_id(ex->dur), input,
                                                asl_store_now(), timeout, heartbeat)
                     : -1;
        asl_sq_close(q);
        free(input);
        if (rc != ASL_SQ_OK)
            return asl_err_set_str(&run->err, ASL_E_RUNTIME, "the activity task cannot be queued in the store");
        asl_dur_put(ex, key, json_true());
        asl_dur_sync(ex);
    }
    json_decref(queued);
    /* ActivityStarted, once: the worker's name is recorded with it. */
    asl_dur_key(run, key, sizeof key);
    json_t *taken = asl_dur_get(ex, key);
    if (!taken) {
        char *worker = NULL;
        if (await_taken(run, run->task_token, &worker) != 0)
            return -1;
        taken = worker ? json_pack("{s:s}", "workerName", worker) : json_object();
        free(worker);
        asl_dur_put(ex, key, json_incref(taken));
    }
    const char *w = json_string_value(json_object_get(taken, "workerName"));
    asl_history_add(run, "ActivityStarted",
                    asl_history_recording(run) && w ? json_pack("{s:s}", "workerName", w) : NULL);
    json_decref(taken);
    return asl_dur_await_token(run, run->task_token, result);
}

/* ---------------------------------------------------------------- worker */

/* BINARY get-activity-task --store FILE --activity NAME|ARN
 *        [--worker-name NAME] [--wait-seconds S]
 * Take the oldest queued task of the activity and print {"taskToken",
 * "input"} (GetActivityTask's answer), or {} when none came within
 * --wait-seconds (default 60).  Exit 0, or 2 on bad usage or store. */
int asl_task_activity_cmd(int argc, char **argv)
{
    const char *store = NULL, *activity = NULL, *worker = NULL;
    double wait_s = 60;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "%s get-activity-task: %s needs a value\n", argv[0], a);
            return 2;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--store") == 0)
            store = v;
        else if (strcmp(a, "--activity") == 0)
            activity = v;
        else if (strcmp(a, "--worker-name") == 0)
            worker = v;
        else if (strcmp(a, "--wait-seconds") == 0) {
            char *end;
            wait_s = strtod(v, &end);
            if (*end || wait_s < 0 || wait_s > 3600) {
                fprintf(stderr, "%s get-activity-task: --wait-seconds takes 0 to 3600\n", argv[0]);
                return 2;
            }
        } else {
            fprintf(stderr, "%s get-activity-task: unknown option %s\n", argv[0], a);
            return 2;
        }
    }
    if (!store || !activity) {
        fprintf(stderr, "usage: %s get-activity-task --store FILE --activity NAME [--worker-name NAME]"
                        " [--wait-seconds S]\n", argv[0]);
        return 2;
    }
    char arn[512];
    if (strncmp(activity, "arn:", 4) == 0) {
        snprintf(arn, sizeof arn, "%s", activity);
    } else {
        const char *region = getenv("AWS_REGION") ? getenv("AWS_REGION")
                             : getenv("AWS_DEFAULT_REGION") ? getenv("AWS_DEFAULT_REGION") : "us-east-1";
        snprintf(arn, sizeof arn, "arn:aws:states:%s:123456789012:activity:%s", region, activity);
    }
    /* A worker may well start before the first execution: the store is
     * created when absent (as the run creates it; whoever comes first makes
     * the schema, in one transaction), and a file that is not an aslc store
     * is refused. */
    char msg[512];
    struct asl_store *st = NULL;
    if (asl_store_open(store, ASL_STORE_SYNC_FULL, &st, msg, sizeof msg) != ASL_STORE_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], msg);
        return 2;
    }
    asl_store_close(st);
    struct asl_sq *q = NULL;
    if (asl_sq_open(store, 1, &q, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], msg);
        return 2;
    }
    double until = asl_store_now() + wait_s;
    int rc = 0;
    for (;;) {
        char *token = NULL, *input = NULL;
        int64_t exec = 0;
        int got = asl_sq_activity_task_take(q, arn, worker, asl_store_now(), &token, &input, &exec);
        if (got == ASL_SQ_OK) {
            json_t *out = json_pack("{s:s,s:s}", "taskToken", token, "input", input);
            char *text = json_dumps(out, JSON_COMPACT);
            printf("%s\n", text ? text : "{}");
            free(text);
            json_decref(out);
            free(token);
            free(input);
            break;
        }
        if (got < 0) {
            fprintf(stderr, "%s: the store failed: %s\n", argv[0], asl_sq_errmsg(q));
            rc = 2;
            break;
        }
        if (asl_store_now() >= until) {
            printf("{}\n");
            break;
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    asl_sq_close(q);
    fflush(stdout);
    return rc;
}
