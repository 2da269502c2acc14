/*
 * task/task.h - what the CLI asks of the Task module (task.c) before a run:
 * --bind programs and the preflight that every Task can run.
 */
#ifndef ASL_TASK_TASK_H
#define ASL_TASK_TASK_H

#include "run/run.h"

int asl_task_bindings_parse(struct asl_exec *ex, const char *const *specs, size_t n);
void asl_task_bindings_free(struct asl_exec *ex);
/* Every Task state has a mock, a binding or a built-in invoker; else name
 * each that has none on stderr and return -1. */
int asl_task_preflight(struct asl_exec *ex, const char *argv0);

/* ---- task/env.c: the environment task programs get */
/* Build ex->task_env: the kept variables (docs/local-tasks.md) plus each
 * NAME in pass[] that is set.  0, or -1 when out of memory. */
int asl_task_env_init(struct asl_exec *ex, const char *const *pass, size_t npass);
void asl_task_env_free(struct asl_exec *ex);

#endif
