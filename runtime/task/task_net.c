/*
 * task_net.c - the built-in invokers that call the network: a Lambda
 * function ARN, arn:aws:states:::lambda:invoke, arn:aws:states:::http:invoke.
 * Kept apart so that only binaries whose definition names one of them link
 * libcurl (generated code references these symbols only then).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"
#include "task/net.h"
#include "task/lambda.h"
#include "task/http.h"

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static int net_ok;

static void net_init(void)
{
    net_ok = asl_net_global_init() == 0;
}

static int net_opts(struct asl_run *run, struct asl_net_opts *o)
{
    pthread_once(&net_once, net_init);
    if (!net_ok)
        return asl_err_set_str(&run->err, ASL_E_TASK_FAILED, "libcurl could not be initialised");
    memset(o, 0, sizeof *o);
    o->timeout_s = asl_cancel_remaining(run->cancel);
    o->cancel = run->cancel;
    o->tag = run->state->name;
    o->role_arn = run->task_role;
    o->role_session = run->exec->name;
    return 0;
}

int asl_invoke_lambda(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result)
{
    struct asl_net_opts o;
    struct asl_err err = {0};
    if (net_opts(run, &o) != 0)
        return -1;
    if (asl_lambda_invoke_direct(t->resource, params, &o, result, &err) != 0) {
        asl_err_move(&run->err, &err);
        return -1;
    }
    return 0;
}

int asl_invoke_lambda_api(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result)
{
    (void)t;
    struct asl_net_opts o;
    struct asl_err err = {0};
    if (net_opts(run, &o) != 0)
        return -1;
    if (asl_lambda_invoke_integration(params, &o, result, &err) != 0) {
        asl_err_move(&run->err, &err);
        return -1;
    }
    return 0;
}

/* ASLC_HTTP_ENDPOINT_OVERRIDE="PREFIX=REPLACEMENT [PREFIX=REPLACEMENT...]"
 * (white-space separated): an ApiEndpoint that starts with PREFIX is sent
 * to REPLACEMENT + the rest instead; the first matching pair wins.  This
 * points a definition that names a public API at a local or staging server
 * without editing it.  Returns a new params object, or NULL when nothing
 * matched. */
static json_t *endpoint_override(struct asl_run *run, json_t *params)
{
    const char *spec = getenv("ASLC_HTTP_ENDPOINT_OVERRIDE");
    const char *url = json_string_value(json_object_get(params, "ApiEndpoint"));
    if (!spec || !*spec || !url)
        return NULL;
    const char *p = spec;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',')
            p++;
        const char *b = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != ',')
            p++;
        const char *eq = memchr(b, '=', (size_t)(p - b));
        if (!eq || eq == b)
            continue;
        size_t pl = (size_t)(eq - b), rl = (size_t)(p - eq - 1);
        if (strncmp(url, b, pl) != 0)
            continue;
        size_t n = rl + strlen(url + pl) + 1;
        char *to = malloc(n);
        if (!to)
            return NULL;
        snprintf(to, n, "%.*s%s", (int)rl, eq + 1, url + pl);
        json_t *copy = json_copy(params);
        if (copy)
            json_object_set_new(copy, "ApiEndpoint", json_string(to));
        asl_log(ASL_LOG_DEBUG, run->state->name, "ApiEndpoint %s sent to %s (ASLC_HTTP_ENDPOINT_OVERRIDE)",
                url, to);
        free(to);
        return copy;
    }
    return NULL;
}

int asl_invoke_http(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result)
{
    (void)t;
    struct asl_net_opts o;
    struct asl_err err = {0};
    if (net_opts(run, &o) != 0)
        return -1;
    json_t *over = endpoint_override(run, params);
    int rc = asl_http_invoke(over ? over : params, &o, result, &err);
    json_decref(over);
    if (rc != 0) {
        asl_err_move(&run->err, &err);
        return -1;
    }
    return 0;
}
