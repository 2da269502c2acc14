/*
 * base/text.h - JSON values as text, the way AWS Step Functions writes them.
 *
 * AWS runs on the JVM (Jackson), so the texts follow Java:
 *   - numbers: integers in decimal; reals as Java's Double.toString
 *     (shortest round-trip digits, "1.1", "100.0", "1.0E20", "1.0E-5");
 *   - compact JSON (States.JsonToString): no spaces, keys in input order,
 *     Jackson's string escapes (\" \\ \b \f \n \r \t, other controls \u00XX);
 *   - "Java text" (States.Format arguments): strings unquoted, objects as
 *     {k=v, k2=[a, b]} (Java Map/List toString), null/true/false as words.
 *
 * Also here, for the whole runtime: a growable byte buffer and JSON deep
 * equality with numbers compared by value (1 == 1.0).
 */
#ifndef ASL_BASE_TEXT_H
#define ASL_BASE_TEXT_H

#include <stddef.h>
#include <jansson.h>

/* A growable byte buffer.  After an allocation failure `oom` is set and
 * further appends are ignored; check it once at the end. */
struct asl_buf {
    char *p;        /* NUL-terminated when non-NULL */
    size_t len, cap;
    int oom;
};

void asl_buf_init(struct asl_buf *b);
void asl_buf_free(struct asl_buf *b);
void asl_buf_add(struct asl_buf *b, const char *s, size_t n);
void asl_buf_adds(struct asl_buf *b, const char *s);
void asl_buf_addc(struct asl_buf *b, char c);

/* Java's Double.toString(d) into buf (at least 32 bytes); returns the length. */
size_t asl_text_double(double d, char *buf, size_t sz);
/* A JSON number (integer or real) as AWS prints it; returns the length. */
size_t asl_text_number(const json_t *num, char *buf, size_t sz);

/* Append v as compact JSON text (States.JsonToString). */
void asl_text_json(struct asl_buf *b, const json_t *v);
/* Append v as States.Format renders an argument. */
void asl_text_java(struct asl_buf *b, const json_t *v);

/* Compact JSON text of v, malloc'ed (free()), length in *len (may be NULL);
 * NULL when out of memory. */
char *asl_text_json_dup(const json_t *v, size_t *len);

/* Deep equality: objects by key set, arrays in order, strings by bytes,
 * numbers by value (integer 1 equals real 1.0).  1 when equal, else 0. */
int asl_json_equal(const json_t *a, const json_t *b);

/* Java's Math.round on a double: floor(x + 0.5), saturated to the
 * long long range.  Used wherever AWS rounds a number to an integer. */
long long asl_text_java_round(double x);

#endif /* ASL_BASE_TEXT_H */
