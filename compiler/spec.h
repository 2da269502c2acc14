/*
 * spec.h - the typed model: what checking hands to emitting.
 *
 * asl_check validates the definition and, when it is valid, turns every
 * state into a struct asl_cspec (s->spec): its fields typed, its paths and
 * intrinsic calls as the ASTs the checker parsed, its JSONata expressions
 * as the trees the checker parsed, Next and Catch targets as state
 * indexes, Choice rules as trees.  compiler/emit*.c read only these specs
 * (and the machine layout in model.h); they never look a field up in the
 * JSON and never parse.
 *
 * Everything here lives in the model's arena (m->arena) and is freed with
 * the model; json_t values (literals) are borrowed from the document.
 * Zero is "absent" throughout: a NULL pointer, a has_ flag of 0.
 */
#ifndef ASLC_SPEC_H
#define ASLC_SPEC_H

#include "expr.h"
#include "model.h"
#include "vocab.h"

struct asl_jn_ast;

/* ---------------------------------------------------------- templates */

/* A payload template (Parameters, Assign, Arguments, Output, ...).  LIT is
 * a value with nothing to evaluate in it (also a whole object or array
 * without any); OBJECT and ARRAY have n kids; EXPR is a "key.$" value
 * (JSONPath states); JSONATA a "{% %}" string (JSONata states). */
enum asl_ctpl_kind { ASL_CTPL_LIT, ASL_CTPL_OBJECT, ASL_CTPL_ARRAY, ASL_CTPL_EXPR, ASL_CTPL_JSONATA };

struct asl_ctpl {
    enum asl_ctpl_kind kind;
    json_t *lit;                        /* LIT (borrowed) */
    const struct asl_expr *expr;        /* EXPR */
    const char *field;                  /* EXPR: the key as written, "value.$";
                                         * JSONATA: the location, "Output/result" */
    const struct asl_jn_ast *jn;        /* JSONATA: the parsed expression */
    const char *jn_inner;               /* JSONATA: the text between {% and %} ... */
    size_t jn_inner_len;
    const char *jn_text;                /* ... and trimmed of blanks, as AWS quotes it in causes */
    size_t jn_text_len;
    size_t n;
    const char *const *keys;            /* OBJECT: the keys, ".$" stripped */
    const struct asl_ctpl *kids;
};

/* -------------------------------------------------------- input/output */

struct asl_cio {
    const struct asl_path *input_path, *output_path, *result_path;
    int input_null, output_null, result_null;   /* the field is an explicit null */
    const struct asl_ctpl *parameters;  /* not a Map's: that is its item selector */
    const struct asl_ctpl *result_selector;
    const struct asl_ctpl *assign;
    const struct asl_ctpl *arguments, *output;  /* JSONata states */
};

/* ------------------------------------------------------ Retry, Catch */

struct asl_cretrier {
    size_t nerrors;
    const char *const *errors;          /* ErrorEquals (borrowed) */
    int has_interval, has_max_attempts, has_backoff, has_max_delay;
    double interval;                    /* IntervalSeconds */
    long long max_attempts;
    double backoff;                     /* BackoffRate */
    double max_delay;                   /* MaxDelaySeconds */
    int jitter_full;                    /* JitterStrategy FULL */
};

struct asl_ccatcher {
    size_t nerrors;
    const char *const *errors;
    int next;                           /* local index of Next */
    const struct asl_path *result_path;
    int result_null;
    const struct asl_ctpl *assign;
    const struct asl_ctpl *output;      /* JSONata catchers */
};

struct asl_crecovery {
    size_t nretry;
    const struct asl_cretrier *retry;
    size_t ncatch;
    const struct asl_ccatcher *catchers;
};

/* ------------------------------------------------------------- types */

struct asl_cpass {
    json_t *result;                     /* Result (borrowed), or NULL */
};

struct asl_cwait {
    int has_seconds;
    long long seconds;
    const char *timestamp;              /* a literal Timestamp */
    const struct asl_path *seconds_path, *timestamp_path;
    const struct asl_ctpl *seconds_jn, *timestamp_jn;
};

struct asl_cfail {
    const char *error, *cause;          /* literals */
    const struct asl_expr *error_path, *cause_path;
    const struct asl_ctpl *error_jn, *cause_jn;
};

/* A JSONPath Choice rule: a comparison (CMP) or And/Or/Not over kids. */
struct asl_ccond {
    enum asl_cond_kind kind;
    const struct asl_choice_op *op;     /* CMP */
    const struct asl_path *var;         /* CMP: Variable */
    const struct asl_path *path;        /* CMP: a ...Path operator's operand */
    json_t *lit;                        /* CMP: a literal operand (borrowed) */
    size_t n;
    const struct asl_ccond *kids;
};

struct asl_crule {
    int next;
    const struct asl_ccond *cond;       /* JSONPath rules */
    const struct asl_ctpl *assign;
    const struct asl_ctpl *condition, *output;  /* JSONata rules */
};

struct asl_cchoice {
    size_t nrules;
    const struct asl_crule *rules;
    int has_default;
    int default_next;
};

struct asl_ctask {
    const char *resource;
    int has_timeout, has_heartbeat;
    long long timeout, heartbeat;
    const struct asl_path *timeout_path, *heartbeat_path;
    const struct asl_ctpl *timeout_jn, *heartbeat_jn;
    const struct asl_ctpl *credentials;
};

struct asl_creader {
    int list_objects;                   /* Resource s3:listObjectsV2 */
    const struct asl_ctpl *parameters;  /* Parameters, or a JSONata state's Arguments */
    enum asl_reader_input input_type;   /* ASL_READ_NONE when absent */
    int csv_headers_given;
    size_t ncsv_headers;
    const char *const *csv_headers;
    char csv_delimiter;
    int has_max_items;
    long long max_items;
    const struct asl_path *max_items_path;
    const struct asl_ctpl *max_items_jn;        /* JSONata MaxItems expression */
    enum asl_reader_manifest manifest;  /* ManifestType (or InputType MANIFEST: S3 inventory) */
    int load_and_flatten;               /* Transformation LOAD_AND_FLATTEN */
    const char *items_pointer;          /* ItemsPointer */
};

struct asl_cwriter {
    const struct asl_ctpl *parameters;  /* only with a Resource */
    int output_jsonl;
    enum asl_writer_transform transform;        /* ASL_WT_DEFAULT when absent */
};

struct asl_cmap {
    const struct asl_path *items_path;
    const struct asl_ctpl *item_selector;       /* ItemSelector or the legacy Parameters */
    int has_max_concurrency, has_tolerated_count, has_tolerated_percent;
    long long max_concurrency, tolerated_count;
    double tolerated_percent;
    const struct asl_path *max_concurrency_path, *tolerated_count_path, *tolerated_percent_path;
    const struct asl_ctpl *items_jn, *max_concurrency_jn, *tolerated_count_jn, *tolerated_percent_jn;
    int distributed;                    /* ProcessorConfig.Mode DISTRIBUTED */
    const char *label;
    int batched;                        /* an ItemBatcher */
    int has_batch_max_items, has_batch_max_bytes;
    long long batch_max_items, batch_max_bytes;
    const struct asl_path *batch_max_items_path, *batch_max_bytes_path;
    const struct asl_ctpl *batch_input;         /* a JSONata template in a JSONata Map */
    const struct asl_ctpl *batch_max_items_jn, *batch_max_bytes_jn;   /* JSONata {% %} numbers */
    const struct asl_creader *reader;
    const struct asl_cwriter *writer;
};

/* One state.  Which member of the union holds is s->type's; Succeed and
 * Parallel have none (a Parallel's branches are s->children). */
struct asl_cspec {
    int next;                           /* local index of Next, -1 when none */
    int end;
    struct asl_cio io;
    struct asl_crecovery rec;           /* Task, Parallel, Map */
    union {
        struct asl_cpass pass;
        struct asl_cwait wait;
        struct asl_cfail fail;
        struct asl_cchoice choice;
        struct asl_ctask task;
        struct asl_cmap map;
    } u;
};

/* ------------------------------------------------------------ building */

/* What the checker parsed, kept by the JSON string it parsed: a path or
 * intrinsic call (in the arena) and a JSONata tree (owned by the model). */
void asl_spec_keep_expr(struct asl_model *m, json_t *text, const struct asl_expr *e);
void asl_spec_keep_jn(struct asl_model *m, json_t *text, struct asl_jn_ast *ast);
/* The expression kept for text, or NULL. */
const struct asl_expr *asl_spec_expr(const struct asl_model *m, json_t *text);

/* Build every state's spec and m->timeout_seconds from a definition that
 * checked clean (asl_check calls it). */
void asl_spec_build(struct asl_model *m);

#endif
