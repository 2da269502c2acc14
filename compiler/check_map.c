/*
 * check_map.c - checks of the Map state's own fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exprs.h"
#include "vocab.h"

/* The value of `key` must be one of the strings in `allowed` (NULL-ended). */
static void ck_enum(struct asl_diags *d, json_t *node, const char *key, const char *base,
                    const char *const *allowed)
{
    json_t *v = json_object_get(node, key);
    if (!v)
        return;
    for (size_t i = 0; allowed[i]; i++)
        if (json_is_string(v) && strcmp(json_string_value(v), allowed[i]) == 0)
            return;
    char *p = asl_ptr_join(base, key);
    char list[200] = "";
    for (size_t i = 0; allowed[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
    asl_diag_error(d, p, "%s must be one of %s", key, list);
    free(p);
}

static void ck_one_of(struct asl_diags *d, json_t *node, const char *base, const char *a, const char *b)
{
    if (json_object_get(node, a) && json_object_get(node, b))
        asl_diag_error(d, base, "State MUST contain at most one of \"%s\", \"%s\"", a, b);
}

/* A *Path field nested in a JSONata Map's ItemReader or ItemBatcher: the
 * JSONPath-only fields go in JSONata states, at any depth. */
static void no_jsonata_path(struct asl_diags *d, json_t *node, const char *base, const char *key)
{
    if (!json_object_get(node, key))
        return;
    char *p = asl_ptr_join(base, key);
    asl_diag_error(d, p, "The field '%s' is not supported in JSONata states", key);
    free(p);
}

/* A payload template's "key.$" values must be paths or intrinsic calls. */
static void ck_template(struct asl_model *m, struct asl_diags *d, json_t *v, const char *p)
{
    const char *key;
    json_t *val;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            char *ip = asl_ptr_index(p, i);
            ck_template(m, d, json_array_get(v, i), ip);
            free(ip);
        }
        return;
    }
    json_object_foreach(v, key, val) {
        char *kp = asl_ptr_join(p, key);
        size_t kl = strlen(key);
        if (kl >= 2 && strcmp(key + kl - 2, ".$") == 0) {
            if (!json_is_string(val))
                asl_diag_error(d, kp, "The value for the field '%s' must be a valid JSONPath or a valid "
                               "intrinsic function call", key);
            else
                asl_ck_expr(m, d, kp, val, ASL_MODE_PAYLOAD);
        } else {
            ck_template(m, d, val, kp);
        }
        free(kp);
    }
}

/* Parameters of an ItemReader / ResultWriter: an object naming a Bucket.
 * In a JSONata Map the field is Arguments (spec, "Arguments" replaces
 * Parameters in JSONata states; the Map's ItemReader and ResultWriter
 * included): an object whose values may be {% %} strings, or one {% %}
 * expression that yields the object. */
static void ck_params(struct asl_model *m, struct asl_diags *d, json_t *node, const char *base, int jsonata)
{
    const char *field = jsonata ? "Arguments" : "Parameters";
    const char *other = jsonata ? "Parameters" : "Arguments";
    if (json_object_get(node, other)) {
        char *op = asl_ptr_join(base, other);
        asl_diag_error(d, op, "Field '%s' is not supported in a %s state", other,
                       jsonata ? "JSONata" : "JSONPath");
        free(op);
    }
    json_t *pv = json_object_get(node, field);
    char *p = asl_ptr_join(base, field);
    if (jsonata && json_is_string(pv) && asl_is_jsonata_text(json_string_value(pv), NULL, NULL)) {
        free(p);
        return;     /* parsed with the state's other expressions */
    }
    if (!json_is_object(pv))
        asl_diag_error(d, p, "%s must be an object with the Bucket", field);
    else if (!json_object_get(pv, "Bucket") && !json_object_get(pv, "Bucket.$"))
        asl_diag_error(d, p, "%s must name the Bucket", field);
    else if (!jsonata)
        ck_template(m, d, pv, p);
    free(p);
}

/* Fields outside `allowed` (NULL-ended) are errors: nothing is ignored. */
static void ck_fields(struct asl_diags *d, json_t *node, const char *base, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(node, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i]) {
            char *p = asl_ptr_join(base, key);
            asl_diag_error(d, p, "Field '%s' is not supported here", key);
            free(p);
        }
    }
}

/* ReaderConfig.ItemsPointer: an RFC 6901 JSON Pointer ("" or "/a/0/b",
 * '~' only as ~0 or ~1) into a JSON file (AWS's ItemReader page: it selects
 * the nested array or object the Map runs over). */
static void ck_items_pointer(struct asl_diags *d, json_t *cfg, const char *base)
{
    json_t *v = json_object_get(cfg, "ItemsPointer");
    if (!v)
        return;
    char *p = asl_ptr_join(base, "ItemsPointer");
    const char *s = json_string_value(v);
    const char *type = json_string_value(json_object_get(cfg, "InputType"));
    if (!s) {
        asl_diag_error(d, p, "ItemsPointer must be a string");
    } else if (*s && *s != '/') {
        asl_diag_error(d, p, "ItemsPointer must be a JSON Pointer: empty or starting with '/', not '%s'", s);
    } else {
        for (const char *c = s; *c; c++)
            if (*c == '~' && c[1] != '0' && c[1] != '1') {
                asl_diag_error(d, p, "ItemsPointer: '~' must be followed by 0 or 1 (JSON Pointer escapes)");
                break;
            }
        if (!type || strcmp(type, "JSON") != 0)
            asl_diag_error(d, p, "ItemsPointer needs ReaderConfig.InputType JSON");
    }
    free(p);
}

/* Which ReaderConfig fields go together (AWS's ItemReader page):
 * ManifestType with getObject, S3_INVENTORY without an InputType other than
 * MANIFEST, ATHENA_DATA with the data files' InputType (CSV, JSONL,
 * PARQUET); Transformation with listObjectsV2, LOAD_AND_FLATTEN with the
 * listed objects' InputType. */
static void ck_reader_combinations(struct asl_diags *d, json_t *cfg, const char *base, const char *res)
{
    const char *type = json_string_value(json_object_get(cfg, "InputType"));
    const char *mt = json_string_value(json_object_get(cfg, "ManifestType"));
    const char *tr = json_string_value(json_object_get(cfg, "Transformation"));
    int list = res && strcmp(res, "arn:aws:states:::s3:listObjectsV2") == 0;
    char *mp = asl_ptr_join(base, "ManifestType"), *tp = asl_ptr_join(base, "Transformation");
    if (mt && list)
        asl_diag_error(d, mp, "ManifestType needs Resource arn:aws:states:::s3:getObject");
    else if (mt && strcmp(mt, "S3_INVENTORY") == 0 && type && strcmp(type, "MANIFEST") != 0)
        asl_diag_error(d, mp, "ManifestType S3_INVENTORY takes no InputType: the inventory is CSV");
    else if (mt && strcmp(mt, "ATHENA_DATA") == 0 && (!type || strcmp(type, "MANIFEST") == 0 || strcmp(type, "JSON") == 0))
        asl_diag_error(d, mp, "ManifestType ATHENA_DATA needs InputType CSV, JSONL or PARQUET (the data files' format)");
    if (tr && !list)
        asl_diag_error(d, tp, "Transformation needs Resource arn:aws:states:::s3:listObjectsV2");
    else if (tr && strcmp(tr, "LOAD_AND_FLATTEN") == 0 && (!type || strcmp(type, "MANIFEST") == 0))
        asl_diag_error(d, tp, "Transformation LOAD_AND_FLATTEN needs InputType CSV, JSON, JSONL or PARQUET");
    if (type && strcmp(type, "MANIFEST") == 0 && list)
        asl_diag_error(d, base, "InputType MANIFEST needs Resource arn:aws:states:::s3:getObject");
    else if (type && list && !(tr && strcmp(tr, "LOAD_AND_FLATTEN") == 0))
        asl_diag_warning(d, base, "InputType has no effect on a listing without Transformation LOAD_AND_FLATTEN: "
                         "each item is the object's summary");
    free(mp);
    free(tp);
}

/* The ItemReader's Parameters (Arguments) name only what the reader
 * honours (runtime/map/map_reader.c): getObject's Bucket, Key, VersionId,
 * ExpectedBucketOwner; listObjectsV2's Bucket, Prefix, ExpectedBucketOwner.
 * A "Field.$" path counts as Field. */
static void ck_reader_params(struct asl_diags *d, json_t *r, const char *base, int jsonata, const char *res)
{
    static const char *const get_fields[] = {"Bucket", "Key", "VersionId", "ExpectedBucketOwner", NULL};
    static const char *const list_fields[] = {"Bucket", "Prefix", "ExpectedBucketOwner", NULL};
    const char *field = jsonata ? "Arguments" : "Parameters";
    json_t *pv = json_object_get(r, field);
    if (!json_is_object(pv) || !res)
        return;
    int list = strcmp(res, "arn:aws:states:::s3:listObjectsV2") == 0;
    char *p = asl_ptr_join(base, field);
    const char *key;
    json_t *v;
    json_object_foreach(pv, key, v) {
        size_t n = strlen(key);
        if (!jsonata && n >= 2 && strcmp(key + n - 2, ".$") == 0)
            n -= 2;
        const char *const *f = list ? list_fields : get_fields;
        while (*f && (strlen(*f) != n || strncmp(*f, key, n) != 0))
            f++;
        if (*f)
            continue;
        char *kp = asl_ptr_join(p, key);
        asl_diag_error(d, kp, "ItemReader %s field '%.*s' is not supported by this version of aslc with %s",
                       field, (int)n, key, list ? "s3:listObjectsV2" : "s3:getObject");
        free(kp);
    }
    free(p);
}

/* ItemReader -> {Resource, ReaderConfig?: {InputType, CSVHeaderLocation,
 * CSVHeaders, CSVDelimiter, MaxItems | MaxItemsPath, ItemsPointer,
 * ManifestType, Transformation}, Parameters | Arguments} */
static void ck_reader(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    json_t *r = json_object_get(s->node, "ItemReader");
    if (!r)
        return;
    char *p = asl_ptr_join(s->pointer, "ItemReader");
    if (!json_is_object(r)) {
        asl_diag_error(d, p, "ItemReader must be an object");
        free(p);
        return;
    }
    /* Parameters/Arguments in the wrong mode are reported by ck_params. */
    static const char *const reader_fields[] = {"Resource", "ReaderConfig", "Parameters", "Arguments", NULL};
    ck_fields(d, r, p, reader_fields);
    static const char *const resources[] = {"arn:aws:states:::s3:getObject",
                                            "arn:aws:states:::s3:listObjectsV2", NULL};
    if (!json_object_get(r, "Resource"))
        asl_diag_error(d, p, "ItemReader must contain \"Resource\"");
    ck_enum(d, r, "Resource", p, resources);
    ck_params(m, d, r, p, s->jsonata);
    json_t *cfg = json_object_get(r, "ReaderConfig");
    char *cp = asl_ptr_join(p, "ReaderConfig");
    const char *res = json_string_value(json_object_get(r, "Resource"));
    ck_reader_params(d, r, p, s->jsonata, res);
    if (cfg && !json_is_object(cfg)) {
        asl_diag_error(d, cp, "ReaderConfig must be an object");
    } else {
        static const char *const cfg_fields[] = {"InputType", "CSVHeaderLocation", "CSVHeaders",
            "CSVDelimiter", "MaxItems", "MaxItemsPath", "ItemsPointer", "ManifestType", "Transformation", NULL};
        static const char *const types[] = {"CSV", "JSON", "JSONL", "PARQUET", "MANIFEST", NULL};
        static const char *const where[] = {"FIRST_ROW", "GIVEN", NULL};
        static const char *const delims[] = {"COMMA", "PIPE", "SEMICOLON", "TAB", "SPACE", NULL};
        static const char *const manifests[] = {"ATHENA_DATA", "S3_INVENTORY", NULL};
        static const char *const transforms[] = {"NONE", "LOAD_AND_FLATTEN", NULL};
        if (cfg)
            ck_fields(d, cfg, cp, cfg_fields);
        ck_enum(d, cfg, "InputType", cp, types);
        ck_enum(d, cfg, "CSVHeaderLocation", cp, where);
        ck_enum(d, cfg, "CSVDelimiter", cp, delims);
        ck_enum(d, cfg, "ManifestType", cp, manifests);
        ck_enum(d, cfg, "Transformation", cp, transforms);
        ck_reader_combinations(d, cfg, cp, res);
        /* ManifestType S3_INVENTORY implies the inventory's CSV: no InputType. */
        if (res && strcmp(res, resources[0]) == 0 && !json_object_get(cfg, "InputType") &&
            !json_object_get(cfg, "ManifestType"))
            asl_diag_error(d, cp, "ReaderConfig.InputType is required with %s", res);
        json_t *loc = json_object_get(cfg, "CSVHeaderLocation");
        json_t *h = json_object_get(cfg, "CSVHeaders");
        if (json_is_string(loc) && strcmp(json_string_value(loc), "GIVEN") == 0) {
            int ok = json_is_array(h) && json_array_size(h) > 0;
            for (size_t i = 0; ok && i < json_array_size(h); i++)
                ok = json_is_string(json_array_get(h, i));
            if (!ok)
                asl_diag_error(d, cp, "CSVHeaderLocation GIVEN needs CSVHeaders, a non-empty array of strings");
        }
        ck_one_of(d, cfg, cp, "MaxItems", "MaxItemsPath");
        ck_items_pointer(d, cfg, cp);
        /* MaxItems 0 means no limit (recorded); AWS caps it at 100,000,000. */
        json_t *mi = json_object_get(cfg, "MaxItems");
        if (s->jsonata && json_is_string(mi)) {
            if (!asl_is_jsonata_text(json_string_value(mi), NULL, NULL)) {
                char *mp = asl_ptr_join(cp, "MaxItems");
                asl_diag_error(d, mp, "MaxItems must be an integer or a JSONata expression ({%% %%})");
                free(mp);
            }
        } else {
            asl_ck_int_range(d, cfg, "MaxItems", cp, 0, 100000000);
        }
        if (!s->jsonata) {
            asl_ck_ref_path(m, d, cfg, "MaxItemsPath", cp);
        } else if (json_object_get(cfg, "MaxItemsPath")) {
            char *mp = asl_ptr_join(cp, "MaxItemsPath");
            asl_diag_error(d, mp, "The field 'MaxItemsPath' is not supported in JSONata states");
            free(mp);
        }
    }
    /* AWS ignores ItemsPath when an ItemReader gives the items (recorded:
     * any ItemsPath, even one that selects nothing, gave the file's items). */
    if (json_object_get(s->node, "ItemsPath")) {
        char *ip = asl_ptr_join(s->pointer, "ItemsPath");
        asl_diag_warning(d, ip, "ItemsPath has no effect with an ItemReader (AWS ignores it); "
                         "ReaderConfig.ItemsPointer selects inside a JSON file");
        free(ip);
    }
    free(cp);
    free(p);
}

/* ItemBatcher -> {MaxItemsPerBatch | ...Path, MaxInputBytesPerBatch | ...Path, BatchInput?} */
static void ck_batcher(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    json_t *b = json_object_get(s->node, "ItemBatcher");
    if (!b)
        return;
    char *p = asl_ptr_join(s->pointer, "ItemBatcher");
    if (!json_is_object(b)) {
        asl_diag_error(d, p, "ItemBatcher must be an object");
    } else {
        ck_one_of(d, b, p, "MaxItemsPerBatch", "MaxItemsPerBatchPath");
        ck_one_of(d, b, p, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath");
        static const char *const batcher_fields[] = {"MaxItemsPerBatch", "MaxItemsPerBatchPath",
            "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput", NULL};
        ck_fields(d, b, p, batcher_fields);
        if (s->jsonata) {
            /* JSONata: each number may be a {% %} expression (evaluated at
             * run time to a positive integer), BatchInput an object of
             * {% %} values or one expression; the *Path fields are
             * JSONPath's. */
            static const char *const nums[][2] = {{"MaxItemsPerBatch", "2147483647"},
                                                  {"MaxInputBytesPerBatch", "262144"}};
            for (size_t i = 0; i < 2; i++) {
                json_t *v = json_object_get(b, nums[i][0]);
                char *np = asl_ptr_join(p, nums[i][0]);
                if (json_is_string(v) && !asl_is_jsonata_text(json_string_value(v), NULL, NULL))
                    asl_diag_error(d, np, "%s must be an integer or a JSONata expression ({%% %%})", nums[i][0]);
                else if (!json_is_string(v))
                    asl_ck_int_range(d, b, nums[i][0], p, 1, atoll(nums[i][1]));
                free(np);
            }
            no_jsonata_path(d, b, p, "MaxItemsPerBatchPath");
            no_jsonata_path(d, b, p, "MaxInputBytesPerBatchPath");
            json_t *bi = json_object_get(b, "BatchInput");
            if (bi && !json_is_object(bi) &&
                !(json_is_string(bi) && asl_is_jsonata_text(json_string_value(bi), NULL, NULL))) {
                char *bp = asl_ptr_join(p, "BatchInput");
                asl_diag_error(d, bp, "BatchInput must be an object or a JSONata expression ({%% %%})");
                free(bp);
            }
        } else {
            asl_ck_int_range(d, b, "MaxItemsPerBatch", p, 1, 2147483647);
            asl_ck_int_range(d, b, "MaxInputBytesPerBatch", p, 1, 262144);
            asl_ck_ref_path(m, d, b, "MaxItemsPerBatchPath", p);
            asl_ck_ref_path(m, d, b, "MaxInputBytesPerBatchPath", p);
            json_t *bi = json_object_get(b, "BatchInput");
            char *bp = asl_ptr_join(p, "BatchInput");
            if (bi && !json_is_object(bi))
                asl_diag_error(d, bp, "BatchInput must be an object");
            else if (bi)
                ck_template(m, d, bi, bp);
            free(bp);
        }
    }
    free(p);
}

/* ResultWriter -> {Resource, Parameters} and/or {WriterConfig} */
static void ck_writer(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    json_t *w = json_object_get(s->node, "ResultWriter");
    if (!w)
        return;
    char *p = asl_ptr_join(s->pointer, "ResultWriter");
    if (!json_is_object(w)) {
        asl_diag_error(d, p, "ResultWriter must be an object");
        free(p);
        return;
    }
    json_t *res = json_object_get(w, "Resource"), *cfg = json_object_get(w, "WriterConfig");
    if (!res && !cfg)
        asl_diag_error(d, p, "ResultWriter needs Resource and Parameters, WriterConfig, or all three");
    if (res) {
        static const char *const resources[] = {"arn:aws:states:::s3:putObject", NULL};
        ck_enum(d, w, "Resource", p, resources);
        ck_params(m, d, w, p, s->jsonata);
    } else if (json_object_get(w, "Parameters") || json_object_get(w, "Arguments")) {
        asl_diag_error(d, p, "ResultWriter %s need a Resource", s->jsonata ? "Arguments" : "Parameters");
    }
    if (cfg) {
        char *cp = asl_ptr_join(p, "WriterConfig");
        static const char *const outs[] = {"JSON", "JSONL", NULL};
        static const char *const trans[] = {"NONE", "COMPACT", "FLATTEN", NULL};
        if (!json_is_object(cfg))
            asl_diag_error(d, cp, "WriterConfig must be an object");
        else if (!json_object_get(cfg, "OutputType"))
            asl_diag_error(d, cp, "WriterConfig must contain \"OutputType\"");
        ck_enum(d, cfg, "OutputType", cp, outs);
        ck_enum(d, cfg, "Transformation", cp, trans);
        free(cp);
    }
    free(p);
}

void asl_check_map(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s)
{
    json_t *ip = json_object_get(s->node, "ItemProcessor"), *it = json_object_get(s->node, "Iterator");
    if (!!ip == !!it)
        asl_diag_error(d, s->pointer, "State MUST contain exactly one of \"ItemProcessor\", \"Iterator\"");
    json_t *proc = ip ? ip : it;
    if (proc && (!json_is_object(proc) || !json_is_object(json_object_get(proc, "States")))) {
        char *p = asl_ptr_join(s->pointer, ip ? "ItemProcessor" : "Iterator");
        asl_diag_error(d, p, "must be an object with StartAt and States");
        free(p);
    }
    if (json_object_get(s->node, "ItemSelector") && json_object_get(s->node, "Parameters"))
        asl_diag_error(d, s->pointer, "State MUST contain at most one of \"ItemSelector\", \"Parameters\"");
    static const char *const pairs[][2] = {
        {"MaxConcurrency", "MaxConcurrencyPath"},
        {"ToleratedFailureCount", "ToleratedFailureCountPath"},
        {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"},
    };
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(s->node, pairs[i][0]) && json_object_get(s->node, pairs[i][1]))
            asl_diag_error(d, s->pointer, "State MUST contain at most one of \"%s\", \"%s\"",
                           pairs[i][0], pairs[i][1]);
    if (!s->jsonata) {
        asl_ck_int_range(d, s->node, "MaxConcurrency", s->pointer, 0, 2147483647);
        asl_ck_int_range(d, s->node, "ToleratedFailureCount", s->pointer, 0, 2147483647);
        json_t *tp = json_object_get(s->node, "ToleratedFailurePercentage");
        if (tp && (!json_is_number(tp) || json_number_value(tp) < 0 || json_number_value(tp) > 100)) {
            char *p = asl_ptr_join(s->pointer, "ToleratedFailurePercentage");
            asl_diag_error(d, p, "ToleratedFailurePercentage must be a number from 0 to 100");
            free(p);
        }
        asl_ck_ref_path(m, d, s->node, "ItemsPath", s->pointer);
        asl_ck_ref_path(m, d, s->node, "MaxConcurrencyPath", s->pointer);
        asl_ck_ref_path(m, d, s->node, "ToleratedFailureCountPath", s->pointer);
        asl_ck_ref_path(m, d, s->node, "ToleratedFailurePercentagePath", s->pointer);
    }
    json_t *label = json_object_get(s->node, "Label");
    if (label && (!json_is_string(label) || strlen(json_string_value(label)) > 40)) {
        char *p = asl_ptr_join(s->pointer, "Label");
        asl_diag_error(d, p, "Label must be a string of at most 40 characters");
        free(p);
    }
    ck_reader(m, d, s);
    ck_batcher(m, d, s);
    ck_writer(m, d, s);
    asl_ck_retry(d, s);
    asl_ck_catch(m, d, s);
}
