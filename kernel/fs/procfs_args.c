/*
 * /proc/PID/cmdline and /proc/PID/environ: read from the process's own
 * memory, where exec put the strings (vm->arg_start...), at each read, as
 * Linux's get_mm_cmdline and environ_read. A program that rewrites its
 * argv (setproctitle: nginx's "nginx: worker process", postgres, sshd)
 * is shown as it wrote it. A zombie, or a process between exec's new
 * address space and its stack, shows nothing. Big lock held.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/vfs.h>
#include <kernel/refcount.h>
#include <kernel/string.h>
#include <kernel/kmalloc.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include "procfs_int.h"

/* The address space of the process f is of, with a reference (a page
 * may sleep, and the process exit meanwhile); NULL once it has exited. */
static struct vm *
args_vm(struct file *f)
{
	struct proc *p = proc_find(procfs_node_pid(f->inode));
	if (!p || p->state != PROC_ALIVE || !p->vm)
		return NULL;
	ref_get(&p->vm->refcount);
	return p->vm;
}

/* Up to len bytes at va into buf, a page at a time, as far as they can be
 * read (Linux's access_remote_vm): the count read. */
static size_t
remote_read(struct vm *vm, vaddr_t va, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t n = MIN(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		if (vm_access(vm, va, (char *)buf + done, n, false) < 0)
			break;
		va += n;
		done += n;
	}
	return done;
}

/*
 * The argument area's last byte is not a NUL: the program wrote a title
 * over it (setproctitle), maybe into the environment. Linux then shows
 * the first string from the area's start, within a page, its NUL
 * included if there is one.
 */
static long
proctitle_read(struct vm *vm, void *buf, size_t len, uint64_t off)
{
	if (off >= PAGE_SIZE)
		return 0;
	char *page = kmalloc(PAGE_SIZE);
	if (!page)
		return -ENOMEM;
	size_t got = remote_read(vm, vm->arg_start, page, PAGE_SIZE);
	size_t n = strnlen(page, got);
	if (n < got)
		n++;
	long r = 0;
	if (n > off) {
		r = (long)MIN(n - off, len);
		memcpy(buf, page + off, (size_t)r);
	}
	kfree(page);
	return r;
}

/* Linux's get_mm_cmdline: [arg_start, arg_end), or the title. */
static long
cmdline_bytes(struct vm *vm, void *buf, size_t len, uint64_t off)
{
	vaddr_t arg_start = vm->arg_start, arg_end = vm->arg_end;
	vaddr_t env_start = vm->env_start, env_end = vm->env_end;
	if (arg_start >= arg_end)
		return 0;
	/* A title may run on into the environment, if that follows. */
	if (env_start != arg_end || env_end < env_start)
		env_end = arg_end;
	uint64_t size = env_end - arg_start;
	if (off >= size)
		return 0;
	len = (size_t)MIN(len, size - off);
	char last = 0;
	if (remote_read(vm, arg_end - 1, &last, 1) == 1 && last)
		return proctitle_read(vm, buf, len, off);
	if (off >= arg_end - arg_start)
		return 0;
	len = (size_t)MIN(len, arg_end - arg_start - off);
	return (long)remote_read(vm, arg_start + off, buf, len);
}

/* Linux's environ_read: [env_start, env_end) as it is now. */
static long
environ_bytes(struct vm *vm, void *buf, size_t len, uint64_t off)
{
	vaddr_t start = vm->env_start, end = vm->env_end;
	if (!end || off >= end - start)
		return 0;
	len = (size_t)MIN(len, end - start - off);
	return (long)remote_read(vm, start + off, buf, len);
}

static long
args_read(struct file *f, void *buf, size_t len, uint64_t *off,
	  long (*bytes)(struct vm *, void *, size_t, uint64_t))
{
	struct vm *vm = args_vm(f);
	if (!vm)
		return 0;
	long r = bytes(vm, buf, len, *off);
	vm_put(vm);
	if (r > 0)
		*off += (uint64_t)r;
	return r;
}

static long
cmdline_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	return args_read(f, buf, len, off, cmdline_bytes);
}

/* environ is the process's to read (Linux: PTRACE_MODE_READ at open),
 * and a zombie's cannot be opened (Linux's mm_access: ESRCH). */
static int
environ_open(struct file *f)
{
	struct proc *p = proc_find(procfs_node_pid(f->inode));
	if (!p)
		return -ENOENT;
	if (p->state != PROC_ALIVE || !p->vm)
		return -ESRCH;
	return proc_may_access(current()->proc, p) ? 0 : -EACCES;
}

static long
environ_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	return args_read(f, buf, len, off, environ_bytes);
}

static const struct file_ops cmdline_fops = {
	.read = cmdline_read,
	.seekable = true,
};

static const struct file_ops environ_fops = {
	.open = environ_open,
	.read = environ_read,
	.seekable = true,
};

const struct file_ops *
procfs_args_fops(enum pkind kind)
{
	return kind == P_PID_CMDLINE ? &cmdline_fops :
	       kind == P_PID_ENVIRON ? &environ_fops : NULL;
}
