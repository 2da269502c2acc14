/*
 * map_store.c - S3 buckets bound to local folders (see map_store.h): the
 * --bucket bindings, key checks, reading, listing and writing objects.
 * A bucket bound to no folder is real S3 when the program has the S3
 * client (runtime/aws/s3_store.c, through asl_program.s3).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "map/map_store.h"
#include "run/run.h"

int asl_map_store_buckets_parse(struct asl_exec *ex, const char *const *specs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(specs[i], '=');
        if (!eq || eq == specs[i] || !eq[1]) {
            fprintf(stderr, "--bucket takes NAME=DIR, not '%s'\n", specs[i]);
            return -1;
        }
        struct asl_bucket *nb = realloc(ex->buckets, (ex->nbuckets + 1) * sizeof *nb);
        if (!nb)
            return -1;
        ex->buckets = nb;
        nb[ex->nbuckets].name = strndup(specs[i], (size_t)(eq - specs[i]));
        nb[ex->nbuckets].dir = strdup(eq + 1);
        ex->nbuckets++;
    }
    return 0;
}

void asl_map_store_buckets_free(struct asl_exec *ex)
{
    for (size_t i = 0; i < ex->nbuckets; i++) {
        free(ex->buckets[i].name);
        free(ex->buckets[i].dir);
    }
    free(ex->buckets);
    ex->buckets = NULL;
    ex->nbuckets = 0;
}

/* The folder bound to `bucket` (borrowed: the exec's or the environment's,
 * whose variable is var), or NULL. */
static const char *bound_dir(const struct asl_exec *ex, const char *bucket, char *var, size_t varn)
{
    for (size_t i = 0; i < ex->nbuckets; i++)
        if (strcmp(ex->buckets[i].name, bucket) == 0)
            return ex->buckets[i].dir;
    size_t k = (size_t)snprintf(var, varn, "ASLC_BUCKET_");
    for (const char *s = bucket; *s && k + 1 < varn; s++)
        var[k++] = isalnum((unsigned char)*s) ? (char)toupper((unsigned char)*s) : '_';
    var[k] = '\0';
    const char *dir = getenv(var);
    return dir && *dir ? dir : NULL;
}

/* Whether an unbound bucket may be real S3: the program has the S3 client
 * (an ItemReader or ResultWriter compiled with the S3 model), and under
 * --mock-config only with ASLC_MOCK_NETWORK=1, as for Tasks. */
static int s3_allowed(const struct asl_exec *ex)
{
    const char *v = getenv("ASLC_MOCK_NETWORK");
    return ex->prog && ex->prog->s3 && (!ex->mock || (v && strcmp(v, "1") == 0));
}

/* Real S3 for `bucket` (no folder bound to it), or NULL: a folder. */
static const struct asl_s3_client *s3_for(const struct asl_exec *ex, const char *bucket)
{
    char var[300];
    return !bound_dir(ex, bucket, var, sizeof var) && s3_allowed(ex) ? ex->prog->s3 : NULL;
}

int asl_map_store_is_s3(const struct asl_exec *ex, const char *bucket)
{
    return s3_for(ex, bucket) != NULL;
}

static const char *bucket_dir(const struct asl_exec *ex, const char *bucket, const char *ename,
                              struct asl_err *err)
{
    char var[300];
    const char *dir = bound_dir(ex, bucket, var, sizeof var);
    if (!dir)
        asl_err_set(err, ename,
                    "The bucket '%s' is not bound to a local folder: run with --bucket %s=DIR or set %s%s",
                    bucket, bucket, var, !ex->prog || !ex->prog->s3 ? ""
                    : " (under --mock-config, S3 itself is called only with ASLC_MOCK_NETWORK=1)");
    return dir;
}

/* A key is a relative path without "." or ".." segments. */
static int key_ok(const char *key)
{
    if (!*key || *key == '/')
        return 0;
    const char *s = key;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        if (!e)
            break;
        s = e + 1;
    }
    return 1;
}

static char *object_path(const struct asl_exec *ex, const char *bucket, const char *key,
                         const char *ename, struct asl_err *err)
{
    if (!key_ok(key)) {
        asl_err_set(err, ename, "The key '%s' is not a valid object key here (empty, absolute, "
                    "or with a '.' or '..' segment)", key);
        return NULL;
    }
    const char *dir = bucket_dir(ex, bucket, ename, err);
    if (!dir)
        return NULL;
    size_t n = strlen(dir) + strlen(key) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, key);
    return p;
}

FILE *asl_map_store_get(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                    struct asl_err *err)
{
    const struct asl_s3_client *s3 = s3_for(ex, bucket);
    if (s3)
        return s3->get(ex, bucket, key, ename, err);
    char *p = object_path(ex, bucket, key, ename, err);
    if (!p)
        return NULL;
    FILE *f = fopen(p, "rb");
    struct stat st;
    if (f && (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f)
        asl_err_set(err, ename, "Cannot read s3://%s/%s (%s): %s", bucket, key, p, strerror(errno));
    free(p);
    return f;
}

/* ------------------------------------------------------------- listing */

struct keys {
    char **v;
    size_t n, cap;
};

static int keys_add(struct keys *k, const char *key)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        char **nv = realloc(k->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        k->v = nv;
        k->cap = cap;
    }
    k->v[k->n] = strdup(key);
    return k->v[k->n++] ? 0 : -1;
}

/* Every regular file below root/rel, as keys "rel/name". */
static int walk(const char *root, const char *rel, struct keys *k)
{
    size_t n = strlen(root) + strlen(rel) + 2;
    char *dirp = malloc(n);
    if (!dirp)
        return -1;
    snprintf(dirp, n, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dirp);
    free(dirp);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t kn = strlen(rel) + strlen(e->d_name) + 2;
        char *key = malloc(kn);
        if (!key) {
            rc = -1;
            break;
        }
        snprintf(key, kn, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        size_t pn = strlen(root) + kn + 1;
        char *full = malloc(pn);
        struct stat st;
        if (full) {
            snprintf(full, pn, "%s/%s", root, key);
            if (stat(full, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                    rc = walk(root, key, k);
                else if (S_ISREG(st.st_mode))
                    rc = keys_add(k, key);
            }
        } else {
            rc = -1;
        }
        free(full);
        free(key);
    }
    closedir(d);
    return rc;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *asl_map_store_list(const struct asl_exec *ex, const char *bucket, const char *prefix,
                       const char *ename, struct asl_err *err)
{
    const struct asl_s3_client *s3 = s3_for(ex, bucket);
    if (s3)
        return s3->list(ex, bucket, prefix, ename, err);
    const char *dir = bucket_dir(ex, bucket, ename, err);
    if (!dir)
        return NULL;
    struct keys k = {0};
    if (walk(dir, "", &k) != 0) {
        asl_err_set(err, ename, "Cannot list s3://%s/%s (%s): %s", bucket, prefix, dir, strerror(errno));
        for (size_t i = 0; i < k.n; i++)
            free(k.v[i]);
        free(k.v);
        return NULL;
    }
    qsort(k.v, k.n, sizeof *k.v, cmp_key);
    json_t *out = json_array();
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < k.n; i++) {
        if (strncmp(k.v[i], prefix, plen) == 0)
            json_array_append_new(out, json_string(k.v[i]));
        free(k.v[i]);
    }
    free(k.v);
    return out;
}

/* S3's ETag of an object uploaded whole: the MD5 of its bytes in hex,
 * quoted ("\"05704fbd...\""), as ListObjectsV2 items carry it (Etag). */
static int content_tag(FILE *f, char *out, size_t n)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    size_t got;
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1;
    while (ok && (got = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, got) == 1;
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && n >= 2 * mdlen + 3;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return -1;
    size_t k = 0;
    out[k++] = '"';
    for (unsigned i = 0; i < mdlen; i++)
        k += (size_t)snprintf(out + k, n - k, "%02x", md[i]);
    out[k++] = '"';
    out[k] = '\0';
    return 0;
}

json_t *asl_map_store_summary(const struct asl_exec *ex, const char *bucket, const char *key,
                          const char *ename, struct asl_err *err)
{
    FILE *f = asl_map_store_get(ex, bucket, key, ename, err);
    if (!f)
        return NULL;
    struct stat st;
    char tag[40];
    json_t *o = NULL;
    if (fstat(fileno(f), &st) == 0 && content_tag(f, tag, sizeof tag) == 0)
        o = json_pack("{s:s,s:s,s:I,s:I,s:s}", "Etag", tag, "Key", key, "LastModified",
                      (json_int_t)st.st_mtime, "Size", (json_int_t)st.st_size, "StorageClass", "STANDARD");
    else
        asl_err_set(err, ename, "Cannot read s3://%s/%s: %s", bucket, key, strerror(errno));
    fclose(f);
    return o;
}

/* ------------------------------------------------------------- writing */

/* mkdir -p for the folders of path (not the last component). */
static int make_parents(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        int rc = mkdir(path, 0777);
        *s = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

FILE *asl_map_store_put(const struct asl_exec *ex, const char *bucket, const char *key, const char *ename,
                    struct asl_err *err)
{
    const struct asl_s3_client *s3 = s3_for(ex, bucket);
    if (s3)
        return s3->put(ex, bucket, key, ename, err);
    char *p = object_path(ex, bucket, key, ename, err);
    if (!p)
        return NULL;
    FILE *f = NULL;
    if (make_parents(p) == 0)
        f = fopen(p, "wb");
    if (!f)
        asl_err_set(err, ename, "Cannot write s3://%s/%s (%s): %s", bucket, key, p, strerror(errno));
    free(p);
    return f;
}

const char *asl_map_store_put_error(const struct asl_exec *ex, const char *bucket)
{
    const struct asl_s3_client *s3 = s3_for(ex, bucket);
    const char *why = s3 ? s3->put_error() : NULL;
    return why ? why : strerror(errno);
}
