/*
 * run/run.h - the runtime's internal view of an execution (run.c): the
 * context object, variable scopes, child runs and prefixed failures.
 *
 * struct asl_exec is one execution: shared, read-only after start except
 * for the history (locked) and the cancellation tokens (atomic).
 * struct asl_run is one thread of control inside it: the top level, a
 * Parallel branch or a Map iteration.  It is never shared between threads.
 */
#ifndef ASL_RUN_RUN_H
#define ASL_RUN_RUN_H

#include <pthread.h>
#include <stdatomic.h>

#include "aslrt.h"

struct asl_history;
struct asl_mock;
struct asl_cancel;
struct asl_durable;

/* Longest fiber path (runtime/store/durable.h): nesting depth x ~16. */
#define ASL_FIBER_MAX 256

struct asl_binding {
    const char *resource;       /* a Resource ARN (or prefix) */
    char **argv;                /* the local program that runs it */
};

/* A bucket the definition names (ItemReader, ResultWriter), bound to a
 * local folder: keys are paths below dir. */
struct asl_bucket {
    char *name;
    char *dir;
};

struct asl_exec {
    const struct asl_program *prog;
    json_t *input;              /* the execution input */
    char *name;                 /* execution name */
    char *exec_arn, *sm_arn, *sm_name, *role_arn;
    char start_time[40];        /* ISO 8601 with milliseconds */
    struct asl_cancel *cancel;  /* the root token */
    struct asl_history *hist;
    struct asl_mock *mock;
    size_t nbindings;
    struct asl_binding *bindings;
    double wait_scale;
    size_t nbuckets;            /* --bucket NAME=DIR: S3 buckets bound to local folders */
    struct asl_bucket *buckets;
    char **task_env;            /* task programs' environment (asl_task_env_init); NULL: clean default */
    struct asl_budget *budget;  /* shared with child executions (a distributed Map's);
                                 * borrowed; NULL: no threads beyond the caller's */
    struct asl_durable *dur;    /* --store: the execution's record (runtime/store/), else NULL */
    int has_store;              /* --store given (checked before the store is opened) */
    const char *store_path;     /* that file: activity tasks queue there (task/activity.c) */
    int child_history;          /* a distributed Map child's own history: not the store's */
    int redrive_count;          /* $$.Execution.RedriveCount */
};

/* A variable scope: each States block (top level, branch, iteration). */
struct asl_vars {
    const struct asl_vars *parent;  /* read-only while this scope runs */
    json_t *obj;                    /* this scope's variables; owned */
};

/* A Map iteration whose callback wait may park (store/durable.h,
 * asl_dur_await_token): rather than hold its thread until the token is
 * answered, the wait cancels the iteration's token `tok` and sets
 * `parked`; the iteration unwinds recording nothing, and the Map runs it
 * again (by replay) once the token is answered or due. */
struct asl_park {
    struct asl_cancel *tok;     /* the iteration's token */
    int parked;
    char token[64];             /* the token it waits for */
};

struct asl_run {
    struct asl_exec *exec;
    struct asl_cancel *cancel;  /* this thread's token */
    struct asl_vars *vars;
    const struct asl_state *state;  /* the state being run */
    long entered_event;         /* id of that state's ...StateEntered event */
    long entered_prev;          /* and that event's previousEventId */
    long prev_event;            /* id of this thread's latest event */
    char entered_time[40];
    int retry_count;            /* $$.State.RetryCount */
    int has_retry_count;        /* Task/Map/Parallel show it */
    json_t *map_item_index;     /* $$.Map.Item.* while evaluating an ItemSelector; borrowed */
    json_t *map_item_value;
    json_t *map_item_key;       /* set when the Map runs over a JSON object's members */
    json_t *map_item_source;    /* $$.Map.Item.Source: where the item was read */
    const char *task_token;     /* $$.Task.Token, when the resource has one */
    const char *task_role;      /* the Task's Credentials.RoleArn while it runs, or NULL */
    json_t *jn_states;          /* $states while a JSONata field is evaluated; borrowed */
    struct asl_err err;
    char fiber[ASL_FIBER_MAX];  /* durable replay: this thread of control's path ... */
    unsigned long seq;          /* ... and its next effect's number (runtime/store/durable.h) */
    char token_buf[64];         /* $$.Task.Token's text while a callback Task runs */
    struct asl_park *park;      /* a Map iteration's own run: its callback waits may park; else NULL */
};

/* 1 when run's iteration stopped to park (its failure is not one). */
static inline int asl_run_parked(const struct asl_run *run)
{
    return run->park && run->park->parked;
}

/* ---- run.c */
/* Fail with States.Runtime (or another prefixed error) and AWS's prefix:
 * "An error occurred while executing the state 'S' (entered at the event id #N). " */
int asl_run_fail_prefixed(struct asl_run *run, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The context object as the current state sees it (new reference). */
json_t *asl_run_context(struct asl_run *run);

/* A run for a Parallel branch or Map iteration: shares the execution,
 * gets its own token and a fresh variable scope below `outer` (NULL for
 * an isolated child such as a distributed Map's). */
void asl_run_child(struct asl_run *child, struct asl_run *parent, struct asl_cancel *cancel,
                   struct asl_vars *scope, const struct asl_vars *outer);
/* Look up a variable (borrowed), NULL when unset. */
json_t *asl_vars_get(const struct asl_vars *v, const char *name);

/* ---- budget.c (exec/budget.c): one concurrency budget across nesting levels */
/* Parallel branches and Map iterations that run at once, over all nesting
 * levels, beyond the thread that runs the execution (--max-concurrency). */
#define ASL_CONCURRENCY_DEFAULT 64
#define ASL_CONCURRENCY_MAX 4096
/* The budget itself: one per top-level execution, shared by pointer so a
 * copied struct asl_exec (a distributed Map's child) never copies the
 * counter. */
struct asl_budget {
    long limit;                 /* threads beyond the main one */
    atomic_long used;
};
/* Set the budget; limit <= 0 means ASL_CONCURRENCY_DEFAULT. */
void asl_budget_init(struct asl_budget *b, long limit);
/* Take one slot for a new thread without waiting: 1 when taken, 0 when the
 * budget is spent (the caller runs the work on its own thread instead). */
int asl_budget_take(struct asl_exec *ex);
void asl_budget_give(struct asl_exec *ex);

#endif
