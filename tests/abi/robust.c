/*
 * Robust futexes: a robust mutex whose owner dies is handed to the next
 * locker with EOWNERDEAD (the kernel walks the dead thread's
 * set_robust_list list at its exit), whether the owner was another
 * process sharing the mutex or a thread that exited. (A waiter blocked
 * when the owner dies is woken by the kernel, but musl's lock then waits
 * again even on Linux, so that case is not compared here.)
 */
#include "abi.h"

#include <pthread.h>
#include <sys/mman.h>

/* pthread_mutex_lock's answer by name. */
static const char *
lock_result(pthread_mutex_t *m)
{
	int r = pthread_mutex_lock(m);
	return r == EOWNERDEAD ? "EOWNERDEAD" : errno_name(r);
}

static pthread_mutex_t *
shared_mutex(void)
{
	pthread_mutex_t *m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;

	if (m == MAP_FAILED)
		return NULL;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return m;
}

static void
test_dead_process(void)
{
	pthread_mutex_t *m = shared_mutex();
	pid_t pid = abi_fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		_exit(0);	/* dies holding it */
	}
	CHECK_STR("owner process exits", status_str(abi_wait(pid)), "exited 0");
	CHECK_STR("lock after its death", lock_result(m),
	    "EOWNERDEAD");
	CHECK_EQ("made consistent", pthread_mutex_consistent(m), 0);
	CHECK_EQ("unlock", pthread_mutex_unlock(m), 0);
	CHECK_EQ("lock again", pthread_mutex_lock(m), 0);
	pthread_mutex_unlock(m);
}

static void *
lock_and_exit(void *arg)
{
	pthread_mutex_lock(arg);
	return NULL;	/* the thread ends holding it */
}

static void
test_dead_thread(void)
{
	pthread_mutex_t *m = shared_mutex();
	pthread_t t;

	pthread_create(&t, NULL, lock_and_exit, m);
	pthread_join(t, NULL);
	CHECK_STR("lock after the owner thread exited",
	    lock_result(m), "EOWNERDEAD");
	pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);
}

int
main(void)
{
	abi_init();
	test_dead_process();
	test_dead_thread();
	return abi_done("robust");
}
