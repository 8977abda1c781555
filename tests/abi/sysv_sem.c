/*
 * System V semaphores: semget's checks of nsems, SETVAL/GETVAL,
 * SETALL/GETALL, ERANGE; semop's all-or-nothing rule, IPC_NOWAIT, EFBIG,
 * E2BIG, wait-for-zero; a sleeper woken by another process's semop, by
 * IPC_RMID (EIDRM), by a signal (EINTR), semtimedop's timeout (EAGAIN);
 * GETNCNT and GETZCNT while a child waits; SEM_UNDO given back when the
 * child exits or unshares CLONE_SYSVSEM, forgotten after SETVAL;
 * IPC_STAT and IPC_SET.
 */
#include "abi.h"

#include <sys/ipc.h>
#include <sys/sem.h>
#include <sched.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int
op(int s, unsigned short num, short delta, short flags)
{
	struct sembuf b = { num, delta, flags };
	return semop(s, &b, 1);
}

static int
val(int s, int num)
{
	return semctl(s, num, GETVAL);
}

static void
test_values(void)
{
	CHECK_ERR("semget of 0 semaphores", semget(IPC_PRIVATE, 0, 0600),
	    EINVAL);
	CHECK_ERR("semget past SEMMSL", semget(IPC_PRIVATE, 32001, 0600),
	    EINVAL);
	CHECK_ERR("semget of a negative count", semget(IPC_PRIVATE, -1, 0600),
	    EINVAL);
	int s = semget(IPC_PRIVATE, 3, 0600);
	CHECK("semget of 3", s >= 0);
	CHECK_EQ("new semaphores are 0", val(s, 1), 0);
	CHECK_EQ("SETVAL", semctl(s, 1, SETVAL, (union semun){ .val = 5 }), 0);
	CHECK_EQ("GETVAL", val(s, 1), 5);
	CHECK_ERR("SETVAL past SEMVMX", semctl(s, 1, SETVAL,
	    (union semun){ .val = 32768 }), ERANGE);
	CHECK_ERR("SETVAL below 0", semctl(s, 1, SETVAL,
	    (union semun){ .val = -1 }), ERANGE);
	CHECK_ERR("GETVAL of semaphore 3", semctl(s, 3, GETVAL), EINVAL);
	unsigned short all[3] = { 7, 8, 9 }, got[3] = { 0 };
	CHECK_EQ("SETALL", semctl(s, 0, SETALL, (union semun){ .array = all }),
	    0);
	semctl(s, 0, GETALL, (union semun){ .array = got });
	CHECK("GETALL", got[0] == 7 && got[1] == 8 && got[2] == 9);
	struct semid_ds ds;
	CHECK_EQ("IPC_STAT", semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds }),
	    0);
	CHECK_EQ("sem_nsems", ds.sem_nsems, 3);
	CHECK_EQ("sem_perm.mode", ds.sem_perm.mode, 0600);
	ds.sem_perm.mode = 0640;
	semctl(s, 0, IPC_SET, (union semun){ .buf = &ds });
	semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds });
	CHECK_EQ("IPC_SET's mode", ds.sem_perm.mode, 0640);
	CHECK_ERR("a bad command", semctl(s, 0, 99), EINVAL);
	int key = 0x5e1f0002, old = semget(key, 0, 0);
	if (old >= 0)
		semctl(old, 0, IPC_RMID);
	int k = semget(key, 2, IPC_CREAT | 0600);
	CHECK("semget with a key", k >= 0);
	CHECK_ERR("asking more semaphores than it has", semget(key, 3, 0600),
	    EINVAL);
	CHECK("asking fewer finds it", semget(key, 1, 0600) == k);
	CHECK("asking 0 finds it", semget(key, 0, 0600) == k);
	semctl(k, 0, IPC_RMID);
	semctl(s, 0, IPC_RMID);
	CHECK_ERR("GETVAL after IPC_RMID", val(s, 0), EINVAL);
}

static void
test_ops(void)
{
	int s = semget(IPC_PRIVATE, 2, 0600);
	semctl(s, 0, SETVAL, (union semun){ .val = 1 });
	struct sembuf two[2] = { { 0, -1, IPC_NOWAIT }, { 1, -1, IPC_NOWAIT } };
	CHECK_ERR("all or nothing", semop(s, two, 2), EAGAIN);
	CHECK_EQ("the first was not taken", val(s, 0), 1);
	CHECK_ERR("wait for zero, IPC_NOWAIT", op(s, 0, 0, IPC_NOWAIT),
	    EAGAIN);
	CHECK_EQ("wait for zero of a zero", op(s, 1, 0, 0), 0);
	CHECK_ERR("semaphore 2 of 2", op(s, 2, 1, 0), EFBIG);
	CHECK_ERR("no operations", semop(s, two, 0), EINVAL);
	struct sembuf many[501] = { { 0 } };
	CHECK_ERR("more than SEMOPM", semop(s, many, 501), E2BIG);
	CHECK_ERR("past SEMVMX", op(s, 0, 32767, 0), ERANGE);
	CHECK_ERR("a bad address", semop(s, (void *)8, 1), EFAULT);
	struct sembuf same[2] = { { 0, 2, 0 }, { 0, -3, 0 } };
	CHECK_EQ("two operations on one semaphore", semop(s, same, 2), 0);
	CHECK_EQ("leave it at 0", val(s, 0), 0);

	pid_t child = fork();
	if (child == 0) {
		usleep(100000);
		op(s, 0, 2, 0);
		_exit(0);
	}
	CHECK_EQ("a wait woken by another's semop", op(s, 0, -2, 0), 0);
	int status;
	waitpid(child, &status, 0);

	struct timespec ts = { 0, 50000000 };
	CHECK_ERR("semtimedop times out", semtimedop(s, &(struct sembuf){ 0, -1, 0 },
	    1, &ts), EAGAIN);
	ts.tv_nsec = -1;
	CHECK_ERR("semtimedop with a bad time", semtimedop(s,
	    &(struct sembuf){ 0, -1, 0 }, 1, &ts), EINVAL);

	child = fork();
	if (child == 0) {
		op(s, 0, -1, 0);
		_exit(0);
	}
	pid_t zero = fork();
	if (zero == 0) {
		semctl(s, 1, SETVAL, (union semun){ .val = 1 });
		op(s, 1, 0, 0);
		_exit(0);
	}
	usleep(200000);
	CHECK_EQ("GETNCNT", semctl(s, 0, GETNCNT), 1);
	CHECK_EQ("GETZCNT", semctl(s, 1, GETZCNT), 1);
	semctl(s, 1, SETVAL, (union semun){ .val = 0 });
	op(s, 0, 1, 0);
	waitpid(child, &status, 0);
	waitpid(zero, &status, 0);
	CHECK_STR("both woke", status_str(status), "exited 0");
	CHECK_EQ("GETNCNT after", semctl(s, 0, GETNCNT), 0);

	child = fork();
	if (child == 0) {
		usleep(100000);
		semctl(s, 0, IPC_RMID);
		_exit(0);
	}
	CHECK_ERR("a wait woken by IPC_RMID", op(s, 0, -1, 0), EIDRM);
	waitpid(child, &status, 0);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
test_signal_and_undo(void)
{
	int s = semget(IPC_PRIVATE, 1, 0600);
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	ualarm(100000, 0);
	CHECK_ERR("a wait cut by a signal", op(s, 0, -1, 0), EINTR);
	alarm(ABI_WATCHDOG);
	signal(SIGALRM, SIG_DFL);

	semctl(s, 0, SETVAL, (union semun){ .val = 3 });
	pid_t child = fork();
	if (child == 0) {
		op(s, 0, -2, SEM_UNDO);
		op(s, 0, 4, SEM_UNDO);
		_exit(val(s, 0) == 5 ? 0 : 1);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("the child's operations", status_str(status), "exited 0");
	CHECK_EQ("SEM_UNDO gives them back at exit", val(s, 0), 3);

	child = fork();
	if (child == 0) {
		op(s, 0, -3, SEM_UNDO);
		semctl(s, 0, SETVAL, (union semun){ .val = 1 });
		_exit(0);
	}
	waitpid(child, &status, 0);
	CHECK_EQ("SETVAL clears the adjustment", val(s, 0), 1);

	child = fork();
	if (child == 0) {
		op(s, 0, 10, SEM_UNDO);
		semctl(s, 0, SETVAL, (union semun){ .val = 4 });
		op(s, 0, -4, SEM_UNDO);
		_exit(0);
	}
	waitpid(child, &status, 0);
	CHECK_EQ("after SETVAL only later adjustments count", val(s, 0), 4);

	child = fork();
	if (child == 0) {
		op(s, 0, -3, SEM_UNDO);
		if (unshare(CLONE_SYSVSEM) != 0)
			_exit(2);
		int now = val(s, 0);
		op(s, 0, -1, 0);
		_exit(now == 4 ? 0 : 1);
	}
	waitpid(child, &status, 0);
	CHECK_STR("unshare(CLONE_SYSVSEM) undoes at once", status_str(status),
	    "exited 0");
	CHECK_EQ("and nothing at exit", val(s, 0), 3);

	child = fork();
	if (child == 0) {
		op(s, 0, 1, SEM_UNDO);
		semctl(s, 0, IPC_RMID);
		_exit(0);
	}
	waitpid(child, &status, 0);
	CHECK_STR("exit after the set went", status_str(status), "exited 0");
}

static void
test_perms(void)
{
	int s = semget(IPC_PRIVATE, 1, 0604);
	pid_t child = fork();
	if (child == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(8);
		int bad = 0;
		bad |= !(val(s, 0) == 0);
		bad |= !(op(s, 0, 1, IPC_NOWAIT) == -1 && errno == EACCES) << 1;
		bad |= !(op(s, 0, 0, IPC_NOWAIT) == 0) << 2;
		bad |= !(semctl(s, 0, SETVAL, (union semun){ .val = 1 }) == -1 &&
		    errno == EACCES) << 3;
		bad |= !(semctl(s, 0, IPC_RMID) == -1 && errno == EPERM) << 4;
		_exit(bad);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("another user may read, not alter", status_str(status),
	    "exited 0");
	semctl(s, 0, IPC_RMID);
}

int
main(void)
{
	abi_init();
	test_values();
	test_ops();
	test_signal_and_undo();
	test_perms();
	return abi_done("sysv_sem");
}
