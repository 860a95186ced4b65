/*
 * apply: what the image entrypoint runs.  It acts on the library's plan:
 * load, validate and plan; check what the plan needs from this system (its
 * accounts, the key material); build the lookup tables and the SMTPD_USERS
 * database beside their targets and create the queue and data directories;
 * only then rename the configuration, and the tables after it, into place.
 * Everything that can fail runs before the first rename, so bad input (or a
 * missing account) changes nothing on disk.
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

/* Who the plan's state belongs to, looked up on this system. */
struct accounts {
	uid_t owner_uid;
	gid_t owner_gid, setgid_gid;
};

/* A file built beside its target, renamed into place after the configuration. */
struct staged {
	char *tmp, *final;
};

struct apply {
	struct cli_source src;
	const char *root;
	bool start; /* --start: then start Postfix, or reload it when it runs */
	struct prc_config *cfg;
	struct prc_plan *plan;
	struct accounts acct;
	char *stage;            /* a temporary directory in the Postfix directory */
	struct staged built[8]; /* tables and the sasldb, in the stage */
	size_t nbuilt;
};

#define STATE(a, which) prc_plan_state((a)->plan, which, NULL)

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

/*
 * The accounts the plan's state belongs to must exist here: a configuration
 * naming a mail_owner this system lacks is refused before anything is
 * written, with the origin of the setting that named it.
 */
static bool find_accounts(struct apply *a, struct prc_diags *d)
{
	const char *owner_origin, *group_origin;
	const char *owner = prc_plan_state(a->plan, PRC_STATE_MAIL_OWNER, &owner_origin);
	const char *group = prc_plan_state(a->plan, PRC_STATE_SETGID_GROUP, &group_origin);
	struct passwd *pw = getpwnam(owner);
	struct group *gr = getgrnam(group);
	bool ok = true;
	if (pw) {
		a->acct.owner_uid = pw->pw_uid;
		a->acct.owner_gid = pw->pw_gid;
	} else {
		fprintf(stderr, "%s: error: %s: mail_owner '%s' is not a user on this system\n",
		        PROG, owner_origin, owner);
		ok = false;
	}
	if (gr) {
		a->acct.setgid_gid = gr->gr_gid;
	} else {
		fprintf(stderr, "%s: error: %s: setgid_group '%s' is not a group on this system\n",
		        PROG, group_origin, group);
		ok = false;
	}
	(void)d;
	return ok;
}

/*
 * Load, set the root, validate and plan, find the accounts, check the DKIM
 * keys and prepare the TLS files; prints every diagnostic.
 */
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
		rc = cli_exit_code(prc_plan_new(&a->plan, a->cfg, d));
	if (rc == EXIT_OK && !find_accounts(a, d))
		rc = EXIT_CONFIG;
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
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	return rc;
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

/* Remember @tmp (owned) to be renamed to @final after the configuration. */
static int stage_file(struct apply *a, char *tmp, const char *final)
{
	char *f = strdup(final);
	if (!tmp || !f || a->nbuilt == sizeof(a->built) / sizeof(a->built[0])) {
		free(tmp);
		free(f);
		return EXIT_SOFTWARE;
	}
	a->built[a->nbuilt++] = (struct staged){tmp, f};
	return EXIT_OK;
}

/* The suffix of an indexed table type's built file; NULL when unknown. */
static const char *suffix_of(const char *type)
{
	for (size_t i = 0; i < N_SUFFIXES; i++)
		if (!strcmp(table_suffixes[i].type, type))
			return table_suffixes[i].suffix;
	return NULL;
}

/*
 * A table of another type than hash: its source from the plan, then postmap,
 * in the stage (with an empty main.cf of its own, so that it neither needs
 * nor reads the configuration being replaced).
 */
static int postmap_staged(struct apply *a, enum prc_file f, const char *type, const char *name)
{
	char *src = join(a->stage, "/", name);
	FILE *out = src ? fopen(src, "wx") : NULL;
	if (!out) {
		int rc = src ? error("cannot create %s: %s", src, strerror(errno)) : EXIT_SOFTWARE;
		free(src);
		return rc;
	}
	fchmod(fileno(out), prc_plan_file_mode(a->plan, f));
	int rc = prc_plan_emit(a->plan, f, out);
	if (fclose(out) || rc)
		rc = error("cannot write %s", src);
	else
		rc = EXIT_OK;
	char *spec = rc == EXIT_OK ? join(type, ":", src) : NULL;
	if (rc == EXIT_OK && spec) {
		char *argv[] = {"postmap", "-c", a->stage, spec, NULL};
		rc = run(argv, NULL, NULL);
	} else if (rc == EXIT_OK) {
		rc = EXIT_SOFTWARE;
	}
	free(spec);
	free(src);
	return rc;
}

/*
 * Build every indexed table of the plan into the stage (hash: in process,
 * from the plan's entries; lmdb and cdb: postmap).  Nothing is renamed here.
 */
static int stage_tables(struct apply *a)
{
	int rc = EXIT_OK;
	for (int f = 0; f < PRC_FILE_COUNT && rc == EXIT_OK; f++) {
		const char *type;
		if (!prc_plan_file_used(a->plan, f) || !prc_plan_table(a->plan, f, &type) ||
		    !prc_file_is_table(f))
			continue;
		const char *sfx = suffix_of(type);
		const char *final_src = prc_plan_file_path(a->plan, f);
		const char *name = strrchr(final_src, '/') + 1;
		char *built = join(a->stage, "/", name);
		char *tmp = built ? join(built, "", sfx) : NULL;
		char *final = join(final_src, "", sfx);
		if (!tmp || !final)
			rc = EXIT_SOFTWARE;
		else if (!strcmp(type, "hash"))
			rc = cli_hash_table_write(tmp, a->plan, f, prc_plan_file_mode(a->plan, f));
		else
			rc = postmap_staged(a, f, type, name);
		if (rc == EXIT_OK) {
			rc = stage_file(a, tmp, final);
			tmp = NULL;
		}
		free(tmp);
		free(final);
		free(built);
	}
	return rc;
}

/*
 * The SMTPD_USERS database, written from scratch into the stage: removed
 * users disappear, and smtpd never sees a half-built database.
 */
static int stage_sasldb(struct apply *a)
{
	if (!prc_plan_user_count(a->plan))
		return EXIT_OK;
	char *tmp = join(a->stage, "/", "sasldb2");
	if (!tmp)
		return EXIT_SOFTWARE;
	int rc = cli_sasldb_write(tmp, a->acct.owner_gid, a->plan);
	if (rc != EXIT_OK) {
		free(tmp);
		return rc;
	}
	return stage_file(a, tmp, STATE(a, PRC_STATE_SASLDB));
}

/* After the configuration is in place: the staged files, then what nobody reads any more. */
static int commit_staged(struct apply *a)
{
	int rc = EXIT_OK;
	for (size_t i = 0; i < a->nbuilt && rc == EXIT_OK; i++)
		if (rename(a->built[i].tmp, a->built[i].final))
			rc = error("cannot rename %s into place: %s", a->built[i].final,
			           strerror(errno));
	for (int f = 0; f < PRC_FILE_COUNT && rc == EXIT_OK; f++) {
		const char *type;
		if (!prc_file_is_table(f) || !prc_plan_table(a->plan, f, &type))
			continue;
		/* the built forms of other types, and of a table no longer used */
		rc = remove_built(prc_plan_file_path(a->plan, f),
		                  prc_plan_file_used(a->plan, f) ? suffix_of(type) : NULL);
	}
	if (rc == EXIT_OK && !prc_plan_user_count(a->plan))
		rc = remove_file(STATE(a, PRC_STATE_SASLDB));
	return rc;
}

/* Remove the stage and whatever is left in it (after a failure, the built files). */
static void drop_stage(struct apply *a)
{
	for (size_t i = 0; i < a->nbuilt; i++) {
		unlink(a->built[i].tmp);
		free(a->built[i].tmp);
		free(a->built[i].final);
	}
	a->nbuilt = 0;
	if (!a->stage)
		return;
	static const char *const leftovers[] = {"main.cf", "sasl_passwd", "sender_relay"};
	for (size_t i = 0; i < sizeof(leftovers) / sizeof(leftovers[0]); i++) {
		char *p = join(a->stage, "/", leftovers[i]);
		if (p)
			unlink(p);
		free(p);
	}
	rmdir(a->stage);
	free(a->stage);
	a->stage = NULL;
}

/* The stage: a fresh directory inside the Postfix directory (same file system as the targets). */
static int make_stage(struct apply *a)
{
	a->stage = join(prc_plan_dir(a->plan, PRC_DIR_POSTFIX), "/", ".postrelaycfg-apply-XXXXXX");
	if (!a->stage)
		return EXIT_SOFTWARE;
	if (!mkdtemp(a->stage)) {
		int rc = error("cannot create a temporary directory in %s: %s",
		               prc_plan_dir(a->plan, PRC_DIR_POSTFIX), strerror(errno));
		free(a->stage);
		a->stage = NULL;
		return rc;
	}
	/* postmap -c reads main.cf: an empty one gives Postfix's defaults */
	char *mc = join(a->stage, "/", "main.cf");
	int fd = mc ? open(mc, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
	free(mc);
	if (fd < 0)
		return error("cannot create a file in %s: %s", a->stage, strerror(errno));
	close(fd);
	return EXIT_OK;
}

static int render(struct apply *a)
{
	struct prc_diags *d;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	const char *dirs[PRC_DIR_COUNT] = {NULL, NULL};
	int rc = cli_exit_code(prc_plan_render(a->plan, dirs, d));
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
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

/* The queue and data directories, as the plan lays them out (Postfix's postfix-files). */
static int make_state_dirs(struct apply *a)
{
	int rc = EXIT_OK;
	for (size_t i = 0; i < prc_plan_state_dir_count(a->plan) && rc == EXIT_OK; i++) {
		const char *path;
		enum prc_owner owner;
		bool setgid_group;
		unsigned mode;
		prc_plan_state_dir(a->plan, i, &path, &owner, &setgid_group, &mode);
		rc = make_dir(path, owner == PRC_OWNER_MAIL_OWNER ? a->acct.owner_uid : 0,
		              setgid_group ? a->acct.setgid_gid : (gid_t)-1, (mode_t)mode);
	}
	return rc;
}

/* The directory a log file goes to must exist; /dev/stdout and friends are left alone. */
static int make_log_dir(struct apply *a)
{
	const char *log = STATE(a, PRC_STATE_MAILLOG_FILE);
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
	if (rc == EXIT_OK && (fd < 0 || fchown(fd, a->acct.owner_uid, (gid_t)-1))) {
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
	const char *conf_dir = prc_plan_dir(a->plan, PRC_DIR_POSTFIX);
	char *sasl = join(conf_dir, "/", "sasl");
	if (!sasl)
		return EXIT_SOFTWARE;
	int rc = make_dir(conf_dir, 0, 0, 0755);
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
	const char *conf_dir = STATE(a, PRC_STATE_CONFIG_DIR);
	char *master = join(STATE(a, PRC_STATE_DAEMON_DIR), "/", "master");
	if (!master)
		return EXIT_SOFTWARE;
	/* master -t: 0 when no master of this instance holds its pid file lock */
	char *test[] = {master, "-c", (char *)conf_dir, "-t", NULL};
	int st = cli_run(test, NULL, NULL);
	free(master);
	if (st < 0)
		return EXIT_IOERR; /* it could not run: cli_run said why */
	if (st != 0) {
		char *reload[] = {"postfix", "-c", (char *)conf_dir, "reload", NULL};
		return run(reload, NULL, NULL);
	}
	char *check[] = {"postsuper", "-c", (char *)conf_dir, NULL};
	int rc = run(check, NULL, NULL);
	char *quick = rc == EXIT_OK ? join(STATE(a, PRC_STATE_QUEUE_DIR), "/", "quick-start") : NULL;
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
		char *start[] = {"postfix", "-c", (char *)conf_dir, "start", NULL};
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
	/* everything that can fail, before the first rename */
	if (rc == EXIT_OK)
		rc = fix_config_modes(&a);
	if (rc == EXIT_OK)
		rc = make_stage(&a);
	if (rc == EXIT_OK)
		rc = stage_tables(&a);
	if (rc == EXIT_OK)
		rc = stage_sasldb(&a);
	if (rc == EXIT_OK)
		rc = make_state_dirs(&a);
	if (rc == EXIT_OK)
		rc = make_log_dir(&a);
	/* then the configuration, and the tables and sasldb it names */
	if (rc == EXIT_OK)
		rc = render(&a);
	if (rc == EXIT_OK)
		rc = commit_staged(&a);
	/* a restart keeps the refresher's latest access token, not the initial one */
	if (rc == EXIT_OK)
		rc = cli_oauth2_install_saved(a.plan, a.cfg);
	drop_stage(&a);
	if (rc == EXIT_OK && a.start)
		rc = start_postfix(&a);
	prc_plan_free(a.plan);
	prc_config_free(a.cfg);
	return rc;
}
