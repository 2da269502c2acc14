/*
 * fuzz_path.c - the path/intrinsic grammar (grammar/path.y via
 * asl_expr_parse) in every mode; each path that parses is then selected,
 * explained (miss cause) and written (ResultPath) against fixed documents
 * by the runtime (runtime/io/path.c).
 *
 * Input: the expression text, as is.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "expr.h"
#include "io/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const DOCS[] = {
    "{\"a\": {\"b\": 1, \"c\": [10, 20, 30, {\"d\": [1, 2]}]}, \"s\": \"str\", \"n\": null,"
    " \"e\": [], \"o\": {}, \"store\": {\"book\": [{\"price\": 8.95, \"tag\": \"x\"},"
    " {\"price\": 12, \"isbn\": \"0-553\"}, 7, \"x\", [1], null, true]}}",
    "[1, [2, [3, [4]]], {\"a\": {\"a\": {\"a\": 1}}}, -0.5, \"\"]",
    "\"just a string\"",
    "null",
};
#define NDOCS (sizeof DOCS / sizeof DOCS[0])

static json_t *docs[NDOCS];
static json_t *value;

static void init(void)
{
    if (value)
        return;
    for (size_t i = 0; i < NDOCS; i++) {
        docs[i] = json_loads(DOCS[i], JSON_DECODE_ANY, NULL);
        if (!docs[i])
            abort();
    }
    value = json_pack("{s:[i,s]}", "v", 1, "x");
}

static void run_path(const struct asl_path *p)
{
    for (size_t i = 0; i < NDOCS; i++) {
        json_t *out = NULL;
        int rc = asl_path_select(p, docs[i], &out);
        if (rc == 0 && p->definite) {
            char *cause = asl_path_miss_cause(p, docs[i]);
            free(cause);
        }
        json_decref(out);
        char *b = asl_path_bracket(p, p->nseg);
        free(b);
        /* ResultPath is a reference path on $: only try what could be one. */
        if (p->definite && p->root == ASL_ROOT_INPUT) {
            struct asl_err err = {0};
            json_t *put = NULL;
            if (asl_path_put(p, docs[i], value, &put, &err) == 0)
                json_decref(put);
            asl_err_clear(&err);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    static const enum asl_expr_mode modes[] = {ASL_MODE_PATH, ASL_MODE_REFPATH, ASL_MODE_RESULTPATH,
                                               ASL_MODE_PAYLOAD, ASL_MODE_ERRPATH};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        struct asl_arena a;
        asl_arena_init(&a);
        struct asl_expr *e = NULL;
        struct asl_expr_error err;
        if (asl_expr_parse(&a, (const char *)data, size, modes[m], &e, &err) == 0) {
            if (e->kind == ASL_EX_PATH && e->path)
                run_path(e->path);
            /* Paths among an intrinsic call's arguments. */
            if (e->kind == ASL_EX_CALL)
                for (size_t i = 0; i < e->nargs; i++)
                    if (e->args[i].kind == ASL_EX_PATH && e->args[i].path)
                        run_path(e->args[i].path);
        } else {
            (void)asl_expr_column((const char *)data, size);
        }
        asl_arena_free(&a);
    }
    return 0;
}
