/*
 * exec/exec.h - the interpreter loop (exec.c): run a States block (the
 * top level, a Parallel branch, a Map iteration) from StartAt to its end.
 */
#ifndef ASL_EXEC_EXEC_H
#define ASL_EXEC_EXEC_H

#include "run/run.h"

/* Run a States block from its StartAt; *out gets the final output (new
 * reference).  Returns 0, or -1 with run->err set. */
int asl_run_machine(struct asl_run *run, const struct asl_machine *m, json_t *input, json_t **out);

#endif
