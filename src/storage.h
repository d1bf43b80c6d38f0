/*-------------------------------------------------------------------------
 *
 * storage.h
 *	  Physical storage of logs: chunk tables, direct inserts, ordered
 *	  scans by seq and seeks by position.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_STORAGE_H
#define PIPEPROC_STORAGE_H

#include "utils/relcache.h"
#include "utils/snapshot.h"

#include "topic.h"

/* Return false to stop the scan. body points into the scan's slot. */
typedef bool (*PPLogVisitor) (int64 seq, int64 ts, Datum body, void *arg);

/* Open chunk inserters for one call of commit. */
typedef struct PPInserter PPInserter;

extern void pp_chunk_name(char *buf, size_t len, int64 topic_id, int64 chunkno);
extern Oid	pp_chunk_relid(int64 topic_id, int64 chunkno);
extern Oid	pp_ensure_chunk(const PPTopic *t, int64 chunkno, bool wait);

extern PPInserter *pp_inserter_begin(void);
extern void pp_inserter_put(PPInserter *ins, const PPTopic *t, int64 seq,
							int64 ts, Datum body);
extern void pp_inserter_end(PPInserter *ins);

extern int64 pp_scan_logs(const PPTopic *t, int64 lo, int64 hi, bool backward,
						  Snapshot snap, int64 limit,
						  PPLogVisitor visitor, void *arg);
extern bool pp_probe(const PPTopic *t, int64 lo, int64 hi, bool backward,
					 Snapshot snap, int64 *seq, int64 *ts);
extern bool pp_seek(const PPTopic *t, Snapshot snap, int64 lo, int64 hi,
					int64 pos_ts, int64 pos_seq, int64 *result);

#endif							/* PIPEPROC_STORAGE_H */
