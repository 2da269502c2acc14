/*
 * test_intr_string.c - States.StringSplit and its compile-time checks.
 */
#include "intr_check.h"

static void split(void)
{
    /* recorded (string_operations__test_string_split, generic__test_escape_sequence) */
    OK(asl_intr_string_split, "[\" \", \",\"]", "[\" \"]");
    OK(asl_intr_string_split, "[\" , \", \",\"]", "[\" \",\" \"]");
    OK(asl_intr_string_split, "[\", , ,\", \",\"]", "[\" \",\" \"]");
    OK(asl_intr_string_split, "[\",,,,\", \",\"]", "[]");
    OK(asl_intr_string_split, "[\"1,2,3,4,5\", \",\"]", "[\"1\",\"2\",\"3\",\"4\",\"5\"]");
    OK(asl_intr_string_split, "[\"This.is+a,test=string\", \".+,=\"]",
       "[\"This\",\"is\",\"a\",\"test\",\"string\"]");
    OK(asl_intr_string_split, "[\"split on T and \\nnew line\", \"T\\n\"]",
       "[\"split on \",\" and \",\"new line\"]");
    OK(asl_intr_string_split, "[\"Hello\\nWorld\", \"\\n\"]", "[\"Hello\",\"World\"]");
    OK(asl_intr_string_split, "[\"a,b,c,d,e\", \",\"]", "[\"a\",\"b\",\"c\",\"d\",\"e\"]");
    OK(asl_intr_string_split, "[\"sm-name-123\", \"-\"]", "[\"sm\",\"name\",\"123\"]");
    /* edges */
    OK(asl_intr_string_split, "[\"\", \",\"]", "[]");
    OK(asl_intr_string_split, "[\"abc\", \"\"]", "[\"abc\"]");
    OK(asl_intr_string_split, "[\"abc\", \"x\"]", "[\"abc\"]");
    OK(asl_intr_string_split, "[\",a,\", \",\"]", "[\"a\"]");
    OK(asl_intr_string_split, "[\"a,,b\", \",,\"]", "[\"a\",\"b\"]");
    /* multi-byte characters are single delimiters, never split apart */
    OK(asl_intr_string_split, "[\"a\\u00e9b\\u00e8c\", \"\\u00e9\"]", "[\"a\",\"b\\u00e8c\"]");
    OK(asl_intr_string_split, "[\"x\\u2603y\\ud83d\\ude00z\", \"\\u2603\\ud83d\\ude00\"]",
       "[\"x\",\"y\",\"z\"]");
    OK(asl_intr_string_split, "[\"\\u00e9\\u00e8\", \"\\u00e8\"]", "[\"\\u00e9\"]");
    /* NUL is an ordinary character */
    OK(asl_intr_string_split, "[\"a\\u0000b\", \"\\u0000\"]", "[\"a\",\"b\"]");
    OK(asl_intr_string_split, "[\"a\\u0000b\", \",\"]", "[\"a\\u0000b\"]");
    /* failures */
    FAILS(asl_intr_string_split, "[1, \",\"]", "string");
    FAILS(asl_intr_string_split, "[\"a,b\", null]", "string");
    FAILS(asl_intr_string_split, "[[\"a\"], \",\"]", "string");
    FAILS(asl_intr_string_split, "[\"a\"]", "argument");
}

static void static_checks(void)
{
    STATIC_OK(ASL_INTR_STRING_SPLIT, a_path(), lit_s(","));
    STATIC_OK(ASL_INTR_STRING_SPLIT, a_call(ASL_INTR_FORMAT), a_path());
    STATIC_BAD(ASL_INTR_STRING_SPLIT, "first argument must be a string", lit_i(1), lit_s(","));
    STATIC_BAD(ASL_INTR_STRING_SPLIT, "second argument must be a string", a_path(), lit_k(ASL_VAL_NULL));
    STATIC_BAD(ASL_INTR_STRING_SPLIT, "string", a_call(ASL_INTR_STRING_SPLIT), lit_s(","));
    STATIC_BAD(ASL_INTR_STRING_SPLIT, "takes 2 arguments", a_path());
}

int main(void)
{
    split();
    static_checks();
    return failures ? 1 : 0;
}
