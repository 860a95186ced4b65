/*
 * health: is the relay able to take mail?  Every listener of the plan's
 * master.cf services must have a listening socket, and every milter of its
 * smtpd_milters (OpenDKIM) too.  Sockets are looked up in
 * /proc/net/{tcp,tcp6,unix} of the caller's network namespace: no connection
 * is made, so a health probe leaves no trace in the mail log.  The plan comes
 * from the same configuration apply used (YAML file and environment), so it
 * knows what Postfix was configured with, passthrough included, without
 * reading back a rendered file.
 *
 * When the config reloader (watch --apply) left a status file, health also
 * says which configuration generation is applied and whether the last change
 * was refused.  A refused change leaves the previous configuration serving:
 * health then checks the listeners and milters of the applied generation,
 * which the reloader recorded from its plan, even though the sources it
 * loads now are invalid.
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

enum { OPT_ROOT = 256, OPT_MILTER, OPT_WAIT, OPT_STATUS };

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

static const char usage_line[] =
    "health [-c FILE] [--env-file FILE] [--no-env] [--root DIR] [--milter] [--wait SECONDS]\n"
    "       [--status FILE]";

static int help(void)
{
	printf(
	    "usage: %s %s\n"
	    "Exit 0 when every inet service of the configuration's master.cf and every\n"
	    "milter of its main.cf has a listening socket, else print what is missing and\n"
	    "exit 1.  Makes no connection (nothing in the mail log).\n\n"
	    "options:\n"
	    "  -c, --config FILE   read settings from a YAML file (the environment overrides it)\n"
	    "      --env-file FILE read NAME=value lines from FILE instead of the environment\n"
	    "      --no-env        ignore the environment\n"
	    "      --root DIR      the instance root (default /)\n"
	    "      --milter        check only the milters (used to hold Postfix back until\n"
	    "                      OpenDKIM listens)\n"
	    "      --wait SECONDS  keep checking until healthy, for up to SECONDS\n"
	    "      --status FILE   the config reloader's status file (default\n"
	    "                      DIR/var/lib/postrelaycfg/status): when there is one, say\n"
	    "                      which configuration generation is applied and whether\n"
	    "                      the last change was refused (the previous one serving;\n"
	    "                      not a failure)\n"
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

/* TCP port of a milter's "host:port" or "port"; 0 if unknown. */
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

/* Every listener of the plan's master.cf services. */
static void service_targets(const struct prc_plan *plan, struct targets *ts)
{
	for (size_t i = 0; i < prc_plan_service_count(plan); i++) {
		const char *name;
		unsigned port;
		prc_plan_service(plan, i, &name, NULL, NULL, &port);
		if (port)
			add_port(ts, port, "master.cf service", name);
	}
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
	/* a relative unix socket is below the queue directory, as Postfix reads it */
	if (path[0] == '/')
		snprintf(t->path, sizeof(t->path), "%s", path);
	else
		snprintf(t->path, sizeof(t->path), "%s/%s", queue_dir, path);
}

/* The plan's milters (smtpd_milters, passthrough included). */
static void milter_targets(const struct prc_plan *plan, struct targets *ts)
{
	const char *queue_dir = prc_plan_state(plan, PRC_STATE_QUEUE_DIR, NULL);
	for (size_t i = 0; i < prc_plan_milter_count(plan); i++)
		add_milter(ts, prc_plan_milter(plan, i), queue_dir);
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

static int wait_healthy(const struct targets *ts, unsigned long wait_s, const char *state,
                        const char *origin);

int cmd_health(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_SOURCE_OPTIONS,
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"milter", no_argument, NULL, OPT_MILTER},
	    {"wait", required_argument, NULL, OPT_WAIT},
	    {"status", required_argument, NULL, OPT_STATUS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *root = "/";
	struct cli_source src = {0};
	bool milter_only = false;
	const char *status = NULL;
	unsigned long wait_s = 0;
	char *end;
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "c:h", opts)) != -1) {
		if (cli_source_option(c, optarg, &src))
			continue;
		switch (c) {
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_STATUS:
			status = optarg;
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

	char *status_path = status ? strdup(status) : cli_status_path(root);
	struct cli_status st;
	bool have_status = status_path && !cli_status_read(status_path, &st);
	free(status_path);
	if (have_status && st.refused)
		printf("%s: health: configuration generation %lu applied; the last change was "
		       "refused: %s%s\n",
		       PROG, st.generation, st.first_diag,
		       st.more_diags ? " (and more in the reloader's log)" : "");
	else if (have_status)
		printf("%s: health: configuration generation %lu applied\n", PROG, st.generation);

	struct prc_config *cfg;
	struct prc_plan *plan;
	int rc = cli_load_plan(&src, root, &cfg, &plan);
	struct targets ts = {0};
	if (rc != EXIT_OK && have_status && st.refused) {
		/* the reloader refused these sources: check what the applied generation
		 * listens on, as the reloader recorded it from that generation's plan */
		for (size_t i = 0; i < st.nservices && !milter_only; i++)
			add_port(&ts, st.services[i].port, "master.cf service",
			         st.services[i].name);
		for (size_t i = 0; i < st.nmilters; i++)
			add_milter(&ts, st.milters[i], st.queue_dir);
		return wait_healthy(&ts, wait_s, "", "");
	}
	if (rc != EXIT_OK) {
		printf("%s: health: the configuration cannot be used (see the errors above)\n",
		       PROG);
		return 1;
	}
	if (!milter_only)
		service_targets(plan, &ts);
	milter_targets(plan, &ts);
	static char state[4096];
	char origin[65];
	cli_oauth2_health_prepare(plan, cfg, state, origin);
	if (milter_only)
		state[0] = '\0';
	prc_plan_free(plan);
	prc_config_free(cfg);
	return wait_healthy(&ts, wait_s, state, origin);
usage:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, usage_line);
	return EXIT_USAGE;
}

/* Check until every target listens (0) or @wait_s seconds have passed (1). */
static int wait_healthy(const struct targets *ts, unsigned long wait_s, const char *state,
                        const char *origin)
{
	char why[640] = "";
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long ms =
		    (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
		bool last = ms >= (long long)wait_s * 1000;
		bool token = cli_oauth2_healthy(state, origin, why, sizeof(why));
		if (!token && last)
			printf("%s: health: %s\n", PROG, why);
		if (check(ts, last) && token)
			return 0;
		if (last)
			return 1;
		nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
	}
}
