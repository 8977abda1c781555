/*
 * The key retention service (kernel/linux/keys.c, keyctl.c) as the rest
 * of the kernel sees it: the keyrings a process and a thread hold, what
 * fork, exec and exit do to them, and the quotas of
 * /proc/sys/kernel/keys. Big lock held.
 */
#ifndef KERNEL_KEYS_H
#define KERNEL_KEYS_H

#include <kernel/types.h>

struct proc;
struct thread;

/* /proc/sys/kernel/keys: Linux's defaults, root may set them. */
extern unsigned key_quota_maxkeys, key_quota_maxbytes;
extern unsigned key_quota_root_maxkeys, key_quota_root_maxbytes;
extern unsigned key_gc_delay;

/* A new process (not a thread) shares its parent's session keyring and
 * request_key default, and has no process keyring yet. Does not sleep. */
void keys_fork(struct proc *child, struct proc *parent);
/* exec: the thread and process keyrings go, the session keyring stays. */
void keys_exec(struct proc *p, struct thread *t);
/* t exits: its thread keyring goes. */
void keys_thread_exit(struct thread *t);
/* p's last thread is gone: its process and session keyrings go. */
void keys_proc_exit(struct proc *p);

/* /proc/key-users: a line per user with keys, as Linux's, handed to
 * emit in turn. */
typedef void (*keys_emit_fn)(void *ctx, const char *line);
void keys_list_users(keys_emit_fn emit, void *ctx);

#endif
