/*
 * cc.c - find the runtime, run the C compiler.
 *
 * The runtime is looked up relative to the aslc executable first (an
 * installed tree: BIN/../lib/aslc/libaslrt.a and BIN/../include/aslc), so a
 * moved install prefix keeps working; then in the build tree aslc was
 * built in.
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aslc_config.h"
#include "cc.h"

extern char **environ;

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Directory of the running executable, or NULL. */
static char *exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return strdup(buf);
}

static int find_runtime(char *lib, size_t ln, char *inc, size_t in)
{
    const char *home = getenv("ASLC_RUNTIME_DIR");
    if (home) {
        snprintf(lib, ln, "%s/libaslrt.a", home);
        snprintf(inc, in, "%s/include", home);
        if (file_exists(lib))
            return 0;
    }
    char *dir = exe_dir();
    if (dir) {
        snprintf(lib, ln, "%s/%s/libaslrt.a", dir, ASLC_REL_LIBDIR);
        snprintf(inc, in, "%s/%s", dir, ASLC_REL_INCLUDEDIR);
        char hdr[2 * PATH_MAX + 16];
        snprintf(hdr, sizeof hdr, "%s/aslrt.h", inc);
        free(dir);
        if (file_exists(lib) && file_exists(hdr))
            return 0;
    }
    snprintf(lib, ln, "%s/libaslrt.a", ASLC_BUILD_RUNTIME_DIR);
    snprintf(inc, in, "%s", ASLC_SOURCE_RUNTIME_INCLUDE);
    if (file_exists(lib))
        return 0;
    fprintf(stderr, "aslc: cannot find the runtime library libaslrt.a (looked next to aslc and in %s);\n"
                    "      set ASLC_RUNTIME_DIR to the folder holding it\n", ASLC_BUILD_RUNTIME_DIR);
    return -1;
}

static void push(char ***argv, size_t *n, const char *s)
{
    *argv = realloc(*argv, (*n + 2) * sizeof **argv);
    if (!*argv)
        abort();
    (*argv)[(*n)++] = strdup(s);
    (*argv)[*n] = NULL;
}

/* Split a flag string like "-fsanitize=address -fno-omit-frame-pointer". */
static void push_words(char ***argv, size_t *n, const char *s)
{
    char *copy = strdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        push(argv, n, w);
    free(copy);
}

int asl_cc_build(const char *c_file, const char *out_binary, const struct asl_link_needs *needs,
                 const struct asl_cc_opts *o)
{
    char lib[2 * PATH_MAX], inc[2 * PATH_MAX];
    if (find_runtime(lib, sizeof lib, inc, sizeof inc) != 0)
        return -1;
    const char *cc = o->cc ? o->cc : getenv("CC");
    if (!cc || !*cc)
        cc = "cc";
    char **argv = NULL;
    size_t n = 0;
    char opt[16];
    /* The generated C is tables and calls into the prebuilt, optimised runtime:
     * optimising it buys nothing measurable and doubles the compile time. */
    snprintf(opt, sizeof opt, "-O%s", o->opt_level ? o->opt_level : "0");
    push(&argv, &n, cc);
    push(&argv, &n, "-std=c11");
    push(&argv, &n, opt);
    push(&argv, &n, "-w");      /* generated code is checked by aslc's own tests with -Wall */
    push_words(&argv, &n, ASLC_SAN_FLAGS);
    char incflag[sizeof inc + 2];
    snprintf(incflag, sizeof incflag, "-I%s", inc);
    push(&argv, &n, incflag);
    push(&argv, &n, c_file);
    push(&argv, &n, lib);
    push(&argv, &n, "-ljansson");
    push(&argv, &n, "-lsqlite3");   /* --store (runtime/store/): every binary can run durably */
    if (needs->curl)
        push(&argv, &n, "-lcurl");
    if (needs->expat)
        push(&argv, &n, "-lexpat");
    /* `BINARY serve` (runtime/serve/): the API server, its store and SigV4. */
    push(&argv, &n, "-lmicrohttpd");
    push(&argv, &n, "-lsystemd");
    push(&argv, &n, "-lcrypto");
    if (needs->pcre2)
        push(&argv, &n, "-lpcre2-8");
    push(&argv, &n, "-lpthread");
    push(&argv, &n, "-lm");
    push(&argv, &n, "-o");
    push(&argv, &n, out_binary);
    if (o->verbose) {
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fputc('\n', stderr);
    }
    pid_t pid;
    int rc = posix_spawnp(&pid, cc, NULL, NULL, argv, environ);
    int result = -1;
    if (rc != 0) {
        fprintf(stderr, "aslc: cannot run the C compiler '%s': %s\n", cc, strerror(rc));
    } else {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            result = 0;
        else
            fprintf(stderr, "aslc: the C compiler '%s' failed on the generated code "
                            "(an aslc bug: keep the C with --emit-c and report it)\n", cc);
    }
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
    free(argv);
    return result;
}
