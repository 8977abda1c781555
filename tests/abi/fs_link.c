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

	abi_touch(abi_at("f"), "data");
	CHECK_OK("link", link(abi_at("f"), abi_at("g")));
	CHECK_EQ("nlink 2", abi_nlink(abi_at("f")), 2);
	stat(abi_at("f"), &a);
	stat(abi_at("g"), &b);
	CHECK_EQ("one inode", a.st_ino == b.st_ino, 1);
	mkdir(abi_at("sub"), 0755);
	CHECK_OK("link into a subdirectory", link(abi_at("g"), abi_at("sub/h")));
	CHECK_EQ("nlink 3", abi_nlink(abi_at("f")), 3);
	int fd = open(abi_at("sub/h"), O_WRONLY | O_APPEND);
	write(fd, "+more", 5);
	close(fd);
	CHECK_STR("write through one name shows in another", abi_content(abi_at("f")),
	    "data+more");
	CHECK_ERR("link over an existing name", link(abi_at("f"), abi_at("g")),
	    EEXIST);
	CHECK_ERR("link a missing file", link(abi_at("none"), abi_at("x")), ENOENT);
	CHECK_ERR("link a directory", link(abi_at("sub"), abi_at("sub2")), EPERM);
	CHECK_ERR("link into a missing directory", link(abi_at("f"),
	    abi_at("none/x")), ENOENT);
	CHECK_OK("unlink one name", unlink(abi_at("g")));
	CHECK_EQ("nlink 2 again", abi_nlink(abi_at("f")), 2);
	CHECK_OK("unlink the first name", unlink(abi_at("f")));
	CHECK_EQ("the last name keeps it", abi_nlink(abi_at("sub/h")), 1);
	CHECK_STR("content kept", abi_content(abi_at("sub/h")), "data+more");
	if (abi_disk_is_ext2()) {
		char other[64];
		abi_tmpname(other, sizeof(other), "fs_link");
		CHECK_ERR("link to another file system", link(abi_at("sub/h"),
		    other), EXDEV);
		CHECK_ERR("rename to another file system", rename(abi_at("sub/h"),
		    other), EXDEV);
	}
	unlink(abi_at("sub/h"));
	rmdir(abi_at("sub"));
}

static void
test_symlinks(void)
{
	struct stat st, lst;
	char long_target[301];

	abi_touch(abi_at("target"), "T");
	CHECK_OK("symlink, short target", symlink("target", abi_at("s")));
	CHECK_STR("readlink", link_of(abi_at("s")), "target");
	CHECK_STR("read through it", abi_content(abi_at("s")), "T");
	CHECK_OK("lstat", lstat(abi_at("s"), &lst));
	CHECK_EQ("lstat: a symlink", S_ISLNK(lst.st_mode), 1);
	CHECK_EQ("lstat: size is the target's length", lst.st_size, 6);
	CHECK_EQ("lstat: mode 777", lst.st_mode & 07777, 0777);
	CHECK_EQ("lstat: nlink 1", lst.st_nlink, 1);
	CHECK_EQ("short target: no blocks", lst.st_blocks, 0);
	CHECK_OK("stat", stat(abi_at("s"), &st));
	CHECK_EQ("stat: the target", S_ISREG(st.st_mode) && st.st_size == 1 &&
	    st.st_ino != lst.st_ino, 1);
	char small[4];
	CHECK_EQ("readlink into 4 bytes", readlink(abi_at("s"), small, 4), 4);
	CHECK("truncated, no NUL", memcmp(small, "targ", 4) == 0);
	CHECK_ERR("readlink a file", readlink(abi_at("target"), small, 4),
	    EINVAL);
	CHECK_ERR("readlink missing", readlink(abi_at("none"), small, 4), ENOENT);
	CHECK_ERR("symlink over an existing name", symlink("x", abi_at("s")),
	    EEXIST);
	CHECK_ERR("symlink with an empty target", symlink("", abi_at("e")),
	    ENOENT);

	/* 300 bytes: too long for the inode, so ext2 puts it in a block. */
	for (int i = 0; i < 300; i++)
		long_target[i] = i % 50 == 49 ? '/' : 'a' + i % 26;
	long_target[300] = '\0';
	CHECK_OK("symlink, 300-byte target", symlink(long_target,
	    abi_at("long")));
	CHECK_EQ("readlink it back", strcmp(link_of(abi_at("long")), long_target),
	    0);
	lstat(abi_at("long"), &lst);
	CHECK_EQ("its size", lst.st_size, 300);
	CHECK("long target: blocks > 0", lst.st_blocks > 0);
	CHECK_ERR("following it", stat(abi_at("long"), &st), ENOENT);
	/* 59 and 60 bytes: the edge of what the inode holds. */
	CHECK_OK("symlink, 59 bytes", symlink(long_target + 241, abi_at("s59")));
	CHECK_OK("symlink, 60 bytes", symlink(long_target + 240, abi_at("s60")));
	CHECK_EQ("59 back", strcmp(link_of(abi_at("s59")), long_target + 241), 0);
	CHECK_EQ("60 back", strcmp(link_of(abi_at("s60")), long_target + 240), 0);

	/* Following: O_NOFOLLOW, loops, dangling, directories, "..". */
	CHECK_ERR("O_NOFOLLOW on a symlink", open(abi_at("s"), O_RDONLY |
	    O_NOFOLLOW), ELOOP);
	int fd = open(abi_at("s"), O_RDONLY | O_NOFOLLOW | O_PATH);
	CHECK("O_PATH|O_NOFOLLOW opens the link", fd >= 0);
	fstat(fd, &st);
	CHECK_EQ("and fstat sees a symlink", S_ISLNK(st.st_mode), 1);
	close(fd);
	symlink("loop2", abi_at("loop1"));
	symlink("loop1", abi_at("loop2"));
	CHECK_ERR("symlink loop", open(abi_at("loop1"), O_RDONLY), ELOOP);
	CHECK_ERR("stat a loop", stat(abi_at("loop1"), &st), ELOOP);
	CHECK_OK("lstat a loop", lstat(abi_at("loop1"), &st));
	symlink("self", abi_at("self"));
	CHECK_ERR("a link to itself", stat(abi_at("self/x"), &st), ELOOP);
	symlink("missing", abi_at("dangling"));
	CHECK_ERR("dangling symlink", stat(abi_at("dangling"), &st), ENOENT);
	CHECK_ERR("open a dangling symlink", open(abi_at("dangling"), O_RDONLY),
	    ENOENT);
	fd = open(abi_at("dangling"), O_WRONLY | O_CREAT, 0644);
	CHECK("O_CREAT through a dangling symlink", fd >= 0);
	if (fd >= 0)
		write(fd, "made", 4), close(fd);
	CHECK_STR("it made the target", abi_content(abi_at("missing")), "made");
	CHECK_STR("the link is still a link", link_of(abi_at("dangling")),
	    "missing");
	CHECK_ERR("O_CREAT|O_EXCL on a symlink", open(abi_at("s"), O_WRONLY |
	    O_CREAT | O_EXCL, 0644), EEXIST);

	mkdir(abi_at("d"), 0755);
	mkdir(abi_at("d/e"), 0755);
	abi_touch(abi_at("d/e/file"), "deep");
	CHECK_OK("symlink to a directory", symlink("d/e", abi_at("de")));
	CHECK_STR("a path through it", abi_content(abi_at("de/file")), "deep");
	CHECK_OK("relative link with ..", symlink("../../target",
	    abi_at("d/e/up")));
	CHECK_STR("resolves from the link's directory", abi_content(abi_at("de/up")),
	    "T");
	CHECK_OK("chain of links", symlink("de", abi_at("chain")));
	CHECK_STR("through two links", abi_content(abi_at("chain/file")), "deep");
	CHECK_ERR("lstat dir link with a slash is the dir", lstat(abi_at("de/"),
	    &st) == 0 && S_ISDIR(st.st_mode) ? (errno = EISDIR, -1) : 0,
	    EISDIR);
	CHECK_ERR("unlink link-to-dir with a slash", unlink(abi_at("de/")),
	    ENOTDIR);
	CHECK_ERR("rmdir a link to a dir", rmdir(abi_at("de")), ENOTDIR);
	CHECK_OK("unlink a link to a dir", unlink(abi_at("de")));
	CHECK_STR("the dir stays", abi_content(abi_at("d/e/file")), "deep");

	/* Links that leave the disk and come back. */
	CHECK_OK("symlink out of the disk", symlink("/dev/null", abi_at("null")));
	fd = open(abi_at("null"), O_WRONLY);
	CHECK_EQ("writes go to /dev/null", write(fd, "x", 1), 1);
	fstat(fd, &st);
	CHECK_EQ("a char device", S_ISCHR(st.st_mode), 1);
	close(fd);
	CHECK_OK("absolute symlink into the disk", symlink(abi_at("target"),
	    abi_at("abs")));
	CHECK_STR("read through it", abi_content(abi_at("abs")), "T");
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
		unlink(abi_at(names[i]));
	rmdir(abi_at("d/e"));
	rmdir(abi_at("d"));
}

/* getcwd, shown relative to the test directory. */
static const char *
cwd(void)
{
	static char buf[PATH_MAX];
	size_t n = strlen(abi_dir);

	if (!getcwd(buf, sizeof(buf)))
		return errno_name(errno);
	if (strncmp(buf, abi_dir, n) == 0)
		return buf[n] ? buf + n : "(the test directory)";
	return buf;
}

static void
test_getcwd(void)
{
	int here = open(".", O_RDONLY | O_DIRECTORY);

	mkdir(abi_at("a"), 0755);
	mkdir(abi_at("a/b"), 0755);
	mkdir(abi_at("a/b/c"), 0755);
	CHECK_OK("chdir to the test directory", chdir(abi_dir));
	CHECK_STR("getcwd", cwd(), "(the test directory)");
	CHECK_OK("chdir a/b/c", chdir("a/b/c"));
	CHECK_STR("getcwd nested", cwd(), "/a/b/c");
	CHECK_OK("chdir ..", chdir(".."));
	CHECK_STR("getcwd after ..", cwd(), "/a/b");
	CHECK_OK("rename a to z", rename(abi_at("a"), abi_at("z")));
	CHECK_STR("getcwd after a rename above", cwd(), "/z/b");
	CHECK_OK("rename b to y, relative", rename("../b", "../y"));
	CHECK_STR("getcwd after renaming the cwd", cwd(), "/z/y");
	CHECK_OK("move the cwd to another parent", rename(abi_at("z/y"),
	    abi_at("y2")));
	CHECK_STR("getcwd after the move", cwd(), "/y2");
	CHECK_OK("chdir c", chdir("c"));
	CHECK_STR("getcwd below it", cwd(), "/y2/c");
	abi_touch("rel", "relative");
	CHECK_STR("relative create lands in place", abi_content(abi_at("y2/c/rel")),
	    "relative");
	CHECK_OK("chdir through a symlink", (symlink("y2/c", abi_at("lc")),
	    chdir(abi_at("lc"))));
	CHECK_STR("getcwd names the real directory", cwd(), "/y2/c");
	unlink("rel");
	CHECK_OK("rmdir the cwd", rmdir(abi_at("y2/c")));
	CHECK_ERR("getcwd of a removed directory", getcwd(NULL, 0) ? 0 : -1,
	    ENOENT);
	fchdir(here);
	close(here);
	unlink(abi_at("lc"));
	rmdir(abi_at("y2"));
	rmdir(abi_at("z"));
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("fs_link");
	test_hard_links();
	test_symlinks();
	test_getcwd();
	CHECK_OK("rmdir", rmdir(abi_dir));
	return abi_done("fs_link");
}
