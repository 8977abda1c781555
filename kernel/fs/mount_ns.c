/*
 * Mount namespaces over Petrel's one mount table: every mount entry says
 * in which namespaces it is hidden (a bit per namespace's slot), so a
 * namespace starts as a copy of its parent's view, a mount made in it is
 * seen only there, and an umount there hides the mount from it alone
 * while another namespace still sees it. Trees of different namespaces
 * on one directory stack: a walk passes through those its namespace does
 * not see (vfs.c's enter_mounts), and a mount goes on top (vfs_mount).
 * Big lock throughout.
 */
#include <kernel/mount.h>
#include <kernel/vfs.h>
#include <kernel/ns.h>
#include <kernel/errno.h>

#define MOUNT_NS_MAX 64		/* slots: bits of mount_entry.ns_hidden */

static uint64_t slots_used = 1;	/* slot 0: the initial namespace */

static uint64_t
slot_bit(int slot)
{
	return 1ull << slot;
}

static uint64_t
current_bit(void)
{
	return slot_bit(ns_current(NS_MNT)->mnt_slot);
}

static struct mount_entry *
entry_of(const struct inode *root)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root && mounts[i].root == root)
			return &mounts[i];
	return NULL;
}

bool
mount_visible(const struct inode *root)
{
	const struct mount_entry *m = entry_of(root);
	return !m || !(m->ns_hidden & current_bit());
}

void
mount_ns_mounted(struct mount_entry *m)
{
	m->ns_hidden = ~current_bit();
}

/* Whether a namespace other than the caller's still sees m. */
static bool
seen_elsewhere(const struct mount_entry *m, uint64_t mine)
{
	return (~m->ns_hidden & slots_used & ~mine) != 0;
}

bool
mount_ns_seen_elsewhere(const struct inode *root)
{
	const struct mount_entry *m = entry_of(root);
	return m && seen_elsewhere(m, current_bit());
}

bool
mount_ns_leave(struct inode *root)
{
	struct mount_entry *m = entry_of(root);
	uint64_t mine = current_bit();
	if (!m || !seen_elsewhere(m, mine))
		return false;
	m->ns_hidden |= mine;
	procfs_mounts_changed();
	return true;
}

int
mount_ns_copy(int parent_slot)
{
	int slot = 1;
	while (slot < MOUNT_NS_MAX && (slots_used & slot_bit(slot)))
		slot++;
	if (slot == MOUNT_NS_MAX)
		return -ENOSPC;
	slots_used |= slot_bit(slot);
	for (int i = 0; i < MOUNT_MAX; i++) {
		struct mount_entry *m = &mounts[i];
		if (m->ns_hidden & slot_bit(parent_slot))
			m->ns_hidden |= slot_bit(slot);
		else
			m->ns_hidden &= ~slot_bit(slot);
	}
	return slot;
}

void
mount_ns_release(int slot)
{
	uint64_t bit = slot_bit(slot);
	slots_used &= ~bit;
	/* The later entries first: a tree mounted inside another was
	 * mounted after it, into a lower free slot only rarely. */
	for (int i = MOUNT_MAX - 1; i > 0; i--) {
		struct mount_entry *m = &mounts[i];
		if (!m->root || (m->ns_hidden & bit))
			continue;
		m->ns_hidden |= bit;
		if (!(~m->ns_hidden & slots_used))
			mount_detach(m->root);	/* no one sees it now */
	}
}
