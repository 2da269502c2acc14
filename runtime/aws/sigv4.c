/*
 * sigv4.c - AWS Signature Version 4, in aslc's own code on OpenSSL's
 * SHA-256 and HMAC.
 *
 * The signer is given exactly what will be sent: the method, the path as it
 * goes on the wire, the query pairs, every header the request will carry
 * that is to be signed, and the payload hash.  It builds the canonical
 * request from those, so SignedHeaders never names a header that is not
 * sent (the defect of the earlier libcurl-signed Lambda calls: `expect` was
 * signed, no Expect header went out) and the path is encoded once more for
 * every service but S3, as AWS canonicalises it.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * Tested against AWS's published SigV4 test-suite vectors
 * (tests/unit/test_sigv4.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "aws/aws.h"

static const char hexd[] = "0123456789abcdef";

void asl_sigv4_hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[p[i] >> 4];
        out[2 * i + 1] = hexd[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void asl_sigv4_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, n, md);
    asl_sigv4_hex(md, sizeof md, out);
}

static void hmac(const unsigned char *key, size_t klen, const char *msg, size_t mlen,
                 unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &len);
}

int asl_sigv4_encode(struct asl_buf *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            if (asl_net_buf_add(b, (const char *)&c, 1))
                return -1;
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            if (asl_net_buf_add(b, e, 3))
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ headers */

int asl_aws_hdrs_add(struct asl_aws_hdrs *h, const char *name, const char *value)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        struct asl_aws_hdr *p = realloc(h->v, cap * sizeof *p);
        if (!p)
            return -1;
        h->v = p;
        h->cap = cap;
    }
    h->v[h->n].name = strdup(name);
    h->v[h->n].value = strdup(value);
    if (!h->v[h->n].name || !h->v[h->n].value)
        return -1;
    h->n++;
    return 0;
}

const char *asl_aws_hdrs_get(const struct asl_aws_hdrs *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->v[i].name, name) == 0)
            return h->v[i].value;
    return NULL;
}

void asl_aws_hdrs_clear(struct asl_aws_hdrs *h)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i].value)
            memset(h->v[i].value, 0, strlen(h->v[i].value));
        free(h->v[i].name);
        free(h->v[i].value);
    }
    free(h->v);
    memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------ query */

int asl_aws_query_add(struct asl_aws_query *q, const char *key, const char *value)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        struct asl_aws_hdr *p = realloc(q->v, cap * sizeof *p);
        if (!p)
            return -1;
        q->v = p;
        q->cap = cap;
    }
    q->v[q->n].name = strdup(key);
    q->v[q->n].value = strdup(value ? value : "");
    if (!q->v[q->n].name || !q->v[q->n].value)
        return -1;
    q->n++;
    return 0;
}

void asl_aws_query_clear(struct asl_aws_query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->v[i].name);
        free(q->v[i].value);
    }
    free(q->v);
    memset(q, 0, sizeof *q);
}

struct enc_pair {
    char *k, *v;
};

static int pair_cmp(const void *a, const void *b)
{
    const struct enc_pair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static char *enc_dup(const char *s)
{
    struct asl_buf b = {0};
    if (asl_sigv4_encode(&b, s, strlen(s), 0) || (!b.p && asl_net_buf_add(&b, "", 0))) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *asl_aws_query_string(const struct asl_aws_query *q)
{
    struct enc_pair *p = calloc(q->n ? q->n : 1, sizeof *p);
    struct asl_buf b = {0};
    int bad = !p || asl_net_buf_add(&b, "", 0);
    for (size_t i = 0; !bad && i < q->n; i++) {
        p[i].k = enc_dup(q->v[i].name);
        p[i].v = enc_dup(q->v[i].value);
        bad = !p[i].k || !p[i].v;
    }
    if (!bad)
        qsort(p, q->n, sizeof *p, pair_cmp);
    for (size_t i = 0; !bad && i < q->n; i++) {
        bad = (i && asl_net_buf_add(&b, "&", 1)) || asl_net_buf_addstr(&b, p[i].k) ||
              asl_net_buf_add(&b, "=", 1) || asl_net_buf_addstr(&b, p[i].v);
    }
    for (size_t i = 0; p && i < q->n; i++) {
        free(p[i].k);
        free(p[i].v);
    }
    free(p);
    if (bad) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ------------------------------------------------------------ signing */

static int hdr_cmp(const void *a, const void *b)
{
    const struct asl_aws_hdr *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* A header value as SigV4 canonicalises it: trimmed, inner runs of
 * spaces collapsed to one. */
static int add_trimmed(struct asl_buf *b, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < n; i++) {
        if ((v[i] == ' ' || v[i] == '\t') && i && (v[i - 1] == ' ' || v[i - 1] == '\t'))
            continue;
        if (asl_net_buf_add(b, v[i] == '\t' ? " " : &v[i], 1))
            return -1;
    }
    return 0;
}

char *asl_sigv4_canonical(const struct asl_sigv4 *s, char **signed_headers)
{
    struct asl_buf b = {0}, sh = {0};
    struct asl_aws_hdr *h = calloc(s->headers->n ? s->headers->n : 1, sizeof *h);
    char *query = s->query ? asl_aws_query_string(s->query) : strdup("");
    int bad = !h || !query;
    for (size_t i = 0; !bad && i < s->headers->n; i++) {
        h[i].name = strdup(s->headers->v[i].name);
        h[i].value = s->headers->v[i].value;
        bad = !h[i].name;
        for (char *c = h[i].name; !bad && *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    if (!bad)
        qsort(h, s->headers->n, sizeof *h, hdr_cmp);
    bad = bad || asl_net_buf_addstr(&b, s->method) || asl_net_buf_add(&b, "\n", 1);
    /* The canonical URI: S3 signs the wire path as it is; every other
     * service signs it URI-encoded once more ('%' -> "%25"). */
    const char *path = s->path && *s->path ? s->path : "/";
    if (!bad)
        bad = s->s3 ? asl_net_buf_addstr(&b, path) : asl_sigv4_encode(&b, path, strlen(path), 1);
    bad = bad || asl_net_buf_add(&b, "\n", 1) || asl_net_buf_addstr(&b, query) ||
          asl_net_buf_add(&b, "\n", 1);
    for (size_t i = 0; !bad && i < s->headers->n; i++) {
        /* Headers of one name are joined with commas, in the order sent. */
        if (i && strcmp(h[i].name, h[i - 1].name) == 0) {
            b.len--; /* the previous newline */
            bad = asl_net_buf_add(&b, ",", 1) || add_trimmed(&b, h[i].value) ||
                  asl_net_buf_add(&b, "\n", 1);
            continue;
        }
        bad = asl_net_buf_addstr(&b, h[i].name) || asl_net_buf_add(&b, ":", 1) ||
              add_trimmed(&b, h[i].value) || asl_net_buf_add(&b, "\n", 1) ||
              (sh.len && asl_net_buf_add(&sh, ";", 1)) || asl_net_buf_addstr(&sh, h[i].name);
    }
    bad = bad || asl_net_buf_add(&b, "\n", 1) || asl_net_buf_addstr(&b, sh.p ? sh.p : "") ||
          asl_net_buf_add(&b, "\n", 1) || asl_net_buf_addstr(&b, s->payload_hash);
    for (size_t i = 0; h && i < s->headers->n; i++)
        free(h[i].name);
    free(h);
    free(query);
    if (bad || !sh.p) {
        free(b.p);
        free(sh.p);
        return NULL;
    }
    *signed_headers = sh.p;
    return b.p;
}

char *asl_sigv4_authorization(const struct asl_sigv4 *s)
{
    char *signed_headers = NULL;
    char *canon = asl_sigv4_canonical(s, &signed_headers);
    if (!canon)
        return NULL;
    char chash[65];
    asl_sigv4_sha256_hex(canon, strlen(canon), chash);
    free(canon);
    char date[9];
    snprintf(date, sizeof date, "%.8s", s->amz_date);
    char scope[256];
    snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", date, s->region, s->service);
    size_t sl = strlen(scope) + strlen(s->amz_date) + 100;
    char *sts = malloc(sl);
    size_t kl = strlen(s->secret) + 5;
    char *k0 = malloc(kl);
    char *out = NULL;
    if (sts && k0) {
        snprintf(sts, sl, "AWS4-HMAC-SHA256\n%s\n%s\n%s", s->amz_date, scope, chash);
        snprintf(k0, kl, "AWS4%s", s->secret);
        unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
        hmac((unsigned char *)k0, strlen(k0), date, strlen(date), k1);
        hmac(k1, 32, s->region, strlen(s->region), k2);
        hmac(k2, 32, s->service, strlen(s->service), k3);
        hmac(k3, 32, "aws4_request", 12, k4);
        hmac(k4, 32, sts, strlen(sts), sig);
        char sighex[65];
        asl_sigv4_hex(sig, 32, sighex);
        size_t ol = strlen(s->key_id) + strlen(scope) + strlen(signed_headers) + 160;
        out = malloc(ol);
        if (out)
            snprintf(out, ol, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                     s->key_id, scope, signed_headers, sighex);
        memset(k1, 0, 32);
        memset(k2, 0, 32);
        memset(k3, 0, 32);
        memset(k4, 0, 32);
        memset(k0, 0, strlen(k0));
    }
    free(k0);
    free(sts);
    free(signed_headers);
    return out;
}
