/*
 * task.c - the Task state: who runs an attempt (a mock, a --bind program,
 * a built-in invoker), its events, its timeouts, and the start-up check
 * that every Task has someone to run it.
 *
 * Precedence for one Task state: a mock config entry for the state, then a
 * binding of its Resource given on the binary's command line, then one
 * compiled in with `aslc build --bind`, then the built-in invoker of the
 * resource form (local program, Lambda, HTTP).  A Task with none of them
 * stops the binary at start (exit 2) before anything runs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "task/task.h"
#include "run/run.h"
#include "run/history.h"
#include "exec/recover.h"
#include "io/io.h"
#include "base/json.h"
#include "jsonata/jn_states.h"
#include "task/process.h"
#include "task/mock.h"
#include "base/signals.h"
#include "store/durable.h"
#include "task/activity.h"

/* AWS's default task timeout (its docs; the spec says 60). */
#define ASL_TASK_DEFAULT_TIMEOUT 99999999.0

/* ------------------------------------------------------------ bindings */

static char **split_argv(const char *cmd)
{
    size_t n = 0;
    char **argv = calloc(strlen(cmd) / 2 + 2, sizeof *argv);
    if (!argv)
        return NULL;
    const char *p = cmd;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        argv[n++] = strndup(s, (size_t)(p - s));
    }
    argv[n] = NULL;
    if (n == 0) {
        free(argv);
        return NULL;
    }
    return argv;
}

static void free_argv(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

int asl_task_bindings_parse(struct asl_exec *ex, const char *const *specs, size_t n)
{
    ex->bindings = calloc(n ? n : 1, sizeof *ex->bindings);
    if (!ex->bindings)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(specs[i], '=');
        char **argv = eq ? split_argv(eq + 1) : NULL;
        if (!argv) {
            fprintf(stderr, "--bind %s: expected RESOURCE=PROGRAM [ARGS...]\n", specs[i]);
            return -1;
        }
        ex->bindings[ex->nbindings].resource = strndup(specs[i], (size_t)(eq - specs[i]));
        ex->bindings[ex->nbindings++].argv = argv;
    }
    return 0;
}

void asl_task_bindings_free(struct asl_exec *ex)
{
    for (size_t i = 0; i < ex->nbindings; i++) {
        free((char *)ex->bindings[i].resource);
        free_argv(ex->bindings[i].argv);
    }
    free(ex->bindings);
    ex->bindings = NULL;
    ex->nbindings = 0;
}

/* A binding for `resource`: exact, or a pattern ending in '*'. */
static const struct asl_binding *find_binding(const struct asl_exec *ex, const char *resource)
{
    for (size_t i = 0; i < ex->nbindings; i++) {
        const char *r = ex->bindings[i].resource;
        size_t rl = strlen(r);
        if (strcmp(r, resource) == 0 || (rl && r[rl - 1] == '*' && strncmp(r, resource, rl - 1) == 0))
            return &ex->bindings[i];
    }
    return NULL;
}

/* --------------------------------------------------------- preflight */

/* Under --mock-config a Task the mock does not list never reaches the
 * network (Lambda, HTTP, AWS API calls) unless $ASLC_MOCK_NETWORK=1 asks
 * for it: a test run must not call real AWS with whatever credentials the
 * environment holds. */
static int network_allowed(const struct asl_exec *ex, const struct asl_task *t)
{
    if (!ex->mock || !t->invoke || t->kind == ASL_TASK_PROGRAM)
        return 1;
    const char *v = getenv("ASLC_MOCK_NETWORK");
    return v && strcmp(v, "1") == 0;
}

static int has_runner(const struct asl_exec *ex, const struct asl_state *st)
{
    const struct asl_task *t = st->spec;
    /* With a mock config, a Task its test case does not list runs as it
     * would without one (Step Functions Local calls the real service); one
     * with no runner at all fails when it is reached, not here: AWS's own
     * sample test cases list only the states on their path.  A network Task
     * under a mock runs only with ASLC_MOCK_NETWORK=1 (network_allowed). */
    return ex->mock || find_binding(ex, t->resource) || t->argv || t->invoke || t->kind == ASL_TASK_ACTIVITY;
}

/* The program a Task would run, unless a mock answers for it. */
static char *const *task_program(const struct asl_exec *ex, const struct asl_state *st)
{
    const struct asl_task *t = st->spec;
    const struct asl_binding *b;
    if (ex->mock && asl_mock_has(ex->mock, st->name))
        return NULL;
    if ((b = find_binding(ex, t->resource)) != NULL)
        return b->argv;
    return (char *const *)t->argv;
}

/* Can argv0 be run: a path that is an executable file, or a name found on $PATH? */
static const char *program_problem(const char *prog)
{
    struct stat sb;
    if (strchr(prog, '/')) {
        if (stat(prog, &sb) != 0)
            return "does not exist";
        if (!S_ISREG(sb.st_mode) || access(prog, X_OK) != 0)
            return "is not an executable file";
        return NULL;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t l = strcspn(p, ":");
        char full[4096];
        snprintf(full, sizeof full, "%.*s/%s", (int)(l ? l : 1), l ? p : ".", prog);
        if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode) && access(full, X_OK) == 0)
            return NULL;
        p += l;
        if (*p == ':')
            p++;
    }
    return "is not on $PATH";
}

static void scan(const struct asl_exec *ex, const struct asl_machine *m, const char *argv0, int *missing)
{
    for (size_t i = 0; i < m->nstates; i++) {
        const struct asl_state *st = &m->states[i];
        const struct asl_task *t = st->type == ASL_TASK ? st->spec : NULL;
        char *const *prog = st->type == ASL_TASK ? task_program(ex, st) : NULL;
        const char *why = prog && prog[0] ? program_problem(prog[0]) : NULL;
        if (why) {
            fprintf(stderr, "%s: Task state '%s' runs the program '%s', which %s\n", argv0, st->name,
                    prog[0], why);
            (*missing)++;
        } else if (t && !has_runner(ex, st)) {
            if (t->invoke && !network_allowed(ex, t))
                fprintf(stderr, "%s: no way to run Task state '%s' (Resource %s): the mock config does not "
                                "list it, and under --mock-config Tasks call no network service unless "
                                "ASLC_MOCK_NETWORK=1\n", argv0, st->name, t->resource);
            else
                fprintf(stderr, "%s: no way to run Task state '%s' (Resource %s): give --bind %s=PROGRAM"
                                " or a --mock-config that lists it\n", argv0, st->name, t->resource, t->resource);
            (*missing)++;
        } else if (t && t->kind == ASL_TASK_ACTIVITY && !ex->has_store &&
                   !find_binding(ex, t->resource) && !(ex->mock && asl_mock_has(ex->mock, st->name))) {
            fprintf(stderr, "%s: Task state '%s' runs the activity %s: add --store FILE (and --name NAME)"
                            " so that a worker can take it (get-activity-task, or the API server)\n",
                    argv0, st->name, t->resource);
            (*missing)++;
        } else if (t && t->wait_for_token && !ex->has_store && !(ex->mock && asl_mock_has(ex->mock, st->name))) {
            fprintf(stderr, "%s: Task state '%s' waits for a callback (.waitForTaskToken): add --store FILE"
                            " (and --name NAME) so that the execution can wait for send-task-success or"
                            " send-task-failure, across restarts\n", argv0, st->name);
            (*missing)++;
        } else if (st->type == ASL_PARALLEL) {
            const struct asl_parallel *p = st->spec;
            for (size_t b = 0; b < p->nbranches; b++)
                scan(ex, p->branches[b], argv0, missing);
        } else if (st->type == ASL_MAP) {
            scan(ex, ((const struct asl_map *)st->spec)->processor, argv0, missing);
        }
    }
}

int asl_task_preflight(struct asl_exec *ex, const char *argv0)
{
    int missing = 0;
    scan(ex, ex->prog->machine, argv0, &missing);
    return missing ? -1 : 0;
}

/* ------------------------------------------------------------- events */

static const char *ev_prefix(const struct asl_task *t)
{
    return t->kind == ASL_TASK_LAMBDA ? "LambdaFunction" : t->kind == ASL_TASK_ACTIVITY ? "Activity" : "Task";
}

static void task_event(struct asl_run *run, const struct asl_task *t, const char *what, json_t *details)
{
    char type[64];
    snprintf(type, sizeof type, "%s%s", ev_prefix(t), what);
    if (!asl_history_recording(run)) {
        json_decref(details);
        details = NULL;
    } else if (t->kind != ASL_TASK_LAMBDA && t->kind != ASL_TASK_ACTIVITY) {
        if (!details)
            details = json_object();
        json_object_set_new(details, "resourceType", json_string(t->resource_type ? t->resource_type : ""));
        json_object_set_new(details, "resource", json_string(t->resource_name ? t->resource_name : t->resource));
    }
    asl_history_add(run, type, details);
}

static json_t *text_field(const char *key, json_t *v)
{
    char *s = asl_json_text(v);
    json_t *d = json_pack("{s:s}", key, s ? s : "null");
    free(s);
    return d;
}

/* ------------------------------------------------------------- attempt */

struct task_ctx {
    double timeout, heartbeat;
    char *role;             /* Credentials.RoleArn, evaluated; NULL when absent */
};

/* Credentials {"RoleArn": ...}, evaluated on the state's input like
 * Parameters (JSONata: {% %} on $states); the role the task's AWS calls
 * assume (task/aws.c). */
static int resolve_role(struct asl_run *run, const struct asl_state *st, json_t *in, char **role)
{
    const struct asl_task *t = st->spec;
    json_t *v = NULL;
    if (st->io.jsonata) {
        json_t *states = asl_jn_states(run, in, NULL, NULL);
        int rc = asl_jn_tpl(run, t->credentials, states, &v);
        json_decref(states);
        if (rc != 0)
            return -1;
    } else {
        json_t *eff = NULL;
        if (asl_io_input(run, &st->io, in, &eff) != 0)
            return -1;
        int rc = asl_io_tpl_eval(run, t->credentials, eff, &v);
        json_decref(eff);
        if (rc != 0)
            return -1;
    }
    const char *arn = json_string_value(json_object_get(v, "RoleArn"));
    if (!arn || !*arn) {
        json_decref(v);
        return asl_run_fail_prefixed(run, ASL_E_RUNTIME, "The Credentials field's RoleArn must be a non-empty string");
    }
    *role = strdup(arn);
    json_decref(v);
    return *role ? 0 : asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
}

static int resolve_seconds(struct asl_run *run, const struct asl_path *p, json_t *eff, double *out)
{
    json_t *v = NULL;
    if (asl_io_select_required(run, p, eff, &v) != 0)
        return -1;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        char *text = asl_json_text(v);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                              "The value of the path '%s' must be a positive integer, but was '%s'",
                              p->text, text ? text : "");
        free(text);
        json_decref(v);
        return -1;
    }
    *out = (double)json_integer_value(v);
    json_decref(v);
    return 0;
}

static int mock_attempt(struct asl_run *run, const struct asl_task *t, json_t **result)
{
    json_t *ret = NULL;
    struct asl_err err = {0};
    int rc = asl_mock_next(run->exec->mock, run->state->name, &ret, &err);
    if (rc == 1) {
        /* A direct Lambda ARN's mocked Return is the Invoke response; the
         * task's result is its Payload. */
        if (t->kind == ASL_TASK_LAMBDA && json_is_object(ret) && json_object_get(ret, "Payload")) {
            *result = json_incref(json_object_get(ret, "Payload"));
            json_decref(ret);
        } else {
            *result = ret;
        }
        return 0;
    }
    if (rc == 0 && !err.name && !err.cause)
        err.json_null = 1;
    asl_err_move(&run->err, &err);
    return -1;
}

static int program_attempt(struct asl_run *run, const struct asl_task *t, char *const *argv,
                           const struct task_ctx *tc, json_t *params, json_t **result)
{
    /* The attempt's key: stable across restarts of a durable execution
     * (the execution ARN and the attempt's replay key). */
    char task_key[ASL_FIBER_MAX + 512];
    snprintf(task_key, sizeof task_key, "%s#%s", run->exec->exec_arn, run->fiber);
    struct asl_proc_spec spec = {
        .argv = (const char *const *)argv,
        .timeout_s = tc->timeout,
        .heartbeat_s = tc->heartbeat,
        .cancel = run->cancel,
        .log_tag = run->state->name,
        .envp = run->exec->task_env,
        .task_key = run->exec->dur ? task_key : NULL,
        .resource = t->resource,
    };
    struct asl_err err = {0};
    if (asl_proc_invoke(&spec, params, result, &err) != 0) {
        asl_err_move(&run->err, &err);
        return -1;
    }
    return 0;
}

/* arn:aws:states:::lambda:invoke whose FunctionName is bound to a local
 * program: the program is the function.  It gets the Payload and its
 * answer comes back in the Invoke response's shape, so the definition's
 * "$.Payload" paths work unchanged. */
static int bound_lambda_invoke(struct asl_run *run, const struct asl_task *t, const struct asl_binding *b,
                               const struct task_ctx *tc, json_t *params, json_t **result)
{
    json_t *payload = json_object_get(params, "Payload");
    json_t *out = NULL;
    if (program_attempt(run, t, b->argv, tc, payload ? payload : json_null(), &out) != 0)
        return -1;
    char id[40];
    snprintf(id, sizeof id, "%s-%ld", run->exec->name, run->prev_event);
    *result = json_pack("{s:s,s:o,s:{s:{},s:{},s:i},s:{s:s},s:i}",
                        "ExecutedVersion", "$LATEST", "Payload", out,
                        "SdkHttpMetadata", "AllHttpHeaders", "HttpHeaders", "HttpStatusCode", 200,
                        "SdkResponseMetadata", "RequestId", id, "StatusCode", 200);
    return *result ? 0 : asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
}

int asl_invoke_program(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result)
{
    struct task_ctx tc = {ASL_TASK_DEFAULT_TIMEOUT, 0, NULL};
    return program_attempt(run, t, (char *const *)t->argv, &tc, params, result);
}

/* Run the Task's work once: a --bind program (also as a Lambda function
 * name), a compiled-in program, or the built-in invoker. */
static int invoke(struct asl_run *run, const struct asl_state *st, const struct task_ctx *tc, json_t *params,
                  json_t **result)
{
    const struct asl_task *t = st->spec;
    const struct asl_exec *ex = run->exec;
    const struct asl_binding *b;
    const char *fn_name = NULL;
    if (t->kind == ASL_TASK_SERVICE && t->resource_type && strcmp(t->resource_type, "lambda") == 0 &&
        t->resource_name && strncmp(t->resource_name, "invoke", 6) == 0)
        fn_name = json_string_value(json_object_get(params, "FunctionName"));
    if (fn_name && (b = find_binding(ex, fn_name)) != NULL)
        return bound_lambda_invoke(run, t, b, tc, params, result);
    if ((b = find_binding(ex, t->resource)) != NULL)
        return program_attempt(run, t, b->argv, tc, params, result);
    if (t->argv)
        return program_attempt(run, t, (char *const *)t->argv, tc, params, result);
    if (t->invoke && network_allowed(ex, t))
        return t->invoke(run, t, params, result);
    if (t->invoke)
        return asl_err_set(&run->err, ASL_E_TASK_FAILED,
                           "The mock test case has no response for state '%s', and under --mock-config Tasks "
                           "call no network service unless ASLC_MOCK_NETWORK=1: list the state in the test case "
                           "or bind the resource with --bind", st->name);
    return asl_err_set(&run->err, ASL_E_TASK_FAILED,
                       "The mock test case has no response for state '%s', and aslc has no client for "
                       "%s: list the state in the test case or bind the resource with --bind",
                       st->name, t->resource);
}

/* .waitForTaskToken: record the token, deliver the request once (the
 * program's exit, the HTTP or Lambda answer, ends only the delivery),
 * then wait in the store for SendTaskSuccess/Failure or a timeout. */
static int callback_attempt(struct asl_run *run, const struct asl_state *st, const struct task_ctx *tc,
                            json_t *params, json_t **result)
{
    if (!run->exec->dur || !run->task_token)
        return asl_err_set_str(&run->err, ASL_E_RUNTIME, "a callback task needs --store");
    double timeout = tc->timeout < ASL_TASK_DEFAULT_TIMEOUT ? tc->timeout : 0;
    if (asl_dur_token_create(run, run->task_token, timeout, tc->heartbeat) != 0)
        return -1;
    char key[ASL_FIBER_MAX + 24];
    asl_dur_key(run, key, sizeof key);
    json_t *delivered = asl_dur_get(run->exec, key);
    if (!delivered) {
        json_t *answer = NULL;
        if (invoke(run, st, tc, params, &answer) != 0)
            return -1;
        json_decref(answer);
        asl_dur_put(run->exec, key, json_true());
        asl_dur_sync(run->exec);
    }
    json_decref(delivered);
    return asl_dur_await_token(run, run->task_token, result);
}

static int task_attempt(struct asl_run *run, const struct asl_state *st, void *ctx, json_t *params,
                        json_t **result)
{
    const struct asl_task *t = st->spec;
    struct task_ctx *tc = ctx;
    struct asl_exec *ex = run->exec;
    if (asl_json_size(params) > ASL_PAYLOAD_MAX)
        return asl_err_set(&run->err, ASL_E_DATA_LIMIT,
                           "The state/task '%s' has an input with a size exceeding the maximum number "
                           "of bytes service limit.", st->name);
    json_t *sched = NULL;
    if (asl_history_recording(run)) {
        if (t->kind == ASL_TASK_LAMBDA || t->kind == ASL_TASK_ACTIVITY) {
            sched = text_field("input", params);
            json_object_set_new(sched, "resource", json_string(t->resource));
        } else {
            sched = text_field("parameters", params);
            json_object_set_new(sched, "region", json_string("us-east-1"));
        }
        if (t->kind != ASL_TASK_ACTIVITY || tc->timeout < ASL_TASK_DEFAULT_TIMEOUT)
            json_object_set_new(sched, "timeoutInSeconds", json_integer((json_int_t)tc->timeout));
        if (t->kind == ASL_TASK_ACTIVITY && tc->heartbeat > 0)
            json_object_set_new(sched, "heartbeatInSeconds", json_integer((json_int_t)tc->heartbeat));
        if (tc->role)
            json_object_set_new(sched, "taskCredentials", json_pack("{s:s}", "roleArn", tc->role));
    }
    int activity = t->kind == ASL_TASK_ACTIVITY && !find_binding(ex, t->resource) &&
                   !(ex->mock && asl_mock_has(ex->mock, st->name));
    task_event(run, t, "Scheduled", sched);
    if (!activity)      /* an activity starts when a worker takes it */
        task_event(run, t, "Started", NULL);
    /* Callback and .sync integrations report the request as submitted
     * before the task's own outcome. */
    if (t->wait_for_token || (t->resource_name && strstr(t->resource_name, ".sync")))
        task_event(run, t, "Submitted", NULL);

    int rc;
    if (ex->mock && asl_mock_has(ex->mock, st->name))
        rc = mock_attempt(run, t, result);
    else if (activity)
        rc = asl_task_activity_attempt(run, t, tc->timeout < ASL_TASK_DEFAULT_TIMEOUT ? tc->timeout : 0,
                                       tc->heartbeat, params, result);
    else if (t->wait_for_token)
        rc = callback_attempt(run, st, tc, params, result);
    else
        rc = invoke(run, st, tc, params, result);

    if (rc != 0 && asl_run_parked(run))
        return -1;      /* not a failure: the iteration runs again when the token is answered */
    if (rc == 0 && asl_json_size(*result) > ASL_PAYLOAD_MAX) {
        json_decref(*result);
        *result = NULL;
        const char *what = t->kind == ASL_TASK_SERVICE && t->resource_type ? t->resource_type : t->resource;
        asl_err_set(&run->err, ASL_E_DATA_LIMIT,
                    "The state/task '%s' returned a result with a size exceeding the maximum number "
                    "of bytes service limit.", what);
        rc = -1;
    }
    if (rc == 0) {
        task_event(run, t, "Succeeded", asl_history_recording(run) ? text_field("output", *result) : NULL);
        return 0;
    }
    /* Stopped by a signal (signals.c): the execution ends with
     * ExecutionAborted, the task records no failure of its own. */
    if (asl_signals_received() && run->err.name && strcmp(run->err.name, ASL_E_ABORTED) == 0)
        return -1;
    int timed_out = run->err.name && strcmp(run->err.name, ASL_E_TIMEOUT) == 0;
    json_t *d = NULL;
    if (asl_history_recording(run)) {
        d = json_object();
        if (run->err.name)
            json_object_set_new(d, "error", json_string(run->err.name));
        if (run->err.cause)
            json_object_set_new(d, "cause", json_string(run->err.cause));
    }
    task_event(run, t, timed_out ? "TimedOut" : "Failed", d);
    return -1;
}

int asl_task_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next)
{
    const struct asl_task *t = st->spec;
    struct task_ctx tc = {t->timeout > 0 ? (double)t->timeout : ASL_TASK_DEFAULT_TIMEOUT,
                          t->heartbeat > 0 ? (double)t->heartbeat : 0, NULL};
    if (t->timeout_jn || t->heartbeat_jn) {
        json_t *states = asl_jn_states(run, in, NULL, NULL), *v = NULL;
        const struct asl_tpl *fields[2] = {t->timeout_jn, t->heartbeat_jn};
        double *dst[2] = {&tc.timeout, &tc.heartbeat};
        for (int i = 0; i < 2; i++) {
            if (!fields[i])
                continue;
            if (asl_jn_tpl(run, fields[i], states, &v) != 0 || asl_jn_expect(run, fields[i], v, "integer") != 0) {
                json_decref(v);
                json_decref(states);
                return ASL_STEP_FAIL;
            }
            *dst[i] = json_number_value(v);
            json_decref(v);
            v = NULL;
        }
        json_decref(states);
    }
    if (t->timeout_path || t->heartbeat_path) {
        json_t *eff = NULL;
        if (asl_io_input(run, &st->io, in, &eff) != 0)
            return ASL_STEP_FAIL;
        int bad = (t->timeout_path && resolve_seconds(run, t->timeout_path, eff, &tc.timeout) != 0) ||
                  (t->heartbeat_path && resolve_seconds(run, t->heartbeat_path, eff, &tc.heartbeat) != 0);
        json_decref(eff);
        if (bad)
            return ASL_STEP_FAIL;
    }
    /* The task token exists before Parameters are evaluated (a callback
     * task passes it on: "TaskToken.$": "$$.Task.Token"); recover.c draws
     * a new one for each attempt (asl_dur_next_task_token).  AWS fills it for
     * every Task state, so every reader of the context object sees it. */
    if (t->credentials && resolve_role(run, st, in, &tc.role) != 0)
        return ASL_STEP_FAIL;
    run->task_role = tc.role;
    int rc = asl_recover_run(run, st, &t->rec, in, task_attempt, &tc, out, next);
    run->task_token = NULL;
    run->task_role = NULL;
    free(tc.role);
    return rc;
}
