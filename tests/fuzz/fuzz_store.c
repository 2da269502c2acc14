/*
 * fuzz_store.c - the store's records as a resumed run reads them: the
 * fuzz input becomes an execution's input, step records and history event
 * rows in a fresh store (runtime/store/), which is then resumed and
 * redriven (asl_dur_start: loading, the redrive prune over arbitrary keys
 * and failure markers) and whose every record is read back through the
 * replay's parsers (asl_dur_record_check) and the subcommands' readers.
 *
 * asl_dur_start reports bad records on stderr: run with -close_fd_mask=2.
 *
 * Input: records separated by NUL bytes; the first is the execution's
 * input text, then alternating key, value for steps; a value starting with
 * 'E' goes to the history instead (its key as the event's replay key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/history.h"
#include "store/cmd.h"
#include "store/durable.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char *next_field(const unsigned char **p, const unsigned char *end)
{
    if (*p >= end)
        return NULL;
    const unsigned char *z = memchr(*p, 0, (size_t)(end - *p));
    size_t n = z ? (size_t)(z - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);
    memcpy(s, *p, n);
    s[n] = '\0';
    *p += n + (z ? 1 : 0);
    return s;
}

static int check_step(void *arg, const char *key, const char *value)
{
    (void)arg;
    (void)key;
    asl_dur_record_check(value);
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_store_%ld.db", (long)getpid());
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);

    struct asl_store *st = NULL;
    char msg[600];
    if (asl_store_open(path, ASL_STORE_SYNC_PROCESS, &st, msg, sizeof msg) != ASL_STORE_OK)
        return 0;
    const unsigned char *p = data, *end = data + size;
    char *input = next_field(&p, end);
    const char *arn = "arn:aws:states:us-east-1:123456789012:execution:fuzz:x";
    struct asl_store_exec e = {.arn = (char *)arn, .name = "x", .sm_arn = "sm", .input = input ? input : "{}",
                               .status = ASL_EXEC_FAILED, .start_date = asl_store_now(),
                               .stop_date = asl_store_now()};
    int64_t id = 0;
    asl_store_begin(st);
    asl_store_exec_create(st, &e, &id);
    long ev = 0;
    for (;;) {
        char *k = next_field(&p, end), *v = next_field(&p, end);
        if (!k || !v) {
            free(k);
            free(v);
            break;
        }
        if (v[0] == 'E') {
            ev++;
            struct asl_store_event se = {.id = ev, .prev = ev - 1, .timestamp = 1, .type = "Fuzz",
                                         .json = v + 1, .key = k};
            asl_store_event_append(st, id, &se);
        } else {
            asl_store_step_put(st, id, k, v);
        }
        free(k);
        free(v);
    }
    asl_store_commit(st);
    asl_store_step_all(st, id, check_step, NULL);
    json_t *h = asl_store_history_json(st, id, 0, 0);
    json_decref(h);
    asl_store_close(st);

    /* a redrive: prune, reopen, load everything a resumed run loads */
    struct asl_exec ex = {0};
    ex.exec_arn = (char *)arn;
    ex.name = "x";
    ex.sm_arn = "sm";
    ex.input = json_object();
    ex.hist = asl_history_new();
    struct asl_store_exec closed = {0};
    if (asl_dur_start(&ex, path, ASL_STORE_SYNC_PROCESS, 1, "fuzz", &closed) == ASL_DUR_RUN)
        asl_dur_leave(&ex);
    asl_dur_free(&ex);
    asl_store_exec_clear(&closed);
    asl_history_free(ex.hist);
    json_decref(ex.input);
    free(input);
    unlink(path);
    return 0;
}
