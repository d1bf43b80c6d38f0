/*-------------------------------------------------------------------------
 *
 * fuzz_bound.c
 *	  libFuzzer harness for pp_parse_bound (src/parse.c).
 *
 * Checks, on an exact-size unterminated copy of the input (ASan reports
 * any read past the length):
 *	- the result and every meaningful field match the reference reading of
 *	  the grammar (fuzz_util.h);
 *	- parsed values are in their documented ranges: seq, ts >= 0,
 *	  0 <= ts_lo <= ts_hi, a span of 10^(13 - digits) ms for a prefix;
 *	- round trips: an id formatted by pp_format_id parses back to itself and
 *	  is the input with leading zeros removed; ":N" and a 13-digit
 *	  zero-padded timestamp do too;
 *	- parsing is deterministic and does not depend on the struct's previous
 *	  contents.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_util.h"

/* s[0..len) without its leading zeros (keeping one digit) */
static size_t
skip_zeros(const char *s, size_t len)
{
	size_t		i = 0;

	while (i + 1 < len && s[i] == '0')
		i++;
	return i;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = fuzz_copy(data, size);
	PPBound		b,
				again,
				ref;
	bool		ok,
				ref_ok;
	char		buf[64];

	memset(&b, 0x5a, sizeof(b));
	ok = pp_parse_bound(s, size, &b);
	ref_ok = ref_bound(s, size, &ref);
	FUZZ_CHECK(ok == ref_ok);

	memset(&again, 0xa5, sizeof(again));
	FUZZ_CHECK(pp_parse_bound(s, size, &again) == ok);

	if (ok)
	{
		FUZZ_CHECK(bound_equal(&b, &ref));
		FUZZ_CHECK(bound_equal(&b, &again));
		FUZZ_CHECK((b.kind == PP_BOUND_OPEN) == (size == 0));

		switch (b.kind)
		{
			case PP_BOUND_OPEN:
				break;
			case PP_BOUND_SEQ:
				{
					PPBound		rt;
					int			n;

					FUZZ_CHECK(b.seq >= 0);
					n = snprintf(buf, sizeof(buf), ":%lld", (long long) b.seq);
					FUZZ_CHECK(pp_parse_bound(buf, (size_t) n, &rt));
					FUZZ_CHECK(rt.kind == PP_BOUND_SEQ && rt.seq == b.seq);
					break;
				}
			case PP_BOUND_ID:
				{
					PPBound		rt;
					int			n;
					const char *dash = memchr(s, '-', size);
					size_t		tslen = (size_t) (dash - s);
					size_t		z1 = skip_zeros(s, tslen),
								z2 = skip_zeros(dash + 1, size - tslen - 1);
					char		canon[64];
					size_t		clen;

					FUZZ_CHECK(b.ts >= 0 && b.seq >= 0);
					n = pp_format_id(buf, sizeof(buf), b.ts, b.seq);
					FUZZ_CHECK(n > 0 && (size_t) n < sizeof(buf));
					FUZZ_CHECK(pp_parse_bound(buf, (size_t) n, &rt));
					FUZZ_CHECK(rt.kind == PP_BOUND_ID &&
							   rt.ts == b.ts && rt.seq == b.seq);

					/* the canonical form of the input is what gets formatted */
					FUZZ_CHECK(tslen - z1 + 1 + (size - tslen - 1 - z2) < sizeof(canon));
					memcpy(canon, s + z1, tslen - z1);
					clen = tslen - z1;
					canon[clen++] = '-';
					memcpy(canon + clen, dash + 1 + z2, size - tslen - 1 - z2);
					clen += size - tslen - 1 - z2;
					FUZZ_CHECK((size_t) n == clen && memcmp(buf, canon, clen) == 0);
					break;
				}
			case PP_BOUND_TS:
				{
					PPBound		rt;
					int64_t		width = 1;
					int			n;

					FUZZ_CHECK(0 <= b.ts_lo && b.ts_lo <= b.ts_hi);
					for (size_t i = size; i < 13; i++)
						width *= 10;
					FUZZ_CHECK(b.ts_hi - b.ts_lo == width - 1);
					FUZZ_CHECK(b.ts_lo % width == 0);

					/* the span's first ms, as 13 digits, is that one ms */
					n = snprintf(buf, sizeof(buf), "%013lld", (long long) b.ts_lo);
					FUZZ_CHECK(pp_parse_bound(buf, (size_t) n, &rt));
					FUZZ_CHECK(rt.kind == PP_BOUND_TS &&
							   rt.ts_lo == b.ts_lo && rt.ts_hi == b.ts_lo);
					break;
				}
		}
	}
	free(s);
	return 0;
}
