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
    if (s->type == ASL_MAP) {
        /* ItemReader and ResultWriter work on buckets bound to local
         * folders (runtime/map/map_store.h); S3 inventory manifests do not yet. */
        json_t *type = json_object_get(json_object_get(json_object_get(s->node, "ItemReader"), "ReaderConfig"),
                                       "InputType");
        if (json_is_string(type) && strcmp(json_string_value(type), "MANIFEST") == 0) {
            char *p = asl_ptr_keys(s->pointer, "ItemReader", "ReaderConfig", "InputType", NULL);
            asl_diag_error(d, p, "Map ItemReader InputType MANIFEST is not supported by this version of aslc");
            free(p);
        }
    }
}
