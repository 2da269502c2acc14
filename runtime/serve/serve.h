/*
 * serve.h - the Step Functions API (awsJson1_0) of one compiled state
 * machine, served over HTTP (libmicrohttpd) on top of the durable store.
 *
 *     BINARY serve --store FILE [--listen 127.0.0.1:8083] [--credentials FILE] ...
 *
 * docs/serve.md describes every option, limit and guarantee.
 */
#ifndef ASL_SERVE_H
#define ASL_SERVE_H

#include "aslrt.h"

/* The `serve` subcommand: argv[0] is the binary, argv[1] "serve".
 * Returns the process exit status (0 after a clean stop, 2 on bad usage or
 * a store that cannot be opened). */
int asl_serve_main(const struct asl_program *prog, int argc, char **argv);

#endif
