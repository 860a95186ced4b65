/*
 * health: is the relay able to take mail?  Every inet service of master.cf
 * must have a listening socket, and every milter of main.cf (OpenDKIM) too.
 * Sockets are looked up in /proc/net/{tcp,tcp6,unix} of the caller's network
 * namespace: no connection is made, so a health probe leaves no trace in the
 * mail log.  Reads the rendered files, so it checks what Postfix was really
 * configured with.
 */
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_ROOT = 256, OPT_MILTER, OPT_WAIT };

#define MAX_TARGETS 32
#define TCP_LISTEN  0x0A
#define UNIX_LISTEN 0x10000 /* __SO_ACCEPTCON in /proc/net/unix flags */

/* Something that must be listening: a TCP port or a unix socket path. */
struct target {
	unsigned port;  /* 0 for a unix socket */
	char what[160]; /* "master.cf service submission", "milter inet:..." */
	char path[4096];
};

struct targets {
	struct target t[MAX_TARGETS];
	size_t n;
};

static const char usage_line[] = "health [--root DIR] [--milter] [--wait SECONDS]";

static int help(void)
{
	printf("usage: %s %s\n"
	       "Exit 0 when every inet service of ROOT/etc/postfix/master.cf and every milter\n"
	       "of main.cf has a listening socket, else print what is missing and exit 1.\n"
	       "Makes no connection (nothing in the mail log).\n\n"
	       "options:\n"
	       "      --root DIR      the instance root (default /)\n"
	       "      --milter        check only the milters (used to hold Postfix back until\n"
	       "                      OpenDKIM listens)\n"
	       "      --wait SECONDS  keep checking until healthy, for up to SECONDS\n"
	       "  -h, --help          show this help\n",
	       PROG, usage_line);
	return EXIT_OK;
}

static void add_port(struct targets *ts, unsigned port, const char *kind, const char *name)
{
	if (ts->n == MAX_TARGETS)
		return;
	struct target *t = &ts->t[ts->n++];
	*t = (struct target){.port = port};
	snprintf(t->what, sizeof(t->what), "%s %s", kind, name);
}

/* TCP port of a master.cf service name ("smtp", "2525", "127.0.0.1:2525"); 0 if unknown. */
static unsigned service_port(const char *name)
{
	const char *colon = strrchr(name, ':');
	const char *p = colon ? colon + 1 : name;
	char *end;
	errno = 0;
	unsigned long n = strtoul(p, &end, 10);
	if (*p && !*end && !errno && n > 0 && n < 65536)
		return (unsigned)n;
	struct servent *se = getservbyname(p, "tcp");
	return se ? ntohs((uint16_t)se->s_port) : 0;
}

/* Every inet service of master.cf (entries start in column 1). */
static int master_cf_targets(const char *path, struct targets *ts)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("%s: health: cannot read %s: %s\n", PROG, path, strerror(errno));
		return -1;
	}
	int rc = 0;
	char line[1024];
	bool at_start = true; /* the piece read begins a physical line */
	while (!rc && fgets(line, sizeof(line), f)) {
		char name[128], type[32];
		bool piece = !at_start;
		at_start = strchr(line, '\n') != NULL;
		if (piece || line[0] == '#' || line[0] == ' ' || line[0] == '\t' ||
		    sscanf(line, "%127s %31s", name, type) != 2 || strcmp(type, "inet"))
			continue;
		unsigned port = service_port(name);
		if (port) {
			add_port(ts, port, "master.cf service", name);
			continue;
		}
		printf("%s: health: %s: no TCP port for service '%s'\n", PROG, path, name);
		rc = -1;
	}
	fclose(f);
	return rc;
}

static void add_milter(struct targets *ts, const char *milter, const char *queue_dir)
{
	if (!strncmp(milter, "inet:", 5)) {
		unsigned port = service_port(milter + 5);
		if (port)
			add_port(ts, port, "milter", milter);
		return;
	}
	const char *path = strncmp(milter, "unix:", 5) ? milter : milter + 5;
	if (ts->n == MAX_TARGETS || !*path)
		return;
	struct target *t = &ts->t[ts->n++];
	*t = (struct target){0};
	snprintf(t->what, sizeof(t->what), "milter %s", milter);
	if (path[0] == '/')
		snprintf(t->path, sizeof(t->path), "%s", path);
	else
		snprintf(t->path, sizeof(t->path), "%s/%s", queue_dir, path);
}

/* The milters of main.cf's smtpd_milters: inet:host:port, unix:path, { milter, attr=... }. */
static int main_cf_targets(const char *path, const char *root, struct targets *ts)
{
	struct cli_main_cf *mc;
	if (cli_main_cf_load(path, &mc)) {
		printf("%s: health: cannot read %s: %s\n", PROG, path, strerror(errno));
		return -1;
	}
	char queue_dir[2048], buf[4096];
	snprintf(queue_dir, sizeof(queue_dir), "%s/var/spool/postfix",
	         strcmp(root, "/") ? root : "");
	const char *q = cli_main_cf_get(mc, "queue_directory");
	if (q && q[0] == '/')
		snprintf(queue_dir, sizeof(queue_dir), "%s", q);
	const char *words[MAX_TARGETS];
	size_t n =
	    cli_split(cli_main_cf_get(mc, "smtpd_milters"), buf, sizeof(buf), words, MAX_TARGETS);
	/* attributes (name=value) and $parameter references are not milters */
	for (size_t i = 0; i < n; i++)
		if (!strchr(words[i], '=') && words[i][0] != '$')
			add_milter(ts, words[i], queue_dir);
	cli_main_cf_free(mc);
	return 0;
}

/* Mark the targets that have a listening socket in one /proc/net table. */
static void scan_proc(const char *table, const struct targets *ts, bool *ok)
{
	FILE *f = fopen(table, "r");
	if (!f)
		return; /* no IPv6 in this namespace, for instance */
	char line[512];
	bool unix_table = strstr(table, "unix") != NULL;
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (unix_table) {
			unsigned long flags;
			char path[256];
			if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %255s", &flags, path) != 2 ||
			    !(flags & UNIX_LISTEN))
				continue;
			for (size_t i = 0; i < ts->n; i++)
				if (!ts->t[i].port && !strcmp(ts->t[i].path, path))
					ok[i] = true;
			continue;
		}
		unsigned port, state;
		if (sscanf(line, "%*s %*[0-9A-Fa-f]:%x %*s %x", &port, &state) != 2 ||
		    state != TCP_LISTEN)
			continue;
		for (size_t i = 0; i < ts->n; i++)
			if (ts->t[i].port == port)
				ok[i] = true;
	}
	fclose(f);
}

/* Check every target once; with @report, say what is missing. Returns true when all listen. */
static bool check(const struct targets *ts, bool report)
{
	bool ok[MAX_TARGETS] = {false};
	scan_proc("/proc/net/tcp", ts, ok);
	scan_proc("/proc/net/tcp6", ts, ok);
	scan_proc("/proc/net/unix", ts, ok);
	bool all = true;
	for (size_t i = 0; i < ts->n; i++) {
		if (ok[i])
			continue;
		all = false;
		if (!report)
			continue;
		if (ts->t[i].port)
			printf("%s: health: nothing listens on port %u (%s)\n", PROG, ts->t[i].port,
			       ts->t[i].what);
		else
			printf("%s: health: nothing listens on %s (%s)\n", PROG, ts->t[i].path,
			       ts->t[i].what);
	}
	return all;
}

int cmd_health(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"milter", no_argument, NULL, OPT_MILTER},
	    {"wait", required_argument, NULL, OPT_WAIT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *root = "/";
	bool milter_only = false;
	unsigned long wait_s = 0;
	char *end;
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_MILTER:
			milter_only = true;
			break;
		case OPT_WAIT:
			errno = 0;
			wait_s = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || wait_s > 3600 || optarg[0] == '-') {
				fprintf(stderr, "%s: error: --wait: expected 0..3600 seconds\n",
				        PROG);
				goto usage;
			}
			break;
		case 'h':
			return help();
		default:
			goto usage;
		}
	}
	if (optind < argc || root[0] != '/')
		goto usage;

	char path[4096];
	const char *base = strcmp(root, "/") ? root : "";
	struct targets ts = {0};
	snprintf(path, sizeof(path), "%s/etc/postfix/master.cf", base);
	if (!milter_only && master_cf_targets(path, &ts))
		return 1;
	snprintf(path, sizeof(path), "%s/etc/postfix/main.cf", base);
	if (main_cf_targets(path, root, &ts))
		return 1;

	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long ms =
		    (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
		bool last = ms >= (long long)wait_s * 1000;
		if (check(&ts, last))
			return 0;
		if (last)
			return 1;
		nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
	}
usage:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, usage_line);
	return EXIT_USAGE;
}
