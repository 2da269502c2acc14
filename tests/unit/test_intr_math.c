/*
 * test_intr_math.c - States.MathAdd, MathRandom, UUID, Java rounding and
 * their compile-time checks.
 */
#include <ctype.h>

#include "intr_check.h"

static void math_add(void)
{
    /* recorded (math_operations__test_math_add): per-argument Math.round */
    OK(asl_intr_math_add, "[1.49, 1.5]", "3");
    OK(asl_intr_math_add, "[-1.51, 0]", "-2");
    OK(asl_intr_math_add, "[3.5, 0]", "4");
    OK(asl_intr_math_add, "[-2.5, 0]", "-2");
    OK(asl_intr_math_add, "[1.5, 1.51]", "4");
    OK(asl_intr_math_add, "[-1.49, -1.5]", "-2");
    OK(asl_intr_math_add, "[1.49, -1.49]", "0");
    OK(asl_intr_math_add, "[1.5, 0]", "2");
    OK(asl_intr_math_add, "[1.51, 0]", "2");
    OK(asl_intr_math_add, "[-1.5, 0]", "-1");
    OK(asl_intr_math_add, "[-0.5, 0.5]", "1");
    OK(asl_intr_math_add, "[0.5, 0]", "1");
    OK(asl_intr_math_add, "[5, 3]", "8");
    /* edges */
    OK(asl_intr_math_add, "[0, 0]", "0");
    OK(asl_intr_math_add, "[-5, 3]", "-2");
    OK(asl_intr_math_add, "[2.0, 3.0]", "5");
    OK(asl_intr_math_add, "[0.49999999999999994, 0]", "0");
    OK(asl_intr_math_add, "[2147483647, 1]", "2147483648");
    OK(asl_intr_math_add, "[9223372036854775806, 1]", "9223372036854775807");
    FAILS(asl_intr_math_add, "[9223372036854775807, 1]", "range");
    FAILS(asl_intr_math_add, "[-9223372036854775807, -2]", "range");
    FAILS(asl_intr_math_add, "[1e300, 1]", "range");
    FAILS(asl_intr_math_add, "[\"1\", 2]", "integer");
    FAILS(asl_intr_math_add, "[1, null]", "integer");
    FAILS(asl_intr_math_add, "[1, [2]]", "integer");
    FAILS(asl_intr_math_add, "[true, 2]", "integer");
    FAILS(asl_intr_math_add, "[1]", "argument");
    FAILS(asl_intr_math_add, "[1, 2, 3]", "argument");
}

static void java_round(void)
{
    CHECK(asl_text_java_round(2.5) == 3);
    CHECK(asl_text_java_round(-2.5) == -2);
    CHECK(asl_text_java_round(-0.5) == 0);
    CHECK(asl_text_java_round(-0.51) == -1);
    CHECK(asl_text_java_round(0.49999999999999994) == 0);
    CHECK(asl_text_java_round(4503599627370497.0) == 4503599627370497LL);
    CHECK(asl_text_java_round(1e300) == 9223372036854775807LL);
    CHECK(asl_text_java_round(-1e300) == -9223372036854775807LL - 1);
}

static json_t *random_call(const char *args, struct asl_err *err)
{
    json_t *out = NULL;
    if (intr_call(asl_intr_math_random, args, &out, err, __LINE__) != 0)
        return NULL;
    return out;
}

static void math_random(void)
{
    struct asl_err err = {0};
    /* unseeded: always inside [start, end) and an integer */
    int seen_low = 0, seen_high = 0;
    for (int i = 0; i < 2000; i++) {
        json_t *v = random_call("[1, 5]", &err);
        CHECK(json_is_integer(v));
        long long x = json_integer_value(v);
        CHECK(x >= 1 && x < 5);
        seen_low |= x == 1;
        seen_high |= x == 4;
        json_decref(v);
    }
    CHECK(seen_low && seen_high);
    json_t *v = random_call("[9999, 99999]", &err);     /* recorded call shape */
    CHECK(json_integer_value(v) >= 9999 && json_integer_value(v) < 99999);
    json_decref(v);
    v = random_call("[-9223372036854775808, 9223372036854775807]", &err);
    CHECK(json_is_integer(v));
    json_decref(v);
    v = random_call("[0.6, 1.6]", &err);                 /* rounded to [1, 2) */
    CHECK(json_integer_value(v) == 1);
    json_decref(v);

    /* seeded: java.util.Random(seed).nextInt(end - start) + start */
    OK(asl_intr_math_random, "[0, 10, 42]", "0");
    OK(asl_intr_math_random, "[0, 999, 3]", "239");
    OK(asl_intr_math_random, "[100, 200, 42]", "130");
    OK(asl_intr_math_random, "[0, 16, 7]", "11");        /* power-of-two bound */
    OK(asl_intr_math_random, "[5, 21, 7]", "16");
    OK(asl_intr_math_random, "[0, 10, 42.2]", "0");
    json_t *a = random_call("[0, 1000000, 123]", &err), *b = random_call("[0, 1000000, 123]", &err);
    CHECK(a && b && json_integer_value(a) == json_integer_value(b));
    json_decref(a);
    json_decref(b);
    a = random_call("[0, 9223372036854775807, 5]", &err);
    b = random_call("[0, 9223372036854775807, 5]", &err);
    CHECK(a && b && json_integer_value(a) == json_integer_value(b));
    json_decref(a);
    json_decref(b);

    FAILS(asl_intr_math_random, "[5, 5]", "greater");
    FAILS(asl_intr_math_random, "[5, 1]", "greater");
    FAILS(asl_intr_math_random, "[\"1\", 5]", "integer");
    FAILS(asl_intr_math_random, "[1, 5, \"seed\"]", "integer");
    FAILS(asl_intr_math_random, "[1]", "argument");
    FAILS(asl_intr_math_random, "[1, 2, 3, 4]", "argument");
    asl_err_clear(&err);
}

static void uuid(void)
{
    struct asl_err err = {0};
    json_t *a = NULL, *b = NULL;
    CHECK(asl_intr_uuid(NULL, 0, &a, &err) == 0);
    CHECK(asl_intr_uuid(NULL, 0, &b, &err) == 0);
    const char *s = json_string_value(a);
    CHECK(s && strlen(s) == 36);
    for (size_t i = 0; s && i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            CHECK(s[i] == '-');
        else
            CHECK(isxdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i]));
    }
    CHECK(s && s[14] == '4');
    CHECK(s && strchr("89ab", s[19]));
    CHECK(!asl_json_equal(a, b));
    json_decref(a);
    json_decref(b);
    FAILS(asl_intr_uuid, "[1]", "argument");
}

static void static_checks(void)
{
    STATIC_OK(ASL_INTR_MATH_ADD, a_path(), lit_i(1));
    STATIC_OK(ASL_INTR_MATH_ADD, a_call(ASL_INTR_MATH_ADD), lit_r(-1.5));
    STATIC_OK(ASL_INTR_MATH_ADD, a_call(ASL_INTR_ARRAY_GET_ITEM), a_call(ASL_INTR_ARRAY_LENGTH));
    STATIC_BAD(ASL_INTR_MATH_ADD, "second argument must be a number", lit_i(1), lit_s("2"));
    STATIC_BAD(ASL_INTR_MATH_ADD, "number", a_call(ASL_INTR_FORMAT), lit_i(2));
    STATIC_BAD(ASL_INTR_MATH_ADD, "number", lit_k(ASL_VAL_NULL), lit_i(2));
    STATIC_OK(ASL_INTR_MATH_RANDOM, lit_i(1), lit_i(2));
    STATIC_OK(ASL_INTR_MATH_RANDOM, lit_i(1), lit_i(2), lit_i(7));
    STATIC_OK(ASL_INTR_MATH_RANDOM, a_path(), lit_i(-5));
    STATIC_BAD(ASL_INTR_MATH_RANDOM, "greater", lit_i(2), lit_i(2));
    STATIC_BAD(ASL_INTR_MATH_RANDOM, "greater", lit_r(1.6), lit_r(2.4));
    STATIC_BAD(ASL_INTR_MATH_RANDOM, "third argument must be a number", lit_i(1), lit_i(2), lit_s("x"));
    STATIC_BAD(ASL_INTR_MATH_RANDOM, "takes 2 to 3 arguments", lit_i(1));
    STATIC_OK(ASL_INTR_UUID);
    STATIC_BAD(ASL_INTR_UUID, "takes 0 arguments", lit_i(1));
}

int main(void)
{
    math_add();
    java_round();
    math_random();
    uuid();
    static_checks();
    return failures ? 1 : 0;
}
