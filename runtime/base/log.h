/*
 * base/log.h - the log's format and the execution's start and end lines
 * (asl_log itself is in aslrt.h: generated code calls it).
 *
 * Every log line is one line: control characters in a message (a
 * multi-line Cause) are written as \n, \r, \t or \xNN in text, and escaped
 * by JSON in json format.  When stderr is the systemd journal
 * ($JOURNAL_STREAM names stderr's device and inode), each line starts with
 * its syslog priority (<3> error, <4> warn, <6> info, <7> debug).
 */
#ifndef ASL_BASE_LOG_H
#define ASL_BASE_LOG_H

#include "aslrt.h"

enum asl_log_format { ASL_LOG_TEXT, ASL_LOG_JSON };

/* Before any thread starts; also decides whether stderr is the journal. */
void asl_log_set_format(enum asl_log_format f);
/* Parses "text" / "json"; -1 for anything else. */
int asl_log_format_parse(const char *s, enum asl_log_format *f);

/* "Execution started" at info, and its end: SUCCEEDED at info, any other
 * status at error with the error and cause.  seconds < 0 for the start. */
void asl_log_execution(const char *machine, const char *name, const char *status, double seconds,
                       const char *error, const char *cause);

/* A line at lvl whatever --log-level says (--progress asked for it). */
void asl_log_always(enum asl_log_level lvl, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
