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

#include <ctype.h>
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
		err = d->db->open(d->db, NULL, d->tmp, NULL, DB_HASH, DB_CREATE | DB_TRUNCATE, mode);
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
	if (fd < 0 || fsync(fd) || ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid))) {
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

/* Read all of @path into a NUL-terminated buffer (the caller frees it); NULL
 * with errno set when it cannot be read whole. */
static char *slurp(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = NULL;
	if (!fstat(fd, st) && (buf = malloc((size_t)st->st_size + 1))) {
		size_t got = 0;
		while (got < (size_t)st->st_size) {
			ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				/* a table built from part of its source would drop entries */
				free(buf);
				buf = NULL;
				break;
			}
			if (n == 0)
				break;
			got += (size_t)n;
		}
		if (buf)
			buf[got] = '\0';
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

/*
 * Parse a table source the way postmap does: blank lines and lines starting
 * with # are skipped, a line starting with white space continues the one
 * before, the key is the first word (lower-cased) and the value the rest,
 * with surrounding white space removed.  Each entry goes into @d; keys and
 * values are NUL-terminated in place.
 */
static int parse_table(char *text, struct cli_db *d)
{
	char *line = text;
	int rc = EXIT_OK;
	while (*line && rc == EXIT_OK) {
		/* the logical line: this one plus the lines that continue it */
		char *end = line;
		for (;;) {
			end += strcspn(end, "\n");
			if (*end && (end[1] == ' ' || end[1] == '\t')) {
				*end = ' ';
				continue;
			}
			break;
		}
		char *next = *end ? end + 1 : end;
		*end = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p && *p != '#') {
			char *key = p;
			while (*p && !isspace((unsigned char)*p)) {
				*p = (char)tolower((unsigned char)*p);
				p++;
			}
			size_t klen = (size_t)(p - key);
			while (isspace((unsigned char)*p))
				p++;
			char *val = p;
			char *vend = val + strlen(val);
			while (vend > val && isspace((unsigned char)vend[-1]))
				vend--;
			*vend = '\0';
			key[klen] = '\0';
			rc = db_put(d, key, klen + 1, val, (size_t)(vend - val) + 1);
		}
		line = next;
	}
	return rc;
}

int cli_hash_table_build(const char *source)
{
	struct stat st;
	char *text = slurp(source, &st);
	if (!text) {
		fprintf(stderr, "%s: error: cannot read %s: %s\n", PROG, source, strerror(errno));
		return EXIT_IOERR;
	}
	size_t len = strlen(source);
	char *db_path = malloc(len + sizeof(".db"));
	if (!db_path) {
		free(text);
		return EXIT_SOFTWARE;
	}
	memcpy(db_path, source, len);
	memcpy(db_path + len, ".db", sizeof(".db"));
	/* about one line per entry: size the hash table for them up front */
	unsigned lines = 1;
	for (const char *s = text; *s; s++)
		lines += *s == '\n';
	struct cli_db d;
	/* the table gets the source's owner, group, and group and other read
	 * permissions, as with postmap */
	int rc = db_begin(&d, db_path, (st.st_mode & 0044) | 0600, lines);
	if (rc == EXIT_OK) {
		rc = parse_table(text, &d);
		if (rc == EXIT_OK)
			rc = db_commit(&d, st.st_uid, st.st_gid);
		else
			db_discard(&d);
	}
	free(text);
	free(db_path);
	return rc;
}

int cli_sasldb_build(const char *path, gid_t gid, const struct cli_sasl_user *users, size_t n)
{
	struct cli_db d;
	int rc = db_begin(&d, path, 0640, (unsigned)n);
	for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
		const char *user = users[i].user, *realm = users[i].realm;
		const char *at = strrchr(user, '@');
		size_t ulen = at ? (size_t)(at - user) : strlen(user);
		if (at)
			realm = at + 1;
		static const char prop[] = "userPassword";
		size_t rlen = strlen(realm);
		size_t klen = ulen + 1 + rlen + 1 + sizeof(prop) - 1;
		char *key = malloc(klen);
		if (!key) {
			rc = EXIT_SOFTWARE;
			break;
		}
		memcpy(key, user, ulen);
		key[ulen] = '\0';
		memcpy(key + ulen + 1, realm, rlen);
		key[ulen + 1 + rlen] = '\0';
		memcpy(key + ulen + 1 + rlen + 1, prop, sizeof(prop) - 1);
		rc = db_put(&d, key, klen, users[i].password, strlen(users[i].password));
		free(key);
	}
	if (rc == EXIT_OK)
		return db_commit(&d, 0, gid);
	if (d.db || d.tmp)
		db_discard(&d);
	return rc;
}
