/*
 * test_intr_format.c - States.Format and the Java-style texts behind it
 * (asl_text_double, asl_text_java).
 */
#include "intr_check.h"

static void check_double(double d, const char *want, int line)
{
    char buf[64];
    asl_text_double(d, buf, sizeof buf);
    if (strcmp(buf, want) != 0) {
        printf("line %d: asl_text_double(%.17g) = %s, want %s\n", line, d, buf, want);
        failures++;
    }
}
#define DBL(d, want) check_double(d, want, __LINE__)

static void java_doubles(void)
{
    /* Java's Double.toString */
    DBL(1.1, "1.1");
    DBL(0.1, "0.1");
    DBL(100.0, "100.0");
    DBL(-2.5, "-2.5");
    DBL(0.0, "0.0");
    DBL(-0.0, "-0.0");
    DBL(0.001, "0.001");
    DBL(0.0001, "1.0E-4");
    DBL(1234567.0, "1234567.0");
    DBL(9999999.0, "9999999.0");
    DBL(1e7, "1.0E7");
    DBL(12345678.9, "1.23456789E7");
    DBL(1e20, "1.0E20");
    DBL(1.7976931348623157e308, "1.7976931348623157E308");
    DBL(0.30000000000000004, "0.30000000000000004");
    DBL(123.456, "123.456");
    DBL(1.5e-5, "1.5E-5");
}

static void format(void)
{
    /* recorded (generic__test_format_1/2) */
    OK(asl_intr_format, "[\"Formatting argument {}.\", \"\"]", "\"Formatting argument .\"");
    OK(asl_intr_format, "[\"Formatting argument {}.\", \"HelloWorld\"]",
       "\"Formatting argument HelloWorld.\"");
    OK(asl_intr_format, "[\"Formatting argument {}.\", null]", "\"Formatting argument null.\"");
    OK(asl_intr_format, "[\"Formatting argument {}.\", 1]", "\"Formatting argument 1.\"");
    OK(asl_intr_format, "[\"Formatting argument {}.\", 1.1]", "\"Formatting argument 1.1.\"");
    OK(asl_intr_format, "[\"fst={} and snd={}.\", {\"Arg1\": 1, \"Arg2\": []}, {\"Arg1\": 1, \"Arg2\": []}]",
       "\"fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.\"");
    OK(asl_intr_format, "[\"fst={}\", \"{\\\"Arg1\\\": 1, \\\"Arg2\\\": []}\"]",
       "\"fst={\\\"Arg1\\\": 1, \\\"Arg2\\\": []}\"");
    OK(asl_intr_format, "[\"snd={}.\", {\"Id\": \"arn:x\", \"Name\": \"n\"}]", "\"snd={Id=arn:x, Name=n}.\"");
    OK(asl_intr_format, "[\"This is a custom error message for {}, caused by {}.\", \"e\", \"c\"]",
       "\"This is a custom error message for e, caused by c.\"");
    OK(asl_intr_format, "[\"Format:{}\", 101]", "\"Format:101\"");

    /* no placeholders, only a template */
    OK(asl_intr_format, "[\"\"]", "\"\"");
    OK(asl_intr_format, "[\"plain\"]", "\"plain\"");
    /* values of every type */
    OK(asl_intr_format, "[\"{}|{}|{}|{}\", true, false, -7, 2.50]", "\"true|false|-7|2.5\"");
    OK(asl_intr_format, "[\"{}\", 100.0]", "\"100.0\"");
    OK(asl_intr_format, "[\"{}\", 1e20]", "\"1.0E20\"");
    OK(asl_intr_format, "[\"{}\", 9223372036854775807]", "\"9223372036854775807\"");
    OK(asl_intr_format, "[\"{}\", [1, \"a\", [null, {\"k\": [true]}], {}]]",
       "\"[1, a, [null, {k=[true]}], {}]\"");
    OK(asl_intr_format, "[\"{}{}\", [], {}]", "\"[]{}\"");
    /* adjacent and edge placeholders */
    OK(asl_intr_format, "[\"{}{}{}\", \"a\", \"b\", \"c\"]", "\"abc\"");
    /* unicode passes through untouched */
    OK(asl_intr_format, "[\"h\\u00e9llo {} \\u2603\", \"w\\u00f6rld \\ud83d\\ude00\"]",
       "\"h\\u00e9llo w\\u00f6rld \\ud83d\\ude00 \\u2603\"");
    /* strings holding NUL and controls */
    OK(asl_intr_format, "[\"a{}b\", \"\\u0000\\n\"]", "\"a\\u0000\\nb\"");

    /* escapes, as the template reaches the runtime (backslashes intact) */
    OK(asl_intr_format, "[\"\\\\{}\"]", "\"{}\"");                    /* \{} */
    OK(asl_intr_format, "[\"\\\\{\\\\}\"]", "\"{}\"");                /* \{\} */
    OK(asl_intr_format, "[\"\\\\{{}\\\\}\", 5]", "\"{5}\"");         /* \{{}\} */
    OK(asl_intr_format, "[\"\\\\\\\\{}\", 5]", "\"\\\\5\"");           /* \\{} */
    OK(asl_intr_format, "[\"it\\\\'s {}\", \"x\"]", "\"it's x\"");  /* \' */
    OK(asl_intr_format, "[\"{ } {x} }{\"]", "\"{ } {x} }{\"");          /* lone braces */
    OK(asl_intr_format, "[\"{}\", \"\\\\{}\"]", "\"\\\\{}\"");        /* arguments are not unescaped */
    /* a backslash before anything but ' { } \ stays (path-supplied templates) */
    OK(asl_intr_format, "[\"C:\\\\temp\\\\{} x\"]", "\"C:\\\\temp{} x\"");   /* C:\temp\{} x */
    OK(asl_intr_format, "[\"C:\\\\temp {}\", 5]", "\"C:\\\\temp 5\"");
    OK(asl_intr_format, "[\"a\\\\\\nb\"]", "\"a\\\\\\nb\"");                  /* \ then newline */

    /* failures */
    FAILS(asl_intr_format, "[\"{} {}\", 1]", "placeholder");
    FAILS(asl_intr_format, "[\"{}\"]", "placeholder");
    FAILS(asl_intr_format, "[\"no holes\", 1]", "placeholder");
    FAILS(asl_intr_format, "[\"\\\\{}\", 1]", "placeholder");
    FAILS(asl_intr_format, "[\"open \\\\\"]", "open escape");
    FAILS(asl_intr_format, "[1]", "string");
    FAILS(asl_intr_format, "[null, 1]", "string");
    FAILS(asl_intr_format, "[{\"a\": 1}]", "string");
    FAILS(asl_intr_format, "[]", NULL);
}

static void java_text(void)
{
    struct asl_buf b;
    json_t *v = json_loads("{\"a\": \"x y\", \"b\": [1.0, -0.5, 3], \"c\": {\"d\": null}}", 0, NULL);
    asl_buf_init(&b);
    asl_text_java(&b, v);
    CHECK(b.p && strcmp(b.p, "{a=x y, b=[1.0, -0.5, 3], c={d=null}}") == 0);
    asl_buf_free(&b);
    json_decref(v);
}

int main(void)
{
    java_doubles();
    format();
    java_text();
    return failures ? 1 : 0;
}
