/*
 * error.c - ASL errors as values: a name and a cause, both owned strings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrt.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void asl_err_clear(struct asl_err *err)
{
    if (!err)
        return;
    free(err->name);
    free(err->cause);
    err->name = err->cause = NULL;
    err->json_null = err->heartbeat = 0;
}

int asl_err_set_str(struct asl_err *err, const char *name, const char *cause)
{
    if (!err)
        return -1;
    char *n = dup_or_null(name), *c = dup_or_null(cause);
    asl_err_clear(err);
    err->name = n;
    err->cause = c;
    return -1;
}

int asl_err_set(struct asl_err *err, const char *name, const char *fmt, ...)
{
    if (!err)
        return -1;
    char *cause = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        cause = malloc((size_t)n + 1);
        if (cause) {
            va_start(ap, fmt);
            vsnprintf(cause, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    char *n = dup_or_null(name);
    asl_err_clear(err);
    err->name = n;
    err->cause = cause;
    return -1;
}

void asl_err_move(struct asl_err *dst, struct asl_err *src)
{
    if (dst == src)
        return;
    asl_err_clear(dst);
    *dst = *src;
    src->name = src->cause = NULL;
    src->json_null = src->heartbeat = 0;
}
