/*-------------------------------------------------------------------------
 *
 * proc.h
 *	  Procs: claim, ack, reclaim, and their administration.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_PROC_H
#define PIPEPROC_PROC_H

#include "datatype/timestamp.h"
#include "utils/tuplestore.h"

extern void pp_check_proc_name(const char *name);
extern void pp_check_proc_settings(const char *offset, int32 count, int32 max_reclaims,
								   Interval *timeout, const char *on_max);
extern int64 pp_proc_claim(const char *topic, const char *name, const char *offset,
						   int32 count, int32 max_reclaims, Interval *timeout,
						   const char *on_max, Tuplestorestate *store, TupleDesc desc);
extern bool pp_proc_create(const char *name, const char *topic, const char *offset,
						   int32 max_reclaims, Interval *timeout, const char *on_max);
extern char *pp_proc_ack(const char *name);
extern bool pp_proc_count_failure(const char *name);
extern Datum pp_proc_view_row(const char *name);

#endif							/* PIPEPROC_PROC_H */
