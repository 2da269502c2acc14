/*
 * map_reader.h - where a Map's items come from, one at a time.
 *
 * A source hands out items lazily (next), so a Map over a million-line
 * file holds only the items in flight.  Sources: an in-memory array (the
 * state input's ItemsPath), a JSON object's members, and the ItemReader
 * formats (JSON, JSON Lines, CSV, an object listing) over the object store of map_store.h.
 * A new source (real S3, another format) is one more struct with next and
 * close.
 */
#ifndef ASL_MAP_READER_H
#define ASL_MAP_READER_H

#include "run/run.h"

struct asl_items {
    /* 1 with *item (new reference), 0 at the end, -1 with err set. */
    int (*next)(struct asl_items *s, json_t **item, struct asl_err *err);
    void (*close)(struct asl_items *s);
    long long total;            /* the item count when known up front, else -1 */
    long long limit;            /* MaxItems: hand out at most this many, 0: all */
    long long given;            /* items handed out so far */
    int pairs;                  /* the items are {"Key", "Value"} pairs of a JSON object */
    /* $$.Map.Item.Source of the item `next` last handed out (owned; read it
     * before the next call): "STATE_DATA" for the state's input,
     * "S3://bucket" for a listing without Transformation, else
     * "S3://bucket/key" of the object the item was read from (AWS's
     * context-object page). */
    json_t *source;
};

/* The next item under the source's MaxItems limit; as next. */
int asl_map_reader_next(struct asl_items *s, json_t **item, struct asl_err *err);
void asl_map_reader_close(struct asl_items *s);

/* The items of an array (steals arr). */
struct asl_items *asl_map_reader_array_new(json_t *arr);

/* The items of a value (steals v): an array's elements, or a JSON
 * object's members as {"Key": name, "Value": value} pairs in the object's
 * order (AWS's Map over a JSON object; the source's `pairs` is set).
 * 1 with *out, 0 when v is neither (v released), -1 out of memory. */
int asl_map_reader_value_new(json_t *v, struct asl_items **out);

/* The source m's ItemReader names, its Parameters and MaxItems(Path)
 * evaluated against the Map's effective input eff (borrowed).  0 with
 * *out, or -1 with run->err set. */
int asl_map_reader_open(struct asl_run *run, const struct asl_map *m, json_t *eff,
                          struct asl_items **out);

/* An ItemReader's Parameters or a ResultWriter's (t, may be NULL: *out is
 * NULL) evaluated against eff: a payload template in a JSONPath Map, a
 * JSONata template (Arguments, with $states.input = eff) in a JSONata one.
 * 0, or -1 with run->err set. */
int asl_map_params_eval(struct asl_run *run, const struct asl_map *m, const struct asl_tpl *t,
                        json_t *eff, json_t **out);

/* A *Path field resolved to a number (an integer when want_int),
 * with AWS's "The <field> field refers to value ..." error. */
int asl_map_path_number(struct asl_run *run, const struct asl_path *p, json_t *eff, const char *field,
                        int want_int, double *out);

/* A JSONata field ({% %}) evaluated against eff to a number (an
 * integer when want_int), with AWS's type error. */
int asl_map_jn_number(struct asl_run *run, const struct asl_tpl *t, json_t *eff, int want_int, double *out);

#endif
