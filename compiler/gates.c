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
    if (s->jsonata) {
        asl_diag_error(d, s->pointer, "JSONata states (QueryLanguage \"JSONata\") are not supported by this version of aslc");
        return;
    }
    static const struct { enum asl_state_type t; const char *name; } types[] = {
        {ASL_TASK, "Task"}, {ASL_PARALLEL, "Parallel"}, {ASL_MAP, "Map"},
    };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (s->type == types[i].t) {
            char *p = asl_ptr_join(s->pointer, "Type");
            asl_diag_error(d, p, "%s states are not supported by this version of aslc", types[i].name);
            free(p);
        }
}
