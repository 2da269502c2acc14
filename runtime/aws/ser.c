/*
 * ser.c - Step Functions' parameters -> an AWS API request, for the
 * protocols the service models use (botocore's serialize.py is the
 * reference for the wire rules):
 *
 *   json       POST /, X-Amz-Target: <targetPrefix>.<Op>, JSON body
 *   rest-json  method + URI template; members in the URI, query string,
 *              headers, or the JSON body (or the payload member as the body)
 *   query      POST /, Action=<Op>&Version=<apiVersion>&A.B.member.1=...
 *   ec2        as query, every list flattened as Name.N, queryName names
 *   rest-xml   method + URI template; XML body or a blob payload (S3)
 *
 * Parameter names are the model's member names with the first letter
 * uppercased ("Equals" is "EqualsValue"); map keys are data and pass
 * through.  A non-string JSON value given to a string member is sent as its
 * compact JSON text, as Step Functions does.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"

void asl_aws_request_clear(struct asl_aws_request *rq)
{
    free(rq->path.p);
    asl_aws_query_clear(&rq->query);
    asl_aws_hdrs_clear(&rq->headers);
    if (rq->body.p)
        memset(rq->body.p, 0, rq->body.len);
    free(rq->body.p);
    memset(rq, 0, sizeof *rq);
}

/* The Step Functions name of a member: first letter uppercased. */
void asl_aws_sfn_name(const char *member, char *out, size_t n)
{
    if (strcmp(member, "Equals") == 0 || strcmp(member, "equals") == 0) {
        snprintf(out, n, "EqualsValue");
        return;
    }
    snprintf(out, n, "%s", member);
    out[0] = (char)toupper((unsigned char)out[0]);
}

static const char *stype(json_t *shape)
{
    const char *t = json_string_value(json_object_get(shape, "type"));
    return t ? t : "";
}

static const char *sstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int bad(struct asl_err *err, const char *where, const char *what)
{
    return asl_err_set(err, ASL_E_RUNTIME, "The value for the field '%s' must be %s", where, what);
}

/* A value's text for a string-like position: strings as they are, other
 * JSON as compact text. */
static char *text_of(json_t *v)
{
    if (json_is_string(v))
        return strndup(json_string_value(v), json_string_length(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Seconds since the epoch of a timestamp parameter: an RFC 3339 string or
 * a number of seconds. */
static int ts_value(json_t *v, double *secs)
{
    if (json_is_number(v)) {
        *secs = json_number_value(v);
        return asl_aws_ts_in_range(*secs) ? 0 : -1;
    }
    long long s;
    long ns;
    if (json_is_string(v) && asl_ts_parse(json_string_value(v), &s, &ns) == 0) {
        *secs = (double)s + ns / 1e9;
        return asl_aws_ts_in_range(*secs) ? 0 : -1;
    }
    return -1;
}

int asl_aws_ts_in_range(double secs)
{
    /* 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z */
    return isfinite(secs) && secs >= -62135596800.0 && secs < 253402300800.0;
}

void asl_aws_ts_format(double secs, enum asl_aws_ts f, char *out, size_t n)
{
    time_t t = (time_t)floor(secs);
    int ms = (int)llround((secs - floor(secs)) * 1000);
    if (ms >= 1000) {
        t++;
        ms = 0;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    if (f == ASL_TS_EPOCH) {
        if (ms)
            snprintf(out, n, "%lld.%03d", (long long)t, ms);
        else
            snprintf(out, n, "%lld", (long long)t);
    } else if (f == ASL_TS_RFC822) {
        strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    } else {
        char b[32];
        strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
        if (ms || f == ASL_TS_ISO_MS)
            snprintf(out, n, "%s.%03dZ", b, ms);
        else
            snprintf(out, n, "%sZ", b);
    }
}

static enum asl_aws_ts ts_kind(json_t *member, json_t *shape, enum asl_aws_ts dflt)
{
    const char *f = sstr(member, "timestampFormat");
    if (!f)
        f = sstr(shape, "timestampFormat");
    if (!f)
        return dflt;
    if (strcmp(f, "unixTimestamp") == 0)
        return ASL_TS_EPOCH;
    if (strcmp(f, "rfc822") == 0)
        return ASL_TS_RFC822;
    return ASL_TS_ISO;
}

/* Step Functions hands parameters to the AWS SDK for Java, whose JSON
 * reader takes "true"/"false" for a boolean and a numeric string for a
 * number (public samples rely on it: "ShouldDecrementDesiredCapacity":
 * "false").  Returns v itself or a new coerced value (new reference). */
/* Whether d is a whole number a json_int_t holds. */
static int whole(double d)
{
    return d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
}

static json_t *coerce(json_t *shape, json_t *v)
{
    const char *t = stype(shape);
    const char *s = json_string_value(v);
    if (!s)
        return json_incref(v);
    if (!strcmp(t, "boolean") && (!strcmp(s, "true") || !strcmp(s, "false")))
        return json_boolean(!strcmp(s, "true"));
    if (!strcmp(t, "integer") || !strcmp(t, "long") || !strcmp(t, "float") || !strcmp(t, "double")) {
        char *end;
        double d = strtod(s, &end);
        if (*s && !*end && isfinite(d))
            return (!strcmp(t, "integer") || !strcmp(t, "long")) && whole(d) ? json_integer((json_int_t)d)
                                                                                  : json_real(d);
    }
    return json_incref(v);
}

static int scalar_text_of(json_t *member, json_t *shape, const char *t, json_t *v, enum asl_aws_ts tsd,
                          const char *where, char **out, char *buf, size_t bufn, struct asl_err *err);

/* The scalar text of v for query strings, headers, URI labels and XML. */
static int scalar_text(json_t *member, json_t *shape, json_t *v0, enum asl_aws_ts tsd, const char *where,
                       char **out, struct asl_err *err)
{
    const char *t = stype(shape);
    char buf[64];
    *out = NULL;
    json_t *v = coerce(shape, v0);
    int rc = scalar_text_of(member, shape, t, v, tsd, where, out, buf, sizeof buf, err);
    json_decref(v);
    return rc;
}

static int scalar_text_of(json_t *member, json_t *shape, const char *t, json_t *v, enum asl_aws_ts tsd,
                          const char *where, char **out, char *buf, size_t bufn, struct asl_err *err)
{
    if (!strcmp(t, "boolean")) {
        if (!json_is_boolean(v))
            return bad(err, where, "a boolean");
        *out = strdup(json_is_true(v) ? "true" : "false");
    } else if (!strcmp(t, "integer") || !strcmp(t, "long")) {
        if (json_is_integer(v))
            snprintf(buf, bufn, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v) && whole(json_real_value(v)))
            snprintf(buf, bufn, "%lld", (long long)json_real_value(v));
        else
            return bad(err, where, "an integer");
        *out = strdup(buf);
    } else if (!strcmp(t, "float") || !strcmp(t, "double")) {
        if (!json_is_number(v))
            return bad(err, where, "a number");
        if (json_is_integer(v))
            snprintf(buf, bufn, "%lld", (long long)json_integer_value(v));
        else
            snprintf(buf, bufn, "%.17g", json_real_value(v));
        *out = strdup(buf);
    } else if (!strcmp(t, "timestamp")) {
        double s;
        if (ts_value(v, &s) != 0)
            return bad(err, where, "a timestamp");
        asl_aws_ts_format(s, ts_kind(member, shape, tsd), buf, bufn);
        *out = strdup(buf);
    } else if (!strcmp(t, "blob")) {
        char *raw = text_of(v);
        *out = raw ? asl_net_base64((const unsigned char *)raw, strlen(raw)) : NULL;
        free(raw);
    } else {
        if (json_object_get(member, "jsonvalue") || json_object_get(shape, "jsonvalue")) {
            char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            *out = raw ? asl_net_base64((const unsigned char *)raw, strlen(raw)) : NULL;
            free(raw);
        } else {
            *out = text_of(v);
        }
    }
    return *out ? 0 : asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
}

/* v has the JSON type a list (an array), a map or a structure (an
 * object) needs. */
static int check_kind(const char *t, json_t *v, const char *where, struct asl_err *err)
{
    if (!strcmp(t, "list") && !json_is_array(v))
        return bad(err, where, "an array");
    if ((!strcmp(t, "map") || !strcmp(t, "structure")) && !json_is_object(v))
        return bad(err, where, "an object");
    return 0;
}

/* Each parameter key of a structure must name a member. */
static int check_keys(json_t *shape, json_t *v, const char *where, struct asl_err *err)
{
    if (!json_is_object(v))
        return bad(err, where, "an object");
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
        int found = 0;
        const char *mk;
        json_t *m;
        json_object_foreach(json_object_get(shape, "members"), mk, m) {
            char sfn[256];
            asl_aws_sfn_name(mk, sfn, sizeof sfn);
            if (strcmp(sfn, k) == 0) {
                found = 1;
                break;
            }
        }
        if (!found)
            return asl_err_set(err, ASL_E_RUNTIME, "The field '%s%s%s' is not a parameter of this API "
                               "action", where && *where ? where : "", where && *where ? "." : "", k);
    }
    return 0;
}

/* The parameter for member mk of a structure value, or NULL. */
static json_t *param_of(json_t *v, const char *mk)
{
    char sfn[256];
    asl_aws_sfn_name(mk, sfn, sizeof sfn);
    json_t *x = json_object_get(v, sfn);
    return json_is_null(x) ? NULL : x;
}

/* ----------------------------------------------------------------- JSON */

static json_t *to_json_of(const struct asl_aws_model *m, json_t *member, json_t *shape, json_t *v,
                          const char *where, struct asl_err *err);

static json_t *to_json(const struct asl_aws_model *m, json_t *member, json_t *shape, json_t *v0,
                       const char *where, struct asl_err *err)
{
    json_t *v = coerce(shape, v0);
    json_t *out = to_json_of(m, member, shape, v, where, err);
    json_decref(v);
    return out;
}

static json_t *to_json_of(const struct asl_aws_model *m, json_t *member, json_t *shape, json_t *v,
                          const char *where, struct asl_err *err)
{
    const char *t = stype(shape);
    if (check_kind(t, v, where, err))
        return NULL;
    if (!strcmp(t, "structure")) {
        if (check_keys(shape, v, where, err))
            return NULL;
        json_t *o = json_object();
        const char *mk;
        json_t *mem;
        json_object_foreach(json_object_get(shape, "members"), mk, mem) {
            json_t *x = param_of(v, mk);
            if (!x)
                continue;
            char w[512];
            snprintf(w, sizeof w, "%s%s%s", where, *where ? "." : "", mk);
            json_t *j = to_json(m, mem, asl_aws_shape(m, mem), x, w, err);
            if (!j) {
                json_decref(o);
                return NULL;
            }
            const char *wire = sstr(mem, "locationName");
            json_object_set_new(o, wire ? wire : mk, j);
        }
        return o;
    }
    if (!strcmp(t, "list")) {
        json_t *a = json_array(), *ref = json_object_get(shape, "member"), *x;
        size_t i;
        json_array_foreach(v, i, x) {
            json_t *j = to_json(m, ref, asl_aws_shape(m, ref), x, where, err);
            if (!j) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, j);
        }
        return a;
    }
    if (!strcmp(t, "map")) {
        json_t *o = json_object(), *ref = json_object_get(shape, "value"), *x;
        const char *k;
        json_object_foreach(v, k, x) {
            json_t *j = to_json(m, ref, asl_aws_shape(m, ref), x, where, err);
            if (!j) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, k, j);
        }
        return o;
    }
    if (!strcmp(t, "string")) {
        if (json_object_get(shape, "document"))
            return json_incref(v);
        char *s = text_of(v);
        json_t *j = s ? json_string(s) : NULL;
        free(s);
        return j;
    }
    if (!strcmp(t, "boolean")) {
        if (!json_is_boolean(v))
            return bad(err, where, "a boolean"), NULL;
        return json_incref(v);
    }
    if (!strcmp(t, "integer") || !strcmp(t, "long")) {
        if (json_is_integer(v))
            return json_incref(v);
        if (!json_is_real(v) || !whole(json_real_value(v)))
            return bad(err, where, "an integer"), NULL;
        return json_integer((json_int_t)json_real_value(v));
    }
    if (!strcmp(t, "float") || !strcmp(t, "double")) {
        if (!json_is_number(v))
            return bad(err, where, "a number"), NULL;
        return json_incref(v);
    }
    if (!strcmp(t, "timestamp")) {
        double s;
        if (ts_value(v, &s) != 0)
            return bad(err, where, "a timestamp"), NULL;
        enum asl_aws_ts k = ts_kind(member, shape, ASL_TS_EPOCH);
        if (k == ASL_TS_EPOCH)
            return whole(s) ? json_integer((json_int_t)s) : json_real(s);
        char b[64];
        asl_aws_ts_format(s, k, b, sizeof b);
        return json_string(b);
    }
    if (!strcmp(t, "blob")) {
        char *raw = text_of(v);
        char *b64 = raw ? asl_net_base64((const unsigned char *)raw, strlen(raw)) : NULL;
        json_t *j = b64 ? json_string(b64) : NULL;
        free(raw);
        free(b64);
        return j;
    }
    /* document and anything newer: passed through */
    return json_incref(v);
}

/* ------------------------------------------------------------ query, ec2 */

static int q_add(struct asl_aws_request *rq, const char *k, const char *v, struct asl_err *err)
{
    if (asl_aws_query_add(&rq->query, k, v))
        return asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
    return 0;
}

/* The pair key=<scalar text of v> (ISO-8601 timestamps). */
static int q_add_scalar(struct asl_aws_request *rq, const char *k, json_t *member, json_t *shape, json_t *v,
                        const char *where, struct asl_err *err)
{
    char *s = NULL;
    if (scalar_text(member, shape, v, ASL_TS_ISO, where, &s, err))
        return -1;
    int rc = q_add(rq, k, s, err);
    free(s);
    return rc;
}

/* A structure member's name in a query: ec2 uses queryName, else the
 * locationName capitalised; query the locationName; else the member name. */
static void query_name(json_t *mem, const char *mk, int ec2, char *name, size_t n)
{
    const char *qn = sstr(mem, "queryName"), *ln = sstr(mem, "locationName");
    snprintf(name, n, "%s", ec2 && qn ? qn : ln ? ln : mk);
    if (ec2 && !qn && ln)
        name[0] = (char)toupper((unsigned char)name[0]);
}

/* The prefix of a list's items, before ".N": ec2 lists are always
 * flattened; a flattened query list takes its member's locationName in
 * place of its own last name; else "<prefix>.member" (or the member's
 * locationName). */
static void list_prefix(json_t *member, json_t *shape, const char *prefix, int ec2, char *lp, size_t n)
{
    const char *ln = sstr(json_object_get(shape, "member"), "locationName");
    if (ec2) {
        snprintf(lp, n, "%s", prefix);
    } else if (json_is_true(json_object_get(shape, "flattened")) ||
               json_is_true(json_object_get(member, "flattened"))) {
        const char *dot = strrchr(prefix, '.');
        if (ln)
            snprintf(lp, n, "%.*s%s", dot ? (int)(dot - prefix + 1) : 0, prefix, ln);
        else
            snprintf(lp, n, "%s", prefix);
    } else {
        snprintf(lp, n, "%s.%s", prefix, ln ? ln : "member");
    }
}

static int to_query(const struct asl_aws_model *m, json_t *member, json_t *shape, json_t *v,
                    const char *prefix, int ec2, struct asl_aws_request *rq, struct asl_err *err)
{
    const char *t = stype(shape);
    if (check_kind(t, v, prefix, err))
        return -1;
    char p[1100];
    if (strlen(prefix) > 1000)
        return asl_err_set_str(err, ASL_E_RUNTIME, "parameters nested too deeply");
    if (!strcmp(t, "structure")) {
        if (check_keys(shape, v, prefix, err))
            return -1;
        const char *mk;
        json_t *mem;
        json_object_foreach(json_object_get(shape, "members"), mk, mem) {
            json_t *x = param_of(v, mk);
            if (!x)
                continue;
            char name[256];
            query_name(mem, mk, ec2, name, sizeof name);
            snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", name);
            if (to_query(m, mem, asl_aws_shape(m, mem), x, p, ec2, rq, err))
                return -1;
        }
        return 0;
    }
    if (!strcmp(t, "list")) {
        json_t *ref = json_object_get(shape, "member");
        if (json_array_size(v) == 0)
            return ec2 ? 0 : q_add(rq, prefix, "", err);
        char lp[1060];
        list_prefix(member, shape, prefix, ec2, lp, sizeof lp);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(p, sizeof p, "%s.%zu", lp, i + 1);
            if (to_query(m, ref, asl_aws_shape(m, ref), x, p, ec2, rq, err))
                return -1;
        }
        return 0;
    }
    if (!strcmp(t, "map")) {
        json_t *kr = json_object_get(shape, "key"), *vr = json_object_get(shape, "value");
        const char *kn = sstr(kr, "locationName"), *vn = sstr(vr, "locationName");
        int flat = json_is_true(json_object_get(shape, "flattened"));
        size_t i = 0;
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            i++;
            snprintf(p, sizeof p, "%s%s.%zu.%s", prefix, flat ? "" : ".entry", i, kn ? kn : "key");
            if (q_add(rq, p, k, err))
                return -1;
            snprintf(p, sizeof p, "%s%s.%zu.%s", prefix, flat ? "" : ".entry", i, vn ? vn : "value");
            if (to_query(m, vr, asl_aws_shape(m, vr), x, p, ec2, rq, err))
                return -1;
        }
        return 0;
    }
    return q_add_scalar(rq, prefix, member, shape, v, prefix, err);
}

/* ------------------------------------------------------------------ XML */

static int xml_esc(struct asl_buf *b, const char *s)
{
    for (; *s; s++) {
        const char *r = NULL;
        switch (*s) {
        case '&': r = "&amp;"; break;
        case '<': r = "&lt;"; break;
        case '>': r = "&gt;"; break;
        case '"': r = "&quot;"; break;
        case '\'': r = "&apos;"; break;
        case '\r': r = "&#xD;"; break;
        case '\n': r = "&#xA;"; break;
        default: break;
        }
        if (r ? asl_net_buf_addstr(b, r) : asl_net_buf_add(b, s, 1))
            return -1;
    }
    return 0;
}

static int to_xml(const struct asl_aws_model *m, json_t *member, json_t *shape, json_t *v, const char *name,
                  const char *ns, struct asl_buf *b, struct asl_err *err)
{
    const char *t = stype(shape);
    if (check_kind(t, v, name, err))
        return -1;
    if (!strcmp(t, "list")) {
        json_t *ref = json_object_get(shape, "member");
        int flat = json_is_true(json_object_get(shape, "flattened"));
        const char *ln = sstr(ref, "locationName");
        if (!flat && (asl_net_buf_addstr(b, "<") || asl_net_buf_addstr(b, name) || asl_net_buf_addstr(b, ">")))
            return -1;
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
            if (to_xml(m, ref, asl_aws_shape(m, ref), x, flat ? (ln ? ln : name) : (ln ? ln : "member"), NULL,
                       b, err))
                return -1;
        if (!flat && (asl_net_buf_addstr(b, "</") || asl_net_buf_addstr(b, name) || asl_net_buf_addstr(b, ">")))
            return -1;
        return 0;
    }
    if (asl_net_buf_addstr(b, "<") || asl_net_buf_addstr(b, name))
        return -1;
    if (ns && (asl_net_buf_addstr(b, " xmlns=\"") || xml_esc(b, ns) || asl_net_buf_addstr(b, "\"")))
        return -1;
    if (!strcmp(t, "structure")) {
        if (check_keys(shape, v, name, err))
            return -1;
        const char *mk;
        json_t *mem;
        json_object_foreach(json_object_get(shape, "members"), mk, mem) {
            json_t *x = param_of(v, mk);
            if (!x || !json_is_true(json_object_get(mem, "xmlAttribute")))
                continue;
            char *s = NULL;
            if (scalar_text(mem, asl_aws_shape(m, mem), x, ASL_TS_ISO, mk, &s, err))
                return -1;
            const char *ln = sstr(mem, "locationName");
            int rc = asl_net_buf_addstr(b, " ") || asl_net_buf_addstr(b, ln ? ln : mk) ||
                     asl_net_buf_addstr(b, "=\"") || xml_esc(b, s) || asl_net_buf_addstr(b, "\"");
            free(s);
            if (rc)
                return -1;
        }
        if (asl_net_buf_addstr(b, ">"))
            return -1;
        json_object_foreach(json_object_get(shape, "members"), mk, mem) {
            json_t *x = param_of(v, mk);
            if (!x || json_is_true(json_object_get(mem, "xmlAttribute")))
                continue;
            const char *ln = sstr(mem, "locationName");
            json_t *xns = json_object_get(mem, "xmlNamespace");
            if (to_xml(m, mem, asl_aws_shape(m, mem), x, ln ? ln : mk, sstr(xns, "uri"), b, err))
                return -1;
        }
    } else if (!strcmp(t, "map")) {
        if (asl_net_buf_addstr(b, ">"))
            return -1;
        json_t *kr = json_object_get(shape, "key"), *vr = json_object_get(shape, "value");
        const char *kn = sstr(kr, "locationName"), *vn = sstr(vr, "locationName");
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            if (asl_net_buf_addstr(b, "<entry><") || asl_net_buf_addstr(b, kn ? kn : "key") ||
                asl_net_buf_addstr(b, ">") || xml_esc(b, k) || asl_net_buf_addstr(b, "</") ||
                asl_net_buf_addstr(b, kn ? kn : "key") || asl_net_buf_addstr(b, ">"))
                return -1;
            if (to_xml(m, vr, asl_aws_shape(m, vr), x, vn ? vn : "value", NULL, b, err) ||
                asl_net_buf_addstr(b, "</entry>"))
                return -1;
        }
    } else {
        char *s = NULL;
        if (scalar_text(member, shape, v, ASL_TS_ISO, name, &s, err))
            return -1;
        int rc = asl_net_buf_addstr(b, ">") || xml_esc(b, s);
        free(s);
        if (rc)
            return -1;
    }
    return asl_net_buf_addstr(b, "</") || asl_net_buf_addstr(b, name) || asl_net_buf_addstr(b, ">");
}

/* ------------------------------------------------------------ REST parts */

/* requestUri "/{Bucket}/{Key+}?list-type=2" -> the path with labels
 * filled in (encoded; a greedy label keeps '/') and its literal query. */
static int rest_uri(const struct asl_aws_model *m, json_t *op, json_t *in_shape, json_t *params,
                    struct asl_aws_request *rq, struct asl_err *err)
{
    const char *uri = sstr(json_object_get(op, "http"), "requestUri");
    if (!uri)
        uri = "/";
    const char *q = strchr(uri, '?');
    size_t plen = q ? (size_t)(q - uri) : strlen(uri);
    for (size_t i = 0; i < plen;) {
        if (uri[i] != '{') {
            if (asl_net_buf_add(&rq->path, uri + i, 1))
                return -1;
            i++;
            continue;
        }
        const char *e = memchr(uri + i, '}', plen - i);
        if (!e)
            return asl_err_set_str(err, ASL_E_RUNTIME, "bad URI template in the service model");
        char label[256];
        snprintf(label, sizeof label, "%.*s", (int)(e - uri - i - 1), uri + i + 1);
        size_t ll = strlen(label);
        int greedy = ll && label[ll - 1] == '+';
        if (greedy)
            label[--ll] = '\0';
        /* the member whose locationName (uri) is the label */
        const char *mk;
        json_t *mem, *val = NULL, *found = NULL;
        json_object_foreach(json_object_get(in_shape, "members"), mk, mem) {
            const char *ln = sstr(mem, "locationName");
            if (sstr(mem, "location") && !strcmp(sstr(mem, "location"), "uri") && ln && !strcmp(ln, label)) {
                val = param_of(params, mk);
                found = mem;
                break;
            }
        }
        if (!val) {
            char sfn[256];
            asl_aws_sfn_name(found ? mk : label, sfn, sizeof sfn);
            return asl_err_set(err, ASL_E_RUNTIME, "The field '%s' is required but was missing", sfn);
        }
        char *s = NULL;
        if (scalar_text(found, asl_aws_shape(m, found), val, ASL_TS_ISO, label, &s, err))
            return -1;
        int rc = asl_sigv4_encode(&rq->path, s, strlen(s), greedy);
        free(s);
        if (rc)
            return -1;
        i = (size_t)(e - uri) + 1;
    }
    if (q) {
        char *dup = strdup(q + 1);
        for (char *save = NULL, *t = strtok_r(dup, "&", &save); t; t = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(t, '=');
            if (eq)
                *eq = '\0';
            if (q_add(rq, t, eq ? eq + 1 : "", err)) {
                free(dup);
                return -1;
            }
        }
        free(dup);
    }
    return 0;
}

static int hdr_add(struct asl_aws_request *rq, const char *k, const char *v, struct asl_err *err)
{
    if (strpbrk(k, "\r\n:") || strpbrk(v, "\r\n"))
        return asl_err_set(err, ASL_E_RUNTIME, "The header '%s' has a line break", k);
    if (asl_aws_hdrs_add(&rq->headers, k, v))
        return asl_err_set_str(err, ASL_E_RUNTIME, "out of memory");
    return 0;
}

/* Members in the URI, query string and headers; the rest (body members)
 * are collected into *body_params. */
static int rest_members(const struct asl_aws_model *m, json_t *in_shape, json_t *params, json_t *body_params,
                        struct asl_aws_request *rq, struct asl_err *err)
{
    const char *mk;
    json_t *mem;
    json_object_foreach(json_object_get(in_shape, "members"), mk, mem) {
        json_t *x = param_of(params, mk);
        if (!x)
            continue;
        const char *loc = sstr(mem, "location"), *ln = sstr(mem, "locationName");
        json_t *sh = asl_aws_shape(m, mem);
        char sfn[256];
        asl_aws_sfn_name(mk, sfn, sizeof sfn);
        if (!loc) {
            json_object_set(body_params, sfn, x);
        } else if (!strcmp(loc, "uri")) {
            continue;
        } else if (!strcmp(loc, "querystring")) {
            if (check_kind(stype(sh), x, sfn, err))
                return -1;
            if (!strcmp(stype(sh), "list")) {
                json_t *ref = json_object_get(sh, "member"), *y;
                size_t i;
                json_array_foreach(x, i, y)
                    if (q_add_scalar(rq, ln ? ln : mk, ref, asl_aws_shape(m, ref), y, sfn, err))
                        return -1;
            } else if (!strcmp(stype(sh), "map")) {
                const char *k;
                json_t *y;
                json_object_foreach(x, k, y) {
                    char *s = text_of(y);
                    int rc = q_add(rq, k, s ? s : "", err);
                    free(s);
                    if (rc)
                        return -1;
                }
            } else if (q_add_scalar(rq, ln ? ln : mk, mem, sh, x, sfn, err)) {
                return -1;
            }
        } else if (!strcmp(loc, "header")) {
            char *s = NULL;
            if (!strcmp(stype(sh), "list")) {
                /* a list header: values joined by commas */
                json_t *ref = json_object_get(sh, "member"), *y;
                struct asl_buf b = {0};
                size_t i;
                json_array_foreach(x, i, y) {
                    char *e = NULL;
                    if (scalar_text(ref, asl_aws_shape(m, ref), y, ASL_TS_RFC822, sfn, &e, err)) {
                        free(b.p);
                        return -1;
                    }
                    asl_net_buf_addstr(&b, i ? "," : "");
                    asl_net_buf_addstr(&b, e);
                    free(e);
                }
                s = b.p ? b.p : strdup("");
            } else if (scalar_text(mem, sh, x, ASL_TS_RFC822, sfn, &s, err)) {
                return -1;
            }
            int rc = hdr_add(rq, ln ? ln : mk, s, err);
            free(s);
            if (rc)
                return -1;
        } else if (!strcmp(loc, "headers")) {
            if (!json_is_object(x))
                return bad(err, sfn, "an object");
            const char *k;
            json_t *y;
            json_object_foreach(x, k, y) {
                char name[512];
                snprintf(name, sizeof name, "%s%s", ln ? ln : "", k);
                char *s = text_of(y);
                int rc = hdr_add(rq, name, s ? s : "", err);
                free(s);
                if (rc)
                    return -1;
            }
        }
    }
    return 0;
}

/* The payload member's name, or NULL. */
static const char *payload_member(json_t *shape)
{
    return sstr(shape, "payload");
}

/* v (a structure of shape `in`, or {} without one) as the JSON body. */
static int json_body(const struct asl_aws_model *m, json_t *in, json_t *v, struct asl_aws_request *rq,
                     struct asl_err *err)
{
    json_t *j = in ? to_json(m, NULL, in, v, "", err) : json_object();
    if (!j)
        return -1;
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    int rc = s ? asl_net_buf_addstr(&rq->body, s) : -1;
    free(s);
    return rc ? asl_err_set_str(err, ASL_E_RUNTIME, "out of memory") : 0;
}

/* json 1.0/1.1: POST / with X-Amz-Target and the whole input as the body. */
static int ser_json(const struct asl_aws_model *m, const char *opname, json_t *in, json_t *params,
                    struct asl_aws_request *rq, struct asl_err *err)
{
    rq->method = "POST";
    asl_net_buf_addstr(&rq->path, "/");
    if (json_body(m, in, params, rq, err))
        return -1;
    char ct[64], target[256];
    snprintf(ct, sizeof ct, "application/x-amz-json-%s",
             sstr(m->meta, "jsonVersion") ? sstr(m->meta, "jsonVersion") : "1.0");
    snprintf(target, sizeof target, "%s.%s", sstr(m->meta, "targetPrefix"), opname);
    return hdr_add(rq, "Content-Type", ct, err) || hdr_add(rq, "X-Amz-Target", target, err) ? -1 : 0;
}

/* query and ec2: POST / with the form-encoded pairs as the body. */
static int ser_query(const struct asl_aws_model *m, const char *opname, json_t *in, json_t *params, int ec2,
                     struct asl_aws_request *rq, struct asl_err *err)
{
    rq->method = "POST";
    asl_net_buf_addstr(&rq->path, "/");
    if (q_add(rq, "Action", opname, err) || q_add(rq, "Version", sstr(m->meta, "apiVersion"), err))
        return -1;
    if (in && to_query(m, NULL, in, params, "", ec2, rq, err))
        return -1;
    char *body = asl_aws_query_string(&rq->query);
    asl_aws_query_clear(&rq->query);
    asl_net_buf_addstr(&rq->body, body ? body : "");
    free(body);
    return hdr_add(rq, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8", err);
}

/* The payload member pm of a REST input as the whole body. */
static int rest_payload(const struct asl_aws_model *m, json_t *in, const char *pm, json_t *params, int xml,
                        struct asl_aws_request *rq, struct asl_err *err)
{
    json_t *pmem = json_object_get(json_object_get(in, "members"), pm);
    json_t *psh = asl_aws_shape(m, pmem);
    json_t *x = param_of(params, pm);
    if (!x)
        return 0;
    if (!strcmp(stype(psh), "blob") || !strcmp(stype(psh), "string")) {
        /* A blob payload (S3 Body, Bedrock Body) takes any JSON: its
         * compact JSON text, strings included (recorded on AWS for S3
         * PutObject) - except that a string payload of a non-S3 service is
         * its text. */
        char *s = (!strcmp(stype(psh), "string") || strcmp(m->service, "s3") != 0) && json_is_string(x)
                      ? strndup(json_string_value(x), json_string_length(x))
                      : json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
        asl_net_buf_addstr(&rq->body, s ? s : "");
        free(s);
        return 0;
    }
    if (xml) {
        const char *ln = sstr(pmem, "locationName");
        json_t *xns = json_object_get(pmem, "xmlNamespace");
        return to_xml(m, pmem, psh, x, ln ? ln : sstr(pmem, "shape"), sstr(xns, "uri"), &rq->body, err);
    }
    json_t *j = to_json(m, pmem, psh, x, pm, err);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return -1;
    asl_net_buf_addstr(&rq->body, s);
    free(s);
    return hdr_add(rq, "Content-Type", "application/json", err);
}

/* rest-json and rest-xml: the HTTP method and URI template of the model,
 * members routed by location, the rest as the body. */
static int ser_rest(const struct asl_aws_model *m, json_t *op, json_t *in, json_t *params, int xml,
                    struct asl_aws_request *rq, struct asl_err *err)
{
    json_t *bp = json_object();
    int rc = -1;
    if (rest_uri(m, op, in, params, rq, err) || (in && rest_members(m, in, params, bp, rq, err)))
        goto done;
    const char *pm = in ? payload_member(in) : NULL;
    if (pm) {
        if (rest_payload(m, in, pm, params, xml, rq, err))
            goto done;
    } else if (!xml) {
        /* body members as a JSON object ({} when the input has body
         * members and none was given, as botocore sends) */
        int has_body = 0;
        const char *mk;
        json_t *mem;
        json_object_foreach(json_object_get(in, "members"), mk, mem)
            if (!sstr(mem, "location"))
                has_body = 1;
        if ((json_object_size(bp) || has_body) &&
            (json_body(m, in, bp, rq, err) || hdr_add(rq, "Content-Type", "application/json", err)))
            goto done;
    } else if (json_object_size(bp)) {
        /* rest-xml body members without a payload: the input shape's element */
        json_t *xmlin = json_object_get(op, "input");
        const char *ln = sstr(xmlin, "locationName");
        json_t *xns = json_object_get(xmlin, "xmlNamespace");
        if (to_xml(m, xmlin, in, bp, ln ? ln : sstr(xmlin, "shape"), sstr(xns, "uri"), &rq->body, err))
            goto done;
    }
    if (!rq->path.p)
        asl_net_buf_addstr(&rq->path, "/");
    rc = 0;
done:
    json_decref(bp);
    return rc;
}

int asl_aws_serialize(const struct asl_aws_model *m, json_t *op, json_t *params,
                      struct asl_aws_request *rq, struct asl_err *err)
{
    json_t *in_ref = json_object_get(op, "input");
    json_t *in = in_ref ? asl_aws_shape(m, in_ref) : NULL;
    json_t *empty = json_object();
    if (!params || json_is_null(params))
        params = empty;
    const char *opname = sstr(op, "name");
    const char *proto = m->protocol;
    int rc = -1;
    if (!json_is_object(params)) {
        bad(err, "Parameters", "an object");
        goto done;
    }
    if (in && check_keys(in, params, "", err))
        goto done;
    if (!in && json_object_size(params)) {
        asl_err_set(err, ASL_E_RUNTIME, "The API action %s takes no parameters", opname);
        goto done;
    }
    rq->method = sstr(json_object_get(op, "http"), "method");
    if (!rq->method)
        rq->method = "POST";
    if (!strcmp(proto, "json"))
        rc = ser_json(m, opname, in, params, rq, err);
    else if (!strcmp(proto, "query") || !strcmp(proto, "ec2"))
        rc = ser_query(m, opname, in, params, !strcmp(proto, "ec2"), rq, err);
    else if (!strcmp(proto, "rest-json") || !strcmp(proto, "rest-xml"))
        rc = ser_rest(m, op, in, params, !strcmp(proto, "rest-xml"), rq, err);
    else
        asl_err_set(err, ASL_E_RUNTIME, "The protocol '%s' of %s is not supported", proto, m->service);
done:
    json_decref(empty);
    return rc;
}
