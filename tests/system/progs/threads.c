/*
 * Guest program for system/threads: worker threads bump a shared counter
 * under a mutex, then drain a bounded queue that main fills, waiting on a
 * condition variable. Everything printed is the same on every run.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Workers: 4, or the first argument's number (up to WORKERS_MAX). */
#define WORKERS 4
#define WORKERS_MAX 64
#define ROUNDS 20000
#define ITEMS 1000
#define QUEUE_SIZE 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_changed = PTHREAD_COND_INITIALIZER;

/* All guarded by lock. */
static long counter;
static int queue[QUEUE_SIZE];
static int queue_head, queue_len;
static int producing_done;
static long items_sum;

static void
count_rounds(void)
{
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
}

/* Takes one item off the queue, waiting for one; 0 once the queue is done. */
static int
queue_take(void)
{
	int item = 0;

	pthread_mutex_lock(&lock);
	while (queue_len == 0 && !producing_done)
		pthread_cond_wait(&queue_changed, &lock);
	if (queue_len > 0) {
		item = queue[queue_head];
		queue_head = (queue_head + 1) % QUEUE_SIZE;
		queue_len--;
		pthread_cond_broadcast(&queue_changed);
	}
	pthread_mutex_unlock(&lock);
	return item;
}

static void
queue_put(int item)
{
	pthread_mutex_lock(&lock);
	while (queue_len == QUEUE_SIZE)
		pthread_cond_wait(&queue_changed, &lock);
	queue[(queue_head + queue_len) % QUEUE_SIZE] = item;
	queue_len++;
	pthread_cond_broadcast(&queue_changed);
	pthread_mutex_unlock(&lock);
}

/* Returns how many queue items this worker took. */
static void *
worker(void *arg)
{
	intptr_t taken = 0;
	int item;

	(void)arg;
	count_rounds();
	while ((item = queue_take()) != 0) {
		pthread_mutex_lock(&lock);
		items_sum += item;
		pthread_mutex_unlock(&lock);
		taken++;
	}
	return (void *)taken;
}

int
main(int argc, char **argv)
{
	pthread_t threads[WORKERS_MAX];
	intptr_t taken_total = 0;
	int joined = 0;
	int workers = argc > 1 ? atoi(argv[1]) : WORKERS;

	if (workers < 1 || workers > WORKERS_MAX) {
		printf("threads: 1 to %d workers\n", WORKERS_MAX);
		return 2;
	}
	for (int i = 0; i < workers; i++) {
		if (pthread_create(&threads[i], NULL, worker, NULL) != 0) {
			printf("threads: pthread_create failed\n");
			return 1;
		}
	}
	for (int item = 1; item <= ITEMS; item++)
		queue_put(item);
	pthread_mutex_lock(&lock);
	producing_done = 1;
	pthread_cond_broadcast(&queue_changed);
	pthread_mutex_unlock(&lock);

	for (int i = 0; i < workers; i++) {
		void *taken;

		if (pthread_join(threads[i], &taken) == 0) {
			joined++;
			taken_total += (intptr_t)taken;
		}
	}
	printf("threads: joined=%d\n", joined);
	printf("threads: counter=%ld\n", counter);
	printf("threads: items=%ld sum=%ld\n", (long)taken_total, items_sum);
	if (joined != workers || counter != (long)workers * ROUNDS ||
	    taken_total != ITEMS || items_sum != (long)ITEMS * (ITEMS + 1) / 2)
		return 1;
	printf("threads: ok\n");
	return 0;
}
