/*
 * serve.c - `BINARY serve`: options, start-up, readiness, a clean stop.
 *
 * Start-up order: options -> credentials -> store handles -> the server's
 * key and dates from the store -> the execution pool (which resumes what
 * was running) -> the listener -> READY=1 to systemd.  SIGTERM or SIGINT:
 * STOPPING=1, refuse new requests, answer pending long polls, park running
 * executions in the store (they resume on the next start), close.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "serve.h"
#include "serve_exec.h"
#include "serve_http.h"
#include "serve_int.h"
#include "serve_run.h"
#include "store/serve_queries.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2 };

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s serve --store FILE [--listen ADDRESS:PORT] [--credentials FILE]\n"
            "          [--state-machine-name NAME] [--region REGION] [--durability full|process]\n"
            "          [--workers N] [--http-threads N] [--max-connections N] [--max-inflight N]\n"
            "          [--max-queue N] [--max-running N] [--max-pollers N] [--poll-seconds S]\n"
            "          [--bind RESOURCE=PROGRAM ...] [--bucket NAME=DIR ...] [--wait-scale X]\n"
            "          [--log-level error|warn|info|debug]\n"
            "\n"
            "Serves the AWS Step Functions API (awsJson1_0) for this state machine, with every\n"
            "execution kept in the store FILE (SQLite), so a restart loses nothing.\n"
            "  --listen          address and port (default 127.0.0.1:8083; port 0 picks a free one).\n"
            "                    An address other than loopback needs --credentials.\n"
            "  --credentials     an AWS shared-credentials file; every request must then carry a\n"
            "                    valid SigV4 signature by one of its keys (service 'states').\n"
            "  --state-machine-name  the name in the state machine's ARN (default: the binary's).\n"
            "  --region          the region in ARNs and signatures (default $AWS_REGION, us-east-1).\n"
            "  --durability      full (default: fsync at every commit) or process.\n"
            "  --workers         execution threads (default 4); waiting executions hold none.\n"
            "  --max-inflight    requests answered at once before ThrottlingException (default 256).\n"
            "  --max-queue       executions waiting for a worker before ThrottlingException (default 10000).\n"
            "  --max-running     open executions before ExecutionLimitExceeded (default 1000000).\n"
            "  --max-pollers     GetActivityTask polls held per activity (default 1000).\n"
            "  --poll-seconds    how long GetActivityTask waits for a task (default 59).\n"
            "  --bind, --bucket, --wait-scale  as for a single run, for every execution.\n"
            "Logs go to stderr (one line per execution start and end at level info, the default).\n"
            "Readiness is reported to systemd (Type=notify); SIGTERM stops cleanly and leaves\n"
            "running executions to resume at the next start.  See docs/serve.md.\n",
            argv0);
}

struct serve_opts {
    const char *store, *listen, *credentials, *sm_name, *region, *durability;
    struct asl_serve_limits lim;
    struct asl_serve_runopts run;
};

static int parse_int(const char *argv0, const char *opt, const char *val, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(val, &end, 10);
    if (*val == '\0' || *end || v < lo || v > hi) {
        fprintf(stderr, "%s serve: %s takes a whole number from %d to %d\n", argv0, opt, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int push(const char ***list, size_t *n, const char *v)
{
    const char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl)
        return -1;
    nl[(*n)++] = v;
    *list = nl;
    return 0;
}

static int parse_args(struct serve_opts *o, int argc, char **argv)
{
    const char *argv0 = argv[0];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq = strchr(a, '=');
        char name[64];
        if (strncmp(a, "--", 2) == 0 && eq && strncmp(a, "--bind", 6) != 0 && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            usage(stdout, argv0);
            exit(EXIT_OK);
        }
        if (strncmp(name, "--", 2) != 0) {
            fprintf(stderr, "%s serve: unexpected argument '%s' (see --help)\n", argv0, a);
            return -1;
        }
        if (!val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s serve: option %s needs a value\n", argv0, name);
                return -1;
            }
            val = argv[++i];
        }
        int rc = 0;
        if (strcmp(name, "--store") == 0)
            o->store = val;
        else if (strcmp(name, "--listen") == 0)
            o->listen = val;
        else if (strcmp(name, "--credentials") == 0)
            o->credentials = val;
        else if (strcmp(name, "--state-machine-name") == 0)
            o->sm_name = val;
        else if (strcmp(name, "--region") == 0)
            o->region = val;
        else if (strcmp(name, "--durability") == 0)
            o->durability = val;
        else if (strcmp(name, "--workers") == 0)
            rc = parse_int(argv0, name, val, 1, 256, &o->lim.workers);
        else if (strcmp(name, "--http-threads") == 0)
            rc = parse_int(argv0, name, val, 1, 64, &o->lim.http_threads);
        else if (strcmp(name, "--max-connections") == 0)
            rc = parse_int(argv0, name, val, 1, 100000, &o->lim.max_connections);
        else if (strcmp(name, "--max-inflight") == 0)
            rc = parse_int(argv0, name, val, 1, 100000, &o->lim.max_inflight);
        else if (strcmp(name, "--max-queue") == 0)
            rc = parse_int(argv0, name, val, 1, 10000000, &o->lim.max_queue);
        else if (strcmp(name, "--max-running") == 0)
            rc = parse_int(argv0, name, val, 1, 100000000, &o->lim.max_running);
        else if (strcmp(name, "--max-pollers") == 0)
            rc = parse_int(argv0, name, val, 1, 100000, &o->lim.max_pollers);
        else if (strcmp(name, "--poll-seconds") == 0) {
            int secs = 0;
            rc = parse_int(argv0, name, val, 0, 60, &secs);
            o->lim.poll_seconds = secs;
        } else if (strcmp(name, "--bind") == 0) {
            if (!strchr(val, '=')) {
                fprintf(stderr, "%s serve: --bind takes RESOURCE=PROGRAM\n", argv0);
                return -1;
            }
            rc = push(&o->run.bind, &o->run.nbind, val);
        } else if (strcmp(name, "--bucket") == 0)
            rc = push(&o->run.bucket, &o->run.nbucket, val);
        else if (strcmp(name, "--wait-scale") == 0) {
            char *end;
            o->run.wait_scale = strtod(val, &end);
            if (*end || o->run.wait_scale < 0) {
                fprintf(stderr, "%s serve: --wait-scale takes a number >= 0\n", argv0);
                return -1;
            }
        } else if (strcmp(name, "--log-level") == 0) {
            static const char *const levels[] = {"error", "warn", "info", "debug"};
            int found = -1;
            for (int l = 0; l < 4; l++)
                if (strcmp(val, levels[l]) == 0)
                    found = l;
            if (found < 0) {
                fprintf(stderr, "%s serve: --log-level takes error, warn, info or debug\n", argv0);
                return -1;
            }
            asl_log_set_level((enum asl_log_level)found);
        } else {
            fprintf(stderr, "%s serve: unknown option %s (see --help)\n", argv0, name);
            return -1;
        }
        if (rc != 0)
            return -1;
    }
    if (!o->store) {
        fprintf(stderr, "%s serve: --store FILE is required (the executions live there)\n", argv0);
        return -1;
    }
    if (o->durability && strcmp(o->durability, "full") != 0 && strcmp(o->durability, "process") != 0) {
        fprintf(stderr, "%s serve: --durability takes full or process\n", argv0);
        return -1;
    }
    if (o->sm_name && !asl_serve_name_ok(o->sm_name)) {
        fprintf(stderr, "%s serve: --state-machine-name '%s' is not a valid Step Functions name\n",
                argv0, o->sm_name);
        return -1;
    }
    return 0;
}

/* "ADDRESS:PORT", "[V6]:PORT" or ":PORT" -> host, port. */
static int split_listen(const char *spec, char *host, size_t hn, int *port)
{
    const char *colon;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= hn)
            return -1;
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= hn)
            return -1;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        if (!*host)
            snprintf(host, hn, "127.0.0.1");
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

static int is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The server's page-token key and the state machine's creation date live
 * in the store, so tokens and dates survive restarts. */
static int load_meta(struct asl_serve *s)
{
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    int ok = -1;
    unsigned char key[32];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, key, sizeof key) : -1;
    if (fd >= 0)
        close(fd);
    double now = asl_serve_now();
    void *val = NULL;
    size_t len = 0;
    if (got == (ssize_t)sizeof key && asl_sq_meta_put_new(h->sq, "page_key", key, sizeof key) >= 0 &&
        asl_sq_meta_get(h->sq, "page_key", &val, &len) == ASL_SQ_OK && len == sizeof s->page_key) {
        memcpy(s->page_key, val, len);
        free(val);
        val = NULL;
        char created[40];
        snprintf(created, sizeof created, "%.3f", now);
        if (asl_sq_meta_put_new(h->sq, "state_machine_created", created, strlen(created)) >= 0 &&
            asl_sq_meta_get(h->sq, "state_machine_created", &val, &len) == ASL_SQ_OK) {
            s->sm_created = atof(val);
            ok = 0;
        }
    }
    free(val);
    if (ok != 0)
        fprintf(stderr, "serve: cannot set up the store %s: %s\n", s->store_path, asl_sq_errmsg(h->sq));
    asl_serve_db_put(s->db, h);
    return ok;
}

int asl_serve_main(const struct asl_program *prog, int argc, char **argv)
{
    struct serve_opts o = {0};
    o.lim = (struct asl_serve_limits){
        .http_threads = 2, .workers = 4, .max_connections = 4096, .max_inflight = 256,
        .max_pollers = 1000, .max_queue = 10000, .max_running = 1000000,
        .max_request = 1024 * 1024, .poll_seconds = 59,
    };
    o.run.wait_scale = 1.0;
    asl_log_set_level(ASL_LOG_INFO);
    if (parse_args(&o, argc, argv) != 0) {
        free(o.run.bind);
        free(o.run.bucket);
        return EXIT_USAGE;
    }
    int status = EXIT_USAGE;
    struct asl_serve s = {0};
    struct asl_serve_http *http = NULL;
    s.prog = prog;
    s.lim = o.lim;
    s.store_path = strdup(o.store);
    s.sync = !o.durability || strcmp(o.durability, "full") == 0;
    s.region = strdup(o.region ? o.region
                      : getenv("AWS_REGION") ? getenv("AWS_REGION")
                      : getenv("AWS_DEFAULT_REGION") ? getenv("AWS_DEFAULT_REGION")
                                                     : "us-east-1");
    s.account = strdup("123456789012");
    s.sm_name = strdup(o.sm_name ? o.sm_name : base_name(argv[0]));
    s.sm_arn = asl_serve_printf("arn:aws:states:%s:%s:stateMachine:%s", s.region, s.account, s.sm_name);
    s.role_arn = asl_serve_printf("arn:aws:iam::%s:role/aslc-local", s.account);
    s.run = &o.run;
    char host[128];
    int port = 8083;
    snprintf(host, sizeof host, "127.0.0.1");
    char msg[512];
    if (o.listen && split_listen(o.listen, host, sizeof host, &port) != 0) {
        fprintf(stderr, "%s serve: --listen takes ADDRESS:PORT (e.g. 127.0.0.1:8083 or [::1]:8083)\n", argv[0]);
        goto out;
    }
    if (o.credentials) {
        s.creds = asl_serve_creds_load(o.credentials, msg, sizeof msg);
        if (!s.creds) {
            fprintf(stderr, "%s serve: %s\n", argv[0], msg);
            goto out;
        }
    } else if (!is_loopback(host)) {
        fprintf(stderr, "%s serve: listening on %s (not loopback) needs --credentials FILE: anyone who "
                        "can reach the port could start and answer executions\n", argv[0], host);
        goto out;
    }
    s.db = asl_serve_db_open(s.store_path, s.sync, s.lim.http_threads + s.lim.workers + 2, msg, sizeof msg);
    if (!s.db) {
        fprintf(stderr, "%s serve: %s\n", argv[0], msg);
        goto out;
    }
    if (load_meta(&s) != 0 || asl_serve_exec_setup(&s, argv[0]) != 0)
        goto out;

    /* Signals go to sigwait below, not to the threads started from here on. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (asl_serve_run_start(&s, msg, sizeof msg) != 0 || asl_serve_durable_start(&s, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s serve: %s\n", argv[0], msg);
        goto out_run;
    }
    http = asl_serve_http_start(&s, host, port, msg, sizeof msg);
    if (!http) {
        fprintf(stderr, "%s serve: %s\n", argv[0], msg);
        goto out_run;
    }
    /* Always printed, whatever the log level: tools wait for this line. */
    fprintf(stderr, "serve: listening on http://%s%s%s:%d for %s (store %s%s)\n",
            strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", asl_serve_http_port(http),
            s.sm_arn, s.store_path, s.creds ? ", SigV4 required" : "");
    fflush(stderr);
    sd_notifyf(0, "READY=1\nSTATUS=Serving %s on port %d", s.sm_name, asl_serve_http_port(http));

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0 || sig == SIGHUP)
        ;   /* SIGHUP: nothing to reload */
    asl_log(ASL_LOG_INFO, "serve", "signal %d: stopping; running executions stay in the store", sig);
    sd_notify(0, "STOPPING=1");
    atomic_store(&s.stopping, 1);
    status = EXIT_OK;
    asl_serve_run_stop(&s);     /* answers pending calls, parks executions */
    asl_serve_durable_stop(&s);
    asl_serve_http_stop(http);
    asl_serve_run_free(&s);
    goto out;
out_run:
    asl_serve_run_stop(&s);
    asl_serve_durable_stop(&s);
    asl_serve_run_free(&s);
out:
    asl_serve_exec_teardown(&s);
    asl_serve_db_close(s.db);
    asl_serve_creds_free(s.creds);
    free(s.store_path);
    free(s.region);
    free(s.account);
    free(s.sm_name);
    free(s.sm_arn);
    free(s.role_arn);
    free(o.run.bind);
    free(o.run.bucket);
    return status;
}
