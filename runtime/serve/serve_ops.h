/*
 * serve_ops.h - one handler per API operation (see proto.c's table).
 * Each takes a validated call and returns ASL_SERVE_DONE or ASL_SERVE_ASYNC.
 */
#ifndef ASL_SERVE_OPS_H
#define ASL_SERVE_OPS_H

#include "serve_int.h"

/* ops_exec.c: executions */
int asl_serve_op_start_execution(struct asl_serve_call *c);
int asl_serve_op_describe_execution(struct asl_serve_call *c);
int asl_serve_op_get_execution_history(struct asl_serve_call *c);
int asl_serve_op_list_executions(struct asl_serve_call *c);
int asl_serve_op_stop_execution(struct asl_serve_call *c);
int asl_serve_op_redrive_execution(struct asl_serve_call *c);
int asl_serve_op_send_task_success(struct asl_serve_call *c);
int asl_serve_op_send_task_failure(struct asl_serve_call *c);
int asl_serve_op_send_task_heartbeat(struct asl_serve_call *c);
int asl_serve_op_describe_state_machine_for_execution(struct asl_serve_call *c);

/* ops_sync.c */
int asl_serve_op_start_sync_execution(struct asl_serve_call *c);
/* The checks of StartExecution and StartSyncExecution: the state machine
 * ARN, the name, the input (its text in *input).  0, or -1 with the error. */
int asl_serve_start_checks(struct asl_serve_call *c, const char **input);

/* ops_meta.c: the state machine, activities, tags */
int asl_serve_op_describe_state_machine(struct asl_serve_call *c);
int asl_serve_op_list_state_machines(struct asl_serve_call *c);
int asl_serve_op_list_state_machine_versions(struct asl_serve_call *c);
int asl_serve_op_list_state_machine_aliases(struct asl_serve_call *c);
int asl_serve_op_create_activity(struct asl_serve_call *c);
int asl_serve_op_describe_activity(struct asl_serve_call *c);
int asl_serve_op_list_activities(struct asl_serve_call *c);
int asl_serve_op_delete_activity(struct asl_serve_call *c);
int asl_serve_op_list_tags(struct asl_serve_call *c);
int asl_serve_op_tag_resource(struct asl_serve_call *c);
int asl_serve_op_untag_resource(struct asl_serve_call *c);

/* activity.c */
int asl_serve_op_get_activity_task(struct asl_serve_call *c);

#endif
