/*
 * The kernel command line (kernel/core/cmdline.c): "key=value" parameters,
 * bare flags, and after a lone "--" the arguments handed to init.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <kernel/types.h>

#define CMDLINE_TEXT_MAX	4096	/* bytes of de-quoted words kept */
#define CMDLINE_PARAMS_MAX	64

/* One parameter: value is "" for a bare flag. Both point into text[]. */
struct cmdline_param {
	const char *key;
	const char *value;
};

/*
 * A parsed command line. Self-contained (no pointers outside it), so it may
 * live anywhere, but it must not be copied with memcpy once parsed: the
 * pointers refer to its own text[].
 */
struct cmdline {
	char text[CMDLINE_TEXT_MAX];
	size_t text_used;
	unsigned nparams;
	struct cmdline_param params[CMDLINE_PARAMS_MAX];
	unsigned dropped;	/* parameters past CMDLINE_PARAMS_MAX */
	/* init's arguments: init_argc words one after another in text[],
	 * each NUL-ended, from text[init_start]; as many as text holds */
	unsigned init_argc;
	size_t init_start;
};

/*
 * Parses text into cl (any previous content is discarded). Words are
 * separated by spaces, tabs or newlines; double quotes group spaces into a
 * word and are removed ("key=\"a b\"" and "\"key=a b\"" give key = "a b").
 * A word splits into key and value at its first '=', quoted or not. Words
 * after a lone "--" go to init_argv whole, '=' and further "--" included
 * (quotes group and are removed there too: "-- sh -c \"echo hi\"" gives
 * sh, -c, echo hi). Returns 0, or -E2BIG if something did not fit: cl
 * then holds every word that did fit (text stops at the first word that
 * overflows; parameters past CMDLINE_PARAMS_MAX are dropped and counted in
 * dropped). Init's arguments have no limit of their own: only text[]'s.
 */
int cmdline_parse(struct cmdline *cl, const char *text);

/* Returns the value of the last parameter named key ("" for a bare flag),
 * or NULL if there is none. */
const char *cmdline_get(const struct cmdline *cl, const char *key);

/* Returns whether a parameter named key is present, with or without value. */
bool cmdline_has(const struct cmdline *cl, const char *key);

/* Returns how many arguments init gets: the words after "--" (0 without). */
unsigned cmdline_init_argc(const struct cmdline *cl);

/* Stores init's arguments in argv[0 .. argc - 1] and NULL in argv[argc]
 * (argc as cmdline_init_argc returns; argv holds argc + 1 pointers). They
 * point into cl's text. */
void cmdline_init_argv(const struct cmdline *cl, const char **argv);

#endif
