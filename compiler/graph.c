/*
 * graph.c - `aslc graph`: a picture of a workflow, and of one run of it.
 *
 *   aslc graph DEFINITION [--format dot|svg|mermaid] [--history HISTORY.json] [-o FILE]
 *
 * Every state is a node labelled with its name and type; Next, Default and
 * Choice-rule edges (labelled with the rule), Catch edges dashed and
 * labelled with their errors; a Parallel state's branches and a Map
 * state's processor are nested clusters holding the state's own node.
 * With a history (what a binary's --history writes, or AWS's
 * GetExecutionHistory answer), each state is coloured by what happened to
 * it in that run: succeeded, failed, caught, retried n times, or not
 * reached, and a Map state shows its iteration counts.
 *
 * SVG is DOT laid out by Graphviz: its library when aslc was built with
 * libgvc, else the `dot` program on $PATH.
 *
 * The picture is built from the checked definition's JSON; node ids are
 * s0, s1, ... in document order, so the output is stable.
 */
#define _GNU_SOURCE     /* mkstemps */
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "aslc_config.h"
#include "commands.h"
#include "vocab.h"

#ifdef ASLC_HAVE_GVC
#include <graphviz/gvc.h>
#endif

extern char **environ;

enum fmt { FMT_DOT, FMT_SVG, FMT_MERMAID };

/* ------------------------------------------------------------ text */

struct buf {
    char *s;
    size_t n, cap;
};

static void bput(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        while (b->n + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1024;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    bput(b, s, (size_t)n);
    free(s);
}

static void bputs(struct buf *b, const char *s)
{
    bput(b, s, strlen(s));
}

/* ------------------------------------------------------------ run outcomes */

struct outcome {
    const char *name;
    int entered, exited, failures, starts, fail_state;
    int iterations, iter_failed;
    char *last_error;
};

struct run {
    struct outcome *st;
    size_t n;
    int have;
};

static struct outcome *outcome_of(struct run *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->st[i].name, name) == 0)
            return &r->st[i];
    return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The name in an event's stateEnteredEventDetails / stateExitedEventDetails. */
static const char *event_state(json_t *e, const char *details)
{
    return json_string_value(json_object_get(json_object_get(e, details), "name"));
}

/* The state an event belongs to: follow previousEventId back to the nearest
 * StateEntered event. */
static const char *owning_state(json_t **by_id, size_t nids, json_t *e)
{
    for (int hops = 0; e && hops < 100000; hops++) {
        const char *type = json_string_value(json_object_get(e, "type"));
        if (type && ends_with(type, "StateEntered"))
            return event_state(e, "stateEnteredEventDetails");
        json_int_t prev = json_integer_value(json_object_get(e, "previousEventId"));
        if (prev <= 0 || (size_t)prev >= nids)
            return NULL;
        e = by_id[prev];
    }
    return NULL;
}

static int load_history(const char *file, struct run *r)
{
    json_error_t jerr;
    json_t *doc = json_load_file(file, 0, &jerr);
    if (!doc) {
        if (jerr.line < 0)
            fprintf(stderr, "aslc graph: cannot read the history %s: %s\n", file, jerr.text);
        else
            fprintf(stderr, "aslc graph: %s:%d:%d: the history is not JSON: %s\n", file, jerr.line,
                    jerr.column, jerr.text);
        return -1;
    }
    json_t *events = json_is_object(doc) ? json_object_get(doc, "events") : doc;
    if (!json_is_array(events)) {
        fprintf(stderr, "aslc graph: %s: a history is {\"events\": [...]} (what --history writes)\n", file);
        json_decref(doc);
        return -1;
    }
    size_t nids = 1, i;
    json_t *e;
    json_array_foreach(events, i, e) {
        json_int_t id = json_integer_value(json_object_get(e, "id"));
        if (id > 0 && (size_t)id >= nids)
            nids = (size_t)id + 1;
    }
    if (nids > 10000000) {
        fprintf(stderr, "aslc graph: %s: event ids too large\n", file);
        json_decref(doc);
        return -1;
    }
    json_t **by_id = calloc(nids, sizeof *by_id);
    if (!by_id)
        abort();
    json_array_foreach(events, i, e) {
        json_int_t id = json_integer_value(json_object_get(e, "id"));
        if (id > 0)
            by_id[id] = e;
    }
    json_array_foreach(events, i, e) {
        const char *type = json_string_value(json_object_get(e, "type"));
        if (!type)
            continue;
        const char *name = NULL;
        int entered = 0, exited = 0, failed = 0, start = 0, iter = 0, iter_failed = 0;
        if (ends_with(type, "StateEntered")) {
            name = event_state(e, "stateEnteredEventDetails");
            entered = 1;
        } else if (ends_with(type, "StateExited")) {
            name = event_state(e, "stateExitedEventDetails");
            exited = 1;
        } else if (strcmp(type, "MapIterationStarted") == 0) {
            name = event_state(e, "mapIterationStartedEventDetails");
            iter = 1;
        } else if (strcmp(type, "MapIterationFailed") == 0 || strcmp(type, "MapIterationAborted") == 0) {
            name = owning_state(by_id, nids, e);
            iter_failed = 1;
        } else if (strcmp(type, "ExecutionFailed") == 0 || strcmp(type, "ExecutionTimedOut") == 0 ||
                   strcmp(type, "ExecutionAborted") == 0) {
            continue;
        } else if (ends_with(type, "Failed") || ends_with(type, "TimedOut")) {
            /* TaskFailed, LambdaFunctionFailed, ParallelStateFailed, ... */
            name = owning_state(by_id, nids, e);
            failed = 1;
        } else if (ends_with(type, "Scheduled") || strcmp(type, "ParallelStateStarted") == 0 ||
                   strcmp(type, "MapStateStarted") == 0) {
            name = owning_state(by_id, nids, e);
            start = 1;
        }
        if (!name)
            continue;
        struct outcome *o = outcome_of(r, name);
        if (!o) {
            r->st = realloc(r->st, (r->n + 1) * sizeof *r->st);
            if (!r->st)
                abort();
            o = &r->st[r->n++];
            memset(o, 0, sizeof *o);
            o->name = strdup(name);
        }
        o->entered += entered;
        o->exited += exited;
        o->starts += start;
        o->iterations += iter;
        o->iter_failed += iter_failed;
        if (entered && strcmp(type, "FailStateEntered") == 0)
            o->fail_state = 1;
        if (failed) {
            o->failures++;
            json_t *details = NULL;
            const char *k;
            json_t *v;
            json_object_foreach(e, k, v) {
                if (ends_with(k, "EventDetails"))
                    details = v;
            }
            const char *err = json_string_value(json_object_get(details, "error"));
            free(o->last_error);
            o->last_error = err ? strdup(err) : NULL;
        }
    }
    free(by_id);
    json_decref(doc);
    r->have = 1;
    return 0;
}

static void run_free(struct run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free((char *)r->st[i].name);
        free(r->st[i].last_error);
    }
    free(r->st);
}

enum verdict { V_NONE, V_NOT_REACHED, V_SUCCEEDED, V_RETRIED, V_CAUGHT, V_FAILED, V_RUNNING };

static const char *const verdict_fill[] = {
    [V_NONE] = "white", [V_NOT_REACHED] = "#eeeeee", [V_SUCCEEDED] = "#c8e6c9",
    [V_RETRIED] = "#fff59d", [V_CAUGHT] = "#ffcc80", [V_FAILED] = "#ef9a9a", [V_RUNNING] = "#bbdefb",
};

/* What happened to a state, and the words for it. */
static enum verdict judge(const struct run *r, const char *name, char *words, size_t n)
{
    words[0] = '\0';
    if (!r->have)
        return V_NONE;
    const struct outcome *o = outcome_of((struct run *)r, name);
    if (!o || !o->entered) {
        snprintf(words, n, "not reached");
        return V_NOT_REACHED;
    }
    int retries = o->starts > o->entered ? o->starts - o->entered : 0;
    char rt[48] = "";
    if (retries)
        snprintf(rt, sizeof rt, ", retried %d time%s", retries, retries == 1 ? "" : "s");
    char it[64] = "";
    if (o->iterations)
        snprintf(it, sizeof it, ", %d iteration%s (%d failed)", o->iterations, o->iterations == 1 ? "" : "s",
                 o->iter_failed);
    enum verdict v;
    if (o->fail_state) {
        snprintf(words, n, "failed");
        return V_FAILED;
    }
    if (o->exited < o->entered && !o->failures) {
        snprintf(words, n, "did not finish%s%s", rt, it);
        return V_RUNNING;
    }
    if (o->exited < o->entered) {
        snprintf(words, n, "failed: %s%s%s", o->last_error ? o->last_error : "error", rt, it);
        return V_FAILED;
    }
    if (o->failures > retries) {
        snprintf(words, n, "caught %s%s%s", o->last_error ? o->last_error : "error", rt, it);
        return V_CAUGHT;
    }
    v = retries ? V_RETRIED : V_SUCCEEDED;
    char times[32] = "";
    if (o->entered > 1)
        snprintf(times, sizeof times, " %d times", o->entered);
    snprintf(words, n, "succeeded%s%s%s", times, rt, it);
    return v;
}

/* ------------------------------------------------------------ choice rules */

static void rule_text(json_t *rule, struct buf *b, int depth)
{
    if (depth > 8) {
        bputs(b, "...");
        return;
    }
    json_t *cond = json_object_get(rule, "Condition");
    if (json_is_string(cond)) {
        bputs(b, json_string_value(cond));
        return;
    }
    static const char *const logic[] = {"And", "Or"};
    for (int k = 0; k < 2; k++) {
        json_t *list = json_object_get(rule, logic[k]);
        if (json_is_array(list)) {
            size_t i;
            json_t *sub;
            bputs(b, "(");
            json_array_foreach(list, i, sub) {
                if (i)
                    bprintf(b, " %s ", k ? "or" : "and");
                rule_text(sub, b, depth + 1);
            }
            bputs(b, ")");
            return;
        }
    }
    json_t *not = json_object_get(rule, "Not");
    if (json_is_object(not)) {
        bputs(b, "not ");
        rule_text(not, b, depth + 1);
        return;
    }
    const char *var = json_string_value(json_object_get(rule, "Variable"));
    const char *k;
    json_t *v;
    json_object_foreach(rule, k, v) {
        if (!strcmp(k, "Variable") || !strcmp(k, "Next") || !strcmp(k, "Comment") || !strcmp(k, "Assign") ||
            !strcmp(k, "Output"))
            continue;
        char *val = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        bprintf(b, "%s %s %s", var ? var : "?", k, val ? val : "");
        free(val);
        return;
    }
}

/* ------------------------------------------------------------ drawing */

struct drawer {
    enum fmt fmt;
    struct buf out;
    int next_id;
    int finish;             /* an End edge was drawn: the finish node is needed */
    const struct run *run;
};

struct block {
    json_t *node;           /* the object holding StartAt and States */
    const char **names;
    int *ids;
    size_t n;
};

/* A DOT string literal's content (inside "..."), or Mermaid's ("..." with entities). */
static void quote(struct drawer *d, struct buf *b, const char *s, size_t max)
{
    size_t len = strlen(s);
    int cut = len > max;
    for (size_t i = 0; i < len && i < max; i++) {
        char c = s[i];
        if (d->fmt == FMT_MERMAID) {
            if (c == '"')
                bputs(b, "#quot;");
            else if (c == '<')
                bputs(b, "#lt;");
            else if (c == '>')
                bputs(b, "#gt;");
            else if (c == '|')
                bputs(b, "#124;");
            else if (c == '#')
                bputs(b, "#35;");
            else if (c == '\n')
                bputs(b, " ");
            else
                bput(b, &c, 1);
        } else {
            if (c == '"' || c == '\\')
                bput(b, "\\", 1);
            if (c == '\n')
                bputs(b, "\\n");
            else
                bput(b, &c, 1);
        }
    }
    if (cut)
        bputs(b, "...");
}

static int block_id(const struct block *bl, const char *name)
{
    for (size_t i = 0; i < bl->n; i++)
        if (strcmp(bl->names[i], name) == 0)
            return bl->ids[i];
    return -1;
}

static void indent(struct buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        bputs(b, "  ");
}

static void edge(struct drawer *d, int depth, int from, int to, const char *label, int dashed)
{
    struct buf *b = &d->out;
    indent(b, depth);
    if (d->fmt == FMT_MERMAID) {
        bprintf(b, "s%d %s", from, dashed ? "-.->" : "-->");
        if (label && *label) {
            bputs(b, "|\"");
            quote(d, b, label, 72);
            bputs(b, "\"|");
        }
        bprintf(b, " s%d\n", to);
        return;
    }
    bprintf(b, "s%d -> s%d", from, to);
    if ((label && *label) || dashed) {
        bputs(b, " [");
        if (label && *label) {
            bputs(b, "label=\"");
            quote(d, b, label, 72);
            bputs(b, "\"");
        }
        if (dashed)
            bprintf(b, "%sstyle=dashed", label && *label ? ", " : "");
        bputs(b, "]");
    }
    bputs(b, ";\n");
}

static void draw_block(struct drawer *d, json_t *machine, int depth, int top);

static void node(struct drawer *d, int depth, int id, const char *name, const char *type)
{
    struct buf *b = &d->out;
    char words[160];
    enum verdict v = judge(d->run, name, words, sizeof words);
    char label[512];
    snprintf(label, sizeof label, "%s\n(%s)%s%s", name, type ? type : "?", *words ? "\n" : "", words);
    int t = type ? asl_state_type_lookup(type) : -1;
    int choice = t == ASL_CHOICE;
    int end = t == ASL_SUCCEED || t == ASL_FAIL;
    indent(b, depth);
    if (d->fmt == FMT_MERMAID) {
        bprintf(b, "s%d%s\"", id, choice ? "{" : end ? "([" : "[");
        quote(d, b, name, 80);
        bprintf(b, "<br/>(%s)", type ? type : "?");
        if (*words) {
            bputs(b, "<br/>");
            quote(d, b, words, 120);
        }
        bprintf(b, "\"%s\n", choice ? "}" : end ? "])" : "]");
        if (v != V_NONE) {
            indent(b, depth);
            bprintf(b, "style s%d fill:%s\n", id, verdict_fill[v]);
        }
        return;
    }
    bprintf(b, "s%d [label=\"", id);
    quote(d, b, label, sizeof label);
    bputs(b, "\"");
    if (choice)
        bputs(b, ", shape=diamond");
    else if (end)
        bputs(b, ", peripheries=2");
    if (v != V_NONE)
        bprintf(b, ", fillcolor=\"%s\"", verdict_fill[v]);
    if (v == V_NOT_REACHED)
        bputs(b, ", fontcolor=\"#757575\"");
    bputs(b, "];\n");
}

static void cluster_open(struct drawer *d, int depth, const char *cid, const char *label)
{
    struct buf *b = &d->out;
    indent(b, depth);
    if (d->fmt == FMT_MERMAID) {
        bprintf(b, "subgraph %s[\"", cid);
        quote(d, b, label, 80);
        bputs(b, "\"]\n");
        return;
    }
    bprintf(b, "subgraph cluster_%s {\n", cid);
    indent(b, depth + 1);
    bputs(b, "label=\"");
    quote(d, b, label, 80);
    bputs(b, "\"; style=\"rounded,dashed\"; color=\"#9e9e9e\";\n");
}

static void cluster_close(struct drawer *d, int depth)
{
    indent(&d->out, depth);
    bputs(&d->out, d->fmt == FMT_MERMAID ? "end\n" : "}\n");
}

/* A nested machine as a cluster, and an edge from its owner's node to its start. */
static void draw_child(struct drawer *d, json_t *machine, int depth, int owner, const char *cid,
                      const char *label)
{
    cluster_open(d, depth, cid, label);
    int first = d->next_id;
    draw_block(d, machine, depth + 1, 0);
    cluster_close(d, depth);
    /* The start is the first node draw_block gave StartAt. */
    json_t *states = json_object_get(machine, "States");
    const char *start = json_string_value(json_object_get(machine, "StartAt"));
    int i = 0;
    const char *k;
    json_t *v;
    int start_id = -1;
    json_object_foreach(states, k, v) {
        if (start && strcmp(k, start) == 0)
            start_id = first + i;
        i++;
    }
    if (start_id >= 0)
        edge(d, depth, owner, start_id, NULL, 0);
}

static void draw_block(struct drawer *d, json_t *machine, int depth, int top)
{
    json_t *states = json_object_get(machine, "States");
    struct block bl = {.node = machine, .n = json_object_size(states)};
    bl.names = calloc(bl.n + 1, sizeof *bl.names);
    bl.ids = calloc(bl.n + 1, sizeof *bl.ids);
    if (!bl.names || !bl.ids)
        abort();
    /* Ids: this block's states first, in document order, then nested ones. */
    size_t i = 0;
    const char *name;
    json_t *st;
    int base = d->next_id;
    json_object_foreach(states, name, st) {
        bl.names[i] = name;
        bl.ids[i] = base + (int)i;
        i++;
    }
    d->next_id += (int)bl.n;
    i = 0;
    json_object_foreach(states, name, st) {
        int id = bl.ids[i++];
        const char *type = json_string_value(json_object_get(st, "Type"));
        json_t *branches = json_object_get(st, "Branches");
        json_t *proc = json_object_get(st, "ItemProcessor");
        if (!json_is_object(proc))
            proc = json_object_get(st, "Iterator");
        int nested = (json_is_array(branches) && json_array_size(branches)) || json_is_object(proc);
        if (!nested) {
            node(d, depth, id, name, type);
            continue;
        }
        char cid[32];
        snprintf(cid, sizeof cid, "c%d", id);
        char label[300];
        snprintf(label, sizeof label, "%s (%s)", name, type ? type : "?");
        cluster_open(d, depth, cid, label);
        node(d, depth + 1, id, name, type);
        size_t bi;
        json_t *b;
        json_array_foreach(branches, bi, b) {
            char bcid[48], blabel[32];
            snprintf(bcid, sizeof bcid, "c%d_b%zu", id, bi);
            snprintf(blabel, sizeof blabel, "Branch %zu", bi);
            draw_child(d, b, depth + 1, id, bcid, blabel);
        }
        if (json_is_object(proc)) {
            char pcid[48];
            snprintf(pcid, sizeof pcid, "c%d_p", id);
            draw_child(d, proc, depth + 1, id, pcid, "Iteration");
        }
        cluster_close(d, depth);
    }
    /* Edges of this block. */
    if (top) {
        const char *start = json_string_value(json_object_get(machine, "StartAt"));
        int sid = start ? block_id(&bl, start) : -1;
        if (sid >= 0) {
            indent(&d->out, depth);
            bputs(&d->out, d->fmt == FMT_MERMAID ? "start((start))" : "start");
            bprintf(&d->out, d->fmt == FMT_MERMAID ? " --> s%d\n" : " -> s%d;\n", sid);
        }
    }
    i = 0;
    json_object_foreach(states, name, st) {
        int id = bl.ids[i++];
        const char *next = json_string_value(json_object_get(st, "Next"));
        if (next && block_id(&bl, next) >= 0)
            edge(d, depth, id, block_id(&bl, next), NULL, 0);
        size_t ci;
        json_t *rule;
        json_array_foreach(json_object_get(st, "Choices"), ci, rule) {
            const char *to = json_string_value(json_object_get(rule, "Next"));
            if (!to || block_id(&bl, to) < 0)
                continue;
            struct buf t = {0};
            rule_text(rule, &t, 0);
            edge(d, depth, id, block_id(&bl, to), t.s ? t.s : "", 0);
            free(t.s);
        }
        const char *def = json_string_value(json_object_get(st, "Default"));
        if (def && block_id(&bl, def) >= 0)
            edge(d, depth, id, block_id(&bl, def), "Default", 0);
        json_array_foreach(json_object_get(st, "Catch"), ci, rule) {
            const char *to = json_string_value(json_object_get(rule, "Next"));
            if (!to || block_id(&bl, to) < 0)
                continue;
            struct buf t = {0};
            size_t ei;
            json_t *err;
            json_array_foreach(json_object_get(rule, "ErrorEquals"), ei, err) {
                if (ei)
                    bputs(&t, ", ");
                bputs(&t, json_string_value(err) ? json_string_value(err) : "?");
            }
            edge(d, depth, id, block_id(&bl, to), t.s ? t.s : "", 1);
            free(t.s);
        }
        if (top && json_is_true(json_object_get(st, "End"))) {
            d->finish = 1;
            indent(&d->out, depth);
            bprintf(&d->out, d->fmt == FMT_MERMAID ? "s%d --> finish((end))\n" : "s%d -> finish;\n", id);
        }
    }
    free(bl.names);
    free(bl.ids);
}

static char *draw(json_t *doc, enum fmt fmt, const struct run *run)
{
    struct drawer d = {.fmt = fmt, .run = run};
    if (fmt == FMT_MERMAID) {
        bputs(&d.out, "flowchart TD\n");
    } else {
        bputs(&d.out, "digraph workflow {\n"
                      "  rankdir=TB; compound=true; fontname=\"Helvetica\"; fontsize=11;\n"
                      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"white\", fontname=\"Helvetica\", fontsize=11];\n"
                      "  edge [fontname=\"Helvetica\", fontsize=9];\n"
                      "  start [shape=circle, label=\"\", width=0.2, style=filled, fillcolor=black];\n");
    }
    draw_block(&d, doc, 1, 1);
    if (fmt != FMT_MERMAID) {
        if (d.finish)
            bputs(&d.out, "  finish [shape=doublecircle, label=\"\", width=0.15, style=filled, fillcolor=black];\n");
        bputs(&d.out, "}\n");
    }
    return d.out.s;
}

/* ------------------------------------------------------------ SVG */

static int svg_with_dot_program(const char *dot_text, FILE *out)
{
    const char *tmpdir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/aslc-graph-XXXXXX.dot", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        fprintf(stderr, "aslc graph: cannot write a temporary file: %s\n", strerror(errno));
        return -1;
    }
    size_t len = strlen(dot_text);
    int ok = write(fd, dot_text, len) == (ssize_t)len;
    close(fd);
    int pfd[2];
    if (!ok || pipe(pfd) != 0) {
        unlink(path);
        fprintf(stderr, "aslc graph: cannot write a temporary file\n");
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    char *argv[] = {"dot", "-Tsvg", path, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        unlink(path);
        fprintf(stderr, "aslc graph: SVG needs Graphviz: this aslc was built without libgvc and there is no "
                        "`dot` program on PATH (%s).\n"
                        "            Install Graphviz (Debian: apt-get install graphviz), or use --format dot "
                        "or --format mermaid.\n", strerror(rc));
        return -1;
    }
    char buf[8192];
    ssize_t got;
    while ((got = read(pfd[0], buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0)
            fwrite(buf, 1, (size_t)got, out);
    close(pfd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    unlink(path);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "aslc graph: dot -Tsvg failed\n");
        return -1;
    }
    return 0;
}

static int render_svg(const char *dot_text, FILE *out)
{
#ifdef ASLC_HAVE_GVC
    if (!getenv("ASLC_GRAPH_USE_DOT")) {
        GVC_t *gvc = gvContext();
        Agraph_t *g = gvc ? agmemread(dot_text) : NULL;
        int rc = -1;
        if (g && gvLayout(gvc, g, "dot") == 0) {
            char *data = NULL;
            unsigned int len = 0;
            if (gvRenderData(gvc, g, "svg", &data, &len) == 0 && data) {
                fwrite(data, 1, len, out);
                rc = 0;
            }
            gvFreeRenderData(data);
            gvFreeLayout(gvc, g);
        }
        if (g)
            agclose(g);
        if (gvc)
            gvFreeContext(gvc);
        if (rc == 0)
            return 0;
        /* The library is there but has no dot layout or SVG plugin: try the program. */
    }
#endif
    return svg_with_dot_program(dot_text, out);
}

#if defined(ASLC_HAVE_GVC) && defined(__SANITIZE_ADDRESS__)
/* Graphviz's library and the fontconfig it loads keep caches they never free
 * (every gvContext/gvFreeContext pair leaves them).  They are not aslc's
 * leaks; LeakSanitizer reads this hook for suppressions.  Nothing of aslc's
 * own code is suppressed. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libgvc.so\nleak:libfontconfig.so\nleak:libcgraph.so\nleak:libpango\nleak:libcairo.so\n";
}
#endif

/* ------------------------------------------------------------ command */

static const char *const usage_graph =
    "usage: aslc graph DEFINITION.json [--format dot|svg|mermaid] [--history HISTORY.json] [-o FILE]\n"
    "\n"
    "Draw the workflow: every state with its type, Next/Default/Choice-rule edges, Catch edges\n"
    "dashed, Parallel branches and Map processors as nested clusters.  With --history (a file\n"
    "a binary's --history wrote), each state is coloured by what happened in that run:\n"
    "succeeded (green), retried (yellow), caught (orange), failed (red), not reached (grey).\n"
    "--format: dot (default), svg (through Graphviz), mermaid.  Output: stdout, or -o FILE.\n";

int asl_cmd_graph(int argc, char **argv)
{
    const char *def = NULL, *hist = NULL, *outfile = NULL;
    enum fmt fmt = FMT_DOT;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_graph, stdout);
            return 0;
        }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--format") == 0 || strcmp(a, "--history") == 0 || strcmp(a, "-o") == 0) && i + 1 >= argc) {
            fprintf(stderr, "aslc graph: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--format") == 0) {
            const char *f = argv[++i];
            if (strcmp(f, "dot") == 0)
                fmt = FMT_DOT;
            else if (strcmp(f, "svg") == 0)
                fmt = FMT_SVG;
            else if (strcmp(f, "mermaid") == 0)
                fmt = FMT_MERMAID;
            else {
                fprintf(stderr, "aslc graph: --format takes dot, svg or mermaid (got '%s')\n", f);
                return 2;
            }
        } else if (strcmp(a, "--history") == 0) {
            hist = argv[++i];
        } else if (strcmp(a, "-o") == 0) {
            outfile = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "aslc graph: unknown option %s\n", a);
            fputs(usage_graph, stderr);
            return 2;
        } else if (!def) {
            def = a;
        } else {
            fprintf(stderr, "aslc graph: one definition at a time (got %s and %s)\n", def, a);
            return 2;
        }
    }
    if (!def) {
        fputs(usage_graph, stderr);
        return 2;
    }
    struct run run = {0};
    if (hist && load_history(hist, &run) != 0)
        return 2;
    struct asl_model *m = asl_load_checked(def);
    if (!m) {
        run_free(&run);
        return 1;
    }
    char *text = draw(m->doc, fmt == FMT_MERMAID ? FMT_MERMAID : FMT_DOT, &run);
    asl_model_free(m);
    run_free(&run);
    FILE *out = outfile ? fopen(outfile, "w") : stdout;
    if (!out) {
        fprintf(stderr, "aslc graph: cannot write %s: %s\n", outfile, strerror(errno));
        free(text);
        return 2;
    }
    int rc = 0;
    if (fmt == FMT_SVG)
        rc = render_svg(text, out) == 0 ? 0 : 1;
    else
        fputs(text, out);
    free(text);
    if (outfile && fclose(out) != 0) {
        fprintf(stderr, "aslc graph: cannot write %s: %s\n", outfile, strerror(errno));
        rc = 2;
    }
    if (rc != 0 && outfile)
        unlink(outfile);
    return rc;
}
