/*
 * serve_http.h - the HTTP listener (http.c, libmicrohttpd).
 */
#ifndef ASL_SERVE_HTTP_H
#define ASL_SERVE_HTTP_H

#include <stddef.h>

struct asl_serve;
struct asl_serve_http;

/* Listen on host (an IPv4 or IPv6 address) and port (0: any free port);
 * NULL with msg filled when that fails. */
struct asl_serve_http *asl_serve_http_start(struct asl_serve *s, const char *host, int port,
                                            char *msg, size_t msgsize);
/* The port actually bound. */
int asl_serve_http_port(const struct asl_serve_http *h);
/* Close the listener and every connection (no request may still be
 * suspended). */
void asl_serve_http_stop(struct asl_serve_http *h);

#endif
