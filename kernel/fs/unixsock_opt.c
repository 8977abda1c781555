/*
 * Unix socket options: setsockopt and getsockopt at SOL_SOCKET (buffer
 * sizes, timeouts, credentials, the booleans kept to be read back).
 */
#include "unixsock_int.h"
#include <kernel/sock.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/landlock.h>

/* SO_* booleans kept only to be read back: bit (name) in opt_flags. */
static bool
stored_bool(int name)
{
	return name == SO_REUSEADDR || name == SO_DONTROUTE ||
	       name == SO_BROADCAST || name == SO_KEEPALIVE ||
	       name == SO_OOBINLINE || name == SO_REUSEPORT ||
	       name == SO_PASSCRED;
}

static int
set_buf(int val, int min)
{
	unsigned v = MIN((unsigned)val, (unsigned)UNIX_BUF_MAX);
	return (int)MAX(v * 2, (unsigned)min);
}

struct timeval_k {
	int64_t sec, usec;
};

static long
set_timeout(uint64_t *ns, uaddr_t val, unsigned len)
{
	struct timeval_k tv;
	if (len < sizeof(tv))
		return -EINVAL;
	if (copyin(&tv, val, sizeof(tv)) < 0)
		return -EFAULT;
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0)
		tv.sec = tv.usec = 0;
	*ns = (uint64_t)tv.sec * 1000000000 + (uint64_t)tv.usec * 1000;
	return 0;
}

long
unix_setsockopt(struct file *f, int level, int name, uaddr_t val,
		unsigned len)
{
	struct unix_sock *s = unix_of(f);
	int v;
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (len < sizeof(int))
		return -EINVAL;
	if (copyin(&v, val, sizeof(v)) < 0)
		return -EFAULT;
	if (stored_bool(name)) {
		s->opt_flags = v ? s->opt_flags | 1 << name :
				   s->opt_flags & ~(1 << name);
		if (name == SO_PASSCRED)
			s->passcred = v != 0;
		return 0;
	}
	switch (name) {
	case SO_SNDBUF:
		s->sndbuf = set_buf(v, UNIX_SNDBUF_MIN);
		unix_changed(s);
		return 0;
	case SO_RCVBUF:
		s->rcvbuf = set_buf(v, UNIX_RCVBUF_MIN);
		return 0;
	case SO_PRIORITY:
		s->priority = v;
		return 0;
	case SO_RCVLOWAT:
		s->rcvlowat = v < 0 ? 0x7fffffff : v;
		return 0;
	case SO_LINGER:
		if (len < sizeof(s->linger))
			return -EINVAL;
		if (copyin(s->linger, val, sizeof(s->linger)) < 0)
			return -EFAULT;
		s->linger[0] = s->linger[0] != 0;
		return 0;
	case SO_RCVTIMEO:
		return set_timeout(&s->rcvtimeo, val, len);
	case SO_SNDTIMEO:
		return set_timeout(&s->sndtimeo, val, len);
	}
	return -ENOPROTOOPT;
}

long
unix_getsockopt(struct file *f, int level, int name, uaddr_t val,
		uaddr_t ulen)
{
	struct unix_sock *s = unix_of(f);
	union {
		int i;
		int two[2];
		struct timeval_k tv;
		struct unix_cred cred;
	} v = { 0 };
	unsigned size = sizeof(int);
	uint32_t room;
	if (copyin(&room, ulen, sizeof(room)) < 0)
		return -EFAULT;
	if ((int32_t)room < 0)
		return -EINVAL;
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (stored_bool(name)) {
		v.i = (s->opt_flags >> name) & 1;
	} else {
		switch (name) {
		case SO_TYPE: v.i = s->type; break;
		case SO_DOMAIN: v.i = AF_UNIX; break;
		case SO_PROTOCOL: v.i = 0; break;
		case SO_ACCEPTCONN: v.i = s->state == UNIX_LISTENING; break;
		case SO_ERROR: v.i = s->err; s->err = 0; break;
		case SO_SNDBUF: v.i = s->sndbuf; break;
		case SO_RCVBUF: v.i = s->rcvbuf; break;
		case SO_PRIORITY: v.i = s->priority; break;
		case SO_RCVLOWAT: v.i = s->rcvlowat; break;
		case SO_SNDLOWAT: v.i = 1; break;
		case SO_DEBUG: v.i = 0; break;
		case SO_LINGER:
			memcpy(v.two, s->linger, sizeof(v.two));
			size = sizeof(v.two);
			break;
		case SO_RCVTIMEO:
		case SO_SNDTIMEO: {
			uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo :
							    s->sndtimeo;
			v.tv.sec = (int64_t)(ns / 1000000000);
			v.tv.usec = (int64_t)(ns % 1000000000 / 1000);
			size = sizeof(v.tv);
			break;
		}
		case SO_PEERCRED:
			if (s->has_peercred)
				v.cred = s->peercred;
			else
				v.cred = (struct unix_cred){ 0, ~0u, ~0u };
			size = sizeof(v.cred);
			break;
		default:
			return -ENOPROTOOPT;
		}
	}
	unsigned n = MIN(room, size);
	if ((n && copyout(val, &v, n) < 0) || copyout(ulen, &n, sizeof(n)) < 0)
		return -EFAULT;
	return 0;
}
