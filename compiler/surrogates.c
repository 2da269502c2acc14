/*
 * surrogates.c - the lone-surrogate pre-pass of surrogates.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "surrogates.h"

static int hex4_at(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* The definition text with every lone surrogate escape ("\ud800" without
 * its pair) rewritten as the escaped pair of U+10F800 + (cp - 0xD800), a
 * plane-16 private-use code point (new string).  AWS's Java parser keeps a
 * lone surrogate in the string; jansson refuses the file.  The JSONata
 * runtime reads that private range back as lone surrogates
 * (ASL_JN_LONE_SURROGATE in runtime/jsonata), so $encodeUrl fails with
 * D3140 as JavaScript's encodeURI does.  Pairs and other text are kept. */
char *asl_keep_lone_surrogates(const char *t, size_t n, size_t *outlen)
{
    char *o = malloc(n * 2 + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!in_str) {
            in_str = c == '"';
            o[k++] = c;
            continue;
        }
        if (c == '"') {
            in_str = 0;
            o[k++] = c;
            continue;
        }
        if (c != '\\' || i + 1 >= n) {
            o[k++] = c;
            continue;
        }
        unsigned cp, lo;
        if (t[i + 1] == 'u' && i + 6 <= n && hex4_at(t + i + 2, &cp) == 0 && cp >= 0xD800 && cp < 0xE000) {
            int paired = cp < 0xDC00 && i + 12 <= n && t[i + 6] == '\\' && t[i + 7] == 'u' &&
                         hex4_at(t + i + 8, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000;
            if (paired) {
                memcpy(o + k, t + i, 12);
                k += 12;
                i += 11;
                continue;
            }
            unsigned off = cp - 0xD800;
            k += (size_t)sprintf(o + k, "\\u%04X\\u%04X", 0xDBFEu + (off >> 10), 0xDC00u + (off & 0x3FF));
            i += 5;
            continue;
        }
        o[k++] = c;           /* any other escape: copy it and the escaped character */
        o[k++] = t[++i];
    }
    o[k] = '\0';
    *outlen = k;
    return o;
}

