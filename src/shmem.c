/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  Id allocation and the last stable offset, in shared memory.
 *
 * Every topic has an entry in a shared hash table holding the next seq to
 * hand out and the ts of the last allocation.  A commit takes seqs (and
 * one ts for the whole call) under one LWLock held for a few instructions,
 * so writers of a topic never wait for each other's transactions.
 *
 * Seqs become settled (committed or rolled back) out of order.  Procs must
 * not pass a seq that some transaction may still commit, so each backend
 * publishes, per topic it wrote in its current transaction, the first seq
 * it took ("in flight").  The last stable offset of a topic is
 *
 *		LSO = min(next_seq, first in-flight seq of any backend) - 1
 *
 * and every seq <= LSO is settled.  The in-flight entries are removed by
 * the transaction callback, which runs after ProcArrayEndTransaction(): by
 * then the transaction's rows are visible to any new snapshot.  A reader
 * that computes the LSO and *then* takes a snapshot therefore sees every
 * committed log up to the LSO.  This is Kafka's read_committed rule,
 * enforced without making writers wait.
 *
 * A backend slot holds PP_SLOT_TOPICS entries; a transaction that writes to
 * more topics registers the rest in the topic entry's overflow fields,
 * which keep the smallest such seq until all overflowed transactions on
 * that topic have ended (conservative, never wrong).
 *
 * Entries are created on first use from what is stored (see topic.c) and
 * removed when their topic is dropped or its creation is rolled back; a
 * topic's creation overwrites any stale entry with the same key
 * (pp_topic_state_create with fresh).
 * After a crash, shared memory starts empty and no transaction is in
 * flight, so re-reading the stored maximum is exact.
 *
 * Lock protocol: PipeprocShared->lock (exclusive) guards every counter,
 * the hash table and the slots; pp_stable_offset() takes it shared.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/twophase.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pipeproc.h"
#include "shmem.h"

#define PP_SLOT_TOPICS 8

/*
 * Topic ids are per database (each database has its own pipeproc catalog),
 * so shared entries are keyed by database and topic id.
 */
typedef struct PPTopicKey
{
	Oid			dbid;
	int64		topic_id;
} PPTopicKey;

typedef struct PPTopicState
{
	PPTopicKey	key;			/* hash key */
	int64		next_seq;
	int64		last_ts;
	int32		ninflight;		/* transactions with unsettled seqs */
	int32		noverflow;		/* ... of which registered here */
	int64		overflow_min;	/* smallest first seq among those */
	bool		followed;		/* a live proc follows it: notify on commit */
} PPTopicState;

typedef struct PPInflight
{
	Oid			dbid;
	int64		topic_id;
	int64		first_seq;
} PPInflight;

typedef struct PPSlot
{
	int			n;
	PPInflight	e[PP_SLOT_TOPICS];
} PPSlot;

typedef struct PipeprocShared
{
	LWLock	   *lock;
	int			nslots;
	PPSlot		slots[FLEXIBLE_ARRAY_MEMBER];
} PipeprocShared;

/* What this backend registered in its current transaction. */
typedef struct PPLocalInflight
{
	int64		topic_id;
	bool		overflow;
} PPLocalInflight;

static PipeprocShared *pp_shared = NULL;

static void *pp_state_search(int64 topic_id, HASHACTION action, bool *found);
static HTAB *pp_topic_states = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static PPLocalInflight *local_inflight = NULL;
static int	local_ninflight = 0;
static int	local_maxinflight = 0;
/*
 * Shared entries to remove when the transaction ends: those of topics it
 * dropped (if it commits) and of topics it created (if it aborts: nobody
 * else ever saw them).  A subtransaction's entries follow its fate.
 */
typedef struct PPForget
{
	int64		topic_id;
	SubTransactionId subid;		/* registered in this subtransaction */
	bool		at_commit;
	bool		at_abort;
} PPForget;

static List *pending_forgets = NIL;	/* of PPForget *, in TopMemoryContext */
static bool subxact_callback_registered = false;
static bool xact_callback_registered = false;

static int
pp_slot_count(void)
{
	return MaxBackends + NUM_AUXILIARY_PROCS + max_prepared_xacts;
}

static Size
pp_shmem_size(void)
{
	Size		size;

	size = add_size(offsetof(PipeprocShared, slots),
					mul_size(pp_slot_count(), sizeof(PPSlot)));
	size = add_size(size, hash_estimate_size(pp_max_topics, sizeof(PPTopicState)));
	return size;
}

static void
pp_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(pp_shmem_size());
	RequestNamedLWLockTranche("pipeproc", 1);
}

static void
pp_shmem_startup(void)
{
	bool		found;
	HASHCTL		info;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	pp_shared = ShmemInitStruct("pipeproc",
								add_size(offsetof(PipeprocShared, slots),
										 mul_size(pp_slot_count(), sizeof(PPSlot))),
								&found);
	if (!found)
	{
		pp_shared->lock = &(GetNamedLWLockTranche("pipeproc"))->lock;
		pp_shared->nslots = pp_slot_count();
		memset(pp_shared->slots, 0, sizeof(PPSlot) * pp_shared->nslots);
	}
	info.keysize = sizeof(PPTopicKey);
	info.entrysize = sizeof(PPTopicState);
	pp_topic_states = ShmemInitHash("pipeproc topics", pp_max_topics, pp_max_topics,
									&info, HASH_ELEM | HASH_BLOBS | HASH_FIXED_SIZE);
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init when the library is preloaded.
 */
void
pp_shmem_install_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pp_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pp_shmem_startup;
}

/*
 * Error out unless the shared state exists (library preloaded).
 */
void
pp_require_shmem(void)
{
	if (pp_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pipeproc must be loaded via shared_preload_libraries"),
				 errhint("Add pipeproc to shared_preload_libraries in postgresql.conf and restart the server.")));
}

bool
pp_topic_state_exists(int64 topic_id)
{
	bool		found;

	LWLockAcquire(pp_shared->lock, LW_SHARED);
	(void) pp_state_search(topic_id, HASH_FIND, &found);
	LWLockRelease(pp_shared->lock);
	return found;
}

/*
 * Create the entry of a topic unless it exists.  next_seq and last_ts come
 * from what is stored; see the header comment for why that is exact.
 */
void
pp_topic_state_create(int64 topic_id, int64 next_seq, int64 last_ts, bool fresh)
{
	PPTopicState *st;
	bool		found;

	LWLockAcquire(pp_shared->lock, LW_EXCLUSIVE);
	st = pp_state_search(topic_id, HASH_ENTER_NULL, &found);
	if (st == NULL)
	{
		LWLockRelease(pp_shared->lock);
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("too many pipeproc topics in use"),
				 errhint("Increase pipeproc.max_topics (now %d) and restart the server.",
						 pp_max_topics)));
	}
	/*
	 * A fresh topic (created just now, its id never seen before in this
	 * database) replaces any entry left by an earlier incarnation of the
	 * extension in this database, whose sequence gave out the same ids.
	 */
	if (!found || fresh)
	{
		st->next_seq = next_seq;
		st->last_ts = last_ts;
		st->ninflight = 0;
		st->noverflow = 0;
		st->overflow_min = PG_INT64_MAX;
		st->followed = false;
	}
	LWLockRelease(pp_shared->lock);
}

/*
 * Mark a topic as followed by a live proc: its commits send a notification
 * from now on.  The mark is never taken back while the server runs (a
 * destroyed live proc costs its topic a notification per committing
 * transaction until the next restart); topics never followed never pay.
 */
void
pp_topic_follow(int64 topic_id)
{
	PPTopicState *st;

	LWLockAcquire(pp_shared->lock, LW_EXCLUSIVE);
	st = pp_state_search(topic_id, HASH_FIND, NULL);
	if (st != NULL)
		st->followed = true;
	LWLockRelease(pp_shared->lock);
}

/* hash_search on the shared topic entries, for a topic of this database */
static void *
pp_state_search(int64 topic_id, HASHACTION action, bool *found)
{
	PPTopicKey	key;

	memset(&key, 0, sizeof(key));	/* HASH_BLOBS hashes the padding too */
	key.dbid = MyDatabaseId;
	key.topic_id = topic_id;
	return hash_search(pp_topic_states, &key, action, found);
}

static PPTopicState *
pp_find_state(int64 topic_id)
{
	PPTopicState *st = pp_state_search(topic_id, HASH_FIND, NULL);

	if (st == NULL)
		elog(ERROR, "pipeproc: no shared state for topic %lld", (long long) topic_id);
	return st;
}

static bool
pp_local_registered(int64 topic_id)
{
	for (int i = 0; i < local_ninflight; i++)
		if (local_inflight[i].topic_id == topic_id)
			return true;
	return false;
}

static void pp_xact_callback(XactEvent event, void *arg);
static void pp_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
								SubTransactionId parentSubid, void *arg);
static void pp_add_forget(int64 topic_id, bool at_commit, bool at_abort);

/*
 * Hand out count seqs to each request, all with one ts, atomically.
 * Returns the ts.  Every topic's state must exist.
 */
int64
pp_allocate(PPAllocRequest *reqs, int nreqs)
{
	int64		ts;
	PPSlot	   *slot = &pp_shared->slots[MyProc->pgprocno];

	if (!xact_callback_registered)
	{
		RegisterXactCallback(pp_xact_callback, NULL);
		xact_callback_registered = true;
	}
	/* make room for the local records before taking the lock */
	if (local_ninflight + nreqs > local_maxinflight)
	{
		int			newmax = Max(16, (local_ninflight + nreqs) * 2);

		if (local_inflight == NULL)
			local_inflight = MemoryContextAlloc(TopMemoryContext,
												newmax * sizeof(PPLocalInflight));
		else
			local_inflight = repalloc(local_inflight, newmax * sizeof(PPLocalInflight));
		local_maxinflight = newmax;
	}

	ts = pp_now_ms();

	LWLockAcquire(pp_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < nreqs; i++)
	{
		PPTopicState *st = pp_state_search(reqs[i].topic_id, HASH_FIND, NULL);

		if (st == NULL)
		{
			LWLockRelease(pp_shared->lock);
			elog(ERROR, "pipeproc: no shared state for topic %lld",
				 (long long) reqs[i].topic_id);
		}
		if (st->last_ts > ts)
			ts = st->last_ts;	/* the clock went back: keep ts monotonic */
	}
	for (int i = 0; i < nreqs; i++)
	{
		PPTopicState *st = pp_find_state(reqs[i].topic_id);

		reqs[i].first_seq = st->next_seq;
		reqs[i].followed = st->followed;
		st->next_seq += reqs[i].count;
		st->last_ts = ts;
		if (!pp_local_registered(reqs[i].topic_id))
		{
			PPLocalInflight *li = &local_inflight[local_ninflight++];

			li->topic_id = reqs[i].topic_id;
			st->ninflight++;
			if (slot->n < PP_SLOT_TOPICS)
			{
				slot->e[slot->n].dbid = MyDatabaseId;
				slot->e[slot->n].topic_id = reqs[i].topic_id;
				slot->e[slot->n].first_seq = reqs[i].first_seq;
				slot->n++;
				li->overflow = false;
			}
			else
			{
				st->noverflow++;
				st->overflow_min = Min(st->overflow_min, reqs[i].first_seq);
				li->overflow = true;
			}
		}
	}
	LWLockRelease(pp_shared->lock);
	return ts;
}

/*
 * The highest seq such that every seq up to it is settled; -1 if none.
 * Take the snapshot for reading *after* calling this.
 */
int64
pp_stable_offset(int64 topic_id)
{
	PPTopicState *st;
	int64		limit;

	LWLockAcquire(pp_shared->lock, LW_SHARED);
	st = pp_find_state(topic_id);
	limit = st->next_seq;
	if (st->ninflight > 0)
	{
		if (st->noverflow > 0)
			limit = Min(limit, st->overflow_min);
		for (int i = 0; i < pp_shared->nslots; i++)
		{
			PPSlot	   *slot = &pp_shared->slots[i];

			for (int j = 0; j < slot->n; j++)
				if (slot->e[j].topic_id == topic_id && slot->e[j].dbid == MyDatabaseId)
					limit = Min(limit, slot->e[j].first_seq);
		}
	}
	LWLockRelease(pp_shared->lock);
	return limit - 1;
}

/*
 * The last seq handed out for a topic (settled or not); -1 if none.
 */
int64
pp_high_water(int64 topic_id)
{
	int64		hw;

	LWLockAcquire(pp_shared->lock, LW_SHARED);
	hw = pp_find_state(topic_id)->next_seq - 1;
	LWLockRelease(pp_shared->lock);
	return hw;
}

/*
 * Remove a dropped topic's entry once the drop commits.
 */
void
pp_forget_topic_at_commit(int64 topic_id)
{
	pp_add_forget(topic_id, true, false);
}

/*
 * Remove the shared entry of a topic created in this transaction if the
 * creation is rolled back (by the transaction or by its subtransaction).
 */
void
pp_forget_topic_at_abort(int64 topic_id)
{
	pp_add_forget(topic_id, false, true);
}

static void
pp_add_forget(int64 topic_id, bool at_commit, bool at_abort)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	PPForget   *f = palloc(sizeof(PPForget));

	f->topic_id = topic_id;
	f->subid = GetCurrentSubTransactionId();
	f->at_commit = at_commit;
	f->at_abort = at_abort;
	pending_forgets = lappend(pending_forgets, f);
	MemoryContextSwitchTo(old);
	if (!xact_callback_registered)
	{
		RegisterXactCallback(pp_xact_callback, NULL);
		xact_callback_registered = true;
	}
	if (!subxact_callback_registered)
	{
		RegisterSubXactCallback(pp_subxact_callback, NULL);
		subxact_callback_registered = true;
	}
}

/*
 * A subtransaction ends: a drop it made is undone, a creation it made is
 * undone (remove the entry whatever the top transaction does); what it
 * did on commit now belongs to its parent.
 */
static void
pp_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	foreach(lc, pending_forgets)
	{
		PPForget   *f = lfirst(lc);

		if (f->subid != mySubid)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			f->subid = parentSubid;
		else if (f->at_abort)
			f->at_commit = true;	/* the topic never existed */
		else
			f->at_commit = false;	/* the drop never happened */
	}
}

/*
 * End of transaction: our seqs are settled now (this runs after
 * ProcArrayEndTransaction), so withdraw them from the in-flight records.
 */
static void
pp_xact_end(bool commit)
{
	ListCell   *lc;

	if (local_ninflight == 0 && pending_forgets == NIL)
		return;

	LWLockAcquire(pp_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < local_ninflight; i++)
	{
		PPTopicState *st = pp_state_search(local_inflight[i].topic_id, HASH_FIND, NULL);

		if (st == NULL)
			continue;
		st->ninflight--;
		if (local_inflight[i].overflow && --st->noverflow == 0)
			st->overflow_min = PG_INT64_MAX;
	}
	pp_shared->slots[MyProc->pgprocno].n = 0;
	foreach(lc, pending_forgets)
	{
		PPForget   *f = lfirst(lc);

		if (commit ? f->at_commit : f->at_abort)
			(void) pp_state_search(f->topic_id, HASH_REMOVE, NULL);
	}
	LWLockRelease(pp_shared->lock);

	local_ninflight = 0;
	list_free_deep(pending_forgets);
	pending_forgets = NIL;
}

static void
pp_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			pp_xact_end(true);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			pp_xact_end(false);
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (local_ninflight > 0 || pending_forgets != NIL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has written to pipeproc topics")));
			break;
		default:
			break;
	}
}
