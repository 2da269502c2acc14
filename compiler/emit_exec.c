/*
 * emit_exec.c - descriptors of the states that run work: Task, Parallel,
 * Map.  (Rejected by compiler/gates.c until their runtime lands.)
 */
#include <stdlib.h>
#include <string.h>

#include "emit_int.h"

char *asl_em_task(struct em *em, struct asl_cstate *s)
{
    (void)em;
    (void)s;
    abort();    /* unreachable: features.c rejects Task states */
}

char *asl_em_parallel(struct em *em, struct asl_cstate *s)
{
    (void)em;
    (void)s;
    abort();    /* unreachable: features.c rejects Parallel states */
}

char *asl_em_map(struct em *em, struct asl_cstate *s)
{
    (void)em;
    (void)s;
    abort();    /* unreachable: features.c rejects Map states */
}
