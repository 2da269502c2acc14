/*
 * base/json.h - a JSON value's compact text and its size (json.c).
 *
 * Ownership: char * results are malloc'd; values are borrowed.
 */
#ifndef ASL_BASE_JSON_H
#define ASL_BASE_JSON_H

#include <stddef.h>
#include <jansson.h>

/* v as compact JSON text (malloc'd). */
char *asl_json_text(json_t *v);
/* A value as AWS quotes it in messages: a string's own text, anything else
 * as compact JSON (malloc'd). */
char *asl_json_value_text(json_t *v);
/* Size of v's compact JSON text in bytes. */
size_t asl_json_size(json_t *v);

/* Sizes of successive state outputs, sharing the work. */
struct asl_size_memo {
    size_t n, cap;
    struct { json_t *v; size_t size; } *e;
};
/* Size of v's compact JSON text, reusing what the memo knows about shared
 * subtrees; the memo then describes v. */
size_t asl_json_size_memo(struct asl_size_memo *memo, json_t *v);
void asl_json_size_memo_free(struct asl_size_memo *memo);

/* JSON text as it streams in, before it is parsed: each run of white space
 * between tokens is cut to its first byte (the value is unchanged, and "1 2"
 * stays two tokens), and the bytes that are not such white space are
 * counted - a bound on the compact size that costs no parse, so readers can
 * stop early and keep memory bounded.  Zero the state before the first
 * call. */
struct asl_json_squeeze {
    int in_str, esc, ws;
    size_t significant;         /* bytes so far that are not white space between tokens */
};
/* Copy n bytes of src to dst, squeezed; dst may be src.  Returns the bytes
 * written (<= n). */
size_t asl_json_squeeze(struct asl_json_squeeze *z, char *dst, const char *src, size_t n);

#endif
