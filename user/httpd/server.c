/*
 * The listening sockets and the one event loop: epoll (level-triggered)
 * over the listeners and every connection, two timeout lists, and the
 * signals that stop the server or reopen its log. Connections are capped
 * below the descriptor limit, so those already held always have a
 * descriptor for their next file; newcomers past the cap, or past the
 * limit or memory, are dropped, never the server.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* As many as the kernel grants (Linux and netd cap it at somaxconn,
   4096): a burst of clients beyond the queues loses SYNs, each sent
   again a second later (docs/performance.md §9). */
#define LISTEN_BACKLOG 4096
#define ACCEPT_BATCH 32		/* accepts per wake-up, for fairness */
#define EVENTS_MAX 64
#define PAUSE_MS 100		/* listener rest after ENOMEM or EMFILE */
/*
 * Descriptors kept from connections: stdio, epoll, the root, the log, the
 * listeners, the reserve, and one for a file being opened. Each connection
 * takes two: its socket, and the file whose body it may be sending. The
 * open-file cache gives its descriptors back as files are opened.
 */
#define FDS_FIXED 10
#define FDS_PER_CONN 2
#define FDS_WANTED 65536	/* the soft limit raised to, if allowed */

struct listener {
	enum item_kind kind;	/* ITEM_LISTENER; first, for data.ptr */
	int fd;
	int port;
	bool tls;
	bool paused;
	int64_t resume_ms;
};

/*
 * Connections wait on one of two lists, each kept in deadline order
 * because every entry of a list gets the same timeout: idle (waiting for
 * a request or for the client to take our bytes) and linger (closing).
 */
enum { LIST_IDLE, LIST_LINGER, LIST_COUNT };

struct conn_list {
	struct conn *head, *tail;
};

volatile int server_stop;
volatile int server_reopen_log;

static struct listener listeners[2];
static size_t listener_count;
static struct conn_list lists[LIST_COUNT];
static int epoll_fd = -1;
static int reserve_fd = -1;	/* given up to accept() on EMFILE */
static size_t conn_count;	/* connections being served */
static size_t conn_max = SIZE_MAX; /* past this, newcomers are turned away */
static bool no_accept4;
static int64_t server_now;
static sigset_t wait_mask;	/* the signal mask while in epoll_pwait */

static void
server_on_signal(int sig)
{
	if (sig == SIGHUP)
		server_reopen_log = 1;
	else
		server_stop = 1;
}

/*
 * SIGTERM and SIGINT stop the server, SIGHUP reopens the log. They stay
 * blocked except inside epoll_pwait(), so none is lost between a check
 * of the flags and the wait.
 */
static void
server_signals_setup(void)
{
	static const int handled[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = server_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
		sigaddset(&block, handled[i]);
		sigaction(handled[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigdelset(&wait_mask, handled[i]);
}

static void
list_remove(struct conn *c)
{
	struct conn_list *l;

	if (c->list < 0)
		return;
	l = &lists[c->list];
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->list = -1;
}

static void
list_append(struct conn *c, int list, int64_t deadline_ms)
{
	struct conn_list *l = &lists[list];

	list_remove(c);
	c->list = list;
	c->deadline_ms = deadline_ms;
	c->prev = l->tail;
	c->next = NULL;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

/* Restarts c's idle timeout: it made progress. */
void
server_touch(struct conn *c)
{
	if (c->list == LIST_IDLE)
		list_append(c, LIST_IDLE, server_now + config.idle_timeout_ms);
}

/* Gives c LINGER_MS more to close its side. */
void
server_linger(struct conn *c)
{
	list_append(c, LIST_LINGER, server_now + LINGER_MS);
}

/* Asks epoll for the events c->want names; returns 0 or -errno. */
int
server_watch(struct conn *c)
{
	struct epoll_event ev = { .events = c->want, .data.ptr = c };

	if (c->watched == c->want)
		return 0;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -errno;
	c->watched = c->want;
	return 0;
}

/* Returns the monotonic clock in ms as of this turn of the loop. */
int64_t
server_time_ms(void)
{
	return server_now;
}

/* Takes c off the loop's lists and epoll, before it is closed. */
void
server_forget(struct conn *c)
{
	conn_count--;
	list_remove(c);
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
}

/* Formats the client's address; IPv4-mapped IPv6 ones as plain IPv4. */
static void
server_peer_name(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;

	snprintf(buf, size, "-");
	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)size);
	} else if (ss->ss_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], buf,
			    (socklen_t)size);
		else
			inet_ntop(AF_INET6, &sin6->sin6_addr, buf,
			    (socklen_t)size);
	}
}

/* Starts serving an accepted socket; on any failure it is just closed. */
static void
server_add(int fd, bool tls, const struct sockaddr_storage *ss)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char peer[INET6_ADDRSTRLEN];
	struct conn *c;
	int one = 1;

	/* Heads and bodies go out as written: no Nagle wait for an ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	server_peer_name(ss, peer, sizeof(peer));
	c = conn_new(fd, tls, peer);
	if (c == NULL) {
		close(fd);
		return;
	}
	conn_count++;		/* server_forget takes it back */
	ev.data.ptr = c;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		conn_free(c);
		return;
	}
	c->watched = EPOLLIN;
	list_append(c, LIST_IDLE, server_now + config.idle_timeout_ms);
}

/* Stops accepting on l for PAUSE_MS; the backlog waits meanwhile. */
static void
server_pause(struct listener *l)
{
	struct epoll_event ev = { .events = 0, .data.ptr = l };

	if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, l->fd, &ev) == 0) {
		l->paused = true;
		l->resume_ms = server_now + PAUSE_MS;
	}
}

/*
 * Out of file descriptors: accept the next client with the reserved one
 * and close it at once, so the listener does not stay readable forever
 * and the client learns at once instead of timing out.
 */
static void
server_shed(struct listener *l)
{
	int fd;

	if (reserve_fd < 0) {
		server_pause(l);
		return;
	}
	close(reserve_fd);
	fd = accept(l->fd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	reserve_fd = open("/", O_RDONLY | O_CLOEXEC);
}

/* accept4(), or accept() and fcntl() where the kernel lacks it. */
static int
server_accept_one(int lfd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);
	int fd;

	if (!no_accept4) {
		fd = accept4(lfd, (struct sockaddr *)ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		no_accept4 = true;
	}
	fd = accept(lfd, (struct sockaddr *)ss, &len);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		close(fd);
		errno = ECONNABORTED;
		return -1;
	}
	return fd;
}

static void
server_accept(struct listener *l)
{
	struct sockaddr_storage ss;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		memset(&ss, 0, sizeof(ss));
		fd = server_accept_one(l->fd, &ss);
		if (fd >= 0) {
			/* Past the cap the newest goes: the others keep
			   the descriptors their files need. */
			if (conn_count >= conn_max)
				close(fd);
			else
				server_add(fd, l->tls, &ss);
			continue;
		}
		switch (errno) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
			return;
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
		case EPERM:
			continue;
		case EMFILE:
		case ENFILE:
			server_shed(l);
			return;
		default:	/* ENOMEM, ENOBUFS, or worse: rest a while */
			server_pause(l);
			return;
		}
	}
}

/*
 * Raises the descriptor limit to FDS_WANTED, the hard one too where
 * permitted (root), else the soft one as far as the hard one allows, and
 * sets the connection cap from the result; with no limit to read there
 * is no cap, and EMFILE sheds newcomers at accept.
 */
static void
server_fd_limit(void)
{
	struct rlimit rl;
	rlim_t fds;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	/* Root may raise the hard limit too (Linux's default is 4,096:
	 * 2,043 connections); anyone else keeps theirs. */
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < FDS_WANTED) {
		struct rlimit want = { FDS_WANTED, FDS_WANTED };
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want;
	}
	if (rl.rlim_cur < FDS_WANTED && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < FDS_WANTED ? rl.rlim_max :
		    FDS_WANTED;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	fds = rl.rlim_cur;
	if (fds == RLIM_INFINITY)
		return;
	conn_max = fds > FDS_FIXED + FDS_PER_CONN ?
	    (size_t)((fds - FDS_FIXED) / FDS_PER_CONN) : 1;
}

/* Returns a socket of family bound to addr (NULL: any) and port, or -errno. */
static int
server_socket(int family, const char *addr, int port, bool v6only)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int fd, one = 1, only6 = v6only ? 1 : 0, err;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		sin->sin_port = htons((uint16_t)port);
		if (addr != NULL &&
		    inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			return -EINVAL;
	} else {
		sin6->sin6_port = htons((uint16_t)port);
		if (addr != NULL &&
		    inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			return -EINVAL;
	}
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Dual stack where the stack has it; a failure leaves the default. */
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only6,
		    sizeof(only6));
	if (bind(fd, (struct sockaddr *)&ss, family == AF_INET ?
	    sizeof(*sin) : sizeof(*sin6)) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Opens a listening socket as -4, -6 and -b ask; by default IPv6 "::"
 * taking IPv4 too, or IPv4 0.0.0.0 on a stack without IPv6.
 */
static int
server_listen(int port)
{
	const char *addr = config.bind_addr;
	struct in6_addr probe;
	int fd;

	if (config.family == 4)
		return server_socket(AF_INET, addr, port, false);
	if (config.family == 6)
		return server_socket(AF_INET6, addr, port, true);
	if (addr != NULL)
		return server_socket(inet_pton(AF_INET6, addr, &probe) == 1 ?
		    AF_INET6 : AF_INET, addr, port, false);
	fd = server_socket(AF_INET6, NULL, port, false);
	if (fd >= 0 || fd == -EADDRINUSE || fd == -EACCES)
		return fd;
	return server_socket(AF_INET, NULL, port, false);
}

/* Returns the port fd is bound to (the kernel's choice for port 0). */
static int
server_bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int
server_add_listener(int port, bool tls)
{
	struct listener *l = &listeners[listener_count];
	int fd;

	fd = server_listen(port);
	if (fd < 0) {
		say("cannot listen on port %d: %s", port, strerror(-fd));
		return fd;
	}
	l->kind = ITEM_LISTENER;
	l->fd = fd;
	l->tls = tls;
	l->port = server_bound_port(fd);
	listener_count++;
	return 0;
}

/*
 * Opens the listeners (plain, and TLS when configured), prints the one
 * "listening" line, forks the other workers (-w), then opens this
 * process's epoll over the listeners. Returns 0 or a negative errno.
 */
int
server_open(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	size_t i;
	int err;

	server_signals_setup();
	server_fd_limit();
	err = server_add_listener(config.port, false);
	if (err == 0 && config.tls_port >= 0)
		err = server_add_listener(config.tls_port, true);
	if (err < 0)
		return err;
	if (listener_count == 2)
		say("listening on port %d, TLS port %d", listeners[0].port,
		    listeners[1].port);
	else
		say("listening on port %d", listeners[0].port);
	err = workers_start();
	if (err < 0)
		return err;
	server_now = clock_ms();
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd < 0) {
		say("epoll_create1: %s", strerror(errno));
		return -errno;
	}
	reserve_fd = open("/", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < listener_count; i++) {
		ev.data.ptr = &listeners[i];
		if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listeners[i].fd,
		    &ev) < 0) {
			say("epoll_ctl: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* Milliseconds until the next deadline, or -1 for none. */
static int
server_timeout(void)
{
	int64_t next = INT64_MAX;
	size_t i;

	for (i = 0; i < LIST_COUNT; i++)
		if (lists[i].head != NULL && lists[i].head->deadline_ms < next)
			next = lists[i].head->deadline_ms;
	for (i = 0; i < listener_count; i++)
		if (listeners[i].paused && listeners[i].resume_ms < next)
			next = listeners[i].resume_ms;
	if (next == INT64_MAX)
		return -1;
	if (next <= server_now)
		return 0;
	return next - server_now > 60000 ? 60000 : (int)(next - server_now);
}

/* Closes the connections past their deadline, resumes rested listeners. */
static void
server_expire(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	size_t i;

	for (i = 0; i < LIST_COUNT; i++)
		while (lists[i].head != NULL &&
		    lists[i].head->deadline_ms <= server_now)
			conn_free(lists[i].head);
	for (i = 0; i < listener_count; i++) {
		if (!listeners[i].paused || listeners[i].resume_ms > server_now)
			continue;
		ev.data.ptr = &listeners[i];
		if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listeners[i].fd,
		    &ev) == 0)
			listeners[i].paused = false;
	}
	if (reserve_fd < 0)
		reserve_fd = open("/", O_RDONLY | O_CLOEXEC);
}

static void
server_reopen(void)
{
	int err;

	server_reopen_log = 0;
	err = log_open(config.log_path);
	if (err < 0)
		say("%s: %s", config.log_path, strerror(-err));
}

/* Drops every connection; their unfinished responses are logged. */
static void
server_close_all(void)
{
	size_t i;

	for (i = 0; i < LIST_COUNT; i++)
		while (lists[i].head != NULL)
			conn_free(lists[i].head);
}

/* The event loop; returns when a signal asks the server to stop. */
void
server_run(void)
{
	struct epoll_event events[EVENTS_MAX];
	enum item_kind *kind;
	int i, n;

	while (!server_stop) {
		if (server_reopen_log)
			server_reopen();
		log_flush();
		n = epoll_pwait(epoll_fd, events, EVENTS_MAX, server_timeout(),
		    &wait_mask);
		if (n < 0 && errno != EINTR) {
			say("epoll_pwait: %s", strerror(errno));
			break;
		}
		server_now = clock_ms();
		log_tick();
		for (i = 0; i < n; i++) {
			kind = events[i].data.ptr;
			if (*kind == ITEM_LISTENER)
				server_accept((struct listener *)kind);
			else
				conn_run((struct conn *)kind);
		}
		server_expire();
	}
	server_close_all();
	log_flush();
}
