/*
 * cemit.c - escaping user text into generated C.
 */
#include <string.h>

#include "cemit.h"

void asl_cemit_string(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (col >= 100) {               /* long literals: split, C concatenates them */
            fputs("\"\n    \"", out);
            col = 0;
        }
        switch (c) {
        case '\\': fputs("\\\\", out); col += 2; break;
        case '"': fputs("\\\"", out); col += 2; break;
        case '?': fputs("\\?", out); col += 2; break;   /* no ??/ trigraphs */
        case '\n': fputs("\\n", out); col += 2; break;
        case '\t': fputs("\\t", out); col += 2; break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                /* Three-digit octal never swallows a following digit. */
                fprintf(out, "\\%03o", c);
                col += 4;
            } else {
                fputc(c, out);
                col++;
            }
        }
    }
    fputc('"', out);
}

void asl_cemit_cstr(FILE *out, const char *s)
{
    if (!s)
        fputs("NULL", out);
    else
        asl_cemit_string(out, s, strlen(s));
}

void asl_cemit_comment(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    char prev = 0;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (n >= max) {
            fputs("...", out);
            return;
        }
        if (c < 0x20 || c == 0x7f)
            c = ' ';
        if (prev == '*' && c == '/')    /* never close the comment */
            fputc(' ', out);
        if (prev == '/' && c == '*')    /* nor open a nested one */
            fputc(' ', out);
        if (prev == '?' && c == '?')    /* nor start a trigraph */
            fputc(' ', out);
        fputc(c, out);
        prev = (char)c;
        n++;
    }
}
