/*
 * Petrel's httpd: the command line, start-up checks, then the event loop
 * of server.c until SIGTERM or SIGINT. Everything that can be wrong with
 * the configuration is found here, before the first client is accepted.
 */
#include "httpd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct config config = {
	.root = "/srv/www",
	.port = 80,
	.tls_port = -1,
	.idle_timeout_ms = IDLE_TIMEOUT_S * 1000,
	.workers = 1,
};

/* Returns the monotonic clock in milliseconds. */
int64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: httpd [-46q] [-p PORT] [-r ROOT] [-b ADDRESS] "
	    "[-l LOGFILE] [-t SECONDS]\n"
	    "             [-w WORKERS] [-s TLSPORT -c CERT.pem -k KEY.pem]\n");
	exit(2);
}

/* Returns the number in arg if it lies in [min, max]; exits otherwise. */
static long
number_arg(const char *arg, long min, long max, const char *what)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n < min || n > max) {
		say("bad %s: %s", what, arg);
		usage();
	}
	return n;
}

static void
parse_args(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "46b:c:k:l:p:qr:s:t:w:")) != -1) {
		switch (opt) {
		case '4':
		case '6':
			config.family = opt - '0';
			break;
		case 'b':
			config.bind_addr = optarg;
			break;
		case 'c':
			config.cert_path = optarg;
			break;
		case 'k':
			config.key_path = optarg;
			break;
		case 'l':
			config.log_path = optarg;
			break;
		case 'p':
			config.port = (int)number_arg(optarg, 0, 65535, "port");
			break;
		case 'q':
			config.quiet = true;
			break;
		case 'r':
			config.root = optarg;
			break;
		case 's':
			config.tls_port = (int)number_arg(optarg, 0, 65535,
			    "TLS port");
			break;
		case 't':
			config.idle_timeout_ms = (int)number_arg(optarg, 1,
			    INT_MAX / 1000, "timeout") * 1000;
			break;
		case 'w':
			config.workers = (int)number_arg(optarg, 1, 64,
			    "worker count");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if ((config.tls_port >= 0) !=
	    (config.cert_path != NULL && config.key_path != NULL)) {
		say("TLS needs all of -s, -c and -k");
		usage();
	}
}

int
main(int argc, char **argv)
{
	int err;

	parse_args(argc, argv);
	err = log_open(config.log_path);
	if (err < 0) {
		say("%s: %s", config.log_path, strerror(-err));
		return 1;
	}
	err = response_root_open(config.root);
	if (err < 0) {
		say("document root %s: %s", config.root, strerror(-err));
		return 1;
	}
	if (config.tls_port >= 0 &&
	    tls_setup(config.cert_path, config.key_path) < 0)
		return 1;
	if (server_open() < 0) {
		workers_stop();
		return 1;
	}
	server_run();
	workers_stop();
	return server_stop ? 0 : 1;
}
