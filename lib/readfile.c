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
 * The open does not block: a FIFO or a device is refused, not waited on.  The
 * size from fstat is not trusted either (files in /proc report 0): reading
 * goes on to end of file, and one byte over @max tells the file is too large.
 */
int prc_read_file(const char *path, size_t max, const char *origin, const char *key,
                  struct prc_diags *d, char **out, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "cannot read %s: %s", path,
		         strerror(e));
		if (fd >= 0)
			close(fd);
		return PRC_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "%s: not a regular file", path);
		close(fd);
		return PRC_ERR_IO;
	}
	size_t cap = st.st_size > 0 && (uint64_t)st.st_size <= max ? (size_t)st.st_size + 1 : 4096;
	size_t len = 0;
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
			prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "cannot read %s: %s", path,
			         strerror(errno));
			free(buf);
			close(fd);
			return PRC_ERR_IO;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (!buf)
		return PRC_ERR_NOMEM;
	if (len > max) {
		prc_diag(d, PRC_SEV_ERROR, "too-large", origin, key, "%s: larger than %zu MiB", path,
		         max / (1024 * 1024));
		free(buf);
		return PRC_ERR_IO;
	}
	buf[len] = '\0';
	*out = buf;
	*len_out = len;
	return PRC_OK;
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
