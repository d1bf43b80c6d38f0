/*-------------------------------------------------------------------------
 *
 * commit.h
 *	  Writing logs: commit(topic, body) and commit(logs).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_COMMIT_H
#define PIPEPROC_COMMIT_H

#include "utils/array.h"
#include "utils/jsonb.h"

extern text *pp_commit_one(const char *topic, Jsonb *body);
extern ArrayType *pp_commit_batch(Jsonb *logs);

#endif							/* PIPEPROC_COMMIT_H */
