/*
 * fuzz_aws_xml.c - AWS XML responses: asl_xml_parse (expat), then the
 * shape-directed readers of the query, ec2 and rest-xml protocols and the
 * error readers, over a small fixed model with lists (wrapped and
 * flattened), maps, attributes, timestamps, blobs and numbers.
 *
 * Input: a response body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char model_text[] =
    "{\"service\":\"fz\",\"prefix\":\"Fz\",\"models\":\"fuzz\","
    "\"metadata\":{\"protocol\":\"query\",\"apiVersion\":\"2020-01-01\",\"endpointPrefix\":\"fz\"},"
    "\"actions\":{\"op\":\"Op\"},"
    "\"operations\":{\"Op\":{\"name\":\"Op\",\"input\":{\"shape\":\"In\"},"
    "\"output\":{\"shape\":\"Out\",\"resultWrapper\":\"OpResult\"},\"errors\":[{\"shape\":\"Bad\"}]}},"
    "\"shapes\":{\"In\":{\"type\":\"structure\",\"members\":{}},"
    "\"Bad\":{\"type\":\"structure\",\"members\":{},\"error\":{\"code\":\"BadThing\"}},"
    "\"Out\":{\"type\":\"structure\",\"members\":{\"A\":{\"shape\":\"S\"},\"N\":{\"shape\":\"I\"},"
    "\"D\":{\"shape\":\"F\"},\"T\":{\"shape\":\"Ts\"},\"B\":{\"shape\":\"Bl\"},\"Ok\":{\"shape\":\"Bo\"},"
    "\"L\":{\"shape\":\"Ls\"},\"FL\":{\"shape\":\"Fl\",\"locationName\":\"item\"},\"M\":{\"shape\":\"Mp\"},"
    "\"At\":{\"shape\":\"S\",\"xmlAttribute\":true,\"locationName\":\"at\"},\"Sub\":{\"shape\":\"Out\"}}},"
    "\"S\":{\"type\":\"string\"},\"I\":{\"type\":\"integer\"},\"F\":{\"type\":\"double\"},"
    "\"Ts\":{\"type\":\"timestamp\"},\"Bl\":{\"type\":\"blob\"},\"Bo\":{\"type\":\"boolean\"},"
    "\"Ls\":{\"type\":\"list\",\"member\":{\"shape\":\"Out\",\"locationName\":\"item\"}},"
    "\"Fl\":{\"type\":\"list\",\"flattened\":true,\"member\":{\"shape\":\"S\"}},"
    "\"Mp\":{\"type\":\"map\",\"key\":{\"shape\":\"S\"},\"value\":{\"shape\":\"Out\"}}}}";

static const char *const protocols[] = {"query", "ec2", "rest-xml"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct asl_xml *x = asl_xml_parse((const char *)data, size);
    asl_xml_free(x);
    json_t *root = json_loads(model_text, 0, NULL);
    if (!root)
        abort();
    struct asl_aws_model m = {.root = root, .meta = json_object_get(root, "metadata"),
                              .ops = json_object_get(root, "operations"),
                              .actions = json_object_get(root, "actions"),
                              .shapes = json_object_get(root, "shapes"), .service = "fz", .prefix = "Fz"};
    json_t *op = json_object_get(m.ops, "Op");
    char *body = malloc(size + 1);
    memcpy(body, data, size);
    body[size] = '\0';
    struct asl_net_resp rs = {.status = 400, .headers = json_array(), .body = body, .body_len = size};
    for (size_t i = 0; i < 3; i++) {
        m.protocol = protocols[i];
        struct asl_err err = {0};
        json_t *out = asl_aws_parse(&m, op, &rs, (int)i & 1, &err);
        json_decref(out);
        asl_err_clear(&err);
        asl_aws_sdk_error(&m, op, &rs, &err);
        asl_err_clear(&err);
    }
    json_decref(rs.headers);
    free(body);
    json_decref(root);
    return 0;
}
