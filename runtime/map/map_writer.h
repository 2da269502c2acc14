/*
 * map_writer.h - a distributed Map's ResultWriter: child results streamed
 * to the object store in AWS's layout, as they finish.
 *
 *   <Prefix>/<MapRunId>/SUCCEEDED_0.json   [record, ...] of succeeded children
 *   <Prefix>/<MapRunId>/FAILED_0.json      ... of failed ones (with Error, Cause)
 *   <Prefix>/<MapRunId>/manifest.json      {DestinationBucket, MapRunArn,
 *                                            ResultFiles {FAILED, PENDING, SUCCEEDED: [{Key, Size}]}}
 *
 * and the Map's result becomes {MapRunArn, ResultWriterDetails {Bucket, Key}}.
 * A file is closed and the next (_1, _2 ...) begun past ASL_RW_FILE_MAX bytes.
 */
#ifndef ASL_MAP_WRITER_H
#define ASL_MAP_WRITER_H

#include "run/run.h"

#define ASL_RW_FILE_MAX (5LL * 1024 * 1024 * 1024)

/* One finished child execution, for its record. */
struct asl_map_child {
    const char *map_run_arn;
    size_t index;
    json_t *input;              /* borrowed */
    json_t *output;             /* borrowed; NULL when failed */
    const struct asl_err *err;  /* when failed */
    const char *start, *stop;   /* ISO 8601 */
};

/* The record AWS's result files hold for a child: ExecutionArn, Input and
 * Output as JSON text, Name, Status, StartDate, StopDate, ... (new reference). */
json_t *asl_map_writer_record(const struct asl_exec *ex, const struct asl_map_child *c);

/* "arn:aws:states:R:A:mapRun:<machine>/<label>:<id>" (malloc'd) and its id. */
char *asl_map_writer_run_arn(const struct asl_exec *ex, const char *label, char *id, size_t idlen);

struct asl_map_writer;

/* Start writing m's ResultWriter: its Parameters (JSONata: Arguments)
 * evaluated against eff; 0 or -1 with run->err (States.ResultWriterFailed). */
int asl_map_writer_open(struct asl_run *run, const struct asl_map *m, json_t *eff,
                        const char *map_run_arn, const char *map_run_id, struct asl_map_writer **out);
/* Write one child's record; thread-safe.  0, or -1 with err set. */
int asl_map_writer_put(struct asl_map_writer *w, const struct asl_map_child *c, struct asl_err *err);
/* Finish the files and write manifest.json; *result is the Map's result
 * (new reference).  0, or -1 with err set. */
int asl_map_writer_close(struct asl_map_writer *w, json_t **result, struct asl_err *err);
void asl_map_writer_free(struct asl_map_writer *w);

#endif
