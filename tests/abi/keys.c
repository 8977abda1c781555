/*
 * The key retention service: add_key's checks and errors (EINVAL, ENODEV,
 * EPERM, EFAULT), user and logon keys read, updated in place, described;
 * keyrings linked, searched, read (a short buffer gets nothing), cycles
 * refused; permissions (possession, SETPERM), revoke, expiry, invalidate;
 * request_key finding a key, ENOKEY, EPERM for keyrings and a negative
 * key when nothing answers; the thread, process and session keyrings
 * across fork; KEYCTL_SET_REQKEY_KEYRING; a user's EDQUOT and expired
 * keys collected after gc_delay; the sysctls and /proc/key-users;
 * KEYCTL_SESSION_TO_PARENT.
 * Everything runs in a session keyring of its own, so the host's does
 * not matter; serials are compared, never printed.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/file.h>
#include <sys/syscall.h>

typedef int32_t key_serial_t;

#define KEY_SPEC_THREAD_KEYRING -1
#define KEY_SPEC_PROCESS_KEYRING -2
#define KEY_SPEC_SESSION_KEYRING -3
#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_UPDATE 2
#define KEYCTL_REVOKE 3
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6
#define KEYCTL_CLEAR 7
#define KEYCTL_LINK 8
#define KEYCTL_UNLINK 9
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11
#define KEYCTL_SET_REQKEY_KEYRING 14
#define KEYCTL_SET_TIMEOUT 15
#define KEYCTL_SESSION_TO_PARENT 18
#define KEYCTL_INVALIDATE 21
#define KEYCTL_RESTRICT_KEYRING 29
#define KEY_POS_VIEW 0x01000000
#define KEY_POS_SEARCH 0x08000000
#define KEY_POS_ALL 0x3f000000

static long
add_key(const char *type, const char *desc, const void *data, size_t len,
	key_serial_t ring)
{
	return syscall(SYS_add_key, type, desc, data, len, ring);
}

static long
request_key(const char *type, const char *desc, const char *callout,
	    key_serial_t ring)
{
	return syscall(SYS_request_key, type, desc, callout, ring);
}

static long
keyctl(int cmd, unsigned long a2, unsigned long a3, unsigned long a4,
       unsigned long a5)
{
	return syscall(SYS_keyctl, cmd, a2, a3, a4, a5);
}

static long
key_read(key_serial_t key, void *buf, size_t len)
{
	return keyctl(KEYCTL_READ, key, (unsigned long)buf, len, 0);
}

/* The description's type, permissions and name, without the ids. */
static const char *
describe(key_serial_t key)
{
	static char text[256];
	char buf[256];
	long n = keyctl(KEYCTL_DESCRIBE, key, (unsigned long)buf, sizeof(buf),
			0);
	if (n < 0)
		return errno_name(errno);
	char *type = strtok(buf, ";");
	strtok(NULL, ";");
	strtok(NULL, ";");
	char *perm = strtok(NULL, ";");
	char *name = strtok(NULL, "");
	snprintf(text, sizeof(text), "%s %s %s (%ld)", type, perm, name, n);
	return text;
}

static void
user_keys(key_serial_t ses)
{
	char buf[64] = { 0 };
	long k = add_key("user", "k1", "hello", 5, ses);
	CHECK("add a user key", k > 0);
	CHECK_EQ("read it", key_read(k, buf, sizeof(buf)), 5);
	CHECK_STR("its payload", buf, "hello");
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("a short buffer: the length", key_read(k, buf, 2), 5);
	CHECK_EQ("...and nothing copied", buf[0], 0);
	CHECK_EQ("no buffer: the length", key_read(k, NULL, 0), 5);
	CHECK_STR("describe", describe(k), "user 3f010000 k1 (21)");
	CHECK("add again updates in place",
	      add_key("user", "k1", "world!", 6, ses) == k);
	CHECK_EQ("the new length", key_read(k, buf, sizeof(buf)), 6);
	CHECK_STR("the new payload", buf, "world!");
	CHECK_EQ("KEYCTL_UPDATE", keyctl(KEYCTL_UPDATE, k,
					  (unsigned long)"abc", 3, 0), 0);
	CHECK_EQ("read after update", key_read(k, buf, sizeof(buf)), 3);
	CHECK_ERR("update with nothing", keyctl(KEYCTL_UPDATE, k, 0, 0, 0),
		  EINVAL);
	CHECK_ERR("update a keyring", keyctl(KEYCTL_UPDATE, ses, 0, 0, 0),
		  EOPNOTSUPP);

	CHECK_ERR("user key, empty payload", add_key("user", "e", "", 0, ses),
		  EINVAL);
	char *big = calloc(1, 32768);
	CHECK_ERR("user key, 32768 bytes",
		  add_key("user", "e", big, 32768, ses), EINVAL);
	CHECK("user key, 32767 bytes", add_key("user", "e", big, 32767, ses) > 0);
	free(big);
	CHECK_ERR("keyring with a payload", add_key("keyring", "e", "x", 1,
						    ses), EINVAL);
	CHECK_ERR("unknown type", add_key("nope", "e", "x", 1, ses), ENODEV);
	CHECK_ERR("a '.' type", add_key(".nope", "e", "x", 1, ses), EPERM);
	CHECK_ERR("a '.' keyring", add_key("keyring", ".e", NULL, 0, ses),
		  EPERM);
	CHECK_ERR("no description", add_key("user", "", "x", 1, ses), EINVAL);
	CHECK_ERR("payload fault", add_key("user", "e", NULL, 64, ses),
		  EFAULT);
	CHECK_ERR("payload over 1 MiB", add_key("user", "e", "x", 1 << 20,
						ses), EINVAL);
	CHECK_ERR("no such keyring", add_key("user", "e", "x", 1, 0x7ffffff0),
		  ENOKEY);

	long logon = add_key("logon", "svc:name", "secret", 6, ses);
	CHECK("add a logon key", logon > 0);
	CHECK_ERR("logon without a colon", add_key("logon", "name", "x", 1,
						   ses), EINVAL);
	CHECK_ERR("logon keys cannot be read", key_read(logon, buf, 64),
		  EOPNOTSUPP);
	CHECK_STR("describe logon", describe(logon),
		  "logon 3d010000 svc:name (28)");
}

static void
keyrings(key_serial_t ses)
{
	key_serial_t ids[4] = { 0 };
	long ring = add_key("keyring", "r1", NULL, 0, ses);
	long k = add_key("user", "in-r1", "x", 1, ring);
	CHECK("add a keyring and a key in it", ring > 0 && k > 0);
	CHECK_STR("describe the keyring", describe(ring),
		  "keyring 3f010000 r1 (24)");
	CHECK_EQ("read the keyring", key_read(ring, ids, sizeof(ids)), 4);
	CHECK("...its one key", ids[0] == k);
	CHECK_ERR("a buffer not of whole serials", key_read(ring, ids, 3),
		  EINVAL);
	CHECK("search the session finds it",
	      keyctl(KEYCTL_SEARCH, ses, (unsigned long)"user",
		     (unsigned long)"in-r1", 0) == k);
	CHECK_ERR("search for what is not there",
		  keyctl(KEYCTL_SEARCH, ses, (unsigned long)"user",
			 (unsigned long)"none", 0), ENOKEY);
	CHECK_ERR("search an unknown type",
		  keyctl(KEYCTL_SEARCH, ses, (unsigned long)"nope",
			 (unsigned long)"none", 0), ENOKEY);
	CHECK_EQ("link it into the session too",
		 keyctl(KEYCTL_LINK, k, ses, 0, 0), 0);
	CHECK_EQ("unlink it from r1", keyctl(KEYCTL_UNLINK, k, ring, 0, 0), 0);
	CHECK_ERR("unlink it again", keyctl(KEYCTL_UNLINK, k, ring, 0, 0),
		  ENOENT);
	CHECK_ERR("link a keyring into itself",
		  keyctl(KEYCTL_LINK, ring, ring, 0, 0), EDEADLK);
	CHECK_ERR("link the session into r1",
		  keyctl(KEYCTL_LINK, ses, ring, 0, 0), EDEADLK);
	CHECK_ERR("link into a user key", keyctl(KEYCTL_LINK, ring, k, 0, 0),
		  ENOTDIR);
	CHECK_EQ("a keyring added again is a new one",
		 add_key("keyring", "r1", NULL, 0, ses) != ring, 1);
	long r2 = add_key("keyring", "r2", NULL, 0, ses);
	add_key("user", "a", "1", 1, r2);
	add_key("user", "b", "2", 1, r2);
	CHECK_EQ("KEYCTL_CLEAR", keyctl(KEYCTL_CLEAR, r2, 0, 0, 0), 0);
	CHECK_EQ("...leaves it empty", key_read(r2, ids, sizeof(ids)), 0);
	CHECK_EQ("restrict it", keyctl(KEYCTL_RESTRICT_KEYRING, r2, 0, 0, 0),
		 0);
	CHECK_ERR("...no new links", add_key("user", "c", "3", 1, r2), EPERM);
	CHECK_ERR("...nor a second restriction",
		  keyctl(KEYCTL_RESTRICT_KEYRING, r2, 0, 0, 0), EEXIST);
}

static void
states(key_serial_t ses)
{
	char buf[16];
	long k = add_key("user", "perm", "x", 1, ses);
	CHECK_EQ("SETPERM to view and search", keyctl(KEYCTL_SETPERM, k,
		 KEY_POS_VIEW | KEY_POS_SEARCH, 0, 0), 0);
	CHECK_EQ("a possessed key is read all the same",
		 key_read(k, buf, sizeof(buf)), 1);
	CHECK_ERR("but not updated", keyctl(KEYCTL_UPDATE, k,
					    (unsigned long)"y", 1, 0), EACCES);
	CHECK_ERR("nor its permissions set", keyctl(KEYCTL_SETPERM, k,
		  KEY_POS_ALL, 0, 0), EACCES);
	long hidden = add_key("user", "hidden", "x", 1, ses);
	keyctl(KEYCTL_SETPERM, hidden, KEY_POS_VIEW, 0, 0);
	CHECK_ERR("without search it is not possessed: no read",
		  key_read(hidden, buf, sizeof(buf)), EACCES);
	CHECK_ERR("unknown permission bits", keyctl(KEYCTL_SETPERM, k,
						    0x40000000, 0, 0), EINVAL);
	k = add_key("user", "revoked", "x", 1, ses);
	CHECK_EQ("revoke", keyctl(KEYCTL_REVOKE, k, 0, 0, 0), 0);
	CHECK_ERR("read a revoked key", key_read(k, buf, sizeof(buf)),
		  EKEYREVOKED);
	CHECK_ERR("revoke it again", keyctl(KEYCTL_REVOKE, k, 0, 0, 0),
		  EKEYREVOKED);
	CHECK_ERR("describe it", keyctl(KEYCTL_DESCRIBE, k,
					(unsigned long)buf, sizeof(buf), 0),
		  EKEYREVOKED);

	long gone = add_key("user", "gone", "x", 1, ses);
	CHECK_EQ("invalidate", keyctl(KEYCTL_INVALIDATE, gone, 0, 0, 0), 0);
	/* ENOKEY once Linux's collector unlinked it, soon after. */
	long r = keyctl(KEYCTL_SEARCH, ses, (unsigned long)"user",
			(unsigned long)"gone", 0);
	CHECK("search finds it no more",
	      r == -1 && (errno == ENOKEY || errno == EKEYREVOKED));

	long t = add_key("keyring", "timed", NULL, 0, ses);
	CHECK_EQ("a 1 s timeout", keyctl(KEYCTL_SET_TIMEOUT, t, 1, 0, 0), 0);
	sleep(2);
	CHECK_ERR("read it expired", key_read(t, buf, 16), EKEYEXPIRED);
	CHECK_ERR("request_key into it", request_key("user", "x", NULL, t),
		  EKEYEXPIRED);
	CHECK_ERR("reading a key that never was", key_read(0x7ffffff0, buf,
							   16), ENOKEY);
	CHECK_ERR("keyctl's unknown command", keyctl(9999, 0, 0, 0, 0),
		  EOPNOTSUPP);
}

static void
requests(key_serial_t ses)
{
	key_serial_t ids[4];
	char buf[16];
	long k = add_key("user", "wanted", "x", 1, ses);
	CHECK("request_key finds a key",
	      request_key("user", "wanted", NULL, 0) == k);
	CHECK_ERR("nothing found, no callout", request_key("user", "missing",
							   NULL, 0), ENOKEY);
	CHECK_ERR("a keyring is never made", request_key("keyring", "missing",
							 "info", 0), EPERM);
	CHECK_ERR("a '.' type", request_key(".user", "d", NULL, 0), EPERM);
	CHECK_ERR("type fault", request_key((char *)-1, "d", NULL, 0), EFAULT);
	CHECK_ERR("callout fault", request_key("user", "d", (char *)-1, 0),
		  EFAULT);
	long ring = add_key("keyring", "dest", NULL, 0, ses);
	long r = request_key("user", "negative", "info", ring);
	CHECK("no one answers: ENOKEY or ENOENT",
	      r == -1 && (errno == ENOKEY || errno == ENOENT));
	CHECK_EQ("a negative key is left in the keyring",
		 key_read(ring, ids, sizeof(ids)), 4);
	CHECK_ERR("reading it", key_read(ids[0], buf, sizeof(buf)), ENOKEY);
	CHECK_ERR("asking again", request_key("user", "negative", "info",
					      ring), ENOKEY);
	CHECK("add_key makes it positive",
	      add_key("user", "negative", "y", 1, ring) == ids[0]);
	CHECK_EQ("...readable", key_read(ids[0], buf, sizeof(buf)), 1);
}

/* The keyrings a child shares and those it does not. */
static void
special_keyrings(key_serial_t ses)
{
	CHECK_ERR("no thread keyring yet",
		  keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0,
			 0), ENOKEY);
	long tk = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0,
			 0);
	CHECK("made on demand", tk > 0);
	CHECK("the same one after", keyctl(KEYCTL_GET_KEYRING_ID,
					    KEY_SPEC_THREAD_KEYRING, 0, 0,
					    0) == tk);
	long pk = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1,
			 0, 0);
	CHECK_STR("the thread keyring", describe(tk),
		  "keyring 3f010000 _tid (26)");
	CHECK_STR("the process keyring", describe(pk),
		  "keyring 3f010000 _pid (26)");
	pid_t child = fork();
	if (child == 0) {
		int bad = 0;
		bad |= keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING,
			      0, 0, 0) != ses;
		bad |= (keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING,
			       0, 0, 0) != -1 || errno != ENOKEY) << 1;
		bad |= (keyctl(KEYCTL_GET_KEYRING_ID,
			       KEY_SPEC_PROCESS_KEYRING, 0, 0, 0) != -1 ||
			errno != ENOKEY) << 2;
		_exit(bad);
	}
	CHECK_EQ("SET_REQKEY_KEYRING: the old choice",
		 keyctl(KEYCTL_SET_REQKEY_KEYRING, 2, 0, 0, 0), 0);
	int status;
	child = fork();
	if (child == 0)
		_exit(keyctl(KEYCTL_SET_REQKEY_KEYRING, -1, 0, 0, 0) == 2 ?
		      0 : 9);
	waitpid(child, &status, 0);
	CHECK_STR("a child keeps the choice", status_str(status), "exited 0");
	CHECK_ERR("the group keyring is no choice",
		  keyctl(KEYCTL_SET_REQKEY_KEYRING, 6, 0, 0, 0), EINVAL);
	keyctl(KEYCTL_SET_REQKEY_KEYRING, 0, 0, 0, 0);
	while (wait(&status) > 0)
		CHECK_STR("a child shares the session keyring only",
			  status_str(status), "exited 0");
}

/* Whether /proc/key-users says uid has keys/quota as want. */
static int
key_users_line(unsigned uid, const char *want)
{
	FILE *f = fopen("/proc/key-users", "r");
	char line[128], keys[32];
	unsigned u;
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%u: %*d %*d/%*d %31s", &u, keys) == 2 &&
		    u == uid)
			found = strcmp(keys, want) == 0;
	if (f)
		fclose(f);
	return found;
}

/* A user other than root has 200 keys: its session keyring and 199;
 * /proc/key-users says so. */
static void
quota(void)
{
	pid_t child = fork();
	if (child == 0) {
		/* A uid of its own each run: a host frees the keys of the
		   last run's user a little later. */
		unsigned uid = 50000 + getpid() % 10000;
		if (setgid(uid) || setuid(uid))
			_exit(100);
		long ses = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
		if (ses < 0)
			_exit(101);
		int n = 0;
		char desc[16];
		for (; n < 300; n++) {
			snprintf(desc, sizeof(desc), "q%d", n);
			if (add_key("user", desc, "x", 1, ses) < 0)
				break;
		}
		if (errno != EDQUOT)
			_exit(102);
		if (n < 150 || n > 199)
			_exit(103);
		_exit(key_users_line(uid, "200/200") ? 0 : 104);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("a user's keys end at EDQUOT", status_str(status),
		  "exited 0");
}

/* Expired keys leave their keyrings, and their user's quota, gc_delay
 * seconds on (set to 1 here, as root, and put back). */
static void
garbage(void)
{
	char old[32] = { 0 };
	int fd = open("/proc/sys/kernel/keys/gc_delay", O_RDWR);
	if (fd < 0 || read(fd, old, sizeof(old) - 1) <= 0 ||
	    pwrite(fd, "1\n", 2, 0) != 2) {
		CHECK("gc_delay set", 0);
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		unsigned uid = 40000 + getpid() % 10000;
		if (setgid(uid) || setuid(uid))
			_exit(100);
		long ses = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
		char desc[16];
		int n = 0;
		for (; n < 300; n++) {
			snprintf(desc, sizeof(desc), "t%d", n);
			long k = add_key("user", desc, "x", 1, ses);
			if (k < 0)
				break;
			keyctl(KEYCTL_SET_TIMEOUT, k, 1, 0, 0);
		}
		if (n < 150 || errno != EDQUOT)
			_exit(101);
		sleep(4);
		_exit(add_key("user", "after", "x", 1, ses) > 0 ? 0 : 102);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("expired keys are collected", status_str(status),
		  "exited 0");
	/* A key looked up by serial, expired, whose possession check makes
	 * the user's keyrings at its quota: the collection that follows
	 * once freed the key under the lookup. */
	child = fork();
	if (child == 0) {
		unsigned uid = 30000 + getpid() % 10000;
		if (setgid(uid) || setuid(uid))
			_exit(100);
		long first = -1;
		char desc[16];
		for (int n = 0; n < 300; n++) {
			snprintf(desc, sizeof(desc), "p%d", n);
			long k = add_key("user", desc, "x", 1,
					 KEY_SPEC_PROCESS_KEYRING);
			if (k < 0)
				break;
			if (first < 0)
				first = k;
		}
		keyctl(KEYCTL_SET_TIMEOUT, first, 1, 0, 0);
		sleep(3);
		char buf[8];
		_exit(key_read(first, buf, sizeof(buf)) == -1 ? 0 : 101);
	}
	waitpid(child, &status, 0);
	CHECK_STR("an expired key collected under its lookup",
		  status_str(status), "exited 0");
	pwrite(fd, old, strlen(old), 0);
	close(fd);
}

static void
sysctls(void)
{
	char buf[32] = { 0 };
	int fd = open("/proc/sys/kernel/keys/maxkeys", O_RDONLY);
	CHECK("maxkeys opens", fd >= 0);
	if (fd >= 0) {
		CHECK("...and reads", read(fd, buf, sizeof(buf) - 1) > 0);
		close(fd);
	}
	CHECK_STR("maxkeys", buf, "200\n");
	CHECK("root_maxkeys is there",
	      access("/proc/sys/kernel/keys/root_maxkeys", R_OK | W_OK) == 0);
	CHECK("maxbytes is there",
	      access("/proc/sys/kernel/keys/maxbytes", R_OK) == 0);
}

/* A child's new session keyring given to its parent (keyctl new_session). */
static void
session_to_parent(key_serial_t ses)
{
	int fds[2];
	key_serial_t child_ses = 0;
	if (pipe(fds) < 0)
		return;
	pid_t child = fork();
	if (child == 0) {
		key_serial_t s = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
		write(fds[1], &s, sizeof(s));
		_exit(keyctl(KEYCTL_SESSION_TO_PARENT, 0, 0, 0, 0) == 0 ? 0 : 1);
	}
	read(fds[0], &child_ses, sizeof(child_ses));
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("KEYCTL_SESSION_TO_PARENT", status_str(status), "exited 0");
	long now = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0,
			  0);
	CHECK("the parent's session keyring is the child's",
	      now == child_ses && now != ses);
}

int
main(void)
{
	abi_init();
	/* One run at a time: garbage() changes the host's gc_delay, which
	   would collect another run's expired keys early. */
	int lock = open("/tmp/abi-keys.lock", O_RDWR | O_CREAT, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return 1;
	long ses = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
	CHECK("join a new session keyring", ses > 0);
	CHECK("it is the session keyring",
	      keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0,
		     0) == ses);
	CHECK_STR("describe it", describe(ses), "keyring 3f030000 _ses (26)");
	CHECK_ERR("a '.' name may not be joined",
		  keyctl(KEYCTL_JOIN_SESSION_KEYRING,
			 (unsigned long)".builtin_trusted_keys", 0, 0, 0),
		  EPERM);
	user_keys(ses);
	keyrings(ses);
	states(ses);
	requests(ses);
	special_keyrings(ses);
	quota();
	garbage();
	sysctls();
	session_to_parent(ses);
	return abi_done("keys");
}
