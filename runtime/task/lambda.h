/*
 * task/lambda.h - Lambda in both forms (lambda.c): a function ARN as Resource and
 * arn:aws:states:::lambda:invoke, over the Invoke REST API signed with SigV4.
 */
#ifndef ASL_TASK_LAMBDA_H
#define ASL_TASK_LAMBDA_H

#include "task/net.h"

/* Resource = arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
 * Invoked RequestResponse with payload (borrowed) as the event; *result =
 * the function's returned payload (parsed JSON, else the text as a string).
 * Function error: Error = errorType (Lambda.Unknown when none), Cause = the
 * payload exactly as Lambda returned it. */
int asl_lambda_invoke_direct(const char *function_arn, json_t *payload,
                             const struct asl_net_opts *o, json_t **result,
                             struct asl_err *err);

/* arn:aws:states:::lambda:invoke.  params: {FunctionName, Payload?,
 * InvocationType?, Qualifier?, ClientContext?, LogType?}.
 * *result: {ExecutedVersion, [LogResult], Payload, SdkHttpMetadata:
 * {AllHttpHeaders, HttpHeaders, HttpStatusCode}, SdkResponseMetadata:
 * {RequestId}, StatusCode}.  Function error: Error = errorType, Cause = the
 * error payload as compact JSON. */
int asl_lambda_invoke_integration(json_t *params, const struct asl_net_opts *o,
                                  json_t **result, struct asl_err *err);

#endif
