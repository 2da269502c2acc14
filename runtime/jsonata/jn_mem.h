/*
 * jn_mem.h - the JSONata evaluation memory budget (jn_mem.c).
 */
#ifndef ASL_JSONATA_JN_MEM_H
#define ASL_JSONATA_JN_MEM_H

/* Route jansson's allocations through the counting hooks; call once, before
 * the first JSON value is made (asl_main does). */
void asl_jn_mem_install(void);

/* The budget, ASL_JN_MEM_MAX (64 MiB) unless set (0: back to it).  For
 * tests, which show a step stopped at a small budget in a fraction of the
 * time. */
void asl_jn_mem_set_max(long long bytes);

#endif
