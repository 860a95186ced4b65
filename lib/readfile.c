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

int prc_read_file(const char *path, size_t max, const char *origin, const char *key,
                  struct prc_diags *d, char **out, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "cannot read %s: %s", path,
		         strerror(e));
		if (fd >= 0)
			close(fd);
		return PRC_ERR_IO;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		if (!S_ISREG(st.st_mode))
			prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "%s: not a regular file",
			         path);
		else
			prc_diag(d, PRC_SEV_ERROR, "too-large", origin, key,
			         "%s: larger than %zu MiB", path, max / (1024 * 1024));
		close(fd);
		return PRC_ERR_IO;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t len = 0;
	if (!buf) {
		close(fd);
		return PRC_ERR_NOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			prc_diag(d, PRC_SEV_ERROR, "io", origin, key, "cannot read %s: %s", path,
			         strerror(errno));
			free(buf);
			close(fd);
			return PRC_ERR_IO;
		}
		if (r == 0 || (len += (size_t)r) == (size_t)st.st_size)
			break;
	}
	close(fd);
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
