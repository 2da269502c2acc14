/*
 * jn_states.c - what JSONata states share: the $states variable, evaluating
 * a field's "{% %}" expressions with AWS's error causes, and finishing a
 * state with Assign and Output.  See shared/asl/11-jsonata.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aslrt_jsonata.h"
#include "jsonata/jn_states.h"
#include "run/run.h"
#include "run/history.h"
#include "io/io.h"
#include "base/json.h"

json_t *asl_jn_states(struct asl_run *run, json_t *input, json_t *result, json_t *error_output)
{
    json_t *s = json_object();
    json_object_set(s, "input", input);
    if (result)
        json_object_set(s, "result", result);
    if (error_output)
        json_object_set(s, "errorOutput", error_output);
    json_object_set_new(s, "context", asl_run_context(run));
    return s;
}

int asl_jn_tpl(struct asl_run *run, const struct asl_tpl *t, json_t *states, json_t **out)
{
    json_t *saved = run->jn_states;
    run->jn_states = states;
    int rc = asl_io_tpl_eval(run, t, NULL, out);
    run->jn_states = saved;
    return rc;
}

static const char *type_word(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: case JSON_REAL: return "number";
    case JSON_TRUE: case JSON_FALSE: return "boolean";
    case JSON_NULL: break;
    }
    return "null";
}

int asl_jn_expect(struct asl_run *run, const struct asl_tpl *t, json_t *v, const char *want)
{
    int ok;
    if (strcmp(want, "integer") == 0)
        ok = json_is_integer(v) || (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v));
    else if (strcmp(want, "number") == 0)
        ok = json_is_number(v);
    else if (strcmp(want, "string") == 0)
        ok = json_is_string(v);
    else if (strcmp(want, "array") == 0)
        ok = json_is_array(v);
    else if (strcmp(want, "boolean") == 0)
        ok = json_is_boolean(v);
    else
        ok = json_is_object(v);
    if (ok)
        return 0;
    char *text = asl_json_text(v);
    if (t->kind == ASL_TPL_JSONATA)
        asl_run_fail_prefixed(run, ASL_E_QUERY,
                              "The JSONata expression '%s' specified for the field '%s' returned an "
                              "unexpected result type. Expected '%s', but was '%s' for value: %s",
                              t->jn_text, t->field, want, type_word(v), text ? text : "");
    else
        asl_run_fail_prefixed(run, ASL_E_QUERY,
                              "The field '%s' must be of type '%s', but was '%s' for value: %s",
                              t->field ? t->field : "?", want, type_word(v), text ? text : "");
    free(text);
    asl_history_evaluation_failed(run, t->field ? t->field : "");
    return -1;
}

int asl_jn_finish(struct asl_run *run, const struct asl_tpl *assign, const struct asl_tpl *output,
                  json_t *raw, json_t *result, json_t *error_output, json_t **out)
{
    json_t *states = asl_jn_states(run, raw, result, error_output);
    json_t *pending = NULL;
    int rc = -1;
    if (assign && asl_jn_tpl(run, assign, states, &pending) != 0)
        goto done;
    if (output) {
        if (asl_jn_tpl(run, output, states, out) != 0)
            goto done;
    } else {
        *out = json_incref(error_output ? error_output : result ? result : raw);
    }
    json_t *p = pending;
    pending = NULL;
    if (asl_vars_commit(run, p) != 0) {
        json_decref(*out);
        *out = NULL;
        goto done;
    }
    rc = 0;
done:
    json_decref(pending);
    json_decref(states);
    return rc;
}
