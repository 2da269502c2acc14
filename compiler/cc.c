/*
 * cc.c - find the runtime, run the C compiler.
 *
 * The runtime is looked up relative to the aslc executable first (an
 * installed tree: BIN/../lib/aslc/libaslrt.a and BIN/../include/aslc), so a
 * moved install prefix keeps working; then in the build tree aslc was
 * built in.
 *
 * The compiler runs in its own process group with its stderr read through a
 * pipe: aslc passes the text on and, when the compiler fails, says what the
 * failure is (a missing library, an unwritable output, undefined symbols in
 * a static link) with the command.  The output is linked under a temporary
 * name in the output's folder and renamed at the end; a signal that kills
 * aslc kills the compiler's whole process group and removes every temporary
 * file first.
 */
#define _GNU_SOURCE     /* mkstemp, strdup */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/* ------------------------------------------------------------ cleanup */

#define MAX_TEMPS 8
static char *temps[MAX_TEMPS];
static volatile sig_atomic_t child_pid;     /* the compiler; its pid is its process group */
static const int guarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void block_guarded(sigset_t *old)
{
    sigset_t s;
    sigemptyset(&s);
    for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++)
        sigaddset(&s, guarded[i]);
    sigprocmask(SIG_BLOCK, &s, old);
}

static void on_signal(int sig)
{
    /* Only async-signal-safe calls here. */
    pid_t pid = child_pid;
    if (pid > 0) {
        kill(-pid, SIGTERM);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        kill(-pid, SIGKILL);    /* whatever the driver started and left behind */
    }
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i])
            unlink(temps[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void asl_cc_guard_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++)
        sigaddset(&sa.sa_mask, guarded[i]);
    for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++) {
        struct sigaction old;
        /* A signal the caller ignores (nohup) stays ignored. */
        if (sigaction(guarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(guarded[i], &sa, NULL);
    }
}

void asl_cc_temp_add(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        abort();
    sigset_t old;
    block_guarded(&old);
    int i = 0;
    while (i < MAX_TEMPS && temps[i])
        i++;
    if (i == MAX_TEMPS)
        abort();    /* aslc registers at most three */
    temps[i] = copy;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

void asl_cc_temp_forget(const char *path)
{
    sigset_t old;
    block_guarded(&old);
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i] && strcmp(temps[i], path) == 0) {
            free(temps[i]);
            temps[i] = NULL;
        }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

void asl_cc_temp_remove_all(void)
{
    sigset_t old;
    block_guarded(&old);
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i]) {
            unlink(temps[i]);
            free(temps[i]);
            temps[i] = NULL;
        }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* ------------------------------------------------------------ words */

void asl_cc_free_words(char **words)
{
    if (!words)
        return;
    for (size_t i = 0; words[i]; i++)
        free(words[i]);
    free(words);
}

char **asl_cc_split_words(const char *s, size_t *nwords, const char **err)
{
    size_t n = 0, len = strlen(s);
    char **words = calloc(len / 2 + 2, sizeof *words);  /* at most one word per two bytes */
    char *cur = malloc(len + 1);
    if (!words || !cur)
        abort();
    size_t cl = 0;
    int in_word = 0;
    *err = NULL;
    for (const char *p = s;; p++) {
        char c = *p;
        if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
            if (in_word) {
                cur[cl] = '\0';
                words[n++] = strdup(cur);
                cl = 0;
                in_word = 0;
            }
            if (c == '\0')
                break;
        } else if (c == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                *err = "a ' quote is not closed";
                break;
            }
            memcpy(cur + cl, p + 1, (size_t)(end - p - 1));
            cl += (size_t)(end - p - 1);
            in_word = 1;
            p = end;
        } else if (c == '"') {
            in_word = 1;
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1] && strchr("\\\"$`", p[1]))
                    p++;
                else if (*p == '\\' && p[1] == '\n') {
                    p++;
                    continue;
                }
                cur[cl++] = *p;
            }
            if (!*p) {
                *err = "a \" quote is not closed";
                break;
            }
        } else if (c == '\\') {
            if (!p[1]) {
                *err = "a backslash ends the value";
                break;
            }
            p++;
            if (*p != '\n') {
                cur[cl++] = *p;
                in_word = 1;
            }
        } else {
            cur[cl++] = c;
            in_word = 1;
        }
    }
    free(cur);
    if (*err) {
        for (size_t i = 0; i < n; i++)
            free(words[i]);
        free(words);
        return NULL;
    }
    words[n] = NULL;
    *nwords = n;
    return words;
}

/* ------------------------------------------------------------ runtime */

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

struct runtime_paths {
    char lib[2 * PATH_MAX];         /* libaslrt.a */
    char inc[2 * PATH_MAX];         /* the folder holding aslrt.h */
    char dir[PATH_MAX + 64];        /* the folder holding libaslrt.a (and static/ for --static) */
    int installed;
};

static int find_runtime(struct runtime_paths *rp, int static_link)
{
    const char *home = getenv("ASLC_RUNTIME_DIR");
    if (home) {
        snprintf(rp->lib, sizeof rp->lib, "%s/libaslrt.a", home);
        snprintf(rp->inc, sizeof rp->inc, "%s/include", home);
        snprintf(rp->dir, sizeof rp->dir, "%s", home);
        rp->installed = 1;
        if (file_exists(rp->lib))
            return 0;
    }
    char *dir = exe_dir();
    if (dir) {
        snprintf(rp->dir, sizeof rp->dir, "%s/%s", dir, ASLC_REL_LIBDIR);
        snprintf(rp->lib, sizeof rp->lib, "%s/%s", rp->dir,
                 static_link ? ASLC_STATIC_RUNTIME_NAME : "libaslrt.a");
        snprintf(rp->inc, sizeof rp->inc, "%s/%s", dir, ASLC_REL_INCLUDEDIR);
        char hdr[2 * PATH_MAX + 16];
        snprintf(hdr, sizeof hdr, "%s/aslrt.h", rp->inc);
        free(dir);
        rp->installed = 1;
        if (file_exists(rp->lib) && file_exists(hdr))
            return 0;
    }
    /* The build tree.  A sanitized build also keeps an uninstrumented copy of
     * the runtime: sanitizers cannot be linked statically. */
    rp->installed = 0;
    snprintf(rp->dir, sizeof rp->dir, "%s", ASLC_BUILD_RUNTIME_DIR);
    snprintf(rp->lib, sizeof rp->lib, "%s/%s", ASLC_BUILD_RUNTIME_DIR,
             static_link ? ASLC_STATIC_RUNTIME_NAME : "libaslrt.a");
    snprintf(rp->inc, sizeof rp->inc, "%s", ASLC_SOURCE_RUNTIME_INCLUDE);
    if (file_exists(rp->lib))
        return 0;
    fprintf(stderr, "aslc: cannot find the runtime library %s (looked next to aslc and in %s);\n"
                    "      set ASLC_RUNTIME_DIR to the folder holding it\n",
            static_link ? ASLC_STATIC_RUNTIME_NAME : "libaslrt.a", ASLC_BUILD_RUNTIME_DIR);
    return -1;
}

/* The libcurl a static link uses: $ASLC_STATIC_CURL (a libcurl.a), else
 * static/libcurl.a beside an installed runtime, else the one the build was
 * configured with (tools/static-curl.sh builds it). */
static int find_static_curl(const struct runtime_paths *rp, char *out, size_t n)
{
    const char *env = getenv("ASLC_STATIC_CURL");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        if (file_exists(out))
            return 0;
        fprintf(stderr, "aslc: ASLC_STATIC_CURL names %s, which does not exist\n", env);
        return -1;
    }
    snprintf(out, n, "%s/static/libcurl.a", rp->dir);
    if (file_exists(out))
        return 0;
    if (!rp->installed && *ASLC_STATIC_CURL_LIB) {
        snprintf(out, n, "%s", ASLC_STATIC_CURL_LIB);
        if (file_exists(out))
            return 0;
    }
    fprintf(stderr,
            "aslc: --static: this definition makes network calls (an HTTP or Lambda Task not bound to a\n"
            "      program), which need a libcurl built for static linking, and none was found (looked for\n"
            "      %s/static/libcurl.a%s%s and $ASLC_STATIC_CURL).\n"
            "      Debian's own libcurl.a cannot be linked statically: it needs Kerberos (libgssapi_krb5)\n"
            "      and SASL (libsasl2), which Debian ships without static archives.  tools/static-curl.sh\n"
            "      builds one from Debian's curl source; or bind the tasks to programs with --bind.\n",
            rp->dir, *ASLC_STATIC_CURL_LIB ? ", " : "", ASLC_STATIC_CURL_LIB);
    return -1;
}

/* ------------------------------------------------------------ the command */

struct argv_buf {
    char **v;
    size_t n;
};

static void push(struct argv_buf *a, const char *s)
{
    a->v = realloc(a->v, (a->n + 2) * sizeof *a->v);
    if (!a->v)
        abort();
    a->v[a->n++] = strdup(s);
    a->v[a->n] = NULL;
}

static void push_words(struct argv_buf *a, const char *s)
{
    size_t n = 0;
    const char *err;
    char **w = asl_cc_split_words(s, &n, &err);
    for (size_t i = 0; w && w[i]; i++)
        push(a, w[i]);
    asl_cc_free_words(w);
}

/* The command as a shell would take it back: words quoted when needed. */
static void print_command(FILE *f, char *const *argv)
{
    for (size_t i = 0; argv[i]; i++) {
        const char *w = argv[i];
        fputs(i ? " " : "", f);
        if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "-_./=+,:@%") == strlen(w)) {
            fputs(w, f);
            continue;
        }
        fputc('\'', f);
        for (; *w; w++) {
            if (*w == '\'')
                fputs("'\\''", f);
            else
                fputc(*w, f);
        }
        fputc('\'', f);
    }
    fputc('\n', f);
}

/* A static glibc link warns that getaddrinfo and friends need glibc's shared
 * NSS modules at run time.  aslc documents what a static binary resolves
 * (docs/static.md); the two-line warnings would only alarm. */
static int static_nss_warning(const char *line)
{
    return strstr(line, "in statically linked applications requires at runtime") != NULL;
}

/* Pass the compiler's stderr on (dropping static-NSS warnings and the
 * "in function" line before each), keeping it in *text for the diagnosis. */
static void relay(int fd, int static_link, char **text, size_t *len)
{
    size_t cap = 4096;
    *text = malloc(cap);
    *len = 0;
    if (!*text)
        abort();
    char buf[4096];
    ssize_t got;
    for (;;) {
        got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (*len + (size_t)got + 1 > cap) {
            while (*len + (size_t)got + 1 > cap)
                cap *= 2;
            *text = realloc(*text, cap);
            if (!*text)
                abort();
        }
        memcpy(*text + *len, buf, (size_t)got);
        *len += (size_t)got;
    }
    (*text)[*len] = '\0';
    char *p = *text, *pending = NULL;
    size_t pending_len = 0;
    while (*p) {
        char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p + 1) : strlen(p);
        char save = p[ll];
        p[ll] = '\0';
        int drop = static_link && static_nss_warning(p);
        int in_function = static_link && strstr(p, ": in function `") != NULL;
        if (pending && !drop)
            fwrite(pending, 1, pending_len, stderr);
        pending = NULL;
        if (in_function) {
            pending = p;
            pending_len = ll;
        } else if (!drop) {
            fwrite(p, 1, ll, stderr);
        }
        p[ll] = save;
        p += ll;
    }
    if (pending)
        fwrite(pending, 1, pending_len, stderr);
}

/* The first "word" after marker in text, up to a quote, colon or newline. */
static void after(const char *text, const char *marker, char *out, size_t n)
{
    const char *p = strstr(text, marker);
    out[0] = '\0';
    if (!p)
        return;
    p += strlen(marker);
    size_t l = strcspn(p, ":'\n`");
    if (l >= n)
        l = n - 1;
    memcpy(out, p, l);
    out[l] = '\0';
}

static void diagnose(const char *text, int status, const char *c_file, const char *out_binary,
                     const struct asl_cc_opts *o, char *const *argv)
{
    char what[256];
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "aslc: the C compiler was killed by signal %d (%s)\n", WTERMSIG(status),
                strsignal(WTERMSIG(status)));
    } else if (strstr(text, "cannot find -l")) {
        after(text, "cannot find -l", what, sizeof what);
        fprintf(stderr, "aslc: the linker cannot find the library %s%s: install its development package\n",
                what, o->static_link ? " as a static archive (lib*.a), which --static needs" : "");
    } else if (strstr(text, "cannot open output file")) {
        fprintf(stderr, "aslc: cannot write %s: the linker could not create its output\n", out_binary);
    } else if (strstr(text, "undefined reference to")) {
        /* GNU ld quotes `name', gold 'name' */
        after(text, strstr(text, "undefined reference to `") ? "undefined reference to `"
                                                             : "undefined reference to '", what, sizeof what);
        if (o->static_link)
            fprintf(stderr, "aslc: the static link failed: undefined references (the first: %s); "
                            "a library this definition needs has no static archive here\n", what);
        else
            fprintf(stderr, "aslc: the link failed: undefined references (the first: %s); the runtime "
                            "and the libraries do not match (rebuild aslc, or check ASLC_RUNTIME_DIR)\n", what);
    } else if (strstr(text, c_file) && strstr(text, "error:")) {
        fprintf(stderr, "aslc: the C compiler rejected the generated code "
                        "(an aslc bug: keep the C with --emit-c and report it)\n");
    } else if (strstr(text, "No space left on device")) {
        fprintf(stderr, "aslc: the build ran out of disk space\n");
    } else {
        fprintf(stderr, "aslc: the C compiler failed (exit status %d)\n",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    fputs("aslc: the command was: ", stderr);
    print_command(stderr, argv);
}

/* DIR/.BASE.aslc-XXXXXX beside out_binary, created; NULL with a message. */
static char *temp_output(const char *out_binary)
{
    const char *slash = strrchr(out_binary, '/');
    size_t dl = slash ? (size_t)(slash - out_binary + 1) : 0;
    const char *base = slash ? slash + 1 : out_binary;
    size_t n = dl + strlen(base) + 16;
    char *t = malloc(n);
    if (!t)
        abort();
    snprintf(t, n, "%.*s.%s.aslc-XXXXXX", (int)dl, out_binary, base);
    sigset_t old;
    block_guarded(&old);
    int fd = mkstemp(t);
    if (fd >= 0) {
        close(fd);
        asl_cc_temp_add(t);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        fprintf(stderr, "aslc: cannot write %s: %s\n", out_binary, strerror(errno));
        free(t);
        return NULL;
    }
    return t;
}

/* The command's start: $CC (or --cc) split into words, the language and
 * optimisation flags, the include folder and the sources.  -1 when the
 * compiler command is empty or malformed. */
static int push_compile(struct argv_buf *a, const struct runtime_paths *rp, const char *c_file,
                        const struct asl_cc_opts *o)
{
    const char *cc = o->cc ? o->cc : getenv("CC");
    int default_cc = !cc || !*cc;
    if (default_cc)
        cc = "cc";
    size_t ncc = 0;
    const char *err = NULL;
    char **ccw = asl_cc_split_words(cc, &ncc, &err);
    if (!ccw || ncc == 0) {
        fprintf(stderr, "aslc: %s '%s': %s\n", o->cc ? "--cc" : "$CC", cc, err ? err : "no command");
        asl_cc_free_words(ccw);
        return -1;
    }
    for (size_t i = 0; i < ncc; i++)
        push(a, ccw[i]);
    asl_cc_free_words(ccw);
    char opt[16];
    /* The generated C is tables and calls into the prebuilt, optimised runtime:
     * optimising it buys nothing measurable and doubles the compile time. */
    snprintf(opt, sizeof opt, "-O%s", o->opt_level ? o->opt_level : "0");
    push(a, "-std=c11");
    push(a, opt);
    push(a, "-pipe");   /* cc1 -> as through a pipe, not a temporary file */
    push(a, "-w");      /* generated code is checked by aslc's own tests with -Wall */
    if (o->static_link) {
        push(a, "-static");
    } else {
        push_words(a, ASLC_SAN_FLAGS);
        /* gold or lld, when `cc` could use one as aslc was configured: they
         * link a workflow in a third of the time GNU ld takes.  Not for
         * another compiler ($CC, --cc), which was not probed, nor for
         * --static, whose link messages aslc filters as GNU ld writes them. */
        if (default_cc && *ASLC_FAST_LD)
            push(a, ASLC_FAST_LD);
    }
    char incflag[sizeof rp->inc + 2];
    snprintf(incflag, sizeof incflag, "-I%s", rp->inc);
    push(a, incflag);
    push(a, c_file);
    if (o->static_link) {
        char su[sizeof rp->dir + 64];
        snprintf(su, sizeof su, "%s/%s", rp->installed ? rp->dir : ASLC_SOURCE_RUNTIME_STATIC,
                 rp->installed ? "static/serve_unavailable.c" : "serve_unavailable.c");
        push(a, su);
    }
    return 0;
}

/* The runtime and the libraries this program needs (curl_a: the static
 * libcurl archive of a static link with HTTP). */
static void push_libraries(struct argv_buf *a, const struct runtime_paths *rp, const char *curl_a,
                           const struct asl_link_needs *needs, const struct asl_cc_opts *o)
{
    push(a, rp->lib);
    push(a, "-ljansson");
    push(a, "-lsqlite3");  /* --store (runtime/store/): every binary can run durably */
    if (needs->curl) {
        if (o->static_link) {
            push(a, curl_a);
            push(a, "-lssl");
            push(a, "-lcrypto");
            push(a, "-lz");
        } else {
            push(a, "-lcurl");
        }
    }
    if (needs->expat)
        push(a, "-lexpat");
    if (needs->codecs) {
        push(a, "-lzstd");
        push(a, "-lz");
    }
    /* `BINARY serve` (runtime/serve/): the API server, its store and SigV4.
     * A static binary has no server (runtime/static/serve_unavailable.c). */
    if (!o->static_link) {
        push(a, "-lmicrohttpd");
        push(a, "-lsystemd");
    }
    if (!(o->static_link && needs->curl))
        push(a, "-lcrypto");
    if (needs->pcre2)
        push(a, "-lpcre2-8");
    push(a, "-lpthread");
    push(a, "-lm");
}

/* Start argv in its own process group, its stderr into *errfd, with the
 * guarded signals at their defaults; the pid is published to the signal
 * handler before any guarded signal can arrive.  -1 when it cannot start. */
static int spawn_compiler(char *const *argv, pid_t *pid, int *errfd)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        fprintf(stderr, "aslc: cannot run the C compiler: %s\n", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    posix_spawnattr_init(&attr);
    sigset_t old, def;
    block_guarded(&old);
    sigemptyset(&def);
    for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++)
        sigaddset(&def, guarded[i]);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &old);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
    if (rc == 0)
        child_pid = *pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        fprintf(stderr, "aslc: cannot run the C compiler '%s': %s\n", argv[0], strerror(rc));
        return -1;
    }
    *errfd = pfd[0];
    return 0;
}

/* Run the compiler to its end, passing its stderr on; *text is that stderr
 * (the caller frees it), the result its wait status. */
static int run_compiler(char *const *argv, int static_link, char **text, int *status)
{
    pid_t pid;
    int fd;
    if (spawn_compiler(argv, &pid, &fd) != 0)
        return -1;
    size_t tlen;
    relay(fd, static_link, text, &tlen);
    close(fd);
    *status = 0;
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    sigset_t old;
    block_guarded(&old);
    child_pid = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}

/* The linked temporary becomes out_binary. */
static int install_output(const char *tmp_out, const char *out_binary)
{
    /* The linker gave the reserved file's mode execute bits (0711);
     * an output gets what a new file would: 0777 less the umask. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmp_out, 0777 & ~mask);
    if (rename(tmp_out, out_binary) != 0) {
        fprintf(stderr, "aslc: cannot write %s: %s\n", out_binary, strerror(errno));
        return -1;
    }
    asl_cc_temp_forget(tmp_out);
    return 0;
}

int asl_cc_build(const char *c_file, const char *out_binary, const struct asl_link_needs *needs,
                 const struct asl_cc_opts *o)
{
    struct runtime_paths rp;
    if (find_runtime(&rp, o->static_link) != 0)
        return -1;
    char curl_a[2 * PATH_MAX + 32] = "";
    if (o->static_link && needs->curl && find_static_curl(&rp, curl_a, sizeof curl_a) != 0)
        return -1;
    struct argv_buf a = {0};
    char *tmp_out = NULL;
    int result = -1;
    if (push_compile(&a, &rp, c_file, o) != 0 || !(tmp_out = temp_output(out_binary)))
        goto out;
    push_libraries(&a, &rp, curl_a, needs, o);
    push(&a, "-o");
    push(&a, tmp_out);
    if (o->verbose)
        print_command(stderr, a.v);

    char *text = NULL;
    int status;
    if (run_compiler(a.v, o->static_link, &text, &status) == 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            result = install_output(tmp_out, out_binary);
        else
            diagnose(text, status, c_file, out_binary, o, a.v);
        free(text);
    }
    if (result != 0)
        unlink(tmp_out);
    asl_cc_temp_forget(tmp_out);
    free(tmp_out);
out:
    for (size_t i = 0; i < a.n; i++)
        free(a.v[i]);
    free(a.v);
    return result;
}
