/*
 * maps.c - open-addressing hash tables for the compiler (maps.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

struct asl_strmap_slot {
    char *key;                  /* NULL: empty */
    size_t hash;
    void *val;
};

struct asl_ptrmap_slot {
    const void *key;            /* NULL: empty */
    void *val;
};

static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;        /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static size_t ptr_hash(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h;
}

static void *zalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        abort();
    return p;
}

/* ---------------------------------------------------------------- text */

static struct asl_strmap_slot *str_find(const struct asl_strmap *m, const char *key, size_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct asl_strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
            return s;
    }
}

static void str_grow(struct asl_strmap *m)
{
    struct asl_strmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->slots = zalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *str_find(m, old.slots[i].key, old.slots[i].hash) = old.slots[i];
    free(old.slots);
}

void *asl_strmap_get(const struct asl_strmap *m, const char *key)
{
    if (!m->n)
        return NULL;
    return str_find(m, key, str_hash(key))->val;
}

void asl_strmap_put(struct asl_strmap *m, const char *key, void *val)
{
    if (2 * (m->n + 1) > m->cap)
        str_grow(m);
    size_t h = str_hash(key);
    struct asl_strmap_slot *s = str_find(m, key, h);
    if (!s->key) {
        s->key = strdup(key);
        if (!s->key)
            abort();
        s->hash = h;
        m->n++;
    }
    s->val = val;
}

void asl_strmap_free(struct asl_strmap *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        free(m->slots[i].key);
        if (free_val)
            free_val(m->slots[i].val);
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------- address */

static struct asl_ptrmap_slot *ptr_find(const struct asl_ptrmap *m, const void *key)
{
    size_t mask = m->cap - 1;
    for (size_t i = ptr_hash(key) & mask;; i = (i + 1) & mask) {
        struct asl_ptrmap_slot *s = &m->slots[i];
        if (!s->key || s->key == key)
            return s;
    }
}

static void ptr_grow(struct asl_ptrmap *m)
{
    struct asl_ptrmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->slots = zalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *ptr_find(m, old.slots[i].key) = old.slots[i];
    free(old.slots);
}

void *asl_ptrmap_get(const struct asl_ptrmap *m, const void *key)
{
    if (!m->n)
        return NULL;
    return ptr_find(m, key)->val;
}

void asl_ptrmap_put(struct asl_ptrmap *m, const void *key, void *val)
{
    if (2 * (m->n + 1) > m->cap)
        ptr_grow(m);
    struct asl_ptrmap_slot *s = ptr_find(m, key);
    if (!s->key) {
        s->key = key;
        m->n++;
    }
    s->val = val;
}

void asl_ptrmap_free(struct asl_ptrmap *m, void (*each_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && each_val)
            each_val(m->slots[i].val);
    free(m->slots);
    memset(m, 0, sizeof *m);
}
