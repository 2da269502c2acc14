/*
 * ops_meta.c - the operations about the state machine itself, activities
 * and tags.  The server serves one state machine: the binary's own, as
 * STANDARD, with no versions or aliases (it cannot be updated through the
 * API); its creationDate is the first time this store was served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"
#include "serve_ops.h"
#include "store/serve_queries.h"

#define MAX_TAGS 50

/* ------------------------------------------------------- the state machine */

static json_t *logging_config(void)
{
    return json_pack("{s:s,s:b}", "level", "OFF", "includeExecutionData", 0);
}

/* DescribeStateMachine -> {stateMachineArn, name, status, definition, roleArn,
 * type, creationDate, loggingConfiguration, tracingConfiguration} */
int asl_serve_op_describe_state_machine(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    if (asl_serve_check_sm(c, asl_serve_str(c, "stateMachineArn")) != 0)
        return ASL_SERVE_DONE;
    c->out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:{s:b}}", "stateMachineArn", s->sm_arn,
                       "name", s->sm_name, "status", "ACTIVE", "definition", s->prog->definition,
                       "roleArn", s->role_arn, "type", "STANDARD", "creationDate",
                       asl_serve_date(s->sm_created), "loggingConfiguration", logging_config(),
                       "tracingConfiguration", "enabled", 0);
    return ASL_SERVE_DONE;
}

/* The single-item lists (ListStateMachines) and the empty ones (versions,
 * aliases) still honour nextToken: a token must be one this server gave. */
static int page_start(struct asl_serve_call *c, const char *scope, int64_t *after)
{
    *after = 0;
    const char *tok = asl_serve_str(c, "nextToken");
    return tok ? asl_serve_page_decode(c, scope, tok, after) : 0;
}

int asl_serve_op_list_state_machines(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    int64_t after;
    if (page_start(c, "ListStateMachines", &after) != 0)
        return ASL_SERVE_DONE;
    json_t *list = json_array();
    if (after < 1)
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:o}", "stateMachineArn", s->sm_arn,
                                              "name", s->sm_name, "type", "STANDARD",
                                              "creationDate", asl_serve_date(s->sm_created)));
    c->out = json_pack("{s:o}", "stateMachines", list);
    return ASL_SERVE_DONE;
}

static int empty_list(struct asl_serve_call *c, const char *member)
{
    if (asl_serve_check_sm(c, asl_serve_str(c, "stateMachineArn")) != 0)
        return ASL_SERVE_DONE;
    int64_t after;
    if (page_start(c, c->op, &after) != 0)
        return ASL_SERVE_DONE;
    c->out = json_pack("{s:[]}", member);
    return ASL_SERVE_DONE;
}

int asl_serve_op_list_state_machine_versions(struct asl_serve_call *c)
{
    return empty_list(c, "stateMachineVersions");
}

int asl_serve_op_list_state_machine_aliases(struct asl_serve_call *c)
{
    return empty_list(c, "stateMachineAliases");
}

/* ------------------------------------------------------------- activities */

static char *activity_arn(struct asl_serve *s, const char *name)
{
    size_t n = strlen(s->region) + strlen(s->account) + strlen(name) + 40;
    char *arn = malloc(n);
    if (arn)
        snprintf(arn, n, "arn:aws:states:%s:%s:activity:%s", s->region, s->account, name);
    return arn;
}

/* An activity ARN of this region and account: 0, else -1 with InvalidArn. */
static int activity_arn_check(struct asl_serve_call *c, const char *arn, struct asl_serve_arn *a)
{
    if (asl_serve_arn_parse(c, arn, a) != 0)
        return -1;
    if (a->kind != ARN_ACTIVITY) {
        asl_serve_fail(c, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", a->type);
        return -1;
    }
    return 0;
}

/* Tags given to CreateActivity / TagResource: duplicates collapse, "aws:"
 * keys are reserved, at most 50 per resource. */
static int put_tags(struct asl_serve_call *c, struct asl_sq *q, const char *arn, json_t *tags)
{
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) {
        const char *key = json_string_value(json_object_get(t, "key"));
        const char *value = json_string_value(json_object_get(t, "value"));
        if (!key) {
            asl_serve_fail(c, "ValidationException",
                           "1 validation error detected: Value at 'tags.%zu.member.key' failed to satisfy "
                           "constraint: Member must not be null", i + 1);
            return -1;
        }
        if (strncmp(key, "aws:", 4) == 0) {
            asl_serve_fail(c, "ValidationException", "Tag keys starting with 'aws:' are reserved: '%s'", key);
            return -1;
        }
        if (asl_sq_tag_put(q, arn, key, value ? value : "") != ASL_SQ_OK) {
            asl_serve_store_fail(c, "saving tags", asl_sq_errmsg(q));
            return -1;
        }
    }
    int n = 0;
    if (asl_sq_tags_count(q, arn, &n) != ASL_SQ_OK) {
        asl_serve_store_fail(c, "counting tags", asl_sq_errmsg(q));
        return -1;
    }
    if (n > MAX_TAGS) {
        asl_serve_fail(c, "TooManyTags", "Too many tags: a resource holds at most %d, '%s' would have %d",
                       MAX_TAGS, arn, n);
        c->err.extra = json_pack("{s:s}", "resourceName", arn);
        return -1;
    }
    return 0;
}

/* CreateActivity {name, tags?, encryptionConfiguration?} -> {activityArn, creationDate};
 * idempotent by name: a repeat returns the first ARN and date, tags ignored. */
int asl_serve_op_create_activity(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *name = asl_serve_str(c, "name");
    if (!asl_serve_name_ok(name))
        return asl_serve_fail(c, "InvalidName", "Invalid Name: '%s'", name);
    json_t *enc = json_object_get(c->in, "encryptionConfiguration");
    if (json_is_object(enc)) {
        const char *type = json_string_value(json_object_get(enc, "type"));
        if (!type || strcmp(type, "AWS_OWNED_KEY") != 0)
            return asl_serve_fail(c, "InvalidEncryptionConfiguration",
                                  "Only encryptionConfiguration type AWS_OWNED_KEY is available on this "
                                  "server (no KMS): '%s'", type ? type : "(none)");
    }
    char *arn = activity_arn(s, name);
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    double created = 0;
    int rc = asl_sq_begin(h->sq);
    if (rc == ASL_SQ_OK)
        rc = asl_sq_activity_create(h->sq, arn, name, c->received, &created);
    if (rc == ASL_SQ_OK) {
        json_t *tags = json_object_get(c->in, "tags");
        if (tags && put_tags(c, h->sq, arn, tags) != 0) {
            asl_sq_rollback(h->sq);
            goto out;
        }
    }
    if (rc == ASL_SQ_OK || rc == ASL_SQ_EXISTS) {
        if (asl_sq_commit(h->sq) != ASL_SQ_OK) {
            asl_serve_store_fail(c, "creating an activity", asl_sq_errmsg(h->sq));
            asl_sq_rollback(h->sq);
            goto out;
        }
        c->out = json_pack("{s:s,s:o}", "activityArn", arn, "creationDate", asl_serve_date(created));
    } else {
        asl_serve_store_fail(c, "creating an activity", asl_sq_errmsg(h->sq));
        asl_sq_rollback(h->sq);
    }
out:
    asl_serve_db_put(s->db, h);
    free(arn);
    return ASL_SERVE_DONE;
}

int asl_serve_op_describe_activity(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *arn = asl_serve_str(c, "activityArn");
    struct asl_serve_arn a;
    if (activity_arn_check(c, arn, &a) != 0)
        return ASL_SERVE_DONE;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    double created = 0;
    int rc = asl_sq_activity_get(h->sq, arn, &created);
    if (rc == ASL_SQ_OK)
        c->out = json_pack("{s:s,s:s,s:o,s:{s:s}}", "activityArn", arn, "name", a.name, "creationDate",
                           asl_serve_date(created), "encryptionConfiguration", "type", "AWS_OWNED_KEY");
    else if (rc == ASL_SQ_NOT_FOUND)
        asl_serve_fail(c, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn);
    else
        asl_serve_store_fail(c, "reading an activity", asl_sq_errmsg(h->sq));
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

struct page {
    json_t *items;
    int limit;
    int64_t last;
    int more;
};

static int add_activity(void *arg, int64_t pos, const char *arn, const char *name, double created)
{
    struct page *p = arg;
    if ((int)json_array_size(p->items) == p->limit) {
        p->more = 1;
        return 1;
    }
    json_array_append_new(p->items, json_pack("{s:s,s:s,s:o}", "activityArn", arn, "name", name,
                                              "creationDate", asl_serve_date(created)));
    p->last = pos;
    return 0;
}

/* ListActivities {maxResults?, nextToken?} -> {activities, nextToken?}, in creation order. */
int asl_serve_op_list_activities(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    int64_t after;
    if (page_start(c, "ListActivities", &after) != 0)
        return ASL_SERVE_DONE;
    struct page p = {json_array(), asl_serve_page_size(c), 0, 0};
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    int rc = asl_sq_activity_list(h->sq, after, p.limit + 1, add_activity, &p);
    asl_serve_db_put(s->db, h);
    if (rc != ASL_SQ_OK) {
        json_decref(p.items);
        return asl_serve_store_fail(c, "listing activities", "see above");
    }
    c->out = json_pack("{s:o}", "activities", p.items);
    if (p.more)
        asl_serve_out_token(c, "ListActivities", p.last);
    return ASL_SERVE_DONE;
}

/* DeleteActivity {activityArn} -> {}; deleting twice is not an error (AWS). */
int asl_serve_op_delete_activity(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *arn = asl_serve_str(c, "activityArn");
    struct asl_serve_arn a;
    if (activity_arn_check(c, arn, &a) != 0)
        return ASL_SERVE_DONE;
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    int rc = asl_sq_begin(h->sq);
    if (rc == ASL_SQ_OK) {
        rc = asl_sq_activity_delete(h->sq, arn);
        if (rc == ASL_SQ_OK || rc == ASL_SQ_NOT_FOUND)
            rc = asl_sq_tags_drop(h->sq, arn);
    }
    if (rc == ASL_SQ_OK)
        rc = asl_sq_commit(h->sq);
    if (rc == ASL_SQ_OK) {
        c->out = json_object();
    } else {
        asl_serve_store_fail(c, "deleting an activity", asl_sq_errmsg(h->sq));
        asl_sq_rollback(h->sq);
    }
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

/* ------------------------------------------------------------------- tags */

/* A taggable resource: this state machine or an existing activity.  0, or
 * -1 with InvalidArn / ResourceNotFound set. */
static int tag_target(struct asl_serve_call *c, struct asl_serve_conn *h, const char *arn)
{
    struct asl_serve_arn a;
    if (asl_serve_arn_parse(c, arn, &a) != 0)
        return -1;
    double created;
    int found = (a.kind == ARN_STATE_MACHINE && strcmp(arn, c->srv->sm_arn) == 0) ||
                (a.kind == ARN_ACTIVITY && asl_sq_activity_get(h->sq, arn, &created) == ASL_SQ_OK);
    if (!found) {
        asl_serve_fail(c, "ResourceNotFound", "Resource not found: '%s'", arn);
        c->err.extra = json_pack("{s:s}", "resourceName", arn);
        return -1;
    }
    return 0;
}

static int add_tag(void *arg, const char *key, const char *value)
{
    json_array_append_new(arg, json_pack("{s:s,s:s}", "key", key, "value", value));
    return 0;
}

int asl_serve_op_list_tags(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *arn = asl_serve_str(c, "resourceArn");
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    if (tag_target(c, h, arn) == 0) {
        json_t *tags = json_array();
        if (asl_sq_tags_list(h->sq, arn, add_tag, tags) == ASL_SQ_OK)
            c->out = json_pack("{s:o}", "tags", tags);
        else {
            json_decref(tags);
            asl_serve_store_fail(c, "listing tags", asl_sq_errmsg(h->sq));
        }
    }
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

int asl_serve_op_tag_resource(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *arn = asl_serve_str(c, "resourceArn");
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    if (tag_target(c, h, arn) == 0) {
        if (asl_sq_begin(h->sq) != ASL_SQ_OK) {
            asl_serve_store_fail(c, "tagging", asl_sq_errmsg(h->sq));
        } else if (put_tags(c, h->sq, arn, json_object_get(c->in, "tags")) != 0) {
            asl_sq_rollback(h->sq);
        } else if (asl_sq_commit(h->sq) != ASL_SQ_OK) {
            asl_serve_store_fail(c, "tagging", asl_sq_errmsg(h->sq));
            asl_sq_rollback(h->sq);
        } else {
            c->out = json_object();
        }
    }
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}

int asl_serve_op_untag_resource(struct asl_serve_call *c)
{
    struct asl_serve *s = c->srv;
    const char *arn = asl_serve_str(c, "resourceArn");
    struct asl_serve_conn *h = asl_serve_db_get(s->db);
    if (tag_target(c, h, arn) == 0) {
        int rc = asl_sq_begin(h->sq);
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(c->in, "tagKeys"), i, k) {
            if (rc == ASL_SQ_OK)
                rc = asl_sq_tag_delete(h->sq, arn, json_string_value(k));
        }
        if (rc == ASL_SQ_OK)
            rc = asl_sq_commit(h->sq);
        if (rc == ASL_SQ_OK) {
            c->out = json_object();
        } else {
            asl_serve_store_fail(c, "untagging", asl_sq_errmsg(h->sq));
            asl_sq_rollback(h->sq);
        }
    }
    asl_serve_db_put(s->db, h);
    return ASL_SERVE_DONE;
}
