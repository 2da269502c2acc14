/*
 * surrogates.h - the definition text's lone UTF-16 surrogate escapes made
 * loadable.  AWS's Java JSON parser keeps a lone surrogate ("\ud800"
 * without its pair) in a string; jansson refuses the whole file.  This
 * pre-pass runs on the raw bytes before jansson sees them.
 */
#ifndef ASL_SURROGATES_H
#define ASL_SURROGATES_H

#include <stddef.h>

/* The n bytes of t (not NUL-terminated) with every lone surrogate escape
 * inside a JSON string rewritten as the escaped surrogate pair of
 * U+10F800 + (cp - 0xD800), a plane-16 private-use code point; pairs and
 * all other bytes are kept.  A new NUL-terminated string of *outlen bytes
 * (at most 2n), or NULL when out of memory. */
char *asl_keep_lone_surrogates(const char *t, size_t n, size_t *outlen);

#endif
