/*
 * What test_sock.c's harness lends the other parts of netd's socket-core
 * host test (test_sock_tcp.c, test_listen.c, test_sock_udp.c): the
 * stack's loop and clock, notifications, addresses, binding, connecting
 * and socket options.
 */
#ifndef TESTS_NETD_HARNESS_H
#define TESTS_NETD_HARNESS_H

#include <netinet/in.h>

#include "sock.h"

/* Each socket's last notified events, and how many notifications came. */
extern unsigned note_events[NSOCK_MAX];
extern unsigned note_count[NSOCK_MAX];

/* Delivers looped packets until the stack is quiet. */
void pump(void);
/* Lets ms of virtual time pass, in timer-sized steps. */
void advance(unsigned ms);
/* Socket addresses from text; a bad address fails a check. */
struct sockaddr_in addr4(const char *ip, int port);
struct sockaddr_in6 addr6(const char *ip, int port);
/* nsock_bind() to ip:port. */
int do_bind(int id, const char *ip, int port);
/* nsock_connect() to ip:port. */
int do_connect(int id, const char *ip, int port);
/* A TCP socket of family bound to ip:port, listening with backlog. */
int listener(int family, const char *ip, int port, int backlog);
/* Connects a new client of family to ip:port and accepts it on l. */
void connect_pair(int l, int family, const char *ip, int port, int *client,
    int *server);

/* An int option's value (its length checked), and setting one. */
int get_int_opt(int id, int level, int name);
int set_int_opt(int id, int level, int name, int v);

/* The parts in other files, run by main() in this order; each adds its
   checks and failures to those given. */
void test_tcp_connections(int *count, int *failures);	/* test_sock_tcp.c */
void test_listen_queues(int *count, int *failures);	/* test_listen.c */
void test_tcp_options_reuse(int *count, int *failures);	/* test_sock_tcp.c */
void test_udp_raw(int *count, int *failures);		/* test_sock_udp.c */
void test_pcb_index(int *count, int *failures);		/* test_pcb_index.c */

#endif
