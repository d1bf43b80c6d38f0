/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  Shared state of pipeproc: per-topic id counters and the last stable
 *	  offset (LSO) of every topic.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_SHMEM_H
#define PIPEPROC_SHMEM_H

/* One allocation request of pp_allocate(): n seqs of one topic. */
typedef struct PPAllocRequest
{
	int64		topic_id;
	int64		count;
	int64		first_seq;		/* output */
	bool		followed;		/* output: a live proc follows the topic */
} PPAllocRequest;

extern void pp_shmem_install_hooks(void);
extern void pp_require_shmem(void);
extern bool pp_topic_state_exists(int64 topic_id);
extern void pp_topic_state_create(int64 topic_id, int64 next_seq, int64 last_ts,
								  bool fresh);
extern void pp_topic_follow(int64 topic_id);
extern int64 pp_allocate(PPAllocRequest *reqs, int nreqs);
extern int64 pp_stable_offset(int64 topic_id);
extern int64 pp_high_water(int64 topic_id);
extern void pp_forget_topic_at_commit(int64 topic_id);
extern void pp_forget_topic_at_abort(int64 topic_id);

#endif							/* PIPEPROC_SHMEM_H */
