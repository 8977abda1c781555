/*
 * /proc/PID/ns/NAME, the magic links to a process's namespaces, and the
 * user namespace files /proc/PID/{uid_map,gid_map,setgroups} with
 * Linux's rules for writing them (user_namespaces(7)): a map is written
 * once, by a process in the namespace or its parent, with CAP_SETUID
 * (CAP_SETGID) over the parent, or mapping only the writer's own
 * effective id (for gid_map, after setgroups was denied). Big lock held.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/ns.h>
#include <kernel/errno.h>
#include <kernel/string.h>
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

void
procfs_userns_show(struct gen *g, struct proc *p, enum pkind kind)
{
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

long
procfs_userns_write(struct proc *p, enum pkind kind, const void *buf,
		    size_t len)
{
	if (!p)
		return -ESRCH;
	if (kind == P_PID_SETGROUPS)
		return setgroups_write(p, buf, len);
	if (kind == P_PID_UID_MAP || kind == P_PID_GID_MAP)
		return map_write(p, kind == P_PID_GID_MAP, buf, len);
	return -EINVAL;
}
