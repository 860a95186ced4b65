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
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_ROOT = 256, OPT_INTERVAL, OPT_NO_ENV, OPT_ENV_FILE };

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
	const char *param;
	char *path;
	bool exists;
	struct stat st;
};

static const char usage_line[] = "watch [-c FILE] [--env-file FILE] [--no-env] [--root DIR] "
                                 "[--interval SECONDS] [-- COMMAND [ARG...]]";

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

/* Refresh every file's identity; returns how many changed and logs them. */
static int refresh(struct file *files, size_t n, bool log)
{
	int changed = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		bool exists = stat(files[i].path, &st) == 0;
		if (same_identity(&files[i], exists, &st))
			continue;
		changed++;
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

/* The files the plan's TLS parameters name (absolute paths, each once); -1 on OOM. */
static int collect(const struct prc_plan *plan, struct file *files, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < NWATCHED; i++) {
		const char *v = prc_plan_param(plan, watched[i], NULL);
		/* a list parameter (*_chain_files) holds several, blank or comma separated */
		for (const char *p = v ? v : ""; *p && *n < MAX_FILES;) {
			p += strspn(p, " \t,");
			size_t len = strcspn(p, " \t,");
			if (!len)
				break;
			bool skip = p[0] != '/'; /* $parameter references are not files */
			for (size_t k = 0; k < *n && !skip; k++)
				skip = strlen(files[k].path) == len && !strncmp(files[k].path, p, len);
			if (!skip) {
				files[*n] = (struct file){.param = watched[i], .path = strndup(p, len)};
				if (!files[*n].path)
					return -1;
				(*n)++;
			}
			p += len;
		}
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"no-env", no_argument, NULL, OPT_NO_ENV},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"interval", required_argument, NULL, OPT_INTERVAL},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *root = "/";
	struct cli_source src = {0};
	unsigned long interval = 5;
	char *end;
	int c;
	optind = 1;
	/* '+': stop at the first non-option, so COMMAND keeps its own options */
	while ((c = cli_getopt(argc, argv, "+c:h", opts)) != -1) {
		switch (c) {
		case 'c':
			src.config = optarg;
			break;
		case OPT_ENV_FILE:
			src.env_file = optarg;
			break;
		case OPT_NO_ENV:
			src.no_env = true;
			break;
		case OPT_ROOT:
			root = optarg;
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
	if (root[0] != '/')
		goto usage;

	struct prc_config *cfg;
	struct prc_plan *plan;
	int rc = cli_load_plan(&src, root, &cfg, &plan);
	if (rc != EXIT_OK)
		return rc;
	char *conf_dir = (char *)prc_plan_state(plan, PRC_STATE_CONFIG_DIR, NULL);
	struct file files[MAX_FILES];
	size_t n;
	if (collect(plan, files, &n))
		return EXIT_SOFTWARE;

	char *reload[] = {"postfix", "reload", NULL};
	char *reload_root[] = {"postfix", "-c", conf_dir, "reload", NULL};
	char **command = strcmp(root, "/") ? reload_root : reload;
	if (optind < argc)
		command = argv + optind;

	if (!n) {
		fprintf(stderr, "%s: watch: the configuration names no TLS file: nothing to watch\n",
		        PROG);
		for (;;)
			pause();
	}
	refresh(files, n, false);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s: watch: watching %s %s\n", PROG, files[i].param, files[i].path);
	for (;;) {
		int fd = watch_all(files, n);
		/* a change between the last refresh and the new watches is caught here */
		if (refresh(files, n, true)) {
			/* a reload would put a broken pair in use: wait for the next change */
			if (pairs_usable(plan))
				run(command);
			else
				fprintf(stderr,
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
