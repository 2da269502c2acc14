/*
 * base/progress.h - progress of a long Map: items done, failed, rate and an
 * estimate of the time left.
 *
 * Only the outermost Map that is running reports (nested Maps would fight
 * over one line).  Nothing is shown for the first 2 seconds, so short Maps
 * stay silent.  On a terminal (stderr is a tty) it is one line redrawn at
 * most every 0.25 s and ended with a newline; otherwise an info-level log
 * line every 5 s and one when the Map ends.  Mode: --progress shows it
 * even when the log level is below info; --no-progress never shows it; the
 * default shows it on a terminal, and as log lines at --log-level info.
 */
#ifndef ASL_BASE_PROGRESS_H
#define ASL_BASE_PROGRESS_H

struct asl_progress;

enum asl_progress_mode { ASL_PROGRESS_AUTO, ASL_PROGRESS_OFF, ASL_PROGRESS_ON };
void asl_progress_set_mode(enum asl_progress_mode m);   /* before any thread starts */

/* total < 0: unknown.  NULL when this Map does not report (nested, or off). */
struct asl_progress *asl_progress_begin(const char *name, long long total);
void asl_progress_item(struct asl_progress *p, int failed);     /* thread-safe; p may be NULL */
void asl_progress_end(struct asl_progress *p);                  /* frees; p may be NULL */

#endif
