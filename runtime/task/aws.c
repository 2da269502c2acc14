/*
 * aws.c - where AWS credentials, the region and service endpoints come
 * from, in the order the AWS CLI and SDKs look:
 *
 *   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]
 *                -> web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN,
 *                STS AssumeRoleWithWebIdentity, runtime/aws/sts.c)
 *                -> the profile's role_arn + source_profile (STS AssumeRole
 *                with the source profile's keys) -> profile in the shared
 *                credentials file -> profile in the config file -> the
 *                container credentials endpoint
 *   region       AWS_REGION -> AWS_DEFAULT_REGION -> profile's region
 *   endpoint     AWS_ENDPOINT_URL_<SERVICE> -> AWS_ENDPOINT_URL -> the public one
 *
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 * Nothing here logs a key, a secret or a token.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "aws/aws.h"
#include "task/net.h"
#include "task/aws.h"

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* The value of key in [section] of an INI file, malloc'd, or NULL. */
static char *ini_get(const char *path, const char *section, const char *key)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return NULL;
    char *line = NULL, *found = NULL;
    size_t cap = 0;
    int in = 0;
    while (!found && getline(&line, &cap, f) >= 0) {
        char *s = trim(line);
        if (*s == '#' || *s == ';' || !*s)
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (e) {
                *e = '\0';
                in = strcmp(trim(s + 1), section) == 0;
            }
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in || !eq)
            continue;
        *eq = '\0';
        if (strcmp(trim(s), key) == 0)
            found = strdup(trim(eq + 1));
    }
    if (line)
        memset(line, 0, cap);
    free(line);
    fclose(f);
    return found;
}

static char *home_path(const char *env_name, const char *rel)
{
    const char *p = env(env_name);
    if (p)
        return strdup(p);
    const char *home = env("HOME");
    if (!home)
        return NULL;
    size_t n = strlen(home) + strlen(rel) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", home, rel);
    return out;
}

static const char *profile_name(void)
{
    const char *p = env("AWS_PROFILE");
    return p ? p : "default";
}

/* The profile's section name in the config file: "default" or "profile x". */
static char *config_section(void)
{
    const char *p = profile_name();
    if (strcmp(p, "default") == 0)
        return strdup(p);
    size_t n = strlen(p) + 9;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "profile %s", p);
    return s;
}

void asl_aws_creds_clear(struct asl_aws_creds *c)
{
    if (c->secret)
        memset(c->secret, 0, strlen(c->secret));
    if (c->token)
        memset(c->token, 0, strlen(c->token));
    free(c->key_id);
    free(c->secret);
    free(c->token);
    c->key_id = c->secret = c->token = NULL;
}

static int creds_from_ini(struct asl_aws_creds *c, const char *path, const char *section)
{
    c->key_id = ini_get(path, section, "aws_access_key_id");
    c->secret = ini_get(path, section, "aws_secret_access_key");
    if (c->key_id && c->secret && *c->key_id && *c->secret) {
        c->token = ini_get(path, section, "aws_session_token");
        return 0;
    }
    asl_aws_creds_clear(c);
    return -1;
}

static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *out = strdup(trim(buf));
    memset(buf, 0, sizeof buf);
    return out;
}

/* GET the container credentials endpoint: {AccessKeyId, SecretAccessKey,
 * Token, Expiration}.  0 found, 1 not configured, -1 failed (err set). */
static int creds_from_container(struct asl_aws_creds *c, const struct asl_net_opts *o,
                                const char *ename, struct asl_err *err)
{
    const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (!full && !rel)
        return 1;
    struct asl_buf url = {0};
    if (full)
        asl_net_buf_addstr(&url, full);
    else {
        asl_net_buf_addstr(&url, "http://169.254.170.2");
        asl_net_buf_addstr(&url, rel);
    }
    char *tok = NULL;
    const char *tf = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (tf)
        tok = read_small_file(tf);
    else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
        tok = strdup(env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    struct curl_slist *hd = NULL;
    int rc = -1;
    if (tok && !strpbrk(tok, "\r\n"))
        hd = asl_aws_header_line(hd, "Authorization", tok);
    hd = curl_slist_append(hd, "Accept: application/json");
    struct asl_net_opts co = *o;
    if (co.timeout_s <= 0 || co.timeout_s > 5)
        co.timeout_s = 5;
    struct asl_net_req rq = {.method = "GET", .url = url.p, .headers = hd, .max_body = 65536};
    struct asl_net_resp rs = {0};
    enum asl_net_status st = url.p ? asl_net_perform(&rq, &co, &rs) : ASL_NET_FAILED;
    json_t *j = NULL;
    if (st == ASL_NET_CANCELLED || st == ASL_NET_DEADLINE) {
        asl_cancel_err(o->cancel, err);
        goto done;
    }
    if (st != ASL_NET_OK || rs.status != 200) {
        asl_err_set(err, ename, "Unable to load AWS credentials from the container credentials "
                    "endpoint (%s)", st == ASL_NET_OK ? "HTTP error" : "no answer");
        goto done;
    }
    j = json_loadb(rs.body, rs.body_len, 0, NULL);
    const char *ak = json_string_value(json_object_get(j, "AccessKeyId"));
    const char *sk = json_string_value(json_object_get(j, "SecretAccessKey"));
    const char *st_ = json_string_value(json_object_get(j, "Token"));
    if (!ak || !sk) {
        asl_err_set(err, ename, "Unable to load AWS credentials: the container credentials "
                    "endpoint answered without AccessKeyId/SecretAccessKey");
        goto done;
    }
    c->key_id = strdup(ak);
    c->secret = strdup(sk);
    c->token = st_ ? strdup(st_) : NULL;
    rc = 0;
done:
    if (rs.body)
        memset(rs.body, 0, rs.body_len);
    asl_net_resp_clear(&rs);
    for (struct curl_slist *l = hd; l; l = l->next)
        memset(l->data, 0, strlen(l->data));
    curl_slist_free_all(hd);
    if (tok)
        memset(tok, 0, strlen(tok));
    free(tok);
    free(url.p);
    json_decref(j);
    return rc;
}

/* The static keys of a profile: the credentials file's [NAME], else the
 * config file's [profile NAME] ([default] for default). */
static int profile_keys(struct asl_aws_creds *c, const char *name)
{
    char *path = home_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    int found = creds_from_ini(c, path, name) == 0;
    free(path);
    if (found)
        return 0;
    size_t n = strlen(name) + 9;
    char *sec = malloc(n);
    if (!sec)
        return -1;
    snprintf(sec, n, strcmp(name, "default") ? "profile %s" : "%s", name);
    path = home_path("AWS_CONFIG_FILE", ".aws/config");
    found = creds_from_ini(c, path, sec) == 0;
    free(path);
    free(sec);
    return found ? 0 : -1;
}

/* The profile's role_arn with source_profile (in the config file, or the
 * credentials file): AssumeRole with the source profile's keys.  1 when
 * the profile names no role. */
static int creds_from_profile_role(const struct asl_sts_where *w, struct asl_aws_creds *c, struct asl_err *err)
{
    char *cpath = home_path("AWS_CONFIG_FILE", ".aws/config");
    char *kpath = home_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    char *sec = config_section();
    char *role = sec ? ini_get(cpath, sec, "role_arn") : NULL;
    char *src = role ? ini_get(cpath, sec, "source_profile") : NULL;
    if (!role) {
        role = ini_get(kpath, profile_name(), "role_arn");
        src = role ? ini_get(kpath, profile_name(), "source_profile") : NULL;
    }
    char *sess = role && sec ? ini_get(cpath, sec, "role_session_name") : NULL;
    int rc = 1;
    if (role && *role) {
        struct asl_aws_creds base = {0};
        if (!src || !*src || profile_keys(&base, src) != 0) {
            rc = asl_err_set(err, w->ename, "Unable to load AWS credentials: profile '%s' has role_arn but its "
                             "source_profile '%s' has no aws_access_key_id/aws_secret_access_key",
                             profile_name(), src ? src : "");
        } else {
            char dflt[40];
            snprintf(dflt, sizeof dflt, "aslc-%s", profile_name());
            rc = asl_aws_assume_role(w, role, sess && *sess ? sess : dflt, &base, c, err);
        }
        asl_aws_creds_clear(&base);
    }
    free(cpath);
    free(kpath);
    free(sec);
    free(role);
    free(src);
    free(sess);
    return rc;
}

static int chain_load(struct asl_aws_creds *c, const struct asl_net_opts *o, const char *ename,
                      struct asl_err *err)
{
    memset(c, 0, sizeof *c);
    const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");
    if (ak && sk) {
        c->key_id = strdup(ak);
        c->secret = strdup(sk);
        const char *t = env("AWS_SESSION_TOKEN");
        c->token = t ? strdup(t) : NULL;
        return 0;
    }
    char *region = asl_aws_region();
    char *sts = asl_aws_endpoint("sts", region ? region : "us-east-1");
    struct asl_sts_where w = {region ? region : "us-east-1", sts, o, ename};
    int wrc = sts ? asl_aws_web_identity(&w, c, err) : asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
    if (wrc > 0)
        wrc = creds_from_profile_role(&w, c, err);
    free(sts);
    free(region);
    if (wrc <= 0)
        return wrc;
    char *path = home_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    int found = creds_from_ini(c, path, profile_name()) == 0;
    free(path);
    if (found)
        return 0;
    path = home_path("AWS_CONFIG_FILE", ".aws/config");
    char *sec = config_section();
    found = sec && creds_from_ini(c, path, sec) == 0;
    free(path);
    free(sec);
    if (found)
        return 0;
    int rc = creds_from_container(c, o, ename, err);
    if (rc <= 0)
        return rc;
    return asl_err_set(err, ename, "Unable to load AWS credentials from any provider in the "
                       "chain: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                       "AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN, a profile (AWS_PROFILE '%s'), "
                       "or the container credentials endpoint",
                       profile_name());
}

int asl_aws_creds_load(struct asl_aws_creds *c, const struct asl_net_opts *o,
                       const char *err_prefix, struct asl_err *err)
{
    char ename[96];
    snprintf(ename, sizeof ename, "%s.SdkClientException", err_prefix ? err_prefix : "States");
    if (chain_load(c, o, ename, err) != 0)
        return -1;
    if (!o || !o->role_arn)
        return 0;
    /* A Task's Credentials field: its role, assumed with what the chain gave. */
    struct asl_aws_creds base = *c;
    memset(c, 0, sizeof *c);
    char *region = asl_aws_region();
    char *sts = asl_aws_endpoint("sts", region ? region : "us-east-1");
    struct asl_sts_where w = {region ? region : "us-east-1", sts, o, ename};
    int rc = sts ? asl_aws_assume_role(&w, o->role_arn, o->role_session, &base, c, err)
                 : asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
    asl_aws_creds_clear(&base);
    free(sts);
    free(region);
    return rc;
}

char *asl_aws_region(void)
{
    const char *r = env("AWS_REGION");
    if (!r)
        r = env("AWS_DEFAULT_REGION");
    if (r)
        return strdup(r);
    char *path = home_path("AWS_CONFIG_FILE", ".aws/config");
    char *sec = config_section();
    char *v = sec ? ini_get(path, sec, "region") : NULL;
    free(path);
    free(sec);
    if (v && !*v) {
        free(v);
        v = NULL;
    }
    return v;
}

char *asl_aws_endpoint(const char *service, const char *region)
{
    char name[96] = "AWS_ENDPOINT_URL_";
    size_t n = strlen(name);
    for (const char *p = service; *p && n + 1 < sizeof name; p++)
        name[n++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    name[n] = '\0';
    const char *u = env(name);
    if (!u)
        u = env("AWS_ENDPOINT_URL");
    char *out;
    if (u) {
        out = strdup(u);
        if (out) {
            size_t l = strlen(out);
            while (l > 0 && out[l - 1] == '/')
                out[--l] = '\0';
        }
        return out;
    }
    const char *r = region ? region : "us-east-1";
    const char *suffix = strncmp(r, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    size_t len = strlen(service) + strlen(r) + strlen(suffix) + 16;
    out = malloc(len);
    if (out)
        snprintf(out, len, "https://%s.%s.%s", service, r, suffix);
    return out;
}
