/*
 * The open-file cache: recently served paths keep their descriptor, their
 * struct stat and their formatted Last-Modified, so a repeated GET needs
 * no openat, fstat or close. An entry is trusted for FILECACHE_TTL_MS
 * and then opened afresh, so an edited, replaced or deleted file is seen
 * within a second. Responses read the descriptor only with explicit
 * offsets (pread, sendfile with an offset): no file position is shared.
 */
#include "httpd.h"

#include <string.h>
#include <unistd.h>

#define FILECACHE_SIZE 64	/* entries, each holding a descriptor */
#define FILECACHE_BUCKETS 128	/* hash chains; a power of two */
#define FILECACHE_TTL_MS 1000

static struct file_entry filecache_slots[FILECACHE_SIZE];
static struct file_entry *filecache_buckets[FILECACHE_BUCKETS];
static size_t filecache_used;		/* slots taken, from the first */
static uint64_t filecache_stamp;	/* last use, for the LRU choice */

/* FNV-1a: short, and good enough for a few dozen paths. */
static uint32_t
filecache_hash(const char *path)
{
	uint32_t h = 2166136261u;

	for (; *path != '\0'; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	return h;
}

static struct file_entry **
filecache_bucket(uint32_t hash)
{
	return &filecache_buckets[hash & (FILECACHE_BUCKETS - 1)];
}

/* Takes f out of the cache and closes its descriptor; its slot is free. */
void
filecache_drop(struct file_entry *f)
{
	struct file_entry **p = filecache_bucket(f->hash);

	while (*p != f)
		p = &(*p)->next;
	*p = f->next;
	close(f->fd);
	f->fd = -1;
}

/*
 * Returns the entry for path if it was opened less than FILECACHE_TTL_MS
 * before now_ms, else NULL (an older entry is dropped).
 */
struct file_entry *
filecache_find(const char *path, int64_t now_ms)
{
	uint32_t hash = filecache_hash(path);
	struct file_entry *f;

	for (f = *filecache_bucket(hash); f != NULL; f = f->next) {
		if (f->hash != hash || strcmp(f->path, path) != 0)
			continue;
		if (now_ms - f->opened_ms >= FILECACHE_TTL_MS) {
			filecache_drop(f);
			return NULL;
		}
		f->used = ++filecache_stamp;
		return f;
	}
	return NULL;
}

/* Returns the least recently used entry, or NULL when none is open. */
static struct file_entry *
filecache_oldest(void)
{
	struct file_entry *f, *oldest = NULL;
	size_t i;

	for (i = 0; i < filecache_used; i++) {
		f = &filecache_slots[i];
		if (f->fd >= 0 && (oldest == NULL || f->used < oldest->used))
			oldest = f;
	}
	return oldest;
}

/* Returns a free slot, closing the least recently used entry if need be. */
static struct file_entry *
filecache_slot(void)
{
	struct file_entry *oldest;
	size_t i;

	for (i = 0; i < filecache_used; i++)
		if (filecache_slots[i].fd < 0)
			return &filecache_slots[i];
	if (filecache_used < FILECACHE_SIZE)
		return &filecache_slots[filecache_used++];
	oldest = filecache_oldest();
	filecache_drop(oldest);
	return oldest;
}

/*
 * Keeps opened (a file just opened for path, at now_ms) in the cache.
 * Returns the cached copy, which now owns the descriptor, or NULL when the
 * path is too long to keep: the caller then still owns opened->fd.
 */
struct file_entry *
filecache_add(const char *path, const struct file_entry *opened,
    int64_t now_ms)
{
	size_t len = strlen(path);
	struct file_entry *f, **bucket;

	if (len >= sizeof(f->path))
		return NULL;
	f = filecache_slot();
	*f = *opened;
	memcpy(f->path, path, len + 1);
	f->hash = filecache_hash(path);
	f->opened_ms = now_ms;
	f->used = ++filecache_stamp;
	bucket = filecache_bucket(f->hash);
	f->next = *bucket;
	*bucket = f;
	return f;
}

/*
 * Closes the least recently used entry, to give its descriptor to
 * someone who ran out. Returns whether there was one.
 */
bool
filecache_evict(void)
{
	struct file_entry *oldest = filecache_oldest();

	if (oldest == NULL)
		return false;
	filecache_drop(oldest);
	return true;
}
