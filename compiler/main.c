/*
 * main.c - the aslc command line.
 *
 *   aslc build DEFINITION.json [-o BINARY] [--static] [--emit-c FILE] [-O LEVEL] [--cc CC]
 *   aslc check DEFINITION.json...
 *   aslc emit-c DEFINITION.json
 *   aslc tasks DEFINITION.json
 *   aslc graph DEFINITION.json [--format dot|svg|mermaid] [--history HISTORY.json]
 *   aslc --help | --version
 */
#define _GNU_SOURCE     /* mkstemps */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aslc_config.h"
#include "cc.h"
#include "check.h"
#include "emit.h"
#include "commands.h"
#include "model.h"
#include "models/models.h"

static const char *const usage_build =
    "usage: aslc build DEFINITION.json [-o BINARY] [--static] [--emit-c FILE] [-O LEVEL]\n"
    "                  [--cc CC] [--bind RESOURCE=PROGRAM]... [--aws-models DIR]... [-v]\n"
    "\n"
    "Compile an Amazon States Language definition into a native executable (default name:\n"
    "the definition's name without .asl.json / .json).\n"
    "\n"
    "  -o BINARY              the executable to write (written under a temporary name, renamed at the end)\n"
    "  --static               a fully static executable (runs in an empty root filesystem)\n"
    "  --emit-c FILE          keep the generated C in FILE\n"
    "  -O LEVEL               0 (default), 1, 2, 3, s or g\n"
    "  --cc CC                the C compiler (default $CC, else cc), split into words like a shell would\n"
    "  --bind RESOURCE=PROG   run PROG for Task states with that Resource; a relative PROG path is\n"
    "                         made absolute now, so the binary runs it from any folder\n"
    "  --aws-models DIR       AWS service models searched before the installed ones\n"
    "  -v                     list each Task and how it runs (as aslc tasks), show the compiler command\n"
    "\n"
    "Exit status: 0 built, 1 the definition is invalid or the C compiler failed, 2 usage error.\n";
static const char *const usage_check =
    "usage: aslc check DEFINITION.json...\n"
    "\n"
    "Report every problem in each definition.  Exit status: 0 all valid, 1 any invalid,\n"
    "2 usage error.  Nothing is written.\n";
static const char *const usage_emit =
    "usage: aslc emit-c DEFINITION.json\n"
    "\n"
    "Print the generated C program on stdout (the same definition always gives the same bytes).\n";
static const char *const usage_tasks =
    "usage: aslc tasks DEFINITION.json [--bind RESOURCE=PROGRAM]...\n"
    "\n"
    "List each Task state (pointer, Resource) and how the compiled binary would run it:\n"
    "a local program, a bound program, HTTP or Lambda over the network, or nothing yet\n"
    "(such a Task needs --bind or a mock config when it runs).\n";

static void usage(FILE *f)
{
    fputs("usage: aslc build DEFINITION.json [-o BINARY] [--static] [--emit-c FILE] [-O LEVEL] [--cc CC]\n"
          "                  [--bind RESOURCE=PROGRAM]... [--aws-models DIR]... [-v]\n"
          "       aslc check DEFINITION.json...\n"
          "       aslc emit-c DEFINITION.json\n"
          "       aslc tasks DEFINITION.json [--bind RESOURCE=PROGRAM]...\n"
          "       aslc graph DEFINITION.json [--format dot|svg|mermaid] [--history HISTORY.json] [-o FILE]\n"
          "       aslc --help | --version\n"
          "\n"
          "build   compile an Amazon States Language definition into a native executable\n"
          "check   report every problem in the definitions; exit 0 valid, 1 invalid\n"
          "emit-c  print the generated C program\n"
          "tasks   list each Task state and how it would run\n"
          "graph   draw the workflow (and, with a history, what happened in a run)\n"
          "\n"
          "aslc COMMAND --help describes one command; `man aslc` all of them.\n", f);
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
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
    int nfiles = 0, bad = 0;
    for (int i = 0; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_check, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--") != 0 && argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "aslc check: unknown option %s\n", argv[i]);
            fputs(usage_check, stderr);
            return 2;
        }
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            continue;
        nfiles++;
        struct asl_model *m = asl_load_checked(argv[i]);
        if (!m)
            bad++;
        asl_model_free(m);
    }
    if (!nfiles) {
        fputs(usage_check, stderr);
        return 2;
    }
    return bad ? 1 : 0;
}

static int one_definition(int argc, char **argv, const char *usage_text, const char **def)
{
    *def = NULL;
    for (int i = 0; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_text, stdout);
            return 0;
        }
    }
    if (argc != 1 || (argv[0][0] == '-' && argv[0][1])) {
        fputs(usage_text, stderr);
        return 2;
    }
    *def = argv[0];
    return -1;
}

static int cmd_emit(int argc, char **argv)
{
    const char *def;
    int rc = one_definition(argc, argv, usage_emit, &def);
    if (rc >= 0)
        return rc;
    struct asl_model *m = asl_load_checked(def);
    if (!m)
        return 1;
    struct asl_link_needs needs;
    rc = emit_to(stdout, m, def, &needs, NULL, 0);
    asl_model_free(m);
    return rc == 0 ? 0 : 1;
}

/* --bind RESOURCE=PROGRAM [ARGS]: a relative PROGRAM path (one with a '/'
 * that does not start with one) becomes absolute against the current folder,
 * so the binary finds it wherever it is started from (cron starts in $HOME).
 * A bare name is left to $PATH at run time.  NULL when the value is malformed. */
static char *resolve_binding(const char *b)
{
    const char *eq = strchr(b, '=');
    if (!eq || eq == b || !eq[1 + strspn(eq + 1, " \t")])
        return NULL;
    const char *prog = eq + 1 + strspn(eq + 1, " \t");
    size_t plen = strcspn(prog, " \t");
    if (prog[0] == '/' || !memchr(prog, '/', plen))
        return strdup(b);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return strdup(b);
    size_t n = strlen(b) + strlen(cwd) + 2;
    char *out = malloc(n);
    if (!out)
        abort();
    const char *rel = prog;
    if (strncmp(rel, "./", 2) == 0)
        rel += 2;
    snprintf(out, n, "%.*s%s/%s", (int)(prog - b), b, cwd, rel);
    return out;
}

static void free_bindings(char **binds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(binds[i]);
    free(binds);
}

/* Is the folder that will hold path there and writable?  0, or -1 with a message. */
static int output_folder_ok(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "aslc: cannot write %s: the folder %s does not exist\n", path, dir);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "aslc: cannot write %s: %s is not a folder\n", path, dir);
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "aslc: cannot write %s: the folder %s is not writable\n", path, dir);
        return -1;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "aslc: cannot write %s: it is a folder\n", path);
        return -1;
    }
    return 0;
}

static int cmd_build(int argc, char **argv)
{
    const char *def = NULL, *out = NULL, *emit_c = NULL;
    struct asl_cc_opts cco = {0};
    char **binds = NULL;
    size_t nbinds = 0;
    for (int i = 0; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_build, stdout);
            return 0;
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--emit-c") == 0 || strcmp(a, "--cc") == 0 ||
             strcmp(a, "-O") == 0 || strcmp(a, "--bind") == 0) && i + 1 >= argc) {
            fprintf(stderr, "aslc: %s needs a value\n", a);
            free_bindings(binds, nbinds);
            return 2;
        }
        if (strcmp(a, "--bind") == 0) {
            char *b = resolve_binding(argv[++i]);
            if (!b) {
                fprintf(stderr, "aslc: --bind takes RESOURCE=PROGRAM [ARGS...]\n");
                free_bindings(binds, nbinds);
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
        else if (strcmp(a, "--static") == 0)
            cco.static_link = 1;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "aslc: unknown option %s\n", a);
            fputs(usage_build, stderr);
            free_bindings(binds, nbinds);
            return 2;
        } else if (!def)
            def = a;
        else {
            fprintf(stderr, "aslc: one definition at a time (got %s and %s)\n", def, a);
            free_bindings(binds, nbinds);
            return 2;
        }
    }
    if (!def) {
        fputs(usage_build, stderr);
        free_bindings(binds, nbinds);
        return 2;
    }
    if (cco.opt_level && (!strchr("0123sg", cco.opt_level[0]) || cco.opt_level[1])) {
        fprintf(stderr, "aslc: -O takes 0, 1, 2, 3, s or g\n");
        free_bindings(binds, nbinds);
        return 2;
    }
    char *outname = out ? strdup(out) : default_output(def);
    if (output_folder_ok(outname) != 0 || (emit_c && output_folder_ok(emit_c) != 0)) {
        free(outname);
        free_bindings(binds, nbinds);
        return 2;
    }
    struct asl_model *m = asl_load_checked(def);
    if (!m) {
        free(outname);
        free_bindings(binds, nbinds);
        return 1;
    }
    if (cco.verbose)
        asl_tasks_report(stderr, m->doc, binds, nbinds);
    /* From here every exit path, a signal included, removes the temporary files. */
    asl_cc_guard_signals();
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    size_t tl = strlen(tmpdir) + 20;
    char *tmpl = malloc(tl);
    if (!tmpl)
        abort();
    snprintf(tmpl, tl, "%s/aslc-XXXXXX.c", tmpdir);
    const char *cfile = emit_c;
    FILE *f;
    int tmpfd = -1;
    if (emit_c) {
        f = fopen(emit_c, "w");
    } else {
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        tmpfd = mkstemps(tmpl, 2);
        if (tmpfd >= 0)
            asl_cc_temp_add(tmpl);
        sigprocmask(SIG_SETMASK, &old, NULL);
        f = tmpfd >= 0 ? fdopen(tmpfd, "w") : NULL;
        cfile = tmpl;
    }
    int rc = 1;
    struct asl_link_needs needs;
    if (!f) {
        fprintf(stderr, "aslc: cannot write %s: %s\n", cfile, strerror(errno));
    } else {
        int erc = emit_to(f, m, def, &needs, (const char *const *)binds, nbinds);
        if (fclose(f) != 0 || erc != 0)
            fprintf(stderr, "aslc: cannot write %s\n", cfile);
        else if (asl_cc_build(cfile, outname, &needs, &cco) == 0)
            rc = 0;
    }
    asl_cc_temp_remove_all();
    free(tmpl);
    free(outname);
    free_bindings(binds, nbinds);
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
    if (is_help(cmd) || strcmp(cmd, "help") == 0) {
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
    if (strcmp(cmd, "tasks") == 0)
        return asl_cmd_tasks(argc - 2, argv + 2, usage_tasks);
    if (strcmp(cmd, "graph") == 0)
        return asl_cmd_graph(argc - 2, argv + 2);
    fprintf(stderr, "aslc: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
