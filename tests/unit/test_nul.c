/*
 * test_nul.c - strings are taken by their length everywhere (issue 16 item
 * 2), plus the runtime's budgets (item 5): one check per operation that
 * used to stop at a NUL byte, the input squeezer's invariants, the
 * concurrency budget's bound and the JSONata memory budget.
 * (Choice operators: tests/cases/issue16_nul_choice; the CLI:
 * tests/scripts/test_hardening.sh.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrt.h"
#include "base/json.h"
#include "run/run.h"
#include "jsonata/jn_mem.h"
#include "jsonata_ast.h"
#include "task/http.h"
#include "task/net.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

/* Evaluate a JSONata expression over `input` (JSON text, may hold \u0000);
 * the result as compact JSON text, or "ERR <name>: <cause>" (caller frees). */
static char *jn(const char *src, const char *input)
{
    struct asl_jn_ast *ast;
    struct asl_jn_error pe;
    if (asl_jn_parse(src, strlen(src), &ast, &pe) != 0)
        return strdup("SYNTAX");
    json_t *in = json_loads(input, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    json_t *states = json_pack("{s:o}", "input", in);
    struct asl_jn_env env = {.states = states};
    json_t *out = NULL;
    struct asl_err err = {0};
    char *s;
    if (asl_jn_eval(ast->root, &env, &out, &err) != 0) {
        size_t n = strlen(err.name) + strlen(err.cause ? err.cause : "") + 8;
        s = malloc(n);
        snprintf(s, n, "ERR %s: %s", err.name, err.cause ? err.cause : "");
    } else {
        s = out ? json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("undefined");
    }
    json_decref(out);
    asl_err_clear(&err);
    json_decref(states);
    asl_jn_free(ast);
    return s;
}

static void expect_jn(const char *src, const char *input, const char *want)
{
    char *got = jn(src, input);
    CHECK(strncmp(got, want, strlen(want)) == 0, "%s over %s: got %s, want %s", src, input, got, want);
    free(got);
}

static void test_timestamps(void)
{
    long long s;
    long ns;
    static const char ok[] = "2020-01-01T00:00:00Z";
    static const char nul[] = "2020-01-01T00:00:00Z\0junk";
    CHECK(asl_ts_parsen(ok, sizeof ok - 1, &s, &ns) == 0, "a plain timestamp");
    CHECK(asl_ts_parsen(nul, sizeof nul - 1, &s, &ns) != 0, "a NUL and junk after a timestamp");
    static const char mid[] = "2020-01-01T00:00\0:00Z";
    CHECK(asl_ts_parsen(mid, sizeof mid - 1, &s, &ns) != 0, "a NUL inside a timestamp");
}

static void test_jsonata(void)
{
    /* $number read "5" and stopped at the NUL. */
    expect_jn("$number($states.input.s)", "{\"s\":\"5\\u0000x\"}", "ERR States.QueryEvaluationError");
    expect_jn("$number($states.input.s)", "{\"s\":\"5\"}", "5");
    /* Ordering compared up to the first NUL: "a\0b" and "a" were equal. */
    expect_jn("$states.input.a > $states.input.b", "{\"a\":\"a\\u0000b\",\"b\":\"a\"}", "true");
    expect_jn("$states.input.b < $states.input.a", "{\"a\":\"a\\u0000b\",\"b\":\"a\"}", "true");
    expect_jn("$sort($states.input.l)", "{\"l\":[\"a\\u0000b\",\"a\",\"a\\u0000\"]}",
              "[\"a\",\"a\\u0000\",\"a\\u0000b\"]");
    expect_jn("$states.input.l^(v).v", "{\"l\":[{\"v\":\"a\\u0000b\"},{\"v\":\"a\"},{\"v\":\"a\\u0000\"}]}",
              "[\"a\",\"a\\u0000\",\"a\\u0000b\"]");
    /* Functions that were length-based already, kept so. */
    expect_jn("$length($states.input.s)", "{\"s\":\"a\\u0000b\"}", "3");
    expect_jn("$contains($states.input.s, 'b')", "{\"s\":\"a\\u0000b\"}", "true");
    expect_jn("$split($states.input.s, 'x')", "{\"s\":\"a\\u0000xb\"}", "[\"a\\u0000\",\"b\"]");
    expect_jn("$states.input.s = 'a'", "{\"s\":\"a\\u0000\"}", "false");
}

static void test_http(void)
{
    /* A URL or header cut at its NUL would reach another place than the
     * text says: refused before any request (port 9 is never contacted). */
    static const struct asl_net_opts opts = {.timeout_s = 5, .tag = "Nul"};
    static const char *const params[] = {
        "{\"ApiEndpoint\":\"http://127.0.0.1:9/a\\u0000.evil\",\"Method\":\"GET\"}",
        "{\"ApiEndpoint\":\"http://127.0.0.1:9/a\",\"Method\":\"GET\\u0000\"}",
        "{\"ApiEndpoint\":\"http://127.0.0.1:9/a\",\"Method\":\"GET\",\"Headers\":{\"x\":\"v\\u0000\\r\\nEvil: 1\"}}",
        "{\"ApiEndpoint\":\"http://127.0.0.1:9/a\",\"Method\":\"GET\",\"QueryParameters\":{\"q\":[\"a\\u0000b\"]}}",
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        json_t *p = json_loads(params[i], JSON_ALLOW_NUL, NULL);
        CHECK(p != NULL, "params %zu parse", i);
        json_t *res = NULL;
        struct asl_err err = {0};
        int rc = asl_http_invoke(p, &opts, &res, &err);
        CHECK(rc != 0 && err.name && strcmp(err.name, ASL_E_RUNTIME) == 0 && err.cause &&
                  strstr(err.cause, "NUL character"),
              "params %zu: rc %d, %s: %s", i, rc, err.name ? err.name : "-", err.cause ? err.cause : "-");
        json_decref(res);
        asl_err_clear(&err);
        json_decref(p);
    }
}

static void test_squeeze(void)
{
    static const char in[] = "{ \"a\" :\n\n [1,   2]  , \"s\": \"x   y\\\"  z\" }  \n";
    char out[sizeof in];
    struct asl_json_squeeze z = {0};
    /* In two pieces, split inside a string: the state carries over. */
    size_t n = asl_json_squeeze(&z, out, in, 30);
    n += asl_json_squeeze(&z, out + n, in + 30, sizeof in - 1 - 30);
    out[n] = '\0';
    CHECK(strcmp(out, "{ \"a\" :\n[1, 2] , \"s\": \"x   y\\\"  z\" } ") == 0, "squeezed: [%s]", out);
    json_t *a = json_loads(in, 0, NULL), *b = json_loads(out, 0, NULL);
    CHECK(a && b && json_equal(a, b), "the value is unchanged");
    json_decref(a);
    json_decref(b);
    CHECK(z.significant == 28, "significant bytes: %zu", z.significant);
    struct asl_json_squeeze z2 = {0};
    n = asl_json_squeeze(&z2, out, "1 2", 3);
    CHECK(n == 3 && memcmp(out, "1 2", 3) == 0, "two tokens stay two tokens");
}

static void test_budget(void)
{
    struct asl_budget b3;
    asl_budget_init(&b3, 3);
    struct asl_exec ex = {.budget = &b3};
    int taken = 0;
    while (taken < 10 && asl_budget_take(&ex))
        taken++;
    CHECK(taken == 3, "a budget of 3 gave %d slots", taken);
    asl_budget_give(&ex);
    CHECK(asl_budget_take(&ex) == 1, "a slot given back can be taken again");
    CHECK(asl_budget_take(&ex) == 0, "and no more");
    struct asl_budget b0;
    asl_budget_init(&b0, 0);
    struct asl_exec dflt = {.budget = &b0};
    taken = 0;
    while (taken < 10000 && asl_budget_take(&dflt))
        taken++;
    CHECK(taken == ASL_CONCURRENCY_DEFAULT, "the default budget is %d, got %d",
          ASL_CONCURRENCY_DEFAULT, taken);
}

static void test_jsonata_memory(void)
{
    /* 16 bytes doubled 24 times: 256 MiB, four times the budget. */
    char *got = jn("$length($reduce([1..24], function($a, $i) { $a & $a }, '0123456789abcdef'))", "{}");
    CHECK(strncmp(got, "ERR States.QueryEvaluationError", 31) == 0 && strstr(got, "Memory limit"),
          "a runaway string: %s", got);
    free(got);
    /* Under the budget: 16 MiB. */
    got = jn("$length($reduce([1..20], function($a, $i) { $a & $a }, '0123456789abcdef'))", "{}");
    CHECK(strcmp(got, "16777216") == 0, "16 MiB fits: %s", got);
    free(got);

    /* Steps that build a large value in one go are stopped before or while
     * they build it, not after: each of these used to succeed, holding
     * many times the budget (at 64 MiB a range of 10^7 numbers took 1 GB).
     * A 4 MiB budget keeps them fast. */
    asl_jn_mem_set_max(4LL << 20);
    static const char *const big[] = {
        "$length($pad('', 300000000))",
        "$count([1..9999999])",
        "($s := $pad('', 100000, 'x'); $length($join([1..100].$string(), $s)))",
        "$count($split($pad('', 300000, 'x'), ''))",
        "$count($split($pad('', 300000, 'x'), 'x'))",
        "$count($split($pad('', 300000, 'x'), /x/))",
        "$count($match($pad('', 100000, 'x'), /x/))",
        "$length($replace($pad('', 100000, 'x'), 'x', $pad('', 100, 'y')))",
        "$length($replace($pad('', 100000, 'x'), /x/, $pad('', 100, 'y')))",
        /* 2^40 leaves shared 40 times over: the value is small, its text is not */
        "$length($string($reduce([1..40], function($a, $i) { {'l': $a, 'r': $a} }, 1)))",
        "$length($reduce([1..40], function($a, $i) { {'l': $a, 'r': $a} }, 1) & '')",
    };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        got = jn(big[i], "{}");
        CHECK(strncmp(got, "ERR States.QueryEvaluationError", 31) == 0 && strstr(got, "U1003") &&
                  strstr(got, "more than 4 MiB"),
              "%s: %.200s", big[i], got);
        free(got);
    }
    /* The same steps under the budget give their values. */
    expect_jn("$count($split($pad('', 1000, 'x'), /x/))", "{}", "1001");
    expect_jn("$count($match($pad('', 1000, 'x'), /x/))", "{}", "1000");
    expect_jn("$length($replace($pad('', 1000, 'x'), /x/, 'yy'))", "{}", "2000");
    expect_jn("$length($string($reduce([1..10], function($a, $i) { {'l': $a, 'r': $a} }, 1)))", "{}", "12277");
    asl_jn_mem_set_max(0);

    /* A regex walk over a long subject: PCRE2 checked the UTF-8 from the
     * offset to the end on each of the 10^6 calls (quadratic: 5 * 10^11
     * bytes read, hours); each call now starts where the last match ended. */
    expect_jn("$length($replace($pad('', 1000000, 'x'), /x/, ''))", "{}", "0");
    expect_jn("$count($split($pad('', 200000, 'x\u00e9'), /\u00e9/))", "{}", "100001");
    /* An empty match advances past a whole character, not into one. */
    expect_jn("$count($match('\u00e9\u00e9\u00e9', /x*/))", "{}", "4");
}

int main(void)
{
    asl_jn_mem_install();   /* first, as asl_main does */
    test_timestamps();
    test_jsonata();
    test_http();
    test_squeeze();
    test_budget();
    test_jsonata_memory();
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("test_nul: all passed\n");
    return 0;
}
