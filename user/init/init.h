/*
 * Petrel's init (PID 1): declarations shared by its files. main.c holds the
 * event loop and signal handling; boot.c, console.c, services.c, oneshot.c
 * and shutdown.c one subject each. docs/init.md describes the behaviour.
 *
 * Include this header first: it selects the C library's full interface.
 */
#ifndef INIT_H
#define INIT_H

#define _GNU_SOURCE

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CONSOLE_PATH "/dev/console"
#define SERVICES_PATH "/etc/petrel/services"
#define SHELL_PATH "/bin/sh"
#define ROOT_HOME "/root"
#define TTY_GID "5"		/* group tty, owner of /dev/pts/N */
#define LOG_DIR "/var/log"	/* services' output: LOG_DIR/NAME.log */

#define SERVICE_NAME_MAX 32  /* bytes, with the terminating NUL */
#define SERVICE_MAX_ARGS 16  /* program and its arguments */
#define SERVICES_MAX 32	     /* file entries plus shell or command */

/*
 * Back-off: a respawn service that dies more than RESPAWN_BURST times within
 * RESPAWN_WINDOW_MS is given up; one that lived less than RESPAWN_MIN_LIFE_MS
 * is restarted only after RESPAWN_DELAY_MS.
 */
#define RESPAWN_BURST 5
#define RESPAWN_WINDOW_MS 10000
#define RESPAWN_MIN_LIFE_MS 1000
#define RESPAWN_DELAY_MS 1000

enum service_kind {
	SERVICE_ONCE,	 /* start, never restart */
	SERVICE_WAIT,	 /* start; the next entry waits for its end */
	SERVICE_RESPAWN, /* restart whenever it exits */
};

/* One program init starts. Only the single-threaded init touches these. */
struct service {
	char name[SERVICE_NAME_MAX];
	enum service_kind kind;
	bool console; /* gets /dev/console as controlling tty and stdin */
	bool quiet;   /* its exits are not reported on the console */
	bool command; /* the one-shot command: its end powers off */
	const char *path; /* program; searched in PATH when it has no '/' */
	char **argv;
	const char *dir;  /* working directory */
	const char *device; /* device=CLASS: a device handle is passed on */
	const char *serve;  /* serve=ROUTE: it serves the kernel's sockets */
	const char *mount;  /* mount=PATH: a file server's tree goes there */
	bool mounted;	    /* its tree is (or was once) at mount */
	const char *needs;  /* needs=NAME: started only if NAME was */
	bool absent;	    /* not started: no device, or a need absent */
	char *args[SERVICE_MAX_ARGS + 1]; /* argv storage for file entries */

	pid_t pid; /* 0 when not running */
	bool boot_started;
	int64_t started_ms;
	int64_t window_ms; /* start of the current back-off window */
	int restarts;	   /* restarts inside that window */
	bool restart_pending;
	int64_t restart_ms;
	bool given_up;
};

enum shutdown_kind {
	SHUTDOWN_NONE,
	SHUTDOWN_HALT,
	SHUTDOWN_POWEROFF,
	SHUTDOWN_REBOOT,
};

/* devices.c */
bool device_class_valid(const char *name);
int device_find(const char *class_name);
int device_pass(int index);
bool route_valid(const char *name);
int route_prepare(const char *name);
void services_yield_to(const struct service *command);
int route_pass(int server);
void trace_arm(void);
int mount_prepare(int *client);
int mount_attach(const char *path, int client);

/* main.c */
extern bool init_test_mode; /* not PID 1: a host test, see docs/init.md */
extern const char *init_root; /* "" on Petrel; the test's root directory */
int64_t clock_ms(void);
bool reap_children(void);
void wait_signal(int timeout_ms);
int exit_code(int status);

/* boot.c */
void boot_system(void);

/* console.c */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *buf, size_t len);
int console_open_std(void);
void console_take(void);

/* services.c */
void services_load(const char *path);
struct service *services_add(const char *name);
void services_tick(int64_t now);
int services_timeout(int64_t now);
void services_exited(pid_t pid, int status, int64_t now);
void services_stop(void);
void services_signal(int sig);
bool services_is_file_server(pid_t pid);
int services_file_servers(void);
void services_unmount(void);

/* mounter.c */
void mounter_start(void);
void mounter_unmount_all(void);

/* oneshot.c */
void oneshot_prepare(int argc, char **argv, const char *device,
		     const char *serve);
void oneshot_finish(int status) __attribute__((noreturn));

/* shutdown.c */
void shutdown_system(enum shutdown_kind kind, bool quiet, int code)
	__attribute__((noreturn));

#endif
