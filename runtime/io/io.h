/*
 * io/io.h - input and output processing of one state (io.c): expressions,
 * paths against their roots ($, $$, $var), payload templates, the
 * InputPath/Parameters/ResultSelector/ResultPath/OutputPath chain and the
 * variables of Assign.
 *
 * Ownership: json_t * results (*out) are new references; `in` and `raw`
 * arguments are borrowed; char * results are malloc'd (the caller frees).
 */
#ifndef ASL_IO_IO_H
#define ASL_IO_IO_H

#include "run/run.h"

/* Evaluate an expression ("key.$" value, ErrorPath, intrinsic argument).
 * Returns 1 with *out set, 0 when a path selected nothing (nothing set),
 * -1 on error (run->err). */
int asl_io_expr_eval(struct asl_run *run, const struct asl_expr *e, json_t *in, json_t **out);
/* Select a path against the right root: $ = in, $$ = context, $x = variable.
 * Returns 1 / 0 (nothing selected) / -1 (run->err, e.g. undefined variable). */
int asl_io_select(struct asl_run *run, const struct asl_path *p, json_t *in, json_t **out);
/* The JSON text of the root a path is applied to, for "could not be found
 * in the input '...'" messages; malloc'd. */
char *asl_io_root_text(struct asl_run *run, const struct asl_path *p, json_t *in);
/* The same, where selecting nothing is AWS's States.Runtime "Invalid
 * path ..." failure: 0 with *out, or -1 with run->err. */
int asl_io_select_required(struct asl_run *run, const struct asl_path *p, json_t *in, json_t **out);
/* AWS's "Invalid path ..." cause for a path that selected nothing,
 * against the root the path names; malloc'd. */
char *asl_io_miss_text(struct asl_run *run, const struct asl_path *p, json_t *in);
/* Build a payload template against `in` (borrowed); *out new reference. */
int asl_io_tpl_eval(struct asl_run *run, const struct asl_tpl *t, json_t *in, json_t **out);
/* InputPath: raw input -> *out.  OutputPath likewise. */
int asl_io_input(struct asl_run *run, const struct asl_io *io, json_t *raw, json_t **out);
int asl_io_output(struct asl_run *run, const struct asl_io *io, json_t *val, json_t **out);
/* ResultPath: place result into raw input. */
int asl_io_result(struct asl_run *run, const struct asl_io *io, json_t *raw, json_t *result, json_t **out);
/* Parameters (if any) applied to the effective input. */
int asl_io_parameters(struct asl_run *run, const struct asl_io *io, json_t *in, json_t **out);
/* ResultSelector (if any). */
int asl_io_selector(struct asl_run *run, const struct asl_io *io, json_t *result, json_t **out);
/* Assign in two steps, as AWS orders it: evaluate every right-hand side
 * against `in` with the values from state entry (*pending, new reference
 * or NULL), then, once the state's output exists, store them. */
int asl_vars_eval(struct asl_run *run, const struct asl_tpl *assign, json_t *in, json_t **pending);
int asl_vars_commit(struct asl_run *run, json_t *pending);
/* Both at once. */
int asl_vars_assign(struct asl_run *run, const struct asl_tpl *assign, json_t *in);


/* A literal from the program's table (borrowed). */
json_t *asl_io_lit(const struct asl_run *run, int idx);

#endif
