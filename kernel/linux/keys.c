/*
 * The key retention service's objects, as Linux's security/keys: keys
 * with random serial numbers, the "keyring", "user" and "logon" types,
 * per-uid quotas and user keyrings, keyrings (links, cycle checks,
 * searches). The thread, process and session keyrings and the lookup by
 * id are keys_proc.c, the system calls keyctl.c. A key lives while a
 * keyring links it, a process or user holds it, or a call uses it; the
 * last reference frees it at once (Linux's garbage collector, without
 * its delay).
 */
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/refcount.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include "keys_int.h"

/* Linux 6.1's defaults (security/keys/key.c). */
unsigned key_quota_maxkeys = 200, key_quota_maxbytes = 20000;
unsigned key_quota_root_maxkeys = 1000000, key_quota_root_maxbytes = 25000000;
unsigned key_gc_delay = 5 * 60;	/* revoked and expired keys' grace */

const struct key_type key_type_keyring = {
	.name = "keyring", .readable = true, .keyring = true,
};
static const struct key_type key_type_user = {
	.name = "user", .readable = true, .updatable = true,
};
static const struct key_type key_type_logon = {
	.name = "logon", .updatable = true, .vet_colon = true,
};
/* "big_key", "encrypted", "trusted", "asymmetric"... are configured out:
 * their names are unknown, so add_key says ENODEV. */
static const struct key_type *const key_types[] = {
	&key_type_keyring, &key_type_user, &key_type_logon,
};

/* 128 buckets (2 KiB; 1,024 took 16 KiB of a 4 MiB guest): the keys a
 * user may hold are few (maxkeys 200). */
#define KEY_HASH_SIZE 128
static struct list key_hash[KEY_HASH_SIZE];	/* by serial */
static struct list key_users;
static struct list dying_keys;			/* freed by key_put's loop */
static bool keys_ready, reaping;
static unsigned search_gen;

static void
keys_init(void)
{
	if (keys_ready)
		return;
	for (int i = 0; i < KEY_HASH_SIZE; i++)
		list_init(&key_hash[i]);
	list_init(&key_users);
	list_init(&dying_keys);
	keys_ready = true;
}

const struct key_type *
key_type_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_types); i++)
		if (strcmp(key_types[i]->name, name) == 0)
			return key_types[i];
	return NULL;
}

struct key *
key_find(key_serial_t serial)
{
	keys_init();
	list_for_each(it, &key_hash[(uint32_t)serial % KEY_HASH_SIZE]) {
		struct key *k = list_entry(it, struct key, hash_link);
		if (k->serial == serial)
			return k;
	}
	return NULL;
}

/* A serial no key has: random, as Linux's, and at least 3. */
static key_serial_t
serial_new(void)
{
	for (;;) {
		uint32_t r;
		random_bytes(&r, sizeof(r));
		key_serial_t s = (key_serial_t)(r >> 1);
		if (s >= 3 && !key_find(s))
			return s;
	}
}

static struct key_user *
key_user_get(unsigned uid)
{
	keys_init();
	list_for_each(it, &key_users) {
		struct key_user *u = list_entry(it, struct key_user, link);
		if (u->uid == uid)
			return u;
	}
	struct key_user *u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	list_push_back(&key_users, &u->link);
	return u;
}

static void
key_user_release(struct key_user *u)
{
	if (u->nkeys == 0) {
		list_remove(&u->link);
		kfree(u);
	}
}

static unsigned
max_keys(unsigned uid)
{
	return uid == 0 ? key_quota_root_maxkeys : key_quota_maxkeys;
}

static size_t
max_bytes(unsigned uid)
{
	return uid == 0 ? key_quota_root_maxbytes : key_quota_maxbytes;
}

static bool
over_quota(const struct key_user *u, size_t bytes)
{
	return (unsigned)u->qnkeys + 1 > max_keys(u->uid) ||
	       u->qnbytes + bytes > max_bytes(u->uid);
}

/* Whether k is revoked or expired since gc_delay seconds or more. */
static bool
key_dead(const struct key *k, uint64_t now, uint64_t grace)
{
	return (k->flags & KEY_F_INVALIDATED) ||
	       ((k->flags & KEY_F_REVOKED) && now >= k->revoked_ns + grace) ||
	       (k->expiry_ns && now >= k->expiry_ns + grace);
}

/* Appends k to *dead, grown as needed; false if memory ran out. */
static bool
dead_push(struct key ***dead, size_t *n, size_t *cap, struct key *k)
{
	if (*n == *cap) {
		size_t more = *cap ? *cap * 2 : 16;
		struct key **grown = kmalloc(more * sizeof(*grown));
		if (!grown)
			return false;
		if (*n)
			memcpy(grown, *dead, *n * sizeof(*grown));
		kfree(*dead);
		*dead = grown;
		*cap = more;
	}
	(*dead)[(*n)++] = k;
	return true;
}

/*
 * Linux's garbage collector, run when a user meets its quota: the keys
 * revoked or expired gc_delay seconds ago or more leave every keyring,
 * and go if nothing else holds them. The links are gathered first and
 * dropped after the walk, as freeing a key changes the serial hash.
 */
static void
keys_gc(void)
{
	uint64_t now = arch_now_ns();
	uint64_t grace = (uint64_t)key_gc_delay * 1000000000ull;
	struct key **dead = NULL;
	size_t ndead = 0, cap = 0;
	for (int i = 0; i < KEY_HASH_SIZE; i++)
		list_for_each(it, &key_hash[i]) {
			struct key *ring = list_entry(it, struct key, hash_link);
			int kept = 0;
			for (int j = 0; j < ring->nlinks; j++) {
				struct key *k = ring->links[j];
				if (!key_dead(k, now, grace) ||
				    !dead_push(&dead, &ndead, &cap, k))
					ring->links[kept++] = k;
			}
			if (kept != ring->nlinks) {
				ring->nlinks = kept;
				key_reserve(ring, (size_t)kept * KEY_LINK_QUOTA);
			}
		}
	for (size_t i = 0; i < ndead; i++)
		key_put(dead[i]);
	kfree(dead);
}

/*
 * A new key of type with description desc, owned by uid and gid, one
 * reference held by the caller; charged to uid's quota, which overrun
 * lets it pass (the special keyrings). ERR_PTR(-EDQUOT or -ENOMEM).
 */
struct key *
key_alloc(const struct key_type *type, const char *desc, unsigned uid,
	  unsigned gid, uint32_t perm, bool overrun)
{
	size_t quota = strlen(desc) + 1;
	struct key_user *u = key_user_get(uid);
	if (u && !overrun && over_quota(u, quota)) {
		key_user_release(u);
		keys_gc();
		u = key_user_get(uid);
		if (u && over_quota(u, quota)) {
			key_user_release(u);
			return ERR_PTR(-EDQUOT);
		}
	}
	if (!u)
		return ERR_PTR(-ENOMEM);
	struct key *k = kzalloc(sizeof(*k));
	char *copy = kmalloc(quota);
	if (!k || !copy) {
		kfree(k);
		kfree(copy);
		key_user_release(u);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(copy, desc, quota);
	k->serial = serial_new();
	k->refcount = 1;
	k->type = type;
	k->desc = copy;
	k->uid = uid;
	k->gid = gid;
	k->perm = perm;
	k->user = u;
	k->quotalen = quota;
	u->nkeys++;
	u->qnkeys++;
	u->qnbytes += quota;
	list_push_back(&key_hash[(uint32_t)k->serial % KEY_HASH_SIZE],
		       &k->hash_link);
	return k;
}

void
key_get(struct key *k)
{
	ref_get(&k->refcount);
}

static void
key_destroy(struct key *k)
{
	for (int i = 0; i < k->nlinks; i++)
		key_put(k->links[i]);
	kfree(k->links);
	k->user->nkeys--;
	k->user->qnkeys--;
	k->user->qnbytes -= k->quotalen;
	key_user_release(k->user);
	kfree(k->data);
	kfree(k->desc);
	kfree(k);
}

/*
 * Drops a reference; the last frees the key, its serial first. Keyrings
 * free what they link in turn, in a loop rather than by recursion, as a
 * chain of nested keyrings may be long.
 */
void
key_put(struct key *k)
{
	if (!k || !ref_put(&k->refcount))
		return;
	list_remove(&k->hash_link);
	list_push_back(&dying_keys, &k->hash_link);
	if (reaping)
		return;
	reaping = true;
	while (!list_empty(&dying_keys)) {
		struct key *d = list_first(&dying_keys, struct key, hash_link);
		list_remove(&d->hash_link);
		key_destroy(d);
	}
	reaping = false;
}

/* Charges or refunds k's owner for want bytes of payload or links (Linux's
 * key_payload_reserve); -EDQUOT past the owner's quota. */
int
key_reserve(struct key *k, size_t want)
{
	struct key_user *u = k->user;
	if (want > k->reserved &&
	    u->qnbytes + (want - k->reserved) > max_bytes(k->uid))
		return -EDQUOT;
	u->qnbytes = u->qnbytes + want - k->reserved;
	k->quotalen = k->quotalen + want - k->reserved;
	k->reserved = want;
	return 0;
}

/* Replaces a user or logon key's payload (len > 0); -EDQUOT or -ENOMEM
 * leave it as it was. */
int
key_set_payload(struct key *k, const void *data, size_t len)
{
	uint8_t *copy = kmalloc(len);
	if (!copy)
		return -ENOMEM;
	int e = key_reserve(k, len);
	if (e < 0) {
		kfree(copy);
		return e;
	}
	memcpy(copy, data, len);
	kfree(k->data);
	k->data = copy;
	k->datalen = len;
	k->reject_error = 0;	/* an update instantiates a negative key */
	k->expiry_ns = 0;	/* and lasts (Linux's user_update) */
	return 0;
}

bool
key_expired(const struct key *k)
{
	return k->expiry_ns && arch_now_ns() >= k->expiry_ns;
}

/* 0 for a usable key, else why not (Linux's key_validate). */
int
key_validate(const struct key *k)
{
	if (k->flags & KEY_F_INVALIDATED)
		return -ENOKEY;
	if (k->flags & KEY_F_REVOKED)
		return -EKEYREVOKED;
	if (key_expired(k))
		return -EKEYEXPIRED;
	return 0;
}

/*
 * Whether the running process may do need to ref's key: the owner's,
 * group's or others' byte of its permissions, plus the possessor's when
 * it possesses the key. Root has no exception (as Linux). 0 or -EACCES.
 */
int
key_permission(struct key_ref ref, unsigned need)
{
	if (need & (KEY_NEED_DEFER | KEY_NEED_UNLINK))
		return 0;
	struct proc *p = current()->proc;
	struct key *k = ref.key;
	uint32_t kperm;
	if (k->uid == p->euid)
		kperm = k->perm >> 16;
	else if (k->gid != (unsigned)-1 && (k->perm & KEY_GRP_ALL) &&
		 (k->gid == p->egid || proc_in_group(p, k->gid)))
		kperm = k->perm >> 8;
	else
		kperm = k->perm;
	if (ref.possessed)
		kperm |= k->perm >> 24;
	return (kperm & need & 0x3f) == need ? 0 : -EACCES;
}

void
key_revoke(struct key *k)
{
	if (k->flags & KEY_F_REVOKED)
		return;
	k->flags |= KEY_F_REVOKED;
	k->revoked_ns = arch_now_ns();
	if (k->type->keyring) {
		keyring_clear(k);
		return;
	}
	kfree(k->data);
	k->data = NULL;
	k->datalen = 0;
	key_reserve(k, 0);
}

/* Marks k invalid and unlinks it from every keyring at once, as Linux's
 * garbage collector does soon after. */
void
key_invalidate(struct key *k)
{
	if (k->flags & KEY_F_INVALIDATED)
		return;
	k->flags |= KEY_F_INVALIDATED;
	key_get(k);
	for (int i = 0; i < KEY_HASH_SIZE; i++)
		list_for_each(it, &key_hash[i]) {
			struct key *ring = list_entry(it, struct key, hash_link);
			if (ring->type->keyring)
				keyring_unlink(ring, k);
		}
	key_put(k);
}

/* Gives k to uid, moving its charge: -EDQUOT past uid's quota. */
int
key_chown(struct key *k, unsigned uid)
{
	if (uid == k->uid)
		return 0;
	struct key_user *to = key_user_get(uid);
	if (!to)
		return -ENOMEM;
	if ((unsigned)to->qnkeys + 1 > max_keys(uid) ||
	    to->qnbytes + k->quotalen > max_bytes(uid)) {
		key_user_release(to);
		return -EDQUOT;
	}
	struct key_user *from = k->user;
	from->nkeys--;
	from->qnkeys--;
	from->qnbytes -= k->quotalen;
	to->nkeys++;
	to->qnkeys++;
	to->qnbytes += k->quotalen;
	k->user = to;
	k->uid = uid;
	key_user_release(from);
	return 0;
}

/* The key in keyring of type with description desc, or NULL: a keyring
 * holds one key per type and description. */
struct key *
keyring_find(struct key *keyring, const struct key_type *type,
	     const char *desc)
{
	for (int i = 0; i < keyring->nlinks; i++) {
		struct key *k = keyring->links[i];
		if (k->type == type && strcmp(k->desc, desc) == 0)
			return k;
	}
	return NULL;
}

/* Whether target lies within ring's nested keyrings: -EDEADLK if so,
 * -ELOOP if they nest too deep to tell (Linux's keyring_detect_cycle). */
static int
cycle_walk(struct key *ring, const struct key *target, int depth)
{
	if (ring == target)
		return -EDEADLK;
	for (int i = 0; i < ring->nlinks; i++) {
		struct key *k = ring->links[i];
		if (!k->type->keyring || k->visit == search_gen)
			continue;
		if (depth + 1 > KEY_SEARCH_MAX_DEPTH)
			return -ELOOP;
		k->visit = search_gen;
		int e = cycle_walk(k, target, depth + 1);
		if (e < 0)
			return e;
	}
	return 0;
}

/*
 * Links k into keyring, replacing the key of the same type and
 * description there. The keyring's owner is charged KEY_LINK_QUOTA bytes
 * a link. 0, -ENOTDIR, -EKEYREVOKED, -EPERM (restricted), -EDEADLK or
 * -ELOOP (keyrings), -EDQUOT or -ENOMEM.
 */
int
keyring_link(struct key *keyring, struct key *k)
{
	if (!keyring->type->keyring)
		return -ENOTDIR;
	if (keyring->flags & KEY_F_REVOKED)
		return -EKEYREVOKED;
	if (keyring->flags & KEY_F_RESTRICTED)
		return -EPERM;
	if (k->type->keyring) {
		search_gen++;
		int e = cycle_walk(k, keyring, 0);
		if (e < 0)
			return e;
	}
	for (int i = 0; i < keyring->nlinks; i++) {
		struct key *old = keyring->links[i];
		if (old->type == k->type && strcmp(old->desc, k->desc) == 0) {
			key_get(k);
			keyring->links[i] = k;
			key_put(old);
			return 0;
		}
	}
	if (keyring->nlinks == keyring->cap) {
		int cap = keyring->cap ? keyring->cap * 2 : 4;
		struct key **links = kmalloc((size_t)cap * sizeof(*links));
		if (!links)
			return -ENOMEM;
		if (keyring->nlinks)
			memcpy(links, keyring->links,
			       (size_t)keyring->nlinks * sizeof(*links));
		kfree(keyring->links);
		keyring->links = links;
		keyring->cap = cap;
	}
	int e = key_reserve(keyring, keyring->reserved + KEY_LINK_QUOTA);
	if (e < 0)
		return e;
	key_get(k);
	keyring->links[keyring->nlinks++] = k;
	return 0;
}

/* Removes k from keyring: 0, -ENOTDIR or -ENOENT (not there). */
int
keyring_unlink(struct key *keyring, struct key *k)
{
	if (!keyring->type->keyring)
		return -ENOTDIR;
	for (int i = 0; i < keyring->nlinks; i++) {
		if (keyring->links[i] != k)
			continue;
		memmove(&keyring->links[i], &keyring->links[i + 1],
			(size_t)(keyring->nlinks - i - 1) * sizeof(k));
		keyring->nlinks--;
		key_reserve(keyring, keyring->reserved - KEY_LINK_QUOTA);
		key_put(k);
		return 0;
	}
	return -ENOENT;
}

void
keyring_clear(struct key *keyring)
{
	struct key **links = keyring->links;
	int n = keyring->nlinks;
	keyring->links = NULL;
	keyring->nlinks = keyring->cap = 0;
	key_reserve(keyring, 0);
	for (int i = 0; i < n; i++)
		key_put(links[i]);
	kfree(links);
}

/* A search through nested keyrings (Linux's keyring_search_context). */
struct key_search {
	const struct key_type *type;
	const char *desc;
	const struct key *target;	/* possession check: this very key */
	bool state_check;		/* skip revoked, expired, negative */
	bool skip_expired;		/* ...without saying EKEYEXPIRED */
	bool possessed;
	int error;			/* why the last candidate was skipped */
	struct key *found;
};

/* Whether k is what s looks for; else notes why not in s->error. */
static bool
search_match(struct key_search *s, struct key *k)
{
	if (k->type != s->type || strcmp(k->desc, s->desc) != 0)
		return false;
	if (s->target && k != s->target)
		return false;
	if (s->state_check) {
		if (k->flags & (KEY_F_REVOKED | KEY_F_INVALIDATED)) {
			s->error = -EKEYREVOKED;
			return false;
		}
		if (key_expired(k)) {
			if (!s->skip_expired)
				s->error = -EKEYEXPIRED;
			return false;
		}
	}
	struct key_ref ref = { k, s->possessed };
	if (key_permission(ref, KEY_NEED_SEARCH) < 0) {
		s->error = -EACCES;
		return false;
	}
	if (s->state_check && k->reject_error) {
		s->error = k->reject_error;
		return false;
	}
	s->found = k;
	return true;
}

/* Looks in ring, then in the keyrings it nests that may be searched,
 * depth levels down at most; a keyring met again no shallower is
 * skipped, so diamonds cost no more than trees. */
static bool
search_ring(struct key_search *s, struct key *ring, int depth)
{
	for (int i = 0; i < ring->nlinks; i++)
		if (search_match(s, ring->links[i]))
			return true;
	if (depth >= KEY_SEARCH_MAX_DEPTH)
		return false;
	for (int i = 0; i < ring->nlinks; i++) {
		struct key *k = ring->links[i];
		if (!k->type->keyring)
			continue;
		if (k->visit == search_gen && k->visit_depth <= depth + 1)
			continue;
		k->visit = search_gen;
		k->visit_depth = depth + 1;
		struct key_ref ref = { k, s->possessed };
		if (key_permission(ref, KEY_NEED_SEARCH) < 0)
			continue;
		if (search_ring(s, k, depth + 1))
			return true;
	}
	return false;
}

static int
search_top(struct key_search *s, struct key_ref ring)
{
	if (!ring.key->type->keyring)
		return -ENOTDIR;
	if (key_permission(ring, KEY_NEED_SEARCH) < 0)
		return -EACCES;
	s->possessed = ring.possessed;
	s->error = -EAGAIN;
	s->found = NULL;
	search_gen++;
	ring.key->visit = search_gen;
	ring.key->visit_depth = 0;
	if (search_match(s, ring.key) || search_ring(s, ring.key, 0))
		return 0;
	return s->error;
}

/*
 * Finds a key of type with description desc in ring or below it (no
 * reference taken). -EAGAIN if there is none; the error of the last
 * candidate passed over otherwise (-EKEYREVOKED, -EKEYEXPIRED, -EACCES,
 * a negative key's -ENOKEY).
 */
int
keyring_search(struct key_ref ring, const struct key_type *type,
	       const char *desc, bool skip_expired, struct key_ref *found)
{
	struct key_search s = {
		.type = type, .desc = desc, .state_check = true,
		.skip_expired = skip_expired,
	};
	int e = search_top(&s, ring);
	if (e == 0)
		*found = (struct key_ref){ s.found, ring.possessed };
	return e;
}

/* The search through the caller's keyrings: thread, process, then
 * session (the user-session keyring without one), with Linux's choice
 * of error (search_process_keyrings_rcu). */
static int
search_process(struct key_search *s)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	struct key *rings[3] = { t->thread_keyring, p->process_keyring,
				 p->session_keyring };
	if (!rings[2] && key_user_keyrings(p->uid, NULL, &rings[2]) < 0)
		rings[2] = NULL;
	int nokey = 0, err = -EAGAIN;
	for (int i = 0; i < 3; i++) {
		if (!rings[i])
			continue;
		struct key_ref ref = { rings[i], true };
		int e = search_top(s, ref);
		if (e == 0)
			return 0;
		if (e == -EAGAIN || e == -ENOKEY)
			nokey = e;
		else
			err = e;
	}
	return nokey ? nokey : err;
}

int
keys_search_process(const struct key_type *type, const char *desc,
		    bool skip_expired, struct key_ref *found)
{
	struct key_search s = {
		.type = type, .desc = desc, .state_check = true,
		.skip_expired = skip_expired,
	};
	int e = search_process(&s);
	if (e == 0)
		*found = (struct key_ref){ s.found, true };
	return e;
}

/* Whether the caller possesses k: it lies within its keyrings. */
bool
key_possessed(struct key *k)
{
	struct key_search s = { .type = k->type, .desc = k->desc, .target = k };
	return search_process(&s) == 0;
}

/*
 * uid's user keyring and user-session keyring (either pointer may be
 * NULL), made at first use and kept as long as the user has keys; no
 * reference taken. 0, -EDQUOT or -ENOMEM.
 */
int
key_user_keyrings(unsigned uid, struct key **user_ring,
		  struct key **session_ring)
{
	/* key_alloc frees a user with no keys when it fails, and may
	 * collect garbage: the user is taken again from each new key. */
	struct key_user *u = key_user_get(uid);
	if (!u)
		return -ENOMEM;
	uint32_t perm = (KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_ALL;
	char name[32];
	if (!u->uid_keyring) {
		key_user_release(u);
		snprintk(name, sizeof(name), "_uid.%u", uid);
		struct key *k = key_alloc(&key_type_keyring, name, uid, -1,
					  perm, false);
		if (IS_ERR(k))
			return PTR_ERR(k);
		k->flags |= KEY_F_UID_KEYRING;
		u = k->user;
		u->uid_keyring = k;
	}
	if (!u->session_keyring) {
		snprintk(name, sizeof(name), "_uid_ses.%u", uid);
		struct key *k = key_alloc(&key_type_keyring, name, uid, -1,
					  perm, false);
		if (IS_ERR(k))
			return PTR_ERR(k);
		k->flags |= KEY_F_UID_KEYRING;
		u = k->user;
		int e = keyring_link(k, u->uid_keyring);
		if (e < 0) {
			key_put(k);
			return e;
		}
		u->session_keyring = k;
	}
	if (user_ring)
		*user_ring = u->uid_keyring;
	if (session_ring)
		*session_ring = u->session_keyring;
	return 0;
}

/* The named keyring the caller may search (not a user's, not revoked;
 * names from '.' are never published), with a reference; or NULL. */
struct key *
keyring_by_name(const char *name)
{
	keys_init();
	for (int i = 0; i < KEY_HASH_SIZE; i++)
		list_for_each(it, &key_hash[i]) {
			struct key *k = list_entry(it, struct key, hash_link);
			if (!k->type->keyring || name[0] == '.' ||
			    (k->flags & (KEY_F_UID_KEYRING | KEY_F_REVOKED |
					 KEY_F_INVALIDATED)) ||
			    strcmp(k->desc, name) != 0)
				continue;
			struct key_ref ref = { k, false };
			if (key_permission(ref, KEY_NEED_SEARCH) < 0)
				continue;
			key_get(k);
			return k;
		}
	return NULL;
}

void
keys_list_users(keys_emit_fn emit, void *ctx)
{
	char line[96];
	keys_init();
	list_for_each(it, &key_users) {
		struct key_user *u = list_entry(it, struct key_user, link);
		/* Linux's usage counts the keys and the calls using the
		 * user; here only the keys, all of them instantiated. */
		snprintk(line, sizeof(line), "%5u: %5d %d/%d %d/%u %zu/%zu\n",
			 u->uid, u->nkeys, u->nkeys, u->nkeys, u->qnkeys,
			 max_keys(u->uid), u->qnbytes, max_bytes(u->uid));
		emit(ctx, line);
	}
}
