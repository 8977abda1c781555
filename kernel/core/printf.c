/*
 * Formatting for printk and friends: vsnprintk/snprintk, a printf subset.
 * Portable: no console here, so it is unit-tested on the host against libc.
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/printk.h>

#define FLAG_LEFT	0x01	/* '-': pad on the right */
#define FLAG_ZERO	0x02	/* '0': pad numbers with zeros */
#define FLAG_PLUS	0x04	/* '+': always print a sign */
#define FLAG_SPACE	0x08	/* ' ': a space where '+' would go */
#define FLAG_ALT	0x10	/* '#': 0x prefix for hex, 0 for octal */

/* The output buffer: bytes past size - 1 are counted but not stored. */
struct sink {
	char *buf;
	size_t size;
	size_t len;
};

/* One conversion's flags, width and precision (-1: none given). */
struct spec {
	unsigned flags;
	int width;
	int prec;
};

static void
put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void
put_n(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

/* n bytes, what fits of them in one copy: a byte at a time this was
 * some 10 instructions for each byte of every message. */
static void
put_str(struct sink *s, const char *str, size_t n)
{
	if (s->len + 1 < s->size)
		memcpy(s->buf + s->len, str, MIN(n, s->size - 1 - s->len));
	s->len += n;
}

/* Emits prefix (sign or 0x), zeros, then the digits, padded to the width. */
static void
put_field(struct sink *s, const struct spec *sp, const char *prefix,
    const char *digits, int ndigits)
{
	int nprefix = (int)strlen(prefix);
	int zeros = 0, pad;

	if (sp->prec > ndigits)
		zeros = sp->prec - ndigits;
	pad = sp->width - nprefix - zeros - ndigits;
	if (pad > 0 && (sp->flags & (FLAG_ZERO | FLAG_LEFT)) == FLAG_ZERO &&
	    sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FLAG_LEFT))
		put_n(s, ' ', pad);
	put_str(s, prefix, nprefix);
	put_n(s, '0', zeros);
	put_str(s, digits, ndigits);
	if (sp->flags & FLAG_LEFT)
		put_n(s, ' ', pad);
}

/*
 * Formats one integer: base 8, 10 or 16; upper selects "ABCDEF"; negative
 * only for signed conversions. The magnitude arrives already made positive.
 */
static void
put_int(struct sink *s, const struct spec *sp, unsigned long long v,
    bool negative, bool is_signed, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];	/* 2^64 in octal has 22 digits */
	int n = sizeof(tmp);
	const char *prefix = "";
	bool zero = v == 0;

	while (v != 0) {
		tmp[--n] = set[v % base];
		v /= base;
	}
	/* C: a zero value with precision 0 prints no digits. */
	if (n == (int)sizeof(tmp) && sp->prec != 0)
		tmp[--n] = '0';
	if (is_signed) {
		if (negative)
			prefix = "-";
		else if (sp->flags & FLAG_PLUS)
			prefix = "+";
		else if (sp->flags & FLAG_SPACE)
			prefix = " ";
	} else if ((sp->flags & FLAG_ALT) && base == 16 && !zero) {
		prefix = upper ? "0X" : "0x";
	} else if ((sp->flags & FLAG_ALT) && base == 8 &&
	    (n == (int)sizeof(tmp) || tmp[n] != '0')) {
		tmp[--n] = '0';
	}
	put_field(s, sp, prefix, tmp + n, (int)sizeof(tmp) - n);
}

static void
put_string(struct sink *s, const struct spec *sp, const char *str)
{
	size_t n;
	int pad;

	if (str == NULL)
		str = "(null)";
	n = sp->prec >= 0 ? strnlen(str, (size_t)sp->prec) : strlen(str);
	pad = sp->width > (int)n ? sp->width - (int)n : 0;
	if (!(sp->flags & FLAG_LEFT))
		put_n(s, ' ', pad);
	put_str(s, str, n);
	if (sp->flags & FLAG_LEFT)
		put_n(s, ' ', pad);
}

/* Reads a decimal number at *fmt, or '*' from the arguments. */
static int
read_count(const char **fmt, va_list *ap)
{
	int n = 0;

	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	while (**fmt >= '0' && **fmt <= '9') {
		if (n < 100000000)	/* saturate rather than overflow */
			n = n * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return n;
}

static const char *
read_spec(const char *fmt, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	sp->prec = -1;
	for (;; fmt++) {
		if (*fmt == '-')
			sp->flags |= FLAG_LEFT;
		else if (*fmt == '0')
			sp->flags |= FLAG_ZERO;
		else if (*fmt == '+')
			sp->flags |= FLAG_PLUS;
		else if (*fmt == ' ')
			sp->flags |= FLAG_SPACE;
		else if (*fmt == '#')
			sp->flags |= FLAG_ALT;
		else
			break;
	}
	sp->width = read_count(&fmt, ap);
	if (sp->width < 0) {	/* C: a negative '*' width means '-' */
		sp->flags |= FLAG_LEFT;
		sp->width = sp->width == -2147483647 - 1 ? 0 : -sp->width;
	}
	if (*fmt == '.') {
		fmt++;
		sp->prec = read_count(&fmt, ap);
		if (sp->prec < 0)
			sp->prec = -1;
	}
	return fmt;
}

/* Length modifiers, counted in "l"s: h = -1, hh = -2, l = 1, ll/z/j/t = 2. */
static const char *
read_length(const char *fmt, int *length)
{
	*length = 0;
	for (;; fmt++) {
		if (*fmt == 'h')
			(*length)--;
		else if (*fmt == 'l')
			(*length)++;
		else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't')
			*length = 2;
		else
			return fmt;
	}
}

static long long
arg_signed(va_list *ap, int length)
{
	if (length >= 2)
		return va_arg(*ap, long long);
	if (length == 1)
		return va_arg(*ap, long);
	if (length == -1)
		return (short)va_arg(*ap, int);
	if (length <= -2)
		return (signed char)va_arg(*ap, int);
	return va_arg(*ap, int);
}

static unsigned long long
arg_unsigned(va_list *ap, int length)
{
	if (length >= 2)
		return va_arg(*ap, unsigned long long);
	if (length == 1)
		return va_arg(*ap, unsigned long);
	if (length == -1)
		return (unsigned short)va_arg(*ap, unsigned int);
	if (length <= -2)
		return (unsigned char)va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned int);
}

/* Formats one conversion, conv being its letter (d, x, s...). */
static void
convert(struct sink *s, const struct spec *sp, int length, char conv,
    va_list *ap)
{
	struct spec psp;
	long long sv;
	unsigned long long uv;
	void *p;
	char c;

	switch (conv) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, length);
		uv = sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv;
		put_int(s, sp, uv, sv < 0, true, 10, false);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		uv = arg_unsigned(ap, length);
		put_int(s, sp, uv, false, false,
		    conv == 'u' ? 10 : conv == 'o' ? 8 : 16, conv == 'X');
		break;
	case 'p':
		/* As glibc: 0x and hex digits, "(nil)" for NULL. */
		p = va_arg(*ap, void *);
		psp = *sp;
		if (p == NULL) {
			psp.prec = -1;
			put_string(s, &psp, "(nil)");
			break;
		}
		psp.flags |= FLAG_ALT;
		put_int(s, &psp, (uintptr_t)p, false, false, 16, false);
		break;
	case 's':
		put_string(s, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		if (!(sp->flags & FLAG_LEFT))
			put_n(s, ' ', sp->width - 1);
		put(s, c);
		if (sp->flags & FLAG_LEFT)
			put_n(s, ' ', sp->width - 1);
		break;
	case '%':
		put(s, '%');
		break;
	default:
		/* Unknown conversion: show it as written, so it is seen. */
		put(s, '%');
		put(s, conv);
		break;
	}
}

/*
 * Formats fmt into buf, storing at most size - 1 characters and always a
 * terminating NUL when size > 0. Returns the length the whole output would
 * have had (as C99 vsnprintf), not counting the NUL.
 */
int
vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size, .len = 0 };
	struct spec sp;
	va_list args;
	int length;

	va_copy(args, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {	/* the run of text up to a conversion */
			const char *run = fmt;
			while (*++fmt != '\0' && *fmt != '%')
				;
			put_str(&s, run, (size_t)(fmt - run));
			continue;
		}
		fmt = read_spec(fmt + 1, &sp, &args);
		fmt = read_length(fmt, &length);
		if (*fmt == '\0')
			break;
		convert(&s, &sp, length, *fmt++, &args);
	}
	va_end(args);
	if (size > 0)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len > 0x7fffffff ? 0x7fffffff : (int)s.len;
}

/* Returns what vsnprintk returns. */
int
snprintk(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
