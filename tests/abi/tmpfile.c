/*
 * open(O_TMPFILE) in a tmpfs directory: a nameless file (the directory
 * stays empty), its mode under the umask, writable and readable, named
 * later by linkat through /proc/self/fd (AT_SYMLINK_FOLLOW) or by
 * AT_EMPTY_PATH, never with O_EXCL; the flag checks (O_RDONLY, O_CREAT,
 * not a directory) and a deleted file that cannot be linked again.
 */
#include "abi.h"

#include <dirent.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

static const char *dir;

/* The names in dir besides . and .., as "a,b" (sorted by the caller's
 * choice of one name at most). */
static int
entries(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
test_tmpfile(void)
{
	umask(022);
	int fd = open(dir, O_TMPFILE | O_RDWR, 0666);
	CHECK("open O_TMPFILE", fd >= 0);
	CHECK_EQ("the directory stays empty", entries(), 0);
	CHECK_EQ("write to it", write(fd, "hello", 5), 5);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("its size", st.st_size, 5);
	CHECK_EQ("its links", st.st_nlink, 0);
	CHECK_EQ("its mode", st.st_mode & 07777, 0644);
	CHECK("a regular file", S_ISREG(st.st_mode));
	char proc[64], path[256];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	snprintf(path, sizeof(path), "%s/named", dir);
	CHECK_OK("linkat through /proc/self/fd",
	    linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW));
	CHECK_EQ("now it has a name", entries(), 1);
	fstat(fd, &st);
	CHECK_EQ("and a link", st.st_nlink, 1);
	char buf[8] = "";
	int again = open(path, O_RDONLY);
	CHECK_EQ("read by the name", read(again, buf, sizeof(buf)), 5);
	CHECK_STR("its data", buf, "hello");
	close(again);
	close(fd);
	unlink(path);

	fd = open(dir, O_TMPFILE | O_WRONLY, 0600);
	snprintf(path, sizeof(path), "%s/empty-path", dir);
	CHECK_OK("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, path,
	    AT_EMPTY_PATH));
	CHECK_ERR("linkat it again: the name is there",
	    linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH), EEXIST);
	close(fd);
	unlink(path);

	fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
	CHECK("open O_TMPFILE | O_EXCL", fd >= 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	snprintf(path, sizeof(path), "%s/excl", dir);
	CHECK_ERR("linkat of an O_EXCL one",
	    linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW), ENOENT);
	close(fd);
	CHECK_EQ("nothing was left in the directory", entries(), 0);
}

static void
test_refusals(void)
{
	CHECK_ERR("O_TMPFILE read-only", open(dir, O_TMPFILE | O_RDONLY, 0600),
	    EINVAL);
	CHECK_ERR("O_TMPFILE with O_CREAT",
	    open(dir, O_TMPFILE | O_CREAT | O_RDWR, 0600), EINVAL);
	char path[256];
	snprintf(path, sizeof(path), "%s/plain", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	CHECK_ERR("O_TMPFILE of a file", open(path, O_TMPFILE | O_RDWR, 0600),
	    ENOTDIR);
	unlink(path);
	char proc[64], other[256];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	snprintf(other, sizeof(other), "%s/relinked", dir);
	CHECK_ERR("linkat of a deleted file",
	    linkat(AT_FDCWD, proc, AT_FDCWD, other, AT_SYMLINK_FOLLOW), ENOENT);
	CHECK_ERR("linkat with an unknown flag",
	    linkat(AT_FDCWD, proc, AT_FDCWD, other, 0x8000), EINVAL);
	close(fd);
}

int
main(void)
{
	abi_init();
	/* A tmpfs directory on both sides: /dev/shm on Linux, /tmp here. */
	static char tmpl[] = "/dev/shm/abi-tmpfile-XXXXXX";
	static char alt[] = "/tmp/abi-tmpfile-XXXXXX";
	dir = mkdtemp(tmpl);
	if (!dir)
		dir = mkdtemp(alt);
	test_tmpfile();
	test_refusals();
	rmdir(dir);
	return abi_done("tmpfile");
}
