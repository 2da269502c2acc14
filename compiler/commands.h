/*
 * commands.h - aslc subcommands that live outside main.c.
 */
#ifndef ASLC_COMMANDS_H
#define ASLC_COMMANDS_H

#include <stdio.h>

#include "model.h"

/* Load and check a definition; NULL (with the diagnostics printed) when it
 * is invalid. */
struct asl_model *asl_load_checked(const char *file);

/* aslc tasks DEFINITION [--bind RESOURCE=PROGRAM]... (tasks.c) */
/* One line per Task state of doc: POINTER, RESOURCE, how it runs. */
void asl_tasks_report(FILE *out, json_t *doc, char *const *binds, size_t nbinds);
int asl_cmd_tasks(int argc, char **argv, const char *usage_text);
/* aslc graph DEFINITION [--format dot|svg|mermaid] [--history FILE] [-o FILE] (graph.c) */
int asl_cmd_graph(int argc, char **argv);

#endif
