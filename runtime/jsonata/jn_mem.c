/*
 * jn_mem.c - the JSONata evaluation memory budget.
 *
 * An expression can build values far larger than any state could pass on
 * (`$join([1..1e7].$string())`), so each evaluation counts the bytes it
 * holds and fails with States.QueryEvaluationError once that passes
 * ASL_JN_MEM_MAX (jn_eval.c checks at every node; tests lower it with
 * asl_jn_mem_set_max to stay fast).
 *
 * Counting: jansson allocates through json_set_alloc_funcs hooks that are
 * plain malloc/free plus malloc_usable_size, adding to the counter of the
 * evaluation running on this thread (a thread-local pointer; none outside
 * an evaluation).  Memory freed with plain free() (json_dumps text) is still
 * valid to free either way; it only leaves the counter high, which no
 * evaluation does.  The arena adds its chunks directly.
 *
 * The check at every node bounds what a step can add only when the step is
 * small.  Steps that build a large value in one go check before they build
 * (a concatenation, $pad, $join: the size is known) or every
 * ASL_JN_MEM_POLL items while they build (a range, $split, $match,
 * $replace, $string's text), so no single step runs far past the budget.  The hooks are
 * installed by asl_main before the first JSON value exists; without them
 * (unit tests that never call asl_jn_mem_install) nothing is counted.
 * This file references nothing else of the evaluator, so asl_main can
 * install the hooks without linking JSONata (and PCRE2) into a binary that
 * has no JSONata state; the checks live in jn_eval.c.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>

#include <jansson.h>

#include "jsonata/jn_internal.h"
#include "jsonata/jn_mem.h"

static _Thread_local long long *live;   /* this thread's evaluation's count */
static long long mem_max = ASL_JN_MEM_MAX;

void asl_jn_mem_set_max(long long bytes)
{
    mem_max = bytes > 0 ? bytes : ASL_JN_MEM_MAX;
}

long long asl_jn_mem_max(void)
{
    return mem_max;
}

static void *counted_malloc(size_t n)
{
    void *p = malloc(n);
    if (p && live)
        *live += (long long)malloc_usable_size(p);
    return p;
}

static void counted_free(void *p)
{
    if (p && live)
        *live -= (long long)malloc_usable_size(p);
    free(p);
}

void asl_jn_mem_install(void)
{
    json_set_alloc_funcs(counted_malloc, counted_free);
}

long long *asl_jn_mem_enter(long long *counter)
{
    long long *old = live;
    live = counter;
    return old;
}

void asl_jn_mem_leave(long long *old)
{
    live = old;
}
