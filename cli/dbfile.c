/*
 * Berkeley DB files written in-process: Postfix "hash:" tables (what
 * `postmap hash:FILE` makes) and the Cyrus SASL sasldb2 (what `saslpasswd2`
 * makes).  Both are DB_HASH databases; writing them here saves a process (and
 * its start-up) per table and per SMTPD user.  The formats:
 *
 *   Postfix hash table   key "lower-cased key\0", value "value\0" (Postfix on
 *                        Linux stores the terminating null of both)
 *   sasldb2              key "user\0realm\0userPassword", value the password
 *                        (no terminating null)
 *
 * Each file is written under a temporary name in the target's directory,
 * flushed to disk, and renamed over the target: a reader sees the old table
 * or the new one, never a half-written one.
 */
#include "cli.h"

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_BYTES (16u << 20)

struct cli_db {
	DB *db;
	char *path, *tmp;
};

static void db_error(const char *what, const char *path, int err)
{
	fprintf(stderr, "%s: error: %s %s: %s\n", PROG, what, path,
	        err > 0 ? strerror(err) : db_strerror(err));
}

static void db_discard(struct cli_db *d)
{
	if (d->db)
		d->db->close(d->db, DB_NOSYNC);
	if (d->tmp)
		unlink(d->tmp);
	free(d->tmp);
	free(d->path);
	memset(d, 0, sizeof(*d));
}

/* Create an empty DB_HASH database that will replace @path, with @mode. */
static int db_begin(struct cli_db *d, const char *path, mode_t mode, unsigned nelem)
{
	memset(d, 0, sizeof(*d));
	size_t len = strlen(path);
	d->path = strdup(path);
	d->tmp = malloc(len + sizeof(".tmp-XXXXXX"));
	if (!d->path || !d->tmp) {
		db_discard(d);
		return EXIT_SOFTWARE;
	}
	memcpy(d->tmp, path, len);
	memcpy(d->tmp + len, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	/* a unique name that no one else can have opened; Berkeley DB then
	 * truncates and formats the (empty) file */
	int fd = mkstemp(d->tmp);
	if (fd < 0) {
		db_error("cannot create a temporary file for", path, errno);
		free(d->tmp);
		d->tmp = NULL;
		db_discard(d);
		return EXIT_IOERR;
	}
	if (fchmod(fd, mode)) {
		db_error("cannot set the mode of", d->tmp, errno);
		close(fd);
		db_discard(d);
		return EXIT_IOERR;
	}
	close(fd);
	int err = db_create(&d->db, NULL, 0);
	if (!err && nelem)
		err = d->db->set_h_nelem(d->db, nelem);
	/* a cache that holds a large table whole: pages are written once, at
	 * the end, instead of being evicted and re-read while it grows (postmap
	 * uses 16 MB: berkeley_db_create_buffer_size) */
	if (!err)
		err = d->db->set_cachesize(d->db, 0, CACHE_BYTES, 1);
	if (!err)
		err =
		    d->db->open(d->db, NULL, d->tmp, NULL, DB_HASH, DB_CREATE | DB_TRUNCATE, mode);
	if (err) {
		db_error("cannot create", d->tmp, err);
		db_discard(d);
		return EXIT_IOERR;
	}
	return EXIT_OK;
}

/* Store one entry; a key stored before keeps its first value (as postmap does). */
static int db_put(struct cli_db *d, const void *key, size_t klen, const void *val, size_t vlen)
{
	DBT k = {.data = (void *)key, .size = (u_int32_t)klen};
	DBT v = {.data = (void *)val, .size = (u_int32_t)vlen};
	int err = d->db->put(d->db, NULL, &k, &v, DB_NOOVERWRITE);
	if (err && err != DB_KEYEXIST) {
		db_error("cannot write to", d->tmp, err);
		return EXIT_IOERR;
	}
	return EXIT_OK;
}

/* Close, flush to disk, give it @uid/@gid (-1 keeps), and rename it over the target. */
static int db_commit(struct cli_db *d, uid_t uid, gid_t gid)
{
	int err = d->db->close(d->db, 0);
	d->db = NULL;
	if (err) {
		db_error("cannot write", d->tmp, err);
		db_discard(d);
		return EXIT_IOERR;
	}
	int fd = open(d->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fsync(fd) ||
	    ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid))) {
		db_error("cannot write", d->tmp, errno);
		if (fd >= 0)
			close(fd);
		db_discard(d);
		return EXIT_IOERR;
	}
	close(fd);
	if (rename(d->tmp, d->path)) {
		db_error("cannot rename into place", d->path, errno);
		db_discard(d);
		return EXIT_IOERR;
	}
	free(d->tmp);
	d->tmp = NULL;
	db_discard(d);
	return EXIT_OK;
}

int cli_hash_table_write(const char *path, const struct prc_plan *plan, enum prc_file file,
                         unsigned mode)
{
	size_t n = prc_plan_table_count(plan, file);
	struct cli_db d;
	int rc = db_begin(&d, path, (mode_t)mode, (unsigned)(n ? n : 1));
	for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
		const char *key, *value;
		prc_plan_table_entry(plan, file, i, &key, &value, NULL);
		/* the plan's keys are folded as postmap folds them */
		rc = db_put(&d, key, strlen(key) + 1, value, strlen(value) + 1);
	}
	if (rc == EXIT_OK)
		return db_commit(&d, 0, 0);
	if (d.db || d.tmp)
		db_discard(&d);
	return rc;
}

int cli_sasldb_write(const char *path, gid_t gid, const struct prc_plan *plan)
{
	size_t n = prc_plan_user_count(plan);
	struct cli_db d;
	int rc = db_begin(&d, path, 0640, (unsigned)n);
	for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
		const char *user, *realm, *password;
		prc_plan_user(plan, i, &user, &realm, &password);
		static const char prop[] = "userPassword";
		size_t ulen = strlen(user), rlen = strlen(realm);
		size_t klen = ulen + 1 + rlen + 1 + sizeof(prop) - 1;
		char *key = malloc(klen);
		if (!key) {
			rc = EXIT_SOFTWARE;
			break;
		}
		memcpy(key, user, ulen + 1);
		memcpy(key + ulen + 1, realm, rlen + 1);
		memcpy(key + ulen + 1 + rlen + 1, prop, sizeof(prop) - 1);
		rc = db_put(&d, key, klen, password, strlen(password));
		free(key);
	}
	if (rc == EXIT_OK)
		return db_commit(&d, 0, gid);
	if (d.db || d.tmp)
		db_discard(&d);
	return rc;
}
