/*
 * log.c - line-oriented logging to stderr.  One lock so lines from Parallel
 * branches and Map iterations never interleave mid-line.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "aslrt.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* Set once by the CLI before any thread starts; read-only afterwards. */
static enum asl_log_level log_threshold = ASL_LOG_WARN;

void asl_log_set_level(enum asl_log_level lvl)
{
    log_threshold = lvl;
}

int asl_log_enabled(enum asl_log_level lvl)
{
    return lvl <= log_threshold;
}

void asl_log(enum asl_log_level lvl, const char *tag, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (lvl > log_threshold)
        return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&log_lock);
    if (tag)
        fprintf(stderr, "%s: [%s] ", names[lvl], tag);
    else
        fprintf(stderr, "%s: ", names[lvl]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    pthread_mutex_unlock(&log_lock);
    va_end(ap);
}
