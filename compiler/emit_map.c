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

/* ItemReader -> {Resource, ReaderConfig?: {InputType, CSVHeaderLocation,
 * CSVHeaders, CSVDelimiter, MaxItems | MaxItemsPath}, Parameters} */
static char *emit_reader(struct em *em, struct asl_cstate *s, json_t *r)
{
    if (!r)
        return strdup("NULL");
    json_t *cfg = json_object_get(r, "ReaderConfig");
    const char *type = str_field(cfg, "InputType");
    const char *delim = str_field(cfg, "CSVDelimiter");
    json_t *headers = json_object_get(cfg, "CSVHeaders");
    char *params = s->jsonata ? asl_em_jtpl(em, json_object_get(r, "Arguments"), "ItemReader/Arguments")
                              : asl_em_tpl(em, json_object_get(r, "Parameters"));
    char *mip = asl_em_path_field(em, cfg, "MaxItemsPath", ASL_MODE_REFPATH, NULL);
    size_t nh = is(str_field(cfg, "CSVHeaderLocation"), "GIVEN") ? json_array_size(headers) : 0;
    if (nh) {
        fprintf(em->tab, "static const char *const map_%d_csv_headers[] = {", s->gid);
        for (size_t i = 0; i < nh; i++) {
            asl_cemit_cstr(em->tab, json_string_value(json_array_get(headers, i)));
            fputs(", ", em->tab);
        }
        fputs("};\n", em->tab);
    }
    char hname[48];
    snprintf(hname, sizeof hname, "map_%d_csv_headers", s->gid);
    char d = is(delim, "PIPE") ? '|' : is(delim, "SEMICOLON") ? ';' : is(delim, "TAB") ? '\t'
           : is(delim, "SPACE") ? ' ' : ',';
    fprintf(em->tab,
            "static const struct asl_item_reader map_%d_reader = {\n    .source = %s, .parameters = %s,\n"
            "    .input_type = %s, .csv_headers_given = %d, .ncsv_headers = %zu,\n"
            "    .csv_headers = %s, .csv_delimiter = %d,\n    .max_items = %lld, .max_items_path = %s,\n};\n",
            s->gid, is(str_field(r, "Resource"), "arn:aws:states:::s3:listObjectsV2") ? "ASL_SRC_LIST_OBJECTS"
                                                                                    : "ASL_SRC_GET_OBJECT",
            params,
            is(type, "JSON") ? "ASL_READ_JSON" : is(type, "JSONL") ? "ASL_READ_JSONL"
            : is(type, "CSV") ? "ASL_READ_CSV" : is(type, "MANIFEST") ? "ASL_READ_MANIFEST" : "ASL_READ_NONE",
            is(str_field(cfg, "CSVHeaderLocation"), "GIVEN"), nh, nh ? hname : "NULL", (int)d, (long long)asl_em_num_or(cfg, "MaxItems", 0), mip);
    free(params);
    free(mip);
    return asl_em_fmt("&map_%d_reader", s->gid);
}

/* ResultWriter -> {Resource?, Parameters?: {Bucket, Prefix}, WriterConfig?:
 * {OutputType, Transformation}} */
static char *emit_writer(struct em *em, struct asl_cstate *s, json_t *w)
{
    if (!w)
        return strdup("NULL");
    json_t *cfg = json_object_get(w, "WriterConfig");
    const char *t = str_field(cfg, "Transformation");
    json_t *pv = !json_object_get(w, "Resource") ? NULL
               : json_object_get(w, s->jsonata ? "Arguments" : "Parameters");
    char *params = s->jsonata ? asl_em_jtpl(em, pv, "ResultWriter/Arguments") : asl_em_tpl(em, pv);
    fprintf(em->tab,
            "static const struct asl_result_writer map_%d_writer = {.parameters = %s, .output_jsonl = %d, "
            ".transform = %s};\n",
            s->gid, params, is(str_field(cfg, "OutputType"), "JSONL"),
            is(t, "NONE") ? "ASL_WT_NONE" : is(t, "COMPACT") ? "ASL_WT_COMPACT"
            : is(t, "FLATTEN") ? "ASL_WT_FLATTEN" : "ASL_WT_DEFAULT");
    free(params);
    return asl_em_fmt("&map_%d_writer", s->gid);
}

char *asl_em_map(struct em *em, struct asl_cstate *s)
{
    json_t *n = s->node;
    char *rec = asl_em_recovery(em, s);
    char *items = asl_em_path_field(em, n, "ItemsPath", ASL_MODE_REFPATH, NULL);
    json_t *sel = json_object_get(n, "ItemSelector");
    if (!sel)
        sel = json_object_get(n, "Parameters");
    char *selector = s->jsonata ? asl_em_jtpl(em, sel, "ItemSelector") : asl_em_tpl(em, sel);
    char *items_jn = s->jsonata ? asl_em_jtpl(em, json_object_get(n, "Items"), "Items") : strdup("NULL");
    char *mc_jn = s->jsonata ? asl_em_jtpl_expr_only(em, n, "MaxConcurrency") : strdup("NULL");
    char *tc_jn = s->jsonata ? asl_em_jtpl_expr_only(em, n, "ToleratedFailureCount") : strdup("NULL");
    char *tp_jn = s->jsonata ? asl_em_jtpl_expr_only(em, n, "ToleratedFailurePercentage") : strdup("NULL");
    char *mcp = asl_em_path_field(em, n, "MaxConcurrencyPath", ASL_MODE_REFPATH, NULL);
    char *tcp = asl_em_path_field(em, n, "ToleratedFailureCountPath", ASL_MODE_REFPATH, NULL);
    char *tpp = asl_em_path_field(em, n, "ToleratedFailurePercentagePath", ASL_MODE_REFPATH, NULL);
    json_t *proc = json_object_get(n, "ItemProcessor");
    if (!proc)
        proc = json_object_get(n, "Iterator");     /* the legacy name takes ProcessorConfig too */
    json_t *mode = json_object_get(json_object_get(proc, "ProcessorConfig"), "Mode");
    json_t *batcher = json_object_get(n, "ItemBatcher");
    char *batch_input = asl_em_tpl(em, json_object_get(batcher, "BatchInput"));
    char *bip = asl_em_path_field(em, batcher, "MaxItemsPerBatchPath", ASL_MODE_REFPATH, NULL);
    char *bbp = asl_em_path_field(em, batcher, "MaxInputBytesPerBatchPath", ASL_MODE_REFPATH, NULL);
    char *reader = emit_reader(em, s, json_object_get(n, "ItemReader"));
    char *writer = emit_writer(em, s, json_object_get(n, "ResultWriter"));
    fprintf(em->tab, "static const struct asl_map map_%d = {\n    .processor = &machine_%d, .items_path = %s,\n"
                     "    .item_selector = %s,\n    .max_concurrency = %lld, .max_concurrency_path = %s,\n"
                     "    .tolerated_count = %lld, .tolerated_count_path = %s,\n"
                     "    .tolerated_percent = %.17g, .tolerated_percent_path = %s,\n"
                     "    .distributed = %d, .label = ",
            s->gid, s->nchildren ? s->children[0]->id : 0, items, selector,
            (long long)asl_em_num_or(n, "MaxConcurrency", 0), mcp,
            (long long)asl_em_num_or(n, "ToleratedFailureCount", -1), tcp,
            asl_em_num_or(n, "ToleratedFailurePercentage", -1), tpp,
            json_is_string(mode) && strcmp(json_string_value(mode), "DISTRIBUTED") == 0);
    asl_cemit_cstr(em->tab, json_string_value(json_object_get(n, "Label")));
    fprintf(em->tab, ",\n    .batch_max_items = %lld, .batch_input = %s,\n    %s,\n"
                     "    .reader = %s, .writer = %s,\n"
                     "    .batch_max_items_path = %s, .batch_max_bytes = %lld, .batch_max_bytes_path = %s,\n"
                     "    .jsonata = %d, .items_jn = %s, .max_concurrency_jn = %s,\n"
                     "    .tolerated_count_jn = %s, .tolerated_percent_jn = %s,\n};\n",
            (long long)asl_em_num_or(batcher, "MaxItemsPerBatch", batcher ? 0 : -1), batch_input, rec,
            reader, writer, bip, (long long)asl_em_num_or(batcher, "MaxInputBytesPerBatch", -1), bbp,
            s->jsonata, items_jn, mc_jn, tc_jn, tp_jn);
    free(items_jn);
    free(mc_jn);
    free(tc_jn);
    free(tp_jn);
    free(bip);
    free(bbp);
    free(reader);
    free(writer);
    free(rec);
    free(items);
    free(selector);
    free(mcp);
    free(tcp);
    free(tpp);
    free(batch_input);
    return asl_em_fmt("&map_%d", s->gid);
}
