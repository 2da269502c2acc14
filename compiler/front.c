/*
 * front.c - the front end as every subcommand uses it: load a definition,
 * then check it.  Apart from main.c so that tools linking the compiler
 * without its main (the definition fuzzer) get it too.
 */
#include <stdio.h>

#include "check.h"
#include "commands.h"

struct asl_model *asl_load_checked(const char *file)
{
    struct asl_diags d = {.file = file};
    struct asl_model *m = asl_load(file, &d);
    if (m && !d.errors)
        asl_check(m, &d);
    if (d.errors) {
        fprintf(stderr, "%s: %d error%s\n", file, d.errors, d.errors == 1 ? "" : "s");
        asl_model_free(m);
        return NULL;
    }
    return m;
}
