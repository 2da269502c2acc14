/*
 * jsonata_ast.h - JSONata at compile time: parse an expression into the
 * tree of runtime/include/aslrt_jsonata.h, check it, and write it into the
 * generated C as static const tables.
 */
#ifndef ASL_JSONATA_AST_H
#define ASL_JSONATA_AST_H

#include <stdio.h>
#include <stddef.h>

#include "aslrt_jsonata.h"

/* A syntax error: JSONata code ("S0202"), message, 1-based column. */
struct asl_jn_error {
    char code[8];
    char message[256];
    int column;
};

/* A parsed expression.  Owns every node and string it points to. */
struct asl_jn_ast {
    const struct asl_jn_node *root;
    int uses_regex;          /* a /regex/ literal appears: link PCRE2 */
    char **vars;             /* free variables ($name, without '$'; not "states"), NUL-terminated */
    size_t nvars;
    int uses_states;         /* $states appears */
    /* private */
    void **allocs;
    size_t nallocs, cap;
    struct asl_jn_node **nodes;
    size_t nnodes, ncap;
};

/* Parse src[0..len) (the text between "{%" and "%}").  0 and *out on
 * success; -1 and err filled on a syntax error (*out = NULL). */
int asl_jn_parse(const char *src, size_t len, struct asl_jn_ast **out, struct asl_jn_error *err);

/* Write the tree as static const C tables; the root node is named `cname`
 * (static const struct asl_jn_node cname), helpers are cname_<n>.  Every
 * user string goes through asl_cemit_string. */
void asl_jn_emit(FILE *out, const struct asl_jn_ast *ast, const char *cname);

void asl_jn_free(struct asl_jn_ast *ast);

#endif
