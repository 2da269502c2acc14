/*
 * map_codec.c - compressed ItemReader objects (map_reader.h,
 * asl_map_decode).  AWS's ItemReader page: input files may use GZIP or
 * ZSTD external compression, told by the object's file name
 * ("myObject.jsonl.gz", "myObject.csv.zstd").  The object is decompressed
 * as it is read, through a stdio stream, so every reader format works on
 * it unchanged and a large file is never held whole.
 *
 * Its own object file, named only by the generated reader tables
 * (.decode), so only binaries with an ItemReader link zlib and libzstd.
 */
#define _GNU_SOURCE     /* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "map/map_reader.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ----------------------------------------------------------------- gzip */

static ssize_t gz_read(void *c, char *buf, size_t size)
{
    unsigned n = size > (1u << 30) ? 1u << 30 : (unsigned)size;
    int got = gzread((gzFile)c, buf, n), zerr = Z_OK;
    if (got == 0)
        gzerror((gzFile)c, &zerr);      /* Z_BUF_ERROR: the stream was cut short */
    if (got < 0 || zerr != Z_OK) {
        errno = EIO;
        return -1;
    }
    return got;
}

static int gz_close(void *c)
{
    return gzclose((gzFile)c) == Z_OK ? 0 : EOF;
}

static FILE *open_gzip(FILE *f, struct asl_err *err)
{
    int fd = dup(fileno(f));
    fclose(f);
    gzFile gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!gz) {
        if (fd >= 0)
            close(fd);
        asl_err_set_str(err, ASL_E_ITEM_READER, "out of memory");
        return NULL;
    }
    cookie_io_functions_t io = {.read = gz_read, .close = gz_close};
    FILE *out = fopencookie(gz, "rb", io);
    if (!out) {
        gzclose(gz);
        asl_err_set_str(err, ASL_E_ITEM_READER, "out of memory");
    }
    return out;
}

/* ----------------------------------------------------------------- zstd */

struct zs {
    FILE *src;
    ZSTD_DStream *ds;
    ZSTD_inBuffer in;
    unsigned char *inbuf;
    size_t incap;
    size_t last;        /* ZSTD_decompressStream's last hint: 0 at a frame's end */
};

static ssize_t zs_read(void *c, char *buf, size_t size)
{
    struct zs *z = c;
    ZSTD_outBuffer out = {buf, size, 0};
    while (out.pos == 0) {
        if (z->in.pos == z->in.size) {
            size_t got = fread(z->inbuf, 1, z->incap, z->src);
            if (got == 0) {
                if (ferror(z->src) || z->last != 0) {   /* cut short inside a frame */
                    errno = EIO;
                    return -1;
                }
                return 0;
            }
            z->in.src = z->inbuf;
            z->in.size = got;
            z->in.pos = 0;
        }
        size_t r = ZSTD_decompressStream(z->ds, &out, &z->in);
        if (ZSTD_isError(r)) {
            errno = EIO;
            return -1;
        }
        z->last = r;
    }
    return (ssize_t)out.pos;
}

static int zs_close(void *c)
{
    struct zs *z = c;
    fclose(z->src);
    ZSTD_freeDStream(z->ds);
    free(z->inbuf);
    free(z);
    return 0;
}

static FILE *open_zstd(FILE *f, struct asl_err *err)
{
    struct zs *z = calloc(1, sizeof *z);
    FILE *out = NULL;
    if (z) {
        z->src = f;
        z->ds = ZSTD_createDStream();
        z->incap = ZSTD_DStreamInSize();
        z->inbuf = malloc(z->incap);
    }
    if (z && z->ds && z->inbuf && !ZSTD_isError(ZSTD_initDStream(z->ds))) {
        cookie_io_functions_t io = {.read = zs_read, .close = zs_close};
        out = fopencookie(z, "rb", io);
    }
    if (!out) {
        if (z) {
            ZSTD_freeDStream(z->ds);
            free(z->inbuf);
            free(z);
        }
        fclose(f);
        asl_err_set_str(err, ASL_E_ITEM_READER, "out of memory");
    }
    return out;
}

FILE *asl_map_decode(FILE *f, const char *key, struct asl_err *err)
{
    if (ends_with(key, ".gz"))
        return open_gzip(f, err);
    if (ends_with(key, ".zstd"))
        return open_zstd(f, err);
    return f;
}
