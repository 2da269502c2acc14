/*
 * exprs.h - parsing one expression field of the definition (a path, a
 * "key.$" value, ErrorPath) with its diagnostics, and the checks that the
 * definition alone settles about intrinsic calls.
 */
#ifndef ASLC_EXPRS_H
#define ASLC_EXPRS_H

#include "diag.h"
#include "expr.h"

/* Parse `text` for the field at `pointer`; on a syntax error report it with
 * its column and return NULL.  Intrinsic calls are checked (known name,
 * argument count, literal types, nesting depth). */
struct asl_expr *asl_compile_expr(struct asl_arena *a, struct asl_diags *d, const char *pointer,
                                  const char *text, enum asl_expr_mode mode);

/* Variables an expression reads, appended to *names (malloc'd array of
 * borrowed strings). */
void asl_expr_vars(const struct asl_expr *e, const char ***names, size_t *n);

/* Whether an expression calls an intrinsic that needs libcrypto. */
int asl_expr_needs_crypto(const struct asl_expr *e);

#endif
