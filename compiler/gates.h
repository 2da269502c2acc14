/*
 * gates.h - valid ASL that this version of aslc does not build yet.
 * Each such feature is a compile error naming it, never a silent no-op.
 */
#ifndef ASLC_GATES_H
#define ASLC_GATES_H

#include "model.h"

void asl_check_features(struct asl_model *m, struct asl_diags *d, struct asl_cstate *s);

#endif
