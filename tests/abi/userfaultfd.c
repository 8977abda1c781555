/*
 * userfaultfd in MISSING mode on private anonymous memory: UFFDIO_API
 * (once), REGISTER's checks, a thread faulting on a registered page
 * sleeping until a handler thread reads the fault (poll, read) and fills
 * the page with UFFDIO_COPY or UFFDIO_ZEROPAGE, EEXIST over a present
 * page, UNREGISTER, the close of the descriptor waking a faulting
 * thread, fork's child without the registration, POISON (SIGBUS), MOVE,
 * /dev/userfaultfd.
 */
#include "abi.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096

/* <linux/userfaultfd.h>, which musl does not carry. */
#define UFFD_API 0xAA
#define UFFD_EVENT_PAGEFAULT 0x12
#define UFFD_PAGEFAULT_FLAG_WRITE 1
#define UFFDIO_REGISTER_MODE_MISSING 1
#define _UFFDIO_REGISTER 0x00
#define _UFFDIO_UNREGISTER 0x01
#define _UFFDIO_WAKE 0x02
#define _UFFDIO_COPY 0x03
#define _UFFDIO_ZEROPAGE 0x04
#define _UFFDIO_POISON 0x08
#define _UFFDIO_MOVE 0x05
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES 2
struct uffdio_move { uint64_t dst, src, len, mode; int64_t move; };
#define UFFDIO_MOVE _IOWR(UFFD_API, _UFFDIO_MOVE, struct uffdio_move)
#define UFFD_FEATURE_POISON (1ull << 14)
#define _UFFDIO_API 0x3f
struct uffdio_range { uint64_t start, len; };
struct uffdio_api { uint64_t api, features, ioctls; };
struct uffdio_register { struct uffdio_range range; uint64_t mode, ioctls; };
struct uffdio_copy { uint64_t dst, src, len, mode; int64_t copy; };
struct uffdio_zeropage {
	struct uffdio_range range;
	uint64_t mode;
	int64_t zeropage;
};
struct uffd_msg {
	uint8_t event, reserved1;
	uint16_t reserved2;
	uint32_t reserved3;
	union {
		struct {
			uint64_t flags, address;
			uint32_t ptid;
		} pagefault;
		uint64_t reserved[3];
	} arg;
} __attribute__((packed));
#define UFFDIO_API _IOWR(UFFD_API, _UFFDIO_API, struct uffdio_api)
#define UFFDIO_REGISTER \
	_IOWR(UFFD_API, _UFFDIO_REGISTER, struct uffdio_register)
#define UFFDIO_UNREGISTER _IOR(UFFD_API, _UFFDIO_UNREGISTER, struct uffdio_range)
#define UFFDIO_COPY _IOWR(UFFD_API, _UFFDIO_COPY, struct uffdio_copy)
#define UFFDIO_ZEROPAGE \
	_IOWR(UFFD_API, _UFFDIO_ZEROPAGE, struct uffdio_zeropage)
#define UFFDIO_POISON _IOWR(UFFD_API, _UFFDIO_POISON, struct uffdio_zeropage)
#define USERFAULTFD_IOC_NEW _IO(UFFD_API, 0x00)
#ifndef SYS_userfaultfd
#define SYS_userfaultfd 323
#endif

static int uffd;
static char *area;

static int
new_uffd(int flags)
{
	return (int)syscall(SYS_userfaultfd, flags);
}

static int
api(int fd)
{
	struct uffdio_api a = { .api = UFFD_API };
	return ioctl(fd, UFFDIO_API, &a);
}

static int
register_range(int fd, void *start, size_t len, uint64_t mode,
    uint64_t *ioctls)
{
	struct uffdio_register r = {
		.range = { .start = (uintptr_t)start, .len = len }, .mode = mode,
	};
	int e = ioctl(fd, UFFDIO_REGISTER, &r);
	if (ioctls)
		*ioctls = r.ioctls;
	return e;
}

/* The handler: one fault read (after poll), answered by COPY of 'X'
 * pages or by ZEROPAGE; the message's flags and page offset are kept. */
static volatile uint64_t seen_flags, seen_offset;
static volatile int seen_event;
static int answer_zero;

static void *
handler(void *arg)
{
	(void)arg;
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	poll(&pfd, 1, -1);
	struct uffd_msg msg;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return NULL;
	seen_event = msg.event;
	seen_flags = msg.arg.pagefault.flags;
	seen_offset = msg.arg.pagefault.address - (uintptr_t)area;
	if (answer_zero) {
		struct uffdio_zeropage z = {
			.range = { .start = msg.arg.pagefault.address, .len = PAGE },
		};
		ioctl(uffd, UFFDIO_ZEROPAGE, &z);
		return NULL;
	}
	static char source[PAGE] __attribute__((aligned(PAGE)));
	memset(source, 'X', sizeof(source));
	struct uffdio_copy c = {
		.dst = msg.arg.pagefault.address, .src = (uintptr_t)source,
		.len = PAGE,
	};
	ioctl(uffd, UFFDIO_COPY, &c);
	return NULL;
}

static void
test_checks(void)
{
	CHECK_ERR("userfaultfd with an unknown flag", new_uffd(0x10), EINVAL);
	int fd = new_uffd(O_CLOEXEC | O_NONBLOCK);
	CHECK("userfaultfd", fd >= 0);
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_ERR("REGISTER before UFFDIO_API",
	    register_range(fd, p, PAGE, UFFDIO_REGISTER_MODE_MISSING, NULL),
	    EINVAL);
	struct uffd_msg msg;
	CHECK_ERR("read before UFFDIO_API", read(fd, &msg, sizeof(msg)), EINVAL);
	struct uffdio_api a = { .api = 0x55 };
	CHECK_ERR("UFFDIO_API with a wrong number", ioctl(fd, UFFDIO_API, &a),
	    EINVAL);
	a.api = UFFD_API;
	a.features = 0;
	CHECK_OK("UFFDIO_API", ioctl(fd, UFFDIO_API, &a));
	uint64_t want = (1ull << _UFFDIO_REGISTER) |
	    (1ull << _UFFDIO_UNREGISTER) | (1ull << _UFFDIO_API);
	CHECK_EQ("its ioctls", a.ioctls & want, want);
	CHECK_ERR("UFFDIO_API again", api(fd), EINVAL);
	CHECK_ERR("read with nothing to read", read(fd, &msg, sizeof(msg)),
	    EAGAIN);
	CHECK_ERR("read of less than a message", read(fd, &msg, 8), EINVAL);
	CHECK_ERR("REGISTER with no mode",
	    register_range(fd, p, PAGE, 0, NULL), EINVAL);
	CHECK_ERR("REGISTER of an unaligned range",
	    register_range(fd, p + 1, PAGE, UFFDIO_REGISTER_MODE_MISSING, NULL),
	    EINVAL);
	CHECK_ERR("REGISTER of an empty range",
	    register_range(fd, p, 0, UFFDIO_REGISTER_MODE_MISSING, NULL),
	    EINVAL);
	uint64_t ioctls = 0;
	CHECK_OK("REGISTER", register_range(fd, p, 2 * PAGE,
	    UFFDIO_REGISTER_MODE_MISSING, &ioctls));
	want = (1ull << _UFFDIO_WAKE) | (1ull << _UFFDIO_COPY) |
	    (1ull << _UFFDIO_ZEROPAGE);
	CHECK_EQ("the range's ioctls", ioctls & want, want);
	int other = new_uffd(O_CLOEXEC);
	api(other);
	CHECK_ERR("REGISTER by another userfaultfd",
	    register_range(other, p, PAGE, UFFDIO_REGISTER_MODE_MISSING, NULL),
	    EBUSY);
	close(other);

	static char source[PAGE] __attribute__((aligned(PAGE)));
	memset(source, 'S', sizeof(source));
	struct uffdio_copy c = {
		.dst = (uintptr_t)p, .src = (uintptr_t)source, .len = PAGE,
	};
	CHECK_OK("COPY with no fault waiting", ioctl(fd, UFFDIO_COPY, &c));
	CHECK_EQ("its count", c.copy, PAGE);
	CHECK_EQ("the page holds the copy", p[100], 'S');
	CHECK_ERR("COPY over a present page", ioctl(fd, UFFDIO_COPY, &c),
	    EEXIST);
	CHECK_EQ("its count", c.copy, -EEXIST);
	c.dst = (uintptr_t)p + 1;
	CHECK_ERR("COPY to an unaligned address", ioctl(fd, UFFDIO_COPY, &c),
	    EINVAL);
	struct uffdio_range r = { .start = (uintptr_t)p, .len = 2 * PAGE };
	CHECK_OK("UNREGISTER", ioctl(fd, UFFDIO_UNREGISTER, &r));
	p[PAGE] = 1;	/* an ordinary fault now */
	CHECK_EQ("the page after UNREGISTER", p[PAGE], 1);
	munmap(p, 2 * PAGE);

	char path[] = "/tmp/abi-uffd-XXXXXX";
	int file = mkstemp(path);
	unlink(path);
	ftruncate(file, PAGE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, file, 0);
	CHECK_ERR("REGISTER of a file mapping",
	    register_range(fd, p, PAGE, UFFDIO_REGISTER_MODE_MISSING, NULL),
	    EINVAL);
	munmap(p, PAGE);
	close(file);
	close(fd);
}

/* A thread's fault answered by the handler thread; returns the byte it
 * then found at offset 5 of page 1 (after writing it, if write). */
static int
handled_fault(bool write, bool zero)
{
	uffd = new_uffd(O_CLOEXEC);
	api(uffd);
	area = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	register_range(uffd, area, 2 * PAGE, UFFDIO_REGISTER_MODE_MISSING,
	    NULL);
	answer_zero = zero;
	seen_event = 0;
	pthread_t t;
	pthread_create(&t, NULL, handler, NULL);
	if (write)
		area[PAGE + 5] = 'W';
	int c = *(volatile char *)&area[PAGE + 5];
	pthread_join(t, NULL);
	close(uffd);
	munmap(area, 2 * PAGE);
	return c;
}

static void
test_faults(void)
{
	CHECK_EQ("a read fault answered by COPY", handled_fault(false, false),
	    'X');
	CHECK_EQ("its event", seen_event, UFFD_EVENT_PAGEFAULT);
	CHECK_EQ("its flags", seen_flags, 0);
	CHECK_EQ("its page", seen_offset, PAGE);
	CHECK_EQ("a write fault answered by ZEROPAGE",
	    handled_fault(true, true), 'W');
	CHECK_EQ("its flags", seen_flags & UFFD_PAGEFAULT_FLAG_WRITE,
	    UFFD_PAGEFAULT_FLAG_WRITE);
}

/* The handler reads the fault, then closes the descriptor: the faulting
 * thread goes on with a fresh page. */
static void *
closer(void *arg)
{
	(void)arg;
	struct uffd_msg msg;
	read(uffd, &msg, sizeof(msg));
	close(uffd);
	return NULL;
}

static void
test_close_and_fork(void)
{
	uffd = new_uffd(O_CLOEXEC);
	api(uffd);
	area = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	register_range(uffd, area, PAGE, UFFDIO_REGISTER_MODE_MISSING, NULL);
	pid_t pid = abi_fork();
	if (pid == 0)
		_exit(area[7] == 0 ? 0 : 1);
	CHECK_STR("a fork's child faults without the handler",
	    status_str(abi_wait(pid)), "exited 0");
	pthread_t t;
	pthread_create(&t, NULL, closer, NULL);
	CHECK_EQ("a fault after the close reads zero", area[9], 0);
	pthread_join(t, NULL);
	munmap(area, PAGE);
}

/* The handler poisons the faulting page: the fault ends in SIGBUS. */
static sigjmp_buf bus_jump;
static volatile int bus_seen;

static void
on_bus(int sig)
{
	(void)sig;
	bus_seen = 1;
	siglongjmp(bus_jump, 1);
}

static void *
poisoner(void *arg)
{
	(void)arg;
	struct uffd_msg msg;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return NULL;
	struct uffdio_zeropage z = {
		.range = { .start = msg.arg.pagefault.address, .len = PAGE },
	};
	ioctl(uffd, UFFDIO_POISON, &z);
	return NULL;
}

static void
test_poison(void)
{
	uffd = new_uffd(O_CLOEXEC);
	struct uffdio_api a = { .api = UFFD_API, .features = UFFD_FEATURE_POISON };
	CHECK_OK("UFFDIO_API with UFFD_FEATURE_POISON",
	    ioctl(uffd, UFFDIO_API, &a));
	area = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ioctls = 0;
	register_range(uffd, area, PAGE, UFFDIO_REGISTER_MODE_MISSING, &ioctls);
	CHECK("the range takes POISON", ioctls & (1ull << _UFFDIO_POISON));
	signal(SIGBUS, on_bus);
	pthread_t t;
	pthread_create(&t, NULL, poisoner, NULL);
	if (sigsetjmp(bus_jump, 1) == 0)
		(void)*(volatile char *)area;
	pthread_join(t, NULL);
	CHECK_EQ("a poisoned page faults with SIGBUS", bus_seen, 1);
	close(uffd);
	bus_seen = 0;
	if (sigsetjmp(bus_jump, 1) == 0)
		(void)*(volatile char *)area;
	CHECK_EQ("and still does once the descriptor is closed", bus_seen, 1);
	signal(SIGBUS, SIG_DFL);
	munmap(area, PAGE);
}

/* MOVE: a page of the handler's moves under the faulting address. */
static char *source_page;

static void *
mover(void *arg)
{
	(void)arg;
	struct uffd_msg msg;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return NULL;
	struct uffdio_move m = {
		.dst = msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1),
		.src = (uintptr_t)source_page, .len = PAGE,
	};
	ioctl(uffd, UFFDIO_MOVE, &m);
	return NULL;
}

static void
test_move(void)
{
	uffd = new_uffd(O_CLOEXEC);
	api(uffd);
	area = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	source_page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ioctls = 0;
	register_range(uffd, area, 2 * PAGE, UFFDIO_REGISTER_MODE_MISSING,
	    &ioctls);
	CHECK("the range takes MOVE", ioctls & (1ull << _UFFDIO_MOVE));
	memset(source_page, 'M', PAGE);
	pthread_t t;
	pthread_create(&t, NULL, mover, NULL);
	CHECK_EQ("a fault answered by MOVE", *(volatile char *)&area[3], 'M');
	pthread_join(t, NULL);
	CHECK_EQ("the source is empty now", source_page[3], 0);
	struct uffdio_move m = {
		.dst = (uintptr_t)area, .src = (uintptr_t)source_page,
		.len = PAGE,
	};
	CHECK_ERR("MOVE onto a present page", ioctl(uffd, UFFDIO_MOVE, &m),
	    EEXIST);
	m.dst = (uintptr_t)area + PAGE;
	m.src = (uintptr_t)source_page + PAGE;
	CHECK_ERR("MOVE of a hole", ioctl(uffd, UFFDIO_MOVE, &m), ENOENT);
	m.mode = UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES;
	CHECK_OK("MOVE of a hole with ALLOW_SRC_HOLES",
	    ioctl(uffd, UFFDIO_MOVE, &m));
	CHECK_EQ("its count", m.move, PAGE);
	close(uffd);
	munmap(area, 2 * PAGE);
	munmap(source_page, 2 * PAGE);
}

static void
test_dev(void)
{
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	CHECK("open /dev/userfaultfd", dev >= 0);
	int fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
	CHECK("USERFAULTFD_IOC_NEW", fd >= 0);
	CHECK_OK("its UFFDIO_API", api(fd));
	close(fd);
	close(dev);
}

int
main(void)
{
	abi_init();
	test_checks();
	test_faults();
	test_close_and_fork();
	test_poison();
	test_move();
	test_dev();
	return abi_done("userfaultfd");
}
