/*-------------------------------------------------------------------------
 *
 * topic.c
 *	  The topic catalog, its per-backend cache, creation, removal and
 *	  access checks.
 *
 * A topic is a row of pipeproc.topic plus the partitioned table
 * pipeproc_data.topic_<id> (a partition of pipeproc.logs) whose chunks hold
 * its logs.  Table names come from the numeric id only; the user's name is
 * data in the catalog row.  The tables belong to the extension owner, in a
 * schema nobody else may use; the topic's owner is the role recorded in
 * the catalog, and the privileges granted on the topic's table (by
 * grant_topic) decide who else may read (SELECT) and write (INSERT) it.
 *
 * The cache maps names to PPTopic and is flushed whenever a relcache
 * invalidation names a cached topic's table (drop, new chunk attached) or
 * all relations.  Callers get copies, so a flush never pulls memory from
 * under them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "commands/tablespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "pipeproc.h"
#include "shmem.h"
#include "storage.h"
#include "topic.h"

typedef struct PPTopicCacheEntry
{
	char		key[NAMEDATALEN];
	PPTopic		topic;
} PPTopicCacheEntry;

static HTAB *topic_cache = NULL;
static bool topic_cache_stale = false;
static bool topic_callback_registered = false;
static SPIPlanPtr lookup_plan = NULL;

static void
pp_topic_cache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	PPTopicCacheEntry *e;

	if (topic_cache == NULL || topic_cache_stale)
		return;
	if (!OidIsValid(relid))
	{
		topic_cache_stale = true;
		return;
	}
	hash_seq_init(&status, topic_cache);
	while ((e = hash_seq_search(&status)) != NULL)
	{
		if (e->topic.relid == relid)
		{
			topic_cache_stale = true;
			hash_seq_term(&status);
			return;
		}
	}
}

static void
pp_topic_cache_reset(void)
{
	HASHCTL		ctl;

	if (!topic_callback_registered)
	{
		CacheRegisterRelcacheCallback(pp_topic_cache_callback, (Datum) 0);
		topic_callback_registered = true;
	}
	if (topic_cache != NULL)
		hash_destroy(topic_cache);
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(PPTopicCacheEntry);
	ctl.hcxt = TopMemoryContext;
	topic_cache = hash_create("pipeproc topic cache", 64, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	topic_cache_stale = false;
}

/*
 * Raise invalid_parameter_value unless name is a valid topic name.
 */
void
pp_check_topic_name(const char *name)
{
	if (!pp_valid_topic_name(name, strlen(name)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid topic name \"%s\"", name),
				 errhint("A topic name has 1 to %d characters from A-Z, a-z, 0-9, \"_\" and \"-\".",
						 PP_TOPIC_MAXLEN)));
}

/*
 * Read the catalog row of a topic; false if there is none.
 */
static bool
pp_topic_fetch(const char *name, PPTopic *t)
{
	PPCatalogAccess acc;
	Datum		arg = CStringGetTextDatum(name);
	bool		found = false;

	pp_catalog_begin(&acc);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (lookup_plan == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("SELECT id, relid::oid, owner::oid, chunk_size, unlogged, spcoid"
						   " FROM pipeproc.topic WHERE name = $1", 1, argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		lookup_plan = plan;
	}
	/* not read-only: see topics created earlier in this statement */
	if (SPI_execute_plan(lookup_plan, &arg, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "topic lookup failed");
	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		strlcpy(t->name, name, sizeof(t->name));
		t->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		t->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		t->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		t->chunk_size = DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull));
		t->unlogged = DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull));
		t->spcoid = DatumGetObjectId(SPI_getbinval(tup, desc, 6, &isnull));
		if (isnull)
			t->spcoid = InvalidOid;
		found = true;
	}
	SPI_finish();
	pp_catalog_end(&acc);
	return found;
}

/*
 * Remember a topic this transaction created (if it rolls back, the
 * existence check in pp_topic_open notices and looks again).
 */
static void
pp_topic_cache_put(const PPTopic *t)
{
	PPTopicCacheEntry *e;

	if (topic_cache == NULL || topic_cache_stale)
		pp_topic_cache_reset();
	e = hash_search(topic_cache, t->name, HASH_ENTER, NULL);
	e->topic = *t;
}

/*
 * A copy of the cached topic, or NULL if no such topic exists.
 */
static PPTopic *
pp_topic_lookup(const char *name)
{
	PPTopicCacheEntry *e;
	bool		found;
	PPTopic		t;

	if (topic_cache == NULL || topic_cache_stale)
		pp_topic_cache_reset();
	e = hash_search(topic_cache, name, HASH_FIND, &found);
	if (!found)
	{
		if (!pp_topic_fetch(name, &t))
			return NULL;
		if (topic_cache_stale)
			pp_topic_cache_reset();
		e = hash_search(topic_cache, name, HASH_ENTER, &found);
		e->topic = t;
	}
	t = e->topic;
	return memcpy(palloc(sizeof(PPTopic)), &t, sizeof(PPTopic));
}

/*
 * Run a read-only statement with at most one parameter (the topic id) on
 * snapshot snap; returns its only row, or NULL.  The row's values are
 * read with SPI_getbinval(row, SPI_tuptable->tupdesc, ...).
 */
static HeapTuple
pp_state_query(const char *sql, const PPTopic *t, bool with_id, Snapshot snap)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		arg = Int64GetDatum(t->id);
	SPIPlanPtr	plan = SPI_prepare(sql, with_id ? 1 : 0, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_execute_snapshot(plan, with_id ? &arg : NULL, NULL, snap, InvalidSnapshot,
							 true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the state of topic \"%s\"", t->name);
	SPI_freeplan(plan);
	return SPI_processed == 1 ? SPI_tuptable->vals[0] : NULL;
}

/*
 * Make sure the topic has its shared entry (next seq, last ts, followed),
 * created from the stored logs and the catalog if this is the first use
 * since server start.
 */
static void
pp_topic_ensure_state(const PPTopic *t)
{
	PPCatalogAccess acc;
	char		sql[256];
	int64		next_seq = 0;
	int64		last_ts = 0;
	bool		followed = false;
	bool		isnull;
	HeapTuple	row;
	Snapshot	snap;

	if (pp_topic_state_exists(t->id))
		return;

	pp_catalog_begin(&acc);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	snap = RegisterSnapshot(GetLatestSnapshot());

	/* the last stored log */
	snprintf(sql, sizeof(sql),
			 "SELECT seq + 1, ts FROM pipeproc_data.topic_%lld ORDER BY seq DESC LIMIT 1",
			 (long long) t->id);
	if ((row = pp_state_query(sql, t, false, snap)) != NULL)
	{
		next_seq = DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &isnull));
		last_ts = DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull));
	}
	/* logs the collector removed keep their seqs: never hand them out again */
	if ((row = pp_state_query("SELECT first_seq, last_ts FROM pipeproc.topic WHERE id = $1",
							  t, true, snap)) != NULL)
	{
		next_seq = Max(next_seq, DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &isnull)));
		last_ts = Max(last_ts, DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull)));
	}
	/* does a live proc follow it? */
	if ((row = pp_state_query("SELECT EXISTS (SELECT FROM pipeproc.proc p JOIN pipeproc.topic t"
							  " ON t.name = p.topic WHERE t.id = $1 AND p.live)",
							  t, true, snap)) != NULL)
		followed = DatumGetBool(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &isnull));

	UnregisterSnapshot(snap);
	SPI_finish();
	pp_catalog_end(&acc);

	pp_topic_state_create(t->id, next_seq, last_ts, false);
	if (followed)
		pp_topic_follow(t->id);
}

/*
 * May the current user read topic t?
 */
bool
pp_topic_readable(const PPTopic *t)
{
	return pp_topic_owned(t) ||
		pg_class_aclcheck(t->relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

/*
 * Does the current user own topic t (as a member of its owner's role, or
 * as a superuser)?  The topic's tables belong to the extension owner; the
 * topic's owner is the role recorded in the catalog.
 */
bool
pp_topic_owned(const PPTopic *t)
{
	return has_privs_of_role(GetUserId(), t->owner);
}

/*
 * Open a topic for reading or writing: look it up (creating it if asked),
 * lock its table, check the privilege and make sure its shared state
 * exists.  Returns NULL for a missing topic only with missing_ok.
 */
PPTopic *
pp_topic_open(const char *name, PPAccess access, bool create, bool missing_ok)
{
	PPTopic    *t;

	pp_require_shmem();
	for (int attempt = 0;; attempt++)
	{
		t = pp_topic_lookup(name);
		if (t == NULL)
		{
			if (create)
				t = pp_topic_create(name, false, InvalidOid, true);
			else if (missing_ok)
				return NULL;
			else
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("topic \"%s\" does not exist", name)));
		}
		LockRelationOid(t->relid, access == PP_ACCESS_WRITE ? RowExclusiveLock : AccessShareLock);
		if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t->relid)))
			break;
		/* dropped while we waited for the lock: look again */
		UnlockRelationOid(t->relid, access == PP_ACCESS_WRITE ? RowExclusiveLock : AccessShareLock);
		if (attempt >= 2)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the table of topic \"%s\" is missing", name),
					 errhint("Someone dropped it by hand; pipeproc.drop_topic() removes what is left.")));
		topic_cache_stale = true;
		pfree(t);
	}

	if (access != PP_ACCESS_PEEK && !pp_topic_owned(t) &&
		pg_class_aclcheck(t->relid, GetUserId(),
						  access == PP_ACCESS_WRITE ? ACL_INSERT : ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s topic \"%s\"",
						access == PP_ACCESS_WRITE ? "write to" : "read", name),
				 errhint("The topic's owner can grant it with pipeproc.grant_topic().")));
	pp_topic_ensure_state(t);
	return t;
}

/*
 * Create a topic owned by the current user.  With if_not_exists, return
 * the existing topic of that name instead of raising duplicate_object.
 */
PPTopic *
pp_topic_create(const char *name, bool unlogged, Oid spcoid, bool if_not_exists)
{
	PPCatalogAccess acc;
	Oid			owner = GetUserId();
	Oid			argtypes[5] = {TEXTOID, OIDOID, BOOLOID, OIDOID, INT8OID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	PPTopic    *t;
	char		table[NAMEDATALEN];
	StringInfoData sql;
	bool		isnull;

	pp_require_shmem();
	args[0] = CStringGetTextDatum(name);
	args[1] = ObjectIdGetDatum(owner);
	args[2] = BoolGetDatum(unlogged);
	args[3] = ObjectIdGetDatum(spcoid);
	if (!OidIsValid(spcoid))
		nulls[3] = 'n';
	args[4] = Int64GetDatum(pp_chunk_size);

	t = palloc0(sizeof(PPTopic));
	pp_catalog_begin(&acc);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("INSERT INTO pipeproc.topic (name, owner, unlogged, spcoid, chunk_size)"
							  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING id",
							  5, argtypes, args, nulls, false, 1) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not insert topic \"%s\"", name);
	if (SPI_processed == 0)
	{
		SPI_finish();
		pp_catalog_end(&acc);
		if (!if_not_exists)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("topic \"%s\" already exists", name)));
		t = pp_topic_lookup(name);
		if (t == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent creation of topic \"%s\"", name)));
		return t;
	}
	strlcpy(t->name, name, sizeof(t->name));
	t->id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	t->owner = owner;
	t->chunk_size = pp_chunk_size;
	t->unlogged = unlogged;
	t->spcoid = spcoid;

	snprintf(table, sizeof(table), "topic_%lld", (long long) t->id);
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TABLE pipeproc_data.%s (LIKE pipeproc.logs) PARTITION BY RANGE (seq);"
					 "CREATE UNIQUE INDEX ON pipeproc_data.%s (seq);"
					 "ALTER TABLE pipeproc.logs ATTACH PARTITION pipeproc_data.%s FOR VALUES IN (%lld)",
					 quote_identifier(table), quote_identifier(table),
					 quote_identifier(table), (long long) t->id);
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create the table of topic \"%s\"", name);
	t->relid = get_relname_relid(table, pp_data_namespace());
	args[0] = Int64GetDatum(t->id);
	args[1] = ObjectIdGetDatum(t->relid);
	argtypes[0] = INT8OID;
	if (SPI_execute_with_args("UPDATE pipeproc.topic SET relid = $2 WHERE id = $1",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not update topic \"%s\"", name);
	SPI_finish();
	pp_catalog_end(&acc);
	CommandCounterIncrement();

	pp_topic_state_create(t->id, 0, 0, true);
	pp_forget_topic_at_abort(t->id);
	(void) pp_ensure_chunk(t, 0, true);
	pp_topic_cache_put(t);
	return t;
}

PG_FUNCTION_INFO_V1(pipeproc_create_topic);

/*
 * create_topic(topic text, unlogged boolean, tablespace name) returns void
 */
Datum
pipeproc_create_topic(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "topic");
	bool		unlogged;
	Oid			spcoid = InvalidOid;

	pp_arg_not_null(fcinfo, 1, "unlogged");
	unlogged = PG_GETARG_BOOL(1);
	pp_check_topic_name(name);
	if (!PG_ARGISNULL(2))
	{
		char	   *spcname = NameStr(*PG_GETARG_NAME(2));

		spcoid = get_tablespace_oid(spcname, false);
		if (spcoid != MyDatabaseTableSpace &&
			pg_tablespace_aclcheck(spcoid, GetUserId(), ACL_CREATE) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLESPACE, spcname);
	}
	(void) pp_topic_create(name, unlogged, spcoid, false);
	PG_RETURN_VOID();
}

/*
 * Look up a topic that the current user must own (drop, grant, revoke):
 * undefined_object if it does not exist, insufficient_privilege if the
 * user does not own it (hint: what only the owner may do, or NULL).
 */
static PPTopic *
pp_topic_lookup_owned(const char *name, const char *hint)
{
	PPTopic    *t;

	pp_check_topic_name(name);
	pp_require_shmem();
	t = pp_topic_lookup(name);
	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("topic \"%s\" does not exist", name)));
	if (!pp_topic_owned(t))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of topic \"%s\"", name),
				 hint ? errhint("%s", hint) : 0));
	return t;
}

PG_FUNCTION_INFO_V1(pipeproc_drop_topic);

/*
 * drop_topic(topic text) returns void: the topic, its logs and its procs.
 * Only the topic's owner (or a member of its role, or a superuser) may.
 */
Datum
pipeproc_drop_topic(PG_FUNCTION_ARGS)
{
	char	   *name = pp_text_arg(fcinfo, 0, "topic");
	PPTopic    *t;
	PPCatalogAccess acc;
	char		sql[256];
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		args[2];

	t = pp_topic_lookup_owned(name, NULL);

	pp_catalog_begin(&acc);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* lock out writers and readers first, then remove the rows */
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS pipeproc_data.topic_%lld", (long long) t->id);
	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not drop the table of topic \"%s\"", name);
	args[0] = Int64GetDatum(t->id);
	args[1] = CStringGetTextDatum(name);
	if (SPI_execute_with_args("DELETE FROM pipeproc.topic WHERE id = $1",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete topic \"%s\"", name);
	if (SPI_execute_with_args("DELETE FROM pipeproc.proc WHERE topic = $2",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not delete the procs of topic \"%s\"", name);
	SPI_finish();
	pp_catalog_end(&acc);
	pp_forget_topic_at_commit(t->id);
	topic_cache_stale = true;
	PG_RETURN_VOID();
}

/*
 * The table privileges behind a topic privilege word: "read" is SELECT,
 * "write" is INSERT, "all" is both.
 */
static List *
pp_topic_privileges(const char *word)
{
	List	   *privs = NIL;
	bool		read = strcmp(word, "read") == 0;
	bool		write = strcmp(word, "write") == 0;
	const char *names[2];
	int			n = 0;

	if (strcmp(word, "all") == 0)
		read = write = true;
	if (!read && !write)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid topic privilege \"%s\"", word),
				 errhint("Use \"read\", \"write\" or \"all\".")));
	if (read)
		names[n++] = "select";
	if (write)
		names[n++] = "insert";
	for (int i = 0; i < n; i++)
	{
		AccessPriv *p = makeNode(AccessPriv);

		p->priv_name = pstrdup(names[i]);
		p->cols = NIL;
		privs = lappend(privs, p);
	}
	return privs;
}

/*
 * Grant or revoke a topic privilege: a GRANT/REVOKE on the topic's table,
 * executed by PostgreSQL's own code as the calling role, after checking
 * that this role owns the topic (GRANT by anyone else would only warn).
 */
static void
pp_grant_or_revoke(FunctionCallInfo fcinfo, bool is_grant)
{
	char	   *name = pp_text_arg(fcinfo, 0, "topic");
	char	   *grantee = pp_text_arg(fcinfo, 1, "role");
	char	   *word = pp_text_arg(fcinfo, 2, "privilege");
	PPTopic    *t;
	GrantStmt  *stmt;
	RoleSpec   *role;
	PPCatalogAccess acc;

	pp_check_topic_name(name);
	pp_require_shmem();
	stmt = makeNode(GrantStmt);
	stmt->privileges = pp_topic_privileges(word);

	role = makeNode(RoleSpec);
	role->location = -1;
	if (strcmp(grantee, "public") == 0)
		role->roletype = ROLESPEC_PUBLIC;
	else
	{
		(void) get_role_oid(grantee, false);	/* 42704 for an unknown role */
		role->roletype = ROLESPEC_CSTRING;
		role->rolename = grantee;
	}

	t = pp_topic_lookup_owned(name, is_grant ?
								  "Only the topic's owner (the role that created it), a member of that role or a superuser can grant its privileges." :
								  "Only the topic's owner (the role that created it), a member of that role or a superuser can revoke its privileges.");
	/* keep the topic from being dropped under us */
	LockRelationOid(t->relid, AccessShareLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t->relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("topic \"%s\" does not exist", name)));

	stmt->is_grant = is_grant;
	stmt->targtype = ACL_TARGET_OBJECT;
	stmt->objtype = OBJECT_TABLE;
	stmt->objects = list_make1(makeRangeVar("pipeproc_data",
											psprintf("topic_%lld", (long long) t->id), -1));
	stmt->grantees = list_make1(role);
	stmt->grant_option = false;
	stmt->grantor = NULL;
	stmt->behavior = DROP_RESTRICT;
	/* the tables belong to the extension owner, who grants */
	pp_catalog_begin(&acc);
	ExecuteGrantStmt(stmt);
	pp_catalog_end(&acc);
	CommandCounterIncrement();
}

PG_FUNCTION_INFO_V1(pipeproc_grant_topic);

/*
 * grant_topic(topic text, role name, privilege text) returns void
 */
Datum
pipeproc_grant_topic(PG_FUNCTION_ARGS)
{
	pp_grant_or_revoke(fcinfo, true);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(pipeproc_revoke_topic);

/*
 * revoke_topic(topic text, role name, privilege text) returns void
 */
Datum
pipeproc_revoke_topic(PG_FUNCTION_ARGS)
{
	pp_grant_or_revoke(fcinfo, false);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(pipeproc_topic_readable);

/*
 * _topic_readable(topic text) returns boolean: may the current user read
 * the topic?  False for a topic that does not exist.  The procs view shows
 * a proc only to its owner's roles and to those who may read its topic.
 */
Datum
pipeproc_topic_readable(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PPTopic    *t;

	if (!pp_valid_topic_name(name, strlen(name)))
		PG_RETURN_BOOL(false);
	t = pp_topic_lookup(name);
	PG_RETURN_BOOL(t != NULL && pp_topic_readable(t));
}
