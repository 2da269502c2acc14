/*
 * task/activity.h - Task states on activity ARNs (task/activity.c).
 */
#ifndef ASL_TASK_ACTIVITY_H
#define ASL_TASK_ACTIVITY_H

#include "run/run.h"

/* One attempt: queue the task, wait for a worker to take it (recording
 * ActivityStarted), then for its answer.  timeout/heartbeat: the Task's
 * TimeoutSeconds/HeartbeatSeconds (0: none), run from ActivityStarted.
 * 0 with *result, or -1 with run->err. */
int asl_task_activity_attempt(struct asl_run *run, const struct asl_task *t, double timeout,
                              double heartbeat, json_t *params, json_t **result);

/* `BINARY get-activity-task --store FILE --activity NAME ...`: a worker's
 * poll without the API server.  Returns the exit status. */
int asl_task_activity_cmd(int argc, char **argv);

#endif
