/*
 * intr/intr.h - helpers shared by the States.* implementations (intrinsics.c,
 * intr_crypto.c).  The intrinsics themselves are declared in aslrt.h, the
 * contract with generated code.
 */
#ifndef ASL_INTR_INTR_H
#define ASL_INTR_INTR_H

#include <stddef.h>
#include <jansson.h>
#include "base/text.h"

struct asl_err;

/* States.IntrinsicFailure with cause "Invalid arguments in FN: DETAIL". */
int asl_intr_fail(struct asl_err *err, const char *fn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Out of memory while computing FN (States.Runtime). */
int asl_intr_oom(struct asl_err *err, const char *fn);
/* "string", "number", "boolean", "null", "array", "object". */
const char *asl_intr_type_name(const json_t *v);
/* 0 when lo <= nargs <= hi, else a failure. */
int asl_intr_nargs(size_t nargs, size_t lo, size_t hi, const char *fn, struct asl_err *err);
/* 0 when v is a string, else a failure naming `what`. */
int asl_intr_string_arg(json_t *v, const char *fn, const char *what, struct asl_err *err);

#endif
