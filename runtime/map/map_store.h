/*
 * map_store.h - the object store behind a distributed Map: the S3 buckets a
 * definition names (ItemReader, ResultWriter), each bound to a local folder
 * at run time, so the definition itself stays deployable to AWS.
 *
 *   binary --bucket NAME=DIR          (repeatable; wins)
 *   ASLC_BUCKET_<NAME>=DIR            NAME upper-cased, other than [A-Z0-9] -> '_'
 *
 * A bucket bound to no folder is real S3 when the program was compiled
 * with the S3 client (asl_program.s3; not under --mock-config unless
 * ASLC_MOCK_NETWORK=1).
 *
 * An object key is a path below DIR; keys with "." or ".." segments or a
 * leading '/' are refused, so a key cannot leave its folder.  Every error
 * names `ename` (States.ItemReaderFailed or States.ResultWriterFailed).
 */
#ifndef ASL_MAP_STORE_H
#define ASL_MAP_STORE_H

#include <stdio.h>

#include "run/run.h"

/* Open object `key` for reading, or NULL with err set. */
FILE *asl_map_store_get(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                    struct asl_err *err);

/* The keys below `prefix` in S3's order (byte order), as a JSON array of
 * strings (new reference), or NULL with err set.  From real S3 the
 * array holds the objects' summaries (as asl_map_store_summary gives
 * them), which the listing itself carries. */
json_t *asl_map_store_list(const struct asl_exec *ex, const char *bucket, const char *prefix,
                       const char *ename, struct asl_err *err);

/* An S3 object summary {Key, Size, ETag, LastModified, StorageClass} for a
 * listed key (new reference), or NULL with err set (the object vanished). */
json_t *asl_map_store_summary(const struct asl_exec *ex, const char *bucket, const char *key,
                          const char *ename, struct asl_err *err);

/* Create (or replace) object `key` for writing; its folders are made.
 * NULL with err set. */
FILE *asl_map_store_put(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                    struct asl_err *err);

/* 1 when `bucket` is real S3 (bound to no folder, the S3 client there). */
int asl_map_store_is_s3(const struct asl_exec *ex, const char *bucket);

/* Why closing a stream of asl_map_store_put failed (after fclose() gave
 * EOF): S3's error for real S3, else the system's. */
const char *asl_map_store_put_error(const struct asl_exec *ex, const char *bucket);

/* Bucket bindings (--bucket NAME=DIR). */
/* Add --bucket NAME=DIR specs; 0, or -1 with a message on stderr. */
int asl_map_store_buckets_parse(struct asl_exec *ex, const char *const *specs, size_t n);
void asl_map_store_buckets_free(struct asl_exec *ex);

#endif
