/*
 * gates.c - the list of what aslc cannot build yet.  Shrinks as the
 * runtime grows; every entry names the field so the user knows what to
 * change or wait for.
 */
#include <stdlib.h>
#include <string.h>

#include "gates.h"

void asl_check_features(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    (void)m;
    if (s->jsonata && s->type == ASL_MAP) {
        static const char *const fields[] = {"Items", "ItemSelector", "MaxConcurrency",
            "ToleratedFailureCount", "ToleratedFailurePercentage"};
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
            json_t *v = json_object_get(s->node, fields[i]);
            if (v && (i < 2 || json_is_string(v))) {
                char *p = asl_ptr_join(s->pointer, fields[i]);
                asl_diag_error(d, p, "JSONata Map %s is not supported by this version of aslc", fields[i]);
                free(p);
            }
        }
    }
    if (s->type == ASL_MAP) {
        static const char *const fields[] = {"ItemReader", "ResultWriter"};
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            if (json_object_get(s->node, fields[i])) {
                char *p = asl_ptr_join(s->pointer, fields[i]);
                asl_diag_error(d, p, "Map %s is not supported by this version of aslc", fields[i]);
                free(p);
            }
    }
}
