/*-------------------------------------------------------------------------
 *
 * fuzz_util.h
 *	  Helpers shared by the libFuzzer harnesses of src/parse.c: a checking
 *	  macro, exact-size copies of the input, and a reference reading of the
 *	  grammar in README.md ("Reading", "Procs") written independently of
 *	  parse.c, so that the harnesses compare two implementations.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Abort (libFuzzer then saves the input) when an invariant does not hold. */
#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", \
					__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/*
 * Copy the input into a heap block of exactly its size, without a
 * terminating NUL, so that AddressSanitizer reports any read past len.
 */
static inline char *
fuzz_copy(const uint8_t *data, size_t size)
{
	char	   *p = malloc(size);

	if (p == NULL && size > 0)
		abort();
	if (size > 0)
		memcpy(p, data, size);
	return p;
}

/*
 * Reference: is s[0..len) a non-negative decimal that fits in int64?
 * Compares the significant digits with INT64_MAX as strings instead of
 * testing for overflow while accumulating, as parse.c does.
 */
static inline bool
ref_uint63(const char *s, size_t len, int64_t *out)
{
	static const char max[] = "9223372036854775807";
	size_t		i = 0;
	uint64_t	v = 0;

	if (len == 0)
		return false;
	for (size_t k = 0; k < len; k++)
		if (s[k] < '0' || s[k] > '9')
			return false;
	while (i < len - 1 && s[i] == '0')
		i++;
	if (len - i > sizeof(max) - 1)
		return false;
	if (len - i == sizeof(max) - 1 && memcmp(s + i, max, len - i) > 0)
		return false;
	for (; i < len; i++)
		v = v * 10 + (uint64_t) (s[i] - '0');
	*out = (int64_t) v;
	return true;
}

/*
 * Reference reading of a range bound (README, "Reading"):
 *	 ""				open
 *	 ":N"			the log with seq N
 *	 "T-S"			a position (split at the first '-')
 *	 "D"			digits: a timestamp, a prefix if fewer than 13 digits
 */
static inline bool
ref_bound(const char *s, size_t len, PPBound *b)
{
	const char *dash;

	memset(b, 0, sizeof(*b));
	b->kind = PP_BOUND_OPEN;
	if (len == 0)
		return true;
	if (s[0] == ':')
	{
		b->kind = PP_BOUND_SEQ;
		return ref_uint63(s + 1, len - 1, &b->seq);
	}
	dash = memchr(s, '-', len);
	if (dash != NULL)
	{
		size_t		n = (size_t) (dash - s);

		b->kind = PP_BOUND_ID;
		return ref_uint63(s, n, &b->ts) &&
			ref_uint63(dash + 1, len - n - 1, &b->seq);
	}
	b->kind = PP_BOUND_TS;
	if (!ref_uint63(s, len, &b->ts_lo))
		return false;
	b->ts_hi = b->ts_lo;
	if (len < 13)
	{
		int64_t		width = 1;

		for (size_t i = len; i < 13; i++)
			width *= 10;
		b->ts_lo *= width;
		b->ts_hi = b->ts_lo + width - 1;
	}
	return true;
}

/* Do two successfully parsed bounds mean the same thing? */
static inline bool
bound_equal(const PPBound *a, const PPBound *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind)
	{
		case PP_BOUND_OPEN:
			return true;
		case PP_BOUND_SEQ:
			return a->seq == b->seq;
		case PP_BOUND_ID:
			return a->ts == b->ts && a->seq == b->seq;
		case PP_BOUND_TS:
			return a->ts_lo == b->ts_lo && a->ts_hi == b->ts_hi;
	}
	return false;
}

/*
 * Reference decimal formatting of an int64 (without printf), into buf of at
 * least 21 bytes; returns the length.
 */
static inline size_t
ref_int64(char *buf, int64_t v)
{
	char		tmp[21];
	size_t		n = 0,
				len = 0;
	uint64_t	u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

	do
	{
		tmp[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

/*
 * Reference reading of a name rule: minlen..maxlen characters, each one
 * of allowed (no NUL).  Independent of src/parse.c.
 */
static inline bool
ref_name(const char *s, size_t len, size_t maxlen, const char *allowed)
{
	if (len < 1 || len > maxlen)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(allowed, s[i]) == NULL)
			return false;
	return true;
}

#endif							/* FUZZ_UTIL_H */
