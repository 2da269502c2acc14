/*
 * run.c - one thread of control: the context object it sees, its variable
 * scopes, its children (Parallel branches, Map iterations) and the prefix
 * AWS puts on a state's runtime failures.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"

int asl_run_fail_prefixed(struct asl_run *run, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = malloc((size_t)n + 1);
    if (!msg)
        return asl_err_set_str(&run->err, name, NULL);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    asl_err_set(&run->err, name,
                "An error occurred while executing the state '%s' (entered at the event id #%ld). %s",
                run->state ? run->state->name : "", run->entered_event, msg);
    free(msg);
    return -1;
}

json_t *asl_run_context(struct asl_run *run)
{
    struct asl_exec *ex = run->exec;
    json_t *ctx = json_object();
    json_t *exe = json_object();
    json_object_set_new(exe, "Id", json_string(ex->exec_arn));
    json_object_set(exe, "Input", ex->input);
    json_object_set_new(exe, "StartTime", json_string(ex->start_time));
    json_object_set_new(exe, "Name", json_string(ex->name));
    json_object_set_new(exe, "RoleArn", json_string(ex->role_arn));
    json_object_set_new(exe, "RedriveCount", json_integer(ex->redrive_count));
    json_object_set_new(ctx, "Execution", exe);
    json_t *sm = json_object();
    json_object_set_new(sm, "Id", json_string(ex->sm_arn));
    json_object_set_new(sm, "Name", json_string(ex->sm_name));
    json_object_set_new(ctx, "StateMachine", sm);
    json_t *state = json_object();
    json_object_set_new(state, "Name", json_string(run->state ? run->state->name : ""));
    json_object_set_new(state, "EnteredTime", json_string(run->entered_time));
    if (run->has_retry_count)
        json_object_set_new(state, "RetryCount", json_integer(run->retry_count));
    json_object_set_new(ctx, "State", state);
    if (run->task_token) {
        json_t *task = json_object();
        json_object_set_new(task, "Token", json_string(run->task_token));
        json_object_set_new(ctx, "Task", task);
    }
    if (run->map_item_index) {
        json_t *item = json_object();
        json_object_set(item, "Index", run->map_item_index);
        json_object_set(item, "Value", run->map_item_value);
        if (run->map_item_key)
            json_object_set(item, "Key", run->map_item_key);
        if (run->map_item_source)
            json_object_set(item, "Source", run->map_item_source);
        json_t *map = json_object();
        json_object_set_new(map, "Item", item);
        json_object_set_new(ctx, "Map", map);
    }
    return ctx;
}

void asl_run_child(struct asl_run *child, struct asl_run *parent, struct asl_cancel *cancel,
                   struct asl_vars *scope, const struct asl_vars *outer)
{
    memset(child, 0, sizeof *child);
    child->exec = parent->exec;
    child->cancel = cancel;
    scope->parent = outer;
    scope->obj = NULL;
    child->vars = scope;
    child->prev_event = parent->prev_event;
}

json_t *asl_vars_get(const struct asl_vars *v, const char *name)
{
    for (; v; v = v->parent) {
        json_t *x = v->obj ? json_object_get(v->obj, name) : NULL;
        if (x)
            return x;
    }
    return NULL;
}
