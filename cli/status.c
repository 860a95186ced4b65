/*
 * The config reloader's status file: which configuration generation is
 * applied, and whether the last change was refused (with its diagnostics).
 * `watch --apply` writes it, atomically; `health` reads it.  It is our own
 * line format ("generation N", "time T", "result applied|refused", then one
 * "diag LINE" per diagnostic), not a rendered Postfix file.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATUS_REL "/var/lib/postrelaycfg/status"
#define MAX_DIAGS  50

char *cli_status_path(const char *root)
{
	size_t lr = strcmp(root, "/") ? strlen(root) : 0;
	char *p = malloc(lr + sizeof(STATUS_REL));
	if (p) {
		memcpy(p, root, lr);
		memcpy(p + lr, STATUS_REL, sizeof(STATUS_REL));
	}
	return p;
}

/* mkdir -p of the directory above @path, root-owned 0755 */
static int make_parents(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	int rc = 0;
	for (char *s = strchr(p + 1, '/'); s && !rc; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(p);
	return rc;
}

int cli_status_write(const char *path, unsigned long generation, bool refused, const char *diags)
{
	size_t lp = strlen(path);
	char *tmp = malloc(lp + sizeof(".XXXXXX"));
	if (!tmp)
		return -1;
	memcpy(tmp, path, lp);
	memcpy(tmp + lp, ".XXXXXX", sizeof(".XXXXXX"));
	int fd = make_parents(path) ? -1 : mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "%s: watch: cannot write %s: %s\n", PROG, path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -1;
	}
	fchmod(fd, 0644);
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fprintf(f, "generation %lu\ntime %s\nresult %s\n", generation, when,
	        refused ? "refused" : "applied");
	int n = 0;
	for (const char *p = diags ? diags : ""; *p && n < MAX_DIAGS; n++) {
		size_t len = strcspn(p, "\n");
		/* "postrelaycfg: error: ..." is kept as "error: ..." */
		size_t skip =
		    strncmp(p, PROG ": ", sizeof(PROG ": ") - 1) ? 0 : sizeof(PROG ": ") - 1;
		if (len > skip)
			fprintf(f, "diag %.*s\n", (int)(len - skip), p + skip);
		p += len + (p[len] == '\n');
	}
	int rc = fflush(f) || fsync(fd) ? -1 : 0;
	if (fclose(f))
		rc = -1;
	if (rc == 0 && rename(tmp, path))
		rc = -1;
	if (rc) {
		fprintf(stderr, "%s: watch: cannot write %s: %s\n", PROG, path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int cli_status_read(const char *path, struct cli_status *st)
{
	*st = (struct cli_status){0};
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[1024];
	bool have_generation = false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *end;
		if (!strncmp(line, "generation ", 11)) {
			errno = 0;
			st->generation = strtoul(line + 11, &end, 10);
			have_generation = !errno && !*end && end != line + 11;
		} else if (!strcmp(line, "result refused")) {
			st->refused = true;
		} else if (!strncmp(line, "diag error: ", 12) && !st->first_diag[0]) {
			size_t n = strlen(line + 5);
			if (n >= sizeof(st->first_diag))
				n = sizeof(st->first_diag) - 1;
			memcpy(st->first_diag, line + 5, n);
			st->first_diag[n] = '\0';
		} else if (!strncmp(line, "diag error: ", 12)) {
			st->more_diags++;
		}
	}
	fclose(f);
	return have_generation ? 0 : -1;
}
