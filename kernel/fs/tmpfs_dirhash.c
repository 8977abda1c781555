/*
 * A tmpfs directory's entries by name: the list (tmpfs_node.entries) keeps
 * readdir's order and telldir's positions; a directory of more than a few
 * entries also gets a hash table of them, so a lookup or a create does not
 * scan it (the boot makes 280 BusyBox links in /bin and /usr/bin, ~100
 * entries each). The table is only an index: if memory for it is short,
 * the directory is scanned, or its chains grow longer. Big lock held.
 */
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include "tmpfs_int.h"

/* Below this many entries a scan is as quick as hashing the name. */
#define DIRHASH_MIN	16

struct tmpfs_dirhash {
	size_t mask;	/* buckets - 1; a power of two less one */
	struct tmpfs_dirent *buckets[];
};

/* A multiplicative hash 8 bytes a step, the last 1 to 7 read as 4, 2
 * and 1 (the boot's names, mostly 2 to 8 bytes, took FNV-1a's 6
 * instructions a byte). A product's bit depends only on the bits below
 * it, so the last word's top half is folded down before the last
 * multiply, and the hash is that product's top half: without the fold,
 * "file0001" to "file1000" fell into 9 of 2,048 buckets. Each entry
 * keeps its name's, so a rehash or a removal does not hash the name
 * again. */
uint32_t
tmpfs_name_hash(const char *name, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = len, w = 0;
	uint32_t u4;
	uint16_t u2;

	for (; len >= 8; len -= 8, name += 8) {
		__builtin_memcpy(&w, name, 8);
		h = (h ^ w) * k;
		w = 0;
	}
	if (len & 4) {
		__builtin_memcpy(&u4, name, 4);
		w = u4;
		name += 4;
	}
	if (len & 2) {
		__builtin_memcpy(&u2, name, 2);
		w = w << 16 | u2;
		name += 2;
	}
	if (len & 1)
		w = w << 8 | (uint8_t)*name;
	h ^= w;
	h = (h ^ h >> 32) * k;
	return (uint32_t)(h >> 32);
}

static struct tmpfs_dirent **
bucket(struct tmpfs_dirhash *t, uint32_t hash)
{
	return &t->buckets[hash & t->mask];
}

static void
insert(struct tmpfs_dirhash *t, struct tmpfs_dirent *d)
{
	struct tmpfs_dirent **b = bucket(t, d->hash);

	d->hash_next = *b;
	*b = d;
}

/*
 * Indexes the directory's entries anew, in twice as many buckets as
 * entries. Returns false, the old table (if any) kept, if memory is short.
 */
static bool
rehash(struct tmpfs_node *n)
{
	size_t size = 2 * DIRHASH_MIN;
	struct tmpfs_dirhash *t;

	while (size < 2 * n->dir_count)
		size *= 2;
	t = kzalloc(sizeof(*t) + size * sizeof(t->buckets[0]));
	if (!t)
		return false;
	t->mask = size - 1;
	list_for_each(it, &n->entries)
		insert(t, list_entry(it, struct tmpfs_dirent, link));
	kfree(n->hash);
	n->hash = t;
	return true;
}

/* Returns n's entry named name[0..len), whose hash is hash, or NULL. */
struct tmpfs_dirent *
tmpfs_dir_find_hashed(struct tmpfs_node *n, const char *name, size_t len,
		      uint32_t hash)
{
	if (n->hash) {
		struct tmpfs_dirent *d = *bucket(n->hash, hash);
		for (; d; d = d->hash_next)
			if (d->hash == hash && d->len == len &&
			    memcmp(d->name, name, len) == 0)
				return d;
		return NULL;
	}
	list_for_each(it, &n->entries) {
		struct tmpfs_dirent *d = list_entry(it, struct tmpfs_dirent, link);
		if (d->hash == hash && d->len == len &&
		    memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

/* Returns n's entry named name[0..len), or NULL; a small directory's
 * scan needs no hash. */
struct tmpfs_dirent *
tmpfs_dir_find(struct tmpfs_node *n, const char *name, size_t len)
{
	if (n->hash)
		return tmpfs_dir_find_hashed(n, name, len,
					     tmpfs_name_hash(name, len));
	list_for_each(it, &n->entries) {
		struct tmpfs_dirent *d = list_entry(it, struct tmpfs_dirent, link);
		if (d->len == len && memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

/* Indexes d, just put on n's list. */
void
tmpfs_dirhash_add(struct tmpfs_node *n, struct tmpfs_dirent *d)
{
	n->dir_count++;
	/* A new table takes d with the rest; an old one, once full, too. */
	if ((!n->hash || n->dir_count > n->hash->mask + 1) &&
	    n->dir_count >= DIRHASH_MIN && rehash(n))
		return;
	if (n->hash)
		insert(n->hash, d);
}

/* Unindexes d, about to leave n's list. */
void
tmpfs_dirhash_remove(struct tmpfs_node *n, struct tmpfs_dirent *d)
{
	n->dir_count--;
	if (!n->hash)
		return;
	for (struct tmpfs_dirent **p = bucket(n->hash, d->hash); *p;
	     p = &(*p)->hash_next) {
		if (*p == d) {
			*p = d->hash_next;
			return;
		}
	}
}

/* Frees n's table, as n goes. */
void
tmpfs_dirhash_free(struct tmpfs_node *n)
{
	kfree(n->hash);
	n->hash = NULL;
}
