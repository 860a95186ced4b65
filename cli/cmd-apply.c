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

#include <dirent.h>
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

enum { OPT_ROOT = 256, OPT_START, OPT_KEY_OWNER };

static const char synopsis[] =
    "apply [-c FILE] [--env-file FILE] [--no-env] [--root DIR] [--dkim-key-owner USER] [--start]";

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
	char *stage;          /* a temporary directory in the Postfix directory */
	struct staged *built; /* tables, the sasldb and key copies, beside their targets */
	size_t nbuilt, capbuilt;
	const char *key_owner; /* --dkim-key-owner: install copies of the DKIM keys for this user */
	uid_t key_uid;
	gid_t key_gid;
	FILE *log; /* where diagnostics and errors go */
};

#define STATE(a, which) prc_plan_state((a)->plan, which, NULL)

static int error(struct apply *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int error(struct apply *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(a->log, "%s: error: ", PROG);
	vfprintf(a->log, fmt, ap);
	fputc('\n', a->log);
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
static int run(struct apply *a, char *const argv[], const char *input, char **output)
{
	int st = cli_run(argv, input, output);
	if (st == 0)
		return EXIT_OK;
	if (st > 0)
		error(a, "%s failed (exit status %d)", argv[0], st);
	return EXIT_IOERR;
}

static int parse(int argc, char **argv, struct apply *a)
{
	static const struct option opts[] = {
	    CLI_SOURCE_OPTIONS,
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"start", no_argument, NULL, OPT_START},
	    {"dkim-key-owner", required_argument, NULL, OPT_KEY_OWNER},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "c:h", opts)) != -1) {
		if (cli_source_option(c, optarg, &a->src))
			continue;
		switch (c) {
		case OPT_ROOT:
			a->root = optarg;
			break;
		case OPT_START:
			a->start = true;
			break;
		case OPT_KEY_OWNER:
			a->key_owner = optarg;
			a->src.dkim_key_copies = true;
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
			    "      --dkim-key-owner USER  install a copy of each DKIM key, "
			    "readable by "
			    "USER\n"
			    "                      only, in DIR/etc/opendkim/keys (for an OpenDKIM "
			    "that\n"
			    "                      runs as USER)\n"
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
		fprintf(a->log, "%s: error: unexpected argument '%s'\n", PROG, argv[optind]);
		goto bad;
	}
	return -1;
bad:
	fprintf(a->log, "usage: %s %s (see --help)\n", PROG, synopsis);
	return EXIT_USAGE;
}

static int make_dir(struct apply *a, const char *path, uid_t uid, gid_t gid, mode_t mode);

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
		fprintf(a->log, "%s: error: %s: mail_owner '%s' is not a user on this system\n",
		        PROG, owner_origin, owner);
		ok = false;
	}
	if (gr) {
		a->acct.setgid_gid = gr->gr_gid;
	} else {
		fprintf(a->log, "%s: error: %s: setgid_group '%s' is not a group on this system\n",
		        PROG, group_origin, group);
		ok = false;
	}
	if (a->key_owner) {
		struct passwd *kp = getpwnam(a->key_owner);
		if (kp) {
			a->key_uid = kp->pw_uid;
			a->key_gid = kp->pw_gid;
		} else {
			fprintf(a->log,
			        "%s: error: --dkim-key-owner: '%s' is not a user on this system\n",
			        PROG, a->key_owner);
			ok = false;
		}
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
		fprintf(a->log, "%s: error: --root: '%s' is not an absolute directory\n", PROG,
		        a->root);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_plan_new(&a->plan, a->cfg, d));
	if (rc == EXIT_OK && !find_accounts(a, d))
		rc = EXIT_CONFIG;
	/* DKIM_AUTOGENERATE makes missing keys (never replacing one) and says
	 * what to publish; the check then reads them all */
	char *records = NULL;
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_dkim_prepare(a->cfg, &records, d));
	if (records && *records)
		fprintf(a->log,
		        "%s: DKIM keys of DKIM_AUTOGENERATE; publish these DNS records:\n%s", PROG,
		        records);
	free(records);
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_dkim_check(a->cfg, d));
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_tls_prepare(a->cfg, d));
	struct stat st;
	if (rc == EXIT_OK && strcmp(a->root, "/") && !stat(a->root, &st) && !(st.st_mode & 0001))
		fprintf(a->log,
		        "%s: warning: --root %s is not searchable by others: Postfix processes "
		        "running as mail_owner cannot reach files below it\n",
		        PROG, a->root);
	prc_diags_print(d, PROG, a->log);
	prc_diags_free(d);
	return rc;
}

/* Remove @path if it exists; a missing file is fine. */
static int remove_file(struct apply *a, const char *path)
{
	if (unlink(path) && errno != ENOENT)
		return error(a, "cannot remove %s: %s", path, strerror(errno));
	return EXIT_OK;
}

/* Remove the built forms of table @path except the one with suffix @keep. */
static int remove_built(struct apply *a, const char *path, const char *keep)
{
	int rc = EXIT_OK;
	for (size_t i = 0; i < N_SUFFIXES && rc == EXIT_OK; i++) {
		const char *sfx = table_suffixes[i].suffix;
		if (keep && !strcmp(sfx, keep))
			continue;
		char *p = join(path, "", sfx);
		rc = p ? remove_file(a, p) : EXIT_SOFTWARE;
		free(p);
	}
	return rc;
}

/* Remember @tmp (owned) to be renamed to @final after the configuration. */
static int stage_file(struct apply *a, char *tmp, const char *final)
{
	char *f = strdup(final);
	if (tmp && f && a->nbuilt == a->capbuilt) {
		size_t cap = a->capbuilt ? 2 * a->capbuilt : 8;
		struct staged *more = realloc(a->built, cap * sizeof(*more));
		if (more) {
			a->built = more;
			a->capbuilt = cap;
		}
	}
	if (!tmp || !f || a->nbuilt == a->capbuilt) {
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
		int rc =
		    src ? error(a, "cannot create %s: %s", src, strerror(errno)) : EXIT_SOFTWARE;
		free(src);
		return rc;
	}
	fchmod(fileno(out), prc_plan_file_mode(a->plan, f));
	int rc = prc_plan_emit(a->plan, f, out);
	if (fclose(out) || rc)
		rc = error(a, "cannot write %s", src);
	else
		rc = EXIT_OK;
	char *spec = rc == EXIT_OK ? join(type, ":", src) : NULL;
	if (rc == EXIT_OK && spec) {
		char *argv[] = {"postmap", "-c", a->stage, spec, NULL};
		rc = run(a, argv, NULL, NULL);
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
	size_t nf = prc_plan_file_count(a->plan);
	for (size_t f = 0; f < nf && rc == EXIT_OK; f++) {
		const char *type;
		/* pcre and regexp tables are read as they are */
		if (!prc_plan_file_used(a->plan, f) || !prc_plan_table(a->plan, f, &type) ||
		    !suffix_of(type))
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

/* The directory of the DKIM key copies: OpenDKIM's own, 0700. */
static char *keys_dir(struct apply *a)
{
	return join(prc_plan_dir(a->plan, PRC_DIR_OPENDKIM), "/", "keys");
}

/*
 * A copy of each DKIM key for OpenDKIM's user (--dkim-key-owner), mode 0400,
 * written beside its target and renamed with the rest: OpenDKIM reads its
 * key at every signature, after it has given up root.
 */
static int stage_keys(struct apply *a)
{
	size_t n = prc_plan_key_copy_count(a->plan);
	if (!n)
		return EXIT_OK;
	char *dir = keys_dir(a);
	int rc = dir ? make_dir(a, dir, a->key_uid, a->key_gid, 0700) : EXIT_SOFTWARE;
	for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
		const char *source, *dest;
		prc_plan_key_copy(a->plan, i, &source, &dest);
		char *tmp = join(dir, "/", ".key-XXXXXX");
		int in = open(source, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		int out = tmp ? mkostemp(tmp, O_CLOEXEC) : -1;
		char buf[65536];
		ssize_t got = 0;
		if (in < 0)
			rc = error(a, "%s: %s", source, strerror(errno));
		else if (out < 0)
			rc = error(a, "cannot create a file in %s: %s", dir, strerror(errno));
		while (rc == EXIT_OK && (got = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)got) != got)
				rc = error(a, "cannot write %s: %s", tmp, strerror(errno));
		if (rc == EXIT_OK && (got < 0 || fchmod(out, 0400) ||
		                      fchown(out, a->key_uid, a->key_gid) || fsync(out)))
			rc = error(a, "cannot write %s: %s", tmp, strerror(errno));
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		if (rc == EXIT_OK)
			rc = stage_file(a, tmp, dest);
		else if (tmp) {
			if (out >= 0)
				unlink(tmp);
			free(tmp);
		}
	}
	free(dir);
	return rc;
}

/* Key copies of ours that the plan no longer has (a domain removed, copies turned off). */
static void remove_stale_keys(struct apply *a)
{
	char *dir = keys_dir(a);
	DIR *dp = dir ? opendir(dir) : NULL;
	struct dirent *e;
	while (dp && (e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".key"))
			continue;
		char *path = join(dir, "/", e->d_name);
		bool keep = false;
		for (size_t i = 0; path && i < prc_plan_key_copy_count(a->plan) && !keep; i++) {
			const char *dest;
			prc_plan_key_copy(a->plan, i, NULL, &dest);
			keep = !strcmp(dest, path);
		}
		if (path && !keep)
			unlink(path);
		free(path);
	}
	if (dp)
		closedir(dp);
	free(dir);
}

/* Whether one of the user's own tables is called @name. */
static bool user_table_named(struct apply *a, const char *name)
{
	for (size_t f = PRC_FILE_COUNT; f < prc_plan_file_count(a->plan); f++)
		if (!strcmp(prc_plan_file_name(a->plan, f), name))
			return true;
	return false;
}

/* After the configuration is in place: the staged files, then what nobody reads any more. */
static int commit_staged(struct apply *a)
{
	int rc = EXIT_OK;
	for (size_t i = 0; i < a->nbuilt && rc == EXIT_OK; i++)
		if (rename(a->built[i].tmp, a->built[i].final))
			rc = error(a, "cannot rename %s into place: %s", a->built[i].final,
			           strerror(errno));
	size_t nf = prc_plan_file_count(a->plan);
	for (size_t f = 0; f < nf && rc == EXIT_OK; f++) {
		const char *type;
		if (!prc_plan_table(a->plan, f, &type) ||
		    (f < PRC_FILE_COUNT && !prc_file_is_table(f)))
			continue;
		/* an unused table of ours whose name a user table took keeps its build */
		if (!prc_plan_file_used(a->plan, f) &&
		    user_table_named(a, prc_plan_file_name(a->plan, f)))
			continue;
		/* the built forms of other types, and of a table no longer used */
		rc = remove_built(a, prc_plan_file_path(a->plan, f),
		                  prc_plan_file_used(a->plan, f) ? suffix_of(type) : NULL);
	}
	if (rc == EXIT_OK && !prc_plan_user_count(a->plan))
		rc = remove_file(a, STATE(a, PRC_STATE_SASLDB));
	if (rc == EXIT_OK)
		remove_stale_keys(a);
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
	free(a->built);
	a->built = NULL;
	a->capbuilt = 0;
	if (!a->stage)
		return;
	/* main.cf and the sources postmap was given */
	char *mc = join(a->stage, "/", "main.cf");
	if (mc)
		unlink(mc);
	free(mc);
	for (size_t f = 0; f < prc_plan_file_count(a->plan); f++) {
		if (!prc_plan_table(a->plan, f, NULL))
			continue;
		const char *path = prc_plan_file_path(a->plan, f);
		char *p = join(a->stage, "/", strrchr(path, '/') + 1);
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
		int rc = error(a, "cannot create a temporary directory in %s: %s",
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
		return error(a, "cannot create a file in %s: %s", a->stage, strerror(errno));
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
	prc_diags_print(d, PROG, a->log);
	prc_diags_free(d);
	return rc;
}

/* Create @path (and missing parents, root-owned 0755), then set its owner and mode. */
static int make_dir(struct apply *a, const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	char *p = strdup(path);
	if (!p)
		return EXIT_SOFTWARE;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			int rc = error(a, "cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return rc;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, mode) && errno != EEXIST)
		return error(a, "cannot create directory %s: %s", path, strerror(errno));
	struct stat st;
	if (lstat(path, &st) || !S_ISDIR(st.st_mode))
		return error(a, "%s is not a directory", path);
	if (lchown(path, uid, gid) || chmod(path, mode))
		return error(a, "cannot set the owner and mode of %s: %s", path, strerror(errno));
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
		rc = make_dir(a, path, owner == PRC_OWNER_MAIL_OWNER ? a->acct.owner_uid : 0,
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
			rc = make_dir(a, dir, 0, 0, 0755);
	}
	free(dir);
	/* Postfix programs that log without postlogd (postsuper in `postfix
	 * start`'s integrity check, after a crash) open the file as mail_owner:
	 * a root-only log file would make that check, and the start, fail. */
	int fd = rc == EXIT_OK
	             ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640)
	             : -1;
	if (rc == EXIT_OK && (fd < 0 || fchown(fd, a->acct.owner_uid, (gid_t)-1))) {
		fprintf(a->log, "%s: error: %s: %s\n", PROG, log, strerror(errno));
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
	int rc = make_dir(a, conf_dir, 0, 0, 0755);
	struct stat st;
	if (rc == EXIT_OK && !stat(sasl, &st))
		rc = make_dir(a, sasl, 0, 0, 0755);
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
		return run(a, reload, NULL, NULL);
	}
	char *check[] = {"postsuper", "-c", (char *)conf_dir, NULL};
	int rc = run(a, check, NULL, NULL);
	char *quick =
	    rc == EXIT_OK ? join(STATE(a, PRC_STATE_QUEUE_DIR), "/", "quick-start") : NULL;
	if (rc == EXIT_OK && !quick)
		rc = EXIT_SOFTWARE;
	if (rc == EXIT_OK) {
		int fd = open(quick, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			rc = error(a, "cannot create %s: %s", quick, strerror(errno));
		else
			close(fd);
	}
	if (rc == EXIT_OK) {
		char *start[] = {"postfix", "-c", (char *)conf_dir, "start", NULL};
		rc = run(a, start, NULL, NULL);
		/* a start that failed before postfix-script removed it must not skip
		 * the checks of the next one */
		if (rc != EXIT_OK)
			unlink(quick);
	}
	free(quick);
	return rc;
}

/*
 * The steps of apply up to the renames (everything that can fail), then the
 * renames; the stage is always removed.
 */
static int apply_steps(struct apply *a)
{
	/* a tool that exits before reading its stdin must not kill us */
	signal(SIGPIPE, SIG_IGN);
	umask(022);
	int rc = load(a);
	/* everything that can fail, before the first rename */
	if (rc == EXIT_OK)
		rc = fix_config_modes(a);
	if (rc == EXIT_OK)
		rc = make_stage(a);
	/* a restart keeps the refresher's latest access token, not the initial one */
	if (rc == EXIT_OK)
		rc = cli_oauth2_use_saved(a->plan, a->cfg);
	if (rc == EXIT_OK)
		rc = stage_tables(a);
	if (rc == EXIT_OK)
		rc = stage_sasldb(a);
	if (rc == EXIT_OK)
		rc = stage_keys(a);
	if (rc == EXIT_OK)
		rc = make_state_dirs(a);
	if (rc == EXIT_OK)
		rc = make_log_dir(a);
	/* then the configuration, and the tables and sasldb it names */
	if (rc == EXIT_OK)
		rc = render(a);
	if (rc == EXIT_OK)
		rc = commit_staged(a);
	drop_stage(a);
	return rc;
}

int cli_apply(const struct cli_source *src, const char *root, const char *key_owner, FILE *log,
              struct prc_config **cfg, struct prc_plan **plan)
{
	struct apply a = {.src = *src, .root = root, .key_owner = key_owner, .log = log};
	a.src.dkim_key_copies = key_owner != NULL;
	int rc = apply_steps(&a);
	if (rc == EXIT_OK && cfg && plan) {
		*cfg = a.cfg;
		*plan = a.plan;
		return rc;
	}
	prc_plan_free(a.plan);
	prc_config_free(a.cfg);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	struct apply a = {.root = "/", .log = stderr};
	int rc = parse(argc, argv, &a);
	if (rc >= 0)
		return rc;
	rc = apply_steps(&a);
	if (rc == EXIT_OK && a.start)
		rc = start_postfix(&a);
	prc_plan_free(a.plan);
	prc_config_free(a.cfg);
	return rc;
}
