/*
 * How late timed sleeps end, for tests/system/sleep-precision.py
 * (docs/kernel.md, "Threads, scheduling, time"): COUNT sleeps of US
 * microseconds each by CALL (nanosleep, poll, select or epoll: an empty
 * epoll instance's wait), each timed with CLOCK_MONOTONIC around the
 * call, as LTP's timer tests do, and the timer interrupts (/proc/
 * interrupts' LOC line, every CPU) taken over all of them. Prints
 *
 *   sleepprec: CALL US us x COUNT: median N p99 N max N ns late,
 *     early N, interrupts N.NN a sleep
 *
 * (one line). A sleep that ends before its time is a bug: exit 1.
 *
 *   sleepprec CALL US COUNT
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define COUNT_MAX 10000

static uint64_t late[COUNT_MAX];
static int epfd = -1;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The timer interrupts of every CPU so far, or 0 if unknown. */
static uint64_t
timer_interrupts(void)
{
	char buf[8192], *line;
	int fd = open("/proc/interrupts", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	uint64_t sum = 0;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	line = strstr(buf, "LOC:");
	if (!line)
		return 0;
	for (char *p = line + 4;;) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		sum += v;
		p = end;
	}
	return sum;
}

/* One sleep of us microseconds by call; 0, or -1 if the call failed. */
static int
sleep_once(const char *call, long us)
{
	if (!strcmp(call, "nanosleep")) {
		struct timespec ts = { us / 1000000, us % 1000000 * 1000 };
		return nanosleep(&ts, NULL);
	}
	if (!strcmp(call, "poll"))	/* whole ms, as LTP's poll02 */
		return poll(NULL, 0, (int)(us / 1000));
	if (!strcmp(call, "select")) {
		struct timeval tv = { us / 1000000, us % 1000000 };
		return select(0, NULL, NULL, NULL, &tv);
	}
	if (!strcmp(call, "epoll")) {
		struct epoll_event ev;
		return epoll_wait(epfd, &ev, 1, (int)(us / 1000));
	}
	return -1;
}

static int
compare(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: sleepprec CALL US COUNT\n");
		return 1;
	}
	const char *call = argv[1];
	long us = atol(argv[2]);
	int count = atoi(argv[3]), early = 0;
	if (us <= 0 || count <= 0 || count > COUNT_MAX) {
		fprintf(stderr, "sleepprec: bad US or COUNT\n");
		return 1;
	}
	epfd = epoll_create1(0);
	uint64_t irq_before = timer_interrupts();
	for (int i = 0; i < count; i++) {
		uint64_t start = now_ns();
		if (sleep_once(call, us) < 0) {
			perror("sleepprec: the sleep");
			return 1;
		}
		uint64_t took = now_ns() - start;
		if (took < (uint64_t)us * 1000) {
			early++;
			took = (uint64_t)us * 1000;
		}
		late[i] = took - (uint64_t)us * 1000;
	}
	uint64_t irqs = timer_interrupts() - irq_before;
	qsort(late, (size_t)count, sizeof(late[0]), compare);
	printf("sleepprec: %s %ld us x %d: median %llu p99 %llu max %llu ns "
	       "late, early %d, interrupts %.2f a sleep\n", call, us, count,
	       (unsigned long long)late[count / 2],
	       (unsigned long long)late[count * 99 / 100],
	       (unsigned long long)late[count - 1], early,
	       (double)irqs / count);
	return early ? 1 : 0;
}
