/*
 * models.c - finding, loading and pruning AWS service models (models.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models.h"

#define MAX_DIRS 16

static const char *const default_dirs[] = {
    "/usr/lib/python3/dist-packages/botocore/data",
    "/usr/lib/python3/dist-packages/awscli/botocore/data",
};

static char *user_dirs[MAX_DIRS];
static size_t nuser;

void asl_models_add_dir(const char *dir)
{
    if (nuser < MAX_DIRS)
        user_dirs[nuser++] = strdup(dir);
}

/* The search path, first first; *n set.  Strings borrowed or owned by env. */
static size_t search_dirs(const char **out, char **envcopy)
{
    size_t n = 0;
    for (size_t i = nuser; i > 0 && n < MAX_DIRS; i--)
        out[n++] = user_dirs[i - 1];
    const char *e = getenv("ASLC_AWS_MODELS");
    *envcopy = e && *e ? strdup(e) : NULL;
    for (char *save = NULL, *t = *envcopy ? strtok_r(*envcopy, ":", &save) : NULL; t && n < MAX_DIRS;
         t = strtok_r(NULL, ":", &save))
        out[n++] = t;
    for (size_t i = 0; i < sizeof default_dirs / sizeof *default_dirs && n < MAX_DIRS; i++)
        out[n++] = default_dirs[i];
    return n;
}

/* Step Functions' aws-sdk service names whose botocore directory is not the
 * name itself nor the name with its hyphens dropped (bedrock-runtime ->
 * bedrockruntime).  Both columns are AWS's: the Step Functions name is the
 * model's serviceId lowercased without spaces, hyphens and a trailing
 * "Service" (the AWS SDK for Java 2.x package name; checked against every
 * serviceId of botocore 1.29.27 and the Step Functions service table). */
static const char *const renames[][2] = {
    {"sfn", "stepfunctions"},
    {"eventbridge", "events"},
    {"cloudwatchlogs", "logs"},
    {"costexplorer", "ce"},
    {"cognitoidentityprovider", "cognito-idp"},
    {"costandusagereport", "cur"},
    {"applicationdiscovery", "discovery"},
    {"databasemigration", "dms"},
    {"directory", "ds"},
    {"elasticloadbalancing", "elb"},
    {"elasticloadbalancingv2", "elbv2"},
    {"elasticsearch", "es"},
    {"iotdataplane", "iot-data"},
    {"iotjobsdataplane", "iot-jobs-data"},
    {"lexmodelbuilding", "lex-models"},
    {"lexmodelsv2", "lexv2-models"},
    {"lexruntimev2", "lexv2-runtime"},
    {"marketplacemetering", "meteringmarketplace"},
    {"migrationhub", "mgh"},
    {"simpledb", "sdb"},
    {"serverlessapplicationrepository", "serverlessrepo"},
    {"pinpointsmsvoice", "sms-voice"},
};

/* Exception prefixes the serviceId rule (asl_models_prefix) does not give;
 * from the "Exception prefix" column of AWS's table
 * (docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html). */
static const char *const prefix_overrides[][2] = {
    {"dynamodb", "DynamoDb"},
    {"dynamodbstreams", "DynamoDbStreams"},
    {"docdb", "DocDb"},
    {"sagemakera2iruntime", "SageMakerA2IRuntime"},
    {"sesv2", "SesV2"},
    {"cloudhsm", "CloudHsm"},
    {"cloudhsmv2", "CloudHsmV2"},
};

/* Services Step Functions deprecated (AWS's table): no longer callable. */
static const char *const deprecated[] = {"mobile", "macie", "iotroborunner", NULL};

struct loaded {
    char *svc;
    json_t *model;
    char *version;      /* "botocore 1.29.27 (DIR)" */
    struct loaded *next;
};
static struct loaded *cache;

void asl_models_cleanup(void)
{
    while (cache) {
        struct loaded *n = cache->next;
        json_decref(cache->model);
        free(cache->svc);
        free(cache->version);
        free(cache);
        cache = n;
    }
    for (size_t i = 0; i < nuser; i++)
        free(user_dirs[i]);
    nuser = 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The newest VERSION directory of DIR/NAME holding service-2.json, as a
 * malloc'd path to that file, or NULL. */
static char *newest_model(const char *dir, const char *name)
{
    char base[4096];
    snprintf(base, sizeof base, "%s/%s", dir, name);
    DIR *d = opendir(base);
    if (!d)
        return NULL;
    char best[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof best)
            continue;
        char f[4096 + 512];
        snprintf(f, sizeof f, "%s/%s/service-2.json", base, e->d_name);
        struct stat st;
        if (stat(f, &st) == 0 && strcmp(e->d_name, best) > 0)
            snprintf(best, sizeof best, "%s", e->d_name);
    }
    closedir(d);
    if (!best[0])
        return NULL;
    size_t n = strlen(base) + strlen(best) + 20;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s/service-2.json", base, best);
    return out;
}

/* The botocore directory name of svc in dir, malloc'd, or NULL. */
static char *find_service_dir(const char *dir, const char *svc)
{
    for (size_t i = 0; i < sizeof renames / sizeof *renames; i++)
        if (strcmp(renames[i][0], svc) == 0) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, renames[i][1]);
            return is_dir(p) ? strdup(renames[i][1]) : NULL;
        }
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, svc);
    if (is_dir(p))
        return strdup(svc);
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (!strchr(e->d_name, '-'))
            continue;
        char flat[256];
        size_t n = 0;
        for (const char *c = e->d_name; *c && n + 1 < sizeof flat; c++)
            if (*c != '-')
                flat[n++] = *c;
        flat[n] = '\0';
        if (strcmp(flat, svc) == 0)
            found = strdup(e->d_name);
    }
    closedir(d);
    return found;
}

/* "botocore 1.29.27" from DIR/../__init__.py, else "the models in DIR". */
static char *models_version(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/../__init__.py", dir);
    FILE *f = fopen(p, "r");
    char line[512], *v = NULL;
    while (f && !v && fgets(line, sizeof line, f)) {
        char *q = strstr(line, "__version__");
        char *s = q ? strpbrk(q, "'\"") : NULL;
        char *e = s ? strchr(s + 1, *s) : NULL;
        if (e) {
            size_t n = (size_t)(e - s - 1) + strlen(dir) + 40;
            v = malloc(n);
            if (v)
                snprintf(v, n, "%s %.*s (%s)", strstr(dir, "awscli") ? "awscli's botocore" : "botocore",
                         (int)(e - s - 1), s + 1, dir);
        }
    }
    if (f)
        fclose(f);
    if (!v) {
        size_t n = strlen(dir) + 20;
        v = malloc(n);
        if (v)
            snprintf(v, n, "the models in %s", dir);
    }
    return v;
}

/* The loaded model of svc (cached), or NULL with *version set to what was
 * searched. */
static struct loaded *load(const char *svc, char **searched)
{
    for (struct loaded *l = cache; l; l = l->next)
        if (strcmp(l->svc, svc) == 0)
            return l;
    const char *dirs[MAX_DIRS + 4];
    char *envcopy = NULL;
    size_t n = search_dirs(dirs, &envcopy);
    struct loaded *got = NULL;
    *searched = NULL;
    for (size_t i = 0; i < n && !got; i++) {
        if (!*searched && is_dir(dirs[i]))
            *searched = models_version(dirs[i]);
        char *name = find_service_dir(dirs[i], svc);
        char *file = name ? newest_model(dirs[i], name) : NULL;
        json_error_t je;
        json_t *m = file ? json_load_file(file, 0, &je) : NULL;
        if (m && json_is_object(json_object_get(m, "metadata")) &&
            json_is_object(json_object_get(m, "operations")) && json_is_object(json_object_get(m, "shapes"))) {
            got = calloc(1, sizeof *got);
            if (got) {
                got->svc = strdup(svc);
                got->model = m;
                got->version = models_version(dirs[i]);
                got->next = cache;
                cache = got;
                m = NULL;
            }
        } else if (file && !m) {
            fprintf(stderr, "aslc: warning: %s: %s (line %d)\n", file, je.text, je.line);
        }
        json_decref(m);
        free(file);
        free(name);
    }
    free(envcopy);
    if (got) {
        free(*searched);
        *searched = NULL;
    }
    return got;
}

/* ------------------------------------------------------------ pruning */

/* A copy of a shape without documentation and validation-only fields. */
static json_t *clean(json_t *v)
{
    if (!json_is_object(v))
        return json_incref(v);
    static const char *const drop[] = {"documentation", "documentationUrl", "min", "max", "pattern",
                                       "enum", "sensitive", "deprecated", "deprecatedMessage", "box",
                                       "examples", "wrapper", "synthetic", NULL};
    json_t *out = json_object();
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
        int skip = 0;
        for (const char *const *d = drop; *d && !skip; d++)
            skip = strcmp(*d, k) == 0;
        if (!skip)
            json_object_set_new(out, k, clean(x));
    }
    return out;
}

static void reach(json_t *shapes, const char *name, json_t *out)
{
    if (!name || json_object_get(out, name))
        return;
    json_t *s = json_object_get(shapes, name);
    if (!json_is_object(s))
        return;
    json_object_set_new(out, name, clean(s));
    const char *k;
    json_t *m;
    json_object_foreach(json_object_get(s, "members"), k, m)
        reach(shapes, json_string_value(json_object_get(m, "shape")), out);
    static const char *const refs[] = {"member", "key", "value", NULL};
    for (const char *const *r = refs; *r; r++)
        reach(shapes, json_string_value(json_object_get(json_object_get(s, *r), "shape")), out);
}

static int is_deprecated(const char *svc)
{
    for (const char *const *d = deprecated; *d; d++)
        if (strcmp(*d, svc) == 0)
            return 1;
    return 0;
}

/* The operation named by action (first letter lowercased), or NULL. */
static json_t *find_op(json_t *ops, const char *action, const char **name)
{
    const char *k;
    json_t *o;
    json_object_foreach(ops, k, o) {
        if (k[0] != action[0] && tolower((unsigned char)k[0]) == action[0] && strcmp(k + 1, action + 1) == 0) {
            *name = k;
            return o;
        }
    }
    return NULL;
}

json_t *asl_models_operations(const char *svc, const char *const *actions, char *why, size_t whyn)
{
    char *searched = NULL;
    if (is_deprecated(svc)) {
        snprintf(why, whyn, "the AWS SDK integration for '%s' is deprecated by Step Functions", svc);
        return NULL;
    }
    struct loaded *l = load(svc, &searched);
    if (!l) {
        snprintf(why, whyn, "the AWS service '%s' is not in the AWS service models (searched %s; "
                 "--aws-models DIR or $ASLC_AWS_MODELS names more)", svc,
                 searched ? searched : "no model directory found");
        free(searched);
        return NULL;
    }
    json_t *ops = json_object_get(l->model, "operations");
    json_t *shapes = json_object_get(l->model, "shapes");
    json_t *keep = json_object(), *kops = json_object(), *names = json_object();
    for (const char *const *a = actions; *a; a++) {
        const char *opname = NULL;
        json_t *op = find_op(ops, *a, &opname);
        if (!op) {
            snprintf(why, whyn, "the action '%s' is not an operation of '%s' in %s", *a, svc, l->version);
            json_decref(keep);
            json_decref(kops);
            json_decref(names);
            return NULL;
        }
        reach(shapes, json_string_value(json_object_get(json_object_get(op, "input"), "shape")), keep);
        reach(shapes, json_string_value(json_object_get(json_object_get(op, "output"), "shape")), keep);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(op, "errors"), i, e)
            reach(shapes, json_string_value(json_object_get(e, "shape")), keep);
        json_object_set_new(kops, opname, clean(op));
        json_object_set_new(names, *a, json_string(opname));
    }
    static const char *const mkeys[] = {"protocol", "jsonVersion", "targetPrefix", "endpointPrefix",
                                        "signingName", "apiVersion", "xmlNamespace", "signatureVersion",
                                        "serviceId", "globalEndpoint", "awsQueryCompatible", NULL};
    json_t *meta = json_object_get(l->model, "metadata");
    json_t *mo = json_object();
    for (const char *const *mk = mkeys; *mk; mk++)
        if (json_object_get(meta, *mk))
            json_object_set(mo, *mk, json_object_get(meta, *mk));
    char *prefix = asl_models_prefix(svc, meta);
    json_t *out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "service", svc, "prefix",
                            prefix ? prefix : svc, "models", l->version, "metadata", mo,
                            "operations", kops, "actions", names, "shapes", keep);
    free(prefix);
    return out;
}

char *asl_models_prefix(const char *svc, json_t *metadata)
{
    for (size_t i = 0; i < sizeof prefix_overrides / sizeof *prefix_overrides; i++)
        if (strcmp(prefix_overrides[i][0], svc) == 0)
            return strdup(prefix_overrides[i][1]);
    const char *sid = json_string_value(json_object_get(metadata, "serviceId"));
    if (!sid || !*sid)
        sid = svc;
    size_t n = strlen(sid);
    if (n > 8 && strcmp(sid + n - 8, " Service") == 0)
        n -= 8;
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    /* Words split on spaces and hyphens; an all-capitals word ("SFN",
     * "EC2", "ACM") becomes "Sfn", "Ec2", "Acm", "IoT" becomes "Iot", any
     * other word keeps its letters with the first one capitalised. */
    for (size_t i = 0; i < n;) {
        while (i < n && (sid[i] == ' ' || sid[i] == '-'))
            i++;
        size_t b = i;
        while (i < n && sid[i] != ' ' && sid[i] != '-')
            i++;
        if (b == i)
            continue;
        int upper = 1;
        for (size_t j = b; j < i; j++)
            if (islower((unsigned char)sid[j]))
                upper = 0;
        int iot = i - b == 3 && strncmp(sid + b, "IoT", 3) == 0;
        for (size_t j = b; j < i; j++) {
            char c = sid[j];
            if (j == b)
                c = (char)toupper((unsigned char)c);
            else if (upper || iot)
                c = (char)tolower((unsigned char)c);
            *o++ = c;
        }
    }
    *o = '\0';
    return out;
}
