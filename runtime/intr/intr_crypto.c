/*
 * intr_crypto.c - States.Hash, States.Base64Encode, States.Base64Decode.
 *
 * The only runtime file that uses OpenSSL's libcrypto (EVP digests and EVP
 * base64), so a workflow that calls none of these three does not link it
 * (grammar/intr_table.c marks them needs_crypto).
 *
 * Limits from AWS's intrinsic-functions page: Base64 input and the Hash
 * data are at most 10,000 characters.  "Characters" are counted as Java
 * counts a String's length (UTF-16 code units), as AWS runs on the JVM.
 */
#include <string.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "aslrt.h"
#include "base/text.h"
#include "intr/intr.h"

#define INTR_MAX_CHARS 10000

/* Java's String.length() of UTF-8 text: code points, astral ones twice. */
static size_t java_length(const char *s, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            len += c >= 0xF0 ? 2 : 1;
    }
    return len;
}

/* Append s[0..n) to b, each invalid UTF-8 sequence replaced by U+FFFD, as
 * Java's new String(bytes, UTF_8) does for decoded Base64. */
static void add_utf8_lossy(struct asl_buf *b, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t m = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80)
            m = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            m = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            m = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;   /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            m = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        }
        size_t ok = m ? 1 : 0;
        /* the first continuation byte has the narrowed range */
        while (ok && ok < m && i + ok < n) {
            unsigned char x = s[i + ok];
            unsigned l = ok == 1 ? lo : 0x80, h = ok == 1 ? hi : 0xBF;
            if (x < l || x > h)
                break;
            ok++;
        }
        if (m && ok == m) {
            asl_buf_add(b, (const char *)s + i, m);
            i += m;
        } else {
            asl_buf_adds(b, "\xEF\xBF\xBD");
            i += ok ? ok : 1;           /* skip the maximal bad prefix */
        }
    }
}

/* States.Base64Encode(string): standard alphabet, '=' padding, no newlines.
 * The string is encoded as UTF-8 (Java getBytes(UTF_8) assumed). */
int asl_intr_base64_encode(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.Base64Encode";
    if (asl_intr_nargs(nargs, 1, 1, fn, err) || asl_intr_string_arg(args[0], fn, "argument", err))
        return -1;
    const char *s = json_string_value(args[0]);
    size_t n = json_string_length(args[0]);
    if (java_length(s, n) > INTR_MAX_CHARS)
        return asl_intr_fail(err, fn, "the input is longer than %d characters", INTR_MAX_CHARS);
    unsigned char *enc = malloc(4 * ((n + 2) / 3) + 1);
    if (!enc)
        return asl_intr_oom(err, fn);
    int len = EVP_EncodeBlock(enc, (const unsigned char *)s, (int)n);
    json_t *r = len >= 0 ? json_stringn_nocheck((const char *)enc, (size_t)len) : NULL;
    free(enc);
    if (!r)
        return asl_intr_oom(err, fn);
    *out = r;
    return 0;
}

static int b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

/* States.Base64Decode(string): the text must be standard Base64; padding
 * may be left out (Java's basic decoder accepts that); anything outside
 * the alphabet is a failure.  Bytes that are not UTF-8 become U+FFFD. */
int asl_intr_base64_decode(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.Base64Decode";
    if (asl_intr_nargs(nargs, 1, 1, fn, err) || asl_intr_string_arg(args[0], fn, "argument", err))
        return -1;
    const char *s = json_string_value(args[0]);
    size_t n = json_string_length(args[0]);
    if (java_length(s, n) > INTR_MAX_CHARS)
        return asl_intr_fail(err, fn, "the input is longer than %d characters", INTR_MAX_CHARS);

    size_t data = 0, pad = 0;
    while (data < n && b64_char((unsigned char)s[data]))
        data++;
    while (data + pad < n && s[data + pad] == '=' && pad < 2)
        pad++;
    if (data + pad != n || data % 4 == 1 || (pad && (data + pad) % 4 != 0))
        return asl_intr_fail(err, fn, "the input is not valid Base64");

    /* EVP_DecodeBlock wants whole quads: re-pad, then drop the pad bytes. */
    size_t quads = (data + 3) / 4, missing = quads * 4 - data;
    unsigned char *in = malloc(quads * 4 + 1), *dec = malloc(quads * 3 + 1);
    struct asl_buf b;
    asl_buf_init(&b);
    json_t *r = NULL;
    if (!in || !dec)
        goto done;
    memcpy(in, s, data);
    memset(in + data, '=', missing);
    int len = quads ? EVP_DecodeBlock(dec, in, (int)(quads * 4)) : 0;
    if (len < 0) {
        free(in);
        free(dec);
        return asl_intr_fail(err, fn, "the input is not valid Base64");
    }
    add_utf8_lossy(&b, dec, (size_t)len - missing);
    asl_buf_add(&b, "", 0);
    if (!b.oom)
        r = json_stringn_nocheck(b.p, b.len);
done:
    free(in);
    free(dec);
    asl_buf_free(&b);
    if (!r)
        return asl_intr_oom(err, fn);
    *out = r;
    return 0;
}

/* States.Hash(data, algorithm): lower-case hex digest of data's UTF-8
 * bytes.  Data that is not a string is hashed as its compact JSON text
 * (the spec's "stringified version"; AWS unrecorded).  The algorithm name
 * is exact: MD5, SHA-1, SHA-256, SHA-384, SHA-512 (recorded for MD5,
 * SHA-1, SHA-256, SHA-512). */
int asl_intr_hash(json_t *const *args, size_t nargs, json_t **out, struct asl_err *err)
{
    static const char fn[] = "States.Hash";
    static const struct { const char *name; const EVP_MD *(*md)(void); } algs[] = {
        {"MD5", EVP_md5}, {"SHA-1", EVP_sha1}, {"SHA-256", EVP_sha256},
        {"SHA-384", EVP_sha384}, {"SHA-512", EVP_sha512},
    };
    if (asl_intr_nargs(nargs, 2, 2, fn, err) ||
        asl_intr_string_arg(args[1], fn, "algorithm", err))
        return -1;
    const EVP_MD *md = NULL;
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (strcmp(json_string_value(args[1]), algs[i].name) == 0 &&
            strlen(algs[i].name) == json_string_length(args[1]))
            md = algs[i].md();
    if (!md)
        return asl_intr_fail(err, fn, "the hash algorithm '%s' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512",
                             json_string_value(args[1]));

    char *text = NULL;
    const char *s;
    size_t n;
    if (json_is_string(args[0])) {
        s = json_string_value(args[0]);
        n = json_string_length(args[0]);
    } else {
        if (!(text = asl_text_json_dup(args[0], &n)))
            return asl_intr_oom(err, fn);
        s = text;
    }
    if (java_length(s, n) > INTR_MAX_CHARS) {
        free(text);
        return asl_intr_fail(err, fn, "the input data is longer than %d characters", INTR_MAX_CHARS);
    }
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    int ok = EVP_Digest(s, n, dig, &dn, md, NULL);
    free(text);
    if (!ok)
        return asl_err_set(err, ASL_E_RUNTIME, "%s: digest failed", fn);
    static const char hex[] = "0123456789abcdef";
    char hx[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < dn; i++) {
        hx[2 * i] = hex[dig[i] >> 4];
        hx[2 * i + 1] = hex[dig[i] & 15];
    }
    hx[2 * dn] = '\0';
    *out = json_string(hx);
    return *out ? 0 : asl_intr_oom(err, fn);
}
