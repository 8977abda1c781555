/*
 * Building response heads, access-log lines and dates without printf:
 * they are only strings and decimal numbers, and these appenders cost a
 * small part of what vsnprintf's format parsing and stdio plumbing do on
 * every request.
 */
#include "httpd.h"

#include <string.h>

/*
 * Appends len bytes of s to sb. What does not fit is cut, and one byte of
 * sb->size is never used, so the text is cut exactly where snprintf into
 * the same buffer cut it.
 */
void
strbuf_add(struct strbuf *sb, const char *s, size_t len)
{
	size_t room = sb->size - 1 - sb->len;

	if (len > room)
		len = room;
	memcpy(sb->data + sb->len, s, len);
	sb->len += len;
}

/* Appends value in decimal, zero-padded to at least width digits. */
void
strbuf_uint_pad(struct strbuf *sb, uint64_t value, size_t width)
{
	char digits[20];	/* 2^64 - 1 has 20 */
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	while (sizeof(digits) - n < width && n > 0)
		digits[--n] = '0';
	strbuf_add(sb, digits + n, sizeof(digits) - n);
}

/* Appends value in decimal, as %llu would. */
void
strbuf_uint(struct strbuf *sb, uint64_t value)
{
	strbuf_uint_pad(sb, value, 1);
}
