/*
 * cli.c - the compiled binary's command line.  The only place that decides
 * exit codes: 0 SUCCEEDED, 1 FAILED, 2 usage or bad input (nothing ran),
 * 3 TIMED_OUT, 4 ABORTED, 5 the execution ended but its output (stdout,
 * --result or --history) could not be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run/run.h"
#include "base/timestamp.h"
#include "exec/exec.h"
#include "run/history.h"
#include "base/json.h"
#include "task/task.h"
#include "map/map_store.h"
#include "task/mock.h"
#include "base/log.h"
#include "base/progress.h"
#include "serve/serve.h"
#include "task/process.h"
#include "base/signals.h"
#include "store/cmd.h"
#include "task/activity.h"
#include "store/durable.h"
#include "jsonata/jn_mem.h"

/* --wait-scale and ASLC_WAIT_SCALE: above this, a Wait of a year would not fit a timespec. */
#define ASL_WAIT_SCALE_MAX 1e6

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_TIMED_OUT = 3, EXIT_ABORTED = 4,
       EXIT_OUTPUT = 5 };

struct cli {
    const char *input_file;
    const char *input_json;
    const char *result_file;
    const char *name;
    const char *history_file;
    const char *mock_config;
    const char *mock_case;
    const char *mock_machine;   /* --mock-machine: the state machine's key in the file */
    double wait_scale;
    int show_definition;
    size_t nbind;
    const char **bind;
    size_t nbucket;             /* --bucket NAME=DIR (map_store.c) */
    const char **bucket;
    size_t npass;               /* --pass-env NAME: kept for task programs */
    const char **pass;
    long max_concurrency;       /* --max-concurrency N; 0: the default */
    int result_fd, history_fd;  /* opened before the run, written after */
    int result_new, history_new;   /* created by us: removed when nothing ran */
    const char *store;          /* --store FILE (store/, docs/durability.md) */
    int durability;             /* --durability full|process */
};

static void usage(FILE *f, const char *argv0, const struct asl_program *prog)
{
    fprintf(f,
            "usage: %s [--input FILE|-] [--input-json JSON] [--result FILE] [--name NAME]\n"
            "          [--history FILE] [--log-level error|warn|info|debug] [--log-format text|json]\n"
            "          [--wait-scale X] [--progress | --no-progress]\n"
            "          [--mock-config FILE --mock-case NAME [--mock-machine NAME]]\n"
            "          [--bind RESOURCE=PROGRAM ...]\n"
            "          [--bucket NAME=DIR ...] [--pass-env NAME ...] [--max-concurrency N]\n"
            "          [--store FILE --name NAME [--durability full|process]]\n"
            "          [--definition] [--help] [--version]\n"
            "\n"
            "Runs the state machine compiled from %s once.\n"
            "Input: --input FILE ('-' is stdin) or --input-json; with neither, stdin when it is\n"
            "not a terminal, else {}.  The output JSON goes to stdout; logs and the error go to\n"
            "stderr.  --wait-scale multiplies every Wait and Retry delay (0 skips them).\n"
            "--bucket binds an S3 bucket a Map's ItemReader/ResultWriter names to a local\n"
            "folder (or set ASLC_BUCKET_<NAME>=DIR).\n"
            "Task programs get a clean environment (docs/local-tasks.md); --pass-env NAME\n"
            "adds the variable NAME.  --max-concurrency bounds the Parallel branches and Map\n"
            "iterations running at once over all nesting levels (default %d).\n"
            "--store keeps the execution in FILE (SQLite): the same command again resumes it.\n"
            "Store commands: send-task-success, send-task-failure, send-task-heartbeat, stop,\n"
            "list, describe, history, redrive (each with --store FILE; see docs/durability.md).\n"
            "SIGTERM, SIGINT or SIGHUP aborts the execution (its task programs are stopped);\n"
            "with --store it stays RUNNING instead, and the same command resumes it.\n"
            "Exit status: 0 SUCCEEDED, 1 FAILED, 2 usage or bad input (nothing ran),\n"
            "3 TIMED_OUT, 4 ABORTED (or left RUNNING by a signal, with --store),\n"
            "5 output (stdout, --result, --history) not written.\n",
            argv0, prog->source ? prog->source : "a definition", ASL_CONCURRENCY_DEFAULT);
}

static void too_large(const char *argv0, const char *what)
{
    fprintf(stderr,
            "%s: input from %s: 1 validation error detected: Value at 'input' failed to satisfy "
            "constraint: Member must have length less than or equal to %d\n",
            argv0, what, ASL_PAYLOAD_MAX);
}

/* Read the input, squeezing white space between tokens as it comes
 * (jsonsize.c), and stop as soon as more than ASL_PAYLOAD_MAX bytes that are
 * not such white space arrived: the input's compact JSON - what the limit
 * measures - is then over the limit whatever follows, and memory stays
 * constant whatever the input is (`yes |`, /dev/zero).  Returns the
 * squeezed text (*len bytes) or NULL; *too_big tells the two failures
 * apart. */
static char *read_capped(FILE *f, size_t *len, int *too_big)
{
    enum { CHUNK = 65536 };
    /* Kept: at most ASL_PAYLOAD_MAX significant bytes, one white-space byte
     * after each, and one chunk being squeezed. */
    const size_t cap = 2 * (size_t)ASL_PAYLOAD_MAX + CHUNK + 2;
    char *buf = malloc(cap);
    struct asl_json_squeeze z = {0};
    size_t n = 0;
    *too_big = 0;
    if (!buf)
        return NULL;
    for (;;) {
        size_t got = fread(buf + n, 1, CHUNK, f);
        n += asl_json_squeeze(&z, buf + n, buf + n, got);
        if (z.significant > ASL_PAYLOAD_MAX) {
            *too_big = 1;
            break;
        }
        if (got < CHUNK)
            break;
    }
    if (*too_big || ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Parse the execution input; any JSON value is a valid input.  Raw NUL
 * bytes are not JSON (jansson refuses them outside strings); "\u0000"
 * inside a string is kept, as AWS keeps it. */
static json_t *load_input(const struct cli *c, const char *argv0)
{
    json_error_t jerr;
    json_t *v = NULL;
    const int flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
    if (c->input_json) {
        if (strlen(c->input_json) > ASL_PAYLOAD_MAX) {
            too_large(argv0, "--input-json");
            return NULL;
        }
        v = json_loads(c->input_json, flags, &jerr);
    } else {
        FILE *f = NULL;
        const char *what = c->input_file;
        if (c->input_file && strcmp(c->input_file, "-") != 0) {
            f = fopen(c->input_file, "rb");
            if (!f) {
                fprintf(stderr, "%s: cannot read input %s: %s\n", argv0, c->input_file, strerror(errno));
                return NULL;
            }
        } else if (c->input_file || !isatty(STDIN_FILENO)) {
            f = stdin;
            what = "stdin";
        } else {
            return json_object();
        }
        size_t len = 0;
        int too_big = 0;
        char *text = read_capped(f, &len, &too_big);
        if (f != stdin)
            fclose(f);
        if (!text) {
            if (too_big)
                too_large(argv0, what);
            else
                fprintf(stderr, "%s: cannot read input from %s\n", argv0, what);
            return NULL;
        }
        /* Empty stdin (e.g. </dev/null) means no input, as with AWS's default
         * {}.  Only the four JSON white-space bytes count as empty (a NUL
         * byte does not). */
        size_t i = 0;
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
            i++;
        if (i == len && f == stdin && !c->input_file) {
            free(text);
            return json_object();
        }
        v = json_loadb(text, len, flags, &jerr);
        free(text);
    }
    if (!v)
        fprintf(stderr, "%s: the input is not JSON: line %d, column %d: %s\n", argv0, jerr.line,
                jerr.column, jerr.text);
    return v;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void make_uuid(char *buf, size_t n)
{
    unsigned char b[16] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t got = read(fd, b, sizeof b);
        (void)got;
        close(fd);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(buf, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static char *str_printf(const char *fmt, const char *a, const char *b, const char *c)
{
    int n = snprintf(NULL, 0, fmt, a, b, c);
    char *s = malloc((size_t)n + 1);
    if (s)
        snprintf(s, (size_t)n + 1, fmt, a, b, c);
    return s;
}

/* ------------------------------------------------------------ outputs */

/* Open an output file before anything runs, so an unwritable path is a
 * usage error (exit 2) and not a run whose output is lost.  The file is
 * not truncated until the output is written. */
static int open_output(const char *argv0, const char *opt, const char *path, int *fd,
                       int *created)
{
    *fd = -1;
    *created = 0;
    if (!path)
        return 0;
    *fd = open(path, O_WRONLY | O_CLOEXEC);
    if (*fd < 0 && errno == ENOENT) {
        *fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        *created = *fd >= 0;
    }
    if (*fd < 0) {
        fprintf(stderr, "%s: %s %s: cannot open for writing: %s\n", argv0, opt, path,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* stdout must be open for writing before the run starts. */
static int check_stdout(const char *argv0)
{
    int fl = fcntl(STDOUT_FILENO, F_GETFL);
    if (fl < 0 || ((fl & O_ACCMODE) != O_WRONLY && (fl & O_ACCMODE) != O_RDWR)) {
        fprintf(stderr, "%s: stdout is not open for writing\n", argv0);
        return -1;
    }
    return 0;
}

/* Replace the file behind fd with text (and a newline); closes fd. */
static int write_output(const char *argv0, const char *opt, const char *path, int fd,
                        const char *text)
{
    struct stat sb;
    int ok = text != NULL && fstat(fd, &sb) == 0 &&
             (!S_ISREG(sb.st_mode) || (ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0));
    size_t len = text ? strlen(text) : 0, off = 0;
    int saved = 0;
    while (ok && off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            saved = errno;
            ok = 0;
            break;
        }
        off += (size_t)w;
    }
    if (ok && write(fd, "\n", 1) != 1) {
        saved = errno;
        ok = 0;
    }
    if (!ok && !saved)
        saved = errno;
    if (close(fd) != 0 && ok) {
        saved = errno;
        ok = 0;
    }
    if (!ok)
        fprintf(stderr, "%s: %s %s: cannot write: %s\n", argv0, opt, path,
                saved ? strerror(saved) : "out of memory");
    return ok ? 0 : -1;
}

/* The output on stdout; a full disk or a closed pipe is a lost output (exit
 * 5), not success and not SIGPIPE (asl_main ignores SIGPIPE). */
static int write_stdout(const char *argv0, const char *text)
{
    errno = 0;
    int ok = text && fputs(text, stdout) >= 0 && fputc('\n', stdout) != EOF &&
             fflush(stdout) == 0;
    if (!ok) {
        fprintf(stderr, "%s: cannot write the output to stdout: %s\n", argv0,
                errno ? strerror(errno) : "out of memory");
        clearerr(stdout);
    }
    return ok ? 0 : -1;
}

static int materialise_literals(const struct asl_program *prog)
{
    for (size_t i = 0; i < prog->nlits; i++) {
        json_error_t jerr;
        if (!prog->lit_json[i])
            continue;       /* slot 0: "no literal" */
        prog->lits[i] = json_loads(prog->lit_json[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!prog->lits[i]) {
            fprintf(stderr, "internal error: literal %zu does not parse: %s\n", i, jerr.text);
            return -1;
        }
    }
    return 0;
}

static void free_literals(const struct asl_program *prog)
{
    for (size_t i = 0; i < prog->nlits; i++) {
        json_decref(prog->lits[i]);
        prog->lits[i] = NULL;
    }
}

/* ------------------------------------------------------------ option values */

/* A wait scale: a finite decimal number from 0 to ASL_WAIT_SCALE_MAX, the
 * whole text (no "nan", "inf", hex floats, blanks or trailing bytes).
 * `what` names the option or variable in the message. */
static int parse_scale(const char *argv0, const char *what, const char *val, double *out)
{
    char *end = NULL;
    int ok = val[0] != '\0' && strspn(val, "0123456789.eE+-") == strlen(val);
    double d = ok ? strtod(val, &end) : 0;
    if (!ok || *end != '\0' || !isfinite(d) || d < 0 || d > ASL_WAIT_SCALE_MAX) {
        fprintf(stderr, "%s: %s takes a number from 0 to %g, not '%s'\n", argv0, what,
                (double)ASL_WAIT_SCALE_MAX, val);
        return -1;
    }
    *out = d;
    return 0;
}

/* A whole decimal number from lo to hi. */
static int parse_count(const char *argv0, const char *what, const char *val, long lo, long hi,
                       long *out)
{
    char *end = NULL;
    errno = 0;
    long v = val[0] >= '0' && val[0] <= '9' ? strtol(val, &end, 10) : 0;
    if (!end || *end != '\0' || errno != 0 || v < lo || v > hi) {
        fprintf(stderr, "%s: %s takes a whole number from %ld to %ld, not '%s'\n", argv0, what,
                lo, hi, val);
        return -1;
    }
    *out = v;
    return 0;
}

/* Next code point of UTF-8 text, or -1 for an invalid sequence (overlong,
 * surrogate, past U+10FFFF, cut short). */
static long utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned c = *s;
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
          : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0)
        return -1;
    long cp = n == 0 ? c : (long)(c & (0x3Fu >> n));
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const long min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *p = s + n + 1;
    return cp;
}

/* White space as Java's Character.isWhitespace sees it (AWS's rule). */
static int is_white(long c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A && c != 0x2007) || c == 0x2028 || c == 0x2029 ||
           c == 0x205F || c == 0x3000;
}

/* An execution name as StartExecution accepts it: 1 to 80 characters (UTF-16
 * units), no white space, brackets < > { } [ ], wildcards ? *, the
 * characters " # % \ ^ | ~ ` $ & , ; : /, control characters (U+0000-001F,
 * U+007F-009F), U+FFFE-FFFF, surrogates or invalid UTF-8.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html */
static const char *name_problem(const char *name)
{
    size_t units = 0;
    const unsigned char *p = (const unsigned char *)name;
    while (*p) {
        long c = utf8_next(&p);
        if (c < 0)
            return "is not valid UTF-8";
        if (is_white(c))
            return "contains white space";
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            return "contains a control character";
        if (c == 0xFFFE || c == 0xFFFF)
            return "contains a non-character";
        if (c < 0x80 && strchr("<>{}[]", (int)c))
            return "contains a bracket";
        if (c == '?' || c == '*')
            return "contains a wildcard character";
        if (c < 0x80 && strchr("\"#%\\^|~`$&,;:/", (int)c))
            return "contains a reserved character";
        units += c >= 0x10000 ? 2 : 1;
    }
    if (units == 0)
        return "is empty";
    if (units > 80)
        return "is longer than 80 characters";
    return NULL;
}

/* An environment variable's name for --pass-env. */
static int env_name_ok(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
           strlen(s);
}

static int append_opt(const char ***list, size_t *n, const char *val)
{
    const char **nb = realloc(*list, (*n + 1) * sizeof *nb);
    if (!nb)
        return -1;
    *list = nb;
    nb[(*n)++] = val;
    return 0;
}

static int parse_args(struct cli *c, int argc, char **argv, const struct asl_program *prog)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        const char *eq = NULL;
        if (strncmp(a, "--", 2) == 0 && (eq = strchr(a, '=')) != NULL && strncmp(a, "--bind", 6) != 0)
            val = eq + 1;
#define OPT(name) (strncmp(a, name, strlen(name)) == 0 && (a[strlen(name)] == '\0' || a[strlen(name)] == '='))
#define NEED()                                                                   \
    do {                                                                         \
        if (!val) {                                                              \
            if (i + 1 >= argc) {                                                 \
                fprintf(stderr, "%s: option %s needs a value\n", argv[0], a);    \
                return -1;                                                       \
            }                                                                    \
            val = argv[++i];                                                     \
        }                                                                        \
    } while (0)
        if (OPT("--help") || strcmp(a, "-h") == 0) {
            usage(stdout, argv[0], prog);
            exit(EXIT_OK);
        } else if (OPT("--version")) {
            printf("%s (aslc runtime %s)\n", base_name(argv[0]), ASL_VERSION);
            exit(EXIT_OK);
        } else if (OPT("--definition")) {
            c->show_definition = 1;
        } else if (OPT("--input")) {
            NEED();
            c->input_file = val;
        } else if (OPT("--input-json")) {
            NEED();
            c->input_json = val;
        } else if (OPT("--result")) {
            NEED();
            c->result_file = val;
        } else if (OPT("--name")) {
            NEED();
            const char *why = name_problem(val);
            if (why) {
                fprintf(stderr, "%s: --name: Invalid Name: the execution name %s (AWS allows 1 "
                        "to 80 characters without white space, brackets, wildcards, control "
                        "characters or \" # %% \\ ^ | ~ ` $ & , ; : /)\n", argv[0], why);
                return -1;
            }
            c->name = val;
        } else if (OPT("--history")) {
            NEED();
            c->history_file = val;
        } else if (OPT("--mock-config")) {
            NEED();
            c->mock_config = val;
        } else if (OPT("--mock-case")) {
            NEED();
            c->mock_case = val;
        } else if (OPT("--mock-machine")) {
            NEED();
            c->mock_machine = val;
        } else if (OPT("--wait-scale")) {
            NEED();
            if (parse_scale(argv[0], "--wait-scale", val, &c->wait_scale) != 0)
                return -1;
        } else if (OPT("--max-concurrency")) {
            NEED();
            if (parse_count(argv[0], "--max-concurrency", val, 1, ASL_CONCURRENCY_MAX,
                            &c->max_concurrency) != 0)
                return -1;
        } else if (OPT("--pass-env")) {
            NEED();
            if (!env_name_ok(val)) {
                fprintf(stderr, "%s: --pass-env takes a variable name ([A-Za-z_][A-Za-z0-9_]*), "
                        "not '%s'\n", argv[0], val);
                return -1;
            }
            if (append_opt(&c->pass, &c->npass, val) != 0)
                return -1;
        } else if (OPT("--log-level")) {
            NEED();
            static const char *const levels[] = {"error", "warn", "info", "debug"};
            int found = -1;
            for (int l = 0; l < 4; l++)
                if (strcmp(val, levels[l]) == 0)
                    found = l;
            if (found < 0) {
                fprintf(stderr, "%s: --log-level takes error, warn, info or debug\n", argv[0]);
                return -1;
            }
            asl_log_set_level((enum asl_log_level)found);
        } else if (OPT("--progress")) {
            asl_progress_set_mode(ASL_PROGRESS_ON);
        } else if (OPT("--no-progress")) {
            asl_progress_set_mode(ASL_PROGRESS_OFF);
        } else if (OPT("--log-format")) {
            NEED();
            enum asl_log_format f;
            if (asl_log_format_parse(val, &f) != 0) {
                fprintf(stderr, "%s: --log-format takes text or json\n", argv[0]);
                return -1;
            }
            asl_log_set_format(f);
        } else if (OPT("--store")) {
            NEED();
            c->store = val;
        } else if (OPT("--durability")) {
            NEED();
            if (strcmp(val, "full") != 0 && strcmp(val, "process") != 0) {
                fprintf(stderr, "%s: --durability takes full or process\n", argv[0]);
                return -1;
            }
            c->durability = strcmp(val, "process") == 0 ? ASL_STORE_SYNC_PROCESS : ASL_STORE_SYNC_FULL;
        } else if (OPT("--bucket")) {
            NEED();
            if (append_opt(&c->bucket, &c->nbucket, val) != 0)
                return -1;
        } else if (strcmp(a, "--bind") == 0 || strncmp(a, "--bind=", 7) == 0) {
            val = a[6] == '=' ? a + 7 : NULL;
            NEED();
            if (!strchr(val, '=')) {
                fprintf(stderr, "%s: --bind takes RESOURCE=PROGRAM\n", argv[0]);
                return -1;
            }
            if (append_opt(&c->bind, &c->nbind, val) != 0)
                return -1;
        } else {
            fprintf(stderr, "%s: unknown option %s (see --help)\n", argv[0], a);
            return -1;
        }
#undef NEED
#undef OPT
    }
    if (c->input_file && c->input_json) {
        fprintf(stderr, "%s: give --input or --input-json, not both\n", argv[0]);
        return -1;
    }
    if (c->mock_machine && !c->mock_config) {
        fprintf(stderr, "%s: --mock-machine needs --mock-config\n", argv[0]);
        return -1;
    }
    if (c->store && !c->name) {
        fprintf(stderr, "%s: --store needs --name NAME (the execution to start or resume)\n", argv[0]);
        return -1;
    }
    if (!!c->mock_config != !!c->mock_case && !c->mock_config) {
        fprintf(stderr, "%s: --mock-case needs --mock-config\n", argv[0]);
        return -1;
    }
    return 0;
}

/* Outputs still open were never written: nothing ran.  A file this run
 * created is removed again, an existing one is left as it was. */
static void cli_free(struct cli *c)
{
    if (c->result_fd >= 0) {
        close(c->result_fd);
        if (c->result_new)
            unlink(c->result_file);
    }
    if (c->history_fd >= 0) {
        close(c->history_fd);
        if (c->history_new)
            unlink(c->history_file);
    }
    free(c->bind);
    free(c->bucket);
    free(c->pass);
}

/* Options and environment, strictly; every output opened.  0, or -1 after
 * a message (exit 2: nothing ran). */
static int cli_setup(struct cli *c, int argc, char **argv, const struct asl_program *prog)
{
    c->wait_scale = 1.0;
    c->result_fd = c->history_fd = -1;
    const char *env_scale = getenv("ASLC_WAIT_SCALE");
    if (env_scale && parse_scale(argv[0], "ASLC_WAIT_SCALE", env_scale, &c->wait_scale) != 0)
        return -1;
    if (parse_args(c, argc, argv, prog) != 0)
        return -1;
    if (c->show_definition)
        return 0;
    if (check_stdout(argv[0]) != 0 ||
        open_output(argv[0], "--result", c->result_file, &c->result_fd, &c->result_new) != 0 ||
        open_output(argv[0], "--history", c->history_file, &c->history_fd, &c->history_new) != 0)
        return -1;
    return 0;
}

/* The end of a run: stdout (on success), --result, --history.  Returns the
 * exit status, EXIT_OUTPUT when any of them could not be written. */
static int cli_finish(struct cli *c, const char *argv0, int status, json_t *result,
                      const char *out_text, char *events)
{
    int lost = 0;
    if (status == EXIT_OK && write_stdout(argv0, out_text) != 0)
        lost = 1;
    if (c->result_fd >= 0) {
        char *text = asl_json_text(result);
        lost |= write_output(argv0, "--result", c->result_file, c->result_fd, text) != 0;
        c->result_fd = -1;
        free(text);
    }
    if (c->history_fd >= 0) {
        lost |= write_output(argv0, "--history", c->history_file, c->history_fd, events) != 0;
        c->history_fd = -1;
    }
    free(events);
    if (lost) {
        fprintf(stderr, "%s: the execution ended (%s) but its output was not all written\n",
                argv0, json_string_value(json_object_get(result, "status")));
        return EXIT_OUTPUT;
    }
    return status;
}

/* The input, within AWS's size limit, and the program's literals.  NULL
 * after a message (exit 2: nothing ran).  A redrive without --input takes
 * the input the execution had (the store gives it). */
static json_t *prepare_input(struct cli *c, const struct asl_program *prog, const char *argv0,
                             int redrive)
{
    json_t *input = redrive && !c->input_file && !c->input_json ? json_object()
                                                                 : load_input(c, argv0);
    if (!input)
        return NULL;
    struct asl_size_memo memo = {0};
    size_t in_size = asl_json_size_memo(&memo, input);
    asl_json_size_memo_free(&memo);
    if (in_size > ASL_PAYLOAD_MAX) {
        too_large(argv0, c->input_json ? "--input-json" : c->input_file ? c->input_file : "stdin");
        json_decref(input);
        return NULL;
    }
    if (materialise_literals(prog) != 0) {
        free_literals(prog);
        json_decref(input);
        return NULL;
    }
    return input;
}

/* The execution's names and ARNs, its clock, history and root cancellation. */
static void exec_init(struct asl_exec *ex, const struct cli *c, const struct asl_program *prog,
                      json_t *input, const char *argv0)
{
    ex->prog = prog;
    ex->input = input;
    ex->wait_scale = c->wait_scale;
    ex->has_store = c->store != NULL;
    ex->store_path = c->store;
    char uuid[40];
    make_uuid(uuid, sizeof uuid);
    ex->name = strdup(c->name ? c->name : uuid);
    ex->sm_name = strdup(base_name(argv0));
    const char *region = getenv("AWS_REGION");
    if (!region)
        region = getenv("AWS_DEFAULT_REGION");
    if (!region)
        region = "us-east-1";
    ex->exec_arn = str_printf("arn:aws:states:%s:123456789012:execution:%s:%s", region, ex->sm_name,
                              ex->name);
    ex->sm_arn = str_printf("arn:aws:states:%s:123456789012:stateMachine:%s%s", region, ex->sm_name, "");
    ex->role_arn = str_printf("arn:aws:iam::123456789012:role/%s%s%s", "aslc-local", "", "");
    asl_ts_now_iso(ex->start_time, sizeof ex->start_time);
    ex->hist = asl_history_new();
    if (c->history_file)
        asl_history_record(ex->hist);
    ex->cancel = asl_cancel_root_new(c->wait_scale,
                                     prog->timeout_seconds > 0 ? (double)prog->timeout_seconds : 0);
}

/* Mocks, the task environment, --bind, --bucket and the start-up check:
 * 0, or -1 after a message. */
static int exec_resources(struct asl_exec *ex, const struct cli *c, const char *argv0)
{
    if (c->mock_config) {
        struct asl_err err = {0};
        if (asl_mock_load_named(c->mock_config, c->mock_machine ? c->mock_machine : ex->sm_name,
                                c->mock_machine != NULL, c->mock_case, &ex->mock, &err) != 0) {
            fprintf(stderr, "%s: %s\n", argv0, err.cause ? err.cause : "cannot load the mock config");
            asl_err_clear(&err);
            return -1;
        }
    }
    if (asl_task_env_init(ex, c->pass, c->npass) != 0) {
        fprintf(stderr, "%s: out of memory\n", argv0);
        return -1;
    }
    if (asl_task_bindings_parse(ex, c->bind, c->nbind) != 0 ||
        asl_map_store_buckets_parse(ex, c->bucket, c->nbucket) != 0 ||
        asl_task_preflight(ex, argv0) != 0)
        return -1;
    return 0;
}

static void exec_free(struct asl_exec *ex)
{
    asl_mock_free(ex->mock);
    asl_task_bindings_free(ex);
    asl_map_store_buckets_free(ex);
    asl_task_env_free(ex);
    asl_dur_free(ex);
    asl_history_free(ex->hist);
    asl_cancel_free(ex->cancel);
    free(ex->name);
    free(ex->sm_name);
    free(ex->exec_arn);
    free(ex->sm_arn);
    free(ex->role_arn);
}

/* --store: find, create, resume or reopen the execution.  0: run it;
 * 1: it was over already and has been reported (*status); -1: refused
 * (message printed). */
static int store_start(struct asl_exec *ex, struct asl_run *run, struct cli *c, const char *argv0,
                       int redrive, int *status)
{
    json_t *result = NULL;
    int r = asl_store_run_start(ex, c->store, c->durability, redrive, argv0, &result);
    if (r < 0)
        return -1;
    if (r > 0) {    /* over already: report it as it ended */
        *status = asl_store_report(result, argv0);
        char *out_text = *status == EXIT_OK ? asl_json_text(json_object_get(result, "output")) : NULL;
        char *events = c->history_fd >= 0 ? asl_store_history_doc_closed(c->store, ex->exec_arn, argv0)
                                          : NULL;
        *status = cli_finish(c, argv0, *status, result, out_text, events);
        free(out_text);
        json_decref(result);
        return 1;
    }
    /* TimeoutSeconds counts from the start (or the last redrive), not from
     * this process's start. */
    if (ex->prog->timeout_seconds > 0) {
        double left = (double)ex->prog->timeout_seconds - asl_dur_elapsed(ex->dur);
        asl_cancel_free(ex->cancel);
        ex->cancel = asl_cancel_root_new(c->wait_scale, left > 0.001 ? left : 0.001);
        run->cancel = ex->cancel;
    }
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* How the run ended, as --result, the log, the history's last event and
 * the store see it.  Returns the exit status; *result and *out_text (the
 * output's text on success) are the caller's. */
static int run_outcome(struct asl_exec *ex, struct asl_run *run, const struct cli *c,
                       const char *argv0, int ran, json_t *output, const struct timespec *t0,
                       json_t **result, char **out_text)
{
    int sig = asl_signals_received();
    int status;
    if (ran == 0 && !sig) {
        status = EXIT_OK;
        *result = json_pack("{s:s,s:O}", "status", "SUCCEEDED", "output", output);
        *out_text = asl_json_text(output);
        asl_history_add_key(ex, run->prev_event, "ExecutionSucceeded",
                            json_pack("{s:s}", "output", *out_text ? *out_text : "null"), "X1");
        asl_log_execution(ex->sm_name, ex->name, "SUCCEEDED", seconds_since(t0), NULL, NULL);
        if (ex->dur)
            status = asl_store_run_end(ex, status, *out_text, NULL, NULL, result);
        return status;
    }
    if (sig && ex->dur) {
        /* With a store a signal is the process's end, not the execution's:
         * it stays RUNNING, and the same command resumes it. */
        asl_dur_leave(ex);
        *result = json_pack("{s:s}", "status", "RUNNING");
        fprintf(stderr, "%s: %s: execution %s left RUNNING in %s; the same command resumes it\n",
                argv0, asl_signals_name(sig), ex->name, c->store);
        return EXIT_ABORTED;
    }
    if (sig) {
        /* A signal: whatever the run returned, the execution was stopped. */
        char cause[64];
        snprintf(cause, sizeof cause, "The process received %s.", asl_signals_name(sig));
        *result = json_pack("{s:s,s:n,s:s}", "status", "ABORTED", "error", "cause", cause);
        asl_log_execution(ex->sm_name, ex->name, "ABORTED", seconds_since(t0), NULL, cause);
        asl_history_add_exec(ex, run->prev_event, "ExecutionAborted", json_pack("{s:s}", "cause", cause));
        return EXIT_ABORTED;
    }
    const char *name = run->err.name;
    const char *st = "FAILED";
    const char *ev = "ExecutionFailed";
    status = EXIT_FAILED;
    if (asl_cancel_is_set(ex->cancel) && name && strcmp(name, ASL_E_TIMEOUT) == 0 &&
        asl_cancel_remaining(ex->cancel) <= 0) {
        st = "TIMED_OUT";
        status = EXIT_TIMED_OUT;
        ev = "ExecutionTimedOut";
    }
    *result = json_pack("{s:s}", "status", st);
    json_object_set_new(*result, "error", name ? json_string(name) : json_null());
    json_object_set_new(*result, "cause", run->err.cause ? json_string(run->err.cause) : json_null());
    asl_log_execution(ex->sm_name, ex->name, st, seconds_since(t0), name, run->err.cause);
    json_t *det = json_object();
    if (name)
        json_object_set_new(det, "error", json_string(name));
    if (run->err.cause)
        json_object_set_new(det, "cause", json_string(run->err.cause));
    asl_history_add_key(ex, run->prev_event, ev, det, "X1");
    if (ex->dur)
        status = asl_store_run_end(ex, status, NULL, name, run->err.cause, result);
    return status;
}

/* Run the execution: signals, the ExecutionStarted event, the machine, its
 * outcome, the outputs.  Returns the exit status. */
static int run_execution(struct asl_exec *ex, struct asl_run *run, struct cli *c, const char *argv0)
{
    /* From here on a signal aborts the execution instead of killing the
     * process: no thread exists yet (the store's flusher starts below), so
     * all of them inherit the mask. */
    if (asl_signals_start(asl_signals_abort, ex->cancel) != 0) {
        fprintf(stderr, "%s: cannot set up signal handling\n", argv0);
        return EXIT_USAGE;
    }
    if (ex->dur)
        asl_dur_begin_run(ex);
    json_t *started = NULL;
    if (c->history_file || c->store) {   /* the input's text costs a serialisation: only when kept */
        started = json_object();
        char *in_text = asl_json_text(ex->input);
        json_object_set_new(started, "input", json_string(in_text ? in_text : "{}"));
        free(in_text);
        json_object_set_new(started, "roleArn", json_string(ex->role_arn));
    }
    asl_history_add_key(ex, 0, "ExecutionStarted", started, "X0");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    asl_log_execution(ex->sm_name, ex->name, "RUNNING", -1, NULL, NULL);

    json_t *output = NULL, *result = NULL;
    char *out_text = NULL;
    int ran = asl_run_machine(run, ex->prog->machine, ex->input, &output);
    int status = run_outcome(ex, run, c, argv0, ran, output, &t0, &result, &out_text);
    char *events = NULL;
    if (c->history_fd >= 0)
        events = ex->dur ? asl_store_history_doc(ex) : asl_history_doc(ex->hist);
    status = cli_finish(c, argv0, status, result, out_text, events);
    asl_signals_stop();
    free(out_text);
    json_decref(result);
    json_decref(output);
    return status;
}

int asl_main(const struct asl_program *prog, int argc, char **argv)
{
    asl_jn_mem_install();       /* before the first JSON value: the JSONata memory budget */
    if (argc > 1 && strcmp(argv[1], "get-activity-task") == 0)
        return asl_task_activity_cmd(argc, argv);
    if (argc > 1 && strcmp(argv[1], "serve") == 0) {
        json_object_seed(0);
        int rc = materialise_literals(prog) == 0 ? asl_serve_main(prog, argc, argv) : EXIT_USAGE;
        free_literals(prog);
        return rc;
    }
    /* Store subcommands (store/cmd.c); redrive runs the execution here. */
    int redrive = argc > 1 && strcmp(argv[1], "redrive") == 0;
    if (argc > 1 && asl_store_cmd_is(argv[1]) && !redrive)
        return asl_store_cmd(prog, argc, argv);
    if (redrive) {
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    struct cli c = {0};
    /* A closed stdout pipe is a write error (EPIPE, exit 5), not death by
     * SIGPIPE; task programs start with SIGPIPE at its default. */
    signal(SIGPIPE, SIG_IGN);
    if (cli_setup(&c, argc, argv, prog) != 0) {
        cli_free(&c);
        return EXIT_USAGE;
    }
    if (c.show_definition) {
        int rc = write_stdout(argv[0], prog->definition) == 0 ? EXIT_OK : EXIT_OUTPUT;
        cli_free(&c);
        return rc;
    }
    if (redrive && !c.store) {
        fprintf(stderr, "%s: redrive needs --store FILE --name NAME\n", argv[0]);
        cli_free(&c);
        return EXIT_USAGE;
    }
    json_object_seed(0);
    json_t *input = prepare_input(&c, prog, argv[0], redrive);
    if (!input) {
        cli_free(&c);
        return EXIT_USAGE;
    }

    struct asl_exec ex = {0};
    struct asl_budget budget;
    asl_budget_init(&budget, c.max_concurrency);
    ex.budget = &budget;
    exec_init(&ex, &c, prog, input, argv[0]);
    struct asl_run run = {0};
    struct asl_vars top_vars = {0};
    run.exec = &ex;
    run.cancel = ex.cancel;
    run.vars = &top_vars;

    int status = EXIT_USAGE;
    if (exec_resources(&ex, &c, argv[0]) == 0) {
        int r = c.store ? store_start(&ex, &run, &c, argv[0], redrive, &status) : 0;
        if (r == 0)
            status = run_execution(&ex, &run, &c, argv[0]);
    }
    json_decref(top_vars.obj);
    asl_err_clear(&run.err);
    json_decref(ex.input);      /* the store may have replaced it (a redrive's stored input) */
    exec_free(&ex);
    free_literals(prog);
    cli_free(&c);
    return status;
}
