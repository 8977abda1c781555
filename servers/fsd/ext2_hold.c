/*
 * The holds on ext2 inodes: an open file keeps its inode while its last
 * link goes (ext2_unlink, ext2_rename); the last release, or the unmount,
 * frees it. A small hash of held inode numbers per mount.
 */
#include "ext2_int.h"
#include <stdlib.h>

static struct hold **
hold_slot(struct ext2_fs *fs, uint32_t ino)
{
	struct hold **pp = &fs->holds[ino % HOLD_BUCKETS];
	while (*pp && (*pp)->ino != ino)
		pp = &(*pp)->next;
	return pp;
}

bool
inode_held(struct ext2_fs *fs, uint32_t ino)
{
	return *hold_slot(fs, ino) != NULL;
}

void
ext2_hold(struct ext2_fs *fs, uint32_t ino)
{
	struct hold **pp = hold_slot(fs, ino);
	if (*pp) {
		(*pp)->count++;
		return;
	}
	struct hold *h = malloc(sizeof(*h));
	if (!h) {
		ext2_report(fs, "out of memory holding inode %u", ino);
		return;
	}
	*h = (struct hold){ .ino = ino, .count = 1, .next = NULL };
	*pp = h;
}

/* Frees ino if it has no links left (and fs may be changed). */
static void
free_if_unlinked(struct ext2_fs *fs, uint32_t ino)
{
	struct inode ip;
	if (fs->read_only || inode_load(fs, ino, &ip) || ip.links ||
	    ip.ino < fs->first_ino)
		return;
	inode_free(fs, &ip);
}

void
ext2_release(struct ext2_fs *fs, uint32_t ino)
{
	struct hold **pp = hold_slot(fs, ino), *h = *pp;
	if (!h || --h->count)
		return;
	*pp = h->next;
	free(h);
	free_if_unlinked(fs, ino);
}

/* At unmount: frees the held inodes whose last link went. */
void
inode_free_orphans(struct ext2_fs *fs)
{
	for (unsigned i = 0; i < HOLD_BUCKETS; i++) {
		while (fs->holds[i]) {
			struct hold *h = fs->holds[i];
			fs->holds[i] = h->next;
			uint32_t ino = h->ino;
			free(h);
			free_if_unlinked(fs, ino);
		}
	}
}
