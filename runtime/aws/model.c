/*
 * model.c - the pruned service models at run time: parsed once per table,
 * shared by every thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

struct cached {
    const char *text;
    struct asl_aws_model m;
    struct cached *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached *cache;

const struct asl_aws_model *asl_aws_model_get(const char *text)
{
    pthread_mutex_lock(&lock);
    struct cached *c;
    for (c = cache; c; c = c->next)
        if (c->text == text)
            break;
    if (!c) {
        json_t *root = json_loads(text, 0, NULL);
        if (root && (c = calloc(1, sizeof *c)) != NULL) {
            c->text = text;
            c->m.root = root;
            c->m.meta = json_object_get(root, "metadata");
            c->m.ops = json_object_get(root, "operations");
            c->m.actions = json_object_get(root, "actions");
            c->m.shapes = json_object_get(root, "shapes");
            c->m.service = json_string_value(json_object_get(root, "service"));
            c->m.prefix = json_string_value(json_object_get(root, "prefix"));
            c->m.protocol = json_string_value(json_object_get(c->m.meta, "protocol"));
            if (!c->m.service || !c->m.prefix || !c->m.protocol || !json_is_object(c->m.shapes)) {
                json_decref(root);
                free(c);
                c = NULL;
            } else {
                c->next = cache;
                cache = c;
            }
        } else {
            json_decref(root);
        }
    }
    pthread_mutex_unlock(&lock);
    return c ? &c->m : NULL;
}

json_t *asl_aws_model_op(const struct asl_aws_model *m, const char *action)
{
    const char *name = json_string_value(json_object_get(m->actions, action));
    return name ? json_object_get(m->ops, name) : NULL;
}

json_t *asl_aws_shape(const struct asl_aws_model *m, json_t *ref)
{
    const char *name = json_string_value(json_object_get(ref, "shape"));
    return name ? json_object_get(m->shapes, name) : NULL;
}
