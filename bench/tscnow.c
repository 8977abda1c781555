/*
 * tscnow: prints the TSC in decimal and exits, for the first-command
 * figure of docs/performance-boot.md ("The decoder"): run as the boot's
 * command (`-- run /bin/tscnow`) under -icount shift=0, the value is the
 * guest instructions from machine start to the first command's first
 * instruction. No libc, x86_64 only.
 * Build: gcc -static -nostdlib -O2 -fno-stack-protector -o tscnow tscnow.c
 */
#include "nolibc.h"

void
_start(void)
{
	unsigned lo, hi;
	char buf[24], *p = buf + sizeof(buf);

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	unsigned long v = (unsigned long)hi << 32 | lo;
	*--p = '\n';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sys3(1, 1, (long)p, buf + sizeof(buf) - p);	/* write */
	sys3(60, 0, 0, 0);				/* exit */
	for (;;)
		;
}
