/*
 * load.c - definition JSON -> machine model.
 *
 * Only the shape needed to find every States block is read here; whether
 * each field is valid is compiler/check.c's business.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "surrogates.h"
#include "model.h"
#include "jsonata_ast.h"
#include "vocab.h"


static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

void *asl_grow(void *arr, size_t n, size_t sz)
{
    if (n & (n - 1))
        return arr;     /* n is not a power of two: the block, sized to the next one, has room */
    void *p = realloc(arr, (n ? 2 * n : 1) * sz);
    if (!p)
        abort();
    return p;
}

static void add_machine(struct asl_model *m, struct asl_cmachine *mc)
{
    m->machines = asl_grow(m->machines, m->nmachines, sizeof *m->machines);
    mc->id = (int)m->nmachines;
    m->machines[m->nmachines++] = mc;
}

static int is_jsonata(json_t *node, int inherited)
{
    json_t *ql = json_object_get(node, "QueryLanguage");
    if (json_is_string(ql))
        return strcmp(json_string_value(ql), "JSONata") == 0;
    return inherited;
}

static struct asl_cmachine *load_machine(struct asl_model *m, json_t *node, const char *pointer,
                                         struct asl_cstate *owner, int jsonata);

/* States in a branch or an ItemProcessor default to the state machine's
 * QueryLanguage, not the enclosing Parallel's or Map's (spec, "Query
 * Languages"; CDK: "it will use the query language specified in the
 * top-level queryLanguage field"), so the machine's flag is handed down. */
static void load_children(struct asl_model *m, struct asl_cstate *s)
{
    if (s->type == ASL_PARALLEL) {
        json_t *br = json_object_get(s->node, "Branches");
        if (!json_is_array(br))
            return;
        char *bp = asl_ptr_join(s->pointer, "Branches");
        s->children = xcalloc(json_array_size(br), sizeof *s->children);
        for (size_t i = 0; i < json_array_size(br); i++) {
            json_t *b = json_array_get(br, i);
            if (!json_is_object(b) || !json_is_object(json_object_get(b, "States")))
                continue;
            char *p = asl_ptr_index(bp, i);
            s->children[s->nchildren++] = load_machine(m, b, p, s, s->machine->jsonata);
            free(p);
        }
        free(bp);
    } else if (s->type == ASL_MAP) {
        const char *key = json_object_get(s->node, "ItemProcessor") ? "ItemProcessor" : "Iterator";
        json_t *proc = json_object_get(s->node, key);
        if (!json_is_object(proc) || !json_is_object(json_object_get(proc, "States")))
            return;
        char *p = asl_ptr_join(s->pointer, key);
        s->children = xcalloc(1, sizeof *s->children);
        s->children[s->nchildren++] = load_machine(m, proc, p, s, s->machine->jsonata);
        free(p);
    }
}

static struct asl_cmachine *load_machine(struct asl_model *m, json_t *node, const char *pointer,
                                         struct asl_cstate *owner, int jsonata)
{
    struct asl_cmachine *mc = xcalloc(1, sizeof *mc);
    mc->node = node;
    mc->pointer = strdup(pointer);
    mc->owner = owner;
    mc->jsonata = jsonata;
    mc->start = -1;
    add_machine(m, mc);
    json_t *states = json_object_get(node, "States");
    char *sp = asl_ptr_join(pointer, "States");
    mc->n = json_object_size(states);
    mc->states = xcalloc(mc->n, sizeof *mc->states);
    mc->index = json_object();
    if (!mc->index)
        abort();
    const char *name;
    json_t *sn;
    size_t i = 0;
    json_object_foreach(states, name, sn) {
        struct asl_cstate *s = &mc->states[i];
        s->name = name;
        s->node = sn;
        s->pointer = asl_ptr_join(sp, name);
        s->local = (int)i;
        s->machine = mc;
        /* Names are unique inside one States object (the parser rejects duplicates). */
        if (json_object_set_new(mc->index, name, json_integer((json_int_t)i)) != 0)
            abort();
        s->jsonata = json_is_object(sn) ? is_jsonata(sn, jsonata) : jsonata;
        json_t *type = json_object_get(sn, "Type");
        int t = json_is_string(type) ? asl_state_type_lookup(json_string_value(type)) : -1;
        if (t >= 0) {
            s->type = (enum asl_state_type)t;
            s->type_ok = 1;
        }
        i++;
    }
    free(sp);
    json_t *start = json_object_get(node, "StartAt");
    if (json_is_string(start))
        mc->start = asl_machine_find(mc, json_string_value(start));
    /* States are numbered in document order, depth first after each block. */
    for (i = 0; i < mc->n; i++) {
        struct asl_cstate *s = &mc->states[i];
        m->states = asl_grow(m->states, m->nstates, sizeof *m->states);
        s->gid = (int)m->nstates;
        m->states[m->nstates++] = s;
    }
    for (i = 0; i < mc->n; i++)
        if (mc->states[i].type_ok && json_is_object(mc->states[i].node))
            load_children(m, &mc->states[i]);
    return mc;
}

/* The file's length as AWS measures a definition: UTF-16 code units (a
 * Java string's length), so a character outside the BMP counts twice. */
static size_t utf16_length(const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return 0;       /* the parser reports the unreadable file */
    unsigned char buf[65536];
    size_t n, units = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++)
            units += (buf[i] & 0xc0) != 0x80 ? 1 + (buf[i] >= 0xf0) : 0;
    fclose(f);
    return units;
}

int asl_machine_find(const struct asl_cmachine *m, const char *name)
{
    json_t *i = json_object_get(m->index, name);
    return i ? (int)json_integer_value(i) : -1;
}

const char *asl_nearest_state(const struct asl_cmachine *mc, const char *name)
{
    size_t len = strlen(name);
    size_t limit = len <= 2 ? 0 : len <= 5 ? 1 : len / 3;   /* short names: only case differs */
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < mc->n; i++) {
        size_t dist = asl_name_distance(name, mc->states[i].name, limit);
        if (dist < best_d) {
            best_d = dist;
            best = mc->states[i].name;
        }
    }
    return best;
}

static json_t *load_text(const char *file, json_error_t *jerr)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(jerr->text, sizeof jerr->text, "unable to open %s: %s", file, strerror(errno));
        jerr->line = -1;
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = realloc(buf, cap *= 2);
        if (!nb)
            free(buf);
        buf = nb;
    }
    fclose(f);
    if (!buf)
        abort();
    size_t len;
    char *kept = asl_keep_lone_surrogates(buf, n, &len);
    free(buf);
    if (!kept)
        abort();
    json_t *doc = json_loadb(kept, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, jerr);
    free(kept);
    return doc;
}

struct asl_model *asl_load(const char *file, struct asl_diags *d)
{
    json_error_t jerr;
    json_t *doc = load_text(file, &jerr);
    if (!doc) {
        /* FILE:LINE:COL, the way compilers report syntax errors. */
        FILE *f = d->out ? d->out : stderr;
        if (jerr.line < 0)
            fprintf(f, "%s: %s\n", file, jerr.text);
        else
            fprintf(f, "%s:%d:%d: invalid JSON: %s\n", file, jerr.line, jerr.column, jerr.text);
        d->errors++;
        return NULL;
    }
    if (!json_is_object(doc)) {
        asl_diag_error(d, "/", "Definition must be a valid JSON object");
        json_decref(doc);
        return NULL;
    }
    struct asl_model *m = xcalloc(1, sizeof *m);
    m->doc = doc;
    m->file = file;
    asl_arena_init(&m->arena);
    m->definition_chars = utf16_length(file);
    json_t *states = json_object_get(doc, "States");
    if (!json_is_object(states)) {
        int has_start = json_object_get(doc, "StartAt") != NULL;
        if (!states)
            asl_diag_error(d, "/", "These fields are required: [States%s]", has_start ? "" : ", StartAt");
        else
            asl_diag_error(d, "/States", "States must be an object");
        return m;
    }
    m->top = load_machine(m, doc, "", NULL, is_jsonata(doc, 0));
    return m;
}

static void free_jn(void *ast)
{
    asl_jn_free(ast);
}

void asl_model_free(struct asl_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nmachines; i++) {
        struct asl_cmachine *mc = m->machines[i];
        for (size_t j = 0; j < mc->n; j++) {
            free(mc->states[j].pointer);
            free(mc->states[j].children);
        }
        free(mc->states);
        json_decref(mc->index);
        free(mc->pointer);
        free(mc);
    }
    free(m->machines);
    free(m->states);
    /* The parses the checker kept for the specs (spec.c): paths and calls
     * live in the arena, JSONata trees on their own. */
    asl_ptrmap_free(&m->exprs, NULL);
    asl_ptrmap_free(&m->jns, free_jn);
    asl_arena_free(&m->arena);
    json_decref(m->doc);
    free(m);
}
