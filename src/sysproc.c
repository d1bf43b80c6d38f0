/*-------------------------------------------------------------------------
 *
 * sysproc.c
 *	  System procs: procs whose logs pipeproc hands to a processor function,
 *	  committing what it returns to the to_topics and acking, in one
 *	  (sub)transaction per claim: system_proc(), destroy_system_proc() and
 *	  run_system_procs().
 *
 * A system proc is a row of pipeproc.system_proc beside its proc (a row of
 * pipeproc.proc; ON DELETE CASCADE keeps the two together).  One step of a
 * system proc, in a subtransaction of its own:
 *	1. act as the system proc's owner (never as the caller);
 *	2. claim up to count logs, as proc() does;
 *	3. call the processor on each log, as a security-restricted operation
 *	   with search_path = pg_catalog, pg_temp and its GUC changes undone;
 *	4. commit what it returned: NULL (or JSON null) nothing, an object one
 *	   log to every to_topic, an array one log per element to every
 *	   to_topic (topics outer, elements inner);
 *	5. ack, and count the logs processed.
 * If any of that fails, the subtransaction is rolled back (nothing claimed,
 * nothing committed), the failure counts as a reclaim of the proc (which
 * may disable it, per max_reclaims / on_max_reclaims), and the error is
 * kept in last_error.  So every log's results are committed exactly once:
 * with the ack that consumes it.
 *
 * run_system_procs() runs the steps in the calling session and transaction
 * until no system proc it may run has work; background workers are not
 * built yet.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "commit.h"
#include "pipeproc.h"
#include "proc.h"
#include "shmem.h"
#include "sysproc.h"
#include "topic.h"

/* lock tag field4 for "creating system proc" locks (proc.c uses 0x7071) */
#define PP_LOCKTAG_SYSPROC 0x7073

/* A system proc as a step needs it. */
typedef struct PPSysProc
{
	char	   *proc;			/* its proc's name */
	Oid			owner;
	char	   *from_topic;
	Oid			processor;
	int			nto;
	char	  **to_topics;
	int32		count;
} PPSysProc;

/* plans of the catalog statements below (pp_cat_exec) */
static SPIPlanPtr find_plan = NULL;
static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr lock_plan = NULL;
static SPIPlanPtr delete_plan = NULL;
static SPIPlanPtr runnable_plan = NULL;
static SPIPlanPtr processed_plan = NULL;
static SPIPlanPtr failed_plan = NULL;

/*
 * The processor must be a plain function (body jsonb) or (body jsonb, id
 * text) returning jsonb that role may execute; returns its number of
 * arguments.
 */
static int
pp_check_processor(Oid fn, Oid role)
{
	HeapTuple	tup;
	Form_pg_proc p;
	bool		ok;
	int			nargs;
	AclResult	acl;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("processor function with OID %u does not exist", fn)));
	p = (Form_pg_proc) GETSTRUCT(tup);
	nargs = p->pronargs;
	ok = p->prokind == PROKIND_FUNCTION && !p->proretset && p->prorettype == JSONBOID &&
		((nargs == 1 && p->proargtypes.values[0] == JSONBOID) ||
		 (nargs == 2 && p->proargtypes.values[0] == JSONBOID &&
		  p->proargtypes.values[1] == TEXTOID));
	ReleaseSysCache(tup);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function %s cannot be a processor", format_procedure(fn)),
				 errhint("A processor is a function (body jsonb) or (body jsonb, id text) returning jsonb.")));
	acl = pg_proc_aclcheck(fn, role, ACL_EXECUTE);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_FUNCTION, get_func_name(fn));
	return nargs;
}

/*
 * The text elements of a text[] argument (no NULLs, each a valid topic
 * name, no duplicates); *n may be 0.
 */
static char **
pp_topic_array(ArrayType *arr, const char *argname, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **names;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	names = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", argname)));
		names[i] = TextDatumGetCString(elems[i]);
		pp_check_topic_name(names[i]);
		for (int j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("topic \"%s\" appears twice in %s", names[i], argname)));
	}
	return names;
}

/*
 * Put the procs view rows of the procs named into the function's result
 * (SPI connected).
 */
static void
pp_put_proc_rows(FunctionCallInfo fcinfo, List *procs)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	foreach(lc, procs)
	{
		HeapTupleHeader td = DatumGetHeapTupleHeader(pp_proc_view_row(lfirst(lc)));
		HeapTupleData tuple;

		tuple.t_len = HeapTupleHeaderGetDatumLength(td);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = td;
		tuplestore_puttuple(rsinfo->setResult, &tuple);
	}
}

PG_FUNCTION_INFO_V1(pipeproc_system_proc);

/*
 * system_proc(name, from_topic | from_topics, processor, to_topics,
 *			   from_offset, count, max_reclaims, reclaim_timeout,
 *			   on_max_reclaims) returns setof procs
 */
Datum
pipeproc_system_proc(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	bool		multi = get_fn_expr_argtype(fcinfo->flinfo, 1) == TEXTARRAYOID;
	char	  **from;
	int			nfrom;
	Oid			processor;
	char	  **to = NULL;
	int			nto = 0;
	char	   *offset = pp_text_arg(fcinfo, 4, "from_offset");
	int32		count;
	int32		max_reclaims;
	Interval   *timeout = NULL;
	char	   *on_max = pp_text_arg(fcinfo, 8, "on_max_reclaims");
	List	   *procs = NIL;
	Oid			types[7] = {TEXTOID, TEXTOID, OIDOID, TEXTOID, OIDOID, TEXTARRAYOID, INT4OID};
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	LOCKTAG		tag;

	pp_check_proc_name(name);
	pp_arg_not_null(fcinfo, 1, multi ? "from_topics" : "from_topic");
	pp_arg_not_null(fcinfo, 2, "processor");
	pp_arg_not_null(fcinfo, 5, "count");
	pp_arg_not_null(fcinfo, 6, "max_reclaims");
	if (multi)
	{
		from = pp_topic_array(PG_GETARG_ARRAYTYPE_P(1), "from_topics", &nfrom);
		if (nfrom == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("from_topics must name at least one topic")));
	}
	else
	{
		from = palloc(sizeof(char *));
		from[0] = pp_text_arg(fcinfo, 1, "from_topic");
		pp_check_topic_name(from[0]);
		nfrom = 1;
	}
	processor = PG_GETARG_OID(2);
	if (!PG_ARGISNULL(3))
		to = pp_topic_array(PG_GETARG_ARRAYTYPE_P(3), "to_topics", &nto);
	count = PG_GETARG_INT32(5);
	max_reclaims = PG_GETARG_INT32(6);
	if (!PG_ARGISNULL(7))
		timeout = PG_GETARG_INTERVAL_P(7);
	pp_check_proc_settings(offset, count, max_reclaims, timeout, on_max);
	(void) pp_check_processor(processor, GetUserId());
	pp_require_shmem();

	/* the proc names: name, or name__topic per topic */
	for (int i = 0; i < nfrom; i++)
	{
		char	   *pn = multi ? psprintf("%s__%s", name, from[i]) : pstrdup(name);

		pp_check_proc_name(pn);
		procs = lappend(procs, pn);
	}

	/*
	 * One creator of a name at a time: a second one waits for the first's
	 * transaction, then finds its system proc (READ COMMITTED) and returns it.
	 */
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId,
						 DatumGetUInt32(hash_any((const unsigned char *) name, strlen(name))),
						 0, PP_LOCKTAG_SYSPROC);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* the same name again: the existing system proc, unchanged */
	args[0] = CStringGetTextDatum(name);
	pp_cat_exec(&find_plan, "SELECT proc, owner FROM pipeproc.system_proc WHERE name = $1 ORDER BY proc",
				1, &types[1], args, NULL, 0);
	if (SPI_processed > 0)
	{
		List	   *existing = NIL;
		bool		isnull;
		Oid			owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 2, &isnull));

		if (!has_privs_of_role(GetUserId(), owner))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("must be owner of system proc \"%s\"", name)));
		for (uint64 i = 0; i < SPI_processed; i++)
			existing = lappend(existing, SPI_getvalue(SPI_tuptable->vals[i],
													  SPI_tuptable->tupdesc, 1));
		pp_put_proc_rows(fcinfo, existing);
		SPI_finish();
		return (Datum) 0;
	}

	/* topics that exist must be readable (from) and writable (to) now */
	for (int i = 0; i < nfrom; i++)
		(void) pp_topic_open(from[i], PP_ACCESS_READ, false, true);
	for (int i = 0; i < nto; i++)
		(void) pp_topic_open(to[i], PP_ACCESS_WRITE, false, true);

	for (int i = 0; i < nfrom; i++)
	{
		char	   *pn = list_nth(procs, i);

		if (!pp_proc_create(pn, from[i], offset, max_reclaims, timeout, on_max))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("proc \"%s\" already exists", pn),
					 errhint("A system proc makes a proc of its own; choose another name.")));
		args[0] = CStringGetTextDatum(pn);
		args[1] = CStringGetTextDatum(name);
		args[2] = ObjectIdGetDatum(GetUserId());
		args[3] = CStringGetTextDatum(from[i]);
		args[4] = ObjectIdGetDatum(processor);
		if (nto > 0)
			args[5] = PG_GETARG_DATUM(3);
		else
			nulls[5] = 'n';
		args[6] = Int32GetDatum(count);
		pp_cat_exec(&insert_plan, "INSERT INTO pipeproc.system_proc"
					" (proc, name, owner, from_topic, processor, to_topics, count)"
					" VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, types, args, nulls, 0);
	}
	pp_put_proc_rows(fcinfo, procs);
	SPI_finish();
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(pipeproc_destroy_system_proc);

/*
 * destroy_system_proc(name) returns setof procs: the last rows of its
 * procs, which are removed with it.
 */
Datum
pipeproc_destroy_system_proc(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "name");
	Oid			types[1] = {TEXTOID};
	Datum		arg;
	List	   *procs = NIL;
	ListCell   *lc;

	pp_check_proc_name(name);
	pp_require_shmem();
	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	arg = CStringGetTextDatum(name);
	pp_cat_exec(&lock_plan, "SELECT proc, owner FROM pipeproc.system_proc WHERE name = $1"
				" ORDER BY proc FOR UPDATE", 1, types, &arg, NULL, 0);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("system proc \"%s\" does not exist", name)));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 2, &isnull));

		if (!has_privs_of_role(GetUserId(), owner))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("must be owner of system proc \"%s\"", name)));
		procs = lappend(procs, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	}
	pp_put_proc_rows(fcinfo, procs);
	foreach(lc, procs)
	{
		arg = CStringGetTextDatum(lfirst(lc));
		/* the system_proc row goes with it (ON DELETE CASCADE) */
		pp_cat_exec(&delete_plan, "DELETE FROM pipeproc.proc WHERE name = $1",
					1, types, &arg, NULL, 0);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * The active system procs the current user may run (those of roles it has
 * the privileges of), in the caller's memory context.
 */
static List *
pp_runnable_sysprocs(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *list = NIL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pp_cat_exec(&runnable_plan,
				"SELECT s.proc, s.owner, s.from_topic, s.processor, s.to_topics, s.count"
				" FROM pipeproc.system_proc s JOIN pipeproc.proc p ON p.name = s.proc"
				" WHERE p.status = 'active' ORDER BY s.proc", 0, NULL, NULL, NULL, 0);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			owner = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		Datum		to;
		MemoryContext old;
		PPSysProc  *sp;

		/* a dropped owner runs nothing (nothing ties the role to the row) */
		if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner)) ||
			!has_privs_of_role(GetUserId(), owner))
			continue;
		old = MemoryContextSwitchTo(cxt);
		sp = palloc0(sizeof(PPSysProc));
		sp->proc = SPI_getvalue(tup, desc, 1);
		sp->owner = owner;
		sp->from_topic = SPI_getvalue(tup, desc, 3);
		sp->processor = DatumGetObjectId(SPI_getbinval(tup, desc, 4, &isnull));
		to = SPI_getbinval(tup, desc, 5, &isnull);
		if (!isnull)
		{
			Datum	   *elems;
			int			n;

			deconstruct_array(DatumGetArrayTypeP(to), TEXTOID, -1, false, TYPALIGN_INT,
							  &elems, NULL, &n);
			sp->nto = n;
			sp->to_topics = palloc(sizeof(char *) * (n + 1));
			for (int j = 0; j < n; j++)
				sp->to_topics[j] = TextDatumGetCString(elems[j]);
		}
		sp->count = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
		list = lappend(list, sp);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return list;
}

/*
 * Call the processor on one log, as a security-restricted operation with a
 * pinned search_path; its GUC changes are undone.  NULL for SQL NULL.
 */
static Jsonb *
pp_call_processor(const PPSysProc *sp, FmgrInfo *flinfo, int nargs, Datum body, Datum id)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		result;
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;

	InitFunctionCallInfoData(*fcinfo, flinfo, nargs, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = body;
	fcinfo->args[0].isnull = false;
	if (nargs == 2)
	{
		fcinfo->args[1].value = id;
		fcinfo->args[1].isnull = false;
	}

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(sp->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	result = FunctionCallInvoke(fcinfo);
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);

	if (fcinfo->isnull)
		return NULL;
	return DatumGetJsonbP(result);
}

/*
 * Commit what the processor returned for one log.
 */
static void
pp_commit_result(const PPSysProc *sp, Jsonb *res)
{
	if (res == NULL)
		return;
	if (JB_ROOT_IS_SCALAR(res))
	{
		JsonbValue	v;

		if (JsonbExtractScalar(&res->root, &v) && v.type == jbvNull)
			return;				/* JSON null: as SQL NULL */
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("processor %s returned a JSON scalar", format_procedure(sp->processor)),
				 errhint("A processor returns an object (one log), an array (one log per element) or NULL (nothing).")));
	}
	if (JB_ROOT_IS_OBJECT(res))
	{
		for (int t = 0; t < sp->nto; t++)
			(void) pp_commit_one(sp->to_topics[t], res);
		return;
	}
	for (int t = 0; t < sp->nto; t++)
	{
		JsonbIterator *it = JsonbIteratorInit(&res->root);
		JsonbValue	v;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok != WJB_ELEM)
				continue;
			if (v.type != jbvBinary)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("processor %s returned an array with an element that is not a JSON object or array",
								format_procedure(sp->processor))));
			(void) pp_commit_one(sp->to_topics[t], JsonbValueToJsonb(&v));
		}
	}
}

/*
 * One step of a system proc (see the header), acting as its owner; returns
 * the number of logs processed.  Errors propagate (the caller's
 * subtransaction is rolled back).
 */
static int64
pp_sysproc_work(const PPSysProc *sp, int32 count)
{
	Oid			save_userid;
	int			save_sec;
	Tuplestorestate *store;
	TupleDesc	desc;
	TupleTableSlot *slot;
	int64		n;
	int			nargs;
	FmgrInfo	flinfo;
	Oid			types[2] = {TEXTOID, INT8OID};
	Datum		args[2];

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(sp->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);

	nargs = pp_check_processor(sp->processor, sp->owner);
	desc = CreateTemplateTupleDesc(2);
	TupleDescInitEntry(desc, (AttrNumber) 1, "id", TEXTOID, -1, 0);
	TupleDescInitEntry(desc, (AttrNumber) 2, "body", JSONBOID, -1, 0);
	store = tuplestore_begin_heap(false, false, work_mem);
	n = pp_proc_claim(sp->from_topic, sp->proc, NULL, count, 0, NULL, NULL, store, desc);
	if (n > 0)
	{
		bool		isnull;

		InvokeFunctionExecuteHook(sp->processor);
		fmgr_info(sp->processor, &flinfo);
		slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
		while (tuplestore_gettupleslot(store, true, false, slot))
		{
			Datum		id = slot_getattr(slot, 1, &isnull);
			Datum		body = slot_getattr(slot, 2, &isnull);

			CHECK_FOR_INTERRUPTS();
			pp_commit_result(sp, pp_call_processor(sp, &flinfo, nargs, body, id));
		}
		ExecDropSingleTupleTableSlot(slot);
		(void) pp_proc_ack(sp->proc);

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		args[0] = CStringGetTextDatum(sp->proc);
		args[1] = Int64GetDatum(n);
		pp_cat_exec(&processed_plan,
					"UPDATE pipeproc.system_proc SET processed = processed + $2 WHERE proc = $1",
					2, types, args, NULL, 0);
		SPI_finish();
	}
	tuplestore_end(store);
	SetUserIdAndSecContext(save_userid, save_sec);
	return n;
}

/*
 * A step failed with message: count it as a reclaim of the proc and keep
 * the error, in a subtransaction of its own.  If another transaction holds
 * the proc meanwhile (our rolled-back step released it), nothing is
 * counted: its outcome, not our failure, is the proc's state now.  An error
 * here rolls that subtransaction back and propagates.
 */
static void
pp_sysproc_failed(const PPSysProc *sp, const char *message)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		args[2];

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		Oid			save_userid;
		int			save_sec;
		bool		counted;

		GetUserIdAndSecContext(&save_userid, &save_sec);
		SetUserIdAndSecContext(sp->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
		counted = pp_proc_count_failure(sp->proc);
		SetUserIdAndSecContext(save_userid, save_sec);
		if (counted)
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			args[0] = CStringGetTextDatum(sp->proc);
			args[1] = CStringGetTextDatum(message != NULL ? message : "(no error message)");
			pp_cat_exec(&failed_plan, "UPDATE pipeproc.system_proc SET last_error = $2,"
						" last_error_at = pg_catalog.clock_timestamp() WHERE proc = $1",
						2, types, args, NULL, 0);
			SPI_finish();
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/*
 * Errors that say nothing about the processor or the logs: the caller's
 * cancel, the server shutting down, deadlocks and serialization failures,
 * lock timeouts, resource exhaustion.  They end run_system_procs rather
 * than count as a failure of the system proc.
 */
static bool
pp_error_is_transient(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_TO_CATEGORY(ERRCODE_T_R_SERIALIZATION_FAILURE):	/* class 40 */
		case ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES):	/* class 53 */
		case ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION):		/* class 57 */
		case ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR):				/* class 58 */
			return true;
		default:
			break;
	}
	return sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
}

/*
 * One step in a subtransaction; *failed is set if it failed (and was
 * counted).  A transient error (a cancel, a deadlock...) is not a failure
 * of the system proc: it propagates.
 */
static int64
pp_sysproc_step(const PPSysProc *sp, int32 count, bool *failed)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	MemoryContext stepcxt = AllocSetContextCreate(cxt, "pipeproc system proc step",
												  ALLOCSET_DEFAULT_SIZES);
	volatile int64 n = 0;
	ErrorData  *volatile edata = NULL;

	*failed = false;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(stepcxt);
	PG_TRY();
	{
		n = pp_sysproc_work(sp, count);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (pp_error_is_transient(edata->sqlerrcode))
			ReThrowError(edata);
	}
	PG_END_TRY();
	MemoryContextDelete(stepcxt);
	if (edata != NULL)
	{
		pp_sysproc_failed(sp, edata->message);
		FreeErrorData(edata);
		*failed = true;
		return 0;
	}
	return n;
}

static bool
pp_name_in_list(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(pipeproc_run_system_procs);

/*
 * run_system_procs(max_logs) returns bigint: run the system procs the
 * caller may run until none has work, or max_logs logs are processed.  A
 * system proc whose step fails is not tried again in the same call.
 */
Datum
pipeproc_run_system_procs(PG_FUNCTION_ARGS)
{
	int64		limit = -1;
	int64		total = 0;
	List	   *failed = NIL;
	MemoryContext cxt = CurrentMemoryContext;
	MemoryContext roundcxt;

	if (!PG_ARGISNULL(0))
	{
		limit = PG_GETARG_INT32(0);
		if (limit < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_logs must be at least 1, or NULL for no limit")));
	}
	pp_require_shmem();
	PreventCommandIfReadOnly("run_system_procs()");
	roundcxt = AllocSetContextCreate(cxt, "pipeproc run_system_procs round",
									 ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		List	   *sps;
		ListCell   *lc;
		bool		progress = false;

		CHECK_FOR_INTERRUPTS();
		MemoryContextSwitchTo(roundcxt);
		sps = pp_runnable_sysprocs();
		foreach(lc, sps)
		{
			PPSysProc  *sp = lfirst(lc);
			int32		count = sp->count;
			bool		step_failed;
			int64		n;

			if (limit >= 0 && total >= limit)
				break;
			if (pp_name_in_list(failed, sp->proc))
				continue;
			if (limit >= 0 && limit - total < count)
				count = (int32) (limit - total);
			n = pp_sysproc_step(sp, count, &step_failed);
			if (step_failed)
			{
				MemoryContext old = MemoryContextSwitchTo(cxt);

				failed = lappend(failed, pstrdup(sp->proc));
				MemoryContextSwitchTo(old);
			}
			total += n;
			if (n > 0)
				progress = true;
		}
		MemoryContextSwitchTo(cxt);
		MemoryContextReset(roundcxt);
		if (!progress || (limit >= 0 && total >= limit))
			break;
	}
	MemoryContextDelete(roundcxt);
	PG_RETURN_INT64(total);
}
