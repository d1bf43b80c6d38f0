/*-------------------------------------------------------------------------
 *
 * procrow.c
 *	  Direct access to the rows of pipeproc.proc on the claim/ack path.
 *
 * proc(), ack() and reclaim() each find one proc by name, lock its row and
 * update it.  Doing that through SQL costs a plan, an executor and a
 * search_path switch per statement, several times the work itself; here
 * it is an index probe on the primary key, a tuple lock and a heap update,
 * with the semantics of SELECT ... FOR UPDATE [SKIP LOCKED] followed by
 * UPDATE:
 *
 *	- READ COMMITTED: the row is found with a fresh snapshot and the lock
 *	  follows the row's update chain to its latest version, as the executor
 *	  does (EvalPlanQual);
 *	- REPEATABLE READ and SERIALIZABLE: a row changed by a transaction that
 *	  committed after ours began is a serialization failure (40001);
 *	- a row version our own transaction wrote needs no lock: no other
 *	  transaction can see it, and any that wants the row waits on the
 *	  version before it, which our transaction holds.
 *
 * Creation, destruction and the procs view are rare and stay in SQL
 * (proc.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pipeproc.h"
#include "procrow.h"

static const char *const pp_proc_colnames[PPC_NCOLS] = {
	"name", "topic", "owner", "from_offset", "status", "created_at",
	"last_claimed_at", "last_acked_at", "last_claimed_range", "last_acked_range",
	"previous_claimed_range", "pending", "reclaims", "max_reclaims",
	"reclaim_timeout", "on_max_reclaims", "after_ts", "after_seq", "after_exact",
	"claim_first_seq", "claim_last_ts", "claim_last_seq", "live"
};

/*
 * Open pipeproc.proc for writing, checking that its columns are the ones
 * this library knows.
 */
static Relation
pp_procrow_open(void)
{
	Oid			relid = get_relname_relid("proc", pp_namespace());
	Relation	rel;
	TupleDesc	desc;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("pipeproc's table pipeproc.proc is missing"),
				 errhint("Reinstall the extension: DROP EXTENSION pipeproc; CREATE EXTENSION pipeproc.")));
	rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(rel);
	if (desc->natts != PPC_NCOLS)
		goto mismatch;
	for (int i = 0; i < PPC_NCOLS; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || strcmp(NameStr(att->attname), pp_proc_colnames[i]) != 0)
			goto mismatch;
	}
	return rel;

mismatch:
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("pipeproc.proc does not have the columns of this version of pipeproc"),
			 errhint("Update the extension: ALTER EXTENSION pipeproc UPDATE.")));
	pg_unreachable();
}

static char *
pp_slot_text(TupleTableSlot *slot, PPProcCol col)
{
	if (slot->tts_isnull[col - 1])
		return NULL;
	return TextDatumGetCString(slot->tts_values[col - 1]);
}

/*
 * Fill r from the proc row in slot, a row of rel.
 */
static void
pp_procrow_read(Relation rel, TupleTableSlot *slot, PPProcRow *r)
{
	Datum	   *v;
	bool	   *isnull;

	slot_getallattrs(slot);
	v = slot->tts_values;
	isnull = slot->tts_isnull;

#define COL(c) v[(c) - 1]
	r->tid = slot->tts_tid;
	r->relid = RelationGetRelid(rel);
	r->tuple = ExecCopySlotHeapTuple(slot);
	r->topic = pp_slot_text(slot, PPC_TOPIC);
	r->owner = DatumGetObjectId(COL(PPC_OWNER));
	r->disabled = strcmp(pp_slot_text(slot, PPC_STATUS), "disabled") == 0;
	r->pending = DatumGetBool(COL(PPC_PENDING));
	r->claimed_at_null = isnull[PPC_LAST_CLAIMED_AT - 1];
	r->last_claimed_at = r->claimed_at_null ? 0 : DatumGetTimestampTz(COL(PPC_LAST_CLAIMED_AT));
	r->timeout_null = isnull[PPC_RECLAIM_TIMEOUT - 1];
	r->reclaim_timeout = NULL;
	if (!r->timeout_null)
	{
		r->reclaim_timeout = palloc(sizeof(Interval));
		memcpy(r->reclaim_timeout, DatumGetIntervalP(COL(PPC_RECLAIM_TIMEOUT)), sizeof(Interval));
	}
	r->reclaims = DatumGetInt32(COL(PPC_RECLAIMS));
	r->max_reclaims = DatumGetInt32(COL(PPC_MAX_RECLAIMS));
	r->on_max_disable = strcmp(pp_slot_text(slot, PPC_ON_MAX_RECLAIMS), "disable") == 0;
	r->after_ts = DatumGetInt64(COL(PPC_AFTER_TS));
	r->after_seq = DatumGetInt64(COL(PPC_AFTER_SEQ));
	r->after_exact = DatumGetBool(COL(PPC_AFTER_EXACT));
	r->last_claimed_range = pp_slot_text(slot, PPC_LAST_CLAIMED_RANGE);
	r->last_acked_range = pp_slot_text(slot, PPC_LAST_ACKED_RANGE);
	r->claim_last_ts = isnull[PPC_CLAIM_LAST_TS - 1] ? 0 : DatumGetInt64(COL(PPC_CLAIM_LAST_TS));
	r->claim_last_seq = isnull[PPC_CLAIM_LAST_SEQ - 1] ? 0 : DatumGetInt64(COL(PPC_CLAIM_LAST_SEQ));
#undef COL
}

/*
 * True if the row version in slot was written by our own transaction and
 * not updated or deleted since: it needs no lock (see the header).  Its
 * xmax may hold locks carried over from the version before (ours, or key
 * share locks of others, which do not conflict with an update); no other
 * transaction can lock this version before ours ends, as it can reach it
 * only by waiting for our update of the version before.
 */
static bool
pp_version_is_ours(TupleTableSlot *slot)
{
	bool		should_free;
	HeapTuple	tup = ExecFetchSlotHeapTuple(slot, false, &should_free);
	bool		ours;

	ours = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tup->t_data)) &&
		((tup->t_data->t_infomask & HEAP_XMAX_INVALID) != 0 ||
		 HEAP_XMAX_IS_LOCKED_ONLY(tup->t_data->t_infomask));
	if (should_free)
		heap_freetuple(tup);
	return ours;
}

static void
pp_serialization_failure(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to concurrent %s of a proc", what),
			 errhint("Retry the transaction.")));
}

/*
 * Find proc name and lock its row FOR UPDATE: waiting for a transaction
 * that holds it, or, with skip_locked, returning PP_ROW_BUSY at once.  op
 * names the calling function in errors ("ack()").
 */
PPLockResult
pp_procrow_lock(const char *name, const char *op, bool skip_locked, PPProcRow *r)
{
	Relation	rel;
	Relation	idx;
	IndexScanDesc scan;
	ScanKeyData key;
	TupleTableSlot *slot;
	Snapshot	snap;
	PPLockResult result;

	/* the checks the executor makes before SELECT ... FOR UPDATE */
	PreventCommandIfReadOnly(op);
	PreventCommandIfParallelMode(op);

	rel = pp_procrow_open();
	idx = index_open(RelationGetPrimaryKeyIndex(rel), RowExclusiveLock);
	slot = table_slot_create(rel, NULL);

	/* as a new statement would see it */
	if (IsolationUsesXactSnapshot())
		snap = RegisterSnapshot(GetTransactionSnapshot());
	else
		snap = RegisterSnapshot(GetLatestSnapshot());

	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   idx->rd_indcollation[0], F_TEXTEQ, CStringGetTextDatum(name));
	scan = index_beginscan(rel, idx, snap, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	if (!index_getnext_slot(scan, ForwardScanDirection, slot))
		result = PP_ROW_MISSING;
	else if (pp_version_is_ours(slot))
	{
		pp_procrow_read(rel, slot, r);
		result = PP_ROW_LOCKED;
	}
	else
	{
		ItemPointerData tid = slot->tts_tid;
		TM_FailureData tmfd;
		TM_Result	res;
		char	   *topic;

		/* the topic never changes: keep it for the caller of a busy row */
		slot_getsomeattrs(slot, PPC_TOPIC);
		topic = pp_slot_text(slot, PPC_TOPIC);

		res = table_tuple_lock(rel, &tid, snap, slot, GetCurrentCommandId(true),
							   LockTupleExclusive,
							   skip_locked ? LockWaitSkip : LockWaitBlock,
							   IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
							   &tmfd);
		switch (res)
		{
			case TM_Ok:
				pp_procrow_read(rel, slot, r);
				result = PP_ROW_LOCKED;
				break;
			case TM_WouldBlock:
				r->topic = topic;
				result = PP_ROW_BUSY;
				break;
			case TM_Deleted:
				if (IsolationUsesXactSnapshot())
					pp_serialization_failure("destruction");
				result = PP_ROW_MISSING;
				break;
			case TM_Updated:
				/* only without FIND_LAST_VERSION, that is, in RR/SERIALIZABLE */
				pp_serialization_failure("update");
				result = PP_ROW_MISSING;	/* keep the compiler quiet */
				break;
			case TM_SelfModified:
				/* e.g. an UPDATE of pipeproc.proc in the same statement */
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("proc \"%s\" was already changed by the current statement", name),
						 errhint("Call proc(), ack() and reclaim() in statements of their own.")));
				result = PP_ROW_MISSING;	/* keep the compiler quiet */
				break;
			default:
				elog(ERROR, "unexpected result %d locking the row of proc \"%s\"",
					 (int) res, name);
				result = PP_ROW_MISSING;	/* keep the compiler quiet */
				break;
		}
	}

	index_endscan(scan);
	UnregisterSnapshot(snap);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return result;
}

void
pp_change_init(PPRowChange *c)
{
	c->n = 0;
}

void
pp_change_set(PPRowChange *c, PPProcCol col, Datum value)
{
	Assert(c->n < PPC_NCOLS);
	c->cols[c->n] = col;
	c->values[c->n] = value;
	c->nulls[c->n] = false;
	c->n++;
}

void
pp_change_set_null(PPRowChange *c, PPProcCol col)
{
	pp_change_set(c, col, (Datum) 0);
	c->nulls[c->n - 1] = true;
}

/*
 * Apply a change to the row r locked by pp_procrow_lock; r->tid and
 * r->tuple follow the new version.  The change is visible to the
 * statements that follow (and to SQL run by this one).  The table was
 * checked when the row was locked, and our lock on it since then keeps
 * its definition as it was.
 */
void
pp_procrow_update(PPProcRow *r, const PPRowChange *c)
{
	Relation	rel = table_open(r->relid, RowExclusiveLock);
	HeapTuple	newtup;

	newtup = heap_modify_tuple_by_cols(r->tuple, RelationGetDescr(rel), c->n,
									   (int *) c->cols, (Datum *) c->values,
									   (bool *) c->nulls);

	/*
	 * As PostgreSQL updates its catalogs: a HOT update when the page has
	 * room (the usual case: only unindexed columns change), else new entries
	 * in both indexes.  Unlike an UPDATE statement it gives btree no "index
	 * unchanged" hint, so a run of non-HOT updates bloats the indexes a
	 * little more before VACUUM; the table holds one row per proc.
	 */
	CatalogTupleUpdate(rel, &r->tid, newtup);
	r->tid = newtup->t_self;
	heap_freetuple(r->tuple);
	r->tuple = newtup;
	table_close(rel, NoLock);
	CommandCounterIncrement();
}
