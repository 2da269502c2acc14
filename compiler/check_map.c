/*
 * check_map.c - checks of the Map state's own fields.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exprs.h"

void asl_check_map(struct asl_model *m, struct asl_diags *d, struct asl_arena *a, struct asl_cstate *s)
{
    (void)m;
    json_t *ip = json_object_get(s->node, "ItemProcessor"), *it = json_object_get(s->node, "Iterator");
    if (!!ip == !!it)
        asl_diag_error(d, s->pointer, "State MUST contain exactly one of \"ItemProcessor\", \"Iterator\"");
    json_t *proc = ip ? ip : it;
    if (proc && (!json_is_object(proc) || !json_is_object(json_object_get(proc, "States")))) {
        char *p = asl_ptr_join(s->pointer, ip ? "ItemProcessor" : "Iterator");
        asl_diag_error(d, p, "must be an object with StartAt and States");
        free(p);
    }
    if (json_object_get(s->node, "ItemSelector") && json_object_get(s->node, "Parameters"))
        asl_diag_error(d, s->pointer, "State MUST contain at most one of \"ItemSelector\", \"Parameters\"");
    static const char *const pairs[][2] = {
        {"MaxConcurrency", "MaxConcurrencyPath"},
        {"ToleratedFailureCount", "ToleratedFailureCountPath"},
        {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"},
    };
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(s->node, pairs[i][0]) && json_object_get(s->node, pairs[i][1]))
            asl_diag_error(d, s->pointer, "State MUST contain at most one of \"%s\", \"%s\"",
                           pairs[i][0], pairs[i][1]);
    if (!s->jsonata) {
        asl_ck_int_range(d, s->node, "MaxConcurrency", s->pointer, 0, 2147483647);
        asl_ck_int_range(d, s->node, "ToleratedFailureCount", s->pointer, 0, 2147483647);
        json_t *tp = json_object_get(s->node, "ToleratedFailurePercentage");
        if (tp && (!json_is_number(tp) || json_number_value(tp) < 0 || json_number_value(tp) > 100)) {
            char *p = asl_ptr_join(s->pointer, "ToleratedFailurePercentage");
            asl_diag_error(d, p, "ToleratedFailurePercentage must be a number from 0 to 100");
            free(p);
        }
        asl_ck_ref_path(d, a, s->node, "ItemsPath", s->pointer);
        asl_ck_ref_path(d, a, s->node, "MaxConcurrencyPath", s->pointer);
        asl_ck_ref_path(d, a, s->node, "ToleratedFailureCountPath", s->pointer);
        asl_ck_ref_path(d, a, s->node, "ToleratedFailurePercentagePath", s->pointer);
    }
    json_t *label = json_object_get(s->node, "Label");
    if (label && (!json_is_string(label) || strlen(json_string_value(label)) > 40)) {
        char *p = asl_ptr_join(s->pointer, "Label");
        asl_diag_error(d, p, "Label must be a string of at most 40 characters");
        free(p);
    }
    asl_ck_retry(d, s);
    asl_ck_catch(d, a, s);
}
