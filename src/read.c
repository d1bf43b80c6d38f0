/*-------------------------------------------------------------------------
 *
 * read.c
 *	  range, revrange, length and the statistics behind the topics view.
 *
 * Bounds are resolved to an inclusive seq interval [lo, hi] first (ids and
 * timestamps by pp_seek, ":N" by an exact probe), then one ordered scan
 * returns the logs.  Reads use the statement's snapshot, as any SELECT.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "pipeproc.h"
#include "read.h"
#include "shmem.h"
#include "storage.h"
#include "topic.h"

/*
 * Parse a bound argument; raise invalid_text_representation if bad.
 */
void
pp_parse_bound_arg(const char *s, PPBound *b, const char *argname)
{
	if (!pp_parse_bound(s, strlen(s), b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid %s \"%s\"", argname, s),
				 errhint("Use a log id (\"1518951480106-0\"), a sequence number (\":5\"), a timestamp in milliseconds or a prefix of one (\"1518951480\"), or NULL.")));
}

/*
 * Is a log with this seq stored (and visible to snap)?
 */
bool
pp_seq_exists(const PPTopic *t, Snapshot snap, int64 seq, int64 *ts)
{
	int64		s;

	return pp_probe(t, seq, seq, false, snap, &s, ts);
}

static void
pp_require_seq(const PPTopic *t, Snapshot snap, int64 seq)
{
	int64		ts;

	if (!pp_seq_exists(t, snap, seq, &ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("topic \"%s\" has no log with sequence number %lld",
						t->name, (long long) seq),
				 errhint("The log was never committed or has been collected.")));
}

/*
 * First seq at or after position (pos_ts, pos_seq), as a bound: false
 * when no stored log is there.
 */
static bool
pp_seek_bound(const PPTopic *t, Snapshot snap, int64 hw,
			  int64 pos_ts, int64 pos_seq, int64 *seq)
{
	int64		ts;

	/* the common case: the id of a stored log */
	if (pos_seq >= 0 && pos_seq <= hw &&
		pp_seq_exists(t, snap, pos_seq, &ts) && ts == pos_ts)
	{
		*seq = pos_seq;
		return true;
	}
	return pp_seek(t, snap, 0, hw, pos_ts, pos_seq, seq);
}

/* the position just after (ts, seq) */
static bool
pp_pos_next(int64 *ts, int64 *seq)
{
	if (*seq < PG_INT64_MAX)
	{
		(*seq)++;
		return true;
	}
	if (*ts == PG_INT64_MAX)
		return false;
	(*ts)++;
	*seq = PG_INT64_MIN;
	return true;
}

/*
 * The lowest seq a lower bound admits; false if no log can match.
 */
bool
pp_lower_seq(const PPTopic *t, Snapshot snap, const PPBound *b, bool exclusive,
			 int64 hw, int64 *lo)
{
	int64		ts,
				seq;

	switch (b->kind)
	{
		case PP_BOUND_OPEN:
			*lo = 0;
			return true;
		case PP_BOUND_SEQ:
			pp_require_seq(t, snap, b->seq);
			if (exclusive && b->seq == PG_INT64_MAX)
				return false;
			*lo = exclusive ? b->seq + 1 : b->seq;
			return true;
		case PP_BOUND_ID:
			ts = b->ts;
			seq = b->seq;
			if (exclusive && !pp_pos_next(&ts, &seq))
				return false;
			return pp_seek_bound(t, snap, hw, ts, seq, lo);
		case PP_BOUND_TS:
			return pp_seek_bound(t, snap, hw, b->ts_lo, PG_INT64_MIN, lo);
	}
	return false;
}

/*
 * The highest seq an upper bound admits; false if no log can match.
 */
static bool
pp_upper_seq(const PPTopic *t, Snapshot snap, const PPBound *b, bool exclusive,
			 int64 hw, int64 *hi)
{
	int64		ts = 0,
				seq = 0,
				first_after;

	switch (b->kind)
	{
		case PP_BOUND_OPEN:
			*hi = hw;
			return true;
		case PP_BOUND_SEQ:
			pp_require_seq(t, snap, b->seq);
			if (exclusive && b->seq == 0)
				return false;
			*hi = exclusive ? b->seq - 1 : b->seq;
			return true;
		case PP_BOUND_ID:
			/* everything before the first log at or after the next position */
			ts = b->ts;
			seq = b->seq;
			if (!exclusive && !pp_pos_next(&ts, &seq))
			{
				*hi = hw;
				return true;
			}
			break;
		case PP_BOUND_TS:
			if (b->ts_hi == PG_INT64_MAX)
			{
				*hi = hw;
				return true;
			}
			ts = b->ts_hi + 1;
			seq = PG_INT64_MIN;
			break;
	}
	if (pp_seek_bound(t, snap, hw, ts, seq, &first_after))
		*hi = first_after - 1;
	else
		*hi = hw;
	return *hi >= 0;
}

/*
 * Result sets of range, revrange and proc.
 *
 * A set-returning function in FROM hands its rows over in a tuplestore,
 * which the executor frees with tuplestore_end() when the scan ends.  Built
 * in the query's memory, a store of a thousand logs takes a few hundred kB
 * of fresh memory on every call, which malloc gives back to the kernel at
 * the end of the query and takes again, page by page, on the next one:
 * that cost twice the scan itself.  So the stores live in one context for
 * the life of the backend; tuplestore_end() returns their chunks to its
 * free lists and the next call reuses them.  A store abandoned by an error
 * is reclaimed when the top-level transaction aborts (no executor can hold
 * a store then), and the context is emptied at transaction end whenever it
 * has grown past PP_RESULT_KEEP.
 */
#define PP_RESULT_KEEP	(8 * 1024 * 1024)

static MemoryContext pp_result_cxt = NULL;

static void
pp_result_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			MemoryContextReset(pp_result_cxt);
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			if (MemoryContextMemAllocated(pp_result_cxt, false) > PP_RESULT_KEEP)
				MemoryContextReset(pp_result_cxt);
			break;
		default:
			break;
	}
}

/*
 * Set up fcinfo's result for materialize mode, as InitMaterializedSRF()
 * does, but with the store in pp_result_cxt.
 */
void
pp_begin_result(FunctionCallInfo fcinfo, Tuplestorestate **store, TupleDesc *desc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	if (pp_result_cxt == NULL)
	{
		pp_result_cxt = AllocSetContextCreate(TopMemoryContext,
											  "pipeproc result sets",
											  ALLOCSET_DEFAULT_SIZES);
		RegisterXactCallback(pp_result_xact_callback, NULL);
	}

	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(pp_result_cxt);
	rsinfo->setResult = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
											  false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setDesc = tupdesc;
	*store = rsinfo->setResult;
	*desc = tupdesc;
}

/*
 * Append the row (id, body) to a result store.  Bodies go out as values,
 * not as pointers into a chunk's TOAST table.
 */
void
pp_put_log_row(Tuplestorestate *store, TupleDesc desc, int64 seq, int64 ts, Datum body)
{
	Datum		values[2];
	bool		nulls[2] = {false, false};
	union
	{
		text		hdr;
		int32		align;
		char		data[VARHDRSZ + PP_ID_BUFLEN];
	}			id;
	int			len;
	struct varlena *raw = (struct varlena *) DatumGetPointer(body);

	/* the id as a text value on the stack: the store copies it */
	len = pp_format_id(id.data + VARHDRSZ, PP_ID_BUFLEN, ts, seq);
	SET_VARSIZE(&id.hdr, VARHDRSZ + len);
	values[0] = PointerGetDatum(&id.hdr);
	if (VARATT_IS_EXTERNAL(raw))
		raw = detoast_external_attr(raw);
	values[1] = PointerGetDatum(raw);
	tuplestore_putvalues(store, desc, values, nulls);
	if (raw != (struct varlena *) DatumGetPointer(body))
		pfree(raw);
}

typedef struct PPRangeState
{
	Tuplestorestate *store;
	TupleDesc	desc;
} PPRangeState;

static bool
pp_range_visitor(int64 seq, int64 ts, Datum body, void *arg)
{
	PPRangeState *st = arg;

	pp_put_log_row(st->store, st->desc, seq, ts, body);
	return true;
}

/*
 * range() and revrange(): (topic, start, stop, count, exclusive).
 */
static Datum
pp_range_common(FunctionCallInfo fcinfo, bool backward)
{
	char	   *topic = pp_text_arg(fcinfo, 0, "topic");
	PPBound		start,
				stop;
	int64		count = 0;
	bool		exclusive;
	PPTopic    *t;
	Snapshot	snap;
	int64		hw,
				lo,
				hi;
	PPRangeState st;

	pp_check_topic_name(topic);
	pp_parse_bound_arg(PG_ARGISNULL(1) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(1)), &start, "start");
	pp_parse_bound_arg(PG_ARGISNULL(2) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(2)), &stop, "stop");
	if (!PG_ARGISNULL(3))
		count = PG_GETARG_INT32(3);
	pp_arg_not_null(fcinfo, 4, "exclusive");
	exclusive = PG_GETARG_BOOL(4);

	pp_begin_result(fcinfo, &st.store, &st.desc);
	t = pp_topic_open(topic, PP_ACCESS_READ, false, false);
	snap = GetActiveSnapshot();
	hw = pp_high_water(t->id);

	/* range: start is the lower bound; revrange: start is the upper one */
	if (!pp_lower_seq(t, snap, backward ? &stop : &start, exclusive, hw, &lo) ||
		!pp_upper_seq(t, snap, backward ? &start : &stop, exclusive, hw, &hi))
		return (Datum) 0;

	(void) pp_scan_logs(t, lo, hi, backward, snap, count, pp_range_visitor, &st);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(pipeproc_range);

Datum
pipeproc_range(PG_FUNCTION_ARGS)
{
	return pp_range_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(pipeproc_revrange);

Datum
pipeproc_revrange(PG_FUNCTION_ARGS)
{
	return pp_range_common(fcinfo, true);
}

PG_FUNCTION_INFO_V1(pipeproc_length);

/*
 * length(topic) returns bigint: last stored seq + 1, 0 if none is left.
 */
Datum
pipeproc_length(PG_FUNCTION_ARGS)
{
	char	   *topic = pp_text_arg(fcinfo, 0, "topic");
	PPTopic    *t;
	int64		seq,
				ts;

	pp_check_topic_name(topic);
	t = pp_topic_open(topic, PP_ACCESS_READ, false, false);
	if (!pp_probe(t, 0, pp_high_water(t->id), true, GetActiveSnapshot(), &seq, &ts))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(seq + 1);
}

PG_FUNCTION_INFO_V1(pipeproc_topic_stats);

/*
 * _topic_stats(topic) returns (length, logs, first_id, last_id) for the
 * topics view; all NULL when the caller may not read the topic.
 */
Datum
pipeproc_topic_stats(PG_FUNCTION_ARGS)
{
	char	   *topic = pp_text_arg(fcinfo, 0, "topic");
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {true, true, true, true};
	PPTopic    *t;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	t = pp_topic_open(topic, PP_ACCESS_PEEK, false, true);
	if (t != NULL && pp_topic_readable(t))
	{
		Snapshot	snap = GetActiveSnapshot();
		int64		hw = pp_high_water(t->id);
		int64		seq,
					ts;
		char		buf[48];

		values[0] = Int64GetDatum(0);
		values[1] = Int64GetDatum(pp_scan_logs(t, 0, hw, false, snap, 0, NULL, NULL));
		nulls[0] = nulls[1] = false;
		if (pp_probe(t, 0, hw, false, snap, &seq, &ts))
		{
			pp_format_id(buf, sizeof(buf), ts, seq);
			values[2] = CStringGetTextDatum(buf);
			nulls[2] = false;
		}
		if (pp_probe(t, 0, hw, true, snap, &seq, &ts))
		{
			values[0] = Int64GetDatum(seq + 1);
			pp_format_id(buf, sizeof(buf), ts, seq);
			values[3] = CStringGetTextDatum(buf);
			nulls[3] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
