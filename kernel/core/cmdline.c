/*
 * Kernel command line parsing: words into key/value parameters and init's
 * arguments, all copied into the caller's struct cmdline (no allocation).
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/cmdline.h>

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Copies the word at *pos into cl->text, without its quotes, and NUL-ends
 * it; *pos moves past the word. *eq gets the offset of the first '=' in
 * the copied word, quoted or not (as Linux: "k=v w" is k = "v w"), or -1.
 * Returns the copy, or NULL if it does not fit.
 */
static char *
copy_word(struct cmdline *cl, const char **pos, long *eq)
{
	const char *p = *pos;
	char *start = cl->text + cl->text_used;
	size_t room = CMDLINE_TEXT_MAX - cl->text_used;
	size_t n = 0;
	bool quoted = false;

	*eq = -1;
	if (room == 0)
		return NULL;	/* not even the NUL of an empty word fits */
	for (; *p != '\0' && (quoted || !is_space(*p)); p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 >= room)
			return NULL;
		if (*p == '=' && *eq < 0)
			*eq = (long)n;
		start[n++] = *p;
	}
	start[n] = '\0';
	cl->text_used += n + 1;
	*pos = p;
	return start;
}

static bool
is_lone_dashes(const char *p)
{
	return p[0] == '-' && p[1] == '-' && (p[2] == '\0' || is_space(p[2]));
}

/* Returns 0, or -E2BIG when the parameter is dropped for lack of a slot. */
static int
add_param(struct cmdline *cl, char *word, long eq)
{
	struct cmdline_param *param;

	if (cl->nparams == CMDLINE_PARAMS_MAX) {
		cl->dropped++;
		return -E2BIG;
	}
	param = &cl->params[cl->nparams++];
	param->key = word;
	if (eq < 0) {
		param->value = word + strlen(word);
	} else {
		word[eq] = '\0';
		param->value = word + eq + 1;
	}
	return 0;
}

/* Returns 0 or -E2BIG; see cmdline.h. */
int
cmdline_parse(struct cmdline *cl, const char *text)
{
	const char *p = text;
	bool for_init = false;
	int err = 0;
	char *word;
	long eq;

	cl->text_used = 0;
	cl->nparams = 0;
	cl->dropped = 0;
	cl->init_argc = 0;
	cl->init_start = 0;
	if (text == NULL)
		return 0;
	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		if (!for_init && is_lone_dashes(p)) {
			for_init = true;
			cl->init_start = cl->text_used;
			p += 2;
			continue;
		}
		word = copy_word(cl, &p, &eq);
		if (word == NULL)
			return -E2BIG;
		if (for_init)
			cl->init_argc++;	/* its words follow each other */
		else if (add_param(cl, word, eq) < 0)
			err = -E2BIG;
	}
	return err;
}

/* Returns the last value given for key, "" for a flag, or NULL. */
const char *
cmdline_get(const struct cmdline *cl, const char *key)
{
	unsigned i;

	for (i = cl->nparams; i-- > 0;)
		if (strcmp(cl->params[i].key, key) == 0)
			return cl->params[i].value;
	return NULL;
}

/* Returns whether key was given. */
bool
cmdline_has(const struct cmdline *cl, const char *key)
{
	return cmdline_get(cl, key) != NULL;
}

/* Returns how many words followed "--". */
unsigned
cmdline_init_argc(const struct cmdline *cl)
{
	return cl->init_argc;
}

/* Fills argv with pointers to init's words, NULL-ended; see cmdline.h. */
void
cmdline_init_argv(const struct cmdline *cl, const char **argv)
{
	const char *word = cl->text + cl->init_start;
	unsigned i;

	for (i = 0; i < cl->init_argc; i++) {
		argv[i] = word;
		word += strlen(word) + 1;
	}
	argv[i] = NULL;
}
