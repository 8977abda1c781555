/*
 * Devices and routes for services. A services line may say device=CLASS
 * (virtio-net, virtio-blk): the service's process alone then holds a handle
 * to the first such device, named in its environment as PETREL_DEVICE. It
 * may say serve=inet: init makes a channel, routes the kernel's AF_INET and
 * AF_INET6 sockets to it, and hands the server end on as PETREL_SERVE. Only
 * init holds the system handle (1); execve drops it in the child.
 */
#include "init.h"

#include <petrel/native.h>
#include <petrel/sock.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SYSTEM_HANDLE 1

struct device_class {
	const char *name;
	uint16_t pci_modern, pci_transitional;	/* virtio PCI device IDs */
	uint16_t virtio_id;			/* virtio-mmio device ID */
};

static const struct device_class classes[] = {
	{ "virtio-net", 0x1041, 0x1000, 1 },
	{ "virtio-blk", 0x1042, 0x1001, 2 },
};

static const struct device_class *
class_find(const char *name)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(classes[i].name, name) == 0)
			return &classes[i];
	return NULL;
}

bool
device_class_valid(const char *name)
{
	return class_find(name) != NULL;
}

static bool
device_matches(const struct pt_dev_info *info, const struct device_class *c)
{
	if (info->bus == PT_BUS_MMIO)
		return info->device == c->virtio_id && info->bar[0].size;
	return info->vendor == 0x1af4 &&
	       (info->device == c->pci_modern || info->device == c->pci_transitional);
}

/* The index of the first device of the class, or -1. */
int
device_find(const char *class_name)
{
	const struct device_class *c = class_find(class_name);
	struct pt_dev_info info;
	if (!c || init_test_mode)
		return -1;
	for (unsigned i = 0; pt_dev_info(SYSTEM_HANDLE, i, &info) == 0; i++)
		if (device_matches(&info, c))
			return (int)i;
	return -1;
}

/*
 * In a service's child, before execve: opens device `index`, keeps the
 * handle across execve and names it in PETREL_DEVICE. Returns 0 or -errno.
 */
int
device_pass(int index)
{
	long h = pt_dev_open(SYSTEM_HANDLE, (unsigned)index);
	if (h < 0)
		return (int)h;
	long e = pt_handle_keep((pt_handle_t)h, PT_KEEP_ON_EXEC);
	if (e < 0)
		return (int)e;
	char text[24];
	snprintf(text, sizeof(text), "%ld", h);
	return setenv("PETREL_DEVICE", text, 1) < 0 ? -ENOMEM : 0;
}

bool
route_valid(const char *name)
{
	return strcmp(name, "inet") == 0;
}

/*
 * In init, before the service's fork: makes the channel for route `name`
 * and points the kernel's route at its client end, so that sockets made
 * from now on queue for the new server even before it runs. Returns the
 * server end (for route_pass in the child) or -errno. A restarted server
 * replaces the route; sockets of the old one fail with ECONNRESET.
 */
int
route_prepare(const char *name)
{
	pt_handle_t ends[2];
	long e;
	if (!route_valid(name))
		return -EINVAL;
	if ((e = pt_channel_create(ends)) < 0)
		return (int)e;
	e = pt_route_set(SYSTEM_HANDLE, PT_ROUTE_INET, ends[0]);
	pt_handle_close(ends[0]);	/* the kernel holds the route */
	if (e < 0) {
		pt_handle_close(ends[1]);
		return (int)e;
	}
	return ends[1];
}

/* In the child: keeps the server end across execve as PETREL_SERVE. */
int
route_pass(int server)
{
	long e = pt_handle_keep(server, PT_KEEP_ON_EXEC);
	if (e < 0)
		return (int)e;
	char text[24];
	snprintf(text, sizeof(text), "%d", server);
	return setenv("PETREL_SERVE", text, 1) < 0 ? -ENOMEM : 0;
}

/*
 * In the child of a console program (the one-shot command, the console
 * shell): when the kernel traces system calls (trace=syscalls,
 * docs/tracing.md), they are traced from its execve on, with its children.
 */
void
trace_arm(void)
{
	pt_trace_arm(SYSTEM_HANDLE);
}

/*
 * mount=PATH, before the service's fork: a channel whose server end the
 * service gets as PETREL_SERVE (route_pass); *client is kept for
 * mount_attach. Returns the server end or -errno.
 */
int
mount_prepare(int *client)
{
	pt_handle_t ends[2];
	long e = pt_channel_create(ends);
	if (e < 0)
		return (int)e;
	*client = ends[0];
	return ends[1];
}

/*
 * After the fork: makes the mount point if missing and mounts the
 * server's tree there, which waits for the server's answer to the
 * kernel's HELLO (so what starts next finds the files). A restarted
 * server's tree is reconnected in place. Closes client; 0 or -errno.
 */
int
mount_attach(const char *path, int client)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		int e = -errno;
		pt_handle_close(client);
		return e;
	}
	long e = pt_mount(SYSTEM_HANDLE, path, client, 0);
	pt_handle_close(client);	/* the kernel holds the mount's */
	return (int)e;
}
