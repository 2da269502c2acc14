/*
 * model.h - the machine model the compiler works on.
 *
 * The definition stays a jansson tree (each state keeps its node); the
 * model adds what the tree does not say directly: which States blocks
 * exist (top level, Parallel branches, Map processors), the index of every
 * state, the JSON pointer of every node, and each state's query language.
 * Once the checks pass, each state also has its typed spec (spec.h): the
 * only thing the emitter reads.
 */
#ifndef ASLC_MODEL_H
#define ASLC_MODEL_H

#include <jansson.h>

#include "aslrt.h"
#include "diag.h"
#include "expr.h"
#include "maps.h"

struct asl_cstate;
struct asl_cspec;

struct asl_cmachine {
    json_t *node;               /* the object with StartAt and States (borrowed) */
    char *pointer;              /* "" at the top, "/States/P/Branches/0", ... */
    int id;                     /* machine_<id> in the generated C */
    size_t n;
    struct asl_cstate *states;  /* document order */
    int start;                  /* local index of StartAt, -1 when it names nothing */
    struct asl_cstate *owner;   /* the Parallel or Map state; NULL at the top */
    int jsonata;                /* the query language its states default to */
    json_t *index;              /* state name -> local index (a jansson object used as a hash) */
};

struct asl_cstate {
    const char *name;           /* borrowed from the document */
    json_t *node;
    char *pointer;              /* /States/Name */
    enum asl_state_type type;
    int type_ok;                /* Type named a known state type */
    int gid;                    /* state_<gid> in the generated C */
    int local;                  /* index inside its machine */
    struct asl_cmachine *machine;
    size_t nchildren;
    struct asl_cmachine **children;
    int jsonata;                /* this state's query language is JSONata */
    const struct asl_cspec *spec;   /* the typed state (spec.h), once checked; NULL before */
};

struct asl_model {
    json_t *doc;
    const char *file;
    struct asl_cmachine *top;
    size_t nmachines;
    struct asl_cmachine **machines;     /* by id */
    size_t nstates;
    struct asl_cstate **states;         /* by gid */
    size_t definition_chars;            /* the definition's length in UTF-16 code units, as AWS counts */
    long long timeout_seconds;          /* TimeoutSeconds, once checked; 0 when absent */
    struct asl_arena arena;             /* the specs and every parsed path and call */
    struct asl_ptrmap exprs;            /* JSON string -> its parsed path or call (spec.c) */
    struct asl_ptrmap jns;              /* JSON string -> its parsed JSONata tree (owned) */
};

/* AWS's limit on a definition (CreateStateMachine's definition member). */
#define ASL_DEFINITION_MAX 1048576

/* Read and model the definition.  JSON syntax errors are reported as
 * FILE:LINE:COL; structural problems (no States, bad StartAt shape) as
 * diagnostics.  Returns NULL only when nothing can be modelled. */
struct asl_model *asl_load(const char *file, struct asl_diags *d);
void asl_model_free(struct asl_model *m);

/* Room for one more element in arr, which holds n of `size` bytes: the
 * block doubles when n is a power of two, so appending n elements one at a
 * time costs O(n) in all.  Aborts when memory runs out. */
void *asl_grow(void *arr, size_t n, size_t size);

/* The local index of a state called `name` in machine m, or -1 (constant time). */
int asl_machine_find(const struct asl_cmachine *m, const char *name);
/* The state in machine mc whose name is nearest to name (a few edits,
 * case aside), for "did you mean"; NULL when none is near. */
const char *asl_nearest_state(const struct asl_cmachine *mc, const char *name);

#endif
