/*
 * budget.c - one concurrency budget for the whole execution.
 *
 * Every Parallel branch and Map iteration that gets a thread of its own
 * takes a slot; the thread that starts a Parallel or a Map always works on
 * it too, without a slot.  Slots are taken without waiting: when the
 * budget is spent, the work runs on the threads that already exist.  So a
 * nested Map can never deadlock waiting for slots its ancestors hold, and
 * however deep the nesting, at most 1 + limit threads run states - and as
 * each runs at most one task program at a time, at most 1 + limit task
 * process groups exist, each with three pipes.
 */
#include "run/run.h"

void asl_budget_init(struct asl_budget *b, long limit)
{
    b->limit = limit > 0 ? limit : ASL_CONCURRENCY_DEFAULT;
    atomic_init(&b->used, 0);
}

int asl_budget_take(struct asl_exec *ex)
{
    struct asl_budget *b = ex->budget;
    if (!b)
        return 0;
    long used = atomic_load(&b->used);
    while (used < b->limit)
        if (atomic_compare_exchange_weak(&b->used, &used, used + 1))
            return 1;
    return 0;
}

void asl_budget_give(struct asl_exec *ex)
{
    if (ex->budget)
        atomic_fetch_sub(&ex->budget->used, 1);
}
