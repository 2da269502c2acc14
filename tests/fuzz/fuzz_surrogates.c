/*
 * fuzz_surrogates.c - libFuzzer harness for the definition loader's
 * lone-surrogate pre-pass (compiler/surrogates.c), which rewrites raw
 * bytes before jansson parses them.  Besides memory safety it checks,
 * with a scanner written independently here:
 *
 *   1. the output is NUL-terminated and at most twice the input;
 *   2. text jansson already accepts comes back byte for byte;
 *   3. the pass is idempotent;
 *   4. no lone surrogate escape is left inside a string;
 *   5. undoing the rewrite (the private pairs back to lone escapes) gives
 *      the input again, up to the case of \u hex digits, whenever the
 *      input held no escape in the private range the rewrite uses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "surrogates.h"

/* The value of the 4 hex digits at s, or -1. */
static long hex4(const char *s, size_t avail)
{
    if (avail < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Walks the \u escapes inside strings: calls f for each with its code
 * unit, position and a cookie.  Outside strings nothing is an escape. */
typedef int (*escape_fn)(const char *t, size_t n, size_t at, long unit, void *cookie);

static int each_escape(const char *t, size_t n, escape_fn f, void *cookie)
{
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in_str) {
            in_str = t[i] == '"';
            continue;
        }
        if (t[i] == '"') {
            in_str = 0;
        } else if (t[i] == '\\' && i + 1 < n) {
            if (t[i + 1] == 'u') {
                long u = hex4(t + i + 2, n - i - 2);
                if (u >= 0 && f(t, n, i, u, cookie) != 0)
                    return -1;
            }
            i++;            /* the escaped character */
        }
    }
    return 0;
}

/* 4: a high surrogate escape is followed by a low one, a low one is
 * preceded by a high one. */
static int check_paired(const char *t, size_t n, size_t at, long u, void *cookie)
{
    long *prev_high_end = cookie;   /* where the last high surrogate escape ended */
    if (u >= 0xD800 && u < 0xDC00) {
        long lo = at + 12 <= n && t[at + 6] == '\\' && t[at + 7] == 'u' ? hex4(t + at + 8, n - at - 8) : -1;
        if (lo < 0xDC00 || lo >= 0xE000)
            return -1;
        *prev_high_end = (long)at + 6;
    } else if (u >= 0xDC00 && u < 0xE000) {
        if (*prev_high_end != (long)at)
            return -1;
    }
    return 0;
}

/* Is there an escape of the private pairs' high half (U+DBFE, U+DBFF)? */
static int find_private(const char *t, size_t n, size_t at, long u, void *cookie)
{
    (void)t, (void)n, (void)at, (void)cookie;
    return u == 0xDBFE || u == 0xDBFF ? -1 : 0;
}

/* 5: the private pairs back to lone escapes, every \u escape's digits in
 * lower case.  New string. */
static char *undo(const char *t, size_t n, size_t *outlen)
{
    char *o = malloc(n + 1);
    if (!o)
        abort();
    size_t k = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!in_str || c != '\\' || i + 1 >= n) {
            if (!in_str)
                in_str = c == '"';
            else if (c == '"')
                in_str = 0;
            o[k++] = c;
            continue;
        }
        long hi = t[i + 1] == 'u' ? hex4(t + i + 2, n - i - 2) : -1;
        if (hi == 0xDBFE || hi == 0xDBFF) {
            long lo = i + 12 <= n && t[i + 6] == '\\' && t[i + 7] == 'u' ? hex4(t + i + 8, n - i - 8) : -1;
            if (lo >= 0xDC00 && lo < 0xE000) {
                k += (size_t)sprintf(o + k, "\\u%04lx", 0xD800 + ((hi - 0xDBFE) << 10) + (lo - 0xDC00));
                i += 11;
                continue;
            }
        }
        if (hi >= 0) {
            k += (size_t)sprintf(o + k, "\\u%04lx", hi);
            i += 5;
            continue;
        }
        o[k++] = c;
        o[k++] = t[++i];
    }
    o[k] = '\0';
    *outlen = k;
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t len;
    char *out = asl_keep_lone_surrogates(in, size, &len);
    if (!out)
        return 0;
    if (len > 2 * size || out[len] != '\0')
        abort();
    json_error_t jerr;
    json_t *doc = json_loadb(in, size, JSON_DECODE_ANY, &jerr);
    if (doc && (len != size || memcmp(in, out, size) != 0))
        abort();
    json_decref(doc);
    size_t len2;
    char *again = asl_keep_lone_surrogates(out, len, &len2);
    if (!again || len2 != len || memcmp(again, out, len) != 0)
        abort();
    free(again);
    long prev = -1;
    if (each_escape(out, len, check_paired, &prev) != 0)
        abort();
    if (each_escape(in, size, find_private, NULL) == 0) {
        size_t ul, il;
        char *u = undo(out, len, &ul), *ref = undo(in, size, &il);
        if (ul != il || memcmp(u, ref, ul) != 0)
            abort();
        free(u);
        free(ref);
    }
    free(out);
    return 0;
}
