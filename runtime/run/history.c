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

#include "base/text.h"
#include "run/history.h"
#include "run/run.h"
#include "store/durable.h"

struct asl_history {
    pthread_mutex_t mu;
    long last_id;
    int record;                 /* build the events' details */
    int keep;                   /* and keep the events (--history) */
    struct asl_buf doc;         /* the kept events, as {"events": [...] text */
    size_t kept;
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
    asl_buf_free(&h->doc);
    free(h);
}

int asl_history_recording(const struct asl_run *run)
{
    return run->exec->hist && run->exec->hist->record;
}

/* One HistoryEvent object as compact JSON text, the details member named
 * after the event: "PassStateEntered" -> "stateEnteredEventDetails",
 * "TaskScheduled" -> "taskScheduledEventDetails". */
static void event_text(struct asl_buf *b, double ts, const char *type, long id, long prev, json_t *details)
{
    char num[96];
    snprintf(num, sizeof num, "{\"timestamp\":%.3f,\"type\":", ts);
    asl_buf_adds(b, num);
    json_t *t = json_string(type);
    asl_text_json(b, t);
    json_decref(t);
    snprintf(num, sizeof num, ",\"id\":%ld,\"previousEventId\":%ld", id, prev);
    asl_buf_adds(b, num);
    if (details) {
        const char *p = strstr(type, "StateEntered") ? "stateEntered"
                      : strstr(type, "StateExited") ? "stateExited" : NULL;
        if (p)
            snprintf(num, sizeof num, ",\"%sEventDetails\":", p);
        else
            snprintf(num, sizeof num, ",\"%c%.60sEventDetails\":", (char)(type[0] - 'A' + 'a'), type + 1);
        asl_buf_adds(b, num);
        asl_text_json(b, details);
    }
    asl_buf_addc(b, '}');
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
        /* The event is written as text once, here: the store keeps this
         * text and --history joins the texts. */
        struct timeval tv;
        gettimeofday(&tv, NULL);
        double ts = (double)tv.tv_sec + (double)(tv.tv_usec / 1000) / 1000.0;
        struct asl_buf b;
        asl_buf_init(&b);
        event_text(&b, ts, type, id, prev, details);
        if (b.oom) {
            asl_log(ASL_LOG_ERROR, NULL, "out of memory writing the history");
        } else {
            if (dur)
                asl_dur_event(dur, id, prev, ts, type, b.p, key);
            if (h->keep) {
                asl_buf_adds(&h->doc, h->kept++ ? ",\n" : "{\"events\": [\n");
                asl_buf_add(&h->doc, b.p, b.len);
            }
        }
        asl_buf_free(&b);
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

char *asl_history_doc(struct asl_history *h)
{
    pthread_mutex_lock(&h->mu);
    struct asl_buf b;
    asl_buf_init(&b);
    if (h->kept)
        asl_buf_add(&b, h->doc.p, h->doc.len);
    asl_buf_adds(&b, h->kept ? "\n]}" : "{\"events\": []}");
    int oom = b.oom || h->doc.oom;
    pthread_mutex_unlock(&h->mu);
    if (oom) {
        asl_buf_free(&b);
        return NULL;
    }
    return b.p;
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
