/*
 * resource.h - what a Task's Resource names, and who can run it.
 *
 *   arn:PART:lambda:REGION:ACCT:function:NAME[:Q]   a Lambda function (network)
 *   arn:PART:states:::lambda:invoke                 Lambda Invoke API (network)
 *   arn:PART:states:::http:invoke                   the HTTP Task (network)
 *   arn:PART:states:::SERVICE:ACTION[.pattern]      other integrations (mock or --bind)
 *   arn:PART:states:REGION:ACCT:activity:NAME       an activity (mock or --bind)
 *   aslc:exec:PROGRAM ARG...                        a local program (aslc only)
 */
#ifndef ASLC_RESOURCE_H
#define ASLC_RESOURCE_H

#include "aslrt.h"

struct asl_resource {
    enum asl_task_kind kind;
    char *type;             /* history resourceType: "lambda", "sqs", ... (or NULL) */
    char *name;             /* history resource: "invoke", "sendMessage.waitForTaskToken" */
    int wait_for_token;
    const char *invoker;    /* runtime symbol of the built-in invoker, or NULL */
    char **argv;            /* aslc:exec: the program and its arguments */
};

#define ASLC_EXEC_PREFIX "aslc:exec:"

/* Classify; returns 0, or -1 with *why set (a static message) when the
 * resource is not one AWS (or aslc) accepts. */
int asl_resource_parse(const char *resource, struct asl_resource *r);
const char *asl_resource_problem(const char *resource);
void asl_resource_free(struct asl_resource *r);
/* Whitespace-separated words (no shell quoting), NULL-terminated. */
char **asl_split_words(const char *s);
void asl_free_words(char **w);
/* Does binding "RESOURCE=PROGRAM..." (RESOURCE ending in '*': a prefix) apply to resource? */
int asl_binding_matches(const char *binding, const char *resource);

#endif
