/* Reading small files whole: YAML files, NAME_FILE secrets, password_file. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 100 000 relay credentials (NAME_FILE or an env file) are about 5 MB */
#define MAX_SECRET (16 * 1024 * 1024)

/*
 * The one file reader of the library.  The open does not block: a FIFO or a
 * device is refused, not waited on.  The size from fstat is not trusted
 * either (files in /proc report 0): reading goes on to end of file, and one
 * byte over @max tells the file is too large.
 */
int prc_file_load(const char *path, size_t max, char **out, size_t *len_out, struct stat *st_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return errno;
	if (fstat(fd, &st)) {
		int e = errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return PRC_FILE_NOT_REGULAR;
	}
	size_t cap = st.st_size > 0 && (uint64_t)st.st_size <= max ? (size_t)st.st_size + 1 : 4096;
	size_t len = 0;
	int err = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (len == cap) {
			if (cap > max)
				break;
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *b = realloc(buf, ncap + 1);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (!buf)
		return ENOMEM;
	if (!err && len > max)
		err = PRC_FILE_TOO_LARGE;
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	*len_out = len;
	if (st_out)
		*st_out = st;
	return 0;
}

const char *prc_file_strerror(int err)
{
	switch (err) {
	case PRC_FILE_NOT_REGULAR:
		return "not a regular file";
	case PRC_FILE_TOO_LARGE:
		return "too large";
	default:
		return strerror(err);
	}
}

int prc_read_file(const char *path, size_t max, const char *origin, const char *key,
                  struct prc_diags *d, char **out, size_t *len)
{
	int err = prc_file_load(path, max, out, len, NULL);
	switch (err) {
	case 0:
		return PRC_OK;
	case ENOMEM:
		return PRC_ERR_NOMEM;
	case PRC_FILE_NOT_REGULAR:
		prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "%s: not a regular file", path);
		return PRC_ERR_IO;
	case PRC_FILE_TOO_LARGE:
		prc_diag(d, PRC_SEV_ERROR, "too-large", origin, key, "%s: larger than %zu MiB",
		         path, max / (1024 * 1024));
		return PRC_ERR_IO;
	default:
		prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "cannot read %s: %s", path,
		         strerror(err));
		return PRC_ERR_IO;
	}
}

char *prc_read_secret(const char *path, const char *origin, const char *key, struct prc_diags *d,
                      int *rc)
{
	char *buf;
	size_t len;
	int r = prc_read_file(path, MAX_SECRET, origin, key, d, &buf, &len);
	if (r) {
		*rc = r == PRC_ERR_NOMEM ? r : PRC_ERR_INVALID;
		return NULL;
	}
	if (strlen(buf) != len) {
		prc_diag(d, PRC_SEV_ERROR, "invalid-value", origin, key, "%s: contains a NUL byte",
		         path);
		free(buf);
		*rc = PRC_ERR_INVALID;
		return NULL;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return buf;
}
