/*
 * One-shot mode (docs/run-protocol.md): "init run ARG..." runs one command
 * on the console, writes its exit status as an APC marker the host's
 * `petrel` script picks up, and powers the machine off.
 */
#include "init.h"

#include <stdio.h>
#include <string.h>

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes S in place: "%XX" is the byte 0xXX. "%00" stands for nothing, so
 * that an empty argument can be sent as "%00". A '%' not followed by two
 * hex digits is kept as it is.
 */
static void
percent_decode(char *s)
{
	char *out = s;
	int high, low;

	while (*s != '\0') {
		if (s[0] == '%' && (high = hex_value(s[1])) >= 0 &&
		    (low = hex_value(s[2])) >= 0) {
			if (high != 0 || low != 0)
				*out++ = (char)(high << 4 | low);
			s += 3;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * Adds the command of "run ARG...": one argument is a shell command line
 * for /bin/sh -c; several are a program and its arguments. ARGV must live
 * as long as init (it is main's).
 */
void
oneshot_prepare(int argc, char **argv, const char *device, const char *serve)
{
	static char *shell_argv[] = { "sh", "-c", NULL, NULL };
	struct service *svc;
	int i;

	if (argc < 1) {
		say("run: no command given");
		oneshot_finish(2 << 8);
	}
	for (i = 0; i < argc; i++)
		percent_decode(argv[i]);
	svc = services_add("command");
	if (svc == NULL)
		oneshot_finish(127 << 8);
	svc->kind = SERVICE_ONCE;
	svc->console = true;
	svc->quiet = true;
	svc->command = true;
	if (device && device_class_valid(device))
		svc->device = device;
	else if (device)
		say("run: unknown device class '%s' ignored", device);
	if (serve && route_valid(serve))
		svc->serve = serve;
	else if (serve)
		say("run: unknown route '%s' ignored", serve);
	services_yield_to(svc);
	if (argc == 1) {
		shell_argv[2] = argv[0];
		svc->path = SHELL_PATH;
		svc->argv = shell_argv;
	} else {
		svc->path = argv[0];
		svc->argv = argv;
	}
}

/*
 * The command ended with wait STATUS: writes ESC "_petrel-exit=N" ESC "\"
 * to the console and powers off with N as the exit code of a host test.
 */
void
oneshot_finish(int status)
{
	char marker[32];
	int code = exit_code(status), len;

	len = snprintf(marker, sizeof(marker), "\033_petrel-exit=%d\033\\",
	    code);
	console_write(marker, (size_t)len);
	shutdown_system(SHUTDOWN_POWEROFF, true, code);
}
