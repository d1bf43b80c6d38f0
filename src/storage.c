/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  Chunk tables, direct inserts, ordered scans and seeks.
 *
 * A topic's logs live in chunk tables pipeproc_data.topic_<id>_<k>, partitions
 * of pipeproc_data.topic_<id> holding seqs [k * chunk_size, (k + 1) * chunk_size).
 * Each chunk has a unique btree on seq.  The hot paths bypass the planner:
 * commit inserts into the right chunk's heap and index directly, and reads
 * walk the chunks' indexes in seq order, so their cost does not depend on
 * how many chunks a topic has.
 *
 * ts is non-decreasing in seq within a topic (shmem.c guarantees it), so
 * the position (ts, seq) of a log orders exactly like seq; pp_seek() finds
 * a position by binary search over seq, with no index on ts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_tablespace.h"
#include "commands/tablespace.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "pipeproc.h"
#include "storage.h"

/* column numbers of pipeproc.logs and of every chunk */
#define Anum_log_topic_id	1
#define Anum_log_seq		2
#define Anum_log_ts			3
#define Anum_log_body		4
#define Natts_log			4

/* lock tag field4 for "creating chunk" locks (advisory use 1 and 2) */
#define PP_LOCKTAG_CHUNK	0x7070

typedef struct PPChunkWriter
{
	int64		topic_id;		/* the chunk: topic and number */
	int64		chunkno;
	Oid			relid;			/* InvalidOid: slot free */
	Relation	rel;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
} PPChunkWriter;

struct PPInserter
{
	EState	   *estate;
	CommandId	cid;
	int			nwriters;
	PPChunkWriter writers[8];	/* small LRU-less cache; flushed when full */
	int			next_victim;
};

void
pp_chunk_name(char *buf, size_t len, int64 topic_id, int64 chunkno)
{
	snprintf(buf, len, "topic_%lld_%lld", (long long) topic_id, (long long) chunkno);
}

/*
 * The chunk's OID, or InvalidOid if it does not exist (a syscache probe).
 */
Oid
pp_chunk_relid(int64 topic_id, int64 chunkno)
{
	char		name[NAMEDATALEN];

	pp_chunk_name(name, sizeof(name), topic_id, chunkno);
	return get_relname_relid(name, pp_data_namespace());
}

/*
 * Create chunk chunkno of topic t as the extension owner, in the current
 * transaction, owned by the extension owner.  The caller holds the chunk's
 * creation lock.
 */
static Oid
pp_create_chunk(const PPTopic *t, int64 chunkno)
{
	PPCatalogAccess acc;
	char		chunk[NAMEDATALEN];
	char		parent[NAMEDATALEN];
	StringInfoData sql;
	Oid			relid;
	int64		lo = chunkno * t->chunk_size;
	int64		hi = lo + t->chunk_size;

	pp_chunk_name(chunk, sizeof(chunk), t->id, chunkno);
	snprintf(parent, sizeof(parent), "topic_%lld", (long long) t->id);

	pp_catalog_begin(&acc);
	/* the tablespace is a GUC value, never SQL text */
	if (OidIsValid(t->spcoid))
		(void) set_config_option("default_tablespace", get_tablespace_name(t->spcoid),
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	else
		(void) set_config_option("default_tablespace", "",
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE %sTABLE pipeproc_data.%s (LIKE pipeproc.logs);"
					 "ALTER TABLE pipeproc_data.%s ATTACH PARTITION pipeproc_data.%s"
					 " FOR VALUES FROM (%lld) TO (%lld)",
					 t->unlogged ? "UNLOGGED " : "",
					 quote_identifier(chunk), quote_identifier(parent),
					 quote_identifier(chunk), (long long) lo, (long long) hi);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create chunk %s", chunk);
	SPI_finish();
	pfree(sql.data);

	relid = get_relname_relid(chunk, pp_data_namespace());
	if (!OidIsValid(relid))
		elog(ERROR, "chunk %s vanished after creation", chunk);
	pp_catalog_end(&acc);
	CommandCounterIncrement();
	return relid;
}

/*
 * Return chunk chunkno of t, creating it if needed.  With wait = false,
 * give up (InvalidOid) when another transaction is creating it.
 */
Oid
pp_ensure_chunk(const PPTopic *t, int64 chunkno, bool wait)
{
	Oid			relid = pp_chunk_relid(t->id, chunkno);
	LOCKTAG		tag;

	if (OidIsValid(relid))
		return relid;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) t->id,
						 (uint32) chunkno, PP_LOCKTAG_CHUNK);
	if (LockAcquire(&tag, ExclusiveLock, false, !wait) == LOCKACQUIRE_NOT_AVAIL)
		return InvalidOid;
	/* whoever held the lock may have created it meanwhile */
	AcceptInvalidationMessages();
	relid = pp_chunk_relid(t->id, chunkno);
	if (OidIsValid(relid))
		return relid;
	return pp_create_chunk(t, chunkno);
}

PPInserter *
pp_inserter_begin(void)
{
	PPInserter *ins = palloc0(sizeof(PPInserter));

	ins->estate = CreateExecutorState();
	ins->cid = GetCurrentCommandId(true);
	return ins;
}

static void
pp_writer_close(PPChunkWriter *w)
{
	ExecCloseIndices(w->rri);
	ExecDropSingleTupleTableSlot(w->slot);
	table_close(w->rel, NoLock);
	w->relid = InvalidOid;
}

static PPChunkWriter *
pp_writer_get(PPInserter *ins, const PPTopic *t, int64 seq)
{
	int64		chunkno = seq / t->chunk_size;
	Oid			relid;
	PPChunkWriter *w;
	MemoryContext old;

	/* an open writer holds its chunk's lock: the chunk is still there */
	for (int i = 0; i < ins->nwriters; i++)
		if (ins->writers[i].topic_id == t->id && ins->writers[i].chunkno == chunkno &&
			OidIsValid(ins->writers[i].relid))
			return &ins->writers[i];

	relid = pp_ensure_chunk(t, chunkno, true);

	/* entering this chunk: have the next one ready, without waiting */
	(void) pp_ensure_chunk(t, chunkno + 1, false);

	if (ins->nwriters < lengthof(ins->writers))
		w = &ins->writers[ins->nwriters++];
	else
	{
		w = &ins->writers[ins->next_victim];
		ins->next_victim = (ins->next_victim + 1) % lengthof(ins->writers);
		pp_writer_close(w);
	}
	old = MemoryContextSwitchTo(ins->estate->es_query_cxt);
	w->topic_id = t->id;
	w->chunkno = chunkno;
	w->relid = relid;
	w->rel = table_open(relid, RowExclusiveLock);
	w->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(w->rri, w->rel, 1, NULL, 0);
	ExecOpenIndices(w->rri, false);
	w->slot = table_slot_create(w->rel, NULL);
	MemoryContextSwitchTo(old);
	return w;
}

/*
 * Insert one log into the chunk that holds seq.
 */
void
pp_inserter_put(PPInserter *ins, const PPTopic *t, int64 seq, int64 ts, Datum body)
{
	PPChunkWriter *w = pp_writer_get(ins, t, seq);
	TupleTableSlot *slot = w->slot;

	ExecClearTuple(slot);
	slot->tts_values[Anum_log_topic_id - 1] = Int64GetDatum(t->id);
	slot->tts_values[Anum_log_seq - 1] = Int64GetDatum(seq);
	slot->tts_values[Anum_log_ts - 1] = Int64GetDatum(ts);
	slot->tts_values[Anum_log_body - 1] = body;
	memset(slot->tts_isnull, 0, sizeof(bool) * Natts_log);
	ExecStoreVirtualTuple(slot);

	table_tuple_insert(w->rel, slot, ins->cid, 0, NULL);
	(void) ExecInsertIndexTuples(w->rri, slot, ins->estate, false, false, NULL, NIL);
	ResetPerTupleExprContext(ins->estate);
}

void
pp_inserter_end(PPInserter *ins)
{
	for (int i = 0; i < ins->nwriters; i++)
		if (OidIsValid(ins->writers[i].relid))
			pp_writer_close(&ins->writers[i]);
	FreeExecutorState(ins->estate);
	pfree(ins);
}

/*
 * Visit the stored logs of t with lo <= seq <= hi in seq order (backward:
 * descending), at most limit of them (limit <= 0: no limit), as seen by
 * snap.  Returns how many were visited.
 */
int64
pp_scan_logs(const PPTopic *t, int64 lo, int64 hi, bool backward,
			 Snapshot snap, int64 limit, PPLogVisitor visitor, void *arg)
{
	int64		n = 0;
	int64		k_lo,
				k_hi;
	bool		stop = false;

	if (lo < 0)
		lo = 0;
	if (lo > hi)
		return 0;
	k_lo = lo / t->chunk_size;
	k_hi = hi / t->chunk_size;

	for (int64 i = 0; i <= k_hi - k_lo && !stop; i++)
	{
		int64		k = backward ? k_hi - i : k_lo + i;
		Oid			relid = pp_chunk_relid(t->id, k);
		Relation	rel;
		Relation	idx;
		IndexScanDesc scan;
		TupleTableSlot *slot;
		ScanKeyData keys[2];
		List	   *indexes;

		CHECK_FOR_INTERRUPTS();
		if (!OidIsValid(relid))
			continue;
		rel = try_table_open(relid, AccessShareLock);
		if (rel == NULL)
			continue;			/* dropped by the collector meanwhile */
		indexes = RelationGetIndexList(rel);
		if (indexes == NIL)
			elog(ERROR, "chunk \"%s\" has no index", RelationGetRelationName(rel));
		idx = index_open(linitial_oid(indexes), AccessShareLock);

		ScanKeyInit(&keys[0], 1, BTGreaterEqualStrategyNumber, F_INT8GE,
					Int64GetDatum(lo));
		ScanKeyInit(&keys[1], 1, BTLessEqualStrategyNumber, F_INT8LE,
					Int64GetDatum(hi));
		scan = index_beginscan(rel, idx, snap, 2, 0);
		index_rescan(scan, keys, 2, NULL, 0);
		slot = table_slot_create(rel, NULL);

		while (index_getnext_slot(scan, backward ? BackwardScanDirection : ForwardScanDirection, slot))
		{
			bool		isnull;
			int64		seq = DatumGetInt64(slot_getattr(slot, Anum_log_seq, &isnull));
			int64		ts = DatumGetInt64(slot_getattr(slot, Anum_log_ts, &isnull));
			Datum		body = (Datum) 0;

			if (visitor != NULL)
			{
				body = slot_getattr(slot, Anum_log_body, &isnull);
				if (!visitor(seq, ts, body, arg))
					stop = true;
			}
			n++;
			if (limit > 0 && n >= limit)
				stop = true;
			if (stop)
				break;
		}
		index_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
		index_close(idx, NoLock);
		table_close(rel, NoLock);
		list_free(indexes);
	}
	return n;
}

typedef struct PPProbeResult
{
	int64		seq;
	int64		ts;
} PPProbeResult;

static bool
pp_probe_visitor(int64 seq, int64 ts, Datum body, void *arg)
{
	PPProbeResult *r = arg;

	r->seq = seq;
	r->ts = ts;
	return false;
}

/*
 * The first (backward: last) stored log with lo <= seq <= hi.
 */
bool
pp_probe(const PPTopic *t, int64 lo, int64 hi, bool backward, Snapshot snap,
		 int64 *seq, int64 *ts)
{
	PPProbeResult r;

	if (pp_scan_logs(t, lo, hi, backward, snap, 1, pp_probe_visitor, &r) == 0)
		return false;
	*seq = r.seq;
	*ts = r.ts;
	return true;
}

/* (ts, seq) >= (pos_ts, pos_seq) */
static inline bool
pos_ge(int64 ts, int64 seq, int64 pos_ts, int64 pos_seq)
{
	return ts > pos_ts || (ts == pos_ts && seq >= pos_seq);
}

/*
 * The smallest stored seq in [lo, hi] whose position (ts, seq) is at or
 * after (pos_ts, pos_seq); false if there is none.  Binary search over
 * seq: O(log(hi - lo)) index probes.
 */
bool
pp_seek(const PPTopic *t, Snapshot snap, int64 lo, int64 hi,
		int64 pos_ts, int64 pos_seq, int64 *result)
{
	int64		l,
				r,
				b,
				s,
				ts;

	if (!pp_probe(t, lo, hi, false, snap, &s, &ts))
		return false;
	if (pos_ge(ts, s, pos_ts, pos_seq))
	{
		*result = s;
		return true;
	}
	l = s;
	if (!pp_probe(t, lo, hi, true, snap, &s, &ts) || !pos_ge(ts, s, pos_ts, pos_seq))
		return false;
	r = s;
	/*
	 * l is stored and before the position, r is stored and at or after it;
	 * stored seqs in (l, b] are still unknown.
	 */
	b = r - 1;
	while (l < b)
	{
		int64		m = l + (b - l + 1) / 2;	/* l < m <= b */

		if (!pp_probe(t, m, b, false, snap, &s, &ts))
			b = m - 1;
		else if (pos_ge(ts, s, pos_ts, pos_seq))
		{
			r = s;
			b = s - 1;
		}
		else
			l = s;
	}
	*result = r;
	return true;
}
