/*
 * test_aws_creds.c - the AWS credential, region and endpoint chain, with
 * temporary files and setenv; the container endpoint is lambda_api.py's
 * /creds route on 127.0.0.1.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local_server.h"
#include "task/net.h"
#include "task/aws.h"
#include "task/lambda.h"

static char dir[] = "/tmp/test_aws_credsXXXXXX";

static char *path_in(const char *name)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(path_in(name), "w");
    fputs(text, f);
    fclose(f);
}

static void clear_env(void)
{
    static const char *const vars[] = {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", NULL};
    for (const char *const *v = vars; *v; v++)
        unsetenv(*v);
    setenv("HOME", dir, 1);     /* ~/.aws is the temp dir's, empty unless written */
}

static int str_is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static const struct asl_net_opts OPTS = {.timeout_s = 10};

static void test_env_and_files(void)
{
    struct asl_aws_creds c;
    struct asl_err err = {0};

    clear_env();
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == -1);
    CHECK(str_is(err.name, "Lambda.SdkClientException"));
    CHECK(err.cause && strstr(err.cause, "Unable to load AWS credentials"));
    asl_err_clear(&err);

    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "AKIDENV") && str_is(c.secret, "envsecret") &&
          str_is(c.token, "envtoken"));
    asl_aws_creds_clear(&c);

    /* ~/.aws/credentials, default profile; env wins when set. */
    mkdir(path_in(".aws"), 0700);
    write_file(".aws/credentials",
               "# comment\n[default]\naws_access_key_id = AKIDHOME\n"
               "aws_secret_access_key=homesecret\n\n[dev]\n aws_access_key_id = AKIDDEV \n"
               "aws_secret_access_key = devsecret\naws_session_token = devtoken\n");
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "AKIDENV"));
    asl_aws_creds_clear(&c);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "AKIDHOME") && str_is(c.secret, "homesecret") && c.token == NULL);
    asl_aws_creds_clear(&c);

    setenv("AWS_PROFILE", "dev", 1);
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "AKIDDEV") && str_is(c.secret, "devsecret") &&
          str_is(c.token, "devtoken"));
    asl_aws_creds_clear(&c);

    /* AWS_SHARED_CREDENTIALS_FILE moves the file. */
    write_file("other-creds", "[dev]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=o\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path_in("other-creds"), 1);
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "AKIDOTHER"));
    asl_aws_creds_clear(&c);

    /* A profile only in the config file: [profile x] sections, keys and region. */
    setenv("AWS_PROFILE", "cfgonly", 1);
    write_file("config", "[default]\nregion = eu-central-1\n[profile cfgonly]\n"
                         "region = ap-south-1\naws_access_key_id = AKIDCFG\n"
                         "aws_secret_access_key = cfgsecret\n[cfgonly]\nregion = wrong-1\n");
    setenv("AWS_CONFIG_FILE", path_in("config"), 1);
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "AKIDCFG") && str_is(c.secret, "cfgsecret"));
    asl_aws_creds_clear(&c);

    /* Region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's. */
    char *r = asl_aws_region();
    CHECK(str_is(r, "ap-south-1"));
    free(r);
    unsetenv("AWS_PROFILE");
    r = asl_aws_region();
    CHECK(str_is(r, "eu-central-1"));
    free(r);
    setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
    r = asl_aws_region();
    CHECK(str_is(r, "us-west-1"));
    free(r);
    setenv("AWS_REGION", "us-west-2", 1);
    r = asl_aws_region();
    CHECK(str_is(r, "us-west-2"));
    free(r);
    clear_env();
    setenv("AWS_CONFIG_FILE", "/nonexistent", 1);
    r = asl_aws_region();
    CHECK(r == NULL);
    free(r);

    /* Profile named but missing everywhere: the chain ends in an error. */
    setenv("AWS_PROFILE", "missing", 1);
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == -1);
    CHECK(err.cause && strstr(err.cause, "'missing'"));
    asl_err_clear(&err);
}

static void test_endpoints(void)
{
    clear_env();
    char *e = asl_aws_endpoint("lambda", "us-east-1");
    CHECK(str_is(e, "https://lambda.us-east-1.amazonaws.com"));
    free(e);
    e = asl_aws_endpoint("lambda", "cn-north-1");
    CHECK(str_is(e, "https://lambda.cn-north-1.amazonaws.com.cn"));
    free(e);
    setenv("AWS_ENDPOINT_URL", "http://localhost:4566/", 1);
    e = asl_aws_endpoint("lambda", "us-east-1");
    CHECK(str_is(e, "http://localhost:4566"));
    free(e);
    setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9001", 1);
    e = asl_aws_endpoint("lambda", "us-east-1");
    CHECK(str_is(e, "http://127.0.0.1:9001"));
    free(e);
    e = asl_aws_endpoint("states", "us-east-1");
    CHECK(str_is(e, "http://localhost:4566"));
    free(e);
    clear_env();
}

static void test_container(int port)
{
    struct asl_aws_creds c;
    struct asl_err err = {0};
    char url[128];
    clear_env();
    unlink(path_in(".aws/credentials"));   /* files come before the container */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/creds", port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer CONTAINER-TOKEN", 1);
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "ASIATESTSESSION") && str_is(c.secret, "sessionsecret") &&
          str_is(c.token, "TOKEN-123"));
    asl_aws_creds_clear(&c);

    /* The token may come from a file instead. */
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    write_file("token", "Bearer CONTAINER-TOKEN\n");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path_in("token"), 1);
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == 0);
    CHECK(str_is(c.key_id, "ASIATESTSESSION"));
    asl_aws_creds_clear(&c);

    /* A wrong token: the endpoint refuses; the error says so without the token. */
    write_file("token", "Bearer WRONG");
    CHECK(asl_aws_creds_load(&c, &OPTS, "Lambda", &err) == -1);
    CHECK(str_is(err.name, "Lambda.SdkClientException"));
    CHECK(err.cause && !strstr(err.cause, "WRONG"));
    asl_err_clear(&err);
    clear_env();

    /* End to end: a Lambda call signed with container credentials. */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer CONTAINER-TOKEN", 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    setenv("AWS_ENDPOINT_URL_LAMBDA", url, 1);
    json_t *in = json_pack("{s:i}", "x", 1), *res = NULL;
    CHECK(asl_lambda_invoke_direct("arn:aws:lambda:us-east-1:123456789012:function:echo", in,
                                   &OPTS, &res, &err) == 0);
    CHECK(res && json_equal(res, in));
    json_decref(res);
    json_decref(in);
    asl_err_clear(&err);
    clear_env();
}

int main(void)
{
    if (!mkdtemp(dir) || asl_net_global_init() != 0) {
        printf("FAIL: setup\n");
        return 1;
    }
    int port = server_start("../servers/lambda_api.py", NULL);
    if (port <= 0) {
        printf("FAIL: lambda_api.py did not start\n");
        return 1;
    }
    test_env_and_files();
    test_endpoints();
    test_container(port);

    server_stop();
    unlink(path_in(".aws/credentials"));
    rmdir(path_in(".aws"));
    unlink(path_in("other-creds"));
    unlink(path_in("config"));
    unlink(path_in("token"));
    rmdir(dir);
    asl_net_global_cleanup();
    return failures ? 1 : 0;
}
