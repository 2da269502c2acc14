/*
 * check_exec.c - checks for the states that run work: Task, Parallel, Map,
 * and their Retry and Catch blocks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exprs.h"
#include "resource.h"
#include "spec.h"
#include "models/aws_task.h"

static int whole(json_t *v)
{
    return json_is_integer(v) || (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v));
}

void asl_ck_int_range(struct asl_diags *d, json_t *node, const char *key, const char *base,
                      double min, double max)
{
    json_t *v = json_object_get(node, key);
    if (!v)
        return;
    char *p = asl_ptr_join(base, key);
    if (!whole(v))
        asl_diag_error(d, p, "%s must be an integer, not %s", key, asl_ck_type_name(v));
    else if (json_number_value(v) < min || json_number_value(v) > max)
        asl_diag_error(d, p, "%s must be between %.0f and %.0f", key, min, max);
    free(p);
}

struct asl_expr *asl_ck_expr(struct asl_model *m, struct asl_diags *d, const char *pointer, json_t *v,
                             enum asl_expr_mode mode)
{
    struct asl_expr *e = asl_compile_expr(&m->arena, d, pointer, json_string_value(v), mode);
    if (e)
        asl_spec_keep_expr(m, v, e);
    return e;
}

void asl_ck_ref_path(struct asl_model *m, struct asl_diags *d, json_t *node, const char *key,
                     const char *base)
{
    json_t *v = json_object_get(node, key);
    if (!v)
        return;
    char *p = asl_ptr_join(base, key);
    if (!json_is_string(v))
        asl_diag_error(d, p, "%s must be a string", key);
    else
        asl_ck_expr(m, d, p, v, ASL_MODE_REFPATH);
    free(p);
}

static void error_equals(struct asl_diags *d, json_t *obj, const char *base, int is_last)
{
    json_t *ee = json_object_get(obj, "ErrorEquals");
    char *p = asl_ptr_join(base, "ErrorEquals");
    if (!ee)
        asl_diag_error(d, base, "These fields are required: [ErrorEquals]");
    else if (!json_is_array(ee) || json_array_size(ee) == 0)
        asl_diag_error(d, p, "ErrorEquals must be a non-empty array of strings");
    else
        for (size_t i = 0; i < json_array_size(ee); i++) {
            json_t *e = json_array_get(ee, i);
            char *ip = asl_ptr_index(p, i);
            if (!json_is_string(e))
                asl_diag_error(d, ip, "error names are strings");
            else if (strcmp(json_string_value(e), ASL_E_ALL) == 0 &&
                     (json_array_size(ee) != 1 || !is_last))
                asl_diag_error(d, ip, "States.ALL must appear alone, in the last retrier or catcher");
            free(ip);
        }
    free(p);
}

void asl_ck_retry(struct asl_diags *d, struct asl_cstate *s)
{
    json_t *retry = json_object_get(s->node, "Retry");
    if (!retry)
        return;
    char *p = asl_ptr_join(s->pointer, "Retry");
    if (!json_is_array(retry)) {
        asl_diag_error(d, p, "Retry must be an array");
        free(p);
        return;
    }
    static const char *const allowed[] = {"ErrorEquals", "IntervalSeconds", "MaxAttempts",
        "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment", NULL};
    for (size_t i = 0; i < json_array_size(retry); i++) {
        json_t *r = json_array_get(retry, i);
        char *rp = asl_ptr_index(p, i);
        if (!json_is_object(r)) {
            asl_diag_error(d, rp, "a retrier must be an object");
            free(rp);
            continue;
        }
        const char *key;
        json_t *v;
        json_object_foreach(r, key, v) {
            int ok = 0;
            for (const char *const *a = allowed; *a; a++)
                ok |= strcmp(*a, key) == 0;
            if (!ok) {
                char *kp = asl_ptr_join(rp, key);
                asl_diag_error(d, kp, "Field '%s' is not supported in a retrier", key);
                free(kp);
            }
        }
        error_equals(d, r, rp, i + 1 == json_array_size(retry));
        asl_ck_int_range(d, r, "IntervalSeconds", rp, 1, 99999999);
        asl_ck_int_range(d, r, "MaxAttempts", rp, 0, 99999999);
        asl_ck_int_range(d, r, "MaxDelaySeconds", rp, 1, 31622400);
        json_t *br = json_object_get(r, "BackoffRate");
        if (br && (!json_is_number(br) || json_number_value(br) < 1.0)) {
            char *kp = asl_ptr_join(rp, "BackoffRate");
            asl_diag_error(d, kp, "BackoffRate must be a number of at least 1.0");
            free(kp);
        }
        json_t *js = json_object_get(r, "JitterStrategy");
        if (js && (!json_is_string(js) || (strcmp(json_string_value(js), "FULL") != 0 &&
                                           strcmp(json_string_value(js), "NONE") != 0))) {
            char *kp = asl_ptr_join(rp, "JitterStrategy");
            asl_diag_error(d, kp, "JitterStrategy must be \"FULL\" or \"NONE\"");
            free(kp);
        }
        free(rp);
    }
    free(p);
}

void asl_ck_catch(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    json_t *catch = json_object_get(s->node, "Catch");
    if (!catch)
        return;
    char *p = asl_ptr_join(s->pointer, "Catch");
    if (!json_is_array(catch)) {
        asl_diag_error(d, p, "Catch must be an array");
        free(p);
        return;
    }
    for (size_t i = 0; i < json_array_size(catch); i++) {
        json_t *c = json_array_get(catch, i);
        char *cp = asl_ptr_index(p, i);
        if (!json_is_object(c)) {
            asl_diag_error(d, cp, "a catcher must be an object");
            free(cp);
            continue;
        }
        const char *key;
        json_t *v;
        json_object_foreach(c, key, v) {
            int ok = !strcmp(key, "ErrorEquals") || !strcmp(key, "Next") || !strcmp(key, "Comment") ||
                     !strcmp(key, "Assign") || (!s->jsonata && !strcmp(key, "ResultPath")) ||
                     (s->jsonata && !strcmp(key, "Output"));
            if (!ok) {
                char *kp = asl_ptr_join(cp, key);
                asl_diag_error(d, kp, "Field '%s' is not supported in a catcher", key);
                free(kp);
            }
        }
        error_equals(d, c, cp, i + 1 == json_array_size(catch));
        json_t *next = json_object_get(c, "Next");
        if (!next)
            asl_diag_error(d, cp, "These fields are required: [Next]");
        else if (!json_is_string(next) || asl_machine_find(s->machine, json_string_value(next)) < 0) {
            char *np = asl_ptr_join(cp, "Next");
            asl_diag_error(d, np, "The value of \"Next\" property must be the name of an existing state");
            free(np);
        }
        json_t *rp = json_object_get(c, "ResultPath");
        if (rp && !json_is_null(rp) && !s->jsonata) {
            char *kp = asl_ptr_join(cp, "ResultPath");
            if (!json_is_string(rp))
                asl_diag_error(d, kp, "ResultPath must be a string or null");
            else
                asl_ck_expr(m, d, kp, rp, ASL_MODE_RESULTPATH);
            free(kp);
        }
        free(cp);
    }
    free(p);
}

void asl_check_task(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    json_t *res = json_object_get(s->node, "Resource");
    if (!res)
        asl_diag_error(d, s->pointer, "These fields are required: [Resource]");
    else if (!json_is_string(res)) {
        char *p = asl_ptr_join(s->pointer, "Resource");
        asl_diag_error(d, p, "Resource must be a string");
        free(p);
    } else if (asl_resource_problem(json_string_value(res))) {
        char *p = asl_ptr_join(s->pointer, "Resource");
        asl_diag_error(d, p, "The resource provided %s is not recognized. %s", json_string_value(res),
                       asl_resource_problem(json_string_value(res)));
        free(p);
    } else {
        char why[1024];
        if (asl_aws_task_check(json_string_value(res), why, sizeof why) < 0) {
            char *p = asl_ptr_join(s->pointer, "Resource");
            asl_diag_error(d, p, "The resource provided %s is not recognized: %s", json_string_value(res), why);
            free(p);
        }
    }
    if (!s->jsonata) {
        asl_ck_int_range(d, s->node, "TimeoutSeconds", s->pointer, 1, 99999999);
        asl_ck_int_range(d, s->node, "HeartbeatSeconds", s->pointer, 1, 99999999);
        asl_ck_ref_path(m, d, s->node, "TimeoutSecondsPath", s->pointer);
        asl_ck_ref_path(m, d, s->node, "HeartbeatSecondsPath", s->pointer);
    }
    if (json_object_get(s->node, "TimeoutSeconds") && json_object_get(s->node, "TimeoutSecondsPath"))
        asl_diag_error(d, s->pointer, "State MUST contain at most one of \"TimeoutSeconds\", \"TimeoutSecondsPath\"");
    if (json_object_get(s->node, "HeartbeatSeconds") && json_object_get(s->node, "HeartbeatSecondsPath"))
        asl_diag_error(d, s->pointer, "State MUST contain at most one of \"HeartbeatSeconds\", \"HeartbeatSecondsPath\"");
    json_t *to = json_object_get(s->node, "TimeoutSeconds"), *hb = json_object_get(s->node, "HeartbeatSeconds");
    if (json_is_number(to) && json_is_number(hb) && json_number_value(hb) >= json_number_value(to)) {
        char *p = asl_ptr_join(s->pointer, "HeartbeatSeconds");
        asl_diag_error(d, p, "HeartbeatSeconds must be smaller than TimeoutSeconds");
        free(p);
    }
    json_t *cred = json_object_get(s->node, "Credentials");
    if (cred) {
        char *p = asl_ptr_join(s->pointer, "Credentials");
        if (!json_is_object(cred))
            asl_diag_error(d, p, "Credentials must be an object");
        else if (!json_object_get(cred, "RoleArn") && !json_object_get(cred, "RoleArn.$"))
            asl_diag_error(d, p, "The field 'RoleArn' is required but was missing");
        free(p);
    }
    asl_ck_retry(d, s);
    asl_ck_catch(m, d, s);
}

void asl_check_parallel(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    json_t *br = json_object_get(s->node, "Branches");
    char *p = asl_ptr_join(s->pointer, "Branches");
    if (!br)
        asl_diag_error(d, s->pointer, "These fields are required: [Branches]");
    else if (!json_is_array(br) || json_array_size(br) == 0)
        asl_diag_error(d, p, "Value cannot be empty");
    else
        for (size_t i = 0; i < json_array_size(br); i++) {
            json_t *b = json_array_get(br, i);
            if (!json_is_object(b) || !json_is_object(json_object_get(b, "States"))) {
                char *ip = asl_ptr_index(p, i);
                asl_diag_error(d, ip, "a branch must be an object with StartAt and States");
                free(ip);
            }
        }
    free(p);
    asl_ck_retry(d, s);
    asl_ck_catch(m, d, s);
}
