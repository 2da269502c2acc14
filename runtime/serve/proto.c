/*
 * proto.c - the awsJson1_0 protocol of Step Functions: the operation table
 * with each input's constraints (from AWS's model, botocore
 * stepfunctions/2016-11-23/service-2.json), request validation, AWS's error
 * bodies, names, ARNs and page tokens.
 *
 * https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "serve_int.h"
#include "serve_ops.h"

/* ------------------------------------------------------------------ errors */

int asl_serve_fail(struct asl_serve_call *c, const char *type, const char *fmt, ...)
{
    free(c->err.msg);
    c->err.msg = NULL;
    json_decref(c->err.extra);
    c->err.extra = NULL;
    c->err.type = type;
    c->err.http = 400;
    if (strcmp(type, "InternalFailure") == 0)
        c->err.http = 500;
    else if (strcmp(type, "ServiceUnavailable") == 0)
        c->err.http = 503;
    else if (strcmp(type, "RequestEntityTooLarge") == 0)
        c->err.http = 413;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    c->err.msg = malloc((size_t)n + 1);
    if (c->err.msg) {
        va_start(ap, fmt);
        vsnprintf(c->err.msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    json_decref(c->out);
    c->out = NULL;
    return ASL_SERVE_DONE;
}

/* Real AWS prefixes service errors with the service's model package and the
 * framework's own errors with Coral's (recorded; SDKs keep what follows '#'). */
const char *asl_serve_err_namespace(const char *type)
{
    static const char *const coral_service[] = {
        "UnknownOperationException", "SerializationException", "UnrecognizedClientException",
        "InvalidSignatureException", "MissingAuthenticationTokenException",
        "IncompleteSignatureException", "RequestEntityTooLarge", "InternalFailure",
        "ServiceUnavailable", NULL};
    if (strcmp(type, "ValidationException") == 0)
        return "com.amazon.coral.validate";
    if (strcmp(type, "ThrottlingException") == 0)
        return "com.amazon.coral.availability";
    for (int i = 0; coral_service[i]; i++)
        if (strcmp(type, coral_service[i]) == 0)
            return "com.amazon.coral.service";
    return "com.amazonaws.swf.service.v2.model";
}

json_t *asl_serve_err_body(const struct asl_serve_err *e)
{
    char type[160];
    snprintf(type, sizeof type, "%s#%s", asl_serve_err_namespace(e->type), e->type);
    json_t *body = json_pack("{s:s,s:s}", "__type", type, "message", e->msg ? e->msg : "");
    if (body && e->extra)
        json_object_update(body, e->extra);
    return body;
}

/* ------------------------------------------------------------------- times */

double asl_serve_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)(tv.tv_usec / 1000) / 1000.0;
}

json_t *asl_serve_date(double t)
{
    return json_real(floor(t * 1000.0 + 0.5) / 1000.0);
}

/* --------------------------------------------------------------- the model */

static const char *const exec_status[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT",
                                          "ABORTED", "PENDING_REDRIVE", NULL};
static const char *const included_data[] = {"ALL_DATA", "METADATA_ONLY", NULL};
static const char *const redrive_filter[] = {"REDRIVEN", "NOT_REDRIVEN", NULL};

enum { REQ = 1, SENSITIVE = 2, ASCII = 4, PRINTABLE = 8 };

#define ARN(n, f) {n, V_STR, f, 1, 256, NULL}
#define LONGARN(n, f) {n, V_STR, f, 1, 2000, NULL}
#define NAME(n, f) {n, V_STR, f, 1, 80, NULL}
#define DATA(n, f) {n, V_STR, (f) | SENSITIVE, -1, 262144, NULL}
#define ERRF(n) {n, V_STR, SENSITIVE, 0, 256, NULL}
#define CAUSE(n) {n, V_STR, SENSITIVE, 0, 32768, NULL}
#define PAGE(n) {n, V_STR, 0, 1, 1024, NULL}
#define PAGESIZE {"maxResults", V_INT, 0, 0, 1000, NULL}
#define TOKEN {"taskToken", V_STR, REQ, 1, 2048, NULL}
#define ENUM(n, e) {n, V_STR, 0, -1, -1, e}
#define TRACE {"traceHeader", V_STR, ASCII, 0, 256, NULL}
#define BOOL(n) {n, V_BOOL, 0, -1, -1, NULL}
#define END {NULL, 0, 0, 0, 0, NULL}

static const struct asl_serve_field f_start[] = {
    ARN("stateMachineArn", REQ), NAME("name", 0), DATA("input", 0), TRACE, END};
static const struct asl_serve_field f_start_sync[] = {
    ARN("stateMachineArn", REQ), NAME("name", 0), DATA("input", 0), TRACE,
    ENUM("includedData", included_data), END};
static const struct asl_serve_field f_describe_exec[] = {
    ARN("executionArn", REQ), ENUM("includedData", included_data), END};
static const struct asl_serve_field f_history[] = {
    ARN("executionArn", REQ), PAGESIZE, BOOL("reverseOrder"), PAGE("nextToken"),
    BOOL("includeExecutionData"), END};
static const struct asl_serve_field f_list_exec[] = {
    ARN("stateMachineArn", 0), ENUM("statusFilter", exec_status), PAGESIZE,
    {"nextToken", V_STR, 0, 1, 3096, NULL}, LONGARN("mapRunArn", 0),
    ENUM("redriveFilter", redrive_filter), END};
static const struct asl_serve_field f_stop[] = {
    ARN("executionArn", REQ), ERRF("error"), CAUSE("cause"), END};
static const struct asl_serve_field f_redrive[] = {
    ARN("executionArn", REQ), {"clientToken", V_STR, PRINTABLE, 1, 64, NULL}, END};
static const struct asl_serve_field f_success[] = {TOKEN, DATA("output", REQ), END};
static const struct asl_serve_field f_failure[] = {TOKEN, ERRF("error"), CAUSE("cause"), END};
static const struct asl_serve_field f_heartbeat[] = {TOKEN, END};
static const struct asl_serve_field f_describe_sm_exec[] = {
    ARN("executionArn", REQ), ENUM("includedData", included_data), END};
static const struct asl_serve_field f_create_activity[] = {
    NAME("name", REQ), {"tags", V_TAGS, 0, -1, -1, NULL},
    {"encryptionConfiguration", V_OBJ, 0, -1, -1, NULL}, END};
static const struct asl_serve_field f_activity_arn[] = {ARN("activityArn", REQ), END};
static const struct asl_serve_field f_list_page[] = {PAGESIZE, PAGE("nextToken"), END};
static const struct asl_serve_field f_get_activity_task[] = {
    ARN("activityArn", REQ), NAME("workerName", 0), END};
static const struct asl_serve_field f_describe_sm[] = {
    ARN("stateMachineArn", REQ), ENUM("includedData", included_data), END};
static const struct asl_serve_field f_versions[] = {
    ARN("stateMachineArn", REQ), PAGE("nextToken"), PAGESIZE, END};
static const struct asl_serve_field f_list_tags[] = {ARN("resourceArn", REQ), END};
static const struct asl_serve_field f_tag[] = {
    ARN("resourceArn", REQ), {"tags", V_TAGS, REQ, -1, -1, NULL}, END};
static const struct asl_serve_field f_untag[] = {
    ARN("resourceArn", REQ), {"tagKeys", V_STRLIST, REQ, 1, 128, NULL}, END};

static const struct asl_serve_op ops[] = {
    {"StartExecution", asl_serve_op_start_execution, f_start},
    {"StartSyncExecution", asl_serve_op_start_sync_execution, f_start_sync},
    {"DescribeExecution", asl_serve_op_describe_execution, f_describe_exec},
    {"GetExecutionHistory", asl_serve_op_get_execution_history, f_history},
    {"ListExecutions", asl_serve_op_list_executions, f_list_exec},
    {"StopExecution", asl_serve_op_stop_execution, f_stop},
    {"RedriveExecution", asl_serve_op_redrive_execution, f_redrive},
    {"SendTaskSuccess", asl_serve_op_send_task_success, f_success},
    {"SendTaskFailure", asl_serve_op_send_task_failure, f_failure},
    {"SendTaskHeartbeat", asl_serve_op_send_task_heartbeat, f_heartbeat},
    {"DescribeStateMachineForExecution", asl_serve_op_describe_state_machine_for_execution,
     f_describe_sm_exec},
    {"GetActivityTask", asl_serve_op_get_activity_task, f_get_activity_task},
    {"CreateActivity", asl_serve_op_create_activity, f_create_activity},
    {"DescribeActivity", asl_serve_op_describe_activity, f_activity_arn},
    {"ListActivities", asl_serve_op_list_activities, f_list_page},
    {"DeleteActivity", asl_serve_op_delete_activity, f_activity_arn},
    {"DescribeStateMachine", asl_serve_op_describe_state_machine, f_describe_sm},
    {"ListStateMachines", asl_serve_op_list_state_machines, f_list_page},
    {"ListStateMachineVersions", asl_serve_op_list_state_machine_versions, f_versions},
    {"ListStateMachineAliases", asl_serve_op_list_state_machine_aliases, f_versions},
    {"ListTagsForResource", asl_serve_op_list_tags, f_list_tags},
    {"TagResource", asl_serve_op_tag_resource, f_tag},
    {"UntagResource", asl_serve_op_untag_resource, f_untag},
};

const struct asl_serve_op *asl_serve_find_op(const char *target)
{
    static const char prefix[] = "AWSStepFunctions.";
    if (!target || strncmp(target, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *name = target + sizeof prefix - 1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* ------------------------------------------------------------- validation */

/* Characters (code points) of UTF-8 text; jansson only holds valid UTF-8. */
static long long utf8_chars(const char *s, size_t len)
{
    long long n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

struct violations {
    int n;
    size_t len, cap;
    char *text;
};

static void add_violation(struct violations *v, const char *value, int sensitive, const char *at,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_violation(struct violations *v, const char *value, int sensitive, const char *at,
                          const char *fmt, ...)
{
    char constraint[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(constraint, sizeof constraint, fmt, ap);
    va_end(ap);
    char quoted[300];
    if (!value)
        snprintf(quoted, sizeof quoted, "Value");
    else if (sensitive)
        snprintf(quoted, sizeof quoted, "Value '*** Sensitive Data Redacted ***'");
    else if (strlen(value) > 200)
        snprintf(quoted, sizeof quoted, "Value '%.200s...'", value);
    else
        snprintf(quoted, sizeof quoted, "Value '%s'", value);
    int need = snprintf(NULL, 0, "%s%s at '%s' failed to satisfy constraint: %s",
                        v->n ? "; " : "", quoted, at, constraint);
    if (need < 0)
        return;
    if (v->len + (size_t)need + 1 > v->cap) {
        size_t cap = (v->cap + (size_t)need + 1) * 2;
        char *t = realloc(v->text, cap);
        if (!t)
            return;
        v->text = t;
        v->cap = cap;
    }
    snprintf(v->text + v->len, v->cap - v->len, "%s%s at '%s' failed to satisfy constraint: %s",
             v->n ? "; " : "", quoted, at, constraint);
    v->len += (size_t)need;
    v->n++;
}

static void check_string(struct violations *v, const struct asl_serve_field *f, const char *at,
                         json_t *val)
{
    const char *s = json_string_value(val);
    size_t len = json_string_length(val);
    long long chars = utf8_chars(s, len);
    int sens = (f->required & SENSITIVE) != 0;
    if (f->max >= 0 && chars > f->max)
        add_violation(v, s, sens, at, "Member must have length less than or equal to %lld", f->max);
    if (f->min > 0 && chars < f->min)
        add_violation(v, s, sens, at, "Member must have length greater than or equal to %lld", f->min);
    if (f->enums) {
        int ok = 0;
        for (int i = 0; f->enums[i]; i++)
            if (strcmp(s, f->enums[i]) == 0)
                ok = 1;
        if (!ok) {
            char set[256] = "";
            for (int i = 0; f->enums[i]; i++) {
                strncat(set, i ? ", " : "", sizeof set - strlen(set) - 1);
                strncat(set, f->enums[i], sizeof set - strlen(set) - 1);
            }
            add_violation(v, s, sens, at, "Member must satisfy enum value set: [%s]", set);
        }
    }
    if (f->required & (ASCII | PRINTABLE)) {
        for (size_t i = 0; i < len; i++) {
            unsigned char ch = (unsigned char)s[i];
            if ((f->required & ASCII) ? ch > 0x7f : (ch < '!' || ch > '~')) {
                add_violation(v, s, sens, at, "Member must satisfy regular expression pattern: %s",
                              (f->required & ASCII) ? "\\p{ASCII}*" : "[!-~]+");
                break;
            }
        }
    }
}

int asl_serve_validate(struct asl_serve_call *c, const struct asl_serve_field *fields)
{
    struct violations v = {0};
    for (const struct asl_serve_field *f = fields; f->name; f++) {
        json_t *val = json_object_get(c->in, f->name);
        if (json_is_null(val))
            val = NULL;
        if (!val) {
            if (f->required & REQ)
                add_violation(&v, NULL, 0, f->name, "Member must not be null");
            continue;
        }
        int ok = 1;
        switch (f->type) {
        case V_STR:
            ok = json_is_string(val);
            if (ok)
                check_string(&v, f, f->name, val);
            break;
        case V_INT:
            ok = json_is_integer(val);
            if (ok) {
                long long x = json_integer_value(val);
                char num[32];
                snprintf(num, sizeof num, "%lld", x);
                if (f->max >= 0 && x > f->max)
                    add_violation(&v, num, 0, f->name, "Member must have value less than or equal to %lld", f->max);
                if (f->min >= 0 && x < f->min)
                    add_violation(&v, num, 0, f->name, "Member must have value greater than or equal to %lld", f->min);
            }
            break;
        case V_BOOL:
            ok = json_is_boolean(val);
            break;
        case V_OBJ:
            ok = json_is_object(val);
            break;
        case V_STRLIST: {
            ok = json_is_array(val);
            size_t i;
            json_t *item;
            json_array_foreach(val, i, item) {
                if (!json_is_string(item)) {
                    ok = 0;
                    break;
                }
                char at[96];
                snprintf(at, sizeof at, "%s.%zu.member", f->name, i + 1);
                check_string(&v, f, at, item);
            }
            break;
        }
        case V_TAGS: {
            ok = json_is_array(val);
            static const struct asl_serve_field key = {"key", V_STR, 0, 1, 128, NULL};
            static const struct asl_serve_field value = {"value", V_STR, 0, 0, 256, NULL};
            size_t i;
            json_t *item;
            json_array_foreach(val, i, item) {
                json_t *k = json_object_get(item, "key"), *vv = json_object_get(item, "value");
                if (!json_is_object(item) || (k && !json_is_null(k) && !json_is_string(k)) ||
                    (vv && !json_is_null(vv) && !json_is_string(vv))) {
                    ok = 0;
                    break;
                }
                char at[96];
                if (json_is_string(k)) {
                    snprintf(at, sizeof at, "%s.%zu.member.key", f->name, i + 1);
                    check_string(&v, &key, at, k);
                }
                if (json_is_string(vv)) {
                    snprintf(at, sizeof at, "%s.%zu.member.value", f->name, i + 1);
                    check_string(&v, &value, at, vv);
                }
            }
            break;
        }
        }
        if (!ok) {
            free(v.text);
            asl_serve_fail(c, "SerializationException", "Unexpected value type for member '%s'", f->name);
            return -1;
        }
    }
    if (v.n) {
        asl_serve_fail(c, "ValidationException", "%d validation error%s detected: %s", v.n,
                       v.n > 1 ? "s" : "", v.text ? v.text : "");
        free(v.text);
        return -1;
    }
    return 0;
}

const char *asl_serve_str(const struct asl_serve_call *c, const char *name)
{
    return json_string_value(json_object_get(c->in, name));
}

long long asl_serve_int(const struct asl_serve_call *c, const char *name, long long dflt)
{
    json_t *v = json_object_get(c->in, name);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

int asl_serve_bool(const struct asl_serve_call *c, const char *name, int dflt)
{
    json_t *v = json_object_get(c->in, name);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int asl_serve_dispatch(struct asl_serve *s, struct asl_serve_call *c, const char *target,
                       const char *body, size_t len)
{
    c->srv = s;
    if (!c->received)
        c->received = asl_serve_now();
    const struct asl_serve_op *op = asl_serve_find_op(target);
    if (!op)
        return asl_serve_fail(c, "UnknownOperationException", "Operation not supported: %s",
                              target ? target : "(no X-Amz-Target header)");
    c->op = op->name;
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", body[i]))
        i++;
    json_error_t jerr;
    c->in = i == len ? json_object() : json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!c->in)
        return asl_serve_fail(c, "SerializationException", "The request body is not JSON: %s", jerr.text);
    if (!json_is_object(c->in))
        return asl_serve_fail(c, "SerializationException",
                              "Start of structure or map found where not expected: the body must be a JSON object");
    if (asl_serve_validate(c, op->fields) != 0)
        return ASL_SERVE_DONE;
    return op->fn(c);
}

/* ------------------------------------------------------------ names, ARNs */

int asl_serve_name_ok(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    if (!*p)
        return 0;
    while (*p) {
        unsigned cp;
        int n;
        if (*p < 0x80) {
            cp = *p;
            n = 1;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1Fu;
            n = 2;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0Fu;
            n = 3;
        } else {
            cp = *p & 0x07u;
            n = 4;
        }
        for (int k = 1; k < n; k++) {
            if ((p[k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[k] & 0x3Fu);
        }
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xFFFE || cp == 0xFFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x10FFFF || cp == 0x85 || cp == 0xA0 ||
            cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
            cp == 0x202F || cp == 0x205F || cp == 0x3000)
            return 0;
        if (cp < 0x80 && strchr(" <>{}[]?*\"#%\\^|~`$&,;:/", (int)cp))
            return 0;
        p += n;
    }
    return 1;
}

static int copy_part(char *dst, size_t n, const char *s, size_t len)
{
    if (len >= n)
        return -1;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

int asl_serve_arn_parse(struct asl_serve_call *c, const char *arn, struct asl_serve_arn *out)
{
    memset(out, 0, sizeof *out);
    /* arn:PARTITION:states:REGION:ACCOUNT:TYPE:NAME[:SUB] */
    const char *part[8];
    size_t plen[8];
    int n = 0;
    const char *p = arn;
    while (n < 8) {
        const char *colon = strchr(p, ':');
        part[n] = p;
        plen[n] = colon ? (size_t)(colon - p) : strlen(p);
        n++;
        if (!colon)
            break;
        p = colon + 1;
    }
    int prefix_ok = n >= 7 && plen[0] == 3 && memcmp(part[0], "arn", 3) == 0 &&
                    ((plen[1] == 3 && memcmp(part[1], "aws", 3) == 0) ||
                     (plen[1] == 6 && memcmp(part[1], "aws-cn", 6) == 0) ||
                     (plen[1] == 10 && memcmp(part[1], "aws-us-gov", 10) == 0)) &&
                    plen[2] == 6 && memcmp(part[2], "states", 6) == 0 && plen[3] > 0 && plen[4] > 0 &&
                    plen[6] > 0 && copy_part(out->region, sizeof out->region, part[3], plen[3]) == 0 &&
                    copy_part(out->account, sizeof out->account, part[4], plen[4]) == 0 &&
                    copy_part(out->name, sizeof out->name, part[6], plen[6]) == 0;
    if (prefix_ok && n == 8 && (plen[7] == 0 || strchr(part[7], ':') ||
                                copy_part(out->sub, sizeof out->sub, part[7], plen[7]) != 0))
        prefix_ok = 0;
    if (!prefix_ok) {
        asl_serve_fail(c, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %s'", arn);
        return -1;
    }
    char *type = out->type;
    copy_part(type, sizeof out->type, part[5], plen[5] < sizeof out->type ? plen[5] : sizeof out->type - 1);
    if (strcmp(type, "stateMachine") == 0)
        out->kind = ARN_STATE_MACHINE;
    else if (strcmp(type, "execution") == 0 && n == 8)
        out->kind = ARN_EXECUTION;
    else if (strcmp(type, "express") == 0)
        out->kind = ARN_EXPRESS;
    else if (strcmp(type, "activity") == 0 && n == 7)
        out->kind = ARN_ACTIVITY;
    else
        out->kind = ARN_OTHER;
    return 0;
}

/* ------------------------------------------------------------ page tokens */

static void page_mac(struct asl_serve *s, const char *scope, long long after, long long issued,
                     char hex[33])
{
    char msg[1200];
    int n = snprintf(msg, sizeof msg, "%s|%lld|%lld", scope, after, issued);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), s->page_key, sizeof s->page_key, (const unsigned char *)msg,
         (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1), mac, &maclen);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

char *asl_serve_page_token(struct asl_serve *s, const char *scope, int64_t after)
{
    long long issued = (long long)asl_serve_now();
    char hex[33];
    page_mac(s, scope, (long long)after, issued, hex);
    char buf[96];
    snprintf(buf, sizeof buf, "%lld.%lld.%s", (long long)after, issued, hex);
    return strdup(buf);
}

void asl_serve_out_token(struct asl_serve_call *c, const char *scope, int64_t after)
{
    char *tok = asl_serve_page_token(c->srv, scope, after);
    if (tok)
        json_object_set_new(c->out, "nextToken", json_string(tok));
    free(tok);
}

int asl_serve_page_decode(struct asl_serve_call *c, const char *scope, const char *tok, int64_t *after)
{
    long long a = 0, issued = 0;
    char hex[40] = "", want[33];
    int used = 0;
    if (sscanf(tok, "%lld.%lld.%32[0-9a-f]%n", &a, &issued, hex, &used) == 3 && tok[used] == '\0') {
        page_mac(c->srv, scope, a, issued, want);
        double age = asl_serve_now() - (double)issued;
        if (strlen(hex) == 32 && CRYPTO_memcmp(hex, want, 32) == 0 && age >= -60 && age <= 86400) {
            *after = a;
            return 0;
        }
    }
    asl_serve_fail(c, "InvalidToken", "Invalid Token: 'Invalid token'");
    return -1;
}

int asl_serve_page_size(const struct asl_serve_call *c)
{
    long long n = asl_serve_int(c, "maxResults", 0);
    return n <= 0 ? 100 : (int)n;
}

int asl_serve_check_sm(struct asl_serve_call *c, const char *arn)
{
    struct asl_serve_arn a;
    if (asl_serve_arn_parse(c, arn, &a) != 0)
        return -1;
    if (a.kind != ARN_STATE_MACHINE) {
        asl_serve_fail(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", a.type);
        return -1;
    }
    if (strcmp(arn, c->srv->sm_arn) != 0) {
        asl_serve_fail(c, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn);
        return -1;
    }
    return 0;
}
