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
         * folders (runtime/map/map_store.h); Parquet files cannot be read yet. */
        json_t *cfg = json_object_get(json_object_get(s->node, "ItemReader"), "ReaderConfig");
        static const char *const gated[][2] = {
            {"InputType", "PARQUET"},
        };
        for (size_t i = 0; i < sizeof gated / sizeof *gated; i++) {
            json_t *v = json_object_get(cfg, gated[i][0]);
            if (json_is_string(v) && strcmp(json_string_value(v), gated[i][1]) == 0) {
                char *p = asl_ptr_keys(s->pointer, "ItemReader", "ReaderConfig", gated[i][0], NULL);
                asl_diag_error(d, p, "Map ItemReader %s %s is not supported by this version of aslc",
                               gated[i][0], gated[i][1]);
                free(p);
            }
        }
    }
}
