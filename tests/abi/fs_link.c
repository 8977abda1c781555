/*
 * Names on a real disk (ext2: fsd's /data in Petrel, a loop mount
 * natively): hard links and their counts, symlinks with short targets
 * (kept in the inode) and long ones (kept in a block), readlink, lstat
 * against stat, O_NOFOLLOW, loops, dangling links and O_CREAT through
 * them, links out of the disk and back, "..", and getcwd in nested
 * directories, also after one of them is renamed.
 */
/* abi: disk */
#include "abi.h"

#include <fcntl.h>
#include <limits.h>

static char dir[256];

static const char *
at(const char *name)
{
	static char path[4][640];
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

static const char *
content(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return errno_name(errno);
	buf[n] = '\0';
	return buf;
}

static long
nlink_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (long)st.st_nlink : -1;
}

/* readlink as a string, or the errno's name. */
static const char *
link_of(const char *path)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return errno_name(errno);
	buf[n] = '\0';
	return buf;
}

static void
test_hard_links(void)
{
	struct stat a, b;

	touch(at("f"), "data");
	CHECK_OK("link", link(at("f"), at("g")));
	CHECK_EQ("nlink 2", nlink_of(at("f")), 2);
	stat(at("f"), &a);
	stat(at("g"), &b);
	CHECK_EQ("one inode", a.st_ino == b.st_ino, 1);
	mkdir(at("sub"), 0755);
	CHECK_OK("link into a subdirectory", link(at("g"), at("sub/h")));
	CHECK_EQ("nlink 3", nlink_of(at("f")), 3);
	int fd = open(at("sub/h"), O_WRONLY | O_APPEND);
	write(fd, "+more", 5);
	close(fd);
	CHECK_STR("write through one name shows in another", content(at("f")),
	    "data+more");
	CHECK_ERR("link over an existing name", link(at("f"), at("g")),
	    EEXIST);
	CHECK_ERR("link a missing file", link(at("none"), at("x")), ENOENT);
	CHECK_ERR("link a directory", link(at("sub"), at("sub2")), EPERM);
	CHECK_ERR("link into a missing directory", link(at("f"),
	    at("none/x")), ENOENT);
	CHECK_OK("unlink one name", unlink(at("g")));
	CHECK_EQ("nlink 2 again", nlink_of(at("f")), 2);
	CHECK_OK("unlink the first name", unlink(at("f")));
	CHECK_EQ("the last name keeps it", nlink_of(at("sub/h")), 1);
	CHECK_STR("content kept", content(at("sub/h")), "data+more");
	if (abi_disk_is_ext2()) {
		char other[64];
		abi_tmpname(other, sizeof(other), "fs_link");
		CHECK_ERR("link to another file system", link(at("sub/h"),
		    other), EXDEV);
		CHECK_ERR("rename to another file system", rename(at("sub/h"),
		    other), EXDEV);
	}
	unlink(at("sub/h"));
	rmdir(at("sub"));
}

static void
test_symlinks(void)
{
	struct stat st, lst;
	char long_target[301];

	touch(at("target"), "T");
	CHECK_OK("symlink, short target", symlink("target", at("s")));
	CHECK_STR("readlink", link_of(at("s")), "target");
	CHECK_STR("read through it", content(at("s")), "T");
	CHECK_OK("lstat", lstat(at("s"), &lst));
	CHECK_EQ("lstat: a symlink", S_ISLNK(lst.st_mode), 1);
	CHECK_EQ("lstat: size is the target's length", lst.st_size, 6);
	CHECK_EQ("lstat: mode 777", lst.st_mode & 07777, 0777);
	CHECK_EQ("lstat: nlink 1", lst.st_nlink, 1);
	CHECK_EQ("short target: no blocks", lst.st_blocks, 0);
	CHECK_OK("stat", stat(at("s"), &st));
	CHECK_EQ("stat: the target", S_ISREG(st.st_mode) && st.st_size == 1 &&
	    st.st_ino != lst.st_ino, 1);
	char small[4];
	CHECK_EQ("readlink into 4 bytes", readlink(at("s"), small, 4), 4);
	CHECK("truncated, no NUL", memcmp(small, "targ", 4) == 0);
	CHECK_ERR("readlink a file", readlink(at("target"), small, 4),
	    EINVAL);
	CHECK_ERR("readlink missing", readlink(at("none"), small, 4), ENOENT);
	CHECK_ERR("symlink over an existing name", symlink("x", at("s")),
	    EEXIST);
	CHECK_ERR("symlink with an empty target", symlink("", at("e")),
	    ENOENT);

	/* 300 bytes: too long for the inode, so ext2 puts it in a block. */
	for (int i = 0; i < 300; i++)
		long_target[i] = i % 50 == 49 ? '/' : 'a' + i % 26;
	long_target[300] = '\0';
	CHECK_OK("symlink, 300-byte target", symlink(long_target,
	    at("long")));
	CHECK_EQ("readlink it back", strcmp(link_of(at("long")), long_target),
	    0);
	lstat(at("long"), &lst);
	CHECK_EQ("its size", lst.st_size, 300);
	CHECK("long target: blocks > 0", lst.st_blocks > 0);
	CHECK_ERR("following it", stat(at("long"), &st), ENOENT);
	/* 59 and 60 bytes: the edge of what the inode holds. */
	CHECK_OK("symlink, 59 bytes", symlink(long_target + 241, at("s59")));
	CHECK_OK("symlink, 60 bytes", symlink(long_target + 240, at("s60")));
	CHECK_EQ("59 back", strcmp(link_of(at("s59")), long_target + 241), 0);
	CHECK_EQ("60 back", strcmp(link_of(at("s60")), long_target + 240), 0);

	/* Following: O_NOFOLLOW, loops, dangling, directories, "..". */
	CHECK_ERR("O_NOFOLLOW on a symlink", open(at("s"), O_RDONLY |
	    O_NOFOLLOW), ELOOP);
	int fd = open(at("s"), O_RDONLY | O_NOFOLLOW | O_PATH);
	CHECK("O_PATH|O_NOFOLLOW opens the link", fd >= 0);
	fstat(fd, &st);
	CHECK_EQ("and fstat sees a symlink", S_ISLNK(st.st_mode), 1);
	close(fd);
	symlink("loop2", at("loop1"));
	symlink("loop1", at("loop2"));
	CHECK_ERR("symlink loop", open(at("loop1"), O_RDONLY), ELOOP);
	CHECK_ERR("stat a loop", stat(at("loop1"), &st), ELOOP);
	CHECK_OK("lstat a loop", lstat(at("loop1"), &st));
	symlink("self", at("self"));
	CHECK_ERR("a link to itself", stat(at("self/x"), &st), ELOOP);
	symlink("missing", at("dangling"));
	CHECK_ERR("dangling symlink", stat(at("dangling"), &st), ENOENT);
	CHECK_ERR("open a dangling symlink", open(at("dangling"), O_RDONLY),
	    ENOENT);
	fd = open(at("dangling"), O_WRONLY | O_CREAT, 0644);
	CHECK("O_CREAT through a dangling symlink", fd >= 0);
	if (fd >= 0)
		write(fd, "made", 4), close(fd);
	CHECK_STR("it made the target", content(at("missing")), "made");
	CHECK_STR("the link is still a link", link_of(at("dangling")),
	    "missing");
	CHECK_ERR("O_CREAT|O_EXCL on a symlink", open(at("s"), O_WRONLY |
	    O_CREAT | O_EXCL, 0644), EEXIST);

	mkdir(at("d"), 0755);
	mkdir(at("d/e"), 0755);
	touch(at("d/e/file"), "deep");
	CHECK_OK("symlink to a directory", symlink("d/e", at("de")));
	CHECK_STR("a path through it", content(at("de/file")), "deep");
	CHECK_OK("relative link with ..", symlink("../../target",
	    at("d/e/up")));
	CHECK_STR("resolves from the link's directory", content(at("de/up")),
	    "T");
	CHECK_OK("chain of links", symlink("de", at("chain")));
	CHECK_STR("through two links", content(at("chain/file")), "deep");
	CHECK_ERR("lstat dir link with a slash is the dir", lstat(at("de/"),
	    &st) == 0 && S_ISDIR(st.st_mode) ? (errno = EISDIR, -1) : 0,
	    EISDIR);
	CHECK_ERR("unlink link-to-dir with a slash", unlink(at("de/")),
	    ENOTDIR);
	CHECK_ERR("rmdir a link to a dir", rmdir(at("de")), ENOTDIR);
	CHECK_OK("unlink a link to a dir", unlink(at("de")));
	CHECK_STR("the dir stays", content(at("d/e/file")), "deep");

	/* Links that leave the disk and come back. */
	CHECK_OK("symlink out of the disk", symlink("/dev/null", at("null")));
	fd = open(at("null"), O_WRONLY);
	CHECK_EQ("writes go to /dev/null", write(fd, "x", 1), 1);
	fstat(fd, &st);
	CHECK_EQ("a char device", S_ISCHR(st.st_mode), 1);
	close(fd);
	CHECK_OK("absolute symlink into the disk", symlink(at("target"),
	    at("abs")));
	CHECK_STR("read through it", content(at("abs")), "T");
	struct stat up, parent;
	char parent_path[256];
	snprintf(parent_path, sizeof(parent_path), "%s", abi_disk_dir());
	*strrchr(parent_path, '/') = '\0';
	stat(*parent_path ? parent_path : "/", &parent);
	snprintf(parent_path, sizeof(parent_path), "%s/..", abi_disk_dir());
	stat(parent_path, &up);
	CHECK_EQ("disk root/.. leaves the disk", up.st_ino == parent.st_ino &&
	    up.st_dev == parent.st_dev, 1);

	const char *names[] = { "s", "long", "s59", "s60", "loop1", "loop2",
	    "self", "dangling", "missing", "target", "d/e/up", "d/e/file",
	    "chain", "null", "abs" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(at(names[i]));
	rmdir(at("d/e"));
	rmdir(at("d"));
}

/* getcwd, shown relative to the test directory. */
static const char *
cwd(void)
{
	static char buf[PATH_MAX];
	size_t n = strlen(dir);

	if (!getcwd(buf, sizeof(buf)))
		return errno_name(errno);
	if (strncmp(buf, dir, n) == 0)
		return buf[n] ? buf + n : "(the test directory)";
	return buf;
}

static void
test_getcwd(void)
{
	int here = open(".", O_RDONLY | O_DIRECTORY);

	mkdir(at("a"), 0755);
	mkdir(at("a/b"), 0755);
	mkdir(at("a/b/c"), 0755);
	CHECK_OK("chdir to the test directory", chdir(dir));
	CHECK_STR("getcwd", cwd(), "(the test directory)");
	CHECK_OK("chdir a/b/c", chdir("a/b/c"));
	CHECK_STR("getcwd nested", cwd(), "/a/b/c");
	CHECK_OK("chdir ..", chdir(".."));
	CHECK_STR("getcwd after ..", cwd(), "/a/b");
	CHECK_OK("rename a to z", rename(at("a"), at("z")));
	CHECK_STR("getcwd after a rename above", cwd(), "/z/b");
	CHECK_OK("rename b to y, relative", rename("../b", "../y"));
	CHECK_STR("getcwd after renaming the cwd", cwd(), "/z/y");
	CHECK_OK("move the cwd to another parent", rename(at("z/y"),
	    at("y2")));
	CHECK_STR("getcwd after the move", cwd(), "/y2");
	CHECK_OK("chdir c", chdir("c"));
	CHECK_STR("getcwd below it", cwd(), "/y2/c");
	touch("rel", "relative");
	CHECK_STR("relative create lands in place", content(at("y2/c/rel")),
	    "relative");
	CHECK_OK("chdir through a symlink", (symlink("y2/c", at("lc")),
	    chdir(at("lc"))));
	CHECK_STR("getcwd names the real directory", cwd(), "/y2/c");
	unlink("rel");
	CHECK_OK("rmdir the cwd", rmdir(at("y2/c")));
	CHECK_ERR("getcwd of a removed directory", getcwd(NULL, 0) ? 0 : -1,
	    ENOENT);
	fchdir(here);
	close(here);
	unlink(at("lc"));
	rmdir(at("y2"));
	rmdir(at("z"));
}

int
main(void)
{
	abi_init();
	snprintf(dir, sizeof(dir), "%s/fs_link", abi_disk_dir());
	if (mkdir(dir, 0755) == -1) {
		printf("mkdir %s: %s\n", dir, errno_name(errno));
		return 1;
	}
	test_hard_links();
	test_symlinks();
	test_getcwd();
	CHECK_OK("rmdir", rmdir(dir));
	return abi_done("fs_link");
}
