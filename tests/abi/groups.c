/*
 * Supplementary groups and what they decide: setgroups/getgroups (sorted,
 * counted, EINVAL, EPERM), a set-group-ID directory's group and bit given
 * to what is made in it (open, mkdir, mknod) and a file's set-group-ID bit
 * kept only for a member, chmod dropping S_ISGID for a non-member, chown
 * by the owner to one of its groups and not to another, and group
 * permission through a supplementary group. Runs as root, acting as
 * uid 65534 through seteuid.
 */
#include "abi.h"

#include <grp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char dir[64], path[160];

static void
test_calls(void)
{
	gid_t set[4] = { 300, 100, 200, 100 }, got[8];
	CHECK_OK("setgroups", setgroups(4, set));
	CHECK_EQ("getgroups count", getgroups(0, NULL), 4);
	CHECK_ERR("getgroups too small", getgroups(3, got), EINVAL);
	CHECK_ERR("getgroups negative", getgroups(-1, got), EINVAL);
	CHECK_EQ("getgroups", getgroups(8, got), 4);
	printf("groups: %u %u %u %u\n", got[0], got[1], got[2], got[3]);
	CHECK_ERR("setgroups negative", setgroups(-1, set), EINVAL);
	CHECK_ERR("setgroups too many", setgroups(65537, set), EINVAL);
	CHECK_OK("setgroups none", setgroups(0, NULL));
	CHECK_EQ("none left", getgroups(0, NULL), 0);
	CHECK_OK("seteuid", seteuid(65534));
	CHECK_ERR("setgroups unprivileged", setgroups(1, set), EPERM);
	CHECK_OK("seteuid back", seteuid(0));
}

static void
show(const char *what, const char *name)
{
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0) {
		printf("%s: stat %s\n", what, errno_name(errno));
		return;
	}
	printf("%s: gid %u mode %o\n", what, st.st_gid, st.st_mode & 07777);
}

static void
make(const char *name, int kind, mode_t mode)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (kind == 'f')
		close(open(path, O_CREAT | O_WRONLY, mode));
	else if (kind == 'd')
		mkdir(path, mode);
	else
		mknod(path, S_IFIFO | mode, 0);
}

static void
test_setgid_dir(void)
{
	CHECK_OK("dir owner", chown(dir, 65534, 500));
	CHECK_OK("dir setgid", chmod(dir, 02777));
	umask(0);
	make("root-file", 'f', 02755);
	gid_t mine = 600;
	CHECK_OK("groups 600", setgroups(1, &mine));
	CHECK_OK("egid 65534", setegid(65534));
	CHECK_OK("euid 65534", seteuid(65534));
	make("file", 'f', 0644);
	make("sgid-file", 'f', 02755);
	make("subdir", 'd', 0755);
	make("fifo", 'p', 0644);
	CHECK_OK("euid back", seteuid(0));
	CHECK_OK("egid back", setegid(0));
	show("root's set-group-ID file", "root-file");
	show("file", "file");
	show("a non-member's set-group-ID file", "sgid-file");
	show("directory", "subdir");
	show("fifo", "fifo");
	umask(022);
}

static void
test_chmod_chown(void)
{
	make("own", 'f', 0640);
	CHECK_OK("own's owner", chown(path, 65534, 600));
	gid_t mine[2] = { 600, 700 };
	CHECK_OK("groups 600 700", setgroups(2, mine));
	CHECK_OK("euid 65534", seteuid(65534));
	CHECK_OK("chgrp to a group of mine", chown(path, -1, 700));
	CHECK_ERR("chgrp to another", chown(path, -1, 800), EPERM);
	CHECK_ERR("chown to another user", chown(path, 0, -1), EPERM);
	CHECK_OK("chown to myself", chown(path, 65534, -1));
	CHECK_OK("chmod with S_ISGID, member", chmod(path, 02640));
	CHECK_OK("euid back", seteuid(0));
	show("member's chmod", "own");
	CHECK_OK("not mine", chown(path, 65534, 900));
	CHECK_OK("euid 65534", seteuid(65534));
	CHECK_OK("chmod with S_ISGID, not a member", chmod(path, 02640));
	CHECK_OK("euid back", seteuid(0));
	show("non-member's chmod", "own");
	/* Group read through a supplementary group. */
	CHECK_OK("group 700, mode 040", chown(path, 0, 700));
	chmod(path, 040);
	CHECK_OK("euid 65534", seteuid(65534));
	int fd = open(path, O_RDONLY);
	CHECK("read through group 700", fd >= 0);
	close(fd);
	CHECK_OK("euid back", seteuid(0));
	CHECK_OK("groups none", setgroups(0, NULL));
	CHECK_OK("euid 65534", seteuid(65534));
	CHECK_ERR("no group, no read", open(path, O_RDONLY), EACCES);
	CHECK_OK("euid back", seteuid(0));
}

int
main(void)
{
	abi_init();
	abi_tmpname(dir, sizeof(dir), "groups");
	mkdir(dir, 0777);
	test_calls();
	test_setgid_dir();
	test_chmod_chown();
	const char *names[] = { "root-file", "file", "sgid-file", "subdir",
				"fifo", "own" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(dir);
	return abi_done("groups");
}
