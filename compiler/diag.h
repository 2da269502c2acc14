/*
 * diag.h - compiler diagnostics: every problem is collected, then printed
 * as FILE: POINTER: message (POINTER is a JSON pointer into the
 * definition); expression errors add the column, the text and a caret.
 */
#ifndef ASLC_DIAG_H
#define ASLC_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct asl_diags {
    const char *file;
    int errors, warnings;
    int quiet_warnings;
    FILE *out;
};

void asl_diag_error(struct asl_diags *d, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void asl_diag_warning(struct asl_diags *d, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error inside an expression string: col is 1-based within text. */
void asl_diag_expr(struct asl_diags *d, const char *pointer, const char *text, unsigned col,
                   const char *msg);

/* JSON pointer helpers: returns a malloc'd "base/escaped(token)". */
char *asl_ptr_join(const char *base, const char *token);
char *asl_ptr_index(const char *base, size_t index);
/* base/escaped(k1)/escaped(k2)/...: one token per key, NULL-terminated.
 * Only a key that contains '/' or '~' is escaped (~1, ~0), as RFC 6901 says. */
char *asl_ptr_keys(const char *base, ...) __attribute__((sentinel));

/* Levenshtein distance between two names, case aside, for "did you mean";
 * limit + 1 as soon as it is known to exceed limit (or a name is over 256
 * bytes). */
size_t asl_name_distance(const char *a, const char *b, size_t limit);

#endif
