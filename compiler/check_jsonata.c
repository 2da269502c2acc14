/*
 * check_jsonata.c - checks of JSONata states and expressions.
 */
#include <string.h>

#include "check.h"

void asl_check_jsonata_vars(struct asl_model *m, const char ***assigned, size_t *n)
{
    (void)m;
    (void)assigned;
    (void)n;
}
