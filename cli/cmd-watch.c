/*
 * watch: the config reloader.  Runs `postfix reload` (or a given command)
 * whenever one of the TLS certificate, key or CA files that the plan's
 * main.cf names is replaced: written in place, renamed over, or swapped the
 * way Kubernetes updates a mounted secret (a symlink `..data` renamed to a
 * new directory).  The plan's effective parameters cover TLS_CRT and friends
 * as well as files set through POSTCONF, server and client side alike.
 *
 * inotify watches the directory of each path and the directory its symlinks
 * resolve to, so every kind of replacement wakes us; what decides is the
 * file's identity (device, inode, size, mtime, ctime) after symlinks, compared
 * with the last one seen.  A periodic re-check covers directories that did not
 * exist yet.  Events are debounced so that a certificate and its key replaced
 * together cause one reload.  Before it reloads, each certificate and key pair
 * is checked (prc_tls_check_pair): a half-done or wrong replacement is
 * reported and waits for the next change instead of being put in use.
 *
 * With --apply it is also the live reconfiguration: the configuration's own
 * inputs (the YAML file, the env file, every NAME_FILE secret and YAML
 * password_file, as the library reports them) are watched the same way.  A
 * change re-loads and re-applies through apply's code path (cli_apply): a
 * refused configuration changes nothing on disk, its diagnostics are logged
 * and the running one keeps serving; an applied one is followed by COMMAND,
 * and by --dkim-command when the OpenDKIM files the plan emits differ from
 * the previous plan's.  Either way the status file (generation, time, result,
 * diagnostics) is replaced atomically for `health`.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_ROOT = 256, OPT_INTERVAL, OPT_APPLY, OPT_STATUS, OPT_DKIM_COMMAND, OPT_KEY_OWNER };

/* The main.cf parameters that name files Postfix reads for a TLS session. */
static const char *const watched[] = {
    "smtpd_tls_cert_file",   "smtpd_tls_key_file",   "smtpd_tls_CAfile",   "smtpd_tls_chain_files",
    "smtpd_tls_eccert_file", "smtpd_tls_eckey_file", "smtp_tls_cert_file", "smtp_tls_key_file",
    "smtp_tls_CAfile",       "smtp_tls_chain_files",
};
#define NWATCHED  (sizeof(watched) / sizeof(watched[0]))
#define MAX_FILES 32

#define DEBOUNCE_MS 500

struct file {
	const char *param; /* a TLS parameter, or "configuration input" */
	bool input;        /* an input of the configuration (--apply) */
	char *path;
	bool exists;
	struct stat st;
};

static const char usage_line[] = "watch [-c FILE] [--env-file FILE] [--no-env] [--root DIR] "
                                 "[--interval SECONDS] [--apply [--status FILE] "
                                 "[--dkim-command COMMAND] [--dkim-key-owner USER]] "
                                 "[-- COMMAND [ARG...]]";

static int help(void)
{
	printf("usage: %s %s\n"
	       "Run COMMAND (default: postfix reload) whenever a TLS certificate, key or CA\n"
	       "file the configuration's main.cf names (smtpd_tls_cert_file, smtp_tls_CAfile,\n"
	       "...) is replaced, including a Kubernetes secret's symlink swap.  A\n"
	       "certificate and key pair that does not match (or cannot be read) is reported\n"
	       "and COMMAND is not run until the next change.  Runs until killed.\n\n"
	       "options:\n"
	       "  -c, --config FILE       read settings from a YAML file (the environment\n"
	       "                          overrides it)\n"
	       "      --env-file FILE     read NAME=value lines from FILE instead of the\n"
	       "                          environment\n"
	       "      --no-env            ignore the environment\n"
	       "      --root DIR          the instance root (default /); the default command\n"
	       "                          becomes postfix -c DIR/etc/postfix reload\n"
	       "      --interval SECONDS  re-check this often even without events (default 5)\n"
	       "      --apply             also watch the configuration's inputs (YAML file, env\n"
	       "                          file, NAME_FILE secrets); on a change re-validate and\n"
	       "                          re-apply as `apply --root DIR` does, then run COMMAND;\n"
	       "                          an invalid configuration is logged and changes nothing\n"
	       "      --status FILE       with --apply: the status file health reads (default\n"
	       "                          DIR/var/lib/postrelaycfg/status)\n"
	       "      --dkim-command CMD  with --apply: run CMD (split at blanks, no shell) when\n"
	       "                          a re-apply changed OpenDKIM's files\n"
	       "      --dkim-key-owner USER  with --apply: re-apply as apply --dkim-key-owner\n"
	       "  -h, --help              show this help\n",
	       PROG, usage_line);
	return EXIT_OK;
}

static bool same_identity(const struct file *f, bool exists, const struct stat *st)
{
	if (f->exists != exists)
		return false;
	if (!exists)
		return true;
	return f->st.st_dev == st->st_dev && f->st.st_ino == st->st_ino &&
	       f->st.st_size == st->st_size && f->st.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	       f->st.st_mtim.tv_nsec == st->st_mtim.tv_nsec &&
	       f->st.st_ctim.tv_sec == st->st_ctim.tv_sec &&
	       f->st.st_ctim.tv_nsec == st->st_ctim.tv_nsec;
}

#define CHANGED_TLS   1
#define CHANGED_INPUT 2

/* Refresh every file's identity; returns which kinds changed (CHANGED_*) and logs them. */
static int refresh(struct file *files, size_t n, bool log)
{
	int changed = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		bool exists = stat(files[i].path, &st) == 0;
		if (same_identity(&files[i], exists, &st))
			continue;
		changed |= files[i].input ? CHANGED_INPUT : CHANGED_TLS;
		if (log)
			fprintf(stderr, "%s: watch: %s %s %s\n", PROG, files[i].param,
			        files[i].path, exists ? "changed" : "is gone");
		files[i].exists = exists;
		if (exists)
			files[i].st = st;
	}
	return changed;
}

static void watch_dir_of(int fd, const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	/* failures are fine: a directory that does not exist yet is re-tried later */
	(void)inotify_add_watch(fd, dirname(copy),
	                        IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
	                            IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
	free(copy);
}

/* A fresh inotify instance watching the directories of the files and of their targets. */
static int watch_all(const struct file *files, size_t n)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		watch_dir_of(fd, files[i].path);
		char real[PATH_MAX];
		if (realpath(files[i].path, real) && strcmp(real, files[i].path))
			watch_dir_of(fd, real);
	}
	return fd;
}

static void drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Wait for an event or the interval; after an event, until things are quiet again. */
static void wait_for_change(int fd, int interval_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (fd < 0) {
		poll(NULL, 0, interval_ms);
		return;
	}
	if (poll(&p, 1, interval_ms) <= 0)
		return;
	drain(fd);
	/* a replacement is often several steps (cert, then key; or rename, then unlink) */
	for (int i = 0; i < 20 && poll(&p, 1, DEBOUNCE_MS) > 0; i++)
		drain(fd);
}

static void run(char *const argv[])
{
	fprintf(stderr, "%s: watch: running", PROG);
	for (size_t i = 0; argv[i]; i++)
		fprintf(stderr, " %s", argv[i]);
	fputc('\n', stderr);
	int st = cli_run(argv, NULL, NULL);
	if (st > 0)
		fprintf(stderr, "%s: watch: %s failed (status %d)\n", PROG, argv[0], st);
}

/* The plan's value of @param when it is an absolute path, else NULL. */
static const char *plan_path(const struct prc_plan *plan, const char *param)
{
	const char *v = prc_plan_param(plan, param, NULL);
	return v && v[0] == '/' ? v : NULL;
}

/*
 * Whether the certificate and key pairs of the plan (server and client side)
 * are usable: each key matches its certificate.  Prints every problem found
 * (warnings too).
 */
static bool pairs_usable(const struct prc_plan *plan)
{
	static const char *const pairs[][2] = {{"smtpd_tls_cert_file", "smtpd_tls_key_file"},
	                                       {"smtp_tls_cert_file", "smtp_tls_key_file"}};
	struct prc_diags *d;
	if (prc_diags_new(&d))
		return true;
	const char *host = prc_plan_param(plan, "myhostname", NULL);
	bool usable = true;
	const char *done_cert = NULL, *done_key = NULL;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *origin;
		const char *cert = plan_path(plan, pairs[i][0]);
		const char *key = prc_plan_param(plan, pairs[i][1], NULL);
		prc_plan_param(plan, pairs[i][0], &origin);
		if (!cert)
			continue;
		/* no key file (or Postfix's default, $..._cert_file): one combined file */
		if (!key || !*key || (key[0] == '$' && !strcmp(key + 1, pairs[i][0])))
			key = cert;
		if (key[0] != '/')
			continue;
		if (done_cert && !strcmp(cert, done_cert) && !strcmp(key, done_key))
			continue;
		if (prc_tls_check_pair(cert, key, host, origin, d) != PRC_OK)
			usable = false;
		done_cert = cert;
		done_key = key;
	}
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	return usable;
}

/* Add @path (@len bytes) to the watched files unless it is there; -1 on OOM. */
static int add_file(struct file *files, size_t *n, const char *param, bool input, const char *path,
                    size_t len)
{
	for (size_t k = 0; k < *n; k++)
		if (strlen(files[k].path) == len && !strncmp(files[k].path, path, len))
			return 0;
	if (*n == MAX_FILES)
		return 0;
	files[*n] = (struct file){.param = param, .input = input, .path = strndup(path, len)};
	if (!files[*n].path)
		return -1;
	(*n)++;
	return 0;
}

/*
 * The files the plan's TLS parameters name (absolute paths, each once), and
 * with @inputs the configuration's own inputs (and the sources given, which
 * stay watched even when a refused change named others); -1 on OOM.
 */
static int collect(const struct prc_plan *plan, const struct prc_config *cfg,
                   const struct cli_source *src, bool inputs, struct file *files, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < NWATCHED; i++) {
		const char *v = prc_plan_param(plan, watched[i], NULL);
		/* a list parameter (*_chain_files) holds several, blank or comma separated */
		for (const char *p = v ? v : ""; *p;) {
			p += strspn(p, " \t,");
			size_t len = strcspn(p, " \t,");
			if (!len)
				break;
			/* $parameter references are not files */
			if (p[0] == '/' && add_file(files, n, watched[i], false, p, len))
				return -1;
			p += len;
		}
	}
	if (!inputs)
		return 0;
	const char *given[] = {src->config, src->env_file};
	for (size_t i = 0; i < 2; i++)
		if (given[i] &&
		    add_file(files, n, "configuration input", true, given[i], strlen(given[i])))
			return -1;
	for (size_t i = 0; i < prc_config_input_count(cfg); i++) {
		const char *p = prc_config_input(cfg, i);
		if (add_file(files, n, "configuration input", true, p, strlen(p)))
			return -1;
	}
	return 0;
}

static void free_files(struct file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
}

/* The OpenDKIM files the plan emits, with their paths, as one string; NULL on OOM. */
static char *opendkim_files(const struct prc_plan *plan)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (int i = 0; i < PRC_FILE_COUNT; i++) {
		if (prc_plan_file_dir(plan, i) != PRC_DIR_OPENDKIM || !prc_plan_file_used(plan, i))
			continue;
		fprintf(f, "%s\n", prc_plan_file_path(plan, i));
		prc_plan_emit(plan, i, f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* What the reloader keeps between changes. */
struct watch {
	struct cli_source src;
	const char *root;
	bool apply;
	const char *status; /* the status file (--apply) */
	char **command;
	char **dkim_command;   /* NULL: none */
	const char *key_owner; /* --dkim-key-owner, for the re-apply */
	struct prc_config *cfg;
	struct prc_plan *plan;
	unsigned long generation;
	struct file files[MAX_FILES];
	size_t n;
};

/* The configuration's inputs changed: re-apply it, or keep the running one. */
static void reconfigure(struct watch *w)
{
	char *log = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&log, &len);
	if (!f)
		return;
	struct prc_config *cfg = NULL;
	struct prc_plan *plan = NULL;
	fprintf(stderr, "%s: watch: the configuration changed: applying it\n", PROG);
	int rc = cli_apply(&w->src, w->root, w->key_owner, f, &cfg, &plan);
	fclose(f);
	fputs(log ? log : "", stderr);
	if (rc != EXIT_OK) {
		fprintf(stderr,
		        "%s: watch: the changed configuration was refused (the errors above); "
		        "generation %lu keeps serving\n",
		        PROG, w->generation);
		cli_status_write(w->status, w->generation, true, log, w->plan);
		free(log);
		return;
	}
	char *before = opendkim_files(w->plan);
	char *after = opendkim_files(plan);
	bool dkim_changed = !before || !after || strcmp(before, after);
	free(before);
	free(after);
	prc_plan_free(w->plan);
	prc_config_free(w->cfg);
	w->plan = plan;
	w->cfg = cfg;
	w->generation++;
	fprintf(stderr, "%s: watch: configuration generation %lu applied\n", PROG, w->generation);
	cli_status_write(w->status, w->generation, false, log, w->plan);
	free(log);
	free_files(w->files, w->n);
	if (collect(w->plan, w->cfg, &w->src, true, w->files, &w->n))
		w->n = 0;
	refresh(w->files, w->n, false);
	run(w->command);
	if (dkim_changed && w->dkim_command)
		run(w->dkim_command);
	else if (dkim_changed)
		fprintf(stderr,
		        "%s: watch: OpenDKIM's configuration changed; no --dkim-command to restart "
		        "it\n",
		        PROG);
}

/* Split @s at blanks into a NULL-terminated argv (pointing into @s); NULL on OOM or empty. */
static char **split_command(char *s)
{
	size_t n = 0, cap = 4;
	char **argv = malloc(cap * sizeof(*argv));
	for (char *p = s; argv && *p;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		size_t len = strcspn(p, " \t");
		if (n + 2 > cap) {
			char **a = realloc(argv, (cap *= 2) * sizeof(*argv));
			if (!a) {
				free(argv);
				return NULL;
			}
			argv = a;
		}
		argv[n++] = p;
		p += len;
		if (*p)
			*p++ = '\0';
	}
	if (argv && !n) {
		free(argv);
		return NULL;
	}
	if (argv)
		argv[n] = NULL;
	return argv;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_SOURCE_OPTIONS,
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"interval", required_argument, NULL, OPT_INTERVAL},
	    {"apply", no_argument, NULL, OPT_APPLY},
	    {"status", required_argument, NULL, OPT_STATUS},
	    {"dkim-command", required_argument, NULL, OPT_DKIM_COMMAND},
	    {"dkim-key-owner", required_argument, NULL, OPT_KEY_OWNER},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct watch w = {.root = "/", .generation = 1};
	const char *status = NULL;
	char *dkim_command = NULL;
	unsigned long interval = 5;
	char *end;
	int c;
	optind = 1;
	/* '+': stop at the first non-option, so COMMAND keeps its own options */
	while ((c = cli_getopt(argc, argv, "+c:h", opts)) != -1) {
		if (cli_source_option(c, optarg, &w.src))
			continue;
		switch (c) {
		case OPT_ROOT:
			w.root = optarg;
			break;
		case OPT_APPLY:
			w.apply = true;
			break;
		case OPT_STATUS:
			status = optarg;
			break;
		case OPT_DKIM_COMMAND:
			dkim_command = optarg;
			break;
		case OPT_KEY_OWNER:
			w.key_owner = optarg;
			w.src.dkim_key_copies = true;
			break;
		case OPT_INTERVAL:
			errno = 0;
			interval = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || interval < 1 || interval > 86400 ||
			    optarg[0] == '-') {
				fprintf(stderr,
				        "%s: error: --interval: expected 1..86400 seconds\n", PROG);
				goto usage;
			}
			break;
		case 'h':
			return help();
		default:
			goto usage;
		}
	}
	if (w.root[0] != '/')
		goto usage;
	if ((status || dkim_command) && !w.apply) {
		fprintf(stderr, "%s: error: --status and --dkim-command need --apply\n", PROG);
		goto usage;
	}
	if (dkim_command && !(w.dkim_command = split_command(dkim_command))) {
		fprintf(stderr, "%s: error: --dkim-command: expected a command\n", PROG);
		goto usage;
	}

	int rc = cli_load_plan(&w.src, w.root, &w.cfg, &w.plan);
	if (rc != EXIT_OK)
		return rc;
	char *conf_dir = strdup(prc_plan_state(w.plan, PRC_STATE_CONFIG_DIR, NULL));
	char *status_path = status ? strdup(status) : cli_status_path(w.root);
	if (!conf_dir || !status_path || collect(w.plan, w.cfg, &w.src, w.apply, w.files, &w.n))
		return EXIT_SOFTWARE;
	w.status = status_path;

	char *reload[] = {"postfix", "reload", NULL};
	char *reload_root[] = {"postfix", "-c", conf_dir, "reload", NULL};
	w.command = strcmp(w.root, "/") ? reload_root : reload;
	if (optind < argc)
		w.command = argv + optind;
	/* a command that exits before reading a pipe must not kill the reloader */
	signal(SIGPIPE, SIG_IGN);

	if (!w.n) {
		fprintf(stderr,
		        "%s: watch: the configuration names no TLS file: nothing to watch\n", PROG);
		for (;;)
			pause();
	}
	/* generation 1: the configuration apply installed before we started */
	if (w.apply)
		cli_status_write(w.status, w.generation, false, NULL, w.plan);
	refresh(w.files, w.n, false);
	for (size_t i = 0; i < w.n; i++)
		fprintf(stderr, "%s: watch: watching %s %s\n", PROG, w.files[i].param,
		        w.files[i].path);
	for (;;) {
		int fd = watch_all(w.files, w.n);
		/* a change between the last refresh and the new watches is caught here */
		int changed = refresh(w.files, w.n, true);
		if (changed & CHANGED_INPUT && w.apply) {
			reconfigure(&w);
		} else if (changed) {
			/* a reload would put a broken pair in use: wait for the next change */
			if (pairs_usable(w.plan))
				run(w.command);
			else
				fprintf(
				    stderr,
				    "%s: watch: not reloading: the TLS files above are unusable; "
				    "waiting for the next change\n",
				    PROG);
		}
		wait_for_change(fd, (int)interval * 1000);
		if (fd >= 0)
			close(fd);
	}
usage:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, usage_line);
	return EXIT_USAGE;
}
