/*
 * Directories and names: mkdir/rmdir, unlink, rename (files, directories,
 * over existing names), link and nlink counts, symlink/readlink/lstat,
 * readdir (getdents64) listing sorted by name with d_type, a directory
 * with enough entries to need several getdents64 calls, chdir/getcwd/
 * fchdir, "." and "..", the *at calls, and the errors ENOENT, EEXIST,
 * ENOTDIR, EISDIR, ENOTEMPTY, EINVAL, ELOOP, ENAMETOOLONG.
 */
#include "abi.h"

#include <grp.h>

#include <sys/syscall.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>

/* Names long enough to fill getdents64 buffers quickly. */
#define ENTRY_PREFIX "entry-with-long-name-"
#define ENTRY_FORMAT "many/" ENTRY_PREFIX "%03d"

static char dir[64];

static const char *
at(const char *name)
{
	static char path[4][320];
	static int next;

	next = (next + 1) % 4;
	snprintf(path[next], sizeof(path[next]), "%s/%s", dir, name);
	return path[next];
}

static void
touch(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (text)
		write(fd, text, strlen(text));
	close(fd);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char
type_letter(unsigned char type)
{
	return type == DT_REG ? 'f' : type == DT_DIR ? 'd' :
	    type == DT_LNK ? 'l' : type == DT_FIFO ? 'p' : '?';
}

/* Print a directory's entries sorted by name, with their types. */
static void
list(const char *what, const char *path)
{
	char *names[64];
	int count = 0;
	DIR *d = opendir(path);

	if (!d) {
		CHECK(what, 0);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) && count < 64) {
		char *entry = malloc(strlen(e->d_name) + 4);
		sprintf(entry, "%s:%c", e->d_name, type_letter(e->d_type));
		names[count++] = entry;
	}
	closedir(d);
	qsort(names, count, sizeof(names[0]), compare_names);
	printf("%s:", what);
	for (int i = 0; i < count; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void
test_mkdir_rmdir(void)
{
	struct stat st;

	CHECK_OK("mkdir", mkdir(at("a"), 0755));
	CHECK_ERR("mkdir existing", mkdir(at("a"), 0755), EEXIST);
	CHECK_ERR("mkdir missing parent", mkdir(at("none/x"), 0755), ENOENT);
	stat(at("a"), &st);
	CHECK("mkdir makes a directory", S_ISDIR(st.st_mode));
	CHECK_EQ("mkdir mode (octal 755)", st.st_mode & 07777, 0755);
	CHECK_EQ("empty directory nlink", st.st_nlink, 2);
	mkdir(at("a/sub1"), 0700);
	mkdir(at("a/sub2"), 0700);
	stat(at("a"), &st);
	CHECK_EQ("nlink counts subdirectories", st.st_nlink, 4);
	touch(at("a/file"), "x");
	stat(at("a"), &st);
	CHECK_EQ("files do not add to nlink", st.st_nlink, 4);

	CHECK_ERR("rmdir non-empty", rmdir(at("a")), ENOTEMPTY);
	CHECK_ERR("rmdir a file", rmdir(at("a/file")), ENOTDIR);
	CHECK_ERR("unlink a directory", unlink(at("a/sub1")), EISDIR);
	CHECK_ERR("rmdir missing", rmdir(at("a/none")), ENOENT);
	CHECK_ERR("rmdir dot", rmdir(at("a/sub1/.")), EINVAL);
	CHECK_ERR("mkdir under a file", mkdir(at("a/file/x"), 0755),
	    ENOTDIR);
	CHECK_ERR("trailing slash on a file", open(at("a/file/"), O_RDONLY),
	    ENOTDIR);
	CHECK_OK("rmdir empty", rmdir(at("a/sub2")));
	stat(at("a"), &st);
	CHECK_EQ("nlink after rmdir", st.st_nlink, 3);
	CHECK_OK("mkdirat", mkdirat(AT_FDCWD, at("a/sub2"), 0755));
	int gone = open(at("a/sub2"), O_RDONLY | O_DIRECTORY);
	rmdir(at("a/sub2"));
	char entries[512];
	CHECK_ERR("getdents64 of a removed directory",
	    syscall(SYS_getdents64, gone, entries, sizeof(entries)), ENOENT);
	close(gone);
	mkdir(at("a/sub2"), 0755);
	CHECK_OK("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, at("a/sub2"),
	    AT_REMOVEDIR));
	CHECK_ERR("unlinkat dir without AT_REMOVEDIR", unlinkat(AT_FDCWD,
	    at("a/sub1"), 0), EISDIR);

	char longname[NAME_MAX + 10];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_ERR("name too long", mkdir(at(longname), 0755), ENAMETOOLONG);
}

static void
test_listing(void)
{
	mkfifo(at("a/pipe"), 0600);
	symlink("file", at("a/link"));
	list("listing of a", at("a"));

	/* Enough entries that readdir needs several getdents64 calls. */
	mkdir(at("many"), 0755);
	char name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), ENTRY_FORMAT, i);
		touch(at(name), NULL);
	}
	DIR *d = opendir(at("many"));
	int count = 0, dots = 0, seen[300] = { 0 }, dupes = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int n;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			dots++;
		else if (strncmp(e->d_name, ENTRY_PREFIX,
		    strlen(ENTRY_PREFIX)) == 0 &&
		    (n = atoi(e->d_name + strlen(ENTRY_PREFIX))) >= 0 &&
		    n < 300)
			dupes += seen[n]++ > 0;
		count++;
	}
	CHECK_EQ("300 entries plus . and ..", count, 302);
	CHECK_EQ(". and .. present", dots, 2);
	CHECK_EQ("no entry twice", dupes, 0);
	rewinddir(d);
	count = 0;
	while (readdir(d))
		count++;
	CHECK_EQ("rewinddir lists again", count, 302);
	closedir(d);

	/* Deleting everything while a listing is open. */
	d = opendir(at("many"));
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), ENTRY_FORMAT, i);
		unlink(at(name));
	}
	count = 0;
	while ((e = readdir(d)))
		count++;
	CHECK_EQ("listing after deleting all", count, 2);
	closedir(d);
	CHECK_OK("rmdir emptied directory", rmdir(at("many")));

	CHECK_EQ("opendir a file fails", opendir(at("a/file")) == NULL &&
	    errno == ENOTDIR, 1);
	CHECK_EQ("opendir missing fails", opendir(at("nothing")) == NULL &&
	    errno == ENOENT, 1);
}

static void
test_links(void)
{
	struct stat st, lst;
	char buf[64];

	CHECK_OK("link", link(at("a/file"), at("a/hard")));
	stat(at("a/file"), &st);
	CHECK_EQ("nlink after link", st.st_nlink, 2);
	stat(at("a/hard"), &lst);
	CHECK_EQ("hard link same inode", st.st_ino == lst.st_ino, 1);
	CHECK_ERR("link to existing name", link(at("a/file"), at("a/hard")),
	    EEXIST);
	CHECK_ERR("link a directory", link(at("a/sub1"), at("a/dirlink")),
	    EPERM);
	unlink(at("a/hard"));
	stat(at("a/file"), &st);
	CHECK_EQ("nlink after unlink", st.st_nlink, 1);

	ssize_t n = readlink(at("a/link"), buf, sizeof(buf));
	CHECK_EQ("readlink length", n, 4);
	CHECK("readlink text", n == 4 && memcmp(buf, "file", 4) == 0);
	CHECK_EQ("readlink short buffer", readlink(at("a/link"), buf, 2), 2);
	CHECK_ERR("readlink a file", readlink(at("a/file"), buf, sizeof(buf)),
	    EINVAL);
	CHECK_OK("lstat symlink", lstat(at("a/link"), &lst));
	CHECK("lstat sees a symlink", S_ISLNK(lst.st_mode));
	CHECK_EQ("symlink size is target length", lst.st_size, 4);
	CHECK_OK("stat through symlink", stat(at("a/link"), &st));
	CHECK("stat sees the file", S_ISREG(st.st_mode) && st.st_size == 1);
	int fd = open(at("a/link"), O_RDONLY);
	CHECK_EQ("read through symlink", read(fd, buf, sizeof(buf)), 1);
	close(fd);
	CHECK_ERR("O_NOFOLLOW on symlink", open(at("a/link"), O_RDONLY |
	    O_NOFOLLOW), ELOOP);
	CHECK_ERR("symlink over existing", symlink("x", at("a/link")), EEXIST);

	symlink("dangling-target", at("a/dangling"));
	CHECK_ERR("stat dangling symlink", stat(at("a/dangling"), &st), ENOENT);
	CHECK_OK("lstat dangling symlink", lstat(at("a/dangling"), &st));
	unlink(at("a/dangling"));

	symlink("loop2", at("a/loop1"));
	symlink("loop1", at("a/loop2"));
	CHECK_ERR("symlink loop", open(at("a/loop1"), O_RDONLY), ELOOP);
	unlink(at("a/loop1"));
	unlink(at("a/loop2"));

	/* An absolute symlink to a directory, walked through. */
	symlink(at("a"), at("dirlink"));
	CHECK_OK("path through a directory symlink",
	    stat(at("dirlink/sub1"), &st));
	CHECK("it is the subdirectory", S_ISDIR(st.st_mode));
	unlink(at("dirlink"));
}

static void
test_rename(void)
{
	struct stat st;
	char buf[8];

	touch(at("a/r1"), "one");
	touch(at("a/r2"), "two");
	CHECK_OK("rename file", rename(at("a/r1"), at("a/r3")));
	CHECK_ERR("old name gone", stat(at("a/r1"), &st), ENOENT);
	CHECK_OK("rename over existing file", rename(at("a/r3"), at("a/r2")));
	int fd = open(at("a/r2"), O_RDONLY);
	CHECK_EQ("replaced content", read(fd, buf, sizeof(buf)), 3);
	CHECK("content is the moved file", memcmp(buf, "one", 3) == 0);
	close(fd);
	CHECK_OK("rename to same name", rename(at("a/r2"), at("a/r2")));
	CHECK_ERR("rename missing", rename(at("a/none"), at("a/x")), ENOENT);

	mkdir(at("d1"), 0755);
	mkdir(at("d2"), 0755);
	touch(at("d2/inside"), NULL);
	CHECK_OK("rename directory", rename(at("d1"), at("d3")));
	CHECK_ERR("rename dir over non-empty dir", rename(at("d3"), at("d2")),
	    ENOTEMPTY);
	CHECK_ERR("rename dir over a file", rename(at("d3"), at("a/r2")),
	    ENOTDIR);
	CHECK_ERR("rename file over a dir", rename(at("a/r2"), at("d3")),
	    EISDIR);
	CHECK_ERR("rename dir into itself", rename(at("d2"), at("d2/sub")),
	    EINVAL);
	CHECK_OK("rename dir over empty dir", rename(at("d2"), at("d3")));
	CHECK_OK("moved directory content", stat(at("d3/inside"), &st));
	CHECK_OK("rename between directories", rename(at("d3/inside"),
	    at("a/inside")));
	CHECK_OK("renameat", renameat(AT_FDCWD, at("a/inside"), AT_FDCWD,
	    at("a/inside2")));
	unlink(at("a/inside2"));
	rmdir(at("d3"));
	unlink(at("a/r2"));
}

static void
test_cwd(void)
{
	char buf[PATH_MAX], want[PATH_MAX];
	int home = open(".", O_RDONLY | O_DIRECTORY);

	CHECK_OK("chdir", chdir(at("a")));
	CHECK("getcwd", getcwd(buf, sizeof(buf)) != NULL);
	snprintf(want, sizeof(want), "%s/a", dir);
	CHECK_EQ("getcwd is the new directory", strcmp(buf, want), 0);
	struct stat st;
	CHECK_OK("relative path after chdir", stat("file", &st));
	CHECK_OK("chdir ..", chdir(".."));
	getcwd(buf, sizeof(buf));
	CHECK_EQ("getcwd after ..", strcmp(buf, dir), 0);
	CHECK_OK("chdir through dot-dot path", chdir("a/sub1/../sub1/."));
	getcwd(buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s/a/sub1", dir);
	CHECK_EQ("getcwd normalised", strcmp(buf, want), 0);
	CHECK_ERR("getcwd buffer too small", getcwd(buf, 3) ? 0 : -1, ERANGE);
	CHECK_ERR("chdir to a file", chdir(at("a/file")), ENOTDIR);
	CHECK_ERR("chdir missing", chdir(at("missing")), ENOENT);

	int fd = open(at("a"), O_RDONLY | O_DIRECTORY);
	CHECK_OK("fchdir", fchdir(fd));
	getcwd(buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s/a", dir);
	CHECK_EQ("getcwd after fchdir", strcmp(buf, want), 0);
	CHECK_OK("openat with dir fd", close(openat(fd, "file", O_RDONLY)));
	close(fd);
	fd = open(at("a/file"), O_RDONLY);
	CHECK_ERR("fchdir to a file", fchdir(fd), ENOTDIR);
	close(fd);

	/* The removed current directory: getcwd fails with ENOENT. */
	chdir(at("a/sub1"));
	rmdir(at("a/sub1"));
	CHECK_ERR("getcwd in removed directory",
	    getcwd(buf, sizeof(buf)) ? 0 : -1, ENOENT);
	CHECK_ERR("create in removed directory", open("new", O_WRONLY |
	    O_CREAT, 0644), ENOENT);

	chdir("/");
	getcwd(buf, sizeof(buf));
	CHECK_STR("getcwd at root", buf, "/");
	CHECK_OK("stat .. at root", stat("..", &st));
	fchdir(home);
	close(home);
}

static void
cleanup(void)
{
	static const char *files[] = { "a/file", "a/link", "a/pipe" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(at(files[i]));
	rmdir(at("a/sub1"));
	rmdir(at("a"));
	CHECK_OK("remove test directory", rmdir(dir));
}

/*
 * A set-group-ID directory: what a user outside its group makes there
 * takes the directory's group; a subdirectory keeps S_ISGID, a
 * group-executable file loses it (Linux's inode_init_owner).
 */
static void
test_setgid_dir(void)
{
	CHECK_OK("mkdir sgid", mkdir(at("sgid"), 0777));
	chown(at("sgid"), 0, 1234);
	chmod(at("sgid"), 02777);
	pid_t pid = fork();
	if (pid == 0) {
		umask(0);
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0)
			_exit(2);
		close(open(at("sgid/file"), O_CREAT | O_WRONLY, 02755));
		mkdir(at("sgid/sub"), 0755);
		umask(S_IXGRP);	/* Linux strips S_ISGID before the umask */
		close(open(at("sgid/masked"), O_CREAT | O_WRONLY, 02777));
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	struct stat st;
	stat(at("sgid/file"), &st);
	CHECK_EQ("the file's group is the directory's", st.st_gid, 1234);
	CHECK_EQ("and it lost S_ISGID", st.st_mode & 07777, 0755);
	stat(at("sgid/sub"), &st);
	CHECK_EQ("the subdirectory's group", st.st_gid, 1234);
	CHECK_EQ("and it kept S_ISGID", st.st_mode & 07777, 02755);
	stat(at("sgid/masked"), &st);
	CHECK_EQ("a file asked group-executable, masked", st.st_mode & 07777,
	    0767);
	unlink(at("sgid/masked"));
	unlink(at("sgid/file"));
	rmdir(at("sgid/sub"));
	rmdir(at("sgid"));
}

int
main(void)
{
	abi_init();
	abi_tmpname(dir, sizeof(dir), "dir");
	if (mkdir(dir, 0755) == -1) {
		printf("mkdir failed\n");
		return 1;
	}
	test_mkdir_rmdir();
	test_listing();
	test_links();
	test_rename();
	test_cwd();
	test_setgid_dir();
	cleanup();
	return abi_done("dir");
}
