/*
 * aslrt.h - the aslc runtime: the one header that generated code includes.
 *
 * A compiled state machine is a set of static tables (paths, templates,
 * Choice rule trees, state descriptors) and no code of its own: each state
 * points straight at its type's runner (asl_pass_run, ...).  Everything
 * those tables mean lives in libaslrt.a; this header is the contract
 * between the emitter (compiler/emit*.c) and the runtime.
 *
 * Zero means absent: a field the definition leaves out is left out of the
 * table, so every field's zero value is "not given" (AWS's default then
 * applies, as each field's comment says).  Literal 0 is no literal: the
 * literal table starts at index 1.
 *
 * Ownership: a function returning json_t * returns a new reference unless
 * its comment says "borrowed".  Functions whose name ends in _new steal
 * the reference they are given.  Shared values are never mutated.
 */
#ifndef ASLRT_H
#define ASLRT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "aslrt_expr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ASL_VERSION "0.1.0"

/* AWS's payload quota: bytes of compact UTF-8 JSON. */
#define ASL_PAYLOAD_MAX 262144

/* ------------------------------------------------------------------ errors */

/* An ASL error: name (States.Runtime, a Fail state's Error, ...) and cause.
 * Either may be NULL: AWS distinguishes a missing cause from an empty one. */
struct asl_err {
    char *name;
    char *cause;
    unsigned char json_null;    /* NULL name/cause are JSON null (a mock's Throw), not absent */
    unsigned char heartbeat;    /* a States.Timeout from a missed heartbeat */
};

/* Set the error (replacing any previous one); returns -1 so callers can
 * `return asl_err_set(...)`. */
int asl_err_set(struct asl_err *err, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same with a literal cause (no formatting); either may be NULL. */
int asl_err_set_str(struct asl_err *err, const char *name, const char *cause);
void asl_err_clear(struct asl_err *err);
void asl_err_move(struct asl_err *dst, struct asl_err *src);

/* Well-known error names: ASL_E_RUNTIME, ... (aslrt_vocab.h). */

/* ------------------------------------------------------------- templates */

/* A payload template (Parameters, ResultSelector, ItemSelector, Assign,
 * Pass Result) compiled to a tree.  Literal subtrees are kept whole as
 * one LIT node; the runtime materialises them once at start-up. */
struct asl_jn_node;
struct asl_jn_env;

enum asl_tpl_kind {
    ASL_TPL_LIT,    /* lit: index into the program's literal table */
    ASL_TPL_EXPR,   /* expr: a "key.$" value (path, context path, variable, intrinsic) */
    ASL_TPL_JSONATA,/* jn: a "{% ... %}" string of a JSONata state */
    ASL_TPL_OBJECT, /* n members: keys[i] -> kids[i] */
    ASL_TPL_ARRAY,  /* n items: kids[i] */
};

struct asl_tpl {
    enum asl_tpl_kind kind;
    int lit;
    const struct asl_expr *expr;
    const char *field;          /* EXPR: the key as written, "value.$", for error causes;
                                 * JSONATA: the location, "Output/result" */
    const struct asl_jn_node *jn;   /* JSONATA: the compiled expression */
    const char *jn_text;            /* JSONATA: its text without {% %}, for causes */
    size_t n;
    const char *const *keys;    /* OBJECT: keys with ".$" already stripped */
    const struct asl_tpl *kids;
};

/* ------------------------------------------------------------ Choice rules */

/* enum asl_cmp_op: ASL_CMP_STR_EQ, ... (aslrt_vocab.h, ASL_CMP_OPS). */

/* A JSONPath Choice rule as a tree.  A leaf (ASL_COND_CMP, zero: the
 * common case needs no .kind) is one data-test expression: Variable +
 * operator + operand, the operand a literal (lit) or, for the ...Path
 * operators, a path.  And, Or and Not combine their n kids (Not: one). */
enum asl_cond_kind { ASL_COND_CMP, ASL_COND_AND, ASL_COND_OR, ASL_COND_NOT };

struct asl_cond {
    enum asl_cond_kind kind;
    /* CMP */
    enum asl_cmp_op op;
    const struct asl_path *var;
    int lit;                    /* literal operand (an index into the literal table) */
    const struct asl_path *path;/* ...Path operand, or NULL */
    /* AND, OR, NOT */
    size_t n;
    const struct asl_cond *kids;
};

/* ------------------------------------------------------------- intrinsics */

/* One function per States.* intrinsic (runtime/intrinsics*.c).  Generated
 * code points asl_expr.impl at the ones a definition uses, so only those
 * (and the libraries they need) are linked. */
int asl_intr_format(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_string_to_json(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_json_to_string(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_array(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_array_partition(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_array_contains(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_array_range(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_array_get_item(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_array_length(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_array_unique(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_base64_encode(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_base64_decode(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_hash(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_json_merge(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_math_random(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_math_add(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_string_split(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);
int asl_intr_uuid(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err);

/* ----------------------------------------------------------- cancellation */

/* A cancellation token: set when the execution times out, is aborted, or a
 * sibling Parallel branch / Map iteration fails.  Tokens form a tree: a
 * child is cancelled when any ancestor is.  Anything that blocks (Wait,
 * Retry back-off, a task program, an HTTP call) polls or sleeps on it. */
struct asl_cancel;

/* A root token for one execution.  wait_scale multiplies every sleep
 * (Wait states, Retry intervals); timeout_s > 0 arms the execution deadline
 * (the machine's TimeoutSeconds), after which the token reads as cancelled
 * with States.Timeout. */
struct asl_cancel *asl_cancel_root_new(double wait_scale, double timeout_s);
/* A child token: cancelled with its parent, or on its own. */
struct asl_cancel *asl_cancel_child_new(struct asl_cancel *parent);
void asl_cancel_free(struct asl_cancel *t);
/* Cancel t and its descendants with a reason (copied); the first reason wins. */
void asl_cancel_set(struct asl_cancel *t, const char *name, const char *cause);
/* The scale applied to sleeps. */
double asl_cancel_wait_scale(const struct asl_cancel *t);
/* Seconds until the execution deadline (a large number when none). */
double asl_cancel_remaining(const struct asl_cancel *t);

/* 1 when t or any ancestor has been cancelled. */
int asl_cancel_is_set(const struct asl_cancel *t);
/* Sleep up to `seconds` (scaled by --wait-scale); returns 0 after the full
 * sleep, 1 when cancelled first. */
int asl_cancel_sleep(const struct asl_cancel *t, double seconds);
/* The cancellation reason as an error (States.Timeout for the machine's
 * TimeoutSeconds, ...); returns -1. */
int asl_cancel_err(const struct asl_cancel *t, struct asl_err *err);

/* ------------------------------------------------------------- timestamps */

/* Parse an RFC 3339 timestamp as Step Functions accepts it (uppercase T,
 * Z or a numeric offset, optional fraction); 0 on success with the instant
 * in *sec (UTC seconds since the epoch) and *nsec.  The compiler uses it to
 * check literal timestamps. */
int asl_ts_parse(const char *s, long long *sec, long *nsec);
/* The same over `len` bytes (a JSON string's length): a NUL byte inside
 * makes the text no timestamp, never the end of one. */
int asl_ts_parsen(const char *s, size_t len, long long *sec, long *nsec);

/* ---------------------------------------------------------------- logging */

enum asl_log_level { ASL_LOG_ERROR, ASL_LOG_WARN, ASL_LOG_INFO, ASL_LOG_DEBUG };
/* Thread-safe line logger to stderr, gated by --log-level; `tag` names the
 * state (may be NULL). */
void asl_log(enum asl_log_level lvl, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void asl_log_set_level(enum asl_log_level lvl);   /* before any thread starts */
int asl_log_enabled(enum asl_log_level lvl);

/* --------------------------------------------------------------- programs */

struct asl_run;
struct asl_state;

/* What a state function reports. */
enum asl_step {
    ASL_STEP_NEXT = 0,   /* *next is the index of the next state */
    ASL_STEP_END = 1,    /* the machine (or branch) ended; output is *out */
    ASL_STEP_FAIL = -1,  /* run->err holds the error */
};

/* A state function: takes the raw input (borrowed), sets *out (new
 * reference) and *next; returns an enum asl_step. */
typedef int (*asl_state_fn)(struct asl_run *run, const struct asl_state *st, json_t *in,
                            json_t **out, int *next);

/* enum asl_state_type: ASL_PASS, ... (aslrt_vocab.h, ASL_STATE_TYPES). */

/* The fields every state shares.  Paths are NULL when absent; the
 * *_null flags record an explicit JSON null. */
struct asl_io {
    const struct asl_path *input_path;
    const struct asl_path *output_path;
    const struct asl_path *result_path;
    unsigned char input_null, output_null, result_null;
    const struct asl_tpl *parameters;
    const struct asl_tpl *result_selector;
    const struct asl_tpl *assign;
    /* JSONata states */
    unsigned char jsonata;
    const struct asl_tpl *arguments;
    const struct asl_tpl *output;
};

struct asl_state {
    const char *name;
    enum asl_state_type type;
    asl_state_fn fn;            /* the type's runner: asl_pass_run, asl_task_run, ... */
    int next;                   /* index of Next in its machine (unless end) */
    unsigned char end;          /* End: true */
    struct asl_io io;
    const void *spec;           /* type-specific descriptor (struct asl_pass *, ...) */
};

/* A States block: the top level, a Parallel branch, a Map processor. */
struct asl_machine {
    int start;
    size_t nstates;
    const struct asl_state *states;
};

struct asl_pass {
    int result_lit;             /* literal index of Result, or 0 when there is none */
};

struct asl_wait {
    long long seconds;          /* Seconds, when none of the other fields is set */
    const char *timestamp;      /* literal Timestamp, or NULL */
    const struct asl_path *seconds_path;
    const struct asl_path *timestamp_path;
    const struct asl_tpl *seconds_jn;   /* JSONata Seconds / Timestamp expressions */
    const struct asl_tpl *timestamp_jn;
};

struct asl_fail {
    const char *error;          /* literal Error, or NULL */
    const char *cause;
    const struct asl_expr *error_path;  /* ErrorPath: path or intrinsic */
    const struct asl_expr *cause_path;
    const struct asl_tpl *error_jn;     /* JSONata Error / Cause expressions */
    const struct asl_tpl *cause_jn;
};

struct asl_choice_rule {
    const struct asl_cond *cond;        /* JSONPath rules */
    int next;
    const struct asl_tpl *assign;
    const struct asl_tpl *condition;    /* JSONata rules: Condition (must be boolean) */
    const struct asl_tpl *output;       /* JSONata rules: Output */
};

struct asl_choice {
    size_t nrules;
    const struct asl_choice_rule *rules;
    unsigned char has_default;
    int default_next;           /* the Default state, when has_default */
};

/* --------------------------------------------------- Retry and Catch */

struct asl_retrier {
    size_t nerrors;
    const char *const *errors;  /* ErrorEquals */
    double interval;            /* IntervalSeconds; 0 when absent: 1 */
    unsigned char has_max_attempts;
    long long max_attempts;     /* MaxAttempts when has_max_attempts, else 3 */
    double backoff;             /* BackoffRate; 0 when absent: 2.0 */
    double max_delay;           /* MaxDelaySeconds; 0 when absent: no cap */
    int jitter_full;            /* JitterStrategy FULL */
};

struct asl_catcher {
    size_t nerrors;
    const char *const *errors;
    int next;
    const struct asl_path *result_path;
    unsigned char result_null;
    const struct asl_tpl *assign;
    const struct asl_tpl *output;       /* JSONata catchers */
};

/* Retry and Catch of a Task, Parallel or Map state. */
struct asl_recovery {
    size_t nretry;
    const struct asl_retrier *retry;
    size_t ncatch;
    const struct asl_catcher *catchers;
};

/* ------------------------------------------------------------------ tasks */

struct asl_task;
/* A built-in invoker: runs one attempt with the effective parameters
 * (borrowed); *result new reference, or -1 with run's error set. */
typedef int (*asl_invoke_fn)(struct asl_run *run, const struct asl_task *t, json_t *params,
                             json_t **result);

enum asl_task_kind {
    ASL_TASK_SERVICE,           /* arn:aws:states:::service:action[.pattern] */
    ASL_TASK_LAMBDA,            /* a Lambda function ARN */
    ASL_TASK_ACTIVITY,          /* an activity ARN */
    ASL_TASK_PROGRAM,           /* aslc:exec: a local program */
    ASL_TASK_OTHER,
};

struct asl_task {
    const char *resource;
    enum asl_task_kind kind;
    const char *resource_type;  /* history: "lambda", "sqs", ... */
    const char *resource_name;  /* history: "invoke", "sendMessage.waitForTaskToken" */
    int wait_for_token;         /* .waitForTaskToken: $$.Task.Token exists */
    const char *const *argv;    /* ASL_TASK_PROGRAM, or a --bind given to aslc build */
    asl_invoke_fn invoke;       /* built-in invoker, NULL when none */
    long long timeout;          /* TimeoutSeconds; 0 when absent */
    const struct asl_path *timeout_path;
    long long heartbeat;        /* HeartbeatSeconds; 0 when absent */
    const struct asl_path *heartbeat_path;
    const struct asl_tpl *timeout_jn;   /* JSONata TimeoutSeconds / HeartbeatSeconds */
    const struct asl_tpl *heartbeat_jn;
    const struct asl_tpl *credentials;
    struct asl_recovery rec;
    const char *aws_model;      /* asl_invoke_aws: the pruned AWS service model (JSON text) */
};

int asl_task_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);
/* Built-in invokers generated code may point at. */
int asl_invoke_program(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result);
int asl_invoke_lambda(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result);
int asl_invoke_lambda_api(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result);
int asl_invoke_http(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result);
/* AWS API calls (aws-sdk:*, optimized integrations) from t->aws_model (runtime/aws/). */
int asl_invoke_aws(struct asl_run *run, const struct asl_task *t, json_t *params, json_t **result);

/* --------------------------------------------------------- Parallel, Map */

struct asl_parallel {
    size_t nbranches;
    const struct asl_machine *const *branches;
    struct asl_recovery rec;
};

struct asl_map {
    const struct asl_machine *processor;
    const struct asl_path *items_path;
    const struct asl_tpl *item_selector;    /* ItemSelector, or the legacy Parameters */
    long long max_concurrency;              /* 0: no limit */
    const struct asl_path *max_concurrency_path;
    unsigned char has_tolerated_count, has_tolerated_percent;
    long long tolerated_count;              /* when has_tolerated_count */
    const struct asl_path *tolerated_count_path;
    double tolerated_percent;               /* when has_tolerated_percent */
    const struct asl_path *tolerated_percent_path;
    /* JSONata Maps: Items, and the numeric fields written as expressions
     * (item_selector is then a JSONata template). */
    unsigned char jsonata;
    const struct asl_tpl *items_jn;
    const struct asl_tpl *max_concurrency_jn;
    const struct asl_tpl *tolerated_count_jn;
    const struct asl_tpl *tolerated_percent_jn;
    int distributed;                        /* ProcessorConfig.Mode DISTRIBUTED */
    const char *label;
    unsigned char batched;                  /* the state has an ItemBatcher */
    long long batch_max_items;              /* ItemBatcher.MaxItemsPerBatch; 0: none */
    const struct asl_tpl *batch_input;      /* ItemBatcher.BatchInput (a JSONata template in JSONata) */
    struct asl_recovery rec;
    /* Distributed mode: where items come from, how they are batched, where
     * results go (runtime/map/map_reader.c, map_writer.c). */
    const struct asl_item_reader *reader;   /* ItemReader, or NULL: items from the input */
    const struct asl_path *batch_max_items_path;  /* ItemBatcher.MaxItemsPerBatchPath */
    long long batch_max_bytes;              /* ItemBatcher.MaxInputBytesPerBatch; 0: none */
    const struct asl_path *batch_max_bytes_path;
    const struct asl_tpl *batch_max_items_jn;  /* JSONata {% %} MaxItemsPerBatch */
    const struct asl_tpl *batch_max_bytes_jn;  /* JSONata {% %} MaxInputBytesPerBatch */
    const struct asl_result_writer *writer; /* ResultWriter, or NULL */
};

/* ItemReader.ReaderConfig.InputType; NONE with listObjectsV2 lists objects. */
enum asl_reader_input { ASL_READ_NONE, ASL_READ_JSON, ASL_READ_JSONL, ASL_READ_CSV, ASL_READ_MANIFEST };
/* ItemReader.Resource */
enum asl_reader_source { ASL_SRC_GET_OBJECT, ASL_SRC_LIST_OBJECTS };
/* ReaderConfig.ManifestType: the object read is a list of data files. */
enum asl_reader_manifest { ASL_MANIFEST_NONE, ASL_MANIFEST_ATHENA_DATA, ASL_MANIFEST_S3_INVENTORY };

struct asl_item_reader {
    enum asl_reader_source source;
    const struct asl_tpl *parameters;       /* {Bucket, Key} or {Bucket, Prefix}; may hold paths */
    enum asl_reader_input input_type;
    int csv_headers_given;                  /* CSVHeaderLocation GIVEN */
    size_t ncsv_headers;
    const char *const *csv_headers;
    char csv_delimiter;                     /* ',' '|' ';' '\t' ' ' */
    long long max_items;                    /* ReaderConfig.MaxItems, 0: no limit */
    const struct asl_path *max_items_path;
    const struct asl_tpl *max_items_jn;     /* MaxItems as a {% %} expression (JSONata) */
    const char *items_pointer;              /* ReaderConfig.ItemsPointer (RFC 6901), or NULL */
    enum asl_reader_manifest manifest;      /* ReaderConfig.ManifestType (InputType MANIFEST: S3_INVENTORY) */
    int load_and_flatten;                   /* Transformation LOAD_AND_FLATTEN: read every listed object */
    /* asl_map_decode: an object named *.gz or *.zstd read decompressed */
    FILE *(*decode)(FILE *f, const char *key, struct asl_err *err);
};

/* runtime/map/map_codec.c: f (steals) as its decompressed bytes when key
 * ends in .gz (GZIP) or .zstd (ZSTD), else f itself; NULL with err set. */
FILE *asl_map_decode(FILE *f, const char *key, struct asl_err *err);

/* ResultWriter.WriterConfig.Transformation */
enum asl_writer_transform { ASL_WT_DEFAULT, ASL_WT_NONE, ASL_WT_COMPACT, ASL_WT_FLATTEN };

struct asl_result_writer {
    const struct asl_tpl *parameters;       /* {Bucket, Prefix}, or NULL: WriterConfig only */
    int output_jsonl;                       /* WriterConfig.OutputType JSONL */
    enum asl_writer_transform transform;
};

int asl_parallel_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);
int asl_map_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);

/* runtime/aws/s3_store.c: a distributed Map's buckets on real S3, for the
 * buckets no --bucket or ASLC_BUCKET_<NAME> binds to a folder.  Set only
 * by programs with an ItemReader or a ResultWriter, so that others do not
 * link libcurl.  The calls are those of runtime/map/map_store.h (a
 * listing gives object summaries, not keys). */
struct asl_exec;
struct asl_s3_client {
    const char *model;          /* the pruned S3 model: ListObjectsV2, GetObject, PutObject */
    FILE *(*get)(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                 struct asl_err *err);
    json_t *(*list)(const struct asl_exec *ex, const char *bucket, const char *prefix, const char *ename,
                    struct asl_err *err);
    FILE *(*put)(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                 struct asl_err *err);
    /* why this thread's last put stream failed to close (S3's error), or NULL */
    const char *(*put_error)(void);
};
/* The three, for the generated client table. */
FILE *asl_s3_get(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                 struct asl_err *err);
json_t *asl_s3_list(const struct asl_exec *ex, const char *bucket, const char *prefix, const char *ename,
                    struct asl_err *err);
FILE *asl_s3_put(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                 struct asl_err *err);
const char *asl_s3_put_error(void);

/* The whole compiled program. */
struct asl_program {
    const char *source;         /* definition file name, for --version */
    const char *definition;     /* the definition, embedded verbatim */
    const struct asl_machine *machine;
    size_t nlits;
    const char *const *lit_json;/* literal JSON texts, parsed once at start; [0] is NULL */
    json_t **lits;              /* where the parsed literals live */
    long long timeout_seconds;  /* machine TimeoutSeconds; 0 when absent */
    /* The JSONata evaluator (asl_jn_eval), set only by programs that use
     * JSONata so that others do not link it (nor PCRE2). */
    int (*jsonata_eval)(const struct asl_jn_node *root, const struct asl_jn_env *env,
                        json_t **out, struct asl_err *err);
    const struct asl_s3_client *s3; /* real S3 for unbound buckets, or NULL */
};

/* The binary's entry point: parses the command line, runs one execution,
 * writes the output and maps the status to an exit code. */
int asl_main(const struct asl_program *prog, int argc, char **argv);

/* ----------------------------------------------------- state entry points */

int asl_pass_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);
int asl_wait_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);
int asl_succeed_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);
int asl_fail_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);
int asl_choice_run(struct asl_run *run, const struct asl_state *st, json_t *in, json_t **out, int *next);

/* Evaluate a JSONPath Choice rule: 1 true, 0 false, -1 error in run->err.
 * `in` is the state's effective input (borrowed).  And stops at the first
 * kid that is not true, Or at the first that is not false. */
int asl_choice_eval(struct asl_run *run, const struct asl_cond *c, json_t *in);

#ifdef __cplusplus
}
#endif

#endif /* ASLRT_H */
