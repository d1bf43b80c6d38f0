/*-------------------------------------------------------------------------
 *
 * fuzz_proc_name.c
 *	  libFuzzer harness for pp_valid_proc_name (src/parse.c).
 *
 * Checks: the verdict matches the documented rule (1-128 characters of
 * [A-Za-z0-9_.:-]); no read past the given length.
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_util.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-"

static bool
ref_proc_name(const char *s, size_t len)
{
	return ref_name(s, len, 128, NAME_CHARS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = fuzz_copy(data, size);

	FUZZ_CHECK(pp_valid_proc_name(s, size) == ref_proc_name(s, size));
	free(s);
	return 0;
}
