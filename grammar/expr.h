/*
 * expr.h - parsing paths and intrinsic calls into the AST of aslrt_expr.h.
 *
 * The compiler parses every path ("$.a[0]", "$$.Execution.Id", "$var.x")
 * and every intrinsic call ("States.Format('{}', $.a)") once, here; the
 * emitter then writes the same structures out as static const C tables.
 * Every node, string and array of a parse lives in one arena, so a failed
 * parse (or the end of a compile) frees everything with one call.
 */
#ifndef ASL_GRAMMAR_EXPR_H
#define ASL_GRAMMAR_EXPR_H

#include <stddef.h>
#include "aslrt_expr.h"

/* ------------------------------------------------------------------ arena */

struct asl_arena_blk;

struct asl_arena {
    struct asl_arena_blk *head;
};

void asl_arena_init(struct asl_arena *a);
/* Frees every allocation made from `a`; `a` is then empty and reusable. */
void asl_arena_free(struct asl_arena *a);
/* n zeroed bytes, aligned for any type.  Aborts on out-of-memory (the
 * compiler treats that as fatal). */
void *asl_arena_alloc(struct asl_arena *a, size_t n);
/* A NUL-terminated copy of s[0..len) (s may hold NULs). */
char *asl_arena_strndup(struct asl_arena *a, const char *s, size_t len);

/* --------------------------------------------------------------- parsing */

/* Where an expression appears decides what it may be. */
enum asl_expr_mode {
    ASL_MODE_PATH,       /* InputPath, OutputPath, Choice Variable: any path: $..., $$..., $var... */
    ASL_MODE_REFPATH,    /* ItemsPath and the *Path fields: a reference path; $$ and variables allowed */
    ASL_MODE_RESULTPATH, /* ResultPath: a reference path on $ only (no $$, no variables) */
    ASL_MODE_PAYLOAD,    /* a "key.$" value: any path, $$ path, variable path, or intrinsic call */
    ASL_MODE_ERRPATH,    /* Fail ErrorPath/CausePath: a reference path or an intrinsic call */
};

/* A parse failure: the 1-based column (in characters, not bytes) inside the
 * text where the problem is (len + 1 at the end of input) and a message
 * such as "unexpected ',', expecting a path, a literal or a function call". */
struct asl_expr_error {
    unsigned col;
    char msg[256];
};

/* Parse text[0..len) in the given mode.  On success returns 0 and sets *out
 * to a tree allocated from `a` (kind ASL_EX_PATH or ASL_EX_CALL; in the path
 * modes always ASL_EX_PATH).  On failure returns -1 and fills *err; nothing
 * needs freeing beyond the arena.
 *
 * Notes on the tree:
 *  - Every asl_expr has `text` (its own slice of the input) and `col`.
 *  - String literals (ASL_VAL_STRING) hold their value with the intrinsic
 *    escapes \' \{ \} \\ resolved.  One exception: a literal first argument
 *    of States.Format keeps its (checked) escapes as written, so the runtime
 *    can tell a literal brace from a {} placeholder; asl_intr_format
 *    resolves them itself, as it does for a template read from a path.
 *  - CALL nodes carry `name` as written and `fn` (ASL_INTR_COUNT_ when the
 *    name is not a known States.* function); arity is not checked here.
 *  - A path's `definite` is 1 when it has only FIELD/INDEX steps, or ends in
 *    one multi-name step ['a','b'] (Jayway merges those into one object).
 */
int asl_expr_parse(struct asl_arena *a, const char *text, size_t len, enum asl_expr_mode mode,
                   struct asl_expr **out, struct asl_expr_error *err);

/* The 1-based character column of byte offset `off` in text (UTF-8). */
unsigned asl_expr_column(const char *text, size_t off);

#endif /* ASL_GRAMMAR_EXPR_H */
