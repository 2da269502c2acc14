/*
 * emit_map.c - the Map state's descriptor: processor, items, selector,
 * concurrency and tolerance, batching.
 */
#include <stdlib.h>
#include <string.h>

#include "cemit.h"
#include "emit_int.h"

static const char *str_field(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

static FILE *members(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f)
        abort();
    return f;
}

/* ItemReader -> {Resource, ReaderConfig?: {InputType, CSVHeaderLocation,
 * CSVHeaders, CSVDelimiter, MaxItems | MaxItemsPath, ItemsPointer,
 * ManifestType, Transformation},
 * Parameters | Arguments} */
static char *emit_reader(struct em *em, struct asl_cstate *s, json_t *r)
{
    if (!r)
        return NULL;
    json_t *cfg = json_object_get(r, "ReaderConfig");
    const char *type = str_field(cfg, "InputType");
    const char *delim = str_field(cfg, "CSVDelimiter");
    json_t *headers = json_object_get(cfg, "CSVHeaders");
    int given = is(str_field(cfg, "CSVHeaderLocation"), "GIVEN");
    size_t nh = given ? json_array_size(headers) : 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = members(&buf, &len);
    if (is(str_field(r, "Resource"), "arn:aws:states:::s3:listObjectsV2"))
        fputs(", .source = ASL_SRC_LIST_OBJECTS", f);
    asl_em_field(f, "parameters", s->jsonata ? asl_em_jtpl(em, json_object_get(r, "Arguments"), "ItemReader/Arguments")
                                             : asl_em_tpl(em, json_object_get(r, "Parameters")));
    const char *input = is(type, "JSON") ? "ASL_READ_JSON" : is(type, "JSONL") ? "ASL_READ_JSONL"
                      : is(type, "CSV") ? "ASL_READ_CSV" : is(type, "MANIFEST") ? "ASL_READ_MANIFEST" : NULL;
    if (input)
        fprintf(f, ", .input_type = %s", input);
    if (given)
        fputs(", .csv_headers_given = 1", f);
    if (nh) {
        char **names = calloc(nh, sizeof *names);
        if (!names)
            abort();
        for (size_t i = 0; i < nh; i++)
            names[i] = asl_em_str(json_string_value(json_array_get(headers, i)));
        fprintf(f, ", .ncsv_headers = %zu, .csv_headers = %s", nh,
                asl_em_def(em, "char *const", "headers", 1, asl_em_list(names, nh, 1)));
    }
    char d = is(delim, "PIPE") ? '|' : is(delim, "SEMICOLON") ? ';' : is(delim, "TAB") ? '\t'
           : is(delim, "SPACE") ? ' ' : ',';
    fprintf(f, ", .csv_delimiter = %d", (int)d);
    json_t *mi = json_object_get(cfg, "MaxItems");
    if (json_is_number(mi))
        fprintf(f, ", .max_items = %lld", (long long)json_number_value(mi));
    asl_em_field(f, "max_items_path", asl_em_path_field(em, cfg, "MaxItemsPath", ASL_MODE_REFPATH, NULL));
    if (s->jsonata)
        asl_em_field(f, "max_items_jn", asl_em_jtpl_expr_only(em, cfg, "MaxItems"));
    fputs(", .decode = asl_map_decode", f);
    em->needs->codecs = 1;
    const char *mt = str_field(cfg, "ManifestType");
    if (is(mt, "S3_INVENTORY") || is(type, "MANIFEST"))
        fputs(", .manifest = ASL_MANIFEST_S3_INVENTORY", f);
    else if (is(mt, "ATHENA_DATA"))
        fputs(", .manifest = ASL_MANIFEST_ATHENA_DATA", f);
    if (is(str_field(cfg, "Transformation"), "LOAD_AND_FLATTEN"))
        fputs(", .load_and_flatten = 1", f);
    const char *ptr = str_field(cfg, "ItemsPointer");
    asl_em_field(f, "items_pointer", ptr ? asl_em_str(ptr) : NULL);
    return asl_em_fmt("&%s", asl_em_def(em, "struct asl_item_reader", "reader", 0, asl_em_braced(f, &buf)));
}

/* ResultWriter -> {Resource?, Parameters?: {Bucket, Prefix}, WriterConfig?:
 * {OutputType, Transformation}} */
static char *emit_writer(struct em *em, struct asl_cstate *s, json_t *w)
{
    if (!w)
        return NULL;
    json_t *cfg = json_object_get(w, "WriterConfig");
    const char *t = str_field(cfg, "Transformation");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = members(&buf, &len);
    json_t *pv = !json_object_get(w, "Resource") ? NULL
               : json_object_get(w, s->jsonata ? "Arguments" : "Parameters");
    asl_em_field(f, "parameters", s->jsonata ? asl_em_jtpl(em, pv, "ResultWriter/Arguments") : asl_em_tpl(em, pv));
    if (is(str_field(cfg, "OutputType"), "JSONL"))
        fputs(", .output_jsonl = 1", f);
    const char *tr = is(t, "NONE") ? "ASL_WT_NONE" : is(t, "COMPACT") ? "ASL_WT_COMPACT"
                   : is(t, "FLATTEN") ? "ASL_WT_FLATTEN" : NULL;
    if (tr)
        fprintf(f, ", .transform = %s", tr);
    char *init = asl_em_braced(f, &buf);
    return asl_em_fmt("&%s", asl_em_def(em, "struct asl_result_writer", "writer", 0,
                                        init ? init : strdup("{.transform = ASL_WT_DEFAULT}")));
}

/* A whole-number member when the field is a number. */
static void number(FILE *f, json_t *obj, const char *key, const char *member, const char *flag)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return;
    if (flag)
        fprintf(f, ", .%s = 1", flag);
    fprintf(f, ", .%s = %lld", member, (long long)json_number_value(v));
}

const char *asl_em_map(struct em *em, struct asl_cstate *s)
{
    json_t *n = s->node;
    json_t *sel = json_object_get(n, "ItemSelector");
    if (!sel)
        sel = json_object_get(n, "Parameters");
    json_t *proc = json_object_get(n, "ItemProcessor");
    if (!proc)
        proc = json_object_get(n, "Iterator");     /* the legacy name takes ProcessorConfig too */
    json_t *mode = json_object_get(json_object_get(proc, "ProcessorConfig"), "Mode");
    json_t *batcher = json_object_get(n, "ItemBatcher");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = members(&buf, &len);
    fprintf(f, ", .processor = &machine_%d", s->nchildren ? s->children[0]->id : 0);
    asl_em_field(f, "items_path", asl_em_path_field(em, n, "ItemsPath", ASL_MODE_REFPATH, NULL));
    asl_em_field(f, "item_selector", s->jsonata ? asl_em_jtpl(em, sel, "ItemSelector") : asl_em_tpl(em, sel));
    number(f, n, "MaxConcurrency", "max_concurrency", NULL);
    asl_em_field(f, "max_concurrency_path", asl_em_path_field(em, n, "MaxConcurrencyPath", ASL_MODE_REFPATH, NULL));
    number(f, n, "ToleratedFailureCount", "tolerated_count", "has_tolerated_count");
    asl_em_field(f, "tolerated_count_path",
                 asl_em_path_field(em, n, "ToleratedFailureCountPath", ASL_MODE_REFPATH, NULL));
    json_t *tp = json_object_get(n, "ToleratedFailurePercentage");
    if (json_is_number(tp))
        fprintf(f, ", .has_tolerated_percent = 1, .tolerated_percent = %.17g", json_number_value(tp));
    asl_em_field(f, "tolerated_percent_path",
                 asl_em_path_field(em, n, "ToleratedFailurePercentagePath", ASL_MODE_REFPATH, NULL));
    if (s->jsonata) {
        fputs(", .jsonata = 1", f);
        asl_em_field(f, "items_jn", asl_em_jtpl(em, json_object_get(n, "Items"), "Items"));
        asl_em_field(f, "max_concurrency_jn", asl_em_jtpl_expr_only(em, n, "MaxConcurrency"));
        asl_em_field(f, "tolerated_count_jn", asl_em_jtpl_expr_only(em, n, "ToleratedFailureCount"));
        asl_em_field(f, "tolerated_percent_jn", asl_em_jtpl_expr_only(em, n, "ToleratedFailurePercentage"));
    }
    if (json_is_string(mode) && strcmp(json_string_value(mode), "DISTRIBUTED") == 0)
        fputs(", .distributed = 1", f);
    const char *label = str_field(n, "Label");
    asl_em_field(f, "label", label ? asl_em_str(label) : NULL);
    if (batcher) {
        fputs(", .batched = 1", f);
        number(f, batcher, "MaxItemsPerBatch", "batch_max_items", NULL);
        asl_em_field(f, "batch_max_items_path",
                     asl_em_path_field(em, batcher, "MaxItemsPerBatchPath", ASL_MODE_REFPATH, NULL));
        number(f, batcher, "MaxInputBytesPerBatch", "batch_max_bytes", NULL);
        asl_em_field(f, "batch_max_bytes_path",
                     asl_em_path_field(em, batcher, "MaxInputBytesPerBatchPath", ASL_MODE_REFPATH, NULL));
        asl_em_field(f, "batch_input", asl_em_tpl(em, json_object_get(batcher, "BatchInput")));
    }
    asl_em_field(f, "reader", emit_reader(em, s, json_object_get(n, "ItemReader")));
    asl_em_field(f, "writer", emit_writer(em, s, json_object_get(n, "ResultWriter")));
    char *rec = asl_em_recovery(em, s);
    fputs(rec, f);
    free(rec);
    return asl_em_def(em, "struct asl_map", "map", 0, asl_em_braced(f, &buf));
}
