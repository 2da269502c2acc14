/*
 * intr_check.h - shared checks for the intrinsic-function unit tests
 * (test_intr_*.c).  Arguments and expected results are written as JSON
 * text; results are compared as compact text (asl_text_json), so an
 * integer 3 and a real 3.0 differ, as they do in AWS's output.  Every call
 * also checks that its arguments were not modified.
 */
#ifndef INTR_CHECK_H
#define INTR_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrt.h"
#include "base/text.h"
#include "intr_table.h"

static int failures;

static inline char *intr_text(const json_t *v)
{
    char *s = v ? asl_text_json_dup(v, NULL) : NULL;
    return s ? s : strdup("(null)");
}

/* Call f on the elements of the JSON array `args`; returns f's status. */
static inline int intr_call(asl_intr_impl f, const char *args, json_t **out, struct asl_err *err,
                     int line)
{
    json_error_t je;
    json_t *a = json_loads(args, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!json_is_array(a)) {
        printf("line %d: bad test arguments %s: %s\n", line, args, je.text);
        failures++;
        json_decref(a);
        return -2;
    }
    json_t *argv[32];
    size_t n = json_array_size(a);
    for (size_t i = 0; i < n && i < 32; i++)
        argv[i] = json_array_get(a, i);
    char *before = intr_text(a);
    *out = NULL;
    int rc = f(argv, n, out, err);
    char *after = intr_text(a);
    if (strcmp(before, after) != 0) {
        printf("line %d: arguments modified: %s -> %s\n", line, before, after);
        failures++;
    }
    free(before);
    free(after);
    json_decref(a);
    return rc;
}

static inline void intr_ok(asl_intr_impl f, const char *args, const char *want, int line)
{
    struct asl_err err = {0};
    json_t *out;
    int rc = intr_call(f, args, &out, &err, line);
    if (rc == -2)
        return;
    json_t *w = json_loads(want, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    char *got = intr_text(out), *exp = intr_text(w);
    if (rc != 0) {
        printf("line %d: %s failed: %s: %s\n", line, args, err.name ? err.name : "?",
               err.cause ? err.cause : "?");
        failures++;
    } else if (!w || strcmp(got, exp) != 0) {
        printf("line %d: %s: got %s, want %s\n", line, args, got, want);
        failures++;
    }
    free(got);
    free(exp);
    json_decref(w);
    json_decref(out);
    asl_err_clear(&err);
}

/* Expect a failure named `name` whose cause contains `cause_part`. */
static inline void intr_fail(asl_intr_impl f, const char *args, const char *name,
                      const char *cause_part, int line)
{
    struct asl_err err = {0};
    json_t *out;
    int rc = intr_call(f, args, &out, &err, line);
    if (rc == -2)
        return;
    if (rc != -1 || out) {
        char *got = intr_text(out);
        printf("line %d: %s: expected %s, got %s\n", line, args, name, got);
        free(got);
        failures++;
    } else if (!err.name || strcmp(err.name, name) != 0 || !err.cause ||
               (cause_part && !strstr(err.cause, cause_part))) {
        printf("line %d: %s: got error %s (%s), want %s (...%s...)\n", line, args,
               err.name ? err.name : "-", err.cause ? err.cause : "-", name,
               cause_part ? cause_part : "");
        failures++;
    }
    json_decref(out);
    asl_err_clear(&err);
}

/* ---- compile-time checks (grammar/intr_table.c) on hand-built calls ---- */

static inline struct asl_expr lit_s(const char *s)
{
    struct asl_expr e = {0};
    e.kind = ASL_EX_VAL;
    e.val.kind = ASL_VAL_STRING;
    e.val.str = s;
    e.val.len = strlen(s);
    return e;
}

static inline struct asl_expr lit_i(long long i)
{
    struct asl_expr e = {0};
    e.kind = ASL_EX_VAL;
    e.val.kind = ASL_VAL_INT;
    e.val.i = i;
    return e;
}

static inline struct asl_expr lit_r(double r)
{
    struct asl_expr e = {0};
    e.kind = ASL_EX_VAL;
    e.val.kind = ASL_VAL_REAL;
    e.val.r = r;
    return e;
}

static inline struct asl_expr lit_k(enum asl_val_kind k)   /* TRUE, FALSE, NULL */
{
    struct asl_expr e = {0};
    e.kind = ASL_EX_VAL;
    e.val.kind = k;
    return e;
}

static inline struct asl_expr a_path(void)
{
    struct asl_expr e = {0};
    e.kind = ASL_EX_PATH;
    return e;
}

static inline struct asl_expr a_call(enum asl_intr_fn fn)
{
    struct asl_expr e = {0};
    e.kind = ASL_EX_CALL;
    e.fn = fn;
    return e;
}

/* want_ok: 1 when the call must pass, 0 when it must be rejected with a
 * message containing `part`. */
static inline void intr_static(enum asl_intr_fn fn, size_t n, const struct asl_expr *args, int want_ok,
                        const char *part, int line)
{
    struct asl_expr call = {0};
    char msg[300] = "";
    call.kind = ASL_EX_CALL;
    call.fn = fn;
    call.name = "States.?";
    call.nargs = n;
    call.args = args;
    int rc = asl_intr_check_call(&call, msg, sizeof msg);
    if (want_ok && rc != 0) {
        printf("line %d: call rejected: %s\n", line, msg);
        failures++;
    } else if (!want_ok && (rc == 0 || (part && !strstr(msg, part)))) {
        printf("line %d: call %s (%s), want rejection with '%s'\n", line,
               rc == 0 ? "accepted" : "rejected", msg, part ? part : "");
        failures++;
    }
}

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))
#define STATIC_OK(fn, ...)                                                         \
    do {                                                                           \
        const struct asl_expr a_[] = {__VA_ARGS__};                                \
        intr_static(fn, NARGS(a_), a_, 1, NULL, __LINE__);                         \
    } while (0)
#define STATIC_BAD(fn, part, ...)                                                  \
    do {                                                                           \
        const struct asl_expr a_[] = {__VA_ARGS__};                                \
        intr_static(fn, NARGS(a_), a_, 0, part, __LINE__);                         \
    } while (0)

#define OK(f, args, want) intr_ok(f, args, want, __LINE__)
#define FAILS(f, args, part) intr_fail(f, args, ASL_E_INTRINSIC, part, __LINE__)
#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            printf("line %d: check failed: %s\n", __LINE__, #cond);                \
            failures++;                                                            \
        }                                                                          \
    } while (0)

#endif /* INTR_CHECK_H */
