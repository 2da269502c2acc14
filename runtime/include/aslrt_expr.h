/*
 * aslrt_expr.h - compiled JSONPath paths and intrinsic-function calls.
 *
 * The compiler's grammar (grammar/path.y) builds these structures from
 * strings such as "$.a[0].b", "$$.Execution.Id", "$var.x" and
 * "States.Format('{}', $.a)"; the emitter writes them into the generated
 * C as static const tables; the runtime walks them.  No path text is ever
 * parsed at run time: `text` is kept only for error messages.
 */
#ifndef ASLRT_EXPR_H
#define ASLRT_EXPR_H

#include <stddef.h>
#include <jansson.h>

#include "aslrt_vocab.h"

/* A literal inside an expression: an intrinsic argument or a filter operand. */
enum asl_val_kind { ASL_VAL_STRING, ASL_VAL_INT, ASL_VAL_REAL, ASL_VAL_TRUE, ASL_VAL_FALSE, ASL_VAL_NULL };

struct asl_val {
    enum asl_val_kind kind;
    const char *str;            /* STRING: UTF-8, escapes resolved, may hold NUL */
    size_t len;                 /* STRING: byte length */
    long long i;                /* INT */
    double r;                   /* REAL */
};

enum asl_path_root {
    ASL_ROOT_INPUT,             /* $ */
    ASL_ROOT_CONTEXT,           /* $$ */
    ASL_ROOT_VAR,               /* $name */
    ASL_ROOT_CURRENT,           /* @ (inside a filter) */
};

enum asl_seg_kind {
    ASL_SEG_FIELD,              /* .name  ['name'] */
    ASL_SEG_INDEX,              /* [3]  [-1] */
    ASL_SEG_WILDCARD,           /* .*  [*] */
    ASL_SEG_SLICE,              /* [a:b]  [a:b:c] */
    ASL_SEG_FIELDS,             /* ['a','b'] */
    ASL_SEG_INDEXES,            /* [0,2] */
    ASL_SEG_FILTER,             /* [?(...)] */
    ASL_SEG_DESCENT,            /* ..x : recursive descent, then `sub` at every level */
};

struct asl_filter;

struct asl_seg {
    enum asl_seg_kind kind;
    const char *name;           /* FIELD */
    size_t name_len;            /* FIELD: byte length (names may hold NUL) */
    long long index;            /* INDEX */
    long long start, end, step; /* SLICE */
    unsigned char has_start, has_end, has_step;
    size_t n;                   /* FIELDS, INDEXES */
    const char *const *names;   /* FIELDS */
    const long long *indexes;   /* INDEXES */
    const struct asl_filter *filter;    /* FILTER */
    const struct asl_seg *sub;  /* DESCENT: the step applied below the `..` */
};

struct asl_path {
    const char *text;           /* as written, for messages */
    enum asl_path_root root;
    const char *var;            /* ROOT_VAR: the variable's name */
    size_t nseg;
    const struct asl_seg *segs;
    unsigned char definite;     /* selects at most one node (no wildcard/slice/filter/union/descent) */
};

/* Filter expressions: [?(@.price < 10 && @.tag == 'x')] */
enum asl_filter_op {
    ASL_F_OR, ASL_F_AND, ASL_F_NOT,     /* left (and right) */
    ASL_F_EXISTS,                       /* a.path alone: the path selects something */
    ASL_F_EQ, ASL_F_NE, ASL_F_LT, ASL_F_LE, ASL_F_GT, ASL_F_GE,  /* a op b */
};

struct asl_foperand {
    const struct asl_path *path;        /* @... or $... ; NULL for a literal */
    struct asl_val val;
};

struct asl_filter {
    enum asl_filter_op op;
    const struct asl_filter *left, *right;
    struct asl_foperand a, b;
};

/* enum asl_intr_fn: ASL_INTR_FORMAT, ... ASL_INTR_COUNT_ (aslrt_vocab.h, ASL_INTRINSICS). */

struct asl_err;

/* An intrinsic's implementation.  args are borrowed, *out is a new
 * reference; on failure fill err (States.IntrinsicFailure, ...) and return -1. */
typedef int (*asl_intr_impl)(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);

/* An expression in a "key.$" value, ErrorPath/CausePath or an intrinsic argument. */
enum asl_expr_kind { ASL_EX_VAL, ASL_EX_PATH, ASL_EX_CALL };

struct asl_expr {
    enum asl_expr_kind kind;
    const char *text;           /* the whole expression as written */
    struct asl_val val;         /* VAL */
    const struct asl_path *path;/* PATH */
    enum asl_intr_fn fn;        /* CALL (ASL_INTR_COUNT_ when the name is unknown) */
    const char *name;           /* CALL: "States.Format" as written */
    asl_intr_impl impl;         /* CALL: set by generated code; NULL in the compiler */
    size_t nargs;
    const struct asl_expr *args;
    unsigned col;               /* 1-based column of this node in `text` (diagnostics) */
};

#endif /* ASLRT_EXPR_H */
