/*-------------------------------------------------------------------------
 *
 * parse.c
 *	  Parsers for names, log ids, range bounds and proc offsets.
 *
 * Pure C with no PostgreSQL dependency (see parse.h), so the fuzz harness
 * in test/fuzz can build it alone.  Inputs are (pointer, length) pairs:
 * text datums are not NUL-terminated, and a NUL byte inside the input is
 * simply an invalid character.
 *
 *-------------------------------------------------------------------------
 */
#include "parse.h"

#include <stdio.h>

/* Is c in [A-Za-z0-9]? (locale-independent on purpose) */
static bool
is_alnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

/*
 * Topic names: 1-48 characters of [A-Za-z0-9_-].
 */
bool
pp_valid_topic_name(const char *s, size_t len)
{
	if (len < 1 || len > PP_TOPIC_MAXLEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum_ascii(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/*
 * Proc names: 1-128 characters of [A-Za-z0-9_.:-].
 */
bool
pp_valid_proc_name(const char *s, size_t len)
{
	if (len < 1 || len > PP_PROC_MAXLEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum_ascii(s[i]) && s[i] != '_' && s[i] != '-' &&
			s[i] != '.' && s[i] != ':')
			return false;
	return true;
}

/*
 * Parse s[0..len) as a non-negative decimal int64.  Leading zeros are
 * accepted; signs, spaces and overflow are not.
 */
static bool
parse_uint63(const char *s, size_t len, int64_t *out)
{
	int64_t		v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		int			d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = s[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/*
 * A timestamp of fewer than 13 digits is a prefix of a millisecond
 * timestamp: "151895148010" covers 1518951480100..1518951480109.  With 13
 * or more digits it is one millisecond.
 */
static bool
parse_ts_span(const char *s, size_t len, int64_t *lo, int64_t *hi)
{
	int64_t		v;

	if (!parse_uint63(s, len, &v))
		return false;
	if (len >= 13)
	{
		*lo = *hi = v;
		return true;
	}
	for (size_t i = len; i < 13; i++)
		v *= 10;				/* cannot overflow: at most 13 digits */
	*lo = v;
	{
		int64_t		width = 1;

		for (size_t i = len; i < 13; i++)
			width *= 10;
		*hi = v + width - 1;
	}
	return true;
}

/*
 * Parse a range bound: "", "<ts>-<seq>", ":<seq>" or "<digits>".
 */
bool
pp_parse_bound(const char *s, size_t len, PPBound *out)
{
	const char *dash = NULL;

	out->kind = PP_BOUND_OPEN;
	out->ts = out->seq = out->ts_lo = out->ts_hi = 0;

	if (len == 0)
		return true;

	if (s[0] == ':')
	{
		out->kind = PP_BOUND_SEQ;
		return parse_uint63(s + 1, len - 1, &out->seq);
	}

	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '-')
		{
			dash = s + i;
			break;
		}
	}
	if (dash != NULL)
	{
		size_t		tslen = (size_t) (dash - s);

		out->kind = PP_BOUND_ID;
		return parse_uint63(s, tslen, &out->ts) &&
			parse_uint63(dash + 1, len - tslen - 1, &out->seq);
	}

	out->kind = PP_BOUND_TS;
	return parse_ts_span(s, len, &out->ts_lo, &out->ts_hi);
}

/*
 * Parse a proc offset: ">", "$>", or a bound that is not open.
 */
bool
pp_parse_offset(const char *s, size_t len, PPOffsetKind *kind, PPBound *bound)
{
	if (len == 1 && s[0] == '>')
	{
		*kind = PP_OFFSET_BEGIN;
		return true;
	}
	if (len == 2 && s[0] == '$' && s[1] == '>')
	{
		*kind = PP_OFFSET_NEW;
		return true;
	}
	*kind = PP_OFFSET_BOUND;
	return len > 0 && pp_parse_bound(s, len, bound) &&
		bound->kind != PP_BOUND_OPEN;
}

/*
 * Format the id "<ts>-<seq>" into buf; returns its length.
 */
int
pp_format_id(char *buf, size_t buflen, int64_t ts, int64_t seq)
{
	return snprintf(buf, buflen, "%lld-%lld", (long long) ts, (long long) seq);
}
