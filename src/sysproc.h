/*-------------------------------------------------------------------------
 *
 * sysproc.h
 *	  System procs: a processor function run on a proc's logs, its results
 *	  committed and the logs acked in one transaction.
 *
 * The SQL-callable functions (system_proc, destroy_system_proc,
 * run_system_procs) are all this file offers for now; background workers
 * will call the step through here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_SYSPROC_H
#define PIPEPROC_SYSPROC_H

#endif							/* PIPEPROC_SYSPROC_H */
