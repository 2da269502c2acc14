/*
 * test_intr_crypto.c - States.Hash, Base64Encode, Base64Decode and their
 * compile-time checks.
 */
#include "intr_check.h"

/* A JSON array holding one string of n copies of c (n*len(c) bytes). */
static char *repeat_arg(const char *c, size_t n, const char *more)
{
    size_t cl = strlen(c), ml = strlen(more);
    char *s = malloc(n * cl + ml + 8), *p = s;
    *p++ = '[';
    *p++ = '"';
    for (size_t i = 0; i < n; i++, p += cl)
        memcpy(p, c, cl);
    *p++ = '"';
    memcpy(p, more, ml);
    p += ml;
    *p++ = ']';
    *p = '\0';
    return s;
}

static void hash(void)
{
    /* recorded (hash_calculations__test_hash) */
    OK(asl_intr_hash, "[\"input data\", \"MD5\"]", "\"812f45842bc6d66ee14572ce20db8e86\"");
    OK(asl_intr_hash, "[\"input data\", \"SHA-1\"]", "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"");
    OK(asl_intr_hash, "[\"input data\", \"SHA-256\"]",
       "\"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3\"");
    OK(asl_intr_hash, "[\"input data\", \"SHA-512\"]",
       "\"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce"
       "2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4\"");
    /* computed with coreutils */
    OK(asl_intr_hash, "[\"input data\", \"SHA-384\"]",
       "\"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562\"");
    OK(asl_intr_hash, "[\"\", \"MD5\"]", "\"d41d8cd98f00b204e9800998ecf8427e\"");
    OK(asl_intr_hash, "[\"h\\u00e9llo \\u2603\", \"MD5\"]", "\"ef3e44ec264a71ab40ccc920b794ebae\"");
    /* non-strings hash their compact JSON text */
    OK(asl_intr_hash, "[{\"a\": [1, 2.5]}, \"SHA-256\"]",
       "\"45114ee64965e5a9cfed7278f4c1e19f31200fcd5794131ef21554280bbf7a68\"");
    OK(asl_intr_hash, "[1, \"MD5\"]", "\"c4ca4238a0b923820dcc509a6f75849b\"");
    OK(asl_intr_hash, "[null, \"MD5\"]", "\"37a6259cc0c1dae299a7866489dff0bd\"");
    /* algorithm names are exact */
    FAILS(asl_intr_hash, "[\"x\", \"md5\"]", "algorithm");
    FAILS(asl_intr_hash, "[\"x\", \"SHA256\"]", "algorithm");
    FAILS(asl_intr_hash, "[\"x\", \"SHA-256 \"]", "algorithm");
    FAILS(asl_intr_hash, "[\"x\", \"MD5\\u0000\"]", "algorithm");
    FAILS(asl_intr_hash, "[\"x\", 5]", "string");
    FAILS(asl_intr_hash, "[\"x\"]", "argument");
    /* 10,000 characters at most, counted as Java counts them */
    char *s = repeat_arg("a", 10000, ", \"MD5\"");
    struct asl_err err = {0};
    json_t *out;
    CHECK(intr_call(asl_intr_hash, s, &out, &err, __LINE__) == 0);
    json_decref(out);
    free(s);
    s = repeat_arg("a", 10001, ", \"MD5\"");
    intr_fail(asl_intr_hash, s, ASL_E_INTRINSIC, "10000", __LINE__);
    free(s);
    s = repeat_arg("\\u00e9", 10000, ", \"MD5\"");       /* 20000 bytes, 10000 chars */
    CHECK(intr_call(asl_intr_hash, s, &out, &err, __LINE__) == 0);
    json_decref(out);
    free(s);
    s = repeat_arg("\\ud83d\\ude00", 5001, ", \"MD5\"");  /* 10002 UTF-16 units */
    intr_fail(asl_intr_hash, s, ASL_E_INTRINSIC, "10000", __LINE__);
    free(s);
    asl_err_clear(&err);
}

static void base64(void)
{
    /* recorded (encode_decode__test_base_64_encode / _decode) */
    OK(asl_intr_base64_encode, "[\"\"]", "\"\"");
    OK(asl_intr_base64_encode, "[\"Data to encode\"]", "\"RGF0YSB0byBlbmNvZGU=\"");
    OK(asl_intr_base64_encode, "[\"Hello World\"]", "\"SGVsbG8gV29ybGQ=\"");
    OK(asl_intr_base64_decode, "[\"\"]", "\"\"");
    OK(asl_intr_base64_decode, "[\"RGF0YSB0byBlbmNvZGU=\"]", "\"Data to encode\"");
    OK(asl_intr_base64_decode, "[\"SGVsbG8gV29ybGQ=\"]", "\"Hello World\"");
    /* padding lengths, non-ASCII as UTF-8, long input (no line breaks) */
    OK(asl_intr_base64_encode, "[\"a\"]", "\"YQ==\"");
    OK(asl_intr_base64_encode, "[\"ab\"]", "\"YWI=\"");
    OK(asl_intr_base64_encode, "[\"abc\"]", "\"YWJj\"");
    OK(asl_intr_base64_encode, "[\"h\\u00e9llo \\u2603\"]", "\"aMOpbGxvIOKYgw==\"");
    OK(asl_intr_base64_encode, "[\"a\\u0000b\"]", "\"YQBi\"");
    OK(asl_intr_base64_decode, "[\"YQ==\"]", "\"a\"");
    OK(asl_intr_base64_decode, "[\"YWI=\"]", "\"ab\"");
    OK(asl_intr_base64_decode, "[\"YWJj\"]", "\"abc\"");
    OK(asl_intr_base64_decode, "[\"YQ\"]", "\"a\"");                   /* unpadded */
    OK(asl_intr_base64_decode, "[\"YWI\"]", "\"ab\"");
    OK(asl_intr_base64_decode, "[\"aMOpbGxvIOKYgw==\"]", "\"h\\u00e9llo \\u2603\"");
    OK(asl_intr_base64_decode, "[\"YQBi\"]", "\"a\\u0000b\"");
    OK(asl_intr_base64_decode, "[\"//5B\"]", "\"\\ufffd\\ufffdA\"");    /* not UTF-8 */
    OK(asl_intr_base64_decode, "[\"7aCA\"]", "\"\\ufffd\\ufffd\\ufffd\"");  /* a surrogate */
    FAILS(asl_intr_base64_decode, "[\"Y\"]", "Base64");
    FAILS(asl_intr_base64_decode, "[\"YQ=\"]", "Base64");
    FAILS(asl_intr_base64_decode, "[\"YQ===\"]", "Base64");
    FAILS(asl_intr_base64_decode, "[\"YWJj=\"]", "Base64");
    FAILS(asl_intr_base64_decode, "[\"YW Jj\"]", "Base64");
    FAILS(asl_intr_base64_decode, "[\"YWJj\\n\"]", "Base64");
    FAILS(asl_intr_base64_decode, "[\"Y-_j\"]", "Base64");
    FAILS(asl_intr_base64_decode, "[\"=\"]", "Base64");
    FAILS(asl_intr_base64_encode, "[1]", "string");
    FAILS(asl_intr_base64_encode, "[null]", "string");
    FAILS(asl_intr_base64_decode, "[[\"YQ==\"]]", "string");
    FAILS(asl_intr_base64_encode, "[]", "argument");

    /* round trip a long string; 10,000 characters at most */
    char *s = repeat_arg("xyz", 2500, "");   /* encodes to exactly 10,000 */
    struct asl_err err = {0};
    json_t *enc = NULL, *dec = NULL, *in = json_loads(s, 0, NULL);
    CHECK(asl_intr_base64_encode(&((json_t *){json_array_get(in, 0)}), 1, &enc, &err) == 0);
    CHECK(enc && !strchr(json_string_value(enc), '\n'));
    CHECK(asl_intr_base64_decode(&enc, 1, &dec, &err) == 0);
    CHECK(asl_json_equal(dec, json_array_get(in, 0)));
    json_decref(enc);
    json_decref(dec);
    json_decref(in);
    free(s);
    s = repeat_arg("a", 10001, "");
    intr_fail(asl_intr_base64_encode, s, ASL_E_INTRINSIC, "10000", __LINE__);
    free(s);
    s = repeat_arg("QUJD", 2501, "");
    intr_fail(asl_intr_base64_decode, s, ASL_E_INTRINSIC, "10000", __LINE__);
    free(s);
    asl_err_clear(&err);
}

static void static_checks(void)
{
    STATIC_OK(ASL_INTR_HASH, a_path(), lit_s("SHA-256"));
    STATIC_OK(ASL_INTR_HASH, lit_s("data"), lit_s("MD5"));
    STATIC_OK(ASL_INTR_HASH, a_path(), a_path());
    STATIC_OK(ASL_INTR_HASH, a_path(), lit_s("SHA-384"));
    STATIC_BAD(ASL_INTR_HASH, "MD5, SHA-1", a_path(), lit_s("SHA-224"));
    STATIC_BAD(ASL_INTR_HASH, "MD5, SHA-1", a_path(), lit_s("sha-256"));
    STATIC_BAD(ASL_INTR_HASH, "second argument must be a string", a_path(), lit_i(256));
    STATIC_OK(ASL_INTR_BASE64_ENCODE, lit_s("x"));
    STATIC_OK(ASL_INTR_BASE64_DECODE, a_call(ASL_INTR_BASE64_ENCODE));
    STATIC_BAD(ASL_INTR_BASE64_ENCODE, "string", lit_i(1));
    STATIC_BAD(ASL_INTR_BASE64_DECODE, "string", a_call(ASL_INTR_ARRAY));
}

int main(void)
{
    hash();
    base64();
    static_checks();
    return failures ? 1 : 0;
}
