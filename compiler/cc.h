/*
 * cc.h - turning generated C into a binary with the system C compiler.
 */
#ifndef ASLC_CC_H
#define ASLC_CC_H

#include "emit.h"

struct asl_cc_opts {
    const char *cc;         /* --cc, else $CC, else "cc" */
    const char *opt_level;  /* -O level: "0", "1", "2", "3", "s" */
    int verbose;
};

/* Compile c_file and link it with the runtime into out_binary.  Runs the
 * compiler directly (argv, never a shell).  Returns 0 on success. */
int asl_cc_build(const char *c_file, const char *out_binary, const struct asl_link_needs *needs,
                 const struct asl_cc_opts *o);

#endif
