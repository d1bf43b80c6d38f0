/*-------------------------------------------------------------------------
 *
 * commit.c
 *	  The write path: commit(topic, body) and commit(logs).
 *
 * A commit validates everything first, opens (or creates) its topics in
 * name order, takes all its seqs and one ts in a single allocation
 * (shmem.c), and inserts the rows straight into the chunks (storage.c).
 * No lock is held beyond the allocation, so writers of one topic never
 * wait for each other; the caller's transaction decides whether the logs
 * ever become visible.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "commit.h"
#include "pipeproc.h"
#include "shmem.h"
#include "storage.h"
#include "topic.h"

/*
 * Raise invalid_parameter_value unless the body is an object or an array.
 */
static void
pp_check_body(Jsonb *body, int element)
{
	if (JB_ROOT_IS_SCALAR(body))
	{
		if (element < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("log body must be a JSON object or array")));
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("body of log %d must be a JSON object or array", element + 1)));
	}
}

static text *
pp_id_text(int64 ts, int64 seq)
{
	char		buf[48];

	pp_format_id(buf, sizeof(buf), ts, seq);
	return cstring_to_text(buf);
}

/*
 * The LISTEN channel of a topic's live procs: "pipeproc:<topic>" (topic
 * names are short and of a safe alphabet, so it fits and needs no escaping
 * beyond double quotes in LISTEN).
 */
void
pp_live_channel(char *buf, size_t len, const char *topic)
{
	snprintf(buf, len, "pipeproc:%s", topic);
}

/*
 * Queue the notification of a followed topic.  NOTIFY is transactional: it
 * is sent when the transaction commits, and PostgreSQL folds identical
 * notifications of one transaction into one, so listeners get one per
 * committing transaction, none for a rollback.
 */
void
pp_notify_followers(const PPTopic *t)
{
	char		channel[NAMEDATALEN];

	pp_live_channel(channel, sizeof(channel), t->name);
	Async_Notify(channel, t->name);
}

/*
 * Commit one log; returns its id.
 */
text *
pp_commit_one(const char *topic, Jsonb *body)
{
	PPTopic    *t;
	PPAllocRequest req;
	int64		ts;
	PPInserter *ins;

	pp_check_topic_name(topic);
	pp_check_body(body, -1);
	t = pp_topic_open(topic, PP_ACCESS_WRITE, true, false);
	req.topic_id = t->id;
	req.count = 1;
	ts = pp_allocate(&req, 1);
	if (req.followed)
		pp_notify_followers(t);
	ins = pp_inserter_begin();
	pp_inserter_put(ins, t, req.first_seq, ts, JsonbPGetDatum(body));
	pp_inserter_end(ins);
	return pp_id_text(ts, req.first_seq);
}

/* One distinct topic of a batch. */
typedef struct PPBatchTopic
{
	char		name[NAMEDATALEN];	/* hash key */
	int64		count;
	int64		next;			/* next seq to use while inserting */
	PPTopic    *topic;
} PPBatchTopic;

static int
pp_batch_topic_cmp(const void *a, const void *b)
{
	return strcmp((*(PPBatchTopic *const *) a)->name, (*(PPBatchTopic *const *) b)->name);
}

/*
 * Element i of the batch as (topic name, body container); raises
 * invalid_parameter_value for anything else.
 */
static void
pp_batch_element(Jsonb *logs, int i, char *name, JsonbValue *body)
{
	JsonbValue *elem = getIthJsonbValueFromContainer(&logs->root, i);
	JsonbValue *v;

	if (elem == NULL || elem->type != jbvBinary ||
		!JsonContainerIsObject(elem->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("log %d must be a JSON object with keys \"topic\" and \"body\"", i + 1)));
	v = getKeyJsonValueFromContainer(elem->val.binary.data, "topic", 5, NULL);
	if (v == NULL || v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("log %d has no \"topic\" string", i + 1)));
	if (!pp_valid_topic_name(v->val.string.val, v->val.string.len))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid topic name \"%s\" in log %d",
						pnstrdup(v->val.string.val, v->val.string.len), i + 1),
				 errhint("A topic name has 1 to %d characters from A-Z, a-z, 0-9, \"_\" and \"-\".",
						 PP_TOPIC_MAXLEN)));
	memcpy(name, v->val.string.val, v->val.string.len);
	name[v->val.string.len] = '\0';
	v = getKeyJsonValueFromContainer(elem->val.binary.data, "body", 4, body);
	if (v == NULL || v->type != jbvBinary)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("body of log %d must be a JSON object or array", i + 1)));
}

/*
 * Commit a JSON array of {"topic": ..., "body": ...}; returns the ids in
 * input order.  All logs share one ts; seqs are consecutive per topic.
 */
ArrayType *
pp_commit_batch(Jsonb *logs)
{
	int			n;
	HTAB	   *topics;
	HASHCTL		ctl;
	PPBatchTopic **order;
	int			ntopics = 0;
	PPAllocRequest *reqs;
	HASH_SEQ_STATUS status;
	PPBatchTopic *bt;
	Datum	   *ids;
	int64		ts;
	PPInserter *ins;
	MemoryContext rowcxt;
	char		name[NAMEDATALEN];
	JsonbValue	body;

	if (JB_ROOT_IS_SCALAR(logs) || !JB_ROOT_IS_ARRAY(logs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logs must be a JSON array of {\"topic\": ..., \"body\": ...} objects")));
	n = JB_ROOT_COUNT(logs);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no logs to commit"),
				 errdetail("The array of logs is empty.")));

	/* pass 1: validate everything and count logs per topic */
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(PPBatchTopic);
	ctl.hcxt = CurrentMemoryContext;
	topics = hash_create("pipeproc batch topics", 16, &ctl,
						 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	for (int i = 0; i < n; i++)
	{
		bool		found;

		pp_batch_element(logs, i, name, &body);
		bt = hash_search(topics, name, HASH_ENTER, &found);
		if (!found)
		{
			bt->count = 0;
			ntopics++;
		}
		bt->count++;
	}

	/* open the topics in name order, so concurrent creators cannot deadlock */
	order = palloc(sizeof(PPBatchTopic *) * ntopics);
	ntopics = 0;
	hash_seq_init(&status, topics);
	while ((bt = hash_seq_search(&status)) != NULL)
		order[ntopics++] = bt;
	qsort(order, ntopics, sizeof(PPBatchTopic *), pp_batch_topic_cmp);
	reqs = palloc(sizeof(PPAllocRequest) * ntopics);
	for (int i = 0; i < ntopics; i++)
	{
		order[i]->topic = pp_topic_open(order[i]->name, PP_ACCESS_WRITE, true, false);
		reqs[i].topic_id = order[i]->topic->id;
		reqs[i].count = order[i]->count;
	}

	ts = pp_allocate(reqs, ntopics);
	for (int i = 0; i < ntopics; i++)
	{
		order[i]->next = reqs[i].first_seq;
		if (reqs[i].followed)
			pp_notify_followers(order[i]->topic);
	}

	/* pass 2: insert in input order */
	ids = palloc(sizeof(Datum) * n);
	ins = pp_inserter_begin();
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "pipeproc commit row",
								   ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < n; i++)
	{
		MemoryContext old;
		int64		seq;

		pp_batch_element(logs, i, name, &body);
		bt = hash_search(topics, name, HASH_FIND, NULL);
		seq = bt->next++;
		ids[i] = PointerGetDatum(pp_id_text(ts, seq));
		old = MemoryContextSwitchTo(rowcxt);
		pp_inserter_put(ins, bt->topic, seq, ts, JsonbPGetDatum(JsonbValueToJsonb(&body)));
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	pp_inserter_end(ins);
	MemoryContextDelete(rowcxt);
	hash_destroy(topics);

	return construct_array(ids, n, TEXTOID, -1, false, TYPALIGN_INT);
}

PG_FUNCTION_INFO_V1(pipeproc_commit);

/*
 * commit(topic text, body jsonb) returns text
 */
Datum
pipeproc_commit(PG_FUNCTION_ARGS)
{
	char	   *topic = pp_text_arg(fcinfo, 0, "topic");

	pp_arg_not_null(fcinfo, 1, "body");
	PG_RETURN_TEXT_P(pp_commit_one(topic, PG_GETARG_JSONB_P(1)));
}

PG_FUNCTION_INFO_V1(pipeproc_commit_batch);

/*
 * commit(logs jsonb) returns text[]
 */
Datum
pipeproc_commit_batch(PG_FUNCTION_ARGS)
{
	pp_arg_not_null(fcinfo, 0, "logs");
	PG_RETURN_ARRAYTYPE_P(pp_commit_batch(PG_GETARG_JSONB_P(0)));
}
