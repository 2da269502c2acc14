/*
 * path.h - evaluating compiled JSONPath paths (struct asl_path) at run time:
 * selecting, explaining a miss the way AWS words it, and ResultPath's
 * copy-on-write placement.  Internal to the runtime; generated code reaches
 * these through the state and template functions.
 *
 * Semantics are Jayway JsonPath's, as AWS Step Functions uses it.
 */
#ifndef ASL_RUNTIME_PATH_H
#define ASL_RUNTIME_PATH_H

#include <jansson.h>
#include "aslrt.h"

/* Select with a compiled path from `root` (borrowed: the value the path's
 * root denotes; the caller resolves $, $$ or the variable).
 *  - Definite path: returns 1 and sets *out to the node (new reference), or
 *    returns 0 with *out = NULL when nothing is there.  A path ending in
 *    ['a','b'] yields one object holding the listed members that exist.
 *  - Indefinite path (wildcard, slice, filter, union, descent): returns 1
 *    and sets *out to an array of the matches, possibly [].
 * Returns -1 only when out of memory. */
int asl_path_select(const struct asl_path *p, json_t *root, json_t **out);

/* AWS's cause for a definite path that selected nothing, e.g.
 *   Invalid path '$.x' : No results for path: $['x']
 *   Invalid path '$.no.such' : Missing property in path $['no']
 * malloc'd; NULL when out of memory. */
char *asl_path_miss_cause(const struct asl_path *p, json_t *root);

/* ResultPath: a new value equal to `root` with `value` placed at the
 * reference path p.  Only the containers along the path are copied: root
 * and everything reachable from it are never modified (they may be shared
 * between threads).  Missing intermediate objects are created.  "$" yields
 * `value` itself.  root and value are borrowed; *out is a new reference.
 * Returns 0, or -1 with States.ResultPathMatchFailure in err when the path
 * cannot be applied (root or an intermediate is not an object, an index is
 * out of range). */
int asl_path_put(const struct asl_path *p, json_t *root, json_t *value, json_t **out,
                 struct asl_err *err);

/* The path in Jayway's bracket notation, "$['a'][0]", for the first
 * `nseg` steps; malloc'd. */
char *asl_path_bracket(const struct asl_path *p, size_t nseg);

/* A literal of a compiled expression as a JSON value (new reference). */
json_t *asl_path_val_json(const struct asl_val *v);

#endif /* ASL_RUNTIME_PATH_H */
