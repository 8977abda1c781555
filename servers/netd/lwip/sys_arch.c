/*
 * lwIP's port layer for netd (NO_SYS): the millisecond clock (a virtual
 * one in host test builds), random numbers from getrandom(), diagnostics,
 * RFC 6528 initial sequence numbers and the Internet checksum. netd is
 * single-threaded, so nothing here takes a lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "petrel_lwip_hooks.h"

static uint8_t rand_pool[256];
static size_t rand_left;	/* unread bytes at the end of rand_pool */
static uint64_t rand_fallback_state;

static uint64_t
clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#ifdef PETREL_LWIP_HOST
uint32_t petrel_lwip_virtual_ms;

u32_t
sys_now(void)
{
	return petrel_lwip_virtual_ms;
}
#else
/*
 * lwIP's clock, read once per turn of netd's loop rather than at each of
 * lwIP's sys_now() calls: each read is a system call, and a turn asked
 * for the time about six times. Milliseconds within a turn do not matter
 * to lwIP's timers.
 */
static u32_t now_ms;

void
petrel_lwip_clock_update(void)
{
	now_ms = (u32_t)(clock_ns() / 1000000u);
}

u32_t
sys_now(void)
{
	return now_ms;
}
#endif

void
petrel_lwip_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void
petrel_lwip_assert(const char *msg, const char *file, int line)
{
	fprintf(stderr, "lwip: assertion \"%s\" failed at %s:%d\n", msg, file,
	    line);
	abort();
}

/*
 * Fills buf from getrandom(). Should the kernel lack it, a SipHash of the
 * clock stands in: weak, but netd keeps working, and it says so once.
 */
static void
rand_fill(uint8_t *buf, size_t len)
{
	static int warned;
	size_t done = 0;
	uint8_t key[16];

	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno != EINTR)
			break;
	}
	if (done == len)
		return;
	if (!warned) {
		fprintf(stderr, "netd: getrandom failed; weak randomness\n");
		warned = 1;
	}
	for (; done < len; done += 8) {
		uint64_t x;

		rand_fallback_state += clock_ns() ^ (uint64_t)getpid();
		memcpy(key, &rand_fallback_state, 8);
		memcpy(key + 8, &done, 8);
		x = petrel_siphash24(key, &rand_fallback_state, 8);
		memcpy(buf + done, &x, len - done < 8 ? len - done : 8);
	}
}

uint32_t
petrel_lwip_rand(void)
{
	uint32_t r;

	if (rand_left < sizeof(r)) {
		rand_fill(rand_pool, sizeof(rand_pool));
		rand_left = sizeof(rand_pool);
	}
	memcpy(&r, rand_pool + sizeof(rand_pool) - rand_left, sizeof(r));
	rand_left -= sizeof(r);
	return r;
}

#define ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13) ^ v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17) ^ v[2];
	v[2] = ROTL64(v[2], 32);
}

static uint64_t
load_le64(const uint8_t *p, size_t len)
{
	uint64_t x = 0;

	for (size_t i = 0; i < len; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

static void
sip_absorb(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

uint64_t
petrel_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = load_le64(key, 8), k1 = load_le64(key + 8, 8);
	uint64_t v[4] = {
		k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
		k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull,
	};
	size_t whole = len & ~(size_t)7;

	for (size_t i = 0; i < whole; i += 8)
		sip_absorb(v, load_le64(p + i, 8));
	sip_absorb(v, ((uint64_t)len << 56) | load_le64(p + whole, len & 7));
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Appends an address's bytes (4 or 16) to buf; returns the new length. */
static size_t
isn_put_addr(uint8_t *buf, size_t at, const ip_addr_t *addr)
{
	if (IP_IS_V6(addr)) {
		memcpy(buf + at, ip_2_ip6(addr)->addr, 16);
		return at + 16;
	}
	memcpy(buf + at, &ip_2_ip4(addr)->addr, 4);
	return at + 4;
}

/*
 * The ISN's clock. Host tests let virtual time pass
 * (petrel_lwip_virtual_ms), so there it runs ahead by that too, as
 * sys_now() does.
 */
static uint64_t
isn_clock_ns(void)
{
#ifdef PETREL_LWIP_HOST
	return clock_ns() + (uint64_t)petrel_lwip_virtual_ms * 1000000u;
#else
	return clock_ns();
#endif
}

u32_t
petrel_lwip_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
    const ip_addr_t *remote_ip, u16_t remote_port)
{
	static uint8_t key[16];
	static int keyed;
	uint8_t tuple[2 * 16 + 2 * 2];
	size_t len = 0;

	if (!keyed) {
		rand_fill(key, sizeof(key));
		keyed = 1;
	}
	len = isn_put_addr(tuple, len, local_ip);
	len = isn_put_addr(tuple, len, remote_ip);
	memcpy(tuple + len, &local_port, 2);
	memcpy(tuple + len + 2, &remote_port, 2);
	len += 4;
	return (u32_t)(petrel_siphash24(key, tuple, len) +
	    isn_clock_ns() / 4000u);
}

/* a + b in one's complement: the carry out of bit 63 comes back in. */
static inline uint64_t
sum_add(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;

	return s + (s < b);
}

static inline uint64_t
sum_load(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

/*
 * lwIP's LWIP_CHKSUM: the one's complement sum of len bytes as 16-bit
 * words in memory order, folded, not inverted. Every received segment is
 * summed before TCP looks at it (QEMU's user networking leaves checksums
 * to the guest), so this takes eight bytes per addition where lwIP's own
 * takes two. The sum of the 64-bit words folds to the sum of their
 * 16-bit ones, whatever the alignment (x86 loads unaligned words).
 */
u16_t
petrel_lwip_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t sum = 0, tail = 0;

	for (; len >= 32; p += 32, len -= 32) {
		sum = sum_add(sum, sum_load(p));
		sum = sum_add(sum, sum_load(p + 8));
		sum = sum_add(sum, sum_load(p + 16));
		sum = sum_add(sum, sum_load(p + 24));
	}
	for (; len >= 8; p += 8, len -= 8)
		sum = sum_add(sum, sum_load(p));
	if (len > 0) {
		memcpy(&tail, p, (size_t)len);	/* zero-padded, as lwIP pads */
		sum = sum_add(sum, tail);
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16_t)sum;
}
