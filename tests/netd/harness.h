/*
 * What test_sock.c's harness lends the other parts of netd's socket-core
 * host test (test_listen.c): the stack's loop and clock, and connecting.
 */
#ifndef TESTS_NETD_HARNESS_H
#define TESTS_NETD_HARNESS_H

/* Delivers looped packets until the stack is quiet. */
void pump(void);
/* Lets ms of virtual time pass, in timer-sized steps. */
void advance(unsigned ms);
/* nsock_connect() to ip:port. */
int do_connect(int id, const char *ip, int port);
/* A TCP socket of family bound to ip:port, listening with backlog. */
int listener(int family, const char *ip, int port, int backlog);
/* Connects a new client of family to ip:port and accepts it on l. */
void connect_pair(int l, int family, const char *ip, int port, int *client,
    int *server);

/* test_listen.c: listen queues; adds its checks and failures to those given. */
void test_listen_queues(int *count, int *failures);

#endif
