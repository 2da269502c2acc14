/*
 * intr_table.h - what the compiler knows about each States.* function:
 * its name, how many arguments it takes and the runtime symbol that
 * implements it.  Type checks on literal arguments live here too, so that a
 * mistake the definition alone settles is a compile-time diagnostic.
 */
#ifndef ASL_GRAMMAR_INTR_TABLE_H
#define ASL_GRAMMAR_INTR_TABLE_H

#include <stddef.h>
#include "aslrt_expr.h"

struct asl_intr_info {
    enum asl_intr_fn fn;
    const char *name;       /* "States.Format" */
    const char *symbol;     /* "asl_intr_format" */
    int min_args, max_args; /* max_args < 0: unbounded */
    int needs_crypto;       /* links OpenSSL's libcrypto */
};

/* The entry for `name` (len bytes), or NULL. */
const struct asl_intr_info *asl_intr_lookup(const char *name, size_t len);
/* The entry for fn. */
const struct asl_intr_info *asl_intr_info(enum asl_intr_fn fn);

/* Check one call (not its nested calls) against what its literal arguments
 * settle: argument count, literal types.  Returns 0 when fine, else writes a
 * message into msg and returns -1. */
int asl_intr_check_call(const struct asl_expr *call, char *msg, size_t msgsz);

#endif
