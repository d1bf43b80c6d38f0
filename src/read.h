/*-------------------------------------------------------------------------
 *
 * read.h
 *	  The read path: range, revrange, length and topic statistics.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_READ_H
#define PIPEPROC_READ_H

#include "fmgr.h"
#include "utils/snapshot.h"
#include "utils/tuplestore.h"

#include "parse.h"
#include "topic.h"

extern void pp_parse_bound_arg(const char *s, PPBound *b, const char *argname);
extern bool pp_lower_seq(const PPTopic *t, Snapshot snap, const PPBound *b,
						 bool exclusive, int64 hw, int64 *lo);
extern void pp_begin_result(FunctionCallInfo fcinfo, Tuplestorestate **store,
							TupleDesc *desc);
extern void pp_put_log_row(Tuplestorestate *store, TupleDesc desc, int64 seq,
						   int64 ts, Datum body);
extern bool pp_seq_exists(const PPTopic *t, Snapshot snap, int64 seq, int64 *ts);

#endif							/* PIPEPROC_READ_H */
