/*
 * vocab.h - the words of the language as the compiler looks them up, and
 * the predicates both checking and emitting need.  Below check*.c and
 * emit*.c: it includes neither, and both include it.  The words themselves
 * are listed once, in runtime/include/aslrt_vocab.h.
 */
#ifndef ASLC_VOCAB_H
#define ASLC_VOCAB_H

#include <stddef.h>

#include "aslrt.h"

/* "Pass" -> ASL_PASS; -1 for a word that is not a state type. */
int asl_state_type_lookup(const char *name);
/* ASL_PASS -> "Pass"; "ASL_PASS"; "asl_pass_run" (the runtime function). */
const char *asl_state_type_name(enum asl_state_type t);
const char *asl_state_type_enum(enum asl_state_type t);
const char *asl_state_type_fn(enum asl_state_type t);

/* What a Choice comparison operator's value must be. */
enum asl_operand { ASL_OPND_STRING, ASL_OPND_NUMBER, ASL_OPND_BOOL, ASL_OPND_TIMESTAMP,
                   ASL_OPND_PATH, ASL_OPND_IS };

struct asl_choice_op {
    const char *name;           /* "NumericLessThanPath" */
    enum asl_cmp_op cmp;        /* ASL_CMP_NUM_LT */
    const char *cmp_enum;       /* "ASL_CMP_NUM_LT", for the generated C */
    enum asl_operand operand;
};

/* The operator called `name`, or NULL. */
const struct asl_choice_op *asl_choice_op_lookup(const char *name);

/* 1 when s is exactly "{%...%}" (a JSONata expression); the expression is
 * s[*inner_off .. *inner_off + *inner_len).  Either pointer may be NULL. */
int asl_is_jsonata_text(const char *s, size_t *inner_off, size_t *inner_len);

#endif
