/*
 * net.c - the network transport every network Task shares: one libcurl
 * handle per thread, requests with the task's timeout, the execution's
 * cancellation and deadline, SigV4 signing by libcurl, bounded bodies.
 * The HTTP Task (http.c), Lambda (lambda.c) and AWS credentials (aws.c)
 * sit on top of it.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "task/net.h"

/* ------------------------------------------------------------------ buffers */

/* The transport's appends on the runtime's one buffer type (base/text.h):
 * the same, with -1 once an allocation has failed. */
int asl_net_buf_add(struct asl_buf *b, const char *s, size_t n)
{
    asl_buf_add(b, s, n);
    return b->oom ? -1 : 0;
}

int asl_net_buf_addstr(struct asl_buf *b, const char *s)
{
    return asl_net_buf_add(b, s, strlen(s));
}

int asl_net_buf_addenc(struct asl_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            if (asl_net_buf_add(b, (const char *)p, 1))
                return -1;
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            if (asl_net_buf_add(b, e, 3))
                return -1;
        }
    }
    return 0;
}

char *asl_net_base64(const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *o++ = tab[(v >> 18) & 63];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* -------------------------------------------------------------- transport */

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static pthread_key_t net_key;   /* this thread's CURL *; set once, read-only after */
static int net_key_ok;

static void handle_free(void *h)
{
    curl_easy_cleanup(h);
}

static void net_key_init(void)
{
    net_key_ok = pthread_key_create(&net_key, handle_free) == 0;
}

int asl_net_global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    pthread_once(&net_once, net_key_init);
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (!net_key_ok || !v || v->version_num < 0x074b00)   /* SigV4: 7.75.0 */
        return -1;
    return 0;
}

void asl_net_global_cleanup(void)
{
    if (net_key_ok) {
        CURL *h = pthread_getspecific(net_key);
        if (h) {
            pthread_setspecific(net_key, NULL);
            curl_easy_cleanup(h);
        }
    }
    curl_global_cleanup();
}

/* This thread's handle; *temp set when it must be freed after use (no
 * asl_net_global_init). */
static CURL *handle_get(int *temp)
{
    *temp = 0;
    if (net_key_ok) {
        CURL *h = pthread_getspecific(net_key);
        if (h) {
            curl_easy_reset(h);     /* keeps the connection cache */
            return h;
        }
        h = curl_easy_init();
        if (h && pthread_setspecific(net_key, h) != 0) {
            *temp = 1;
        }
        return h;
    }
    *temp = 1;
    return curl_easy_init();
}

struct xfer {
    struct asl_net_resp *rs;
    struct asl_buf body;
    size_t max;
    int too_big;
    const struct asl_cancel *cancel;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = sz * n;
    if (x->max && x->body.len + len > x->max) {
        x->too_big = 1;
        return 0;   /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    return asl_net_buf_add(&x->body, p, len) ? 0 : len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = sz * n, end = len;
    while (end > 0 && (p[end - 1] == '\r' || p[end - 1] == '\n'))
        end--;
    if (end >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new response (after 100 Continue or a redirect): start over. */
        json_array_clear(x->rs->headers);
        free(x->rs->reason);
        x->rs->reason = NULL;
        const char *sp = memchr(p, ' ', end);
        if (sp) {
            const char *r = memchr(sp + 1, ' ', end - (size_t)(sp + 1 - p));
            if (r)
                x->rs->reason = strndup(r + 1, end - (size_t)(r + 1 - p));
        }
        return len;
    }
    const char *colon = memchr(p, ':', end);
    if (!colon || colon == p)
        return len;
    const char *v = colon + 1, *ve = p + end;
    while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    json_t *name = json_stringn(p, (size_t)(colon - p));
    json_t *val = json_stringn(v, (size_t)(ve - v));
    if (name && val)
        json_array_append_new(x->rs->headers, json_pack("[oo]", name, val));
    else {
        json_decref(name);
        json_decref(val);
    }
    return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct xfer *x = ud;
    return asl_cancel_is_set(x->cancel) ? 1 : 0;
}

void asl_net_resp_clear(struct asl_net_resp *rs)
{
    free(rs->reason);
    json_decref(rs->headers);
    free(rs->body);
    memset(rs, 0, sizeof *rs);
}

const char *asl_net_resp_header(const struct asl_net_resp *rs, const char *name)
{
    size_t i;
    json_t *h;
    json_array_foreach(rs->headers, i, h) {
        if (strcasecmp(json_string_value(json_array_get(h, 0)), name) == 0)
            return json_string_value(json_array_get(h, 1));
    }
    return NULL;
}

enum asl_net_status asl_net_perform(const struct asl_net_req *rq, const struct asl_net_opts *o,
                                    struct asl_net_resp *rs)
{
    memset(rs, 0, sizeof *rs);
    rs->headers = json_array();
    if (asl_cancel_is_set(o->cancel))
        return ASL_NET_CANCELLED;

    /* The tightest of: the task's timeout, the execution deadline, the
     * request's own limit.  Which one it was decides the error. */
    double limit = 1e12;
    enum asl_net_status on_timeout = ASL_NET_HARD_TIMEOUT;
    if (rq->hard_limit_s > 0)
        limit = rq->hard_limit_s;
    if (o->timeout_s > 0 && o->timeout_s < limit) {
        limit = o->timeout_s;
        on_timeout = ASL_NET_TASK_TIMEOUT;
    }
    double left = asl_cancel_remaining(o->cancel);
    if (left < limit) {
        limit = left;
        on_timeout = ASL_NET_DEADLINE;
    }
    if (limit <= 0)
        return on_timeout;

    int temp;
    CURL *h = handle_get(&temp);
    if (!h) {
        snprintf(rs->msg, sizeof rs->msg, "cannot create a curl handle");
        return ASL_NET_FAILED;
    }
    struct xfer x = {.rs = rs, .max = rq->max_body, .cancel = o->cancel};
    char errbuf[CURL_ERROR_SIZE] = "";
    long ms = limit >= 1e9 ? 0 : (long)(limit * 1000.0) + 1;

    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    const char *ca = o->ca_bundle ? o->ca_bundle : getenv("ASLC_CA_BUNDLE");
    if (ca && *ca)
        curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    if (rq->headers)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, rq->headers);
    if (rq->sigv4) {
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, rq->sigv4);
        curl_easy_setopt(h, CURLOPT_USERPWD, rq->userpwd);
    }
    const char *m = rq->method ? rq->method : "GET";
    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (rq->body || strcmp(m, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(rq->body ? rq->body_len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        if (strcmp(m, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    } else if (strcmp(m, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    }

    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
    /* Drop pointers into this frame and the caller's memory. */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_USERPWD, NULL);
    if (temp)
        curl_easy_cleanup(h);

    rs->body = x.body.p ? x.body.p : strdup("");
    rs->body_len = x.body.len;
    if (rc == CURLE_OK)
        return ASL_NET_OK;
    if (x.too_big)
        return ASL_NET_TOO_BIG;
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return ASL_NET_CANCELLED;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        if (asl_cancel_is_set(o->cancel))
            return ASL_NET_CANCELLED;
        return on_timeout;
    }
    snprintf(rs->msg, sizeof rs->msg, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return ASL_NET_FAILED;
}
