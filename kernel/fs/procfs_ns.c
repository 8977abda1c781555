/*
 * /proc/PID/ns/NAME, the magic links to a process's namespaces, and the
 * user namespace files /proc/PID/{uid_map,gid_map,setgroups} with
 * Linux's rules for writing them (user_namespaces(7)): a map is written
 * once, by a process in the namespace or its parent, with CAP_SETUID
 * (CAP_SETGID) over the parent, or mapping only the writer's own
 * effective id (for gid_map, after setgroups was denied); and
 * /proc/PID/timens_offsets. Big lock held.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/ns.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/clock.h>
#include "procfs_int.h"

struct inode *
procfs_ns_link(int pid, int kind)
{
	struct proc *p = proc_find(pid);
	if (!p || p->state != PROC_ALIVE)
		return ERR_PTR(-ENOENT);
	if (!proc_may_access(current()->proc, p))
		return ERR_PTR(-EACCES);
	return ns_inode(ns_of(p, (enum ns_kind)kind)) ?: ERR_PTR(-ENOMEM);
}

/* Linux's show_offset: the children's time namespace's offsets. */
static void
timens_show(struct gen *g, struct proc *p)
{
	struct ns *time = ns_of(p, NS_TIME_CHILDREN);
	int64_t off[2] = { time->time.monotonic_ns, time->time.boottime_ns };
	const char *names[2] = { "monotonic", "boottime" };
	for (int i = 0; i < 2; i++) {
		int64_t sec = off[i] / (int64_t)NSEC_PER_SEC;
		int64_t nsec = off[i] % (int64_t)NSEC_PER_SEC;
		if (nsec < 0)
			sec--, nsec += NSEC_PER_SEC;
		gprintf(g, "%-10s %10ld %9ld\n", names[i], (long)sec,
			(long)nsec);
	}
}

void
procfs_userns_show(struct gen *g, struct proc *p, enum pkind kind)
{
	if (kind == P_PID_TIMENS_OFFSETS) {
		timens_show(g, p);
		return;
	}
	struct ns *user = ns_of(p, NS_USER);
	if (kind == P_PID_SETGROUPS) {
		gprintf(g, "%s\n", user->user.setgroups_denied ? "deny" : "allow");
		return;
	}
	const struct ns_id_map *map = kind == P_PID_GID_MAP ?
		&user->user.gid_map : &user->user.uid_map;
	for (unsigned i = 0; i < map->count; i++)
		gprintf(g, "%10u %10u %10u\n", map->extent[i].first,
			map->extent[i].lower_first, map->extent[i].count);
}

/* The number at *pos in text (blanks before it skipped); false if none. */
static bool
take_number(const char *text, size_t len, size_t *pos, unsigned *out)
{
	while (*pos < len && (text[*pos] == ' ' || text[*pos] == '\t'))
		(*pos)++;
	uint64_t v = 0;
	size_t start = *pos;
	while (*pos < len && text[*pos] >= '0' && text[*pos] <= '9') {
		v = v * 10 + (uint64_t)(text[(*pos)++] - '0');
		if (v > 0xffffffffu)
			return false;
	}
	*out = (unsigned)v;
	return *pos > start;
}

static bool
ranges_overlap(unsigned a, unsigned alen, unsigned b, unsigned blen)
{
	return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

/* Lines of "first lower count" into map; 0 or -EINVAL. */
static int
parse_map(const char *text, size_t len, struct ns_id_map *map)
{
	size_t pos = 0;
	map->count = 0;
	while (pos < len) {
		if (map->count == USERNS_MAP_MAX)
			return -EINVAL;
		unsigned v[3];
		for (int i = 0; i < 3; i++)
			if (!take_number(text, len, &pos, &v[i]))
				return -EINVAL;
		while (pos < len && (text[pos] == ' ' || text[pos] == '\t'))
			pos++;
		if (pos < len && text[pos++] != '\n')
			return -EINVAL;
		if (v[2] == 0 || (uint64_t)v[0] + v[2] > 0xffffffffu ||
		    (uint64_t)v[1] + v[2] > 0xffffffffu)
			return -EINVAL;
		for (unsigned i = 0; i < map->count; i++)
			if (ranges_overlap(v[0], v[2], map->extent[i].first,
					   map->extent[i].count) ||
			    ranges_overlap(v[1], v[2], map->extent[i].lower_first,
					   map->extent[i].count))
				return -EINVAL;
		map->extent[map->count].first = v[0];
		map->extent[map->count].lower_first = v[1];
		map->extent[map->count].count = v[2];
		map->count++;
	}
	return map->count ? 0 : -EINVAL;
}

/* Without CAP_SETUID over the parent: one id, the writer's own. */
static bool
own_id_only(struct proc *me, const struct ns_id_map *map, bool gid,
	    const struct ns *user)
{
	if (map->count != 1 || map->extent[0].count != 1)
		return false;
	if (gid && !user->user.setgroups_denied)
		return false;
	return map->extent[0].lower_first == (gid ? me->egid : me->euid);
}

static long
map_write(struct proc *target, bool gid, const char *text, size_t len)
{
	struct proc *me = current()->proc;
	struct ns *user = ns_of(target, NS_USER);
	struct ns_id_map *map = gid ? &user->user.gid_map : &user->user.uid_map;
	struct ns *mine = ns_of(me, NS_USER);
	if (map->count || (mine != user && mine != user->owner))
		return -EPERM;
	struct ns_id_map parsed;
	int e = parse_map(text, len, &parsed);
	if (e < 0)
		return e;
	if (!ns_admin(me, user->owner) && !own_id_only(me, &parsed, gid, user))
		return -EPERM;
	*map = parsed;
	return 0;
}

static long
setgroups_write(struct proc *target, const char *text, size_t len)
{
	struct ns *user = ns_of(target, NS_USER);
	bool deny;
	if (len >= 4 && memcmp(text, "deny", 4) == 0)
		deny = true, len -= 4;
	else if (len >= 5 && memcmp(text, "allow", 5) == 0)
		deny = false, len -= 5;
	else
		return -EINVAL;
	if (len > 1 || (len == 1 && text[strlen(deny ? "deny" : "allow")] != '\n'))
		return -EINVAL;
	if (!ns_admin(current()->proc, user))
		return -EPERM;
	/* Once a gid_map is written, or groups were denied, it stays. */
	if (user->user.gid_map.count || (user->user.setgroups_denied && !deny))
		return -EPERM;
	user->user.setgroups_denied = deny;
	return 0;
}

/* A clock's name or number at *pos: CLOCK_MONOTONIC or CLOCK_BOOTTIME,
 * any other number as it is (refused later), or -1. */
static int
take_clock(const char *text, size_t len, size_t *pos)
{
	while (*pos < len && (text[*pos] == ' ' || text[*pos] == '\t'))
		(*pos)++;
	static const struct {
		const char *name;
		int clock;
	} names[] = { { "monotonic", CLOCK_MONOTONIC },
		      { "boottime", CLOCK_BOOTTIME } };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i].name);
		if (len - *pos >= n && memcmp(text + *pos, names[i].name, n) == 0) {
			*pos += n;
			return names[i].clock;
		}
	}
	unsigned v;
	return take_number(text, len, pos, &v) && v < 64 ? (int)v : -1;
}

/*
 * Lines of "clock seconds nanoseconds" (Linux's proc_timens_set_offset):
 * the offsets of p's children's time namespace, before any process is in
 * it. The clock may not go below zero through it (ERANGE).
 */
static long
timens_write(struct proc *p, const char *text, size_t len)
{
	struct ns *time = ns_of(p, NS_TIME_CHILDREN);
	size_t pos = 0;
	while (pos < len) {
		int clock = take_clock(text, len, &pos);
		while (pos < len && (text[pos] == ' ' || text[pos] == '\t'))
			pos++;
		bool neg = pos < len && text[pos] == '-';
		pos += neg;
		unsigned sec, nsec;
		if (clock < 0 || !take_number(text, len, &pos, &sec) ||
		    !take_number(text, len, &pos, &nsec) || nsec >= NSEC_PER_SEC)
			return -EINVAL;
		while (pos < len && text[pos] != '\n')
			if (text[pos++] != ' ')
				return -EINVAL;
		pos++;
		int64_t off = (int64_t)sec * (int64_t)NSEC_PER_SEC;
		off = neg ? -off + (int64_t)nsec : off + (int64_t)nsec;
		uint64_t now = 0;
		clock_now(clock, &now);
		if (off < 0 && (uint64_t)-off > now)
			return -ERANGE;
		int e = timens_set_offset(time, clock, off);
		if (e < 0)
			return e;
	}
	return 0;
}

long
procfs_userns_write(struct proc *p, enum pkind kind, const void *buf,
		    size_t len)
{
	if (!p)
		return -ESRCH;
	if (kind == P_PID_TIMENS_OFFSETS)
		return timens_write(p, buf, len);
	if (kind == P_PID_SETGROUPS)
		return setgroups_write(p, buf, len);
	if (kind == P_PID_UID_MAP || kind == P_PID_GID_MAP)
		return map_write(p, kind == P_PID_GID_MAP, buf, len);
	return -EINVAL;
}
