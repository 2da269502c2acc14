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

/* Node types, X(NAME) listed once: enum asl_jn_type is ASL_JN_<NAME>, and the
 * emitter writes the same names into generated tables. */
#define ASL_JN_TYPES(X)                                                       \
    X(NUM)          /* num */                                                 \
    X(STR)          /* str */                                                 \
    X(TRUE)                                                                   \
    X(FALSE)                                                                  \
    X(NULL)                                                                   \
    X(REGEX)        /* str = pattern, str2 = flags */                         \
    X(NAME)         /* str = field name */                                    \
    X(VAR)          /* str = name without '$'; "" is the context, "$" the root */ \
    X(WILD)         /* * */                                                   \
    X(DESC)         /* ** */                                                  \
    X(PARENT)       /* % */                                                   \
    X(PATH)         /* kids = steps */                                        \
    X(BINARY)       /* op = enum asl_jn_op; kids[0], kids[1] */               \
    X(NEG)          /* -kids[0] */                                            \
    X(ARRAY)        /* [kids...] */                                           \
    X(OBJECT)       /* {k0: v0, k1: v1...}: kids = k0, v0, k1, v1, ... */     \
    X(BLOCK)        /* (kids[0]; kids[1]; ...) */                             \
    X(COND)         /* kids[0] ? kids[1] : kids[2] (nkids 2 without else) */  \
    X(BIND)         /* $str := kids[0] */                                     \
    X(CALL)         /* kids[0](kids[1..]); op = 1 if any argument is '?' */   \
    X(PLACEHOLDER)  /* ? argument of a partial application */                 \
    X(LAMBDA)       /* function(kids[1..]) <str: signature> { kids[0] } */    \
    X(SORT)         /* ^(kids...): each a ASL_JN_SORTTERM */                  \
    X(SORTTERM)     /* op = 1 descending; kids[0] */                          \
    X(TRANSFORM)    /* | kids[0] | kids[1] [, kids[2]] | */                   \
    X(FILTER)       /* stage: [kids[0]] */                                    \
    X(INDEX)        /* stage: #$str */

/* Binary operators (ASL_JN_BINARY's op), numbered from 1. */
#define ASL_JN_OPS(X)                                                         \
    X(ADD) X(SUB) X(MUL) X(DIV) X(MOD) X(EQ) X(NE) X(LT) X(LE) X(GT) X(GE)      \
    X(AND) X(OR) X(IN) X(CONCAT) X(RANGE) X(CHAIN)

#define ASL_JN_TYPE_(N) ASL_JN_##N,
enum asl_jn_type { ASL_JN_TYPES(ASL_JN_TYPE_) };
#undef ASL_JN_TYPE_

#define ASL_JN_OP_(N) ASL_JN_OP_##N,
enum asl_jn_op { ASL_JN_OP_NONE_, ASL_JN_OPS(ASL_JN_OP_) };
#undef ASL_JN_OP_

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
    /* The evaluation's instant (ms since the epoch) and random seed, asked
     * for once, on the first $now(), $millis(), $random() or $uuid(); NULL
     * or nonzero: the system clock and a fresh seed. */
    int (*entropy)(void *ud, int64_t *now_ms, uint64_t *seed);
    void *entropy_ud;
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
