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
#include <string.h>

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

static const char pp_digit_pairs[201] =
"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
"8081828384858687888990919293949596979899";

/*
 * Write the decimal form of v backwards, ending just before end; returns
 * where it starts.  Two digits per division.
 */
static char *
pp_put_int64_rev(char *end, int64_t v)
{
	uint64_t	u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

	while (u >= 100)
	{
		unsigned	r = (unsigned) (u % 100);

		u /= 100;
		*--end = pp_digit_pairs[2 * r + 1];
		*--end = pp_digit_pairs[2 * r];
	}
	if (u >= 10)
	{
		*--end = pp_digit_pairs[2 * u + 1];
		*--end = pp_digit_pairs[2 * u];
	}
	else
		*--end = (char) ('0' + u);
	if (v < 0)
		*--end = '-';
	return end;
}

/*
 * Format the id "<ts>-<seq>" into buf (NUL-terminated, truncated to
 * buflen - 1 characters); returns the id's full length, as snprintf does.
 * It is on the path of every log read, so it avoids the printf machinery
 * and remembers the last timestamp's digits: logs read in a row mostly
 * share it (a batch has one timestamp) or differ in the last digits only.
 */
int
pp_format_id(char *buf, size_t buflen, int64_t ts, int64_t seq)
{
	static int64_t last_ts = 0;
	static char last_ts_digits[24] = "0";
	static size_t last_ts_len = 1;
	char		tmp[PP_ID_BUFLEN];
	char	   *end = tmp + sizeof(tmp);
	char	   *start;
	size_t		len;

	start = pp_put_int64_rev(end, seq);
	*--start = '-';
	if (ts != last_ts)
	{
		char	   *e = last_ts_digits + sizeof(last_ts_digits);
		char	   *b = pp_put_int64_rev(e, ts);

		last_ts_len = (size_t) (e - b);
		memmove(last_ts_digits, b, last_ts_len);
		last_ts = ts;
	}
	start -= last_ts_len;
	memcpy(start, last_ts_digits, last_ts_len);
	len = (size_t) (end - start);
	if (buflen > 0)
	{
		size_t		n = len < buflen - 1 ? len : buflen - 1;

		memcpy(buf, start, n);
		buf[n] = '\0';
	}
	return (int) len;
}
