/*
 * intrinsics.c - the States.* intrinsic functions (all but the three that
 * need libcrypto, which live in intr_crypto.c).
 *
 * Each takes the evaluated arguments (borrowed, never mutated), sets *out
 * to a new reference and returns 0, or fills err and returns -1.  Argument
 * counts are checked at compile time (grammar/intr_table.c) but checked
 * again here so a hand-built call cannot read past args.
 *
 * Failures are States.IntrinsicFailure.  AWS's cause texts for them have
 * not been recorded anywhere we could find (no recording in the
 * conformance corpus or LocalStack's snapshots fails inside an intrinsic),
 * so the causes below are our own wording: "Invalid arguments in
 * States.X: <what was wrong>".
 *
 * Reference: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "aslrt.h"
#include "base/text.h"
#include "intr/intr.h"
#include "store/durable.h"

/* ------------------------------------------------------------- helpers */

int asl_intr_fail(struct asl_err *err, const char *fn, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return asl_err_set(err, ASL_E_INTRINSIC, "Invalid arguments in %s: %s", fn, detail);
}

int asl_intr_oom(struct asl_err *err, const char *fn)
{
    return asl_err_set(err, ASL_E_RUNTIME, "%s: out of memory", fn);
}

const char *asl_intr_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

int asl_intr_nargs(size_t nargs, size_t lo, size_t hi, const char *fn, struct asl_err *err)
{
    if (nargs >= lo && nargs <= hi)
        return 0;
    if (lo == hi)
        return asl_intr_fail(err, fn, "expected %zu argument%s but got %zu", lo,
                             lo == 1 ? "" : "s", nargs);
    return asl_intr_fail(err, fn, "expected %zu to %zu arguments but got %zu", lo, hi, nargs);
}

int asl_intr_string_arg(json_t *v, const char *fn, const char *what, struct asl_err *err)
{
    if (json_is_string(v))
        return 0;
    return asl_intr_fail(err, fn, "the %s must be a string, got %s", what, asl_intr_type_name(v));
}

/* An integer argument.  AWS rounds non-integral numbers to the nearest
 * integer (documented for MathRandom and MathAdd; recorded for MathAdd:
 * Java Math.round, half up), and we apply the same to every integer
 * argument. */
static int int_arg(json_t *v, const char *fn, const char *what, long long *out,
                   struct asl_err *err)
{
    if (json_is_integer(v)) {
        *out = (long long)json_integer_value(v);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d >= 9.2e18 || d <= -9.2e18)
            return asl_intr_fail(err, fn, "the %s is out of range", what);
        *out = asl_text_java_round(d);
        return 0;
    }
    return asl_intr_fail(err, fn, "the %s must be an integer, got %s", what, asl_intr_type_name(v));
}

static int array_arg(json_t *v, const char *fn, const char *what, struct asl_err *err)
{
    if (json_is_array(v))
        return 0;
    return asl_intr_fail(err, fn, "the %s must be an array, got %s", what, asl_intr_type_name(v));
}

/* Fill buf with random bytes (recorded with the execution when it has a
 * store: runtime/store/durable.h). */
static int random_bytes(void *buf, size_t n)
{
    return asl_dur_random_here(buf, n);
}

/* --------------------------------------------------------- States.Format */

/*
 * States.Format(template, arg...)
 *
 * Escapes: the template is processed here, at run time: a backslash before
 * one of the four reserved characters makes it literal (`\{` -> `{`,
 * `\}` -> `}`, `\'` -> `'`, `\\` -> `\`); before anything else it stays a
 * plain backslash (only a path-supplied template can hold that: the parser
 * rejects other escapes in literals); an unescaped `{}` is a placeholder,
 * and a backslash at the
 * very end ("open escape backslash") is a run-time error, as AWS's
 * intrinsic-functions page says ("If an open escape backslash \ is found
 * in the intrinsic invocation string, the interpreter will throw a runtime
 * error").  The same rules apply to a template that comes from a path, so
 * the same code serves both.  Therefore the parser (grammar/path.y) must
 * hand a *literal* first argument of States.Format over with its
 * backslashes still in place (only the surrounding quotes removed);
 * resolving them there would turn `\{}` into a placeholder.
 *
 * Rendering: strings as they are, numbers as Java prints them, objects
 * and arrays as Java's Map/List toString ({a=1, b=[x, y]}), null as
 * "null" (all recorded: generic__test_format_1/2, test_context_json_path).
 * A `{` or `}` that is not part of `{}` is copied as it is.
 */
/* The characters AWS reserves in intrinsic strings: ' { } \ */
static int is_reserved(char c)
{
    return c == '\'' || c == '{' || c == '}' || c == '\\';
}

int asl_intr_format(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.Format";
    struct asl_buf b;
    if (nargs < 1)
        return asl_intr_fail(err, fn, "expected at least 1 argument but got 0");
    if (asl_intr_string_arg(args[0], fn, "format string", err))
        return -1;
    const char *t = json_string_value(args[0]);
    size_t n = json_string_length(args[0]);

    size_t holes = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\\') {
            if (i + 1 == n)
                return asl_intr_fail(err, fn, "the format string ends with an open escape backslash");
            if (is_reserved(t[i + 1]))
                i++;
        } else if (t[i] == '{' && i + 1 < n && t[i + 1] == '}') {
            holes++;
            i++;
        }
    }
    if (holes != nargs - 1)
        return asl_intr_fail(err, fn, "the format string has %zu placeholder%s but %zu argument%s followed it",
                             holes, holes == 1 ? "" : "s", nargs - 1, nargs - 1 == 1 ? "" : "s");

    asl_buf_init(&b);
    asl_buf_add(&b, "", 0);
    size_t next = 1;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\\' && is_reserved(t[i + 1])) {
            asl_buf_addc(&b, t[++i]);
        } else if (t[i] == '{' && i + 1 < n && t[i + 1] == '}') {
            asl_text_java(&b, args[next++]);
            i++;
        } else {
            asl_buf_addc(&b, t[i]);
        }
    }
    json_t *s = b.oom ? NULL : json_stringn_nocheck(b.p, b.len);
    asl_buf_free(&b);
    if (!s)
        return asl_intr_oom(err, fn);
    *out = s;
    return 0;
}

/* ---------------------------------------------------- JSON manipulation */

/* States.StringToJson(string): blank text is null (recorded: "" and " "). */
int asl_intr_string_to_json(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.StringToJson";
    if (asl_intr_nargs(nargs, 1, 1, fn, err) || asl_intr_string_arg(args[0], fn, "argument", err))
        return -1;
    const char *s = json_string_value(args[0]);
    size_t n = json_string_length(args[0]);
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i == n) {
        *out = json_null();
        return 0;
    }
    json_error_t je;
    json_t *v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!v && json_error_code(&je) == json_error_numeric_overflow)
        v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
    if (!v)
        return asl_intr_fail(err, fn, "the argument is not valid JSON: %s", je.text);
    *out = v;
    return 0;
}

/* States.JsonToString(value): compact JSON, as Jackson writes it. */
int asl_intr_json_to_string(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.JsonToString";
    if (asl_intr_nargs(nargs, 1, 1, fn, err))
        return -1;
    size_t len;
    char *text = asl_text_json_dup(args[0], &len);
    json_t *s = text ? json_stringn_nocheck(text, len) : NULL;
    free(text);
    if (!s)
        return asl_intr_oom(err, fn);
    *out = s;
    return 0;
}

/* States.JsonMerge(a, b, deep): shallow merge only.  AWS's page: "Step
 * Functions only supports the shallow merging mode; therefore, you must
 * specify the boolean value as false." */
int asl_intr_json_merge(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.JsonMerge";
    if (asl_intr_nargs(nargs, 3, 3, fn, err))
        return -1;
    for (int i = 0; i < 2; i++)
        if (!json_is_object(args[i]))
            return asl_intr_fail(err, fn, "the %s argument must be an object, got %s",
                                 i ? "second" : "first", asl_intr_type_name(args[i]));
    if (!json_is_boolean(args[2]))
        return asl_intr_fail(err, fn, "the third argument must be a boolean, got %s",
                             asl_intr_type_name(args[2]));
    if (json_is_true(args[2]))
        return asl_intr_fail(err, fn, "only shallow merging is supported; the third argument must be false");
    json_t *m = json_object();
    if (!m || json_object_update(m, args[0]) || json_object_update(m, args[1])) {
        json_decref(m);
        return asl_intr_oom(err, fn);
    }
    *out = m;
    return 0;
}

/* ----------------------------------------------------------------- arrays */

int asl_intr_array(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < nargs; i++)
        if (json_array_append(a, args[i])) {
            json_decref(a);
            a = NULL;
        }
    if (!a)
        return asl_intr_oom(err, "States.Array");
    *out = a;
    return 0;
}

/* States.ArrayPartition(array, size): chunks of `size`, the last shorter. */
int asl_intr_array_partition(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.ArrayPartition";
    long long size;
    if (asl_intr_nargs(nargs, 2, 2, fn, err) || array_arg(args[0], fn, "first argument", err) ||
        int_arg(args[1], fn, "chunk size", &size, err))
        return -1;
    if (size <= 0)
        return asl_intr_fail(err, fn, "the chunk size must be a positive integer, got %lld", size);
    size_t n = json_array_size(args[0]);
    json_t *res = json_array(), *chunk = NULL;
    if (!res)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        if (!chunk && !(chunk = json_array()))
            goto oom;
        if (json_array_append(chunk, json_array_get(args[0], i)))
            goto oom;
        if (json_array_size(chunk) == (size_t)size || i + 1 == n) {
            if (json_array_append_new(res, chunk)) {
                chunk = NULL;
                goto oom;
            }
            chunk = NULL;
        }
    }
    *out = res;
    return 0;
oom:
    json_decref(chunk);
    json_decref(res);
    return asl_intr_oom(err, fn);
}

/* States.ArrayContains(array, value): deep equality, numbers by value. */
int asl_intr_array_contains(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.ArrayContains";
    if (asl_intr_nargs(nargs, 2, 2, fn, err) || array_arg(args[0], fn, "first argument", err))
        return -1;
    int found = 0;
    for (size_t i = 0; !found && i < json_array_size(args[0]); i++)
        found = asl_json_equal(json_array_get(args[0], i), args[1]);
    *out = json_boolean(found);
    return 0;
}

#define ARRAY_RANGE_MAX 1000

/* States.ArrayRange(start, end, step): start, start+step, ... while not
 * past end; at most 1000 elements (AWS's documented limit).  A negative
 * step counts down (the spec only forbids 0; AWS unrecorded).  A range
 * that runs the wrong way is empty. */
int asl_intr_array_range(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.ArrayRange";
    long long start, end, step;
    if (asl_intr_nargs(nargs, 3, 3, fn, err) || int_arg(args[0], fn, "start", &start, err) ||
        int_arg(args[1], fn, "end", &end, err) || int_arg(args[2], fn, "step", &step, err))
        return -1;
    if (step == 0)
        return asl_intr_fail(err, fn, "the step must not be 0");
    unsigned long long span, ustep, count;
    if (step > 0 && end >= start) {
        span = (unsigned long long)end - (unsigned long long)start;
        ustep = (unsigned long long)step;
    } else if (step < 0 && start >= end) {
        span = (unsigned long long)start - (unsigned long long)end;
        ustep = 0ULL - (unsigned long long)step;
    } else {
        span = 0;
        ustep = 0;
    }
    count = ustep ? span / ustep + 1 : 0;
    if (count > ARRAY_RANGE_MAX)
        return asl_intr_fail(err, fn, "the range has %llu elements; at most %d are allowed",
                             count, ARRAY_RANGE_MAX);
    json_t *a = json_array();
    for (unsigned long long i = 0; a && i < count; i++) {
        /* start + i*step stays between start and end: no overflow */
        long long v = (long long)((unsigned long long)start + i * (unsigned long long)step);
        if (json_array_append_new(a, json_integer(v))) {
            json_decref(a);
            a = NULL;
        }
    }
    if (!a)
        return asl_intr_oom(err, fn);
    *out = a;
    return 0;
}

/* States.ArrayGetItem(array, index): 0-based; out of range is a failure. */
int asl_intr_array_get_item(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.ArrayGetItem";
    long long idx;
    if (asl_intr_nargs(nargs, 2, 2, fn, err) || array_arg(args[0], fn, "first argument", err) ||
        int_arg(args[1], fn, "index", &idx, err))
        return -1;
    size_t n = json_array_size(args[0]);
    if (idx < 0 || (unsigned long long)idx >= n)
        return asl_intr_fail(err, fn, "the index %lld is out of bounds for an array of length %zu",
                             idx, n);
    *out = json_incref(json_array_get(args[0], (size_t)idx));
    return 0;
}

int asl_intr_array_length(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.ArrayLength";
    if (asl_intr_nargs(nargs, 1, 1, fn, err) || array_arg(args[0], fn, "argument", err))
        return -1;
    *out = json_integer((json_int_t)json_array_size(args[0]));
    return *out ? 0 : asl_intr_oom(err, fn);
}

/* A hash consistent with asl_json_equal: equal values hash alike. */
static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t json_hash(const json_t *v)
{
    uint64_t h = (uint64_t)json_typeof(v) * 0x100000001b3ULL;
    switch (json_typeof(v)) {
    case JSON_INTEGER:
    case JSON_REAL: {
        double d = json_number_value(v);
        if (json_is_integer(v) || (d > -9.2e18 && d < 9.2e18 && d == (double)(long long)d)) {
            long long i = json_is_integer(v) ? (long long)json_integer_value(v) : (long long)d;
            return mix(7, (uint64_t)i);
        }
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(7, bits);
    }
    case JSON_STRING: {
        const unsigned char *s = (const unsigned char *)json_string_value(v);
        h = 1469598103934665603ULL;
        for (size_t i = 0; i < json_string_length(v); i++)
            h = (h ^ s[i]) * 1099511628211ULL;
        return h;
    }
    case JSON_ARRAY:
        for (size_t i = 0; i < json_array_size(v); i++)
            h = mix(h, json_hash(json_array_get(v, i)));
        return h;
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;
        uint64_t sum = 0;               /* order-independent */
        json_object_keylen_foreach((json_t *)v, k, klen, x) {
            uint64_t kh = 1469598103934665603ULL;
            for (size_t i = 0; i < klen; i++)
                kh = (kh ^ (unsigned char)k[i]) * 1099511628211ULL;
            sum += mix(kh, json_hash(x));
        }
        return mix(h, sum);
    }
    default:
        return h;
    }
}

/* States.ArrayUnique(array): first occurrences, in order; deep equality
 * with numbers by value (AWS unrecorded for 1 vs 1.0; Jackson's
 * JsonNode.equals would keep both - we follow the ASL notion of equal
 * values used by ArrayContains). */
int asl_intr_array_unique(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.ArrayUnique";
    if (asl_intr_nargs(nargs, 1, 1, fn, err) || array_arg(args[0], fn, "argument", err))
        return -1;
    size_t n = json_array_size(args[0]), cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *slot = malloc(cap * sizeof *slot);   /* index+1 into res, 0 = empty */
    json_t *res = json_array();
    if (!slot || !res)
        goto oom;
    memset(slot, 0, cap * sizeof *slot);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(args[0], i);
        size_t j = (size_t)json_hash(x) & (cap - 1);
        int dup = 0;
        for (; slot[j]; j = (j + 1) & (cap - 1))
            if (asl_json_equal(json_array_get(res, slot[j] - 1), x)) {
                dup = 1;
                break;
            }
        if (dup)
            continue;
        if (json_array_append(res, x))
            goto oom;
        slot[j] = json_array_size(res);
    }
    free(slot);
    *out = res;
    return 0;
oom:
    free(slot);
    json_decref(res);
    return asl_intr_oom(err, fn);
}

/* ------------------------------------------------------------------ math */

/* States.MathAdd(a, b): each argument rounded half up (Java Math.round)
 * before adding - recorded: 1.49+1.5=3, -2.5+0=-2, -0.5+0.5=1. */
int asl_intr_math_add(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.MathAdd";
    long long a = 0, b = 0, sum;
    if (asl_intr_nargs(nargs, 2, 2, fn, err) || int_arg(args[0], fn, "first argument", &a, err) ||
        int_arg(args[1], fn, "second argument", &b, err))
        return -1;
    if (__builtin_add_overflow(a, b, &sum))
        return asl_intr_fail(err, fn, "the sum is out of range");
    *out = json_integer((json_int_t)sum);
    return *out ? 0 : asl_intr_oom(err, fn);
}

/* java.util.Random's generator (a 48-bit LCG, as its Javadoc specifies),
 * so that a seeded MathRandom has a chance of giving AWS's numbers. */
struct jrandom {
    uint64_t seed;
};

static void jrandom_init(struct jrandom *r, long long seed)
{
    r->seed = ((uint64_t)seed ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1);
}

static int32_t jrandom_next(struct jrandom *r, int bits)
{
    r->seed = (r->seed * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    return (int32_t)(uint32_t)(r->seed >> (48 - bits));
}

/* Random.nextInt(bound), bound > 0 */
static int32_t jrandom_int(struct jrandom *r, int32_t bound)
{
    if ((bound & -bound) == bound)
        return (int32_t)(((int64_t)bound * (int64_t)jrandom_next(r, 31)) >> 31);
    int32_t bits, val;
    do {
        bits = jrandom_next(r, 31);
        val = bits % bound;
    } while ((int64_t)bits - val + (bound - 1) > INT32_MAX);   /* Java's int overflow test */
    return val;
}

/* Random.nextLong() */
static uint64_t jrandom_long(struct jrandom *r)
{
    uint64_t hi = (uint64_t)(int64_t)jrandom_next(r, 32);
    uint64_t lo = (uint64_t)(int64_t)jrandom_next(r, 32);
    return (hi << 32) + lo;
}

/*
 * States.MathRandom(start, end[, seed]): an integer in [start, end).
 * AWS's page: "Returns a random number between the specified start
 * number (inclusive) and end number (exclusive)"; non-integral bounds are
 * rounded.  With a seed the sequence is java.util.Random(seed)'s; without,
 * the kernel's random source.  end <= start is a failure (empty range).
 */
int asl_intr_math_random(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.MathRandom";
    long long start, end, seed = 0;
    if (asl_intr_nargs(nargs, 2, 3, fn, err) || int_arg(args[0], fn, "start", &start, err) ||
        int_arg(args[1], fn, "end", &end, err) ||
        (nargs == 3 && int_arg(args[2], fn, "seed", &seed, err)))
        return -1;
    if (end <= start)
        return asl_intr_fail(err, fn, "the end (%lld) must be greater than the start (%lld)", end, start);
    uint64_t bound = (uint64_t)end - (uint64_t)start, off;
    if (nargs == 3) {
        struct jrandom r;
        jrandom_init(&r, seed);
        if (bound <= INT32_MAX) {
            off = (uint64_t)jrandom_int(&r, (int32_t)bound);
        } else {
            uint64_t lim = UINT64_MAX - UINT64_MAX % bound, x;
            do
                x = jrandom_long(&r);
            while (x >= lim);
            off = x % bound;
        }
    } else {
        uint64_t lim = UINT64_MAX - UINT64_MAX % bound, x;
        do {
            if (random_bytes(&x, sizeof x))
                return asl_err_set(err, ASL_E_RUNTIME, "%s: no random source available", fn);
        } while (x >= lim);
        off = x % bound;
    }
    *out = json_integer((json_int_t)(long long)((uint64_t)start + off));
    return *out ? 0 : asl_intr_oom(err, fn);
}

/* --------------------------------------------------------------- strings */

/* Bytes in the UTF-8 sequence starting with lead byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    if (c >= 0xE0)
        return c <= 0xEF ? 3 : 1;
    if (c >= 0xC2)
        return 2;
    return 1;
}

/* Is the character s[0..n) one of the delimiter characters? */
static int is_delim(const char *s, size_t n, const char *d, size_t dn)
{
    for (size_t i = 0; i < dn;) {
        size_t m = utf8_len((unsigned char)d[i]);
        if (i + m > dn)
            m = dn - i;
        if (m == n && memcmp(d + i, s, n) == 0)
            return 1;
        i += m;
    }
    return 0;
}

/* States.StringSplit(string, delimiters): every character of the second
 * argument is a delimiter, and empty tokens are dropped (recorded:
 * (",,,,", ",") -> [], ("This.is+a,test=string", ".+,=") -> 5 words). */
int asl_intr_string_split(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.StringSplit";
    if (asl_intr_nargs(nargs, 2, 2, fn, err) ||
        asl_intr_string_arg(args[0], fn, "first argument", err) ||
        asl_intr_string_arg(args[1], fn, "second argument", err))
        return -1;
    const char *s = json_string_value(args[0]), *d = json_string_value(args[1]);
    size_t n = json_string_length(args[0]), dn = json_string_length(args[1]);
    json_t *res = json_array();
    size_t tok = 0;
    if (!res)
        return asl_intr_oom(err, fn);
    for (size_t i = 0; i <= n;) {
        size_t m = i < n ? utf8_len((unsigned char)s[i]) : 0;
        if (i + m > n)
            m = n - i;
        if (i == n || is_delim(s + i, m, d, dn)) {
            if (i > tok && json_array_append_new(res, json_stringn_nocheck(s + tok, i - tok))) {
                json_decref(res);
                return asl_intr_oom(err, fn);
            }
            if (i == n)
                break;
            tok = i + m;
        }
        i += m;
    }
    *out = res;
    return 0;
}

/* ------------------------------------------------------------------ UUID */

/* States.UUID(): a random (version 4) UUID, lower case. */
int asl_intr_uuid(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.UUID";
    unsigned char u[16];
    char text[37];
    (void)args;
    if (asl_intr_nargs(nargs, 0, 0, fn, err))
        return -1;
    if (random_bytes(u, sizeof u))
        return asl_err_set(err, ASL_E_RUNTIME, "%s: no random source available", fn);
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);   /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);   /* RFC 4122 variant */
    snprintf(text, sizeof text,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
             u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    *out = json_string(text);
    return *out ? 0 : asl_intr_oom(err, fn);
}
