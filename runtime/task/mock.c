/*
 * mock.c - canned task responses from an AWS Step Functions Local
 * MockConfigFile (docs: https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html).
 *
 *   {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
 *    "MockedResponses": {"<response>": {"0": {"Return": any},
 *                                       "1-2": {"Throw": {"Error": s|null, "Cause": s|null}}}}}
 *
 * Every attempt of a Task state (retries and Map iterations included) takes
 * the next entry of its response: attempt n uses key "n" or "a-b" with
 * a <= n <= b.  The format has no delay field; a mocked task answers at once.
 *
 * The file is checked whole at load time (every response the test case
 * names, not the unused ones): unknown shapes are errors there, not at the
 * n-th attempt.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "task/mock.h"

/* One "a-b" (or "n") entry. */
struct mock_entry {
    long lo, hi;
    json_t *ret;                /* Return, or NULL for a Throw */
    char *error, *cause;        /* Throw; either may be NULL */
};

struct mock_state {
    char *name;
    const char *response;       /* borrowed from the document */
    size_t nentries;
    struct mock_entry *entries; /* sorted by lo */
    long next;                  /* the next attempt's number, under mu */
};

struct asl_mock {
    pthread_mutex_t mu;
    size_t nstates;
    struct mock_state *states;
    json_t *doc;                /* keeps Return values alive */
};

static int parse_num(const char *s, const char **end, long *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *e;
    long v = strtol(s, &e, 10);
    if (errno || v < 0)
        return -1;
    *end = e;
    *out = v;
    return 0;
}

/* "3" or "0-2" -> [lo, hi]. */
static int parse_range(const char *key, long *lo, long *hi)
{
    const char *p;
    if (parse_num(key, &p, lo) != 0)
        return -1;
    if (*p == '\0') {
        *hi = *lo;
        return 0;
    }
    if (*p != '-' || parse_num(p + 1, &p, hi) != 0 || *p != '\0' || *hi < *lo)
        return -1;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct mock_entry *x = a, *y = b;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

/* A Throw's Error or Cause: string, null or absent. */
static int throw_field(json_t *thr, const char *key, char **out)
{
    json_t *v = json_object_get(thr, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    *out = strdup(json_string_value(v));
    return *out ? 0 : -1;
}

/* MockedResponses.<name> -> st->entries. */
static int load_response(const char *path, const char *rname, json_t *resp,
                         struct mock_state *st, struct asl_err *err)
{
    if (!json_is_object(resp) || json_object_size(resp) == 0)
        return asl_err_set(err, ASL_E_RUNTIME,
                           "mock config %s: MockedResponses.%s must be a non-empty object",
                           path, rname);
    st->entries = calloc(json_object_size(resp), sizeof *st->entries);
    if (!st->entries)
        return asl_err_set(err, ASL_E_RUNTIME, "out of memory");
    const char *key;
    json_t *val;
    json_object_foreach(resp, key, val) {
        struct mock_entry *e = &st->entries[st->nentries];
        if (parse_range(key, &e->lo, &e->hi) != 0)
            return asl_err_set(err, ASL_E_RUNTIME,
                               "mock config %s: MockedResponses.%s: key \"%s\" is not an "
                               "invocation number (\"3\") or range (\"0-2\")",
                               path, rname, key);
        json_t *ret = json_is_object(val) ? json_object_get(val, "Return") : NULL;
        json_t *thr = json_is_object(val) ? json_object_get(val, "Throw") : NULL;
        if (!json_is_object(val) || (ret != NULL) == (thr != NULL))
            return asl_err_set(err, ASL_E_RUNTIME,
                               "mock config %s: MockedResponses.%s.%s must hold exactly one "
                               "of \"Return\" and \"Throw\"",
                               path, rname, key);
        st->nentries++;
        if (ret) {
            e->ret = ret;       /* borrowed from doc, which m keeps */
            continue;
        }
        if (!json_is_object(thr) || throw_field(thr, "Error", &e->error) != 0 ||
            throw_field(thr, "Cause", &e->cause) != 0)
            return asl_err_set(err, ASL_E_RUNTIME,
                               "mock config %s: MockedResponses.%s.%s.Throw must be "
                               "{\"Error\": string|null, \"Cause\": string|null}",
                               path, rname, key);
    }
    qsort(st->entries, st->nentries, sizeof *st->entries, cmp_entry);
    for (size_t i = 1; i < st->nentries; i++)
        if (st->entries[i].lo <= st->entries[i - 1].hi)
            return asl_err_set(err, ASL_E_RUNTIME,
                               "mock config %s: MockedResponses.%s: invocation %ld is "
                               "covered twice",
                               path, rname, st->entries[i].lo);
    return 0;
}

/* The machine to use: the named one, else the file's only one. */
static json_t *pick_machine(const char *path, json_t *machines, const char *want, int strict,
                            struct asl_err *err)
{
    json_t *m = want ? json_object_get(machines, want) : NULL;
    if (m)
        return m;
    if (strict) {
        asl_err_set(err, ASL_E_RUNTIME, "mock config %s: no state machine named \"%s\" (--mock-machine)",
                    path, want);
        return NULL;
    }
    if (json_object_size(machines) == 1) {
        void *it = json_object_iter(machines);
        return json_object_iter_value(it);
    }
    if (json_object_size(machines) == 0)
        asl_err_set(err, ASL_E_RUNTIME, "mock config %s: StateMachines is empty", path);
    else if (want)
        asl_err_set(err, ASL_E_RUNTIME, "mock config %s: no state machine named \"%s\"", path,
                    want);
    else
        asl_err_set(err, ASL_E_RUNTIME,
                    "mock config %s: %zu state machines and none named; say which one",
                    path, json_object_size(machines));
    return NULL;
}

static json_t *pick_case(const char *path, json_t *machine, const char *want,
                         struct asl_err *err)
{
    json_t *cases = json_is_object(machine) ? json_object_get(machine, "TestCases") : NULL;
    if (!json_is_object(cases)) {
        asl_err_set(err, ASL_E_RUNTIME, "mock config %s: a state machine has no TestCases object",
                    path);
        return NULL;
    }
    json_t *c = NULL;
    if (want)
        c = json_object_get(cases, want);
    else if (json_object_size(cases) == 1)
        c = json_object_iter_value(json_object_iter(cases));
    if (!c) {
        if (want)
            asl_err_set(err, ASL_E_RUNTIME, "mock config %s: no test case named \"%s\"", path,
                        want);
        else
            asl_err_set(err, ASL_E_RUNTIME,
                        "mock config %s: %zu test cases; say which one", path,
                        json_object_size(cases));
        return NULL;
    }
    if (!json_is_object(c)) {
        asl_err_set(err, ASL_E_RUNTIME, "mock config %s: test case \"%s\" is not an object",
                    path, want ? want : "");
        return NULL;
    }
    return c;
}

void asl_mock_free(struct asl_mock *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nstates; i++) {
        struct mock_state *st = &m->states[i];
        for (size_t j = 0; j < st->nentries; j++) {
            free(st->entries[j].error);
            free(st->entries[j].cause);
        }
        free(st->entries);
        free(st->name);
    }
    free(m->states);
    json_decref(m->doc);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

int asl_mock_load(const char *path, const char *machine_name, const char *case_name,
                  struct asl_mock **out, struct asl_err *err)
{
    return asl_mock_load_named(path, machine_name, 0, case_name, out, err);
}

int asl_mock_load_named(const char *path, const char *machine_name, int strict, const char *case_name,
                        struct asl_mock **out, struct asl_err *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc && jerr.line < 0)     /* not read at all: jansson's text names the file and errno */
        return asl_err_set(err, ASL_E_RUNTIME, "mock config: %s", jerr.text);
    if (!doc)
        return asl_err_set(err, ASL_E_RUNTIME, "mock config %s:%d:%d: not JSON: %s", path, jerr.line,
                           jerr.column, jerr.text);
    struct asl_mock *m = calloc(1, sizeof *m);
    if (!m) {
        json_decref(doc);
        return asl_err_set(err, ASL_E_RUNTIME, "out of memory");
    }
    pthread_mutex_init(&m->mu, NULL);
    m->doc = doc;
    json_t *machines = json_object_get(doc, "StateMachines");
    json_t *responses = json_object_get(doc, "MockedResponses");
    if (!json_is_object(machines) || !json_is_object(responses)) {
        asl_err_set(err, ASL_E_RUNTIME,
                    "mock config %s: needs the objects \"StateMachines\" and \"MockedResponses\"",
                    path);
        goto fail;
    }
    json_t *machine = pick_machine(path, machines, machine_name, strict, err);
    json_t *tc = machine ? pick_case(path, machine, case_name, err) : NULL;
    if (!tc)
        goto fail;
    m->states = calloc(json_object_size(tc) + 1, sizeof *m->states);
    if (!m->states) {
        asl_err_set(err, ASL_E_RUNTIME, "out of memory");
        goto fail;
    }
    const char *state;
    json_t *rname;
    json_object_foreach(tc, state, rname) {
        struct mock_state *st = &m->states[m->nstates];
        if (!json_is_string(rname)) {
            asl_err_set(err, ASL_E_RUNTIME,
                        "mock config %s: test case entry \"%s\" must name a mocked response",
                        path, state);
            goto fail;
        }
        st->name = strdup(state);
        if (!st->name) {
            asl_err_set(err, ASL_E_RUNTIME, "out of memory");
            goto fail;
        }
        m->nstates++;
        st->response = json_string_value(rname);
        json_t *resp = json_object_get(responses, st->response);
        if (!resp) {
            asl_err_set(err, ASL_E_RUNTIME,
                        "mock config %s: state \"%s\" uses mocked response \"%s\", which "
                        "MockedResponses does not define",
                        path, state, st->response);
            goto fail;
        }
        if (load_response(path, st->response, resp, st, err) != 0)
            goto fail;
    }
    *out = m;
    return 0;
fail:
    asl_mock_free(m);
    return -1;
}

static struct mock_state *find_state(const struct asl_mock *m, const char *name)
{
    for (size_t i = 0; i < m->nstates; i++)
        if (strcmp(m->states[i].name, name) == 0)
            return &m->states[i];
    return NULL;
}

int asl_mock_has(const struct asl_mock *m, const char *state_name)
{
    return m && state_name && find_state(m, state_name) != NULL;
}

int asl_mock_next(struct asl_mock *m, const char *state_name, json_t **ret, struct asl_err *err)
{
    *ret = NULL;
    struct mock_state *st = find_state(m, state_name);
    if (!st)
        return asl_err_set(err, ASL_E_RUNTIME,
                           "the mock test case has no response for state '%s'", state_name);
    pthread_mutex_lock(&m->mu);
    long n = st->next;
    if (st->next < LONG_MAX)
        st->next++;
    pthread_mutex_unlock(&m->mu);
    /* Entries never change after load: search without the lock. */
    const struct mock_entry *e = NULL;
    for (size_t i = 0; i < st->nentries && !e; i++)
        if (st->entries[i].lo <= n && n <= st->entries[i].hi)
            e = &st->entries[i];
    if (!e)
        return asl_err_set(err, ASL_E_RUNTIME,
                           "mocked response '%s' has no entry for invocation %ld of state '%s'",
                           st->response, n, state_name);
    if (e->ret) {
        *ret = json_incref(e->ret);
        return 1;
    }
    asl_err_set_str(err, e->error, e->cause);
    return 0;
}
