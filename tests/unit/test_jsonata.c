/*
 * test_jsonata.c - the JSONata conformance driver, in process.
 *
 * Walks the JSONata conformance suite (the jsonata-cases folder of the
 * shared conformance material, which is not part of this repository): the
 * folder given as the argument, else $ASLC_JSONATA_SUITE (tests/CMakeLists.txt
 * sets it when ../shared sits next to the checkout); with neither, the test
 * is skipped (exit 77) and says so.  Each case's
 * Pass state "E" holds Output "{% EXPR %}", an optional first Pass state
 * "Bind" holds variables in Assign.  Parses EXPR with asl_jn_parse,
 * evaluates it with $states.input = input.json, and compares with
 * expected.json (SUCCEEDED: equal by value; FAILED: the cause matches
 * meta.json's "match" regexes; INVALID_DEFINITION: the parse fails).
 * Prints per-group counts and "N passed, M failed"; exits non-zero when
 * the pass rate is below THRESHOLD.  -v prints each failure.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <dirent.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_ast.h"

#define THRESHOLD 0.99

struct vars {
    json_t *obj;
};

static json_t *lookup(void *ud, const char *name, size_t len)
{
    struct vars *v = ud;
    char key[256];
    if (len >= sizeof key)
        return NULL;
    memcpy(key, name, len);
    key[len] = 0;
    return json_object_get(v->obj, key);
}

static int equal(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return fabs(json_number_value(a) - json_number_value(b)) <= 1e-12 * fmax(1, fabs(json_number_value(a)));
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!equal(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v) {
            json_t *w = json_object_get(b, k);
            if (!w || !equal(v, w))
                return 0;
        }
        return 1;
    }
    return json_equal(a, b);
}

static int rx_match(const char *re, const char *s)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &eo, NULL);
    if (!code)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    int rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    return rc > 0;
}

/* Text inside "{% ... %}", or NULL. */
static const char *expr_of(json_t *v, size_t *len)
{
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n < 4 || strncmp(s, "{%", 2) != 0 || strcmp(s + n - 2, "%}") != 0)
        return NULL;
    *len = n - 4;
    return s + 2;
}

static int eval_text(const char *src, size_t len, json_t *states, struct vars *vars,
                     json_t **out, struct asl_err *err, struct asl_jn_error *perr, int *parse_failed)
{
    struct asl_jn_ast *ast;
    *parse_failed = 0;
    if (asl_jn_parse(src, len, &ast, perr) != 0) {
        *parse_failed = 1;
        return -1;
    }
    struct asl_jn_env env = {.states = states, .lookup = lookup, .ud = vars};
    int rc = asl_jn_eval(ast->root, &env, out, err);
    asl_jn_free(ast);
    return rc;
}

struct group {
    char name[64];
    int pass, fail;
};

static int run_case(const char *dir, const char *name, int verbose, char *group, size_t gsz)
{
    char path[4096];
    json_error_t je;
    int ok = 0;
    snprintf(path, sizeof path, "%s/%s/definition.json", dir, name);
    json_t *def = json_load_file(path, 0, &je);
    snprintf(path, sizeof path, "%s/%s/input.json", dir, name);
    json_t *input = json_load_file(path, JSON_DECODE_ANY, &je);
    snprintf(path, sizeof path, "%s/%s/expected.json", dir, name);
    json_t *exp = json_load_file(path, 0, &je);
    snprintf(path, sizeof path, "%s/%s/meta.json", dir, name);
    json_t *meta = json_load_file(path, 0, &je);
    json_t *states = NULL, *result = NULL;
    struct vars vars = {json_object()};
    struct asl_err err = {0};
    char why[600] = "";
    snprintf(group, gsz, "?");
    if (!def || !exp || !meta) {
        snprintf(why, sizeof why, "cannot load case");
        goto done;
    }
    json_t *feat;
    size_t i;
    json_array_foreach(json_object_get(meta, "features"), i, feat)
        if (strncmp(json_string_value(feat), "jsonata-group:", 14) == 0)
            snprintf(group, gsz, "%s", json_string_value(feat) + 14);
    if (!input)
        input = json_object();
    states = json_pack("{s:O,s:{}}", "input", input, "context");
    const char *status = json_string_value(json_object_get(exp, "status"));
    json_t *sts = json_object_get(def, "States");
    json_t *bind = json_object_get(json_object_get(sts, "Bind"), "Assign");
    if (bind) {
        const char *k;
        json_t *v;
        json_object_foreach(bind, k, v) {
            size_t len;
            const char *src = expr_of(v, &len);
            if (!src) {
                json_object_set(vars.obj, k, v);
                continue;
            }
            json_t *r = NULL;
            struct asl_jn_error pe;
            int pf;
            if (eval_text(src, len, states, &vars, &r, &err, &pe, &pf) == 0 && r)
                json_object_set_new(vars.obj, k, r);
            asl_err_clear(&err);
        }
    }
    size_t len;
    const char *src = expr_of(json_object_get(json_object_get(sts, "E"), "Output"), &len);
    if (!src) {
        snprintf(why, sizeof why, "no expression");
        goto done;
    }
    struct asl_jn_error pe;
    int pf;
    int rc = eval_text(src, len, states, &vars, &result, &err, &pe, &pf);
    if (strcmp(status, "INVALID_DEFINITION") == 0) {
        ok = pf;
        if (!ok)
            snprintf(why, sizeof why, "parsed, but expected %s", json_string_value(json_object_get(exp, "cause")));
        goto done;
    }
    if (pf) {
        snprintf(why, sizeof why, "syntax error %s col %d: %s", pe.code, pe.column, pe.message);
        goto done;
    }
    if (strcmp(status, "SUCCEEDED") == 0) {
        if (rc != 0) {
            snprintf(why, sizeof why, "error %s", err.cause ? err.cause : "?");
        } else if (!result) {
            snprintf(why, sizeof why, "undefined result");
        } else if (!equal(result, json_object_get(exp, "output"))) {
            char *a = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
            char *b = json_dumps(json_object_get(exp, "output"), JSON_COMPACT | JSON_ENCODE_ANY);
            snprintf(why, sizeof why, "got %.250s want %.250s", a, b);
            free(a);
            free(b);
        } else {
            ok = 1;
        }
        goto done;
    }
    /* FAILED */
    char cause[1024];
    if (rc != 0)
        snprintf(cause, sizeof cause, "threw an error during evaluation. %s", err.cause ? err.cause : "");
    else if (!result)
        snprintf(cause, sizeof cause, "returned nothing (undefined).");
    else {
        char *a = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(why, sizeof why, "succeeded with %.300s", a);
        free(a);
        goto done;
    }
    ok = 1;
    json_t *m;
    json_array_foreach(json_object_get(meta, "match"), i, m)
        if (!rx_match(json_string_value(json_object_get(m, "regex")), cause)) {
            ok = 0;
            snprintf(why, sizeof why, "cause '%.300s' !~ %s", cause, json_string_value(json_object_get(m, "regex")));
        }
done:
    if (!ok && verbose)
        printf("FAIL %s [%s]: %s\n     expr: %s\n", name, group, why,
               meta ? json_string_value(json_object_get(meta, "jsonata_expression")) : "");
    asl_err_clear(&err);
    json_decref(result);
    json_decref(states);
    json_decref(vars.obj);
    json_decref(def);
    json_decref(input);
    json_decref(exp);
    json_decref(meta);
    return ok;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *dir = getenv("ASLC_JSONATA_SUITE"), *only = NULL;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) verbose = 1;
        else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) only = argv[++i];
        else dir = argv[i];
    }
    if (!dir || !*dir) {
        printf("skipped: no JSONata suite (give its folder as the argument or in ASLC_JSONATA_SUITE)\n");
        return 77;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "jsonata__", 9) != 0)
            continue;
        if (only && !strstr(e->d_name, only))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmpstr);
    struct group groups[200];
    size_t ng = 0;
    int pass = 0, fail = 0;
    for (size_t i = 0; i < n; i++) {
        char g[64];
        int ok = run_case(dir, names[i], verbose, g, sizeof g);
        size_t k;
        for (k = 0; k < ng; k++)
            if (strcmp(groups[k].name, g) == 0)
                break;
        if (k == ng && ng < 200) {
            snprintf(groups[ng].name, sizeof groups[ng].name, "%s", g);
            groups[ng].pass = groups[ng].fail = 0;
            ng++;
        }
        if (k < ng) {
            if (ok) groups[k].pass++;
            else groups[k].fail++;
        }
        ok ? pass++ : fail++;
        free(names[i]);
    }
    free(names);
    for (size_t k = 0; k < ng; k++)
        if (groups[k].fail)
            printf("  %-32s %3d/%d\n", groups[k].name, groups[k].pass, groups[k].pass + groups[k].fail);
    printf("%d passed, %d failed\n", pass, fail);
    double rate = pass + fail ? (double)pass / (pass + fail) : 0;
    return rate >= THRESHOLD ? 0 : 1;
}
