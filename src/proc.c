/*-------------------------------------------------------------------------
 *
 * proc.c
 *	  The proc state machine: proc (claim), ack, ack_commit, reclaim,
 *	  inspect/disable/resume/destroy, wait_for_procs and lag.
 *
 * A proc is a row of pipeproc.proc.  Its cursor is a position: it goes on
 * with the logs after (after_ts, after_seq); when after_exact is set that
 * is simply "seq > after_seq" (every acked cursor is exact).
 *
 * Claiming:
 *	1. lock the proc's row as FOR UPDATE SKIP LOCKED would (procrow.c): of
 *	   many sessions calling proc() at once, one gets the row, the others
 *	   return no rows at once;
 *	2. compute the topic's last stable offset (shmem.c), then take a fresh
 *	   snapshot: every log up to the LSO is settled and visible to it;
 *	3. return up to count logs after the cursor and not after the LSO, and
 *	   record them as the pending claim.
 * Logs are therefore handed out in seq order with no gaps but those of
 * rolled-back transactions, whatever order the writers committed in.
 * Everything is transactional: a claim made in a transaction that rolls
 * back never happened.
 *
 * proc, ack and reclaim read and write the proc's row directly (procrow.c);
 * the rarer operations use SQL, run as the extension owner
 * (pp_catalog_begin).  Access to topics is checked as the caller, and a
 * proc can only be used by its owner (or members of the owner's role).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "common/hashfn.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "commit.h"
#include "parse.h"
#include "pipeproc.h"
#include "proc.h"
#include "procrow.h"
#include "read.h"
#include "shmem.h"
#include "storage.h"
#include "topic.h"

/* lock tag field4 for "creating proc" locks (advisory use 1 and 2) */
#define PP_LOCKTAG_PROC 0x7071

void
pp_check_proc_name(const char *name)
{
	if (!pp_valid_proc_name(name, strlen(name)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid proc name \"%s\"", name),
				 errhint("A proc name has 1 to %d characters from A-Z, a-z, 0-9, \"_\", \".\", \":\" and \"-\".",
						 PP_PROC_MAXLEN)));
}

static void
pp_proc_not_found(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("proc \"%s\" does not exist", name)));
}

static void
pp_check_proc_owner(const char *name, const PPProcRow *r)
{
	if (!has_privs_of_role(GetUserId(), r->owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of proc \"%s\"", name)));
}

static void
pp_check_proc_active(const char *name, const PPProcRow *r)
{
	if (r->disabled)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("proc \"%s\" is disabled", name),
				 errhint("Resume it with pipeproc.resume_proc().")));
}

/*
 * start + span; *never is set when that lies beyond any timestamp (a span
 * of more than 100,000 years: such a deadline never comes).  A span more
 * than 1,000 years into the past gives start - 1,000 years.  Within those
 * bounds the sum is PostgreSQL's own, calendar-aware, and cannot overflow.
 */
static TimestampTz
pp_time_after(TimestampTz start, const Interval *span, bool *never)
{
	const double year_us = 365.25 * USECS_PER_DAY;
	double		approx = (double) span->time +
		((double) span->day + (double) span->month * DAYS_PER_MONTH) * USECS_PER_DAY;

	*never = false;
	if (approx > 100000.0 * year_us)
	{
		*never = true;
		return DT_NOEND;
	}
	if (approx < -1000.0 * year_us)
		return start - (TimestampTz) (1000.0 * year_us);
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(start),
												   IntervalPGetDatum(span)));
}

static void
pp_format_range(char *buf, size_t len, int64 ts1, int64 seq1, int64 ts2, int64 seq2)
{
	char		a[48],
				b[48];

	pp_format_id(a, sizeof(a), ts1, seq1);
	pp_format_id(b, sizeof(b), ts2, seq2);
	snprintf(buf, len, "%s..%s", a, b);
}

/*
 * Count one reclaim on the locked row r and store it: the claim is dropped,
 * and the proc disabled if reclaims reach max_reclaims under
 * on_max_reclaims 'disable'.
 */
static void
pp_reclaim_row(PPProcRow *r)
{
	PPRowChange c;

	r->reclaims++;
	r->pending = false;
	if (r->on_max_disable && r->max_reclaims != -1 && r->reclaims >= r->max_reclaims)
		r->disabled = true;
	pp_change_init(&c);
	pp_change_set(&c, PPC_PENDING, BoolGetDatum(false));
	pp_change_set(&c, PPC_RECLAIMS, Int32GetDatum(r->reclaims));
	pp_change_set(&c, PPC_STATUS, CStringGetTextDatum(r->disabled ? "disabled" : "active"));
	pp_procrow_update(r, &c);
}

/*
 * Initial cursor of a new proc from its offset.
 */
static void
pp_initial_cursor(const char *topic, const char *offset,
				  int64 *after_ts, int64 *after_seq, bool *after_exact)
{
	PPOffsetKind kind;
	PPBound		b;
	PPTopic    *t;
	int64		ts;

	if (!pp_parse_offset(offset, strlen(offset), &kind, &b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid offset \"%s\"", offset),
				 errhint("Use \">\", \"$>\", a log id, \":N\" or a timestamp in milliseconds.")));
	*after_ts = -1;
	*after_seq = -1;
	*after_exact = true;
	if (kind == PP_OFFSET_BEGIN)
		return;
	t = pp_topic_open(topic, PP_ACCESS_READ, false, true);
	if (kind == PP_OFFSET_NEW)
	{
		if (t != NULL)
			*after_seq = pp_stable_offset(t->id);
		return;
	}
	switch (b.kind)
	{
		case PP_BOUND_SEQ:
			if (t == NULL || !pp_seq_exists(t, GetActiveSnapshot(), b.seq, &ts))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("topic \"%s\" has no log with sequence number %lld",
								topic, (long long) b.seq)));
			*after_ts = ts;
			*after_seq = b.seq;
			break;
		case PP_BOUND_ID:
			*after_ts = b.ts;
			*after_seq = b.seq;
			*after_exact = false;
			break;
		case PP_BOUND_TS:
			*after_ts = b.ts_lo - 1;
			*after_seq = PG_INT64_MAX;
			*after_exact = false;
			break;
		case PP_BOUND_OPEN:
			break;
	}
}

typedef struct PPClaimState
{
	Tuplestorestate *store;
	TupleDesc	desc;
	int64		n;
	int64		first_ts,
				first_seq,
				last_ts,
				last_seq;
} PPClaimState;

static bool
pp_claim_visitor(int64 seq, int64 ts, Datum body, void *arg)
{
	PPClaimState *st = arg;

	if (st->n++ == 0)
	{
		st->first_ts = ts;
		st->first_seq = seq;
	}
	st->last_ts = ts;
	st->last_seq = seq;
	pp_put_log_row(st->store, st->desc, seq, ts, body);
	return true;
}

/*
 * The first seq after a position that is not exact, among stored logs up
 * to limit; false if none.
 */
static bool
pp_first_after(const PPTopic *t, Snapshot snap, int64 after_ts, int64 after_seq,
			   int64 limit, int64 *lo)
{
	PPBound		b;

	b.kind = PP_BOUND_ID;
	b.ts = after_ts;
	b.seq = after_seq;
	return pp_lower_seq(t, snap, &b, true, limit, lo);
}

/*
 * Claim up to count logs for the proc whose row r is locked.
 */
static void
pp_claim(PPProcRow *r, int64 count, PPClaimState *st)
{
	PPTopic    *t;
	int64		lso,
				lo;
	Snapshot	snap;
	char		range[128];
	PPRowChange c;

	t = pp_topic_open(r->topic, PP_ACCESS_READ, false, true);
	if (t == NULL)
		return;

	/* the LSO first, then the snapshot: see the header comment */
	lso = pp_stable_offset(t->id);
	snap = RegisterSnapshot(GetLatestSnapshot());
	if (r->after_exact)
		lo = r->after_seq + 1;
	else if (!pp_first_after(t, snap, r->after_ts, r->after_seq, lso, &lo))
		lo = PG_INT64_MAX;
	if (lo <= lso)
		(void) pp_scan_logs(t, lo, lso, false, snap, count, pp_claim_visitor, st);
	UnregisterSnapshot(snap);
	if (st->n == 0)
		return;

	pp_format_range(range, sizeof(range), st->first_ts, st->first_seq, st->last_ts, st->last_seq);
	pp_change_init(&c);
	pp_change_set(&c, PPC_PENDING, BoolGetDatum(true));
	pp_change_set(&c, PPC_LAST_CLAIMED_AT, TimestampTzGetDatum(GetCurrentTimestamp()));
	if (r->last_claimed_range != NULL)
		pp_change_set(&c, PPC_PREVIOUS_CLAIMED_RANGE, CStringGetTextDatum(r->last_claimed_range));
	else
		pp_change_set_null(&c, PPC_PREVIOUS_CLAIMED_RANGE);
	pp_change_set(&c, PPC_LAST_CLAIMED_RANGE, CStringGetTextDatum(range));
	pp_change_set(&c, PPC_CLAIM_FIRST_SEQ, Int64GetDatum(st->first_seq));
	pp_change_set(&c, PPC_CLAIM_LAST_TS, Int64GetDatum(st->last_ts));
	pp_change_set(&c, PPC_CLAIM_LAST_SEQ, Int64GetDatum(st->last_seq));
	pp_procrow_update(r, &c);
}

/*
 * Create proc name and read its row into r; false if a concurrent
 * transaction created it first, or (unless wait) is creating it now.
 */
static bool
pp_create_proc(const char *name, const char *topic, const char *offset,
			   int32 max_reclaims, Interval *timeout, const char *on_max, bool wait,
			   PPProcRow *r)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[10] = {TEXTOID, TEXTOID, OIDOID, TEXTOID, INT4OID, INTERVALOID, TEXTOID,
							 INT8OID, INT8OID, BOOLOID};
	Datum		args[10];
	char		nulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int64		after_ts,
				after_seq;
	bool		after_exact;
	bool		created;
	LOCKTAG		tag;

	/*
	 * Another session creating the same proc would make our INSERT wait for
	 * its transaction; return "busy" (no rows) instead, like a held claim
	 * (unless the caller would rather wait).
	 */
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId,
						 DatumGetUInt32(hash_any((const unsigned char *) name, strlen(name))),
						 0, PP_LOCKTAG_PROC);
	if (LockAcquire(&tag, ExclusiveLock, false, !wait) == LOCKACQUIRE_NOT_AVAIL)
		return false;

	pp_initial_cursor(topic, offset, &after_ts, &after_seq, &after_exact);
	args[0] = CStringGetTextDatum(name);
	args[1] = CStringGetTextDatum(topic);
	args[2] = ObjectIdGetDatum(GetUserId());
	args[3] = CStringGetTextDatum(offset);
	args[4] = Int32GetDatum(max_reclaims);
	args[5] = PointerGetDatum(timeout);
	if (timeout == NULL)
		nulls[5] = 'n';
	args[6] = CStringGetTextDatum(on_max);
	args[7] = Int64GetDatum(after_ts);
	args[8] = Int64GetDatum(after_seq);
	args[9] = BoolGetDatum(after_exact);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pp_cat_exec(&plan,
				"INSERT INTO pipeproc.proc (name, topic, owner, from_offset, max_reclaims,"
				" reclaim_timeout, on_max_reclaims, after_ts, after_seq, after_exact)"
				" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
				" ON CONFLICT (name) DO NOTHING", 10, types, args, nulls, 0);
	created = (SPI_processed == 1);
	SPI_finish();
	if (!created)
		return false;
	/* the new row is ours: reading it takes no lock */
	CommandCounterIncrement();
	if (pp_procrow_lock(name, "proc()", false, r) != PP_ROW_LOCKED)
		elog(ERROR, "could not read the row of new proc \"%s\"", name);
	return true;
}

/*
 * Check the settings a proc is created with (errors as SPEC section 7 says).
 */
void
pp_check_proc_settings(const char *offset, int32 count, int32 max_reclaims,
					   Interval *timeout, const char *on_max)
{
	PPOffsetKind kind;
	PPBound		b;

	if (!pp_parse_offset(offset, strlen(offset), &kind, &b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid offset \"%s\"", offset),
				 errhint("Use \">\", \"$>\", a log id, \":N\" or a timestamp in milliseconds.")));
	if (count < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("count must be at least 1")));
	if (max_reclaims < 1 && max_reclaims != -1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_reclaims must be at least 1, or -1 for no limit")));
	if (timeout != NULL &&
		DatumGetBool(DirectFunctionCall2(interval_le, IntervalPGetDatum(timeout),
										 DirectFunctionCall3(interval_in, CStringGetDatum("0"),
															 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reclaim_timeout must be positive, or NULL for none")));
	if (strcmp(on_max, "disable") != 0 && strcmp(on_max, "continue") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("on_max_reclaims must be \"disable\" or \"continue\"")));
}

PG_FUNCTION_INFO_V1(pipeproc_proc);

/*
 * proc(topic, name, from_offset, count, max_reclaims, reclaim_timeout,
 *		on_max_reclaims) returns table(id text, body jsonb)
 */
Datum
pipeproc_proc(PG_FUNCTION_ARGS)
{
	char	   *topic = pp_text_arg(fcinfo, 0, "topic");
	char	   *name = pp_text_arg(fcinfo, 1, "name");
	char	   *offset = pp_text_arg(fcinfo, 2, "from_offset");
	int32		count;
	int32		max_reclaims;
	Interval   *timeout = NULL;
	char	   *on_max = pp_text_arg(fcinfo, 6, "on_max_reclaims");
	Tuplestorestate *store;
	TupleDesc	desc;

	pp_arg_not_null(fcinfo, 3, "count");
	pp_arg_not_null(fcinfo, 4, "max_reclaims");
	count = PG_GETARG_INT32(3);
	max_reclaims = PG_GETARG_INT32(4);
	if (!PG_ARGISNULL(5))
		timeout = PG_GETARG_INTERVAL_P(5);
	pp_check_topic_name(topic);
	pp_check_proc_name(name);
	pp_check_proc_settings(offset, count, max_reclaims, timeout, on_max);
	pp_require_shmem();

	pp_begin_result(fcinfo, &store, &desc);
	(void) pp_proc_claim(topic, name, offset, count, max_reclaims, timeout, on_max,
						 store, desc);
	return (Datum) 0;
}

/*
 * The work of proc(): lock proc name (creating it with these settings if it
 * does not exist), reclaim a timed-out claim, and claim up to count logs
 * into store.  Returns how many were claimed: 0 also when another session
 * holds the proc.  With offset NULL a missing proc is not created (and 0
 * returned).
 */
int64
pp_proc_claim(const char *topic, const char *name, const char *offset, int32 count,
			  int32 max_reclaims, Interval *timeout, const char *on_max,
			  Tuplestorestate *store, TupleDesc desc)
{
	PPProcRow	r;
	PPClaimState st;

	memset(&st, 0, sizeof(st));
	st.store = store;
	st.desc = desc;

	switch (pp_procrow_lock(name, "proc()", true, &r))
	{
		case PP_ROW_BUSY:
			if (strcmp(r.topic, topic) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("proc \"%s\" already exists on topic \"%s\"", name, r.topic)));
			return 0;			/* busy: another session holds its claim */
		case PP_ROW_MISSING:
			if (offset == NULL ||
				!pp_create_proc(name, topic, offset, max_reclaims, timeout, on_max, false, &r))
				return 0;
			break;
		case PP_ROW_LOCKED:
			if (strcmp(r.topic, topic) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("proc \"%s\" already exists on topic \"%s\"", name, r.topic)));
			pp_check_proc_owner(name, &r);
			pp_check_proc_active(name, &r);
			break;
	}

	if (r.pending)
	{
		TimestampTz deadline;
		bool		never;

		if (r.timeout_null || r.claimed_at_null)
			return 0;
		deadline = pp_time_after(r.last_claimed_at, r.reclaim_timeout, &never);
		if (never || GetCurrentTimestamp() < deadline)
			return 0;
		/* the claim timed out: reclaim it, and stop here if that disables */
		pp_reclaim_row(&r);
		if (r.disabled)
			return 0;
	}

	pp_claim(&r, count, &st);
	return st.n;
}

/*
 * Ack the pending claim of a locked proc; returns the acked range.
 * Without a pending claim, the last ack is returned again if it was the
 * last claim, unless require_pending.
 */
static char *
pp_ack_locked(const char *name, PPProcRow *r, bool require_pending)
{
	PPRowChange c;

	if (!r->pending)
	{
		if (!require_pending && r->last_acked_range != NULL &&
			r->last_claimed_range != NULL &&
			strcmp(r->last_acked_range, r->last_claimed_range) == 0)
			return r->last_acked_range;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("proc \"%s\" has no pending claim to ack", name),
				 errhint("Claim logs with pipeproc.proc() first.")));
	}
	pp_change_init(&c);
	pp_change_set(&c, PPC_PENDING, BoolGetDatum(false));
	pp_change_set(&c, PPC_RECLAIMS, Int32GetDatum(0));
	pp_change_set(&c, PPC_AFTER_TS, Int64GetDatum(r->claim_last_ts));
	pp_change_set(&c, PPC_AFTER_SEQ, Int64GetDatum(r->claim_last_seq));
	pp_change_set(&c, PPC_AFTER_EXACT, BoolGetDatum(true));
	pp_change_set(&c, PPC_LAST_ACKED_RANGE, CStringGetTextDatum(r->last_claimed_range));
	pp_change_set(&c, PPC_LAST_ACKED_AT, TimestampTzGetDatum(GetCurrentTimestamp()));
	pp_procrow_update(r, &c);
	return r->last_claimed_range;
}

/*
 * Lock proc name for an operation by its owner; errors if missing.
 */
static void
pp_lock_proc_for_owner(const char *name, const char *op, PPProcRow *r)
{
	pp_check_proc_name(name);
	if (pp_procrow_lock(name, op, false, r) != PP_ROW_LOCKED)
		pp_proc_not_found(name);
	pp_check_proc_owner(name, r);
}

/*
 * Create proc name with these settings, claiming nothing; false if it
 * exists already.  Another session creating it now is waited for.
 */
bool
pp_proc_create(const char *name, const char *topic, const char *offset, int32 max_reclaims,
			   Interval *timeout, const char *on_max)
{
	PPProcRow	r;

	if (pp_procrow_lock(name, "proc()", false, &r) != PP_ROW_MISSING)
		return false;
	return pp_create_proc(name, topic, offset, max_reclaims, timeout, on_max, true, &r);
}

/*
 * ack(name) for a caller in C: the acked range.
 */
char *
pp_proc_ack(const char *name)
{
	PPProcRow	r;

	pp_lock_proc_for_owner(name, "ack()", &r);
	return pp_ack_locked(name, &r, true);
}

/*
 * Count a failed attempt on proc name as a reclaim (its claim has been
 * rolled back): reclaims + 1, and disabled if that reaches max_reclaims
 * under on_max_reclaims 'disable'.  Takes the proc's row only if no other
 * transaction holds it; returns whether it counted (false also for a proc
 * destroyed meanwhile, or already disabled).
 */
bool
pp_proc_count_failure(const char *name)
{
	PPProcRow	r;

	if (pp_procrow_lock(name, "reclaim()", true, &r) != PP_ROW_LOCKED)
		return false;
	pp_check_proc_owner(name, &r);
	if (r.disabled)
		return false;
	pp_reclaim_row(&r);
	return true;
}

PG_FUNCTION_INFO_V1(pipeproc_ack);

/*
 * ack(name) returns text: the acked range.
 */
Datum
pipeproc_ack(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	PPProcRow	r;
	text	   *result;

	pp_lock_proc_for_owner(name, "ack()", &r);
	result = cstring_to_text(pp_ack_locked(name, &r, false));
	PG_RETURN_TEXT_P(result);
}

PG_FUNCTION_INFO_V1(pipeproc_ack_commit);

/*
 * ack_commit(name, topic, body) and ack_commit(name, logs) return
 * table(acked text, ids text[]): ack, then commit, in one transaction.
 * Without a pending claim it is an error and nothing is committed.
 */
Datum
pipeproc_ack_commit(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	bool		batch = (PG_NARGS() == 2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PPProcRow	r;
	char	   *acked;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	char	   *topic = NULL;
	Jsonb	   *body;

	if (batch)
		pp_arg_not_null(fcinfo, 1, "logs");
	else
	{
		topic = pp_text_arg(fcinfo, 1, "topic");
		pp_arg_not_null(fcinfo, 2, "body");
	}
	body = PG_GETARG_JSONB_P(batch ? 1 : 2);
	InitMaterializedSRF(fcinfo, 0);

	pp_lock_proc_for_owner(name, "ack_commit()", &r);
	acked = pp_ack_locked(name, &r, true);
	values[0] = PointerGetDatum(cstring_to_text(acked));

	if (batch)
		values[1] = PointerGetDatum(pp_commit_batch(body));
	else
	{
		Datum		id = PointerGetDatum(pp_commit_one(topic, body));

		values[1] = PointerGetDatum(construct_array(&id, 1, TEXTOID, -1, false, TYPALIGN_INT));
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(pipeproc_reclaim);

/*
 * reclaim(name) returns text: drop the pending claim, count a reclaim,
 * and return the range the proc falls back to (its last ack, or NULL).
 */
Datum
pipeproc_reclaim(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	PPProcRow	r;
	text	   *result = NULL;

	pp_lock_proc_for_owner(name, "reclaim()", &r);
	pp_check_proc_active(name, &r);
	if (!r.pending)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("proc \"%s\" has no pending claim to reclaim", name)));
	pp_reclaim_row(&r);
	if (r.last_acked_range != NULL)
		result = cstring_to_text(r.last_acked_range);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

/*
 * The proc's row of the procs view, in the caller's memory context (the
 * caller has connected to SPI).
 */
static Datum pp_proc_view_row_for(const char *name, bool with_lag);

Datum
pp_proc_view_row(const char *name)
{
	return pp_proc_view_row_for(name, true);
}

/*
 * The same; without with_lag, the lag column is NULL (for a caller who
 * may not read the proc's topic).
 */
static Datum
pp_proc_view_row_for(const char *name, bool with_lag)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		arg = CStringGetTextDatum(name);
	HeapTuple	tup;
	TupleDesc	desc;

	pp_cat_exec(&plan, "SELECT * FROM pipeproc.procs WHERE name = $1", 1, types, &arg, NULL, 1);
	if (SPI_processed != 1)
		pp_proc_not_found(name);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	if (!with_lag)
	{
		int			col = SPI_fnumber(desc, "lag");
		Datum		value = (Datum) 0;
		bool		isnull = true;

		if (col <= 0)
			elog(ERROR, "the procs view has no lag column");
		tup = heap_modify_tuple_by_cols(tup, desc, 1, &col, &value, &isnull);
	}
	return PointerGetDatum(SPI_returntuple(tup, desc));
}

PG_FUNCTION_INFO_V1(pipeproc_inspect_proc);

/*
 * inspect_proc(name) returns procs
 */
Datum
pipeproc_inspect_proc(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	Datum		row;

	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		arg = CStringGetTextDatum(name);
	bool		isnull;
	Oid			owner;
	char	   *topic;
	PPTopic    *t;
	bool		readable;

	pp_check_proc_name(name);
	pp_require_shmem();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* visible to its owner's roles and to those who may read its topic */
	pp_cat_exec(&plan, "SELECT topic, owner FROM pipeproc.proc WHERE name = $1",
				1, types, &arg, NULL, 1);
	if (SPI_processed != 1)
		pp_proc_not_found(name);
	topic = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	t = pp_topic_open(topic, PP_ACCESS_PEEK, false, true);
	readable = t != NULL && pp_topic_readable(t);
	if (!readable && !has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to inspect proc \"%s\"", name),
				 errhint("A proc can be inspected by its owner and by roles that may read its topic.")));
	/* the lag counts logs of the topic: only for those who may read it */
	row = pp_proc_view_row_for(name, readable);
	SPI_finish();
	PG_RETURN_DATUM(row);
}

/*
 * disable_proc / resume_proc: set the status, which must change.
 */
static Datum
pp_set_status(FunctionCallInfo fcinfo, bool disable)
{
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	PPProcRow	r;
	PPRowChange c;
	Datum		row;

	pp_lock_proc_for_owner(name, disable ? "disable_proc()" : "resume_proc()", &r);
	if (r.disabled == disable)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("proc \"%s\" is already %s", name, disable ? "disabled" : "active")));
	pp_change_init(&c);
	pp_change_set(&c, PPC_STATUS, CStringGetTextDatum(disable ? "disabled" : "active"));
	/* resuming starts the reclaim count afresh */
	if (!disable)
		pp_change_set(&c, PPC_RECLAIMS, Int32GetDatum(0));
	pp_procrow_update(&r, &c);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	row = pp_proc_view_row(name);
	SPI_finish();
	PG_RETURN_DATUM(row);
}

PG_FUNCTION_INFO_V1(pipeproc_disable_proc);

Datum
pipeproc_disable_proc(PG_FUNCTION_ARGS)
{
	return pp_set_status(fcinfo, true);
}

PG_FUNCTION_INFO_V1(pipeproc_resume_proc);

Datum
pipeproc_resume_proc(PG_FUNCTION_ARGS)
{
	return pp_set_status(fcinfo, false);
}

PG_FUNCTION_INFO_V1(pipeproc_destroy_proc);

/*
 * destroy_proc(name) returns procs: the proc's last row.
 */
Datum
pipeproc_destroy_proc(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	PPProcRow	r;
	Datum		row;
	Oid			types[1] = {TEXTOID};
	Datum		arg;

	pp_lock_proc_for_owner(name, "destroy_proc()", &r);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	row = pp_proc_view_row(name);
	arg = CStringGetTextDatum(name);
	pp_cat_exec(&plan, "DELETE FROM pipeproc.proc WHERE name = $1", 1, types, &arg, NULL, 0);
	SPI_finish();
	PG_RETURN_DATUM(row);
}

/*
 * Number of stored logs after a proc's cursor (up to limit, 0 = all), as
 * seen by snap; -1 if the caller may not read the topic.
 */
static int64
pp_logs_after(const char *topic, int64 after_ts, int64 after_seq, bool after_exact,
			  Snapshot snap, int64 limit)
{
	PPTopic    *t = pp_topic_open(topic, PP_ACCESS_PEEK, false, true);
	int64		hw,
				lo;

	if (t == NULL)
		return 0;
	if (!pp_topic_readable(t))
		return -1;
	hw = pp_high_water(t->id);
	if (after_exact && after_seq == PG_INT64_MAX)
		return 0;
	if (after_exact)
		lo = after_seq + 1;
	else if (!pp_first_after(t, snap, after_ts, after_seq, hw, &lo))
		return 0;
	return pp_scan_logs(t, lo, hw, false, snap, limit, NULL, NULL);
}

PG_FUNCTION_INFO_V1(pipeproc_proc_lag);

/*
 * _proc_lag(topic, after_ts, after_seq, after_exact) returns bigint: the
 * lag column of the procs view (NULL if the topic is not readable).
 */
Datum
pipeproc_proc_lag(PG_FUNCTION_ARGS)
{
	int64		lag;

	pp_require_shmem();
	lag = pp_logs_after(text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_GETARG_INT64(1),
						PG_GETARG_INT64(2), PG_GETARG_BOOL(3), GetActiveSnapshot(), 0);
	if (lag < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(lag);
}

PG_FUNCTION_INFO_V1(pipeproc_wait_for_procs);

/*
 * wait_for_procs(names text[], timeout interval) returns boolean: wait
 * until every named (or every) active proc has acked its topic's last
 * committed log.  Named procs must exist; disabled ones are not waited
 * for.  Returns false if the timeout passes first.
 */
Datum
pipeproc_wait_for_procs(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	ArrayType  *names = PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0);
	TimestampTz deadline = 0;
	Oid			types[1] = {TEXTARRAYOID};
	Datum		arg;
	char		nulls[1] = {' '};
	int			nnames = 0;

	pp_require_shmem();
	if (names != NULL)
	{
		Datum	   *elems;
		bool	   *enulls;

		deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &nnames);
		for (int i = 0; i < nnames; i++)
		{
			if (enulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("proc names must not be null")));
			pp_check_proc_name(TextDatumGetCString(elems[i]));
		}
		arg = PointerGetDatum(names);
	}
	else
	{
		arg = (Datum) 0;
		nulls[0] = 'n';
	}
	if (names != NULL)
	{
		static SPIPlanPtr check_plan = NULL;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		pp_cat_exec(&check_plan,
					"SELECT n FROM unnest($1) AS n WHERE NOT EXISTS"
					" (SELECT FROM pipeproc.proc p WHERE p.name = n) LIMIT 1",
					1, types, &arg, nulls, 1);
		if (SPI_processed > 0)
			pp_proc_not_found(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
		SPI_finish();
	}
	if (!PG_ARGISNULL(1))
	{
		bool		never;

		deadline = pp_time_after(GetCurrentTimestamp(), PG_GETARG_INTERVAL_P(1), &never);
		if (never)
			deadline = 0;		/* as good as no timeout */
		else if (deadline == 0)
			deadline = 1;
	}

	for (;;)
	{
		bool		done = true;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		pp_cat_exec(&plan,
					"SELECT name, topic, status, after_ts, after_seq, after_exact, pending"
					" FROM pipeproc.proc WHERE $1 IS NULL OR name = ANY ($1)",
					1, types, &arg, nulls, 0);
		for (uint64 i = 0; i < SPI_processed && done; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			Snapshot	snap;
			int64		after;

			if (strcmp(SPI_getvalue(tup, desc, 3), "active") != 0)
				continue;
			snap = RegisterSnapshot(GetLatestSnapshot());
			after = pp_logs_after(SPI_getvalue(tup, desc, 2),
								  DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull)),
								  DatumGetInt64(SPI_getbinval(tup, desc, 5, &isnull)),
								  DatumGetBool(SPI_getbinval(tup, desc, 6, &isnull)),
								  snap, 1);
			UnregisterSnapshot(snap);
			if (after < 0)
			{
				/* a topic the caller may not read: named, refuse; else skip */
				if (names != NULL)
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("permission denied to read topic \"%s\" of proc \"%s\"",
									SPI_getvalue(tup, desc, 2), SPI_getvalue(tup, desc, 1))));
				continue;
			}
			if (after != 0 || DatumGetBool(SPI_getbinval(tup, desc, 7, &isnull)))
				done = false;
		}
		SPI_finish();
		if (done)
			PG_RETURN_BOOL(true);
		if (deadline != 0 && GetCurrentTimestamp() >= deadline)
			PG_RETURN_BOOL(false);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

PG_FUNCTION_INFO_V1(pipeproc_live_proc);

/*
 * live_proc(topic text, mode text, count integer, name text) returns
 * table (name text, channel text): a proc that follows the topic ('live':
 * from the logs committed after its creation, offset "$>"; 'all': from the
 * first log, ">"), never disabled by reclaims, whose topic notifies the
 * channel at every commit that wrote to it.  The listener takes the logs
 * with proc(topic, name, count => count).  A missing topic is created, as
 * the first commit would create it.  Calling it again with the name of an
 * existing live proc on the same topic returns that proc.
 */
Datum
pipeproc_live_proc(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr find_plan = NULL;
	char	   *topic = pp_text_arg(fcinfo, 0, "topic");
	char	   *mode = pp_text_arg(fcinfo, 1, "mode");
	int32		count;
	char	   *name;
	char		generated[PP_PROC_MAXLEN + 1];
	char		channel[NAMEDATALEN];
	Oid			types[1] = {TEXTOID};
	Datum		arg;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	Tuplestorestate *store;
	TupleDesc	desc;
	PPTopic    *t;
	Interval   *timeout;

	pp_check_topic_name(topic);
	if (strcmp(mode, "live") != 0 && strcmp(mode, "all") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid live proc mode \"%s\"", mode),
				 errhint("Use \"live\" (logs committed from now on) or \"all\" (every log).")));
	pp_arg_not_null(fcinfo, 2, "count");
	count = PG_GETARG_INT32(2);
	if (count < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("count must be at least 1")));
	if (PG_ARGISNULL(3))
	{
		uint32		r;

		if (!pg_strong_random(&r, sizeof(r)))
			elog(ERROR, "could not generate a random proc name");
		snprintf(generated, sizeof(generated), "live:%s:%08x", topic, r);
		name = generated;
	}
	else
		name = text_to_cstring(PG_GETARG_TEXT_PP(3));
	pp_check_proc_name(name);
	pp_require_shmem();

	/* the topic, created if need be; following it needs read */
	t = pp_topic_open(topic, PP_ACCESS_READ, true, false);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	arg = CStringGetTextDatum(name);
	pp_cat_exec(&find_plan, "SELECT topic, live FROM pipeproc.proc WHERE name = $1",
				1, types, &arg, NULL, 1);
	if (SPI_processed == 0)
	{
		PPProcRow	r;
		PPRowChange c;

		timeout = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum("10 seconds"),
														ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
		if (!pp_create_proc(name, topic, strcmp(mode, "live") == 0 ? "$>" : ">",
							-1, timeout, "continue", false, &r))
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("proc \"%s\" is being created by another session", name)));
		pp_change_init(&c);
		pp_change_set(&c, PPC_LIVE, BoolGetDatum(true));
		pp_procrow_update(&r, &c);
	}
	else
	{
		bool		isnull;
		char	   *existing = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		bool		live = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));

		if (strcmp(existing, topic) != 0 || !live)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("proc \"%s\" already exists and is not a live proc of topic \"%s\"",
							name, topic)));
	}
	SPI_finish();

	/* from now on, commits to the topic notify */
	pp_topic_follow(t->id);

	pp_begin_result(fcinfo, &store, &desc);
	pp_live_channel(channel, sizeof(channel), topic);
	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(channel);
	tuplestore_putvalues(store, desc, values, nulls);
	return (Datum) 0;
}
