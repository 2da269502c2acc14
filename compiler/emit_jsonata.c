/*
 * emit_jsonata.c - JSONata fields into templates: every "{% ... %}" string
 * becomes a compiled expression (static const asl_jn_node tables written
 * by asl_jn_emit), everything else stays literal JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "cemit.h"
#include "emit_int.h"
#include "jsonata_ast.h"

static int is_expression(const char *key, json_t *v)
{
    (void)key;
    return json_is_string(v) && asl_is_jsonata_text(json_string_value(v), NULL, NULL);
}

static int has_jsonata(json_t *v)
{
    return asl_em_tree_any(v, NULL, is_expression);
}

/* The node tables of one expression, written once per distinct text. */
static const char *jn_tables(struct em *em, const char *text, size_t off, size_t len)
{
    char *key = asl_em_fmt("jsonata|%.*s", (int)len, text + off);
    json_t *known = json_object_get(em->defs, key);
    if (!known) {
        struct asl_jn_ast *ast = NULL;
        struct asl_jn_error err;
        if (asl_jn_parse(text + off, len, &ast, &err) != 0) {
            fprintf(stderr, "aslc: internal error: a checked JSONata expression no longer parses\n");
            abort();
        }
        json_t *count = json_object_get(em->def_counts, "jn");
        long long n = count ? (long long)json_integer_value(count) : 0;
        json_object_set_new(em->def_counts, "jn", json_integer((json_int_t)(n + 1)));
        char *name = asl_em_fmt("jn_%lld", n);
        asl_jn_emit(em->decl, ast, name);
        asl_jn_free(ast);
        known = json_string(name);
        json_object_set_new(em->defs, key, known);
        free(name);
    }
    free(key);
    return json_string_value(known);
}

static char *jtpl_init(struct em *em, json_t *v, const char *location)
{
    if (!has_jsonata(v))
        return asl_em_fmt("{.kind = ASL_TPL_LIT, .lit = %d}", asl_em_lit(em, v));
    em->needs->jsonata = 1;
    if (json_is_string(v)) {
        const char *text = json_string_value(v);
        size_t off = 0, len = 0;
        asl_is_jsonata_text(text, &off, &len);
        const char *name = jn_tables(em, text, off, len);
        char *buf = NULL;
        size_t bl = 0;
        FILE *f = open_memstream(&buf, &bl);
        if (!f)
            abort();
        fprintf(f, "{.kind = ASL_TPL_JSONATA, .jn = &%s, .field = ", name);
        asl_cemit_cstr(f, location);
        /* AWS quotes the expression trimmed: '{% $x %}' reads '$x' in causes. */
        size_t b = off, e = off + len;
        while (b < e && strchr(" \t\r\n", text[b]))
            b++;
        while (e > b && strchr(" \t\r\n", text[e - 1]))
            e--;
        fputs(", .jn_text = ", f);
        asl_cemit_string(f, text + b, e - b);
        fputc('}', f);
        fclose(f);
        return buf;
    }
    size_t n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
    char **inits = calloc(n ? n : 1, sizeof *inits);
    char **keys = calloc(n ? n : 1, sizeof *keys);
    if (!inits || !keys)
        abort();
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        size_t i = 0;
        json_object_foreach(v, k, x) {
            char *loc = asl_em_fmt("%s/%s", location, k);
            keys[i] = asl_em_str(k);
            inits[i++] = jtpl_init(em, x, loc);
            free(loc);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            char *loc = asl_em_fmt("%s/%zu", location, i);
            inits[i] = jtpl_init(em, json_array_get(v, i), loc);
            free(loc);
        }
    }
    int is_object = json_is_object(v);
    if (!is_object)
        free(keys);
    return asl_em_tpl_container(em, is_object, is_object ? keys : NULL, inits, n);
}

char *asl_em_jtpl(struct em *em, json_t *v, const char *location)
{
    if (!v)
        return NULL;
    return asl_em_tpl_root(em, jtpl_init(em, v, location));
}

char *asl_em_jtpl_expr_only(struct em *em, json_t *node, const char *key)
{
    json_t *v = json_object_get(node, key);
    if (!json_is_string(v) || !asl_is_jsonata_text(json_string_value(v), NULL, NULL))
        return NULL;
    return asl_em_jtpl(em, v, key);
}
