/*
 * map_reader.c - item sources for the Map state (see map_reader.h): an
 * in-memory array and the ItemReader formats, read lazily from the object
 * store.  Errors are States.ItemReaderFailed with AWS's causes where they
 * are recorded (shared/asl/09-parallel-map.md, "ItemReader").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "map/map_reader.h"
#include "run/run.h"
#include "io/io.h"
#include "jsonata/jn_states.h"
#include "base/json.h"
#include "base/text.h"
#include "map/map_store.h"

#define E_READER ASL_E_ITEM_READER
/* AWS caps MaxItems at 100,000,000. */
#define MAX_ITEMS_CAP 100000000LL

int asl_map_reader_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    if (s->limit > 0 && s->given >= s->limit)
        return 0;
    int rc = s->next(s, item, err);
    if (rc == 1)
        s->given++;
    return rc;
}

void asl_map_reader_close(struct asl_items *s)
{
    if (s) {
        json_decref(s->source);
        s->close(s);
    }
}

/* $$.Map.Item.Source from here on: S3://bucket, or S3://bucket/key when
 * key is given.  AWS's context-object page writes the scheme "S3://". */
static void set_source(struct asl_items *s, const char *bucket, const char *key)
{
    json_decref(s->source);
    s->source = key ? json_sprintf("S3://%s/%s", bucket, key) : json_sprintf("S3://%s", bucket);
}

/* ------------------------------------------------------------ an array */

struct array_src {
    struct asl_items base;
    json_t *arr;
    size_t i;
};

static int array_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    (void)err;
    struct array_src *a = (struct array_src *)s;
    if (a->i >= json_array_size(a->arr))
        return 0;
    *item = json_incref(json_array_get(a->arr, a->i++));
    return 1;
}

static void array_close(struct asl_items *s)
{
    struct array_src *a = (struct array_src *)s;
    json_decref(a->arr);
    free(a);
}

struct asl_items *asl_map_reader_array_new(json_t *arr)
{
    struct array_src *a = calloc(1, sizeof *a);
    if (!a) {
        json_decref(arr);
        return NULL;
    }
    a->base.next = array_next;
    a->base.close = array_close;
    a->base.total = (long long)json_array_size(arr);
    a->base.source = json_string("STATE_DATA");
    a->arr = arr;
    return &a->base;
}

/* ------------------------------------------------------ a JSON object */

/* A Map over a JSON object runs one iteration per member, each getting
 * {"Key": name, "Value": value} (AWS's ItemsPath page: "If the input to
 * the Map state is a JSON object, it runs an iteration for each key-value
 * pair"; the pair's shape and $$.Map.Item.Key as observed on AWS and
 * written up in floci-io/floci#1588, 2026-07).  Members come in the
 * object's order, which jansson keeps as the document had it. */
struct object_src {
    struct asl_items base;
    json_t *obj;
    void *iter;
};

static int object_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    struct object_src *o = (struct object_src *)s;
    if (!o->iter)
        return 0;
    json_t *pair = json_object();
    if (!pair || json_object_set_new(pair, "Key", json_stringn(json_object_iter_key(o->iter),
                                                               json_object_iter_key_len(o->iter))) != 0 ||
        json_object_set(pair, "Value", json_object_iter_value(o->iter)) != 0) {
        json_decref(pair);
        return asl_err_set_str(err, E_READER, "out of memory");
    }
    o->iter = json_object_iter_next(o->obj, o->iter);
    *item = pair;
    return 1;
}

static void object_close(struct asl_items *s)
{
    struct object_src *o = (struct object_src *)s;
    json_decref(o->obj);
    free(o);
}

int asl_map_reader_value_new(json_t *v, struct asl_items **out)
{
    if (json_is_array(v)) {
        *out = asl_map_reader_array_new(v);
        return *out ? 1 : -1;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return 0;
    }
    struct object_src *o = calloc(1, sizeof *o);
    if (!o) {
        json_decref(v);
        return -1;
    }
    o->base.next = object_next;
    o->base.close = object_close;
    o->base.total = (long long)json_object_size(v);
    o->base.pairs = 1;
    o->base.source = json_string("STATE_DATA");
    o->obj = v;
    o->iter = json_object_iter(v);
    *out = &o->base;
    return 1;
}

/* ------------------------------------------------ a growable text buffer */

/* At the end of f: 0, or -1 with err set when the end came from a read
 * error (a damaged .gz or .zstd object, an I/O error). */
static int read_failed(FILE *f, struct asl_err *err)
{
    if (!ferror(f))
        return 0;
    return asl_err_set_str(err, E_READER, "The object could not be read: it is not valid GZIP or ZSTD data, "
                           "or reading it failed.");
}

/* --------------------------------------------- a JSON array, streamed */

/* The file is split into its top-level elements by a small scanner
 * (strings, escapes, nesting); each element is parsed on its own, so only
 * one element's text is in memory at a time. */
struct json_src {
    struct asl_items base;
    FILE *f;
    int started, done;
    struct asl_buf b;
};

static int skip_ws(FILE *f)
{
    int c;
    do
        c = getc(f);
    while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
    return c;
}

static int json_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    struct json_src *j = (struct json_src *)s;
    if (j->done)
        return 0;
    int c;
    if (!j->started) {
        j->started = 1;
        c = skip_ws(j->f);
        if (c != '[')
            return asl_err_set_str(err, E_READER, "Attempting to map over non-iterable node.");
        c = skip_ws(j->f);
        if (c == ']') {
            j->done = 1;
            return 0;
        }
        ungetc(c, j->f);
    }
    j->b.len = 0;
    int depth = 0, in_str = 0, esc = 0;
    for (;;) {
        c = getc(j->f);
        if (c == EOF)
            return read_failed(j->f, err) ? -1
                 : asl_err_set_str(err, E_READER, "The JSON file ends inside the array: it is not valid JSON.");
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (depth == 0) {
                if (c == ']') {
                    j->done = 1;
                    break;
                }
                return asl_err_set_str(err, E_READER, "The JSON file is not valid JSON.");
            }
            depth--;
        } else if (c == ',' && depth == 0) {
            break;
        }
        asl_buf_addc(&j->b, (char)c);
        if (j->b.oom)
            return asl_err_set_str(err, E_READER, "out of memory");
    }
    json_error_t jerr;
    *item = j->b.len ? json_loadb(j->b.p, j->b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr) : NULL;
    if (!*item)
        return asl_err_set(err, E_READER, "The JSON file is not valid JSON: %s",
                           j->b.len ? jerr.text : "empty array element");
    return 1;
}

static void json_close(struct asl_items *s)
{
    struct json_src *j = (struct json_src *)s;
    fclose(j->f);
    free(j->b.p);
    free(j);
}

/* ----------------------------------------------------------- JSON Lines */

struct jsonl_src {
    struct asl_items base;
    FILE *f;
    char *line;
    size_t cap;
    long lineno;
};

static int jsonl_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    struct jsonl_src *j = (struct jsonl_src *)s;
    ssize_t len;
    while ((len = getline(&j->line, &j->cap, j->f)) >= 0) {
        j->lineno++;
        size_t k = 0;
        while (k < (size_t)len && strchr(" \t\r\n", j->line[k]))
            k++;
        if (k == (size_t)len)
            continue;   /* blank line */
        json_error_t jerr;
        *item = json_loadb(j->line, (size_t)len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!*item)
            return asl_err_set(err, E_READER, "Line %ld of the JSONL file is not valid JSON: %s", j->lineno,
                               jerr.text);
        return 1;
    }
    return read_failed(j->f, err);
}

static void jsonl_close(struct asl_items *s)
{
    struct jsonl_src *j = (struct jsonl_src *)s;
    fclose(j->f);
    free(j->line);
    free(j);
}

/* ------------------------------------------------------------------ CSV */

/* RFC 4180 records: fields split by the delimiter, "quoted" fields may
 * hold the delimiter, newlines and "" for a quote; CRLF or LF ends a row.
 * Every cell is a string. */
struct csv_src {
    struct asl_items base;
    FILE *f;
    char delim;
    json_t *headers;            /* array of strings */
    int header_row;             /* the first row still names the columns */
    struct asl_buf field;
};

/* One record as an array of strings: 1, 0 at the end of the file, -1 out
 * of memory. */
static int csv_record(struct csv_src *c, json_t **out)
{
    json_t *rec = json_array();
    int ch, quoted = 0, any = 0;
    c->field.len = 0;
    if (c->field.p)
        c->field.p[0] = '\0';
    for (;;) {
        ch = getc(c->f);
        if (ch == EOF)
            break;
        any = 1;
        if (quoted) {
            if (ch == '"') {
                int nx = getc(c->f);
                if (nx == '"') {
                    asl_buf_addc(&c->field, '"');
                    continue;
                }
                quoted = 0;
                if (nx == EOF)
                    break;
                ch = nx;    /* fall through to the unquoted handling */
            } else {
                asl_buf_addc(&c->field, (char)ch);
                continue;
            }
        }
        if (ch == '"' && c->field.len == 0) {
            quoted = 1;
        } else if (ch == c->delim) {
            json_array_append_new(rec, json_stringn(c->field.p ? c->field.p : "", c->field.len));
            c->field.len = 0;
        } else if (ch == '\n') {
            if (c->field.len && c->field.p[c->field.len - 1] == '\r')
                c->field.len--;
            break;
        } else {
            asl_buf_addc(&c->field, (char)ch);
        }
    }
    if (!any || c->field.oom) {
        json_decref(rec);
        return c->field.oom ? -1 : 0;
    }
    json_array_append_new(rec, json_stringn(c->field.p ? c->field.p : "", c->field.len));
    *out = rec;
    return 1;
}

static int dup_headers(json_t *h)
{
    for (size_t i = 0; i < json_array_size(h); i++)
        for (size_t k = i + 1; k < json_array_size(h); k++)
            if (json_equal(json_array_get(h, i), json_array_get(h, k)))
                return 1;
    return 0;
}

static int blank_record(json_t *rec)
{
    return json_array_size(rec) == 1 && json_string_length(json_array_get(rec, 0)) == 0;
}

static int csv_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    struct csv_src *c = (struct csv_src *)s;
    json_t *rec;
    for (;;) {
        int got = csv_record(c, &rec);
        if (got < 0)
            return asl_err_set_str(err, E_READER, "out of memory");
        if (got == 0)
            return read_failed(c->f, err);
        if (!blank_record(rec))
            break;
        json_decref(rec);
    }
    if (c->header_row) {
        c->header_row = 0;
        c->headers = rec;
        if (dup_headers(rec))
            return asl_err_set_str(err, E_READER, "CSV headers cannot contain duplicates.");
        return csv_next(s, item, err);
    }
    json_t *o = json_object();
    for (size_t i = 0; i < json_array_size(c->headers); i++) {
        json_t *v = json_array_get(rec, i);   /* a short row: missing cells are "" */
        json_object_set_new(o, json_string_value(json_array_get(c->headers, i)),
                            v ? json_incref(v) : json_string(""));
    }
    json_decref(rec);
    *item = o;
    return 1;
}

static void csv_close(struct asl_items *s)
{
    struct csv_src *c = (struct csv_src *)s;
    fclose(c->f);
    json_decref(c->headers);
    free(c->field.p);
    free(c);
}

/* ------------------------------------------------- an object listing */

struct list_src {
    struct asl_items base;
    const struct asl_exec *ex;
    char *bucket;
    json_t *keys;
    size_t i;
};

static int list_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    struct list_src *l = (struct list_src *)s;
    if (l->i >= json_array_size(l->keys))
        return 0;
    json_t *listed = json_array_get(l->keys, l->i++);
    if (json_is_object(listed)) {   /* S3's listing carries the summary */
        *item = json_incref(listed);
        return 1;
    }
    *item = asl_map_store_summary(l->ex, l->bucket, json_string_value(listed), E_READER, err);
    return *item ? 1 : -1;
}

static void list_close(struct asl_items *s)
{
    struct list_src *l = (struct list_src *)s;
    json_decref(l->keys);
    free(l->bucket);
    free(l);
}

/* ---------------------------------------------------------- opening */

static const char *param_str(json_t *params, const char *key)
{
    return json_string_value(json_object_get(params, key));
}

/* The evaluated Parameters (Arguments) hold only fields this reader
 * honours, each a string: getObject's Bucket, Key, VersionId and
 * ExpectedBucketOwner; listObjectsV2's Bucket, Prefix and
 * ExpectedBucketOwner.  The compiler refuses other names it can see
 * (check_map.c); this catches a JSONata Arguments that is one {% %}
 * expression and the values of "Field.$" paths.  0, or -1 with err. */
static int params_ok(json_t *params, int listing, int jsonata, struct asl_err *err)
{
    static const char *const get_fields[] = {"Bucket", "Key", "VersionId", "ExpectedBucketOwner", NULL};
    static const char *const list_fields[] = {"Bucket", "Prefix", "ExpectedBucketOwner", NULL};
    const char *field = jsonata ? "Arguments" : "Parameters";
    if (!json_is_object(params))
        return asl_err_set(err, E_READER, "The ItemReader's %s must be an object", field);
    const char *key;
    json_t *v;
    json_object_foreach(params, key, v) {
        const char *const *f = listing ? list_fields : get_fields;
        while (*f && strcmp(*f, key) != 0)
            f++;
        if (!*f)
            return asl_err_set(err, E_READER, "The ItemReader's %s field '%s' is not supported by this version "
                               "of aslc with %s", field, key, listing ? "s3:listObjectsV2" : "s3:getObject");
        if (!json_is_string(v))
            return asl_err_set(err, E_READER, "The ItemReader's %s field '%s' must be a string", field, key);
    }
    return 0;
}

/* S3's answers for VersionId and ExpectedBucketOwner against a bucket
 * bound to a folder.  The folder is an unversioned bucket, where every
 * object's version id is "null" (S3's versioning guide: objects stored
 * before versioning have the version ID null), so "null" reads the
 * object and any other id is S3's NoSuchVersion.  The bucket belongs to
 * the execution's account (the state machine ARN's), so another
 * ExpectedBucketOwner is S3's 403 AccessDenied.  0, or -1 with err. */
static int s3_conditions(const struct asl_exec *ex, json_t *params, struct asl_err *err)
{
    const char *version = param_str(params, "VersionId"), *owner = param_str(params, "ExpectedBucketOwner");
    const char *bucket = param_str(params, "Bucket");
    if ((version || owner) && asl_map_store_is_s3(ex, bucket))
        return asl_err_set(err, E_READER, "The ItemReader's %s is not supported by this version of aslc for "
                           "real S3 (bucket '%s' is bound to no folder)", version ? "VersionId" : "ExpectedBucketOwner",
                           bucket);
    if (version && !*version)
        return asl_err_set_str(err, E_READER, "S3 InvalidArgument (400): Version id cannot be the empty string");
    if (version && strcmp(version, "null") != 0)
        return asl_err_set(err, E_READER, "S3 NoSuchVersion (404): The specified version does not exist. "
                           "(VersionId '%s'; a folder-bound bucket is unversioned: its objects' version is null)",
                           version);
    if (owner) {
        /* arn:aws:states:REGION:ACCOUNT:stateMachine:NAME */
        const char *a = ex->sm_arn;
        for (int colons = 0; a && *a && colons < 4; a++)
            colons += *a == ':';
        size_t n = a ? strcspn(a, ":") : 0;
        if (!a || strlen(owner) != n || strncmp(owner, a, n) != 0)
            return asl_err_set(err, E_READER, "S3 AccessDenied (403): Access Denied (ExpectedBucketOwner '%s' "
                               "does not own the bucket)", owner);
    }
    return 0;
}

/* MaxItems (a number, or a {% %} expression in JSONata) or MaxItemsPath:
 * 0 for no limit, -1 on error. */
static long long max_items(struct asl_run *run, const struct asl_item_reader *r, json_t *eff)
{
    if (!r->max_items_path && !r->max_items_jn)
        return r->max_items > 0 ? r->max_items : 0;
    double d;
    if (r->max_items_jn ? asl_map_jn_number(run, r->max_items_jn, eff, 1, &d) != 0
                        : asl_map_path_number(run, r->max_items_path, eff, "MaxItemsPath", 1, &d) != 0)
        return -1;
    /* 0 reads everything; only a negative count fails (recorded,
     * shared/asl/15-service-integrations.md 5.1). */
    if (d < 0) {
        asl_err_set_str(&run->err, E_READER, "field MaxItems must be positive");
        return -1;
    }
    return d > (double)MAX_ITEMS_CAP ? MAX_ITEMS_CAP : (long long)d;
}

/* RFC 6901: the value `ptr` names in doc (borrowed), or NULL.  "" is the
 * whole document; "~1" is '/', "~0" is '~'; an array step is a decimal
 * index without leading zeros. */
static json_t *pointer_get(json_t *doc, const char *ptr)
{
    json_t *v = doc;
    const char *s = ptr;
    char *tok = malloc(strlen(ptr) + 1);
    if (!tok)
        return NULL;
    while (v && *s == '/') {
        size_t n = 0;
        for (s++; *s && *s != '/'; s++) {
            if (*s == '~' && (s[1] == '0' || s[1] == '1')) {
                tok[n++] = s[1] == '0' ? '~' : '/';
                s++;
            } else {
                tok[n++] = *s;
            }
        }
        tok[n] = '\0';
        if (json_is_object(v)) {
            v = json_object_getn(v, tok, n);
        } else if (json_is_array(v)) {
            char *end;
            unsigned long long i = strtoull(tok, &end, 10);
            int digits = n > 0 && *end == '\0' && tok[0] >= '0' && tok[0] <= '9' && (tok[0] != '0' || n == 1);
            v = digits && i < json_array_size(v) ? json_array_get(v, (size_t)i) : NULL;
        } else {
            v = NULL;
        }
    }
    free(tok);
    return *s ? NULL : v;
}

/* The whole JSON file parsed, then ReaderConfig.ItemsPointer applied: for
 * a file whose top level is not an array, or with ItemsPointer.  An array
 * gives its elements, an object its members as Key/Value pairs. */
static struct asl_items *json_whole(const struct asl_item_reader *r, FILE *f, struct asl_err *err)
{
    json_error_t jerr;
    json_t *doc = json_loadf(f, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    fclose(f);
    if (!doc) {
        asl_err_set(err, E_READER, "The JSON file is not valid JSON: %s", jerr.text);
        return NULL;
    }
    json_t *items = r->items_pointer ? pointer_get(doc, r->items_pointer) : doc;
    if (!items) {
        asl_err_set(err, E_READER, "The ItemsPointer '%s' does not point to a value in the JSON file.",
                    r->items_pointer);
        json_decref(doc);
        return NULL;
    }
    json_incref(items);
    json_decref(doc);
    struct asl_items *src = NULL;
    int rc = asl_map_reader_value_new(items, &src);
    if (rc == 0)
        asl_err_set_str(err, E_READER, "Attempting to map over non-iterable node.");
    else if (rc < 0)
        asl_err_set_str(err, E_READER, "out of memory");
    return rc == 1 ? src : NULL;
}

/* The items of one object's bytes (f, closed by the source or here) in
 * r's InputType.  NULL with err set. */
static struct asl_items *open_stream(const struct asl_item_reader *r, FILE *f, struct asl_err *err)
{
    switch (r->input_type) {
    case ASL_READ_JSON: {
        /* A top-level array streams, one element in memory at a time;
         * anything else (an object, ItemsPointer) is read whole.  ItemsPath
         * does not apply to the file: AWS ignores it there (recorded,
         * shared/asl/15-service-integrations.md 5.1) and ItemsPointer is
         * the reader's own selector. */
        int c = skip_ws(f);
        if (c != EOF)
            ungetc(c, f);
        if (c != '[' || r->items_pointer)
            return json_whole(r, f, err);
        struct json_src *j = calloc(1, sizeof *j);
        if (!j)
            break;
        j->base.next = json_next;
        j->base.close = json_close;
        j->base.total = -1;
        j->f = f;
        return &j->base;
    }
    case ASL_READ_JSONL: {
        struct jsonl_src *j = calloc(1, sizeof *j);
        if (!j)
            break;
        j->base.next = jsonl_next;
        j->base.close = jsonl_close;
        j->base.total = -1;
        j->f = f;
        return &j->base;
    }
    case ASL_READ_CSV: {
        struct csv_src *c = calloc(1, sizeof *c);
        if (!c)
            break;
        c->base.next = csv_next;
        c->base.close = csv_close;
        c->base.total = -1;
        c->f = f;
        c->delim = r->csv_delimiter ? r->csv_delimiter : ',';
        if (r->csv_headers_given) {
            c->headers = json_array();
            for (size_t i = 0; i < r->ncsv_headers; i++)
                json_array_append_new(c->headers, json_string(r->csv_headers[i]));
            if (dup_headers(c->headers)) {
                csv_close(&c->base);
                asl_err_set_str(err, E_READER, "CSV headers cannot contain duplicates.");
                return NULL;
            }
        } else {
            c->header_row = 1;
        }
        return &c->base;
    }
    default:
        fclose(f);
        asl_err_set_str(err, E_READER, "This ReaderConfig.InputType is not supported by this version of aslc");
        return NULL;
    }
    fclose(f);
    asl_err_set_str(err, E_READER, "out of memory");
    return NULL;
}

/* ----------------------------------------- many objects, one after another */

/* The items of several objects in turn, each read in `cfg`'s InputType:
 * listObjectsV2 with Transformation LOAD_AND_FLATTEN (every listed
 * object), an S3 inventory manifest (its CSV files, keyed by fileSchema)
 * and an Athena data manifest (the data files it names).  Only the current
 * object is open. */
struct files_src {
    struct asl_items base;
    const struct asl_exec *ex;
    struct asl_item_reader cfg;     /* the format of every file */
    json_t *headers;                /* strings cfg.csv_headers points into, or NULL */
    const char **header_v;
    json_t *files;                  /* [[bucket, key], ...] */
    size_t i;
    struct asl_items *cur;
};

static int files_next(struct asl_items *s, json_t **item, struct asl_err *err)
{
    struct files_src *fs = (struct files_src *)s;
    for (;;) {
        if (fs->cur) {
            int rc = fs->cur->next(fs->cur, item, err);
            if (rc != 0)
                return rc;
            asl_map_reader_close(fs->cur);
            fs->cur = NULL;
        }
        if (fs->i >= json_array_size(fs->files))
            return 0;
        json_t *bk = json_array_get(fs->files, fs->i++);
        const char *bucket = json_string_value(json_array_get(bk, 0));
        const char *key = json_string_value(json_array_get(bk, 1));
        FILE *f = asl_map_store_get(fs->ex, bucket, key, E_READER, err);
        if (f && fs->cfg.decode)
            f = fs->cfg.decode(f, key, err);
        if (!f || !(fs->cur = open_stream(&fs->cfg, f, err)))
            return -1;
        set_source(s, bucket, key);
    }
}

static void files_close(struct asl_items *s)
{
    struct files_src *fs = (struct files_src *)s;
    asl_map_reader_close(fs->cur);
    json_decref(fs->files);
    json_decref(fs->headers);
    free(fs->header_v);
    free(fs);
}

/* A files source over `files` (steals it) read as `cfg` says, with the
 * CSV headers `headers` (steals; NULL: cfg's own).  NULL with err set. */
static struct asl_items *files_new(const struct asl_exec *ex, const struct asl_item_reader *cfg, json_t *files,
                                   json_t *headers, struct asl_err *err)
{
    struct files_src *fs = calloc(1, sizeof *fs);
    size_t nh = json_array_size(headers);
    const char **hv = headers ? calloc(nh + 1, sizeof *hv) : NULL;
    if (!fs || (headers && !hv)) {
        free(fs);
        free(hv);
        json_decref(files);
        json_decref(headers);
        asl_err_set_str(err, E_READER, "out of memory");
        return NULL;
    }
    fs->base.next = files_next;
    fs->base.close = files_close;
    fs->base.total = -1;
    fs->ex = ex;
    fs->cfg = *cfg;
    fs->cfg.items_pointer = NULL;
    fs->files = files;
    if (headers) {
        for (size_t i = 0; i < nh; i++)
            hv[i] = json_string_value(json_array_get(headers, i));
        fs->headers = headers;
        fs->header_v = hv;
        fs->cfg.csv_headers_given = 1;
        fs->cfg.ncsv_headers = nh;
        fs->cfg.csv_headers = hv;
        fs->cfg.csv_delimiter = ',';
        if (dup_headers(headers)) {
            files_close(&fs->base);
            asl_err_set_str(err, E_READER, "CSV headers cannot contain duplicates.");
            return NULL;
        }
    }
    return &fs->base;
}

static json_t *file_ref(const char *bucket, const char *key, size_t keylen)
{
    return json_pack("[s,s%]", bucket, key, keylen);
}

/* An S3 inventory manifest.json (S3's inventory layout: "fileFormat",
 * "fileSchema" "Bucket, Key, Size, ...", "destinationBucket" as an S3 ARN,
 * "files": [{"key": ...}]).  Step Functions reads CSV inventories; each
 * row is an object keyed by the schema's names, every value a string. */
static struct asl_items *open_inventory(const struct asl_exec *ex, const struct asl_item_reader *r, FILE *f,
                                        struct asl_err *err)
{
    json_error_t jerr;
    json_t *man = json_loadf(f, 0, &jerr);
    fclose(f);
    if (!man) {
        asl_err_set(err, E_READER, "The S3 inventory manifest is not valid JSON: %s", jerr.text);
        return NULL;
    }
    const char *format = json_string_value(json_object_get(man, "fileFormat"));
    const char *schema = json_string_value(json_object_get(man, "fileSchema"));
    const char *dest = json_string_value(json_object_get(man, "destinationBucket"));
    json_t *list = json_object_get(man, "files");
    struct asl_items *src = NULL;
    if (!format || strcmp(format, "CSV") != 0) {
        asl_err_set(err, E_READER, "The S3 inventory's fileFormat is %s%s%s: Step Functions reads CSV inventories",
                    format ? "'" : "", format ? format : "missing", format ? "'" : "");
    } else if (!schema || !dest || !json_is_array(list)) {
        asl_err_set_str(err, E_READER, "The S3 inventory manifest needs fileSchema, destinationBucket and files");
    } else {
        if (strncmp(dest, "arn:aws:s3:::", 13) == 0)
            dest += 13;
        json_t *headers = json_array(), *files = json_array();
        for (const char *c = schema; *c;) {     /* "Bucket, Key, Size": names around commas, trimmed */
            while (*c == ' ')
                c++;
            const char *e = strchr(c, ',');
            size_t n = e ? (size_t)(e - c) : strlen(c);
            while (n && c[n - 1] == ' ')
                n--;
            json_array_append_new(headers, json_stringn(c, n));
            c = e ? e + 1 : c + strlen(c);
        }
        int ok = 1;
        for (size_t i = 0; ok && i < json_array_size(list); i++) {
            const char *key = json_string_value(json_object_get(json_array_get(list, i), "key"));
            ok = key != NULL;
            if (ok)
                json_array_append_new(files, file_ref(dest, key, strlen(key)));
        }
        struct asl_item_reader cfg = *r;
        cfg.input_type = ASL_READ_CSV;
        if (!ok) {
            json_decref(headers);
            json_decref(files);
            asl_err_set_str(err, E_READER, "Every entry of the S3 inventory manifest's files needs a key");
        } else {
            src = files_new(ex, &cfg, files, headers, err);
        }
    }
    json_decref(man);
    return src;
}

/* An Athena data manifest (`<query id>-manifest.csv`, written by UNLOAD and
 * queries): one s3://bucket/key URI per line, each a data file in
 * ReaderConfig.InputType. */
static struct asl_items *open_athena(const struct asl_exec *ex, const struct asl_item_reader *r, FILE *f,
                                     struct asl_err *err)
{
    json_t *files = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int ok = 1;
    while (ok && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        if (len == 0)
            continue;
        char *slash = strncmp(line, "s3://", 5) == 0 ? strchr(line + 5, '/') : NULL;
        if (!slash || slash == line + 5 || !slash[1]) {
            asl_err_set(err, E_READER, "Line %ld of the Athena manifest is not an s3://bucket/key URI", lineno);
            ok = 0;
            break;
        }
        *slash = '\0';
        json_array_append_new(files, file_ref(line + 5, slash + 1, strlen(slash + 1)));
    }
    free(line);
    fclose(f);
    if (!ok) {
        json_decref(files);
        return NULL;
    }
    return files_new(ex, r, files, NULL, err);
}

static struct asl_items *open_object(struct asl_run *run, const struct asl_map *m, json_t *params)
{
    if (params_ok(params, 0, m->jsonata, &run->err) != 0)
        return NULL;
    const char *bucket = param_str(params, "Bucket"), *key = param_str(params, "Key");
    if (!bucket || !key) {
        asl_err_set_str(&run->err, E_READER, "The ItemReader's Parameters need a string Bucket and Key");
        return NULL;
    }
    if (s3_conditions(run->exec, params, &run->err) != 0)
        return NULL;
    FILE *f = asl_map_store_get(run->exec, bucket, key, E_READER, &run->err);
    if (f && m->reader->decode)
        f = m->reader->decode(f, key, &run->err);
    if (!f)
        return NULL;
    if (m->reader->manifest == ASL_MANIFEST_S3_INVENTORY)
        return open_inventory(run->exec, m->reader, f, &run->err);
    if (m->reader->manifest == ASL_MANIFEST_ATHENA_DATA)
        return open_athena(run->exec, m->reader, f, &run->err);
    struct asl_items *src = open_stream(m->reader, f, &run->err);
    if (src)
        set_source(src, bucket, key);
    return src;
}

static struct asl_items *open_listing(struct asl_run *run, const struct asl_map *m, json_t *params)
{
    const struct asl_item_reader *r = m->reader;
    if (params_ok(params, 1, m->jsonata, &run->err) != 0)
        return NULL;
    const char *bucket = param_str(params, "Bucket"), *prefix = param_str(params, "Prefix");
    if (!bucket) {
        asl_err_set_str(&run->err, E_READER, "The ItemReader's Parameters need a string Bucket");
        return NULL;
    }
    if (s3_conditions(run->exec, params, &run->err) != 0)
        return NULL;
    json_t *keys = asl_map_store_list(run->exec, bucket, prefix ? prefix : "", E_READER, &run->err);
    if (!keys)
        return NULL;
    if (r->load_and_flatten) {      /* the listed objects' contents, one object after another */
        json_t *files = json_array();
        for (size_t i = 0; i < json_array_size(keys); i++) {
            json_t *listed = json_array_get(keys, i);
            const char *k = json_string_value(json_is_object(listed) ? json_object_get(listed, "Key") : listed);
            json_array_append_new(files, file_ref(bucket, k, strlen(k)));
        }
        json_decref(keys);
        return files_new(run->exec, r, files, NULL, &run->err);
    }
    struct list_src *l = calloc(1, sizeof *l);
    if (!l) {
        json_decref(keys);
        asl_err_set_str(&run->err, E_READER, "out of memory");
        return NULL;
    }
    l->base.next = list_next;
    l->base.close = list_close;
    l->base.total = (long long)json_array_size(keys);
    l->ex = run->exec;
    l->bucket = strdup(bucket);
    l->keys = keys;
    set_source(&l->base, bucket, NULL);
    return &l->base;
}

int asl_map_params_eval(struct asl_run *run, const struct asl_map *m, const struct asl_tpl *t,
                        json_t *eff, json_t **out)
{
    *out = NULL;
    if (!t)
        return 0;
    if (!m->jsonata)
        return asl_io_tpl_eval(run, t, eff, out);
    json_t *states = asl_jn_states(run, eff, NULL, NULL);
    int rc = asl_jn_tpl(run, t, states, out);
    json_decref(states);
    return rc;
}

int asl_map_reader_open(struct asl_run *run, const struct asl_map *m, json_t *eff,
                          struct asl_items **out)
{
    const struct asl_item_reader *r = m->reader;
    json_t *params = NULL;
    long long limit = max_items(run, r, eff);
    if (limit < 0)
        return -1;
    if (asl_map_params_eval(run, m, r->parameters, eff, &params) != 0)
        return -1;
    struct asl_items *s = r->source == ASL_SRC_LIST_OBJECTS ? open_listing(run, m, params)
                                                            : open_object(run, m, params);
    json_decref(params);
    if (!s)
        return -1;
    s->limit = limit;
    if (s->total >= 0 && limit > 0 && s->total > limit)
        s->total = limit;
    *out = s;
    return 0;
}

/* Resolve a *Path field to a number: integer (or a numeric string, as AWS
 * accepts through variables). */
int asl_map_path_number(struct asl_run *run, const struct asl_path *p, json_t *eff, const char *field,
                        int want_int, double *out)
{
    json_t *v = NULL;
    if (asl_io_select_required(run, p, eff, &v) != 0)
        return -1;
    double d = 0;
    int ok = 0;
    if (json_is_number(v)) {
        d = json_number_value(v);
        ok = !want_int || floor(d) == d;
    } else if (json_is_string(v)) {
        char *end;
        const char *s = json_string_value(v);
        d = strtod(s, &end);
        ok = *s && end == s + json_string_length(v) && (!want_int || floor(d) == d);
    }
    if (!ok) {
        char *text = json_is_string(v) ? strdup(json_string_value(v))
                                       : asl_json_text(v);
        asl_run_fail_prefixed(run, ASL_E_RUNTIME,
                              "The %s field refers to value \"%s\" which is not a valid %s: %s",
                              field, text ? text : "", want_int ? "integer" : "float", p->text);
        free(text);
        json_decref(v);
        return -1;
    }
    json_decref(v);
    *out = d;
    return 0;
}

/* A JSONata number field ({% %}), with AWS's type error (map_reader.h). */
int asl_map_jn_number(struct asl_run *run, const struct asl_tpl *t, json_t *eff, int want_int, double *out)
{
    json_t *states = asl_jn_states(run, eff, NULL, NULL), *v = NULL;
    int rc = asl_jn_tpl(run, t, states, &v);
    json_decref(states);
    if (rc == 0)
        rc = asl_jn_expect(run, t, v, want_int ? "integer" : "number");
    if (rc == 0)
        *out = json_number_value(v);
    json_decref(v);
    return rc;
}
