/*
 * expr.c - the compile arena and the entry point of the path/intrinsic
 * parser (the grammar itself is path.l + path.y).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "path.tab.h"
#define YYSTYPE ASLPSTYPE   /* what the flex header calls the bison types */
#define YYLTYPE ASLPLTYPE
#include "path.lex.h"

/* ------------------------------------------------------------------ arena */

struct asl_arena_blk {
    struct asl_arena_blk *next;
    size_t used, size;
    max_align_t data[];
};

#define ARENA_CHUNK 8192

void asl_arena_init(struct asl_arena *a)
{
    a->head = NULL;
}

void asl_arena_free(struct asl_arena *a)
{
    struct asl_arena_blk *b = a->head;
    while (b) {
        struct asl_arena_blk *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

void *asl_arena_alloc(struct asl_arena *a, size_t n)
{
    size_t al = sizeof(max_align_t);
    n = (n + al - 1) / al * al;
    if (n == 0)
        n = al;
    struct asl_arena_blk *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        b = malloc(sizeof *b + size);
        if (!b) {
            fprintf(stderr, "aslc: out of memory\n");
            abort();
        }
        b->used = 0;
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *asl_arena_strndup(struct asl_arena *a, const char *s, size_t len)
{
    char *p = asl_arena_alloc(a, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* --------------------------------------------------------------- parsing */

unsigned asl_expr_column(const char *text, size_t off)
{
    unsigned col = 1;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)text[i] & 0xc0) != 0x80)   /* count UTF-8 lead bytes */
            col++;
    return col;
}

int asl_expr_parse(struct asl_arena *a, const char *text, size_t len, enum asl_expr_mode mode,
                   struct asl_expr **out, struct asl_expr_error *err)
{
    struct asl_pctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = a;
    ctx.text = text;
    ctx.len = len;
    ctx.mode = mode;
    ctx.err = err;
    err->col = 0;
    err->msg[0] = '\0';
    *out = NULL;

    int is_path_mode = mode == ASL_MODE_PATH || mode == ASL_MODE_REFPATH || mode == ASL_MODE_RESULTPATH;
    if (len == 0 || (is_path_mode && text[0] != '$')) {
        err->col = 1;
        snprintf(err->msg, sizeof err->msg, "%s",
                 is_path_mode ? "a path must start with '$'"
                              : "expected a path (starting with '$') or an intrinsic function call");
        return -1;
    }

    yyscan_t scanner;
    if (aslplex_init_extra(&ctx, &scanner) != 0) {
        err->col = 1;
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    YY_BUFFER_STATE buf = aslp_scan_bytes(text, (int)len, scanner);
    int rc = aslpparse(scanner, &ctx);
    aslp_delete_buffer(buf, scanner);
    aslplex_destroy(scanner);

    if (rc != 0 || !ctx.result) {
        if (!ctx.failed) {
            err->col = asl_expr_column(text, ctx.pos);
            snprintf(err->msg, sizeof err->msg, "%s", rc == 2 ? "out of memory" : "syntax error");
        }
        return -1;
    }
    *out = ctx.result;
    return 0;
}
