/*
 * base/timestamp.h - the clock as AWS writes it (timestamp.c).  Parsing
 * ISO 8601 timestamps (asl_ts_parse) is in aslrt.h: generated code and the
 * compiler use it too.
 */
#ifndef ASL_BASE_TIMESTAMP_H
#define ASL_BASE_TIMESTAMP_H

#include <stddef.h>

/* Current time, ISO 8601 UTC with milliseconds. */
void asl_ts_now_iso(char *buf, size_t n);

#endif
