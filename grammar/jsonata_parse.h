/*
 * jsonata_parse.h - shared by jsonata.l, jsonata.y and jsonata_ast.c only.
 */
#ifndef ASL_JSONATA_PARSE_H
#define ASL_JSONATA_PARSE_H

#include "jsonata_ast.h"

/* Raw node types the parser builds; jsonata_ast.c rewrites them away. */
enum {
    JN_R_DOT = 100,   /* kids[0] . kids[1] */
    JN_R_PRED,        /* kids[0] [kids[1]]; nkids 1 for [] */
    JN_R_GROUP,       /* kids[0] {kids[1]} */
    JN_R_FOCUS,       /* kids[0] @ kids[1] */
    JN_R_IDX,         /* kids[0] # kids[1] */
    JN_R_SORT         /* kids[0] ^( kids[1..] ) */
};

struct asl_jn_pctx {
    const char *src;
    size_t len;
    struct asl_jn_ast *ast;       /* owns allocations */
    struct asl_jn_node *root;
    struct asl_jn_error *err;
    int failed;
    /* scanner state */
    int col;                      /* 1-based column of the next byte */
    int operand;                  /* last token ends an operand: '/' divides */
    int depth;                    /* open ( [ { */
    int fn_pending;               /* saw function/λ: next ( opens its parameters */
    int fn_depth;                 /* depth of the parameter list, or -1 */
};

struct asl_jn_node *asl_jn_mk(struct asl_jn_pctx *p, int type, int pos);
struct asl_jn_node *asl_jn_mk2(struct asl_jn_pctx *p, int type, int op, int pos,
                               struct asl_jn_node *a, struct asl_jn_node *b);
void asl_jn_push(struct asl_jn_pctx *p, struct asl_jn_node *n, struct asl_jn_node *kid);
char *asl_jn_strdup(struct asl_jn_pctx *p, const char *s, size_t len);
void *asl_jn_alloc(struct asl_jn_pctx *p, size_t size);
void asl_jn_fail(struct asl_jn_pctx *p, const char *code, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
