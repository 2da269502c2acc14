/*
 * jn_hash.c - $hash(value [, algorithm]), a Step Functions addition to
 * JSONata: the lower-case hex digest of the string's UTF-8 bytes with
 * OpenSSL's EVP digests.  Algorithms (names exact, as in States.Hash):
 * MD5, SHA-1, SHA-256, SHA-384, SHA-512; SHA-256 when none is given.
 * An undefined value gives an undefined result; a name outside the list
 * raises D3200 (aslc's own code: AWS's text for it is unrecorded).
 */
#include <string.h>
#include <openssl/evp.h>

#include "jn_internal.h"

#define ARG(i) ((i) < nargs ? args[i] : NULL)

int asl_jn_f_hash(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out);

int asl_jn_f_hash(struct jn_ctx *c, json_t **args, size_t nargs, json_t *in, json_t **out)
{
    static const struct { const char *name; const EVP_MD *(*md)(void); } algs[] = {
        {"MD5", EVP_md5}, {"SHA-1", EVP_sha1}, {"SHA-256", EVP_sha256},
        {"SHA-384", EVP_sha384}, {"SHA-512", EVP_sha512},
    };
    (void)in;
    if (!ARG(0)) return 0;
    const char *name = ARG(1) ? json_string_value(ARG(1)) : "SHA-256";
    size_t nlen = ARG(1) ? json_string_length(ARG(1)) : strlen(name);
    const EVP_MD *md = NULL;
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (strlen(algs[i].name) == nlen && memcmp(algs[i].name, name, nlen) == 0)
            md = algs[i].md();
    if (!md)
        return asl_jn_ctx_fail(c, "D3200", "The hash algorithm '%s' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", name);
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    if (!EVP_Digest(json_string_value(ARG(0)), json_string_length(ARG(0)), dig, &dn, md, NULL))
        return asl_jn_ctx_fail(c, "D3200", "The %s digest failed", name);
    static const char hex[] = "0123456789abcdef";
    char hx[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < dn; i++) {
        hx[2 * i] = hex[dig[i] >> 4];
        hx[2 * i + 1] = hex[dig[i] & 15];
    }
    hx[2 * dn] = 0;
    *out = asl_jn_hold(c, json_string(hx));
    return 0;
}
