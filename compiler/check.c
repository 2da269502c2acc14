/*
 * check.c - semantic checks: every problem in a definition, at once, each
 * at its JSON pointer.  What AWS's validator rejects is an error here (an
 * unreachable state too: CreateStateMachine refuses it); what only its
 * editor flags (unassigned variables) is a warning.  AWS's validation rules:
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exprs.h"
#include "gates.h"
#include "intr_table.h"
#include "spec.h"
#include "vocab.h"

struct ck {
    struct asl_model *m;
    struct asl_diags *d;
    struct asl_varrefs vars;
};

/* ------------------------------------------------------------- helpers */

static char *ptr(const char *base, const char *tok)
{
    return asl_ptr_join(base, tok);
}

static int is_int(json_t *v)
{
    if (json_is_integer(v))
        return 1;
    /* 5.0 is an integer to AWS's JSON schema as well. */
    return json_is_real(v) && floor(json_real_value(v)) == json_real_value(v);
}

static long long int_val(json_t *v)
{
    return json_is_integer(v) ? json_integer_value(v) : (long long)json_real_value(v);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

const char *asl_ck_type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

void asl_varrefs_assigned(struct asl_varrefs *v, const char *key)
{
    v->assigned = asl_grow(v->assigned, v->nassigned, sizeof *v->assigned);
    v->assigned[v->nassigned++] = key;
}

void asl_varrefs_read(struct asl_varrefs *v, const char *name, const char *pointer)
{
    v->read = asl_grow(v->read, v->nread, sizeof *v->read);
    v->read_at = asl_grow(v->read_at, v->nread, sizeof *v->read_at);
    v->read[v->nread] = strdup(name);
    v->read_at[v->nread++] = strdup(pointer);
}

static void note_read(struct ck *c, const struct asl_expr *e, const char *where)
{
    const char **names = NULL;
    size_t n = 0;
    asl_expr_vars(e, &names, &n);
    for (size_t i = 0; i < n; i++)
        asl_varrefs_read(&c->vars, names[i], where);
    free(names);
}

/* A path field: string in `mode`, or null when nullable. */
static void check_path(struct ck *c, json_t *node, const char *key, const char *base,
                       enum asl_expr_mode mode, int nullable)
{
    json_t *v = json_object_get(node, key);
    if (!v)
        return;
    char *p = ptr(base, key);
    if (json_is_null(v) && nullable) {
        free(p);
        return;
    }
    if (!json_is_string(v)) {
        asl_diag_error(c->d, p, "%s must be a string%s, not %s", key, nullable ? " or null" : "",
                       asl_ck_type_name(v));
    } else {
        struct asl_expr *e = asl_compile_expr(&c->m->arena, c->d, p, json_string_value(v), mode);
        if (e) {
            asl_spec_keep_expr(c->m, v, e);
            note_read(c, e, p);
        }
    }
    free(p);
}

/* A payload template: keys ending in ".$" hold paths or intrinsic calls. */
static void check_template(struct ck *c, json_t *v, const char *p)
{
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            char *ip = asl_ptr_index(p, i);
            check_template(c, json_array_get(v, i), ip);
            free(ip);
        }
        return;
    }
    if (!json_is_object(v))
        return;
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
        char *kp = ptr(p, key);
        size_t kl = strlen(key);
        if (kl >= 2 && strcmp(key + kl - 2, ".$") == 0) {
            char *plain = strndup(key, kl - 2);
            if (json_object_get(v, plain))
                asl_diag_error(c->d, kp,
                               "A duplicate field will exist after renaming to strip the \".$\" suffix from: %s",
                               key);
            free(plain);
            if (!json_is_string(val))
                asl_diag_error(c->d, kp,
                               "The value for the field '%s' must be a valid JSONPath or a valid "
                               "intrinsic function call", key);
            else {
                struct asl_expr *e = asl_compile_expr(&c->m->arena, c->d, kp, json_string_value(val),
                                                      ASL_MODE_PAYLOAD);
                if (e) {
                    asl_spec_keep_expr(c->m, val, e);
                    note_read(c, e, kp);
                }
            }
        } else {
            check_template(c, val, kp);
        }
        free(kp);
    }
}

static void check_template_field(struct ck *c, json_t *node, const char *key, const char *base)
{
    json_t *v = json_object_get(node, key);
    if (!v)
        return;
    char *p = ptr(base, key);
    /* Parameters, ResultSelector and ItemSelector may be any JSON value on
     * AWS (the spec says object; AWS's language service widened its schema
     * after testing the service: amazon-states-language-service PR #83,
     * "number, array, object, boolean, string, and null"); arrays are
     * templates element by element.  Credentials names a RoleArn: object. */
    if (!json_is_object(v) && strcmp(key, "Credentials") == 0)
        asl_diag_error(c->d, p, "%s must be an object, not %s", key, asl_ck_type_name(v));
    else
        check_template(c, v, p);
    free(p);
}

/* Variable names: ID_Start then ID_Continue; ASCII letters, digits and _
 * plus any non-ASCII character (a UAX #31 table would refine the latter). */
static int valid_var_name(const char *s)
{
    if (!*s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
                 (unsigned char)*s >= 0x80))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || (unsigned char)*s >= 0x80))
            return 0;
    return 1;
}

static void check_assign(struct ck *c, json_t *node, const char *base)
{
    json_t *v = json_object_get(node, "Assign");
    if (!v)
        return;
    char *p = ptr(base, "Assign");
    if (!json_is_object(v)) {
        asl_diag_error(c->d, p, "Assign must be an object, not %s", asl_ck_type_name(v));
        free(p);
        return;
    }
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
        size_t kl = strlen(key);
        char *name = strndup(key, kl >= 2 && strcmp(key + kl - 2, ".$") == 0 ? kl - 2 : kl);
        char *kp = ptr(p, key);
        if (!valid_var_name(name))
            asl_diag_error(c->d, kp, "'%s' is not a valid variable name", name);
        else if (strcmp(name, "states") == 0)
            asl_diag_error(c->d, kp, "the variable name 'states' is reserved");
        else if (utf8_chars(name) > 80)
            asl_diag_error(c->d, kp, "variable names are at most 80 characters");
        asl_varrefs_assigned(&c->vars, key);    /* compared without ".$" below */
        free(name);
        free(kp);
    }
    check_template(c, v, p);
    free(p);
}

static void check_target(struct ck *c, struct asl_cmachine *mc, json_t *node, const char *key,
                         const char *base, const char *what)
{
    json_t *v = json_object_get(node, key);
    if (!v)
        return;
    char *p = ptr(base, key);
    if (!json_is_string(v))
        asl_diag_error(c->d, p, "%s must be a string", key);
    else if (asl_machine_find(mc, json_string_value(v)) < 0) {
        const char *near = asl_nearest_state(mc, json_string_value(v));
        asl_diag_error(c->d, p, "The value of \"%s\" property must be the name of an existing state%s: '%s'%s%s%s",
                       key, what, json_string_value(v), near ? " (did you mean '" : "", near ? near : "",
                       near ? "'?)" : "");
    }
    free(p);
}

static void check_int_field(struct ck *c, json_t *node, const char *key, const char *base,
                            long long min, long long max)
{
    json_t *v = json_object_get(node, key);
    if (!v)
        return;
    char *p = ptr(base, key);
    if (!is_int(v))
        asl_diag_error(c->d, p, "%s must be an integer, not %s", key, asl_ck_type_name(v));
    else if (int_val(v) < min || int_val(v) > max)
        asl_diag_error(c->d, p, "%s must be between %lld and %lld", key, min, max);
    free(p);
}

static void check_string_field(struct ck *c, json_t *node, const char *key, const char *base)
{
    json_t *v = json_object_get(node, key);
    if (v && !json_is_string(v)) {
        char *p = ptr(base, key);
        asl_diag_error(c->d, p, "%s must be a string, not %s", key, asl_ck_type_name(v));
        free(p);
    }
}

static void at_most_one(struct ck *c, struct asl_cstate *s, const char *a, const char *b)
{
    if (json_object_get(s->node, a) && json_object_get(s->node, b))
        asl_diag_error(c->d, s->pointer, "State \"%s\" MUST contain at most one of \"%s\", \"%s\"",
                       s->name, a, b);
}

/* ---------------------------------------------------- fields per type */

/* Which fields a state type allows (JSONPath states). */
static const char *const common_fields[] = {"Type", "Comment", "QueryLanguage", NULL};
static const char *const fields_pass[] = {"Next", "End", "InputPath", "OutputPath", "Parameters",
                                          "ResultPath", "Result", "Assign", NULL};
static const char *const fields_task[] = {"Next", "End", "InputPath", "OutputPath", "Parameters",
    "ResultSelector", "ResultPath", "Assign", "Retry", "Catch", "Resource", "TimeoutSeconds",
    "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", NULL};
static const char *const fields_choice[] = {"InputPath", "OutputPath", "Choices", "Default", "Assign", NULL};
static const char *const fields_wait[] = {"Next", "End", "InputPath", "OutputPath", "Seconds",
    "SecondsPath", "Timestamp", "TimestampPath", "Assign", NULL};
static const char *const fields_succeed[] = {"InputPath", "OutputPath", NULL};
static const char *const fields_fail[] = {"Error", "ErrorPath", "Cause", "CausePath", NULL};
static const char *const fields_parallel[] = {"Next", "End", "InputPath", "OutputPath",
    "Parameters", "ResultSelector", "ResultPath", "Assign", "Retry", "Catch", "Branches", NULL};
static const char *const fields_map[] = {"Next", "End", "InputPath", "OutputPath", "Parameters",
    "ResultSelector", "ResultPath", "Assign", "Retry", "Catch", "ItemProcessor", "Iterator",
    "ItemsPath", "ItemSelector", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency",
    "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath",
    "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label", NULL};

/* JSONata states: the JSONPath-only fields go, these come. */
static const char *const jsonata_removed[] = {"InputPath", "OutputPath", "Parameters",
    "ResultSelector", "ResultPath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath",
    "TimestampPath", "ErrorPath", "CausePath", "ItemsPath", "MaxConcurrencyPath",
    "ToleratedFailureCountPath", "ToleratedFailurePercentagePath", NULL};

static int in_list(const char *const *list, const char *k)
{
    for (; *list; list++)
        if (strcmp(*list, k) == 0)
            return 1;
    return 0;
}

static const char *const *fields_for(enum asl_state_type t)
{
    switch (t) {
    case ASL_PASS: return fields_pass;
    case ASL_TASK: return fields_task;
    case ASL_CHOICE: return fields_choice;
    case ASL_WAIT: return fields_wait;
    case ASL_SUCCEED: return fields_succeed;
    case ASL_FAIL: return fields_fail;
    case ASL_PARALLEL: return fields_parallel;
    case ASL_MAP: return fields_map;
    }
    return common_fields;
}

static int jsonata_adds(enum asl_state_type t, const char *k)
{
    if (strcmp(k, "Output") == 0)
        return t != ASL_FAIL;
    if (strcmp(k, "Arguments") == 0)
        return t == ASL_TASK || t == ASL_PARALLEL;
    if (strcmp(k, "Items") == 0)
        return t == ASL_MAP;
    return 0;
}

static void check_fields(struct ck *c, struct asl_cstate *s)
{
    const char *const *allowed = fields_for(s->type);
    const char *key;
    json_t *v;
    json_object_foreach(s->node, key, v) {
        int ok = in_list(common_fields, key) || in_list(allowed, key);
        if (s->jsonata)
            ok = (ok && !in_list(jsonata_removed, key)) || jsonata_adds(s->type, key);
        if (!ok) {
            char *p = ptr(s->pointer, key);
            if (s->jsonata && in_list(jsonata_removed, key))
                asl_diag_error(c->d, p, "The field '%s' is not supported in JSONata states", key);
            else if (!s->jsonata && jsonata_adds(s->type, key))
                asl_diag_error(c->d, p, "The field '%s' is only supported in JSONata states", key);
            else
                asl_diag_error(c->d, p, "Field '%s' is not supported by %s states", key,
                               json_string_value(json_object_get(s->node, "Type")));
            free(p);
        }
    }
}

/* ------------------------------------------------------------- Choice */


static void check_rule(struct ck *c, struct asl_cstate *s, json_t *rule, const char *p, int top)
{
    if (!json_is_object(rule)) {
        asl_diag_error(c->d, p, "a Choice rule must be an object");
        return;
    }
    int nops = 0, nbool = 0;
    const char *key;
    json_t *v;
    json_object_foreach(rule, key, v) {
        char *kp = ptr(p, key);
        const struct asl_choice_op *op = asl_choice_op_lookup(key);
        if (op) {
            nops++;
            switch (op->operand) {
            case ASL_OPND_STRING:
                if (!json_is_string(v))
                    asl_diag_error(c->d, kp, "%s takes a string", key);
                else if (strcmp(key, "StringMatches") == 0) {
                    const char *m = json_string_value(v);
                    size_t ml = strlen(m), bs = 0;
                    while (bs < ml && m[ml - 1 - bs] == '\\')
                        bs++;
                    if (bs % 2)
                        asl_diag_error(c->d, kp, "StringMatches pattern ends in an open escape");
                }
                break;
            case ASL_OPND_NUMBER:
                if (!json_is_number(v))
                    asl_diag_error(c->d, kp, "%s takes a number", key);
                break;
            case ASL_OPND_BOOL: case ASL_OPND_IS:
                if (!json_is_boolean(v))
                    asl_diag_error(c->d, kp, "%s takes a boolean", key);
                break;
            case ASL_OPND_TIMESTAMP: {
                long long sec;
                long ns;
                if (!json_is_string(v) || asl_ts_parse(json_string_value(v), &sec, &ns) != 0)
                    asl_diag_error(c->d, kp, "String does not match RFC3339 timestamp");
                break;
            }
            case ASL_OPND_PATH:
                check_path(c, rule, key, p, ASL_MODE_PATH, 0);
                break;
            }
        } else if (strcmp(key, "And") == 0 || strcmp(key, "Or") == 0) {
            nbool++;
            if (!json_is_array(v) || json_array_size(v) == 0)
                asl_diag_error(c->d, kp, "%s takes a non-empty array of rules", key);
            else
                for (size_t i = 0; i < json_array_size(v); i++) {
                    char *ip = asl_ptr_index(kp, i);
                    check_rule(c, s, json_array_get(v, i), ip, 0);
                    free(ip);
                }
        } else if (strcmp(key, "Not") == 0) {
            nbool++;
            check_rule(c, s, v, kp, 0);
        } else if (strcmp(key, "Variable") == 0) {
            check_path(c, rule, key, p, ASL_MODE_PATH, 0);
        } else if (strcmp(key, "Next") == 0) {
            if (!top)
                asl_diag_error(c->d, kp, "only top-level Choice rules take Next");
            else
                check_target(c, s->machine, rule, "Next", p, "");
        } else if (strcmp(key, "Assign") == 0) {
            if (!top)
                asl_diag_error(c->d, kp, "only top-level Choice rules take Assign");
            else
                check_assign(c, rule, p);
        } else if (strcmp(key, "Comment") == 0) {
            check_string_field(c, rule, key, p);
        } else if (strcmp(key, "Condition") == 0 || strcmp(key, "Output") == 0) {
            asl_diag_error(c->d, kp, "'%s' is only supported in JSONata states", key);
        } else {
            asl_diag_error(c->d, kp, "Field '%s' is not supported in a Choice rule", key);
        }
        free(kp);
    }
    if (nops + nbool != 1)
        asl_diag_error(c->d, p, nops + nbool == 0
                       ? "a Choice rule needs a comparison operator or And, Or, Not"
                       : "Each Choice Rule can only have one comparison operator.");
    if (nops == 1 && !json_object_get(rule, "Variable"))
        asl_diag_error(c->d, p, "a comparison needs a Variable");
    if (nbool == 1 && json_object_get(rule, "Variable"))
        asl_diag_error(c->d, p, "And, Or and Not take no Variable");
    if (top && !json_object_get(rule, "Next"))
        asl_diag_error(c->d, p, "a top-level Choice rule needs Next");
}

static void check_choice(struct ck *c, struct asl_cstate *s)
{
    json_t *choices = json_object_get(s->node, "Choices");
    char *p = ptr(s->pointer, "Choices");
    if (!choices)
        asl_diag_error(c->d, s->pointer, "These fields are required: [Choices]");
    else if (!json_is_array(choices) || json_array_size(choices) == 0)
        asl_diag_error(c->d, p, "Choices must be a non-empty array");
    else if (!s->jsonata)
        for (size_t i = 0; i < json_array_size(choices); i++) {
            char *ip = asl_ptr_index(p, i);
            check_rule(c, s, json_array_get(choices, i), ip, 1);
            free(ip);
        }
    free(p);
    check_target(c, s->machine, s->node, "Default", s->pointer, "");
}

/* ------------------------------------------------------ state by type */

static void check_wait(struct ck *c, struct asl_cstate *s)
{
    static const char *const four[] = {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"};
    int n = 0;
    for (int i = 0; i < 4; i++)
        n += json_object_get(s->node, four[i]) != NULL;
    if (n != 1)
        asl_diag_error(c->d, s->pointer,
                       "State \"%s\" MUST contain exactly one of \"Seconds\", \"SecondsPath\", \"Timestamp\", \"TimestampPath\"",
                       s->name);
    if (!s->jsonata)
        check_int_field(c, s->node, "Seconds", s->pointer, 0, 99999999);
    json_t *ts = json_object_get(s->node, "Timestamp");
    if (ts && !s->jsonata) {
        long long sec;
        long ns;
        if (!json_is_string(ts) || asl_ts_parse(json_string_value(ts), &sec, &ns) != 0) {
            char *p = ptr(s->pointer, "Timestamp");
            asl_diag_error(c->d, p, "String does not match RFC3339 timestamp");
            free(p);
        }
    }
    check_path(c, s->node, "SecondsPath", s->pointer, ASL_MODE_REFPATH, 0);
    check_path(c, s->node, "TimestampPath", s->pointer, ASL_MODE_REFPATH, 0);
}

/* ErrorPath / CausePath may hold an intrinsic call only when the function
 * returns a string: States.Format, JsonToString, ArrayGetItem, Base64Encode,
 * Base64Decode, Hash, UUID (the set LocalStack, validated against AWS, keeps
 * in its Fail state: "Unsupported Intrinsic Function for ErrorPath
 * declaration: '<value>'."). */
static void check_fail_call(struct ck *c, struct asl_cstate *s, const char *key)
{
    json_t *v = json_object_get(s->node, key);
    if (!json_is_string(v))
        return;
    const struct asl_expr *e = asl_spec_expr(c->m, v);
    if (!e || e->kind != ASL_EX_CALL)   /* a bad path or call is reported by check_path */
        return;
    switch (e->fn) {
    case ASL_INTR_FORMAT: case ASL_INTR_JSON_TO_STRING: case ASL_INTR_ARRAY_GET_ITEM:
    case ASL_INTR_BASE64_ENCODE: case ASL_INTR_BASE64_DECODE: case ASL_INTR_HASH: case ASL_INTR_UUID:
    case ASL_INTR_COUNT_:   /* an unknown name is reported where it is parsed */
        return;
    default:
        break;
    }
    char *p = ptr(s->pointer, key);
    asl_diag_error(c->d, p, "Unsupported Intrinsic Function for %s declaration: '%s'.", key,
                   json_string_value(v));
    free(p);
}

static void check_fail(struct ck *c, struct asl_cstate *s)
{
    at_most_one(c, s, "Error", "ErrorPath");
    at_most_one(c, s, "Cause", "CausePath");
    if (s->jsonata)
        return;
    check_string_field(c, s->node, "Error", s->pointer);
    check_string_field(c, s->node, "Cause", s->pointer);
    check_path(c, s->node, "ErrorPath", s->pointer, ASL_MODE_ERRPATH, 0);
    check_path(c, s->node, "CausePath", s->pointer, ASL_MODE_ERRPATH, 0);
    check_fail_call(c, s, "ErrorPath");
    check_fail_call(c, s, "CausePath");
}

static void check_transitions(struct ck *c, struct asl_cstate *s)
{
    json_t *next = json_object_get(s->node, "Next"), *end = json_object_get(s->node, "End");
    int terminal_type = s->type == ASL_SUCCEED || s->type == ASL_FAIL;
    if (s->type == ASL_CHOICE || terminal_type)
        return;     /* Next/End there are unsupported fields, reported by check_fields */
    if (end && !json_is_boolean(end)) {
        char *p = ptr(s->pointer, "End");
        asl_diag_error(c->d, p, "End must be a boolean");
        free(p);
        check_target(c, s->machine, s->node, "Next", s->pointer, "");
        return;     /* one mistake, one message: no "exactly one of" on top */
    }
    int has_end = json_is_true(end);
    if ((next != NULL) == has_end)
        asl_diag_error(c->d, s->pointer, "State \"%s\" MUST contain exactly one of \"End\", \"Next\"", s->name);
    check_target(c, s->machine, s->node, "Next", s->pointer, "");
}

/* A JSONPath catcher's Assign is an Assign like the state's (JSONata
 * catchers are checked with the state's other expressions). */
static void check_catch_assign(struct ck *c, struct asl_cstate *s)
{
    json_t *catch = json_object_get(s->node, "Catch");
    if (!json_is_array(catch) || (s->type != ASL_TASK && s->type != ASL_PARALLEL && s->type != ASL_MAP))
        return;
    char *p = ptr(s->pointer, "Catch");
    for (size_t i = 0; i < json_array_size(catch); i++) {
        json_t *cat = json_array_get(catch, i);
        char *ip = asl_ptr_index(p, i);
        if (json_is_object(cat))
            check_assign(c, cat, ip);
        free(ip);
    }
    free(p);
}

static void check_state(struct ck *c, struct asl_cstate *s)
{
    if (!json_is_object(s->node)) {
        asl_diag_error(c->d, s->pointer, "a state must be an object");
        return;
    }
    size_t len = utf8_chars(s->name);
    if (len == 0 || len > 80)
        asl_diag_error(c->d, s->pointer, "State names must be 1 to 80 characters long");
    json_t *type = json_object_get(s->node, "Type");
    if (!s->type_ok) {
        char *p = ptr(s->pointer, "Type");
        if (!type)
            asl_diag_error(c->d, s->pointer, "These fields are required: [Type]");
        else
            asl_diag_error(c->d, p, "The field 'Type' should have one of these values: "
                           "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]");
        free(p);
        return;
    }
    json_t *ql = json_object_get(s->node, "QueryLanguage");
    if (ql) {
        char *p = ptr(s->pointer, "QueryLanguage");
        if (!json_is_string(ql) || (strcmp(json_string_value(ql), "JSONPath") != 0 &&
                                    strcmp(json_string_value(ql), "JSONata") != 0))
            asl_diag_error(c->d, p, "QueryLanguage must be \"JSONPath\" or \"JSONata\"");
        else if (s->machine->jsonata && strcmp(json_string_value(ql), "JSONPath") == 0)
            asl_diag_error(c->d, s->pointer,
                           "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine");
        free(p);
    }
    check_fields(c, s);
    check_string_field(c, s->node, "Comment", s->pointer);
    check_transitions(c, s);
    if (s->jsonata)
        asl_check_jsonata_state(c->m, c->d, s, &c->vars);
    if (!s->jsonata) {
        check_path(c, s->node, "InputPath", s->pointer, ASL_MODE_PATH, 1);
        check_path(c, s->node, "OutputPath", s->pointer, ASL_MODE_PATH, 1);
        check_path(c, s->node, "ResultPath", s->pointer, ASL_MODE_RESULTPATH, 1);
        check_template_field(c, s->node, "Parameters", s->pointer);
        check_template_field(c, s->node, "ResultSelector", s->pointer);
        check_template_field(c, s->node, "ItemSelector", s->pointer);
        check_template_field(c, s->node, "Credentials", s->pointer);
        check_assign(c, s->node, s->pointer);
    }
    switch (s->type) {
    case ASL_CHOICE: check_choice(c, s); break;
    case ASL_WAIT: check_wait(c, s); break;
    case ASL_FAIL: check_fail(c, s); break;
    case ASL_TASK: asl_check_task(c->m, c->d, s); break;
    case ASL_PARALLEL: asl_check_parallel(c->m, c->d, s); break;
    case ASL_MAP: asl_check_map(c->m, c->d, s); break;
    default: break;
    }
    if (!s->jsonata)
        check_catch_assign(c, s);
    asl_check_features(c->m, c->d, s);
}

/* --------------------------------------------------------- machines */

static int is_terminal(const struct asl_cstate *s)
{
    json_t *end = json_is_object(s->node) ? json_object_get(s->node, "End") : NULL;
    /* A malformed End ("End": "yes") is reported once, where it stands. */
    return s->type == ASL_SUCCEED || s->type == ASL_FAIL || json_is_true(end) ||
           (end && !json_is_boolean(end));
}

/* Reachability is a walk with an explicit stack (every state is pushed at
 * most once), so a 40,000-state chain needs no 40,000-deep recursion. */
struct walk {
    const struct asl_cmachine *mc;
    unsigned char *seen;
    int *stack;
    size_t top;
};

static void mark_target(struct walk *w, json_t *v)
{
    int t = json_is_string(v) ? asl_machine_find(w->mc, json_string_value(v)) : -1;
    if (t >= 0 && !w->seen[t]) {
        w->seen[t] = 1;
        w->stack[w->top++] = t;
    }
}

static void mark_rules(struct walk *w, json_t *arr)
{
    for (size_t k = 0; json_is_array(arr) && k < json_array_size(arr); k++)
        mark_target(w, json_object_get(json_array_get(arr, k), "Next"));
}

static void mark_reachable(const struct asl_cmachine *mc, int start, unsigned char *seen)
{
    struct walk w = {.mc = mc, .seen = seen, .stack = calloc(mc->n, sizeof(int))};
    if (!w.stack)
        abort();
    seen[start] = 1;
    w.stack[w.top++] = start;
    while (w.top) {
        json_t *n = mc->states[w.stack[--w.top]].node;
        if (!json_is_object(n))
            continue;
        mark_target(&w, json_object_get(n, "Next"));
        mark_target(&w, json_object_get(n, "Default"));
        mark_rules(&w, json_object_get(n, "Choices"));
        mark_rules(&w, json_object_get(n, "Catch"));
    }
    free(w.stack);
}

static void check_machine(struct ck *c, struct asl_cmachine *mc)
{
    json_t *node = mc->node;
    const char *top_fields[] = {"Comment", "Version", "QueryLanguage", "StartAt", "States",
                                "TimeoutSeconds", NULL};
    const char *branch_fields[] = {"Comment", "StartAt", "States", NULL};
    const char *proc_fields[] = {"Comment", "StartAt", "States", "ProcessorConfig", NULL};
    const char **allowed = !mc->owner ? top_fields
                         : mc->owner->type == ASL_MAP ? proc_fields : branch_fields;
    const char *key;
    json_t *v;
    json_object_foreach(node, key, v) {
        if (!in_list(allowed, key)) {
            char *p = ptr(mc->pointer, key);
            asl_diag_error(c->d, p, "Field '%s' is not supported here", key);
            free(p);
        }
    }
    const char *root = *mc->pointer ? mc->pointer : "/";
    json_t *start = json_object_get(node, "StartAt");
    char *sp = ptr(mc->pointer, "StartAt");
    if (!start)
        asl_diag_error(c->d, root, "These fields are required: [StartAt]");
    else if (!json_is_string(start))
        asl_diag_error(c->d, sp, "StartAt must be a string");
    else if (mc->start < 0)
        asl_diag_error(c->d, sp, "The value of \"StartAt\" property must be the name of an existing state: '%s'",
                       json_string_value(start));
    free(sp);
    if (!mc->owner) {
        check_int_field(c, node, "TimeoutSeconds", "", 0, 99999999);
        json_t *ver = json_object_get(node, "Version");
        if (ver && (!json_is_string(ver) || strcmp(json_string_value(ver), "1.0") != 0))
            asl_diag_error(c->d, "/Version", "Version must be \"1.0\"");
        json_t *ql = json_object_get(node, "QueryLanguage");
        if (ql && (!json_is_string(ql) || (strcmp(json_string_value(ql), "JSONPath") != 0 &&
                                           strcmp(json_string_value(ql), "JSONata") != 0)))
            asl_diag_error(c->d, "/QueryLanguage", "QueryLanguage must be \"JSONPath\" or \"JSONata\"");
    }
    check_string_field(c, node, "Comment", mc->pointer);
    if (mc->n == 0) {
        char *p = ptr(mc->pointer, "States");
        asl_diag_error(c->d, p, "States must hold at least one state");
        free(p);
        return;
    }
    int terminal = 0;
    for (size_t i = 0; i < mc->n; i++) {
        check_state(c, &mc->states[i]);
        terminal |= is_terminal(&mc->states[i]);
    }
    if (!terminal) {
        char *p = ptr(mc->pointer, "States");
        asl_diag_error(c->d, p, "No terminal state. The state machine must have at least one "
                       "terminal state (a state in which the \"End\" property is set to true).");
        free(p);
    }
    if (mc->start >= 0) {
        unsigned char *seen = calloc(mc->n, 1);
        if (!seen)
            abort();
        mark_reachable(mc, mc->start, seen);
        for (size_t i = 0; i < mc->n; i++)
            if (!seen[i])
                /* CreateStateMachine refuses it: "MISSING_TRANSITION_TARGET:
                 * State \"B\" is not reachable. at /States/B" (recorded in
                 * localstack/localstack#12487 and aws-cloudformation/cfn-lint#4073). */
                asl_diag_error(c->d, mc->states[i].pointer, "State \"%s\" is not reachable.",
                               mc->states[i].name);
        free(seen);
    }
}

/* The names Assign blocks set, ".$" stripped, as a set (a jansson object). */
static json_t *assigned_set(struct ck *c)
{
    json_t *set = json_object();
    if (!set)
        abort();
    for (size_t i = 0; i < c->vars.nassigned; i++) {
        const char *k = c->vars.assigned[i];
        size_t kl = strlen(k);
        if (kl >= 2 && strcmp(k + kl - 2, ".$") == 0)
            kl -= 2;
        json_object_setn_new(set, k, kl, json_true());
    }
    return set;
}

/* State names are unique across the whole machine, nested blocks too. */
static void check_unique_names(struct asl_model *m, struct asl_diags *d)
{
    json_t *seen = json_object();
    if (!seen)
        abort();
    for (size_t i = 0; i < m->nstates; i++) {
        if (json_object_get(seen, m->states[i]->name))
            asl_diag_error(d, m->states[i]->pointer, "Duplicate State name: %s", m->states[i]->name);
        else
            json_object_set_new(seen, m->states[i]->name, json_true());
    }
    json_decref(seen);
}

int asl_check(struct asl_model *m, struct asl_diags *d)
{
    struct ck c = {.m = m, .d = d};
    /* Reported with everything else: the rest of the definition is still checked. */
    if (m->definition_chars > ASL_DEFINITION_MAX)
        asl_diag_error(d, "/", "1 validation error detected: Value at 'definition' failed to satisfy "
                       "constraint: Member must have length less than or equal to %d", ASL_DEFINITION_MAX);
    if (m->top) {
        for (size_t i = 0; i < m->nmachines; i++)
            check_machine(&c, m->machines[i]);
        check_unique_names(m, d);
        json_t *assigned = assigned_set(&c);
        for (size_t i = 0; i < c.vars.nread; i++)
            if (!json_object_get(assigned, c.vars.read[i]))
                asl_diag_warning(d, c.vars.read_at[i],
                                 "the variable '$%s' is never assigned by any state",
                                 c.vars.read[i]);
        json_decref(assigned);
    }
    for (size_t i = 0; i < c.vars.nread; i++) {
        free(c.vars.read[i]);
        free(c.vars.read_at[i]);
    }
    free(c.vars.read);
    free(c.vars.read_at);
    free(c.vars.assigned);
    if (d->errors)
        return -1;
    if (m->top)
        asl_spec_build(m);
    return 0;
}
