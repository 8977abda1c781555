/*
 * /proc/self/mountinfo (proc(5)), which coreutils' df and util-linux's
 * findmnt read: every line parses into its fields, ids are unique and
 * parents are listed, the mount points are /proc/self/mounts's in the
 * same order, and /proc's line names type proc and the st_dev that
 * stat gives for /proc. What the two sides mount differs, so only these
 * relations are printed.
 */
#include "abi.h"

#include <sys/sysmacros.h>

#define LINES_MAX 128

struct mountinfo {
	int id, parent;
	unsigned major, minor;
	char root[256], point[256], type[64];
};

static struct mountinfo table[LINES_MAX];
static int count;

/* Parses one line; returns 1 if it has every field proc(5) lists. */
static int
parse_line(char *line, struct mountinfo *m)
{
	int used = 0;
	char *rest;

	if (sscanf(line, "%d %d %u:%u %255s %255s %*s%n", &m->id, &m->parent,
	    &m->major, &m->minor, m->root, m->point, &used) < 6 || !used)
		return 0;
	rest = strstr(line + used, " - ");	/* after the optional fields */
	return rest && sscanf(rest, " - %63s %*s %*s", m->type) == 1;
}

static void
check_lines(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[1024];
	int bad = 0;

	CHECK("open /proc/self/mountinfo", f != NULL);
	if (!f)
		return;
	while (count < LINES_MAX && fgets(line, sizeof(line), f))
		if (!parse_line(line, &table[count++]))
			bad++;
	fclose(f);
	CHECK("some lines", count > 0);
	CHECK_EQ("lines that do not parse", bad, 0);
}

static int
listed(int id)
{
	for (int i = 0; i < count; i++)
		if (table[i].id == id)
			return 1;
	return 0;
}

static void
check_ids(void)
{
	int twice = 0, orphans = 0, roots = 0;

	for (int i = 0; i < count; i++) {
		for (int j = 0; j < i; j++)
			twice += table[j].id == table[i].id;
		if (strcmp(table[i].point, "/") == 0)
			roots++;
		else
			orphans += !listed(table[i].parent);
	}
	CHECK_EQ("ids listed twice", twice, 0);
	CHECK("a mount on /", roots > 0);
	CHECK_EQ("mounts but / whose parent is not listed", orphans, 0);
}

static void
check_same_as_mounts(void)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char source[256], point[256];
	int n = 0, differ = 0;

	if (!f)
		return;
	while (fscanf(f, "%255s %255s %*[^\n]", source, point) == 2) {
		if (n >= count || strcmp(table[n].point, point) != 0)
			differ++;
		n++;
	}
	fclose(f);
	CHECK("as many lines as /proc/self/mounts", n == count);
	CHECK_EQ("mount points not as in /proc/self/mounts", differ, 0);
}

static void
check_proc(void)
{
	struct stat st;
	const struct mountinfo *proc = NULL;

	for (int i = 0; i < count; i++)
		if (strcmp(table[i].point, "/proc") == 0)
			proc = &table[i];	/* the last one is seen */
	CHECK("a line for /proc", proc != NULL);
	if (!proc)
		return;
	CHECK_STR("its type", proc->type, "proc");
	CHECK_STR("its root", proc->root, "/");
	CHECK_OK("stat /proc", stat("/proc", &st));
	CHECK("its major:minor is stat's st_dev",
	    major(st.st_dev) == proc->major && minor(st.st_dev) == proc->minor);
}

int
main(void)
{
	alarm(ABI_WATCHDOG);
	setvbuf(stdout, NULL, _IONBF, 0);
	check_lines();
	check_ids();
	check_same_as_mounts();
	check_proc();
	return abi_failures != 0;
}
