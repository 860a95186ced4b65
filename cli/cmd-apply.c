/*
 * apply: what the image entrypoint runs.  Load and validate, then write the
 * files, build the lookup tables, provision the SMTPD_USERS database, and
 * create the queue and data directories with Postfix's owners and modes.
 * Everything that can reject the input runs before anything is written, so
 * bad input changes nothing on disk.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_NO_ENV = 256, OPT_ENV_FILE, OPT_ROOT, OPT_START };

static const char synopsis[] = "apply [-c FILE] [--env-file FILE] [--no-env] [--root DIR] [--start]";

/* File name suffixes of the table types postmap builds (TABLE_TYPE choices). */
static const struct {
	const char *type, *suffix;
} table_suffixes[] = {{"hash", ".db"}, {"lmdb", ".lmdb"}, {"cdb", ".cdb"}};

#define N_SUFFIXES (sizeof(table_suffixes) / sizeof(table_suffixes[0]))

/* What postconf says about the rendered instance (POSTCONF may move things). */
struct postfix_params {
	char *queue_dir, *data_dir, *mail_owner, *setgid_group, *maillog_file, *daemon_dir;
	uid_t owner_uid;
	gid_t owner_gid, setgid_gid;
};

struct apply {
	struct cli_source src;
	const char *root;
	bool start; /* --start: then start Postfix, or reload it when it runs */
	struct prc_config *cfg;
	char *conf_dir, *dkim_dir;
	struct postfix_params pf;
};

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: error: ", PROG);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_IOERR;
}

/* a + sep + b, newly allocated; NULL when out of memory */
static char *join(const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
	char *s = malloc(la + ls + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, sep, ls);
		memcpy(s + la + ls, b, lb + 1);
	}
	return s;
}

/* Run a tool; a non-zero exit is an I/O error of apply (the tool said why on stderr). */
static int run(char *const argv[], const char *input, char **output)
{
	int st = cli_run(argv, input, output);
	if (st == 0)
		return EXIT_OK;
	if (st > 0)
		error("%s failed (exit status %d)", argv[0], st);
	return EXIT_IOERR;
}

static int parse(int argc, char **argv, struct apply *a)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"no-env", no_argument, NULL, OPT_NO_ENV},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"start", no_argument, NULL, OPT_START},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "c:h", opts)) != -1) {
		switch (c) {
		case 'c':
			a->src.config = optarg;
			break;
		case OPT_ENV_FILE:
			a->src.env_file = optarg;
			break;
		case OPT_NO_ENV:
			a->src.no_env = true;
			break;
		case OPT_ROOT:
			a->root = optarg;
			break;
		case OPT_START:
			a->start = true;
			break;
		case 'h':
			printf(
			    "usage: %s %s\n"
			    "Validate, then install the configuration: write the Postfix and "
			    "OpenDKIM files\nunder DIR/etc, build the lookup tables, "
			    "provision the SMTPD_USERS database\n(Cyrus sasldb) and create the "
			    "queue and data directories.\nNothing is changed when the "
			    "configuration is invalid.\n\noptions:\n"
			    "  -c, --config FILE   read settings from a YAML file (the "
			    "environment overrides it)\n"
			    "      --env-file FILE read NAME=value lines from FILE instead of the "
			    "environment\n"
			    "      --no-env        ignore the environment\n"
			    "      --root DIR      install a self-contained instance under DIR "
			    "(default /)\n"
			    "      --start         then start its Postfix (the queue structure "
			    "check of\n"
			    "                      `postfix start` included), or reload it when it "
			    "runs\n"
			    "  -h, --help          show this help\n",
			    PROG, synopsis);
			return EXIT_OK;
		default:
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: error: unexpected argument '%s'\n", PROG, argv[optind]);
		goto bad;
	}
	return -1;
bad:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, synopsis);
	return EXIT_USAGE;
}

/* Load, set the root, validate, check the DKIM keys and prepare the TLS files; prints every
 * diagnostic. */
static int load(struct apply *a)
{
	struct prc_diags *d;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	int rc = cli_load(&a->src, &a->cfg, d);
	if (rc == EXIT_OK && prc_config_set_root(a->cfg, a->root)) {
		fprintf(stderr, "%s: error: --root: '%s' is not an absolute directory\n", PROG,
		        a->root);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_config_validate(a->cfg, d));
	/* the DKIM check only reads; TLS may write a missing default certificate */
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_dkim_check(a->cfg, d));
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_tls_prepare(a->cfg, d));
	struct stat st;
	if (rc == EXIT_OK && strcmp(a->root, "/") && !stat(a->root, &st) && !(st.st_mode & 0001))
		fprintf(stderr,
		        "%s: warning: --root %s is not searchable by others: Postfix processes "
		        "running as mail_owner cannot reach files below it\n",
		        PROG, a->root);
	if (rc == EXIT_OK && (prc_config_path(a->cfg, PRC_PATH_POSTFIX_DIR, &a->conf_dir) ||
	                      prc_config_path(a->cfg, PRC_PATH_OPENDKIM_DIR, &a->dkim_dir)))
		rc = EXIT_SOFTWARE;
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	return rc;
}

static int render(struct apply *a)
{
	struct prc_diags *d;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	int rc = cli_exit_code(prc_render(a->cfg, a->conf_dir, a->dkim_dir, d));
	/* prc_render validates again: its warnings were printed by load() already */
	for (size_t i = 0; i < prc_diags_count(d); i++)
		if (prc_diags_severity(d, i) == PRC_SEV_ERROR)
			fprintf(stderr, "%s: error: %s%s%s\n", PROG, prc_diags_origin(d, i),
			        *prc_diags_origin(d, i) ? ": " : "", prc_diags_message(d, i));
	prc_diags_free(d);
	return rc;
}

/* The parameters apply needs to know, with Postfix's built-in defaults. */
static const struct {
	const char *name, *fallback;
} state_params[] = {{"queue_directory", "/var/spool/postfix"},
                    {"data_directory", "/var/lib/postfix"},
                    {"mail_owner", "postfix"},
                    {"setgid_group", "postdrop"},
                    {"maillog_file", ""},
                    {"daemon_directory", "/usr/lib/postfix/sbin"}};

#define N_STATE_PARAMS (sizeof(state_params) / sizeof(state_params[0]))

/*
 * Where the rendered instance keeps its state, and as whom.  The rendered
 * main.cf says (a parameter it does not set has Postfix's default); only
 * when a value refers to other parameters ($name) does postconf expand it.
 */
static int query_postfix(struct apply *a)
{
	char **fields[] = {&a->pf.queue_dir,    &a->pf.data_dir,     &a->pf.mail_owner,
	                   &a->pf.setgid_group, &a->pf.maillog_file, &a->pf.daemon_dir};
	char *path = join(a->conf_dir, "/", "main.cf");
	struct cli_main_cf *mc = NULL;
	if (!path)
		return EXIT_SOFTWARE;
	if (cli_main_cf_load(path, &mc)) {
		int rc = error("cannot read %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	free(path);
	bool expand = false;
	int rc = EXIT_OK;
	for (size_t i = 0; i < N_STATE_PARAMS && rc == EXIT_OK; i++) {
		const char *v = cli_main_cf_get(mc, state_params[i].name);
		if (!v)
			v = state_params[i].fallback;
		expand |= strchr(v, '$') != NULL;
		if (!(*fields[i] = strdup(v)))
			rc = EXIT_SOFTWARE;
	}
	cli_main_cf_free(mc);
	if (rc == EXIT_OK && expand) {
		char *argv[] = {"postconf",        "-c",           a->conf_dir,  "-h",
		                "queue_directory", "data_directory", "mail_owner", "setgid_group",
		                "maillog_file",    "daemon_directory", NULL};
		char *out = NULL;
		rc = run(argv, NULL, &out);
		char *line = out;
		for (size_t i = 0; rc == EXIT_OK && i < N_STATE_PARAMS; i++) {
			char *nl = line ? strchr(line, '\n') : NULL;
			if (!nl) {
				rc = error("postconf -c %s: unexpected output", a->conf_dir);
				break;
			}
			*nl = '\0';
			free(*fields[i]);
			if (!(*fields[i] = strdup(line)))
				rc = EXIT_SOFTWARE;
			line = nl + 1;
		}
		free(out);
	}
	if (rc != EXIT_OK)
		return rc;
	struct passwd *pw = getpwnam(a->pf.mail_owner);
	struct group *gr = getgrnam(a->pf.setgid_group);
	if (!pw)
		return error("mail_owner '%s' is not a user on this system", a->pf.mail_owner);
	if (!gr)
		return error("setgid_group '%s' is not a group on this system", a->pf.setgid_group);
	a->pf.owner_uid = pw->pw_uid;
	a->pf.owner_gid = pw->pw_gid;
	a->pf.setgid_gid = gr->gr_gid;
	return EXIT_OK;
}

/* Remove @path if it exists; a missing file is fine. */
static int remove_file(const char *path)
{
	if (unlink(path) && errno != ENOENT)
		return error("cannot remove %s: %s", path, strerror(errno));
	return EXIT_OK;
}

/* Remove the built forms of table @path except the one with suffix @keep. */
static int remove_built(const char *path, const char *keep)
{
	int rc = EXIT_OK;
	for (size_t i = 0; i < N_SUFFIXES && rc == EXIT_OK; i++) {
		const char *sfx = table_suffixes[i].suffix;
		if (keep && !strcmp(sfx, keep))
			continue;
		char *p = join(path, "", sfx);
		rc = p ? remove_file(p) : EXIT_SOFTWARE;
		free(p);
	}
	return rc;
}

/* postmap every table in use; drop the built forms nobody reads any more. */
static int build_tables(struct apply *a)
{
	const char *type = prc_config_get(a->cfg, "TABLE_TYPE");
	const char *suffix = NULL;
	for (size_t i = 0; i < N_SUFFIXES; i++)
		if (!strcmp(table_suffixes[i].type, type))
			suffix = table_suffixes[i].suffix;
	if (!suffix)
		return error("TABLE_TYPE %s: unknown table file suffix", type);
	int rc = EXIT_OK;
	for (int f = 0; f < PRC_FILE_COUNT && rc == EXIT_OK; f++) {
		if (!prc_file_is_table(f))
			continue;
		char *path = join(a->conf_dir, "/", prc_file_path(f));
		if (!path)
			return EXIT_SOFTWARE;
		struct stat st;
		if (prc_file_is_used(a->cfg, f)) {
			char *spec = join(type, ":", path);
			if (!spec) {
				free(path);
				return EXIT_SOFTWARE;
			}
			/* hash: tables are written in process; postmap builds the others */
			char *argv[] = {"postmap", "-c", a->conf_dir, spec, NULL};
			rc = strcmp(type, "hash") ? run(argv, NULL, NULL) : cli_hash_table_build(path);
			free(spec);
			if (rc == EXIT_OK)
				rc = remove_built(path, suffix);
		} else if (lstat(path, &st) && errno == ENOENT) {
			/* the writer removed our unused source: its built form goes too */
			rc = remove_built(path, NULL);
		}
		free(path);
	}
	return rc;
}

/*
 * Write the SMTPD_USERS database from scratch and rename it into place:
 * removed users disappear, and smtpd never sees a half-built database.
 * Users log in as "user" (the realm is MAILNAME, smtpd_sasl_local_domain) or
 * "user@MAILNAME"; an entry "user@domain" is stored in realm "domain" and
 * logs in as "user@domain" (as saslpasswd2 -u MAILNAME would store them).
 */
static int provision_sasldb(struct apply *a)
{
	char *db = NULL;
	if (prc_config_path(a->cfg, PRC_PATH_SASLDB, &db))
		return EXIT_SOFTWARE;
	size_t n = prc_config_list_count(a->cfg, "SMTPD_USERS");
	if (!n) {
		int rc = remove_file(db);
		free(db);
		return rc;
	}
	const char *realm = prc_config_get(a->cfg, "MAILNAME");
	struct cli_sasl_user *users = calloc(n, sizeof(*users));
	if (!users) {
		free(db);
		return EXIT_SOFTWARE;
	}
	for (size_t i = 0; i < n; i++)
		users[i] = (struct cli_sasl_user){
		    .user = prc_config_list_field(a->cfg, "SMTPD_USERS", i, 0),
		    .realm = realm,
		    .password = prc_config_list_field(a->cfg, "SMTPD_USERS", i, 1)};
	int rc = cli_sasldb_build(db, a->pf.owner_gid, users, n);
	free(users);
	free(db);
	return rc;
}

/* Create @path (and missing parents, root-owned 0755), then set its owner and mode. */
static int make_dir(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	char *p = strdup(path);
	if (!p)
		return EXIT_SOFTWARE;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			int rc = error("cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return rc;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, mode) && errno != EEXIST)
		return error("cannot create directory %s: %s", path, strerror(errno));
	struct stat st;
	if (lstat(path, &st) || !S_ISDIR(st.st_mode))
		return error("%s is not a directory", path);
	if (lchown(path, uid, gid) || chmod(path, mode))
		return error("cannot set the owner and mode of %s: %s", path, strerror(errno));
	return EXIT_OK;
}

/* The queue and data directories, as Postfix's postfix-files lays them out. */
static int make_state_dirs(struct apply *a)
{
	const uid_t owner = a->pf.owner_uid;
	const gid_t unchanged = (gid_t)-1;
	static const char *const owned[] = {"active",   "bounce", "corrupt", "defer",
	                                    "deferred", "flush",  "hold",    "incoming",
	                                    "private",  "saved",  "trace"};
	int rc = make_dir(a->pf.queue_dir, 0, unchanged, 0755);
	if (rc == EXIT_OK)
		rc = make_dir(a->pf.data_dir, owner, unchanged, 0700);
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]) && rc == EXIT_OK; i++) {
		char *p = join(a->pf.queue_dir, "/", owned[i]);
		rc = p ? make_dir(p, owner, unchanged, 0700) : EXIT_SOFTWARE;
		free(p);
	}
	static const struct {
		const char *name;
		bool setgid_group, root;
		mode_t mode;
	} special[] = {{"maildrop", true, false, 0730},
	               {"public", true, false, 0710},
	               {"pid", false, true, 0755}};
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]) && rc == EXIT_OK; i++) {
		char *p = join(a->pf.queue_dir, "/", special[i].name);
		rc = p ? make_dir(p, special[i].root ? 0 : owner,
		                  special[i].setgid_group ? a->pf.setgid_gid : unchanged,
		                  special[i].mode)
		       : EXIT_SOFTWARE;
		free(p);
	}
	return rc;
}

/* The directory a log file goes to must exist; /dev/stdout and friends are left alone. */
static int make_log_dir(struct apply *a)
{
	const char *log = a->pf.maillog_file;
	if (!*log || !strncmp(log, "/dev/", 5))
		return EXIT_OK;
	char *dir = strdup(log);
	if (!dir)
		return EXIT_SOFTWARE;
	int rc = EXIT_OK;
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		struct stat st;
		if (stat(dir, &st))
			rc = make_dir(dir, 0, 0, 0755);
	}
	free(dir);
	/* Postfix programs that log without postlogd (postsuper in `postfix
	 * start`'s integrity check, after a crash) open the file as mail_owner:
	 * a root-only log file would make that check, and the start, fail. */
	int fd = rc == EXIT_OK ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640)
	                       : -1;
	if (rc == EXIT_OK && (fd < 0 || fchown(fd, a->pf.owner_uid, (gid_t)-1))) {
		fprintf(stderr, "%s: error: %s: %s\n", PROG, log, strerror(errno));
		rc = EXIT_IOERR;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The configuration directories: root-owned and not writable by others. */
static int fix_config_modes(struct apply *a)
{
	char *sasl = join(a->conf_dir, "/", "sasl");
	if (!sasl)
		return EXIT_SOFTWARE;
	int rc = make_dir(a->conf_dir, 0, 0, 0755);
	struct stat st;
	if (rc == EXIT_OK && !stat(sasl, &st))
		rc = make_dir(sasl, 0, 0, 0755);
	free(sasl);
	return rc;
}

/*
 * --start: start this instance's Postfix, or reload it when its master runs.
 * A start runs the queue structure check (postsuper) that `postfix start`
 * runs, then `postfix start` with a quick-start file: that skips the rest of
 * postfix-script's shell checks (missing directories, owners and modes),
 * which verify what apply has just set up.
 */
static int start_postfix(struct apply *a)
{
	char *master = join(a->pf.daemon_dir, "/", "master");
	if (!master)
		return EXIT_SOFTWARE;
	/* master -t: 0 when no master of this instance holds its pid file lock */
	char *test[] = {master, "-c", a->conf_dir, "-t", NULL};
	int st = cli_run(test, NULL, NULL);
	free(master);
	if (st < 0)
		return EXIT_IOERR; /* it could not run: cli_run said why */
	if (st != 0) {
		char *reload[] = {"postfix", "-c", a->conf_dir, "reload", NULL};
		return run(reload, NULL, NULL);
	}
	char *check[] = {"postsuper", "-c", a->conf_dir, NULL};
	int rc = run(check, NULL, NULL);
	char *quick = rc == EXIT_OK ? join(a->pf.queue_dir, "/", "quick-start") : NULL;
	if (rc == EXIT_OK && !quick)
		rc = EXIT_SOFTWARE;
	if (rc == EXIT_OK) {
		int fd = open(quick, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			rc = error("cannot create %s: %s", quick, strerror(errno));
		else
			close(fd);
	}
	if (rc == EXIT_OK) {
		char *start[] = {"postfix", "-c", a->conf_dir, "start", NULL};
		rc = run(start, NULL, NULL);
		/* a start that failed before postfix-script removed it must not skip
		 * the checks of the next one */
		if (rc != EXIT_OK)
			unlink(quick);
	}
	free(quick);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	struct apply a = {.root = "/"};
	int rc = parse(argc, argv, &a);
	if (rc >= 0)
		return rc;
	/* a tool that exits before reading its stdin must not kill us */
	signal(SIGPIPE, SIG_IGN);
	umask(022);
	rc = load(&a);
	if (rc == EXIT_OK)
		rc = render(&a);
	if (rc == EXIT_OK)
		rc = fix_config_modes(&a);
	if (rc == EXIT_OK)
		rc = query_postfix(&a);
	if (rc == EXIT_OK)
		rc = build_tables(&a);
	if (rc == EXIT_OK)
		rc = provision_sasldb(&a);
	if (rc == EXIT_OK)
		rc = make_state_dirs(&a);
	if (rc == EXIT_OK)
		rc = make_log_dir(&a);
	if (rc == EXIT_OK && a.start)
		rc = start_postfix(&a);
	prc_config_free(a.cfg);
	free(a.conf_dir);
	free(a.dkim_dir);
	free(a.pf.queue_dir);
	free(a.pf.data_dir);
	free(a.pf.mail_owner);
	free(a.pf.setgid_group);
	free(a.pf.maillog_file);
	free(a.pf.daemon_dir);
	return rc;
}
