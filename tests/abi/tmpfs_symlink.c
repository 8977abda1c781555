/*
 * Symlinks in /tmp (tmpfs) with targets on both sides of the length that
 * Petrel keeps in the node itself (kernel/fs/tmpfs_int.h: 15 bytes and
 * their NUL; longer ones get a block of their own): readlink gives each
 * back whole or cut to the buffer, lstat its length; a rename or a hard
 * link keeps it; unlinking frees it (the assert kernel checks each free),
 * over many rounds.
 */
#include "abi.h"

#include <limits.h>

static char dir[64];

static const char *
at(const char *name)
{
	static char path[2][128];
	static int next;

	next = (next + 1) % 2;
	snprintf(path[next], sizeof(path[next]), "%s/%s", dir, name);
	return path[next];
}

/* A target of len bytes: "t/" then letters. */
static const char *
target_of(size_t len)
{
	static char t[PATH_MAX];

	for (size_t i = 0; i < len; i++)
		t[i] = i < 2 ? "t/"[i] : (char)('a' + i % 26);
	t[len] = '\0';
	return t;
}

static int
readlink_is(const char *path, const char *want)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf));

	return n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

static void
test_lengths(void)
{
	static const size_t lens[] = { 1, 2, 14, 15, 16, 17, 64, 1000, 4095 };
	char name[32], small[8];
	struct stat st;

	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t len = lens[k];
		snprintf(name, sizeof(name), "l%zu", len);
		CHECK_OK(name, symlink(target_of(len), at(name)));
		CHECK(name, readlink_is(at(name), target_of(len)));
		CHECK_OK("lstat", lstat(at(name), &st));
		CHECK_EQ("st_size", (size_t)st.st_size, len);
		CHECK_EQ("readlink cut", readlink(at(name), small, sizeof(small)),
			 (ssize_t)(len < sizeof(small) ? len : sizeof(small)));
		CHECK("the cut's bytes", memcmp(small, target_of(len),
			 len < sizeof(small) ? len : sizeof(small)) == 0);
		CHECK_OK("rename", rename(at(name), at("moved")));
		CHECK("renamed", readlink_is(at("moved"), target_of(len)));
		CHECK_OK("hard link", link(at("moved"), at("again")));
		CHECK_OK("unlink one", unlink(at("moved")));
		CHECK("the other name's", readlink_is(at("again"), target_of(len)));
		CHECK_OK("unlink", unlink(at("again")));
	}
}

static void
test_rounds(void)
{
	char name[32];
	int made = 0, right = 0, gone = 0;

	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 50; i++) {
			snprintf(name, sizeof(name), "r%d", i);
			made += symlink(target_of((size_t)(i % 40) + 1), at(name)) == 0;
		}
		for (int i = 0; i < 50; i++) {
			snprintf(name, sizeof(name), "r%d", i);
			right += readlink_is(at(name), target_of((size_t)(i % 40) + 1));
			gone += unlink(at(name)) == 0;
		}
	}
	CHECK_EQ("made", made, 1000);
	CHECK_EQ("read back", right, 1000);
	CHECK_EQ("unlinked", gone, 1000);
}

int
main(void)
{
	abi_init();
	abi_tmpname(dir, sizeof(dir), "symlink");
	if (mkdir(dir, 0755) == -1) {
		printf("mkdir failed\n");
		return 1;
	}
	test_lengths();
	test_rounds();
	CHECK_OK("rmdir", rmdir(dir));
	return abi_done("tmpfs_symlink");
}
