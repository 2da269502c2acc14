/*
 * process.c - a local program as a Task: one run per attempt.
 *
 * Protocol (the user-facing version is docs/local-tasks.md):
 *
 *   stdin    the effective input as compact JSON and one "\n", then EOF.
 *            A program that does not read it is fine (EPIPE is ignored).
 *   stdout   the result as one JSON value (any type; surrounding white
 *            space ignored).  Empty stdout means null.
 *   stderr   free text, forwarded line by line to the log (info level,
 *            tagged with the state name).  The line "aslc:heartbeat" is a
 *            heartbeat: it is not logged, and it resets the HeartbeatSeconds
 *            clock.
 *   exit 0   success: stdout must be JSON (else States.TaskFailed).  More
 *            than 262144 bytes of compact JSON: States.DataLimitExceeded.
 *   exit !0  failure.  When stdout, or else the last non-empty stderr line,
 *            is a JSON object with a string "errorType" (the shape of a
 *            Lambda function error), Error = errorType and Cause = that
 *            object as compact JSON text (AWS's rendering of Lambda function
 *            errors).  Otherwise Error = States.TaskFailed and Cause = the
 *            last ~1 KB of stderr (or "... exited with status N").
 *   signal   States.TaskFailed, Cause names the signal.
 *
 * Process handling: posix_spawnp (no shell), the program leads a new process
 * group, pipes are O_CLOEXEC, and one poll() loop writes stdin and reads
 * stdout and stderr, so large payloads both ways cannot deadlock.  The loop
 * wakes at least every 50 ms to check the cancellation token and the
 * TimeoutSeconds / HeartbeatSeconds clocks (CLOCK_MONOTONIC, never scaled by
 * --wait-scale).  Stopping a task sends SIGTERM to the group, waits
 * ASL_PROC_KILL_GRACE seconds for the leader, then SIGKILLs the group.  When
 * the leader exits on its own, anything left in its group is SIGKILLed
 * too: a task's processes never outlive it.  The leader is reaped only after
 * the group is signalled (waitid WNOWAIT), so its pid - the group id - is
 * never reused under us.
 *
 * SIGPIPE: the calling thread blocks SIGPIPE while it runs a program (the
 * mask is per thread; nothing global changes), treats EPIPE as "the program
 * closed its stdin", and before restoring the mask consumes the SIGPIPE its
 * own write raised.  The child starts with an empty signal mask and default
 * dispositions for the common signals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "task/process.h"
#include "base/json.h"
#include "task/mock.h"

#define PROC_LINE_MAX 16384         /* longer stderr lines are logged in pieces */
#define PROC_TAIL_MAX 1024          /* stderr kept for a failure's Cause */
/* stdout kept beyond this stops the program (States.DataLimitExceeded).
 * White space between JSON tokens is kept as one byte per run, so this
 * bounds the result itself: twice what AWS accepts leaves room for the
 * escapes and number spellings that re-serialising changes; the exact
 * 262144-byte check follows on the parsed value. */
#define PROC_OUT_MAX (2u * ASL_PAYLOAD_MAX)
#define PROC_DRAIN_MAX 2.0          /* after exit: wait this long for pipe EOF */
#define PROC_TICK 0.05              /* cancellation check period */

enum proc_stop { STOP_NONE, STOP_CANCEL, STOP_TIMEOUT, STOP_HEARTBEAT, STOP_OUTPUT };

struct proc_run {
    const struct asl_proc_spec *spec;
    const char *tag;
    pid_t pid;
    int in_fd, out_fd, err_fd;
    const char *in_data;
    size_t in_len, in_off;
    int epipe;
    char *out;                  /* stdout bytes, runs of white space outside strings cut to one */
    size_t out_len, out_cap;
    struct asl_json_squeeze squeeze; /* the squeezer's state between reads */
    char line[PROC_LINE_MAX + 1];   /* the stderr line being read */
    size_t line_len;
    char *last_line;            /* the last non-empty logged stderr line */
    char tail[PROC_TAIL_MAX];   /* the last logged stderr bytes */
    size_t tail_len;
    int tail_cut;               /* tail lost its beginning */
    double started, last_beat;
    int exited;                 /* leader exited (not yet reaped) */
    int reaped, status;
};

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Keep our pipe ends off 0..2, so dup2 in the child always clears CLOEXEC. */
static int fd_above_stdio(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return n;
}

static int make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    p[0] = fd_above_stdio(p[0]);
    p[1] = fd_above_stdio(p[1]);
    if (p[0] < 0 || p[1] < 0) {
        close_fd(&p[0]);
        close_fd(&p[1]);
        return -1;
    }
    return 0;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Replace every byte that is not part of valid UTF-8 by '?', in place, so a
 * cause always becomes a JSON string. */
static void utf8_scrub(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        size_t i = 1;
        while (i < n && (p[i] & 0xC0) == 0x80)
            i++;
        if (n == 0 || i < n || (n == 2 && *p < 0xC2)) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}

/* ------------------------------------------------------------ stderr */

static void tail_add(struct proc_run *r, const char *s, size_t n)
{
    if (n >= PROC_TAIL_MAX) {
        memcpy(r->tail, s + n - PROC_TAIL_MAX, PROC_TAIL_MAX);
        r->tail_len = PROC_TAIL_MAX;
        r->tail_cut = 1;
        return;
    }
    if (r->tail_len + n > PROC_TAIL_MAX) {
        size_t drop = r->tail_len + n - PROC_TAIL_MAX;
        memmove(r->tail, r->tail + drop, r->tail_len - drop);
        r->tail_len -= drop;
        r->tail_cut = 1;
    }
    memcpy(r->tail + r->tail_len, s, n);
    r->tail_len += n;
}

static int is_heartbeat(const char *s, size_t n)
{
    static const char hb[] = ASL_PROC_HEARTBEAT_LINE;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return n == sizeof hb - 1 && memcmp(s, hb, n) == 0;
}

/* One stderr line (without its "\n"); `whole` is 0 for the pieces of an
 * over-long line, which are never heartbeats. */
static void stderr_line(struct proc_run *r, int whole)
{
    char *s = r->line;
    size_t n = r->line_len;
    r->line_len = 0;
    if (whole && n > 0 && s[n - 1] == '\r')
        n--;
    s[n] = '\0';
    if (whole && is_heartbeat(s, n)) {
        r->last_beat = mono_now();
        return;
    }
    asl_log(ASL_LOG_INFO, r->tag, "%s", s);
    tail_add(r, s, n);
    tail_add(r, "\n", 1);
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (k < n) {
        char *copy = strdup(s);
        if (copy) {
            free(r->last_line);
            r->last_line = copy;
        }
    }
}

static void stderr_bytes(struct proc_run *r, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            stderr_line(r, 1);
            continue;
        }
        if (r->line_len == PROC_LINE_MAX)
            stderr_line(r, 0);
        r->line[r->line_len++] = buf[i];
    }
}

/* ------------------------------------------------------------ the loop */

/* Append stdout bytes, white space between tokens squeezed (jsonsize.c);
 * -1 past PROC_OUT_MAX. */
static int out_add(struct proc_run *r, const char *buf, size_t n)
{
    if (r->out_len + n + 1 > r->out_cap) {
        size_t want = r->out_len + n + 1;
        if (want > PROC_OUT_MAX + 1)
            want = PROC_OUT_MAX + 1;
        size_t cap = r->out_cap ? r->out_cap : 4096;
        while (cap < want)
            cap *= 2;
        if (cap > PROC_OUT_MAX + 1)
            cap = PROC_OUT_MAX + 1;
        if (cap > r->out_cap) {
            char *p = realloc(r->out, cap);
            if (!p)
                return -1;
            r->out = p;
            r->out_cap = cap;
        }
    }
    while (n > 0) {
        size_t room = PROC_OUT_MAX - r->out_len;
        size_t take = n < room ? n : room;
        if (take == 0)
            return -1;
        r->out_len += asl_json_squeeze(&r->squeeze, r->out + r->out_len, buf, take);
        buf += take;
        n -= take;
    }
    r->out[r->out_len] = '\0';
    return 0;
}

static void write_input(struct proc_run *r)
{
    while (r->in_off < r->in_len) {
        size_t chunk = r->in_len - r->in_off;
        if (chunk > 65536)
            chunk = 65536;
        ssize_t w = write(r->in_fd, r->in_data + r->in_off, chunk);
        if (w > 0) {
            r->in_off += (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (w < 0 && errno == EPIPE)
            r->epipe = 1;
        break;                  /* the program closed its stdin: fine */
    }
    close_fd(&r->in_fd);
}

/* Read what is there; returns -1 when stdout overflowed. */
static int read_fd(struct proc_run *r, int *fd, int is_out)
{
    char buf[16384];            /* Map threads may have small stacks */
    for (int rounds = 0; rounds < 16; rounds++) {
        ssize_t n = read(*fd, buf, sizeof buf);
        if (n > 0) {
            if (is_out) {
                if (out_add(r, buf, (size_t)n) != 0)
                    return -1;
            } else {
                stderr_bytes(r, buf, (size_t)n);
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (!is_out && r->line_len > 0)
            stderr_line(r, 1);  /* a last line without "\n" */
        close_fd(fd);
        return 0;
    }
    return 0;
}

/* One poll() round of at most `wait` seconds.  Returns -1 on stdout
 * overflow. */
static int pump(struct proc_run *r, double wait)
{
    struct pollfd pf[3];
    int *fds[3];
    nfds_t n = 0;
    if (r->in_fd >= 0) {
        pf[n] = (struct pollfd){.fd = r->in_fd, .events = POLLOUT};
        fds[n++] = &r->in_fd;
    }
    if (r->out_fd >= 0) {
        pf[n] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
        fds[n++] = &r->out_fd;
    }
    if (r->err_fd >= 0) {
        pf[n] = (struct pollfd){.fd = r->err_fd, .events = POLLIN};
        fds[n++] = &r->err_fd;
    }
    int ms = wait > 0 ? (int)ceil(wait * 1000) : 0;
    int rc = poll(pf, n, ms);
    if (rc <= 0)
        return 0;               /* timeout or EINTR: the caller looks again */
    for (nfds_t i = 0; i < n; i++) {
        if (!pf[i].revents)
            continue;
        if (fds[i] == &r->in_fd) {
            if (pf[i].revents & POLLOUT)
                write_input(r);
            else
                close_fd(&r->in_fd);    /* POLLERR: the reader is gone */
        } else if (read_fd(r, fds[i], fds[i] == &r->out_fd) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Has the leader exited?  Leaves it a zombie, so its pid stays taken. */
static int check_exit(struct proc_run *r)
{
    if (r->exited)
        return 1;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc = waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0 && si.si_pid == r->pid)
        r->exited = 1;
    else if (rc != 0 && errno == ECHILD) {
        /* Someone else reaped it (SIGCHLD ignored by the host): the status is lost. */
        r->exited = r->reaped = 1;
        r->status = -1;
    }
    return r->exited;
}

static void reap(struct proc_run *r)
{
    if (r->reaped)
        return;
    int st;
    pid_t w;
    do
        w = waitpid(r->pid, &st, 0);
    while (w < 0 && errno == EINTR);
    r->reaped = 1;
    r->status = w == r->pid ? st : -1;
}

/* Signal the group while the leader is still unreaped. */
static void kill_group(struct proc_run *r, int sig)
{
    if (!r->reaped)
        kill(-r->pid, sig);
}

/* Stop a running program: SIGTERM, a grace period, SIGKILL, reap. */
static void stop_program(struct proc_run *r)
{
    kill_group(r, SIGTERM);
    double until = mono_now() + ASL_PROC_KILL_GRACE;
    while (!check_exit(r)) {
        double left = until - mono_now();
        if (left <= 0)
            break;
        pump(r, left < 0.01 ? left : 0.01);    /* keep pipes moving so it can exit */
    }
    kill_group(r, SIGKILL);
    reap(r);
}

/* Run until the program exits or must be stopped. */
static enum proc_stop run_loop(struct proc_run *r)
{
    const struct asl_proc_spec *sp = r->spec;
    double idle = 0.001;
    for (;;) {
        double now = mono_now();
        if (asl_cancel_is_set(sp->cancel))
            return STOP_CANCEL;
        if (sp->timeout_s > 0 && now - r->started >= sp->timeout_s)
            return STOP_TIMEOUT;
        if (sp->heartbeat_s > 0 && now - r->last_beat >= sp->heartbeat_s)
            return STOP_HEARTBEAT;
        double wait = PROC_TICK;
        if (sp->timeout_s > 0 && r->started + sp->timeout_s - now < wait)
            wait = r->started + sp->timeout_s - now;
        if (sp->heartbeat_s > 0 && r->last_beat + sp->heartbeat_s - now < wait)
            wait = r->last_beat + sp->heartbeat_s - now;
        if (r->out_fd < 0 && r->err_fd < 0) {
            /* Both pipes closed: the program is most likely exiting. */
            if (idle < wait)
                wait = idle;
            idle *= 2;
        }
        if (pump(r, wait) != 0)
            return STOP_OUTPUT;
        if (check_exit(r))
            break;
    }
    /* The leader exited: clear out the rest of its group, then collect
     * what is still in the pipes. */
    kill_group(r, SIGKILL);
    close_fd(&r->in_fd);
    double until = mono_now() + PROC_DRAIN_MAX;
    while (r->out_fd >= 0 || r->err_fd >= 0) {
        double left = until - mono_now();
        if (left <= 0)
            break;
        if (pump(r, left < PROC_TICK ? left : PROC_TICK) != 0)
            return STOP_OUTPUT;
    }
    reap(r);
    return STOP_NONE;
}

/* ------------------------------------------------------------ spawning */

static const char *prog_name(const struct proc_run *r)
{
    return r->spec->argv[0];
}

static int spawn(struct proc_run *r, struct asl_err *err)
{
    int inp[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
    int rc = -1;
    if (make_pipe(inp) != 0 || make_pipe(outp) != 0 || make_pipe(errp) != 0) {
        char eb[128];
        asl_err_set(err, ASL_E_TASK_FAILED, "cannot run '%s': pipe: %s", prog_name(r),
                    strerror_r(errno, eb, sizeof eb));
        goto out;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, inp[0], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    static const int dfl_sigs[] = {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP,
                                   SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof dfl_sigs / sizeof dfl_sigs[0]; i++)
        sigaddset(&dfl, dfl_sigs[i]);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
    char **own_env = r->spec->envp ? NULL : asl_task_env_new(NULL, 0);
    char *const *base = r->spec->envp ? r->spec->envp : own_env;
    /* The environment, plus ASLC_TASK_KEY when the task has one. */
    char **keyed = NULL, *keyvar = NULL;
    if (base && r->spec->task_key) {
        size_t n = 0;
        while (base[n])
            n++;
        size_t kl = strlen(r->spec->task_key) + sizeof "ASLC_TASK_KEY=";
        keyed = calloc(n + 2, sizeof *keyed);
        keyvar = malloc(kl);
        if (keyed && keyvar) {
            snprintf(keyvar, kl, "ASLC_TASK_KEY=%s", r->spec->task_key);
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (strncmp(base[i], "ASLC_TASK_KEY=", 14) != 0)
                    keyed[m++] = base[i];
            keyed[m++] = keyvar;
            keyed[m] = NULL;
        } else {
            free(keyed);
            keyed = NULL;
            base = NULL;        /* out of memory: fail the spawn, not drop the key */
        }
    }
    char *const *envp = keyed ? keyed : base;
    int e = envp ? posix_spawnp(&r->pid, r->spec->argv[0], &fa, &at,
                                (char *const *)r->spec->argv, envp)
                 : ENOMEM;
    free(keyed);
    free(keyvar);
    asl_task_env_strv_free(own_env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (e != 0) {
        char eb[128];
        asl_err_set(err, ASL_E_TASK_FAILED, "cannot run '%s': %s", prog_name(r),
                    strerror_r(e, eb, sizeof eb));
        goto out;
    }
    r->in_fd = inp[1];
    r->out_fd = outp[0];
    r->err_fd = errp[0];
    inp[1] = outp[0] = errp[0] = -1;
    set_nonblock(r->in_fd);
    set_nonblock(r->out_fd);
    set_nonblock(r->err_fd);
    r->started = r->last_beat = mono_now();
    asl_log(ASL_LOG_DEBUG, r->tag, "started '%s' (pid %ld)", prog_name(r), (long)r->pid);
    rc = 0;
out:
    for (int i = 0; i < 2; i++) {
        close_fd(&inp[i]);
        close_fd(&outp[i]);
        close_fd(&errp[i]);
    }
    return rc;
}

/* ------------------------------------------------------------ verdicts */

/* A JSON object with a string errorType -> err; returns 1 when it was one. */
static int lambda_error(const char *text, size_t len, struct asl_err *err)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    json_t *type = json_is_object(o) ? json_object_get(o, "errorType") : NULL;
    int hit = 0;
    if (json_is_string(type) && json_string_length(type) > 0) {
        char *cause = json_dumps(o, JSON_COMPACT);
        asl_err_set_str(err, json_string_value(type), cause);
        free(cause);
        hit = 1;
    }
    json_decref(o);
    return hit;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGSYS: return "SIGSYS";
    default: return "signal";
    }
}

/* The stderr tail as a cause (NULL when there was none); caller frees. */
static char *tail_text(struct proc_run *r)
{
    size_t b = 0, e = r->tail_len;
    if (r->tail_cut)            /* do not start in the middle of a character */
        while (b < e && ((unsigned char)r->tail[b] & 0xC0) == 0x80)
            b++;
    while (b < e && (r->tail[e - 1] == '\n' || r->tail[e - 1] == ' ' || r->tail[e - 1] == '\r'))
        e--;
    while (b < e && (r->tail[b] == '\n' || r->tail[b] == ' '))
        b++;
    if (b == e)
        return NULL;
    char *s = malloc(e - b + 1);
    if (!s)
        return NULL;
    memcpy(s, r->tail + b, e - b);
    s[e - b] = '\0';
    utf8_scrub(s);
    return s;
}

static int failed(struct proc_run *r, struct asl_err *err)
{
    int st = r->status;
    if (st != -1 && WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        return asl_err_set(err, ASL_E_TASK_FAILED, "'%s' was killed by signal %d (%s)",
                           prog_name(r), sig, signal_name(sig));
    }
    if (r->out && lambda_error(r->out, r->out_len, err))
        return -1;
    if (r->last_line && lambda_error(r->last_line, strlen(r->last_line), err))
        return -1;
    char *tail = tail_text(r);
    if (tail) {
        asl_err_set_str(err, ASL_E_TASK_FAILED, tail);
        free(tail);
        return -1;
    }
    if (st == -1)
        return asl_err_set(err, ASL_E_TASK_FAILED, "'%s' failed (exit status lost)",
                           prog_name(r));
    return asl_err_set(err, ASL_E_TASK_FAILED, "'%s' exited with status %d", prog_name(r),
                       WEXITSTATUS(st));
}

static int data_limit(struct proc_run *r, struct asl_err *err)
{
    const char *res = r->spec->resource ? r->spec->resource : prog_name(r);
    return asl_err_set(err, ASL_E_DATA_LIMIT,
                       "The state/task '%s' returned a result with a size exceeding the "
                       "maximum number of bytes service limit.",
                       res);
}

static int succeeded(struct proc_run *r, json_t **result, struct asl_err *err)
{
    size_t b = 0, e = r->out_len;
    while (b < e && strchr(" \t\r\n", r->out[b]))
        b++;
    while (b < e && strchr(" \t\r\n", r->out[e - 1]))
        e--;
    if (b == e) {
        *result = json_null();
        return 0;
    }
    json_error_t jerr;
    json_t *v = json_loadb(r->out + b, e - b, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!v)
        return asl_err_set(err, ASL_E_TASK_FAILED,
                           "'%s' exited 0 but its stdout is not JSON: line %d, column %d: %s",
                           prog_name(r), jerr.line, jerr.column, jerr.text);
    if (json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY) > ASL_PAYLOAD_MAX) {
        json_decref(v);
        return data_limit(r, err);
    }
    *result = v;
    return 0;
}

/* ------------------------------------------------------------ entry */

int asl_proc_invoke(const struct asl_proc_spec *spec, json_t *input, json_t **result,
                    struct asl_err *err)
{
    *result = NULL;
    if (!spec || !spec->argv || !spec->argv[0] || !spec->argv[0][0])
        return asl_err_set(err, ASL_E_RUNTIME, "local task: no program to run");
    if (asl_cancel_is_set(spec->cancel))
        return asl_cancel_err(spec->cancel, err);

    char *json = json_dumps(input ? input : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
    if (!json)
        return asl_err_set(err, ASL_E_RUNTIME, "local task: cannot serialise the input");
    size_t jlen = strlen(json);
    char *in = realloc(json, jlen + 2);
    if (!in) {
        free(json);
        return asl_err_set(err, ASL_E_RUNTIME, "out of memory");
    }
    in[jlen] = '\n';
    in[jlen + 1] = '\0';

    struct proc_run *r = calloc(1, sizeof *r);
    if (!r) {
        free(in);
        return asl_err_set(err, ASL_E_RUNTIME, "out of memory");
    }
    r->spec = spec;
    r->tag = spec->log_tag;
    r->in_fd = r->out_fd = r->err_fd = -1;
    r->in_data = in;
    r->in_len = jlen + 1;

    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    sigemptyset(&pending);
    sigpending(&pending);
    int pipe_was_pending = sigismember(&pending, SIGPIPE);

    int rc = spawn(r, err);
    if (rc == 0) {
        enum proc_stop stop = run_loop(r);
        if (stop != STOP_NONE)
            stop_program(r);
        switch (stop) {
        case STOP_CANCEL:
            asl_log(ASL_LOG_INFO, r->tag, "'%s' stopped: execution cancelled", prog_name(r));
            rc = asl_cancel_err(spec->cancel, err);
            break;
        case STOP_TIMEOUT:
            asl_log(ASL_LOG_INFO, r->tag, "'%s' stopped: TimeoutSeconds (%g) elapsed",
                    prog_name(r), spec->timeout_s);
            rc = asl_err_set_str(err, ASL_E_TIMEOUT, NULL);
            break;
        case STOP_HEARTBEAT:
            asl_log(ASL_LOG_INFO, r->tag, "'%s' stopped: no heartbeat for %g s",
                    prog_name(r), spec->heartbeat_s);
            rc = asl_err_set_str(err, ASL_E_TIMEOUT, NULL);
            err->heartbeat = 1;
            break;
        case STOP_OUTPUT:
            rc = data_limit(r, err);
            break;
        case STOP_NONE:
            if (r->status != -1 && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
                rc = succeeded(r, result, err);
            else if (r->status == -1 && r->out)
                rc = succeeded(r, result, err);
            else
                rc = failed(r, err);
            break;
        }
    }

    close_fd(&r->in_fd);
    close_fd(&r->out_fd);
    close_fd(&r->err_fd);
    if (r->epipe && !pipe_was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    free(r->out);
    free(r->last_line);
    free(r);
    free(in);
    return rc;
}
