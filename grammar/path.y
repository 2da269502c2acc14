/*
 * path.y - JSONPath paths and intrinsic-function calls, as AWS Step Functions
 * accepts them, parsed into the structures of aslrt_expr.h.
 *
 *   top   := path | call
 *   path  := ('$' | '$$' | $var) step*
 *   step  := .name | .* | ..name | ..* | ..[...] | [...] | .[...]
 *   [...] := [n] | [n,m,...] | ['a'] | ['a','b',...] | [*] | [a:b] | [a:b:c]
 *          | [?( filter )]
 *   call  := States.Name( arg, ... )    arg := path | call | literal
 *
 * Everything is allocated from the caller's arena (ctx->arena), so the
 * parser needs no %destructor: an aborted parse leaves only arena memory.
 */

%define api.pure full
%define api.prefix {aslp}
%define api.token.prefix {T_}
%define parse.error detailed
%locations
%expect 0

%code requires {
#include <stddef.h>
#include "expr.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* Parser state shared by the scanner (as yyextra), the grammar actions and
 * asl_expr_parse. */
struct asl_pctx {
    struct asl_arena *arena;
    const char *text;           /* the caller's string; tokens point into it */
    size_t len;
    enum asl_expr_mode mode;
    size_t pos;                 /* scanner: byte offset of the next token */
    const char *lexmsg;         /* scanner: why the last BADTOK is bad */
    struct asl_expr *result;
    struct asl_expr_error *err;
    int failed;                 /* err already filled by an action */
};

/* Growing vectors used while parsing; flattened into the AST at the end. */
struct asl_psegs { struct asl_seg *v; size_t *offs; size_t n, cap; };
struct asl_pexprs { struct asl_expr *v; size_t n, cap; };
struct asl_pints { long long *v; size_t n, cap; };
struct asl_pstrs { const char **v; size_t *lens; size_t n, cap; };
struct asl_pslice { long long v; int has; };
struct asl_ppath { struct asl_path *path; const size_t *offs; };
}

%code provides {
int aslpparse(yyscan_t scanner, struct asl_pctx *ctx);
}

%code {
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "intr_table.h"

int aslplex(ASLPSTYPE *lval, ASLPLTYPE *lloc, yyscan_t scanner);
static void aslperror(ASLPLTYPE *loc, yyscan_t scanner, struct asl_pctx *ctx, const char *msg);

/* Report a problem at byte offset `off` and make the action YYABORT. */
static void fail_at(struct asl_pctx *ctx, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct asl_seg *new_seg(struct asl_pctx *ctx, enum asl_seg_kind kind);
static const char *tok_text(struct asl_pctx *ctx, const ASLPLTYPE *loc, size_t *len);
static int tok_int(struct asl_pctx *ctx, const ASLPLTYPE *loc, long long *out);
static int path_string(struct asl_pctx *ctx, const ASLPLTYPE *loc, const char **s, size_t *len);
static int intr_string(struct asl_arena *a, const char *s, size_t n, int format, struct asl_val *v,
                       size_t *bad);
static void finish_literal(struct asl_pctx *ctx, struct asl_expr *e, const ASLPLTYPE *loc);
static int num_val(struct asl_pctx *ctx, const ASLPLTYPE *loc, int is_real, struct asl_val *v);
static struct asl_ppath *make_path(struct asl_pctx *ctx, const ASLPLTYPE *loc,
                                   enum asl_path_root root, struct asl_psegs *segs);
static struct asl_expr *make_call(struct asl_pctx *ctx, const ASLPLTYPE *loc,
                                  const ASLPLTYPE *nameloc, struct asl_pexprs *args);
static int check_top(struct asl_pctx *ctx, struct asl_expr *e, const struct asl_ppath *pp);
static struct asl_filter *new_filter(struct asl_pctx *ctx, enum asl_filter_op op);
static void *grow(struct asl_pctx *ctx, void *v, size_t *cap, size_t n, size_t elem);

#define A(n) asl_arena_alloc(ctx->arena, (n))
#define OFF(loc) ((size_t)(loc).first_column)
}

%param {yyscan_t scanner}
%parse-param {struct asl_pctx *ctx}

%union {
    struct asl_expr *expr;
    struct asl_pexprs *exprs;
    struct asl_ppath *path;
    struct asl_psegs *segs;
    struct asl_seg *seg;
    struct asl_pints *ints;
    struct asl_pstrs *strs;
    struct asl_pslice slice;
    struct asl_filter *filter;
    struct asl_foperand *opnd;
    enum asl_filter_op op;
    enum asl_path_root root;
}

%token END 0 "end of input"
%token NAME "field name"
%token IDENT "name"
%token VAR "variable"
%token ROOT "'$'"
%token CTXROOT "'$$'"
%token CUR "'@'"
%token DOTDOT "'..'"
%token INT "integer"
%token REAL "number"
%token STRING "string"
%token TRUE "'true'"
%token FALSE "'false'"
%token NULL "'null'"
%token EQ "'=='"
%token NE "'!='"
%token LE "'<='"
%token GE "'>='"
%token AND "'&&'"
%token OR "'||'"
%token BADTOK "invalid token"

%left OR
%left AND
%precedence '!'

%type <expr> call arg aliteral
%type <exprs> args
%type <path> path fpath
%type <root> root
%type <segs> steps
%type <seg> step bracket selector
%type <ints> ints
%type <strs> strs
%type <slice> optint
%type <filter> filter
%type <opnd> operand fliteral
%type <op> cmp

%%

top:
    path {
        struct asl_expr *e = A(sizeof *e);
        e->kind = ASL_EX_PATH;
        e->path = $1->path;
        e->text = $1->path->text;
        e->col = asl_expr_column(ctx->text, OFF(@1));
        if (check_top(ctx, e, $1) != 0)
            YYABORT;
        ctx->result = e;
    }
  | call {
        if (check_top(ctx, $1, NULL) != 0)
            YYABORT;
        ctx->result = $1;
    }
  ;

/* ------------------------------------------------------------- paths */

root:
    ROOT    { $$ = ASL_ROOT_INPUT; }
  | CTXROOT { $$ = ASL_ROOT_CONTEXT; }
  | VAR     { $$ = ASL_ROOT_VAR; }
  ;

path:
    root steps { if (!($$ = make_path(ctx, &@$, $1, $2))) YYABORT; }
  ;

steps:
    %empty {
        $$ = A(sizeof *$$);
    }
  | steps step {
        $$ = $1;
        if ($$->n == $$->cap) {
            size_t cap = $$->cap;
            $$->v = grow(ctx, $$->v, &cap, $$->n, sizeof *$$->v);
            $$->offs = grow(ctx, $$->offs, &$$->cap, $$->n, sizeof *$$->offs);
        }
        $$->v[$$->n] = *$2;
        $$->offs[$$->n++] = OFF(@2);
    }
  ;

step:
    '.' NAME {
        size_t len;
        const char *s = tok_text(ctx, &@2, &len);
        $$ = new_seg(ctx, ASL_SEG_FIELD);
        $$->name = asl_arena_strndup(ctx->arena, s, len);
        $$->name_len = len;
    }
  | '.' '*'         { $$ = new_seg(ctx, ASL_SEG_WILDCARD); }
  | '.' bracket     { $$ = $2; }  /* AWS accepts $.[0] and $.a.['b c'] */
  | bracket         { $$ = $1; }
  | DOTDOT NAME {
        size_t len;
        const char *s = tok_text(ctx, &@2, &len);
        struct asl_seg *sub = new_seg(ctx, ASL_SEG_FIELD);
        sub->name = asl_arena_strndup(ctx->arena, s, len);
        sub->name_len = len;
        $$ = new_seg(ctx, ASL_SEG_DESCENT);
        $$->sub = sub;
    }
  | DOTDOT '*' {
        $$ = new_seg(ctx, ASL_SEG_DESCENT);
        $$->sub = new_seg(ctx, ASL_SEG_WILDCARD);
    }
  | DOTDOT bracket {
        $$ = new_seg(ctx, ASL_SEG_DESCENT);
        $$->sub = $2;
    }
  ;

bracket:
    '[' selector ']' { $$ = $2; }
  ;

selector:
    ints {
        if ($1->n == 1) {
            $$ = new_seg(ctx, ASL_SEG_INDEX);
            $$->index = $1->v[0];
        } else {
            $$ = new_seg(ctx, ASL_SEG_INDEXES);
            $$->n = $1->n;
            $$->indexes = $1->v;
        }
    }
  | strs {
        if ($1->n == 1) {
            $$ = new_seg(ctx, ASL_SEG_FIELD);
            $$->name = $1->v[0];
            $$->name_len = $1->lens[0];
        } else {
            $$ = new_seg(ctx, ASL_SEG_FIELDS);
            $$->n = $1->n;
            $$->names = $1->v;
        }
    }
  | '*' { $$ = new_seg(ctx, ASL_SEG_WILDCARD); }
  | optint ':' optint {
        $$ = new_seg(ctx, ASL_SEG_SLICE);
        $$->start = $1.v; $$->has_start = (unsigned char)$1.has;
        $$->end = $3.v; $$->has_end = (unsigned char)$3.has;
        $$->step = 1;
    }
  | optint ':' optint ':' optint {
        $$ = new_seg(ctx, ASL_SEG_SLICE);
        $$->start = $1.v; $$->has_start = (unsigned char)$1.has;
        $$->end = $3.v; $$->has_end = (unsigned char)$3.has;
        $$->step = $5.has ? $5.v : 1; $$->has_step = (unsigned char)$5.has;
        if ($$->step == 0) {
            fail_at(ctx, OFF(@5), "slice step cannot be 0");
            YYABORT;
        }
    }
  | '?' '(' filter ')' {
        $$ = new_seg(ctx, ASL_SEG_FILTER);
        $$->filter = $3;
    }
  ;

ints:
    INT {
        $$ = A(sizeof *$$);
        $$->v = grow(ctx, NULL, &$$->cap, 0, sizeof *$$->v);
        if (tok_int(ctx, &@1, &$$->v[0]) != 0)
            YYABORT;
        $$->n = 1;
    }
  | ints ',' INT {
        $$ = $1;
        if ($$->n == $$->cap)
            $$->v = grow(ctx, $$->v, &$$->cap, $$->n, sizeof *$$->v);
        if (tok_int(ctx, &@3, &$$->v[$$->n]) != 0)
            YYABORT;
        $$->n++;
    }
  ;

/* Names in brackets: one ['name'] becomes a FIELD step (whose name may
 * hold NUL, hence lens); a list ['a','b'] becomes FIELDS. */
strs:
    STRING {
        const char *s;
        size_t len;
        if (path_string(ctx, &@1, &s, &len) != 0)
            YYABORT;
        $$ = A(sizeof *$$);
        size_t cap = 0;
        $$->v = (const char **)grow(ctx, NULL, &cap, 0, sizeof *$$->v);
        $$->lens = grow(ctx, NULL, &$$->cap, 0, sizeof *$$->lens);
        $$->v[0] = s;
        $$->lens[0] = len;
        $$->n = 1;
    }
  | strs ',' STRING {
        const char *s;
        size_t len;
        if (path_string(ctx, &@3, &s, &len) != 0)
            YYABORT;
        $$ = $1;
        if ($$->n == $$->cap) {
            size_t cap = $$->cap;
            $$->v = (const char **)grow(ctx, (void *)$$->v, &cap, $$->n, sizeof *$$->v);
            $$->lens = grow(ctx, $$->lens, &$$->cap, $$->n, sizeof *$$->lens);
        }
        $$->lens[$$->n] = len;
        $$->v[$$->n++] = s;
    }
  ;

optint:
    %empty  { $$.v = 0; $$.has = 0; }
  | INT     { if (tok_int(ctx, &@1, &$$.v) != 0) YYABORT; $$.has = 1; }
  ;

/* ------------------------------------------------------------ filters */

filter:
    filter OR filter {
        $$ = new_filter(ctx, ASL_F_OR); $$->left = $1; $$->right = $3;
    }
  | filter AND filter {
        $$ = new_filter(ctx, ASL_F_AND); $$->left = $1; $$->right = $3;
    }
  | '!' filter {
        $$ = new_filter(ctx, ASL_F_NOT); $$->left = $2;
    }
  | '(' filter ')' { $$ = $2; }
  | fpath {
        $$ = new_filter(ctx, ASL_F_EXISTS);
        $$->a.path = $1->path;
    }
  | operand cmp operand {
        $$ = new_filter(ctx, $2);
        $$->a = *$1;
        $$->b = *$3;
    }
  ;

cmp:
    EQ  { $$ = ASL_F_EQ; }
  | NE  { $$ = ASL_F_NE; }
  | '<' { $$ = ASL_F_LT; }
  | LE  { $$ = ASL_F_LE; }
  | '>' { $$ = ASL_F_GT; }
  | GE  { $$ = ASL_F_GE; }
  ;

operand:
    fpath    { $$ = A(sizeof *$$); $$->path = $1->path; }
  | fliteral { $$ = $1; }
  ;

fpath:
    CUR steps { if (!($$ = make_path(ctx, &@$, ASL_ROOT_CURRENT, $2))) YYABORT; }
  | path      { $$ = $1; }
  ;

fliteral:
    STRING {
        $$ = A(sizeof *$$);
        $$->val.kind = ASL_VAL_STRING;
        if (path_string(ctx, &@1, &$$->val.str, &$$->val.len) != 0)
            YYABORT;
    }
  | INT   { $$ = A(sizeof *$$); if (num_val(ctx, &@1, 0, &$$->val) != 0) YYABORT; }
  | REAL  { $$ = A(sizeof *$$); if (num_val(ctx, &@1, 1, &$$->val) != 0) YYABORT; }
  | TRUE  { $$ = A(sizeof *$$); $$->val.kind = ASL_VAL_TRUE; }
  | FALSE { $$ = A(sizeof *$$); $$->val.kind = ASL_VAL_FALSE; }
  | NULL  { $$ = A(sizeof *$$); $$->val.kind = ASL_VAL_NULL; }
  | IDENT {
        /* An unquoted word ($[?(@.LanguageCode==es)]) is the string of its
         * characters.  Stock Jayway would read it as a number and refuse
         * it; AWS accepts such filters and selects the elements whose value
         * is that string (published samples deploy with them; the report in
         * nibble-4bits/aws-local-stepfunctions#79 shows AWS's answer). */
        size_t len;
        const char *s = tok_text(ctx, &@1, &len);
        $$ = A(sizeof *$$);
        $$->val.kind = ASL_VAL_STRING;
        $$->val.str = asl_arena_strndup(ctx->arena, s, len);
        $$->val.len = len;
    }
  ;

/* ---------------------------------------------------------- intrinsics */

call:
    IDENT '(' ')'       { $$ = make_call(ctx, &@$, &@1, NULL); }
  | IDENT '(' args ')'  { if (!($$ = make_call(ctx, &@$, &@1, $3))) YYABORT; }
  ;

args:
    arg {
        $$ = A(sizeof *$$);
        $$->v = grow(ctx, NULL, &$$->cap, 0, sizeof *$$->v);
        $$->v[$$->n++] = *$1;
    }
  | args ',' arg {
        $$ = $1;
        if ($$->n == $$->cap)
            $$->v = grow(ctx, $$->v, &$$->cap, $$->n, sizeof *$$->v);
        $$->v[$$->n++] = *$3;
    }
  ;

arg:
    path {
        $$ = A(sizeof *$$);
        $$->kind = ASL_EX_PATH;
        $$->path = $1->path;
        $$->text = $1->path->text;
        $$->col = asl_expr_column(ctx->text, OFF(@1));
    }
  | call     { $$ = $1; }
  | aliteral { $$ = $1; finish_literal(ctx, $$, &@1); }
  ;

aliteral:
    STRING {
        $$ = A(sizeof *$$);
        if (ctx->text[OFF(@1)] != '\'') {
            fail_at(ctx, OFF(@1), "strings in intrinsic functions are written in single quotes");
            YYABORT;
        }
        size_t bad;
        if (intr_string(ctx->arena, ctx->text + OFF(@1) + 1, (size_t)(@1.last_column - @1.first_column) - 2,
                        0, &$$->val, &bad) != 0) {
            fail_at(ctx, OFF(@1) + 1 + bad,
                    "invalid escape in string: only \\', \\{, \\} and \\\\ are allowed");
            YYABORT;
        }
    }
  | INT   { $$ = A(sizeof *$$); if (num_val(ctx, &@1, 0, &$$->val) != 0) YYABORT; }
  | REAL  { $$ = A(sizeof *$$); if (num_val(ctx, &@1, 1, &$$->val) != 0) YYABORT; }
  | TRUE  { $$ = A(sizeof *$$); $$->val.kind = ASL_VAL_TRUE; }
  | FALSE { $$ = A(sizeof *$$); $$->val.kind = ASL_VAL_FALSE; }
  | NULL  { $$ = A(sizeof *$$); $$->val.kind = ASL_VAL_NULL; }
  ;

%%

/* Literal intrinsic arguments are expressions: give them kind, text, col.
 * (Done here rather than in every aliteral action.) */
static void finish_literal(struct asl_pctx *ctx, struct asl_expr *e, const ASLPLTYPE *loc)
{
    size_t len;
    const char *s = tok_text(ctx, loc, &len);
    e->kind = ASL_EX_VAL;
    e->text = asl_arena_strndup(ctx->arena, s, len);
    e->col = asl_expr_column(ctx->text, OFF(*loc));
}

static void aslperror(ASLPLTYPE *loc, yyscan_t scanner, struct asl_pctx *ctx, const char *msg)
{
    (void)scanner;
    if (ctx->failed)
        return;
    size_t off = (size_t)loc->first_column;
    if (ctx->lexmsg) {
        if (strcmp(ctx->lexmsg, "unexpected character") == 0) {
            unsigned char c = (unsigned char)ctx->text[off];
            if (c >= 0x20 && c < 0x7f)
                fail_at(ctx, off, "unexpected character '%c'", c);
            else if (c >= 0x80) {
                size_t n = (size_t)(loc->last_column - loc->first_column);
                fail_at(ctx, off, "unexpected character '%.*s'", (int)n, ctx->text + off);
            } else
                fail_at(ctx, off, "unexpected character \\x%02x", c);
        } else
            fail_at(ctx, off, "%s", ctx->lexmsg);
        return;
    }
    const char *p = strncmp(msg, "syntax error, ", 14) == 0 ? msg + 14 : msg;
    fail_at(ctx, off, "%s", p);
}

static void fail_at(struct asl_pctx *ctx, size_t off, const char *fmt, ...)
{
    if (ctx->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err->msg, sizeof ctx->err->msg, fmt, ap);
    va_end(ap);
    ctx->err->col = asl_expr_column(ctx->text, off);
    ctx->failed = 1;
}

static void *grow(struct asl_pctx *ctx, void *v, size_t *cap, size_t n, size_t elem)
{
    size_t ncap = *cap ? *cap * 2 : 4;
    void *nv = asl_arena_alloc(ctx->arena, ncap * elem);
    if (n)
        memcpy(nv, v, n * elem);
    *cap = ncap;
    return nv;
}

static struct asl_seg *new_seg(struct asl_pctx *ctx, enum asl_seg_kind kind)
{
    struct asl_seg *s = asl_arena_alloc(ctx->arena, sizeof *s);
    s->kind = kind;
    return s;
}

static struct asl_filter *new_filter(struct asl_pctx *ctx, enum asl_filter_op op)
{
    struct asl_filter *f = asl_arena_alloc(ctx->arena, sizeof *f);
    f->op = op;
    return f;
}

static const char *tok_text(struct asl_pctx *ctx, const ASLPLTYPE *loc, size_t *len)
{
    *len = (size_t)(loc->last_column - loc->first_column);
    return ctx->text + loc->first_column;
}

static int tok_int(struct asl_pctx *ctx, const ASLPLTYPE *loc, long long *out)
{
    size_t len;
    const char *s = tok_text(ctx, loc, &len);
    char *tmp = asl_arena_strndup(ctx->arena, s, len);
    errno = 0;
    *out = strtoll(tmp, NULL, 10);
    if (errno == ERANGE) {
        fail_at(ctx, OFF(*loc), "integer out of range");
        return -1;
    }
    return 0;
}

static int num_val(struct asl_pctx *ctx, const ASLPLTYPE *loc, int is_real, struct asl_val *v)
{
    size_t len;
    const char *s = tok_text(ctx, loc, &len);
    char *tmp = asl_arena_strndup(ctx->arena, s, len);
    if (!is_real) {
        errno = 0;
        v->i = strtoll(tmp, NULL, 10);
        if (errno != ERANGE) {
            v->kind = ASL_VAL_INT;
            return 0;
        }
    }
    v->kind = ASL_VAL_REAL;   /* too big for an integer: keep it as a double */
    v->r = strtod(tmp, NULL);
    return 0;
}

/* Append the UTF-8 encoding of code point cp. */
static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hex4(const char *s, unsigned long *out)
{
    unsigned long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned long)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned long)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* A quoted name or filter string ('a b' or "a b"): Jayway resolves Java
 * escapes (\n, \t, \uXXXX, \', \", \\); any other \c stands for c. */
static int path_string(struct asl_pctx *ctx, const ASLPLTYPE *loc, const char **str, size_t *olen)
{
    size_t off = OFF(*loc) + 1, end = (size_t)loc->last_column - 1;
    char *o = asl_arena_alloc(ctx->arena, (end - off) + 1);
    size_t n = 0;
    for (size_t i = off; i < end; i++) {
        char c = ctx->text[i];
        if (c != '\\') {
            o[n++] = c;
            continue;
        }
        c = ctx->text[++i];   /* the scanner guarantees a character follows */
        switch (c) {
        case 'n': o[n++] = '\n'; break;
        case 't': o[n++] = '\t'; break;
        case 'r': o[n++] = '\r'; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'u': {
            unsigned long cp, lo;
            if (end - i < 5 || hex4(ctx->text + i + 1, &cp) != 0) {
                fail_at(ctx, i - 1, "invalid \\u escape");
                return -1;
            }
            i += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && end - i >= 7 && ctx->text[i + 1] == '\\'
                && ctx->text[i + 2] == 'u' && hex4(ctx->text + i + 3, &lo) == 0
                && lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
            n += put_utf8(o + n, cp);   /* \uXXXX is 6 bytes, its UTF-8 at most 4 */
            break;
        }
        default: o[n++] = c; break;
        }
    }
    o[n] = '\0';
    *str = o;
    *olen = n;
    return 0;
}

/* An intrinsic string literal s[0..n) without its quotes.  AWS allows
 * exactly four escapes: \' \{ \} \\.  With `format` set (the template of
 * States.Format) they are checked but kept: asl_intr_format resolves them
 * itself, so that \{} stays apart from a {} placeholder.  On a bad escape
 * sets *bad to its offset. */
static int intr_string(struct asl_arena *a, const char *s, size_t n, int format, struct asl_val *v,
                       size_t *bad)
{
    char *o = asl_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\') {
            o[k++] = c;
            continue;
        }
        c = i + 1 < n ? s[i + 1] : '\0';
        if (c != '\'' && c != '{' && c != '}' && c != '\\') {
            *bad = i;
            return -1;
        }
        if (format)
            o[k++] = '\\';
        o[k++] = c;
        i++;
    }
    o[k] = '\0';
    v->kind = ASL_VAL_STRING;
    v->str = o;
    v->len = k;
    return 0;
}

static const char *seg_what(enum asl_seg_kind k)
{
    switch (k) {
    case ASL_SEG_WILDCARD: return "a wildcard (*)";
    case ASL_SEG_SLICE: return "an array slice";
    case ASL_SEG_FIELDS: return "a list of field names";
    case ASL_SEG_INDEXES: return "a list of indexes";
    case ASL_SEG_FILTER: return "a filter";
    case ASL_SEG_DESCENT: return "recursive descent (..)";
    default: return "this step";
    }
}

static struct asl_ppath *make_path(struct asl_pctx *ctx, const ASLPLTYPE *loc,
                                   enum asl_path_root root, struct asl_psegs *segs)
{
    struct asl_ppath *pp = asl_arena_alloc(ctx->arena, sizeof *pp);
    struct asl_path *p = asl_arena_alloc(ctx->arena, sizeof *p);
    size_t len;
    const char *s = tok_text(ctx, loc, &len);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    p->text = asl_arena_strndup(ctx->arena, s, len);
    p->root = root;
    if (root == ASL_ROOT_VAR) {
        size_t vlen = 1;   /* the variable token is the start of the path text */
        while (vlen < len && (isalnum((unsigned char)s[vlen]) || s[vlen] == '_'
                              || (unsigned char)s[vlen] >= 0x80))
            vlen++;
        p->var = asl_arena_strndup(ctx->arena, s + 1, vlen - 1);
    }
    p->nseg = segs->n;
    p->segs = segs->v;
    p->definite = 1;
    for (size_t i = 0; i < segs->n; i++) {
        enum asl_seg_kind k = segs->v[i].kind;
        if (k == ASL_SEG_FIELDS && i + 1 < segs->n) {
            /* Jayway: "Multi properties can only be used as path leafs" */
            fail_at(ctx, segs->offs[i], "a list of field names can only be the last step of a path");
            return NULL;
        }
        if (k != ASL_SEG_FIELD && k != ASL_SEG_INDEX && k != ASL_SEG_FIELDS)
            p->definite = 0;
    }
    pp->path = p;
    pp->offs = segs->offs;
    return pp;
}

static struct asl_expr *make_call(struct asl_pctx *ctx, const ASLPLTYPE *loc,
                                  const ASLPLTYPE *nameloc, struct asl_pexprs *args)
{
    struct asl_expr *e = asl_arena_alloc(ctx->arena, sizeof *e);
    size_t len, nlen;
    const char *s = tok_text(ctx, loc, &len);
    const char *name = tok_text(ctx, nameloc, &nlen);
    e->kind = ASL_EX_CALL;
    e->text = asl_arena_strndup(ctx->arena, s, len);
    e->name = asl_arena_strndup(ctx->arena, name, nlen);
    const struct asl_intr_info *info = asl_intr_lookup(name, nlen);
    e->fn = info ? info->fn : ASL_INTR_COUNT_;
    e->col = asl_expr_column(ctx->text, OFF(*loc));
    if (args) {
        e->nargs = args->n;
        e->args = args->v;
        /* The template of States.Format keeps its brace escapes. */
        struct asl_expr *a0 = &args->v[0];
        size_t bad;
        if (e->fn == ASL_INTR_FORMAT && a0->kind == ASL_EX_VAL && a0->val.kind == ASL_VAL_STRING
            && strlen(a0->text) >= 2)
            intr_string(ctx->arena, a0->text + 1, strlen(a0->text) - 2, 1, &a0->val, &bad);
    }
    return e;
}

static int check_top(struct asl_pctx *ctx, struct asl_expr *e, const struct asl_ppath *pp)
{
    enum asl_expr_mode m = ctx->mode;
    if (e->kind == ASL_EX_CALL) {
        if (m == ASL_MODE_PAYLOAD || m == ASL_MODE_ERRPATH)
            return 0;
        fail_at(ctx, 0, "intrinsic functions are not allowed here, only a path");
        return -1;
    }
    const struct asl_path *p = pp->path;
    if (m == ASL_MODE_RESULTPATH && p->root == ASL_ROOT_CONTEXT) {
        fail_at(ctx, 0, "ResultPath cannot refer to the context object ($$)");
        return -1;
    }
    if (m == ASL_MODE_RESULTPATH && p->root == ASL_ROOT_VAR) {
        fail_at(ctx, 0, "ResultPath cannot refer to a variable");
        return -1;
    }
    if (m == ASL_MODE_REFPATH || m == ASL_MODE_RESULTPATH || m == ASL_MODE_ERRPATH) {
        for (size_t i = 0; i < p->nseg; i++) {
            enum asl_seg_kind k = p->segs[i].kind;
            if (k != ASL_SEG_FIELD && k != ASL_SEG_INDEX) {
                fail_at(ctx, pp->offs[i], "a reference path cannot use %s", seg_what(k));
                return -1;
            }
        }
    }
    return 0;
}
