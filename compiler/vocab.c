/*
 * vocab.c - lookups over the lists in aslrt_vocab.h.
 */
#include <string.h>

#include "vocab.h"

#define TYPE_ROW(E, NAME, FN) [ASL_##E] = {NAME, "ASL_" #E, "asl_" #FN "_run"},
static const struct {
    const char *name, *enum_name, *fn;
} types[] = {ASL_STATE_TYPES(TYPE_ROW)};
#undef TYPE_ROW

int asl_state_type_lookup(const char *name)
{
    for (int t = 0; t < ASL_STATE_TYPE_COUNT; t++)
        if (strcmp(name, types[t].name) == 0)
            return t;
    return -1;
}

const char *asl_state_type_name(enum asl_state_type t)
{
    return types[t].name;
}

const char *asl_state_type_enum(enum asl_state_type t)
{
    return types[t].enum_name;
}

const char *asl_state_type_fn(enum asl_state_type t)
{
    return types[t].fn;
}

#define OP_ROW(OP, CMP, OPND) {#OP, ASL_CMP_##CMP, "ASL_CMP_" #CMP, ASL_OPND_##OPND},
static const struct asl_choice_op ops[] = {ASL_CHOICE_OPERATORS(OP_ROW)};
#undef OP_ROW

const struct asl_choice_op *asl_choice_op_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

int asl_is_jsonata_text(const char *s, size_t *inner_off, size_t *inner_len)
{
    size_t n = strlen(s);
    if (n < 4 || strncmp(s, "{%", 2) != 0 || strcmp(s + n - 2, "%}") != 0)
        return 0;
    if (inner_off)
        *inner_off = 2;
    if (inner_len)
        *inner_len = n - 4;
    return 1;
}
