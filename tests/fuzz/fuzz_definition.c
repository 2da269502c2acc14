/*
 * fuzz_definition.c - the whole front end on arbitrary bytes as a
 * definition file: asl_load (compiler/load.c, which reads a file: the
 * input goes through a memfd), asl_check, and for definitions that check
 * cleanly asl_emit into an in-memory stream.  Diagnostics go to /dev/null.
 *
 * Input: the definition file's bytes.
 */
#define _GNU_SOURCE     /* memfd_create, open_memstream */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "emit.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;
static int fd = -1;
static char fdpath[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        devnull = fopen("/dev/null", "w");
        fd = memfd_create("fuzz_definition", 0);
        if (!devnull || fd < 0)
            abort();
        snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();

    struct asl_diags d = {.file = "fuzz.json", .out = devnull};
    struct asl_model *m = asl_load(fdpath, &d);
    if (m && !d.errors)
        asl_check(m, &d);
    if (m && !d.errors) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (!out)
            abort();
        struct asl_emit_opts o = {.source_name = "fuzz.json", .definition = (const char *)data,
                                  .definition_len = size};
        struct asl_link_needs needs;
        (void)asl_emit(out, m, &o, &needs);
        fclose(out);
        free(buf);
    }
    asl_model_free(m);
    return 0;
}
