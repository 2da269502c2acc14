/*
 * emit_exec.c - descriptors of the states that run work: Task (resource
 * classification, invoker, timeouts), Parallel (its branches), Map (its
 * processor and item settings), and their Retry/Catch tables.
 */
#include <stdlib.h>
#include <string.h>

#include "cemit.h"
#include "emit_int.h"
#include "resource.h"
#include "models/aws_task.h"

/* The ErrorEquals list as a table of names. */
static const char *emit_names(struct em *em, json_t *arr)
{
    size_t n = json_array_size(arr);
    char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < n; i++)
        names[i] = asl_em_str(json_string_value(json_array_get(arr, i)));
    return asl_em_def(em, "char *const", "errors", 1, asl_em_list(names, n, 1));
}

double asl_em_num_or(json_t *obj, const char *key, double dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

/* A number member when the field is given (absent stays zero: aslrt.h). */
static char *num_field(json_t *obj, const char *key, int integer)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return NULL;
    return integer ? asl_em_fmt("%lld", (long long)json_number_value(v))
                   : asl_em_fmt("%.17g", json_number_value(v));
}

static char *retrier(struct em *em, json_t *r)
{
    json_t *ee = json_object_get(r, "ErrorEquals"), *js = json_object_get(r, "JitterStrategy");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fprintf(f, ", .nerrors = %zu, .errors = %s", json_array_size(ee), emit_names(em, ee));
    asl_em_field(f, "interval", num_field(r, "IntervalSeconds", 0));
    if (json_object_get(r, "MaxAttempts"))
        fputs(", .has_max_attempts = 1", f);
    asl_em_field(f, "max_attempts", num_field(r, "MaxAttempts", 1));
    asl_em_field(f, "backoff", num_field(r, "BackoffRate", 0));
    asl_em_field(f, "max_delay", num_field(r, "MaxDelaySeconds", 0));
    if (json_is_string(js) && strcmp(json_string_value(js), "FULL") == 0)
        fputs(", .jitter_full = 1", f);
    return asl_em_braced(f, &buf);
}

static char *catcher(struct em *em, struct asl_cstate *s, json_t *c)
{
    json_t *ee = json_object_get(c, "ErrorEquals");
    int rnull = 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fprintf(f, ", .nerrors = %zu, .errors = %s, .next = %d", json_array_size(ee), emit_names(em, ee),
            asl_machine_find(s->machine, json_string_value(json_object_get(c, "Next"))));
    asl_em_field(f, "result_path", asl_em_path_field(em, c, "ResultPath", ASL_MODE_RESULTPATH, &rnull));
    if (rnull)
        fputs(", .result_null = 1", f);
    asl_em_field(f, "assign", s->jsonata ? asl_em_jtpl(em, json_object_get(c, "Assign"), "Assign")
                                        : asl_em_tpl(em, json_object_get(c, "Assign")));
    asl_em_field(f, "output", s->jsonata ? asl_em_jtpl(em, json_object_get(c, "Output"), "Output") : NULL);
    return asl_em_braced(f, &buf);
}

char *asl_em_recovery(struct em *em, struct asl_cstate *s)
{
    json_t *retry = json_object_get(s->node, "Retry"), *catch = json_object_get(s->node, "Catch");
    size_t nr = json_array_size(retry), nc = json_array_size(catch);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    if (nr) {
        char **rows = calloc(nr, sizeof *rows);
        if (!rows)
            abort();
        for (size_t i = 0; i < nr; i++)
            rows[i] = retrier(em, json_array_get(retry, i));
        fprintf(f, ", .nretry = %zu, .retry = %s", nr,
                asl_em_def(em, "struct asl_retrier", "retry", 1, asl_em_list(rows, nr, 0)));
    }
    if (nc) {
        char **rows = calloc(nc, sizeof *rows);
        if (!rows)
            abort();
        for (size_t i = 0; i < nc; i++)
            rows[i] = catcher(em, s, json_array_get(catch, i));
        fprintf(f, ", .ncatch = %zu, .catchers = %s", nc,
                asl_em_def(em, "struct asl_catcher", "catch", 1, asl_em_list(rows, nc, 0)));
    }
    char *rec = asl_em_braced(f, &buf);
    char *out = rec ? asl_em_fmt(", .rec = %s", rec) : strdup("");
    free(rec);
    return out;
}

static const char *const kind_enum[] = {
    [ASL_TASK_SERVICE] = "ASL_TASK_SERVICE", [ASL_TASK_LAMBDA] = "ASL_TASK_LAMBDA",
    [ASL_TASK_ACTIVITY] = "ASL_TASK_ACTIVITY", [ASL_TASK_PROGRAM] = "ASL_TASK_PROGRAM",
    [ASL_TASK_OTHER] = "ASL_TASK_OTHER",
};

const char *asl_em_task(struct em *em, struct asl_cstate *s)
{
    const char *resource = json_string_value(json_object_get(s->node, "Resource"));
    struct asl_resource r;
    asl_resource_parse(resource, &r);
    char **argv = r.argv;
    const char *const *bound = asl_em_binding(em, resource);
    if (bound)
        argv = (char **)bound;
    /* A bound task runs its program: libcurl only for real network calls.
     * Their AWS credential chain can ask STS for credentials (web identity,
     * profile roles: runtime/aws/sts.c), whose answers are XML and whose
     * requests aslc signs itself: expat and OpenSSL too. */
    if (r.invoker && !bound && (strcmp(r.invoker, "asl_invoke_lambda") == 0 ||
                                strcmp(r.invoker, "asl_invoke_lambda_api") == 0 ||
                                strcmp(r.invoker, "asl_invoke_http") == 0))
        em->needs->curl = em->needs->crypto = em->needs->expat = 1;
    char *aws = asl_aws_task_emit(em->decl, resource);
    if (aws && !bound)
        em->needs->curl = em->needs->crypto = em->needs->expat = 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fputs(", .resource = ", f);
    asl_cemit_cstr(f, resource);
    fprintf(f, ", .kind = %s", kind_enum[r.kind]);
    asl_em_field(f, "resource_type", r.type ? asl_em_str(r.type) : NULL);
    asl_em_field(f, "resource_name", r.name ? asl_em_str(r.name) : NULL);
    if (r.wait_for_token)
        fputs(", .wait_for_token = 1", f);
    if (argv) {
        size_t n = 0;
        while (argv[n])
            n++;
        char **words = calloc(n + 1, sizeof *words);
        if (!words)
            abort();
        for (size_t i = 0; i < n; i++)
            words[i] = asl_em_str(argv[i]);
        words[n] = strdup("NULL");
        fprintf(f, ", .argv = %s", asl_em_def(em, "char *const", "argv", 1, asl_em_list(words, n + 1, 1)));
    }
    if (r.invoker && !bound)
        fprintf(f, ", .invoke = %s", r.invoker);
    else if (aws && !bound)
        fprintf(f, ", .invoke = asl_invoke_aws, .aws_model = %s", aws);
    free(aws);
    asl_em_field(f, "timeout", num_field(s->node, "TimeoutSeconds", 1));
    asl_em_field(f, "timeout_path", asl_em_path_field(em, s->node, "TimeoutSecondsPath", ASL_MODE_REFPATH, NULL));
    asl_em_field(f, "heartbeat", num_field(s->node, "HeartbeatSeconds", 1));
    asl_em_field(f, "heartbeat_path", asl_em_path_field(em, s->node, "HeartbeatSecondsPath", ASL_MODE_REFPATH, NULL));
    asl_em_field(f, "timeout_jn", asl_em_jtpl_expr_only(em, s->node, "TimeoutSeconds"));
    asl_em_field(f, "heartbeat_jn", asl_em_jtpl_expr_only(em, s->node, "HeartbeatSeconds"));
    asl_em_field(f, "credentials", s->jsonata ? asl_em_jtpl(em, json_object_get(s->node, "Credentials"), "Credentials")
                                             : asl_em_tpl(em, json_object_get(s->node, "Credentials")));
    char *rec = asl_em_recovery(em, s);
    fputs(rec, f);
    free(rec);
    asl_resource_free(&r);
    return asl_em_def(em, "struct asl_task", "task", 0, asl_em_braced(f, &buf));
}

const char *asl_em_parallel(struct em *em, struct asl_cstate *s)
{
    char **branches = calloc(s->nchildren ? s->nchildren : 1, sizeof *branches);
    if (!branches)
        abort();
    for (size_t i = 0; i < s->nchildren; i++)
        branches[i] = asl_em_fmt("&machine_%d", s->children[i]->id);
    const char *list = asl_em_def(em, "struct asl_machine *const", "branches", 1,
                                  asl_em_list(branches, s->nchildren, 1));
    char *rec = asl_em_recovery(em, s);
    char *init = asl_em_fmt("{.nbranches = %zu, .branches = %s%s}", s->nchildren, list, rec);
    free(rec);
    return asl_em_def(em, "struct asl_parallel", "parallel", 0, init);
}
