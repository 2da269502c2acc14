/*
 * fuzz_aws_model.c - the compile-time service model reader: arbitrary
 * bytes as DIR/fz/2020-01-01/service-2.json, asl_models_operations for
 * operation "Op", then the pruned model through the runtime's request
 * serialiser (every protocol) with a few parameter sets, and its response
 * reader on an empty answer.
 *
 * Input: a service-2.json file's bytes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/aws.h"
#include "models/models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char file[128];

static const char *const params[] = {"{}", "{\"A\":\"x\",\"B\":[1,2],\"C\":{\"k\":\"v\"}}",
                                     "{\"Bucket\":\"b\",\"Key\":\"a/b\",\"Body\":{\"x\":1},\"N\":3,\"T\":\"2020-01-01T00:00:00Z\"}"};
static const char *const protocols[] = {"json", "rest-json", "query", "ec2", "rest-xml"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_aws_model.%d", (int)getpid());
        char p[128];
        mkdir(dir, 0700);
        snprintf(p, sizeof p, "%s/fz", dir);
        mkdir(p, 0700);
        snprintf(p, sizeof p, "%s/fz/2020-01-01", dir);
        mkdir(p, 0700);
        snprintf(file, sizeof file, "%s/service-2.json", p);
    }
    FILE *f = fopen(file, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    asl_models_cleanup();
    asl_models_add_dir(dir);
    char why[1024];
    const char *actions[] = {"op", NULL};
    json_t *pm = asl_models_operations("fz", actions, why, sizeof why);
    if (pm) {
        struct asl_aws_model m = {.root = pm, .meta = json_object_get(pm, "metadata"),
                                  .ops = json_object_get(pm, "operations"),
                                  .actions = json_object_get(pm, "actions"),
                                  .shapes = json_object_get(pm, "shapes"), .service = "fz", .prefix = "Fz"};
        json_t *op = asl_aws_model_op(&m, "op");
        for (size_t p = 0; op && p < 5; p++) {
            m.protocol = protocols[p];
            for (size_t i = 0; i < 3; i++) {
                json_t *v = json_loads(params[i], 0, NULL);
                struct asl_aws_request rq = {0};
                struct asl_err err = {0};
                asl_aws_serialize(&m, op, v, &rq, &err);
                asl_aws_request_clear(&rq);
                asl_err_clear(&err);
                json_decref(v);
            }
            struct asl_net_resp rs = {.status = 200, .headers = json_array(), .body = (char *)"", .body_len = 0};
            struct asl_err err = {0};
            json_decref(asl_aws_parse(&m, op, &rs, 0, &err));
            asl_err_clear(&err);
            json_decref(rs.headers);
        }
        json_decref(pm);
    }
    return 0;
}
