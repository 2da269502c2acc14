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

#include "exec/history.h"
#include "exec/run.h"

struct asl_history {
    pthread_mutex_t mu;
    long last_id;
    int record;
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
    h->record = 1;
    if (!h->events)
        h->events = json_array();
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
    struct asl_history *h = ex->hist;
    if (!h) {
        json_decref(details);
        return 0;
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
            char key[96];
            const char *t = type;
            /* "PassStateEntered" -> "stateEnteredEventDetails" */
            const char *p = strstr(t, "StateEntered") ? "stateEntered"
                          : strstr(t, "StateExited") ? "stateExited" : NULL;
            if (p)
                snprintf(key, sizeof key, "%sEventDetails", p);
            else
                snprintf(key, sizeof key, "%c%sEventDetails", (char)(t[0] - 'A' + 'a'), t + 1);
            json_object_set_new(e, key, details);
            details = NULL;
        }
        json_array_append_new(h->events, e);
    }
    pthread_mutex_unlock(&h->mu);
    json_decref(details);
    return id;
}

long asl_history_add(struct asl_run *run, const char *type, json_t *details)
{
    long id = asl_history_add_exec(run->exec, run->prev_event, type, details);
    run->prev_event = id;
    return id;
}

json_t *asl_history_json(struct asl_history *h)
{
    pthread_mutex_lock(&h->mu);
    json_t *out = h->events ? json_deep_copy(h->events) : json_array();
    pthread_mutex_unlock(&h->mu);
    return out;
}
