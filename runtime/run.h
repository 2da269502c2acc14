/*
 * run.h - the runtime's internal view of an execution.
 *
 * struct asl_exec is one execution: shared, read-only after start except
 * for the history (locked) and the cancellation tokens (atomic).
 * struct asl_run is one thread of control inside it: the top level, a
 * Parallel branch or a Map iteration.  It is never shared between threads.
 */
#ifndef ASL_RUN_H
#define ASL_RUN_H

#include <pthread.h>

#include "aslrt.h"

struct asl_history;
struct asl_mock;

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
};

/* A variable scope: each States block (top level, branch, iteration). */
struct asl_vars {
    const struct asl_vars *parent;  /* read-only while this scope runs */
    json_t *obj;                    /* this scope's variables; owned */
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
    const char *task_token;     /* $$.Task.Token, when the resource has one */
    json_t *jn_states;          /* $states while a JSONata field is evaluated; borrowed */
    struct asl_err err;
};

/* ---- exec.c */
/* Run a States block from its StartAt; *out gets the final output (new
 * reference).  Returns 0, or -1 with run->err set. */
int asl_machine_run(struct asl_run *run, const struct asl_machine *m, json_t *input, json_t **out);
/* Fail with States.Runtime (or another prefixed error) and AWS's prefix:
 * "An error occurred while executing the state 'S' (entered at the event id #N). " */
int asl_run_fail_prefixed(struct asl_run *run, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The context object as the current state sees it (new reference). */
json_t *asl_run_context(struct asl_run *run);
/* Current time, ISO 8601 UTC with milliseconds. */
void asl_now_iso(char *buf, size_t n);

/* A run for a Parallel branch or Map iteration: shares the execution,
 * gets its own token and a fresh variable scope below `outer` (NULL for
 * an isolated child such as a distributed Map's). */
void asl_run_child(struct asl_run *child, struct asl_run *parent, struct asl_cancel *cancel,
                   struct asl_vars *scope, const struct asl_vars *outer);

/* ---- io.c: input/output processing */
/* Evaluate an expression ("key.$" value, ErrorPath, intrinsic argument).
 * Returns 1 with *out set, 0 when a path selected nothing (nothing set),
 * -1 on error (run->err). */
int asl_expr_eval(struct asl_run *run, const struct asl_expr *e, json_t *in, json_t **out);
/* Select a path against the right root: $ = in, $$ = context, $x = variable.
 * Returns 1 / 0 (nothing selected) / -1 (run->err, e.g. undefined variable). */
int asl_run_select(struct asl_run *run, const struct asl_path *p, json_t *in, json_t **out);
/* The JSON text of the root a path is applied to, for "could not be found
 * in the input '...'" messages; malloc'd. */
char *asl_run_root_text(struct asl_run *run, const struct asl_path *p, json_t *in);
/* The same, where selecting nothing is AWS's States.Runtime "Invalid
 * path ..." failure: 0 with *out, or -1 with run->err. */
int asl_run_select_required(struct asl_run *run, const struct asl_path *p, json_t *in, json_t **out);
/* AWS's "Invalid path ..." cause for a path that selected nothing,
 * against the root the path names; malloc'd. */
char *asl_path_miss_text(struct asl_run *run, const struct asl_path *p, json_t *in);
/* Build a payload template against `in` (borrowed); *out new reference. */
int asl_tpl_eval(struct asl_run *run, const struct asl_tpl *t, json_t *in, json_t **out);
/* InputPath: raw input -> *out.  OutputPath likewise. */
int asl_io_input(struct asl_run *run, const struct asl_io *io, json_t *raw, json_t **out);
int asl_io_output(struct asl_run *run, const struct asl_io *io, json_t *val, json_t **out);
/* ResultPath: place result into raw input. */
int asl_io_result(struct asl_run *run, const struct asl_io *io, json_t *raw, json_t *result, json_t **out);
/* Parameters (if any) applied to the effective input. */
int asl_io_parameters(struct asl_run *run, const struct asl_io *io, json_t *in, json_t **out);
/* ResultSelector (if any). */
int asl_io_selector(struct asl_run *run, const struct asl_io *io, json_t *result, json_t **out);
/* Assign in two steps, as AWS orders it: evaluate every right-hand side
 * against `in` with the values from state entry (*pending, new reference
 * or NULL), then, once the state's output exists, store them. */
int asl_vars_eval(struct asl_run *run, const struct asl_tpl *assign, json_t *in, json_t **pending);
int asl_vars_commit(struct asl_run *run, json_t *pending);
/* Both at once. */
int asl_vars_assign(struct asl_run *run, const struct asl_tpl *assign, json_t *in);
/* Look up a variable (borrowed), NULL when unset. */
json_t *asl_vars_get(const struct asl_vars *v, const char *name);
/* v as compact JSON text (malloc'd). */
char *asl_json_text(json_t *v);
/* A value as AWS quotes it in messages: a string's own text, anything else
 * as compact JSON (malloc'd). */
char *asl_value_text(json_t *v);
/* Size of v's compact JSON text in bytes. */
size_t asl_json_size(json_t *v);

/* ---- jsonsize.c: sizes of successive state outputs, sharing the work */
struct asl_size_memo {
    size_t n, cap;
    struct { json_t *v; size_t size; } *e;
};
/* Size of v's compact JSON text, reusing what the memo knows about shared
 * subtrees; the memo then describes v. */
size_t asl_json_size_memo(struct asl_size_memo *memo, json_t *v);
void asl_size_memo_free(struct asl_size_memo *memo);
/* A literal from the program's table (borrowed). */
json_t *asl_lit(const struct asl_run *run, int idx);

/* ---- jstates.c: JSONata states */
/* The $states object {input, context, result?, errorOutput?} (new reference). */
json_t *asl_jn_states(struct asl_run *run, json_t *input, json_t *result, json_t *error_output);
/* Evaluate a JSONata-state template against a $states object. */
int asl_jn_tpl(struct asl_run *run, const struct asl_tpl *t, json_t *states, json_t **out);
/* Record AWS's EvaluationFailed event for run->err at `location`. */
void asl_jn_evaluation_failed(struct asl_run *run, const char *location);
/* The same, chained to event `prev`. */
void asl_jn_evaluation_failed_after(struct asl_run *run, const char *location, long prev);
/* One "{% %}" node, against run->jn_states. */
int asl_jn_eval_node(struct asl_run *run, const struct asl_tpl *t, json_t **out);
/* Finish a JSONata state: evaluate Assign and Output against
 * $states {input: raw, result, errorOutput} (both see the variables as they
 * were on entry), then store the variables.  Output defaults to
 * errorOutput, else result, else the raw input. */
int asl_jn_finish(struct asl_run *run, const struct asl_tpl *assign, const struct asl_tpl *output,
                  json_t *raw, json_t *result, json_t *error_output, json_t **out);
/* A JSONata field's value must be of `want` ("string", "integer", "array",
 * "boolean", ...): fail with AWS's "returned an unexpected result type"
 * cause otherwise.  Returns 0 or -1. */
int asl_jn_expect(struct asl_run *run, const struct asl_tpl *t, json_t *v, const char *want);

/* ---- task.c */
int asl_bindings_parse(struct asl_exec *ex, const char *const *specs, size_t n);
void asl_bindings_free(struct asl_exec *ex);
/* Every Task state has a mock, a binding or a built-in invoker; else name
 * each that has none on stderr and return -1. */
int asl_tasks_preflight(struct asl_exec *ex, const char *argv0);

/* ---- map_store.c: bucket bindings */
/* Add --bucket NAME=DIR specs; 0, or -1 with a message on stderr. */
int asl_buckets_parse(struct asl_exec *ex, const char *const *specs, size_t n);
void asl_buckets_free(struct asl_exec *ex);

/* ---- history.c */
struct asl_history *asl_history_new(void);
/* Keep the events (for --history), not only count them. */
void asl_history_record(struct asl_history *h);
int asl_history_recording(const struct asl_run *run);
void asl_history_free(struct asl_history *h);
/* Append an event; details is stolen (may be NULL).  Returns its id and
 * updates run->prev_event. */
long asl_history_add(struct asl_run *run, const char *type, json_t *details);
long asl_history_add_exec(struct asl_exec *ex, long prev, const char *type, json_t *details);
/* All events as a JSON array (new reference). */
json_t *asl_history_json(struct asl_history *h);


#endif
