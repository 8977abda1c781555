/*
 * fanotify's FAN_REPORT_FID on a disk, as root: name_to_handle_at's
 * handles and errors, the FID flags fanotify_init refuses, the marks a
 * FID group may not have, and the events a directory and a file hear
 * (names made, moved and removed in the directory merged into one event
 * of the directory's, a truncate, a file's and a subdirectory's removal),
 * each with no descriptor and a FID record whose fsid is statfs's and
 * whose handle is name_to_handle_at's.
 */
/* abi: disk */
#include "abi.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* Newer than musl's header. */
#ifndef FAN_RENAME
#define FAN_RENAME 0x10000000
#endif
#ifndef FAN_MARK_IGNORE
#define FAN_MARK_IGNORE 0x00000400
#endif

struct fid {
	fsid_t fsid;
	struct file_handle handle;
	unsigned char bytes[MAX_HANDLE_SZ];
};

static struct fid dir_fid, file_fid, sub_fid;

static void
save_fid(const char *path, struct fid *fid)
{
	struct statfs st;
	int mount_id;
	statfs(path, &st);
	fid->fsid = st.f_fsid;
	fid->handle.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &fid->handle, &mount_id, 0) < 0)
		printf("name_to_handle_at %s: %s\n", path, errno_name(errno));
}

static bool
fid_is(const struct fanotify_event_info_fid *info, const struct fid *fid)
{
	const struct file_handle *h = (const void *)info->handle;
	return memcmp(&info->fsid, &fid->fsid, sizeof(fid->fsid)) == 0 &&
	       h->handle_bytes == fid->handle.handle_bytes &&
	       h->handle_type == fid->handle.handle_type &&
	       memcmp(h->f_handle, fid->handle.f_handle, h->handle_bytes) == 0;
}

static void
show_events(int fan, const char *what)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n = read(fan, buf, sizeof(buf));
	if (n < 0) {
		printf("%s: read %s\n", what, errno_name(errno));
		return;
	}
	struct fanotify_event_metadata *md = (void *)buf;
	for (; FAN_EVENT_OK(md, n); md = FAN_EVENT_NEXT(md, n)) {
		struct fanotify_event_info_fid *info = (void *)(md + 1);
		const char *who = fid_is(info, &dir_fid) ? "the directory" :
				  fid_is(info, &file_fid) ? "the file" :
				  fid_is(info, &sub_fid) ? "the subdirectory" :
				  "unknown";
		printf("%s: mask 0x%llx fd %d info type %d len %d fid of %s\n",
		       what, (unsigned long long)md->mask, md->fd,
		       info->hdr.info_type, info->hdr.len, who);
	}
}

static void
test_handles(void)
{
	struct fid fid;
	int mount_id;
	fid.handle.handle_bytes = 0;
	CHECK_ERR("handle: no room", name_to_handle_at(AT_FDCWD, abi_dir,
		  &fid.handle, &mount_id, 0), EOVERFLOW);
	printf("handle: it takes %u bytes\n", fid.handle.handle_bytes);
	fid.handle.handle_bytes = 0;
	CHECK_ERR("handle: no room, a bad mount id", name_to_handle_at(
		  AT_FDCWD, abi_dir, &fid.handle, (int *)8, 0), EFAULT);
	fid.handle.handle_bytes = MAX_HANDLE_SZ;
	CHECK_ERR("handle: bad flag", name_to_handle_at(AT_FDCWD, abi_dir,
		  &fid.handle, &mount_id, 0x8000), EINVAL);
	CHECK_ERR("handle: missing file", name_to_handle_at(AT_FDCWD,
		  abi_at("none"), &fid.handle, &mount_id, 0), ENOENT);
	struct fid again;
	save_fid(abi_dir, &fid);
	save_fid(abi_dir, &again);
	CHECK("handle: the same twice", fid.handle.handle_type ==
	      again.handle.handle_type && memcmp(fid.handle.f_handle,
	      again.handle.f_handle, fid.handle.handle_bytes) == 0);
	int fd = open(abi_dir, O_RDONLY);
	CHECK_OK("handle: AT_EMPTY_PATH", name_to_handle_at(fd, "",
		 &again.handle, &mount_id, AT_EMPTY_PATH));
	close(fd);
	CHECK("handle: the same by its fd", memcmp(fid.handle.f_handle,
	      again.handle.f_handle, fid.handle.handle_bytes) == 0);
}

static void
test_errors(void)
{
	CHECK_ERR("init: FID for a content group", fanotify_init(
		  FAN_CLASS_CONTENT | FAN_REPORT_FID, O_RDONLY), EINVAL);
	CHECK_ERR("init: a name without a directory FID", fanotify_init(
		  FAN_REPORT_FID | FAN_REPORT_NAME, O_RDONLY), EINVAL);
	int fan = fanotify_init(FAN_REPORT_FID, O_RDONLY);
	CHECK("init: FAN_REPORT_FID", fan >= 0);
	CHECK_ERR("mark: name events on a mount", fanotify_mark(fan,
		  FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_CREATE, AT_FDCWD, abi_dir),
		  EINVAL);
	CHECK_ERR("mark: FAN_RENAME without names", fanotify_mark(fan,
		  FAN_MARK_ADD, FAN_RENAME, AT_FDCWD, abi_dir), EINVAL);
	CHECK_ERR("mark: FAN_MARK_IGNORE on a directory", fanotify_mark(fan,
		  FAN_MARK_ADD | FAN_MARK_IGNORE, FAN_OPEN, AT_FDCWD, abi_dir),
		  EISDIR);
	CHECK_ERR("mark: both ignore flags", fanotify_mark(fan, FAN_MARK_ADD |
		  FAN_MARK_IGNORE | FAN_MARK_IGNORED_MASK, FAN_OPEN, AT_FDCWD,
		  abi_dir), EINVAL);
	int pipes[2];
	pipe(pipes);
	CHECK_ERR("mark: a mount mark on a pipe", fanotify_mark(fan,
		  FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_ACCESS, pipes[0], NULL),
		  EINVAL);
	close(pipes[0]);
	close(pipes[1]);
	close(fan);
}

static void
test_events(void)
{
	const char *file = abi_at("file"), *moved = abi_at("moved");
	const char *sub = abi_at("sub"), *sub2 = abi_at("sub2");
	int fan = fanotify_init(FAN_REPORT_FID | FAN_NONBLOCK, O_RDONLY);
	CHECK_OK("mark the directory", fanotify_mark(fan, FAN_MARK_ADD,
		 FAN_CREATE | FAN_DELETE | FAN_MOVE | FAN_MODIFY | FAN_ONDIR,
		 AT_FDCWD, abi_dir));
	save_fid(abi_dir, &dir_fid);
	close(creat(file, 0644));
	save_fid(file, &file_fid);
	CHECK_OK("mark the file", fanotify_mark(fan, FAN_MARK_ADD,
		 FAN_MODIFY | FAN_DELETE_SELF, AT_FDCWD, file));
	truncate(file, 1);
	rename(file, moved);
	unlink(moved);
	show_events(fan, "file");

	mkdir(sub, 0755);
	save_fid(sub, &sub_fid);
	CHECK_OK("mark the subdirectory", fanotify_mark(fan, FAN_MARK_ADD,
		 FAN_DELETE_SELF | FAN_ONDIR, AT_FDCWD, sub));
	rename(sub, sub2);
	rmdir(sub2);
	show_events(fan, "directory");
	show_events(fan, "nothing more");
	close(fan);
}

int
main(void)
{
	abi_init();
	abi_disk_scratch("fanotify");
	test_handles();
	test_errors();
	test_events();
	rmdir(abi_dir);
	return abi_done("fanotify_fid");
}
