/*
 * commands.h - aslc subcommands that live outside main.c.
 */
#ifndef ASLC_COMMANDS_H
#define ASLC_COMMANDS_H

#include "model.h"

/* Load and check a definition; NULL (with the diagnostics printed) when it
 * is invalid. */
struct asl_model *asl_load_checked(const char *file);

/* aslc tasks DEFINITION [--bind RESOURCE=PROGRAM]... (tasks.c) */
int asl_cmd_tasks(int argc, char **argv, const char *usage_text);
/* aslc graph DEFINITION [--format dot|svg|mermaid] [--history FILE] [-o FILE] (graph.c) */
int asl_cmd_graph(int argc, char **argv);

#endif
