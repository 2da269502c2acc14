/*
 * check_jsonata.c - JSONata states: every "{% %}" expression in a field
 * that takes one is parsed now, so a syntax error is a compile-time
 * diagnostic with its pointer and the column inside the expression; Choice
 * rules take Condition and nothing of JSONPath's.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jsonata_ast.h"
#include "spec.h"
#include "vocab.h"

/* Fields whose values (at any depth) may hold expressions. */
static const char *const expr_fields[] = {"Arguments", "Output", "Assign", "Items", "ItemSelector",
    "Seconds", "Timestamp", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency",
    "ToleratedFailureCount", "ToleratedFailurePercentage", "Error", "Cause", "Credentials",
    "ItemReader", "ItemBatcher", "ResultWriter", NULL};

/* The tree is kept for the spec (asl_spec_keep_jn). */
static void parse_one(struct asl_model *m, struct asl_diags *d, const char *pointer, json_t *v,
                      struct asl_varrefs *refs)
{
    const char *text = json_string_value(v);
    size_t off, len;
    if (!asl_is_jsonata_text(text, &off, &len))
        return;
    struct asl_jn_ast *ast = NULL;
    struct asl_jn_error err;
    if (asl_jn_parse(text + off, len, &ast, &err) != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "invalid JSONata expression: %s: %s", err.code, err.message);
        asl_diag_expr(d, pointer, text, (unsigned)(err.column > 0 ? err.column : 1) + 2, msg);
        return;
    }
    for (size_t i = 0; i < ast->nvars; i++)
        asl_varrefs_read(refs, ast->vars[i], pointer);
    asl_spec_keep_jn(m, v, ast);
}

static void walk(struct asl_model *m, struct asl_diags *d, json_t *v, const char *pointer,
                 struct asl_varrefs *refs)
{
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_string(v)) {
        parse_one(m, d, pointer, v, refs);
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, x) {
            char *p = asl_ptr_join(pointer, k);
            walk(m, d, x, p, refs);
            free(p);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            char *p = asl_ptr_index(pointer, i);
            walk(m, d, x, p, refs);
            free(p);
        }
    }
}

static void check_assign_names(struct asl_diags *d, json_t *assign, const char *pointer,
                               struct asl_varrefs *refs)
{
    if (!assign)
        return;
    char *p = asl_ptr_join(pointer, "Assign");
    if (!json_is_object(assign) && !(json_is_string(assign) &&
                                     asl_is_jsonata_text(json_string_value(assign), NULL, NULL))) {
        asl_diag_error(d, p, "Assign must be an object");
    } else if (json_is_object(assign)) {
        const char *k;
        json_t *x;
        json_object_foreach(assign, k, x) {
            if (strcmp(k, "states") == 0) {
                char *kp = asl_ptr_join(p, k);
                asl_diag_error(d, kp, "the variable name 'states' is reserved");
                free(kp);
            }
            asl_varrefs_assigned(refs, k);
        }
    }
    free(p);
}

static void check_block(struct asl_model *m, struct asl_diags *d, json_t *obj, const char *pointer, const char *const *fields,
                        struct asl_varrefs *refs)
{
    for (const char *const *f = fields; *f; f++) {
        json_t *v = json_object_get(obj, *f);
        if (!v)
            continue;
        char *p = asl_ptr_join(pointer, *f);
        walk(m, d, v, p, refs);
        free(p);
    }
    check_assign_names(d, json_object_get(obj, "Assign"), pointer, refs);
}

void asl_check_jsonata_state(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s,
                             struct asl_varrefs *refs)
{
    static const char *const rule_fields[] = {"Condition", "Output", "Assign", NULL};
    static const char *const catch_fields[] = {"Output", "Assign", NULL};
    check_block(m, d, s->node, s->pointer, expr_fields, refs);
    json_t *catch = json_object_get(s->node, "Catch");
    for (size_t i = 0; json_is_array(catch) && i < json_array_size(catch); i++) {
        char *cp = asl_ptr_join(s->pointer, "Catch");
        char *ip = asl_ptr_index(cp, i);
        check_block(m, d, json_array_get(catch, i), ip, catch_fields, refs);
        free(ip);
        free(cp);
    }
    if (s->type != ASL_CHOICE)
        return;
    json_t *choices = json_object_get(s->node, "Choices");
    char *cp = asl_ptr_join(s->pointer, "Choices");
    for (size_t i = 0; json_is_array(choices) && i < json_array_size(choices); i++) {
        json_t *rule = json_array_get(choices, i);
        char *rp = asl_ptr_index(cp, i);
        if (!json_is_object(rule)) {
            asl_diag_error(d, rp, "a Choice rule must be an object");
            free(rp);
            continue;
        }
        const char *k;
        json_t *x;
        json_object_foreach(rule, k, x) {
            if (strcmp(k, "Condition") && strcmp(k, "Next") && strcmp(k, "Output") &&
                strcmp(k, "Assign") && strcmp(k, "Comment")) {
                char *kp = asl_ptr_join(rp, k);
                asl_diag_error(d, kp, "Field '%s' is not supported in a JSONata Choice rule", k);
                free(kp);
            }
        }
        json_t *cond = json_object_get(rule, "Condition");
        if (!cond)
            asl_diag_error(d, rp, "These fields are required: [Condition]");
        else if (!json_is_boolean(cond) &&
                 !(json_is_string(cond) && asl_is_jsonata_text(json_string_value(cond), NULL, NULL))) {
            char *kp = asl_ptr_join(rp, "Condition");
            asl_diag_error(d, kp, "Condition must be a boolean or a JSONata expression");
            free(kp);
        }
        json_t *next = json_object_get(rule, "Next");
        if (!json_is_string(next) || asl_machine_find(s->machine, json_string_value(next)) < 0) {
            char *kp = asl_ptr_join(rp, "Next");
            asl_diag_error(d, kp, "The value of \"Next\" property must be the name of an existing state");
            free(kp);
        }
        check_block(m, d, rule, rp, rule_fields, refs);
        free(rp);
    }
    free(cp);
}
