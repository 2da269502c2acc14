/*
 * json.c - the size of a value's compact JSON text, without writing it.
 *
 * Every state output is checked against the 256 KiB quota.  Serialising a
 * 50 KB document after each state would cost more than the state itself,
 * so sizes are computed structurally and memoised: a state's output mostly
 * shares its subtrees with the previous output (values are never mutated,
 * ResultPath copies only along its path), and a shared subtree's size is
 * looked up, not recomputed.  The memo holds references, so a pointer in
 * it always names the value it was measured for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/text.h"

/* Containers smaller than this are cheaper to re-measure than to remember. */
#define MEMO_MIN_BYTES 512

static size_t string_size(const char *s, size_t n)
{
    size_t out = 2;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
            out += 2;
        else if (c < 0x20)
            out += 6;
        else
            out += 1;
    }
    return out;
}

static size_t scalar_size(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return string_size(json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
        char buf[32];
        return (size_t)snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    }
    case JSON_TRUE: return 4;
    case JSON_FALSE: return 5;
    case JSON_NULL: return 4;
    default: break;
    }
    return asl_json_size(v);    /* reals: jansson's own formatting decides */
}

static int memo_find(const struct asl_size_memo *m, json_t *v, size_t *size)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (m->e[i].v == v) {
            *size = m->e[i].size;
            return 1;
        }
    return 0;
}

static void memo_add(struct asl_size_memo *m, json_t *v, size_t size)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        void *e = realloc(m->e, cap * sizeof *m->e);
        if (!e)
            return;
        m->e = e;
        m->cap = cap;
    }
    m->e[m->n].v = json_incref(v);
    m->e[m->n++].size = size;
}

static size_t measure(json_t *v, const struct asl_size_memo *old, struct asl_size_memo *now)
{
    size_t size;
    if (!json_is_object(v) && !json_is_array(v))
        return scalar_size(v);
    if (memo_find(old, v, &size) || memo_find(now, v, &size)) {
        if (size >= MEMO_MIN_BYTES && !memo_find(now, v, &size))
            memo_add(now, v, size);
        return size;
    }
    size = 2;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        size_t i = 0;
        json_object_foreach(v, k, x) {
            size += (i++ ? 1 : 0) + string_size(k, strlen(k)) + 1 + measure(x, old, now);
        }
    } else {
        for (size_t i = 0; i < json_array_size(v); i++)
            size += (i ? 1 : 0) + measure(json_array_get(v, i), old, now);
    }
    if (size >= MEMO_MIN_BYTES)
        memo_add(now, v, size);
    return size;
}

static void memo_clear(struct asl_size_memo *m)
{
    for (size_t i = 0; i < m->n; i++)
        json_decref(m->e[i].v);
    m->n = 0;
}

size_t asl_json_size_memo(struct asl_size_memo *memo, json_t *v)
{
    struct asl_size_memo now = {0};
    size_t size = measure(v, memo, &now);
    memo_clear(memo);
    free(memo->e);
    *memo = now;
    return size;
}

void asl_json_size_memo_free(struct asl_size_memo *memo)
{
    memo_clear(memo);
    free(memo->e);
    memo->e = NULL;
    memo->cap = 0;
}

/* ------------------------------------------------------------ raw text */

size_t asl_json_squeeze(struct asl_json_squeeze *z, char *dst, const char *src, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = src[i];
        if (z->in_str) {
            if (z->esc)
                z->esc = 0;
            else if (ch == '\\')
                z->esc = 1;
            else if (ch == '"')
                z->in_str = 0;
            z->significant++;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            if (z->ws)
                continue;
            z->ws = 1;
        } else {
            z->ws = 0;
            z->in_str = ch == '"';
            z->significant++;
        }
        dst[out++] = ch;
    }
    return out;
}

char *asl_json_text(json_t *v)
{
    /* AWS writes JSON the way Java does: 0.9 stays 0.9 (jansson's own
     * writer would print 0.90000000000000002). */
    return asl_text_json_dup(v, NULL);
}

char *asl_json_value_text(json_t *v)
{
    return json_is_string(v) ? strdup(json_string_value(v)) : asl_json_text(v);
}

static int count_bytes(const char *buffer, size_t size, void *data)
{
    (void)buffer;
    *(size_t *)data += size;
    return 0;
}

size_t asl_json_size(json_t *v)
{
    size_t n = 0;
    json_dump_callback(v, count_bytes, &n, JSON_ENCODE_ANY | JSON_COMPACT);
    return n;
}
