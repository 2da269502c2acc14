/*
 * history.c - execution history events, numbered as AWS numbers them.
 *
 * Ids matter even when nobody asked for the history: AWS quotes the id of a
 * state's Entered event in States.Runtime causes.  So the counter always
 * runs; the events themselves are kept only with --history.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "run/history.h"
#include "run/run.h"
#include "store/durable.h"

struct asl_history {
    pthread_mutex_t mu;
    long last_id;
    int record;                 /* build the events' details */
    int keep;                   /* and keep the events (--history) */
    json_t *events;
};

struct asl_history *asl_history_new(void)
{
    struct asl_history *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    pthread_mutex_init(&h->mu, NULL);
    return h;
}

void asl_history_record(struct asl_history *h)
{
    h->record = h->keep = 1;
    if (!h->events)
        h->events = json_array();
}

void asl_history_details(struct asl_history *h)
{
    h->record = 1;
}

void asl_history_resume(struct asl_history *h, long last)
{
    h->last_id = last;
}

void asl_history_free(struct asl_history *h)
{
    if (!h)
        return;
    pthread_mutex_destroy(&h->mu);
    json_decref(h->events);
    free(h);
}

int asl_history_recording(const struct asl_run *run)
{
    return run->exec->hist && run->exec->hist->record;
}

long asl_history_add_exec(struct asl_exec *ex, long prev, const char *type, json_t *details)
{
    return asl_history_add_key(ex, prev, type, details, NULL);
}

long asl_history_add_key(struct asl_exec *ex, long prev, const char *type, json_t *details, const char *key)
{
    struct asl_history *h = ex->hist;
    if (!h) {
        json_decref(details);
        return 0;
    }
    /* With a store, an event replayed from it keeps its id and is not
     * written again.  (A distributed Map child's history is its own.) */
    struct asl_durable *dur = ex->dur && !ex->child_history ? ex->dur : NULL;
    if (dur && key) {
        long stored = asl_dur_event_id(dur, key);
        if (stored) {
            json_decref(details);
            return stored;
        }
    }
    pthread_mutex_lock(&h->mu);
    long id = ++h->last_id;
    if (h->record) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        json_t *e = json_object();
        json_object_set_new(e, "timestamp",
                            json_real((double)tv.tv_sec + (double)(tv.tv_usec / 1000) / 1000.0));
        json_object_set_new(e, "type", json_string(type));
        json_object_set_new(e, "id", json_integer(id));
        json_object_set_new(e, "previousEventId", json_integer(prev));
        if (details) {
            /* The details member is named after the event: TaskStateEntered
             * -> stateEnteredEventDetails is the caller's concern; here the
             * generic name is derived from the type. */
            char member[96];
            const char *t = type;
            /* "PassStateEntered" -> "stateEnteredEventDetails" */
            const char *p = strstr(t, "StateEntered") ? "stateEntered"
                          : strstr(t, "StateExited") ? "stateExited" : NULL;
            if (p)
                snprintf(member, sizeof member, "%sEventDetails", p);
            else
                snprintf(member, sizeof member, "%c%sEventDetails", (char)(t[0] - 'A' + 'a'), t + 1);
            json_object_set_new(e, member, details);
            details = NULL;
        }
        if (dur)
            asl_dur_event(dur, id, prev, json_real_value(json_object_get(e, "timestamp")), type, e, key);
        if (h->keep)
            json_array_append(h->events, e);
        json_decref(e);
    }
    pthread_mutex_unlock(&h->mu);
    json_decref(details);
    return id;
}

long asl_history_add_after(struct asl_run *run, long prev, const char *type, json_t *details)
{
    char key[ASL_FIBER_MAX + 24], *k = NULL;
    if (run->exec->dur) {
        asl_dur_key(run, key, sizeof key);
        k = key;
    }
    long id = asl_history_add_key(run->exec, prev, type, details, k);
    run->prev_event = id;
    return id;
}

long asl_history_add(struct asl_run *run, const char *type, json_t *details)
{
    return asl_history_add_after(run, run->prev_event, type, details);
}

json_t *asl_history_json(struct asl_history *h)
{
    pthread_mutex_lock(&h->mu);
    json_t *out = h->events ? json_deep_copy(h->events) : json_array();
    pthread_mutex_unlock(&h->mu);
    return out;
}

void asl_history_evaluation_failed(struct asl_run *run, const char *location)
{
    asl_history_evaluation_failed_after(run, location, run->entered_prev);
}

void asl_history_evaluation_failed_after(struct asl_run *run, const char *location, long prev)
{
    json_t *d = NULL;
    if (asl_history_recording(run))
        d = json_pack("{s:s,s:s?,s:s?,s:s}", "state", run->state ? run->state->name : "",
                      "error", run->err.name, "cause", run->err.cause, "location", location);
    /* AWS chains EvaluationFailed to what preceded the state's Entered
     * event for fields evaluated on entry; a Wait's Timestamp follows the
     * Entered event itself (both recorded). */
    asl_history_add_after(run, prev, "EvaluationFailed", d);
}
