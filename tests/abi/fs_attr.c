/*
 * Attributes on a real disk (ext2 with 256-byte inodes: fsd's /data in
 * Petrel, a loop mount natively): chmod/fchmod, chown and what it clears,
 * set-group-ID directories, utimensat with exact times (nanoseconds,
 * before 1970, after 2038), UTIME_OMIT and UTIME_NOW, times that move on
 * write and on changes to a directory, access() for root and for another
 * user, permission checks on open and create, and umask.
 */
/* abi: disk */
#include "abi.h"

#include <fcntl.h>

static void
touch(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	close(fd);
}

static unsigned
mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode & 07777 : 0xffff;
}

static void
test_chmod(void)
{
	struct stat st;

	touch(abi_at("f"), 0644);
	CHECK_OK("chmod 0600", chmod(abi_at("f"), 0600));
	CHECK_EQ("mode (octal 600)", mode_of(abi_at("f")), 0600);
	CHECK_OK("chmod all bits", chmod(abi_at("f"), 07777));
	CHECK_EQ("mode (octal 7777)", mode_of(abi_at("f")), 07777);
	CHECK_OK("chmod 0", chmod(abi_at("f"), 0));
	CHECK_EQ("mode 0", mode_of(abi_at("f")), 0);
	int fd = open(abi_at("f"), O_RDONLY);
	CHECK("root opens a mode-0 file", fd >= 0);
	CHECK_OK("fchmod 0751", fchmod(fd, 0751));
	fstat(fd, &st);
	CHECK_EQ("fstat sees it (octal 751)", st.st_mode & 07777, 0751);
	CHECK_EQ("still regular", S_ISREG(st.st_mode), 1);
	close(fd);
	CHECK_EQ("stat sees it too (octal 751)", mode_of(abi_at("f")), 0751);
	symlink("f", abi_at("link"));
	CHECK_OK("chmod through a symlink", chmod(abi_at("link"), 0640));
	CHECK_EQ("target changed (octal 640)", mode_of(abi_at("f")), 0640);
	CHECK_EQ("link unchanged (octal 777)", mode_of(abi_at("link")), 0777);
	CHECK_ERR("chmod missing", chmod(abi_at("none"), 0644), ENOENT);
	mkdir(abi_at("d"), 0755);
	CHECK_OK("chmod a directory", chmod(abi_at("d"), 01777));
	CHECK_EQ("sticky directory (octal 1777)", mode_of(abi_at("d")), 01777);
	rmdir(abi_at("d"));
}

static void
test_chown(void)
{
	struct stat st;

	CHECK_OK("chown to 1000:2000", chown(abi_at("f"), 1000, 2000));
	stat(abi_at("f"), &st);
	CHECK_EQ("uid", st.st_uid, 1000);
	CHECK_EQ("gid", st.st_gid, 2000);
	CHECK_OK("chown -1:3000 keeps the uid", chown(abi_at("f"), -1, 3000));
	stat(abi_at("f"), &st);
	CHECK_EQ("uid kept", st.st_uid, 1000);
	CHECK_EQ("gid", st.st_gid, 3000);
	int fd = open(abi_at("f"), O_RDONLY);
	CHECK_OK("fchown 70000:-1", fchown(fd, 70000, -1));
	fstat(fd, &st);
	CHECK_EQ("uid past 16 bits", st.st_uid, 70000);
	CHECK_EQ("gid kept", st.st_gid, 3000);
	close(fd);
	CHECK_OK("lchown the link", lchown(abi_at("link"), 4000, 4000));
	lstat(abi_at("link"), &st);
	CHECK_EQ("link's uid", st.st_uid, 4000);
	stat(abi_at("link"), &st);
	CHECK_EQ("target's uid unchanged", st.st_uid, 70000);

	/* chown clears set-user-ID, and set-group-ID with group execute. */
	chmod(abi_at("f"), 06755);
	chown(abi_at("f"), 0, 0);
	CHECK_EQ("chown clears S_ISUID|S_ISGID (octal 755)", mode_of(abi_at("f")),
	    0755);
	chmod(abi_at("f"), 02745);
	chown(abi_at("f"), 1, -1);
	CHECK_EQ("S_ISGID without group x stays (octal 2745)",
	    mode_of(abi_at("f")), 02745);
	chown(abi_at("f"), 0, 0);
	chmod(abi_at("f"), 0644);

	/* A set-group-ID directory hands its group down. */
	mkdir(abi_at("sg"), 0755);
	chown(abi_at("sg"), 0, 5000);
	chmod(abi_at("sg"), 02775);
	touch(abi_at("sg/file"), 0644);
	stat(abi_at("sg/file"), &st);
	CHECK_EQ("file in a setgid dir gets its group", st.st_gid, 5000);
	CHECK_EQ("and no setgid bit (octal 644)", st.st_mode & 07777, 0644);
	mkdir(abi_at("sg/sub"), 0755);
	stat(abi_at("sg/sub"), &st);
	CHECK_EQ("subdirectory gets the group", st.st_gid, 5000);
	CHECK_EQ("and the setgid bit (octal 2755)", st.st_mode & 07777,
	    02755);
	unlink(abi_at("sg/file"));
	rmdir(abi_at("sg/sub"));
	rmdir(abi_at("sg"));
}

static void
check_times(const char *what, const char *path, long long asec, long ansec,
    long long msec, long mnsec)
{
	struct stat st;
	char label[128];

	lstat(path, &st);
	snprintf(label, sizeof(label), "%s: atime", what);
	CHECK_EQ(label, st.st_atim.tv_sec, asec);
	snprintf(label, sizeof(label), "%s: atime ns", what);
	CHECK_EQ(label, st.st_atim.tv_nsec, ansec);
	snprintf(label, sizeof(label), "%s: mtime", what);
	CHECK_EQ(label, st.st_mtim.tv_sec, msec);
	snprintf(label, sizeof(label), "%s: mtime ns", what);
	CHECK_EQ(label, st.st_mtim.tv_nsec, mnsec);
}

static int
after_or_at(struct timespec t, struct timespec than)
{
	return t.tv_sec > than.tv_sec ||
	    (t.tv_sec == than.tv_sec && t.tv_nsec >= than.tv_nsec);
}

static void
test_times(void)
{
	struct timespec ts[2] = { { 1234567890, 123456789 },
				  { 1000000000, 999999999 } };
	struct stat st, st2;

	CHECK_OK("utimensat exact", utimensat(AT_FDCWD, abi_at("f"), ts, 0));
	check_times("exact", abi_at("f"), 1234567890, 123456789, 1000000000,
	    999999999);
	struct timespec old[2] = { { -1, 500 }, { 4000000000LL, 1 } };
	CHECK_OK("utimensat before 1970 and after 2038", utimensat(AT_FDCWD,
	    abi_at("f"), old, 0));
	check_times("far", abi_at("f"), -1, 500, 4000000000LL, 1);
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 1500000000, 42 } };
	CHECK_OK("UTIME_OMIT atime", utimensat(AT_FDCWD, abi_at("f"), omit, 0));
	check_times("omit", abi_at("f"), -1, 500, 1500000000, 42);
	struct timespec both_omit[2] = { { 0, UTIME_OMIT },
					 { 0, UTIME_OMIT } };
	stat(abi_at("f"), &st);
	CHECK_OK("both UTIME_OMIT", utimensat(AT_FDCWD, abi_at("f"), both_omit,
	    0));
	stat(abi_at("f"), &st2);
	CHECK_EQ("and nothing changed", st.st_ctim.tv_sec ==
	    st2.st_ctim.tv_sec && st.st_ctim.tv_nsec == st2.st_ctim.tv_nsec,
	    1);

	struct timespec before, now[2] = { { 0, UTIME_NOW },
					   { 0, UTIME_OMIT } };
	clock_gettime(CLOCK_REALTIME, &before);
	before.tv_nsec = 0;	/* the file system's clock may be coarser */
	CHECK_OK("UTIME_NOW atime", utimensat(AT_FDCWD, abi_at("f"), now, 0));
	stat(abi_at("f"), &st);
	CHECK_EQ("atime now", after_or_at(st.st_atim, before), 1);
	CHECK_EQ("mtime kept", st.st_mtim.tv_sec, 1500000000);
	CHECK_OK("utimensat NULL: both now", utimensat(AT_FDCWD, abi_at("f"),
	    NULL, 0));
	stat(abi_at("f"), &st);
	CHECK_EQ("mtime now", after_or_at(st.st_mtim, before), 1);
	CHECK_EQ("ctime now", after_or_at(st.st_ctim, before), 1);

	int fd = open(abi_at("f"), O_RDWR);
	CHECK_OK("futimens", futimens(fd, ts));
	check_times("futimens", abi_at("f"), 1234567890, 123456789, 1000000000,
	    999999999);
	fstat(fd, &st);
	CHECK_EQ("write moves mtime: before", st.st_mtim.tv_sec, 1000000000);
	write(fd, "x", 1);
	fstat(fd, &st);
	CHECK_EQ("mtime advanced by write", after_or_at(st.st_mtim, before),
	    1);
	CHECK_EQ("ctime advanced by write", after_or_at(st.st_ctim, before),
	    1);
	futimens(fd, ts);
	ftruncate(fd, 0);
	fstat(fd, &st);
	CHECK_EQ("mtime advanced by ftruncate", after_or_at(st.st_mtim,
	    before), 1);
	futimens(fd, ts);
	ftruncate(fd, 0);
	fstat(fd, &st);
	CHECK_EQ("ftruncate to the same size moves mtime too",
	    after_or_at(st.st_mtim, before), 1);
	futimens(fd, ts);
	close(fd);
	stat(abi_at("f"), &st);
	CHECK_EQ("times survive close", st.st_mtim.tv_sec, 1000000000);

	struct timespec link_ts[2] = { { 111, 1 }, { 222, 2 } };
	CHECK_OK("utimensat AT_SYMLINK_NOFOLLOW", utimensat(AT_FDCWD,
	    abi_at("link"), link_ts, AT_SYMLINK_NOFOLLOW));
	check_times("the link", abi_at("link"), 111, 1, 222, 2);
	check_times("not its target", abi_at("f"), 1234567890, 123456789,
	    1000000000, 999999999);
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	CHECK_ERR("nanoseconds out of range", utimensat(AT_FDCWD, abi_at("f"),
	    bad, 0), EINVAL);
	CHECK_ERR("utimensat missing", utimensat(AT_FDCWD, abi_at("none"), ts, 0),
	    ENOENT);

	/* A directory's mtime and ctime move when a name comes or goes. */
	mkdir(abi_at("d"), 0755);
	utimensat(AT_FDCWD, abi_at("d"), ts, 0);
	touch(abi_at("d/new"), 0644);
	stat(abi_at("d"), &st);
	CHECK_EQ("directory mtime advanced by create",
	    after_or_at(st.st_mtim, before), 1);
	utimensat(AT_FDCWD, abi_at("d"), ts, 0);
	unlink(abi_at("d/new"));
	stat(abi_at("d"), &st);
	CHECK_EQ("directory mtime advanced by unlink",
	    after_or_at(st.st_mtim, before), 1);
	utimensat(AT_FDCWD, abi_at("d"), ts, 0);
	stat(abi_at("d"), &st);
	CHECK_EQ("directory times set", st.st_mtim.tv_sec == 1000000000 &&
	    st.st_atim.tv_nsec == 123456789, 1);
	rmdir(abi_at("d"));
}

/* As uid 1000 in a child: what another user may and may not do. */
static void
as_other_user(void)
{
	CHECK_EQ("  setuid 1000", setgid(1000) == 0 && setuid(1000) == 0, 1);
	CHECK_ERR("  access R_OK on root's 0600 file", access(abi_at("p600"),
	    R_OK), EACCES);
	CHECK_ERR("  open it", open(abi_at("p600"), O_RDONLY), EACCES);
	CHECK_EQ("  access R_OK on 0644", access(abi_at("p644"), R_OK), 0);
	CHECK_ERR("  access W_OK on 0644", access(abi_at("p644"), W_OK), EACCES);
	CHECK_ERR("  open 0644 for writing", open(abi_at("p644"), O_WRONLY),
	    EACCES);
	CHECK_ERR("  create in root's 0755 directory", open(abi_at("mine"),
	    O_WRONLY | O_CREAT, 0644), EACCES);
	CHECK_ERR("  unlink in root's 0755 directory", unlink(abi_at("p644")),
	    EACCES);
	CHECK_ERR("  rename in root's 0755 directory", rename(abi_at("p644"),
	    abi_at("p645")), EACCES);
	CHECK_ERR("  rename out of root's directory", rename(abi_at("p644"),
	    abi_at("open/p644")), EACCES);
	CHECK_ERR("  chmod root's file", chmod(abi_at("p644"), 0777), EPERM);
	CHECK_ERR("  chown root's file", chown(abi_at("p644"), 1000, 1000),
	    EPERM);
	CHECK_ERR("  utimensat explicit on root's file", utimensat(AT_FDCWD,
	    abi_at("p644"), (struct timespec[2]){ { 1, 0 }, { 1, 0 } }, 0),
	    EPERM);
	CHECK_ERR("  utimensat now on root's file", utimensat(AT_FDCWD,
	    abi_at("p644"), NULL, 0), EACCES);
	CHECK_ERR("  enter a 0700 directory", open(abi_at("private/x"),
	    O_RDONLY), EACCES);
	int fd = open(abi_at("open/mine"), O_WRONLY | O_CREAT, 0644);
	CHECK("  create in a 0777 directory", fd >= 0);
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ("  owned by 1000:1000", st.st_uid == 1000 &&
	    st.st_gid == 1000, 1);
	CHECK_OK("  chmod own file", fchmod(fd, 0600));
	CHECK_ERR("  chown own file to another user", fchown(fd, 0, -1),
	    EPERM);
	close(fd);
	CHECK_ERR("  unlink another's file in a sticky dir",
	    unlink(abi_at("open/roots")), EPERM);
	CHECK_ERR("  rename another's file in a sticky dir",
	    rename(abi_at("open/roots"), abi_at("open/r2")), EPERM);
	CHECK_ERR("  rename over another's file in a sticky dir",
	    rename(abi_at("open/mine"), abi_at("open/roots")), EPERM);
	CHECK_OK("  rename own file in a sticky dir", rename(abi_at("open/mine"),
	    abi_at("open/mine2")));
	CHECK_OK("  unlink own file in a sticky dir", unlink(abi_at("open/mine2")));
}

static void
test_access(void)
{
	touch(abi_at("p600"), 0600);
	touch(abi_at("p644"), 0644);
	touch(abi_at("p000"), 0);
	touch(abi_at("p100"), 0100);
	CHECK_EQ("root: F_OK", access(abi_at("p000"), F_OK), 0);
	CHECK_EQ("root: R_OK|W_OK on mode 0", access(abi_at("p000"),
	    R_OK | W_OK), 0);
	CHECK_ERR("root: X_OK without any x bit", access(abi_at("p000"), X_OK),
	    EACCES);
	CHECK_EQ("root: X_OK with one x bit", access(abi_at("p100"), X_OK), 0);
	CHECK_ERR("access missing", access(abi_at("none"), F_OK), ENOENT);
	CHECK_ERR("access through a file", access(abi_at("p000/x"), F_OK),
	    ENOTDIR);
	CHECK_ERR("access bad mode", access(abi_at("p000"), 0100), EINVAL);
	mkdir(abi_at("private"), 0700);
	touch(abi_at("private/x"), 0644);
	mkdir(abi_at("open"), 01777);
	chmod(abi_at("open"), 01777);
	touch(abi_at("open/roots"), 0666);

	pid_t pid = abi_fork();
	if (pid == 0) {
		as_other_user();
		fflush(stdout);
		_exit(abi_failures ? 1 : 0);
	}
	CHECK_STR("other user's checks", status_str(abi_wait(pid)),
	    "exited 0");
	unlink(abi_at("open/roots"));
	rmdir(abi_at("open"));
	unlink(abi_at("private/x"));
	rmdir(abi_at("private"));
	unlink(abi_at("p600"));
	unlink(abi_at("p644"));
	unlink(abi_at("p000"));
	unlink(abi_at("p100"));
}

static void
test_umask(void)
{
	umask(027);
	touch(abi_at("u"), 0666);
	CHECK_EQ("file with umask 027 (octal 640)", mode_of(abi_at("u")), 0640);
	mkdir(abi_at("ud"), 0777);
	CHECK_EQ("dir with umask 027 (octal 750)", mode_of(abi_at("ud")), 0750);
	umask(0);
	touch(abi_at("u0"), 0666);
	CHECK_EQ("file with umask 0 (octal 666)", mode_of(abi_at("u0")), 0666);
	mkdir(abi_at("ud0"), 01777);
	CHECK_EQ("sticky dir with umask 0 (octal 1777)", mode_of(abi_at("ud0")),
	    01777);
	umask(022);
	unlink(abi_at("u"));
	unlink(abi_at("u0"));
	rmdir(abi_at("ud"));
	rmdir(abi_at("ud0"));
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("fs_attr");
	chmod(abi_dir, 0755);
	test_chmod();
	test_chown();
	test_times();
	test_access();
	test_umask();
	unlink(abi_at("link"));
	unlink(abi_at("f"));
	CHECK_OK("rmdir", rmdir(abi_dir));
	return abi_done("fs_attr");
}
