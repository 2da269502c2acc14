/*
 * task/aws.h - the AWS credential, region and endpoint chain (aws.c).
 *
 * Ownership: asl_aws_creds_load fills *c (free with asl_aws_creds_clear);
 * asl_aws_region and asl_aws_endpoint return malloc'd strings.
 */
#ifndef ASL_TASK_AWS_H
#define ASL_TASK_AWS_H

#include "task/net.h"

struct asl_aws_creds {
    char *key_id;
    char *secret;
    char *token;    /* session token, or NULL */
};

/* The chain AWS tools use: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
 * [/AWS_SESSION_TOKEN]; web identity (AWS_WEB_IDENTITY_TOKEN_FILE and
 * AWS_ROLE_ARN [, AWS_ROLE_SESSION_NAME]: STS AssumeRoleWithWebIdentity,
 * runtime/aws/sts.c); the profile's role_arn with source_profile (STS
 * AssumeRole signed with the source profile's keys; role_session_name);
 * the profile (AWS_PROFILE, else "default") in the
 * shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials)
 * then in the config file (AWS_CONFIG_FILE, ~/.aws/config); the container
 * endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]).  0, or -1 with err set
 * (name: err_prefix + ".SdkClientException"). */
int asl_aws_creds_load(struct asl_aws_creds *c, const struct asl_net_opts *o,
                       const char *err_prefix, struct asl_err *err);
void asl_aws_creds_clear(struct asl_aws_creds *c);

/* Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region in the
 * config file; NULL when none.  Returns a malloc'd string. */
char *asl_aws_region(void);

/* Endpoint for a service: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * else https://SERVICE.REGION.amazonaws.com (.com.cn for cn-*).  malloc'd,
 * no trailing slash. */
char *asl_aws_endpoint(const char *service, const char *region);

#endif
