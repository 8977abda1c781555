/*
 * Guest program for system/segfault: writes through a NULL pointer. The
 * kernel must kill it with SIGSEGV, which its parent sees as status 139.
 */
#include <stddef.h>
#include <stdio.h>

int
main(void)
{
	/*
	 * Both volatile: the compiler may neither assume the pointer is NULL
	 * (and emit a trap instead) nor drop the store.
	 */
	volatile int *volatile target = NULL;

	printf("segv: writing through NULL\n");
	fflush(stdout);
	*target = 1;
	printf("segv: still alive\n");
	return 1;
}
