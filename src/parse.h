/*-------------------------------------------------------------------------
 *
 * parse.h
 *	  Parsers for the user text pipeproc accepts: topic and proc names,
 *	  log ids, range bounds and proc offsets.
 *
 * These parsers depend on nothing but the C library, so that a fuzzer can
 * link parse.c on its own.  They never allocate and never raise errors:
 * they return false on bad input and the caller reports it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PIPEPROC_PARSE_H
#define PIPEPROC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PP_TOPIC_MAXLEN 48
#define PP_PROC_MAXLEN 128

typedef enum PPBoundKind
{
	PP_BOUND_OPEN,				/* NULL or '': no bound */
	PP_BOUND_ID,				/* "<ts>-<seq>": a position */
	PP_BOUND_SEQ,				/* ":<seq>": the stored log with that seq */
	PP_BOUND_TS					/* "<digits>": every log of a time span */
} PPBoundKind;

typedef struct PPBound
{
	PPBoundKind kind;
	int64_t		ts;				/* PP_BOUND_ID: the position's ts */
	int64_t		seq;			/* PP_BOUND_ID, PP_BOUND_SEQ */
	int64_t		ts_lo;			/* PP_BOUND_TS: first ms of the span */
	int64_t		ts_hi;			/* PP_BOUND_TS: last ms of the span */
} PPBound;

/* The kinds of proc offsets (from_offset). */
typedef enum PPOffsetKind
{
	PP_OFFSET_BEGIN,			/* ">" */
	PP_OFFSET_NEW,				/* "$>" */
	PP_OFFSET_BOUND				/* an id, ":N" or a timestamp */
} PPOffsetKind;

extern bool pp_valid_topic_name(const char *s, size_t len);
extern bool pp_valid_proc_name(const char *s, size_t len);
extern bool pp_parse_bound(const char *s, size_t len, PPBound *out);
extern bool pp_parse_offset(const char *s, size_t len, PPOffsetKind *kind,
							PPBound *bound);
/* room for any id "<ts>-<seq>" and its NUL: two int64s of up to 20 characters */
#define PP_ID_BUFLEN 48

extern int	pp_format_id(char *buf, size_t buflen, int64_t ts, int64_t seq);

#endif							/* PIPEPROC_PARSE_H */
