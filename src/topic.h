/*-------------------------------------------------------------------------
 *
 * topic.h
 *	  Topics: the catalog pipeproc.topic, a per-backend cache of it, topic
 *	  creation and removal, and access checks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_TOPIC_H
#define PIPEPROC_TOPIC_H

#include "parse.h"

typedef struct PPTopic
{
	char		name[PP_TOPIC_MAXLEN + 1];
	int64		id;
	Oid			relid;			/* pipeproc_data.topic_<id>, partitioned by seq */
	Oid			owner;
	int64		chunk_size;
	bool		unlogged;
	Oid			spcoid;			/* InvalidOid: the database's default */
} PPTopic;

typedef enum PPAccess
{
	PP_ACCESS_READ,				/* SELECT on the topic's table */
	PP_ACCESS_WRITE,			/* INSERT on the topic's table */
	PP_ACCESS_PEEK				/* like READ, but the caller checks access */
} PPAccess;

extern void pp_check_topic_name(const char *name);
extern PPTopic *pp_topic_open(const char *name, PPAccess access, bool create,
							  bool missing_ok);
extern PPTopic *pp_topic_create(const char *name, bool unlogged, Oid spcoid,
								bool if_not_exists);
extern bool pp_topic_readable(const PPTopic *t);
extern bool pp_topic_owned(const PPTopic *t);

#endif							/* PIPEPROC_TOPIC_H */
