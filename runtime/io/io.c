/*
 * io.c - JSONPath input/output processing: InputPath, Parameters and the
 * other payload templates, ResultSelector, ResultPath, OutputPath, Assign.
 *
 *   raw --InputPath--> effective --Parameters--> task input
 *   result --ResultSelector--> R' --ResultPath(raw)--> O1 --OutputPath--> output
 *
 * Values are shared, never copied whole: a template builds new containers
 * around referenced subtrees, ResultPath copies only the objects along its
 * path (asl_path_put).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "run/run.h"
#include "store/durable.h"
#include "io/path.h"
#include "base/json.h"
#include "base/text.h"
#include "aslrt_jsonata.h"
#include "run/history.h"

json_t *asl_io_lit(const struct asl_run *run, int idx)
{
    return run->exec->prog->lits[idx];
}

int asl_io_select(struct asl_run *run, const struct asl_path *p, json_t *in, json_t **out)
{
    switch (p->root) {
    case ASL_ROOT_INPUT:
        return asl_path_select(p, in, out);
    case ASL_ROOT_CONTEXT: {
        json_t *ctx = asl_run_context(run);
        int rc = asl_path_select(p, ctx, out);
        json_decref(ctx);
        return rc;
    }
    case ASL_ROOT_VAR: {
        json_t *v = asl_vars_get(run->vars, p->var);
        if (!v)
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                                         "Invalid path '%s': The variable '$%s' has not been assigned.",
                                         p->text, p->var);
        return asl_path_select(p, v, out);
    }
    case ASL_ROOT_CURRENT:
        break;
    }
    return asl_path_select(p, in, out);
}

char *asl_io_root_text(struct asl_run *run, const struct asl_path *p, json_t *in)
{
    json_t *root = in, *ctx = NULL;
    if (p->root == ASL_ROOT_CONTEXT)
        root = ctx = asl_run_context(run);
    else if (p->root == ASL_ROOT_VAR)
        root = asl_vars_get(run->vars, p->var);
    char *s = root ? asl_json_text(root) : strdup("null");
    json_decref(ctx);
    return s;
}

int asl_io_select_required(struct asl_run *run, const struct asl_path *p, json_t *in, json_t **out)
{
    int rc = asl_io_select(run, p, in, out);
    if (rc == 0) {
        char *cause = asl_io_miss_text(run, p, in);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME, "%s", cause ? cause : p->text);
        free(cause);
    }
    return rc == 1 ? 0 : -1;
}

char *asl_io_miss_text(struct asl_run *run, const struct asl_path *p, json_t *in)
{
    json_t *ctx = NULL, *root = in;
    if (p->root == ASL_ROOT_CONTEXT)
        root = ctx = asl_run_context(run);
    else if (p->root == ASL_ROOT_VAR)
        root = asl_vars_get(run->vars, p->var);
    char *cause = asl_path_miss_cause(p, root);
    json_decref(ctx);
    return cause;
}

/* A path in a template or argument selected nothing: AWS's States.Runtime. */
static int path_miss(struct asl_run *run, const struct asl_path *p, const char *field, json_t *in)
{
    char *root = asl_io_root_text(run, p, in);
    asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                          "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
                          p->text, field, root ? root : "");
    free(root);
    return -1;
}

static int expr_eval_field(struct asl_run *run, const struct asl_expr *e, json_t *in,
                           const char *field, json_t **out)
{
    switch (e->kind) {
    case ASL_EX_VAL:
        *out = asl_path_val_json(&e->val);
        return 1;
    case ASL_EX_PATH: {
        int rc = asl_io_select(run, e->path, in, out);
        if (rc == 0)
            return path_miss(run, e->path, field, in);
        return rc;
    }
    case ASL_EX_CALL:
        break;
    }
    json_t *stackargs[8];
    json_t **args = e->nargs <= 8 ? stackargs : calloc(e->nargs, sizeof *args);
    size_t got = 0;
    int rc = -1;
    if (!args)
        return asl_err_set_str(&run->err, ASL_E_RUNTIME, "out of memory");
    for (; got < e->nargs; got++)
        if (expr_eval_field(run, &e->args[got], in, field, &args[got]) != 1)
            goto done;
    if (!e->impl) {
        asl_err_set(&run->err, ASL_E_INTRINSIC, "The intrinsic function %s is not available", e->name);
        goto done;
    }
    struct asl_err err = {0};
    if (e->impl(args, e->nargs, out, &err) != 0) {
        /* AWS reports intrinsic failures as States.Runtime with the state prefix
         * when the name is States.Runtime; other names pass through. */
        if (err.name && strcmp(err.name, ASL_E_RUNTIME) == 0)
            asl_run_fail_prefixed(run, err.name, "%s", err.cause ? err.cause : "");
        else
            asl_err_move(&run->err, &err);
        asl_err_clear(&err);
        goto done;
    }
    rc = 1;
done:
    for (size_t i = 0; i < got; i++)
        json_decref(args[i]);
    if (args != stackargs)
        free(args);
    return rc;
}

int asl_io_expr_eval(struct asl_run *run, const struct asl_expr *e, json_t *in, json_t **out)
{
    if (e->kind == ASL_EX_PATH)
        return asl_io_select(run, e->path, in, out);
    return expr_eval_field(run, e, in, e->text, out);
}

static json_t *lookup_var(void *ud, const char *name, size_t len)
{
    const struct asl_vars *v = ud;
    char buf[128];
    if (len >= sizeof buf)
        return NULL;
    memcpy(buf, name, len);
    buf[len] = '\0';
    return asl_vars_get(v, buf);
}

/* An ASL_TPL_JSONATA node: one "{% %}" value, against run->jn_states,
 * with AWS's causes and EvaluationFailed event. */
static int jsonata_leaf(struct asl_run *run, const struct asl_tpl *t, json_t **out)
{
    const struct asl_program *prog = run->exec->prog;
    struct asl_jn_env env = {.states = run->jn_states, .lookup = lookup_var, .ud = run->vars,
                             .cancel = run->cancel,
                             .entropy = run->exec->dur ? asl_dur_jn_entropy : NULL, .entropy_ud = run};
    struct asl_err err = {0};
    json_t *v = NULL;
    if (!prog->jsonata_eval)
        return asl_err_set_str(&run->err, ASL_E_RUNTIME, "JSONata evaluator missing");
    int rc = prog->jsonata_eval(t->jn, &env, &v, &err);
    if (rc == ASL_JN_FUNCTION_RESULT) {
        asl_run_fail_prefixed(run, ASL_E_QUERY,
                              "The JSONata expression '%s' specified for the field '%s' returned an "
                              "unsupported result type.", t->jn_text, t->field);
        asl_history_evaluation_failed(run, t->field);
        return -1;
    }
    if (rc != 0 && asl_cancel_is_set(run->cancel)) {
        asl_err_clear(&err);
        return asl_cancel_err(run->cancel, &run->err);
    }
    if (rc != 0) {
        asl_run_fail_prefixed(run, ASL_E_QUERY,
                              "The JSONata expression '%s' specified for the field '%s' threw an error "
                              "during evaluation. %s", t->jn_text, t->field, err.cause ? err.cause : "");
        asl_err_clear(&err);
        asl_history_evaluation_failed(run, t->field);
        return -1;
    }
    if (!v) {
        asl_run_fail_prefixed(run, ASL_E_QUERY,
                              "The JSONata expression '%s' specified for the field '%s' returned nothing "
                              "(undefined).", t->jn_text, t->field);
        asl_history_evaluation_failed(run, t->field);
        return -1;
    }
    *out = v;
    return 0;
}

int asl_io_tpl_eval(struct asl_run *run, const struct asl_tpl *t, json_t *in, json_t **out)
{
    switch (t->kind) {
    case ASL_TPL_LIT:
        *out = json_incref(asl_io_lit(run, t->lit));
        return 0;
    case ASL_TPL_EXPR:
        return expr_eval_field(run, t->expr, in, t->field, out) == 1 ? 0 : -1;
    case ASL_TPL_JSONATA:
        return jsonata_leaf(run, t, out);
    case ASL_TPL_OBJECT: {
        json_t *o = json_object();
        for (size_t i = 0; i < t->n; i++) {
            json_t *v;
            if (asl_io_tpl_eval(run, &t->kids[i], in, &v) != 0) {
                json_decref(o);
                return -1;
            }
            json_object_set_new_nocheck(o, t->keys[i], v);
        }
        *out = o;
        return 0;
    }
    case ASL_TPL_ARRAY: {
        json_t *a = json_array();
        for (size_t i = 0; i < t->n; i++) {
            json_t *v;
            if (asl_io_tpl_eval(run, &t->kids[i], in, &v) != 0) {
                json_decref(a);
                return -1;
            }
            json_array_append_new(a, v);
        }
        *out = a;
        return 0;
    }
    }
    return asl_err_set_str(&run->err, ASL_E_RUNTIME, "bad template");
}

/* InputPath and OutputPath share their shape and their messages. */
static int apply_filter_path(struct asl_run *run, const struct asl_path *p, int is_null,
                             json_t *v, json_t **out)
{
    if (is_null) {
        *out = json_object();
        return 0;
    }
    if (!p) {
        *out = json_incref(v);
        return 0;
    }
    int rc = asl_io_select(run, p, v, out);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        char *cause = asl_io_miss_text(run, p, v);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME, "%s", cause ? cause : p->text);
        free(cause);
    }
    return -1;
}

int asl_io_input(struct asl_run *run, const struct asl_io *io, json_t *raw, json_t **out)
{
    return apply_filter_path(run, io->input_path, io->input_null, raw, out);
}

int asl_io_output(struct asl_run *run, const struct asl_io *io, json_t *val, json_t **out)
{
    return apply_filter_path(run, io->output_path, io->output_null, val, out);
}

int asl_io_parameters(struct asl_run *run, const struct asl_io *io, json_t *in, json_t **out)
{
    if (!io->parameters) {
        *out = json_incref(in);
        return 0;
    }
    return asl_io_tpl_eval(run, io->parameters, in, out);
}

int asl_io_selector(struct asl_run *run, const struct asl_io *io, json_t *result, json_t **out)
{
    if (!io->result_selector) {
        *out = json_incref(result);
        return 0;
    }
    return asl_io_tpl_eval(run, io->result_selector, result, out);
}

int asl_io_result(struct asl_run *run, const struct asl_io *io, json_t *raw, json_t *result, json_t **out)
{
    if (io->result_null) {
        *out = json_incref(raw);
        return 0;
    }
    if (!io->result_path || io->result_path->nseg == 0) {
        *out = json_incref(result);
        return 0;
    }
    struct asl_err err = {0};
    if (asl_path_put(io->result_path, raw, result, out, &err) != 0) {
        asl_err_move(&run->err, &err);
        return -1;
    }
    return 0;
}

int asl_vars_eval(struct asl_run *run, const struct asl_tpl *assign, json_t *in, json_t **pending)
{
    *pending = NULL;
    if (!assign)
        return 0;
    return asl_io_tpl_eval(run, assign, in, pending);
}

int asl_vars_commit(struct asl_run *run, json_t *pending)
{
    if (!pending)
        return 0;
    /* Limits from AWS's variables page: 256 KiB per variable and per
     * Assign; an inner scope (branch, iteration) reads outer variables but
     * never assigns them. */
    const char *name;
    json_t *v;
    size_t total = 0;
    json_object_foreach(pending, name, v) {
        size_t sz = asl_json_size(v);
        total += sz;
        if (sz > ASL_PAYLOAD_MAX || total > ASL_PAYLOAD_MAX) {
            json_decref(pending);
            return asl_run_fail_prefixed(run, ASL_E_DATA_LIMIT,
                                         "The variables assigned by the state exceed the maximum size "
                                         "of %d bytes (at variable '%s').", ASL_PAYLOAD_MAX, name);
        }
        if (run->vars->parent && asl_vars_get(run->vars->parent, name)) {
            json_decref(pending);
            return asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                                         "The variable '%s' is defined in an outer scope: a Parallel "
                                         "branch or Map iteration can read it but not assign it.", name);
        }
    }
    if (!run->vars->obj)
        run->vars->obj = json_object();
    /* Nobody else holds run->vars->obj while this scope runs: readers in
     * inner scopes only exist while this thread waits for them. */
    json_object_update(run->vars->obj, pending);
    json_decref(pending);
    return 0;
}

int asl_vars_assign(struct asl_run *run, const struct asl_tpl *assign, json_t *in)
{
    json_t *pending;
    if (asl_vars_eval(run, assign, in, &pending) != 0)
        return -1;
    return asl_vars_commit(run, pending);
}
