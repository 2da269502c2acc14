/*
 * progress.c - progress of a long Map (base/progress.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"
#include "aslrt.h"
#include "base/log.h"

#define FIRST_AFTER 2.0     /* seconds of silence before the first report */
#define TTY_EVERY 0.25      /* redraws on a terminal */
#define LOG_EVERY 5.0       /* log lines otherwise */

static enum asl_progress_mode mode = ASL_PROGRESS_AUTO;
static atomic_int claimed;  /* an outer Map is reporting */

struct asl_progress {
    pthread_mutex_t mu;
    char *name;
    long long total, done, failed;
    double start, last;
    int tty, drawn, logged;
};

void asl_progress_set_mode(enum asl_progress_mode m)
{
    mode = m;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct asl_progress *asl_progress_begin(const char *name, long long total)
{
    if (mode == ASL_PROGRESS_OFF)
        return NULL;
    int tty = isatty(2);
    if (!tty && mode == ASL_PROGRESS_AUTO && !asl_log_enabled(ASL_LOG_INFO))
        return NULL;
    int expect = 0;
    if (!atomic_compare_exchange_strong(&claimed, &expect, 1))
        return NULL;
    struct asl_progress *p = calloc(1, sizeof *p);
    if (!p || !(p->name = strdup(name))) {
        free(p);
        atomic_store(&claimed, 0);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    p->total = total;
    p->start = p->last = now();
    p->tty = tty;
    return p;
}

/* "120/1000 items, 3 failed, 41.2/s, about 21 s left"; under p->mu. */
static void describe(const struct asl_progress *p, double t, char *buf, size_t n)
{
    double el = t - p->start;
    double rate = el > 0 ? (double)p->done / el : 0;
    char tot[32] = "";
    if (p->total >= 0)
        snprintf(tot, sizeof tot, "/%lld", p->total);
    char left[48] = "";
    if (p->total >= 0 && rate > 0 && p->done < p->total)
        snprintf(left, sizeof left, ", about %.0f s left", (double)(p->total - p->done) / rate);
    snprintf(buf, n, "%lld%s items, %lld failed, %.1f/s%s", p->done, tot, p->failed, rate, left);
}

void asl_progress_item(struct asl_progress *p, int failed)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->done++;
    p->failed += failed != 0;
    double t = now();
    int shown = p->drawn || p->logged;
    if (shown ? t - p->last >= (p->tty ? TTY_EVERY : LOG_EVERY) : t - p->start >= FIRST_AFTER) {
        char buf[200];
        describe(p, t, buf, sizeof buf);
        if (p->tty) {
            fprintf(stderr, "\r\033[Kprogress: [%s] %s", p->name, buf);
            fflush(stderr);
            p->drawn = 1;
        } else {
            asl_log_always(ASL_LOG_INFO, p->name, "progress: %s", buf);
            p->logged = 1;
        }
        p->last = t;
    }
    pthread_mutex_unlock(&p->mu);
}

void asl_progress_end(struct asl_progress *p)
{
    if (!p)
        return;
    char buf[200];
    describe(p, now(), buf, sizeof buf);
    if (p->drawn)
        fprintf(stderr, "\r\033[Kprogress: [%s] %s, done\n", p->name, buf);
    else if (p->logged)
        asl_log_always(ASL_LOG_INFO, p->name, "progress: %s, done", buf);
    pthread_mutex_destroy(&p->mu);
    free(p->name);
    free(p);
    atomic_store(&claimed, 0);
}
