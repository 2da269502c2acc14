/*
 * maps.h - the compiler's two hash tables: text -> value (the emitter's
 * "each distinct table once" bookkeeping) and node -> value (what the
 * checker parsed, by the JSON node it parsed).  Open addressing, linear
 * probing, doubling at half full: lookups and inserts are O(1) expected.
 * Nothing here knows about ASL.
 */
#ifndef ASLC_MAPS_H
#define ASLC_MAPS_H

#include <stddef.h>

/* NUL-terminated text -> pointer.  Keys are copied (the map owns them);
 * values are the caller's. */
struct asl_strmap {
    size_t cap, n;
    struct asl_strmap_slot *slots;
};

/* The value stored under key, or NULL. */
void *asl_strmap_get(const struct asl_strmap *m, const char *key);
/* Store val under key (replacing any value there).  val is not NULL. */
void asl_strmap_put(struct asl_strmap *m, const char *key, void *val);
/* Free the keys and the table; free_val (may be NULL) is called on every value. */
void asl_strmap_free(struct asl_strmap *m, void (*free_val)(void *));

/* Address -> pointer.  Neither keys nor values are owned. */
struct asl_ptrmap {
    size_t cap, n;
    struct asl_ptrmap_slot *slots;
};

void *asl_ptrmap_get(const struct asl_ptrmap *m, const void *key);
void asl_ptrmap_put(struct asl_ptrmap *m, const void *key, void *val);
/* Calls each_val (may be NULL) on every value, then frees the table. */
void asl_ptrmap_free(struct asl_ptrmap *m, void (*each_val)(void *));

#endif
