/*
 * Inside the key retention service: keys, keyrings and the users they are
 * charged to, shared by keys.c (objects, quotas, keyrings, searches),
 * keys_proc.c (the special keyrings, the lookup by id) and keyctl.c (the
 * system calls). Every field is the big lock's; no function here sleeps.
 */
#ifndef KEYS_INT_H
#define KEYS_INT_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/keys.h>

typedef int32_t key_serial_t;

/* Linux's permission bits: possessor, user, group, other, a byte each. */
#define KEY_POS_VIEW	0x01000000u
#define KEY_POS_READ	0x02000000u
#define KEY_POS_WRITE	0x04000000u
#define KEY_POS_SEARCH	0x08000000u
#define KEY_POS_LINK	0x10000000u
#define KEY_POS_SETATTR	0x20000000u
#define KEY_POS_ALL	0x3f000000u
#define KEY_USR_VIEW	0x00010000u
#define KEY_USR_READ	0x00020000u
#define KEY_USR_WRITE	0x00040000u
#define KEY_USR_SEARCH	0x00080000u
#define KEY_USR_LINK	0x00100000u
#define KEY_USR_ALL	0x003f0000u
#define KEY_GRP_ALL	0x00003f00u
#define KEY_OTH_ALL	0x0000003fu
#define KEY_PERM_MASK	(KEY_POS_ALL | KEY_USR_ALL | KEY_GRP_ALL | KEY_OTH_ALL)

/* What a lookup needs: one of the six rights, or one of Linux's special
 * checks (DEFER: the caller checks; UNLINK: any state will do). */
enum key_need {
	KEY_NEED_VIEW = 0x01, KEY_NEED_READ = 0x02, KEY_NEED_WRITE = 0x04,
	KEY_NEED_SEARCH = 0x08, KEY_NEED_LINK = 0x10, KEY_NEED_SETATTR = 0x20,
	KEY_NEED_DEFER = 0x100, KEY_NEED_UNLINK = 0x200,
};

/* The special ids (KEY_SPEC_*) and request_key's defaults. */
#define KEY_SPEC_THREAD_KEYRING		-1
#define KEY_SPEC_PROCESS_KEYRING	-2
#define KEY_SPEC_SESSION_KEYRING	-3
#define KEY_SPEC_USER_KEYRING		-4
#define KEY_SPEC_USER_SESSION_KEYRING	-5
#define KEY_SPEC_GROUP_KEYRING		-6
#define KEY_SPEC_REQKEY_AUTH_KEY	-7
#define KEY_SPEC_REQUESTOR_KEYRING	-8

enum {
	KEY_REQKEY_DEFL_NO_CHANGE = -1, KEY_REQKEY_DEFL_DEFAULT,
	KEY_REQKEY_DEFL_THREAD_KEYRING, KEY_REQKEY_DEFL_PROCESS_KEYRING,
	KEY_REQKEY_DEFL_SESSION_KEYRING, KEY_REQKEY_DEFL_USER_KEYRING,
	KEY_REQKEY_DEFL_USER_SESSION_KEYRING, KEY_REQKEY_DEFL_GROUP_KEYRING,
	KEY_REQKEY_DEFL_REQUESTOR_KEYRING,
};

/* Lookup flags (Linux's KEY_LOOKUP_*). */
#define KEY_LOOKUP_CREATE	0x01	/* make a missing special keyring */
#define KEY_LOOKUP_PARTIAL	0x02	/* a negative key will do */

#define KEY_MAX_DESC_SIZE	4096
#define KEY_TYPE_NAME_MAX	32
#define KEY_PAYLOAD_MAX		(1024 * 1024 - 1)
#define KEY_USER_PAYLOAD_MAX	32767
/* Bytes a keyring's owner is charged for each link (Linux's). */
#define KEY_LINK_QUOTA		4
/* How long a negative key from a failed request_key lives, seconds. */
#define KEY_NEGATIVE_TIMEOUT	60
/* How deep a search or a cycle check goes below its keyring. */
#define KEY_SEARCH_MAX_DEPTH	6

struct key_type {
	const char *name;
	bool readable;			/* has a read method */
	bool updatable;			/* has an update method */
	bool keyring;
	bool vet_colon;			/* logon: "service:name" descriptions */
};

/* Key flags. */
#define KEY_F_REVOKED		0x01
#define KEY_F_INVALIDATED	0x02
#define KEY_F_UID_KEYRING	0x04	/* a user's or user-session keyring */
#define KEY_F_RESTRICTED	0x08	/* a keyring that takes no new links */

/* The per-uid accounting (Linux's struct key_user). */
struct key_user {
	struct list link;		/* key_users */
	unsigned uid;
	int nkeys;			/* keys owned, charged or not */
	int qnkeys;			/* keys charged */
	size_t qnbytes;			/* bytes charged */
	struct key *uid_keyring;	/* "_uid.N", made at first use */
	struct key *session_keyring;	/* "_uid_ses.N" */
};

struct key {
	key_serial_t serial;
	int refcount;			/* links, holders, calls in progress */
	struct list hash_link;		/* key_hash */
	const struct key_type *type;
	char *desc;
	unsigned uid, gid;
	uint32_t perm;
	unsigned flags;			/* KEY_F_* */
	int reject_error;		/* negative key: its error, else 0 */
	uint64_t expiry_ns;		/* arch_now_ns() deadline, 0 never */
	uint64_t revoked_ns;		/* when it was revoked */
	struct key_user *user;		/* owner's accounting */
	size_t quotalen;		/* bytes charged to user */
	size_t reserved;		/* of which payload or links (Linux's
					   datalen) */
	uint8_t *data;			/* user and logon payload */
	size_t datalen;
	struct key **links;		/* keyring: the keys it holds */
	int nlinks, cap;
	unsigned visit;			/* last search generation that met it */
	int visit_depth;		/* and how deep */
};

/* A key as a lookup found it: whether the caller possesses it. */
struct key_ref {
	struct key *key;
	bool possessed;
};

/* keys.c */
extern const struct key_type key_type_keyring;
const struct key_type *key_type_find(const char *name);
struct key *key_find(key_serial_t serial);
void key_get(struct key *k);
void key_put(struct key *k);
struct key *key_alloc(const struct key_type *type, const char *desc,
		      unsigned uid, unsigned gid, uint32_t perm, bool overrun);
int key_set_payload(struct key *k, const void *data, size_t len);
int key_reserve(struct key *k, size_t datalen);
int key_validate(const struct key *k);
int key_permission(struct key_ref ref, unsigned need);
bool key_expired(const struct key *k);
void key_revoke(struct key *k);
void key_invalidate(struct key *k);
int key_chown(struct key *k, unsigned uid);
int keyring_link(struct key *keyring, struct key *k);
int keyring_unlink(struct key *keyring, struct key *k);
void keyring_clear(struct key *keyring);
struct key *keyring_find(struct key *keyring, const struct key_type *type,
			 const char *desc);
int keyring_search(struct key_ref ring, const struct key_type *type,
		   const char *desc, bool skip_expired, struct key_ref *found);
int keys_search_process(const struct key_type *type, const char *desc,
			bool skip_expired, struct key_ref *found);
bool key_possessed(struct key *k);
int key_user_keyrings(unsigned uid, struct key **user_ring,
		      struct key **session_ring);
struct key *keyring_by_name(const char *name);

/* keys_proc.c */
int key_lookup(key_serial_t id, unsigned lflags, unsigned need,
	       struct key_ref *out);
int keys_install_thread(void);
int keys_install_process(void);
int keys_join_session(const char *name);

#endif
