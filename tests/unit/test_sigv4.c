/*
 * test_sigv4.c - aslc's SigV4 signer against AWS's published test vectors:
 * the Signature Version 4 test suite (aws-sig-v4-test-suite, 2015-08-30,
 * credential AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
 * region us-east-1, service "service") and the S3 developer guide's
 * signed GET Object example.  Paths are given as the suite's requests
 * write them; the suite's canonical URIs are those paths encoded once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

static int fails;

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct vec {
    const char *name, *method, *path, *query[6], *headers[8], *body, *want;
};

static const struct vec vecs[] = {
    {"get-vanilla", "GET", "/", {NULL}, {"Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z", NULL},
     "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"post-vanilla", "POST", "/", {NULL}, {"Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z", NULL},
     "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"get-vanilla-query-order-key-case", "GET", "/", {"Param2", "value2", "Param1", "value1", NULL},
     {"Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z", NULL}, "",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-utf8", "GET", "/\xe1\x88\xb4", {NULL}, {"Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z", NULL},
     "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
    {"post-x-www-form-urlencoded", "POST", "/", {NULL},
     {"Content-Type", "application/x-www-form-urlencoded", "Host", "example.amazonaws.com", "X-Amz-Date",
      "20150830T123600Z", NULL},
     "Param1=value1", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
};

static void run_vec(const struct vec *v)
{
    struct asl_aws_hdrs h = {0};
    struct asl_aws_query q = {0};
    for (size_t i = 0; v->headers[i]; i += 2)
        asl_aws_hdrs_add(&h, v->headers[i], v->headers[i + 1]);
    for (size_t i = 0; v->query[i]; i += 2)
        asl_aws_query_add(&q, v->query[i], v->query[i + 1]);
    char ph[65];
    asl_sigv4_sha256_hex(v->body, strlen(v->body), ph);
    struct asl_sigv4 s = {.method = v->method, .path = v->path, .query = &q, .headers = &h, .payload_hash = ph,
                          .region = "us-east-1", .service = "service", .amz_date = "20150830T123600Z",
                          .key_id = "AKIDEXAMPLE", .secret = SECRET};
    char *auth = asl_sigv4_authorization(&s);
    const char *sig = auth ? strstr(auth, "Signature=") : NULL;
    if (!sig || strcmp(sig + 10, v->want) != 0) {
        fprintf(stderr, "FAIL %s: %s\n", v->name, auth ? auth : "(null)");
        fails++;
    }
    free(auth);
    asl_aws_hdrs_clear(&h);
    asl_aws_query_clear(&q);
}

/* S3 developer guide, "Example: GET Object" (signature calculations for
 * the Authorization header): the path is signed as sent. */
static void s3_example(void)
{
    struct asl_aws_hdrs h = {0};
    asl_aws_hdrs_add(&h, "Host", "examplebucket.s3.amazonaws.com");
    asl_aws_hdrs_add(&h, "Range", "bytes=0-9");
    asl_aws_hdrs_add(&h, "x-amz-content-sha256", EMPTY);
    asl_aws_hdrs_add(&h, "x-amz-date", "20130524T000000Z");
    struct asl_sigv4 s = {.method = "GET", .path = "/test.txt", .headers = &h, .payload_hash = EMPTY,
                          .region = "us-east-1", .service = "s3", .amz_date = "20130524T000000Z",
                          .key_id = "AKIAIOSFODNN7EXAMPLE", .secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                          .s3 = 1};
    char *auth = asl_sigv4_authorization(&s);
    const char *want = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    if (!auth || strcmp(auth, want) != 0) {
        fprintf(stderr, "FAIL s3 GET Object example: %s\n", auth ? auth : "(null)");
        fails++;
    }
    free(auth);
    asl_aws_hdrs_clear(&h);
}

/* A path holding an ARN (Lambda's /functions/arn%3Aaws%3A.../invocations)
 * is signed encoded twice for every service but S3. */
static void arn_path(void)
{
    struct asl_aws_hdrs h = {0};
    asl_aws_hdrs_add(&h, "Host", "lambda.us-east-1.amazonaws.com");
    struct asl_sigv4 s = {.method = "POST", .path = "/2015-03-31/functions/arn%3Aaws%3Alambda/invocations",
                          .headers = &h, .payload_hash = EMPTY, .region = "us-east-1", .service = "lambda",
                          .amz_date = "20150830T123600Z", .key_id = "AKIDEXAMPLE", .secret = SECRET};
    char *sh = NULL;
    char *c = asl_sigv4_canonical(&s, &sh);
    if (!c || !strstr(c, "\n/2015-03-31/functions/arn%253Aaws%253Alambda/invocations\n") || strcmp(sh, "host")) {
        fprintf(stderr, "FAIL ARN path canonical form: %s\n", c ? c : "(null)");
        fails++;
    }
    free(c);
    free(sh);
    s.s3 = 1;
    c = asl_sigv4_canonical(&s, &sh);
    if (!c || !strstr(c, "\n/2015-03-31/functions/arn%3Aaws%3Alambda/invocations\n")) {
        fprintf(stderr, "FAIL S3 path canonical form: %s\n", c ? c : "(null)");
        fails++;
    }
    free(c);
    free(sh);
    asl_aws_hdrs_clear(&h);
}

int main(void)
{
    for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++)
        run_vec(&vecs[i]);
    s3_example();
    arn_path();
    if (fails)
        return 1;
    printf("sigv4: %zu vectors ok\n", sizeof vecs / sizeof *vecs + 2);
    return 0;
}
