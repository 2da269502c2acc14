/*
 * models.h - AWS's service models (botocore-format service-2.json), read at
 * compile time.
 *
 * Where models are looked for, first match wins:
 *   aslc --aws-models DIR (asl_models_add_dir), then $ASLC_AWS_MODELS
 *   (colon-separated), then Debian's python3-botocore
 *   (/usr/lib/python3/dist-packages/botocore/data) and awscli
 *   (/usr/lib/python3/dist-packages/awscli/botocore/data).
 * A directory holds SERVICE/VERSION/service-2.json (botocore's layout; the
 * newest VERSION of a service is used).
 *
 * For one operation the reader gives a pruned model: the service's wire
 * metadata, the operation, and exactly the shapes its input, output and
 * errors reach, without documentation.  That is what a binary carries.
 */
#ifndef ASLC_MODELS_H
#define ASLC_MODELS_H

#include <stddef.h>
#include <jansson.h>

/* Put DIR before the default directories (repeatable; the last given is
 * searched first among them). */
void asl_models_add_dir(const char *dir);

/* The operations of Step Functions' service name SVC (the aws-sdk:SVC name:
 * "sfn", "eventbridge", "s3") whose names with the first letter lowercased
 * are ACTIONS (NULL-terminated; what aws-sdk:SVC:ACTION gives).  Returns the
 * pruned model (new reference): {"service", "prefix", "models" (version),
 * "metadata", "operations": {Name: op, ...}, "actions": {action: Name},
 * "shapes"}, or NULL with why (naming the service or action and the models'
 * version) filled. */
json_t *asl_models_operations(const char *svc, const char *const *actions, char *why, size_t whyn);

/* Step Functions' exception prefix for an aws-sdk service name
 * ("DynamoDb", "Sfn", "S3"), from the model's serviceId; malloc'd. */
char *asl_models_prefix(const char *svc, json_t *metadata);

/* Frees the cache of loaded models. */
void asl_models_cleanup(void);

#endif
