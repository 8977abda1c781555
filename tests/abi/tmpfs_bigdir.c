/*
 * A directory of hundreds of names in /tmp (tmpfs): Petrel indexes a big
 * directory's names in a hash table that grows as it fills
 * (kernel/fs/tmpfs_dirhash.c). Every name is found after each growth,
 * after unlinks and renames (within the directory, out of it and back,
 * over another name), O_EXCL and mkdir see a taken name, readdir lists
 * each name once, telldir/seekdir resume where they left off, and the
 * emptied directory can be removed.
 */
#include "abi.h"

#include <dirent.h>
#include <stdbool.h>

#define NAMES 300

static char dir[64];
static char other[64];

static const char *
at(const char *base, const char *fmt, int i)
{
	static char path[4][128];
	static int next;
	char name[32];

	next = (next + 1) % 4;
	snprintf(name, sizeof(name), fmt, i);
	snprintf(path[next], sizeof(path[next]), "%s/%s", base, name);
	return path[next];
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* How many of f000.. exist; n, if all do where want says they should. */
static int
count_as_wanted(int n, bool (*want)(int))
{
	int right = 0;

	for (int i = 0; i < n; i++)
		right += exists(at(dir, "f%03d", i)) == want(i);
	return right;
}

static bool
all(int i)
{
	(void)i;
	return true;
}

static bool
not_third(int i)
{
	return i % 3 != 0;
}

static void
test_grow(void)
{
	int made = 0, wrong = 0;

	/* Lookups between creations: across each of the table's growths. */
	for (int i = 0; i < NAMES; i++) {
		int fd = open(at(dir, "f%03d", i), O_CREAT | O_EXCL | O_WRONLY,
		    0644);
		made += fd >= 0;
		close(fd);
		if (!exists(at(dir, "f%03d", i / 2)) ||
		    exists(at(dir, "f%03d", i + 1)))
			wrong++;
	}
	CHECK_EQ("created", made, NAMES);
	CHECK_EQ("wrong lookups while growing", wrong, 0);
	CHECK_EQ("found", count_as_wanted(NAMES, all), NAMES);
	CHECK_ERR("O_EXCL on a taken name",
	    open(at(dir, "f%03d", 150), O_CREAT | O_EXCL | O_WRONLY, 0644),
	    EEXIST);
	CHECK_ERR("mkdir on a taken name", mkdir(at(dir, "f%03d", 299), 0755),
	    EEXIST);
	CHECK_ERR("a name not there", access(at(dir, "g%03d", 7), F_OK),
	    ENOENT);
}

static void
test_unlink_rename(void)
{
	int gone = 0;

	for (int i = 0; i < NAMES; i += 3)
		gone += unlink(at(dir, "f%03d", i)) == 0;
	CHECK_EQ("unlinked", gone, NAMES / 3);
	CHECK_EQ("found as wanted", count_as_wanted(NAMES, not_third), NAMES);
	CHECK_OK("rename within", rename(at(dir, "f%03d", 1),
	    at(dir, "g%03d", 1)));
	CHECK("old name gone", !exists(at(dir, "f%03d", 1)));
	CHECK("new name there", exists(at(dir, "g%03d", 1)));
	CHECK_OK("rename out", rename(at(dir, "f%03d", 2),
	    at(other, "f%03d", 2)));
	CHECK("gone from the big one", !exists(at(dir, "f%03d", 2)));
	CHECK_OK("rename back", rename(at(other, "f%03d", 2),
	    at(dir, "f%03d", 2)));
	CHECK("back", exists(at(dir, "f%03d", 2)));
	CHECK_OK("rename over", rename(at(dir, "f%03d", 4),
	    at(dir, "f%03d", 5)));
	CHECK("renamed-over source gone", !exists(at(dir, "f%03d", 4)));
	CHECK("target there", exists(at(dir, "f%03d", 5)));
	CHECK_OK("rename back within", rename(at(dir, "g%03d", 1),
	    at(dir, "f%03d", 1)));
	CHECK_OK("remade", close(open(at(dir, "f%03d", 4),
	    O_CREAT | O_EXCL | O_WRONLY, 0644)));
	CHECK_EQ("found as wanted after renames",
	    count_as_wanted(NAMES, not_third), NAMES);
}

/* Reads the names left from d on into seen[]; returns how many. */
static int
read_rest(DIR *d, char seen[NAMES])
{
	struct dirent *e;
	int n = 0, i;

	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "f%03d", &i) == 1 && i >= 0 && i < NAMES) {
			seen[i]++;
			n++;
		}
	}
	return n;
}

static void
test_readdir(void)
{
	char first[NAMES] = { 0 }, again[NAMES] = { 0 };
	DIR *d = opendir(dir);
	int twice = 0, listed = 0;
	long mark;

	for (int i = 0; i < 50 && readdir(d); i++)
		;
	mark = telldir(d);
	int rest = read_rest(d, first);
	seekdir(d, mark);
	/* Where "." and ".." come is the file system's: counts not printed. */
	CHECK("the same rest after seekdir", read_rest(d, again) == rest);
	CHECK("the same names after seekdir",
	    memcmp(first, again, sizeof(first)) == 0);
	rewinddir(d);
	memset(first, 0, sizeof(first));
	listed = read_rest(d, first);
	for (int i = 0; i < NAMES; i++)
		twice += first[i] > 1 || (first[i] == 1) != not_third(i);
	CHECK_EQ("listed", listed, NAMES - NAMES / 3);
	CHECK_EQ("listed wrongly", twice, 0);
	closedir(d);
}

static void
test_empty(void)
{
	int gone = 0;

	for (int i = 0; i < NAMES; i++)
		gone += unlink(at(dir, "f%03d", i)) == 0;
	CHECK_EQ("unlinked the rest", gone, NAMES - NAMES / 3);
	CHECK_OK("a new name in the emptied directory",
	    close(open(at(dir, "f%03d", 7), O_CREAT | O_WRONLY, 0644)));
	CHECK("found", exists(at(dir, "f%03d", 7)));
	CHECK_OK("unlinked", unlink(at(dir, "f%03d", 7)));
	CHECK_OK("rmdir", rmdir(dir));
	CHECK_OK("rmdir the other", rmdir(other));
}

int
main(void)
{
	abi_init();
	abi_tmpname(dir, sizeof(dir), "bigdir");
	abi_tmpname(other, sizeof(other), "bigdir-other");
	if (mkdir(dir, 0755) == -1 || mkdir(other, 0755) == -1) {
		printf("mkdir failed\n");
		return 1;
	}
	test_grow();
	test_unlink_rename();
	test_readdir();
	test_empty();
	return abi_done("tmpfs_bigdir");
}
