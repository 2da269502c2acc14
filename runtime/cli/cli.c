/*
 * cli.c - the compiled binary's command line.  The only place that decides
 * exit codes: 0 SUCCEEDED, 1 FAILED, 2 usage or bad input, 3 TIMED_OUT,
 * 4 ABORTED.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec/run.h"
#include "exec/history.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/json.h"
#include "task/task.h"
#include "map/map_store.h"
#include "serve/serve.h"
#include "task/invoke.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_TIMED_OUT = 3, EXIT_ABORTED = 4 };

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
};

static void usage(FILE *f, const char *argv0, const struct asl_program *prog)
{
    fprintf(f,
            "usage: %s [--input FILE|-] [--input-json JSON] [--result FILE] [--name NAME]\n"
            "          [--history FILE] [--log-level error|warn|info|debug] [--log-format text|json]\n"
            "          [--wait-scale X] [--progress | --no-progress]\n"
            "          [--mock-config FILE --mock-case NAME [--mock-machine NAME]]\n"
            "          [--bind RESOURCE=PROGRAM ...]\n"
            "          [--bucket NAME=DIR ...]\n"
            "          [--definition] [--help] [--version]\n"
            "\n"
            "Runs the state machine compiled from %s once.\n"
            "Input: --input FILE ('-' is stdin) or --input-json; with neither, stdin when it is\n"
            "not a terminal, else {}.  The output JSON goes to stdout; logs and the error go to\n"
            "stderr.  --wait-scale multiplies every Wait and Retry delay (0 skips them).\n"
            "--bucket binds an S3 bucket a Map's ItemReader/ResultWriter names to a local\n"
            "folder (or set ASLC_BUCKET_<NAME>=DIR).\n"
            "Exit status: 0 SUCCEEDED, 1 FAILED, 2 usage or bad input, 3 TIMED_OUT, 4 ABORTED.\n",
            argv0, prog->source ? prog->source : "a definition");
}

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Parse the execution input; any JSON value is a valid input. */
static json_t *load_input(const struct cli *c, const char *argv0)
{
    json_error_t jerr;
    json_t *v = NULL;
    const int flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
    if (c->input_json) {
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
        char *text = read_all(f, &len);
        if (f != stdin)
            fclose(f);
        if (!text) {
            fprintf(stderr, "%s: cannot read input from %s\n", argv0, what);
            return NULL;
        }
        /* Empty stdin (e.g. </dev/null) means no input, as with AWS's default {}. */
        size_t i = 0;
        while (i < len && strchr(" \t\r\n", text[i]))
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

static int write_result(const char *path, json_t *result)
{
    if (!path)
        return 0;
    char *text = asl_json_text(result);
    FILE *f = text ? fopen(path, "w") : NULL;
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    free(text);
    if (!ok) {
        fprintf(stderr, "cannot write result file %s\n", path);
        return -1;
    }
    return 0;
}

static int materialise_literals(const struct asl_program *prog)
{
    for (size_t i = 0; i < prog->nlits; i++) {
        json_error_t jerr;
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
            char *end;
            c->wait_scale = strtod(val, &end);
            if (*end || c->wait_scale < 0) {
                fprintf(stderr, "%s: --wait-scale takes a number >= 0\n", argv[0]);
                return -1;
            }
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
        } else if (OPT("--bucket")) {
            NEED();
            const char **nb = realloc(c->bucket, (c->nbucket + 1) * sizeof *nb);
            if (!nb)
                return -1;
            c->bucket = nb;
            c->bucket[c->nbucket++] = val;
        } else if (strcmp(a, "--bind") == 0 || strncmp(a, "--bind=", 7) == 0) {
            val = a[6] == '=' ? a + 7 : NULL;
            NEED();
            if (!strchr(val, '=')) {
                fprintf(stderr, "%s: --bind takes RESOURCE=PROGRAM\n", argv[0]);
                return -1;
            }
            const char **nb = realloc(c->bind, (c->nbind + 1) * sizeof *nb);
            if (!nb)
                return -1;
            c->bind = nb;
            c->bind[c->nbind++] = val;
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
    if (!!c->mock_config != !!c->mock_case && !c->mock_config) {
        fprintf(stderr, "%s: --mock-case needs --mock-config\n", argv[0]);
        return -1;
    }
    return 0;
}

int asl_main(const struct asl_program *prog, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "serve") == 0) {
        json_object_seed(0);
        int rc = materialise_literals(prog) == 0 ? asl_serve_main(prog, argc, argv) : EXIT_USAGE;
        free_literals(prog);
        return rc;
    }
    struct cli c = {0};
    c.wait_scale = 1.0;
    const char *env_scale = getenv("ASLC_WAIT_SCALE");
    if (env_scale)
        c.wait_scale = atof(env_scale);
    if (parse_args(&c, argc, argv, prog) != 0) {
        free(c.bind);
        free(c.bucket);
        return EXIT_USAGE;
    }
    if (c.show_definition) {
        fputs(prog->definition, stdout);
        fputc('\n', stdout);
        free(c.bind);
        free(c.bucket);
        return EXIT_OK;
    }
    json_object_seed(0);
    json_t *input = load_input(&c, argv[0]);
    if (!input) {
        free(c.bind);
        free(c.bucket);
        return EXIT_USAGE;
    }
    struct asl_size_memo memo = {0};
    size_t in_size = asl_json_size_memo(&memo, input);
    asl_json_size_memo_free(&memo);
    if (in_size > ASL_PAYLOAD_MAX) {
        fprintf(stderr, "%s: the input is larger than %d bytes, the Step Functions limit\n", argv[0],
                ASL_PAYLOAD_MAX);
        json_decref(input);
        free(c.bind);
        free(c.bucket);
        return EXIT_USAGE;
    }
    if (materialise_literals(prog) != 0) {
        json_decref(input);
        free(c.bind);
        free(c.bucket);
        return EXIT_USAGE;
    }

    struct asl_exec ex = {0};
    ex.prog = prog;
    ex.input = input;
    ex.wait_scale = c.wait_scale;
    char uuid[40];
    make_uuid(uuid, sizeof uuid);
    ex.name = strdup(c.name ? c.name : uuid);
    ex.sm_name = strdup(base_name(argv[0]));
    const char *region = getenv("AWS_REGION");
    if (!region)
        region = getenv("AWS_DEFAULT_REGION");
    if (!region)
        region = "us-east-1";
    ex.exec_arn = str_printf("arn:aws:states:%s:123456789012:execution:%s:%s", region, ex.sm_name, ex.name);
    ex.sm_arn = str_printf("arn:aws:states:%s:123456789012:stateMachine:%s%s", region, ex.sm_name, "");
    ex.role_arn = str_printf("arn:aws:iam::123456789012:role/%s%s%s", "aslc-local", "", "");
    asl_ts_now_iso(ex.start_time, sizeof ex.start_time);
    ex.hist = asl_history_new();
    if (c.history_file)
        asl_history_record(ex.hist);
    ex.cancel = asl_cancel_root_new(c.wait_scale,
                                    prog->timeout_seconds > 0 ? (double)prog->timeout_seconds : 0);

    int status = EXIT_USAGE;
    json_t *result = NULL, *output = NULL;
    struct asl_run run = {0};
    struct asl_vars top_vars = {0};
    run.exec = &ex;
    run.cancel = ex.cancel;
    run.vars = &top_vars;

    if (c.mock_config) {
        struct asl_err err = {0};
        if (asl_mock_load_named(c.mock_config, c.mock_machine ? c.mock_machine : ex.sm_name,
                                c.mock_machine != NULL, c.mock_case, &ex.mock, &err) != 0) {
            fprintf(stderr, "%s: %s\n", argv[0], err.cause ? err.cause : "cannot load the mock config");
            asl_err_clear(&err);
            goto out;
        }
    }
    if (asl_task_bindings_parse(&ex, c.bind, c.nbind) != 0)
        goto out;
    if (asl_map_store_buckets_parse(&ex, c.bucket, c.nbucket) != 0)
        goto out;
    if (asl_task_preflight(&ex, argv[0]) != 0)
        goto out;

    json_t *started = NULL;
    if (c.history_file) {   /* the input's text costs a serialisation: only when kept */
        started = json_object();
        char *in_text = asl_json_text(input);
        json_object_set_new(started, "input", json_string(in_text ? in_text : "{}"));
        free(in_text);
        json_object_set_new(started, "roleArn", json_string(ex.role_arn));
    }
    asl_history_add_exec(&ex, 0, "ExecutionStarted", started);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    asl_log_execution(ex.sm_name, ex.name, "RUNNING", -1, NULL, NULL);

    if (asl_run_machine(&run, prog->machine, input, &output) == 0) {
        status = EXIT_OK;
        result = json_pack("{s:s,s:O}", "status", "SUCCEEDED", "output", output);
        char *text = asl_json_text(output);
        if (text) {
            fputs(text, stdout);
            fputc('\n', stdout);
        }
        asl_history_add_exec(&ex, run.prev_event, "ExecutionSucceeded",
                             json_pack("{s:s}", "output", text ? text : "null"));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        asl_log_execution(ex.sm_name, ex.name, "SUCCEEDED",
                          (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                          NULL, NULL);
        free(text);
    } else {
        const char *name = run.err.name;
        const char *st = "FAILED";
        status = EXIT_FAILED;
        const char *ev = "ExecutionFailed";
        if (asl_cancel_is_set(ex.cancel) && name && strcmp(name, ASL_E_TIMEOUT) == 0 &&
            asl_cancel_remaining(ex.cancel) <= 0) {
            st = "TIMED_OUT";
            status = EXIT_TIMED_OUT;
            ev = "ExecutionTimedOut";
        }
        result = json_pack("{s:s}", "status", st);
        json_object_set_new(result, "error", name ? json_string(name) : json_null());
        json_object_set_new(result, "cause", run.err.cause ? json_string(run.err.cause) : json_null());
        clock_gettime(CLOCK_MONOTONIC, &t1);
        asl_log_execution(ex.sm_name, ex.name, st,
                          (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                          name, run.err.cause);
        json_t *det = json_object();
        if (name)
            json_object_set_new(det, "error", json_string(name));
        if (run.err.cause)
            json_object_set_new(det, "cause", json_string(run.err.cause));
        asl_history_add_exec(&ex, run.prev_event, ev, det);
    }
    if (write_result(c.result_file, result) != 0 && status == EXIT_OK)
        status = EXIT_USAGE;
    if (c.history_file) {
        /* As GetExecutionHistory answers: {"events": [...]}. */
        json_t *doc = json_pack("{s:o}", "events", asl_history_json(ex.hist));
        if (!doc || json_dump_file(doc, c.history_file, JSON_INDENT(1)) != 0)
            fprintf(stderr, "%s: cannot write history %s\n", argv[0], c.history_file);
        json_decref(doc);
    }
out:
    json_decref(result);
    json_decref(output);
    json_decref(top_vars.obj);
    asl_err_clear(&run.err);
    asl_mock_free(ex.mock);
    asl_task_bindings_free(&ex);
    asl_map_store_buckets_free(&ex);
    asl_history_free(ex.hist);
    asl_cancel_free(ex.cancel);
    free(ex.name);
    free(ex.sm_name);
    free(ex.exec_arn);
    free(ex.sm_arn);
    free(ex.role_arn);
    json_decref(input);
    free_literals(prog);
    free(c.bind);
    free(c.bucket);
    fflush(stdout);
    return status;
}
