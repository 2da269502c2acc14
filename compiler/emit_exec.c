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

static void emit_names(struct em *em, const char *name, json_t *arr)
{
    fprintf(em->decl, "static const char *const %s[] = {", name);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        fputs(i ? ", " : "", em->decl);
        asl_cemit_cstr(em->decl, json_string_value(json_array_get(arr, i)));
    }
    fputs("};\n", em->decl);
}

double asl_em_num_or(json_t *obj, const char *key, double dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

char *asl_em_recovery(struct em *em, struct asl_cstate *s)
{
    json_t *retry = json_object_get(s->node, "Retry"), *catch = json_object_get(s->node, "Catch");
    size_t nr = json_array_size(retry), nc = json_array_size(catch);
    if (nr) {
        for (size_t i = 0; i < nr; i++) {
            char *nm = asl_em_fmt("retry_%d_%zu_errors", s->gid, i);
            emit_names(em, nm, json_object_get(json_array_get(retry, i), "ErrorEquals"));
            free(nm);
        }
        fprintf(em->decl, "static const struct asl_retrier retry_%d[] = {\n", s->gid);
        for (size_t i = 0; i < nr; i++) {
            json_t *r = json_array_get(retry, i);
            json_t *js = json_object_get(r, "JitterStrategy");
            fprintf(em->decl, "    {.nerrors = %zu, .errors = retry_%d_%zu_errors, .interval = %.17g, "
                              ".max_attempts = %lld, .backoff = %.17g, .max_delay = %.17g, .jitter_full = %d},\n",
                    json_array_size(json_object_get(r, "ErrorEquals")), s->gid, i,
                    asl_em_num_or(r, "IntervalSeconds", 1), (long long)asl_em_num_or(r, "MaxAttempts", 3),
                    asl_em_num_or(r, "BackoffRate", 2.0), asl_em_num_or(r, "MaxDelaySeconds", -1),
                    json_is_string(js) && strcmp(json_string_value(js), "FULL") == 0);
        }
        fputs("};\n", em->decl);
    }
    if (nc) {
        char **rows = calloc(nc, sizeof *rows);
        if (!rows)
            abort();
        for (size_t i = 0; i < nc; i++) {
            json_t *c = json_array_get(catch, i);
            char *nm = asl_em_fmt("catch_%d_%zu_errors", s->gid, i);
            emit_names(em, nm, json_object_get(c, "ErrorEquals"));
            int rnull;
            char *rp = asl_em_path_field(em, c, "ResultPath", ASL_MODE_RESULTPATH, &rnull);
            char *as = s->jsonata ? asl_em_jtpl(em, json_object_get(c, "Assign"), "Assign")
                                  : asl_em_tpl(em, json_object_get(c, "Assign"));
            char *op = s->jsonata ? asl_em_jtpl(em, json_object_get(c, "Output"), "Output") : strdup("NULL");
            int next = asl_machine_find(s->machine, json_string_value(json_object_get(c, "Next")));
            rows[i] = asl_em_fmt("    {.nerrors = %zu, .errors = %s, .next = %d, .result_path = %s, "
                                 ".result_null = %d, .assign = %s, .output = %s},\n",
                                 json_array_size(json_object_get(c, "ErrorEquals")), nm, next, rp, rnull, as, op);
            free(op);
            free(nm);
            free(rp);
            free(as);
        }
        fprintf(em->decl, "static const struct asl_catcher catch_%d[] = {\n", s->gid);
        for (size_t i = 0; i < nc; i++) {
            fputs(rows[i], em->decl);
            free(rows[i]);
        }
        fputs("};\n", em->decl);
        free(rows);
    }
    char *r = nr ? asl_em_fmt("retry_%d", s->gid) : strdup("NULL");
    char *c = nc ? asl_em_fmt("catch_%d", s->gid) : strdup("NULL");
    char *out = asl_em_fmt(".rec = {.nretry = %zu, .retry = %s, .ncatch = %zu, .catchers = %s}", nr, r, nc, c);
    free(r);
    free(c);
    return out;
}

static const char *const kind_enum[] = {
    [ASL_TASK_SERVICE] = "ASL_TASK_SERVICE", [ASL_TASK_LAMBDA] = "ASL_TASK_LAMBDA",
    [ASL_TASK_ACTIVITY] = "ASL_TASK_ACTIVITY", [ASL_TASK_PROGRAM] = "ASL_TASK_PROGRAM",
    [ASL_TASK_OTHER] = "ASL_TASK_OTHER",
};

char *asl_em_task(struct em *em, struct asl_cstate *s)
{
    const char *resource = json_string_value(json_object_get(s->node, "Resource"));
    struct asl_resource r;
    asl_resource_parse(resource, &r);
    char **argv = r.argv;
    const char *const *bound = asl_em_binding(em, resource);
    if (bound)
        argv = (char **)bound;
    if (argv) {
        fprintf(em->decl, "static const char *const task_%d_argv[] = {", s->gid);
        for (size_t i = 0; argv[i]; i++) {
            asl_cemit_cstr(em->decl, argv[i]);
            fputs(", ", em->decl);
        }
        fputs("NULL};\n", em->decl);
    }
    /* A bound task runs its program: libcurl only for real network calls. */
    if (r.invoker && !bound && (strcmp(r.invoker, "asl_invoke_lambda") == 0 ||
                      strcmp(r.invoker, "asl_invoke_lambda_api") == 0 ||
                      strcmp(r.invoker, "asl_invoke_http") == 0))
        em->needs->curl = 1;
    char *aws = asl_aws_task_emit(em->decl, resource);
    if (aws && !bound)
        em->needs->curl = em->needs->crypto = em->needs->expat = 1;
    char *tp = asl_em_path_field(em, s->node, "TimeoutSecondsPath", ASL_MODE_REFPATH, NULL);
    char *hp = asl_em_path_field(em, s->node, "HeartbeatSecondsPath", ASL_MODE_REFPATH, NULL);
    char *cred = s->jsonata ? asl_em_jtpl(em, json_object_get(s->node, "Credentials"), "Credentials")
                            : asl_em_tpl(em, json_object_get(s->node, "Credentials"));
    char *tj = asl_em_jtpl_expr_only(em, s->node, "TimeoutSeconds");
    char *hj = asl_em_jtpl_expr_only(em, s->node, "HeartbeatSeconds");
    char *rec = asl_em_recovery(em, s);
    fprintf(em->tab, "static const struct asl_task task_%d = {\n    .resource = ", s->gid);
    asl_cemit_cstr(em->tab, resource);
    fprintf(em->tab, ", .kind = %s,\n    .resource_type = ", kind_enum[r.kind]);
    asl_cemit_cstr(em->tab, r.type);
    fputs(", .resource_name = ", em->tab);
    asl_cemit_cstr(em->tab, r.name);
    fprintf(em->tab, ", .wait_for_token = %d,\n", r.wait_for_token);
    if (argv)
        fprintf(em->tab, "    .argv = task_%d_argv,\n", s->gid);
    if (r.invoker && !bound)
        fprintf(em->tab, "    .invoke = %s,\n", r.invoker);
    else if (aws && !bound)
        fprintf(em->tab, "    .invoke = asl_invoke_aws, .aws_model = %s,\n", aws);
    free(aws);
    fprintf(em->tab, "    .timeout = %lld, .timeout_path = %s, .heartbeat = %lld, .heartbeat_path = %s,\n"
                     "    .timeout_jn = %s, .heartbeat_jn = %s,\n    .credentials = %s,\n    %s,\n};\n",
            (long long)asl_em_num_or(s->node, "TimeoutSeconds", -1), tp,
            (long long)asl_em_num_or(s->node, "HeartbeatSeconds", -1), hp, tj, hj, cred, rec);
    free(tj);
    free(hj);
    free(tp);
    free(hp);
    free(cred);
    free(rec);
    asl_resource_free(&r);
    return asl_em_fmt("&task_%d", s->gid);
}

char *asl_em_parallel(struct em *em, struct asl_cstate *s)
{
    char *rec = asl_em_recovery(em, s);
    fprintf(em->tab, "static const struct asl_machine *const parallel_%d_branches[] = {", s->gid);
    for (size_t i = 0; i < s->nchildren; i++)
        fprintf(em->tab, "%s&machine_%d", i ? ", " : "", s->children[i]->id);
    fprintf(em->tab, "};\nstatic const struct asl_parallel parallel_%d = {.nbranches = %zu, "
                     ".branches = parallel_%d_branches, %s};\n",
            s->gid, s->nchildren, s->gid, rec);
    free(rec);
    return asl_em_fmt("&parallel_%d", s->gid);
}
