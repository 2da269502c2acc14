/*
 * ops_exec.c - the operations on executions and task tokens, over the
 * durable store (runtime/store/store.h).  Starting and redriving hand the
 * execution to the pool (run.c); everything else reads or writes the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "serve_exec.h"
#include "serve_int.h"
#include "serve_ops.h"
#include "serve_run.h"
#include "store/serve_queries.h"
#include "store/store.h"

#define REDRIVE_DAYS 14
#define HISTORY_MAX 25000

/* ------------------------------------------------------------ ARN checks */

/* An execution ARN of this state machine: 0, or -1 with InvalidArn /
 * ExecutionDoesNotExist set. */
static int exec_arn_check(struct asl_serve_call *c, const char *arn)
{
    struct asl_serve_arn a;
    if (asl_serve_arn_parse(c, arn, &a) != 0)
        return -1;
    if (a.kind != ARN_EXECUTION) {
        asl_serve_fail(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", a.type);
        return -1;
    }
    if (strcmp(a.name, c->srv->sm_name) != 0 || strcmp(a.region, c->srv->region) != 0 ||
        strcmp(a.account, c->srv->account) != 0) {
        asl_serve_fail(c, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
        return -1;
    }
    return 0;
}

/* Load the execution named by member `member`: 0 with *e, or -1 with the
 * call's error set. */
static int load_exec(struct asl_serve_call *c, struct asl_serve_conn *h, const char *member,
                     struct asl_store_exec *e)
{
    const char *arn = asl_serve_str(c, member);
    if (exec_arn_check(c, arn) != 0)
        return -1;
    int rc = asl_store_exec_get(h->st, arn, e);
    if (rc == ASL_STORE_NOT_FOUND) {
        asl_serve_fail(c, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
        return -1;
    }
    if (rc != ASL_STORE_OK) {
        asl_serve_store_fail(c, "reading an execution", asl_store_errmsg(h->st));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- describing */

/* AWS's redrive status of an execution and, when not redrivable, why. */
static const char *redrive_status(struct asl_serve_conn *h, const struct asl_store_exec *e, double now,
                                  const char **reason)
{
    *reason = NULL;
    switch (e->status) {
    case ASL_EXEC_RUNNING:
        *reason = "Execution is RUNNING and cannot be redriven";
        return "NOT_REDRIVABLE";
    case ASL_EXEC_SUCCEEDED:
        *reason = "Execution is SUCCEEDED and cannot be redriven";
        return "NOT_REDRIVABLE";
    default:
        break;
    }
    long last = 0;
    if (now - e->stop_date > REDRIVE_DAYS * 86400.0)
        *reason = "Execution redrivable period exceeded";
    else if (now - e->start_date > 365 * 86400.0)
        *reason = "Execution has exceeded the max execution time";
    else if (asl_store_event_last(h->st, e->id, &last) == ASL_STORE_OK && last >= HISTORY_MAX - 1)
        *reason = "Execution history event limit exceeded";
    return *reason ? "NOT_REDRIVABLE" : "REDRIVABLE";
}

/* DescribeExecution {executionArn, includedData?} -> the execution record. */
int asl_serve_op_describe_execution(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_exec e = {0};
    if (load_exec(c, h, "executionArn", &e) == 0) {
        const char *inc = asl_serve_str(c, "includedData");
        int data = !inc || strcmp(inc, "METADATA_ONLY") != 0;
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "executionArn", e.arn, "stateMachineArn", e.sm_arn,
                              "name", e.name, "status", asl_store_status_name(e.status), "startDate",
                              asl_serve_date(e.start_date));
        if (e.stop_date > 0)
            json_object_set_new(o, "stopDate", asl_serve_date(e.stop_date));
        if (data) {
            json_object_set_new(o, "input", json_string(e.input));
            json_object_set_new(o, "inputDetails", json_pack("{s:b}", "included", 1));
            if (e.status == ASL_EXEC_SUCCEEDED && e.output) {
                json_object_set_new(o, "output", json_string(e.output));
                json_object_set_new(o, "outputDetails", json_pack("{s:b}", "included", 1));
            }
        }
        if (e.error)
            json_object_set_new(o, "error", json_string(e.error));
        if (e.cause)
            json_object_set_new(o, "cause", json_string(e.cause));
        json_object_set_new(o, "redriveCount", json_integer(e.redrive_count));
        if (e.redrive_date > 0)
            json_object_set_new(o, "redriveDate", asl_serve_date(e.redrive_date));
        const char *reason;
        json_object_set_new(o, "redriveStatus", json_string(redrive_status(h, &e, c->received, &reason)));
        if (reason)
            json_object_set_new(o, "redriveStatusReason", json_string(reason));
        c->out = o;
    }
    asl_store_exec_clear(&e);
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

/* DescribeStateMachineForExecution: the definition the execution runs. */
int asl_serve_op_describe_state_machine_for_execution(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_exec e = {0};
    if (load_exec(c, h, "executionArn", &e) == 0)
        c->out = json_pack("{s:s,s:s,s:s,s:s,s:o,s:{s:s,s:b},s:{s:b}}", "stateMachineArn", s->sm_arn,
                           "name", s->sm_name, "definition", s->prog->definition, "roleArn", s->role_arn,
                           "updateDate", asl_serve_date(s->sm_created), "loggingConfiguration", "level",
                           "OFF", "includeExecutionData", 0, "tracingConfiguration", "enabled", 0);
    asl_store_exec_clear(&e);
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

/* ---------------------------------------------------------------- history */

struct history_page {
    json_t *events;
    int limit, more, data;
    long last;
};

/* includeExecutionData=false: the event keeps its shape, without payloads. */
static void strip_data(json_t *ev)
{
    static const char *const payload[] = {"input", "output", "parameters", "inputDetails",
                                          "outputDetails", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(ev, k, v) {
        if (json_is_object(v) && strstr(k, "EventDetails"))
            for (int i = 0; payload[i]; i++)
                json_object_del(v, payload[i]);
    }
}

static int add_event(void *arg, const struct asl_store_event *ev)
{
    struct history_page *p = arg;
    if ((int)json_array_size(p->events) == p->limit) {
        p->more = 1;
        return 1;
    }
    json_t *obj = json_loads(ev->json, 0, NULL);
    if (!obj)
        return -1;
    if (!p->data)
        strip_data(obj);
    json_array_append_new(p->events, obj);
    p->last = ev->id;
    return 0;
}

/* GetExecutionHistory {executionArn, maxResults?, reverseOrder?, nextToken?,
 * includeExecutionData?} -> {events, nextToken?} */
int asl_serve_op_get_execution_history(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    int reverse = asl_serve_bool(c, "reverseOrder", 0);
    const char *arn = asl_serve_str(c, "executionArn");
    char scope[400];
    snprintf(scope, sizeof scope, "GetExecutionHistory|%s|%d", arn, reverse);
    int64_t after = 0;
    const char *tok = asl_serve_str(c, "nextToken");
    if (exec_arn_check(c, arn) != 0 || (tok && asl_serve_page_decode(c, scope, tok, &after) != 0))
        return ASL_SERVE_DONE;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_exec e = {0};
    if (load_exec(c, h, "executionArn", &e) == 0) {
        struct history_page p = {json_array(), asl_serve_page_size(c), 0,
                                 asl_serve_bool(c, "includeExecutionData", 1), 0};
        int rc = asl_store_event_read(h->st, e.id, (long)after, reverse, p.limit + 1, add_event, &p);
        if (rc < 0) {
            json_decref(p.events);
            asl_serve_store_fail(c, "reading the history", asl_store_errmsg(h->st));
        } else {
            c->out = json_pack("{s:o}", "events", p.events);
            if (p.more)
                asl_serve_out_token(c, scope, p.last);
        }
    }
    asl_store_exec_clear(&e);
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

/* --------------------------------------------------------------- listing */

struct exec_page {
    json_t *items;
    int limit, more;
    int64_t last;
};

static int add_exec(void *arg, const struct asl_sq_exec_item *it)
{
    struct exec_page *p = arg;
    if ((int)json_array_size(p->items) == p->limit) {
        p->more = 1;
        return 1;
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:i}", "executionArn", it->arn, "stateMachineArn",
                          it->sm_arn, "name", it->name, "status", asl_store_status_name(it->status),
                          "startDate", asl_serve_date(it->start_date), "redriveCount", it->redrive_count);
    if (it->stop_date > 0)
        json_object_set_new(o, "stopDate", asl_serve_date(it->stop_date));
    if (it->redrive_date > 0)
        json_object_set_new(o, "redriveDate", asl_serve_date(it->redrive_date));
    json_array_append_new(p->items, o);
    p->last = it->id;
    return 0;
}

/* ListExecutions {stateMachineArn | mapRunArn, statusFilter?, redriveFilter?,
 * maxResults?, nextToken?} -> {executions, nextToken?}, newest first. */
int asl_serve_op_list_executions(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *sm = asl_serve_str(c, "stateMachineArn");
    const char *map_run = asl_serve_str(c, "mapRunArn");
    const char *status = asl_serve_str(c, "statusFilter");
    const char *redrive = asl_serve_str(c, "redriveFilter");
    if (sm && map_run)
        return asl_serve_fail(c, "ValidationException",
                              "Only one of stateMachineArn and mapRunArn can be given");
    if (!sm && !map_run)
        return asl_serve_fail(c, "ValidationException", "Must provide a StateMachine ARN or a MapRun ARN");
    if (map_run) {
        struct asl_serve_arn a;
        if (asl_serve_arn_parse(c, map_run, &a) != 0)
            return ASL_SERVE_DONE;
        asl_serve_fail(c, "ResourceNotFound", "Resource not found: '%s'", map_run);
        c->err.extra = json_pack("{s:s}", "resourceName", map_run);
        return ASL_SERVE_DONE;
    }
    if (asl_serve_check_sm(c, sm) != 0)
        return ASL_SERVE_DONE;
    if (status && strcmp(status, "PENDING_REDRIVE") == 0)
        return asl_serve_fail(c, "ValidationException",
                              "PENDING_REDRIVE status filter can only be used with a MapRun ARN");
    char scope[400];
    snprintf(scope, sizeof scope, "ListExecutions|%s|%s|%s", sm, status ? status : "",
             redrive ? redrive : "");
    int64_t before = 0;
    const char *tok = asl_serve_str(c, "nextToken");
    if (tok && asl_serve_page_decode(c, scope, tok, &before) != 0)
        return ASL_SERVE_DONE;
    struct exec_page p = {json_array(), asl_serve_page_size(c), 0, 0};
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    int rf = !redrive ? -1 : strcmp(redrive, "REDRIVEN") == 0 ? 1 : 0;
    int rc = asl_sq_exec_list(h->sq, s->sm_arn, status ? asl_store_status_parse(status) : -1, rf, before,
                              p.limit + 1, add_exec, &p);
    if (rc < 0) {
        json_decref(p.items);
        asl_serve_store_fail(c, "listing executions", asl_sq_errmsg(h->sq));
    } else {
        c->out = json_pack("{s:o}", "executions", p.items);
        if (p.more)
            asl_serve_out_token(c, scope, p.last);
    }
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

/* ------------------------------------------------------------ task tokens */

/* SendTaskSuccess / SendTaskFailure: answer the token; the waiting
 * execution is woken at once. */
static int send_answer(struct asl_serve_call *c, int state)
{
    struct asl_serve *s = c->srv;
    const char *token = asl_serve_str(c, "taskToken");
    if (!asl_store_token_well_formed(token))
        return asl_serve_fail(c, "InvalidToken", "Invalid Token: 'Invalid token'");
    if (state == ASL_TOKEN_SUCCEEDED && asl_store_check_output(asl_serve_str(c, "output")) != ASL_SEND_OK)
        return asl_serve_fail(c, asl_store_send_error(ASL_SEND_INVALID_OUTPUT), "%s",
                              asl_store_send_message(ASL_SEND_INVALID_OUTPUT));
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_token t = {0};
    int outcome = ASL_SEND_OK;
    int rc = asl_store_token_get(h->st, token, &t);
    if (rc == ASL_STORE_NOT_FOUND) {
        outcome = ASL_SEND_DOES_NOT_EXIST;
    } else if (rc == ASL_STORE_OK) {
        /* An activity task's queue row stays until its execution ends: the
         * execution may not have recorded ActivityStarted yet (a fast
         * worker), and reads the worker's name from it. */
        rc = asl_store_token_finish(h->st, token, state, asl_serve_str(c, "output"),
                                    asl_serve_str(c, "error"), asl_serve_str(c, "cause"), c->received,
                                    &outcome);
    }
    if (rc < 0)
        asl_serve_store_fail(c, "answering a task token", asl_store_errmsg(h->st));
    else if (outcome != ASL_SEND_OK)
        asl_serve_fail(c, asl_store_send_error(outcome), "%s", asl_store_send_message(outcome));
    else
        c->out = json_object();
    int64_t exec = t.exec_id;
    asl_store_token_clear(&t);
    asl_serve_db_put(s->db, h);
    if (!c->err.type && exec)
        asl_serve_run_wake(s, exec);
    return ASL_SERVE_DONE;
}

int asl_serve_op_send_task_success(struct asl_serve_call *c)
{
    return send_answer(c, ASL_TOKEN_SUCCEEDED);
}

int asl_serve_op_send_task_failure(struct asl_serve_call *c)
{
    return send_answer(c, ASL_TOKEN_FAILED);
}

/* SendTaskHeartbeat: resets the heartbeat clock; no history event. */
int asl_serve_op_send_task_heartbeat(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *token = asl_serve_str(c, "taskToken");
    if (!asl_store_token_well_formed(token))
        return asl_serve_fail(c, "InvalidToken", "Invalid Token: 'Invalid token'");
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    int outcome = ASL_SEND_OK;
    int rc = asl_store_token_heartbeat(h->st, token, c->received, &outcome);
    if (rc == ASL_STORE_NOT_FOUND)
        outcome = ASL_SEND_DOES_NOT_EXIST;
    if (rc < 0)
        asl_serve_store_fail(c, "recording a heartbeat", asl_store_errmsg(h->st));
    else if (outcome != ASL_SEND_OK)
        asl_serve_fail(c, asl_store_send_error(outcome), "%s", asl_store_send_message(outcome));
    else
        c->out = json_object();
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

/* ------------------------------------------------------------- starting */

/* StartExecution {stateMachineArn, name?, input?, traceHeader?} ->
 * {executionArn, startDate}.  The execution record is durable before the
 * answer; the same name and input while it runs is the same execution. */
int asl_serve_op_start_execution(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *input;
    if (asl_serve_start_checks(c, &input) != 0)
        return ASL_SERVE_DONE;
    if (asl_serve_run_queued(s) >= s->lim.max_queue)
        return asl_serve_fail(c, "ThrottlingException", "Rate exceeded");
    /* Kept as compact JSON text, as the durable runtime records inputs (so a
     * resume compares like with like). */
    json_t *parsed = json_loads(input, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    char *compact = parsed ? asl_json_text(parsed) : NULL;
    json_decref(parsed);
    if (!compact)
        return asl_serve_fail(c, "InternalFailure", "out of memory");
    input = compact;
    char uuid[40];
    asl_serve_uuid(uuid, sizeof uuid);
    const char *name = asl_serve_str(c, "name") ? asl_serve_str(c, "name") : uuid;
    char *arn = asl_serve_printf("arn:aws:states:%s:%s:execution:%s:%s", s->region, s->account,
                                 s->sm_name, name);
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_exec e = {0};
    e.arn = arn;
    e.name = (char *)name;
    e.sm_arn = s->sm_arn;
    e.input = (char *)input;
    e.status = ASL_EXEC_RUNNING;
    e.start_date = c->received;
    int64_t id = 0;
    int rc = ASL_STORE_OK, fresh = 0;
    if (atomic_load(&s->running) >= s->lim.max_running) {
        asl_serve_fail(c, "ExecutionLimitExceeded",
                       "The maximum number of running executions has been reached (%d)", s->lim.max_running);
        goto out;
    }
    rc = asl_store_exec_create(h->st, &e, &id);
    if (rc == ASL_STORE_OK) {
        fresh = 1;
        c->out = json_pack("{s:s,s:o}", "executionArn", arn, "startDate", asl_serve_date(c->received));
    } else if (rc == ASL_STORE_EXISTS) {
        struct asl_store_exec old = {0};
        rc = asl_store_exec_get(h->st, arn, &old);
        if (rc == ASL_STORE_OK && old.status == ASL_EXEC_RUNNING && strcmp(old.input, input) == 0)
            c->out = json_pack("{s:s,s:o}", "executionArn", arn, "startDate", asl_serve_date(old.start_date));
        else if (rc == ASL_STORE_OK)
            asl_serve_fail(c, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn);
        asl_store_exec_clear(&old);
    }
    if (rc < 0)
        asl_serve_store_fail(c, "starting an execution", asl_store_errmsg(h->st));
out:
    asl_serve_db_put(s->db, h);
    if (fresh) {
        atomic_fetch_add(&s->running, 1);
        asl_log(ASL_LOG_INFO, "serve", "execution %s started", name);
        if (asl_serve_run_submit(s, id) != 0) {
            /* Queue full since the check above: the timer picks it up. */
            h = asl_serve_db_get(s->db);
            asl_store_exec_set_wake(h->st, id, c->received);
            asl_serve_db_put(s->db, h);
        }
    }
    free(arn);
    free(compact);
    return ASL_SERVE_DONE;
}

/* ------------------------------------------------------- stop and redrive */

/* StopExecution {executionArn, error?, cause?} -> {stopDate}.  A closed
 * execution is left as it is and its stop date returned. */
int asl_serve_op_stop_execution(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_exec e = {0};
    if (load_exec(c, h, "executionArn", &e) == 0) {
        if (e.status != ASL_EXEC_RUNNING) {
            c->out = json_pack("{s:o}", "stopDate", asl_serve_date(e.stop_date));
        } else {
            int rc = asl_serve_exec_abort(s, h, &e, asl_serve_str(c, "error"), asl_serve_str(c, "cause"),
                                          c->received);
            if (rc == 0) {
                c->out = json_pack("{s:o}", "stopDate", asl_serve_date(c->received));
                asl_serve_log_end(e.name, "ABORTED", e.start_date, asl_serve_str(c, "error"));
            } else {
                asl_serve_store_fail(c, "stopping an execution", asl_store_errmsg(h->st));
            }
        }
    }
    int64_t id = e.id;
    asl_store_exec_clear(&e);
    asl_serve_db_put(s->db, h);
    if (c->out)
        asl_serve_run_wake(s, id);  /* a worker running it notices and ends */
    return ASL_SERVE_DONE;
}

/* RedriveExecution {executionArn, clientToken?} -> {redriveDate} */
int asl_serve_op_redrive_execution(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    struct asl_store_exec e = {0};
    int64_t id = 0;
    if (load_exec(c, h, "executionArn", &e) == 0) {
        const char *reason;
        const char *token = asl_serve_str(c, "clientToken");
        double date = 0;
        if (token && asl_serve_redrive_token_seen(s, h, e.id, token, c->received, &date)) {
            c->out = json_pack("{s:o}", "redriveDate", asl_serve_date(date));
        } else if (strcmp(redrive_status(h, &e, c->received, &reason), "REDRIVABLE") != 0) {
            asl_serve_fail(c, "ExecutionNotRedrivable", "Execution Not Redrivable: '%s': %s", e.arn, reason);
        } else if (atomic_load(&s->running) >= s->lim.max_running) {
            asl_serve_fail(c, "ExecutionLimitExceeded",
                           "The maximum number of running executions has been reached (%d)", s->lim.max_running);
        } else if (asl_serve_exec_redrive(s, h, &e, c->received) != 0) {
            asl_serve_store_fail(c, "redriving an execution", asl_store_errmsg(h->st));
        } else {
            if (token)
                asl_serve_redrive_token_keep(s, h, e.id, token, c->received);
            c->out = json_pack("{s:o}", "redriveDate", asl_serve_date(c->received));
            id = e.id;
        }
    }
    asl_store_exec_clear(&e);
    asl_serve_db_put(s->db, h);
    if (id) {
        atomic_fetch_add(&s->running, 1);
        if (asl_serve_run_submit(s, id) != 0) {
            h = asl_serve_db_get(s->db);
            asl_store_exec_set_wake(h->st, id, c->received);
            asl_serve_db_put(s->db, h);
        }
    }
    return ASL_SERVE_DONE;
}
