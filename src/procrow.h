/*-------------------------------------------------------------------------
 *
 * procrow.h
 *	  Direct access to the rows of pipeproc.proc: find a proc by name,
 *	  lock its row, read it and update it without going through SQL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_PROCROW_H
#define PIPEPROC_PROCROW_H

#include "access/htup.h"
#include "datatype/timestamp.h"
#include "storage/itemptr.h"

/* The columns of pipeproc.proc, in table order (checked when opened). */
typedef enum PPProcCol
{
	PPC_NAME = 1,
	PPC_TOPIC,
	PPC_OWNER,
	PPC_FROM_OFFSET,
	PPC_STATUS,
	PPC_CREATED_AT,
	PPC_LAST_CLAIMED_AT,
	PPC_LAST_ACKED_AT,
	PPC_LAST_CLAIMED_RANGE,
	PPC_LAST_ACKED_RANGE,
	PPC_PREVIOUS_CLAIMED_RANGE,
	PPC_PENDING,
	PPC_RECLAIMS,
	PPC_MAX_RECLAIMS,
	PPC_RECLAIM_TIMEOUT,
	PPC_ON_MAX_RECLAIMS,
	PPC_AFTER_TS,
	PPC_AFTER_SEQ,
	PPC_AFTER_EXACT,
	PPC_CLAIM_FIRST_SEQ,
	PPC_CLAIM_LAST_TS,
	PPC_CLAIM_LAST_SEQ,
	PPC_LIVE
} PPProcCol;

#define PPC_NCOLS PPC_LIVE

/* The row of a proc as the state machine needs it. */
typedef struct PPProcRow
{
	ItemPointerData tid;		/* the version we hold locked */
	Oid			relid;			/* pipeproc.proc, checked when locked */
	HeapTuple	tuple;			/* a copy of that version */
	char	   *topic;
	Oid			owner;
	bool		disabled;
	bool		pending;
	bool		claimed_at_null;
	TimestampTz last_claimed_at;
	bool		timeout_null;
	Interval   *reclaim_timeout;
	int32		reclaims;
	int32		max_reclaims;
	bool		on_max_disable;
	int64		after_ts;
	int64		after_seq;
	bool		after_exact;
	char	   *last_claimed_range;
	char	   *last_acked_range;
	int64		claim_last_ts;
	int64		claim_last_seq;
} PPProcRow;

/* Result of pp_procrow_lock */
typedef enum PPLockResult
{
	PP_ROW_LOCKED,				/* *r is the locked row */
	PP_ROW_BUSY,				/* another transaction holds it (skip_locked);
								 * r->topic is set */
	PP_ROW_MISSING				/* no such proc */
} PPLockResult;

extern PPLockResult pp_procrow_lock(const char *name, const char *op, bool skip_locked,
									 PPProcRow *r);

/* A change to a locked row: up to PPC_NCOLS columns. */
typedef struct PPRowChange
{
	int			n;
	int			cols[PPC_NCOLS];
	Datum		values[PPC_NCOLS];
	bool		nulls[PPC_NCOLS];
} PPRowChange;

extern void pp_change_init(PPRowChange *c);
extern void pp_change_set(PPRowChange *c, PPProcCol col, Datum value);
extern void pp_change_set_null(PPRowChange *c, PPProcCol col);
extern void pp_procrow_update(PPProcRow *r, const PPRowChange *c);

#endif							/* PIPEPROC_PROCROW_H */
