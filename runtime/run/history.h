/*
 * run/history.h - the execution's event history (history.c): ids, previous
 * ids and AWS's event details, counted always and kept with --history.
 *
 * Ownership: asl_history_add steals `details`; asl_history_doc returns
 * malloc'd text; the history is freed by asl_history_free.
 */
#ifndef ASL_RUN_HISTORY_H
#define ASL_RUN_HISTORY_H

#include "run/run.h"

struct asl_history *asl_history_new(void);
/* Keep the events (for --history), not only count them. */
void asl_history_record(struct asl_history *h);
int asl_history_recording(const struct asl_run *run);
void asl_history_free(struct asl_history *h);
/* Append an event; details is stolen (may be NULL).  Returns its id and
 * updates run->prev_event. */
long asl_history_add(struct asl_run *run, const char *type, json_t *details);
long asl_history_add_exec(struct asl_exec *ex, long prev, const char *type, json_t *details);
/* The same with a replay key (runtime/store/durable.h; NULL: none). */
long asl_history_add_key(struct asl_exec *ex, long prev, const char *type, json_t *details, const char *key);
/* An event of run's with an explicit previousEventId; updates run->prev_event. */
long asl_history_add_after(struct asl_run *run, long prev, const char *type, json_t *details);
/* Build event details (for a store) without keeping the events. */
void asl_history_details(struct asl_history *h);
/* Continue numbering after `last` (a resumed execution's stored events). */
void asl_history_resume(struct asl_history *h, long last);
/* The kept events as the --history file has them, {"events": [...]} with
 * one event a line (malloc'd text; NULL when out of memory). */
char *asl_history_doc(struct asl_history *h);
/* Record AWS's EvaluationFailed event for run->err at `location` (a
 * JSONata field), chained to what preceded the state's Entered event. */
void asl_history_evaluation_failed(struct asl_run *run, const char *location);
/* The same, chained to event `prev`. */
void asl_history_evaluation_failed_after(struct asl_run *run, const char *location, long prev);

#endif
