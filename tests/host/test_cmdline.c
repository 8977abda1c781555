/*
 * Unit test of kernel/core/cmdline.c: parameters, flags, quotes, the "--"
 * split into init's arguments, and the bounds of struct cmdline.
 */
#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/cmdline.h>

#include <stdlib.h>
#include "check.h"

static struct cmdline cl;
static const char *argv[CMDLINE_TEXT_MAX + 1];	/* a word takes a byte */

/* Fills argv with init's arguments; returns how many. */
static unsigned
init_args(void)
{
	cmdline_init_argv(&cl, argv);
	return cmdline_init_argc(&cl);
}

static void
test_basic(void)
{
	CHECK_EQ(cmdline_parse(&cl, "console=ttyS0 quiet  loglevel=7\n"), 0);
	CHECK_STR(cmdline_get(&cl, "console"), "ttyS0");
	CHECK_STR(cmdline_get(&cl, "quiet"), "");
	CHECK_STR(cmdline_get(&cl, "loglevel"), "7");
	CHECK_STR(cmdline_get(&cl, "missing"), NULL);
	CHECK_STR(cmdline_get(&cl, "consol"), NULL);
	CHECK_STR(cmdline_get(&cl, "console=ttyS0"), NULL);
	CHECK(cmdline_has(&cl, "quiet"));
	CHECK(cmdline_has(&cl, "console"));
	CHECK(!cmdline_has(&cl, "noisy"));
	CHECK_EQ(init_args(), 0);
	CHECK(argv[0] == NULL);

	CHECK_EQ(cmdline_parse(&cl, ""), 0);
	CHECK_EQ(cl.nparams, 0);
	CHECK_EQ(cmdline_parse(&cl, "   \t "), 0);
	CHECK_EQ(cl.nparams, 0);
	CHECK_EQ(cmdline_parse(&cl, NULL), 0);
	CHECK_EQ(cl.nparams, 0);
}

static void
test_values(void)
{
	CHECK_EQ(cmdline_parse(&cl, "a=1 b= =c d=x=y a=2 e"), 0);
	CHECK_STR(cmdline_get(&cl, "a"), "2");	/* the last one wins */
	CHECK_STR(cmdline_get(&cl, "b"), "");
	CHECK_STR(cmdline_get(&cl, ""), "c");
	CHECK_STR(cmdline_get(&cl, "d"), "x=y");
	CHECK_STR(cmdline_get(&cl, "e"), "");
	CHECK_EQ(cl.nparams, 6);
}

static void
test_quotes(void)
{
	CHECK_EQ(cmdline_parse(&cl,
	    "msg=\"hello  world\" \"k=v w\" x=\"\" y=a\"b c\"d \"z\""), 0);
	CHECK_STR(cmdline_get(&cl, "msg"), "hello  world");
	CHECK_STR(cmdline_get(&cl, "k"), "v w");
	CHECK_STR(cmdline_get(&cl, "x"), "");
	CHECK_STR(cmdline_get(&cl, "y"), "ab cd");
	CHECK_STR(cmdline_get(&cl, "z"), "");
	/* The first '=' splits, quoted or not (as Linux). */
	CHECK_EQ(cmdline_parse(&cl, "\"a=b\"=c"), 0);
	CHECK_STR(cmdline_get(&cl, "a"), "b=c");
	/* An unterminated quote runs to the end. */
	CHECK_EQ(cmdline_parse(&cl, "a=\"x y"), 0);
	CHECK_STR(cmdline_get(&cl, "a"), "x y");
}

static void
test_init_args(void)
{
	CHECK_EQ(cmdline_parse(&cl,
	    "quiet -- /bin/sh -c \"echo a=b; exit 3\" x=1 -- --"), 0);
	CHECK(cmdline_has(&cl, "quiet"));
	CHECK(!cmdline_has(&cl, "x"));
	CHECK_EQ(init_args(), 6);
	CHECK_STR(argv[0], "/bin/sh");
	CHECK_STR(argv[1], "-c");
	CHECK_STR(argv[2], "echo a=b; exit 3");
	CHECK_STR(argv[3], "x=1");
	CHECK_STR(argv[4], "--");
	CHECK_STR(argv[5], "--");
	CHECK(argv[6] == NULL);

	/* "--" only counts alone; "--x" and "\"--\"" are parameters. */
	CHECK_EQ(cmdline_parse(&cl, "--x \"--\" a --"), 0);
	CHECK(cmdline_has(&cl, "--x"));
	CHECK(cmdline_has(&cl, "--"));
	CHECK(cmdline_has(&cl, "a"));
	CHECK_EQ(init_args(), 0);
	CHECK(argv[0] == NULL);

	CHECK_EQ(cmdline_parse(&cl, "--\tinit"), 0);
	CHECK_EQ(init_args(), 1);
	CHECK_STR(argv[0], "init");
	CHECK_EQ(cl.nparams, 0);
}

static void
test_limits(void)
{
	char text[3 * CMDLINE_TEXT_MAX];
	char word[16];
	unsigned i;
	size_t n = 0;

	/* 70 parameters: 64 kept, and init's arguments still parsed. */
	for (i = 0; i < 70; i++)
		n += snprintf(text + n, sizeof(text) - n, "p%u=%u ", i, i);
	snprintf(text + n, sizeof(text) - n, "-- init arg");
	CHECK_EQ(cmdline_parse(&cl, text), -E2BIG);
	CHECK_EQ(cl.nparams, CMDLINE_PARAMS_MAX);
	CHECK_STR(cmdline_get(&cl, "p63"), "63");
	CHECK_STR(cmdline_get(&cl, "p64"), NULL);
	CHECK_EQ(cl.dropped, 6);
	CHECK_EQ(init_args(), 2);
	CHECK_STR(argv[1], "arg");

	/* 600 init arguments (Linux's limit is 32): all kept, after 2
	 * parameters. */
	n = snprintf(text, sizeof(text), "a=1 b --");
	for (i = 0; i < 600; i++)
		n += snprintf(text + n, sizeof(text) - n, " a%u", i);
	CHECK_EQ(cmdline_parse(&cl, text), 0);
	CHECK_EQ(cl.nparams, 2);
	CHECK_EQ(init_args(), 600);
	for (i = 0; i < 600; i++) {
		snprintf(word, sizeof(word), "a%u", i);
		CHECK_STR(argv[i], word);
	}
	CHECK(argv[600] == NULL);

	/* As many one-letter arguments as the text holds (2,047 and "--"'s
	 * place): kept; one more word is past the text. */
	n = snprintf(text, sizeof(text), "--");
	for (i = 0; i < CMDLINE_TEXT_MAX / 2; i++)
		n += snprintf(text + n, sizeof(text) - n, " x");
	CHECK_EQ(cmdline_parse(&cl, text), 0);
	CHECK_EQ(init_args(), CMDLINE_TEXT_MAX / 2);
	CHECK_STR(argv[CMDLINE_TEXT_MAX / 2 - 1], "x");
	snprintf(text + n, sizeof(text) - n, " y");
	CHECK_EQ(cmdline_parse(&cl, text), -E2BIG);
	CHECK_EQ(init_args(), CMDLINE_TEXT_MAX / 2);
	CHECK(argv[CMDLINE_TEXT_MAX / 2] == NULL);
	snprintf(text + n, sizeof(text) - n, " \"\"");	/* empty: still no room */
	CHECK_EQ(cmdline_parse(&cl, text), -E2BIG);
	CHECK_EQ(init_args(), CMDLINE_TEXT_MAX / 2);

	/* Too much text: the words before the overflow are kept. */
	memset(text, 'v', sizeof(text));
	memcpy(text, "first=1 big=", 12);
	text[sizeof(text) - 1] = '\0';
	CHECK_EQ(cmdline_parse(&cl, text), -E2BIG);
	CHECK_STR(cmdline_get(&cl, "first"), "1");
	CHECK(!cmdline_has(&cl, "big"));
	CHECK(cl.text_used <= CMDLINE_TEXT_MAX);

	/* Exactly full: 4095 characters plus the NUL fit. */
	memset(text, 'k', CMDLINE_TEXT_MAX - 1);
	text[CMDLINE_TEXT_MAX - 1] = '\0';
	CHECK_EQ(cmdline_parse(&cl, text), 0);
	CHECK_EQ(strlen(cl.params[0].key), CMDLINE_TEXT_MAX - 1);
	text[CMDLINE_TEXT_MAX - 1] = 'k';
	text[CMDLINE_TEXT_MAX] = '\0';
	CHECK_EQ(cmdline_parse(&cl, text), -E2BIG);
	CHECK_EQ(cl.nparams, 0);
}

/* Random text of spaces, quotes, '=' and dashes: no crash, bounds kept. */
static void
test_fuzz(void)
{
	static const char alphabet[] = " \t\"=-ab";
	char text[600];
	uint64_t seed = 42;
	unsigned i, j, len;
	int r;

	for (i = 0; i < 10000; i++) {
		len = check_rand(&seed) % sizeof(text);
		for (j = 0; j < len; j++)
			text[j] = alphabet[check_rand(&seed) %
			    (sizeof(alphabet) - 1)];
		text[len] = '\0';
		r = cmdline_parse(&cl, text);
		CHECK(r == 0 || r == -E2BIG);
		CHECK(cl.nparams <= CMDLINE_PARAMS_MAX);
		CHECK(cl.text_used <= CMDLINE_TEXT_MAX);
		for (j = 0; j < cl.nparams; j++)
			CHECK(cl.params[j].key != NULL &&
			    cl.params[j].value != NULL);
		CHECK_EQ(init_args(), cl.init_argc);
		CHECK(argv[cl.init_argc] == NULL);
		CHECK(cl.init_argc == 0 ||
		    argv[cl.init_argc - 1] + strlen(argv[cl.init_argc - 1]) <
		    cl.text + cl.text_used);
	}
}

int
main(void)
{
	test_basic();
	test_values();
	test_quotes();
	test_init_args();
	test_limits();
	test_fuzz();
	return check_done("test_cmdline");
}
