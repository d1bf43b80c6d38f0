/*-------------------------------------------------------------------------
 *
 * fuzz_topic_name.c
 *	  libFuzzer harness for pp_valid_topic_name (src/parse.c).
 *
 * Checks: the verdict matches the documented rule (1-48 characters of
 * [A-Za-z0-9_-]); every topic name is also a valid proc name; no read
 * past the given length (the input is an exact-size, unterminated copy).
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_util.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

static bool
ref_topic_name(const char *s, size_t len)
{
	return ref_name(s, len, 48, NAME_CHARS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = fuzz_copy(data, size);
	bool		ok = pp_valid_topic_name(s, size);

	FUZZ_CHECK(ok == ref_topic_name(s, size));
	if (ok)
		FUZZ_CHECK(pp_valid_proc_name(s, size));
	free(s);
	return 0;
}
