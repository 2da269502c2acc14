/*
 * signals.c - SIGTERM, SIGINT and SIGHUP turned into an orderly stop.
 *
 * asl_signals_start() blocks the three signals in the calling thread - call
 * it from main before any other thread exists, so every thread inherits the
 * mask - and starts one watcher thread that takes them with sigwait().  The
 * first signal calls the handler given, on the watcher thread (so the
 * handler may lock, allocate and log: it is not a signal handler); later
 * signals are counted and otherwise ignored, since the stop is already under
 * way and bounded (a task's process group gets SIGTERM, then SIGKILL after
 * ASL_PROC_KILL_GRACE seconds).
 *
 * PID 1: the kernel drops a signal sent to a PID namespace's init when its
 * disposition is SIG_DFL.  The three signals get a real (empty) handler as
 * well as being blocked, so `docker stop` and `kill` reach a binary that is
 * PID 1 exactly as they reach any other.
 *
 * SIGINT and SIGHUP that the process inherited as ignored stay ignored
 * (`nohup`, a shell's background job without job control), as the shells'
 * convention wants; SIGTERM is always taken.
 *
 * Task programs start with an empty mask and default dispositions
 * (task/process.c), so none of this leaks into them.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "aslrt.h"
#include "base/signals.h"

static pthread_t watcher;
static int watching;
static sigset_t stop_set, saved_mask;
static struct sigaction saved_act[3];
static const int stop_sigs[3] = {SIGTERM, SIGINT, SIGHUP};
static atomic_int first_signal, shutting_down;
static asl_signal_fn handler;
static void *handler_arg;

static void no_op(int sig)
{
    (void)sig;
}

static void *watch(void *arg)
{
    (void)arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&stop_set, &sig) != 0)
            continue;
        if (atomic_load(&shutting_down))
            return NULL;
        int expected = 0;
        if (atomic_compare_exchange_strong(&first_signal, &expected, sig) && handler)
            handler(sig, handler_arg);
    }
}

int asl_signals_start(asl_signal_fn fn, void *arg)
{
    if (watching)
        return -1;
    handler = fn;
    handler_arg = arg;
    atomic_store(&first_signal, 0);
    atomic_store(&shutting_down, 0);
    sigemptyset(&stop_set);
    for (int i = 0; i < 3; i++) {
        struct sigaction cur;
        if (stop_sigs[i] != SIGTERM && sigaction(stop_sigs[i], NULL, &cur) == 0 &&
            cur.sa_handler == SIG_IGN)
            continue;
        sigaddset(&stop_set, stop_sigs[i]);
    }
    if (pthread_sigmask(SIG_BLOCK, &stop_set, &saved_mask) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = no_op;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        if (sigismember(&stop_set, stop_sigs[i]))
            sigaction(stop_sigs[i], &sa, &saved_act[i]);
    if (pthread_create(&watcher, NULL, watch, NULL) != 0) {
        for (int i = 0; i < 3; i++)
            if (sigismember(&stop_set, stop_sigs[i]))
                sigaction(stop_sigs[i], &saved_act[i], NULL);
        pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
        return -1;
    }
    watching = 1;
    return 0;
}

int asl_signals_received(void)
{
    return atomic_load(&first_signal);
}

void asl_signals_stop(void)
{
    if (!watching)
        return;
    atomic_store(&shutting_down, 1);
    pthread_kill(watcher, SIGTERM);     /* blocked everywhere: sigwait takes it */
    pthread_join(watcher, NULL);
    watching = 0;
    /* A signal that arrived after the watcher left stays pending; the
     * caller is about to exit with the status it decided, so drop it. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&stop_set, NULL, &zero) > 0)
        ;
    for (int i = 0; i < 3; i++)
        if (sigismember(&stop_set, stop_sigs[i]))
            sigaction(stop_sigs[i], &saved_act[i], NULL);
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}

const char *asl_signals_name(int sig)
{
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

void asl_signals_abort(int sig, void *cancel_root)
{
    struct asl_cancel *root = cancel_root;
    char cause[64];
    snprintf(cause, sizeof cause, "The process received %s.", asl_signals_name(sig));
    asl_log(ASL_LOG_WARN, NULL, "%s: aborting the execution", asl_signals_name(sig));
    asl_cancel_set(root, ASL_E_ABORTED, cause);
}
