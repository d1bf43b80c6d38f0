/*-------------------------------------------------------------------------
 *
 * fuzz_offset.c
 *	  libFuzzer harness for pp_parse_offset (src/parse.c).
 *
 * Checks: ">" is the beginning and "$>" new logs only; anything else is
 * accepted exactly when pp_parse_bound (and the reference grammar) accepts
 * it as a bound that is not open, with the same bound; no read past the
 * given length.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = fuzz_copy(data, size);
	PPOffsetKind kind;
	PPBound		b,
				plain,
				ref;
	bool		ok,
				plain_ok,
				ref_ok;

	memset(&b, 0x5a, sizeof(b));
	ok = pp_parse_offset(s, size, &kind, &b);

	if (size == 1 && s[0] == '>')
		FUZZ_CHECK(ok && kind == PP_OFFSET_BEGIN);
	else if (size == 2 && s[0] == '$' && s[1] == '>')
		FUZZ_CHECK(ok && kind == PP_OFFSET_NEW);
	else
	{
		plain_ok = pp_parse_bound(s, size, &plain) &&
			plain.kind != PP_BOUND_OPEN;
		ref_ok = ref_bound(s, size, &ref) && ref.kind != PP_BOUND_OPEN;
		FUZZ_CHECK(ok == plain_ok);
		FUZZ_CHECK(ok == ref_ok);
		if (ok)
		{
			FUZZ_CHECK(kind == PP_OFFSET_BOUND);
			FUZZ_CHECK(bound_equal(&b, &plain));
			FUZZ_CHECK(bound_equal(&b, &ref));
		}
	}
	free(s);
	return 0;
}
