/*
 * cemit.h - the one way user text reaches generated C.
 *
 * Every string from a definition (state names, paths, literals, the
 * definition itself) goes through asl_cemit_string or asl_cemit_comment, so
 * a hostile definition cannot end a literal, open a trigraph, close a
 * comment or smuggle a format directive into the generated program.
 */
#ifndef ASL_CEMIT_H
#define ASL_CEMIT_H

#include <stdio.h>
#include <stddef.h>

/* Write s[0..len) as a C string literal, quotes included.  Escapes \, ",
 * ? (trigraphs), and every byte outside printable ASCII as octal. */
void asl_cemit_string(FILE *out, const char *s, size_t len);
/* Same for a NUL-terminated string; NULL is written as NULL. */
void asl_cemit_cstr(FILE *out, const char *s);
/* Write s as text safe inside a C block comment: no newline, no "*" "/"
 * pair, no control bytes; at most `max` bytes, then "...". */
void asl_cemit_comment(FILE *out, const char *s, size_t max);

#endif
