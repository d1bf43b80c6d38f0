/*-------------------------------------------------------------------------
 *
 * proc.h
 *	  Procs: claim, ack, reclaim, and their administration.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_PROC_H
#define PIPEPROC_PROC_H

extern void pp_check_proc_name(const char *name);

#endif							/* PIPEPROC_PROC_H */
