/*
 * emit.h - machine model -> C source for one workflow binary.
 */
#ifndef ASLC_EMIT_H
#define ASLC_EMIT_H

#include <stdio.h>

#include "model.h"

/* What the generated program needs at link time. */
struct asl_link_needs {
    int crypto;     /* OpenSSL libcrypto (States.Hash, Base64) */
    int curl;       /* libcurl (HTTP, Lambda) */
    int pcre2;      /* PCRE2 (JSONata regexes) */
    int jsonata;    /* the JSONata evaluator (and with it PCRE2 and libcrypto) */
    int expat;      /* expat (AWS XML responses) */
    int codecs;     /* zlib and libzstd (an ItemReader's .gz / .zstd objects) */
};

struct asl_emit_opts {
    const char *source_name;    /* shown in the banner and --version: the file's base name */
    const char *definition;     /* the definition text, embedded verbatim */
    size_t definition_len;
    size_t nbindings;           /* aslc build --bind RESOURCE=PROGRAM, compiled in */
    const char *const *bindings;
};

/* Write the C program for a checked model.  Same model, same bytes. */
int asl_emit(FILE *out, struct asl_model *m, const struct asl_emit_opts *o, struct asl_link_needs *needs);

#endif
