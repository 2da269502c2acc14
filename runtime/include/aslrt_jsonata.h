/*
 * aslrt_jsonata.h - JSONata expressions, parsed by aslc, evaluated by the
 * compiled program.
 *
 * aslc parses every "{% ... %}" expression at compile time (grammar/
 * jsonata_ast.h: asl_jn_parse) and writes the tree into the generated C as
 * static const tables (asl_jn_emit).  The program evaluates those tables
 * with asl_jn_eval; it never sees JSONata text.
 *
 * A node is const-friendly: children by pointer to const arrays, strings as
 * pointer + length (not NUL-terminated in general), numbers as double.
 */
#ifndef ASLRT_JSONATA_H
#define ASLRT_JSONATA_H

#include <stddef.h>
#include <jansson.h>

#include "aslrt.h"

#ifdef __cplusplus
extern "C" {
#endif

enum asl_jn_type {
    ASL_JN_NUM,         /* num */
    ASL_JN_STR,         /* str */
    ASL_JN_TRUE,
    ASL_JN_FALSE,
    ASL_JN_NULL,
    ASL_JN_REGEX,       /* str = pattern, str2 = flags */
    ASL_JN_NAME,        /* str = field name */
    ASL_JN_VAR,         /* str = name without '$'; "" is the context, "$" the root */
    ASL_JN_WILD,        /* * */
    ASL_JN_DESC,        /* ** */
    ASL_JN_PARENT,      /* % */
    ASL_JN_PATH,        /* kids = steps */
    ASL_JN_BINARY,      /* op = enum asl_jn_op; kids[0], kids[1] */
    ASL_JN_NEG,         /* -kids[0] */
    ASL_JN_ARRAY,       /* [kids...] */
    ASL_JN_OBJECT,      /* {k0: v0, k1: v1...}: kids = k0, v0, k1, v1, ... */
    ASL_JN_BLOCK,       /* (kids[0]; kids[1]; ...) */
    ASL_JN_COND,        /* kids[0] ? kids[1] : kids[2] (nkids 2 without else) */
    ASL_JN_BIND,        /* $str := kids[0] */
    ASL_JN_CALL,        /* kids[0](kids[1..]); op = 1 if any argument is '?' */
    ASL_JN_PLACEHOLDER, /* ? argument of a partial application */
    ASL_JN_LAMBDA,      /* function(kids[1..]) <str: signature> { kids[0] } */
    ASL_JN_SORT,        /* ^(kids...): each a ASL_JN_SORTTERM */
    ASL_JN_SORTTERM,    /* op = 1 descending; kids[0] */
    ASL_JN_TRANSFORM,   /* | kids[0] | kids[1] [, kids[2]] | */
    ASL_JN_FILTER,      /* stage: [kids[0]] */
    ASL_JN_INDEX        /* stage: #$str */
};

enum asl_jn_op {
    ASL_JN_OP_ADD = 1, ASL_JN_OP_SUB, ASL_JN_OP_MUL, ASL_JN_OP_DIV, ASL_JN_OP_MOD,
    ASL_JN_OP_EQ, ASL_JN_OP_NE, ASL_JN_OP_LT, ASL_JN_OP_LE, ASL_JN_OP_GT, ASL_JN_OP_GE,
    ASL_JN_OP_AND, ASL_JN_OP_OR, ASL_JN_OP_IN, ASL_JN_OP_CONCAT, ASL_JN_OP_RANGE,
    ASL_JN_OP_CHAIN
};

/* node flags */
#define ASL_JN_F_KEEPARRAY 1u   /* step or path: [] keeps a singleton array */
#define ASL_JN_F_TUPLE 2u       /* path: some step binds @$x or #$i */
#define ASL_JN_F_CONSARRAY 4u   /* step: an array constructor (not flattened) */

struct asl_jn_node {
    unsigned char type;        /* enum asl_jn_type */
    unsigned char op;          /* enum asl_jn_op, or per-type flag */
    unsigned short flags;      /* ASL_JN_F_* */
    int pos;                   /* 1-based column in the expression */
    double num;
    const char *str;           /* see the type */
    size_t len;
    const char *str2;          /* regex flags */
    size_t len2;
    const char *focus;         /* @$focus on a path step (NULL if none) */
    size_t focus_len;
    const char *index;         /* #$index on a path step (NULL if none) */
    size_t index_len;
    const struct asl_jn_node *const *kids;
    size_t nkids;
    const struct asl_jn_node *const *stages;  /* FILTER / INDEX stages, in order */
    size_t nstages;
    const struct asl_jn_node *group;          /* {k: v} grouping, an ASL_JN_OBJECT */
};

/* What an expression sees besides its own bindings. */
struct asl_jn_env {
    json_t *states;    /* the $states object {input, result?, errorOutput?, context}: borrowed */
    /* Workflow variables: borrowed reference or NULL when unset. */
    json_t *(*lookup)(void *ud, const char *name, size_t len);
    void *ud;
    /* Polled during long evaluations; may be NULL. */
    const struct asl_cancel *cancel;
};

/* Evaluate.  0 and *out = new reference, or *out = NULL when the result is
 * undefined (JSONata's "nothing").  -1 with err = {States.QueryEvaluationError,
 * "<code>: <message>"}, e.g. "T1006: Attempted to invoke a non-function".
 * Thread-safe: the tree and env->states are only read. */
int asl_jn_eval(const struct asl_jn_node *root, const struct asl_jn_env *env,
                json_t **out, struct asl_err *err);

/* asl_jn_eval's return when the whole result is a function (*out NULL,
 * err untouched): AWS reports "returned an unsupported result type". */
#define ASL_JN_FUNCTION_RESULT 1

#define ASL_E_QUERY_EVAL "States.QueryEvaluationError"

#ifdef __cplusplus
}
#endif
#endif
