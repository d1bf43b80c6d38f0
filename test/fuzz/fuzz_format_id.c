/*-------------------------------------------------------------------------
 *
 * fuzz_format_id.c
 *	  libFuzzer harness for pp_format_id (src/parse.c).
 *
 * Input: 8 bytes ts, 8 bytes seq (native order), 1 byte buffer length
 * (mod 64); missing bytes are zero.  Checks, writing into an exact-size
 * heap buffer (ASan reports any write past it):
 *	- the return value is the full length, the buffer holds its prefix and
 *	  is NUL-terminated, as with snprintf; the text matches a reference
 *	  formatting done without printf;
 *	- an id always fits the 48-byte buffers src/ uses (at most 41 chars);
 *	- with ts, seq >= 0, the id parses back (pp_parse_bound) to ts and seq;
 *	  with a negative part it is rejected.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		in[17] = {0};
	int64_t		ts,
				seq;
	size_t		buflen;
	char		full[64];
	size_t		flen;
	char	   *buf;
	int			n;
	PPBound		b;

	memcpy(in, data, size < sizeof(in) ? size : sizeof(in));
	memcpy(&ts, in, 8);
	memcpy(&seq, in + 8, 8);
	buflen = in[16] % 64;

	flen = ref_int64(full, ts);
	full[flen++] = '-';
	flen += ref_int64(full + flen, seq);
	FUZZ_CHECK(flen <= 41);

	buf = malloc(buflen);
	if (buf == NULL && buflen > 0)
		abort();
	n = pp_format_id(buf, buflen, ts, seq);
	FUZZ_CHECK(n >= 0 && (size_t) n == flen);
	if (buflen > 0)
	{
		size_t		kept = flen < buflen - 1 ? flen : buflen - 1;

		FUZZ_CHECK(memcmp(buf, full, kept) == 0);
		FUZZ_CHECK(buf[kept] == '\0');
	}
	free(buf);

	if (ts >= 0 && seq >= 0)
	{
		FUZZ_CHECK(pp_parse_bound(full, flen, &b));
		FUZZ_CHECK(b.kind == PP_BOUND_ID && b.ts == ts && b.seq == seq);
	}
	else
		FUZZ_CHECK(!pp_parse_bound(full, flen, &b));
	return 0;
}
