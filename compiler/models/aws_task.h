/*
 * aws_task.h - the compiler's side of Task states that call AWS APIs:
 * aws-sdk:SERVICE:ACTION and the optimized integrations aslc runs itself,
 * checked against AWS's service models and emitted as a pruned model table.
 */
#ifndef ASLC_AWS_TASK_H
#define ASLC_AWS_TASK_H

#include <stddef.h>
#include <stdio.h>

/* 1 when the resource is an AWS API call aslc makes from the models, 0
 * when it is something else (Lambda, HTTP, an optimized integration run
 * only by --bind or a mock), -1 when the models do not have it (why set:
 * the service or action and the models' version). */
int asl_aws_task_check(const char *resource, char *why, size_t whyn);

/* Writes the model table of the resource's operations to out (once per
 * service and operation set in a program) and returns its C name
 * ("aws_model_N", malloc'd), or NULL when the resource is not an AWS API
 * call (asl_aws_task_check() == 0) or the models do not have it. */
char *asl_aws_task_emit(FILE *out, const char *resource);

/* The model table of S3's ListObjectsV2, GetObject and PutObject, which a
 * distributed Map's ItemReader and ResultWriter call for buckets bound to
 * no folder (runtime/aws/s3_store.c); its C name, malloc'd, or NULL when
 * the models have no S3. */
char *asl_aws_s3_store_emit(FILE *out);

/* How a Task with this resource runs when nothing binds or mocks it, for
 * reports ("aws-sdk call: s3 GetObject (rest-xml) from botocore 1.29.27"),
 * malloc'd; NULL when the resource is not an AWS API call. */
char *asl_aws_task_describe(const char *resource);

#endif
