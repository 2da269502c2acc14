/*
 * test_aws_wire.c - the AWS wire readers and writers (runtime/aws/) on the
 * inputs the fuzz harnesses (tests/fuzz/fuzz_aws_xml.c, fuzz_aws_model.c)
 * found, minimised, with the behaviour they must have now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static const char model_text[] =
    "{\"metadata\":{\"protocol\":\"query\",\"apiVersion\":\"2020-01-01\",\"endpointPrefix\":\"fz\"},"
    "\"actions\":{\"op\":\"Op\"},"
    "\"operations\":{\"Op\":{\"name\":\"Op\",\"http\":{\"method\":\"POST\",\"requestUri\":\"/\"},"
    "\"input\":{\"shape\":\"In\"},\"output\":{\"shape\":\"Out\"}}},"
    "\"shapes\":{\"In\":{\"type\":\"structure\",\"members\":{\"N\":{\"shape\":\"L\"},\"T\":{\"shape\":\"Ts\"}}},"
    "\"Out\":{\"type\":\"structure\",\"members\":{\"T\":{\"shape\":\"Ts\"},\"D\":{\"shape\":\"F\"}}},"
    "\"L\":{\"type\":\"long\"},\"F\":{\"type\":\"double\"},\"Ts\":{\"type\":\"timestamp\"}}}";

static struct asl_aws_model model(json_t *root, const char *protocol)
{
    struct asl_aws_model m = {.root = root, .meta = json_object_get(root, "metadata"),
                              .ops = json_object_get(root, "operations"),
                              .actions = json_object_get(root, "actions"),
                              .shapes = json_object_get(root, "shapes"), .service = "fz", .prefix = "Fz",
                              .protocol = protocol};
    return m;
}

/* The parsed output of an XML body, as compact JSON (caller frees). */
static char *parse_xml(const char *body)
{
    json_t *root = json_loads(model_text, 0, NULL);
    struct asl_aws_model m = model(root, "rest-xml");
    struct asl_net_resp rs = {.status = 200, .headers = json_array(), .body = (char *)body,
                              .body_len = strlen(body)};
    struct asl_err err = {0};
    json_t *out = asl_aws_parse(&m, json_object_get(m.ops, "Op"), &rs, 0, &err);
    char *s = out ? json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS) : strdup(err.cause ? err.cause : "?");
    json_decref(out);
    asl_err_clear(&err);
    json_decref(rs.headers);
    json_decref(root);
    return s;
}

/* The query body a parameter set serialises to, or "ERR <cause>". */
static char *serialize(const char *params)
{
    json_t *root = json_loads(model_text, 0, NULL);
    struct asl_aws_model m = model(root, "query");
    json_t *p = json_loads(params, JSON_DECODE_ANY, NULL);
    struct asl_aws_request rq = {0};
    struct asl_err err = {0};
    char *s;
    if (asl_aws_serialize(&m, json_object_get(m.ops, "Op"), p, &rq, &err) == 0)
        s = strndup(rq.body.p ? rq.body.p : "", rq.body.len);
    else {
        s = malloc(strlen(err.cause) + 5);
        sprintf(s, "ERR %s", err.cause);
    }
    asl_err_clear(&err);
    asl_aws_request_clear(&rq);
    json_decref(p);
    json_decref(root);
    return s;
}

static void expect(char *got, const char *want)
{
    CHECK(strcmp(got, want) == 0, "got %s, want %s", got, want);
    free(got);
}

int main(void)
{
    /* fuzz_aws_xml: an epoch timestamp of 10^76 seconds reached a double
     * to time_t conversion (undefined behaviour); out-of-range timestamps
     * and numbers are kept as the service's text. */
    expect(parse_xml("<OpResponse><T>17002222222222222222222222222222222222222222222222222222222222222222222222000</T></OpResponse>"),
           "{\"T\":\"17002222222222222222222222222222222222222222222222222222222222222222222222000\"}");
    expect(parse_xml("<OpResponse><T>-1e300</T><D>1e999</D></OpResponse>"), "{\"D\":\"1e999\",\"T\":\"-1e300\"}");
    expect(parse_xml("<OpResponse><T>1700000000.5</T><D>2.5</D></OpResponse>"),
           "{\"D\":2.5,\"T\":\"2023-11-14T22:13:20.500Z\"}");
    /* the same conversions on the request side: a long parameter keeps all
     * its digits, a huge real is not an integer, a timestamp out of
     * years 1..9999 is not a timestamp */
    expect(serialize("{\"N\": 9007199254740993}"), "Action=Op&N=9007199254740993&Version=2020-01-01");
    expect(serialize("{\"N\": 1e300}"), "ERR The value for the field 'N' must be an integer");
    expect(serialize("{\"N\": 3.0}"), "Action=Op&N=3&Version=2020-01-01");
    expect(serialize("{\"T\": 1e300}"), "ERR The value for the field 'T' must be a timestamp");
    expect(serialize("{\"T\": 0}"), "Action=Op&T=1970-01-01T00%3A00%3A00Z&Version=2020-01-01");
    if (failures)
        printf("%d failures\n", failures);
    return failures != 0;
}
