/*
 * test_path_select.c - compiled paths evaluated against JSON documents:
 * selection (definite and indefinite), AWS's miss causes, and ResultPath's
 * copy-on-write placement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "io/path.h"

static int failures;

/* The document most cases run against. */
static const char *const DOC =
    "{\"a\": {\"b\": 1, \"c\": [10, 20, 30, 40, 50]},"
    " \"s\": \"str\", \"n\": null, \"one\": 1.0, \"e\": [],"
    " \"delivery-partner\": \"ups\", \"a b\": 2,"
    " \"store\": {\"book\": ["
    "   {\"title\": \"A\", \"price\": 8.95, \"tag\": \"x\"},"
    "   {\"title\": \"B\", \"price\": 12.99, \"isbn\": \"0-553\"},"
    "   {\"title\": \"C\", \"price\": 8, \"tag\": \"y\", \"isbn\": \"0-395\"},"
    "   {\"title\": \"D\", \"price\": 22.99, \"tag\": \"x\"}],"
    "  \"bicycle\": {\"color\": \"red\", \"price\": 19.95}},"
    " \"jar\": [{\"a\": 1}, {\"a\": 5}, {\"a\": 2}, {\"a\": 7}, {\"a\": 3}, 9, \"x\"],"
    " \"limit\": 5}";

#define MISSING NULL

struct sel_case {
    const char *path;
    const char *want;   /* JSON, or MISSING for a definite path that selects nothing */
};

static const struct sel_case sel_cases[] = {
    {"$", NULL},   /* special-cased: the whole document */
    {"$.a.b", "1"},
    {"$.a.c[0]", "10"},
    {"$.a.c[-1]", "50"},
    {"$.a.c[-5]", "10"},
    {"$.a.c[5]", MISSING},
    {"$.a.c[-6]", MISSING},
    {"$.nope", MISSING},
    {"$.a.nope.x", MISSING},
    {"$.s.x", MISSING},
    {"$.n", "null"},
    {"$['a b']", "2"},
    {"$.delivery-partner", "\"ups\""},
    {"$.['s']", "\"str\""},
    {"$.a.c.[1]", "20"},
    {"$['a','s','zz']", "{\"a\": {\"b\": 1, \"c\": [10, 20, 30, 40, 50]}, \"s\": \"str\"}"},
    /* wildcards */
    {"$.a.c[*]", "[10, 20, 30, 40, 50]"},
    {"$.a.*", "[1, [10, 20, 30, 40, 50]]"},
    {"$.store.book[*].title", "[\"A\", \"B\", \"C\", \"D\"]"},
    {"$.e[*]", "[]"},
    {"$.nope[*]", "[]"},
    {"$.item.items[*]", "[]"},
    {"$.s[*]", "[]"},
    /* slices */
    {"$.a.c[1:3]", "[20, 30]"},
    {"$.a.c[-3:]", "[30, 40, 50]"},
    {"$.a.c[:2]", "[10, 20]"},
    {"$.a.c[::2]", "[10, 30, 50]"},
    {"$.a.c[1:100]", "[20, 30, 40, 50]"},
    {"$.a.c[-100:1]", "[10]"},
    {"$.a.c[3:1]", "[]"},
    {"$.a.c[::-1]", "[50, 40, 30, 20, 10]"},
    {"$.a.c[3:0:-2]", "[40, 20]"},
    {"$.items[1:]", "[]"},
    {"$.item.items[1:5].itemValue", "[]"},
    {"$.store.book[1:3].title", "[\"B\", \"C\"]"},
    /* unions */
    {"$.a.c[0,2,-1]", "[10, 30, 50]"},
    {"$.a.c[0,9]", "[10]"},
    /* filters */
    {"$.jar[?(@.a >= 5)]", "[{\"a\": 5}, {\"a\": 7}]"},
    {"$.jar[?(@ > 2)]", "[]"},   /* @ only matches objects */
    {"$.store.book[?(@.price < 10)].title", "[\"A\", \"C\"]"},
    {"$.store.book[?(@.price < 10 && @.tag == 'x')].title", "[\"A\"]"},
    {"$.store.book[?(@.price > 20 || @.tag == 'y')].title", "[\"C\", \"D\"]"},
    {"$.store.book[?(@.isbn)].title", "[\"B\", \"C\"]"},
    {"$.store.book[?(!@.isbn)].title", "[\"A\", \"D\"]"},
    {"$.store.book[?(@.tag != 'x')].title", "[\"B\", \"C\"]"},
    {"$.store.book[?(@.price == 8)].title", "[\"C\"]"},
    {"$.store.book[?(@.price == 8.0)].title", "[\"C\"]"},
    {"$.store.book[?(@.title >= 'C')].title", "[\"C\", \"D\"]"},
    {"$.store.book[?(@.price < $.limit * 0)]", NULL},   /* not valid: see parse failure below */
    {"$.jar[?(@.a < $.limit)]", "[{\"a\": 1}, {\"a\": 2}, {\"a\": 3}]"},
    {"$.store.book[?((@.price < 9 || @.price > 20) && !(@.tag == 'y'))].title", "[\"A\", \"D\"]"},
    {"$.store.book[?(@.tag == null)].title", "[]"},
    {"$.store[?(@.color == 'red')]", "[]"},
    {"$.store.bicycle[?(@.color == 'red')].price", "[19.95]"},
    /* recursive descent */
    {"$.store..price", "[8.95, 12.99, 8, 22.99, 19.95]"},
    {"$..title", "[\"A\", \"B\", \"C\", \"D\"]"},
    {"$.a..*", "[1, [10, 20, 30, 40, 50], 10, 20, 30, 40, 50]"},
    {"$.store..[0].title", "[\"A\"]"},
    {"$.store..book[?(@.price > 20)].title", "[\"D\"]"},
    {"$..nothing", "[]"},
};

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v) {
        printf("FAIL bad test JSON: %s: %s\n", text, je.text);
        exit(1);
    }
    return v;
}

static const struct asl_path *compile(struct asl_arena *a, const char *text, enum asl_expr_mode mode)
{
    struct asl_expr *e;
    struct asl_expr_error err;
    if (asl_expr_parse(a, text, strlen(text), mode, &e, &err) != 0)
        return NULL;
    return e->kind == ASL_EX_PATH ? e->path : NULL;
}

static void show_fail(const char *what, const char *path, json_t *got, const char *want)
{
    char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    printf("FAIL %s %s: got %s, want %s\n", what, path, g ? g : "(missing)", want ? want : "(missing)");
    free(g);
    failures++;
}

static void test_select(void)
{
    json_t *doc = load(DOC);
    char *before = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    for (size_t i = 0; i < sizeof sel_cases / sizeof sel_cases[0]; i++) {
        const struct sel_case *c = &sel_cases[i];
        struct asl_arena a;
        asl_arena_init(&a);
        const struct asl_path *p = compile(&a, c->path, ASL_MODE_PATH);
        if (strstr(c->path, "* 0")) {   /* arithmetic is not JSONPath */
            if (p)
                show_fail("parsed", c->path, NULL, "a syntax error");
            asl_arena_free(&a);
            continue;
        }
        if (!p) {
            printf("FAIL parse %s\n", c->path);
            failures++;
            asl_arena_free(&a);
            continue;
        }
        json_t *got = NULL;
        int rc = asl_path_select(p, doc, &got);
        if (i == 0) {
            if (rc != 1 || got != doc)
                show_fail("select", c->path, got, "the document itself");
        } else if (!c->want) {
            if (rc != 0 || got)
                show_fail("select", c->path, got, NULL);
        } else {
            json_t *want = load(c->want);
            if (rc != 1 || !got || !json_equal(got, want))
                show_fail("select", c->path, got, c->want);
            json_decref(want);
        }
        json_decref(got);
        asl_arena_free(&a);
    }
    char *after = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (strcmp(before, after) != 0) {
        printf("FAIL select modified the document\n");
        failures++;
    }
    free(before);
    free(after);
    json_decref(doc);
}

/* ------------------------------------------------------------ miss causes */

struct miss_case {
    const char *path, *doc, *cause;
};

static const struct miss_case miss_cases[] = {
    /* recorded on AWS */
    {"$.NoSuchInputPath", "{}", "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"},
    {"$.no.such.result.path", "{\"x\": 1}", "Invalid path '$.no.such.result.path' : Missing property in path $['no']"},
    /* Jayway's wording for the other shapes */
    {"$.a.b", "{\"a\": {}}", "Invalid path '$.a.b' : No results for path: $['a']['b']"},
    {"$.a.b.c", "{\"a\": {}}", "Invalid path '$.a.b.c' : Missing property in path $['a']['b']"},
    {"$.items[10]", "{\"items\": [1]}", "Invalid path '$.items[10]' : No results for path: $['items'][10]"},
    {"$.items[3].x", "{\"items\": []}", "Invalid path '$.items[3].x' : No results for path: $['items'][3]['x']"},
    {"$['a b'].c", "{}", "Invalid path '$['a b'].c' : Missing property in path $['a b']"},
    {"$.a.b", "{\"a\": \"s\"}",
     "Invalid path '$.a.b' : Expected to find an object with property ['b'] in path $['a'] but found "
     "'java.lang.String'. This is not a json object according to the JsonProvider: "
     "'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."},
    {"$.a[0]", "{\"a\": null}", "Invalid path '$.a[0]' : The path $['a'] is null"},
    {"$.a[0]", "{\"a\": {\"k\": 1}}",
     "Invalid path '$.a[0]' : Filter: [0] can only be applied to arrays. Current context is: {\"k\":1}"},
    {"$$.Execution.Input.no_such", "{\"Execution\": {\"Input\": {}}}",
     "Invalid path '$$.Execution.Input.no_such' : No results for path: $['Execution']['Input']['no_such']"},
};

static void test_miss(void)
{
    for (size_t i = 0; i < sizeof miss_cases / sizeof miss_cases[0]; i++) {
        const struct miss_case *c = &miss_cases[i];
        struct asl_arena a;
        asl_arena_init(&a);
        const struct asl_path *p = compile(&a, c->path, ASL_MODE_PATH);
        json_t *doc = load(c->doc), *got = NULL;
        if (!p || asl_path_select(p, doc, &got) != 0) {
            printf("FAIL miss %s: expected the path to select nothing\n", c->path);
            failures++;
        } else {
            char *cause = asl_path_miss_cause(p, doc);
            if (!cause || strcmp(cause, c->cause) != 0) {
                printf("FAIL miss %s:\n   got  %s\n   want %s\n", c->path, cause ? cause : "(null)", c->cause);
                failures++;
            }
            free(cause);
        }
        json_decref(got);
        json_decref(doc);
        asl_arena_free(&a);
    }
}

/* ------------------------------------------------------------- ResultPath */

struct put_case {
    const char *path, *doc, *value;
    const char *want;   /* NULL: must fail with States.ResultPathMatchFailure */
};

static const struct put_case put_cases[] = {
    {"$", "{\"a\": 1}", "[1, 2]", "[1, 2]"},
    {"$.x", "{\"a\": 1}", "2", "{\"a\": 1, \"x\": 2}"},
    {"$.a", "{\"a\": 1, \"b\": {\"c\": 1}}", "{\"z\": 0}", "{\"a\": {\"z\": 0}, \"b\": {\"c\": 1}}"},
    {"$.b.c", "{\"a\": 1, \"b\": {\"c\": 1, \"d\": 2}}", "\"new\"", "{\"a\": 1, \"b\": {\"c\": \"new\", \"d\": 2}}"},
    {"$.p.q.r", "{\"a\": 1}", "true", "{\"a\": 1, \"p\": {\"q\": {\"r\": true}}}"},
    {"$['a b'].c", "{}", "1", "{\"a b\": {\"c\": 1}}"},
    {"$.arr[1].v", "{\"arr\": [{\"v\": 0}, {\"v\": 1}]}", "9", "{\"arr\": [{\"v\": 0}, {\"v\": 9}]}"},
    {"$.arr[-1]", "{\"arr\": [1, 2, 3]}", "0", "{\"arr\": [1, 2, 0]}"},
    {"$.x", "\"foo\"", "1", NULL},
    {"$.x", "[1]", "1", NULL},
    {"$.a.b", "{\"a\": 5}", "1", NULL},
    {"$.a.b", "{\"a\": null}", "1", NULL},
    {"$.arr[5]", "{\"arr\": [1]}", "1", NULL},
    {"$.arr[0]", "{\"arr\": {}}", "1", NULL},
};

static void test_put(void)
{
    for (size_t i = 0; i < sizeof put_cases / sizeof put_cases[0]; i++) {
        const struct put_case *c = &put_cases[i];
        struct asl_arena a;
        asl_arena_init(&a);
        const struct asl_path *p = compile(&a, c->path, ASL_MODE_RESULTPATH);
        json_t *doc = load(c->doc), *value = load(c->value), *got = NULL;
        json_t *pristine = json_deep_copy(doc);
        struct asl_err err = {0};
        if (!p) {
            printf("FAIL put: parse %s\n", c->path);
            failures++;
        } else if (c->want) {
            json_t *want = load(c->want);
            if (asl_path_put(p, doc, value, &got, &err) != 0 || !json_equal(got, want))
                show_fail("put", c->path, got, c->want);
            json_decref(want);
        } else {
            if (asl_path_put(p, doc, value, &got, &err) == 0 || got || !err.name
                || strcmp(err.name, "States.ResultPathMatchFailure") != 0 || !err.cause
                || !strstr(err.cause, c->path)) {
                printf("FAIL put %s on %s: expected States.ResultPathMatchFailure, got %s: %s\n",
                       c->path, c->doc, err.name ? err.name : "(none)", err.cause ? err.cause : "");
                failures++;
            }
        }
        if (!json_equal(doc, pristine)) {
            printf("FAIL put %s modified its input\n", c->path);
            failures++;
        }
        asl_err_clear(&err);
        json_decref(got);
        json_decref(pristine);
        json_decref(value);
        json_decref(doc);
        asl_arena_free(&a);
    }

    /* Only the spine is copied: untouched members are shared, not copied. */
    struct asl_arena a;
    asl_arena_init(&a);
    const struct asl_path *p = compile(&a, "$.b.c", ASL_MODE_RESULTPATH);
    json_t *doc = load("{\"a\": {\"big\": [1, 2, 3]}, \"b\": {\"c\": 0, \"d\": {}}}");
    json_t *v = json_integer(7), *got = NULL;
    struct asl_err err = {0};
    if (!p || asl_path_put(p, doc, v, &got, &err) != 0
        || json_object_get(got, "a") != json_object_get(doc, "a")
        || json_object_get(json_object_get(got, "b"), "d") != json_object_get(json_object_get(doc, "b"), "d")
        || got == doc || json_object_get(got, "b") == json_object_get(doc, "b")
        || json_integer_value(json_object_get(json_object_get(doc, "b"), "c")) != 0) {
        printf("FAIL put: copy-on-write sharing\n");
        failures++;
    }
    asl_err_clear(&err);
    json_decref(got);
    json_decref(v);
    json_decref(doc);
    asl_arena_free(&a);
}

/* Roots other than $: the caller passes what $$ or $var denotes. */
static void test_roots(void)
{
    struct asl_arena a;
    asl_arena_init(&a);
    json_t *ctx = load("{\"Execution\": {\"Id\": \"arn:x\", \"Input\": {\"k\": [1, 2]}}}");
    json_t *got = NULL;
    const struct asl_path *p = compile(&a, "$$.Execution.Input.k[1]", ASL_MODE_PATH);
    if (!p || asl_path_select(p, ctx, &got) != 1 || json_integer_value(got) != 2) {
        printf("FAIL roots: $$ path\n");
        failures++;
    }
    json_decref(got);
    got = NULL;
    p = compile(&a, "$items[0].name", ASL_MODE_PATH);
    json_t *var = load("[{\"name\": \"n\"}]");
    if (!p || strcmp(p->var, "items") != 0 || asl_path_select(p, var, &got) != 1
        || strcmp(json_string_value(got), "n") != 0) {
        printf("FAIL roots: variable path\n");
        failures++;
    }
    json_decref(got);
    json_decref(var);
    json_decref(ctx);
    asl_arena_free(&a);
}

int main(void)
{
    test_select();
    test_miss();
    test_put();
    test_roots();
    return failures ? 1 : 0;
}
