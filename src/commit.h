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

#include "topic.h"

extern text *pp_commit_one(const char *topic, Jsonb *body);
extern void pp_live_channel(char *buf, size_t len, const char *topic);
extern void pp_notify_followers(const PPTopic *t);
extern ArrayType *pp_commit_batch(Jsonb *logs);

#endif							/* PIPEPROC_COMMIT_H */
