/*
 * tasks.c - `aslc tasks DEFINITION`: each Task state, its Resource and how
 * the compiled binary would run it.  One line per Task:
 *
 *   POINTER<TAB>RESOURCE<TAB>HOW
 *
 * HOW is one of: "program: ARGV" (aslc:exec:), "bound: ARGV" (--bind),
 * "network: HTTP over libcurl", "network: Lambda Invoke over libcurl",
 * "network: AWS API call SERVICE OPERATION (protocol, signing, endpoint,
 * models)" (aws-sdk:* and the optimized integrations, asl_aws_task_describe),
 * "needs --bind or --mock-config" (activities and services without a
 * built-in client).  A mock config, given at run time,
 * takes over any of them.  `aslc build -v` prints the same lines to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "models/aws_task.h"
#include "resource.h"
#include "vocab.h"

static void print_argv(FILE *out, char *const *argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        fprintf(out, "%s%s", i ? " " : "", argv[i]);
}

static void list_states(FILE *out, json_t *machine, const char *base, char *const *binds, size_t nbinds)
{
    json_t *states = json_object_get(machine, "States");
    const char *name;
    json_t *st;
    json_object_foreach(states, name, st) {
        char *sp = asl_ptr_join(base, "States");
        char *ptr = asl_ptr_join(sp, name);
        free(sp);
        const char *type = json_string_value(json_object_get(st, "Type"));
        if (type && asl_state_type_lookup(type) == ASL_TASK) {
            const char *res = json_string_value(json_object_get(st, "Resource"));
            if (!res)
                res = "";
            fprintf(out, "%s\t%s\t", ptr, res);
            const char *bound = NULL;
            for (size_t i = 0; i < nbinds; i++)
                if (asl_binding_matches(binds[i], res)) {
                    bound = strchr(binds[i], '=') + 1;
                    break;
                }
            struct asl_resource r;
            asl_resource_parse(res, &r);
            char *aws = bound || r.kind == ASL_TASK_PROGRAM || r.invoker ? NULL : asl_aws_task_describe(res);
            if (bound) {
                fprintf(out, "bound: %s", bound);
            } else if (r.kind == ASL_TASK_PROGRAM) {
                fputs("program: ", out);
                print_argv(out, r.argv);
            } else if (r.invoker && strcmp(r.invoker, "asl_invoke_http") == 0) {
                fputs("network: HTTP over libcurl", out);
            } else if (r.invoker) {
                fputs("network: Lambda Invoke over libcurl", out);
            } else if (aws) {
                fprintf(out, "network: %s", aws);
            } else {
                fputs("needs --bind or --mock-config", out);
            }
            json_t *cred = json_object_get(st, "Credentials");
            if (json_is_object(cred)) {
                const char *lit = json_string_value(json_object_get(cred, "RoleArn"));
                const char *path = json_string_value(json_object_get(cred, "RoleArn.$"));
                if (bound || r.kind == ASL_TASK_PROGRAM)
                    fputs("; Credentials: not used by a local program", out);
                else if (path)
                    fprintf(out, "; assumes the role at %s (Credentials, STS AssumeRole)", path);
                else if (lit && strncmp(lit, "{%", 2) != 0)
                    fprintf(out, "; assumes %s (Credentials, STS AssumeRole)", lit);
                else
                    fputs("; assumes the role RoleArn evaluates to (Credentials, STS AssumeRole)", out);
            }
            fputc('\n', out);
            free(aws);
            asl_resource_free(&r);
        }
        json_t *branches = json_object_get(st, "Branches");
        size_t i;
        json_t *b;
        json_array_foreach(branches, i, b) {
            char *bp = asl_ptr_join(ptr, "Branches");
            char *ip = asl_ptr_index(bp, i);
            list_states(out, b, ip, binds, nbinds);
            free(bp);
            free(ip);
        }
        static const char *const procs[] = {"ItemProcessor", "Iterator"};
        for (int k = 0; k < 2; k++) {
            json_t *p = json_object_get(st, procs[k]);
            if (json_is_object(p)) {
                char *pp = asl_ptr_join(ptr, procs[k]);
                list_states(out, p, pp, binds, nbinds);
                free(pp);
            }
        }
        free(ptr);
    }
}

void asl_tasks_report(FILE *out, json_t *doc, char *const *binds, size_t nbinds)
{
    list_states(out, doc, "", binds, nbinds);
}

int asl_cmd_tasks(int argc, char **argv, const char *usage_text)
{
    const char *def = NULL;
    char **binds = NULL;
    size_t nbinds = 0;
    int rc = 2;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--bind") == 0 && i + 1 < argc && strchr(argv[i + 1], '=')) {
            binds = realloc(binds, (nbinds + 1) * sizeof *binds);
            if (!binds)
                abort();
            binds[nbinds++] = argv[++i];
        } else if (a[0] == '-' || def) {
            fprintf(stderr, "aslc tasks: unexpected argument %s\n", a);
            fputs(usage_text, stderr);
            goto out;
        } else {
            def = a;
        }
    }
    if (!def) {
        fputs(usage_text, stderr);
        goto out;
    }
    struct asl_model *m = asl_load_checked(def);
    if (!m) {
        rc = 1;
        goto out;
    }
    asl_tasks_report(stdout, m->doc, binds, nbinds);
    asl_model_free(m);
    rc = 0;
out:
    free(binds);
    return rc;
}
