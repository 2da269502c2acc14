/*
 * auth.c - checking AWS Signature Version 4 on incoming requests, as AWS
 * does: the credential must name a known access key, the scope must be
 * <date>/<region>/states/aws4_request, X-Amz-Date within 15 minutes of the
 * server's clock, and the signature must match the one computed from the
 * canonical request with the key's secret.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *
 * Secrets never leave this file: errors name the access key id at most.
 */
#define _DEFAULT_SOURCE   /* timegm */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/text.h"
#include "serve_int.h"

struct asl_serve_key {
    char *id;
    char *secret;
};

struct asl_serve_creds {
    size_t n;
    struct asl_serve_key *keys;
};

void asl_serve_creds_free(struct asl_serve_creds *cr)
{
    if (!cr)
        return;
    for (size_t i = 0; i < cr->n; i++) {
        free(cr->keys[i].id);
        if (cr->keys[i].secret)
            OPENSSL_cleanse(cr->keys[i].secret, strlen(cr->keys[i].secret));
        free(cr->keys[i].secret);
    }
    free(cr->keys);
    free(cr);
}

size_t asl_serve_creds_count(const struct asl_serve_creds *cr)
{
    return cr ? cr->n : 0;
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

/* The file is an AWS shared-credentials file: [sections] each with
 * aws_access_key_id and aws_secret_access_key; every complete section is
 * one accepted key pair. */
struct asl_serve_creds *asl_serve_creds_load(const char *path, char *msg, size_t msgsize)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(msg, msgsize, "cannot read the credentials file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct asl_serve_creds *cr = calloc(1, sizeof *cr);
    char line[1024];
    char *id = NULL, *secret = NULL;
    int lineno = 0, bad = 0;
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        char *s = got ? trim(line) : NULL;
        if (!got || *s == '[') {
            if (id && secret) {
                struct asl_serve_key *k = realloc(cr->keys, (cr->n + 1) * sizeof *k);
                if (k) {
                    cr->keys = k;
                    cr->keys[cr->n].id = id;
                    cr->keys[cr->n].secret = secret;
                    cr->n++;
                    id = secret = NULL;
                }
            } else if (id || secret) {
                snprintf(msg, msgsize, "%s: a section before line %d has %s but not %s", path,
                         lineno + 1, id ? "aws_access_key_id" : "aws_secret_access_key",
                         id ? "aws_secret_access_key" : "aws_access_key_id");
                bad = 1;
            }
            free(id);
            if (secret)
                OPENSSL_cleanse(secret, strlen(secret));
            free(secret);
            id = secret = NULL;
            if (!got || bad)
                break;
            lineno++;
            continue;
        }
        lineno++;
        if (!*s || *s == '#' || *s == ';')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(msg, msgsize, "%s:%d: expected key = value", path, lineno);
            bad = 1;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (strcmp(key, "aws_access_key_id") == 0) {
            free(id);
            id = strdup(val);
        } else if (strcmp(key, "aws_secret_access_key") == 0) {
            free(secret);
            secret = strdup(val);
        }
        OPENSSL_cleanse(line, sizeof line);
    }
    OPENSSL_cleanse(line, sizeof line);
    free(id);
    free(secret);
    fclose(f);
    if (!bad && cr->n == 0) {
        snprintf(msg, msgsize, "%s holds no aws_access_key_id / aws_secret_access_key pair", path);
        bad = 1;
    }
    if (bad) {
        asl_serve_creds_free(cr);
        return NULL;
    }
    return cr;
}

/* ------------------------------------------------------------- hashing */

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    hex(md, 32, out);
}

static void hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int n = 0;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &n);
}

/* -------------------------------------------------------- the header */

static int auth_err(struct asl_serve_err *err, int http, const char *type, const char *msg)
{
    err->http = http;
    err->type = type;
    free(err->msg);
    err->msg = strdup(msg);
    return -1;
}

static const char *header(const struct asl_serve_sigreq *rq, const char *name)
{
    for (size_t i = 0; i < rq->nheaders; i++)
        if (strcasecmp(rq->hnames[i], name) == 0)
            return rq->hvalues[i];
    return NULL;
}

/* Copy the value of "Name=value" (up to ',' or end) from the
 * Authorization header into out. */
static int auth_param(const char *auth, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = auth; (p = strstr(p, name)) != NULL; p += nl) {
        if ((p == auth || p[-1] == ' ' || p[-1] == ',') && p[nl] == '=') {
            const char *v = p + nl + 1, *e = strchr(v, ',');
            size_t len = e ? (size_t)(e - v) : strlen(v);
            while (len && isspace((unsigned char)v[len - 1]))
                len--;
            if (len >= n)
                return -1;
            memcpy(out, v, len);
            out[len] = '\0';
            return 0;
        }
    }
    return -1;
}

/* X-Amz-Date "YYYYMMDDTHHMMSSZ" -> epoch seconds, or -1. */
static double amz_date(const char *s)
{
    struct tm tm = {0};
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm);
}

static void fmt_amz(double t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* A header value as SigV4 canonicalises it: trimmed, inner runs of spaces
 * collapsed to one. */
static void canon_value(const char *v, char *out, size_t n)
{
    size_t o = 0;
    while (*v == ' ' || *v == '\t')
        v++;
    int space = 0;
    for (; *v && o + 1 < n; v++) {
        if (*v == ' ' || *v == '\t') {
            space = 1;
            continue;
        }
        if (space && o + 2 < n)
            out[o++] = ' ';
        space = 0;
        out[o++] = *v;
    }
    out[o] = '\0';
}

int asl_serve_sigv4_verify(const struct asl_serve_creds *cr, const char *region,
                           const struct asl_serve_sigreq *rq, struct asl_serve_err *err)
{
    const char *auth = header(rq, "Authorization");
    if (!auth)
        return auth_err(err, 400, "MissingAuthenticationTokenException",
                        "Request is missing Authentication Token");
    static const char alg[] = "AWS4-HMAC-SHA256 ";
    char credential[512], signed_headers[1024], signature[128];
    if (strncmp(auth, alg, sizeof alg - 1) != 0 ||
        auth_param(auth, "Credential", credential, sizeof credential) != 0 ||
        auth_param(auth, "SignedHeaders", signed_headers, sizeof signed_headers) != 0 ||
        auth_param(auth, "Signature", signature, sizeof signature) != 0)
        return auth_err(err, 400, "IncompleteSignatureException",
                        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                        "parameters of the AWS4-HMAC-SHA256 algorithm");
    /* Credential=AKID/DATE/REGION/SERVICE/aws4_request */
    char *parts[5] = {0};
    int np = 0;
    char *save = NULL;
    for (char *t = strtok_r(credential, "/", &save); t && np < 5; t = strtok_r(NULL, "/", &save))
        parts[np++] = t;
    if (np != 5 || strtok_r(NULL, "/", &save))
        return auth_err(err, 400, "IncompleteSignatureException",
                        "Credential should have the form <access key>/<date>/<region>/states/aws4_request");
    const struct asl_serve_key *key = NULL;
    for (size_t i = 0; i < cr->n; i++)
        if (strcmp(cr->keys[i].id, parts[0]) == 0)
            key = &cr->keys[i];
    if (!key)
        return auth_err(err, 400, "UnrecognizedClientException",
                        "The security token included in the request is invalid.");
    if (header(rq, "X-Amz-Security-Token"))
        return auth_err(err, 400, "UnrecognizedClientException",
                        "The security token included in the request is invalid.");
    char msg[300];
    if (strcmp(parts[3], "states") != 0 || strcmp(parts[4], "aws4_request") != 0) {
        snprintf(msg, sizeof msg, "Credential should be scoped to correct service: 'states'.");
        return auth_err(err, 400, "InvalidSignatureException", msg);
    }
    if (strcmp(parts[2], region) != 0) {
        snprintf(msg, sizeof msg, "Credential should be scoped to a valid region, not '%.64s'. ", parts[2]);
        return auth_err(err, 400, "InvalidSignatureException", msg);
    }
    const char *date = header(rq, "X-Amz-Date");
    double t = amz_date(date);
    if (t < 0)
        return auth_err(err, 400, "IncompleteSignatureException",
                        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    if (strncmp(date, parts[1], 8) != 0 || strlen(parts[1]) != 8)
        return auth_err(err, 400, "InvalidSignatureException",
                        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.");
    char now_s[17], bound_s[17], date_s[17];
    fmt_amz(rq->now, now_s);
    fmt_amz(t, date_s);
    if (t < rq->now - 900) {
        fmt_amz(rq->now - 900, bound_s);
        snprintf(msg, sizeof msg, "Signature expired: %s is now earlier than %s (%s - 15 min.)", date_s,
                 bound_s, now_s);
        return auth_err(err, 400, "InvalidSignatureException", msg);
    }
    if (t > rq->now + 900) {
        fmt_amz(rq->now + 900, bound_s);
        snprintf(msg, sizeof msg, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
                 date_s, bound_s, now_s);
        return auth_err(err, 400, "InvalidSignatureException", msg);
    }

    /* The canonical request. */
    struct asl_buf cq = {0};
    asl_buf_adds(&cq, rq->method);
    asl_buf_adds(&cq, "\n");
    asl_buf_adds(&cq, rq->path);
    asl_buf_adds(&cq, "\n");
    asl_buf_adds(&cq, rq->query);
    asl_buf_adds(&cq, "\n");
    char sh[sizeof signed_headers];
    snprintf(sh, sizeof sh, "%s", signed_headers);
    int has_host = 0;
    save = NULL;
    for (char *h = strtok_r(sh, ";", &save); h; h = strtok_r(NULL, ";", &save)) {
        const char *v = header(rq, h);
        if (!v) {
            free(cq.p);
            return auth_err(err, 400, "InvalidSignatureException",
                            "The request signature we calculated does not match the signature you provided. "
                            "Check your AWS Secret Access Key and signing method. Consult the service "
                            "documentation for details.");
        }
        if (strcmp(h, "host") == 0)
            has_host = 1;
        char cv[4096];
        canon_value(v, cv, sizeof cv);
        asl_buf_adds(&cq, h);
        asl_buf_adds(&cq, ":");
        asl_buf_adds(&cq, cv);
        asl_buf_adds(&cq, "\n");
    }
    asl_buf_adds(&cq, "\n");
    asl_buf_adds(&cq, signed_headers);
    asl_buf_adds(&cq, "\n");
    char body_hash[65];
    sha256_hex(rq->body ? rq->body : "", rq->len, body_hash);
    asl_buf_adds(&cq, body_hash);
    if (cq.oom || !cq.p || !has_host) {
        free(cq.p);
        return auth_err(err, 400, "IncompleteSignatureException",
                        "The host header must be signed (SignedHeaders lacks 'host')");
    }
    char cq_hash[65];
    sha256_hex(cq.p, cq.len, cq_hash);
    free(cq.p);
    char sts[512];
    snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/%s\n%s", date, parts[1], parts[2],
             parts[3], parts[4], cq_hash);

    /* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
    size_t sl = strlen(key->secret);
    unsigned char *k0 = malloc(sl + 5);
    if (!k0)
        return auth_err(err, 500, "InternalFailure", "out of memory");
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, key->secret, sl);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(k0, sl + 4, parts[1], k1);
    OPENSSL_cleanse(k0, sl + 4);
    free(k0);
    hmac(k1, 32, parts[2], k2);
    hmac(k2, 32, parts[3], k3);
    hmac(k3, 32, parts[4], k4);
    hmac(k4, 32, sts, sig);
    char want[65];
    hex(sig, 32, want);
    OPENSSL_cleanse(k4, sizeof k4);
    if (strlen(signature) != 64 || CRYPTO_memcmp(want, signature, 64) != 0)
        return auth_err(err, 400, "InvalidSignatureException",
                        "The request signature we calculated does not match the signature you provided. "
                        "Check your AWS Secret Access Key and signing method. Consult the service "
                        "documentation for details.");
    return 0;
}
