/*
 * Devices for services: a services line may say device=CLASS (virtio-net,
 * virtio-blk); the service's process alone then holds a handle to the first
 * such device, named in its environment as PETREL_DEVICE. Only init holds
 * the system handle (1) that opens devices; execve drops it in the child.
 */
#include "init.h"

#include <petrel/native.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
