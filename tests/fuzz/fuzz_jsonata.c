/*
 * fuzz_jsonata.c - the JSONata grammar (grammar/jsonata.y via asl_jn_parse)
 * and, for each expression that parses, the evaluator (runtime/jsonata/)
 * against a small fixed $states and two workflow variables.
 *
 * Input: the text between "{%" and "%}", as is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonata_ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *states, *var_x, *var_list;

static void init(void)
{
    if (states)
        return;
    states = json_loads(
        "{\"input\": {\"a\": 1, \"b\": [1, 2, 3], \"s\": \"hello world\", \"o\": {\"k\": \"v\","
        " \"n\": [{\"x\": 1}, {\"x\": 2}]}, \"t\": \"2024-01-02T03:04:05Z\", \"z\": null},"
        " \"context\": {\"Execution\": {\"Id\": \"arn:x\", \"Input\": {}},"
        " \"State\": {\"Name\": \"S\", \"EnteredTime\": \"2024-01-02T03:04:05.678Z\"}}}",
        0, NULL);
    var_x = json_integer(42);
    var_list = json_loads("[\"a\", {\"b\": [true, false]}, 2.5]", 0, NULL);
    if (!states || !var_x || !var_list)
        abort();
}

static json_t *lookup(void *ud, const char *name, size_t len)
{
    (void)ud;
    if (len == 1 && name[0] == 'x')
        return var_x;
    if (len == 4 && memcmp(name, "list", 4) == 0)
        return var_list;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    struct asl_jn_ast *ast = NULL;
    struct asl_jn_error perr;
    if (asl_jn_parse((const char *)data, size, &ast, &perr) != 0)
        return 0;
    struct asl_jn_env env = {.states = states, .lookup = lookup};
    struct asl_err err = {0};
    json_t *out = NULL;
    (void)asl_jn_eval(ast->root, &env, &out, &err);
    json_decref(out);
    asl_err_clear(&err);
    asl_jn_free(ast);
    return 0;
}
