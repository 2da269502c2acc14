/*
 * cc.h - turning generated C into a binary with the system C compiler.
 */
#ifndef ASLC_CC_H
#define ASLC_CC_H

#include <stddef.h>

#include "emit.h"

struct asl_cc_opts {
    const char *cc;         /* --cc, else $CC, else "cc"; split into words like a shell would */
    const char *opt_level;  /* -O level: "0", "1", "2", "3", "s" */
    int verbose;
    int static_link;        /* --static: a fully static executable */
};

/* Compile c_file and link it with the runtime into out_binary.  Runs the
 * compiler directly (argv, never a shell) in its own process group, writing
 * to a temporary name next to out_binary that is renamed at the end, so a
 * failed or interrupted build never leaves a partial binary.  Returns 0 on
 * success; on failure the message says what failed (compiler missing,
 * library missing, output unwritable) and the command. */
int asl_cc_build(const char *c_file, const char *out_binary, const struct asl_link_needs *needs,
                 const struct asl_cc_opts *o);

/* Split s into words the way a POSIX shell would (blanks separate words;
 * '...' quotes literally; "..." quotes with \\ \" \$ \` escapes; a backslash
 * outside quotes escapes the next character), without expanding anything.
 * Returns a NULL-terminated array (free with asl_cc_free_words) and sets
 * *nwords, or NULL with *err set to a message for unbalanced quotes. */
char **asl_cc_split_words(const char *s, size_t *nwords, const char **err);
void asl_cc_free_words(char **words);

/* Temporary files and the compiler's process group, cleaned up on every exit
 * path: asl_cc_guard_signals() installs handlers for SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT that kill the compiler's process group, remove every
 * registered temporary file and then die of the same signal. */
void asl_cc_guard_signals(void);
void asl_cc_temp_add(const char *path);     /* copies path */
void asl_cc_temp_remove_all(void);          /* unlink every registered file */
void asl_cc_temp_forget(const char *path);  /* keep this one (renamed into place) */

#endif
