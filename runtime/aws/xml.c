/*
 * xml.c - XML responses parsed by expat into a small element tree.
 * Namespace prefixes are dropped from names (S3 and the query protocols
 * use a default namespace); entity declarations are refused, so a
 * response cannot expand entities (no "billion laughs").
 */
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "aws/aws.h"

#define XML_MAX_DEPTH 256

struct pstate {
    struct asl_xml *root;
    struct asl_xml *stack[XML_MAX_DEPTH];
    int depth;
    int failed;
    XML_Parser p;
};

void asl_xml_free(struct asl_xml *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->nkids; i++)
        asl_xml_free(x->kids[i]);
    for (size_t i = 0; x->attrs && x->attrs[i]; i++)
        free(x->attrs[i]);
    free(x->attrs);
    free(x->kids);
    free(x->name);
    free(x->text);
    free(x);
}

static const char *local(const char *n)
{
    const char *c = strrchr(n, ':');
    return c ? c + 1 : n;
}

static void stop(struct pstate *s)
{
    s->failed = 1;
    XML_StopParser(s->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct pstate *s = ud;
    if (s->failed)
        return;
    if (s->depth >= XML_MAX_DEPTH) {
        stop(s);
        return;
    }
    struct asl_xml *x = calloc(1, sizeof *x);
    if (!x) {
        stop(s);
        return;
    }
    x->name = strdup(local(name));
    size_t na = 0;
    while (atts[na])
        na++;
    x->attrs = calloc(na + 1, sizeof *x->attrs);
    for (size_t i = 0; x->attrs && i < na; i++)
        x->attrs[i] = strdup(i % 2 ? atts[i] : local(atts[i]));
    if (s->depth == 0) {
        if (s->root) {
            asl_xml_free(x);
            stop(s);
            return;
        }
        s->root = x;
    } else {
        struct asl_xml *pa = s->stack[s->depth - 1];
        struct asl_xml **k = realloc(pa->kids, (pa->nkids + 1) * sizeof *k);
        if (!k) {
            asl_xml_free(x);
            stop(s);
            return;
        }
        pa->kids = k;
        pa->kids[pa->nkids++] = x;
    }
    s->stack[s->depth++] = x;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)name;
    struct pstate *s = ud;
    if (!s->failed && s->depth > 0)
        s->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *t, int len)
{
    struct pstate *s = ud;
    if (s->failed || s->depth == 0 || len <= 0)
        return;
    struct asl_xml *x = s->stack[s->depth - 1];
    char *p = realloc(x->text, x->text_len + (size_t)len + 1);
    if (!p) {
        stop(s);
        return;
    }
    memcpy(p + x->text_len, t, (size_t)len);
    x->text = p;
    x->text_len += (size_t)len;
    x->text[x->text_len] = '\0';
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                                   int value_length, const XML_Char *base, const XML_Char *system_id,
                                   const XML_Char *public_id, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_length, (void)base, (void)system_id;
    (void)public_id, (void)notation;
    stop(ud);
}

struct asl_xml *asl_xml_parse(const char *p, size_t n)
{
    if (n > (size_t)0x7fffffff)
        return NULL;
    struct pstate s = {0};
    s.p = XML_ParserCreate("UTF-8");
    if (!s.p)
        return NULL;
    XML_SetUserData(s.p, &s);
    XML_SetElementHandler(s.p, on_start, on_end);
    XML_SetCharacterDataHandler(s.p, on_text);
    XML_SetEntityDeclHandler(s.p, on_entity_decl);
    int ok = XML_Parse(s.p, p, (int)n, XML_TRUE) == XML_STATUS_OK && !s.failed && s.root;
    XML_ParserFree(s.p);
    if (!ok) {
        asl_xml_free(s.root);
        return NULL;
    }
    return s.root;
}

struct asl_xml *asl_xml_child(const struct asl_xml *x, const char *name)
{
    for (size_t i = 0; x && i < x->nkids; i++)
        if (strcmp(x->kids[i]->name, name) == 0)
            return x->kids[i];
    return NULL;
}
