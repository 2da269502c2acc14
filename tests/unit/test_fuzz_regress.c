/*
 * test_fuzz_regress.c - inputs the libFuzzer harnesses (tests/fuzz/) found
 * crashing, hanging or leaking, minimised, with the behaviour they must
 * have now.  Definitions that broke the checker live in tests/diagnostics/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_ast.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

/* Evaluate a JSONata expression on $states.input = {"a": 1}: the result as
 * compact JSON, "undefined", "ERR <cause>" or "SYNTAX <code>" (caller frees). */
static char *jn_run(const char *src)
{
    struct asl_jn_ast *ast;
    struct asl_jn_error pe;
    if (asl_jn_parse(src, strlen(src), &ast, &pe) != 0) {
        char *s = malloc(32);
        snprintf(s, 32, "SYNTAX %s", pe.code);
        return s;
    }
    json_t *states = json_pack("{s:{s:i}}", "input", "a", 1);
    struct asl_jn_env env = {.states = states};
    json_t *out = NULL;
    struct asl_err err = {0};
    char *s;
    if (asl_jn_eval(ast->root, &env, &out, &err) != 0) {
        s = malloc(strlen(err.cause) + 8);
        sprintf(s, "ERR %s", err.cause);
    } else {
        s = out ? json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("undefined");
    }
    json_decref(out);
    asl_err_clear(&err);
    json_decref(states);
    asl_jn_free(ast);
    return s;
}

static void jn_expect(const char *src, const char *want_prefix)
{
    char *got = jn_run(src);
    CHECK(strncmp(got, want_prefix, strlen(want_prefix)) == 0, "%s => %s, want %s", src, got, want_prefix);
    free(got);
}

int main(void)
{
    {
        /* fuzz_definition: "function" was a token only when a '(' followed,
         * written as flex variable trailing context, whose fixed state
         * buffer (one entry per byte scanned) overflowed on a long run of
         * whitespace after it: a heap overflow in the lexer. */
        size_t pad = 200000;
        const char *head = "(function", *tail = "($x){$x + 1})(2)";
        char *src = malloc(strlen(head) + pad + strlen(tail) + 1);
        strcpy(src, head);
        memset(src + strlen(head), ' ', pad);
        strcpy(src + strlen(head) + pad, tail);
        jn_expect(src, "3");
        strcpy(src + strlen(head) + pad, ".x");     /* no '(': a field name */
        jn_expect(src + 1, "undefined");
        free(src);
    }
    /* fuzz_jsonata: an undefined picture passed the signature check and
     * reached strrchr(NULL) (found as $parseInteger('A', '<invalid UTF-8>')). */
    jn_expect("$parseInteger('12', $nothing)", "ERR T0410");
    jn_expect("$formatInteger(12, $nothing)", "ERR T0410");
    jn_expect("$formatNumber(12, $nothing)", "ERR T0410");
    jn_expect("$parseInteger($nothing, $nothing)", "undefined");

    /* fuzz_jsonata: a separator at the end of a decimal picture made the
     * grouping "regular" with spacing 0 (k % 0). */
    jn_expect("$formatInteger(12, '01[')", "\"12\"");
    /* fuzz_jsonata: 301 digits with a 4-byte separator after each overflowed a 1024-byte stack buffer. */
    jn_expect("$formatInteger(1e300, '#\xf0\x9f\x98\x80" "0')", "\"1\xf0\x9f\x98\x80" "0\xf0\x9f\x98\x80" "0");
    /* found writing the test above: a multi-byte separator came out with
     * its bytes reversed (invalid UTF-8, so the result was undefined) */
    jn_expect("$formatInteger(1234567, '#\xc2\xb7##0')", "\"1\xc2\xb7" "234\xc2\xb7" "567\"");
    jn_expect("$length($formatInteger(1e300, '#\xf0\x9f\x98\x80\xef\xbc\x90'))", "601");
    /* fuzz_jsonata: roman numerals looped once per 1000 (1e15 never ended)
     * and cast 1e300 to long; letters cast it to long too. */
    jn_expect("$substring($formatInteger(1e15, 'I'), 0, 3)", "\"MMM\"");
    jn_expect("$formatInteger(1999, 'I')", "\"MCMXCIX\"");
    jn_expect("$formatInteger(1e300, 'I') ~> $exists()", "true");
    jn_expect("$formatInteger(1e300, 'a') ~> $exists()", "true");
    jn_expect("$formatInteger(28, 'A')", "\"AB\"");
    /* fuzz_jsonata: milliseconds beyond any date were cast to int64_t */
    jn_expect("$fromMillis(15218033333333333333331216617, '[Y] [E]')", "undefined");
    jn_expect("$fromMillis(-1e300)", "undefined");
    jn_expect("$fromMillis(8.64e15) ~> $exists()", "true");
    /* fuzz_jsonata: $formatBase cast 9.8e54 to unsigned long long and a
     * radix of 1e300 to int (UB) */
    jn_expect("$formatBase(9777777777777777777777777777777777777777777777777777778.5, 2.5) ~> $length()", "78");  /* truncated: buf holds 78 digits */
    jn_expect("$formatBase(-1e300, 36) ~> $substring(0, 1)", "\"-\"");
    jn_expect("$formatBase(255, 16)", "\"ff\"");
    jn_expect("$formatBase(18446744073709551616, 16)", "\"10000000000000000\"");
    jn_expect("$formatBase(1, 1e300)", "ERR D3100");
    /* fuzz_jsonata: a date picture width of 31 digits overflowed int, and
     * one above 1100 overflowed put_number's padding buffer; widths are
     * capped at 1000 now. */
    jn_expect("$fromMillis(1521801216617, '[D#1,7777777777777777777777777777772]/[M1,2]') ~> $length()", "1003");
    jn_expect("$fromMillis(0, '[D,5000]') ~> $length()", "1000");
    jn_expect("$fromMillis(0, '[Y,2-4]')", "\"1970\"");
    /* fuzz_jsonata: $round cast a precision of 1e300 to int and negated
     * INT_MIN; found writing these, "%.17g" + "e<p>" misread a shifted value
     * that printed with its own exponent. */
    jn_expect("$round(1.5, 1e300)", "1.5");
    jn_expect("$round(1.5, -2147483648)", "0");
    jn_expect("$round(1.5, 300)", "1.5");
    jn_expect("$round(1234.5678, -2)", "1200");
    jn_expect("$round(2.5)", "2");
    jn_expect("$round(0.000123456, 5)", "0.00012");
    /* fuzz_jsonata: $random's seed was cast to int64_t unchecked */
    jn_expect("$random(1e300) < 1", "true");
    /* fuzz_jsonata: $toMillis cast a 12-digit month to int (and a huge
     * year to int64_t): beyond any date now gives undefined */
    jn_expect("$toMillis('2018-327140000000', '[Y]-[M]')", "undefined");
    jn_expect("$toMillis('2018-12-3271400000000', '[Y]-[M]-[D]')", "undefined");
    jn_expect("$toMillis('99999999999999999999-01-01', '[Y]-[M]-[D]')", "undefined");
    jn_expect("$toMillis('2018-4000000000000', '[Y]-[d]')", "undefined");
    jn_expect("$toMillis('2018-03-27', '[Y]-[M]-[D]')", "1522108800000");
    /* $pad cast a width of 1e300 to size_t (a crash in a release build) */
    jn_expect("$pad('x', 1e300)", "ERR D1001");
    jn_expect("$pad('x', -1e300)", "ERR D1001");
    jn_expect("$pad('x', -5, 'ab')", "\"ababx\"");
    {
        /* fuzz_jsonata: a NUL inside a regex literal sent strrchr to the
         * opening slash: memcpy of length -1. */
        static const char re[] = "/a\0/i";
        struct asl_jn_ast *ast = NULL;
        struct asl_jn_error pe;
        int rc = asl_jn_parse(re, sizeof re - 1, &ast, &pe);
        CHECK(rc == 0 && ast->root->type == ASL_JN_REGEX && ast->root->len == 2 && ast->root->len2 == 1,
              "regex holding a NUL: rc %d", rc);
        asl_jn_free(ast);
    }

    {
        /* fuzz_intrinsics: ArrayUnique hashed a real by casting it to long
         * long before checking its range (4.23e43: UB). */
        json_t *arr = json_loads("[1, 4.23e43, 4.23e43, -1e300]", 0, NULL);
        json_t *out = NULL;
        struct asl_err err = {0};
        int rc = asl_intr_array_unique(&arr, 1, &out, &err);
        char *got = out ? json_dumps(out, JSON_COMPACT) : NULL;
        CHECK(rc == 0 && json_array_size(out) == 3, "ArrayUnique => %s", got ? got : "(error)");
        free(got);
        json_decref(out);
        json_decref(arr);
        asl_err_clear(&err);
    }

    printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
    return failures ? 1 : 0;
}
