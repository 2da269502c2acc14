/*
 * log.c - line-oriented logging to stderr (base/log.h).  One lock so lines
 * from Parallel branches and Map iterations never interleave mid-line.
 */
#define _GNU_SOURCE     /* vasprintf */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "base/log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* Set once by the CLI before any thread starts; read-only afterwards. */
static enum asl_log_level log_threshold = ASL_LOG_WARN;
static enum asl_log_format log_format = ASL_LOG_TEXT;
static int log_journal = -1;    /* stderr is the journal: -1 not decided yet */

static const char *const level_names[] = {"error", "warn", "info", "debug"};
static const int level_priority[] = {3, 4, 6, 7};

void asl_log_set_level(enum asl_log_level lvl)
{
    log_threshold = lvl;
}

int asl_log_enabled(enum asl_log_level lvl)
{
    return lvl <= log_threshold;
}

/* systemd sets JOURNAL_STREAM=DEVICE:INODE for a service's stdout/stderr
 * connected to the journal; it is the journal only if stderr is that file. */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0)
        return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void asl_log_set_format(enum asl_log_format f)
{
    log_format = f;
    log_journal = stderr_is_journal();
}

int asl_log_format_parse(const char *s, enum asl_log_format *f)
{
    if (strcmp(s, "text") == 0)
        *f = ASL_LOG_TEXT;
    else if (strcmp(s, "json") == 0)
        *f = ASL_LOG_JSON;
    else
        return -1;
    return 0;
}

/* msg with every control character written out: one line whatever it holds. */
static void put_one_line(const char *msg, FILE *f)
{
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
}

static void now_iso(char *buf, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t l = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + l, n - l, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* A JSON string of s; bytes that are not UTF-8 become '?', never a lost value. */
static json_t *jstr(const char *s)
{
    json_t *v = json_string(s);
    if (v)
        return v;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

/* One line.  fields (JSON format only, may be NULL) is merged in and stolen. */
static void emit(enum asl_log_level lvl, const char *tag, const char *msg, json_t *fields)
{
    pthread_mutex_lock(&log_lock);
    if (log_journal < 0)        /* decided once, under the lock: any thread may log first */
        log_journal = stderr_is_journal();
    if (log_journal)
        fprintf(stderr, "<%d>", level_priority[lvl]);
    if (log_format == ASL_LOG_JSON) {
        char ts[40];
        now_iso(ts, sizeof ts);
        json_t *o = json_pack("{s:s,s:s}", "time", ts, "level", level_names[lvl]);
        if (o && tag)
            json_object_set_new(o, "state", jstr(tag));
        if (o)
            json_object_set_new(o, "message", jstr(msg));
        if (o && fields)
            json_object_update(o, fields);
        char *text = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        fputs(text ? text : "{}", stderr);
        free(text);
        json_decref(o);
    } else {
        if (tag) {
            fprintf(stderr, "%s: [", level_names[lvl]);
            put_one_line(tag, stderr);
            fputs("] ", stderr);
        } else {
            fprintf(stderr, "%s: ", level_names[lvl]);
        }
        put_one_line(msg, stderr);
    }
    fputc('\n', stderr);
    pthread_mutex_unlock(&log_lock);
    json_decref(fields);
}

static void vlog(enum asl_log_level lvl, const char *tag, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    emit(lvl, tag, msg ? msg : fmt, NULL);
    free(msg);
}

void asl_log(enum asl_log_level lvl, const char *tag, const char *fmt, ...)
{
    if (lvl > log_threshold)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(lvl, tag, fmt, ap);
    va_end(ap);
}

void asl_log_always(enum asl_log_level lvl, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(lvl, tag, fmt, ap);
    va_end(ap);
}

void asl_log_execution(const char *machine, const char *name, const char *status, double seconds,
                       const char *error, const char *cause)
{
    int start = seconds < 0;
    enum asl_log_level lvl = start || strcmp(status, "SUCCEEDED") == 0 ? ASL_LOG_INFO : ASL_LOG_ERROR;
    if (lvl > log_threshold)
        return;
    char *msg = NULL;
    int n;
    if (start)
        n = asprintf(&msg, "execution %s of %s started", name, machine);
    else if (lvl == ASL_LOG_INFO)
        n = asprintf(&msg, "execution %s of %s %s in %.3f s", name, machine, status, seconds);
    else
        n = asprintf(&msg, "execution %s of %s %s in %.3f s: Error: %s; Cause: %s", name, machine, status,
                     seconds, error ? error : "(none)", cause ? cause : "(none)");
    if (n < 0)
        return;
    json_t *fields = NULL;
    if (log_format == ASL_LOG_JSON) {
        fields = json_pack("{s:s,s:o,s:o}", "event", start ? "ExecutionStarted" : "ExecutionEnded",
                           "stateMachine", jstr(machine), "execution", jstr(name));
        if (fields && !start) {
            json_object_set_new(fields, "status", json_string(status));
            json_object_set_new(fields, "durationMs", json_integer((json_int_t)(seconds * 1000 + 0.5)));
            if (error)
                json_object_set_new(fields, "error", jstr(error));
            if (cause)
                json_object_set_new(fields, "cause", jstr(cause));
        }
    }
    emit(lvl, NULL, msg, fields);
    free(msg);
}
