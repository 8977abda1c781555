/*
 * Packed tmpfs files: the initramfs's big files stay packed
 * (tools/pagepack.py, kernel/core/pagepack.c) in the archive's pages,
 * which the file holds, and each page is unpacked into a page of its own
 * at its first use (read, write, fault, exec), so a program's pages that
 * are never used take only their packed bytes. A page index slot holds
 * TMPFS_SLOT_PACKED until then. Big lock held throughout; the node's lock
 * too where a slot changes (tmpfs_int.h). A packed file's file_ops keep
 * it off the nolock read (tmpfs_is_file), which may not allocate.
 */
#include <kernel/tmpfs.h>
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/pagepack.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include "tmpfs_int.h"

_Static_assert(PAGEPACK_BLOCK == PAGE_SIZE, "a packed block is a page");

struct tmpfs_packed {
	struct pagepack pack;	/* the packed bytes, in pages [pa, +pages) */
	paddr_t pa;
	size_t pages;
	uint64_t limit;		/* bytes from here on unpack as zeros
				   (truncate lowers it) [N] */
	uint64_t left;		/* slots still TMPFS_SLOT_PACKED [N] */
};

/* The decoding tables of the file last unpacked (big lock). */
static struct pagepack_tables unpack_tables;

/* Gives the packed bytes back: no slot needs them. */
static void
packed_free(struct inode *ino)
{
	struct tmpfs_node *n = node(ino);
	struct tmpfs_packed *p = n->packed;

	for (size_t k = 0; k < p->pages; k++)
		page_put(p->pa + k * PAGE_SIZE);
	tmpfs_count_pages(ino->sb, -(long)p->pages);
	n->packed = NULL;
	kfree(p);
}

int
tmpfs_adopt_packed(struct inode *ino, paddr_t pa, size_t len)
{
	struct tmpfs_node *n = tmpfs_file_node(ino);
	struct tmpfs_packed *p;
	int err;

	if (!n || n->packed || ino->size || pa % PAGE_SIZE || len % PAGE_SIZE)
		return -EINVAL;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = pagepack_open(&p->pack, phys_to_virt(pa), len);
	if (err < 0)
		goto fail;
	spin_lock(&n->lock);
	err = tmpfs_pages_mark(n, 0, p->pack.blocks, TMPFS_SLOT_PACKED);
	if (err < 0) {
		spin_unlock(&n->lock);
		goto fail;
	}
	p->pa = pa;
	p->pages = len / PAGE_SIZE;
	p->limit = p->pack.size;
	p->left = p->pack.blocks;
	n->packed = p;
	ino->size = p->pack.size;
	ino->blocks += p->pack.blocks * (PAGE_SIZE / 512);
	spin_unlock(&n->lock);
	tmpfs_count_pages(ino->sb, (long)p->pages);
	tmpfs_set_packed_ops(ino);
	return 0;
fail:
	kfree(p);
	return err;
}

paddr_t
tmpfs_unpack(struct inode *ino, uint64_t i, int *err)
{
	struct tmpfs_node *n = node(ino);
	struct tmpfs_packed *p = n->packed;
	paddr_t *slot = tmpfs_page_slot(n, i);
	paddr_t pa;
	uint8_t *page;

	if (!p || !slot || *slot != TMPFS_SLOT_PACKED) {
		*err = -EIO;	/* cannot be: the slot said packed */
		return 0;
	}
	/* Not held to the file system's size: the file has counted its
	   size since it was made. */
	pa = page_alloc_user_dirty(proc_privileged());
	if (!pa) {
		*err = -ENOMEM;
		return 0;
	}
	page = phys_to_virt(pa);
	if (pagepack_block(&p->pack, i, page, &unpack_tables) < 0) {
		page_put(pa);
		*err = -EIO;
		return 0;
	}
	if (p->limit < (i + 1) * PAGE_SIZE) {
		size_t keep = p->limit > i * PAGE_SIZE ? p->limit - i * PAGE_SIZE : 0;
		memset(page + keep, 0, PAGE_SIZE - keep);
	}
	tmpfs_count_pages(ino->sb, 1);
	*slot = pa;
	tmpfs_packed_slot_gone(ino);
	return pa;
}

paddr_t
tmpfs_unpack_locked(struct inode *ino, uint64_t i, int *err)
{
	struct tmpfs_node *n = node(ino);
	paddr_t pa;

	spin_lock(&n->lock);
	pa = tmpfs_page(n, i);
	if (pa == TMPFS_SLOT_PACKED)
		pa = tmpfs_unpack(ino, i, err);
	else if (!pa)
		*err = -EIO;	/* dropped meanwhile: cannot be, big lock */
	spin_unlock(&n->lock);
	return pa;
}

void
tmpfs_packed_truncate(struct tmpfs_node *n, uint64_t size)
{
	if (n->packed)
		n->packed->limit = MIN(n->packed->limit, size);
}

void
tmpfs_packed_slot_gone(struct inode *ino)
{
	struct tmpfs_packed *p = node(ino)->packed;

	if (p && --p->left == 0)
		packed_free(ino);
}

void
tmpfs_packed_free(struct inode *ino)
{
	if (node(ino)->packed)
		packed_free(ino);
}
