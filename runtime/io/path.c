/*
 * path.c - walking compiled JSONPath paths over jansson values.
 *
 * Jayway JsonPath semantics, as AWS Step Functions exposes them:
 *  - a definite path (.name, ['name'], [n] only) yields the node itself, or
 *    nothing; [-1] counts from the end; ['a','b'] at the end merges the
 *    listed members that exist into one object;
 *  - anything else yields a list of every match, [] when none; steps that
 *    do not apply (a name on an array, an index on an object) match nothing;
 *  - slices clamp to the array like Python's; filters test objects only
 *    ("The @ operator ... does not match scalar values. It only matches
 *    objects." - AWS paths page); numbers compare by value.
 * Nothing here modifies a value it was given.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/path.h"
#include "base/json.h"
#include "base/text.h"

/* ------------------------------------------------------------ strings */

static void sb_printf(struct asl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct asl_buf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        asl_buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Take the built string (NULL if any append failed). */
static char *sb_take(struct asl_buf *b)
{
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    if (!b->p)
        return strdup("");
    return b->p;
}

static void sb_json(struct asl_buf *b, json_t *v)
{
    char *s = asl_json_text(v);
    if (!s) {
        b->oom = 1;
        return;
    }
    asl_buf_adds(b, s);
    free(s);
}

/* One step in Jayway's notation: ['name'], [0], ['a', 'b'], [*], ... */
static void sb_seg(struct asl_buf *b, const struct asl_seg *s)
{
    switch (s->kind) {
    case ASL_SEG_FIELD:
        asl_buf_adds(b, "['");
        asl_buf_add(b, s->name, s->name_len);
        asl_buf_adds(b, "']");
        break;
    case ASL_SEG_INDEX:
        sb_printf(b, "[%lld]", s->index);
        break;
    case ASL_SEG_WILDCARD:
        asl_buf_adds(b, "[*]");
        break;
    case ASL_SEG_SLICE:
        asl_buf_adds(b, "[");
        if (s->has_start)
            sb_printf(b, "%lld", s->start);
        asl_buf_adds(b, ":");
        if (s->has_end)
            sb_printf(b, "%lld", s->end);
        if (s->has_step)
            sb_printf(b, ":%lld", s->step);
        asl_buf_adds(b, "]");
        break;
    case ASL_SEG_FIELDS:
        asl_buf_adds(b, "[");
        for (size_t i = 0; i < s->n; i++) {
            asl_buf_adds(b, i ? ", '" : "'");
            asl_buf_adds(b, s->names[i]);
            asl_buf_adds(b, "'");
        }
        asl_buf_adds(b, "]");
        break;
    case ASL_SEG_INDEXES:
        asl_buf_adds(b, "[");
        for (size_t i = 0; i < s->n; i++)
            sb_printf(b, i ? ",%lld" : "%lld", s->indexes[i]);
        asl_buf_adds(b, "]");
        break;
    case ASL_SEG_FILTER:
        asl_buf_adds(b, "[?]");
        break;
    case ASL_SEG_DESCENT:
        asl_buf_adds(b, "..");
        if (s->sub)
            sb_seg(b, s->sub);
        break;
    }
}

char *asl_path_bracket(const struct asl_path *p, size_t nseg)
{
    struct asl_buf b = {0};
    asl_buf_adds(&b, "$");
    for (size_t i = 0; i < nseg && i < p->nseg; i++)
        sb_seg(&b, &p->segs[i]);
    return sb_take(&b);
}

/* ---------------------------------------------------------- selection */

struct eval {
    json_t *doc;    /* what `$` means inside a filter */
    json_t *acc;    /* matches so far */
    int oom;
};

static void eval_segs(struct eval *c, const struct asl_seg *segs, size_t n, json_t *node);

/* The element `idx` of array a (negative counts from the end), or NULL. */
static json_t *array_at(json_t *a, long long idx)
{
    long long size = (long long)json_array_size(a);
    if (idx < 0)
        idx += size;
    if (idx < 0 || idx >= size)
        return NULL;
    return json_array_get(a, (size_t)idx);
}

/* The members of obj named by a ['a','b'] step, merged into a new object. */
static json_t *merge_fields(const struct asl_seg *s, json_t *obj)
{
    json_t *m = json_object();
    for (size_t i = 0; m && i < s->n; i++) {
        json_t *v = json_object_get(obj, s->names[i]);
        if (v && json_object_set(m, s->names[i], v) != 0) {
            json_decref(m);
            m = NULL;
        }
    }
    return m;
}

json_t *asl_path_val_json(const struct asl_val *v)
{
    switch (v->kind) {
    case ASL_VAL_STRING: return json_stringn_nocheck(v->str, v->len);
    case ASL_VAL_INT: return json_integer(v->i);
    case ASL_VAL_REAL: return json_real(v->r);
    case ASL_VAL_TRUE: return json_true();
    case ASL_VAL_FALSE: return json_false();
    case ASL_VAL_NULL: return json_null();
    }
    return NULL;
}

/* A filter operand's value (new reference), or NULL when a path selects
 * nothing.  Paths other than @... and $... have nothing to select here. */
static json_t *operand_value(struct eval *c, const struct asl_foperand *o, json_t *cur)
{
    if (!o->path)
        return asl_path_val_json(&o->val);
    json_t *root = o->path->root == ASL_ROOT_CURRENT ? cur
                 : o->path->root == ASL_ROOT_INPUT ? c->doc : NULL;
    json_t *v = NULL;
    if (!root)
        return NULL;
    int rc = asl_path_select(o->path, root, &v);
    if (rc < 0)
        c->oom = 1;
    if (rc <= 0)
        return NULL;
    return v;
}

static int num_cmp(json_t *a, json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return x < y ? -1 : x > y;
    }
    double x = json_number_value(a), y = json_number_value(b);
    return x < y ? -1 : x > y;
}

static int str_cmp(json_t *a, json_t *b)
{
    size_t la = json_string_length(a), lb = json_string_length(b);
    int r = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
    if (r)
        return r < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

/* Whether a comparison result r (<0, 0, >0) satisfies op. */
static int order_holds(enum asl_filter_op op, int r)
{
    switch (op) {
    case ASL_F_EQ: return r == 0;
    case ASL_F_NE: return r != 0;
    case ASL_F_LT: return r < 0;
    case ASL_F_LE: return r <= 0;
    case ASL_F_GT: return r > 0;
    case ASL_F_GE: return r >= 0;
    default: return 0;
    }
}

/* a op b; a missing operand is unequal to everything. */
static int compare(enum asl_filter_op op, json_t *a, json_t *b)
{
    int eq;
    if (!a || !b)
        return op == ASL_F_NE;
    if (json_is_number(a) && json_is_number(b))
        return order_holds(op, num_cmp(a, b));
    if (json_is_string(a) && json_is_string(b))
        return order_holds(op, str_cmp(a, b));
    eq = json_equal(a, b);
    if (op == ASL_F_EQ)
        return eq;
    if (op == ASL_F_NE)
        return !eq;
    return 0;   /* no order between other kinds of values */
}

static int filter_match(struct eval *c, const struct asl_filter *f, json_t *cur)
{
    switch (f->op) {
    case ASL_F_OR:
        return filter_match(c, f->left, cur) || filter_match(c, f->right, cur);
    case ASL_F_AND:
        return filter_match(c, f->left, cur) && filter_match(c, f->right, cur);
    case ASL_F_NOT:
        return !filter_match(c, f->left, cur);
    case ASL_F_EXISTS: {
        json_t *v = operand_value(c, &f->a, cur);
        int found = v && !(f->a.path && !f->a.path->definite && json_array_size(v) == 0);
        json_decref(v);
        return found;
    }
    default: {
        json_t *a = operand_value(c, &f->a, cur), *b = operand_value(c, &f->b, cur);
        int r = compare(f->op, a, b);
        json_decref(a);
        json_decref(b);
        return r;
    }
    }
}

/* Python-style slice bounds, clamped to the array. */
static void slice_each(struct eval *c, const struct asl_seg *s, const struct asl_seg *rest,
                       size_t nrest, json_t *arr)
{
    long long len = (long long)json_array_size(arr), step = s->has_step ? s->step : 1;
    long long start, end;
    if (step == 0)
        return;
    if (step > 0) {
        start = s->has_start ? s->start : 0;
        end = s->has_end ? s->end : len;
        if (start < 0) start += len;
        if (end < 0) end += len;
        if (start < 0) start = 0;
        if (end > len) end = len;
        for (long long i = start; i < end; i += step)
            eval_segs(c, rest, nrest, json_array_get(arr, (size_t)i));
    } else {
        start = s->has_start ? s->start : len - 1;
        end = s->has_end ? s->end : -len - 1;
        if (start < 0) start += len;
        if (end < 0) end += len;
        if (start > len - 1) start = len - 1;
        if (end < -1) end = -1;
        for (long long i = start; i > end; i += step)
            eval_segs(c, rest, nrest, json_array_get(arr, (size_t)i));
    }
}

static void apply_seg(struct eval *c, const struct asl_seg *s, const struct asl_seg *rest,
                      size_t nrest, json_t *node);

/* ..step: apply `sub` at node and at every container below it, in document
 * order (a node before its children). */
static void descend(struct eval *c, const struct asl_seg *sub, const struct asl_seg *rest,
                    size_t nrest, json_t *node)
{
    if (sub->kind == ASL_SEG_FILTER) {
        /* every object in the tree is a candidate, once */
        if (json_is_object(node) && filter_match(c, sub->filter, node))
            eval_segs(c, rest, nrest, node);
    } else
        apply_seg(c, sub, rest, nrest, node);
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v)
            if (json_is_object(v) || json_is_array(v))
                descend(c, sub, rest, nrest, v);
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
            if (json_is_object(v) || json_is_array(v))
                descend(c, sub, rest, nrest, v);
    }
}

static void apply_seg(struct eval *c, const struct asl_seg *s, const struct asl_seg *rest,
                      size_t nrest, json_t *node)
{
    json_t *v;
    size_t i;
    switch (s->kind) {
    case ASL_SEG_FIELD:
        if (json_is_object(node) && (v = json_object_getn(node, s->name, s->name_len)))
            eval_segs(c, rest, nrest, v);
        break;
    case ASL_SEG_INDEX:
        if (json_is_array(node) && (v = array_at(node, s->index)))
            eval_segs(c, rest, nrest, v);
        break;
    case ASL_SEG_WILDCARD:
        if (json_is_object(node)) {
            const char *k;
            json_object_foreach(node, k, v)
                eval_segs(c, rest, nrest, v);
        } else if (json_is_array(node)) {
            json_array_foreach(node, i, v)
                eval_segs(c, rest, nrest, v);
        }
        break;
    case ASL_SEG_SLICE:
        if (json_is_array(node))
            slice_each(c, s, rest, nrest, node);
        break;
    case ASL_SEG_FIELDS:
        if (json_is_object(node)) {
            json_t *m = merge_fields(s, node);
            if (!m)
                c->oom = 1;
            else
                eval_segs(c, rest, nrest, m);
            json_decref(m);
        }
        break;
    case ASL_SEG_INDEXES:
        if (json_is_array(node))
            for (i = 0; i < s->n; i++)
                if ((v = array_at(node, s->indexes[i])))
                    eval_segs(c, rest, nrest, v);
        break;
    case ASL_SEG_FILTER:
        if (json_is_array(node)) {
            json_array_foreach(node, i, v)
                if (json_is_object(v) && filter_match(c, s->filter, v))
                    eval_segs(c, rest, nrest, v);
        } else if (json_is_object(node) && filter_match(c, s->filter, node))
            eval_segs(c, rest, nrest, node);
        break;
    case ASL_SEG_DESCENT:
        if (s->sub)
            descend(c, s->sub, rest, nrest, node);
        break;
    }
}

static void eval_segs(struct eval *c, const struct asl_seg *segs, size_t n, json_t *node)
{
    if (c->oom)
        return;
    if (n == 0) {
        if (json_array_append(c->acc, node) != 0)
            c->oom = 1;
        return;
    }
    apply_seg(c, &segs[0], segs + 1, n - 1, node);
}

int asl_path_select(const struct asl_path *p, json_t *root, json_t **out)
{
    *out = NULL;
    if (p->definite) {
        json_t *node = root;
        for (size_t i = 0; node && i < p->nseg; i++) {
            const struct asl_seg *s = &p->segs[i];
            if (s->kind == ASL_SEG_FIELD)
                node = json_is_object(node) ? json_object_getn(node, s->name, s->name_len) : NULL;
            else if (s->kind == ASL_SEG_INDEX)
                node = json_is_array(node) ? array_at(node, s->index) : NULL;
            else if (s->kind == ASL_SEG_FIELDS) {   /* always the last step */
                if (!json_is_object(node))
                    return 0;
                *out = merge_fields(s, node);
                return *out ? 1 : -1;
            } else
                return 0;   /* not definite after all: the compiler set the flag wrong */
        }
        if (!node)
            return 0;
        *out = json_incref(node);
        return 1;
    }
    struct eval c = {root, json_array(), 0};
    if (!c.acc)
        return -1;
    if (root)
        eval_segs(&c, p->segs, p->nseg, root);
    if (c.oom) {
        json_decref(c.acc);
        return -1;
    }
    *out = c.acc;
    return 1;
}

/* --------------------------------------------------------- miss causes */

/* The Java class Jayway would name for a value (AWS runs Jayway on Java). */
static const char *java_class(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return "java.lang.String";
    case JSON_INTEGER: return "java.lang.Integer";
    case JSON_REAL: return "java.lang.Double";
    case JSON_TRUE:
    case JSON_FALSE: return "java.lang.Boolean";
    case JSON_ARRAY: return "java.util.ArrayList";
    case JSON_OBJECT: return "java.util.LinkedHashMap";
    case JSON_NULL: return "null";
    }
    return "null";
}

char *asl_path_miss_cause(const struct asl_path *p, json_t *root)
{
    struct asl_buf b = {0};
    asl_buf_adds(&b, "Invalid path '");
    asl_buf_adds(&b, p->text ? p->text : "$");
    asl_buf_adds(&b, "' : ");
    json_t *node = root;
    for (size_t i = 0; i < p->nseg; i++) {
        const struct asl_seg *s = &p->segs[i];
        int last = i + 1 == p->nseg;
        char *here = asl_path_bracket(p, i);       /* where we stand */
        char *upto = asl_path_bracket(p, i + 1);   /* including this step */
        if (!here || !upto) {
            free(here);
            free(upto);
            b.oom = 1;
            break;
        }
        json_t *next = NULL;
        int stop = 1;
        if (s->kind == ASL_SEG_FIELD || s->kind == ASL_SEG_FIELDS) {
            if (!json_is_object(node)) {
                struct asl_buf frag = {0};
                sb_seg(&frag, s);
                asl_buf_adds(&b, "Expected to find an object with property ");
                asl_buf_adds(&b, frag.p ? frag.p : "");
                asl_buf_adds(&b, " in path ");
                asl_buf_adds(&b, here);
                asl_buf_adds(&b, " but found '");
                asl_buf_adds(&b, node ? java_class(node) : "null");
                asl_buf_adds(&b, "'. This is not a json object according to the JsonProvider: "
                            "'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.");
                free(frag.p);
            } else if (s->kind == ASL_SEG_FIELD
                       && !(next = json_object_getn(node, s->name, s->name_len))) {
                if (last) {
                    asl_buf_adds(&b, "No results for path: ");
                    asl_buf_adds(&b, upto);
                } else {
                    asl_buf_adds(&b, "Missing property in path ");
                    asl_buf_adds(&b, upto);
                }
            } else
                stop = 0;
        } else if (s->kind == ASL_SEG_INDEX) {
            if (json_is_null(node) || !node) {
                asl_buf_adds(&b, "The path ");
                asl_buf_adds(&b, here);
                asl_buf_adds(&b, " is null");
            } else if (!json_is_array(node)) {
                sb_printf(&b, "Filter: [%lld] can only be applied to arrays. Current context is: ",
                          s->index);
                sb_json(&b, node);
            } else if (!(next = array_at(node, s->index))) {
                /* Jayway skips a missing index silently; the whole path then has no result */
                char *all = asl_path_bracket(p, p->nseg);
                asl_buf_adds(&b, "No results for path: ");
                asl_buf_adds(&b, all ? all : "");
                free(all);
            } else
                stop = 0;
        } else
            stop = 0;
        free(here);
        free(upto);
        if (stop)
            return sb_take(&b);
        node = next;
    }
    /* The path did select something: describe it as a plain miss anyway. */
    char *all = asl_path_bracket(p, p->nseg);
    asl_buf_adds(&b, "No results for path: ");
    asl_buf_adds(&b, all ? all : "$");
    free(all);
    return sb_take(&b);
}

/* ------------------------------------------------------------ ResultPath */

static int put_fail(const struct asl_path *p, json_t *root, struct asl_err *err)
{
    char *in = asl_json_text(root);
    asl_err_set(err, ASL_E_RESULT_PATH, "Unable to apply ReferencePath %s to input %s",
                p->text ? p->text : "$", in ? in : "?");
    free(in);
    return -1;
}

/* A copy of node (NULL: missing) with value placed at segs[i..]; NULL when
 * the path does not fit.  *oom is set on allocation failure. */
static json_t *put_at(const struct asl_path *p, size_t i, json_t *node, json_t *value, int *oom)
{
    if (i == p->nseg)
        return json_incref(value);
    const struct asl_seg *s = &p->segs[i];
    json_t *copy = NULL, *child, *nc;
    if (s->kind == ASL_SEG_FIELD) {
        if (node && !json_is_object(node))
            return NULL;
        copy = node ? json_copy(node) : json_object();   /* shallow: members shared */
        if (!copy)
            goto oom;
        child = json_object_getn(copy, s->name, s->name_len);
        nc = put_at(p, i + 1, child, value, oom);
        if (!nc)
            goto fail;
        if (json_object_setn_new_nocheck(copy, s->name, s->name_len, nc) != 0)
            goto oom;
        return copy;
    }
    if (s->kind == ASL_SEG_INDEX) {
        long long idx = s->index;
        if (!json_is_array(node))
            return NULL;
        if (idx < 0)
            idx += (long long)json_array_size(node);
        if (idx < 0 || idx >= (long long)json_array_size(node))
            return NULL;
        copy = json_copy(node);
        if (!copy)
            goto oom;
        nc = put_at(p, i + 1, json_array_get(copy, (size_t)idx), value, oom);
        if (!nc)
            goto fail;
        if (json_array_set_new(copy, (size_t)idx, nc) != 0)
            goto oom;
        return copy;
    }
    return NULL;   /* not a reference path */
oom:
    *oom = 1;
fail:
    json_decref(copy);
    return NULL;
}

int asl_path_put(const struct asl_path *p, json_t *root, json_t *value, json_t **out,
                 struct asl_err *err)
{
    int oom = 0;
    *out = NULL;
    if (p->nseg == 0) {
        *out = json_incref(value);
        return 0;
    }
    json_t *r = root ? put_at(p, 0, root, value, &oom) : NULL;
    if (!r) {
        if (oom)
            return asl_err_set(err, ASL_E_RUNTIME, "out of memory");
        return put_fail(p, root, err);
    }
    *out = r;
    return 0;
}
