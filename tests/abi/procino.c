/*
 * /proc's inode numbers are distinct: lstat of every entry of /proc,
 * /proc/sys/kernel, /proc/self, /proc/self/fd, /proc/self/ns and /proc/1
 * gives no two the same st_ino (Linux hands each live /proc inode its
 * own). Petrel builds the number from the pid, the entry's kind and the
 * fd, and the kinds had outgrown the field the pid's bits left them.
 */
#include "abi.h"

#include <dirent.h>

#define MAX_SEEN 2048

static struct {
	ino_t ino;
	char path[96];
} seen[MAX_SEEN];
static int nseen;

static void
scan(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		CHECK("opendir", 0);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL && nseen < MAX_SEEN) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[sizeof(seen[0].path)];
		struct stat st;
		if (snprintf(path, sizeof(path), "%s/%.60s", dir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		if (lstat(path, &st) < 0)
			continue;	/* gone meanwhile (a task, an fd) */
		for (int i = 0; i < nseen; i++)
			if (seen[i].ino == st.st_ino) {
				char what[224];
				snprintf(what, sizeof(what), "%s and %s: st_ino %lu",
					 seen[i].path, path,
					 (unsigned long)st.st_ino);
				CHECK(what, 0);
			}
		seen[nseen].ino = st.st_ino;
		snprintf(seen[nseen].path, sizeof(seen[nseen].path), "%s", path);
		nseen++;
	}
	closedir(d);
}

int
main(void)
{
	abi_init();
	char self[32];
	snprintf(self, sizeof(self), "/proc/%d", (int)getpid());
	const char *dirs[] = { "/proc", "/proc/sys/kernel", self, "/proc/1",
			       "/proc/self/fd", "/proc/self/ns" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		scan(dirs[i]);
	CHECK("entries seen", nseen > 50);
	return abi_done("procino");
}
