/*
 * jn_internal.h - the JSONata evaluator's private interface (runtime/jsonata).
 *
 * Values are jansson values.  What JSONata attaches to a value beyond JSON
 * (a sequence, a constructed array, keep-singleton, a function) is kept in
 * a per-evaluation table keyed by the value's address; the table holds a
 * reference, so an address is never reused while the evaluation runs.
 * Frames, closures and ancestor links live in the evaluation's arena and
 * are freed when it ends.
 */
#ifndef JN_INTERNAL_H
#define JN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "aslrt_jsonata.h"

#define JN_SEQ 1u
#define JN_CONS 2u
#define JN_KEEP 4u
#define JN_FUNC 8u
#define JN_NONFINITE 16u    /* an empty object standing for Infinity or NaN (jansson holds neither) */

struct jn_ctx;
struct jn_frame;

struct jn_anc {
    json_t *v;              /* borrowed (held by the arena) */
    struct jn_anc *up;
};

typedef int (*jn_native)(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);

struct jn_builtin {
    const char *name;
    const char *sig;
    jn_native fn;
};

enum { JN_FN_LAMBDA, JN_FN_NATIVE, JN_FN_PARTIAL, JN_FN_REGEX, JN_FN_TRANSFORM };

struct jn_fn {
    int kind;
    const struct asl_jn_node *node;   /* lambda, regex or transform */
    struct jn_frame *closure;
    json_t *in;                       /* context at definition (held) */
    const struct jn_builtin *bi;
    json_t *target;                   /* partial: the function value (held) */
    json_t **args;                    /* partial: NULL for '?' (held) */
    size_t nargs;
    void *code;                       /* regex: pcre2_code * */
};

struct jn_ctx {
    const struct asl_jn_env *env;
    struct asl_err *err;
    int depth;
    int track_parent;
    struct jn_markent { json_t *key; unsigned flags; struct jn_fn *fn; } *marks;
    size_t nmarks, capmarks;
    unsigned allflags;              /* every flag some mark carries */
    void **arena;
    size_t narena, caparena;
    char *bump;                     /* the arena's current chunk: next free byte */
    size_t bump_left;
    struct jn_bcache { const struct asl_jn_node *n; const struct jn_builtin *b; } bcache[32];  /* direct-mapped by node address */
    struct jn_piccache *pics;       /* jn_datetime.c: parsed picture strings */
    json_t **held;
    size_t nheld, capheld;
    int64_t now_ms;                 /* read through asl_jn_now_ms / asl_jn_rng: filled */
    uint64_t rng;                   /* on first use, from env->entropy when set */
    int have_entropy;
    uint64_t steps;                 /* nodes evaluated: cancellation is polled every 4096 */
    long long mem;                  /* bytes this evaluation holds (jn_mem.c) */
};

/* jn_mem.c: the evaluation memory budget */
#define ASL_JN_MEM_MAX (64LL << 20)
/* Count this thread's allocations into *counter until asl_jn_mem_leave
 * (returns the previous counter, for nesting). */
long long *asl_jn_mem_enter(long long *counter);
void asl_jn_mem_leave(long long *old);
/* 0 while the evaluation plus `more` bytes stays within the budget, else
 * U1003 (set on c) and -1.  Loops that build a value item by item poll it
 * every ASL_JN_MEM_POLL items. */
int asl_jn_mem_check(struct jn_ctx *c, double more);
int asl_jn_mem_fail(struct jn_ctx *c);     /* U1003, -1 */
long long asl_jn_mem_max(void);             /* the budget in force */
#define ASL_JN_MEM_POLL 1024
#define ASL_JN_MEM_POLL_FAILS(c, i) (((i) % ASL_JN_MEM_POLL) == 0 && asl_jn_mem_check((c), 0) != 0)

/* jn_eval.c */
/* The evaluation's clock ($now, $millis: one instant for the whole
 * evaluation) and its random generator's state ($random, $uuid). */
int64_t asl_jn_now_ms(struct jn_ctx *c);
uint64_t *asl_jn_rng(struct jn_ctx *c);
int asl_jn_str_cmp(json_t *a, json_t *b);
int asl_jn_ctx_fail(struct jn_ctx *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
unsigned asl_jn_flags(struct jn_ctx *c, json_t *v);
int asl_jn_mark(struct jn_ctx *c, json_t *v, unsigned flags);
struct jn_fn *asl_jn_fn_of(struct jn_ctx *c, json_t *v);
json_t *asl_jn_fn_new(struct jn_ctx *c, struct jn_fn **fn);
void *asl_jn_ctx_alloc(struct jn_ctx *c, size_t n);
json_t *asl_jn_hold(struct jn_ctx *c, json_t *v);
json_t *asl_jn_seq(struct jn_ctx *c);
json_t *asl_jn_num(double d);
/* A number that is not finite, e.g. 1/0: a value JSONata keeps until it is
 * used; $string then raises D3001, other uses D1001. */
json_t *asl_jn_nonfinite(struct jn_ctx *c);
int asl_jn_is_nonfinite(struct jn_ctx *c, json_t *v);
/* v holds (at any depth) a value carrying one of the flags */
int asl_jn_contains_mark(struct jn_ctx *c, json_t *v, unsigned flags);
int asl_jn_is_num(json_t *v);
int asl_jn_equal(struct jn_ctx *c, json_t *a, json_t *b);
int asl_jn_bool(struct jn_ctx *c, json_t *v);
int asl_jn_apply(struct jn_ctx *c, json_t *fnv, json_t **args, size_t nargs, json_t *in, json_t **out);
int asl_jn_arity(struct jn_ctx *c, json_t *fnv);
const struct jn_builtin *asl_jn_builtin_find(const char *name, size_t len);
int asl_jn_validate(struct jn_ctx *c, const char *sig, const char *fname, json_t **args, size_t nargs,
                json_t *in, json_t ***vargs, size_t *nv);
/* Append v (stealing) to seq, flattening one level when v is an array. */
void asl_jn_append_flat(json_t *seq, json_t *v);

/* jn_string.c */
void asl_jn_fmt_number(double d, char *buf, size_t n);
json_t *asl_jn_stringify(struct jn_ctx *c, json_t *v, int pretty);  /* JSONata $string */
size_t asl_jn_utf8_len(const char *s, size_t n);
size_t asl_jn_utf8_offset(const char *s, size_t n, size_t cps);
/* A match of regex `re` in s from byte `start`; 1, 0 (none) or -1.  A subject is
 * walked from start 0 first: only that call checks its UTF-8. */
int asl_jn_regex_exec(struct jn_ctx *c, json_t *re, const char *s, size_t len, size_t start,
                  size_t *ovec, size_t *ngroups);
void asl_jn_regex_free(void *code);

/* jn_datetime.c: frees the evaluation's cached pictures */
void asl_jn_pictures_free(struct jn_ctx *c);

/* jn_format.c: format-integer pictures ("primary[;modifiers]") */
int asl_jn_format_integer(struct jn_ctx *c, double v, const char *pic, char *out, size_t cap);
int asl_jn_parse_integer(struct jn_ctx *c, const char *s, const char *pic, double *res);

/* jn_funcs.c */
extern const struct jn_builtin asl_jn_builtins[];
extern const size_t asl_jn_nbuiltins;

/* 2.0.6's round(v, p): half to even at p decimal places, on the decimal
 * text of v ($round, $formatNumber). */
double asl_jn_round(double v, int p);

#endif
