/*
 * emit_map.c - the Map state's descriptor: processor, items, selector,
 * concurrency and tolerance, batching, ItemReader and ResultWriter.
 */
#include <stdlib.h>
#include <string.h>

#include "cemit.h"
#include "emit_int.h"
#include "models/aws_task.h"

static FILE *members(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f)
        abort();
    return f;
}

static const char *const input_enum[] = {
    [ASL_READ_NONE] = NULL, [ASL_READ_JSON] = "ASL_READ_JSON", [ASL_READ_JSONL] = "ASL_READ_JSONL",
    [ASL_READ_CSV] = "ASL_READ_CSV", [ASL_READ_MANIFEST] = "ASL_READ_MANIFEST",
};

static const char *const transform_enum[] = {
    [ASL_WT_DEFAULT] = NULL, [ASL_WT_NONE] = "ASL_WT_NONE", [ASL_WT_COMPACT] = "ASL_WT_COMPACT",
    [ASL_WT_FLATTEN] = "ASL_WT_FLATTEN",
};

static const char *const manifest_enum[] = {
    [ASL_MANIFEST_NONE] = NULL, [ASL_MANIFEST_ATHENA_DATA] = "ASL_MANIFEST_ATHENA_DATA",
    [ASL_MANIFEST_S3_INVENTORY] = "ASL_MANIFEST_S3_INVENTORY",
};

/* The S3 client (runtime/aws/s3_store.c) for buckets bound to no folder,
 * once per program; without an S3 model buckets are folders only. */
static void need_s3(struct em *em)
{
    if (em->s3_client)
        return;
    char *model = asl_aws_s3_store_emit(em->decl);
    if (!model)
        return;
    em->s3_client = asl_em_def(em, "struct asl_s3_client", "s3_client", 0,
                               asl_em_fmt("{.model = %s, .get = asl_s3_get, .list = asl_s3_list, .put = asl_s3_put, "
                                          ".put_error = asl_s3_put_error}",
                                          model));
    free(model);
    em->needs->curl = em->needs->crypto = em->needs->expat = 1;
}

static char *emit_reader(struct em *em, const struct asl_creader *r)
{
    if (!r)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = members(&buf, &len);
    if (r->list_objects)
        fputs(", .source = ASL_SRC_LIST_OBJECTS", f);
    asl_em_field(f, "parameters", asl_em_tpl(em, r->parameters));
    if (input_enum[r->input_type])
        fprintf(f, ", .input_type = %s", input_enum[r->input_type]);
    if (r->csv_headers_given)
        fputs(", .csv_headers_given = 1", f);
    if (r->ncsv_headers) {
        char **names = calloc(r->ncsv_headers, sizeof *names);
        if (!names)
            abort();
        for (size_t i = 0; i < r->ncsv_headers; i++)
            names[i] = asl_em_str(r->csv_headers[i]);
        fprintf(f, ", .ncsv_headers = %zu, .csv_headers = %s", r->ncsv_headers,
                asl_em_def(em, "char *const", "headers", 1, asl_em_list(names, r->ncsv_headers, 1)));
    }
    fprintf(f, ", .csv_delimiter = %d", (int)r->csv_delimiter);
    if (r->has_max_items)
        fprintf(f, ", .max_items = %lld", r->max_items);
    asl_em_field(f, "max_items_path", asl_em_path_ref(em, r->max_items_path));
    asl_em_field(f, "max_items_jn", asl_em_tpl(em, r->max_items_jn));
    fputs(", .decode = asl_map_decode", f);
    em->needs->codecs = 1;
    need_s3(em);
    if (manifest_enum[r->manifest])
        fprintf(f, ", .manifest = %s", manifest_enum[r->manifest]);
    if (r->load_and_flatten)
        fputs(", .load_and_flatten = 1", f);
    asl_em_field(f, "items_pointer", r->items_pointer ? asl_em_str(r->items_pointer) : NULL);
    return asl_em_fmt("&%s", asl_em_def(em, "struct asl_item_reader", "reader", 0, asl_em_braced(f, &buf)));
}

static char *emit_writer(struct em *em, const struct asl_cwriter *w)
{
    if (!w)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = members(&buf, &len);
    if (w->parameters)
        need_s3(em);
    asl_em_field(f, "parameters", asl_em_tpl(em, w->parameters));
    if (w->output_jsonl)
        fputs(", .output_jsonl = 1", f);
    if (transform_enum[w->transform])
        fprintf(f, ", .transform = %s", transform_enum[w->transform]);
    char *init = asl_em_braced(f, &buf);
    return asl_em_fmt("&%s", asl_em_def(em, "struct asl_result_writer", "writer", 0,
                                        init ? init : strdup("{.transform = ASL_WT_DEFAULT}")));
}

/* A whole-number member when the field was given. */
static void number(FILE *f, int has, long long v, const char *member, const char *flag)
{
    if (!has)
        return;
    if (flag)
        fprintf(f, ", .%s = 1", flag);
    fprintf(f, ", .%s = %lld", member, v);
}

static void emit_batcher(struct em *em, FILE *f, const struct asl_cmap *mp)
{
    if (!mp->batched)
        return;
    fputs(", .batched = 1", f);
    number(f, mp->has_batch_max_items, mp->batch_max_items, "batch_max_items", NULL);
    asl_em_field(f, "batch_max_items_path", asl_em_path_ref(em, mp->batch_max_items_path));
    number(f, mp->has_batch_max_bytes, mp->batch_max_bytes, "batch_max_bytes", NULL);
    asl_em_field(f, "batch_max_bytes_path", asl_em_path_ref(em, mp->batch_max_bytes_path));
    asl_em_field(f, "batch_input", asl_em_tpl(em, mp->batch_input));
    asl_em_field(f, "batch_max_items_jn", asl_em_tpl(em, mp->batch_max_items_jn));
    asl_em_field(f, "batch_max_bytes_jn", asl_em_tpl(em, mp->batch_max_bytes_jn));
}

const char *asl_em_map(struct em *em, const struct asl_cstate *s)
{
    const struct asl_cmap *mp = &s->spec->u.map;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = members(&buf, &len);
    fprintf(f, ", .processor = &machine_%d", s->nchildren ? s->children[0]->id : 0);
    asl_em_field(f, "items_path", asl_em_path_ref(em, mp->items_path));
    asl_em_field(f, "item_selector", asl_em_tpl(em, mp->item_selector));
    number(f, mp->has_max_concurrency, mp->max_concurrency, "max_concurrency", NULL);
    asl_em_field(f, "max_concurrency_path", asl_em_path_ref(em, mp->max_concurrency_path));
    number(f, mp->has_tolerated_count, mp->tolerated_count, "tolerated_count", "has_tolerated_count");
    asl_em_field(f, "tolerated_count_path", asl_em_path_ref(em, mp->tolerated_count_path));
    if (mp->has_tolerated_percent)
        fprintf(f, ", .has_tolerated_percent = 1, .tolerated_percent = %.17g", mp->tolerated_percent);
    asl_em_field(f, "tolerated_percent_path", asl_em_path_ref(em, mp->tolerated_percent_path));
    if (s->jsonata) {
        fputs(", .jsonata = 1", f);
        asl_em_field(f, "items_jn", asl_em_tpl(em, mp->items_jn));
        asl_em_field(f, "max_concurrency_jn", asl_em_tpl(em, mp->max_concurrency_jn));
        asl_em_field(f, "tolerated_count_jn", asl_em_tpl(em, mp->tolerated_count_jn));
        asl_em_field(f, "tolerated_percent_jn", asl_em_tpl(em, mp->tolerated_percent_jn));
    }
    if (mp->distributed)
        fputs(", .distributed = 1", f);
    asl_em_field(f, "label", mp->label ? asl_em_str(mp->label) : NULL);
    emit_batcher(em, f, mp);
    asl_em_field(f, "reader", emit_reader(em, mp->reader));
    asl_em_field(f, "writer", emit_writer(em, mp->writer));
    char *rec = asl_em_recovery(em, &s->spec->rec);
    fputs(rec, f);
    free(rec);
    return asl_em_def(em, "struct asl_map", "map", 0, asl_em_braced(f, &buf));
}
