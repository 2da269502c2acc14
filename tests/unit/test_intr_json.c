/*
 * test_intr_json.c - States.StringToJson, JsonToString, JsonMerge, the
 * compact JSON text behind JsonToString, and their compile-time checks.
 */
#include "intr_check.h"

static void string_to_json(void)
{
    /* recorded (json_manipulation__test_string_to_json) */
    OK(asl_intr_string_to_json, "[\"\"]", "null");
    OK(asl_intr_string_to_json, "[\" \"]", "null");
    OK(asl_intr_string_to_json, "[\"null\"]", "null");
    OK(asl_intr_string_to_json, "[\"-0\"]", "0");
    OK(asl_intr_string_to_json, "[\"1\"]", "1");
    OK(asl_intr_string_to_json, "[\"1.1\"]", "1.1");
    OK(asl_intr_string_to_json, "[\"\\\"HelloWorld\\\"\"]", "\"HelloWorld\"");
    OK(asl_intr_string_to_json, "[\"[1, 2, \\\"HelloWorld\\\"]\"]", "[1,2,\"HelloWorld\"]");
    OK(asl_intr_string_to_json, "[\"{\\\"Arg1\\\": 1, \\\"Arg2\\\": []}\"]", "{\"Arg1\":1,\"Arg2\":[]}");
    OK(asl_intr_string_to_json, "[\"{\\\"constant_in_literal\\\": \\\"false\\\"}\"]",
       "{\"constant_in_literal\":\"false\"}");
    /* edges */
    OK(asl_intr_string_to_json, "[\"\\n\\t \\r\"]", "null");
    OK(asl_intr_string_to_json, "[\"  true \\n\"]", "true");
    OK(asl_intr_string_to_json, "[\"1.0\"]", "1.0");
    OK(asl_intr_string_to_json, "[\"\\\"\\\\u00e9\\\\u0000\\\"\"]", "\"\\u00e9\\u0000\"");
    OK(asl_intr_string_to_json, "[\"12345678901234567890\"]", "1.2345678901234567E19");
    OK(asl_intr_string_to_json, "[\"{\\\"b\\\": 1, \\\"a\\\": {\\\"c\\\": [null]}}\"]",
       "{\"b\":1,\"a\":{\"c\":[null]}}");
    FAILS(asl_intr_string_to_json, "[\"{\"]", "not valid JSON");
    FAILS(asl_intr_string_to_json, "[\"HelloWorld\"]", "not valid JSON");
    FAILS(asl_intr_string_to_json, "[\"1 2\"]", "not valid JSON");
    FAILS(asl_intr_string_to_json, "[\"[1,]\"]", "not valid JSON");
    FAILS(asl_intr_string_to_json, "[1]", "string");
    FAILS(asl_intr_string_to_json, "[null]", "string");
    FAILS(asl_intr_string_to_json, "[{\"a\": 1}]", "string");
}

static void json_to_string(void)
{
    /* recorded (json_manipulation__test_json_to_string) */
    OK(asl_intr_json_to_string, "[null]", "\"null\"");
    OK(asl_intr_json_to_string, "[0]", "\"0\"");
    OK(asl_intr_json_to_string, "[1]", "\"1\"");
    OK(asl_intr_json_to_string, "[true]", "\"true\"");
    OK(asl_intr_json_to_string, "[\"HelloWorld\"]", "\"\\\"HelloWorld\\\"\"");
    OK(asl_intr_json_to_string, "[{\"Arg1\": 1, \"Arg2\": []}]", "\"{\\\"Arg1\\\":1,\\\"Arg2\\\":[]}\"");
    OK(asl_intr_json_to_string, "[1.1]", "\"1.1\"");
    /* edges: key order kept, every escape, unicode raw, reals Java-style */
    OK(asl_intr_json_to_string, "[{\"z\": 1, \"a\": [true, false, null, {}], \"m\": \"\"}]",
       "\"{\\\"z\\\":1,\\\"a\\\":[true,false,null,{}],\\\"m\\\":\\\"\\\"}\"");
    OK(asl_intr_json_to_string, "[\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001 \\u001f \\u007f\"]",
       "\"\\\"q\\\\\\\" b\\\\\\\\ s/ \\\\b\\\\f\\\\n\\\\r\\\\t \\\\u0001 \\\\u001F \\u007f\\\"\"");
    OK(asl_intr_json_to_string, "[\"\\u00e9\\u2603\\ud83d\\ude00\"]", "\"\\\"\\u00e9\\u2603\\ud83d\\ude00\\\"\"");
    OK(asl_intr_json_to_string, "[\"a\\u0000b\"]", "\"\\\"a\\\\u0000b\\\"\"");
    OK(asl_intr_json_to_string, "[{\"k\\\"ey\": 2.50, \"e\": 1e-7}]",
       "\"{\\\"k\\\\\\\"ey\\\":2.5,\\\"e\\\":1.0E-7}\"");
    OK(asl_intr_json_to_string, "[[]]", "\"[]\"");
    OK(asl_intr_json_to_string, "[-9223372036854775808]", "\"-9223372036854775808\"");
    FAILS(asl_intr_json_to_string, "[]", "argument");
}

/* StringToJson(JsonToString(x)) == x */
static void round_trip(void)
{
    const char *vals[] = {
        "{\"a\":[1,2.5,{\"b\":null}],\"c\":\"\\u00e9\\n\"}", "[]", "\"x\"", "-3", "0.1", "1e300",
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        struct asl_err err = {0};
        json_t *v = json_loads(vals[i], JSON_DECODE_ANY, NULL), *s = NULL, *back = NULL;
        CHECK(asl_intr_json_to_string(&v, 1, &s, &err) == 0);
        CHECK(asl_intr_string_to_json(&s, 1, &back, &err) == 0);
        CHECK(asl_json_equal(v, back));
        json_decref(v);
        json_decref(s);
        json_decref(back);
        asl_err_clear(&err);
    }
}

static void json_merge(void)
{
    /* recorded (json_manipulation__test_json_merge) */
    OK(asl_intr_json_merge,
       "[{\"a\": {\"a1\": 1, \"a2\": 2}, \"b\": 2, \"d\": 3}, {\"a\": {\"a3\": 1, \"a4\": 2}, \"c\": 3, \"d\": 4}, false]",
       "{\"a\":{\"a3\":1,\"a4\":2},\"b\":2,\"d\":4,\"c\":3}");
    OK(asl_intr_json_merge, "[{\"constant_in_literal\": \"false\"}, {\"constant_input_field\": \"constant_value\"}, false]",
       "{\"constant_in_literal\":\"false\",\"constant_input_field\":\"constant_value\"}");
    OK(asl_intr_json_merge, "[{}, {}, false]", "{}");
    OK(asl_intr_json_merge, "[{\"a\": 1}, {}, false]", "{\"a\":1}");
    OK(asl_intr_json_merge, "[{}, {\"a\": null}, false]", "{\"a\":null}");
    OK(asl_intr_json_merge, "[{\"a\": [1]}, {\"a\": null}, false]", "{\"a\":null}");
    FAILS(asl_intr_json_merge, "[{\"a\": 1}, {\"b\": 2}, true]", "shallow");
    FAILS(asl_intr_json_merge, "[{\"a\": 1}, {\"b\": 2}, \"false\"]", "boolean");
    FAILS(asl_intr_json_merge, "[{\"a\": 1}, {\"b\": 2}, null]", "boolean");
    FAILS(asl_intr_json_merge, "[[1], {\"b\": 2}, false]", "first argument must be an object");
    FAILS(asl_intr_json_merge, "[{\"a\": 1}, \"{}\", false]", "second argument must be an object");
    FAILS(asl_intr_json_merge, "[{\"a\": 1}, {\"b\": 2}]", "argument");
}

static void static_checks(void)
{
    STATIC_OK(ASL_INTR_JSON_MERGE, a_path(), a_path(), lit_k(ASL_VAL_FALSE));
    STATIC_OK(ASL_INTR_JSON_MERGE, a_call(ASL_INTR_STRING_TO_JSON), a_path(), lit_k(ASL_VAL_FALSE));
    STATIC_OK(ASL_INTR_JSON_MERGE, a_path(), a_path(), a_path());
    STATIC_BAD(ASL_INTR_JSON_MERGE, "shallow", a_path(), a_path(), lit_k(ASL_VAL_TRUE));
    STATIC_BAD(ASL_INTR_JSON_MERGE, "boolean", a_path(), a_path(), lit_s("false"));
    STATIC_BAD(ASL_INTR_JSON_MERGE, "object", lit_s("{}"), a_path(), lit_k(ASL_VAL_FALSE));
    STATIC_BAD(ASL_INTR_JSON_MERGE, "object", a_path(), a_call(ASL_INTR_ARRAY), lit_k(ASL_VAL_FALSE));
    STATIC_BAD(ASL_INTR_JSON_MERGE, "takes 3 arguments", a_path(), a_path());
    STATIC_OK(ASL_INTR_STRING_TO_JSON, lit_s("{\"a\": 1}"));
    STATIC_OK(ASL_INTR_STRING_TO_JSON, a_call(ASL_INTR_JSON_TO_STRING));
    STATIC_BAD(ASL_INTR_STRING_TO_JSON, "string", lit_i(1));
    STATIC_BAD(ASL_INTR_STRING_TO_JSON, "string", a_call(ASL_INTR_ARRAY));
    STATIC_OK(ASL_INTR_JSON_TO_STRING, a_path());
    STATIC_OK(ASL_INTR_JSON_TO_STRING, a_call(ASL_INTR_ARRAY));
    STATIC_BAD(ASL_INTR_JSON_TO_STRING, "takes 1 argument", a_path(), a_path());
    /* Format's template (the literal keeps \{ \} \\ escaped, grammar/expr.h) */
    STATIC_OK(ASL_INTR_FORMAT, lit_s("a {} b {}"), a_path(), lit_i(1));
    STATIC_OK(ASL_INTR_FORMAT, lit_s("no holes"));
    STATIC_OK(ASL_INTR_FORMAT, lit_s("\\{}"));
    STATIC_OK(ASL_INTR_FORMAT, lit_s("\\\\{}"), a_path());
    STATIC_OK(ASL_INTR_FORMAT, a_path(), a_path(), a_path());
    STATIC_OK(ASL_INTR_FORMAT, a_call(ASL_INTR_JSON_TO_STRING), a_path());
    STATIC_BAD(ASL_INTR_FORMAT, "placeholder", lit_s("{} {}"), a_path());
    STATIC_BAD(ASL_INTR_FORMAT, "placeholder", lit_s("{}"));
    STATIC_BAD(ASL_INTR_FORMAT, "placeholder", lit_s("\\{}"), a_path());
    STATIC_BAD(ASL_INTR_FORMAT, "open escape", lit_s("x\\"));
    STATIC_BAD(ASL_INTR_FORMAT, "first argument must be a string", lit_i(1));
    STATIC_BAD(ASL_INTR_FORMAT, "first argument must be a string", lit_k(ASL_VAL_NULL));
    STATIC_BAD(ASL_INTR_FORMAT, "first argument must be a string", a_call(ASL_INTR_ARRAY));
    STATIC_BAD(ASL_INTR_FORMAT, "at least 1 argument");
}

int main(void)
{
    string_to_json();
    json_to_string();
    round_trip();
    json_merge();
    static_checks();
    return failures ? 1 : 0;
}
