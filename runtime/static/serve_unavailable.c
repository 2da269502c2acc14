/*
 * serve_unavailable.c - `BINARY serve` in a binary built with
 * `aslc build --static`.
 *
 * The API server (runtime/serve/) needs libsystemd (readiness) and
 * libmicrohttpd, whose Debian static archive needs GnuTLS and p11-kit;
 * Debian ships libsystemd and libp11-kit without static archives, so a
 * static binary cannot contain the server.  aslc compiles this file into
 * every --static link, ahead of libaslrt.a, so the linker takes this
 * definition and never pulls the server's objects in.  Running the workflow
 * (the binary without `serve`) is unaffected.  Not part of libaslrt.a.
 */
#include <stdio.h>

#include "aslrt.h"

int asl_serve_main(const struct asl_program *prog, int argc, char **argv);

int asl_serve_main(const struct asl_program *prog, int argc, char **argv)
{
    (void)prog;
    (void)argc;
    fprintf(stderr, "%s: serve is not available in a static binary (aslc build --static): the API server "
                    "needs libsystemd and libmicrohttpd's TLS libraries, which have no static archives on "
                    "Debian; build the workflow without --static to serve it\n", argv[0]);
    return 2;
}
