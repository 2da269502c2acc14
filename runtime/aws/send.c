/*
 * send.c - one signed AWS request on the wire: SigV4 over exactly the
 * headers sent (aslc's own signer, sigv4.c), then libcurl (task/net.c).
 * Used by the API calls (call.c) and by STS (sts.c); it knows nothing of
 * service models or credential chains, so the credential chain can use it
 * without pulling in the rest of the AWS room.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "aws/aws.h"

char *asl_aws_url_host(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    char *h = strndup(p, n);
    /* default ports are not part of the Host header */
    size_t hl = h ? strlen(h) : 0;
    if (h && !strncmp(url, "https://", 8) && hl > 4 && !strcmp(h + hl - 4, ":443"))
        h[hl - 4] = '\0';
    if (h && !strncmp(url, "http://", 7) && hl > 3 && !strcmp(h + hl - 3, ":80"))
        h[hl - 3] = '\0';
    return h;
}

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static int net_ok;

static void net_init(void)
{
    net_ok = asl_net_global_init() == 0;
}

int asl_aws_net_ready(void)
{
    pthread_once(&net_once, net_init);
    return net_ok;
}

struct curl_slist *asl_aws_header_line(struct curl_slist *hd, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *line = malloc(n);
    if (!line)
        return hd;
    snprintf(line, n, "%s: %s", name, value);
    struct curl_slist *out = curl_slist_append(hd, line);
    memset(line, 0, n);
    free(line);
    return out ? out : hd;
}

enum asl_net_status asl_aws_send(struct asl_aws_request *rq, const char *url, const char *region,
                                 const char *service, int s3, const struct asl_aws_creds *cr,
                                 const struct asl_net_opts *o, size_t max_body, struct asl_net_resp *rs)
{
    char *host = asl_aws_url_host(url);
    /* The signed path is what goes on the wire after the host. */
    const char *wire_path = strstr(url, "://");
    wire_path = wire_path ? strchr(wire_path + 3, '/') : NULL;
    char *signed_path = wire_path ? strndup(wire_path, strcspn(wire_path, "?")) : strdup("/");
    char *auth = NULL;
    struct curl_slist *hd = NULL;
    enum asl_net_status st = ASL_NET_FAILED;
    if (!host || !signed_path) {
        snprintf(rs->msg, sizeof rs->msg, "out of memory");
        goto done;
    }
    char amz_date[20];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    char phash[65];
    asl_sigv4_sha256_hex(rq->body.p ? rq->body.p : "", rq->body.len, phash);
    asl_aws_hdrs_add(&rq->headers, "Host", host);
    if (cr) {
        asl_aws_hdrs_add(&rq->headers, "X-Amz-Date", amz_date);
        if (s3)
            asl_aws_hdrs_add(&rq->headers, "X-Amz-Content-Sha256", phash);
        if (cr->token)
            asl_aws_hdrs_add(&rq->headers, "X-Amz-Security-Token", cr->token);
        struct asl_sigv4 sv = {
            .method = rq->method, .path = signed_path, .query = &rq->query, .headers = &rq->headers,
            .payload_hash = phash, .region = region, .service = service,
            .amz_date = amz_date, .key_id = cr->key_id, .secret = cr->secret, .s3 = s3,
        };
        auth = asl_sigv4_authorization(&sv);
        if (!auth) {
            snprintf(rs->msg, sizeof rs->msg, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < rq->headers.n; i++)
        hd = asl_aws_header_line(hd, rq->headers.v[i].name, rq->headers.v[i].value);
    if (auth)
        hd = asl_aws_header_line(hd, "Authorization", auth);
    /* Headers curl would add on its own and nobody signed: none sent. */
    hd = curl_slist_append(hd, "Expect:");
    hd = curl_slist_append(hd, "Accept:");
    if (!rq->body.len && strcmp(rq->method, "POST") && strcmp(rq->method, "PUT"))
        hd = curl_slist_append(hd, "Content-Type:");

    struct asl_net_req nr = {
        .method = rq->method, .url = url, .headers = hd, .body = rq->body.p, .body_len = rq->body.len,
        .max_body = max_body,
    };
    if (!nr.body && (!strcmp(rq->method, "PUT") || !strcmp(rq->method, "POST"))) {
        nr.body = "";
        nr.body_len = 0;
    }
    st = asl_net_perform(&nr, o, rs);
done:
    if (auth)
        memset(auth, 0, strlen(auth));
    for (struct curl_slist *l = hd; l; l = l->next)
        memset(l->data, 0, strlen(l->data));
    curl_slist_free_all(hd);
    free(auth);
    free(signed_path);
    free(host);
    return st;
}
