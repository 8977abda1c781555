/*
 * Guest program for system/xattr-fill: user.* attributes are something
 * any user can make, so the kernel holds them to 1/32 of memory. Values
 * of 60,000 bytes on one tmpfs file fill that up to ENOSPC (after more
 * than 1 MiB and less than half of memory); removing one makes room for
 * one again; removing the file frees the rest, so as much fits again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define VALUE 60000

static char value[VALUE];

/* Sets user.0, user.1... on path until a set fails; returns how many. */
static int
fill(const char *path, int *err)
{
	char name[32];
	for (int i = 0;; i++) {
		snprintf(name, sizeof(name), "user.%d", i);
		if (setxattr(path, name, value, VALUE, 0) < 0) {
			*err = errno;
			return i;
		}
	}
}

int
main(void)
{
	const char *path = "/tmp/xattrfill";
	long mem = sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	int err = 0, n = fill(path, &err);
	printf("filled: %s\n", err == ENOSPC ? "ENOSPC" : strerror(err));
	long bytes = (long)n * VALUE;
	printf("size: %s\n", bytes > (1 << 20) && bytes < mem / 2 ?
	    "between 1 MiB and half of memory" : "wrong");
	removexattr(path, "user.0");
	printf("one removed: %s\n", setxattr(path, "user.0", value, VALUE,
	    0) == 0 ? "room for one" : strerror(errno));
	unlink(path);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	int again = fill(path, &err);
	printf("after unlink: %s\n", again == n ? "as many again" : "fewer");
	unlink(path);
	return 0;
}
