/*
 * http.c - the HTTP side: libmicrohttpd reads requests and writes answers;
 * this file enforces the request-size quota, the in-flight limit and SigV4,
 * and hands bodies to asl_serve_dispatch.
 *
 * A request whose answer is not ready at once (a GetActivityTask long poll,
 * a StartSyncExecution) suspends its connection: no thread waits for it.
 * asl_serve_call_finish resumes it from whichever thread has the answer.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "serve_exec.h"
#include "serve_http.h"
#include "serve_int.h"

#define DISCARD_MAX (8u << 20)

/* Guards phase/suspended of every request: a request may be freed by
 * libmicrohttpd as soon as it is resumed, so the lock cannot live in it. */
static pthread_mutex_t resume_mu = PTHREAD_MUTEX_INITIALIZER;

struct req {
    struct asl_serve *srv;
    struct MHD_Connection *conn;
    char *body;
    size_t len, cap, header_bytes;
    int too_large;
    int phase;                  /* 0 reading, 1 waiting for an answer, 2 answer ready */
    int suspended;
    int counted;                /* holds one of the in-flight slots */
    struct asl_serve_call call;
    char reqid[40];
};

struct asl_serve_http {
    struct MHD_Daemon *d;
    struct asl_serve *srv;
    int port;
};

static enum MHD_Result send_json(struct req *r, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(13)) : NULL;
    if (!text)
        text = strdup("{}");
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/x-amz-json-1.0");
    MHD_add_response_header(resp, "x-amzn-RequestId", r->reqid);
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result send_call(struct req *r)
{
    struct asl_serve_call *c = &r->call;
    if (c->err.type) {
        json_t *body = asl_serve_err_body(&c->err);
        enum MHD_Result ok = send_json(r, c->err.http ? c->err.http : 400, body);
        json_decref(body);
        return ok;
    }
    return send_json(r, 200, c->out);
}

static enum MHD_Result send_err(struct req *r, int status, const char *type, const char *msg)
{
    struct asl_serve_err e = {status, type, (char *)msg, NULL};
    json_t *body = asl_serve_err_body(&e);
    enum MHD_Result ok = send_json(r, status, body);
    json_decref(body);
    return ok;
}

struct headers {
    size_t n, cap, bytes;
    const char **names, **values;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct headers *h = cls;
    (void)kind;
    h->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        const char **nn = realloc(h->names, cap * sizeof *nn);
        if (!nn)
            return MHD_NO;
        h->names = nn;
        const char **nv = realloc(h->values, cap * sizeof *nv);
        if (!nv)
            return MHD_NO;
        h->values = nv;
        h->cap = cap;
    }
    h->names[h->n] = key;
    h->values[h->n] = value ? value : "";
    h->n++;
    return MHD_YES;
}

static enum MHD_Result count_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)key;
    (void)value;
    (*(int *)cls)++;
    return MHD_YES;
}

/* The path of an origin-form ("/") or absolute-form ("http://host/") target. */
static const char *request_path(const char *url)
{
    if (strncasecmp(url, "http://", 7) == 0) {
        const char *slash = strchr(url + 7, '/');
        return slash ? slash : "/";
    }
    return url;
}

/* Everything is read: check, then dispatch. */
static enum MHD_Result handle(struct req *r, const char *method, const char *url)
{
    struct asl_serve *s = r->srv;
    const char *path = request_path(url);
    int nargs = 0;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, count_arg, &nargs);
    if (strcmp(method, "POST") != 0 || strcmp(path, "/") != 0 || nargs)
        return send_err(r, 404, "UnknownOperationException",
                        "The Step Functions API takes POST / with an X-Amz-Target header");
    if (r->too_large)
        return send_err(r, 413, "RequestEntityTooLarge",
                        "Request size exceeds the 1 MB limit of Step Functions API requests");
    if (s->stopping)
        return send_err(r, 503, "ServiceUnavailable", "The server is stopping");
    const char *ctype = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (ctype && strncasecmp(ctype, "application/x-amz-json-1.0", 26) != 0 &&
        strncasecmp(ctype, "application/json", 16) != 0)
        return send_err(r, 400, "SerializationException",
                        "Content-Type must be application/x-amz-json-1.0");
    r->call.received = asl_serve_now();
    if (s->creds) {
        struct headers h = {0};
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_header, &h);
        struct asl_serve_sigreq rq = {method, path, "", h.n, h.names, h.values,
                                      r->body, r->len, r->call.received};
        struct asl_serve_err err = {0};
        int rc = asl_serve_sigv4_verify(s->creds, s->region, &rq, &err);
        free(h.names);
        free(h.values);
        if (rc != 0) {
            asl_log(ASL_LOG_INFO, "serve", "request %s refused: %s", r->reqid, err.type);
            enum MHD_Result ok = send_err(r, err.http, err.type, err.msg);
            free(err.msg);
            return ok;
        }
    }
    const char *target = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Amz-Target");
    r->phase = 3;   /* answered below unless the call goes asynchronous */
    int long_poll = target && strcmp(target, "AWSStepFunctions.GetActivityTask") == 0;
    if (!long_poll) {
        if (atomic_fetch_add(&s->inflight, 1) >= s->lim.max_inflight) {
            atomic_fetch_sub(&s->inflight, 1);
            return send_err(r, 400, "ThrottlingException", "Rate exceeded");
        }
        r->counted = 1;
    }
    r->call.finish = NULL;
    r->call.conn = r;
    int rc = asl_serve_dispatch(s, &r->call, target, r->body ? r->body : "", r->len);
    if (rc == ASL_SERVE_ASYNC) {
        pthread_mutex_lock(&resume_mu);
        if (r->phase != 2) {    /* not answered yet: wait without a thread */
            r->phase = 1;
            MHD_suspend_connection(r->conn);
            r->suspended = 1;
            pthread_mutex_unlock(&resume_mu);
            return MHD_YES;
        }
        pthread_mutex_unlock(&resume_mu);
    }
    r->phase = 3;
    return send_call(r);
}

void asl_serve_call_finish(struct asl_serve_call *c)
{
    struct req *r = c->conn;
    pthread_mutex_lock(&resume_mu);
    r->phase = 2;
    if (r->suspended) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
    }
    pthread_mutex_unlock(&resume_mu);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version, const char *upload_data,
                                      size_t *upload_data_size, void **con_cls)
{
    struct asl_serve *s = cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->srv = s;
        r->conn = conn;
        asl_serve_uuid(r->reqid, sizeof r->reqid);
        struct headers h = {0};
        MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &h);
        free(h.names);
        free(h.values);
        r->header_bytes = h.bytes + strlen(url) + strlen(method) + 12;
        *con_cls = r;
        /* Too large: a body of up to DISCARD_MAX is read and dropped so that
         * the client reads the answer; a larger one is answered at once and
         * the connection closed. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
        if (want + r->header_bytes > s->lim.max_request) {
            r->too_large = 1;
            if (want > DISCARD_MAX) {
                r->phase = 3;
                return send_err(r, 413, "RequestEntityTooLarge",
                                "Request size exceeds the 1 MB limit of Step Functions API requests");
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_large)
            return MHD_YES;
        if (r->len + n + r->header_bytes > s->lim.max_request) {
            r->too_large = 1;
            free(r->body);
            r->body = NULL;
            r->len = r->cap = 0;
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = (r->len + n + 1) * 2;
            if (cap + r->header_bytes > s->lim.max_request + 1)
                cap = s->lim.max_request + 1 - r->header_bytes;
            char *b = realloc(r->body, cap);
            if (!b)
                return MHD_NO;
            r->body = b;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    if (r->phase == 2) {
        r->phase = 3;
        return send_call(r);
    }
    if (r->phase != 0)
        return MHD_YES;
    return handle(r, method, url);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct asl_serve *s = cls;
    struct req *r = *con_cls;
    (void)conn;
    (void)toe;
    if (!r)
        return;
    if (r->counted)
        atomic_fetch_sub(&s->inflight, 1);
    json_decref(r->call.in);
    json_decref(r->call.out);
    json_decref(r->call.err.extra);
    free(r->call.err.msg);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = '\0';
    asl_log(ASL_LOG_WARN, "http", "%s", line);
}

struct asl_serve_http *asl_serve_http_start(struct asl_serve *s, const char *host, int port,
                                            char *msg, size_t msgsize)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(msg, msgsize, "--listen: '%s' is not an IPv4 or IPv6 address", host);
        return NULL;
    }
    struct asl_serve_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->srv = s;
    h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, access_handler, s,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->lim.http_threads,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->lim.max_connections,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                            MHD_OPTION_END);
    if (!h->d) {
        snprintf(msg, msgsize, "cannot listen on %s:%d (address in use, or not this machine's?)", host, port);
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    return h;
}

int asl_serve_http_port(const struct asl_serve_http *h)
{
    return h->port;
}

void asl_serve_http_stop(struct asl_serve_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    free(h);
}
