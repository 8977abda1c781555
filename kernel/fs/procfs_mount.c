/*
 * procfs: the mount table as text: /proc/mounts (and /proc/PID/mounts) in
 * fstab's form, /proc/PID/mountinfo with ids and parents.
 */
#include <kernel/mount.h>
#include <kernel/string.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include "procfs_int.h"

/*
 * The mount table's changes, as Linux's mnt_namespace event (one count
 * for all of Petrel's mount namespaces: another namespace's change is a
 * spurious wake-up, after which the reader finds the same table), and
 * the pollers and epoll items of the files that show it. Big lock.
 */
static uint64_t mount_events;
static struct pollhead mount_pollhead = {
	.entries = LIST_INIT(mount_pollhead.entries), .lock = SPINLOCK_INIT
};

void
procfs_mounts_changed(void)
{
	mount_events++;
	if (!list_empty(&mount_pollhead.entries))	/* none at boot */
		pollhead_wake(&mount_pollhead, POLLERR | POLLPRI);
}

bool
procfs_is_mounts(enum pkind kind)
{
	return kind == P_MOUNTS || kind == P_PID_MOUNTS ||
	       kind == P_PID_MOUNTINFO;
}

void
procfs_mounts_watch(struct file *f)
{
	f->poll_head = &mount_pollhead;
	f->mount_event = mount_events;
}

/* As Linux's mounts_poll: the change is reported once per file. */
unsigned
procfs_mounts_poll(struct file *f)
{
	unsigned events = POLLIN | POLLRDNORM;
	if (f->mount_event != mount_events) {
		f->mount_event = mount_events;
		events |= POLLERR | POLLPRI;
	}
	return events;
}

/* /proc/mounts: source, mount point (from the reader's root, as
   mountinfo's), type, options, "0 0". */
void
gen_mounts(struct gen *g)
{
	char opts[96], point[sizeof(mounts[0].path)];
	struct proc *p = current()->proc;
	for (int i = 0; i < MOUNT_MAX; i++) {
		if (!mounts[i].root || !mount_visible(mounts[i].root) ||
		    !mount_point_seen(p, i, point, sizeof(point)))
			continue;
		mount_options(mounts[i].root->sb, opts, sizeof(opts));
		gprintf(g, "%s %s %s %s 0 0\n", mounts[i].source, point,
			mounts[i].type, opts);
	}
}

/*
 * The mount whose path holds mount i's mount point: the longest other
 * path that is a prefix of it at a '/' (the root mount is its own).
 */
int
mount_parent(int i)
{
	const char *path = mounts[i].path;
	int parent = i;
	size_t best = 0;

	for (int j = 0; j < MOUNT_MAX; j++) {
		size_t n = strlen(mounts[j].path);
		if (j == i || !mounts[j].root || n < best ||
		    !mount_visible(mounts[j].root))
			continue;
		if (n == 1 && mounts[j].path[0] == '/' && path[1] != 0) {
			parent = j, best = n;	/* "/" holds every other path */
		} else if (strncmp(path, mounts[j].path, n) == 0 &&
			   path[n] == '/') {
			parent = j, best = n;
		}
	}
	return parent;
}

/*
 * /proc/PID/mountinfo (proc(5)): mount id, parent id, the st_dev of the
 * mount's files as major:minor, the root of the mount within its file
 * system ("/" but for a bind: kernel/fs/mount_bind.c), the mount point and
 * options, the optional fields (shared:N, unbindable), then "-", type,
 * source and super options.
 * Ids are the mount table's slots plus one. Mount points are seen from
 * the reader's root, as Linux shows them; mounts outside it are left out.
 */
void
gen_mountinfo(struct gen *g)
{
	struct proc *p = current()->proc;
	for (int i = 0; i < MOUNT_MAX; i++) {
		const struct mount_entry *m = &mounts[i];
		uint32_t dev = m->root && m->root->sb ? m->root->sb->dev : 0;
		const char *rw = m->read_only ? "ro" : "rw";
		char opts[96], root[128], point[sizeof(m->path)];

		if (!m->root || !mount_visible(m->root) ||
		    !mount_point_seen(p, i, point, sizeof(point)))
			continue;
		mount_options(m->root->sb, opts, sizeof(opts));
		mount_bind_root(m->root, root, sizeof(root));
		/* st_dev's encoding, as glibc's major() and minor() read it */
		gprintf(g, "%d %d %u:%u %s %s %s", i + 1, mount_parent(i) + 1,
			(dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & ~0xffu),
			root, point, opts);
		/* the optional fields: a shared mount's peer group is its own */
		if (m->root->sb && (m->root->sb->mnt_flags & MS_SHARED))
			gprintf(g, " shared:%d", i + 1);
		if (m->root->sb && (m->root->sb->mnt_flags & MS_UNBINDABLE))
			gprintf(g, " unbindable");
		gprintf(g, " - %s %s %s\n", m->type, m->source, rw);
	}
}
