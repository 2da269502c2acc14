/*
 * task/process.h - local programs as tasks (process.c).
 *
 * Internal to the runtime: the Task state's execution calls these; Retry,
 * Catch, ResultSelector and ResultPath happen around them.  Thread-safe:
 * Parallel branches and Map iterations call them at once.
 */
#ifndef ASL_TASK_PROCESS_H
#define ASL_TASK_PROCESS_H

#include <jansson.h>

#include "aslrt.h"

/* One run of a local program as a task.  Protocol (docs/local-tasks.md):
 * the effective input goes to stdin as compact JSON, the result comes back
 * on stdout as JSON, stderr lines are logged, the line "aslc:heartbeat" on
 * stderr is a heartbeat, exit status and a Lambda-shaped error object
 * decide failure. */
struct asl_proc_spec {
    const char *const *argv;    /* NULL-terminated; argv[0] looked up in PATH
                                 * when it has no slash; never run by a shell */
    double timeout_s;           /* TimeoutSeconds; <= 0: none */
    double heartbeat_s;         /* HeartbeatSeconds; <= 0: none */
    const struct asl_cancel *cancel;    /* may be NULL */
    const char *log_tag;        /* state name: tags each stderr line logged */
    char *const *envp;          /* the program's environment (asl_task_env_new);
                                 * NULL: the clean default, built per run */
    const char *task_key;       /* $ASLC_TASK_KEY for the program: the attempt's stable
                                 * idempotency key (docs/durability.md); NULL: none */
    const char *resource;       /* names the task in the DataLimitExceeded
                                 * cause ("The state/task '<resource>' ...");
                                 * NULL: argv[0] */
};

/* Run the program once.  `input` is borrowed and may be NULL (sent as
 * null).  Returns 0 with *result (new reference) on success, -1 with err
 * filled on failure: the program's errorType/Cause, States.TaskFailed,
 * States.Timeout (TimeoutSeconds or missed heartbeat; cause NULL, as AWS
 * records it), States.DataLimitExceeded, or the cancellation reason.
 * The program's whole process group is gone when this returns. */
int asl_proc_invoke(const struct asl_proc_spec *spec, json_t *input, json_t **result,
                    struct asl_err *err);

/* The environment for task programs: the variables docs/local-tasks.md
 * lists (PATH, HOME, LANG, LC_*, TZ, TMPDIR, ...) from this process's
 * environment, plus each NAME in pass[] that is set; credentials only when
 * named.  NULL when out of memory; free with asl_task_env_strv_free. */
char **asl_task_env_new(const char *const *pass, size_t npass);
void asl_task_env_strv_free(char **env);

/* Grace between SIGTERM and SIGKILL when a task is stopped (seconds). */
#define ASL_PROC_KILL_GRACE 1.0
/* The stderr line a program writes to prove it is alive. */
#define ASL_PROC_HEARTBEAT_LINE "aslc:heartbeat"

#endif
