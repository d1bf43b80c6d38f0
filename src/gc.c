/*-------------------------------------------------------------------------
 *
 * gc.c
 *	  The garbage collector: gc() collects old logs that no proc needs.
 *
 * Rules (SPEC section 6).  In a topic, each active proc protects every log
 * from the first log of its previous claim on; an active proc that has no
 * previous claim protects every log; disabled procs protect nothing.  Logs
 * protected by no proc are collected once they are older than
 * pipeproc.gc_min_prune_time.  Because ts never decreases as seq grows,
 * what may go is always a prefix of the topic: every seq below a cutoff.
 * The cutoff also never passes the topic's last stable offset, so a log
 * still in flight is never in the collected prefix.
 *
 * How.  A chunk wholly below the cutoff is emptied with TRUNCATE, which
 * gives its disk space back at commit, if its lock can be had at once;
 * when someone is reading or writing that chunk right now, its rows are
 * deleted instead (vacuum reclaims them), so the collector never waits
 * for readers and readers never wait for it.  The chunk holding the cutoff
 * loses its rows below the cutoff with a DELETE bounded to that chunk.
 * Everything happens in the caller's transaction: collected logs vanish
 * from every snapshot taken after it commits, and a rollback collects
 * nothing.  The topic's catalog row remembers the cutoff and the last
 * timestamp, so that seqs and ids never go back even when every log of a
 * topic has been collected and the server restarts.
 *
 * Empty chunk tables are kept (dropping one would lock its whole topic).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "gc.h"
#include "parse.h"
#include "pipeproc.h"
#include "shmem.h"
#include "storage.h"

int			pp_gc_min_prune_time = 30000;

/* the highest ts among the logs a scan visits */
static bool
pp_gc_max_ts_visitor(int64 seq, int64 ts, Datum body, void *arg)
{
	int64	   *max_ts = arg;

	if (ts > *max_ts)
		*max_ts = ts;
	return true;
}

/*
 * The lowest seq the active procs of topic t protect: 0 when one of them
 * has no previous claim, PG_INT64_MAX when none is active.
 */
static int64
pp_gc_protected_from(const PPTopic *t)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		arg = CStringGetTextDatum(t->name);
	int64		from = PG_INT64_MAX;

	if (plan == NULL)
	{
		plan = SPI_prepare("SELECT previous_claimed_range FROM pipeproc.proc"
						   " WHERE topic = $1 AND status = 'active'", 1, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
	}
	if (SPI_execute_plan(plan, &arg, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the procs of topic \"%s\"", t->name);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *range = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *dots;
		PPBound		b;

		if (range == NULL)
			return 0;			/* no previous claim: it protects every log */
		dots = strstr(range, "..");
		if (dots == NULL || !pp_parse_bound(range, dots - range, &b) ||
			b.kind != PP_BOUND_ID)
			elog(ERROR, "proc of topic \"%s\" has a malformed range \"%s\"", t->name, range);
		from = Min(from, b.seq);
	}
	return from;
}

/*
 * Collect what may be collected in topic t; returns how many logs went.
 * The caller is connected to SPI and acts as the extension owner.
 */
static int64
pp_gc_topic(const PPTopic *t)
{
	static SPIPlanPtr first_plan = NULL;
	static SPIPlanPtr update_plan = NULL;
	Oid			types[3] = {INT8OID, INT8OID, INT8OID};
	Datum		args[3];
	bool		isnull;
	int64		stable,
				cutoff,
				first,
				seq,
				ts,
				max_ts = PG_INT64_MIN,
				collected = 0;
	Snapshot	snap;

	/* the catalog's record of what was collected before */
	if (first_plan == NULL)
	{
		first_plan = SPI_prepare("SELECT first_seq FROM pipeproc.topic WHERE id = $1 FOR UPDATE",
								 1, types);
		if (first_plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(first_plan);
	}
	args[0] = Int64GetDatum(t->id);
	if (SPI_execute_plan(first_plan, args, NULL, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		return 0;				/* dropped meanwhile */
	first = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	/* settled first, then the snapshot: every log below stable + 1 is in it or gone */
	stable = pp_stable_offset(t->id);
	snap = RegisterSnapshot(GetLatestSnapshot());

	cutoff = Min(stable + 1, pp_gc_protected_from(t));
	if (cutoff > first)
	{
		int64		age_limit = pp_now_ms() - pp_gc_min_prune_time;

		/* the first log young enough to stay bounds the cutoff too */
		if (pp_seek(t, snap, first, cutoff - 1, age_limit, PG_INT64_MIN, &seq))
			cutoff = seq;
	}
	if (cutoff <= first)
	{
		UnregisterSnapshot(snap);
		return 0;
	}

	for (int64 k = first / t->chunk_size; k <= (cutoff - 1) / t->chunk_size; k++)
	{
		int64		lo = Max(first, k * t->chunk_size);
		int64		hi = Min(cutoff - 1, (k + 1) * t->chunk_size - 1);
		Oid			relid = pp_chunk_relid(t->id, k);
		char		sql[256];
		char		name[NAMEDATALEN];

		CHECK_FOR_INTERRUPTS();
		if (!OidIsValid(relid))
			continue;
		pp_chunk_name(name, sizeof(name), t->id, k);
		if (hi == (k + 1) * t->chunk_size - 1 &&
			ConditionalLockRelationOid(relid, AccessExclusiveLock))
		{
			/* the whole chunk goes, and nobody is using it */
			collected += pp_scan_logs(t, lo, hi, false, snap, 0, pp_gc_max_ts_visitor, &max_ts);
			snprintf(sql, sizeof(sql), "TRUNCATE pipeproc_data.%s", name);
			if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
				elog(ERROR, "could not truncate chunk \"%s\"", name);
		}
		else
		{
			/* someone is in this chunk, or only part of it goes */
			if (snprintf(sql, sizeof(sql),
						 "WITH d AS (DELETE FROM pipeproc_data.%s WHERE seq <= $1 RETURNING ts)"
						 " SELECT pg_catalog.count(*), pg_catalog.max(ts) FROM d", name) >= (int) sizeof(sql))
				elog(ERROR, "collector statement too long");
			args[0] = Int64GetDatum(hi);
			if (SPI_execute_with_args(sql, 1, types, args, NULL, false, 0) != SPI_OK_SELECT ||
				SPI_processed != 1)
				elog(ERROR, "could not collect logs from chunk \"%s\"", name);
			collected += DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
			ts = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
			if (!isnull)
				max_ts = Max(max_ts, ts);
		}
	}
	UnregisterSnapshot(snap);

	if (update_plan == NULL)
	{
		update_plan = SPI_prepare("UPDATE pipeproc.topic SET first_seq = $2,"
								  " last_ts = GREATEST(last_ts, $3) WHERE id = $1",
								  3, types);
		if (update_plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(update_plan);
	}
	args[0] = Int64GetDatum(t->id);
	args[1] = Int64GetDatum(cutoff);
	args[2] = Int64GetDatum(Max(max_ts, 0));
	if (SPI_execute_plan(update_plan, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not record the collection of topic \"%s\"", t->name);
	return collected;
}

PG_FUNCTION_INFO_V1(pipeproc_gc);

/*
 * gc() returns bigint: collect now, in every topic the caller owns (a
 * superuser: every topic); returns how many logs were collected.
 */
Datum
pipeproc_gc(PG_FUNCTION_ARGS)
{
	Oid			user = GetUserId();
	PPCatalogAccess acc;
	int64		total = 0;
	int			ntopics;
	char	  **names;
	Oid		   *owners;

	pp_require_shmem();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* the topics, in id order */
	pp_catalog_begin(&acc);
	if (SPI_execute("SELECT name, owner FROM pipeproc.topic ORDER BY id", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the topics");
	pp_catalog_end(&acc);
	ntopics = (int) SPI_processed;
	names = palloc(sizeof(char *) * Max(ntopics, 1));
	owners = palloc(sizeof(Oid) * Max(ntopics, 1));
	for (int i = 0; i < ntopics; i++)
	{
		bool		isnull;

		names[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		owners[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}

	for (int i = 0; i < ntopics; i++)
	{
		PPTopic    *t;

		CHECK_FOR_INTERRUPTS();
		if (!has_privs_of_role(user, owners[i]))
			continue;
		t = pp_topic_open(names[i], PP_ACCESS_PEEK, false, true);
		if (t == NULL)
			continue;
		pp_catalog_begin(&acc);
		total += pp_gc_topic(t);
		pp_catalog_end(&acc);
	}
	SPI_finish();
	PG_RETURN_INT64(total);
}
