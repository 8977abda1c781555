/*
 * The service table: the entries of /etc/petrel/services, then the console
 * shell or the one-shot command. Starts them in file order at boot,
 * restarts the respawn ones with a back-off, and tells the one-shot code
 * when the command ends.
 *
 * The services file, one service a line:
 *
 *	NAME  KIND  PROGRAM [ARG...]
 *
 * NAME is a label for messages (up to 31 bytes). KIND is "once" (start it),
 * "wait" (start it and let it finish before the next line starts) or
 * "respawn" (start it and restart it whenever it exits). PROGRAM is run
 * with the ARGs, searched in PATH when it has no '/'. Words are separated by
 * blanks; there is no quoting (use a script for anything fancier). Blank
 * lines and lines whose first non-blank character is '#' are ignored.
 */
#include "init.h"

#include <petrel/native.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct service services[SERVICES_MAX];
static int services_count;
static int boot_next;	      /* first entry not yet started at boot */
static bool services_stopping; /* shutting down: restart nothing */
/* The text of the services file; file entries' argv point into it. */
static char services_text[8192];

/* Returns a new zeroed entry named NAME, or NULL when the table is full. */
struct service *
services_add(const char *name)
{
	struct service *svc;

	if (services_count == SERVICES_MAX) {
		say("too many services, %s dropped", name);
		return NULL;
	}
	svc = &services[services_count++];
	memset(svc, 0, sizeof(*svc));
	snprintf(svc->name, sizeof(svc->name), "%s", name);
	svc->dir = "/";
	return svc;
}

/* The entry named NAME read so far, or NULL. */
static struct service *
service_named(const char *name)
{
	for (int i = 0; i < services_count; i++)
		if (strcmp(services[i].name, name) == 0)
			return &services[i];
	return NULL;
}

static int
kind_parse(const char *word, enum service_kind *kind)
{
	if (strcmp(word, "once") == 0)
		*kind = SERVICE_ONCE;
	else if (strcmp(word, "wait") == 0)
		*kind = SERVICE_WAIT;
	else if (strcmp(word, "respawn") == 0)
		*kind = SERVICE_RESPAWN;
	else
		return -1;
	return 0;
}

/* Splits LINE in place into words; returns how many, at most MAX. */
static int
words_split(char *line, char **words, int max)
{
	int count = 0;
	char *word;

	while ((word = strsep(&line, " \t")) != NULL) {
		if (*word == '\0')
			continue;
		if (count == max)
			return max + 1;
		words[count++] = word;
	}
	return count;
}

/* Adds the entry on LINE (number LINENO) of the services file PATH. */
static void
line_parse(const char *path, int lineno, char *line)
{
	char *words[SERVICE_MAX_ARGS + 2];
	enum service_kind kind;
	struct service *svc;
	int count, i;

	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return;
	count = words_split(line, words, SERVICE_MAX_ARGS + 2);
	if (count < 3) {
		say("%s:%d: want NAME KIND PROGRAM [ARG...]", path, lineno);
		return;
	}
	if (count > SERVICE_MAX_ARGS + 2) {
		say("%s:%d: more than %d arguments", path, lineno,
		    SERVICE_MAX_ARGS - 1);
		return;
	}
	if (strlen(words[0]) >= SERVICE_NAME_MAX) {
		say("%s:%d: name longer than %d bytes", path, lineno,
		    SERVICE_NAME_MAX - 1);
		return;
	}
	if (kind_parse(words[1], &kind) < 0) {
		say("%s:%d: kind '%s' is not once, wait or respawn", path,
		    lineno, words[1]);
		return;
	}
	/*
	 * Options before the program: device=CLASS, serve=ROUTE, mount=PATH,
	 * needs=NAME (an earlier entry).
	 */
	const char *device = NULL, *serve = NULL, *mount = NULL, *needs = NULL;
	int first = 2;
	for (; first < count && strchr(words[first], '=') &&
	       words[first][0] != '/'; first++) {
		if (strncmp(words[first], "device=", 7) == 0 &&
		    device_class_valid(words[first] + 7)) {
			device = words[first] + 7;
		} else if (strncmp(words[first], "serve=", 6) == 0 &&
			   route_valid(words[first] + 6)) {
			serve = words[first] + 6;
		} else if (strncmp(words[first], "mount=", 6) == 0 &&
			   words[first][6] == '/' && !serve) {
			mount = words[first] + 6;
		} else if (strncmp(words[first], "needs=", 6) == 0) {
			needs = words[first] + 6;
			if (service_named(needs) == NULL) {
				say("%s:%d: needs %s: no earlier entry of that "
				    "name", path, lineno, needs);
				return;
			}
		} else {
			say("%s:%d: unknown option '%s'", path, lineno, words[first]);
			return;
		}
	}
	if (first == count) {
		say("%s:%d: no program", path, lineno);
		return;
	}
	svc = services_add(words[0]);
	if (svc == NULL)
		return;
	svc->kind = kind;
	svc->device = device;
	svc->serve = serve;
	svc->mount = mount;
	svc->needs = needs;
	for (i = first; i < count; i++)
		svc->args[i - first] = words[i];
	svc->argv = svc->args;
	svc->path = svc->args[0];
}

/*
 * Reads the services file at PATH into the table. A missing file means no
 * services; other problems are reported and the rest of the file still
 * counts.
 */
void
services_load(const char *path)
{
	size_t len = 0;
	char *line, *next;
	ssize_t n;
	int fd, lineno = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (errno != ENOENT)
			say("%s: %s", path, strerror(errno));
		return;
	}
	while (len < sizeof(services_text) - 1) {
		n = read(fd, services_text + len,
		    sizeof(services_text) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			say("%s: %s", path, strerror(errno));
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == sizeof(services_text) - 1)
		say("%s: only the first %zu bytes are read", path, len);
	services_text[len] = '\0';

	for (line = services_text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line_parse(path, ++lineno, line);
	}
}

/*
 * A service's stdout and stderr go to /var/log/NAME.log, not the console:
 * the console belongs to the shell or the one-shot command.
 */
static void
log_output(const struct service *svc)
{
	char path[64];
	if (init_test_mode)
		return;
	mkdir("/var", 0755);
	mkdir(LOG_DIR, 0755);
	snprintf(path, sizeof(path), "%s/%s.log", LOG_DIR, svc->name);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/*
 * The one-shot command was given a device or a route: services that want
 * the same are not started (the command is testing its own driver/server).
 */
void
services_yield_to(const struct service *command)
{
	for (int i = 0; i < services_count; i++) {
		struct service *svc = &services[i];
		if (svc == command)
			continue;
		if ((command->device && svc->device &&
		     strcmp(command->device, svc->device) == 0) ||
		    (command->serve && svc->serve &&
		     strcmp(command->serve, svc->serve) == 0))
			svc->given_up = true;
	}
}

/* In the child: sets up its session, stdio and directory, then runs it. */
static void __attribute__((noreturn))
service_exec(const struct service *svc)
{
	sigset_t none;
	int fd, err;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (svc->console && !init_test_mode) {
		console_take();
		trace_arm();
	} else if (!svc->console) {
		/* Daemons must not read what is typed at the shell. */
		fd = open("/dev/null", O_RDONLY);
		if (fd > STDIN_FILENO) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		log_output(svc);
	}
	if (!init_test_mode && chdir(svc->dir) < 0)
		say("%s: chdir %s: %s", svc->name, svc->dir, strerror(errno));
	execvp(svc->path, svc->argv);
	err = errno;
	say("%s: cannot run %s: %s", svc->name, svc->path, strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

static void service_ended(struct service *svc, int status, int64_t now);

/* True if init runs a one-shot command, whose console is its own. */
static bool
command_running(void)
{
	for (int i = 0; i < services_count; i++)
		if (services[i].command)
			return true;
	return false;
}

static void
service_start(struct service *svc, int64_t now)
{
	pid_t pid;

	int device = -1;

	svc->restart_pending = false;
	svc->started_ms = now;
	if (svc->needs && service_named(svc->needs)->absent) {
		/* As its need, it has nothing to work with: no message. */
		svc->absent = true;
		svc->given_up = true;
		return;
	}
	if (svc->device && (device = device_find(svc->device)) < 0) {
		/* A machine without the device is normal; a one-shot
		   command's output must stay the command's alone. */
		if (svc->command || !command_running())
			say("%s: no %s device; not started", svc->name,
			    svc->device);
		if (svc->command)
			oneshot_finish(1 << 8);
		svc->absent = true;
		svc->given_up = true;
		return;
	}
	int server = 0, client = 0;
	if (svc->serve && (server = route_prepare(svc->serve)) < 0) {
		say("%s: cannot serve %s: %s", svc->name, svc->serve,
		    strerror(-server));
		server = 0;
	}
	if (svc->mount && (server = mount_prepare(&client)) < 0) {
		say("%s: cannot serve %s: %s", svc->name, svc->mount,
		    strerror(-server));
		server = 0;
	}
	pid = fork();
	if (pid == 0) {
		int e = device >= 0 ? device_pass(device) : 0;
		if (e < 0) {
			say("%s: cannot open its %s: %s", svc->name, svc->device,
			    strerror(-e));
			_exit(126);
		}
		if (server > 0 && (e = route_pass(server)) < 0) {
			say("%s: cannot serve %s: %s", svc->name,
			    svc->serve ? svc->serve : svc->mount, strerror(-e));
			_exit(126);
		}
		service_exec(svc);
	}
	if (server > 0)
		pt_handle_close(server);	/* the child holds it now */
	if (pid < 0) {
		say("%s: fork: %s", svc->name, strerror(errno));
		service_ended(svc, 127 << 8, now);
		return;
	}
	svc->pid = pid;
	if (client > 0) {
		int e = mount_attach(svc->mount, client);
		if (e < 0)
			say("%s: cannot mount %s: %s", svc->name, svc->mount,
			    strerror(-e));
		else
			svc->mounted = true;
	}
}

/* Decides what follows a respawn service's exit: restart, later or never. */
static void
respawn_plan(struct service *svc, int64_t now)
{
	if (now - svc->window_ms >= RESPAWN_WINDOW_MS) {
		svc->window_ms = now;
		svc->restarts = 0;
	}
	if (++svc->restarts > RESPAWN_BURST) {
		if (svc->console) {
			/* Never leave the machine without a shell. */
			say("%s keeps exiting; next try in %d s", svc->name,
			    RESPAWN_WINDOW_MS / 1000);
			svc->window_ms = now + RESPAWN_WINDOW_MS;
			svc->restarts = 0;
			svc->restart_pending = true;
			svc->restart_ms = now + RESPAWN_WINDOW_MS;
			return;
		}
		say("%s: %d restarts in %d s; giving up", svc->name,
		    RESPAWN_BURST, RESPAWN_WINDOW_MS / 1000);
		svc->given_up = true;
		return;
	}
	svc->restart_pending = true;
	svc->restart_ms = now;
	if (now - svc->started_ms < RESPAWN_MIN_LIFE_MS)
		svc->restart_ms = now + RESPAWN_DELAY_MS;
}

static void
service_ended(struct service *svc, int status, int64_t now)
{
	svc->pid = 0;
	if (services_stopping)
		return;
	if (svc->command)
		oneshot_finish(status);
	if (!svc->quiet && (svc->kind == SERVICE_RESPAWN || status != 0)) {
		if (WIFSIGNALED(status))
			say("%s: killed by signal %d", svc->name,
			    WTERMSIG(status));
		else
			say("%s: exited with status %d", svc->name,
			    exit_code(status));
	}
	if (svc->kind == SERVICE_RESPAWN)
		respawn_plan(svc, now);
}

/* Records the end of process PID, whether it is a service or an orphan. */
void
services_exited(pid_t pid, int status, int64_t now)
{
	int i;

	for (i = 0; i < services_count; i++)
		if (services[i].pid == pid) {
			service_ended(&services[i], status, now);
			return;
		}
}

/*
 * Starts what is due at NOW: the next boot entries, in file order, up to
 * and including a "wait" entry still running; then the restarts whose
 * back-off is over.
 */
void
services_tick(int64_t now)
{
	struct service *svc;
	int i;

	if (services_stopping)
		return;
	while (boot_next < services_count) {
		svc = &services[boot_next];
		if (!svc->boot_started) {
			svc->boot_started = true;
			if (!svc->given_up)	/* yielded to the command */
				service_start(svc, now);
		}
		if (svc->kind == SERVICE_WAIT && svc->pid != 0)
			break;
		boot_next++;
	}
	for (i = 0; i < boot_next; i++) {
		svc = &services[i];
		if (svc->restart_pending && svc->restart_ms <= now)
			service_start(svc, now);
	}
}

/* Returns the milliseconds until the next restart is due, or -1: none. */
int
services_timeout(int64_t now)
{
	int64_t soonest = -1, wait;
	int i;

	for (i = 0; i < services_count; i++) {
		if (!services[i].restart_pending)
			continue;
		wait = services[i].restart_ms - now;
		if (wait < 0)
			wait = 0;
		if (soonest < 0 || wait < soonest)
			soonest = wait;
	}
	return (int)soonest;
}

/* From now on, nothing is started or restarted. */
void
services_stop(void)
{
	services_stopping = true;
}

/* Sends SIG to the process group of every running service (host tests). */
void
services_signal(int sig)
{
	int i;

	for (i = 0; i < services_count; i++)
		if (services[i].pid > 0)
			kill(-services[i].pid, sig);
}

/* True if PID is a running mount= service (a file server). */
bool
services_is_file_server(pid_t pid)
{
	for (int i = 0; i < services_count; i++)
		if (services[i].pid == pid && pid > 0 && services[i].mount)
			return true;
	return false;
}

/* How many mount= services are running. */
int
services_file_servers(void)
{
	int n = 0;
	for (int i = 0; i < services_count; i++)
		if (services[i].pid > 0 && services[i].mount)
			n++;
	return n;
}

/* Unmounts every file server's tree: each server writes back and ends. */
void
services_unmount(void)
{
	for (int i = 0; i < services_count; i++) {
		struct service *svc = &services[i];
		if (svc->mounted && umount2(svc->mount, 0) < 0)
			say("%s: cannot unmount %s: %s", svc->name, svc->mount,
			    strerror(errno));
	}
}
