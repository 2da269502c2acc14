/*
 * parse.c - AWS API responses -> Step Functions' result shapes, per
 * protocol (botocore's parsers.py is the reference for the wire rules):
 * JSON bodies (json, rest-json), XML bodies through expat (query with its
 * <OpResult> wrapper, ec2 without one, rest-xml), headers and status codes
 * bound to members, blob payloads as text.  Member names come out with the
 * first letter uppercased; absent members are left out.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/aws.h"

static const char *stype(json_t *shape)
{
    const char *t = json_string_value(json_object_get(shape, "type"));
    return t ? t : "";
}

static const char *sstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* base64 (standard alphabet, padding optional) -> bytes, malloc'd; NULL
 * when the text is not base64. */
static char *unbase64(const char *s, size_t n, size_t *outn)
{
    char *out = malloc(n / 4 * 3 + 4);
    if (!out)
        return NULL;
    unsigned v = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= 'A' && c <= 'Z')
            d = c - 'A';
        else if (c >= 'a' && c <= 'z')
            d = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            d = c - '0' + 52;
        else if (c == '+')
            d = 62;
        else if (c == '/')
            d = 63;
        else if (c == '=' || isspace(c))
            continue;
        else {
            free(out);
            return NULL;
        }
        v = (v << 6) | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((v >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    *outn = o;
    return out;
}

static json_t *ts_out(double secs, int epoch_ms)
{
    if (epoch_ms)
        return json_integer((json_int_t)llround(secs * 1000));
    char o[64];
    asl_aws_ts_format(secs, ASL_TS_ISO_MS, o, sizeof o);
    return json_string(o);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* A timestamp as a service sends it: epoch seconds, ISO 8601 or RFC 822. */
static int ts_parse_any(const char *s, double *secs)
{
    char *end;
    double d = strtod(s, &end);
    if (*s && !*end) {
        *secs = d;
        return asl_aws_ts_in_range(d) ? 0 : -1;
    }
    long long sec;
    long ns;
    if (asl_ts_parse(s, &sec, &ns) == 0) {
        *secs = (double)sec + ns / 1e9;
        return asl_aws_ts_in_range(*secs) ? 0 : -1;
    }
    /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    char wd[8], mon[8], tz[8];
    int day, year, hh, mm, ss;
    if (sscanf(s, "%3s, %d %3s %d %d:%d:%d %3s", wd, &day, mon, &year, &hh, &mm, &ss, tz) == 8) {
        for (int i = 0; i < 12; i++)
            if (strcmp(mon, months[i]) == 0) {
                char iso[64];
                snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, i + 1, day, hh, mm, ss);
                if (asl_ts_parse(iso, &sec, &ns) != 0)
                    return -1;
                *secs = (double)sec;
                return 0;
            }
    }
    return -1;
}

/* A scalar from its text (XML, headers). */
static json_t *scalar_from_text(json_t *shape, const char *s, size_t n, int epoch_ms)
{
    const char *t = stype(shape);
    if (!strcmp(t, "boolean"))
        return json_boolean(n == 4 && !strncmp(s, "true", 4));
    if (!strcmp(t, "integer") || !strcmp(t, "long"))
        return json_integer((json_int_t)strtoll(s, NULL, 10));
    if (!strcmp(t, "float") || !strcmp(t, "double")) {
        double d = strtod(s, NULL);
        return isfinite(d) ? json_real(d) : json_stringn(s, n);
    }
    if (!strcmp(t, "timestamp")) {
        double secs;
        return ts_parse_any(s, &secs) == 0 ? ts_out(secs, epoch_ms) : json_stringn(s, n);
    }
    if (!strcmp(t, "blob")) {
        size_t bn;
        char *b = unbase64(s, n, &bn);
        json_t *j = b ? json_stringn(b, bn) : NULL;
        free(b);
        return j ? j : json_stringn(s, n);
    }
    json_t *j = json_stringn(s, n);
    return j ? j : json_string("");
}

/* ----------------------------------------------------------------- JSON */

static json_t *from_json(const struct asl_aws_model *m, json_t *shape, json_t *v, int epoch_ms, int depth)
{
    const char *t = stype(shape);
    if (depth > 64 || !v || json_is_null(v))
        return NULL;
    if (!strcmp(t, "structure")) {
        if (!json_is_object(v))
            return NULL;
        if (json_object_get(shape, "document"))
            return json_incref(v);
        json_t *o = json_object();
        const char *mk;
        json_t *mem;
        json_object_foreach(json_object_get(shape, "members"), mk, mem) {
            if (sstr(mem, "location"))
                continue;
            const char *wire = sstr(mem, "locationName");
            json_t *j = from_json(m, asl_aws_shape(m, mem), json_object_get(v, wire ? wire : mk), epoch_ms, depth + 1);
            if (j) {
                char sfn[256];
                asl_aws_sfn_name(mk, sfn, sizeof sfn);
                json_object_set_new(o, sfn, j);
            }
        }
        return o;
    }
    if (!strcmp(t, "list")) {
        if (!json_is_array(v))
            return NULL;
        json_t *a = json_array(), *x, *ref = json_object_get(shape, "member");
        size_t i;
        json_array_foreach(v, i, x) {
            json_t *j = from_json(m, asl_aws_shape(m, ref), x, epoch_ms, depth + 1);
            json_array_append_new(a, j ? j : json_null());
        }
        return a;
    }
    if (!strcmp(t, "map")) {
        if (!json_is_object(v))
            return NULL;
        json_t *o = json_object(), *x, *ref = json_object_get(shape, "value");
        const char *k;
        json_object_foreach(v, k, x) {
            json_t *j = from_json(m, asl_aws_shape(m, ref), x, epoch_ms, depth + 1);
            json_object_set_new(o, k, j ? j : json_null());
        }
        return o;
    }
    if (!strcmp(t, "timestamp")) {
        double secs;
        if (json_is_number(v) && asl_aws_ts_in_range(json_number_value(v)))
            return ts_out(json_number_value(v), epoch_ms);
        if (json_is_string(v) && ts_parse_any(json_string_value(v), &secs) == 0)
            return ts_out(secs, epoch_ms);
        return json_incref(v);
    }
    if (!strcmp(t, "blob") && json_is_string(v)) {
        size_t bn;
        char *b = unbase64(json_string_value(v), json_string_length(v), &bn);
        json_t *j = b ? json_stringn(b, bn) : NULL;
        free(b);
        return j ? j : json_incref(v);
    }
    return json_incref(v);
}

/* ------------------------------------------------------------------ XML */

static json_t *from_xml(const struct asl_aws_model *m, json_t *member, json_t *shape, const struct asl_xml *x,
                        int epoch_ms, int depth);

static const char *attr(const struct asl_xml *x, const char *name)
{
    for (size_t i = 0; x->attrs && x->attrs[i] && x->attrs[i + 1]; i += 2)
        if (strcmp(x->attrs[i], name) == 0)
            return x->attrs[i + 1];
    return NULL;
}

static json_t *list_items(const struct asl_aws_model *m, json_t *shape, const struct asl_xml *const *items,
                          size_t n, int epoch_ms, int depth)
{
    json_t *a = json_array(), *ref = json_object_get(shape, "member");
    for (size_t i = 0; i < n; i++) {
        json_t *j = from_xml(m, ref, asl_aws_shape(m, ref), items[i], epoch_ms, depth + 1);
        json_array_append_new(a, j ? j : json_null());
    }
    return a;
}

static json_t *from_xml(const struct asl_aws_model *m, json_t *member, json_t *shape, const struct asl_xml *x,
                        int epoch_ms, int depth)
{
    (void)member;
    const char *t = stype(shape);
    if (depth > 64)
        return NULL;
    if (!strcmp(t, "structure")) {
        json_t *o = json_object();
        const char *mk;
        json_t *mem;
        json_object_foreach(json_object_get(shape, "members"), mk, mem) {
            if (sstr(mem, "location"))
                continue;
            json_t *msh = asl_aws_shape(m, mem);
            const char *ln = sstr(mem, "locationName");
            const char *name = ln ? ln : mk;
            json_t *j = NULL;
            if (json_is_true(json_object_get(mem, "xmlAttribute"))) {
                const char *a = attr(x, name);
                if (a)
                    j = scalar_from_text(msh, a, strlen(a), epoch_ms);
            } else if (!strcmp(stype(msh), "list") && (json_is_true(json_object_get(msh, "flattened")) ||
                                                        json_is_true(json_object_get(mem, "flattened")))) {
                const char *iname = sstr(json_object_get(msh, "member"), "locationName");
                if (!ln && iname)
                    name = iname;
                const struct asl_xml **items = calloc(x->nkids + 1, sizeof *items);
                size_t n = 0;
                for (size_t i = 0; items && i < x->nkids; i++)
                    if (strcmp(x->kids[i]->name, name) == 0)
                        items[n++] = x->kids[i];
                if (n)
                    j = list_items(m, msh, items, n, epoch_ms, depth);
                free(items);
            } else {
                const struct asl_xml *c = asl_xml_child(x, name);
                if (c)
                    j = from_xml(m, mem, msh, c, epoch_ms, depth + 1);
            }
            if (j) {
                char sfn[256];
                asl_aws_sfn_name(mk, sfn, sizeof sfn);
                json_object_set_new(o, sfn, j);
            }
        }
        return o;
    }
    if (!strcmp(t, "list")) {
        const char *iname = sstr(json_object_get(shape, "member"), "locationName");
        if (!iname)
            iname = "member";
        const struct asl_xml **items = calloc(x->nkids + 1, sizeof *items);
        size_t n = 0;
        for (size_t i = 0; items && i < x->nkids; i++)
            if (strcmp(x->kids[i]->name, iname) == 0)
                items[n++] = x->kids[i];
        json_t *a = list_items(m, shape, items, n, epoch_ms, depth);
        free(items);
        return a;
    }
    if (!strcmp(t, "map")) {
        json_t *kr = json_object_get(shape, "key"), *vr = json_object_get(shape, "value");
        const char *kn = sstr(kr, "locationName"), *vn = sstr(vr, "locationName");
        int flat = json_is_true(json_object_get(shape, "flattened"));
        json_t *o = json_object();
        for (size_t i = 0; i < x->nkids; i++) {
            const struct asl_xml *e = x->kids[i];
            if (!flat && strcmp(e->name, "entry") != 0)
                continue;
            const struct asl_xml *k = asl_xml_child(e, kn ? kn : "key"), *v = asl_xml_child(e, vn ? vn : "value");
            if (!k)
                continue;
            json_t *j = v ? from_xml(m, vr, asl_aws_shape(m, vr), v, epoch_ms, depth + 1) : NULL;
            json_object_set_new(o, k->text ? k->text : "", j ? j : json_null());
        }
        return o;
    }
    return scalar_from_text(shape, x->text ? x->text : "", x->text ? x->text_len : 0, epoch_ms);
}

/* --------------------------------------------------------- REST parts */

/* Members bound to headers and the status code. */
static void rest_outputs(const struct asl_aws_model *m, json_t *shape, const struct asl_net_resp *rs, json_t *o,
                         int epoch_ms)
{
    const char *mk;
    json_t *mem;
    json_object_foreach(json_object_get(shape, "members"), mk, mem) {
        const char *loc = sstr(mem, "location"), *ln = sstr(mem, "locationName");
        if (!loc)
            continue;
        char sfn[256];
        asl_aws_sfn_name(mk, sfn, sizeof sfn);
        json_t *msh = asl_aws_shape(m, mem), *j = NULL;
        if (!strcmp(loc, "statusCode")) {
            j = json_integer(rs->status);
        } else if (!strcmp(loc, "header") && ln) {
            const char *v = asl_net_resp_header(rs, ln);
            if (v && (json_object_get(mem, "jsonvalue") || json_object_get(msh, "jsonvalue"))) {
                size_t bn;
                char *b = unbase64(v, strlen(v), &bn);
                j = b ? json_loadb(b, bn, JSON_DECODE_ANY, NULL) : NULL;
                free(b);
            } else if (v && !strcmp(stype(msh), "list")) {
                j = json_array();
                json_t *ref = json_object_get(msh, "member");
                for (const char *p = v; *p;) {
                    while (*p == ' ')
                        p++;
                    const char *e = strchr(p, ',');
                    size_t n = e ? (size_t)(e - p) : strlen(p);
                    json_array_append_new(j, scalar_from_text(asl_aws_shape(m, ref), p, n, epoch_ms));
                    p += n + (e ? 1 : 0);
                }
            } else if (v) {
                j = scalar_from_text(msh, v, strlen(v), epoch_ms);
            }
        } else if (!strcmp(loc, "headers")) {
            j = json_object();
            size_t pl = ln ? strlen(ln) : 0, i;
            json_t *h;
            json_array_foreach(rs->headers, i, h) {
                const char *n = json_string_value(json_array_get(h, 0));
                if (n && strncasecmp(n, ln ? ln : "", pl) == 0 && !json_object_get(j, n + pl))
                    json_object_set(j, n + pl, json_array_get(h, 1));
            }
        }
        if (j)
            json_object_set_new(o, sfn, j);
    }
}

static int parse_fail(struct asl_err *err, const struct asl_aws_model *m, const char *what)
{
    return asl_err_set(err, "States.TaskFailed", "Unable to parse the %s response of %s (%s)", m->protocol,
                       m->service, what);
}

json_t *asl_aws_parse(const struct asl_aws_model *m, json_t *op, const struct asl_net_resp *rs, int epoch_ms,
                      struct asl_err *err)
{
    json_t *out_ref = json_object_get(op, "output");
    json_t *shape = out_ref ? asl_aws_shape(m, out_ref) : NULL;
    if (!shape)
        return json_object();
    const char *proto = m->protocol;
    int xml = !strcmp(proto, "query") || !strcmp(proto, "ec2") || !strcmp(proto, "rest-xml");
    int rest = !strncmp(proto, "rest-", 5);
    json_t *o = NULL;
    const char *pm = rest ? sstr(shape, "payload") : NULL;
    if (pm) {
        json_t *pmem = json_object_get(json_object_get(shape, "members"), pm);
        json_t *psh = asl_aws_shape(m, pmem);
        o = json_object();
        char sfn[256];
        asl_aws_sfn_name(pm, sfn, sizeof sfn);
        if (!strcmp(stype(psh), "blob") || !strcmp(stype(psh), "string")) {
            json_t *text = json_stringn(rs->body, rs->body_len);
            json_object_set_new(o, sfn, text ? text : json_string(""));
        } else if (rs->body_len) {
            json_t *j = NULL;
            if (xml) {
                struct asl_xml *x = asl_xml_parse(rs->body, rs->body_len);
                if (!x) {
                    json_decref(o);
                    return parse_fail(err, m, "malformed XML"), NULL;
                }
                j = from_xml(m, pmem, psh, x, epoch_ms, 0);
                asl_xml_free(x);
            } else {
                json_t *b = json_loadb(rs->body, rs->body_len, 0, NULL);
                if (!b) {
                    json_decref(o);
                    return parse_fail(err, m, "malformed JSON"), NULL;
                }
                j = from_json(m, psh, b, epoch_ms, 0);
                json_decref(b);
            }
            if (j)
                json_object_set_new(o, sfn, j);
        }
    } else if (xml) {
        if (!rs->body_len) {
            o = json_object();
        } else {
            struct asl_xml *x = asl_xml_parse(rs->body, rs->body_len);
            if (!x)
                return parse_fail(err, m, "malformed XML"), NULL;
            const struct asl_xml *at = x;
            const char *wrap = sstr(out_ref, "resultWrapper");
            if (!strcmp(proto, "query") && wrap) {
                at = asl_xml_child(x, wrap);
            }
            o = at ? from_xml(m, out_ref, shape, at, epoch_ms, 0) : json_object();
            asl_xml_free(x);
        }
    } else {
        json_t *b = rs->body_len ? json_loadb(rs->body, rs->body_len, 0, NULL) : json_object();
        if (!b)
            return parse_fail(err, m, "malformed JSON"), NULL;
        o = from_json(m, shape, b, epoch_ms, 0);
        json_decref(b);
        if (!o)
            o = json_object();
    }
    if (rest && o)
        rest_outputs(m, shape, rs, o, epoch_ms);
    return o;
}

/* --------------------------------------------------------------- errors */

static char *dupn(const char *s, size_t n)
{
    return s ? strndup(s, n) : NULL;
}

void asl_aws_error_fields(const struct asl_aws_model *m, const struct asl_net_resp *rs, char **code,
                          char **message, char **request_id)
{
    *code = *message = *request_id = NULL;
    const char *proto = m->protocol;
    const char *rid = asl_net_resp_header(rs, "x-amzn-RequestId");
    if (!rid)
        rid = asl_net_resp_header(rs, "x-amz-request-id");
    if (!strcmp(proto, "query") || !strcmp(proto, "ec2") || !strcmp(proto, "rest-xml")) {
        struct asl_xml *x = rs->body_len ? asl_xml_parse(rs->body, rs->body_len) : NULL;
        /* <ErrorResponse><Error>..</Error><RequestId>, <Response><Errors><Error>..
         * </Errors><RequestID>, or S3's bare <Error>. */
        const struct asl_xml *e = NULL;
        if (x && !strcmp(x->name, "Error"))
            e = x;
        else if (x)
            e = asl_xml_child(x, "Error") ? asl_xml_child(x, "Error")
                                          : asl_xml_child(asl_xml_child(x, "Errors"), "Error");
        const struct asl_xml *c = asl_xml_child(e, "Code"), *msg = asl_xml_child(e, "Message");
        const struct asl_xml *r = asl_xml_child(x, "RequestId");
        if (!r)
            r = asl_xml_child(x, "RequestID");
        if (!r)
            r = asl_xml_child(e, "RequestId");
        if (c && c->text)
            *code = dupn(c->text, c->text_len);
        if (msg && msg->text)
            *message = dupn(msg->text, msg->text_len);
        if (r && r->text)
            *request_id = dupn(r->text, r->text_len);
        asl_xml_free(x);
    } else {
        json_t *j = json_loadb(rs->body, rs->body_len, 0, NULL);
        const char *et = NULL;
        if (!strcmp(proto, "rest-json"))
            et = asl_net_resp_header(rs, "x-amzn-ErrorType");
        if (!et)
            et = json_string_value(json_object_get(j, "__type"));
        if (!et)
            et = json_string_value(json_object_get(j, "code"));
        if (!et)
            et = json_string_value(json_object_get(j, "Code"));
        /* awsQueryCompatible services (SQS) carry the legacy code too */
        const char *qe = json_is_true(json_object_get(m->meta, "awsQueryCompatible"))
                             ? asl_net_resp_header(rs, "x-amzn-query-error") : NULL;
        if (qe) {
            *code = dupn(qe, strcspn(qe, ";"));
        } else if (et) {
            const char *h = strrchr(et, '#');
            if (h)
                et = h + 1;
            *code = dupn(et, strcspn(et, ":"));
        }
        const char *msg = json_string_value(json_object_get(j, "message"));
        if (!msg)
            msg = json_string_value(json_object_get(j, "Message"));
        if (!msg)
            msg = json_string_value(json_object_get(j, "errorMessage"));
        if (msg)
            *message = strdup(msg);
        json_decref(j);
    }
    if (!*request_id && rid)
        *request_id = strdup(rid);
    if (!*code) {
        /* no code in the body (HEAD, empty bodies): the status tells */
        char b[32];
        if (rs->status == 404)
            snprintf(b, sizeof b, "NotFound");
        else
            snprintf(b, sizeof b, "%ld", rs->status);
        *code = strdup(b);
    }
}
