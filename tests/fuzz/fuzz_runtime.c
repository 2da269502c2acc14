/*
 * fuzz_runtime.c - a compiled workflow's runtime entry points over
 * generated documents (issue 16): the fuzzer writes both the expression and
 * the document it runs on.
 *
 * Input: an expression, one "\n", then a document (any bytes).
 *   - input parsing: the document goes through the CLI's reader path
 *     (asl_json_squeeze, then json_loadb as asl_main does); squeezing must
 *     never change whether it parses, nor the value it parses to;
 *   - paths: the expression as a JSONPath (Path mode) selected on the
 *     document, through asl_path_select and the state-level asl_io_select;
 *   - Choice: every operator with that path as Variable, against literals
 *     taken from the document and against the same path (the ...Path forms);
 *   - intrinsics and payload expressions: the expression in Payload mode
 *     evaluated with the document as input (asl_io_expr_eval);
 *   - JSONata: the expression parsed as JSONata and evaluated with the
 *     document as $states.input, with the evaluation memory budget on.
 * Any crash, leak, sanitizer report or broken property aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aslrt.h"
#include "aslrt_jsonata.h"
#include "base/json.h"
#include "run/run.h"
#include "expr.h"
#include "io/io.h"
#include "io/path.h"
#include "jsonata/jn_mem.h"
#include "jsonata_ast.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    asl_jn_mem_install();
    return 0;
}

#define NLITS 6

/* The reader's squeeze may not change the value: parse both ways. */
static json_t *parse_document(const char *doc, size_t n)
{
    const int flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
    json_t *raw = json_loadb(doc, n, flags, NULL);
    char *buf = malloc(n ? n : 1);
    if (!buf)
        abort();
    struct asl_json_squeeze z = {0};
    size_t m = asl_json_squeeze(&z, buf, doc, n);
    if (m > n || z.significant > n)
        abort();
    json_t *sq = json_loadb(buf, m, flags, NULL);
    free(buf);
    if (!raw != !sq || (raw && !json_equal(raw, sq)))
        abort();
    json_decref(sq);
    return raw;
}

/* Up to NLITS values from the document: itself and its first members. */
static size_t pick_literals(json_t *doc, json_t **lits)
{
    size_t k = 0;
    lits[k++] = doc;
    if (json_is_array(doc))
        for (size_t i = 0; i < json_array_size(doc) && k < NLITS; i++)
            lits[k++] = json_array_get(doc, i);
    if (json_is_object(doc)) {
        const char *key;
        json_t *v;
        json_object_foreach(doc, key, v) {
            if (k == NLITS)
                break;
            lits[k++] = v;
        }
    }
    return k;
}

static void run_choice(struct asl_run *run, struct asl_program *prog, const struct asl_path *p,
                       json_t *doc)
{
    json_t *lits[NLITS];
    size_t nl = pick_literals(doc, lits);
    prog->lits = lits;
    prog->nlits = nl;
    for (int op = ASL_CMP_STR_EQ; op <= ASL_CMP_IS_TIMESTAMP; op++) {
        for (size_t l = 0; l <= nl; l++) {
            struct asl_cond cmp = {.kind = ASL_COND_CMP, .var = p, .op = (enum asl_cmp_op)op};
            if (l < nl)
                cmp.lit = (int)l;
            else
                cmp.path = p;
            (void)asl_choice_eval(run, &cmp, doc);
            asl_err_clear(&run->err);
        }
    }
    prog->lits = NULL;
    prog->nlits = 0;
}

static void run_paths(struct asl_run *run, struct asl_program *prog, const char *expr, size_t n,
                      json_t *doc)
{
    struct asl_arena a;
    asl_arena_init(&a);
    struct asl_expr *e = NULL;
    struct asl_expr_error perr;
    if (asl_expr_parse(&a, expr, n, ASL_MODE_PATH, &e, &perr) == 0 && e->kind == ASL_EX_PATH &&
        e->path) {
        json_t *out = NULL;
        (void)asl_path_select(e->path, doc, &out);      /* *out set only on 1 */
        json_decref(out);
        out = NULL;
        (void)asl_io_select(run, e->path, doc, &out);
        json_decref(out);
        asl_err_clear(&run->err);
        run_choice(run, prog, e->path, doc);
    }
    asl_arena_free(&a);
    asl_arena_init(&a);
    if (asl_expr_parse(&a, expr, n, ASL_MODE_PAYLOAD, &e, &perr) == 0) {
        json_t *out = NULL;
        (void)asl_io_expr_eval(run, e, doc, &out);      /* *out set only on 1 */
        json_decref(out);
        asl_err_clear(&run->err);
    }
    asl_arena_free(&a);
}

static void run_jsonata(const char *expr, size_t n, json_t *doc)
{
    struct asl_jn_ast *ast = NULL;
    struct asl_jn_error perr;
    if (asl_jn_parse(expr, n, &ast, &perr) != 0)
        return;
    json_t *states = json_pack("{s:O}", "input", doc);
    struct asl_jn_env env = {.states = states};
    json_t *out = NULL;
    struct asl_err err = {0};
    if (asl_jn_eval(ast->root, &env, &out, &err) == 0)
        json_decref(out);
    asl_err_clear(&err);
    json_decref(states);
    asl_jn_free(ast);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    if (!nl)
        return 0;
    size_t elen = (size_t)(nl - text);
    json_t *doc = parse_document(nl + 1, size - elen - 1);
    if (!doc)
        return 0;
    struct asl_program prog = {0};
    struct asl_exec ex = {.prog = &prog};
    struct asl_state st = {.name = "Fuzz"};
    struct asl_vars vars = {0};
    struct asl_run run = {.exec = &ex, .state = &st, .vars = &vars};
    run_paths(&run, &prog, text, elen, doc);
    run_jsonata(text, elen, doc);
    asl_err_clear(&run.err);
    json_decref(vars.obj);
    json_decref(doc);
    return 0;
}
