/*
 * spec.c - the checked definition as typed specs (spec.h).
 *
 * Runs after the checks found nothing wrong, so every field has the type
 * the checks required; every path, intrinsic call and JSONata expression
 * comes from what the checker parsed (asl_spec_keep_*), never parsed
 * again.  An expression the checker did not keep is an aslc bug: the
 * field was never checked.
 */
#define _GNU_SOURCE     /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_ast.h"
#include "spec.h"

struct sb {
    struct asl_model *m;
    struct asl_cstate *s;
};

static void *alloc(struct sb *b, size_t n, size_t size)
{
    return asl_arena_alloc(&b->m->arena, (n ? n : 1) * size);
}

static const char *str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

/* ------------------------------------------------------ kept parses */

void asl_spec_keep_expr(struct asl_model *m, json_t *text, const struct asl_expr *e)
{
    asl_ptrmap_put(&m->exprs, text, (void *)e);
}

void asl_spec_keep_jn(struct asl_model *m, json_t *text, struct asl_jn_ast *ast)
{
    struct asl_jn_ast *old = asl_ptrmap_get(&m->jns, text);
    if (old)
        asl_jn_free(old);
    asl_ptrmap_put(&m->jns, text, ast);
}

const struct asl_expr *asl_spec_expr(const struct asl_model *m, json_t *text)
{
    return asl_ptrmap_get(&m->exprs, text);
}

static const struct asl_expr *need_expr(struct sb *b, json_t *v)
{
    const struct asl_expr *e = asl_spec_expr(b->m, v);
    if (!e) {
        fprintf(stderr, "aslc: internal error: %s: '%s' was not checked\n", b->s->pointer,
                json_string_value(v));
        abort();
    }
    return e;
}

/* A path field: its path, or NULL; *is_null when it is an explicit null. */
static const struct asl_path *path_field(struct sb *b, json_t *node, const char *key, int *is_null)
{
    json_t *v = json_object_get(node, key);
    if (is_null)
        *is_null = json_is_null(v);
    return json_is_string(v) ? need_expr(b, v)->path : NULL;
}

static const struct asl_expr *expr_field(struct sb *b, json_t *node, const char *key)
{
    json_t *v = json_object_get(node, key);
    return json_is_string(v) ? need_expr(b, v) : NULL;
}

/* A number field: *has when it is a number. */
static long long int_field(json_t *node, const char *key, int *has)
{
    json_t *v = json_object_get(node, key);
    *has = json_is_number(v);
    return *has ? (long long)json_number_value(v) : 0;
}

static double real_field(json_t *node, const char *key, int *has)
{
    json_t *v = json_object_get(node, key);
    *has = json_is_number(v);
    return *has ? json_number_value(v) : 0;
}

/* ---------------------------------------------------------- templates */

static int tree_any(json_t *v, const char *key, int (*pred)(const char *key, json_t *v))
{
    if (pred(key, v))
        return 1;
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, x)
            if (tree_any(x, k, pred))
                return 1;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            if (tree_any(x, NULL, pred))
                return 1;
    }
    return 0;
}

static int is_dollar_key(const char *key, json_t *v)
{
    (void)v;
    size_t kl = key ? strlen(key) : 0;
    return kl >= 2 && strcmp(key + kl - 2, ".$") == 0;
}

static int is_jsonata_string(const char *key, json_t *v)
{
    (void)key;
    return json_is_string(v) && asl_is_jsonata_text(json_string_value(v), NULL, NULL);
}

/* Kids of an object or array template, filled by fill(b, kid, key, value, i, ctx). */
static void container(struct sb *b, struct asl_ctpl *t, json_t *v, const void *ctx,
                      void (*fill)(struct sb *, struct asl_ctpl *, const char **, const char *, json_t *,
                                   size_t, const void *))
{
    t->kind = json_is_object(v) ? ASL_CTPL_OBJECT : ASL_CTPL_ARRAY;
    t->n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
    struct asl_ctpl *kids = alloc(b, t->n, sizeof *kids);
    const char **keys = json_is_object(v) ? alloc(b, t->n, sizeof *keys) : NULL;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        size_t i = 0;
        json_object_foreach(v, k, x) {
            fill(b, &kids[i], &keys[i], k, x, i, ctx);
            i++;
        }
    } else {
        for (size_t i = 0; i < t->n; i++)
            fill(b, &kids[i], NULL, NULL, json_array_get(v, i), i, ctx);
    }
    t->kids = kids;
    t->keys = keys;
}

static void tpl_fill(struct sb *b, struct asl_ctpl *t, json_t *v);

static void tpl_kid(struct sb *b, struct asl_ctpl *t, const char **key_out, const char *k, json_t *x,
                    size_t i, const void *ctx)
{
    (void)i;
    (void)ctx;
    if (k && is_dollar_key(k, NULL)) {
        *key_out = asl_arena_strndup(&b->m->arena, k, strlen(k) - 2);
        t->kind = ASL_CTPL_EXPR;
        t->expr = need_expr(b, x);
        t->field = k;
        return;
    }
    if (key_out)
        *key_out = k;
    tpl_fill(b, t, x);
}

static void tpl_fill(struct sb *b, struct asl_ctpl *t, json_t *v)
{
    if (!tree_any(v, NULL, is_dollar_key)) {
        t->kind = ASL_CTPL_LIT;
        t->lit = v;
        return;
    }
    container(b, t, v, NULL, tpl_kid);
}

/* A JSONPath template ("key.$" members), or NULL when v is. */
static const struct asl_ctpl *tpl(struct sb *b, json_t *v)
{
    if (!v)
        return NULL;
    struct asl_ctpl *t = alloc(b, 1, sizeof *t);
    tpl_fill(b, t, v);
    return t;
}

static void jtpl_fill(struct sb *b, struct asl_ctpl *t, json_t *v, const char *location);

static void jtpl_kid(struct sb *b, struct asl_ctpl *t, const char **key_out, const char *k, json_t *x,
                     size_t i, const void *ctx)
{
    char *loc = NULL;
    if ((k ? asprintf(&loc, "%s/%s", (const char *)ctx, k) : asprintf(&loc, "%s/%zu", (const char *)ctx, i)) < 0)
        abort();
    if (key_out)
        *key_out = k;
    jtpl_fill(b, t, x, loc);
    free(loc);
}

static void jtpl_fill(struct sb *b, struct asl_ctpl *t, json_t *v, const char *location)
{
    if (!tree_any(v, NULL, is_jsonata_string)) {
        t->kind = ASL_CTPL_LIT;
        t->lit = v;
        return;
    }
    if (!json_is_string(v)) {
        container(b, t, v, location, jtpl_kid);
        return;
    }
    const char *text = json_string_value(v);
    size_t off = 0, len = 0;
    asl_is_jsonata_text(text, &off, &len);
    t->kind = ASL_CTPL_JSONATA;
    t->jn = asl_ptrmap_get(&b->m->jns, v);
    if (!t->jn) {
        fprintf(stderr, "aslc: internal error: %s: JSONata '%s' was not checked\n", b->s->pointer, text);
        abort();
    }
    t->field = asl_arena_strndup(&b->m->arena, location, strlen(location));
    t->jn_inner = text + off;
    t->jn_inner_len = len;
    size_t lo = off, hi = off + len;
    while (lo < hi && strchr(" \t\r\n", text[lo]))
        lo++;
    while (hi > lo && strchr(" \t\r\n", text[hi - 1]))
        hi--;
    t->jn_text = text + lo;
    t->jn_text_len = hi - lo;
}

/* A JSONata template at location ("Output", "ItemReader/Arguments"), or NULL when v is. */
static const struct asl_ctpl *jtpl(struct sb *b, json_t *v, const char *location)
{
    if (!v)
        return NULL;
    struct asl_ctpl *t = alloc(b, 1, sizeof *t);
    jtpl_fill(b, t, v, location);
    return t;
}

/* The field's "{% %}" expression as a template, or NULL when it is absent or a literal. */
static const struct asl_ctpl *jtpl_expr_only(struct sb *b, json_t *node, const char *key)
{
    json_t *v = json_object_get(node, key);
    return is_jsonata_string(NULL, v) ? jtpl(b, v, key) : NULL;
}

/* Assign, Output, ...: a JSONata template in a JSONata state, else JSONPath. */
static const struct asl_ctpl *either(struct sb *b, json_t *node, const char *key)
{
    json_t *v = json_object_get(node, key);
    return b->s->jsonata ? jtpl(b, v, key) : tpl(b, v);
}

/* ------------------------------------------------------ Retry, Catch */

static const char *const *names(struct sb *b, json_t *arr, size_t *n)
{
    *n = json_array_size(arr);
    const char **out = alloc(b, *n, sizeof *out);
    for (size_t i = 0; i < *n; i++)
        out[i] = json_string_value(json_array_get(arr, i));
    return out;
}

static void retrier(struct sb *b, struct asl_cretrier *r, json_t *node)
{
    r->errors = names(b, json_object_get(node, "ErrorEquals"), &r->nerrors);
    r->interval = real_field(node, "IntervalSeconds", &r->has_interval);
    r->max_attempts = int_field(node, "MaxAttempts", &r->has_max_attempts);
    r->backoff = real_field(node, "BackoffRate", &r->has_backoff);
    r->max_delay = real_field(node, "MaxDelaySeconds", &r->has_max_delay);
    r->jitter_full = is(str(node, "JitterStrategy"), "FULL");
}

static void catcher(struct sb *b, struct asl_ccatcher *c, json_t *node)
{
    c->errors = names(b, json_object_get(node, "ErrorEquals"), &c->nerrors);
    c->next = asl_machine_find(b->s->machine, str(node, "Next"));
    c->result_path = path_field(b, node, "ResultPath", &c->result_null);
    c->assign = either(b, node, "Assign");
    c->output = b->s->jsonata ? jtpl(b, json_object_get(node, "Output"), "Output") : NULL;
}

static void recovery(struct sb *b, struct asl_crecovery *rec, json_t *node)
{
    json_t *retry = json_object_get(node, "Retry"), *catch = json_object_get(node, "Catch");
    rec->nretry = json_array_size(retry);
    struct asl_cretrier *rs = alloc(b, rec->nretry, sizeof *rs);
    for (size_t i = 0; i < rec->nretry; i++)
        retrier(b, &rs[i], json_array_get(retry, i));
    rec->retry = rs;
    rec->ncatch = json_array_size(catch);
    struct asl_ccatcher *cs = alloc(b, rec->ncatch, sizeof *cs);
    for (size_t i = 0; i < rec->ncatch; i++)
        catcher(b, &cs[i], json_array_get(catch, i));
    rec->catchers = cs;
}

/* ------------------------------------------------------------- Choice */

/* One JSONPath rule as a tree: a comparison, or And/Or/Not. */
static void cond(struct sb *b, struct asl_ccond *c, json_t *rule)
{
    const char *key;
    json_t *v;
    json_object_foreach(rule, key, v) {
        const struct asl_choice_op *op = asl_choice_op_lookup(key);
        if (!op)
            continue;
        c->kind = ASL_COND_CMP;
        c->op = op;
        c->var = need_expr(b, json_object_get(rule, "Variable"))->path;
        if (op->operand == ASL_OPND_PATH)
            c->path = need_expr(b, v)->path;
        else
            c->lit = v;
        return;
    }
    json_t *not = json_object_get(rule, "Not");
    const char *which = json_object_get(rule, "And") ? "And" : json_object_get(rule, "Or") ? "Or" : "Not";
    c->kind = not ? ASL_COND_NOT : strcmp(which, "And") == 0 ? ASL_COND_AND : ASL_COND_OR;
    c->n = not ? 1 : json_array_size(json_object_get(rule, which));
    struct asl_ccond *kids = alloc(b, c->n, sizeof *kids);
    for (size_t i = 0; i < c->n; i++)
        cond(b, &kids[i], not ? not : json_array_get(json_object_get(rule, which), i));
    c->kids = kids;
}

static void choice(struct sb *b, struct asl_cchoice *ch, json_t *node)
{
    json_t *choices = json_object_get(node, "Choices");
    ch->nrules = json_array_size(choices);
    struct asl_crule *rules = alloc(b, ch->nrules, sizeof *rules);
    for (size_t i = 0; i < ch->nrules; i++) {
        json_t *rule = json_array_get(choices, i);
        struct asl_crule *r = &rules[i];
        r->next = asl_machine_find(b->s->machine, str(rule, "Next"));
        r->assign = either(b, rule, "Assign");
        if (b->s->jsonata) {
            r->condition = jtpl(b, json_object_get(rule, "Condition"), "Condition");
            r->output = jtpl(b, json_object_get(rule, "Output"), "Output");
        } else {
            struct asl_ccond *c = alloc(b, 1, sizeof *c);
            cond(b, c, rule);
            r->cond = c;
        }
    }
    ch->rules = rules;
    json_t *def = json_object_get(node, "Default");
    ch->has_default = def != NULL;
    ch->default_next = def ? asl_machine_find(b->s->machine, json_string_value(def)) : -1;
}

/* ---------------------------------------------------------------- Map */

static enum asl_reader_input input_type(const char *t)
{
    return is(t, "JSON") ? ASL_READ_JSON : is(t, "JSONL") ? ASL_READ_JSONL : is(t, "CSV") ? ASL_READ_CSV
         : is(t, "MANIFEST") ? ASL_READ_MANIFEST : ASL_READ_NONE;
}

/* ItemReader -> {Resource, ReaderConfig?: {InputType, CSVHeaderLocation,
 * CSVHeaders, CSVDelimiter, MaxItems | MaxItemsPath, ItemsPointer,
 * ManifestType, Transformation}, Parameters | Arguments} */
static const struct asl_creader *reader(struct sb *b, json_t *r)
{
    if (!r)
        return NULL;
    struct asl_creader *rd = alloc(b, 1, sizeof *rd);
    json_t *cfg = json_object_get(r, "ReaderConfig");
    const char *delim = str(cfg, "CSVDelimiter");
    rd->list_objects = is(str(r, "Resource"), "arn:aws:states:::s3:listObjectsV2");
    rd->parameters = b->s->jsonata ? jtpl(b, json_object_get(r, "Arguments"), "ItemReader/Arguments")
                                   : tpl(b, json_object_get(r, "Parameters"));
    rd->input_type = input_type(str(cfg, "InputType"));
    rd->csv_headers_given = is(str(cfg, "CSVHeaderLocation"), "GIVEN");
    if (rd->csv_headers_given)
        rd->csv_headers = names(b, json_object_get(cfg, "CSVHeaders"), &rd->ncsv_headers);
    rd->csv_delimiter = is(delim, "PIPE") ? '|' : is(delim, "SEMICOLON") ? ';' : is(delim, "TAB") ? '\t'
                      : is(delim, "SPACE") ? ' ' : ',';
    rd->max_items = int_field(cfg, "MaxItems", &rd->has_max_items);
    rd->max_items_path = path_field(b, cfg, "MaxItemsPath", NULL);
    if (b->s->jsonata)
        rd->max_items_jn = jtpl_expr_only(b, cfg, "MaxItems");
    const char *mt = str(cfg, "ManifestType");
    rd->manifest = is(mt, "S3_INVENTORY") || rd->input_type == ASL_READ_MANIFEST ? ASL_MANIFEST_S3_INVENTORY
                 : is(mt, "ATHENA_DATA") ? ASL_MANIFEST_ATHENA_DATA : ASL_MANIFEST_NONE;
    rd->load_and_flatten = is(str(cfg, "Transformation"), "LOAD_AND_FLATTEN");
    rd->items_pointer = str(cfg, "ItemsPointer");
    return rd;
}

/* ResultWriter -> {Resource?, Parameters | Arguments?: {Bucket, Prefix},
 * WriterConfig?: {OutputType, Transformation}} */
static const struct asl_cwriter *writer(struct sb *b, json_t *w)
{
    if (!w)
        return NULL;
    struct asl_cwriter *wr = alloc(b, 1, sizeof *wr);
    json_t *cfg = json_object_get(w, "WriterConfig");
    const char *t = str(cfg, "Transformation");
    json_t *pv = !json_object_get(w, "Resource") ? NULL
               : json_object_get(w, b->s->jsonata ? "Arguments" : "Parameters");
    wr->parameters = b->s->jsonata ? jtpl(b, pv, "ResultWriter/Arguments") : tpl(b, pv);
    wr->output_jsonl = is(str(cfg, "OutputType"), "JSONL");
    wr->transform = is(t, "NONE") ? ASL_WT_NONE : is(t, "COMPACT") ? ASL_WT_COMPACT
                  : is(t, "FLATTEN") ? ASL_WT_FLATTEN : ASL_WT_DEFAULT;
    return wr;
}

static void batcher(struct sb *b, struct asl_cmap *mp, json_t *bt)
{
    if (!bt)
        return;
    mp->batched = 1;
    mp->batch_max_items = int_field(bt, "MaxItemsPerBatch", &mp->has_batch_max_items);
    mp->batch_max_items_path = path_field(b, bt, "MaxItemsPerBatchPath", NULL);
    mp->batch_max_bytes = int_field(bt, "MaxInputBytesPerBatch", &mp->has_batch_max_bytes);
    mp->batch_max_bytes_path = path_field(b, bt, "MaxInputBytesPerBatchPath", NULL);
    json_t *bi = json_object_get(bt, "BatchInput");
    mp->batch_input = b->s->jsonata ? jtpl(b, bi, "ItemBatcher/BatchInput") : tpl(b, bi);
    if (b->s->jsonata) {
        mp->batch_max_items_jn = jtpl_expr_only(b, bt, "MaxItemsPerBatch");
        mp->batch_max_bytes_jn = jtpl_expr_only(b, bt, "MaxInputBytesPerBatch");
    }
}

static void map(struct sb *b, struct asl_cmap *mp, json_t *n)
{
    json_t *sel = json_object_get(n, "ItemSelector");
    if (!sel)
        sel = json_object_get(n, "Parameters");
    json_t *proc = json_object_get(n, "ItemProcessor");
    if (!proc)
        proc = json_object_get(n, "Iterator");     /* the legacy name takes ProcessorConfig too */
    mp->items_path = path_field(b, n, "ItemsPath", NULL);
    mp->item_selector = b->s->jsonata ? jtpl(b, sel, "ItemSelector") : tpl(b, sel);
    mp->max_concurrency = int_field(n, "MaxConcurrency", &mp->has_max_concurrency);
    mp->max_concurrency_path = path_field(b, n, "MaxConcurrencyPath", NULL);
    mp->tolerated_count = int_field(n, "ToleratedFailureCount", &mp->has_tolerated_count);
    mp->tolerated_count_path = path_field(b, n, "ToleratedFailureCountPath", NULL);
    mp->tolerated_percent = real_field(n, "ToleratedFailurePercentage", &mp->has_tolerated_percent);
    mp->tolerated_percent_path = path_field(b, n, "ToleratedFailurePercentagePath", NULL);
    if (b->s->jsonata) {
        mp->items_jn = jtpl(b, json_object_get(n, "Items"), "Items");
        mp->max_concurrency_jn = jtpl_expr_only(b, n, "MaxConcurrency");
        mp->tolerated_count_jn = jtpl_expr_only(b, n, "ToleratedFailureCount");
        mp->tolerated_percent_jn = jtpl_expr_only(b, n, "ToleratedFailurePercentage");
    }
    mp->distributed = is(str(json_object_get(proc, "ProcessorConfig"), "Mode"), "DISTRIBUTED");
    mp->label = str(n, "Label");
    batcher(b, mp, json_object_get(n, "ItemBatcher"));
    mp->reader = reader(b, json_object_get(n, "ItemReader"));
    mp->writer = writer(b, json_object_get(n, "ResultWriter"));
}

/* ------------------------------------------------------- other types */

static void wait_spec(struct sb *b, struct asl_cwait *w, json_t *n)
{
    const char *ts = str(n, "Timestamp");
    w->seconds = int_field(n, "Seconds", &w->has_seconds);
    w->timestamp = ts && !asl_is_jsonata_text(ts, NULL, NULL) ? ts : NULL;
    w->seconds_path = path_field(b, n, "SecondsPath", NULL);
    w->timestamp_path = path_field(b, n, "TimestampPath", NULL);
    w->seconds_jn = jtpl_expr_only(b, n, "Seconds");
    w->timestamp_jn = jtpl_expr_only(b, n, "Timestamp");
}

static void fail_spec(struct sb *b, struct asl_cfail *f, json_t *n)
{
    f->error_jn = b->s->jsonata ? jtpl_expr_only(b, n, "Error") : NULL;
    f->cause_jn = b->s->jsonata ? jtpl_expr_only(b, n, "Cause") : NULL;
    f->error = f->error_jn ? NULL : str(n, "Error");
    f->cause = f->cause_jn ? NULL : str(n, "Cause");
    f->error_path = expr_field(b, n, "ErrorPath");
    f->cause_path = expr_field(b, n, "CausePath");
}

static void task_spec(struct sb *b, struct asl_ctask *t, json_t *n)
{
    t->resource = str(n, "Resource");
    t->timeout = int_field(n, "TimeoutSeconds", &t->has_timeout);
    t->timeout_path = path_field(b, n, "TimeoutSecondsPath", NULL);
    t->heartbeat = int_field(n, "HeartbeatSeconds", &t->has_heartbeat);
    t->heartbeat_path = path_field(b, n, "HeartbeatSecondsPath", NULL);
    t->timeout_jn = jtpl_expr_only(b, n, "TimeoutSeconds");
    t->heartbeat_jn = jtpl_expr_only(b, n, "HeartbeatSeconds");
    t->credentials = either(b, n, "Credentials");
}

static void io_spec(struct sb *b, struct asl_cio *io, json_t *n)
{
    if (b->s->jsonata) {
        io->arguments = jtpl(b, json_object_get(n, "Arguments"), "Arguments");
        io->output = jtpl(b, json_object_get(n, "Output"), "Output");
        io->assign = jtpl(b, json_object_get(n, "Assign"), "Assign");
        return;
    }
    io->input_path = path_field(b, n, "InputPath", &io->input_null);
    io->output_path = path_field(b, n, "OutputPath", &io->output_null);
    io->result_path = path_field(b, n, "ResultPath", &io->result_null);
    if (b->s->type != ASL_MAP)      /* a Map's Parameters are its ItemSelector */
        io->parameters = tpl(b, json_object_get(n, "Parameters"));
    io->result_selector = tpl(b, json_object_get(n, "ResultSelector"));
    io->assign = tpl(b, json_object_get(n, "Assign"));
}

static void state_spec(struct asl_model *m, struct asl_cstate *s)
{
    struct sb b = {.m = m, .s = s};
    json_t *n = s->node;
    struct asl_cspec *sp = alloc(&b, 1, sizeof *sp);
    json_t *next = json_object_get(n, "Next");
    sp->next = json_is_string(next) ? asl_machine_find(s->machine, json_string_value(next)) : -1;
    sp->end = json_is_true(json_object_get(n, "End"));
    switch (s->type) {
    case ASL_PASS: sp->u.pass.result = json_object_get(n, "Result"); break;
    case ASL_WAIT: wait_spec(&b, &sp->u.wait, n); break;
    case ASL_FAIL: fail_spec(&b, &sp->u.fail, n); break;
    case ASL_CHOICE: choice(&b, &sp->u.choice, n); break;
    case ASL_TASK: task_spec(&b, &sp->u.task, n); break;
    case ASL_MAP: map(&b, &sp->u.map, n); break;
    case ASL_PARALLEL: case ASL_SUCCEED: break;
    }
    if (s->type == ASL_TASK || s->type == ASL_PARALLEL || s->type == ASL_MAP)
        recovery(&b, &sp->rec, n);
    io_spec(&b, &sp->io, n);
    s->spec = sp;
}

void asl_spec_build(struct asl_model *m)
{
    json_t *to = json_object_get(m->doc, "TimeoutSeconds");
    if (json_is_number(to) && json_number_value(to) > 0)
        m->timeout_seconds = (long long)json_number_value(to);
    for (size_t i = 0; i < m->nstates; i++)
        state_spec(m, m->states[i]);
}
