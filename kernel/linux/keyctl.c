/*
 * The key retention service's system calls, as Linux's
 * security/keys/keyctl.c: add_key, request_key and keyctl's commands,
 * over the keys and keyrings of keys.c. Arguments are copied in before
 * any key is looked at and answers are copied out after, so no call
 * sleeps while it holds a key. request_key runs no /sbin/request-key:
 * a key that is not found becomes a negative one, as on a Linux without
 * that program.
 */
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/page.h>
#include <kernel/vm.h>
#include <kernel/arch.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include "keys_int.h"

enum {
	KEYCTL_GET_KEYRING_ID, KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_UPDATE,
	KEYCTL_REVOKE, KEYCTL_CHOWN, KEYCTL_SETPERM, KEYCTL_DESCRIBE,
	KEYCTL_CLEAR, KEYCTL_LINK, KEYCTL_UNLINK, KEYCTL_SEARCH, KEYCTL_READ,
	KEYCTL_INSTANTIATE, KEYCTL_NEGATE, KEYCTL_SET_REQKEY_KEYRING,
	KEYCTL_SET_TIMEOUT, KEYCTL_ASSUME_AUTHORITY, KEYCTL_GET_SECURITY,
	KEYCTL_SESSION_TO_PARENT, KEYCTL_REJECT, KEYCTL_INSTANTIATE_IOV,
	KEYCTL_INVALIDATE, KEYCTL_GET_PERSISTENT,
	KEYCTL_RESTRICT_KEYRING = 29, KEYCTL_MOVE, KEYCTL_CAPABILITIES,
};
#define KEYCTL_MOVE_EXCL 1

/* The type name at utype: -EFAULT, -EINVAL (empty or 32 bytes or more),
 * -EPERM for the kernel's own types (a leading '.'). */
static int
type_from_user(uint64_t utype, char type[KEY_TYPE_NAME_MAX])
{
	long n = copyinstr(type, utype, KEY_TYPE_NAME_MAX);
	if (n == -EFAULT)
		return -EFAULT;
	if (n <= 0)
		return -EINVAL;
	return type[0] == '.' ? -EPERM : 0;
}

/* A string from user space of at most max bytes with its NUL (Linux's
 * strndup_user): ERR_PTR(-EFAULT, -EINVAL or -ENOMEM). */
static char *
string_from_user(uint64_t ustr, size_t max)
{
	char *s = kmalloc(max);
	if (!s)
		return ERR_PTR(-ENOMEM);
	long n = copyinstr(s, ustr, max);
	if (n < 0) {
		kfree(s);
		return ERR_PTR(n == -EFAULT ? -EFAULT : -EINVAL);
	}
	return s;
}

static uint32_t
default_perm(const struct key_type *type)
{
	uint32_t perm = KEY_POS_VIEW | KEY_POS_SEARCH | KEY_POS_LINK |
			KEY_POS_SETATTR | KEY_USR_VIEW;
	if (type->readable)
		perm |= KEY_POS_READ;
	if (type->keyring || type->updatable)
		perm |= KEY_POS_WRITE;
	return perm;
}

/* A type's check of a payload (Linux's preparse). */
static int
payload_check(const struct key_type *type, const void *data, size_t len)
{
	if (type->keyring)
		return len ? -EINVAL : 0;
	return !data || len == 0 || len > KEY_USER_PAYLOAD_MAX ? -EINVAL : 0;
}

/*
 * add_key's work (Linux's key_create_or_update): updates the key of the
 * same type and description in ring if its type can be updated, else
 * makes a key and links it there, replacing any such key.
 */
static long
key_create_or_update(struct key_ref ring, const char *type_name,
		     const char *desc, const void *data, size_t len)
{
	const struct key_type *type = key_type_find(type_name);
	if (!type)
		return -ENODEV;
	if (!ring.key->type->keyring)
		return -ENOTDIR;
	int e = payload_check(type, data, len);
	if (e < 0)
		return e;
	if (!desc)
		return -EINVAL;
	if (type->vet_colon) {
		const char *colon = strchr(desc, ':');
		if (!colon || colon == desc)
			return -EINVAL;
	}
	if (ring.key->flags & KEY_F_RESTRICTED)
		return -EPERM;
	struct key *old = keyring_find(ring.key, type, desc);
	if (type->updatable && old &&
	    !(old->flags & (KEY_F_REVOKED | KEY_F_INVALIDATED))) {
		struct key_ref ref = { old, ring.possessed };
		e = key_permission(ref, KEY_NEED_WRITE);
		if (e == 0)
			e = key_set_payload(old, data, len);
		return e < 0 ? e : old->serial;
	}
	struct proc *p = current()->proc;
	struct key *k = key_alloc(type, desc, p->euid, p->egid,
				  default_perm(type), false);
	if (IS_ERR(k))
		return PTR_ERR(k);
	e = type->keyring ? 0 : key_set_payload(k, data, len);
	if (e == 0)
		e = keyring_link(ring.key, k);
	long r = e < 0 ? e : k->serial;
	key_put(k);
	return r;
}

long
sys_add_key(uaddr_t utype, uaddr_t udesc, uaddr_t upayload, size_t plen,
	    int ringid)
{
	char type[KEY_TYPE_NAME_MAX];
	if (plen > KEY_PAYLOAD_MAX)
		return -EINVAL;
	int e = type_from_user(utype, type);
	if (e < 0)
		return e;
	char *desc = NULL;
	if (udesc) {
		desc = string_from_user(udesc, KEY_MAX_DESC_SIZE);
		if (IS_ERR(desc))
			return PTR_ERR(desc);
		if (!desc[0]) {
			kfree(desc);
			desc = NULL;
		} else if (desc[0] == '.' && strcmp(type, "keyring") == 0) {
			kfree(desc);
			return -EPERM;
		}
	}
	void *payload = NULL;
	long r = -ENOMEM;
	if (plen) {
		payload = kmalloc(plen);
		if (!payload)
			goto out;
		r = -EFAULT;
		if (copyin(payload, upayload, plen) < 0)
			goto out;
	}
	struct key_ref ring;
	r = key_lookup(ringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, &ring);
	if (r < 0)
		goto out;
	r = key_create_or_update(ring, type, desc, payload, plen);
	key_put(ring.key);
out:
	kfree(payload);
	kfree(desc);
	return r;
}

/* Where request_key puts a key when the caller names no keyring: the
 * first of the caller's keyrings from its KEYCTL_SET_REQKEY_KEYRING
 * choice on. */
static int
reqkey_keyring(struct key **out)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	*out = NULL;
	switch (p->reqkey_default) {
	case KEY_REQKEY_DEFL_DEFAULT:
	case KEY_REQKEY_DEFL_REQUESTOR_KEYRING:
	case KEY_REQKEY_DEFL_THREAD_KEYRING:
		if ((*out = t->thread_keyring))
			return 0;
		/* fall through */
	case KEY_REQKEY_DEFL_PROCESS_KEYRING:
		if ((*out = p->process_keyring))
			return 0;
		/* fall through */
	case KEY_REQKEY_DEFL_SESSION_KEYRING:
		if ((*out = p->session_keyring))
			return 0;
		/* fall through */
	case KEY_REQKEY_DEFL_USER_SESSION_KEYRING:
		return key_user_keyrings(p->uid, NULL, out);
	default:
		return key_user_keyrings(p->uid, out, NULL);
	}
}

/*
 * What request_key does for a key it did not find, having no
 * /sbin/request-key to ask: a negative key, linked into the destination
 * keyring (which must be writable), that says ENOKEY for 60 seconds;
 * the call fails with ENOENT, as Linux's when that program is missing.
 */
static long
request_negative(const struct key_type *type, const char *desc,
		 struct key *dest)
{
	if (type->keyring)
		return -EPERM;
	if (!dest) {
		int e = reqkey_keyring(&dest);
		if (e < 0)
			return e;
		struct key_ref ref = { dest, true };
		e = key_permission(ref, KEY_NEED_WRITE);
		if (e < 0)
			return e;
	}
	struct proc *p = current()->proc;
	struct key *k = key_alloc(type, desc, p->euid, p->egid,
				  default_perm(type), false);
	if (IS_ERR(k))
		return PTR_ERR(k);
	k->reject_error = -ENOKEY;
	k->expiry_ns = arch_now_ns() + KEY_NEGATIVE_TIMEOUT * 1000000000ull;
	int e = keyring_link(dest, k);
	key_put(k);
	return e < 0 ? e : -ENOENT;
}

long
sys_request_key(uaddr_t utype, uaddr_t udesc, uaddr_t ucallout,
		int destringid)
{
	char type[KEY_TYPE_NAME_MAX];
	int e = type_from_user(utype, type);
	if (e < 0)
		return e;
	char *desc = string_from_user(udesc, KEY_MAX_DESC_SIZE);
	if (IS_ERR(desc))
		return PTR_ERR(desc);
	char *callout = NULL;
	long r;
	if (ucallout) {
		callout = string_from_user(ucallout, PAGE_SIZE);
		if (IS_ERR(callout)) {
			r = PTR_ERR(callout);
			callout = NULL;
			goto out;
		}
	}
	struct key_ref dest = { NULL, false };
	if (destringid) {
		r = key_lookup(destringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE,
			       &dest);
		if (r < 0)
			goto out;
	}
	const struct key_type *ktype = key_type_find(type);
	struct key_ref found = { NULL, false };
	r = ktype ? keys_search_process(ktype, desc, true, &found) : -ENOKEY;
	if (r == -EAGAIN)	/* never 0: a negative key is no answer */
		r = callout ? request_negative(ktype, desc, dest.key) : -ENOKEY;
	else if (r == 0 && dest.key)
		r = keyring_link(dest.key, found.key);
	if (r == 0)
		r = found.key->serial;
	key_put(dest.key);
out:
	kfree(callout);
	kfree(desc);
	return r;
}

static long
keyctl_get_keyring_id(key_serial_t id, bool create)
{
	struct key_ref ref;
	int e = key_lookup(id, create ? KEY_LOOKUP_CREATE : 0, KEY_NEED_DEFER,
			   &ref);
	if (e < 0)
		return e;
	long serial = ref.key->serial;
	key_put(ref.key);
	return serial;
}

static long
keyctl_join(uint64_t uname)
{
	char *name = NULL;
	if (uname) {
		name = string_from_user(uname, KEY_MAX_DESC_SIZE);
		if (IS_ERR(name))
			return PTR_ERR(name);
		if (name[0] == '.') {
			kfree(name);
			return -EPERM;
		}
	}
	long r = keys_join_session(name);
	kfree(name);
	return r;
}

static long
keyctl_update(key_serial_t id, uint64_t upayload, size_t plen)
{
	if (plen > PAGE_SIZE)
		return -EINVAL;
	void *payload = NULL;
	if (plen) {
		payload = kmalloc(plen);
		if (!payload)
			return -ENOMEM;
		if (copyin(payload, upayload, plen) < 0) {
			kfree(payload);
			return -EFAULT;
		}
	}
	struct key_ref ref;
	long r = key_lookup(id, 0, KEY_NEED_WRITE, &ref);
	if (r == 0) {
		const struct key_type *type = ref.key->type;
		if (!type->updatable)
			r = -EOPNOTSUPP;
		else if ((r = payload_check(type, payload, plen)) == 0)
			r = key_set_payload(ref.key, payload, plen);
		key_put(ref.key);
	}
	kfree(payload);
	return r;
}

/* A lookup for a change of the key's attributes: write permission, or
 * setattr where write is refused (KEYCTL_REVOKE). */
static int
lookup_write_or_setattr(key_serial_t id, struct key_ref *ref)
{
	int e = key_lookup(id, 0, KEY_NEED_WRITE, ref);
	if (e == -EACCES)
		e = key_lookup(id, 0, KEY_NEED_SETATTR, ref);
	return e;
}

static long
keyctl_revoke(key_serial_t id)
{
	struct key_ref ref;
	int e = lookup_write_or_setattr(id, &ref);
	if (e < 0)
		return e;
	key_revoke(ref.key);
	key_put(ref.key);
	return 0;
}

static long
keyctl_chown(key_serial_t id, unsigned uid, unsigned gid)
{
	if (uid == (unsigned)-1 && gid == (unsigned)-1)
		return 0;
	struct key_ref ref;
	int e = key_lookup(id, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL,
			   KEY_NEED_SETATTR, &ref);
	if (e < 0)
		return e;
	struct proc *p = current()->proc;
	struct key *k = ref.key;
	if (!capable(CAP_SYS_ADMIN) &&
	    ((uid != (unsigned)-1 && uid != k->uid) ||
	     (gid != (unsigned)-1 && gid != k->gid && gid != p->egid &&
	      !proc_in_group(p, gid))))
		e = -EACCES;
	if (e == 0 && uid != (unsigned)-1)
		e = key_chown(k, uid);
	if (e == 0 && gid != (unsigned)-1)
		k->gid = gid;
	key_put(k);
	return e;
}

static long
keyctl_setperm(key_serial_t id, uint32_t perm)
{
	if (perm & ~KEY_PERM_MASK)
		return -EINVAL;
	struct key_ref ref;
	int e = key_lookup(id, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL,
			   KEY_NEED_SETATTR, &ref);
	if (e < 0)
		return e;
	struct proc *p = current()->proc;
	if (capable(CAP_SYS_ADMIN) || ref.key->uid == p->euid)
		ref.key->perm = perm;
	else
		e = -EACCES;
	key_put(ref.key);
	return e;
}

/* Copies len bytes out if they all fit in buflen (Linux copies nothing
 * otherwise); returns len or -EFAULT. */
static long
answer_out(uint64_t ubuf, size_t buflen, const void *data, size_t len)
{
	if (ubuf && buflen >= len && copyout(ubuf, data, len) < 0)
		return -EFAULT;
	return (long)len;
}

static long
keyctl_describe(key_serial_t id, uint64_t ubuf, size_t buflen)
{
	struct key_ref ref;
	int e = key_lookup(id, KEY_LOOKUP_PARTIAL, KEY_NEED_VIEW, &ref);
	if (e < 0)
		return e;
	struct key *k = ref.key;
	size_t size = strlen(k->desc) + 64;
	char *text = kmalloc(size);
	if (!text) {
		key_put(k);
		return -ENOMEM;
	}
	/* An unset group (the user keyrings') shows as the overflow gid. */
	int len = snprintk(text, size, "%s;%d;%d;%08x;%s", k->type->name,
			   (int)k->uid, k->gid == (unsigned)-1 ? 65534 :
			   (int)k->gid, k->perm, k->desc);
	key_put(k);
	long r = answer_out(ubuf, buflen, text, (size_t)len + 1);
	kfree(text);
	return r;
}

static long
keyctl_clear(key_serial_t id)
{
	struct key_ref ref;
	int e = key_lookup(id, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, &ref);
	if (e < 0)
		return e;
	if (ref.key->type->keyring)
		keyring_clear(ref.key);
	else
		e = -ENOTDIR;
	key_put(ref.key);
	return e;
}

static long
keyctl_link(key_serial_t id, key_serial_t ringid)
{
	struct key_ref ring, ref;
	int e = key_lookup(ringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, &ring);
	if (e < 0)
		return e;
	e = key_lookup(id, KEY_LOOKUP_CREATE, KEY_NEED_LINK, &ref);
	if (e == 0) {
		e = keyring_link(ring.key, ref.key);
		key_put(ref.key);
	}
	key_put(ring.key);
	return e;
}

static long
keyctl_unlink(key_serial_t id, key_serial_t ringid)
{
	struct key_ref ring, ref;
	int e = key_lookup(ringid, 0, KEY_NEED_WRITE, &ring);
	if (e < 0)
		return e;
	e = key_lookup(id, KEY_LOOKUP_PARTIAL, KEY_NEED_UNLINK, &ref);
	if (e == 0) {
		e = keyring_unlink(ring.key, ref.key);
		key_put(ref.key);
	}
	key_put(ring.key);
	return e;
}

static long
keyctl_move(key_serial_t id, key_serial_t from_id, key_serial_t to_id,
	    unsigned flags)
{
	if (flags & ~KEYCTL_MOVE_EXCL)
		return -EINVAL;
	struct key_ref ref, from, to;
	int e = key_lookup(id, KEY_LOOKUP_CREATE, KEY_NEED_LINK, &ref);
	if (e < 0)
		return e;
	e = key_lookup(from_id, 0, KEY_NEED_WRITE, &from);
	if (e < 0)
		goto put_key;
	e = key_lookup(to_id, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, &to);
	if (e < 0)
		goto put_from;
	struct key *k = ref.key;
	if (!from.key->type->keyring || !to.key->type->keyring)
		e = -ENOTDIR;
	else if (from.key == to.key)
		e = 0;
	else if (keyring_find(from.key, k->type, k->desc) != k)
		e = -ENOENT;
	else if ((flags & KEYCTL_MOVE_EXCL) &&
		 keyring_find(to.key, k->type, k->desc))
		e = -EEXIST;
	else if ((e = keyring_link(to.key, k)) == 0)
		keyring_unlink(from.key, k);
	key_put(to.key);
put_from:
	key_put(from.key);
put_key:
	key_put(ref.key);
	return e;
}

static long
keyctl_search(key_serial_t ringid, uint64_t utype, uint64_t udesc,
	      key_serial_t destid)
{
	char type[KEY_TYPE_NAME_MAX];
	int e = type_from_user(utype, type);
	if (e < 0)
		return e;
	char *desc = string_from_user(udesc, KEY_MAX_DESC_SIZE);
	if (IS_ERR(desc))
		return PTR_ERR(desc);
	struct key_ref ring, dest = { NULL, false }, found;
	long r = key_lookup(ringid, 0, KEY_NEED_SEARCH, &ring);
	if (r < 0)
		goto out;
	if (destid) {
		r = key_lookup(destid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE, &dest);
		if (r < 0)
			goto put_ring;
	}
	const struct key_type *ktype = key_type_find(type);
	r = ktype ? keyring_search(ring, ktype, desc, false, &found) : -ENOKEY;
	if (r == -EAGAIN)	/* none and a negative one look alike */
		r = -ENOKEY;
	if (r == 0 && dest.key) {
		r = key_permission(found, KEY_NEED_LINK);
		if (r == 0)
			r = keyring_link(dest.key, found.key);
	}
	if (r == 0)
		r = found.key->serial;
	key_put(dest.key);
put_ring:
	key_put(ring.key);
out:
	kfree(desc);
	return r;
}

/* The bytes KEYCTL_READ answers for k: a keyring's serials, a user key's
 * payload. NULL with *len 0 for an empty one. */
static int
key_contents(struct key *k, void **data, size_t *len)
{
	*data = NULL;
	*len = k->type->keyring ? (size_t)k->nlinks * sizeof(key_serial_t)
				: k->datalen;
	if (*len == 0)
		return 0;
	*data = kmalloc(*len);
	if (!*data)
		return -ENOMEM;
	if (!k->type->keyring) {
		memcpy(*data, k->data, *len);
		return 0;
	}
	key_serial_t *serials = *data;
	for (int i = 0; i < k->nlinks; i++)
		serials[i] = k->links[i]->serial;
	return 0;
}

static long
keyctl_read(key_serial_t id, uint64_t ubuf, size_t buflen)
{
	struct key_ref ref;
	if (key_lookup(id, 0, KEY_NEED_DEFER, &ref) < 0)
		return -ENOKEY;
	struct key *k = ref.key;
	void *data = NULL;
	size_t len = 0;
	long r = k->reject_error;
	if (r == 0) {
		r = key_permission(ref, KEY_NEED_READ);
		if (r == -EACCES && ref.possessed)
			r = 0;	/* Linux: a possessed key may be read */
	}
	if (r == 0 && !k->type->readable)
		r = -EOPNOTSUPP;
	if (r == 0)
		r = key_validate(k);
	if (r == 0 && ubuf && buflen && buflen <= PAGE_SIZE &&
	    k->type->keyring && (buflen % sizeof(key_serial_t)))
		r = -EINVAL;
	if (r == 0)
		r = key_contents(k, &data, &len);
	key_put(k);
	if (r == 0)
		r = answer_out(ubuf, buflen, data, len);
	kfree(data);
	return r;
}

/* KEYCTL_SET_REQKEY_KEYRING: the previous choice, or -EINVAL. */
static long
keyctl_set_reqkey(int choice)
{
	struct proc *p = current()->proc;
	int old = p->reqkey_default;
	int e = 0;
	switch (choice) {
	case KEY_REQKEY_DEFL_NO_CHANGE:
		return old;
	case KEY_REQKEY_DEFL_THREAD_KEYRING:
		e = keys_install_thread();
		break;
	case KEY_REQKEY_DEFL_PROCESS_KEYRING:
		e = keys_install_process();
		break;
	case KEY_REQKEY_DEFL_DEFAULT:
	case KEY_REQKEY_DEFL_SESSION_KEYRING:
	case KEY_REQKEY_DEFL_USER_KEYRING:
	case KEY_REQKEY_DEFL_USER_SESSION_KEYRING:
	case KEY_REQKEY_DEFL_REQUESTOR_KEYRING:
		break;
	default:
		return -EINVAL;
	}
	if (e < 0)
		return e;
	p->reqkey_default = (int8_t)choice;
	return old;
}

static long
keyctl_set_timeout(key_serial_t id, unsigned seconds)
{
	struct key_ref ref;
	int e = key_lookup(id, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL,
			   KEY_NEED_SETATTR, &ref);
	if (e < 0)
		return e;
	ref.key->expiry_ns = seconds ? arch_now_ns() +
				       seconds * 1000000000ull : 0;
	key_put(ref.key);
	return 0;
}

static long
keyctl_invalidate(key_serial_t id)
{
	struct key_ref ref;
	int e = key_lookup(id, 0, KEY_NEED_SEARCH, &ref);
	if (e < 0)
		return e;
	key_invalidate(ref.key);
	key_put(ref.key);
	return 0;
}

/* No security module: every key's label is "". */
static long
keyctl_get_security(key_serial_t id, uint64_t ubuf, size_t buflen)
{
	struct key_ref ref;
	int e = key_lookup(id, KEY_LOOKUP_PARTIAL, KEY_NEED_VIEW, &ref);
	if (e < 0)
		return e;
	key_put(ref.key);
	if (ubuf && buflen > 0 && copyout(ubuf, "", 1) < 0)
		return -EFAULT;
	return 1;
}

/* KEYCTL_SESSION_TO_PARENT: the parent takes the caller's session
 * keyring, if both run as the caller's effective ids (Linux's rules); at
 * once rather than at the parent's return to user mode. */
static long
keyctl_session_to_parent(void)
{
	struct proc *p = current()->proc, *parent = p->parent;
	struct key_ref ref;
	int e = key_lookup(KEY_SPEC_SESSION_KEYRING, 0, KEY_NEED_LINK, &ref);
	if (e < 0)
		return e;
	struct key *ring = ref.key;
	if (!parent || parent == proc_init_proc() || parent->nthreads != 1)
		e = -EPERM;
	else if (parent->session_keyring == ring)
		e = 0;
	else if (parent->uid != p->euid || parent->euid != p->euid ||
		 parent->suid != p->euid || parent->gid != p->egid ||
		 parent->egid != p->egid || parent->sgid != p->egid ||
		 ring->uid != p->euid ||
		 (parent->session_keyring &&
		  parent->session_keyring->uid != p->euid))
		e = -EPERM;
	else {
		key_put(parent->session_keyring);
		key_get(ring);
		parent->session_keyring = ring;
	}
	key_put(ring);
	return e;
}

/* KEYCTL_RESTRICT_KEYRING: only "no more links" (no type) is known; the
 * three types here take no restriction (ENOENT), others are unknown. */
static long
keyctl_restrict(key_serial_t id, uint64_t utype, uint64_t urestriction)
{
	char type[KEY_TYPE_NAME_MAX];
	if (utype) {
		int e = type_from_user(utype, type);
		if (e < 0)
			return e;
	} else if (urestriction) {
		return -EINVAL;
	}
	struct key_ref ref;
	int e = key_lookup(id, 0, KEY_NEED_SETATTR, &ref);
	if (e < 0)
		return e;
	struct key *k = ref.key;
	if (!k->type->keyring)
		e = -ENOTDIR;
	else if (utype)
		e = key_type_find(type) ? -ENOENT : -ENOKEY;
	else if (k->flags & KEY_F_RESTRICTED)
		e = -EEXIST;
	else
		k->flags |= KEY_F_RESTRICTED;
	key_put(k);
	return e;
}

/* KEYCTL_CAPABILITIES: Linux's two bytes for what is here (capabilities,
 * invalidate, restrict, move; namespaced names and tags). */
static long
keyctl_capabilities(uint64_t ubuf, size_t buflen)
{
	static const uint8_t caps[2] = { 0x01 | 0x20 | 0x40 | 0x80, 0x01 | 0x02 };
	size_t n = MIN(buflen, sizeof(caps));
	if (n && copyout(ubuf, caps, n) < 0)
		return -EFAULT;
	return sizeof(caps);
}

long
sys_keyctl(int cmd, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	key_serial_t id = (key_serial_t)a2;
	switch (cmd) {
	case KEYCTL_GET_KEYRING_ID:
		return keyctl_get_keyring_id(id, a3 != 0);
	case KEYCTL_JOIN_SESSION_KEYRING:
		return keyctl_join(a2);
	case KEYCTL_UPDATE:
		return keyctl_update(id, a3, a4);
	case KEYCTL_REVOKE:
		return keyctl_revoke(id);
	case KEYCTL_CHOWN:
		return keyctl_chown(id, (unsigned)a3, (unsigned)a4);
	case KEYCTL_SETPERM:
		return keyctl_setperm(id, (uint32_t)a3);
	case KEYCTL_DESCRIBE:
		return keyctl_describe(id, a3, a4);
	case KEYCTL_CLEAR:
		return keyctl_clear(id);
	case KEYCTL_LINK:
		return keyctl_link(id, (key_serial_t)a3);
	case KEYCTL_UNLINK:
		return keyctl_unlink(id, (key_serial_t)a3);
	case KEYCTL_SEARCH:
		return keyctl_search(id, a3, a4, (key_serial_t)a5);
	case KEYCTL_READ:
		return keyctl_read(id, a3, a4);
	case KEYCTL_INSTANTIATE:
	case KEYCTL_NEGATE:
	case KEYCTL_REJECT:
	case KEYCTL_INSTANTIATE_IOV:
		return -EPERM;	/* no request_key authority is ever given */
	case KEYCTL_SET_REQKEY_KEYRING:
		return keyctl_set_reqkey((int)a2);
	case KEYCTL_SET_TIMEOUT:
		return keyctl_set_timeout(id, (unsigned)a3);
	case KEYCTL_ASSUME_AUTHORITY:
		return id < 0 ? -EINVAL : id == 0 ? 0 : -ENOKEY;
	case KEYCTL_GET_SECURITY:
		return keyctl_get_security(id, a3, a4);
	case KEYCTL_SESSION_TO_PARENT:
		return keyctl_session_to_parent();
	case KEYCTL_INVALIDATE:
		return keyctl_invalidate(id);
	case KEYCTL_RESTRICT_KEYRING:
		return keyctl_restrict(id, a3, a4);
	case KEYCTL_MOVE:
		return keyctl_move(id, (key_serial_t)a3, (key_serial_t)a4,
				   (unsigned)a5);
	case KEYCTL_CAPABILITIES:
		return keyctl_capabilities(a2, a3);
	default:
		/* Persistent keyrings, Diffie-Hellman, public-key operations
		 * and notifications are configured out. */
		return -EOPNOTSUPP;
	}
}
