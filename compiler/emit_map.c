/*
 * emit_map.c - the Map state's descriptor: processor, items, selector,
 * concurrency and tolerance, batching.
 */
#include <stdlib.h>
#include <string.h>

#include "cemit.h"
#include "emit_int.h"

char *asl_em_map(struct em *em, struct asl_cstate *s)
{
    json_t *n = s->node;
    char *rec = asl_em_recovery(em, s);
    char *items = asl_em_path_field(em, n, "ItemsPath", ASL_MODE_REFPATH, NULL);
    json_t *sel = json_object_get(n, "ItemSelector");
    if (!sel)
        sel = json_object_get(n, "Parameters");
    char *selector = asl_em_tpl(em, sel);
    char *mcp = asl_em_path_field(em, n, "MaxConcurrencyPath", ASL_MODE_REFPATH, NULL);
    char *tcp = asl_em_path_field(em, n, "ToleratedFailureCountPath", ASL_MODE_REFPATH, NULL);
    char *tpp = asl_em_path_field(em, n, "ToleratedFailurePercentagePath", ASL_MODE_REFPATH, NULL);
    json_t *proc = json_object_get(n, "ItemProcessor");
    json_t *mode = json_object_get(json_object_get(proc, "ProcessorConfig"), "Mode");
    json_t *batcher = json_object_get(n, "ItemBatcher");
    char *batch_input = asl_em_tpl(em, json_object_get(batcher, "BatchInput"));
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
    fprintf(em->tab, ",\n    .batch_max_items = %lld, .batch_input = %s,\n    %s,\n};\n",
            (long long)asl_em_num_or(batcher, "MaxItemsPerBatch", batcher ? 0 : -1), batch_input, rec);
    free(rec);
    free(items);
    free(selector);
    free(mcp);
    free(tcp);
    free(tpp);
    free(batch_input);
    return asl_em_fmt("&map_%d", s->gid);
}
