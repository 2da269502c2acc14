/*
 * test_intr_array.c - States.Array, ArrayPartition, ArrayContains,
 * ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique; their compile-time
 * checks; asl_json_equal.
 */
#include "intr_check.h"

static void array(void)
{
    OK(asl_intr_array, "[]", "[]");
    OK(asl_intr_array, "[\"a\", \"b\", \"c\"]", "[\"a\",\"b\",\"c\"]");
    OK(asl_intr_array, "[null, null]", "[null,null]");
    OK(asl_intr_array, "[1, 1.5, {\"Arg1\": 1, \"Arg2\": []}, [[]]]",
       "[1,1.5,{\"Arg1\":1,\"Arg2\":[]},[[]]]");
}

static void partition(void)
{
    /* recorded (array__test_array_partition) */
    OK(asl_intr_array_partition, "[[], 2]", "[]");
    OK(asl_intr_array_partition, "[[0, 1], 2]", "[[0,1]]");
    OK(asl_intr_array_partition, "[[0, 1], 3]", "[[0,1]]");
    OK(asl_intr_array_partition, "[[0, 1, 2], 2]", "[[0,1],[2]]");
    OK(asl_intr_array_partition, "[[0, 1, 2, 3], 3]", "[[0,1,2],[3]]");
    OK(asl_intr_array_partition, "[[0], 1]", "[[0]]");
    OK(asl_intr_array_partition, "[[1, 2, 3, 4, 5, 6], 2]", "[[1,2],[3,4],[5,6]]");
    OK(asl_intr_array_partition, "[[1, 2, 3], 1]", "[[1],[2],[3]]");
    OK(asl_intr_array_partition, "[[{\"a\": 1}, [2], null], 2]", "[[{\"a\":1},[2]],[null]]");
    OK(asl_intr_array_partition, "[[1, 2, 3], 1.6]", "[[1,2],[3]]");      /* rounded */
    FAILS(asl_intr_array_partition, "[[1, 2], 0]", "positive");
    FAILS(asl_intr_array_partition, "[[1, 2], -1]", "positive");
    FAILS(asl_intr_array_partition, "[[1, 2], 0.4]", "positive");
    FAILS(asl_intr_array_partition, "[{}, 1]", "array");
    FAILS(asl_intr_array_partition, "[\"[1]\", 1]", "array");
    FAILS(asl_intr_array_partition, "[[1], \"2\"]", "integer");
    FAILS(asl_intr_array_partition, "[[1], null]", "integer");
    FAILS(asl_intr_array_partition, "[[1]]", "argument");
}

static void contains(void)
{
    /* recorded (array__test_array_contains) */
    OK(asl_intr_array_contains, "[[], null]", "false");
    OK(asl_intr_array_contains, "[[], []]", "false");
    OK(asl_intr_array_contains, "[[], 1]", "false");
    OK(asl_intr_array_contains, "[[[1, 2, 3], 2], [1, 2, 3]]", "true");
    OK(asl_intr_array_contains, "[[true, false], false]", "true");
    OK(asl_intr_array_contains, "[[1, 2, 3, 4, 5, 6], 5]", "true");
    /* deep equality, numbers by value, key order irrelevant */
    OK(asl_intr_array_contains, "[[{\"1\": 2, \"2\": []}], {\"1\": 2, \"2\": []}]", "true");
    OK(asl_intr_array_contains, "[[{\"a\": 1, \"b\": 2}], {\"b\": 2, \"a\": 1}]", "true");
    OK(asl_intr_array_contains, "[[{\"a\": 1}], {\"a\": 1, \"b\": 2}]", "false");
    OK(asl_intr_array_contains, "[[1.0], 1]", "true");
    OK(asl_intr_array_contains, "[[1], 1.0]", "true");
    OK(asl_intr_array_contains, "[[1.5], 1]", "false");
    OK(asl_intr_array_contains, "[[\"1\"], 1]", "false");
    OK(asl_intr_array_contains, "[[null], null]", "true");
    OK(asl_intr_array_contains, "[[[1, [2, {\"x\": [3.0]}]]], [1, [2, {\"x\": [3]}]]]", "true");
    OK(asl_intr_array_contains, "[[\"a\\u0000b\"], \"a\\u0000c\"]", "false");
    OK(asl_intr_array_contains, "[[\"\\u00e9\"], \"\\u00e9\"]", "true");
    FAILS(asl_intr_array_contains, "[{\"a\": 1}, 1]", "array");
    FAILS(asl_intr_array_contains, "[null, 1]", "array");
}

static void range(void)
{
    /* recorded (array__test_array_range) */
    OK(asl_intr_array_range, "[0, 9, 3]", "[0,3,6,9]");
    OK(asl_intr_array_range, "[0, 10, 3]", "[0,3,6,9]");
    OK(asl_intr_array_range, "[1, 9, 9]", "[1]");
    OK(asl_intr_array_range, "[1, 9, 2]", "[1,3,5,7,9]");
    OK(asl_intr_array_range, "[1, 10, 2]", "[1,3,5,7,9]");
    /* edges */
    OK(asl_intr_array_range, "[5, 5, 1]", "[5]");
    OK(asl_intr_array_range, "[5, 1, 1]", "[]");
    OK(asl_intr_array_range, "[5, 1, -2]", "[5,3,1]");
    OK(asl_intr_array_range, "[-3, 3, 3]", "[-3,0,3]");
    OK(asl_intr_array_range, "[0.5, 2.4, 1]", "[1,2]");               /* rounded */
    OK(asl_intr_array_range, "[9223372036854775806, 9223372036854775807, 1]",
       "[9223372036854775806,9223372036854775807]");
    OK(asl_intr_array_range, "[-9223372036854775807, 9223372036854775807, 9223372036854775807]",
       "[-9223372036854775807,0,9223372036854775807]");
    FAILS(asl_intr_array_range, "[1, 1001, 1]", "1000");
    FAILS(asl_intr_array_range, "[0, 1000, 1]", "1000");
    FAILS(asl_intr_array_range, "[-9223372036854775807, 9223372036854775807, 1]", "1000");
    FAILS(asl_intr_array_range, "[1, 2, 0]", "step");
    FAILS(asl_intr_array_range, "[1, 2, 0.4]", "step");
    FAILS(asl_intr_array_range, "[\"1\", 2, 1]", "integer");
    FAILS(asl_intr_array_range, "[1, 2]", "argument");
}

static void range_1000(void)
{
    struct asl_err err = {0};
    json_t *a[3] = {json_integer(1), json_integer(1000), json_integer(1)}, *out = NULL;
    CHECK(asl_intr_array_range(a, 3, &out, &err) == 0);
    CHECK(json_array_size(out) == 1000);
    CHECK(json_integer_value(json_array_get(out, 999)) == 1000);
    json_decref(out);
    for (int i = 0; i < 3; i++)
        json_decref(a[i]);
}

static void get_item(void)
{
    OK(asl_intr_array_get_item, "[[1, 2, 3, 4, 5, 6, 7, 8, 9], 5]", "6");      /* recorded */
    OK(asl_intr_array_get_item, "[[1, 2, 3, 4, 5, 6], 2]", "3");
    OK(asl_intr_array_get_item, "[[{\"a\": [1]}], 0]", "{\"a\":[1]}");
    OK(asl_intr_array_get_item, "[[null], 0]", "null");
    OK(asl_intr_array_get_item, "[[1, 2, 3], 1.5]", "3");
    OK(asl_intr_array_get_item, "[[1, 2, 3], 2.0]", "3");
    FAILS(asl_intr_array_get_item, "[[1, 2, 3], 3]", "out of bounds");
    FAILS(asl_intr_array_get_item, "[[1, 2, 3], -1]", "out of bounds");
    FAILS(asl_intr_array_get_item, "[[], 0]", "out of bounds");
    FAILS(asl_intr_array_get_item, "[{\"0\": 1}, 0]", "array");
    FAILS(asl_intr_array_get_item, "[[1], \"0\"]", "integer");
}

static void length(void)
{
    OK(asl_intr_array_length, "[[1, 2, 3, 4, 5, 6, 7, 8, 9]]", "9");          /* recorded */
    OK(asl_intr_array_length, "[[]]", "0");
    OK(asl_intr_array_length, "[[[1, 2], {}]]", "2");
    FAILS(asl_intr_array_length, "[\"abc\"]", "array");
    FAILS(asl_intr_array_length, "[{}]", "array");
    FAILS(asl_intr_array_length, "[null]", "array");
}

static void unique(void)
{
    OK(asl_intr_array_unique, "[[1, 2, 3, 3, 3, 3, 3, 3, 4]]", "[1,2,3,4]");   /* AWS doc */
    OK(asl_intr_array_unique, "[[1, 2, 2, 3, 3, 4]]", "[1,2,3,4]");
    OK(asl_intr_array_unique, "[[]]", "[]");
    OK(asl_intr_array_unique, "[[3, 1, 3, 2, 1]]", "[3,1,2]");
    OK(asl_intr_array_unique, "[[\"a\", \"b\", \"a\", null, null, true, true, false]]",
       "[\"a\",\"b\",null,true,false]");
    OK(asl_intr_array_unique, "[[1, 1.0, \"1\"]]", "[1,\"1\"]");
    OK(asl_intr_array_unique, "[[{\"a\": 1, \"b\": [2]}, {\"b\": [2], \"a\": 1}, {\"a\": 1}]]",
       "[{\"a\":1,\"b\":[2]},{\"a\":1}]");
    OK(asl_intr_array_unique, "[[[1, 2], [2, 1], [1, 2]]]", "[[1,2],[2,1]]");
    FAILS(asl_intr_array_unique, "[\"abc\"]", "array");
}

/* Many elements: the hash table must grow with the array. */
static void unique_big(void)
{
    struct asl_err err = {0};
    json_t *arr = json_array(), *out = NULL;
    for (int i = 0; i < 5000; i++)
        json_array_append_new(arr, json_integer(i % 1234));
    CHECK(asl_intr_array_unique(&arr, 1, &out, &err) == 0);
    CHECK(json_array_size(out) == 1234);
    CHECK(json_integer_value(json_array_get(out, 1233)) == 1233);
    json_decref(out);
    json_decref(arr);
}

static void equal(void)
{
    json_t *a = json_loads("{\"x\": [1, 2.0, {\"y\": null}], \"z\": \"s\"}", 0, NULL);
    json_t *b = json_loads("{\"z\": \"s\", \"x\": [1.0, 2, {\"y\": null}]}", 0, NULL);
    json_t *c = json_loads("{\"z\": \"s\", \"x\": [1.0, 2, {\"y\": false}]}", 0, NULL);
    CHECK(asl_json_equal(a, b));
    CHECK(!asl_json_equal(a, c));
    CHECK(!asl_json_equal(a, NULL));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void static_checks(void)
{
    STATIC_OK(ASL_INTR_ARRAY);
    STATIC_OK(ASL_INTR_ARRAY, lit_s("a"), lit_i(1), lit_k(ASL_VAL_NULL), a_path());
    STATIC_OK(ASL_INTR_ARRAY_PARTITION, a_path(), lit_i(2));
    STATIC_OK(ASL_INTR_ARRAY_PARTITION, a_call(ASL_INTR_ARRAY), lit_r(1.5));
    STATIC_BAD(ASL_INTR_ARRAY_PARTITION, "positive", a_path(), lit_i(0));
    STATIC_BAD(ASL_INTR_ARRAY_PARTITION, "first argument must be an array", lit_s("x"), lit_i(1));
    STATIC_BAD(ASL_INTR_ARRAY_PARTITION, "must be a number", a_path(), lit_s("2"));
    STATIC_BAD(ASL_INTR_ARRAY_PARTITION, "must be an array", a_call(ASL_INTR_FORMAT), lit_i(1));
    STATIC_BAD(ASL_INTR_ARRAY_PARTITION, "takes 2 arguments", a_path());
    STATIC_OK(ASL_INTR_ARRAY_RANGE, lit_i(1), lit_i(1000), lit_i(1));
    STATIC_OK(ASL_INTR_ARRAY_RANGE, lit_i(1), a_path(), lit_i(1));
    STATIC_OK(ASL_INTR_ARRAY_RANGE, lit_i(5), lit_i(1), lit_i(-1));
    STATIC_BAD(ASL_INTR_ARRAY_RANGE, "1000", lit_i(0), lit_i(1000), lit_i(1));
    STATIC_BAD(ASL_INTR_ARRAY_RANGE, "1000", lit_i(2000), lit_i(0), lit_i(-1));
    STATIC_BAD(ASL_INTR_ARRAY_RANGE, "step", a_path(), a_path(), lit_i(0));
    STATIC_BAD(ASL_INTR_ARRAY_RANGE, "step", a_path(), a_path(), lit_r(0.2));
    STATIC_BAD(ASL_INTR_ARRAY_RANGE, "number", lit_k(ASL_VAL_TRUE), lit_i(2), lit_i(1));
    STATIC_OK(ASL_INTR_ARRAY_GET_ITEM, a_call(ASL_INTR_STRING_SPLIT), lit_i(0));
    STATIC_OK(ASL_INTR_ARRAY_GET_ITEM, a_call(ASL_INTR_STRING_TO_JSON), lit_i(0));
    STATIC_BAD(ASL_INTR_ARRAY_GET_ITEM, "negative", a_path(), lit_i(-1));
    STATIC_BAD(ASL_INTR_ARRAY_LENGTH, "array", lit_s("abc"));
    STATIC_BAD(ASL_INTR_ARRAY_LENGTH, "array", a_call(ASL_INTR_JSON_MERGE));
    STATIC_OK(ASL_INTR_ARRAY_LENGTH, a_call(ASL_INTR_ARRAY_UNIQUE));
    STATIC_BAD(ASL_INTR_ARRAY_UNIQUE, "array", lit_i(1));
    STATIC_BAD(ASL_INTR_ARRAY_CONTAINS, "array", lit_k(ASL_VAL_NULL), lit_i(1));
    STATIC_OK(ASL_INTR_ARRAY_CONTAINS, a_path(), lit_k(ASL_VAL_NULL));
}

int main(void)
{
    array();
    partition();
    contains();
    range();
    range_1000();
    get_item();
    length();
    unique();
    unique_big();
    equal();
    static_checks();
    return failures ? 1 : 0;
}
