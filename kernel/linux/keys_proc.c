/*
 * The keyrings a caller names by the special ids (KEY_SPEC_*): made on
 * demand for the thread, the process and the session, installed and
 * dropped at fork, exec and exit; and the lookup every keyctl command
 * starts with (Linux's security/keys/process_keys.c). Big lock held.
 */
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include "keys_int.h"

/* A keyring for the caller's real ids, its quota passed over as Linux's
 * KEY_ALLOC_QUOTA_OVERRUN. */
static struct key *
keyring_new(const char *name, uint32_t perm)
{
	struct proc *p = current()->proc;
	return key_alloc(&key_type_keyring, name, p->uid, p->gid, perm, true);
}

int
keys_install_thread(void)
{
	struct thread *t = current();
	if (t->thread_keyring)
		return 0;
	struct key *k = keyring_new("_tid", KEY_POS_ALL | KEY_USR_VIEW);
	if (IS_ERR(k))
		return PTR_ERR(k);
	t->thread_keyring = k;
	return 0;
}

int
keys_install_process(void)
{
	struct proc *p = current()->proc;
	if (p->process_keyring)
		return 0;
	struct key *k = keyring_new("_pid", KEY_POS_ALL | KEY_USR_VIEW);
	if (IS_ERR(k))
		return PTR_ERR(k);
	p->process_keyring = k;
	return 0;
}

/*
 * KEYCTL_JOIN_SESSION_KEYRING: a new anonymous session keyring (name
 * NULL), or the keyring name, made if there is none. Its serial, 0 if it
 * already was the session keyring, or an error.
 */
int
keys_join_session(const char *name)
{
	struct proc *p = current()->proc;
	struct key *k;
	if (!name) {
		k = keyring_new("_ses", KEY_POS_ALL | KEY_USR_VIEW |
				KEY_USR_READ);
	} else {
		k = keyring_by_name(name);
		if (k && k == p->session_keyring) {
			key_put(k);
			return 0;
		}
		if (!k)
			k = key_alloc(&key_type_keyring, name, p->uid, p->gid,
				      KEY_POS_ALL | KEY_USR_VIEW |
				      KEY_USR_READ | KEY_USR_LINK, false);
	}
	if (IS_ERR(k))
		return PTR_ERR(k);
	key_put(p->session_keyring);
	p->session_keyring = k;
	return k->serial;
}

/* The special keyring id names for the caller, made if create; no
 * reference taken. */
static int
special_keyring(key_serial_t id, bool create, struct key **out)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	int e = 0;
	switch (id) {
	case KEY_SPEC_THREAD_KEYRING:
		if (!t->thread_keyring)
			e = create ? keys_install_thread() : -ENOKEY;
		*out = t->thread_keyring;
		return e;
	case KEY_SPEC_PROCESS_KEYRING:
		if (!p->process_keyring)
			e = create ? keys_install_process() : -ENOKEY;
		*out = p->process_keyring;
		return e;
	case KEY_SPEC_SESSION_KEYRING:
		if (!p->session_keyring) {
			struct key *user_session;
			e = key_user_keyrings(p->uid, NULL, &user_session);
			if (e < 0)
				return e;
			if (create) {
				e = keys_join_session(NULL);
			} else {
				key_get(user_session);
				p->session_keyring = user_session;
			}
		}
		*out = p->session_keyring;
		return e < 0 ? e : 0;
	case KEY_SPEC_USER_KEYRING:
		return key_user_keyrings(p->uid, out, NULL);
	case KEY_SPEC_USER_SESSION_KEYRING:
		return key_user_keyrings(p->uid, NULL, out);
	case KEY_SPEC_GROUP_KEYRING:
		return -EINVAL;		/* as Linux: none yet */
	default:			/* no request_key authority here */
		return -ENOKEY;
	}
}

/* Whether the key ref found may be used for need (lookup_user_key's
 * checks): its state, unless lflags or need waive it, then permission. */
static int
key_check(struct key_ref ref, unsigned lflags, unsigned need)
{
	struct key *k = ref.key;
	if (!(need & KEY_NEED_UNLINK)) {
		int e;
		if (!(lflags & KEY_LOOKUP_PARTIAL))
			e = k->reject_error ? k->reject_error : key_validate(k);
		else
			e = key_validate(k);
		if (e < 0 && !(need & KEY_NEED_DEFER))
			return e;
	}
	return key_permission(ref, need);
}

/*
 * The key id names (a serial or a KEY_SPEC_* id), as Linux's
 * lookup_user_key: checked to be usable (unless lflags allows a negative
 * one, or need is DEFER or UNLINK) and to grant need. The reference in
 * out->key is the caller's to drop. 0 or a negative errno.
 */
int
key_lookup(key_serial_t id, unsigned lflags, unsigned need,
	   struct key_ref *out)
{
	struct key_ref ref = { NULL, true };
	int e;
	if (id < 0) {
		e = special_keyring(id, lflags & KEY_LOOKUP_CREATE, &ref.key);
		if (e < 0)
			return e;
		key_get(ref.key);
	} else {
		if (id == 0)
			return -EINVAL;
		ref.key = key_find(id);
		if (!ref.key)
			return -ENOKEY;
		/* Held first: the possession search may make the user's
		 * keyrings, and so collect garbage. */
		key_get(ref.key);
		ref.possessed = key_possessed(ref.key);
	}
	e = key_check(ref, lflags, need);
	if (e < 0) {
		key_put(ref.key);
		return e;
	}
	*out = ref;
	return 0;
}

void
keys_fork(struct proc *child, struct proc *parent)
{
	child->session_keyring = parent->session_keyring;
	if (child->session_keyring)
		key_get(child->session_keyring);
	child->process_keyring = NULL;
	child->reqkey_default = parent->reqkey_default;
}

void
keys_exec(struct proc *p, struct thread *t)
{
	key_put(t->thread_keyring);
	t->thread_keyring = NULL;
	key_put(p->process_keyring);
	p->process_keyring = NULL;
}

void
keys_thread_exit(struct thread *t)
{
	key_put(t->thread_keyring);
	t->thread_keyring = NULL;
}

void
keys_proc_exit(struct proc *p)
{
	key_put(p->process_keyring);
	p->process_keyring = NULL;
	key_put(p->session_keyring);
	p->session_keyring = NULL;
}
