/*
 * fuzz_intrinsics.c - every States.* implementation (runtime/intr/intrinsics.c,
 * intr_text.c, intr_crypto.c) on arguments decoded from the input.
 *
 * Input: a JSON array, the argument list; every function gets the same
 * arguments (the compiler checks arity and literal types, but values read
 * from paths reach the runtime unchecked, so any mix must be safe).
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "aslrt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const asl_intr_impl FNS[] = {
    asl_intr_format, asl_intr_string_to_json, asl_intr_json_to_string, asl_intr_array,
    asl_intr_array_partition, asl_intr_array_contains, asl_intr_array_range,
    asl_intr_array_get_item, asl_intr_array_length, asl_intr_array_unique,
    asl_intr_base64_encode, asl_intr_base64_decode, asl_intr_hash, asl_intr_json_merge,
    asl_intr_math_random, asl_intr_math_add, asl_intr_string_split, asl_intr_uuid,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *arr = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!json_is_array(arr) || json_array_size(arr) > 16) {
        json_decref(arr);
        return 0;
    }
    size_t nargs = json_array_size(arr);
    json_t *args[16];
    for (size_t i = 0; i < nargs; i++)
        args[i] = json_array_get(arr, i);
    for (size_t f = 0; f < sizeof FNS / sizeof FNS[0]; f++) {
        struct asl_err err = {0};
        json_t *out = NULL;
        if (FNS[f](args, nargs, &out, &err) == 0)
            json_decref(out);
        asl_err_clear(&err);
    }
    json_decref(arr);
    return 0;
}
