/*
 * sts.c - temporary credentials from AWS STS (query protocol, 2011-06-15):
 *
 *   AssumeRole                   a Task's Credentials field (RoleArn), signed
 *                                with the credentials the chain gives
 *   AssumeRoleWithWebIdentity    AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *                                [+ AWS_ROLE_SESSION_NAME], unsigned: what
 *                                EKS (IRSA) and GitHub Actions provide
 *
 * Both are cached per (source key, role, session name) until five minutes
 * before their Expiration, under a mutex, so Map iterations and Parallel
 * branches share one call.  The caller names the region and the endpoint
 * (task/aws.c's asl_aws_endpoint("sts", region): AWS_ENDPOINT_URL_STS,
 * AWS_ENDPOINT_URL, else https://sts.REGION.amazonaws.com, the SDKs'
 * regional default); this file calls only send.c, xml.c and sigv4.c, so the
 * credential chain (task/aws.c) can use it.  Nothing here logs a key, a
 * secret, a session token or a web identity token; what is freed is wiped
 * first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"

#define STS_REFRESH_MARGIN 300 /* seconds before Expiration a cached entry is renewed */

struct cached {
    char *key;
    struct asl_aws_creds creds;
    long long expires;          /* epoch seconds */
    struct cached *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
/* Held across a fetch, so threads wanting the same credentials at once
 * (Map iterations) make one STS call: the others find it cached. */
static pthread_mutex_t fetch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached *cache;

static void wipe_free(char *s)
{
    if (s)
        memset(s, 0, strlen(s));
    free(s);
}

static void creds_wipe(struct asl_aws_creds *c)
{
    wipe_free(c->key_id);
    wipe_free(c->secret);
    wipe_free(c->token);
    c->key_id = c->secret = c->token = NULL;
}

static int creds_copy(struct asl_aws_creds *dst, const struct asl_aws_creds *src)
{
    dst->key_id = strdup(src->key_id);
    dst->secret = strdup(src->secret);
    dst->token = src->token ? strdup(src->token) : NULL;
    if (!dst->key_id || !dst->secret || (src->token && !dst->token)) {
        creds_wipe(dst);
        return -1;
    }
    return 0;
}

/* A cached entry still good for STS_REFRESH_MARGIN seconds, copied to out. */
static int cache_get(const char *key, struct asl_aws_creds *out)
{
    int found = 0;
    long long now = (long long)time(NULL);
    pthread_mutex_lock(&cache_lock);
    for (struct cached *c = cache; c; c = c->next)
        if (!strcmp(c->key, key) && c->expires - STS_REFRESH_MARGIN > now) {
            found = creds_copy(out, &c->creds) == 0;
            break;
        }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

static void cache_put(const char *key, const struct asl_aws_creds *cr, long long expires)
{
    struct cached *n = calloc(1, sizeof *n);
    if (!n || !(n->key = strdup(key)) || creds_copy(&n->creds, cr) != 0) {
        if (n)
            free(n->key);
        free(n);
        return;
    }
    n->expires = expires;
    pthread_mutex_lock(&cache_lock);
    for (struct cached **p = &cache; *p; p = &(*p)->next)
        if (!strcmp((*p)->key, key)) {
            struct cached *old = *p;
            *p = old->next;
            creds_wipe(&old->creds);
            wipe_free(old->key);
            free(old);
            break;
        }
    n->next = cache;
    cache = n;
    pthread_mutex_unlock(&cache_lock);
}

void asl_aws_sts_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    while (cache) {
        struct cached *c = cache;
        cache = c->next;
        creds_wipe(&c->creds);
        wipe_free(c->key);
        free(c);
    }
    pthread_mutex_unlock(&cache_lock);
}

static const char *xml_text(const struct asl_xml *x, const char *name)
{
    const struct asl_xml *k = x ? asl_xml_child(x, name) : NULL;
    return k && k->text ? k->text : NULL;
}

/* Sends one STS action (its parameters in q) and reads the Credentials of
 * the answer.  cr NULL: unsigned.  0, or -1 with err (ename; cause names
 * the role and STS's own message). */
static int sts_call(const struct asl_sts_where *w, struct asl_aws_query *q, const char *role_arn,
                    const struct asl_aws_creds *cr, struct asl_aws_creds *out, long long *expires,
                    struct asl_err *err)
{
    const struct asl_net_opts *o = w->net;
    const char *ename = w->ename, *region = w->region, *endpoint = w->endpoint;
    struct asl_aws_request rq = {.method = "POST"};
    char *body = asl_aws_query_string(q);
    struct asl_buf url = {0};
    struct asl_net_resp rs = {0};
    struct asl_xml *x = NULL;
    int rc = -1;
    if (!region || !endpoint || !body) {
        asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
        goto done;
    }
    asl_net_buf_addstr(&url, endpoint);
    asl_net_buf_addstr(&url, "/");
    asl_net_buf_addstr(&rq.body, body);
    asl_aws_hdrs_add(&rq.headers, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    enum asl_net_status st = asl_aws_send(&rq, url.p, region, "sts", 0, cr, o, 65536, &rs);
    if (st == ASL_NET_CANCELLED || st == ASL_NET_DEADLINE) {
        asl_cancel_err(o->cancel, err);
        goto done;
    }
    if (st != ASL_NET_OK) {
        asl_err_set(err, ename, "Unable to assume the role '%s': Unable to execute HTTP request: %s", role_arn,
                    st == ASL_NET_FAILED ? rs.msg : "no answer in time");
        goto done;
    }
    x = asl_xml_parse(rs.body ? rs.body : "", rs.body_len);
    if (rs.status < 200 || rs.status > 299) {
        const struct asl_xml *e = x ? asl_xml_child(x, "Error") : NULL;
        const char *rid = xml_text(x, "RequestId");
        if (!rid)
            rid = asl_net_resp_header(&rs, "x-amzn-RequestId");
        asl_err_set(err, ename, "Unable to assume the role '%s': %s (Service: Sts, Status Code: %ld, Error Code: %s, "
                    "Request ID: %s)", role_arn, xml_text(e, "Message") ? xml_text(e, "Message") : "null",
                    rs.status, xml_text(e, "Code") ? xml_text(e, "Code") : "null", rid ? rid : "null");
        goto done;
    }
    const struct asl_xml *res = x && x->nkids ? x->kids[0] : NULL; /* <AssumeRole...Result> */
    const struct asl_xml *c = res ? asl_xml_child(res, "Credentials") : NULL;
    const char *ak = xml_text(c, "AccessKeyId"), *sk = xml_text(c, "SecretAccessKey");
    const char *tok = xml_text(c, "SessionToken"), *exp = xml_text(c, "Expiration");
    long long sec;
    long ns;
    if (!ak || !sk || !tok || !exp || asl_ts_parse(exp, &sec, &ns) != 0) {
        asl_err_set(err, ename, "Unable to assume the role '%s': STS answered without Credentials "
                    "(AccessKeyId, SecretAccessKey, SessionToken, Expiration)", role_arn);
        goto done;
    }
    out->key_id = strdup(ak);
    out->secret = strdup(sk);
    out->token = strdup(tok);
    if (!out->key_id || !out->secret || !out->token) {
        creds_wipe(out);
        asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
        goto done;
    }
    *expires = sec;
    rc = 0;
done:
    if (x) {
        /* the answer's copy of the secret and token */
        const struct asl_xml *r = x->nkids ? x->kids[0] : NULL;
        struct asl_xml *c2 = r ? asl_xml_child(r, "Credentials") : NULL;
        for (size_t i = 0; c2 && i < c2->nkids; i++)
            if (c2->kids[i]->text)
                memset(c2->kids[i]->text, 0, c2->kids[i]->text_len);
    }
    asl_xml_free(x);
    if (rs.body)
        memset(rs.body, 0, rs.body_len);
    asl_net_resp_clear(&rs);
    if (rq.body.p)
        memset(rq.body.p, 0, rq.body.len);
    wipe_free(body);
    asl_aws_request_clear(&rq);
    free(url.p);
    return rc;
}

/* RoleSessionName allows [\w+=,.@-], 2 to 64 characters. */
static void session_name(const char *want, char out[65])
{
    size_t n = 0;
    for (const char *p = want ? want : ""; *p && n < 64; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 strchr("_+=,.@-", ch);
        out[n++] = ok ? ch : '-';
    }
    while (n < 2)
        out[n++] = '-';
    out[n] = '\0';
}

int asl_aws_assume_role(const struct asl_sts_where *w, const char *role_arn, const char *session,
                        const struct asl_aws_creds *source, struct asl_aws_creds *out, struct asl_err *err)
{
    memset(out, 0, sizeof *out);
    char sess[65];
    session_name(session, sess);
    size_t kl = strlen(source->key_id) + strlen(role_arn) + strlen(sess) + 8;
    char *key = malloc(kl);
    if (!key)
        return asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
    snprintf(key, kl, "role\n%s\n%s\n%s", source->key_id, role_arn, sess);
    int rc = 0;
    if (!cache_get(key, out)) {
        pthread_mutex_lock(&fetch_lock);
        if (cache_get(key, out)) {
            pthread_mutex_unlock(&fetch_lock);
            free(key);
            return 0;
        }
        struct asl_aws_query q = {0};
        asl_aws_query_add(&q, "Action", "AssumeRole");
        asl_aws_query_add(&q, "Version", "2011-06-15");
        asl_aws_query_add(&q, "RoleArn", role_arn);
        asl_aws_query_add(&q, "RoleSessionName", sess);
        long long expires = 0;
        rc = sts_call(w, &q, role_arn, source, out, &expires, err);
        asl_aws_query_clear(&q);
        if (rc == 0)
            cache_put(key, out, expires);
        pthread_mutex_unlock(&fetch_lock);
    }
    free(key);
    return rc;
}

int asl_aws_web_identity(const struct asl_sts_where *w, struct asl_aws_creds *out, struct asl_err *err)
{
    memset(out, 0, sizeof *out);
    const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = getenv("AWS_ROLE_ARN");
    if (!file || !*file || !role || !*role)
        return 1;
    const char *sn = getenv("AWS_ROLE_SESSION_NAME");
    char sess[65], dflt[40];
    snprintf(dflt, sizeof dflt, "aslc-%lld", (long long)time(NULL));
    session_name(sn && *sn ? sn : dflt, sess);
    size_t kl = strlen(file) + strlen(role) + 8;
    char *key = malloc(kl);
    if (!key)
        return asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
    /* the session name is not part of the key: a default one changes every
     * second, and the role and token file say who is asking */
    snprintf(key, kl, "web\n%s\n%s", role, file);
    if (cache_get(key, out)) {
        free(key);
        return 0;
    }
    pthread_mutex_lock(&fetch_lock);
    if (cache_get(key, out)) {
        pthread_mutex_unlock(&fetch_lock);
        free(key);
        return 0;
    }
    /* Read the token each time it is used: the platform rotates the file. */
    FILE *f = fopen(file, "r");
    char *tok = NULL;
    size_t cap = 0, n = 0;
    if (f) {
        char buf[4096];
        size_t r;
        while ((r = fread(buf, 1, sizeof buf, f)) > 0 && n + r <= 65536) {
            char *t = realloc(tok, n + r + 1);
            if (!t)
                break;
            tok = t;
            memcpy(tok + n, buf, r);
            n += r;
            cap = n + 1;
        }
        memset(buf, 0, sizeof buf);
        fclose(f);
    }
    while (tok && n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
        n--;
    if (tok)
        tok[n] = '\0';
    int rc;
    if (!tok || !n) {
        rc = asl_err_set(err, w->ename, "Unable to load AWS credentials: the web identity token file %s "
                         "(AWS_WEB_IDENTITY_TOKEN_FILE) cannot be read or is empty", file);
    } else {
        struct asl_aws_query q = {0};
        asl_aws_query_add(&q, "Action", "AssumeRoleWithWebIdentity");
        asl_aws_query_add(&q, "Version", "2011-06-15");
        asl_aws_query_add(&q, "RoleArn", role);
        asl_aws_query_add(&q, "RoleSessionName", sess);
        asl_aws_query_add(&q, "WebIdentityToken", tok);
        long long expires = 0;
        rc = sts_call(w, &q, role, NULL, out, &expires, err);
        for (size_t i = 0; i < q.n; i++)
            if (!strcmp(q.v[i].name, "WebIdentityToken"))
                memset(q.v[i].value, 0, strlen(q.v[i].value));
        asl_aws_query_clear(&q);
        if (rc == 0)
            cache_put(key, out, expires);
    }
    pthread_mutex_unlock(&fetch_lock);
    if (tok)
        memset(tok, 0, cap);
    free(tok);
    free(key);
    return rc;
}
