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
static const char *emit_names(struct em *em, const char *const *errors, size_t n)
{
    char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < n; i++)
        names[i] = asl_em_str(errors[i]);
    return asl_em_def(em, "char *const", "errors", 1, asl_em_list(names, n, 1));
}

static char *real(int has, double v)
{
    return has ? asl_em_fmt("%.17g", v) : NULL;
}

static char *whole(int has, long long v)
{
    return has ? asl_em_fmt("%lld", v) : NULL;
}

static char *retrier(struct em *em, const struct asl_cretrier *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fprintf(f, ", .nerrors = %zu, .errors = %s", r->nerrors, emit_names(em, r->errors, r->nerrors));
    asl_em_field(f, "interval", real(r->has_interval, r->interval));
    if (r->has_max_attempts)
        fputs(", .has_max_attempts = 1", f);
    asl_em_field(f, "max_attempts", whole(r->has_max_attempts, r->max_attempts));
    asl_em_field(f, "backoff", real(r->has_backoff, r->backoff));
    asl_em_field(f, "max_delay", real(r->has_max_delay, r->max_delay));
    if (r->jitter_full)
        fputs(", .jitter_full = 1", f);
    return asl_em_braced(f, &buf);
}

static char *catcher(struct em *em, const struct asl_ccatcher *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    fprintf(f, ", .nerrors = %zu, .errors = %s, .next = %d", c->nerrors, emit_names(em, c->errors, c->nerrors),
            c->next);
    asl_em_field(f, "result_path", asl_em_path_ref(em, c->result_path));
    if (c->result_null)
        fputs(", .result_null = 1", f);
    asl_em_field(f, "assign", asl_em_tpl(em, c->assign));
    asl_em_field(f, "output", asl_em_tpl(em, c->output));
    return asl_em_braced(f, &buf);
}

char *asl_em_recovery(struct em *em, const struct asl_crecovery *rec)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    if (rec->nretry) {
        char **rows = calloc(rec->nretry, sizeof *rows);
        if (!rows)
            abort();
        for (size_t i = 0; i < rec->nretry; i++)
            rows[i] = retrier(em, &rec->retry[i]);
        fprintf(f, ", .nretry = %zu, .retry = %s", rec->nretry,
                asl_em_def(em, "struct asl_retrier", "retry", 1, asl_em_list(rows, rec->nretry, 0)));
    }
    if (rec->ncatch) {
        char **rows = calloc(rec->ncatch, sizeof *rows);
        if (!rows)
            abort();
        for (size_t i = 0; i < rec->ncatch; i++)
            rows[i] = catcher(em, &rec->catchers[i]);
        fprintf(f, ", .ncatch = %zu, .catchers = %s", rec->ncatch,
                asl_em_def(em, "struct asl_catcher", "catch", 1, asl_em_list(rows, rec->ncatch, 0)));
    }
    char *r = asl_em_braced(f, &buf);
    char *out = r ? asl_em_fmt(", .rec = %s", r) : strdup("");
    free(r);
    return out;
}

static const char *const kind_enum[] = {
    [ASL_TASK_SERVICE] = "ASL_TASK_SERVICE", [ASL_TASK_LAMBDA] = "ASL_TASK_LAMBDA",
    [ASL_TASK_ACTIVITY] = "ASL_TASK_ACTIVITY", [ASL_TASK_PROGRAM] = "ASL_TASK_PROGRAM",
    [ASL_TASK_OTHER] = "ASL_TASK_OTHER",
};

const char *asl_em_task(struct em *em, const struct asl_cstate *s)
{
    const struct asl_ctask *t = &s->spec->u.task;
    const char *resource = t->resource;
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
    asl_em_field(f, "timeout", whole(t->has_timeout, t->timeout));
    asl_em_field(f, "timeout_path", asl_em_path_ref(em, t->timeout_path));
    asl_em_field(f, "heartbeat", whole(t->has_heartbeat, t->heartbeat));
    asl_em_field(f, "heartbeat_path", asl_em_path_ref(em, t->heartbeat_path));
    asl_em_field(f, "timeout_jn", asl_em_tpl(em, t->timeout_jn));
    asl_em_field(f, "heartbeat_jn", asl_em_tpl(em, t->heartbeat_jn));
    asl_em_field(f, "credentials", asl_em_tpl(em, t->credentials));
    char *rec = asl_em_recovery(em, &s->spec->rec);
    fputs(rec, f);
    free(rec);
    asl_resource_free(&r);
    return asl_em_def(em, "struct asl_task", "task", 0, asl_em_braced(f, &buf));
}

const char *asl_em_parallel(struct em *em, const struct asl_cstate *s)
{
    char **branches = calloc(s->nchildren ? s->nchildren : 1, sizeof *branches);
    if (!branches)
        abort();
    for (size_t i = 0; i < s->nchildren; i++)
        branches[i] = asl_em_fmt("&machine_%d", s->children[i]->id);
    const char *list = asl_em_def(em, "struct asl_machine *const", "branches", 1,
                                  asl_em_list(branches, s->nchildren, 1));
    char *rec = asl_em_recovery(em, &s->spec->rec);
    char *init = asl_em_fmt("{.nbranches = %zu, .branches = %s%s}", s->nchildren, list, rec);
    free(rec);
    return asl_em_def(em, "struct asl_parallel", "parallel", 0, init);
}
