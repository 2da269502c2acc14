/*
 * aslrt_vocab.h - the words of the States language, each listed once.
 *
 * Every list is an X-macro (the way jq's opcode_list.h lists opcodes): a
 * macro taking the name of another macro, X, and applying it to every
 * entry.  Whoever needs the words expands the list with an X of their own:
 *
 *     #define X(E, NAME, FN) [ASL_##E] = NAME,
 *     static const char *const names[] = { ASL_STATE_TYPES(X) };
 *     #undef X
 *
 * The compiler (checking and emitting), the runtime and the generated C
 * all take their enums and names from here, so a word added to a list
 * reaches every place that needs it, and no two copies can disagree.
 * Nothing here allocates or links: the header is macros and enums only.
 */
#ifndef ASLRT_VOCAB_H
#define ASLRT_VOCAB_H

/* ------------------------------------------------------------ state types
 * X(ENUM, "Type as written", fn): enum asl_state_type is ASL_<ENUM>, in
 * this order; the runtime runs a state of that type with asl_<fn>_run
 * (declared in aslrt.h, pointed at straight from the generated tables). */
#define ASL_STATE_TYPES(X)                  \
    X(PASS, "Pass", pass)                   \
    X(TASK, "Task", task)                   \
    X(CHOICE, "Choice", choice)             \
    X(WAIT, "Wait", wait)                   \
    X(SUCCEED, "Succeed", succeed)          \
    X(FAIL, "Fail", fail)                   \
    X(PARALLEL, "Parallel", parallel)       \
    X(MAP, "Map", map)

/* ------------------------------------------------ Choice comparisons
 * What the runtime evaluates: X(ENUM), enum asl_cmp_op is ASL_CMP_<ENUM>. */
#define ASL_CMP_OPS(X)                                                  \
    X(STR_EQ) X(STR_LT) X(STR_GT) X(STR_LE) X(STR_GE) X(STR_MATCHES)    \
    X(NUM_EQ) X(NUM_LT) X(NUM_GT) X(NUM_LE) X(NUM_GE)                   \
    X(BOOL_EQ)                                                          \
    X(TS_EQ) X(TS_LT) X(TS_GT) X(TS_LE) X(TS_GE)                        \
    X(IS_NULL) X(IS_PRESENT) X(IS_NUMERIC) X(IS_STRING) X(IS_BOOLEAN)   \
    X(IS_TIMESTAMP)

/* What a definition spells: X(Operator, CMP, OPERAND).  Operator is the
 * rule's key (an identifier: stringify it for the name), CMP the
 * ASL_CMP_<CMP> it runs, OPERAND what its value must be: STRING, NUMBER,
 * BOOL, TIMESTAMP (an RFC 3339 string), PATH (the ...Path forms: a path
 * whose value is compared) or IS (a boolean: the type tests). */
#define ASL_CHOICE_OPERATORS(X)                                 \
    X(StringEquals, STR_EQ, STRING)                             \
    X(StringLessThan, STR_LT, STRING)                           \
    X(StringGreaterThan, STR_GT, STRING)                        \
    X(StringLessThanEquals, STR_LE, STRING)                     \
    X(StringGreaterThanEquals, STR_GE, STRING)                  \
    X(StringMatches, STR_MATCHES, STRING)                       \
    X(NumericEquals, NUM_EQ, NUMBER)                            \
    X(NumericLessThan, NUM_LT, NUMBER)                          \
    X(NumericGreaterThan, NUM_GT, NUMBER)                       \
    X(NumericLessThanEquals, NUM_LE, NUMBER)                    \
    X(NumericGreaterThanEquals, NUM_GE, NUMBER)                 \
    X(BooleanEquals, BOOL_EQ, BOOL)                             \
    X(TimestampEquals, TS_EQ, TIMESTAMP)                        \
    X(TimestampLessThan, TS_LT, TIMESTAMP)                      \
    X(TimestampGreaterThan, TS_GT, TIMESTAMP)                   \
    X(TimestampLessThanEquals, TS_LE, TIMESTAMP)                \
    X(TimestampGreaterThanEquals, TS_GE, TIMESTAMP)             \
    X(StringEqualsPath, STR_EQ, PATH)                           \
    X(StringLessThanPath, STR_LT, PATH)                         \
    X(StringGreaterThanPath, STR_GT, PATH)                      \
    X(StringLessThanEqualsPath, STR_LE, PATH)                   \
    X(StringGreaterThanEqualsPath, STR_GE, PATH)                \
    X(NumericEqualsPath, NUM_EQ, PATH)                          \
    X(NumericLessThanPath, NUM_LT, PATH)                        \
    X(NumericGreaterThanPath, NUM_GT, PATH)                     \
    X(NumericLessThanEqualsPath, NUM_LE, PATH)                  \
    X(NumericGreaterThanEqualsPath, NUM_GE, PATH)               \
    X(BooleanEqualsPath, BOOL_EQ, PATH)                         \
    X(TimestampEqualsPath, TS_EQ, PATH)                         \
    X(TimestampLessThanPath, TS_LT, PATH)                       \
    X(TimestampGreaterThanPath, TS_GT, PATH)                    \
    X(TimestampLessThanEqualsPath, TS_LE, PATH)                 \
    X(TimestampGreaterThanEqualsPath, TS_GE, PATH)              \
    X(IsNull, IS_NULL, IS)                                      \
    X(IsPresent, IS_PRESENT, IS)                                \
    X(IsNumeric, IS_NUMERIC, IS)                                \
    X(IsString, IS_STRING, IS)                                  \
    X(IsBoolean, IS_BOOLEAN, IS)                                \
    X(IsTimestamp, IS_TIMESTAMP, IS)

/* ------------------------------------------------------- error names
 * The States.* errors the runtime raises or matches.  Each name is spelled
 * once, as ASL_E_<ENUM>; ASL_ERROR_NAMES(X) lists them as X(ENUM), so
 * `#define X(E) ASL_E_##E,` expands to the strings. */
#define ASL_E_ALL "States.ALL"
#define ASL_E_RUNTIME "States.Runtime"
#define ASL_E_TIMEOUT "States.Timeout"
#define ASL_E_TASK_FAILED "States.TaskFailed"
#define ASL_E_PERMISSIONS "States.Permissions"
#define ASL_E_RESULT_PATH "States.ResultPathMatchFailure"
#define ASL_E_PARAM_PATH "States.ParameterPathFailure"
#define ASL_E_BRANCH_FAILED "States.BranchFailed"
#define ASL_E_NO_CHOICE "States.NoChoiceMatched"
#define ASL_E_INTRINSIC "States.IntrinsicFailure"
#define ASL_E_DATA_LIMIT "States.DataLimitExceeded"
#define ASL_E_HEARTBEAT "States.HeartbeatTimeout"
#define ASL_E_TOLERATED "States.ExceedToleratedFailureThreshold"
#define ASL_E_ITEM_READER "States.ItemReaderFailed"
#define ASL_E_RESULT_WRITER "States.ResultWriterFailed"
#define ASL_E_QUERY "States.QueryEvaluationError"
#define ASL_E_ABORTED "States.Aborted"

#define ASL_ERROR_NAMES(X)                                                  \
    X(ALL) X(RUNTIME) X(TIMEOUT) X(TASK_FAILED) X(PERMISSIONS)              \
    X(RESULT_PATH) X(PARAM_PATH) X(BRANCH_FAILED) X(NO_CHOICE)              \
    X(INTRINSIC) X(DATA_LIMIT) X(HEARTBEAT) X(TOLERATED) X(ITEM_READER)     \
    X(RESULT_WRITER) X(QUERY) X(ABORTED)

/* ------------------------------------------------------- intrinsics
 * X(ENUM, "name", fn, min_args, max_args, crypto), in the order AWS's
 * documentation lists them: enum asl_intr_fn is ASL_INTR_<ENUM>, the
 * runtime implements it as asl_intr_<fn>, max_args < 0 is unbounded and
 * crypto 1 means the implementation links OpenSSL's libcrypto. */
#define ASL_INTRINSICS(X)                                                   \
    X(FORMAT, "States.Format", format, 1, -1, 0)                            \
    X(STRING_TO_JSON, "States.StringToJson", string_to_json, 1, 1, 0)       \
    X(JSON_TO_STRING, "States.JsonToString", json_to_string, 1, 1, 0)       \
    X(ARRAY, "States.Array", array, 0, -1, 0)                               \
    X(ARRAY_PARTITION, "States.ArrayPartition", array_partition, 2, 2, 0)   \
    X(ARRAY_CONTAINS, "States.ArrayContains", array_contains, 2, 2, 0)      \
    X(ARRAY_RANGE, "States.ArrayRange", array_range, 3, 3, 0)               \
    X(ARRAY_GET_ITEM, "States.ArrayGetItem", array_get_item, 2, 2, 0)       \
    X(ARRAY_LENGTH, "States.ArrayLength", array_length, 1, 1, 0)            \
    X(ARRAY_UNIQUE, "States.ArrayUnique", array_unique, 1, 1, 0)            \
    X(BASE64_ENCODE, "States.Base64Encode", base64_encode, 1, 1, 1)         \
    X(BASE64_DECODE, "States.Base64Decode", base64_decode, 1, 1, 1)         \
    X(HASH, "States.Hash", hash, 2, 2, 1)                                   \
    X(JSON_MERGE, "States.JsonMerge", json_merge, 3, 3, 0)                  \
    X(MATH_RANDOM, "States.MathRandom", math_random, 2, 3, 0)               \
    X(MATH_ADD, "States.MathAdd", math_add, 2, 2, 0)                        \
    X(STRING_SPLIT, "States.StringSplit", string_split, 2, 2, 0)            \
    X(UUID, "States.UUID", uuid, 0, 0, 0)

/* ------------------------------------------------------- the enums */

/* The counts are separate enums, so a switch over every type stays
 * complete without a case for them. */
#define ASL_VOCAB_ENUM_(E, ...) ASL_##E,
#define ASL_VOCAB_ONE_(...) +1
enum asl_state_type { ASL_STATE_TYPES(ASL_VOCAB_ENUM_) };
enum { ASL_STATE_TYPE_COUNT = 0 ASL_STATE_TYPES(ASL_VOCAB_ONE_) };
#undef ASL_VOCAB_ENUM_

#define ASL_VOCAB_CMP_(E) ASL_CMP_##E,
enum asl_cmp_op { ASL_CMP_OPS(ASL_VOCAB_CMP_) };
enum { ASL_CMP_COUNT = 0 ASL_CMP_OPS(ASL_VOCAB_ONE_) };
#undef ASL_VOCAB_CMP_
#undef ASL_VOCAB_ONE_

#define ASL_VOCAB_INTR_(E, ...) ASL_INTR_##E,
enum asl_intr_fn { ASL_INTRINSICS(ASL_VOCAB_INTR_) ASL_INTR_COUNT_ };
#undef ASL_VOCAB_INTR_

#endif /* ASLRT_VOCAB_H */
