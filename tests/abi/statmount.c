/*
 * statmount(2) and listmount(2) on two tmpfs mounts made here (one
 * inside the other): ids agree with statx's, the parent is the mount
 * holding /tmp, attributes, propagation, the device and magic, the
 * strings (type, root, mount point) and the size they add; EOVERFLOW for
 * strings without room (Linux 6.18 puts an empty string first, so sizes
 * are checked against the strings' offsets); listmount's order, continuation and reverse;
 * EPERM for a mount outside a user's chroot; the requests' EINVAL, E2BIG,
 * ENOENT, EFAULT. (The request's spare field is left alone: Linux 6.18
 * made it mnt_ns_fd, EBADF, where 6.12, which Petrel follows, says EINVAL.)
 */
#include "abi.h"

#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#ifndef SYS_statmount
#define SYS_statmount 457
#define SYS_listmount 458
#endif
#define TOP "/tmp/abi_statmount"
#define SUB TOP "/sub"

#define SB_BASIC 0x01
#define MNT_BASIC 0x02
#define PROPAGATE_FROM 0x04
#define MNT_ROOT 0x08
#define MNT_POINT 0x10
#define FS_TYPE 0x20
#define LSMT_ROOT UINT64_MAX
#ifndef STATX_MNT_ID	/* in glibc's <sys/stat.h>, not musl's */
#define STATX_MNT_ID 0x1000
#endif
#define STATX_MNT_ID_UNIQUE 0x4000

struct req {
	uint32_t size, spare;
	uint64_t mnt_id, param;
};

struct sm {
	uint32_t size, mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags, fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master;
	uint64_t propagate_from;
	uint32_t mnt_root, mnt_point;
	uint64_t spare[50];
	char str[1024];
};

struct ids {
	uint64_t unique;
	uint32_t old, dev_major, dev_minor;
};

/* struct statx as bytes: stx_mask at 0, stx_dev_major and stx_dev_minor
 * at 0x88 and 0x8c, stx_mnt_id at 0x90 (musl's header lacks it). */
static struct ids
ids_of(const char *path)
{
	unsigned char sx[256];
	struct ids r = { 0, 0, 0, 0 };
	uint64_t id;
	if (syscall(SYS_statx, AT_FDCWD, path, 0, STATX_MNT_ID, sx) == 0) {
		memcpy(&id, sx + 0x90, 8);
		r.old = (uint32_t)id;
	}
	if (syscall(SYS_statx, AT_FDCWD, path, 0, STATX_MNT_ID_UNIQUE, sx) == 0) {
		memcpy(&r.unique, sx + 0x90, 8);
		memcpy(&r.dev_major, sx + 0x88, 4);
		memcpy(&r.dev_minor, sx + 0x8c, 4);
	}
	return r;
}

static long
statmount(uint64_t id, uint64_t mask, void *buf, size_t size)
{
	struct req r = { 24, 0, id, mask };
	return syscall(SYS_statmount, &r, buf, size, 0);
}

static long
listmount(uint64_t id, uint64_t last, uint64_t *out, size_t nr, unsigned flags)
{
	struct req r = { 24, 0, id, last };
	return syscall(SYS_listmount, &r, out, nr, flags);
}

static void
describe(struct ids top, struct ids tmp)
{
	static struct sm s;
	memset(&s, 0xff, sizeof(s));
	uint64_t all = SB_BASIC | MNT_BASIC | PROPAGATE_FROM | MNT_ROOT |
		       MNT_POINT | FS_TYPE;
	CHECK_OK("statmount", statmount(top.unique, all, &s, sizeof(s)));
	CHECK_EQ("mask", s.mask, all);
	CHECK("its unique id", s.mnt_id == top.unique);
	CHECK("its old id", s.mnt_id_old == top.old);
	CHECK("its parent: /tmp's mount", s.mnt_parent_id == tmp.unique &&
	      s.mnt_parent_id_old == tmp.old);
	CHECK("device", s.sb_dev_major == top.dev_major &&
	      s.sb_dev_minor == top.dev_minor);
	CHECK_EQ("magic", s.sb_magic, 0x01021994);
	CHECK_EQ("sb flags", s.sb_flags, 0);
	CHECK_EQ("attributes (nosuid, nodev)", s.mnt_attr, 0x6);
	CHECK_EQ("propagation", s.mnt_propagation, MS_PRIVATE);
	CHECK_EQ("peer group", s.mnt_peer_group, 0);
	CHECK_EQ("master", s.mnt_master, 0);
	CHECK_EQ("propagate from", s.propagate_from, 0);
	CHECK_STR("type", s.str + s.fs_type, "tmpfs");
	CHECK_STR("root", s.str + s.mnt_root, "/");
	CHECK_STR("mount point", s.str + s.mnt_point, TOP);
	uint32_t last = s.fs_type > s.mnt_root ? s.fs_type : s.mnt_root;
	last = last > s.mnt_point ? last : s.mnt_point;
	CHECK("size: to the last string's end",
	      s.size == 512 + last + strlen(s.str + last) + 1);
	memset(&s, 0xff, sizeof(s));
	CHECK_OK("mask 0", statmount(top.unique, 0, &s, sizeof(s)));
	CHECK("nothing but the size", s.size == 512 && s.mask == 0 &&
	      s.mnt_id == 0 && s.sb_magic == 0);
	CHECK_OK("a short buffer", statmount(top.unique, MNT_BASIC, &s, 64));
	CHECK_EQ("its size", s.size, 64);
	CHECK_ERR("strings, no room", statmount(top.unique, FS_TYPE, &s, 512),
		  EOVERFLOW);
	CHECK_ERR("strings, too little room", statmount(top.unique, FS_TYPE,
							&s, 517), EOVERFLOW);
	CHECK_OK("strings, room", statmount(top.unique, FS_TYPE, &s, 600));
	CHECK_STR("the type", s.str + s.fs_type, "tmpfs");
}

static void
request_errors(uint64_t id)
{
	static struct sm s;
	struct req r = { 24, 0, id, 0 };
	CHECK_ERR("flags", syscall(SYS_statmount, &r, &s, sizeof(s), 1), EINVAL);
	r.size = 16;
	CHECK_ERR("request size 16", syscall(SYS_statmount, &r, &s, sizeof(s), 0),
		  EINVAL);
	r.size = 8192;
	CHECK_ERR("request size 8192", syscall(SYS_statmount, &r, &s, sizeof(s), 0),
		  E2BIG);
	r.size = 24;
	CHECK_ERR("an old id", statmount(5, 0, &s, sizeof(s)), EINVAL);
	CHECK_ERR("no such mount", statmount(UINT64_MAX - 1, 0, &s, sizeof(s)),
		  ENOENT);
	CHECK_ERR("no request", syscall(SYS_statmount, NULL, &s, sizeof(s), 0),
		  EFAULT);
	CHECK_ERR("no buffer", statmount(id, 0, NULL, sizeof(s)), EFAULT);
}

/* Whether ids[0..n) rise (or fall) and hold want. */
static int
ordered_with(const uint64_t *ids, long n, uint64_t want, int down)
{
	int found = 0;
	for (long i = 0; i < n; i++) {
		found |= ids[i] == want;
		if (i && (down ? ids[i] >= ids[i - 1] : ids[i] <= ids[i - 1]))
			return 0;
	}
	return found;
}

static void
list(struct ids top, struct ids sub)
{
	uint64_t ids[256];
	CHECK_EQ("below the top mount", listmount(top.unique, 0, ids, 256, 0), 1);
	CHECK("the sub mount", ids[0] == sub.unique);
	CHECK_EQ("below the sub mount", listmount(sub.unique, 0, ids, 256, 0), 0);
	long n = listmount(LSMT_ROOT, 0, ids, 256, 0);
	CHECK("every mount, in order", n >= 3 && ordered_with(ids, n, top.unique, 0) &&
	      ordered_with(ids, n, sub.unique, 0));
	n = listmount(LSMT_ROOT, 0, ids, 256, 1);
	CHECK("reversed", n >= 3 && ordered_with(ids, n, sub.unique, 1));
	n = listmount(LSMT_ROOT, top.unique, ids, 256, 0);
	CHECK("after the top mount", n >= 1 && ids[0] == sub.unique);
	CHECK_EQ("one at a time", listmount(LSMT_ROOT, 0, ids, 1, 0), 1);
	CHECK_EQ("none", listmount(LSMT_ROOT, 0, ids, 0, 0), 0);
	CHECK_ERR("flags", listmount(LSMT_ROOT, 0, ids, 256, 2), EINVAL);
	CHECK_ERR("an old id to go on from", listmount(LSMT_ROOT, 5, ids, 256, 0),
		  EINVAL);
	CHECK_ERR("a million and one", listmount(LSMT_ROOT, 0, ids, 1000001, 0),
		  EOVERFLOW);
	CHECK_ERR("no such mount", listmount(UINT64_MAX - 1, 0, ids, 256, 0),
		  ENOENT);
	CHECK_ERR("no buffer", listmount(top.unique, 0, NULL, 256, 0), EFAULT);
}

/* A user chrooted in the top mount sees it, not the root mount. */
static void
chrooted(struct ids top, struct ids root)
{
	pid_t pid = fork();
	if (pid == 0) {
		static struct sm s;
		uint64_t ids[8];
		if (chroot(TOP) < 0 || setuid(65534) < 0)
			_exit(99);
		int r = statmount(root.unique, SB_BASIC, &s, sizeof(s)) < 0 &&
			errno == EPERM;
		r |= (listmount(root.unique, 0, ids, 8, 0) < 0 &&
		      errno == EPERM) << 1;
		r |= (statmount(top.unique, SB_BASIC, &s, sizeof(s)) == 0) << 2;
		_exit(r);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_EQ("chrooted user: EPERM, EPERM, its own mount", WEXITSTATUS(status), 7);
}

int
main(void)
{
	abi_init();
	mkdir(TOP, 0755);
	if (mount("none", TOP, "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0 ||
	    mount(NULL, TOP, NULL, MS_PRIVATE, NULL) < 0 ||
	    mkdir(SUB, 0755) < 0 || mount("none", SUB, "tmpfs", 0, NULL) < 0) {
		printf("mount: %s\n", errno_name(errno));
		return 1;
	}
	struct ids top = ids_of(TOP), sub = ids_of(SUB), tmp = ids_of("/tmp"),
		   root = ids_of("/");
	describe(top, tmp);
	request_errors(top.unique);
	list(top, sub);
	chrooted(top, root);
	umount(SUB);
	umount(TOP);
	rmdir(TOP);
	return abi_done("statmount");
}
