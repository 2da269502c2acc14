/*
 * test_path_parse.c - the path/intrinsic grammar: what parses to which
 * tree, what fails where and why, and what each mode allows.
 *
 * Trees are compared through a compact rendering:
 *   path     D| or I| (definite or not), then root ($ $$ $name @) and steps
 *            ['name'] [0] [*] [1:3:1] ['a','b'] [0,1] [?(...)] ..step
 *   filter   (a == b) (x && y) (x || y) !x ?path (existence)
 *   call     Name#fn(arg, ...)   fn is the asl_intr_fn index, ? when unknown
 *   literal  's' 1 2.5 true false null   (strings after unescaping)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "expr.h"

static int failures;

struct buf {
    char s[1024];
    size_t n;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        b->n += (size_t)k < sizeof b->s - b->n ? (size_t)k : sizeof b->s - b->n - 1;
}

static void put_str(struct buf *b, const char *s, size_t len)
{
    put(b, "'");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20)
            put(b, "\\x%02x", c);
        else
            put(b, "%c", c);
    }
    put(b, "'");
}

static void dump_path(struct buf *b, const struct asl_path *p, int top);
static void dump_filter(struct buf *b, const struct asl_filter *f);

static void dump_val(struct buf *b, const struct asl_val *v)
{
    switch (v->kind) {
    case ASL_VAL_STRING: put_str(b, v->str, v->len); break;
    case ASL_VAL_INT: put(b, "%lld", v->i); break;
    case ASL_VAL_REAL: put(b, "%g", v->r); break;
    case ASL_VAL_TRUE: put(b, "true"); break;
    case ASL_VAL_FALSE: put(b, "false"); break;
    case ASL_VAL_NULL: put(b, "null"); break;
    }
}

static void dump_seg(struct buf *b, const struct asl_seg *s)
{
    switch (s->kind) {
    case ASL_SEG_FIELD: put(b, "["); put_str(b, s->name, s->name_len); put(b, "]"); break;
    case ASL_SEG_INDEX: put(b, "[%lld]", s->index); break;
    case ASL_SEG_WILDCARD: put(b, "[*]"); break;
    case ASL_SEG_SLICE:
        put(b, "[");
        if (s->has_start) put(b, "%lld", s->start);
        put(b, ":");
        if (s->has_end) put(b, "%lld", s->end);
        put(b, ":%lld]", s->step);
        break;
    case ASL_SEG_FIELDS:
        put(b, "[");
        for (size_t i = 0; i < s->n; i++) {
            if (i) put(b, ",");
            put_str(b, s->names[i], strlen(s->names[i]));
        }
        put(b, "]");
        break;
    case ASL_SEG_INDEXES:
        put(b, "[");
        for (size_t i = 0; i < s->n; i++)
            put(b, i ? ",%lld" : "%lld", s->indexes[i]);
        put(b, "]");
        break;
    case ASL_SEG_FILTER: put(b, "[?"); dump_filter(b, s->filter); put(b, "]"); break;
    case ASL_SEG_DESCENT: put(b, ".."); dump_seg(b, s->sub); break;
    }
}

static void dump_operand(struct buf *b, const struct asl_foperand *o)
{
    if (o->path)
        dump_path(b, o->path, 0);
    else
        dump_val(b, &o->val);
}

static void dump_filter(struct buf *b, const struct asl_filter *f)
{
    static const char *ops[] = {"||", "&&", "!", "?", "==", "!=", "<", "<=", ">", ">="};
    switch (f->op) {
    case ASL_F_OR:
    case ASL_F_AND:
        put(b, "(");
        dump_filter(b, f->left);
        put(b, " %s ", ops[f->op]);
        dump_filter(b, f->right);
        put(b, ")");
        break;
    case ASL_F_NOT: put(b, "!"); dump_filter(b, f->left); break;
    case ASL_F_EXISTS: put(b, "?"); dump_operand(b, &f->a); break;
    default:
        put(b, "(");
        dump_operand(b, &f->a);
        put(b, " %s ", ops[f->op]);
        dump_operand(b, &f->b);
        put(b, ")");
        break;
    }
}

static void dump_path(struct buf *b, const struct asl_path *p, int top)
{
    if (top)
        put(b, "%c|", p->definite ? 'D' : 'I');
    switch (p->root) {
    case ASL_ROOT_INPUT: put(b, "$"); break;
    case ASL_ROOT_CONTEXT: put(b, "$$"); break;
    case ASL_ROOT_VAR: put(b, "$%s", p->var); break;
    case ASL_ROOT_CURRENT: put(b, "@"); break;
    }
    for (size_t i = 0; i < p->nseg; i++)
        dump_seg(b, &p->segs[i]);
}

static void dump_expr(struct buf *b, const struct asl_expr *e)
{
    switch (e->kind) {
    case ASL_EX_VAL: dump_val(b, &e->val); break;
    case ASL_EX_PATH: dump_path(b, e->path, 1); break;
    case ASL_EX_CALL:
        if (e->fn == ASL_INTR_COUNT_)
            put(b, "%s#?(", e->name);
        else
            put(b, "%s#%d(", e->name, (int)e->fn);
        for (size_t i = 0; i < e->nargs; i++) {
            if (i) put(b, ", ");
            dump_expr(b, &e->args[i]);
        }
        put(b, ")");
        break;
    }
}

/* ------------------------------------------------------------------ cases */

#define P ASL_MODE_PATH
#define R ASL_MODE_REFPATH
#define RP ASL_MODE_RESULTPATH
#define PL ASL_MODE_PAYLOAD
#define E ASL_MODE_ERRPATH

struct ok_case {
    enum asl_expr_mode mode;
    const char *text;
    const char *tree;
};

static const struct ok_case ok_cases[] = {
    /* roots and plain steps */
    {P, "$", "D|$"},
    {P, "$.a.b", "D|$['a']['b']"},
    {P, "$['a b']", "D|$['a b']"},
    {P, "$[\"x\"]", "D|$['x']"},
    {P, "$.a[0]", "D|$['a'][0]"},
    {P, "$.[0]", "D|$[0]"},
    {P, "$.abc.['def ghi']", "D|$['abc']['def ghi']"},
    {P, "$.a[-1]", "D|$['a'][-1]"},
    {P, "$[0][1]", "D|$[0][1]"},
    {P, "$.delivery-partner", "D|$['delivery-partner']"},
    {P, "$.sub-values.0", "D|$['sub-values']['0']"},
    {P, "$.Item.id.S", "D|$['Item']['id']['S']"},
    {P, "$.caf\xc3\xa9.\xe4\xb8\xad", "D|$['caf\xc3\xa9']['\xe4\xb8\xad']"},
    {P, "$.true.null", "D|$['true']['null']"},
    {P, "$['it\\'s']", "D|$['it's']"},
    {P, "$['a\\u00e9']", "D|$['a\xc3\xa9']"},
    {P, "$$", "D|$$"},
    {P, "$$.Execution.Id", "D|$$['Execution']['Id']"},
    {P, "$$.Map.Item.Value", "D|$$['Map']['Item']['Value']"},
    {P, "$x", "D|$x"},
    {P, "$my_var.field[0]", "D|$my_var['field'][0]"},
    {P, "$_v2", "D|$_v2"},
    {P, "$\xc3\xa9t\xc3\xa9.x", "D|$\xc3\xa9t\xc3\xa9['x']"},
    /* indefinite steps */
    {P, "$.*", "I|$[*]"},
    {P, "$.a[*]", "I|$['a'][*]"},
    {P, "$.a[*].b", "I|$['a'][*]['b']"},
    {P, "$.a[1:3]", "I|$['a'][1:3:1]"},
    {P, "$.a[-3:]", "I|$['a'][-3::1]"},
    {P, "$.a[:2]", "I|$['a'][:2:1]"},
    {P, "$.a[::2]", "I|$['a'][::2]"},
    {P, "$.a[5:1:-1]", "I|$['a'][5:1:-1]"},
    {P, "$.a[0,1]", "I|$['a'][0,1]"},
    {P, "$['a','b']", "D|$['a','b']"},
    {P, "$..name", "I|$..['name']"},
    {P, "$..*", "I|$..[*]"},
    {P, "$..[0]", "I|$..[0]"},
    {P, "$.a..b.c", "I|$['a']..['b']['c']"},
    /* filters */
    {P, "$.a[?(@.price < 10 && @.tag == 'x')]", "I|$['a'][?((@['price'] < 10) && (@['tag'] == 'x'))]"},
    {P, "$.a[?(@.isbn)]", "I|$['a'][??@['isbn']]"},
    {P, "$[?(@.a >= 5)]", "I|$[?(@['a'] >= 5)]"},
    {P, "$[?(@.a<=5||@.b>1.5)]", "I|$[?((@['a'] <= 5) || (@['b'] > 1.5))]"},
    {P, "$[?(!(@.a != \"q\"))]", "I|$[?!(@['a'] != 'q')]"},
    {P, "$[?(@.a == true || @.b == false && @.c == null)]",
     "I|$[?((@['a'] == true) || ((@['b'] == false) && (@['c'] == null)))]"},
    {P, "$[?(@.a == $.b)]", "I|$[?(@['a'] == $['b'])]"},
    {P, "$[?(@ > 2)]", "I|$[?(@ > 2)]"},
    {P, "$[?(@.a[0] == -1)]", "I|$[?(@['a'][0] == -1)]"},
    /* intrinsic calls */
    {PL, "States.Format('Hello {}', $.name)", "States.Format#0('Hello {}', D|$['name'])"},
    {PL, "States.Array()", "States.Array#3()"},
    {PL, "States.Array('a', 1, -2, 2.5, -1e3, true, false, null)",
     "States.Array#3('a', 1, -2, 2.5, -1000, true, false, null)"},
    {PL, "States.Array($, $$, $v, $$.Execution.Name, $v.x[1])",
     "States.Array#3(D|$, D|$$, D|$v, D|$$['Execution']['Name'], D|$v['x'][1])"},
    {PL, "States.StringSplit('a\\'b\\{c\\}d\\\\e', ',')", "States.StringSplit#16('a'b{c}d\\e', ',')"},
    {PL, "States.Format('\\{\\} {} \\\\ \\'', $.a)", "States.Format#0('\\{\\} {} \\\\ \\'', D|$['a'])"},
    {PL, "States.StringSplit('Hello\nWorld', '\n')", "States.StringSplit#16('Hello\\x0aWorld', '\\x0a')"},
    {PL, "States.MathAdd(States.MathAdd(States.MathAdd($y, $x), $z), $bias)",
     "States.MathAdd#15(States.MathAdd#15(States.MathAdd#15(D|$y, D|$x), D|$z), D|$bias)"},
    {PL, "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
     "States.ArrayGetItem#7(States.StringSplit#16(D|$$['StateMachine']['Name'], '-'), 0)"},
    {PL, "  States.UUID( )  ", "States.UUID#17()"},
    {PL, "States.NoSuch(1)", "States.NoSuch#?(1)"},
    {PL, "States.Array($.a[*], $..b)", "States.Array#3(I|$['a'][*], I|$..['b'])"},
    {PL, "States.Format('{}',$.a)", "States.Format#0('{}', D|$['a'])"},
    {PL, "$.a[?(@.b)]", "I|$['a'][??@['b']]"},
    {P, "$.a#b", "D|$['a#b']"},
    {E, "States.Format('x {}', $.e)", "States.Format#0('x {}', D|$['e'])"},
    {E, "$.Error", "D|$['Error']"},
    {R, "$$.Execution.Input.items", "D|$$['Execution']['Input']['items']"},
    {R, "$items[2]", "D|$items[2]"},
    {RP, "$.result.done", "D|$['result']['done']"},
    {RP, "$", "D|$"},
};

struct err_case {
    enum asl_expr_mode mode;
    const char *text;
    unsigned col;
    const char *msg;   /* substring of the message */
};

static const struct err_case err_cases[] = {
    {P, "", 1, "must start with '$'"},
    {P, "a.b", 1, "must start with '$'"},
    {P, "$.", 3, "unexpected end of input"},
    {P, "$.a.", 5, "end of input"},
    {P, "$.a b", 5, "unexpected name"},
    {P, "$[", 3, "end of input"},
    {P, "$[0", 4, "end of input"},
    {P, "$['a", 3, "unterminated string"},
    {P, "$[0,'a']", 5, "unexpected string"},
    {P, "$[1.5]", 3, "unexpected number"},
    {P, "$[::0]", 5, "slice step cannot be 0"},
    {P, "$#", 2, "unexpected character '#'"},
    {P, "$['a','b'].c", 2, "can only be the last step"},
    {P, "$[?(@.a ==)]", 11, "unexpected ')'"},
    {P, "$[?(@.a == 1]", 13, "unexpected ']'"},
    {P, "@.a", 1, "must start with '$'"},
    {P, "$.a @", 5, "unexpected '@'"},
    {P, "$.a\xc3\xa9 \xe2\x82\xac", 6, "unexpected character '\xe2\x82\xac'"},
    {P, "States.Format('x')", 1, "must start with '$'"},
    {P, "$.States.Format('x')", 16, "unexpected '('"},
    {R, "$.a[*]", 4, "reference path cannot use a wildcard"},
    {R, "$.a.*", 4, "reference path cannot use a wildcard"},
    {R, "$.a[1:2]", 4, "array slice"},
    {R, "$.a[0,1]", 4, "list of indexes"},
    {R, "$['a','b']", 2, "list of field names"},
    {R, "$.a[?(@.b)]", 4, "filter"},
    {R, "$..a", 2, "recursive descent"},
    {RP, "$$.Execution", 1, "context object"},
    {RP, "$x.y", 1, "variable"},
    {RP, "$.a[*]", 4, "wildcard"},
    {E, "$.a[*]", 4, "wildcard"},
    {PL, "", 1, "expected a path"},
    {PL, "'abc'", 1, "unexpected string"},
    {PL, "States.Format(", 15, "end of input"},
    {PL, "States.Format('{}',, $.name)", 20, "unexpected ','"},
    {PL, "States.Format('a' 'b')", 19, "unexpected string"},
    {PL, "States.Format(\"x\")", 15, "single quotes"},
    {PL, "States.StringToJson('{\"text\":\"An \\\"q\\\" here\"}')", 34, "invalid escape"},
    {PL, "States.Format('a\\nb')", 17, "invalid escape"},
    {PL, "States.Format('abc", 15, "unterminated string"},
    {PL, "States.Array(@.a)", 14, "unexpected '@'"},
    {PL, "States.Array(1) x", 17, "unexpected name"},
    {PL, "States.Array(01)", 15, "unexpected integer"},
    {PL, "Foo", 4, "end of input"},
};

static void run_ok(const struct ok_case *c)
{
    struct asl_arena a;
    struct asl_expr *e;
    struct asl_expr_error err;
    asl_arena_init(&a);
    if (asl_expr_parse(&a, c->text, strlen(c->text), c->mode, &e, &err) != 0) {
        printf("FAIL parse \"%s\": col %u: %s\n", c->text, err.col, err.msg);
        failures++;
    } else {
        struct buf b = {{0}, 0};
        dump_expr(&b, e);
        if (strcmp(b.s, c->tree) != 0) {
            printf("FAIL tree \"%s\":\n   got  %s\n   want %s\n", c->text, b.s, c->tree);
            failures++;
        }
    }
    asl_arena_free(&a);
}

static void run_err(const struct err_case *c)
{
    struct asl_arena a;
    struct asl_expr *e;
    struct asl_expr_error err;
    asl_arena_init(&a);
    if (asl_expr_parse(&a, c->text, strlen(c->text), c->mode, &e, &err) == 0) {
        printf("FAIL \"%s\" (mode %d) parsed, expected an error\n", c->text, (int)c->mode);
        failures++;
    } else if (err.col != c->col || !strstr(err.msg, c->msg)) {
        printf("FAIL \"%s\": got col %u \"%s\", want col %u \"...%s...\"\n", c->text, err.col,
               err.msg, c->col, c->msg);
        failures++;
    }
    asl_arena_free(&a);
}

/* Columns of nested expressions, for diagnostics that point at an argument;
 * text slices; NUL inside a name. */
static void test_details(void)
{
    struct asl_arena a;
    struct asl_expr *e;
    struct asl_expr_error err;
    const char *t = "States.Format('{} {}', $.a, States.ArrayLength($.b))";
    asl_arena_init(&a);
    if (asl_expr_parse(&a, t, strlen(t), PL, &e, &err) != 0 || e->nargs != 3) {
        printf("FAIL details: parse\n");
        failures++;
        asl_arena_free(&a);
        return;
    }
    if (e->col != 1 || e->args[0].col != 15 || e->args[1].col != 24 || e->args[2].col != 29
        || e->args[2].args[0].col != 48) {
        printf("FAIL details: cols %u %u %u %u %u\n", e->col, e->args[0].col, e->args[1].col,
               e->args[2].col, e->args[2].args[0].col);
        failures++;
    }
    if (strcmp(e->text, t) != 0 || strcmp(e->args[1].text, "$.a") != 0
        || strcmp(e->args[2].text, "States.ArrayLength($.b)") != 0
        || strcmp(e->args[0].text, "'{} {}'") != 0 || strcmp(e->args[1].path->text, "$.a") != 0) {
        printf("FAIL details: texts\n");
        failures++;
    }
    if (strcmp(e->name, "States.Format") != 0 || e->args[2].fn != ASL_INTR_ARRAY_LENGTH) {
        printf("FAIL details: names\n");
        failures++;
    }

    static const char nul[] = "$['a\0b'].c";
    if (asl_expr_parse(&a, nul, sizeof nul - 1, P, &e, &err) != 0 || e->path->nseg != 2
        || e->path->segs[0].name_len != 3 || memcmp(e->path->segs[0].name, "a\0b", 3) != 0) {
        printf("FAIL details: NUL in a bracketed name\n");
        failures++;
    }
    asl_arena_free(&a);
}

int main(void)
{
    for (size_t i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++)
        run_ok(&ok_cases[i]);
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++)
        run_err(&err_cases[i]);
    test_details();
    return failures ? 1 : 0;
}
