/*
 * Landlock's layers, shared by landlock.c (the calls, network and scope
 * checks) and landlock_fs.c (the file-system checks).
 */
#ifndef LANDLOCK_INT_H
#define LANDLOCK_INT_H

#include <kernel/types.h>

struct inode;

/* A rule: rights on an inode (a reference) and what lies beneath it, or
 * on a TCP port (inode NULL). */
struct landlock_rule {
	struct inode *inode;
	uint16_t port;
	uint64_t access;
};

/* What one ruleset handles, and its rules. */
struct landlock_layer {
	uint64_t handled_fs, handled_net, scoped;
	struct landlock_rule *rules;
	unsigned nrules;
};

/*
 * One layer of a domain, above the layers of parent; depth counts them
 * (1 for the first). Never changes once made; freed with the last
 * reference (threads and UNIX sockets hold them). Big lock.
 */
struct landlock_domain {
	int refcount;
	struct landlock_domain *parent;
	unsigned depth;
	struct landlock_layer layer;
};

#endif
