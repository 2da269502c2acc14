/*
 * task/task.h - what the CLI asks of the Task module (task.c) before a run:
 * --bind programs and the preflight that every Task can run.
 */
#ifndef ASL_TASK_TASK_H
#define ASL_TASK_TASK_H

#include "exec/run.h"

int asl_task_bindings_parse(struct asl_exec *ex, const char *const *specs, size_t n);
void asl_task_bindings_free(struct asl_exec *ex);
/* Every Task state has a mock, a binding or a built-in invoker; else name
 * each that has none on stderr and return -1. */
int asl_task_preflight(struct asl_exec *ex, const char *argv0);

#endif
