/*
 * emit_jsonata.c - JSONata template nodes: every "{% ... %}" the checker
 * parsed becomes static const asl_jn_node tables (written by asl_jn_emit),
 * once per distinct expression text.
 */
#include <stdlib.h>
#include <string.h>

#include "cemit.h"
#include "emit_int.h"
#include "jsonata_ast.h"

/* The node tables of one expression: their root's name (owned by em). */
static const char *jn_tables(struct em *em, const struct asl_ctpl *t)
{
    char *key = asl_em_fmt("jsonata|%.*s", (int)t->jn_inner_len, t->jn_inner);
    char *name = asl_strmap_get(&em->defs, key);
    if (!name) {
        name = asl_em_next_name(em, "jn");
        asl_jn_emit(em->decl, t->jn, name);
        asl_strmap_put(&em->defs, key, name);
    }
    free(key);
    return name;
}

char *asl_em_jn_init(struct em *em, const struct asl_ctpl *t)
{
    em->needs->jsonata = 1;
    const char *name = jn_tables(em, t);
    char *buf = NULL;
    size_t bl = 0;
    FILE *f = open_memstream(&buf, &bl);
    if (!f)
        abort();
    fprintf(f, "{.kind = ASL_TPL_JSONATA, .jn = &%s, .field = ", name);
    asl_cemit_cstr(f, t->field);
    /* AWS quotes the expression trimmed: '{% $x %}' reads '$x' in causes. */
    fputs(", .jn_text = ", f);
    asl_cemit_string(f, t->jn_text, t->jn_text_len);
    fputc('}', f);
    fclose(f);
    return buf;
}
