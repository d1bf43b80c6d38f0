/*-------------------------------------------------------------------------
 *
 * pipeproc.c
 *	  Module entry: _PG_init, settings, and small helpers shared by all
 *	  parts (catalog access as the extension owner, argument checks).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "gc.h"
#include "pipeproc.h"
#include "shmem.h"

PG_MODULE_MAGIC;

int			pp_max_topics = 16384;
int			pp_chunk_size = 65536;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("pipeproc.max_topics",
							"Maximum number of topics that can be written or consumed at once.",
							"Each topic in use has a small entry in shared memory.",
							&pp_max_topics,
							16384, 64, 1 << 24,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pipeproc.chunk_size",
							"Number of log positions per chunk (partition) of a new topic.",
							"The garbage collector frees space a whole chunk at a time.",
							&pp_chunk_size,
							65536, 16, 1 << 30,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pipeproc.gc_min_prune_time",
							"Logs younger than this are never collected by the garbage collector.",
							"A plain number is milliseconds.",
							&pp_gc_min_prune_time,
							30000, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("pipeproc");

	if (process_shared_preload_libraries_in_progress)
		pp_shmem_install_hooks();
}

/*
 * Run catalog SQL as the extension owner with search_path pinned to
 * pg_catalog, pg_temp.  On error the transaction (or subtransaction)
 * abort restores both, so no PG_TRY is needed.
 */
void
pp_catalog_begin(PPCatalogAccess *acc)
{
	GetUserIdAndSecContext(&acc->save_userid, &acc->save_sec_context);
	SetUserIdAndSecContext(pp_extension_owner(),
						   acc->save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	acc->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

void
pp_catalog_end(PPCatalogAccess *acc)
{
	AtEOXact_GUC(true, acc->save_nestlevel);
	SetUserIdAndSecContext(acc->save_userid, acc->save_sec_context);
}

/*
 * Run a catalog statement as the extension owner (SPI connected); its plan
 * is prepared on first use and kept in *cache.
 */
int
pp_cat_exec(SPIPlanPtr *cache, const char *sql, int nargs, Oid *types,
			Datum *values, const char *nulls, long tcount)
{
	PPCatalogAccess acc;
	int			rc;

	pp_catalog_begin(&acc);
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		*cache = plan;
	}
	rc = SPI_execute_plan(*cache, values, nulls, false, tcount);
	if (rc < 0)
		elog(ERROR, "pipeproc catalog statement failed: %s", SPI_result_code_string(rc));
	pp_catalog_end(&acc);
	return rc;
}

/*
 * The OID of schema pipeproc (looked up each time: a syscache hit).
 */
Oid
pp_namespace(void)
{
	return get_namespace_oid("pipeproc", false);
}

/*
 * The OID of schema pipeproc_data, which holds the topic and chunk tables.
 * Nobody but the extension owner has USAGE on it, so no user can reach
 * those tables by name: logs are read and written only through pipeproc.
 */
Oid
pp_data_namespace(void)
{
	return get_namespace_oid("pipeproc_data", false);
}

/*
 * The extension owner is the owner of its schema.
 */
Oid
pp_extension_owner(void)
{
	HeapTuple	tup;
	Oid			owner;
	Oid			nsp = pp_namespace();

	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for namespace %u", nsp);
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Raise null_value_not_allowed if argument argno is NULL.
 */
void
pp_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", argname)));
}

/*
 * A text argument as a C string; NULL is an error.
 */
char *
pp_text_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	pp_arg_not_null(fcinfo, argno, argname);
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * Wall clock in milliseconds since the Unix epoch.
 */
int64
pp_now_ms(void)
{
	return GetCurrentTimestamp() / 1000 +
		(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
}
