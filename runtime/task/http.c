/*
 * http.c - the HTTP Task, arn:aws:states:::http:invoke, on the shared
 * transport (net.c).
 *
 * AWS takes an HTTP Task's credentials from an EventBridge connection.  A
 * compiled workflow names the connection the same way (Authentication.
 * ConnectionArn) and finds its secret at run time, never in the binary:
 * ASLC_CONNECTION_<NAME>_* variables, then the JSON file $ASLC_CONNECTIONS_FILE
 * (docs/network-tasks.md).  Secrets never reach a log line, a cause or a
 * result: logs name only ApiEndpoint, causes only the response.
 *
 * https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html
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
#include "task/aws.h"
#include "task/http.h"

/* ------------------------------------------------------------ connections */

struct conn {
    char *name;
    json_t *def;    /* {AuthorizationType, AuthParameters} */
};

static void conn_env_name(const char *name, char *out, size_t n)
{
    size_t i = 0;
    for (; name[i] && i + 1 < n; i++)
        out[i] = isalnum((unsigned char)name[i]) ? (char)toupper((unsigned char)name[i]) : '_';
    out[i] = '\0';
}

static const char *conn_env(const char *up, const char *suffix, char *buf, size_t n)
{
    snprintf(buf, n, "ASLC_CONNECTION_%s_%s", up, suffix);
    const char *v = getenv(buf);
    return v && *v ? v : NULL;
}

/* The connection as an EventBridge CreateConnection request would give it,
 * from ASLC_CONNECTION_<NAME>_* variables; NULL when none are set. */
static json_t *conn_from_env(const char *name)
{
    char up[128], b[200];
    conn_env_name(name, up, sizeof up);
    const char *kn = conn_env(up, "API_KEY_NAME", b, sizeof b);
    const char *kv = conn_env(up, "API_KEY_VALUE", b, sizeof b);
    if (kn && kv)
        return json_pack("{s:s, s:{s:{s:s, s:s}}}", "AuthorizationType", "API_KEY",
                         "AuthParameters", "ApiKeyAuthParameters", "ApiKeyName", kn,
                         "ApiKeyValue", kv);
    const char *u = conn_env(up, "USERNAME", b, sizeof b);
    const char *p = conn_env(up, "PASSWORD", b, sizeof b);
    if (u && p)
        return json_pack("{s:s, s:{s:{s:s, s:s}}}", "AuthorizationType", "BASIC",
                         "AuthParameters", "BasicAuthParameters", "Username", u, "Password", p);
    const char *ci = conn_env(up, "CLIENT_ID", b, sizeof b);
    const char *cs = conn_env(up, "CLIENT_SECRET", b, sizeof b);
    const char *tu = conn_env(up, "TOKEN_URL", b, sizeof b);
    const char *tm = conn_env(up, "TOKEN_METHOD", b, sizeof b);
    const char *sc = conn_env(up, "SCOPE", b, sizeof b);
    if (ci && cs && tu) {
        json_t *c = json_pack("{s:s, s:{s:{s:s, s:s, s:{s:s, s:s}}}}",
                              "AuthorizationType", "OAUTH_CLIENT_CREDENTIALS",
                              "AuthParameters", "OAuthParameters", "AuthorizationEndpoint", tu,
                              "HttpMethod", tm ? tm : "POST", "ClientParameters",
                              "ClientID", ci, "ClientSecret", cs);
        if (c && sc) {
            json_t *op = json_object_get(json_object_get(c, "AuthParameters"), "OAuthParameters");
            json_object_set_new(op, "OAuthHttpParameters",
                                json_pack("{s:[{s:s, s:s}]}", "BodyParameters", "Key", "scope",
                                          "Value", sc));
        }
        return c;
    }
    return NULL;
}

/* Connection ARN arn:aws:events:REGION:ACCOUNT:connection/NAME/UUID -> NAME;
 * anything else is taken as the name itself. */
static char *conn_name(const char *arn)
{
    const char *p = strstr(arn, ":connection/");
    if (!p)
        return strdup(arn);
    p += strlen(":connection/");
    const char *e = strchr(p, '/');
    return e ? strndup(p, (size_t)(e - p)) : strdup(p);
}

static int conn_load(const char *arn, struct conn *c, struct asl_err *err)
{
    c->name = conn_name(arn);
    c->def = NULL;
    if (!c->name)
        return asl_err_set(err, ASL_E_RUNTIME, "out of memory");
    c->def = conn_from_env(c->name);
    if (c->def)
        return 0;
    const char *file = getenv("ASLC_CONNECTIONS_FILE");
    if (file && *file) {
        json_error_t je;
        json_t *all = json_load_file(file, 0, &je);
        if (!all)
            return asl_err_set(err, "Events.ConnectionResource.InvalidConnectionState",
                               "Cannot read ASLC_CONNECTIONS_FILE %s: line %d: %s", file,
                               je.line, je.text);
        json_t *d = json_object_get(all, arn);
        if (!d)
            d = json_object_get(all, c->name);
        const char *k;
        json_t *v;
        json_object_foreach(all, k, v) {
            if (d)
                break;
            char *kn = conn_name(k);    /* a key given as a full ARN matches by name */
            if (kn && strcmp(kn, c->name) == 0)
                d = v;
            free(kn);
        }
        c->def = json_incref(d);
        json_decref(all);
        if (c->def)
            return 0;
    }
    return asl_err_set(err, "Events.ConnectionResource.ResourceNotFound",
                       "Connection '%s' is not configured: set ASLC_CONNECTION_<NAME>_* or "
                       "ASLC_CONNECTIONS_FILE (see docs/network-tasks.md)", c->name);
}

static void conn_clear(struct conn *c)
{
    free(c->name);
    json_decref(c->def);
}

/* ---------------------------------------------------------- OAuth tokens */

struct asl_net_ctx {
    pthread_mutex_t mu;
    json_t *tokens;     /* connection name -> [token, expiry (CLOCK_MONOTONIC s)] */
};

struct asl_net_ctx *asl_net_ctx_new(void)
{
    struct asl_net_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    c->tokens = json_object();
    return c;
}

void asl_net_ctx_free(struct asl_net_ctx *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    json_decref(c->tokens);
    free(c);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends "k=v" pairs of an EventBridge parameter list [{Key, Value}]. */
static int form_add_params(struct asl_buf *b, json_t *list)
{
    size_t i;
    json_t *kv;
    json_array_foreach(list, i, kv) {
        const char *k = json_string_value(json_object_get(kv, "Key"));
        const char *v = json_string_value(json_object_get(kv, "Value"));
        if (!k || !v)
            continue;
        if ((b->len && asl_net_buf_addstr(b, "&")) || asl_net_buf_addenc(b, k) ||
            asl_net_buf_addstr(b, "=") || asl_net_buf_addenc(b, v))
            return -1;
    }
    return 0;
}

static int header_add(struct curl_slist **hd, const char *k, const char *v)
{
    size_t n = strlen(k) + strlen(v) + 3;
    char *line = malloc(n);
    if (!line)
        return -1;
    snprintf(line, n, "%s: %s", k, v);
    struct curl_slist *t = curl_slist_append(*hd, line);
    free(line);
    if (!t)
        return -1;
    *hd = t;
    return 0;
}

static int headers_add_params(struct curl_slist **hd, json_t *list)
{
    size_t i;
    json_t *kv;
    json_array_foreach(list, i, kv) {
        const char *k = json_string_value(json_object_get(kv, "Key"));
        const char *v = json_string_value(json_object_get(kv, "Value"));
        if (k && v && header_add(hd, k, v))
            return -1;
    }
    return 0;
}

/* POST client credentials to the token endpoint.  Only the endpoint and
 * the status reach the cause. */
static char *oauth_fetch(const struct conn *c, json_t *op, const struct asl_net_opts *o,
                         double *ttl, struct asl_err *err)
{
    const char *E = "Events.ConnectionResource.InvalidConnectionState";
    const char *url = json_string_value(json_object_get(op, "AuthorizationEndpoint"));
    const char *meth = json_string_value(json_object_get(op, "HttpMethod"));
    json_t *cp = json_object_get(op, "ClientParameters");
    const char *id = json_string_value(json_object_get(cp, "ClientID"));
    const char *sec = json_string_value(json_object_get(cp, "ClientSecret"));
    json_t *hp = json_object_get(op, "OAuthHttpParameters");
    if (!url || !id || !sec) {
        asl_err_set(err, E, "Connection '%s': OAuthParameters needs AuthorizationEndpoint and "
                    "ClientParameters {ClientID, ClientSecret}", c->name);
        return NULL;
    }
    struct asl_buf u = {0}, body = {0}, cred = {0};
    struct curl_slist *hd = NULL;
    char *b64 = NULL, *tok = NULL;
    struct asl_net_resp rs = {0};
    json_t *j = NULL;
    asl_net_buf_addstr(&u, url);
    struct asl_buf q = {0};
    form_add_params(&q, json_object_get(hp, "QueryStringParameters"));
    if (q.len) {
        asl_net_buf_addstr(&u, strchr(url, '?') ? "&" : "?");
        asl_net_buf_addstr(&u, q.p);
    }
    free(q.p);
    asl_net_buf_addstr(&body, "grant_type=client_credentials");
    form_add_params(&body, json_object_get(hp, "BodyParameters"));
    asl_net_buf_addstr(&cred, id);
    asl_net_buf_addstr(&cred, ":");
    asl_net_buf_addstr(&cred, sec);
    b64 = asl_net_base64((const unsigned char *)cred.p, cred.len);
    if (!u.p || !body.p || !b64)
        goto oom;
    char *auth = malloc(strlen(b64) + 8);
    if (!auth)
        goto oom;
    sprintf(auth, "Basic %s", b64);
    int bad = header_add(&hd, "Authorization", auth) ||
              header_add(&hd, "Content-Type", "application/x-www-form-urlencoded") ||
              header_add(&hd, "Accept", "application/json") ||
              !(hd = curl_slist_append(hd, "Expect:")) ||
              headers_add_params(&hd, json_object_get(hp, "HeaderParameters"));
    memset(auth, 0, strlen(auth));
    free(auth);
    if (bad)
        goto oom;
    struct asl_net_req rq = {.method = meth ? meth : "POST", .url = u.p, .headers = hd,
                             .body = body.p, .body_len = body.len, .max_body = 65536,
                             .hard_limit_s = 60};
    enum asl_net_status st = asl_net_perform(&rq, o, &rs);
    if (st == ASL_NET_CANCELLED || st == ASL_NET_DEADLINE) {
        asl_cancel_err(o->cancel, err);
        goto done;
    }
    if (st == ASL_NET_TASK_TIMEOUT) {
        asl_err_set_str(err, ASL_E_TIMEOUT, NULL);
        goto done;
    }
    if (st != ASL_NET_OK) {
        asl_err_set(err, E, "Connection '%s': OAuth token request failed: %s", c->name,
                    st == ASL_NET_FAILED ? rs.msg : "timed out or too large");
        goto done;
    }
    if (rs.status < 200 || rs.status > 299) {
        asl_err_set(err, E, "Connection '%s': OAuth token endpoint answered HTTP %ld", c->name,
                    rs.status);
        goto done;
    }
    j = json_loadb(rs.body, rs.body_len, 0, NULL);
    const char *at = json_string_value(json_object_get(j, "access_token"));
    if (!at) {
        asl_err_set(err, E, "Connection '%s': OAuth token response has no access_token", c->name);
        goto done;
    }
    json_t *ex = json_object_get(j, "expires_in");
    *ttl = json_is_number(ex) ? json_number_value(ex) : 3600;
    tok = strdup(at);
    goto done;
oom:
    asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
done:
    if (cred.p)
        memset(cred.p, 0, cred.len);
    if (b64)
        memset(b64, 0, strlen(b64));
    if (rs.body)
        memset(rs.body, 0, rs.body_len);
    free(cred.p);
    free(b64);
    free(u.p);
    free(body.p);
    curl_slist_free_all(hd);
    asl_net_resp_clear(&rs);
    json_decref(j);
    return tok;
}

/* The bearer token for an OAuth connection, from the execution's cache or
 * fresh from the endpoint (the lock is held across the fetch so concurrent
 * branches ask once). */
static char *oauth_token(const struct conn *c, json_t *op, const struct asl_net_opts *o,
                         struct asl_err *err)
{
    double ttl = 0;
    if (!o->ctx)
        return oauth_fetch(c, op, o, &ttl, err);
    struct asl_net_ctx *ctx = o->ctx;
    char *tok = NULL;
    pthread_mutex_lock(&ctx->mu);
    json_t *e = json_object_get(ctx->tokens, c->name);
    if (e && json_real_value(json_array_get(e, 1)) > mono_now() + 5) {
        tok = strdup(json_string_value(json_array_get(e, 0)));
    } else {
        tok = oauth_fetch(c, op, o, &ttl, err);
        if (tok)
            json_object_set_new(ctx->tokens, c->name, json_pack("[sf]", tok, mono_now() + ttl));
    }
    pthread_mutex_unlock(&ctx->mu);
    return tok;
}

/* ------------------------------------------------------------ the request */

static const char *const forbidden_headers[] = {
    "a-im", "accept-charset", "accept-datetime", "accept-encoding", "authorization",
    "cache-control", "connection", "content-encoding", "content-md5", "date", "expect",
    "forwarded", "from", "host", "http2-settings", "if-match", "if-modified-since",
    "if-none-match", "if-range", "if-unmodified-since", "max-forwards", "origin", "pragma",
    "proxy-authorization", "referer", "server", "te", "trailer", "transfer-encoding",
    "upgrade", "via", "warning", NULL,
};

static int header_forbidden(const char *name)
{
    for (const char *const *f = forbidden_headers; *f; f++)
        if (strcasecmp(name, *f) == 0)
            return 1;
    return strncasecmp(name, "x-forwarded-", 12) == 0 || strncasecmp(name, "x-amz-", 6) == 0 ||
           strncasecmp(name, "x-amzn-", 7) == 0;
}

/* A string anywhere in v holds a NUL byte: such text cannot become a URL,
 * a header or a form field without being cut short, so it is refused. */
static int has_nul(json_t *v)
{
    if (json_is_string(v))
        return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(v))
        json_array_foreach(v, i, x) if (has_nul(x)) return 1;
    if (json_is_object(v))
        json_object_foreach(v, k, x) if (has_nul(x)) return 1;
    return 0;
}

/* A parameter value as text: strings as they are, other scalars as JSON. */
static char *scalar_text(json_t *v)
{
    if (json_is_string(v))
        return strdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int token_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == ':' || *s == 0x7f)
            return 0;
    return 1;
}

static int form_pair(struct asl_buf *b, const char *k, const char *v)
{
    if (b->len && asl_net_buf_addstr(b, "&"))
        return -1;
    /* Keys keep their brackets readable: a[0]=x, as AWS documents. */
    for (const char *p = k; *p; p++) {
        char one[2] = {*p, 0};
        if (*p == '[' || *p == ']' ? asl_net_buf_add(b, p, 1) : asl_net_buf_addenc(b, one))
            return -1;
    }
    return asl_net_buf_addstr(b, "=") || asl_net_buf_addenc(b, v);
}

enum array_fmt { AF_INDICES, AF_REPEAT, AF_COMMAS, AF_BRACKETS };

/* URL-encodes value under key (qs style): objects nest as key[sub], arrays
 * follow the ArrayFormat. */
static int form_value(struct asl_buf *b, const char *key, json_t *v, enum array_fmt af)
{
    struct asl_buf k = {0};
    int rc = 0;
    if (json_is_object(v)) {
        const char *sk;
        json_t *sv;
        json_object_foreach(v, sk, sv) {
            k.len = 0;
            if (asl_net_buf_addstr(&k, key) || asl_net_buf_addstr(&k, "[") ||
                asl_net_buf_addstr(&k, sk) || asl_net_buf_addstr(&k, "]") ||
                form_value(b, k.p, sv, af))
                goto fail;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *it;
        struct asl_buf joined = {0};
        if (af == AF_COMMAS) {
            asl_net_buf_addstr(&joined, "");
        }
        json_array_foreach(v, i, it) {
            if (af == AF_COMMAS && !json_is_object(it) && !json_is_array(it)) {
                char *t = scalar_text(it);
                struct asl_buf e = {0};
                int bad = !t || asl_net_buf_addenc(&e, t) ||
                          (joined.len && asl_net_buf_addstr(&joined, ",")) ||
                          asl_net_buf_add(&joined, e.p ? e.p : "", e.len);
                free(t);
                free(e.p);
                if (bad) {
                    free(joined.p);
                    goto fail;
                }
                continue;
            }
            k.len = 0;
            char idx[32];
            snprintf(idx, sizeof idx, "[%zu]", i);
            if (asl_net_buf_addstr(&k, key) ||
                (af == AF_INDICES || af == AF_COMMAS ? asl_net_buf_addstr(&k, idx)
                 : af == AF_BRACKETS                 ? asl_net_buf_addstr(&k, "[]")
                                                     : 0) ||
                form_value(b, k.p, it, af)) {
                free(joined.p);
                goto fail;
            }
        }
        if (af == AF_COMMAS && joined.len) {
            /* The items are already encoded: add key=joined verbatim. */
            if ((b->len && asl_net_buf_addstr(b, "&")) || asl_net_buf_addenc(b, key) ||
                asl_net_buf_addstr(b, "=") || asl_net_buf_add(b, joined.p, joined.len)) {
                free(joined.p);
                goto fail;
            }
        }
        free(joined.p);
    } else {
        char *t = scalar_text(v);
        rc = !t || form_pair(b, key, t) ? -1 : 0;
        free(t);
    }
    free(k.p);
    return rc;
fail:
    free(k.p);
    return -1;
}

/* Replaces invalid UTF-8 with U+FFFD so any body can become a JSON string. */
static json_t *text_value(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    struct asl_buf b = {0};
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        int ok = len > 0 && i + len <= n && c != 0;
        if (ok && len > 1) {
            json_t *probe = json_stringn(s + i, len);   /* jansson's own UTF-8 check */
            ok = probe != NULL;
            json_decref(probe);
        }
        if (ok) {
            asl_net_buf_add(&b, s + i, len);
            i += len;
        } else {
            asl_net_buf_addstr(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    j = json_stringn(b.p ? b.p : "", b.len);
    free(b.p);
    return j;
}

static const char *reason_default(long code)
{
    switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
    }
}

/* {Headers, ResponseBody, StatusCode, StatusText} from a response. */
static json_t *http_result(const struct asl_net_resp *rs)
{
    json_t *hdrs = json_object();
    size_t i;
    json_t *h;
    json_array_foreach(rs->headers, i, h) {
        char *n = strdup(json_string_value(json_array_get(h, 0)));
        if (!n)
            continue;
        for (char *p = n; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        json_t *arr = json_object_get(hdrs, n);
        if (!arr) {
            arr = json_array();
            json_object_set_new(hdrs, n, arr);
        }
        json_array_append(arr, json_array_get(h, 1));
        free(n);
    }
    json_t *body = NULL;
    const char *ct = asl_net_resp_header(rs, "Content-Type");
    if (ct && strstr(ct, "json") && rs->body_len)
        body = json_loadb(rs->body, rs->body_len, JSON_DECODE_ANY, NULL);
    if (!body)
        body = text_value(rs->body, rs->body_len);
    const char *reason = rs->reason && *rs->reason ? rs->reason : reason_default(rs->status);
    return json_pack("{s:o, s:o, s:I, s:s}", "Headers", hdrs, "ResponseBody", body,
                     "StatusCode", (json_int_t)rs->status, "StatusText", reason);
}

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
                                      "HEAD", NULL};

/* One HTTP Task call while it is being built and sent.  Everything that
 * may hold a secret (headers, URL, body, token) is wiped by call_clear. */
struct http_call {
    json_t *params;                 /* the task's arguments: borrowed */
    const struct asl_net_opts *o;
    const char *ep, *method;        /* into params */
    struct asl_buf url, body;
    struct curl_slist *hd;
    struct conn c;
    char *token;
    json_t *inv;                    /* the connection's InvocationHttpParameters: borrowed */
    int have_ct, has_body;
};

static int oom(struct asl_err *err)
{
    return asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
}

static int bad_field(struct asl_err *err, const char *fmt, const char *arg)
{
    return asl_err_set(err, ASL_E_RUNTIME, fmt, arg);
}

/* ApiEndpoint and Method present and well formed, no NUL in text fields. */
static int call_check(struct http_call *h, struct asl_err *err)
{
    static const char *const textual[] = {"ApiEndpoint", "Method", "Headers", "QueryParameters"};
    for (size_t i = 0; i < sizeof textual / sizeof textual[0]; i++)
        if (has_nul(json_object_get(h->params, textual[i])))
            return bad_field(err, "The field '%s' contains a NUL character (\\u0000)", textual[i]);
    h->ep = json_string_value(json_object_get(h->params, "ApiEndpoint"));
    h->method = json_string_value(json_object_get(h->params, "Method"));
    if (!h->ep || (strncmp(h->ep, "https://", 8) != 0 && strncmp(h->ep, "http://", 7) != 0))
        return asl_err_set_str(err, ASL_E_RUNTIME, "The field 'ApiEndpoint' must be an http(s) URL");
    for (const char *const *m = methods; h->method && *m; m++)
        if (strcmp(h->method, *m) == 0)
            return 0;
    return asl_err_set_str(err, ASL_E_RUNTIME, "The field 'Method' must be one of GET, POST, PUT, "
                           "DELETE, PATCH, OPTIONS, HEAD");
}

/* Headers: forbidden names fail the task as AWS's validator words it. */
static int call_headers(struct http_call *h, struct asl_err *err)
{
    json_t *headers = json_object_get(h->params, "Headers");
    if (headers && !json_is_object(headers) && !json_is_null(headers))
        return asl_err_set_str(err, ASL_E_RUNTIME, "The field 'Headers' must be an object");
    struct asl_buf bad = {0};
    const char *hk;
    json_t *hv;
    json_object_foreach(headers, hk, hv) {
        if (!header_forbidden(hk))
            continue;
        if (bad.len)
            asl_net_buf_addstr(&bad, ", ");
        for (const char *p = hk; *p; p++) {
            char l = (char)tolower((unsigned char)*p);
            asl_net_buf_add(&bad, &l, 1);
        }
    }
    if (bad.len) {
        asl_err_set(err, ASL_E_RUNTIME, "The 'Headers' field contains unsupported values: [%s]",
                    bad.p);
        free(bad.p);
        return -1;
    }
    free(bad.p);
    json_object_foreach(headers, hk, hv) {
        char *v = scalar_text(hv);
        if (!token_ok(hk) || !v || strpbrk(v, "\r\n") || json_is_object(hv) ||
            json_is_array(hv)) {
            free(v);
            return bad_field(err, "The 'Headers' field has an invalid header: %s", hk);
        }
        h->have_ct |= strcasecmp(hk, "Content-Type") == 0;
        int f = header_add(&h->hd, hk, v);
        free(v);
        if (f)
            return oom(err);
    }
    return 0;
}

/* Authorization: <scheme> <secret>, the copies wiped. */
static int secret_header(struct curl_slist **hd, const char *scheme, const char *secret)
{
    struct asl_buf v = {0};
    asl_net_buf_addstr(&v, scheme);
    asl_net_buf_addstr(&v, secret);
    int f = !v.p || header_add(hd, "Authorization", v.p);
    if (v.p)
        memset(v.p, 0, v.len);
    free(v.p);
    return f ? -1 : 0;
}

static int auth_basic(struct http_call *h, json_t *ap, const char *E, struct asl_err *err)
{
    json_t *k = json_object_get(ap, "BasicAuthParameters");
    const char *u = json_string_value(json_object_get(k, "Username"));
    const char *p = json_string_value(json_object_get(k, "Password"));
    if (!u || !p)
        return asl_err_set(err, E, "Connection '%s': BasicAuthParameters needs Username and "
                           "Password", h->c.name);
    struct asl_buf up = {0};
    asl_net_buf_addstr(&up, u);
    asl_net_buf_addstr(&up, ":");
    asl_net_buf_addstr(&up, p);
    char *b64 = up.p ? asl_net_base64((unsigned char *)up.p, up.len) : NULL;
    if (up.p)
        memset(up.p, 0, up.len);
    free(up.p);
    if (!b64)
        return oom(err);
    int f = secret_header(&h->hd, "Basic ", b64);
    memset(b64, 0, strlen(b64));
    free(b64);
    return f ? oom(err) : 0;
}

/* The connection's credentials: the secret stays in hd / url / body, never
 * in a message. */
static int call_auth(struct http_call *h, struct asl_err *err)
{
    json_t *auth = json_object_get(h->params, "Authentication");
    const char *arn = json_string_value(json_object_get(auth, "ConnectionArn"));
    if (!arn)
        arn = json_string_value(
            json_object_get(json_object_get(h->params, "InvocationConfig"), "ConnectionArn"));
    if (!arn)
        return 0;
    if (conn_load(arn, &h->c, err))
        return -1;
    const char *type = json_string_value(json_object_get(h->c.def, "AuthorizationType"));
    json_t *ap = json_object_get(h->c.def, "AuthParameters");
    h->inv = json_object_get(ap, "InvocationHttpParameters");
    const char *E = "Events.ConnectionResource.InvalidConnectionState";
    if (type && strcmp(type, "API_KEY") == 0) {
        json_t *k = json_object_get(ap, "ApiKeyAuthParameters");
        const char *kn = json_string_value(json_object_get(k, "ApiKeyName"));
        const char *kv = json_string_value(json_object_get(k, "ApiKeyValue"));
        if (!kn || !kv || !token_ok(kn) || strpbrk(kv, "\r\n"))
            return asl_err_set(err, E, "Connection '%s': ApiKeyAuthParameters needs ApiKeyName "
                               "and ApiKeyValue", h->c.name);
        if (header_add(&h->hd, kn, kv))
            return oom(err);
    } else if (type && strcmp(type, "BASIC") == 0) {
        if (auth_basic(h, ap, E, err))
            return -1;
    } else if (type && strcmp(type, "OAUTH_CLIENT_CREDENTIALS") == 0) {
        h->token = oauth_token(&h->c, json_object_get(ap, "OAuthParameters"), h->o, err);
        if (!h->token)
            return -1;
        if (strpbrk(h->token, "\r\n") || secret_header(&h->hd, "Bearer ", h->token))
            return asl_err_set(err, E, "Connection '%s': unusable OAuth token", h->c.name);
    } else {
        return asl_err_set(err, E, "Connection '%s': AuthorizationType must be API_KEY, BASIC "
                           "or OAUTH_CLIENT_CREDENTIALS", h->c.name);
    }
    if (headers_add_params(&h->hd, json_object_get(h->inv, "HeaderParameters")))
        return oom(err);
    return 0;
}

/* One query parameter: arrays repeat the key, objects nest as key[sub]. */
static int query_param(struct asl_buf *q, const char *qk, json_t *qv)
{
    if (json_is_object(qv))
        return form_value(q, qk, qv, AF_INDICES);
    if (!json_is_array(qv)) {
        char *t = scalar_text(qv);
        int f = !t || form_pair(q, qk, t);
        free(t);
        return f ? -1 : 0;
    }
    size_t i;
    json_t *it;
    json_array_foreach(qv, i, it) {
        char *t = scalar_text(it);
        int f = !t || form_pair(q, qk, t);
        free(t);
        if (f)
            return -1;
    }
    return 0;
}

/* URL: ApiEndpoint + QueryParameters (+ the connection's). */
static int call_url(struct http_call *h, struct asl_err *err)
{
    struct asl_buf q = {0};
    json_t *qp = json_object_get(h->params, "QueryParameters");
    const char *qk;
    json_t *qv;
    int f = 0;
    json_object_foreach(qp, qk, qv) {
        if ((f = query_param(&q, qk, qv)) != 0)
            break;
    }
    f = f || form_add_params(&q, json_object_get(h->inv, "QueryStringParameters")) ||
        asl_net_buf_addstr(&h->url, h->ep) ||
        (q.len && (asl_net_buf_addstr(&h->url, strchr(h->ep, '?') ? "&" : "?") ||
                   asl_net_buf_addstr(&h->url, q.p)));
    free(q.p);
    return f ? oom(err) : 0;
}

/* A URL_ENCODED body: an object as form fields, a string as it is. */
static int body_form(struct http_call *h, json_t *rb, const char *afs, json_t *bp,
                     struct asl_err *err)
{
    enum array_fmt af = AF_INDICES;
    if (afs && strcmp(afs, "REPEAT") == 0)
        af = AF_REPEAT;
    else if (afs && strcmp(afs, "COMMAS") == 0)
        af = AF_COMMAS;
    else if (afs && strcmp(afs, "BRACKETS") == 0)
        af = AF_BRACKETS;
    else if (afs && strcmp(afs, "INDICES") != 0)
        return bad_field(err, "Unsupported ArrayFormat '%s'", afs);
    if (json_is_object(rb) && has_nul(rb))
        return asl_err_set_str(err, ASL_E_RUNTIME,
                               "The field 'RequestBody' contains a NUL character (\\u0000)");
    if (json_is_string(rb)) {
        if (asl_net_buf_add(&h->body, json_string_value(rb), json_string_length(rb)))
            return oom(err);
    } else if (json_is_object(rb)) {
        const char *bk;
        json_t *bv;
        json_object_foreach(rb, bk, bv) if (form_value(&h->body, bk, bv, af)) return oom(err);
    } else if (rb && !json_is_null(rb)) {
        return asl_err_set_str(err, ASL_E_RUNTIME,
                               "A URL_ENCODED RequestBody must be an object or a string");
    }
    if (form_add_params(&h->body, bp))
        return oom(err);
    h->has_body = rb != NULL || h->body.len;
    if (!h->have_ct && header_add(&h->hd, "Content-Type", "application/x-www-form-urlencoded"))
        return oom(err);
    return 0;
}

/* A JSON body (a string goes as it is); the connection's body parameters
 * join an object body. */
static int body_json(struct http_call *h, json_t *rb, json_t *bp, struct asl_err *err)
{
    json_t *send = json_incref(rb);
    if (json_array_size(bp) && (json_is_object(rb) || !rb)) {
        json_decref(send);
        send = rb ? json_deep_copy(rb) : json_object();
        size_t i;
        json_t *kv;
        json_array_foreach(bp, i, kv) {
            const char *k = json_string_value(json_object_get(kv, "Key"));
            if (k && !json_object_get(send, k))
                json_object_set(send, k, json_object_get(kv, "Value"));
        }
    }
    if (json_is_string(send)) {
        asl_net_buf_add(&h->body, json_string_value(send), json_string_length(send));
    } else {
        char *t = json_dumps(send, JSON_COMPACT | JSON_ENCODE_ANY);
        if (t)
            asl_net_buf_addstr(&h->body, t);
        free(t);
    }
    json_decref(send);
    if (!h->body.p && asl_net_buf_addstr(&h->body, ""))
        return oom(err);
    h->has_body = 1;
    if (!h->have_ct && header_add(&h->hd, "Content-Type", "application/json; charset=UTF-8"))
        return oom(err);
    return 0;
}

/* Body: JSON unless Transform says URL_ENCODED. */
static int call_body(struct http_call *h, struct asl_err *err)
{
    json_t *rb = json_object_get(h->params, "RequestBody");
    json_t *tr = json_object_get(h->params, "Transform");
    const char *enc = json_string_value(json_object_get(tr, "RequestBodyEncoding"));
    const char *afs = json_string_value(
        json_object_get(json_object_get(tr, "RequestEncodingOptions"), "ArrayFormat"));
    json_t *bp = json_object_get(h->inv, "BodyParameters");
    if (enc && strcmp(enc, "URL_ENCODED") == 0)
        return body_form(h, rb, afs, bp, err);
    if (enc && strcmp(enc, "NONE") != 0)
        return bad_field(err, "Unsupported RequestBodyEncoding '%s'", enc);
    if (rb || json_array_size(bp))
        return body_json(h, rb, bp, err);
    return 0;
}

/* What Step Functions always sends. */
static int call_fixed_headers(struct http_call *h, struct asl_err *err)
{
    char *region = asl_aws_region();
    char ua[160];
    snprintf(ua, sizeof ua, "Amazon|StepFunctions|HttpInvoke|%.100s", region ? region : "local");
    free(region);
    if (header_add(&h->hd, "User-Agent", ua) || header_add(&h->hd, "Range", "bytes=0-262144") ||
        !(h->hd = curl_slist_append(h->hd, "Expect:")))
        return oom(err);
    return 0;
}

/* Send the request; a 2xx response becomes the result, any other status
 * States.Http.StatusCode.<code> with the response as the cause. */
static int call_send(struct http_call *h, json_t **result, struct asl_err *err)
{
    asl_log(ASL_LOG_DEBUG, h->o->tag, "http:invoke %s %s", h->method, h->ep);
    struct asl_net_req rq = {.method = h->method, .url = h->url.p, .headers = h->hd,
                             .body = h->has_body ? (h->body.p ? h->body.p : "") : NULL,
                             .body_len = h->body.len, .max_body = ASL_PAYLOAD_MAX,
                             .hard_limit_s = 60};
    struct asl_net_resp rs = {0};
    int rc = -1;
    switch (asl_net_perform(&rq, h->o, &rs)) {
    case ASL_NET_OK:
        rc = 0;
        break;
    case ASL_NET_CANCELLED:
    case ASL_NET_DEADLINE:
        asl_cancel_err(h->o->cancel, err);
        break;
    case ASL_NET_TASK_TIMEOUT:
        asl_err_set_str(err, ASL_E_TIMEOUT, NULL);
        break;
    case ASL_NET_HARD_TIMEOUT:
        asl_err_set(err, "States.Http.Socket", "The HTTP request to %s timed out after 60 seconds",
                    h->ep);
        break;
    case ASL_NET_TOO_BIG:
        asl_err_set_str(err, ASL_E_DATA_LIMIT, "The state/task 'http' returned a result with a "
                        "size exceeding the maximum number of bytes service limit.");
        break;
    case ASL_NET_FAILED:
        asl_err_set(err, "States.Http.Socket", "%s", rs.msg);
        break;
    }
    if (rc == 0) {
        asl_log(ASL_LOG_DEBUG, h->o->tag, "http:invoke %s %s -> %ld", h->method, h->ep, rs.status);
        json_t *res = http_result(&rs);
        if (!res) {
            rc = oom(err);
        } else if (rs.status < 200 || rs.status > 299) {
            char name[64];
            snprintf(name, sizeof name, "States.Http.StatusCode.%ld", rs.status);
            char *cause = json_dumps(res, JSON_COMPACT);
            asl_err_set_str(err, name, cause);
            free(cause);
            json_decref(res);
            rc = -1;
        } else {
            *result = res;
        }
    }
    asl_net_resp_clear(&rs);
    return rc;
}

/* The request carried secrets: wipe what held them. */
static void call_clear(struct http_call *h)
{
    for (struct curl_slist *l = h->hd; l; l = l->next)
        memset(l->data, 0, strlen(l->data));
    curl_slist_free_all(h->hd);
    if (h->url.p)
        memset(h->url.p, 0, h->url.len);
    if (h->body.p)
        memset(h->body.p, 0, h->body.len);
    if (h->token)
        memset(h->token, 0, strlen(h->token));
    free(h->url.p);
    free(h->body.p);
    free(h->token);
    conn_clear(&h->c);
}

int asl_http_invoke(json_t *params, const struct asl_net_opts *o, json_t **result,
                    struct asl_err *err)
{
    *result = NULL;
    struct http_call h = {.params = params, .o = o};
    int rc = call_check(&h, err) || call_headers(&h, err) || call_auth(&h, err) ||
             call_url(&h, err) || call_body(&h, err) || call_fixed_headers(&h, err) ||
             call_send(&h, result, err) ? -1 : 0;
    call_clear(&h);
    return rc;
}
