/*
 * Threads through musl's pthreads (clone with CLONE_SETTLS and
 * CLONE_CHILD_CLEARTID, futex underneath): create/join with results,
 * gettid, a mutex-protected counter under contention from 4 threads,
 * condition variables, rwlocks, barriers, once, thread-local storage,
 * detached threads, pthread_kill and per-thread signal masks, shared fd
 * table and memory, and exit() from a thread ending the whole process.
 */
#include "abi.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>

enum { THREADS = 4, ROUNDS = 20000 };

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int tls_value = 5;
static __thread char tls_buffer[64];

static void *
return_arg(void *arg)
{
	return (void *)((long)arg * 2);
}

static void *
exit_arg(void *arg)
{
	pthread_exit((void *)((long)arg + 1));
}

static void
test_create_join(void)
{
	pthread_t t;
	void *result = NULL;

	CHECK_EQ("pthread_create", pthread_create(&t, NULL, return_arg,
	    (void *)21L), 0);
	CHECK_EQ("pthread_join", pthread_join(t, &result), 0);
	CHECK_EQ("thread return value", (long)result, 42);
	pthread_create(&t, NULL, exit_arg, (void *)9L);
	pthread_join(t, &result);
	CHECK_EQ("pthread_exit value", (long)result, 10);

	/* Many short-lived threads: each join needs the cleared tid. */
	int ok = 0;
	for (long i = 0; i < 50; i++) {
		if (pthread_create(&t, NULL, return_arg, (void *)i) != 0)
			break;
		pthread_join(t, &result);
		ok += (long)result == i * 2;
	}
	CHECK_EQ("50 create/join cycles", ok, 50);
}

static pid_t thread_tid, thread_pid;

static void *
record_ids(void *arg)
{
	(void)arg;
	thread_tid = syscall(SYS_gettid);
	thread_pid = getpid();
	return NULL;
}

static void
test_ids(void)
{
	pthread_t t;

	pthread_create(&t, NULL, record_ids, NULL);
	pthread_join(t, NULL);
	CHECK_EQ("thread getpid is process pid", thread_pid == getpid(), 1);
	CHECK_EQ("thread gettid differs", thread_tid != getpid(), 1);
	CHECK_EQ("thread gettid positive", thread_tid > 0, 1);
	CHECK_EQ("pthread_equal self", pthread_equal(pthread_self(),
	    pthread_self()) != 0, 1);
}

static void *
add_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
		if (i % 1000 == 0)
			sched_yield();
	}
	return NULL;
}

static void
test_mutex(void)
{
	pthread_t t[THREADS];

	counter = 0;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, add_many, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ("mutex counter", counter, THREADS * ROUNDS);

	pthread_mutex_t m;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &attr);
	CHECK_EQ("errorcheck lock", pthread_mutex_lock(&m), 0);
	CHECK_STR("errorcheck relock", errno_name(pthread_mutex_lock(&m)),
	    "EDEADLK");
	CHECK_STR("trylock held", errno_name(pthread_mutex_trylock(&m)),
	    "EBUSY");
	CHECK_EQ("errorcheck unlock", pthread_mutex_unlock(&m), 0);
	CHECK_STR("unlock unowned", errno_name(pthread_mutex_unlock(&m)),
	    "EPERM");
	pthread_mutex_destroy(&m);
}

/* A bounded queue of one slot, passed back and forth by two condvars. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t queue_empty = PTHREAD_COND_INITIALIZER;
static int queue_slot, queue_has;

static void *
producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 1000; i++) {
		pthread_mutex_lock(&queue_lock);
		while (queue_has)
			pthread_cond_wait(&queue_empty, &queue_lock);
		queue_slot = i;
		queue_has = 1;
		pthread_cond_signal(&queue_full);
		pthread_mutex_unlock(&queue_lock);
	}
	return NULL;
}

static int waiters_released;
static int release_go;

static void *
broadcast_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&queue_lock);
	while (!release_go)
		pthread_cond_wait(&queue_full, &queue_lock);
	waiters_released++;
	pthread_mutex_unlock(&queue_lock);
	return NULL;
}

static void
test_condvar(void)
{
	pthread_t t;
	long sum = 0;
	int in_order = 1;

	pthread_create(&t, NULL, producer, NULL);
	for (int i = 1; i <= 1000; i++) {
		pthread_mutex_lock(&queue_lock);
		while (!queue_has)
			pthread_cond_wait(&queue_full, &queue_lock);
		in_order &= queue_slot == i;
		sum += queue_slot;
		queue_has = 0;
		pthread_cond_signal(&queue_empty);
		pthread_mutex_unlock(&queue_lock);
	}
	pthread_join(t, NULL);
	CHECK_EQ("condvar items in order", in_order, 1);
	CHECK_EQ("condvar sum", sum, 500500);

	pthread_t w[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&w[i], NULL, broadcast_waiter, NULL);
	pthread_mutex_lock(&queue_lock);
	release_go = 1;
	pthread_cond_broadcast(&queue_full);
	pthread_mutex_unlock(&queue_lock);
	for (int i = 0; i < 3; i++)
		pthread_join(w[i], NULL);
	CHECK_EQ("broadcast released all", waiters_released, 3);

	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 20000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&queue_lock);
	int r = pthread_cond_timedwait(&queue_empty, &queue_lock, &deadline);
	pthread_mutex_unlock(&queue_lock);
	CHECK_STR("cond_timedwait times out", errno_name(r), "ETIMEDOUT");
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t barrier;
static int barrier_serial;
static int once_count;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
once_fn(void)
{
	once_count++;
}

static void *
barrier_thread(void *arg)
{
	(void)arg;
	pthread_once(&once, once_fn);
	int r = pthread_barrier_wait(&barrier);
	if (r == PTHREAD_BARRIER_SERIAL_THREAD)
		__atomic_fetch_add(&barrier_serial, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_rdlock(&rw);
	pthread_rwlock_unlock(&rw);
	return NULL;
}

static void
test_rwlock_barrier_once(void)
{
	pthread_t t[THREADS];

	CHECK_EQ("rdlock", pthread_rwlock_rdlock(&rw), 0);
	CHECK_EQ("second rdlock", pthread_rwlock_tryrdlock(&rw), 0);
	CHECK_STR("trywrlock while read-held",
	    errno_name(pthread_rwlock_trywrlock(&rw)), "EBUSY");
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_unlock(&rw);
	CHECK_EQ("wrlock", pthread_rwlock_wrlock(&rw), 0);
	pthread_rwlock_unlock(&rw);

	pthread_barrier_init(&barrier, NULL, THREADS);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, barrier_thread, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ("one barrier serial thread", barrier_serial, 1);
	CHECK_EQ("pthread_once ran once", once_count, 1);
	pthread_barrier_destroy(&barrier);
}

static void *
tls_thread(void *arg)
{
	long id = (long)arg;
	int fresh = tls_value == 5 && tls_buffer[0] == '\0';

	tls_value = 100 + id;
	snprintf(tls_buffer, sizeof(tls_buffer), "thread %ld", id);
	sched_yield();
	int kept = tls_value == 100 + id;
	char want[64];
	snprintf(want, sizeof(want), "thread %ld", id);
	kept &= strcmp(tls_buffer, want) == 0;
	return (void *)(long)(fresh && kept);
}

static void
test_tls(void)
{
	pthread_t t[THREADS];
	int ok = 0;

	tls_value = 77;
	strcpy(tls_buffer, "main");
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, tls_thread, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		ok += (long)r;
	}
	CHECK_EQ("threads saw fresh, private TLS", ok, THREADS);
	CHECK_EQ("main TLS untouched", tls_value, 77);
	CHECK_STR("main TLS buffer", tls_buffer, "main");
}

static volatile int detached_done;

static void *
detached_thread(void *arg)
{
	(void)arg;
	__atomic_store_n(&detached_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static volatile sig_atomic_t usr1_in_thread;
static pthread_t main_thread;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_in_thread = !pthread_equal(pthread_self(), main_thread) ? 2 : 1;
}

static void *
wait_for_usr1(void *arg)
{
	(void)arg;
	while (!usr1_in_thread)
		sched_yield();
	return NULL;
}

static int shared_fd = -1;

static void *
open_file(void *arg)
{
	shared_fd = open((const char *)arg, O_RDWR | O_CREAT | O_TRUNC, 0600);
	return NULL;
}

static void
test_misc(void)
{
	pthread_t t;
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	CHECK_EQ("create detached", pthread_create(&t, &attr, detached_thread,
	    NULL), 0);
	while (!__atomic_load_n(&detached_done, __ATOMIC_SEQ_CST))
		sched_yield();
	CHECK_EQ("detached thread ran", detached_done, 1);

	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_JOINABLE);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	CHECK_EQ("create with stack size", pthread_create(&t, &attr,
	    return_arg, (void *)1L), 0);
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);

	/* A signal sent to one thread runs its handler in that thread. */
	main_thread = pthread_self();
	signal(SIGUSR1, on_usr1);
	pthread_create(&t, NULL, wait_for_usr1, NULL);
	CHECK_EQ("pthread_kill", pthread_kill(t, SIGUSR1), 0);
	pthread_join(t, NULL);
	CHECK_EQ("handler ran in the target thread", usr1_in_thread, 2);
	signal(SIGUSR1, SIG_DFL);

	/* Threads share the fd table. */
	char path[64];
	abi_tmpname(path, sizeof(path), "thread");
	pthread_create(&t, NULL, open_file, path);
	pthread_join(t, NULL);
	CHECK_EQ("fd opened in thread usable in main",
	    write(shared_fd, "abc", 3), 3);
	close(shared_fd);
	unlink(path);
}

static int *volatile null_pointer;

static void *
exit_process(void *arg)
{
	(void)arg;
	exit(4);
}

static void *
sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void
test_exit_from_thread(void)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		pthread_t t1, t2;
		alarm(ABI_WATCHDOG);
		pthread_create(&t1, NULL, sleep_forever, NULL);
		pthread_create(&t2, NULL, exit_process, NULL);
		for (;;)
			pause();
	}
	CHECK_STR("exit() in a thread ends the process",
	    status_str(abi_wait(pid)), "exited 4");

	pid = abi_fork();
	if (pid == 0) {
		pthread_t t;
		alarm(ABI_WATCHDOG);
		pthread_create(&t, NULL, sleep_forever, NULL);
		*null_pointer = 0;
		_exit(1);
	}
	CHECK_STR("fault with threads kills all", status_str(abi_wait(pid)),
	    "killed by SIGSEGV");
}

int
main(void)
{
	abi_init();
	test_create_join();
	test_ids();
	test_mutex();
	test_condvar();
	test_rwlock_barrier_once();
	test_tls();
	test_misc();
	test_exit_from_thread();
	return abi_done("thread");
}
