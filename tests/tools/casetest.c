/*
 * casetest.c - the driver for tests/cases/ and tests/diagnostics/.
 *
 *   asl_casetest case ASLC CASE_DIR WORK_DIR
 *       aslc build CASE_DIR/definition.json -o WORK_DIR/machine, then
 *       WORK_DIR/machine --input CASE_DIR/input.json --result WORK_DIR/result.json [args]
 *       and compare result.json with CASE_DIR/expected.json.
 *
 *   asl_casetest diag ASLC CASE_DIR WORK_DIR
 *       aslc check CASE_DIR/definition.json; compare its stderr with
 *       CASE_DIR/expected.txt, the definition's path written as DEFINITION.
 *
 * A case folder:
 *   definition.json input.json   the state machine and its execution input
 *                                (without input.json no --input is given: stdin)
 *   expected.json                {"status":"SUCCEEDED","output":V} or
 *                                {"status":"FAILED"|"TIMED_OUT","error":E[,"cause":C]}
 *                                (cause checked only when given); may be left
 *                                out when expected_exit says 2 (nothing runs)
 *   args          (optional)     extra arguments, one per line; @CASE -> CASE_DIR, @WORK -> WORK_DIR
 *   stdin         (optional)     the machine's standard input (else /dev/null)
 *   expected_exit (optional)     the exit status, when not the one the status implies
 *
 * Children run through posix_spawn with an argument vector, never a shell,
 * and are killed after a time limit so a hung binary fails its test.
 * Exit status: 0 pass, 1 fail.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

extern char **environ;

#define BUILD_LIMIT_S 300 /* a sanitized build of a big machine on a busy box */
#define RUN_LIMIT_S 60

static const char *g_case = "?";

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%s] ", g_case);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ------------------------------------------------------------ small files */

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p) {
        perror("malloc");
        exit(1);
    }
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* The whole file, NUL-terminated; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    }
    int rc = (mkdir(p, 0777) != 0 && errno != EEXIST) ? -1 : 0;
    free(p);
    return rc;
}

/* ------------------------------------------------------------ processes */

/* Run argv with stdin from in_path (or /dev/null), stdout and stderr to
 * files; wait at most limit_s seconds.  Returns the exit status, 128+signal
 * when killed by a signal, or -1 when it could not start or timed out. */
static int run(char *const argv[], const char *in_path, const char *out_path,
               const char *err_path, int limit_s)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        say("cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    struct timespec start, now, tick = {0, 5 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            if (WIFEXITED(st))
                return WEXITSTATUS(st);
            return 128 + WTERMSIG(st);
        }
        if (w < 0 && errno != EINTR) {
            say("waitpid: %s", strerror(errno));
            return -1;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= limit_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            say("%s did not finish within %d s; killed", argv[0], limit_s);
            return -1;
        }
        nanosleep(&tick, NULL);
    }
}

static void show_file(const char *label, const char *path)
{
    char *text = slurp(path, NULL);
    if (text && *text)
        fprintf(stderr, "--- %s (%s):\n%s%s", label, path, text,
                text[strlen(text) - 1] == '\n' ? "" : "\n");
    free(text);
}

/* ------------------------------------------------------------ JSON */

/* Equal as JSON values: keys in any order, numbers by value (1 == 1.0),
 * but true != 1 and "1" != 1.  On the first difference, *where gets the
 * JSON pointer of the differing node (caller frees). */
static int value_equal(json_t *a, json_t *b, const char *ptr, char **where);

static char *ptr_push(const char *ptr, const char *key)
{
    /* RFC 6901: ~ -> ~0, / -> ~1 */
    size_t n = strlen(ptr) + 2 * strlen(key) + 2;
    char *p = malloc(n), *w;
    if (!p)
        return NULL;
    w = p + sprintf(p, "%s/", ptr);
    for (const char *k = key; *k; k++) {
        if (*k == '~' || *k == '/') {
            *w++ = '~';
            *w++ = *k == '~' ? '0' : '1';
        } else {
            *w++ = *k;
        }
    }
    *w = '\0';
    return p;
}

/* The two values at the first difference, for the message. */
static char *g_diff_exp, *g_diff_got;

static int differ(const char *ptr, char **where, json_t *a, json_t *b)
{
    if (where && !*where) {
        *where = strdup(*ptr ? ptr : "(top)");
        g_diff_exp = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_SORT_KEYS) : strdup("(absent)");
        g_diff_got = b ? json_dumps(b, JSON_ENCODE_ANY | JSON_SORT_KEYS) : strdup("(absent)");
    }
    return 0;
}

static int value_equal(json_t *a, json_t *b, const char *ptr, char **where)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b) ? 1 : differ(ptr, where, a, b);
        return json_number_value(a) == json_number_value(b) ? 1 : differ(ptr, where, a, b);
    }
    if (json_typeof(a) != json_typeof(b))
        return differ(ptr, where, a, b);
    switch (json_typeof(a)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *va;
        json_object_foreach(a, key, va) {
            char *sub = ptr_push(ptr, key);
            json_t *vb = json_object_get(b, key);
            int ok = vb ? value_equal(va, vb, sub, where) : differ(sub, where, va, NULL);
            free(sub);
            if (!ok)
                return 0;
        }
        json_object_foreach(b, key, va) {
            if (!json_object_get(a, key)) {
                char *sub = ptr_push(ptr, key);
                differ(sub, where, NULL, va);
                free(sub);
                return 0;
            }
        }
        return 1;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b))
            return differ(ptr, where, a, b);
        for (size_t i = 0; i < n; i++) {
            char idx[32];
            snprintf(idx, sizeof idx, "%zu", i);
            char *sub = ptr_push(ptr, idx);
            int ok = value_equal(json_array_get(a, i), json_array_get(b, i), sub, where);
            free(sub);
            if (!ok)
                return 0;
        }
        return 1;
    }
    case JSON_STRING:
        return (json_string_length(a) == json_string_length(b) &&
                memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0)
                   ? 1
                   : differ(ptr, where, a, b);
    default: /* true, false, null: same type is same value */
        return 1;
    }
}

/* Whole documents, cut short: a data-limit case holds 256 KiB strings. */
static void show_json(const char *label, json_t *v)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_INDENT(2) | JSON_SORT_KEYS);
    size_t n = s ? strlen(s) : 0;
    fprintf(stderr, "--- %s:\n%.4000s%s\n", label, s ? s : "(unprintable)",
            n > 4000 ? "\n... (cut)" : "");
    free(s);
}

static json_t *load_json_file(const char *path, int quiet)
{
    json_error_t e;
    json_t *v = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!v && !quiet)
        say("%s: line %d col %d: %s", path, e.line, e.column, e.text);
    return v;
}

/* expected_exit, or dflt when the file is absent. */
static int expected_exit(const char *case_dir, int dflt)
{
    char *p = path_join(case_dir, "expected_exit");
    char *t = slurp(p, NULL);
    free(p);
    if (!t)
        return dflt;
    char *end;
    long v = strtol(t, &end, 10);
    while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
        end++;
    if (*end || v < 0 || v > 255) {
        say("expected_exit must hold one number");
        v = -2;
    }
    free(t);
    return (int)v;
}

/* ------------------------------------------------------------ case mode */

/* The extra arguments from CASE_DIR/args: one per line, @CASE and @WORK
 * replaced by the case and work folders. */
static size_t read_args(const char *case_dir, const char *work_dir, char ***out)
{
    char *p = path_join(case_dir, "args");
    char *text = slurp(p, NULL);
    free(p);
    *out = NULL;
    if (!text)
        return 0;
    size_t n = 0;
    char **v = NULL;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t ll = strlen(line);
        if (ll && line[ll - 1] == '\r')
            line[--ll] = '\0';
        if (!ll)
            continue;
        size_t cl = strlen(case_dir), wl = strlen(work_dir), cap = ll + 1;
        for (const char *s = line; (s = strchr(s, '@')); s++)
            cap += cl > wl ? cl : wl;
        char *arg = malloc(cap), *w = arg;
        for (const char *s = line; *s;) {
            if (strncmp(s, "@CASE", 5) == 0) {
                memcpy(w, case_dir, cl);
                w += cl;
                s += 5;
            } else if (strncmp(s, "@WORK", 5) == 0) {
                memcpy(w, work_dir, wl);
                w += wl;
                s += 5;
            } else {
                *w++ = *s++;
            }
        }
        *w = '\0';
        v = realloc(v, (n + 1) * sizeof *v);
        v[n++] = arg;
    }
    free(text);
    *out = v;
    return n;
}

static int status_exit(const char *status)
{
    if (strcmp(status, "SUCCEEDED") == 0)
        return 0;
    if (strcmp(status, "FAILED") == 0)
        return 1;
    if (strcmp(status, "TIMED_OUT") == 0)
        return 3;
    if (strcmp(status, "ABORTED") == 0)
        return 4;
    return -2;
}

/* Compare the result file with expected.json; 1 when they agree. */
static int check_result(json_t *exp, json_t *got)
{
    int ok = 1;
    const char *es = json_string_value(json_object_get(exp, "status"));
    const char *gs = json_string_value(json_object_get(got, "status"));
    if (!gs || strcmp(es, gs) != 0) {
        say("status: expected %s, got %s", es, gs ? gs : "(none)");
        ok = 0;
    }
    if (strcmp(es, "SUCCEEDED") == 0) {
        json_t *eo = json_object_get(exp, "output"), *go = json_object_get(got, "output");
        char *where = NULL;
        if (ok && (!go || !value_equal(eo, go, "", &where))) {
            say("output differs at %s:\n  expected %.2000s\n  got      %.2000s",
                where ? where : "(missing output)", g_diff_exp ? g_diff_exp : "",
                g_diff_got ? g_diff_got : "");
            ok = 0;
        }
        free(where);
        free(g_diff_exp);
        free(g_diff_got);
    } else {
        static const char *const fields[] = {"error", "cause"};
        for (int i = 0; i < 2; i++) {
            json_t *ev = json_object_get(exp, fields[i]);
            if (!ev)
                continue; /* cause left out: not checked */
            json_t *gv = json_object_get(got, fields[i]);
            if (!gv || !value_equal(ev, gv, "", NULL)) {
                char *e = json_dumps(ev, JSON_ENCODE_ANY);
                char *g = gv ? json_dumps(gv, JSON_ENCODE_ANY) : strdup("(missing)");
                say("%s differs:\n  expected %s\n  got      %s", fields[i], e, g);
                free(e);
                free(g);
                ok = 0;
            }
        }
    }
    if (!ok) {
        show_json("expected", exp);
        show_json("got", got);
    }
    return ok;
}

static int case_mode(const char *aslc, const char *case_dir, const char *work)
{
    char *def = path_join(case_dir, "definition.json");
    char *input = path_join(case_dir, "input.json");
    char *exp_path = path_join(case_dir, "expected.json");
    char *stdin_path = path_join(case_dir, "stdin");
    char *machine = path_join(work, "machine");
    char *result = path_join(work, "result.json");
    char *b_out = path_join(work, "build.out"), *b_err = path_join(work, "build.err");
    char *r_out = path_join(work, "run.out"), *r_err = path_join(work, "run.err");
    char **extra = NULL;
    size_t nextra = 0;
    json_t *exp = NULL, *got = NULL;
    int pass = 0;

    if (make_dirs(work) != 0) {
        say("cannot create %s: %s", work, strerror(errno));
        goto out;
    }
    unlink(machine);
    unlink(result);

    int want_exit = -1;
    if (file_exists(exp_path)) {
        exp = load_json_file(exp_path, 0);
        const char *st = json_string_value(json_object_get(exp, "status"));
        if (!json_is_object(exp) || !st || status_exit(st) < 0) {
            say("expected.json needs a status of SUCCEEDED, FAILED, TIMED_OUT or ABORTED");
            goto out;
        }
        if (strcmp(st, "SUCCEEDED") == 0 ? !json_object_get(exp, "output")
                                         : !json_object_get(exp, "error")) {
            say("expected.json: SUCCEEDED needs output; other statuses need error (string or null)");
            goto out;
        }
        want_exit = expected_exit(case_dir, status_exit(st));
    } else {
        want_exit = expected_exit(case_dir, -1);
        if (want_exit < 0) {
            say("no expected.json (and no expected_exit)");
            goto out;
        }
    }
    if (want_exit == -2)
        goto out;

    char *bargv[] = {(char *)aslc, "build", def, "-o", machine, NULL};
    int rc = run(bargv, NULL, b_out, b_err, BUILD_LIMIT_S);
    if (rc != 0 || !file_exists(machine)) {
        say("aslc build failed (exit %d)", rc);
        show_file("aslc stderr", b_err);
        goto out;
    }

    nextra = read_args(case_dir, work, &extra);
    char **rargv = calloc(nextra + 6, sizeof *rargv);
    size_t k = 0;
    rargv[k++] = machine;
    if (file_exists(input)) { /* no input.json: the binary reads stdin */
        rargv[k++] = "--input";
        rargv[k++] = input;
    }
    rargv[k++] = "--result";
    rargv[k++] = result;
    for (size_t i = 0; i < nextra; i++)
        rargv[k++] = extra[i];
    rargv[k] = NULL;
    rc = run(rargv, file_exists(stdin_path) ? stdin_path : NULL, r_out, r_err, RUN_LIMIT_S);
    free(rargv);
    if (rc != want_exit) {
        say("exit status: expected %d, got %d", want_exit, rc);
        show_file("machine stderr", r_err);
        show_file("machine stdout", r_out);
        show_file("result", result);
        goto out;
    }
    if (!exp) {
        pass = 1; /* only the exit status was asked for */
        goto out;
    }
    got = load_json_file(result, 1);
    if (!got) {
        say("no readable result file %s", result);
        show_file("machine stderr", r_err);
        goto out;
    }
    pass = check_result(exp, got);
    if (!pass)
        show_file("machine stderr", r_err);
out:
    for (size_t i = 0; i < nextra; i++)
        free(extra[i]);
    free(extra);
    json_decref(exp);
    json_decref(got);
    free(def);
    free(input);
    free(exp_path);
    free(stdin_path);
    free(machine);
    free(result);
    free(b_out);
    free(b_err);
    free(r_out);
    free(r_err);
    return pass ? 0 : 1;
}

/* ------------------------------------------------------------ diag mode */

/* text with every occurrence of from replaced by to (new string). */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *s = text; (s = strstr(s, from)); s += fl)
        n++;
    char *out = malloc(strlen(text) + n * (tl > fl ? tl - fl : 0) + 1), *w = out;
    for (const char *s = text; *s;) {
        if (strncmp(s, from, fl) == 0) {
            memcpy(w, to, tl);
            w += tl;
            s += fl;
        } else {
            *w++ = *s++;
        }
    }
    *w = '\0';
    return out;
}

/* Print the first line where a and b differ, with a few lines of each. */
static void show_text_diff(const char *exp, const char *got)
{
    int line = 1;
    const char *e = exp, *g = got;
    while (*e && *e == *g) {
        if (*e == '\n')
            line++;
        e++;
        g++;
    }
    fprintf(stderr, "--- first difference on line %d\n--- expected:\n%s%s--- got:\n%s%s", line, exp,
            (*exp && exp[strlen(exp) - 1] != '\n') ? "\n(no newline at end)\n" : "", got,
            (*got && got[strlen(got) - 1] != '\n') ? "\n(no newline at end)\n" : "");
}

static int diag_mode(const char *aslc, const char *case_dir, const char *work)
{
    char *def = path_join(case_dir, "definition.json");
    char *exp_path = path_join(case_dir, "expected.txt");
    char *d_out = path_join(work, "check.out"), *d_err = path_join(work, "check.err");
    char *exp = NULL, *got = NULL, *norm = NULL;
    int pass = 0;

    if (make_dirs(work) != 0) {
        say("cannot create %s: %s", work, strerror(errno));
        goto out;
    }
    exp = slurp(exp_path, NULL);
    if (!exp) {
        say("cannot read %s", exp_path);
        goto out;
    }
    int want = expected_exit(case_dir, 1);
    if (want < 0)
        goto out;
    char *argv[] = {(char *)aslc, "check", def, NULL};
    int rc = run(argv, NULL, d_out, d_err, BUILD_LIMIT_S);
    got = slurp(d_err, NULL);
    if (!got) {
        say("no stderr file");
        goto out;
    }
    norm = replace_all(got, def, "DEFINITION");
    if (rc != want) {
        say("aslc check: expected exit %d, got %d", want, rc);
        fprintf(stderr, "--- stderr:\n%s", norm);
        goto out;
    }
    if (strcmp(exp, norm) != 0) {
        say("stderr differs from expected.txt");
        show_text_diff(exp, norm);
        goto out;
    }
    pass = 1;
out:
    free(def);
    free(exp_path);
    free(d_out);
    free(d_err);
    free(exp);
    free(got);
    free(norm);
    return pass ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "case") != 0 && strcmp(argv[1], "diag") != 0)) {
        fprintf(stderr, "usage: asl_casetest case|diag ASLC CASE_DIR WORK_DIR\n");
        return 2;
    }
    const char *slash = strrchr(argv[3], '/');
    g_case = slash && slash[1] ? slash + 1 : argv[3];
    int rc = strcmp(argv[1], "case") == 0 ? case_mode(argv[2], argv[3], argv[4])
                                          : diag_mode(argv[2], argv[3], argv[4]);
    fprintf(stderr, "[%s] %s\n", g_case, rc == 0 ? "PASS" : "FAIL");
    return rc;
}
