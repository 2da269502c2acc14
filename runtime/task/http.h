/*
 * task/http.h - the HTTP Task, arn:aws:states:::http:invoke (http.c), with its
 * EventBridge connections and OAuth token cache (struct asl_net_ctx).
 */
#ifndef ASL_TASK_HTTP_H
#define ASL_TASK_HTTP_H

#include "task/net.h"

/* params: {ApiEndpoint, Method, Authentication?: {ConnectionArn},
 * Headers?, QueryParameters?, RequestBody?, Transform?: {RequestBodyEncoding,
 * RequestEncodingOptions: {ArrayFormat}}} (borrowed).
 * *result (new reference): {Headers: {name: [values]}, ResponseBody,
 * StatusCode, StatusText}.  Errors: States.Http.StatusCode.NNN (cause: the
 * same object as compact JSON), States.Http.Socket, States.Timeout,
 * States.DataLimitExceeded, States.Runtime (bad parameters, forbidden
 * headers), Events.ConnectionResource.* (connection missing / unusable). */
int asl_http_invoke(json_t *params, const struct asl_net_opts *o, json_t **result,
                    struct asl_err *err);

#endif
