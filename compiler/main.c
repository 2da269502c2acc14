/*
 * main.c - the aslc command line.
 *
 *   aslc build DEFINITION.json [-o BINARY] [--emit-c FILE] [-O LEVEL] [--cc CC]
 *   aslc check DEFINITION.json
 *   aslc emit-c DEFINITION.json
 *   aslc --help | --version
 */
#define _GNU_SOURCE     /* mkstemps */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aslc_config.h"
#include "cc.h"
#include "check.h"
#include "emit.h"
#include "model.h"
#include "models/models.h"

static void usage(FILE *f)
{
    fputs("usage: aslc build DEFINITION.json [-o BINARY] [--emit-c FILE] [-O LEVEL] [--cc CC]\n"
          "                  [--bind RESOURCE=PROGRAM]... [--aws-models DIR]... [-v]\n"
          "       aslc check DEFINITION.json\n"
          "       aslc emit-c DEFINITION.json\n"
          "       aslc --help | --version\n"
          "\n"
          "build   compile an Amazon States Language definition into a native executable\n"
          "        (default name: the definition's name without .asl.json / .json)\n"
          "check   report every problem in the definition; exit 0 valid, 1 invalid\n"
          "emit-c  print the generated C program\n", f);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *nb = realloc(buf, (cap *= 2) + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* workflow.asl.json -> workflow */
static char *default_output(const char *def)
{
    const char *b = base_name(def);
    size_t n = strlen(b);
    static const char *const suffixes[] = {".asl.json", ".json", ".asl"};
    for (size_t i = 0; i < 3; i++) {
        size_t sl = strlen(suffixes[i]);
        if (n > sl && strcmp(b + n - sl, suffixes[i]) == 0) {
            n -= sl;
            break;
        }
    }
    char *out = strndup(b, n);
    if (strcmp(out, b) == 0) {
        free(out);
        size_t bl = strlen(b);
        out = malloc(bl + 5);
        snprintf(out, bl + 5, "%s.out", b);
    }
    return out;
}

/* Load and check; NULL (with diagnostics printed) when invalid. */
static struct asl_model *load_checked(const char *file)
{
    struct asl_diags d = {.file = file};
    struct asl_model *m = asl_load(file, &d);
    if (m && !d.errors)
        asl_check(m, &d);
    if (d.errors) {
        fprintf(stderr, "%s: %d error%s\n", file, d.errors, d.errors == 1 ? "" : "s");
        asl_model_free(m);
        return NULL;
    }
    return m;
}

static int emit_to(FILE *out, struct asl_model *m, const char *file, struct asl_link_needs *needs,
                   const char *const *binds, size_t nbinds)
{
    size_t len = 0;
    char *text = read_file(file, &len);
    if (!text) {
        fprintf(stderr, "aslc: cannot read %s: %s\n", file, strerror(errno));
        return -1;
    }
    struct asl_emit_opts o = {.source_name = base_name(file), .definition = text, .definition_len = len,
                              .nbindings = nbinds, .bindings = binds};
    int rc = asl_emit(out, m, &o, needs);
    free(text);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    struct asl_model *m = load_checked(argv[0]);
    if (!m)
        return 1;
    asl_model_free(m);
    return 0;
}

static int cmd_emit(int argc, char **argv)
{
    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    struct asl_model *m = load_checked(argv[0]);
    if (!m)
        return 1;
    struct asl_link_needs needs;
    int rc = emit_to(stdout, m, argv[0], &needs, NULL, 0);
    asl_model_free(m);
    return rc == 0 ? 0 : 1;
}

static int cmd_build(int argc, char **argv)
{
    const char *def = NULL, *out = NULL, *emit_c = NULL;
    struct asl_cc_opts cco = {0};
    const char **binds = NULL;
    size_t nbinds = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--emit-c") == 0 || strcmp(a, "--cc") == 0 ||
             strcmp(a, "-O") == 0) && i + 1 >= argc) {
            fprintf(stderr, "aslc: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--bind") == 0 && i + 1 < argc) {
            const char *b = argv[++i];
            const char *eq = strchr(b, '=');
            if (!eq || eq == b || !eq[1 + strspn(eq + 1, " \t")]) {
                fprintf(stderr, "aslc: --bind takes RESOURCE=PROGRAM [ARGS...]\n");
                free(binds);
                return 2;
            }
            binds = realloc(binds, (nbinds + 1) * sizeof *binds);
            if (!binds)
                abort();
            binds[nbinds++] = b;
        } else if (strcmp(a, "-o") == 0)
            out = argv[++i];
        else if (strcmp(a, "--emit-c") == 0)
            emit_c = argv[++i];
        else if (strcmp(a, "--cc") == 0)
            cco.cc = argv[++i];
        else if (strcmp(a, "-O") == 0)
            cco.opt_level = argv[++i];
        else if (strncmp(a, "-O", 2) == 0 && a[2])
            cco.opt_level = a + 2;
        else if (strcmp(a, "-v") == 0)
            cco.verbose = 1;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "aslc: unknown option %s\n", a);
            return 2;
        } else if (!def)
            def = a;
        else {
            fprintf(stderr, "aslc: one definition at a time (got %s and %s)\n", def, a);
            return 2;
        }
    }
    if (!def) {
        usage(stderr);
        free(binds);
        return 2;
    }
    if (cco.opt_level && !strchr("0123sg", cco.opt_level[0])) {
        fprintf(stderr, "aslc: -O takes 0, 1, 2, 3, s or g\n");
        return 2;
    }
    struct asl_model *m = load_checked(def);
    if (!m) {
        free(binds);
        return 1;
    }
    char *outname = out ? strdup(out) : default_output(def);
    char tmpl[] = "/tmp/aslc-XXXXXX.c";
    const char *cfile = emit_c;
    FILE *f;
    int tmpfd = -1;
    if (emit_c) {
        f = fopen(emit_c, "w");
    } else {
        tmpfd = mkstemps(tmpl, 2);
        f = tmpfd >= 0 ? fdopen(tmpfd, "w") : NULL;
        cfile = tmpl;
    }
    int rc = 1;
    struct asl_link_needs needs;
    if (!f) {
        fprintf(stderr, "aslc: cannot write %s: %s\n", cfile, strerror(errno));
    } else {
        int erc = emit_to(f, m, def, &needs, binds, nbinds);
        if (fclose(f) != 0 || erc != 0)
            fprintf(stderr, "aslc: cannot write %s\n", cfile);
        else if (asl_cc_build(cfile, outname, &needs, &cco) == 0)
            rc = 0;
    }
    if (!emit_c && tmpfd >= 0)
        unlink(tmpl);
    free(outname);
    free(binds);
    asl_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("aslc %s\n", ASLC_VERSION);
        return 0;
    }
    /* --aws-models DIR (any command, repeatable): AWS service models to
     * search before the installed ones (docs/aws-services.md). */
    int kept = 2;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--aws-models") == 0 && i + 1 < argc)
            asl_models_add_dir(argv[++i]);
        else if (strncmp(argv[i], "--aws-models=", 13) == 0)
            asl_models_add_dir(argv[i] + 13);
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    if (strcmp(cmd, "build") == 0)
        return cmd_build(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "emit-c") == 0)
        return cmd_emit(argc - 2, argv + 2);
    fprintf(stderr, "aslc: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
