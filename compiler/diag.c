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
