/*
 * jsonata.y - the JSONata grammar (2.0.6 syntax).  Builds raw nodes;
 * jsonata_ast.c rewrites paths, predicates, bindings and groups into the
 * final tree and performs the static checks.  Binding powers follow the
 * JSONata operator table: := < ?: .. < or < and < comparisons, in, ~>
 * < + - & < * / % < unary - < {} < . < [ ] ( ) @ # ^.
 */
%define api.pure full
%define api.prefix {asl_jn_yy}
%define parse.error custom
%locations
%expect 0
%parse-param {void *scanner} {struct asl_jn_pctx *p}
%lex-param {void *scanner}

%code requires {
#include "jsonata_parse.h"
}

%code {
#include <stdlib.h>
#include <string.h>
#include "jsonata.lex.h"

static void asl_jn_yyerror(ASL_JN_YYLTYPE *loc, void *scanner, struct asl_jn_pctx *p, const char *msg)
{
    (void)scanner;
    asl_jn_fail(p, "S0201", loc->first_column, "%s", msg);
}
#define MK(t, pos) asl_jn_mk(p, (t), (pos))
#define MK2(t, op, pos, a, b) asl_jn_mk2(p, (t), (op), (pos), (a), (b))
#define NOMEM(x) do { if (!(x)) YYABORT; } while (0)
}

%union {
    struct asl_jn_node *n;
}

%token <n> NUMBER "number" STRING "string" NAME "name" VAR "variable" REGEX "regex" SIG "signature"
%token <n> AND "and" OR "or" IN "in"
%token TRUE_ "true" FALSE_ "false" NULL_ "null" FUNCTION "function"
%token RANGE ".." ASSIGN ":=" NE "!=" LE "<=" GE ">=" CHAIN "~>" DESC "**"
%token ERROR "invalid token"

%type <n> expr primary block items itemlist pairs objbody args arglist arg params paramlist
%type <n> sortterms sortterm lambda opt_sig

%right ASSIGN
%right '?' ':'
%nonassoc RANGE
%left OR
%left AND
%left '=' NE '<' LE '>' GE IN CHAIN
%left '+' '-' '&'
%left '*' '/' '%'
%precedence UMINUS
%precedence '{'
%left '.'
%left '[' '(' '@' '#' '^'

%%

top: expr { p->root = $1; }
   ;

expr: expr ASSIGN expr        { $$ = MK2(ASL_JN_BIND, 0, @2.first_column, $1, $3); NOMEM($$); }
    | expr '?' expr ':' expr  { $$ = MK2(ASL_JN_COND, 0, @2.first_column, $1, $3); NOMEM($$); asl_jn_push(p, $$, $5); }
    | expr '?' expr           { $$ = MK2(ASL_JN_COND, 0, @2.first_column, $1, $3); NOMEM($$); }
    | expr RANGE expr         { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_RANGE, @2.first_column, $1, $3); NOMEM($$); }
    | expr OR expr            { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_OR, @2.first_column, $1, $3); NOMEM($$); }
    | expr AND expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_AND, @2.first_column, $1, $3); NOMEM($$); }
    | expr '=' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_EQ, @2.first_column, $1, $3); NOMEM($$); }
    | expr NE expr            { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_NE, @2.first_column, $1, $3); NOMEM($$); }
    | expr '<' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_LT, @2.first_column, $1, $3); NOMEM($$); }
    | expr LE expr            { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_LE, @2.first_column, $1, $3); NOMEM($$); }
    | expr '>' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_GT, @2.first_column, $1, $3); NOMEM($$); }
    | expr GE expr            { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_GE, @2.first_column, $1, $3); NOMEM($$); }
    | expr IN expr            { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_IN, @2.first_column, $1, $3); NOMEM($$); }
    | expr CHAIN expr         { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_CHAIN, @2.first_column, $1, $3); NOMEM($$); }
    | expr '+' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_ADD, @2.first_column, $1, $3); NOMEM($$); }
    | expr '-' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_SUB, @2.first_column, $1, $3); NOMEM($$); }
    | expr '&' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_CONCAT, @2.first_column, $1, $3); NOMEM($$); }
    | expr '*' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_MUL, @2.first_column, $1, $3); NOMEM($$); }
    | expr '/' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_DIV, @2.first_column, $1, $3); NOMEM($$); }
    | expr '%' expr           { $$ = MK2(ASL_JN_BINARY, ASL_JN_OP_MOD, @2.first_column, $1, $3); NOMEM($$); }
    | '-' expr %prec UMINUS   { $$ = MK2(ASL_JN_NEG, 0, @1.first_column, $2, NULL); NOMEM($$); }
    | expr '.' expr           { $$ = MK2(JN_R_DOT, 0, @2.first_column, $1, $3); NOMEM($$); }
    | expr '[' ']'            { $$ = MK2(JN_R_PRED, 0, @2.first_column, $1, NULL); NOMEM($$); }
    | expr '[' expr ']'       { $$ = MK2(JN_R_PRED, 0, @2.first_column, $1, $3); NOMEM($$); }
    | expr '{' objbody '}'    { $$ = MK2(JN_R_GROUP, 0, @2.first_column, $1, $3); NOMEM($$); }
    | expr '(' args ')'       { $$ = $3; $$->pos = @2.first_column;
                                $$->kids = NULL; asl_jn_push(p, $$, $1);
                                for (size_t i = 0; i < $3->nstages; i++) asl_jn_push(p, $$, (struct asl_jn_node *)$3->stages[i]);
                                free((void *)$3->stages); $3->stages = NULL; $3->nstages = 0; }
    | expr '@' expr           { $$ = MK2(JN_R_FOCUS, 0, @2.first_column, $1, $3); NOMEM($$); }
    | expr '#' expr           { $$ = MK2(JN_R_IDX, 0, @2.first_column, $1, $3); NOMEM($$); }
    | expr '^' '(' sortterms ')' { $$ = $4; $$->type = JN_R_SORT; $$->pos = @2.first_column;
                                struct asl_jn_node *t = MK(0, 0); NOMEM(t);
                                asl_jn_push(p, t, $1);
                                for (size_t i = 0; i < $4->nkids; i++) asl_jn_push(p, t, (struct asl_jn_node *)$4->kids[i]);
                                free((void *)$4->kids); $4->kids = t->kids; $4->nkids = t->nkids; t->kids = NULL; t->nkids = 0; }
    | primary
    ;

primary: NUMBER | STRING | NAME | VAR | REGEX
    | AND | OR | IN
    | TRUE_                   { $$ = MK(ASL_JN_TRUE, @1.first_column); NOMEM($$); }
    | FALSE_                  { $$ = MK(ASL_JN_FALSE, @1.first_column); NOMEM($$); }
    | NULL_                   { $$ = MK(ASL_JN_NULL, @1.first_column); NOMEM($$); }
    | '*'                     { $$ = MK(ASL_JN_WILD, @1.first_column); NOMEM($$); }
    | DESC                    { $$ = MK(ASL_JN_DESC, @1.first_column); NOMEM($$); }
    | '%'                     { $$ = MK(ASL_JN_PARENT, @1.first_column); NOMEM($$); }
    | '(' block ')'           { $$ = $2; $$->pos = @1.first_column; }
    | '[' items ']'           { $$ = $2; $$->pos = @1.first_column; }
    | '{' objbody '}'         { $$ = $2; $$->pos = @1.first_column; }
    | lambda
    | '|' expr '|' expr '|'   { $$ = MK2(ASL_JN_TRANSFORM, 0, @1.first_column, $2, $4); NOMEM($$); }
    | '|' expr '|' expr ',' expr '|' { $$ = MK2(ASL_JN_TRANSFORM, 0, @1.first_column, $2, $4); NOMEM($$); asl_jn_push(p, $$, $6); }
    ;

lambda: FUNCTION '(' params ')' opt_sig '{' expr '}'
                              { $$ = $3; $$->pos = @1.first_column;
                                struct asl_jn_node *t = MK(0, 0); NOMEM(t);
                                asl_jn_push(p, t, $7);
                                for (size_t i = 0; i < $3->nkids; i++) asl_jn_push(p, t, (struct asl_jn_node *)$3->kids[i]);
                                free((void *)$3->kids); $3->kids = t->kids; $3->nkids = t->nkids; t->kids = NULL; t->nkids = 0;
                                if ($5) { $$->str = $5->str; $$->len = $5->len; } }
    ;
opt_sig: %empty { $$ = NULL; } | SIG ;

params: %empty                { $$ = MK(ASL_JN_LAMBDA, 0); NOMEM($$); }
      | paramlist ;
paramlist: expr               { $$ = MK(ASL_JN_LAMBDA, 0); NOMEM($$); asl_jn_push(p, $$, $1); }
      | paramlist ',' expr    { $$ = $1; asl_jn_push(p, $$, $3); }
      ;

block: %empty                 { $$ = MK(ASL_JN_BLOCK, 0); NOMEM($$); }
     | expr                   { $$ = MK(ASL_JN_BLOCK, 0); NOMEM($$); asl_jn_push(p, $$, $1); }
     | block ';'              { $$ = $1; }
     | block ';' expr         { $$ = $1; asl_jn_push(p, $$, $3); }
     ;

items: %empty                 { $$ = MK(ASL_JN_ARRAY, 0); NOMEM($$); }
     | itemlist ;
itemlist: expr                { $$ = MK(ASL_JN_ARRAY, 0); NOMEM($$); asl_jn_push(p, $$, $1); }
     | itemlist ',' expr      { $$ = $1; asl_jn_push(p, $$, $3); }
     ;

objbody: %empty               { $$ = MK(ASL_JN_OBJECT, 0); NOMEM($$); }
     | pairs ;
pairs: expr ':' expr          { $$ = MK(ASL_JN_OBJECT, 0); NOMEM($$); asl_jn_push(p, $$, $1); asl_jn_push(p, $$, $3); }
     | pairs ',' expr ':' expr { $$ = $1; asl_jn_push(p, $$, $3); asl_jn_push(p, $$, $5); }
     ;

/* Arguments are collected in `stages` of a CALL node, then moved to kids. */
args: %empty                  { $$ = MK(ASL_JN_CALL, 0); NOMEM($$); }
    | arglist ;
arglist: arg                  { $$ = MK(ASL_JN_CALL, 0); NOMEM($$); struct asl_jn_node *t = MK(0, 0); NOMEM(t);
                                asl_jn_push(p, t, $1); $$->stages = t->kids; $$->nstages = 1; t->kids = NULL; t->nkids = 0;
                                if ($1->type == ASL_JN_PLACEHOLDER) $$->op = 1; }
    | arglist ',' arg         { $$ = $1; struct asl_jn_node *t = MK(0, 0); NOMEM(t);
                                t->kids = $$->stages; t->nkids = $$->nstages; asl_jn_push(p, t, $3);
                                $$->stages = t->kids; $$->nstages = t->nkids; t->kids = NULL; t->nkids = 0;
                                if ($3->type == ASL_JN_PLACEHOLDER) $$->op = 1; }
    ;
arg: expr
   | '?'                      { $$ = MK(ASL_JN_PLACEHOLDER, @1.first_column); NOMEM($$); }
   ;

sortterms: sortterm           { $$ = MK(ASL_JN_SORT, 0); NOMEM($$); asl_jn_push(p, $$, $1); }
    | sortterms ',' sortterm  { $$ = $1; asl_jn_push(p, $$, $3); }
    ;
sortterm: expr                { $$ = MK2(ASL_JN_SORTTERM, 0, $1->pos, $1, NULL); NOMEM($$); }
    | '<' expr                { $$ = MK2(ASL_JN_SORTTERM, 0, @1.first_column, $2, NULL); NOMEM($$); }
    | '>' expr                { $$ = MK2(ASL_JN_SORTTERM, 1, @1.first_column, $2, NULL); NOMEM($$); }
    ;

%%

/* Map bison's view of the failure onto JSONata's codes: an operand missing
 * (S0211, or S0207 at the end), a closing token missing (S0203 at the end,
 * S0202 inside brackets), or trailing text (S0201). */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct asl_jn_pctx *p)
{
    (void)scanner;
    if (p->failed)
        return 0;
    yysymbol_kind_t tok = yypcontext_token(ctx);
    int col = yypcontext_location(ctx)->first_column;
    yysymbol_kind_t exp[64];
    int n = yypcontext_expected_tokens(ctx, exp, 64);
    int want_operand = 0;
    for (int i = 0; i < n; i++)
        if (exp[i] == YYSYMBOL_NUMBER)
            want_operand = 1;
    const char *tname = yysymbol_name(tok);
    if (tok == YYSYMBOL_YYEOF) {
        col = (int)p->len + 1;
        if (want_operand)
            asl_jn_fail(p, "S0207", col, "Unexpected end of expression");
        else
            asl_jn_fail(p, "S0203", col, "Expected %s before end of expression",
                        n > 0 ? yysymbol_name(exp[0]) : "token");
    } else if (want_operand) {
        asl_jn_fail(p, "S0211", col, "The symbol %s cannot be used as a unary operator", tname);
    } else if (p->depth > 0 || tok == YYSYMBOL_YYUNDEF || strcmp(tname, "')'") == 0 || strcmp(tname, "']'") == 0 || strcmp(tname, "'}'") == 0) {
        asl_jn_fail(p, "S0202", col, "Expected %s, got %s", n > 0 ? yysymbol_name(exp[0]) : "token", tname);
    } else {
        asl_jn_fail(p, "S0201", col, "Syntax error: %s", tname);
    }
    return 0;
}
