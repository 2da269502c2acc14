/*
 * signals.h - SIGTERM, SIGINT and SIGHUP as an orderly stop (signals.c).
 *
 * Runs without a store pass asl_signals_abort; the durable store passes its
 * own handler (stop cleanly, leave the execution resumable).
 */
#ifndef ASL_BASE_SIGNALS_H
#define ASL_BASE_SIGNALS_H

/* Called once, on the watcher thread, for the first signal. */
typedef void (*asl_signal_fn)(int sig, void *arg);
/* Block SIGTERM/SIGINT/SIGHUP and start the thread that waits for them;
 * call before any other thread exists.  Works when the process is PID 1.
 * 0, or -1 (nothing changed). */
int asl_signals_start(asl_signal_fn fn, void *arg);
/* The first signal received since asl_signals_start (0: none). */
int asl_signals_received(void);
/* Stop the watcher and restore the mask and dispositions (after every
 * other thread is joined). */
void asl_signals_stop(void);
/* "SIGTERM", "SIGINT", "SIGHUP". */
const char *asl_signals_name(int sig);
/* The handler for runs without a store: arg is the execution's root
 * cancellation token; cancels it with ASL_E_ABORTED, so every state stops,
 * every task program's process group gets SIGTERM then SIGKILL, and no
 * Retry or Catch runs.  The CLI then records ExecutionAborted, exit 4. */
void asl_signals_abort(int sig, void *cancel_root);
#define ASL_E_ABORTED "States.Aborted"

#endif
