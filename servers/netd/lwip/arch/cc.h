/*
 * The compiler and C-library glue lwIP asks of a port (arch/cc.h): gcc on
 * a little-endian 64-bit target, with musl (netd) or glibc (host tests).
 * The functions declared here live in servers/netd/lwip/sys_arch.c.
 */
#ifndef PETREL_LWIP_ARCH_CC_H
#define PETREL_LWIP_ARCH_CC_H

#include <arpa/inet.h>	/* nd6.c calls htonl() by that name */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* BYTE_ORDER comes from the C library's <endian.h> (via sys/types.h). */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lwIP is configured for a little-endian target"
#endif

/* lwIP swaps header fields on every packet: one instruction each. */
#define lwip_htons(x)		((u16_t)__builtin_bswap16(x))
#define lwip_htonl(x)		((u32_t)__builtin_bswap32(x))

#define LWIP_PLATFORM_DIAG(x)	petrel_lwip_diag x
#define LWIP_PLATFORM_ASSERT(x)	petrel_lwip_assert(x, __FILE__, __LINE__)
#define LWIP_RAND()		petrel_lwip_rand()

/* Prints one diagnostic line from lwIP to stderr. */
void petrel_lwip_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Reports a failed lwIP assertion and aborts netd (init restarts it). */
void petrel_lwip_assert(const char *msg, const char *file, int line)
	__attribute__((noreturn));

/* Returns 32 random bits from the kernel's getrandom(). */
uint32_t petrel_lwip_rand(void);

/* lwIP's checksums, eight bytes at a time (sys_arch.c). */
#define LWIP_CHKSUM		petrel_lwip_chksum
uint16_t petrel_lwip_chksum(const void *data, int len);

#ifdef PETREL_LWIP_HOST
/*
 * Host test builds run lwIP on a virtual clock: sys_now() returns this,
 * and only the test moves it, so timers fire exactly when it says.
 */
extern uint32_t petrel_lwip_virtual_ms;
#endif

#endif
