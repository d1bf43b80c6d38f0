/*-------------------------------------------------------------------------
 *
 * gc.h
 *	  The garbage collector: gc() and the rules for what it may collect.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_GC_H
#define PIPEPROC_GC_H

#include "topic.h"

/* pipeproc.gc_min_prune_time, in milliseconds */
extern int	pp_gc_min_prune_time;

#endif							/* PIPEPROC_GC_H */
