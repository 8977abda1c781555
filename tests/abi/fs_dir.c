/*
 * Directories on a real disk (ext2: fsd's /data in Petrel, a loop mount
 * natively): mkdir/rmdir and their errors, nlink of directories, a
 * directory of 500 entries read with getdents64 in small buffers (every
 * name once), telldir/seekdir/rewinddir, removal while listing, unlink of
 * an open file, and rename in all its cases, renameat2 RENAME_NOREPLACE
 * included.
 */
/* abi: disk */
#include "abi.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>

#define MANY 500
#define NAME_FORMAT "file-%03d-with-a-longer-name"

/* One getdents64 record, as the kernel lays it out. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's names, sorted, on one line ("." and ".." left out). */
static void
list(const char *what, const char *path)
{
	char *names[32];
	char line[512] = "";
	int count = 0;
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		printf("%s: opendir %s\n", what, errno_name(errno));
		return;
	}
	while ((e = readdir(d)) && count < 32)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[count++] = strdup(e->d_name);
	closedir(d);
	qsort(names, count, sizeof(names[0]), compare_names);
	for (int i = 0; i < count; i++) {
		strncat(line, " ", sizeof(line) - strlen(line) - 1);
		strncat(line, names[i], sizeof(line) - strlen(line) - 1);
		free(names[i]);
	}
	printf("%s:%s\n", what, count ? line : " (empty)");
}

static void
test_mkdir_rmdir(void)
{
	struct stat st;

	CHECK_OK("mkdir", mkdir(abi_at("d"), 0750));
	CHECK_OK("stat it", stat(abi_at("d"), &st));
	CHECK_EQ("is a directory", S_ISDIR(st.st_mode), 1);
	CHECK_EQ("mode (octal 750)", st.st_mode & 07777, 0750);
	CHECK_EQ("new directory nlink", st.st_nlink, 2);
	CHECK_EQ("parent nlink with one subdirectory", abi_nlink(abi_dir), 3);
	CHECK_ERR("mkdir existing", mkdir(abi_at("d"), 0755), EEXIST);
	CHECK_ERR("mkdir in missing", mkdir(abi_at("none/d"), 0755), ENOENT);
	abi_touch(abi_at("f"), "x");
	CHECK_ERR("mkdir over a file", mkdir(abi_at("f"), 0755), EEXIST);
	CHECK_ERR("mkdir under a file", mkdir(abi_at("f/d"), 0755), ENOTDIR);
	CHECK_OK("mkdir nested", mkdir(abi_at("d/e"), 0755));
	CHECK_EQ("d nlink with a subdirectory", abi_nlink(abi_at("d")), 3);
	abi_touch(abi_at("d/e/g"), NULL);
	CHECK_ERR("rmdir non-empty", rmdir(abi_at("d/e")), ENOTEMPTY);
	CHECK_ERR("rmdir a file", rmdir(abi_at("d/e/g")), ENOTDIR);
	CHECK_ERR("rmdir missing", rmdir(abi_at("d/none")), ENOENT);
	CHECK_ERR("rmdir with a file in the path", rmdir(abi_at("f/x")), ENOTDIR);
	CHECK_ERR("rmdir dot", rmdir(abi_at("d/e/.")), EINVAL);
	CHECK_ERR("rmdir dot-dot", rmdir(abi_at("d/e/..")), ENOTEMPTY);
	CHECK_ERR("unlink a directory", unlink(abi_at("d/e")), EISDIR);
	CHECK_OK("unlink the file", unlink(abi_at("d/e/g")));
	CHECK_OK("rmdir emptied", rmdir(abi_at("d/e")));
	CHECK_EQ("d nlink again", abi_nlink(abi_at("d")), 2);
	CHECK_ERR("stat removed", stat(abi_at("d/e"), &st), ENOENT);

	/* A removed directory that is still someone's cwd. */
	int here = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK("chdir into d", chdir(abi_at("d")));
	CHECK_OK("rmdir the cwd", rmdir(abi_at("d")));
	CHECK_ERR("create in a removed cwd", open("new", O_WRONLY | O_CREAT,
	    0644), ENOENT);
	CHECK_ERR("mkdir in a removed cwd", mkdir("new", 0755), ENOENT);
	CHECK_OK("stat the removed cwd", stat(".", &st));
	CHECK_EQ("its nlink", st.st_nlink, 0);
	fchdir(here);
	close(here);
	CHECK_EQ("parent nlink back", abi_nlink(abi_dir), 2);
	unlink(abi_at("f"));
	list("empty again", abi_dir);
}

/*
 * 500 names read with getdents64 through a 256-byte buffer: every name
 * must come exactly once, and the sorted list must be the expected one.
 */
static void
test_many(void)
{
	static char seen[MANY];
	char name[320], buf[256];
	int dots = 0, others = 0, dups = 0, calls = 0;

	mkdir(abi_at("many"), 0755);
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "many/" NAME_FORMAT, i);
		abi_touch(abi_at(name), NULL);
	}
	CHECK_EQ("nlink of a directory of files", abi_nlink(abi_at("many")), 2);
	int fd = open(abi_at("many"), O_RDONLY | O_DIRECTORY);
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n <= 0) {
			CHECK_EQ("getdents64 ends with 0", n, 0);
			break;
		}
		calls++;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *e = (void *)(buf + off);
			int i;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				dots++;
			else if (sscanf(e->d_name, "file-%d-", &i) == 1 &&
			    i >= 0 && i < MANY && e->d_type == DT_REG) {
				dups += seen[i];
				seen[i] = 1;
			} else
				others++;
			off += e->d_reclen;
		}
	}
	int missing = 0;
	for (int i = 0; i < MANY; i++)
		missing += !seen[i];
	CHECK("several calls", calls > 20);
	CHECK_EQ("dot entries", dots, 2);
	CHECK_EQ("names missing", missing, 0);
	CHECK_EQ("names twice", dups, 0);
	CHECK_EQ("other names", others, 0);
	CHECK_EQ("getdents64 after the end", syscall(SYS_getdents64, fd, buf,
	    sizeof(buf)), 0);
	CHECK_ERR("buffer too small for one entry", (lseek(fd, 0, SEEK_SET),
	    syscall(SYS_getdents64, fd, buf, 20)), EINVAL);
	CHECK_ERR("getdents64 on a file", syscall(SYS_getdents64,
	    open(abi_at("many/file-000-with-a-longer-name"), O_RDONLY), buf,
	    sizeof(buf)), ENOTDIR);
	close(fd);

	/* telldir/seekdir: come back to a remembered place. */
	DIR *d = opendir(abi_at("many"));
	struct dirent *e;
	long places[3] = { 0 };
	char after[3][300] = { "", "", "" };
	int index = 0;
	while ((e = readdir(d))) {
		if (index == 10 || index == 250 || index == 490) {
			int k = index == 10 ? 0 : index == 250 ? 1 : 2;
			places[k] = telldir(d);
			struct dirent *next = readdir(d);
			snprintf(after[k], sizeof(after[k]), "%s",
			    next ? next->d_name : "(end)");
			index++;
		}
		index++;
	}
	CHECK_EQ("readdir count with dots", index, MANY + 2);
	int same = 1;
	for (int k = 2; k >= 0; k--) {
		seekdir(d, places[k]);
		e = readdir(d);
		same &= e && strcmp(e->d_name, after[k]) == 0;
	}
	CHECK_EQ("seekdir to telldir places", same, 1);
	rewinddir(d);
	int again = 0;
	while (readdir(d))
		again++;
	CHECK_EQ("rewinddir reads all again", again, MANY + 2);
	closedir(d);

	/* Remove every other name while listing: the rest still come. */
	d = opendir(abi_at("many"));
	int kept = 0, listed = 0;
	memset(seen, 0, sizeof(seen));
	while ((e = readdir(d))) {
		int i;
		if (sscanf(e->d_name, "file-%d-", &i) != 1)
			continue;
		listed++;
		seen[i] = 1;
		if (i % 2 == 0) {
			snprintf(name, sizeof(name), "many/%s", e->d_name);
			unlink(abi_at(name));
		}
	}
	closedir(d);
	for (int i = 1; i < MANY; i += 2)
		kept += seen[i];
	CHECK_EQ("odd names listed while even ones went", kept, MANY / 2);
	CHECK("listed no name twice", listed <= MANY);
	int left = 0;
	d = opendir(abi_at("many"));
	while ((e = readdir(d)))
		left++;
	closedir(d);
	CHECK_EQ("entries left with dots", left, MANY / 2 + 2);
	for (int i = 1; i < MANY; i += 2) {
		snprintf(name, sizeof(name), "many/" NAME_FORMAT, i);
		unlink(abi_at(name));
	}
	CHECK_OK("rmdir emptied many", rmdir(abi_at("many")));
}

static void
test_unlink_open(void)
{
	struct stat st;
	char buf[16];

	abi_touch(abi_at("open"), "still here");
	int fd = open(abi_at("open"), O_RDWR);
	CHECK_OK("unlink an open file", unlink(abi_at("open")));
	CHECK_ERR("name gone", stat(abi_at("open"), &st), ENOENT);
	CHECK_OK("fstat it", fstat(fd, &st));
	CHECK_EQ("nlink 0", st.st_nlink, 0);
	CHECK_EQ("size kept", st.st_size, 10);
	CHECK_EQ("still readable", pread(fd, buf, sizeof(buf), 0), 10);
	CHECK("content", memcmp(buf, "still here", 10) == 0);
	CHECK_EQ("still writable", pwrite(fd, "!", 1, 10), 1);
	CHECK_EQ("read the write", pread(fd, buf, sizeof(buf), 0), 11);
	abi_touch(abi_at("open"), "new one");
	CHECK_STR("a new file of the name", abi_content(abi_at("open")), "new one");
	CHECK_EQ("old one unchanged", pread(fd, buf, sizeof(buf), 0), 11);
	close(fd);
	unlink(abi_at("open"));
	list("after unlinks", abi_dir);
}

static void
test_rename(void)
{
	struct stat st, st2;

	/* A file over a file: the old name goes, the target is replaced. */
	abi_touch(abi_at("a"), "A");
	abi_touch(abi_at("b"), "B");
	int held = open(abi_at("b"), O_RDONLY);
	CHECK_OK("rename file over file", rename(abi_at("a"), abi_at("b")));
	CHECK_ERR("old name gone", stat(abi_at("a"), &st), ENOENT);
	CHECK_STR("new name has the content", abi_content(abi_at("b")), "A");
	fstat(held, &st);
	CHECK_EQ("replaced file nlink 0", st.st_nlink, 0);
	char c = 0;
	CHECK_EQ("replaced file still readable", pread(held, &c, 1, 0), 1);
	CHECK_EQ("its content", c, 'B');
	close(held);

	/* Across directories; the file keeps its inode. */
	mkdir(abi_at("d1"), 0755);
	mkdir(abi_at("d2"), 0755);
	stat(abi_at("b"), &st);
	CHECK_OK("rename across directories", rename(abi_at("b"), abi_at("d1/b")));
	stat(abi_at("d1/b"), &st2);
	CHECK_EQ("same inode", st.st_ino == st2.st_ino, 1);
	CHECK_OK("and on", rename(abi_at("d1/b"), abi_at("d2/c")));
	CHECK_STR("content moved", abi_content(abi_at("d2/c")), "A");
	list("d1", abi_at("d1"));
	list("d2", abi_at("d2"));

	/* Directories: over an empty one, into another, link counts. */
	mkdir(abi_at("d1/sub"), 0755);
	abi_touch(abi_at("d1/sub/x"), "X");
	CHECK_EQ("d1 nlink", abi_nlink(abi_at("d1")), 3);
	CHECK_OK("rename dir into another dir", rename(abi_at("d1/sub"),
	    abi_at("d2/sub")));
	CHECK_EQ("d1 nlink after", abi_nlink(abi_at("d1")), 2);
	CHECK_EQ("d2 nlink after", abi_nlink(abi_at("d2")), 3);
	CHECK_STR("content through new path", abi_content(abi_at("d2/sub/x")), "X");
	struct stat dotdot, d2st;
	stat(abi_at("d2/sub/.."), &dotdot);
	stat(abi_at("d2"), &d2st);
	CHECK_EQ("moved dir's .. is the new parent",
	    dotdot.st_ino == d2st.st_ino, 1);
	CHECK_OK("rename dir over empty dir", rename(abi_at("d2/sub"), abi_at("d1")));
	CHECK_STR("content after", abi_content(abi_at("d1/x")), "X");
	CHECK_EQ("d2 nlink", abi_nlink(abi_at("d2")), 2);
	CHECK_EQ("parent nlink", abi_nlink(abi_dir), 4);
	mkdir(abi_at("full"), 0755);
	abi_touch(abi_at("full/y"), NULL);
	CHECK_ERR("rename dir over non-empty dir", rename(abi_at("d2"),
	    abi_at("full")), ENOTEMPTY);
	CHECK_ERR("rename dir into its own subdir", rename(abi_at("d2"),
	    abi_at("d2/inside")), EINVAL);
	mkdir(abi_at("d2/deeper"), 0755);
	CHECK_ERR("rename dir under its own child", rename(abi_at("d2"),
	    abi_at("d2/deeper/x")), EINVAL);
	CHECK_ERR("rename file over dir", rename(abi_at("d2/c"), abi_at("d1")),
	    EISDIR);
	CHECK_ERR("rename dir over file", rename(abi_at("d1"), abi_at("d2/c")),
	    ENOTDIR);
	CHECK_ERR("rename missing", rename(abi_at("none"), abi_at("x")), ENOENT);
	CHECK_ERR("rename into missing dir", rename(abi_at("d2/c"),
	    abi_at("none/c")), ENOENT);
	CHECK_ERR("rename dot", rename(abi_at("d2/."), abi_at("z")), EBUSY);
	CHECK_ERR("rename file to name/", rename(abi_at("d2/c"), abi_at("d2/q/")),
	    ENOTDIR);

	/* RENAME_NOREPLACE, and renaming to itself. */
	abi_touch(abi_at("n1"), "1");
	abi_touch(abi_at("n2"), "2");
	CHECK_ERR("RENAME_NOREPLACE over existing", syscall(SYS_renameat2,
	    AT_FDCWD, abi_at("n1"), AT_FDCWD, abi_at("n2"), 1), EEXIST);
	CHECK_STR("target untouched", abi_content(abi_at("n2")), "2");
	CHECK_OK("RENAME_NOREPLACE to a new name", syscall(SYS_renameat2,
	    AT_FDCWD, abi_at("n1"), AT_FDCWD, abi_at("n3"), 1));
	CHECK_STR("moved", abi_content(abi_at("n3")), "1");
	CHECK_ERR("renameat2 bad flags", syscall(SYS_renameat2, AT_FDCWD,
	    abi_at("n3"), AT_FDCWD, abi_at("n4"), 0x80), EINVAL);
	stat(abi_at("n3"), &st);
	CHECK_OK("rename to itself", rename(abi_at("n3"), abi_at("n3")));
	stat(abi_at("n3"), &st2);
	CHECK_EQ("still there, same inode", st.st_ino == st2.st_ino &&
	    st2.st_nlink == 1, 1);
	CHECK_OK("rename dir to itself", rename(abi_at("d1"), abi_at("d1")));
	link(abi_at("n3"), abi_at("n3-link"));
	CHECK_OK("rename over a hard link of itself", rename(abi_at("n3"),
	    abi_at("n3-link")));
	CHECK_EQ("both names stay", abi_nlink(abi_at("n3")), 2);

	/* renameat relative to directory fds. */
	int d1 = open(abi_at("d1"), O_RDONLY | O_DIRECTORY);
	int d2 = open(abi_at("d2"), O_RDONLY | O_DIRECTORY);
	CHECK_OK("renameat between dirfds", renameat(d2, "c", d1, "c2"));
	CHECK_STR("content", abi_content(abi_at("d1/c2")), "A");
	close(d1);
	close(d2);
	list("top after renames", abi_dir);
	list("d1 after renames", abi_at("d1"));

	unlink(abi_at("d1/c2"));
	unlink(abi_at("d1/x"));
	rmdir(abi_at("d1"));
	rmdir(abi_at("d2/deeper"));
	rmdir(abi_at("d2"));
	unlink(abi_at("full/y"));
	rmdir(abi_at("full"));
	unlink(abi_at("n2"));
	unlink(abi_at("n3"));
	unlink(abi_at("n3-link"));
	list("all removed", abi_dir);
}

/* A name with a slash after it must be a directory. */
static void
test_trailing_slash(void)
{
	struct stat st;

	abi_touch(abi_at("f"), "F");
	mkdir(abi_at("d"), 0755);
	CHECK_ERR("stat file/", stat(abi_at("f/"), &st), ENOTDIR);
	CHECK_OK("stat dir/", stat(abi_at("d/"), &st));
	CHECK_ERR("open file/", open(abi_at("f/"), O_RDONLY), ENOTDIR);
	CHECK_ERR("O_CREAT new/", open(abi_at("new/"), O_WRONLY | O_CREAT, 0644),
	    EISDIR);
	CHECK_ERR("O_CREAT file/", open(abi_at("f/"), O_WRONLY | O_CREAT, 0644),
	    EISDIR);
	CHECK_ERR("unlink file/", unlink(abi_at("f/")), ENOTDIR);
	CHECK_ERR("unlink dir/", unlink(abi_at("d/")), EISDIR);
	CHECK_ERR("unlink missing/", unlink(abi_at("none/")), ENOENT);
	CHECK_ERR("rmdir file/", rmdir(abi_at("f/")), ENOTDIR);
	CHECK_ERR("symlink to new/", symlink("f", abi_at("new/")), ENOENT);
	CHECK_ERR("symlink to file/", symlink("f", abi_at("f/")), EEXIST);
	CHECK_ERR("link to new/", link(abi_at("f"), abi_at("new/")), ENOENT);
	CHECK_ERR("rename file/ to new", rename(abi_at("f/"), abi_at("new")), ENOTDIR);
	CHECK_ERR("rename file to new/", rename(abi_at("f"), abi_at("new/")),
	    ENOTDIR);
	CHECK_OK("rename dir/ to new/", rename(abi_at("d/"), abi_at("e/")));
	CHECK_OK("mkdir new/", mkdir(abi_at("m/"), 0755));
	CHECK_OK("rmdir dir/", rmdir(abi_at("e/")));
	CHECK_OK("rmdir m//", rmdir(abi_at("m//")));
	list("after slashes", abi_dir);
	unlink(abi_at("f"));
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("fs_dir");
	list("disk root", abi_disk_dir());
	test_mkdir_rmdir();
	test_many();
	test_unlink_open();
	test_rename();
	test_trailing_slash();
	CHECK_OK("rmdir", rmdir(abi_dir));
	return abi_done("fs_dir");
}
