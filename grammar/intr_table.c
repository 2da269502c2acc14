/*
 * intr_table.c - the table of States.* functions for the compiler.
 * Argument counts follow the AWS developer guide's intrinsic-functions page.
 *
 * asl_intr_check_call also rejects what the definition alone settles: a
 * literal (or a nested call's result) of the wrong type, literal values out
 * of range (ArrayRange over 1,000 elements or step 0, a non-positive
 * ArrayPartition size, a negative ArrayGetItem index, MathRandom end <=
 * start, an unknown Hash algorithm, JsonMerge deep mode true, a Format
 * template whose {} count differs from its arguments).  Whether AWS
 * rejects these at CreateStateMachine or fails the execution with
 * States.IntrinsicFailure is unrecorded; the runtime checks them all again.
 */
#include <stdio.h>
#include <string.h>

#include "intr_table.h"

#define INTR(E, NAME, FN, MIN, MAX, CRYPTO) \
    {ASL_INTR_##E, NAME, "asl_intr_" #FN, MIN, MAX, CRYPTO},
static const struct asl_intr_info table[ASL_INTR_COUNT_] = {ASL_INTRINSICS(INTR)};
#undef INTR

const struct asl_intr_info *asl_intr_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < ASL_INTR_COUNT_; i++)
        if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
            return &table[i];
    return NULL;
}

const struct asl_intr_info *asl_intr_info(enum asl_intr_fn fn)
{
    return (unsigned)fn < ASL_INTR_COUNT_ ? &table[fn] : NULL;
}

/* ------------------------------------------------ argument type checks */

/* What an argument can be, as far as the definition alone tells. */
enum {
    T_STR = 1, T_NUM = 2, T_BOOL = 4, T_NULL = 8, T_ARR = 16, T_OBJ = 32,
    T_ANY = 63,
};

/* The type of an argument known from the definition: a literal's type, a
 * nested call's result type; T_ANY for paths and calls returning any JSON. */
static unsigned arg_type(const struct asl_expr *a)
{
    if (a->kind == ASL_EX_VAL) {
        switch (a->val.kind) {
        case ASL_VAL_STRING: return T_STR;
        case ASL_VAL_INT:
        case ASL_VAL_REAL: return T_NUM;
        case ASL_VAL_TRUE:
        case ASL_VAL_FALSE: return T_BOOL;
        case ASL_VAL_NULL: return T_NULL;
        }
        return T_ANY;
    }
    if (a->kind != ASL_EX_CALL)
        return T_ANY;
    switch (a->fn) {
    case ASL_INTR_FORMAT: case ASL_INTR_JSON_TO_STRING: case ASL_INTR_BASE64_ENCODE:
    case ASL_INTR_BASE64_DECODE: case ASL_INTR_HASH: case ASL_INTR_UUID:
        return T_STR;
    case ASL_INTR_ARRAY: case ASL_INTR_ARRAY_PARTITION: case ASL_INTR_ARRAY_RANGE:
    case ASL_INTR_ARRAY_UNIQUE: case ASL_INTR_STRING_SPLIT:
        return T_ARR;
    case ASL_INTR_ARRAY_CONTAINS:
        return T_BOOL;
    case ASL_INTR_ARRAY_LENGTH: case ASL_INTR_MATH_RANDOM: case ASL_INTR_MATH_ADD:
        return T_NUM;
    case ASL_INTR_JSON_MERGE:
        return T_OBJ;
    default:
        return T_ANY;       /* StringToJson, ArrayGetItem, unknown */
    }
}

static const char *type_words(unsigned t)
{
    switch (t) {
    case T_STR: return "a string";
    case T_NUM: return "a number";
    case T_BOOL: return "a boolean";
    case T_NULL: return "null";
    case T_ARR: return "an array";
    case T_OBJ: return "an object";
    default: return "any value";
    }
}

/* Expected argument types, per function, by position (the last entry
 * repeats for variadic functions). */
static const unsigned char arg_types[ASL_INTR_COUNT_][3] = {
    [ASL_INTR_FORMAT] = {T_STR, T_ANY, T_ANY},
    [ASL_INTR_STRING_TO_JSON] = {T_STR},
    [ASL_INTR_JSON_TO_STRING] = {T_ANY},
    [ASL_INTR_ARRAY] = {T_ANY, T_ANY, T_ANY},
    [ASL_INTR_ARRAY_PARTITION] = {T_ARR, T_NUM},
    [ASL_INTR_ARRAY_CONTAINS] = {T_ARR, T_ANY},
    [ASL_INTR_ARRAY_RANGE] = {T_NUM, T_NUM, T_NUM},
    [ASL_INTR_ARRAY_GET_ITEM] = {T_ARR, T_NUM},
    [ASL_INTR_ARRAY_LENGTH] = {T_ARR},
    [ASL_INTR_ARRAY_UNIQUE] = {T_ARR},
    [ASL_INTR_BASE64_ENCODE] = {T_STR},
    [ASL_INTR_BASE64_DECODE] = {T_STR},
    [ASL_INTR_HASH] = {T_ANY, T_STR},
    [ASL_INTR_JSON_MERGE] = {T_OBJ, T_OBJ, T_BOOL},
    [ASL_INTR_MATH_RANDOM] = {T_NUM, T_NUM, T_NUM},
    [ASL_INTR_MATH_ADD] = {T_NUM, T_NUM},
    [ASL_INTR_STRING_SPLIT] = {T_STR, T_STR},
    [ASL_INTR_UUID] = {0},
};

static const char *ordinal(size_t i)
{
    static const char *const w[] = {"first", "second", "third"};
    return i < 3 ? w[i] : "an";
}

/* A numeric literal rounded as the runtime rounds integer arguments (Java
 * Math.round, half up); 0 when `a` is not a numeric literal. */
static int lit_int(const struct asl_expr *a, long long *v)
{
    if (a->kind != ASL_EX_VAL)
        return 0;
    if (a->val.kind == ASL_VAL_INT) {
        *v = a->val.i;
        return 1;
    }
    if (a->val.kind == ASL_VAL_REAL && a->val.r > -9.2e18 && a->val.r < 9.2e18) {
        long long f = (long long)a->val.r;      /* toward zero ... */
        if ((double)f > a->val.r)
            f--;                                /* ... then floor */
        *v = f + (a->val.r - (double)f >= 0.5);
        return 1;
    }
    return 0;
}

static const struct asl_val *lit_str(const struct asl_expr *a)
{
    return a->kind == ASL_EX_VAL && a->val.kind == ASL_VAL_STRING ? &a->val : NULL;
}

/* A string's length as Java counts it (UTF-16 units), as AWS does. */
static size_t java_length(const struct asl_val *v)
{
    size_t n = 0;
    for (size_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->str[i];
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* Number of {} placeholders in a literal Format template (its \{ \} \\
 * escapes are still in place, see grammar/expr.h); -1 when it ends in an
 * open escape backslash. */
static long format_holes(const struct asl_val *t)
{
    long holes = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->str[i] == '\\') {
            if (i + 1 == t->len)
                return -1;
            char c = t->str[i + 1];
            if (c == '{' || c == '}' || c == '\\' || c == '\'')
                i++;                            /* as runtime/intr/intrinsics.c reads it */
        } else if (t->str[i] == '{' && i + 1 < t->len && t->str[i + 1] == '}') {
            holes++;
            i++;
        }
    }
    return holes;
}

/* Checks on literal values beyond their type; the limits are AWS's
 * documented ones (intrinsic-functions page). */
static int check_values(const struct asl_expr *call, const char *name, char *msg, size_t msgsz)
{
    const struct asl_expr *a = call->args;
    const struct asl_val *s;
    long long x, y, z;
    switch (call->fn) {
    case ASL_INTR_FORMAT:
        if ((s = lit_str(&a[0]))) {
            long holes = format_holes(s);
            if (holes < 0) {
                snprintf(msg, msgsz, "%s: the format string ends with an open escape backslash", name);
                return -1;
            }
            if ((size_t)holes != call->nargs - 1) {
                snprintf(msg, msgsz, "%s: the format string has %ld placeholder%s but %zu argument%s follow%s it",
                         name, holes, holes == 1 ? "" : "s", call->nargs - 1,
                         call->nargs == 2 ? "" : "s", call->nargs == 2 ? "s" : "");
                return -1;
            }
        }
        return 0;
    case ASL_INTR_ARRAY_PARTITION:
        if (lit_int(&a[1], &x) && x <= 0) {
            snprintf(msg, msgsz, "%s: the chunk size must be a positive integer", name);
            return -1;
        }
        return 0;
    case ASL_INTR_ARRAY_RANGE:
        if (lit_int(&a[2], &z) && z == 0) {
            snprintf(msg, msgsz, "%s: the step must not be 0", name);
            return -1;
        }
        if (lit_int(&a[0], &x) && lit_int(&a[1], &y) && lit_int(&a[2], &z)) {
            unsigned long long count = 0;
            if (z > 0 && y >= x)
                count = ((unsigned long long)y - (unsigned long long)x) / (unsigned long long)z + 1;
            else if (z < 0 && x >= y)
                count = ((unsigned long long)x - (unsigned long long)y) / (0ULL - (unsigned long long)z) + 1;
            if (count > 1000) {
                snprintf(msg, msgsz, "%s: the range has %llu elements; at most 1000 are allowed",
                         name, count);
                return -1;
            }
        }
        return 0;
    case ASL_INTR_ARRAY_GET_ITEM:
        if (lit_int(&a[1], &x) && x < 0) {
            snprintf(msg, msgsz, "%s: the index must not be negative", name);
            return -1;
        }
        return 0;
    case ASL_INTR_BASE64_ENCODE:
    case ASL_INTR_BASE64_DECODE:
        if ((s = lit_str(&a[0])) && java_length(s) > 10000) {
            snprintf(msg, msgsz, "%s: the input is longer than 10000 characters", name);
            return -1;
        }
        return 0;
    case ASL_INTR_HASH:
        if ((s = lit_str(&a[1]))) {
            static const char *const algs[] = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
            for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
                if (strlen(algs[i]) == s->len && memcmp(algs[i], s->str, s->len) == 0)
                    return 0;
            snprintf(msg, msgsz, "%s: the hash algorithm must be one of MD5, SHA-1, SHA-256, "
                     "SHA-384, SHA-512", name);
            return -1;
        }
        return 0;
    case ASL_INTR_JSON_MERGE:
        /* AWS: "Step Functions only supports the shallow merging mode;
         * therefore, you must specify the boolean value as false." */
        if (a[2].kind == ASL_EX_VAL && a[2].val.kind == ASL_VAL_TRUE) {
            snprintf(msg, msgsz, "%s: only shallow merging is supported; the third argument must be false",
                     name);
            return -1;
        }
        return 0;
    case ASL_INTR_MATH_RANDOM:
        if (lit_int(&a[0], &x) && lit_int(&a[1], &y) && y <= x) {
            snprintf(msg, msgsz, "%s: the end must be greater than the start", name);
            return -1;
        }
        return 0;
    default:
        return 0;
    }
}

int asl_intr_check_call(const struct asl_expr *call, char *msg, size_t msgsz)
{
    const struct asl_intr_info *info = asl_intr_info(call->fn);
    if (!info) {
        snprintf(msg, msgsz, "unknown intrinsic function '%s'", call->name ? call->name : "?");
        return -1;
    }
    int n = (int)call->nargs;
    if (n < info->min_args || (info->max_args >= 0 && n > info->max_args)) {
        if (info->min_args == info->max_args)
            snprintf(msg, msgsz, "%s takes %d argument%s, got %d", info->name, info->min_args,
                     info->min_args == 1 ? "" : "s", n);
        else if (info->max_args < 0)
            snprintf(msg, msgsz, "%s takes at least %d argument%s, got %d", info->name,
                     info->min_args, info->min_args == 1 ? "" : "s", n);
        else
            snprintf(msg, msgsz, "%s takes %d to %d arguments, got %d", info->name,
                     info->min_args, info->max_args, n);
        return -1;
    }
    for (size_t i = 0; i < call->nargs; i++) {
        unsigned want = arg_types[call->fn][i < 3 ? i : 2];
        unsigned got = arg_type(&call->args[i]);
        if (want != T_ANY && got != T_ANY && !(want & got)) {
            snprintf(msg, msgsz, "%s: the %s argument must be %s, not %s", info->name, ordinal(i),
                     type_words(want), type_words(got));
            return -1;
        }
    }
    return check_values(call, info->name, msg, msgsz);
}
