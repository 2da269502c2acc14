/*
 * jn_eval.c - the JSONata evaluator: walks the const tree aslc emitted.
 *
 * Every value an evaluation creates is held by the evaluation (c->held)
 * until it ends, so inner functions pass borrowed pointers and never
 * decref; asl_jn_eval returns a new reference to the result and frees the
 * rest.  Inputs (env->states, workflow variables) are never mutated.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jn_internal.h"

#define JN_MAX_DEPTH 900

struct jn_bind {
    const char *name;
    size_t len;
    json_t *v;
    int tuple;              /* bound by @ or # in a path */
    struct jn_bind *next;
};

struct jn_frame {
    struct jn_frame *parent;
    struct jn_bind *binds;
};

struct item {
    json_t *v;
    struct jn_anc *anc;
    struct jn_frame *fr;
};

struct items {
    struct item *v;
    size_t n, cap;
};

/* ---------------------------------------------------------- bookkeeping */

int asl_jn_ctx_fail(struct jn_ctx *c, const char *code, const char *fmt, ...)
{
    if (c->err->name)
        return -1;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return asl_err_set(c->err, ASL_E_QUERY_EVAL, "%s: %s", code, msg);
}

/* The arena: zeroed chunks (calloc), handed out by bumping a pointer and
 * freed all at once when the evaluation ends.  A request larger than a
 * quarter chunk gets a chunk of its own. */
#define JN_CHUNK 16384

static void *arena_chunk(struct jn_ctx *c, size_t n)
{
    if (c->narena == c->caparena) {
        size_t nc = c->caparena ? c->caparena * 2 : 64;
        void **v = realloc(c->arena, nc * sizeof *v);
        if (!v)
            return NULL;
        c->arena = v;
        c->caparena = nc;
    }
    void *m = calloc(1, n);
    if (m) {
        c->arena[c->narena++] = m;
        c->mem += (long long)n;
    }
    return m;
}

#if defined(__SANITIZE_ADDRESS__)
#define JN_ARENA_EACH 1     /* ASan: one block per request, so overruns are caught */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JN_ARENA_EACH 1
#endif
#endif

void *asl_jn_ctx_alloc(struct jn_ctx *c, size_t n)
{
#ifdef JN_ARENA_EACH
    return arena_chunk(c, n ? n : 1);
#endif
    n = (n + 15) & ~(size_t)15;
    if (n > JN_CHUNK / 4)
        return arena_chunk(c, n);
    if (n > c->bump_left) {
        char *m = arena_chunk(c, JN_CHUNK);
        if (!m)
            return NULL;
        c->bump = m;
        c->bump_left = JN_CHUNK;
    }
    void *r = c->bump;
    c->bump += n;
    c->bump_left -= n;
    return r;
}

json_t *asl_jn_hold(struct jn_ctx *c, json_t *v)
{
    if (!v)
        return NULL;
    if (c->nheld == c->capheld) {
        size_t nc = c->capheld ? c->capheld * 2 : 256;
        json_t **h = realloc(c->held, nc * sizeof *h);
        if (!h) {
            json_decref(v);
            return NULL;
        }
        c->held = h;
        c->capheld = nc;
    }
    c->held[c->nheld++] = v;
    return v;
}

#define H(x) asl_jn_hold(c, (x))

static size_t phash(const void *p, size_t cap)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 7) & (cap - 1);
}

static size_t mark_slot(struct jn_ctx *c, json_t *v)
{
    size_t i = phash(v, c->capmarks);
    while (c->marks[i].key && c->marks[i].key != v)
        i = (i + 1) & (c->capmarks - 1);
    return i;
}

unsigned asl_jn_flags(struct jn_ctx *c, json_t *v)
{
    if (!v || !c->nmarks || !(json_is_array(v) || json_is_object(v)))
        return 0;
    size_t i = mark_slot(c, v);
    return c->marks[i].key ? c->marks[i].flags : 0;
}

struct jn_fn *asl_jn_fn_of(struct jn_ctx *c, json_t *v)
{
    if (!v || !c->nmarks || !json_is_object(v))
        return NULL;
    size_t i = mark_slot(c, v);
    return c->marks[i].key ? c->marks[i].fn : NULL;
}

static int mark_set(struct jn_ctx *c, json_t *v, unsigned flags, struct jn_fn *fn)
{
    if (!v)
        return -1;
    if ((c->nmarks + 1) * 2 > c->capmarks) {
        size_t oc = c->capmarks, nc = oc ? oc * 2 : 256;
        struct jn_markent *old = c->marks;
        c->marks = calloc(nc, sizeof *c->marks);
        if (!c->marks) {
            c->marks = old;
            return -1;
        }
        c->capmarks = nc;
        for (size_t i = 0; i < oc; i++)
            if (old[i].key) {
                size_t j = mark_slot(c, old[i].key);
                c->marks[j] = old[i];
            }
        free(old);
    }
    size_t i = mark_slot(c, v);
    if (!c->marks[i].key) {
        c->marks[i].key = json_incref(v);
        c->nmarks++;
    }
    c->marks[i].flags |= flags;
    c->allflags |= flags;
    if (fn)
        c->marks[i].fn = fn;
    return 0;
}

int asl_jn_mark(struct jn_ctx *c, json_t *v, unsigned flags)
{
    return mark_set(c, v, flags, NULL);
}

json_t *asl_jn_fn_new(struct jn_ctx *c, struct jn_fn **fn)
{
    *fn = asl_jn_ctx_alloc(c, sizeof **fn);
    json_t *v = H(json_object());
    if (!*fn || !v)
        return NULL;
    mark_set(c, v, JN_FUNC, *fn);
    return v;
}

json_t *asl_jn_seq(struct jn_ctx *c)
{
    json_t *s = H(json_array());
    asl_jn_mark(c, s, JN_SEQ);
    return s;
}

json_t *asl_jn_nonfinite(struct jn_ctx *c)
{
    json_t *v = H(json_object());
    if (v && mark_set(c, v, JN_NONFINITE, NULL) != 0)
        return NULL;
    return v;
}

int asl_jn_is_nonfinite(struct jn_ctx *c, json_t *v)
{
    return v && c->nmarks && (asl_jn_flags(c, v) & JN_NONFINITE);
}

static int out_of_range(struct jn_ctx *c)
{
    return asl_jn_ctx_fail(c, "D1001", "Number out of range");
}

json_t *asl_jn_num(double d)
{
    if (d == 0)
        return json_integer(0);
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        return json_integer((json_int_t)d);
    return json_real(d);
}

int asl_jn_is_num(json_t *v)
{
    return v && json_is_number(v);
}

static struct jn_frame *frame_new(struct jn_ctx *c, struct jn_frame *parent)
{
    struct jn_frame *f = asl_jn_ctx_alloc(c, sizeof *f);
    if (f)
        f->parent = parent;
    return f;
}

static int bind(struct jn_ctx *c, struct jn_frame *f, const char *name, size_t len, json_t *v)
{
    struct jn_bind *b = asl_jn_ctx_alloc(c, sizeof *b);
    if (!b)
        return -1;
    b->name = name;
    b->len = len;
    b->v = v;
    b->next = f->binds;
    f->binds = b;
    return 0;
}

static int bind_tuple(struct jn_ctx *c, struct jn_frame *f, const char *name, size_t len, json_t *v)
{
    if (bind(c, f, name, len, v) != 0)
        return -1;
    f->binds->tuple = 1;
    return 0;
}

static int lookup(struct jn_ctx *c, struct jn_frame *f, const char *name, size_t len, json_t **out)
{
    for (; f; f = f->parent)
        for (struct jn_bind *b = f->binds; b; b = b->next)
            if (b->len == len && memcmp(b->name, name, len) == 0) {
                *out = b->v;
                return 1;
            }
    (void)c;
    return 0;
}

static struct jn_anc *anc_new(struct jn_ctx *c, json_t *v, struct jn_anc *up)
{
    if (!c->track_parent)
        return NULL;
    struct jn_anc *a = asl_jn_ctx_alloc(c, sizeof *a);
    if (a) {
        a->v = v;
        a->up = up;
    }
    return a;
}

static int items_push(struct items *s, json_t *v, struct jn_anc *anc, struct jn_frame *fr)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        struct item *n = realloc(s->v, nc * sizeof *n);
        if (!n)
            return -1;
        s->v = n;
        s->cap = nc;
    }
    s->v[s->n++] = (struct item){v, anc, fr};
    return 0;
}

/* ---------------------------------------------------------- value rules */

void asl_jn_append_flat(json_t *seq, json_t *v)
{
    if (!v)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            json_array_append(seq, e);
    } else {
        json_array_append(seq, v);
    }
}

int asl_jn_equal(struct jn_ctx *c, json_t *a, json_t *b)
{
    if (!a || !b)
        return 0;
    if (a == b)
        return 1;
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_string(a))
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!asl_jn_equal(c, json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    if (json_is_object(a)) {
        if (asl_jn_fn_of(c, a) || asl_jn_fn_of(c, b))
            return 0;
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v)
            if (!asl_jn_equal(c, v, json_object_get(b, k)))
                return 0;
        return 1;
    }
    return 1;  /* true, false, null */
}

int asl_jn_bool(struct jn_ctx *c, json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_INTEGER:
    case JSON_REAL: return json_number_value(v) != 0;
    case JSON_TRUE: return 1;
    case JSON_FALSE: case JSON_NULL: return 0;
    case JSON_ARRAY: {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            if (asl_jn_bool(c, e))
                return 1;
        return 0;
    }
    case JSON_OBJECT:
        if (asl_jn_fn_of(c, v))
            return 0;
        return json_object_size(v) > 0;
    }
    return 0;
}

/* The memory budget (jn_mem.c counts). */
int asl_jn_mem_fail(struct jn_ctx *c)
{
    if (asl_jn_mem_max() >= 1LL << 20)
        return asl_jn_ctx_fail(c, "U1003", "Memory limit exceeded: the evaluation holds more than %lld MiB",
                               asl_jn_mem_max() >> 20);
    return asl_jn_ctx_fail(c, "U1003", "Memory limit exceeded: the evaluation holds more than %lld bytes",
                           asl_jn_mem_max());
}

int asl_jn_mem_check(struct jn_ctx *c, double more)
{
    return (double)c->mem + more <= (double)asl_jn_mem_max() ? 0 : asl_jn_mem_fail(c);
}

/* ------------------------------------------------------------ evaluator */

/* Two strings in byte order, by length: "a\u0000b" is longer than "a", not
 * equal to it.  -1, 0 or 1. */
int asl_jn_str_cmp(json_t *a, json_t *b)
{
    size_t la = json_string_length(a), lb = json_string_length(b);
    int r = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
    if (r == 0)
        return la < lb ? -1 : la > lb;
    return r < 0 ? -1 : 1;
}

static int ev(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
              struct jn_frame *fr, json_t **out);
static int ev_raw(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                  struct jn_frame *fr, json_t **out);

/* Collapse a sequence: empty -> undefined, singleton -> its item. */
static json_t *collapse(struct jn_ctx *c, json_t *r, int keep)
{
    unsigned f = asl_jn_flags(c, r);
    if (!(f & JN_SEQ))
        return r;
    if (keep) {
        asl_jn_mark(c, r, JN_KEEP);
        f |= JN_KEEP;
    }
    if (json_array_size(r) == 0)
        return NULL;
    if (json_array_size(r) == 1 && !(f & JN_KEEP))
        return json_array_get(r, 0);
    return r;
}

static int is_int_array(json_t *v)
{
    size_t i;
    json_t *e;
    if (!json_is_array(v))
        return 0;
    json_array_foreach(v, i, e)
        if (!json_is_number(e))
            return 0;
    return 1;
}

/* [pred] over value `v` (items of which have ancestor `anc`). */
static int filter(struct jn_ctx *c, const struct asl_jn_node *pred, json_t *v, struct jn_anc *anc,
                  struct jn_frame *fr, json_t **out)
{
    json_t *res = asl_jn_seq(c);
    *out = res;
    if (!v)
        return 0;
    json_t *arr = v;
    if (!json_is_array(v)) {
        arr = H(json_array());
        json_array_append(arr, v);
    }
    size_t len = json_array_size(arr);
    if (pred->type == ASL_JN_NUM) {
        double d = floor(pred->num);
        if (d < 0)
            d += (double)len;
        if (d >= 0 && d < (double)len) {
            json_t *e = json_array_get(arr, (size_t)d);
            asl_jn_append_flat(res, e);
        }
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(arr, i), *r;
        if (ev(c, pred, e, anc, fr, &r) != 0)
            return -1;
        if (json_is_number(r)) {
            json_t *w = H(json_array());
            json_array_append(w, r);
            r = w;
        }
        if (r && json_array_size(r) > 0 && is_int_array(r)) {
            for (size_t k = 0; k < json_array_size(r); k++) {
                double d = floor(json_number_value(json_array_get(r, k)));
                if (d < 0)
                    d += (double)len;
                if (d == (double)i) {
                    json_array_append(res, e);
                    break;
                }
            }
        } else if (asl_jn_bool(c, r)) {
            json_array_append(res, e);
        }
    }
    return 0;
}

/* Filter / index stages over a whole tuple stream. */
static int tuple_stages(struct jn_ctx *c, const struct asl_jn_node *st, struct items *s)
{
    for (size_t k = 0; k < st->nstages; k++) {
        const struct asl_jn_node *g = st->stages[k];
        if (g->type == ASL_JN_INDEX) {
            for (size_t i = 0; i < s->n; i++) {
                struct jn_frame *f = frame_new(c, s->v[i].fr);
                if (!f || bind_tuple(c, f, g->str, g->len, H(asl_jn_num((double)i))) != 0)
                    return -1;
                s->v[i].fr = f;
            }
            continue;
        }
        const struct asl_jn_node *pred = g->kids[0];
        size_t len = s->n, o = 0;
        for (size_t i = 0; i < len; i++) {
            int keep = 0;
            if (pred->type == ASL_JN_NUM) {
                double d = floor(pred->num);
                if (d < 0)
                    d += (double)len;
                keep = d == (double)i;
            } else {
                json_t *r;
                if (ev(c, pred, s->v[i].v, s->v[i].anc, s->v[i].fr, &r) != 0)
                    return -1;
                if (json_is_number(r)) {
                    double d = floor(json_number_value(r));
                    if (d < 0)
                        d += (double)len;
                    keep = d == (double)i;
                } else if (r && json_array_size(r) > 0 && is_int_array(r)) {
                    for (size_t m = 0; m < json_array_size(r); m++) {
                        double d = floor(json_number_value(json_array_get(r, m)));
                        if (d < 0)
                            d += (double)len;
                        if (d == (double)i)
                            keep = 1;
                    }
                } else {
                    keep = asl_jn_bool(c, r);
                }
            }
            if (keep)
                s->v[o++] = s->v[i];
        }
        s->n = o;
    }
    return 0;
}

/* ^(terms) over items: stable merge sort on precomputed keys. */
static int sort_items(struct jn_ctx *c, const struct asl_jn_node *sn, struct items *s)
{
    size_t n = s->n, nt = sn->nkids;
    if (n < 2)
        return 0;
    json_t **keys = calloc(n * nt, sizeof *keys);
    size_t *idx = malloc(n * sizeof *idx), *tmp = malloc(n * sizeof *tmp);
    int rc = -1;
    if (!keys || !idx || !tmp)
        goto done;
    for (size_t t = 0; t < nt; t++) {
        int seen = 0, isstr = 0;
        for (size_t i = 0; i < n; i++) {
            json_t *k;
            if (ev(c, sn->kids[t]->kids[0], s->v[i].v, s->v[i].anc, s->v[i].fr, &k) != 0)
                goto done;
            keys[i * nt + t] = k;
            if (!k)
                continue;
            if (!json_is_number(k) && !json_is_string(k)) {
                asl_jn_ctx_fail(c, "T2008", "The expressions within an order-by clause must evaluate to numeric or string values");
                goto done;
            }
            if (seen && isstr != json_is_string(k)) {
                asl_jn_ctx_fail(c, "T2007", "Type mismatch within order-by clause. All values must be of the same type");
                goto done;
            }
            seen = 1;
            isstr = json_is_string(k);
        }
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid || b < hi) {
                int takeb = 0;
                if (a >= mid)
                    takeb = 1;
                else if (b < hi) {
                    int cmp = 0;
                    for (size_t t = 0; t < nt && cmp == 0; t++) {
                        json_t *x = keys[idx[a] * nt + t], *y = keys[idx[b] * nt + t];
                        if (!x && !y) continue;
                        if (!x) { cmp = 1; continue; }
                        if (!y) { cmp = -1; continue; }
                        if (json_is_string(x)) {
                            cmp = asl_jn_str_cmp(x, y);
                        } else {
                            double dx = json_number_value(x), dy = json_number_value(y);
                            cmp = dx < dy ? -1 : dx > dy;
                        }
                        if (sn->kids[t]->op)
                            cmp = -cmp;
                    }
                    takeb = cmp > 0;
                }
                tmp[o++] = takeb ? idx[b++] : idx[a++];
            }
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
    struct item *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        goto done;
    for (size_t i = 0; i < n; i++)
        sorted[i] = s->v[idx[i]];
    memcpy(s->v, sorted, n * sizeof *sorted);
    free(sorted);
    rc = 0;
done:
    free(keys);
    free(idx);
    free(tmp);
    return rc;
}

static int uses_parent(const struct asl_jn_node *n);

static int is_tuple_step(const struct asl_jn_node *st)
{
    if (st->focus || st->index)
        return 1;
    for (size_t i = 0; i < st->nstages; i++)
        if (st->stages[i]->type == ASL_JN_INDEX)
            return 1;
    return 0;
}

/* The ancestor of what step `st` yields from context item `it`. */
static struct jn_anc *step_anc(struct jn_ctx *c, const struct asl_jn_node *st, const struct item *it)
{
    if (!c->track_parent)
        return NULL;
    if (st->type == ASL_JN_PARENT)
        return it->anc ? it->anc->up : NULL;
    if (st->type == ASL_JN_VAR && st->len == 0)
        return it->anc;
    return anc_new(c, it->v, it->anc);
}

static int group_eval(struct jn_ctx *c, const struct asl_jn_node *obj, struct items *s, json_t **out);
static int path_run(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                    struct jn_frame *fr, int want_anc, struct items *res, json_t **whole_out,
                    int *tuple_out);

/* The path a block step's value comes from: `(a; b.c)` is b.c's, so a %
 * after the block sees the parent inside it.  NULL when the block's value
 * is not a plain path's members (a group, [] or filter changes them). */
static const struct asl_jn_node *block_path(const struct asl_jn_node *st)
{
    if (st->type != ASL_JN_BLOCK || st->focus || st->index || (st->flags & ASL_JN_F_KEEPARRAY) ||
        st->group)
        return NULL;
    const struct asl_jn_node *n = st;
    while (n->type == ASL_JN_BLOCK) {
        if (n->nkids == 0)
            return NULL;
        if (n != st && (n->nstages || n->group || (n->flags & ASL_JN_F_KEEPARRAY)))
            return NULL;
        n = n->kids[n->nkids - 1];
    }
    if (n->type != ASL_JN_PATH || n->group || (n->flags & ASL_JN_F_KEEPARRAY))
        return NULL;
    return n;
}

/* Block step `st` (block_path(st) != NULL) over item `it`: its value's
 * members, each with its own ancestry, in `out` (emptied first).  Frames
 * stay the caller's: the block's own bindings do not leave it. */
static int block_items(struct jn_ctx *c, const struct asl_jn_node *st, const struct item *it,
                       struct items *out)
{
    struct jn_frame *f = it->fr;
    const struct asl_jn_node *n = st;
    json_t *v;
    while (n->type == ASL_JN_BLOCK) {
        f = frame_new(c, f);
        if (!f)
            return -1;
        for (size_t i = 0; i + 1 < n->nkids; i++)
            if (ev(c, n->kids[i], it->v, it->anc, f, &v) != 0)
                return -1;
        n = n->kids[n->nkids - 1];
    }
    if (++c->depth > JN_MAX_DEPTH) {
        c->depth--;
        return asl_jn_ctx_fail(c, "U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
    }
    struct items r = {0};
    int tup;
    int rc = path_run(c, n, it->v, it->anc, f, 1, &r, &v, &tup);
    c->depth--;
    out->n = 0;
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = items_push(out, r.v[i].v, r.v[i].anc, it->fr);
    free(r.v);
    return rc;
}

static int eval_path(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                     struct jn_frame *fr, json_t **out)
{
    struct items cur = {0};
    json_t *whole = NULL;
    int tuple = 0, rc = -1;
    if (path_run(c, n, in, anc, fr, 0, &cur, &whole, &tuple) != 0)
        goto done;
    json_t *res;
    if (whole) {
        res = whole;
    } else {
        res = asl_jn_seq(c);
        for (size_t i = 0; i < cur.n; i++)
            json_array_append(res, cur.v[i].v);
    }
    if (n->flags & ASL_JN_F_KEEPARRAY) {
        unsigned f = asl_jn_flags(c, res);
        if (json_is_array(res) && (f & JN_CONS) && !(f & JN_SEQ)) {
            json_t *cp = asl_jn_seq(c);
            asl_jn_append_flat(cp, res);
            res = cp;
        }
        if (!(asl_jn_flags(c, res) & JN_SEQ)) {
            json_t *cp = asl_jn_seq(c);
            json_array_append(cp, res);
            res = cp;
        }
        asl_jn_mark(c, res, JN_KEEP);
    }
    if (n->group) {
        if (!tuple) {
            cur.n = 0;
            json_t *r = collapse(c, res, 0);
            if (json_is_array(r))
                for (size_t i = 0; i < json_array_size(r); i++)
                    items_push(&cur, json_array_get(r, i), NULL, fr);
            else if (r)
                items_push(&cur, r, NULL, fr);
        }
        if (group_eval(c, n->group, &cur, &res) != 0)
            goto done;
    }
    *out = res;
    rc = 0;
done:
    free(cur.v);
    return rc;
}

/* A sort step (^(...)) inside a path: the items in order, then its
 * filters. */
static int sort_step(struct jn_ctx *c, const struct asl_jn_node *st, struct jn_frame *fr, int tuple,
                     struct items *cur)
{
    if (sort_items(c, st, cur) != 0)
        return -1;
    if (tuple)
        return tuple_stages(c, st, cur);
    if (!st->nstages)
        return 0;
    json_t *sq = asl_jn_seq(c);
    for (size_t i = 0; i < cur->n; i++)
        json_array_append(sq, cur->v[i].v);
    json_t *v = sq;
    for (size_t k = 0; k < st->nstages; k++)
        if (filter(c, st->stages[k]->kids[0], v, NULL, fr, &v) != 0)
            return -1;
    cur->n = 0;
    for (size_t i = 0; i < json_array_size(v); i++)
        items_push(cur, json_array_get(v, i), NULL, fr);
    return 0;
}

/* A path's first step that is an array constructor: evaluated once, its
 * members are the items; the array itself is the value when it ends the
 * path (*whole). */
static int cons_step(struct jn_ctx *c, const struct asl_jn_node *st, json_t *in, struct jn_anc *anc,
                     struct jn_frame *fr, int last, struct items *next, json_t **whole)
{
    json_t *r;
    if (ev(c, st, in, anc, fr, &r) != 0)
        return -1;
    if (r && json_is_array(r)) {
        for (size_t i = 0; i < json_array_size(r); i++)
            items_push(next, json_array_get(r, i), NULL, fr);
        if (last)
            *whole = r;
    } else if (r) {
        items_push(next, r, NULL, fr);
    }
    return 0;
}

/* Step si of path n in a tuple stream (a step with @, # or a % after it):
 * each item keeps its own frame, with the focus and index bindings. */
static int tuple_step(struct jn_ctx *c, const struct asl_jn_node *n, size_t si, int want_anc,
                      struct items *cur, struct items *next, struct items *sub)
{
    const struct asl_jn_node *st = n->kids[si];
    for (size_t i = 0; i < cur->n; i++) {
        struct item *it = &cur->v[i];
        json_t *r;
        if (c->track_parent && block_path(st)) {
            if (block_items(c, st, it, sub) != 0)
                return -1;
            for (size_t k = 0; k < sub->n; k++)
                if (items_push(next, sub->v[k].v, sub->v[k].anc, it->fr) != 0)
                    return -1;
            continue;
        }
        if (ev_raw(c, st, it->v, it->anc, it->fr, &r) != 0)
            return -1;
        if (!r)
            continue;
        json_t *arr = r;
        if (!json_is_array(r)) {
            arr = H(json_array());
            json_array_append(arr, r);
        }
        for (size_t k = 0; k < json_array_size(arr); k++) {
            json_t *e = json_array_get(arr, k);
            struct item ni = *it;
            if (st->focus || st->index) {
                ni.fr = frame_new(c, it->fr);
                if (!ni.fr)
                    return -1;
            }
            if (st->focus) {
                /* The context stays; a % after this step is the bound
                 * value's parent, the context.  To a % later in this path,
                 * a run of focus steps (values bound from one context) is
                 * one level of ancestry; to one seeking into the path from
                 * outside a block (want_anc), each step is a level, as in
                 * jsonata-js. */
                bind_tuple(c, ni.fr, st->focus, st->focus_len, e);
                if (want_anc || !(si > 0 && n->kids[si - 1]->focus))
                    ni.anc = step_anc(c, st, it);
            } else {
                ni.v = e;
                ni.anc = step_anc(c, st, it);
            }
            if (st->index)
                bind_tuple(c, ni.fr, st->index, st->index_len, H(asl_jn_num((double)k)));
            items_push(next, ni.v, ni.anc, ni.fr);
        }
    }
    return tuple_stages(c, st, next);
}

/* Step si of path n over plain items: each item's value through the step
 * and its filters, arrays spread into the stream.  A last step that gave
 * one array (not a sequence) keeps it whole (*whole). */
static int plain_step(struct jn_ctx *c, const struct asl_jn_node *n, size_t si, int want_anc,
                      struct jn_frame *fr, struct items *cur, struct items *next, struct items *sub,
                      json_t **whole)
{
    const struct asl_jn_node *st = n->kids[si];
    int last = si + 1 == n->nkids;
    json_t *one = NULL;
    size_t count = 0;
    /* A % at or after this step makes JSONata evaluate the path from here
     * on as a tuple stream, which spreads an array constructor's members
     * into the stream instead of keeping the array whole. */
    int explode = 0;
    if (si > 0 && c->track_parent && (st->flags & ASL_JN_F_CONSARRAY))
        for (size_t j = si; j < n->nkids && !explode; j++)
            explode = uses_parent(n->kids[j]);
    /* Ancestry through a block matters unless its value ends the path and
     * only the value is wanted. */
    int through = c->track_parent && (!last || n->group || want_anc) && block_path(st);
    for (size_t i = 0; i < cur->n; i++) {
        struct item *it = &cur->v[i];
        json_t *r;
        if (through) {
            if (block_items(c, st, it, sub) != 0 || tuple_stages(c, st, sub) != 0)
                return -1;
            if (sub->n == 0)
                continue;
            count++;
            one = NULL;
            for (size_t k = 0; k < sub->n; k++)
                if (items_push(next, sub->v[k].v, sub->v[k].anc, fr) != 0)
                    return -1;
            continue;
        }
        if (ev_raw(c, st, it->v, it->anc, it->fr, &r) != 0)
            return -1;
        struct jn_anc *na = step_anc(c, st, it);
        for (size_t k = 0; k < st->nstages && r; k++)
            if (filter(c, st->stages[k]->kids[0], r, na, it->fr, &r) != 0)
                return -1;
        if (st->nstages)
            r = collapse(c, r, 0);
        if (!r)
            continue;
        count++;
        one = r;
        if (json_is_array(r) && (explode || !(asl_jn_flags(c, r) & JN_CONS))) {
            for (size_t k = 0; k < json_array_size(r); k++)
                items_push(next, json_array_get(r, k), na, fr);
        } else {
            items_push(next, r, na, fr);
        }
    }
    if (last && count == 1 && !explode && json_is_array(one) && !(asl_jn_flags(c, one) & JN_SEQ))
        *whole = one;
    return 0;
}

/* The steps of path `n` over `in`: the items that come out, in `res` (the
 * caller frees res->v).  want_anc: the caller needs every item's ancestry,
 * not a value kept whole. */
static int path_run(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                    struct jn_frame *fr, int want_anc, struct items *res, json_t **whole_out,
                    int *tuple_out)
{
    struct items cur = {0}, next = {0}, sub = {0};
    json_t *whole = NULL;
    int tuple = 0, rc = -1;
    const struct asl_jn_node *s0 = n->kids[0];
    if (json_is_array(in) && s0->type != ASL_JN_VAR) {
        size_t i;
        json_t *e;
        json_array_foreach(in, i, e)
            items_push(&cur, e, anc, fr);
    } else {
        items_push(&cur, in, anc, fr);
    }
    for (size_t si = 0; si < n->nkids; si++) {
        const struct asl_jn_node *st = n->kids[si];
        next.n = 0;
        whole = NULL;
        if (is_tuple_step(st))
            tuple = 1;
        if (st->type == ASL_JN_SORT) {
            if (sort_step(c, st, fr, tuple, &cur) != 0)
                goto done;
            continue;
        }
        int r;
        if (si == 0 && (st->flags & ASL_JN_F_CONSARRAY) && !tuple)
            r = cons_step(c, st, in, anc, fr, si + 1 == n->nkids, &next, &whole);
        else if (tuple)
            r = tuple_step(c, n, si, want_anc, &cur, &next, &sub);
        else
            r = plain_step(c, n, si, want_anc, fr, &cur, &next, &sub, &whole);
        if (r != 0)
            goto done;
        struct items t = cur;       /* the focus of a step stays in its items */
        cur = next;
        next = t;
        if (!tuple && cur.n == 0)
            break;
    }
    *res = cur;
    cur.v = NULL;
    *whole_out = whole;
    *tuple_out = tuple;
    rc = 0;
done:
    free(cur.v);
    free(next.v);
    free(sub.v);
    return rc;
}

/* {k: v, ...} over the items: group by key, evaluate values per group. */
static int group_eval(struct jn_ctx *c, const struct asl_jn_node *obj, struct items *s, json_t **out)
{
    json_t *res = H(json_object());
    size_t npairs = obj->nkids / 2;
    struct grp { const char *key; int pair; struct items data; } *g = NULL;
    size_t ng = 0;
    int rc = -1;
    struct item undef = {NULL, NULL, NULL};
    struct items one = {&undef, 1, 1};
    if (s->n == 0)
        s = &one;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t p = 0; p < npairs; p++) {
            json_t *k;
            if (ev(c, obj->kids[2 * p], s->v[i].v, s->v[i].anc, s->v[i].fr, &k) != 0)
                goto done;
            if (!k)
                continue;
            if (!json_is_string(k)) {
                asl_jn_ctx_fail(c, "T1003", "Key in object structure must evaluate to a string; got: %s",
                        json_is_number(k) ? "number" : "non-string");
                goto done;
            }
            size_t j;
            for (j = 0; j < ng; j++)
                if (strcmp(g[j].key, json_string_value(k)) == 0)
                    break;
            if (j == ng) {
                struct grp *ng2 = realloc(g, (ng + 1) * sizeof *g);
                if (!ng2)
                    goto done;
                g = ng2;
                g[ng].key = json_string_value(k);
                g[ng].pair = (int)p;
                memset(&g[ng].data, 0, sizeof g[ng].data);
                ng++;
            } else if (g[j].pair != (int)p) {
                asl_jn_ctx_fail(c, "D1009", "Multiple key definitions evaluate to same key: \"%s\"", g[j].key);
                goto done;
            }
            items_push(&g[j].data, s->v[i].v, s->v[i].anc, s->v[i].fr);
        }
    }
    for (size_t j = 0; j < ng; j++) {
        json_t *ctxv;
        struct item *f = &g[j].data.v[0];
        if (g[j].data.n == 1) {
            ctxv = f->v;
        } else {
            ctxv = asl_jn_seq(c);
            for (size_t i = 0; i < g[j].data.n; i++)
                asl_jn_append_flat(ctxv, g[j].data.v[i].v);
        }
        json_t *v;
        struct jn_frame *gfr = f->fr;
        if (g[j].data.n > 1 && f->fr) {
            /* tuple bindings become the sequence of every member's value */
            gfr = frame_new(c, f->fr);
            if (!gfr)
                goto done;
            for (struct jn_frame *fx = f->fr; fx; fx = fx->parent)
                for (struct jn_bind *b = fx->binds; b; b = b->next) {
                    int dup = 0;
                    for (struct jn_bind *q = gfr->binds; q && !dup; q = q->next)
                        dup = q->len == b->len && memcmp(q->name, b->name, b->len) == 0;
                    if (!b->tuple || dup)
                        continue;
                    json_t *sq = asl_jn_seq(c);
                    for (size_t i = 0; i < g[j].data.n; i++) {
                        json_t *x;
                        if (lookup(c, g[j].data.v[i].fr, b->name, b->len, &x))
                            asl_jn_append_flat(sq, x);
                    }
                    bind_tuple(c, gfr, b->name, b->len, collapse(c, sq, 0));
                }
        }
        if (ev(c, obj->kids[2 * g[j].pair + 1], ctxv, f->anc, gfr, &v) != 0)
            goto done;
        if (v)
            json_object_set(res, g[j].key, v);
    }
    *out = res;
    rc = 0;
done:
    for (size_t j = 0; j < ng; j++)
        free(g[j].data.v);
    free(g);
    return rc;
}

/* ----------------------------------------------------------- operators */

static int num_result(struct jn_ctx *c, double d, json_t **out)
{
    *out = isfinite(d) ? H(asl_jn_num(d)) : asl_jn_nonfinite(c);
    return *out ? 0 : -1;
}

/* and, or: the right side only when the left does not decide. */
static int bin_logic(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                     struct jn_frame *fr, json_t **out)
{
    json_t *l, *r;
    int op = n->op;
    if (ev(c, n->kids[0], in, anc, fr, &l) != 0)
        return -1;
    if (asl_jn_is_nonfinite(c, l))
        return out_of_range(c);
    int lb = asl_jn_bool(c, l);
    if ((op == ASL_JN_OP_AND && !lb) || (op == ASL_JN_OP_OR && lb)) {
        *out = lb ? json_true() : json_false();
        return 0;
    }
    if (ev(c, n->kids[1], in, anc, fr, &r) != 0)
        return -1;
    if (asl_jn_is_nonfinite(c, r))
        return out_of_range(c);
    *out = asl_jn_bool(c, r) ? json_true() : json_false();
    return 0;
}

/* l ~> f(args): f called with l before its own arguments. */
static int chain_call(struct jn_ctx *c, const struct asl_jn_node *rn, json_t *l, json_t *in,
                      struct jn_anc *anc, struct jn_frame *fr, json_t **out)
{
    json_t *f;
    if (ev(c, rn->kids[0], in, anc, fr, &f) != 0)
        return -1;
    if (!asl_jn_fn_of(c, f))
        return asl_jn_ctx_fail(c, "T2006", "The right side of the function application operator ~> must be a function");
    size_t na = rn->nkids;
    json_t **args = calloc(na, sizeof *args);
    if (!args)
        return -1;
    args[0] = l;
    for (size_t i = 1; i < na; i++)
        if (ev(c, rn->kids[i], in, anc, fr, &args[i]) != 0) {
            free(args);
            return -1;
        }
    int rc = asl_jn_apply(c, f, args, na, in, out);
    free(args);
    if (rc == 0 && *out && (rn->flags & ASL_JN_F_KEEPARRAY)) {
        /* f(..)[] on the right: the result keeps a singleton array */
        if (!json_is_array(*out)) {
            json_t *cp = asl_jn_seq(c);
            json_array_append(cp, *out);
            *out = cp;
        }
        if (asl_jn_flags(c, *out) & JN_SEQ)
            asl_jn_mark(c, *out, JN_KEEP);
    }
    return rc;
}

/* l ~> r: r applied to l, or, when l is a function too, their composition. */
static int bin_chain(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                     struct jn_frame *fr, json_t **out)
{
    json_t *l, *r;
    if (ev(c, n->kids[0], in, anc, fr, &l) != 0)
        return -1;
    const struct asl_jn_node *rn = n->kids[1];
    if (rn->type == ASL_JN_CALL && !rn->op)
        return chain_call(c, rn, l, in, anc, fr, out);
    if (ev(c, rn, in, anc, fr, &r) != 0)
        return -1;
    if (!asl_jn_fn_of(c, r))
        return asl_jn_ctx_fail(c, "T2006", "The right side of the function application operator ~> must be a function");
    if (!asl_jn_fn_of(c, l))
        return asl_jn_apply(c, r, &l, 1, in, out);
    /* composition: a function applying l then r */
    struct jn_fn *fn;
    json_t *fv = asl_jn_fn_new(c, &fn);
    if (!fv)
        return -1;
    fn->kind = JN_FN_PARTIAL;
    fn->target = NULL;
    fn->args = asl_jn_ctx_alloc(c, 2 * sizeof *fn->args);
    if (!fn->args)
        return -1;
    fn->args[0] = l;
    fn->args[1] = r;
    fn->nargs = 2;
    fn->node = NULL;
    fn->code = (void *)1;  /* marks a composition */
    *out = fv;
    return 0;
}

static int bin_arith(struct jn_ctx *c, int op, json_t *l, json_t *r, json_t **out)
{
    if (l && !json_is_number(l))
        return asl_jn_ctx_fail(c, "T2001", "The left side of the %s operator must evaluate to a number", "arithmetic");
    if (r && !json_is_number(r))
        return asl_jn_ctx_fail(c, "T2002", "The right side of the %s operator must evaluate to a number", "arithmetic");
    if (!l || !r)
        return 0;
    double a = json_number_value(l), b = json_number_value(r), v = 0;
    switch (op) {
    case ASL_JN_OP_ADD: v = a + b; break;
    case ASL_JN_OP_SUB: v = a - b; break;
    case ASL_JN_OP_MUL: v = a * b; break;
    case ASL_JN_OP_DIV: v = a / b; break;
    default: v = fmod(a, b); break;
    }
    return num_result(c, v, out);
}

/* = != < <= > >= in */
static int bin_compare(struct jn_ctx *c, int op, json_t *l, json_t *r, json_t **out)
{
    if (op == ASL_JN_OP_EQ || op == ASL_JN_OP_NE || op == ASL_JN_OP_IN) {
        if (!l || !r) {     /* an undefined side: false, for != too */
            *out = json_false();
            return 0;
        }
        int found = 0;
        if (op == ASL_JN_OP_IN && json_is_array(r)) {
            for (size_t i = 0; i < json_array_size(r) && !found; i++)
                found = asl_jn_equal(c, l, json_array_get(r, i));
        } else {
            found = asl_jn_equal(c, l, r);
        }
        *out = (op == ASL_JN_OP_NE ? !found : found) ? json_true() : json_false();
        return 0;
    }
    int lok = !l || json_is_number(l) || json_is_string(l);
    int rok = !r || json_is_number(r) || json_is_string(r);
    if (!lok || !rok)
        return asl_jn_ctx_fail(c, "T2010", "The expressions either side of operator must evaluate to numbers or strings");
    if (!l || !r)
        return 0;
    if (json_is_number(l) != json_is_number(r))
        return asl_jn_ctx_fail(c, "T2009", "The values either side of the operator must be of the same data type");
    int cmp;
    if (json_is_number(l)) {
        double a = json_number_value(l), b = json_number_value(r);
        cmp = a < b ? -1 : a > b;
    } else {
        cmp = asl_jn_str_cmp(l, r);
    }
    int v = op == ASL_JN_OP_LT ? cmp < 0 : op == ASL_JN_OP_LE ? cmp <= 0 : op == ASL_JN_OP_GT ? cmp > 0 : cmp >= 0;
    *out = v ? json_true() : json_false();
    return 0;
}

static int bin_concat(struct jn_ctx *c, json_t *l, json_t *r, json_t **out)
{
    json_t *a = l ? asl_jn_stringify(c, l, 0) : NULL, *b = r ? asl_jn_stringify(c, r, 0) : NULL;
    if ((l && !a) || (r && !b))
        return -1;
    size_t la = a ? json_string_length(a) : 0, lb = b ? json_string_length(b) : 0;
    if (asl_jn_mem_check(c, 2.0 * (double)(la + lb)))    /* the buffer, then the string */
        return -1;
    char *buf = malloc(la + lb + 1);
    if (!buf)
        return -1;
    if (la) memcpy(buf, json_string_value(a), la);
    if (lb) memcpy(buf + la, json_string_value(b), lb);
    *out = H(json_stringn(buf, la + lb));
    free(buf);
    return 0;
}

static int bin_range(struct jn_ctx *c, json_t *l, json_t *r, json_t **out)
{
    if (l && (!json_is_number(l) || json_number_value(l) != floor(json_number_value(l))))
        return asl_jn_ctx_fail(c, "T2003", "The left side of the range operator (..) must evaluate to an integer");
    if (r && (!json_is_number(r) || json_number_value(r) != floor(json_number_value(r))))
        return asl_jn_ctx_fail(c, "T2004", "The right side of the range operator (..) must evaluate to an integer");
    if (!l || !r)
        return 0;
    double a = json_number_value(l), b = json_number_value(r);
    if (b - a + 1 > 1e7)
        return asl_jn_ctx_fail(c, "D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7");
    json_t *arr = H(json_array());
    for (double x = a; x <= b; x++) {
        if (ASL_JN_MEM_POLL_FAILS(c, json_array_size(arr)))
            return -1;
        json_array_append_new(arr, asl_jn_num(x));
    }
    *out = arr;
    return 0;
}

static int binary(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                  struct jn_frame *fr, json_t **out)
{
    json_t *l, *r;
    *out = NULL;
    int op = n->op;
    if (op == ASL_JN_OP_AND || op == ASL_JN_OP_OR)
        return bin_logic(c, n, in, anc, fr, out);
    if (op == ASL_JN_OP_CHAIN)
        return bin_chain(c, n, in, anc, fr, out);
    if (ev(c, n->kids[0], in, anc, fr, &l) != 0 || ev(c, n->kids[1], in, anc, fr, &r) != 0)
        return -1;
    if (op != ASL_JN_OP_CONCAT && (asl_jn_is_nonfinite(c, l) || asl_jn_is_nonfinite(c, r)))
        return out_of_range(c);     /* & stringifies: $string's D3001 */
    switch (op) {
    case ASL_JN_OP_ADD: case ASL_JN_OP_SUB: case ASL_JN_OP_MUL: case ASL_JN_OP_DIV: case ASL_JN_OP_MOD:
        return bin_arith(c, op, l, r, out);
    case ASL_JN_OP_EQ: case ASL_JN_OP_NE: case ASL_JN_OP_IN:
    case ASL_JN_OP_LT: case ASL_JN_OP_LE: case ASL_JN_OP_GT: case ASL_JN_OP_GE:
        return bin_compare(c, op, l, r, out);
    case ASL_JN_OP_CONCAT:
        return bin_concat(c, l, r, out);
    case ASL_JN_OP_RANGE:
        return bin_range(c, l, r, out);
    }
    return asl_jn_ctx_fail(c, "S0201", "unknown operator");
}

/* ------------------------------------------------------------ transform */

static int transform_apply(struct jn_ctx *c, struct jn_fn *fn, json_t *obj, json_t **out)
{
    const struct asl_jn_node *n = fn->node;
    *out = NULL;
    if (!obj)
        return 0;
    if (!json_is_object(obj) && !json_is_array(obj))
        return asl_jn_ctx_fail(c, "T0410", "Argument 1 of function transform does not match function signature");
    json_t *copy = H(json_deep_copy(obj));
    json_t *matches;
    if (ev(c, n->kids[0], copy, NULL, fn->closure, &matches) != 0)
        return -1;
    if (matches) {
        json_t *arr = matches;
        if (!json_is_array(matches)) {
            arr = H(json_array());
            json_array_append(arr, matches);
        }
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *m = json_array_get(arr, i), *upd;
            if (!json_is_object(m))
                continue;
            if (ev(c, n->kids[1], m, NULL, fn->closure, &upd) != 0)
                return -1;
            if (upd) {
                if (!json_is_object(upd))
                    return asl_jn_ctx_fail(c, "T2011", "The insert/update clause of the transform expression must evaluate to an object");
                const char *k;
                json_t *v;
                json_object_foreach(upd, k, v)
                    json_object_set(m, k, v);
            }
            if (n->nkids > 2) {
                json_t *del;
                if (ev(c, n->kids[2], m, NULL, fn->closure, &del) != 0)
                    return -1;
                if (del) {
                    json_t *da = del;
                    if (!json_is_array(del)) {
                        da = H(json_array());
                        json_array_append(da, del);
                    }
                    for (size_t k = 0; k < json_array_size(da); k++) {
                        json_t *key = json_array_get(da, k);
                        if (!json_is_string(key))
                            return asl_jn_ctx_fail(c, "T2012", "The delete clause of the transform expression must evaluate to a string or array of strings");
                        json_object_del(m, json_string_value(key));
                    }
                }
            }
        }
    }
    *out = copy;
    return 0;
}

/* ------------------------------------------------------------- apply */

int asl_jn_arity(struct jn_ctx *c, json_t *fnv)
{
    struct jn_fn *fn = asl_jn_fn_of(c, fnv);
    if (!fn)
        return 0;
    switch (fn->kind) {
    case JN_FN_LAMBDA:
        return (int)fn->node->nkids - 1;
    case JN_FN_NATIVE: {
        int n = 0;
        const char *s = fn->bi->sig;
        int depth = 0;
        for (s++; *s && *s != ':' && !(*s == '>' && depth == 0); s++) {
            if (*s == '<') depth++;
            else if (*s == '>') depth--;
            else if (depth == 0 && (strchr("bnsloafjxu(", *s)))
                n++;
            if (*s == '(') {
                while (*s && *s != ')') s++;
            }
        }
        return n;
    }
    case JN_FN_PARTIAL: {
        int n = 0;
        for (size_t i = 0; i < fn->nargs; i++)
            if (!fn->args[i])
                n++;
        return fn->code ? 1 : n;
    }
    default:
        return 1;
    }
}

/* The built-in a variable node names, looked up once per evaluation and
 * node (the tree is shared by threads, so the cache lives in the context). */
static const struct jn_builtin *builtin_of(struct jn_ctx *c, const struct asl_jn_node *n)
{
    uint64_t x = (uint64_t)(uintptr_t)n * 0x9E3779B97F4A7C15ull;
    size_t h = (size_t)(x >> 59);   /* 32 slots */
    if (c->bcache[h].n != n) {
        c->bcache[h].n = n;
        c->bcache[h].b = asl_jn_builtin_find(n->str, n->len);
    }
    return c->bcache[h].b;
}

static int apply_native(struct jn_ctx *c, const struct jn_builtin *bi, json_t **args, size_t nargs,
                        json_t *in, json_t **out)
{
    json_t **vargs;
    size_t nv;
    /* $string raises its own D3001; $exists is true of any value */
    if (c->nmarks && strcmp(bi->name, "string") != 0 && strcmp(bi->name, "exists") != 0)
        for (size_t i = 0; i < nargs; i++)
            if (asl_jn_is_nonfinite(c, args[i]))
                return out_of_range(c);
    if (asl_jn_validate(c, bi->sig, bi->name, args, nargs, in, &vargs, &nv) != 0)
        return -1;
    int rc = bi->fn(c, vargs, nv, in, out);
    free(vargs);
    return rc;
}

/* A call in the tail position of a lambda body, not made yet.  2.0.6 turns
 * such calls into thunks that apply() runs in a loop (tail-call
 * optimisation), so tail recursion takes no depth: the lambda case below
 * loops the same way.  args is owned (malloc'd). */
struct jn_tail {
    json_t *f;
    json_t **args;
    size_t nargs;
    json_t *in;
};

static int call(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                struct jn_frame *fr, json_t **out, struct jn_tail *tail);
static int ev_tail(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_frame *fr,
                   json_t **out, struct jn_tail *tail);

int asl_jn_apply(struct jn_ctx *c, json_t *fnv, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    struct jn_fn *fn = asl_jn_fn_of(c, fnv);
    *out = NULL;
    if (!fn)
        return asl_jn_ctx_fail(c, "T1006", "Attempted to invoke a non-function");
    if (++c->depth > JN_MAX_DEPTH) {
        c->depth--;
        return asl_jn_ctx_fail(c, "U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
    }
    int rc = -1;
    switch (fn->kind) {
    case JN_FN_LAMBDA: {
        struct jn_fn *lf = fn;
        json_t **cargs = args, **owned = NULL;
        size_t cn = nargs;
        json_t *cin = in;
        for (;;) {
            const struct asl_jn_node *ln = lf->node;
            json_t **vargs = cargs;
            size_t nv = cn;
            struct jn_tail t = {0};
            rc = -1;
            if (ln->str && asl_jn_validate(c, ln->str, "lambda", cargs, cn, cin, &vargs, &nv) != 0)
                break;
            struct jn_frame *f = frame_new(c, lf->closure);
            if (f) {
                for (size_t i = 1; i < ln->nkids; i++)
                    bind(c, f, ln->kids[i]->str, ln->kids[i]->len, i - 1 < nv ? vargs[i - 1] : NULL);
            }
            if (vargs != cargs)
                free(vargs);
            if (!f)
                break;
            rc = ev_tail(c, ln->kids[0], lf->in, f, out, &t);
            free(owned);
            owned = NULL;
            if (rc != 0 || !t.f)
                break;
            /* the body ended in a call of a lambda: run it here */
            lf = asl_jn_fn_of(c, t.f);
            cargs = owned = t.args;
            cn = t.nargs;
            cin = t.in;
            if ((++c->steps & 4095) == 0 && c->env->cancel && asl_cancel_is_set(c->env->cancel)) {
                rc = asl_jn_ctx_fail(c, "U1002", "Evaluation cancelled");
                break;
            }
        }
        free(owned);
        break;
    }
    case JN_FN_NATIVE:
        rc = apply_native(c, fn->bi, args, nargs, in, out);
        break;
    case JN_FN_PARTIAL: {
        if (fn->code) {  /* composition */
            json_t *mid;
            if (asl_jn_apply(c, fn->args[0], args, nargs, in, &mid) != 0)
                break;
            rc = asl_jn_apply(c, fn->args[1], &mid, 1, in, out);
            break;
        }
        json_t **full = calloc(fn->nargs + 1, sizeof *full);
        if (!full)
            break;
        size_t k = 0;
        for (size_t i = 0; i < fn->nargs; i++)
            full[i] = fn->args[i] ? fn->args[i] : (k < nargs ? args[k++] : NULL);
        rc = asl_jn_apply(c, fn->target, full, fn->nargs, in, out);
        free(full);
        break;
    }
    case JN_FN_TRANSFORM:
        rc = transform_apply(c, fn, nargs ? args[0] : NULL, out);
        break;
    case JN_FN_REGEX: {
        /* calling a regex: the first match as {match, start, end, groups, next} */
        const struct jn_builtin *m = asl_jn_builtin_find("__regexcall", 11);
        json_t *a2[2] = {nargs ? args[0] : NULL, fnv};
        rc = m ? m->fn(c, a2, 2, in, out) : -1;
        break;
    }
    }
    c->depth--;
    return rc;
}

/* 2.0.6's hint for a procedure that is a path and evaluates to nothing
 * while the environment knows its first step's name (`substring(...)`
 * for $substring): that name (T1005 / T1007, "Did you mean $name?"), or
 * NULL.  The environment holds the built-ins, $states and the bound
 * variables; a value that is falsy in JavaScript does not count. */
static const char *proc_hint(struct jn_ctx *c, struct jn_frame *fr, const struct asl_jn_node *p,
                             size_t *len)
{
    const struct asl_jn_node *first = p->type == ASL_JN_PATH && p->nkids ? p->kids[0] : p;
    if (p->type != ASL_JN_NAME && !(p->type == ASL_JN_PATH && first != p))
        return NULL;
    if ((first->type != ASL_JN_NAME && first->type != ASL_JN_VAR) || first->len == 0)
        return NULL;
    json_t *v = NULL;
    int known = asl_jn_builtin_find(first->str, first->len) != NULL ||
                (first->len == 6 && memcmp(first->str, "states", 6) == 0);
    if (!known && lookup(c, fr, first->str, first->len, &v))
        known = v && !json_is_null(v) && !json_is_false(v) &&
                !(json_is_number(v) && json_number_value(v) == 0) &&
                !(json_is_string(v) && json_string_length(v) == 0);
    if (!known && c->env && c->env->lookup && (v = c->env->lookup(c->env->ud, first->str, first->len)))
        known = !json_is_null(v) && !json_is_false(v);
    *len = first->len;
    return known ? first->str : NULL;
}

static int call(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                struct jn_frame *fr, json_t **out, struct jn_tail *tail)
{
    json_t *f = NULL;
    const struct jn_builtin *bi = NULL;
    const struct asl_jn_node *fnode = n->kids[0];
    *out = NULL;
    if (!n->op && fnode->type == ASL_JN_VAR && fnode->len > 0 && !fnode->nstages && !fnode->group &&
        !(fnode->flags & ASL_JN_F_KEEPARRAY) && !(fnode->len == 1 && fnode->str[0] == '$') &&
        !lookup(c, fr, fnode->str, fnode->len, &f) &&
        !(fnode->len == 6 && memcmp(fnode->str, "states", 6) == 0) &&
        !(c->env && c->env->lookup && c->env->lookup(c->env->ud, fnode->str, fnode->len))) {
        /* $name(...) naming a built-in: called directly, no function value made */
        bi = builtin_of(c, fnode);   /* none: T1006 once the arguments are evaluated */
    } else if (f) {
        /* bound in a frame: lookup() found it */
    } else if (ev(c, fnode, in, anc, fr, &f) != 0) {
        return -1;
    }
    /* 2.0.6's order: the procedure, then T1005 (a call of a path naming a
     * known function), then the arguments, then T1006 / T1007 / T1008. */
    int nonfn = !bi && !asl_jn_fn_of(c, f);
    size_t hlen = 0;
    const char *hint = nonfn && !f ? proc_hint(c, fr, fnode, &hlen) : NULL;
    if (hint && !n->op)
        return asl_jn_ctx_fail(c, "T1005", "Attempted to invoke a non-function. Did you mean $%.*s?",
                               (int)hlen, hint);
    size_t na = n->nkids - 1;
    json_t **args = calloc(na + 1, sizeof *args);
    if (!args)
        return -1;
    for (size_t i = 0; i < na; i++) {
        if (n->kids[i + 1]->type == ASL_JN_PLACEHOLDER)
            continue;
        if (ev(c, n->kids[i + 1], in, anc, fr, &args[i]) != 0) {
            free(args);
            return -1;
        }
    }
    if (nonfn) {
        free(args);
        if (n->op && hint)
            return asl_jn_ctx_fail(c, "T1007", "Attempted to partially apply a non-function. Did you mean $%.*s?",
                                   (int)hlen, hint);
        if (n->op)
            return asl_jn_ctx_fail(c, "T1008", "Attempted to partially apply a non-function");
        return asl_jn_ctx_fail(c, "T1006", "Attempted to invoke a non-function");
    }
    int rc;
    if (n->op) {
        struct jn_fn *fn;
        json_t *fv = asl_jn_fn_new(c, &fn);
        rc = -1;
        if (fv) {
            fn->kind = JN_FN_PARTIAL;
            fn->target = f;
            fn->args = asl_jn_ctx_alloc(c, (na + 1) * sizeof *fn->args);
            if (fn->args) {
                memcpy(fn->args, args, na * sizeof *args);
                fn->nargs = na;
                *out = fv;
                rc = 0;
            }
        }
    } else if (bi) {
        if (++c->depth > JN_MAX_DEPTH) {
            c->depth--;
            free(args);
            return asl_jn_ctx_fail(c, "U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
        }
        rc = apply_native(c, bi, args, na, in, out);
        c->depth--;
    } else if (tail && asl_jn_fn_of(c, f)->kind == JN_FN_LAMBDA) {
        tail->f = f;        /* made by the caller's loop (asl_jn_apply) */
        tail->args = args;
        tail->nargs = na;
        tail->in = in;
        return 0;
    } else {
        rc = asl_jn_apply(c, f, args, na, in, out);
    }
    free(args);
    return rc;
}

/* cond ? then : else: the branch to evaluate (*branch NULL: none, the
 * result is undefined), after the condition is evaluated. */
static int cond_branch(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                       struct jn_frame *fr, const struct asl_jn_node **branch)
{
    json_t *t;
    *branch = NULL;
    if (ev(c, n->kids[0], in, anc, fr, &t) != 0)
        return -1;
    if (asl_jn_is_nonfinite(c, t))
        return out_of_range(c);
    if (asl_jn_bool(c, t))
        *branch = n->kids[1];
    else if (n->nkids > 2)
        *branch = n->kids[2];
    return 0;
}

/* ev for a lambda body: a call in tail position (the body itself, either
 * branch of a condition, the last expression of a block) of a lambda is
 * handed back in *tail instead of being made. */
static int ev_tail(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_frame *fr,
                   json_t **out, struct jn_tail *tail)
{
    *out = NULL;
    if (n->nstages || n->group || (n->flags & ASL_JN_F_KEEPARRAY))
        return ev(c, n, in, NULL, fr, out);
    switch (n->type) {
    case ASL_JN_CALL: {
        if (n->op)
            break;
        if (++c->depth > JN_MAX_DEPTH) {
            c->depth--;
            return asl_jn_ctx_fail(c, "U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
        }
        int rc = call(c, n, in, NULL, fr, out, tail);
        c->depth--;
        if (rc == 0 && !tail->f)
            *out = collapse(c, *out, 0);
        return rc;
    }
    case ASL_JN_COND: {
        const struct asl_jn_node *b;
        if (cond_branch(c, n, in, NULL, fr, &b) != 0)
            return -1;
        return b ? ev_tail(c, b, in, fr, out, tail) : 0;
    }
    case ASL_JN_BLOCK: {
        if (n->nkids == 0)
            break;
        struct jn_frame *f = frame_new(c, fr);
        if (!f)
            return -1;
        for (size_t i = 0; i + 1 < n->nkids; i++)
            if (ev(c, n->kids[i], in, NULL, f, out) != 0)
                return -1;
        return ev_tail(c, n->kids[n->nkids - 1], in, f, out, tail);
    }
    default:
        break;
    }
    return ev(c, n, in, NULL, fr, out);
}

/* ------------------------------------------------------------------- ev */

/* Literals: numbers, strings, true, false, null, a regex (a function value). */
static int ev_literal(struct jn_ctx *c, const struct asl_jn_node *n, json_t **out)
{
    switch (n->type) {
    case ASL_JN_NUM:
        *out = H(asl_jn_num(n->num));
        return 0;
    case ASL_JN_STR:
        *out = H(json_stringn(n->str ? n->str : "", n->len));
        return 0;
    case ASL_JN_TRUE: *out = json_true(); return 0;
    case ASL_JN_FALSE: *out = json_false(); return 0;
    case ASL_JN_NULL: *out = json_null(); return 0;
    default: {
        struct jn_fn *fn;
        json_t *fv = asl_jn_fn_new(c, &fn);
        if (!fv)
            return -1;
        fn->kind = JN_FN_REGEX;
        fn->node = n;
        *out = fv;
        return 0;
    }
    }
}

/* A field name: the member of an object, the members of an array's objects. */
static int ev_name(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, json_t **out)
{
    if (!in)
        return 0;
    if (json_is_object(in)) {
        if (asl_jn_fn_of(c, in))
            return 0;
        char stack[128];
        char *key = n->len < sizeof stack ? stack : malloc(n->len + 1);
        if (!key)
            return -1;
        memcpy(key, n->str, n->len);
        key[n->len] = 0;
        *out = json_object_get(in, key);
        if (key != stack)
            free(key);
        return 0;
    }
    if (json_is_array(in)) {
        json_t *s = asl_jn_seq(c);
        for (size_t i = 0; i < json_array_size(in); i++) {
            json_t *r = NULL;
            if (ev_name(c, n, json_array_get(in, i), &r) != 0)
                return -1;
            asl_jn_append_flat(s, r);
        }
        *out = s;
    }
    return 0;
}

/* $ (the context), $$ (undefined here), a bound name, $states, an
 * environment variable, or a built-in function's value. */
static int ev_var(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_frame *fr, json_t **out)
{
    if (n->len == 0) {
        *out = in;
        return 0;
    }
    if (n->len == 1 && n->str[0] == '$')
        return 0;
    if (lookup(c, fr, n->str, n->len, out))
        return 0;
    if (n->len == 6 && memcmp(n->str, "states", 6) == 0) {
        *out = c->env ? c->env->states : NULL;
        return 0;
    }
    if (c->env && c->env->lookup) {
        json_t *v = c->env->lookup(c->env->ud, n->str, n->len);
        if (v) {
            *out = v;
            return 0;
        }
    }
    const struct jn_builtin *b = builtin_of(c, n);
    if (b) {
        struct jn_fn *fn;
        json_t *fv = asl_jn_fn_new(c, &fn);
        if (!fv)
            return -1;
        fn->kind = JN_FN_NATIVE;
        fn->bi = b;
        *out = fv;
    }
    return 0;
}

/* *: every member's value of an object, and of an array's objects. */
static int ev_wild(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, json_t **out)
{
    if (!in)
        return 0;
    json_t *s = asl_jn_seq(c);
    if (json_is_object(in) && !asl_jn_fn_of(c, in)) {
        const char *k;
        json_t *v;
        json_object_foreach(in, k, v)
            asl_jn_append_flat(s, v);
    } else if (json_is_array(in)) {
        for (size_t i = 0; i < json_array_size(in); i++) {
            json_t *e = json_array_get(in, i), *r = NULL;
            if (json_is_object(e)) {
                if (ev_wild(c, n, e, &r) != 0)
                    return -1;
                asl_jn_append_flat(s, r);
            } else {
                asl_jn_append_flat(s, e);
            }
        }
    }
    *out = s;
    return 0;
}

/* **: every value below `in`, depth-first and pre-order (arrays are
 * walked, not yielded), with a stack of its own instead of recursion. */
static int ev_desc(struct jn_ctx *c, json_t *in, json_t **out)
{
    if (!in)
        return 0;
    json_t *s = asl_jn_seq(c);
    json_t **stack = NULL;
    size_t sn = 0, scap = 0;
    /* push children in reverse */
    json_t *cur = in;
    for (;;) {
        if (cur) {
            if (!json_is_array(cur))
                json_array_append(s, cur);
            json_t **kids = NULL;
            size_t nk = 0;
            if (json_is_array(cur)) {
                nk = json_array_size(cur);
                kids = malloc((nk ? nk : 1) * sizeof *kids);
                for (size_t i = 0; kids && i < nk; i++)
                    kids[i] = json_array_get(cur, i);
            } else if (json_is_object(cur) && !asl_jn_fn_of(c, cur)) {
                nk = json_object_size(cur);
                kids = malloc((nk ? nk : 1) * sizeof *kids);
                const char *k;
                json_t *v;
                size_t i = 0;
                if (kids)
                    json_object_foreach(cur, k, v)
                        kids[i++] = v;
            }
            if (sn + nk > scap) {
                scap = (sn + nk) * 2 + 16;
                json_t **ns = realloc(stack, scap * sizeof *ns);
                if (!ns) {
                    free(kids);
                    free(stack);
                    return -1;
                }
                stack = ns;
            }
            for (size_t i = nk; kids && i > 0; i--)
                stack[sn++] = kids[i - 1];
            free(kids);
        }
        if (sn == 0)
            break;
        cur = stack[--sn];
    }
    free(stack);
    *out = s;
    return 0;
}

static int ev_neg(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                  struct jn_frame *fr, json_t **out)
{
    json_t *v;
    if (ev(c, n->kids[0], in, anc, fr, &v) != 0)
        return -1;
    if (!v)
        return 0;
    if (asl_jn_is_nonfinite(c, v)) {
        *out = v;
        return 0;
    }
    if (!json_is_number(v))
        return asl_jn_ctx_fail(c, "D1002", "Cannot negate a non-numeric value");
    return num_result(c, -json_number_value(v), out);
}

/* [a, b, ...]: sequences are flattened in, nested constructors kept. */
static int ev_array(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                    struct jn_frame *fr, json_t **out)
{
    json_t *a = H(json_array());
    if (n->flags & ASL_JN_F_CONSARRAY)
        asl_jn_mark(c, a, JN_CONS);
    for (size_t i = 0; i < n->nkids; i++) {
        json_t *v;
        if (ev(c, n->kids[i], in, anc, fr, &v) != 0)
            return -1;
        if (!v)
            continue;
        if (n->kids[i]->type == ASL_JN_ARRAY)
            json_array_append(a, v);
        else
            asl_jn_append_flat(a, v);
    }
    *out = a;
    return 0;
}

/* The context as items: an array's members, else the value itself. */
static void context_items(json_t *in, struct jn_anc *anc, struct jn_frame *fr, struct items *s)
{
    if (json_is_array(in)) {
        for (size_t i = 0; i < json_array_size(in); i++)
            items_push(s, json_array_get(in, i), anc, fr);
    } else if (in) {
        items_push(s, in, anc, fr);
    }
}

/* {k: v} on its own (a group over the context) and ^(...) outside a path. */
static int ev_grouping(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                       struct jn_frame *fr, json_t **out)
{
    struct items s = {0};
    int rc;
    if (n->type == ASL_JN_OBJECT) {
        if (json_is_array(in))
            context_items(in, anc, fr, &s);
        else
            items_push(&s, in, anc, fr);    /* undefined too: an object of constant keys */
        rc = group_eval(c, n, &s, out);
    } else {
        context_items(in, NULL, fr, &s);
        rc = sort_items(c, n, &s);
        if (rc == 0) {
            json_t *r = asl_jn_seq(c);
            for (size_t i = 0; i < s.n; i++)
                json_array_append(r, s.v[i].v);
            *out = r;
        }
    }
    free(s.v);
    return rc;
}

/* ( a; b; c ): a frame of its own, the last value. */
static int ev_block(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                    struct jn_frame *fr, json_t **out)
{
    struct jn_frame *f = frame_new(c, fr);
    if (!f)
        return -1;
    for (size_t i = 0; i < n->nkids; i++)
        if (ev(c, n->kids[i], in, anc, f, out) != 0)
            return -1;
    return 0;
}

/* $name := value */
static int ev_bind(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                   struct jn_frame *fr, json_t **out)
{
    json_t *v;
    if (ev(c, n->kids[0], in, anc, fr, &v) != 0)
        return -1;
    if (fr && bind(c, fr, n->str, n->len, v) != 0)
        return -1;
    *out = v;
    return 0;
}

/* function(...) { } and |loc|update| : function values closing over fr. */
static int ev_function(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_frame *fr,
                       json_t **out)
{
    struct jn_fn *fn;
    json_t *fv = asl_jn_fn_new(c, &fn);
    if (!fv)
        return -1;
    fn->kind = n->type == ASL_JN_LAMBDA ? JN_FN_LAMBDA : JN_FN_TRANSFORM;
    fn->node = n;
    fn->closure = fr;
    fn->in = in;
    *out = fv;
    return 0;
}

static int ev_raw(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
                  struct jn_frame *fr, json_t **out)
{
    *out = NULL;
    switch (n->type) {
    case ASL_JN_NUM: case ASL_JN_STR: case ASL_JN_TRUE: case ASL_JN_FALSE: case ASL_JN_NULL:
    case ASL_JN_REGEX:
        return ev_literal(c, n, out);
    case ASL_JN_NAME:
        return ev_name(c, n, in, out);
    case ASL_JN_VAR:
        return ev_var(c, n, in, fr, out);
    case ASL_JN_WILD:
        return ev_wild(c, n, in, out);
    case ASL_JN_DESC:
        return ev_desc(c, in, out);
    case ASL_JN_PARENT:
        *out = anc ? anc->v : NULL;
        return 0;
    case ASL_JN_PATH:
        return eval_path(c, n, in, anc, fr, out);
    case ASL_JN_BINARY:
        return binary(c, n, in, anc, fr, out);
    case ASL_JN_NEG:
        return ev_neg(c, n, in, anc, fr, out);
    case ASL_JN_ARRAY:
        return ev_array(c, n, in, anc, fr, out);
    case ASL_JN_OBJECT: case ASL_JN_SORT:
        return ev_grouping(c, n, in, anc, fr, out);
    case ASL_JN_BLOCK:
        return ev_block(c, n, in, anc, fr, out);
    case ASL_JN_COND: {
        const struct asl_jn_node *b;
        if (cond_branch(c, n, in, anc, fr, &b) != 0)
            return -1;
        return b ? ev(c, b, in, anc, fr, out) : 0;
    }
    case ASL_JN_BIND:
        return ev_bind(c, n, in, anc, fr, out);
    case ASL_JN_CALL:
        return call(c, n, in, anc, fr, out, NULL);
    case ASL_JN_LAMBDA: case ASL_JN_TRANSFORM:
        return ev_function(c, n, in, fr, out);
    default:
        return asl_jn_ctx_fail(c, "S0201", "unsupported expression node %d", n->type);
    }
}

static int ev(struct jn_ctx *c, const struct asl_jn_node *n, json_t *in, struct jn_anc *anc,
              struct jn_frame *fr, json_t **out)
{
    *out = NULL;
    /* A long evaluation stops with its execution: TimeoutSeconds, a failed
     * sibling branch.  The caller reports the cancellation's own error. */
    if ((++c->steps & 4095) == 0 && c->env->cancel && asl_cancel_is_set(c->env->cancel))
        return asl_jn_ctx_fail(c, "U1002", "Evaluation cancelled");
    if (asl_jn_mem_check(c, 0))
        return -1;
    if (++c->depth > JN_MAX_DEPTH) {
        c->depth--;
        return asl_jn_ctx_fail(c, "U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
    }
    int rc = ev_raw(c, n, in, anc, fr, out);
    if (rc == 0 && n->type != ASL_JN_PATH) {
        for (size_t k = 0; k < n->nstages && rc == 0; k++)
            if (n->stages[k]->type == ASL_JN_FILTER)
                rc = filter(c, n->stages[k]->kids[0], *out, anc, fr, out);
        if (rc == 0 && n->group) {
            struct items s = {0};
            json_t *r = collapse(c, *out, 0);
            if (json_is_array(r))
                for (size_t i = 0; i < json_array_size(r); i++)
                    items_push(&s, json_array_get(r, i), anc, fr);
            else if (r)
                items_push(&s, r, anc, fr);
            rc = group_eval(c, n->group, &s, out);
            free(s.v);
        }
    }
    if (rc == 0 && *out && n->type != ASL_JN_PATH && (n->flags & ASL_JN_F_KEEPARRAY) &&
        !(asl_jn_flags(c, *out) & JN_SEQ)) {
        /* name[] outside a path, e.g. a group value: keep a singleton array */
        json_t *cp = asl_jn_seq(c);
        asl_jn_append_flat(cp, *out);
        *out = cp;
    }
    if (rc == 0)
        *out = collapse(c, *out, (n->flags & ASL_JN_F_KEEPARRAY) != 0);
    c->depth--;
    return rc;
}

static int uses_parent(const struct asl_jn_node *n)
{
    if (!n)
        return 0;
    if (n->type == ASL_JN_PARENT)
        return 1;
    for (size_t i = 0; i < n->nkids; i++)
        if (uses_parent(n->kids[i]))
            return 1;
    for (size_t i = 0; i < n->nstages; i++)
        if (uses_parent(n->stages[i]))
            return 1;
    return uses_parent(n->group);
}

/* Values handed back to the caller: functions become undefined members. */
static json_t *export(struct jn_ctx *c, json_t *v)
{
    if (!v)
        return NULL;
    if (asl_jn_fn_of(c, v))
        return NULL;
    if (json_is_array(v)) {
        json_t *a = json_array();
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = export(c, json_array_get(v, i));
            if (e)
                json_array_append_new(a, e);
        }
        return a;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e) {
            json_t *x = export(c, e);
            if (x)
                json_object_set_new(o, k, x);
        }
        return o;
    }
    return json_incref(v);
}

/* The containers a walk has seen: an open-addressing set of addresses. */
struct seen {
    json_t **v;
    size_t n, cap;
};

/* 1 when v was in the set already, 0 when added, -1 when out of memory. */
static int seen_add(struct seen *s, json_t *v)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        json_t **nv = calloc(nc, sizeof *nv);
        if (!nv)
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) {
                size_t j = phash(s->v[i], nc);
                while (nv[j])
                    j = (j + 1) & (nc - 1);
                nv[j] = s->v[i];
            }
        free(s->v);
        s->v = nv;
        s->cap = nc;
    }
    size_t i = phash(v, s->cap);
    while (s->v[i]) {
        if (s->v[i] == v)
            return 1;
        i = (i + 1) & (s->cap - 1);
    }
    s->v[i] = v;
    s->n++;
    return 0;
}

static int contains_walk(struct jn_ctx *c, json_t *v, unsigned flags, struct seen *s)
{
    if (asl_jn_flags(c, v) & flags)
        return 1;
    if (!json_is_array(v) && !json_is_object(v))
        return 0;
    /* Each container once: values share subtrees ({'l': $a, 'r': $a}), so
     * a tree walk could visit exponentially many. */
    int was = seen_add(s, v);
    if (was != 0)
        return was < 0;     /* out of memory: say "contains", the caller's error path */
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (contains_walk(c, json_array_get(v, i), flags, s))
                return 1;
    } else {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e)
            if (contains_walk(c, e, flags, s))
                return 1;
    }
    return 0;
}

/* The clock and the seed are drawn once per evaluation, when first asked
 * for: through env->entropy (a durable run records them, so a resumed run
 * computes the same $now() and $random()), else from the system. */
static void draw_entropy(struct jn_ctx *c)
{
    if (c->have_entropy)
        return;
    c->have_entropy = 1;
    if (c->env->entropy && c->env->entropy(c->env->entropy_ud, &c->now_ms, &c->rng) == 0)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    c->rng = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uintptr_t)c;
}

int64_t asl_jn_now_ms(struct jn_ctx *c)
{
    draw_entropy(c);
    return c->now_ms;
}

uint64_t *asl_jn_rng(struct jn_ctx *c)
{
    draw_entropy(c);
    return &c->rng;
}

int asl_jn_contains_mark(struct jn_ctx *c, json_t *v, unsigned flags)
{
    if (!v || !(c->allflags & flags))
        return 0;       /* no value carries the flag at all */
    struct seen s = {0};
    int r = contains_walk(c, v, flags, &s);
    free(s.v);
    return r;
}

int asl_jn_eval(const struct asl_jn_node *root, const struct asl_jn_env *env,
                json_t **out, struct asl_err *err)
{
    struct jn_ctx c = {.env = env, .err = err};
    c.track_parent = uses_parent(root);
    *out = NULL;
    struct jn_frame top = {0};
    json_t *r = NULL;
    long long *outer_mem = asl_jn_mem_enter(&c.mem);
    int rc = ev(&c, root, NULL, NULL, &top, &r);
    if (rc == 0 && r && c.nmarks && asl_jn_fn_of(&c, r))
        rc = ASL_JN_FUNCTION_RESULT;    /* JSON has no functions: the caller says so */
    else if (rc == 0 && r && asl_jn_contains_mark(&c, r, JN_FUNC | JN_NONFINITE)) {
        if (asl_jn_contains_mark(&c, r, JN_NONFINITE))
            rc = out_of_range(&c);      /* JSON has no Infinity or NaN */
        else
            *out = export(&c, r);
    } else if (rc == 0 && r)
        *out = json_incref(r);
    if (rc != 0 && !err->name)
        asl_err_set(err, ASL_E_QUERY_EVAL, "D0000: evaluation failed");
    for (size_t i = 0; i < c.capmarks; i++) {
        if (c.marks[i].key) {
            struct jn_fn *fn = c.marks[i].fn;
            if (fn && fn->kind == JN_FN_REGEX && fn->code)
                asl_jn_regex_free(fn->code);
            json_decref(c.marks[i].key);
        }
    }
    free(c.marks);
    asl_jn_pictures_free(&c);
    for (size_t i = 0; i < c.nheld; i++)
        json_decref(c.held[i]);
    free(c.held);
    for (size_t i = 0; i < c.narena; i++)
        free(c.arena[i]);
    free(c.arena);
    asl_jn_mem_leave(outer_mem);
    return rc;
}
