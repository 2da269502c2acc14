/*
 * intrinsics.c - the table of States.* functions for the compiler.
 * Argument counts follow the AWS developer guide's intrinsic-functions page.
 */
#include <stdio.h>
#include <string.h>

#include "intrinsics.h"

static const struct asl_intr_info table[ASL_INTR_COUNT_] = {
    {ASL_INTR_FORMAT, "States.Format", "asl_intr_format", 1, -1, 0},
    {ASL_INTR_STRING_TO_JSON, "States.StringToJson", "asl_intr_string_to_json", 1, 1, 0},
    {ASL_INTR_JSON_TO_STRING, "States.JsonToString", "asl_intr_json_to_string", 1, 1, 0},
    {ASL_INTR_ARRAY, "States.Array", "asl_intr_array", 0, -1, 0},
    {ASL_INTR_ARRAY_PARTITION, "States.ArrayPartition", "asl_intr_array_partition", 2, 2, 0},
    {ASL_INTR_ARRAY_CONTAINS, "States.ArrayContains", "asl_intr_array_contains", 2, 2, 0},
    {ASL_INTR_ARRAY_RANGE, "States.ArrayRange", "asl_intr_array_range", 3, 3, 0},
    {ASL_INTR_ARRAY_GET_ITEM, "States.ArrayGetItem", "asl_intr_array_get_item", 2, 2, 0},
    {ASL_INTR_ARRAY_LENGTH, "States.ArrayLength", "asl_intr_array_length", 1, 1, 0},
    {ASL_INTR_ARRAY_UNIQUE, "States.ArrayUnique", "asl_intr_array_unique", 1, 1, 0},
    {ASL_INTR_BASE64_ENCODE, "States.Base64Encode", "asl_intr_base64_encode", 1, 1, 1},
    {ASL_INTR_BASE64_DECODE, "States.Base64Decode", "asl_intr_base64_decode", 1, 1, 1},
    {ASL_INTR_HASH, "States.Hash", "asl_intr_hash", 2, 2, 1},
    {ASL_INTR_JSON_MERGE, "States.JsonMerge", "asl_intr_json_merge", 3, 3, 0},
    {ASL_INTR_MATH_RANDOM, "States.MathRandom", "asl_intr_math_random", 2, 3, 0},
    {ASL_INTR_MATH_ADD, "States.MathAdd", "asl_intr_math_add", 2, 2, 0},
    {ASL_INTR_STRING_SPLIT, "States.StringSplit", "asl_intr_string_split", 2, 2, 0},
    {ASL_INTR_UUID, "States.UUID", "asl_intr_uuid", 0, 0, 0},
};

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
    return 0;
}
