/*
 * diag.c - printing diagnostics and building JSON pointers (RFC 6901).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static void emit(struct asl_diags *d, const char *kind, const char *pointer, const char *fmt,
                 va_list ap)
{
    FILE *f = d->out ? d->out : stderr;
    fprintf(f, "%s: %s: %s", d->file, pointer && *pointer ? pointer : "/", kind);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
}

void asl_diag_error(struct asl_diags *d, const char *pointer, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(d, "", pointer, fmt, ap);
    va_end(ap);
    d->errors++;
}

void asl_diag_warning(struct asl_diags *d, const char *pointer, const char *fmt, ...)
{
    d->warnings++;
    if (d->quiet_warnings)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(d, "warning: ", pointer, fmt, ap);
    va_end(ap);
}

void asl_diag_expr(struct asl_diags *d, const char *pointer, const char *text, unsigned col,
                   const char *msg)
{
    FILE *f = d->out ? d->out : stderr;
    fprintf(f, "%s: %s: col %u: %s\n    ", d->file, pointer && *pointer ? pointer : "/", col, msg);
    /* The expression on one line, control characters shown as spaces so the
     * caret lines up. */
    for (const char *p = text; *p; p++)
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, f);
    fputs("\n    ", f);
    for (unsigned i = 1; i < col; i++)
        fputc(' ', f);
    fputs("^\n", f);
    d->errors++;
}

char *asl_ptr_join(const char *base, const char *token)
{
    size_t extra = 0;
    for (const char *p = token; *p; p++)
        extra += (*p == '~' || *p == '/');
    size_t bl = strlen(base), tl = strlen(token);
    char *out = malloc(bl + 1 + tl + extra + 1);
    if (!out)
        abort();
    memcpy(out, base, bl);
    char *w = out + bl;
    *w++ = '/';
    for (const char *p = token; *p; p++) {
        if (*p == '~') {
            *w++ = '~';
            *w++ = '0';
        } else if (*p == '/') {
            *w++ = '~';
            *w++ = '1';
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return out;
}

char *asl_ptr_index(const char *base, size_t index)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", index);
    return asl_ptr_join(base, buf);
}

char *asl_ptr_keys(const char *base, ...)
{
    va_list ap;
    va_start(ap, base);
    char *out = strdup(base);
    if (!out)
        abort();
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        char *next = asl_ptr_join(out, k);
        free(out);
        out = next;
    }
    va_end(ap);
    return out;
}

/* Levenshtein distance, case-insensitive, stopping early past limit. */
size_t asl_name_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > limit || la > 256 || lb > 256)
        return limit + 1;
    size_t row[257];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], best = row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = (a[i - 1] | 0x20) == (b[j - 1] | 0x20);
            size_t v = diag + !same;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            diag = up;
            row[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[lb];
}
