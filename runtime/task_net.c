/*
 * task_net.c - the built-in invokers that call the network: a Lambda
 * function ARN, arn:aws:states:::lambda:invoke, arn:aws:states:::http:invoke.
 * Kept apart so that only binaries whose definition names one of them link
 * libcurl (generated code references these symbols only then).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "run.h"
#include "task/net.h"

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

int asl_invoke_http(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result)
{
    (void)t;
    struct asl_net_opts o;
    struct asl_err err = {0};
    if (net_opts(run, &o) != 0)
        return -1;
    if (asl_http_invoke(params, &o, result, &err) != 0) {
        asl_err_move(&run->err, &err);
        return -1;
    }
    return 0;
}
