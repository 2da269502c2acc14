/*
 * ops_sync.c - StartSyncExecution, and the checks every start shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"
#include "serve_ops.h"
#include "serve_run.h"

/* The input member as JSON text: 0, or -1 with InvalidExecutionInput set. */
static int check_input(struct asl_serve_call *c, const char **text)
{
    const char *in = asl_serve_str(c, "input");
    *text = in ? in : "{}";
    if (strlen(*text) > ASL_PAYLOAD_MAX) {
        asl_serve_fail(c, "InvalidExecutionInput",
                       "Invalid State Machine Execution Input: 'The input exceeds the maximum size of %d bytes'",
                       ASL_PAYLOAD_MAX);
        return -1;
    }
    json_error_t jerr;
    json_t *v = json_loads(*text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!v) {
        if (!**text)
            asl_serve_fail(c, "InvalidExecutionInput",
                           "Invalid State Machine Execution Input: 'Invalid execution input.'");
        else
            asl_serve_fail(c, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'", jerr.text);
        return -1;
    }
    json_decref(v);
    return 0;
}

/* What StartExecution and StartSyncExecution check first. */
int asl_serve_start_checks(struct asl_serve_call *c, const char **input)
{
    if (asl_serve_check_sm(c, asl_serve_str(c, "stateMachineArn")) != 0)
        return -1;
    const char *name = asl_serve_str(c, "name");
    if (name && !asl_serve_name_ok(name)) {
        asl_serve_fail(c, "InvalidName", "Invalid Name: '%s'", name);
        return -1;
    }
    return check_input(c, input);
}

/* StartSyncExecution: run now, answer with the outcome (HTTP 200 even when
 * the execution failed, as AWS). */
int asl_serve_op_start_sync_execution(struct asl_serve_call *c)
{
    const char *input;
    if (asl_serve_start_checks(c, &input) != 0)
        return ASL_SERVE_DONE;
    if (asl_serve_run_sync(c->srv, c) != 0)
        return asl_serve_fail(c, "ThrottlingException", "Rate exceeded");
    return ASL_SERVE_ASYNC;
}

