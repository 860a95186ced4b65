/*
 * The config reloader's status file: which configuration generation is
 * applied, and whether the last change was refused (with its diagnostics).
 * `watch --apply` writes it, atomically; `health` reads it.  It is our own
 * line format ("generation N", "time T", "result applied|refused", one
 * "diag LINE" per diagnostic, then what the applied generation's plan listens
 * on: "service PORT NAME", "milter SPEC", "queue_directory DIR"), not a
 * rendered Postfix file.
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

int cli_status_write(const char *path, unsigned long generation, bool refused, const char *diags,
                     const struct prc_plan *plan)
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
	for (size_t i = 0; i < prc_plan_service_count(plan); i++) {
		const char *name;
		unsigned port;
		prc_plan_service(plan, i, &name, NULL, NULL, &port);
		if (port)
			fprintf(f, "service %u %s\n", port, name);
	}
	for (size_t i = 0; i < prc_plan_milter_count(plan); i++)
		fprintf(f, "milter %s\n", prc_plan_milter(plan, i));
	fprintf(f, "queue_directory %s\n", prc_plan_state(plan, PRC_STATE_QUEUE_DIR, NULL));
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

/* @src into @dst of @size bytes, cut to fit */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int cli_status_read(const char *path, struct cli_status *st)
{
	*st = (struct cli_status){0};
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[2048];
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
			copy(st->first_diag, sizeof(st->first_diag), line + 5);
		} else if (!strncmp(line, "diag error: ", 12)) {
			st->more_diags++;
		} else if (!strncmp(line, "service ", 8) && st->nservices < 16) {
			unsigned port;
			int off = 0;
			if (sscanf(line + 8, "%5u %n", &port, &off) == 1 && off > 0 && port &&
			    port < 65536) {
				st->services[st->nservices].port = port;
				copy(st->services[st->nservices].name,
				     sizeof(st->services[st->nservices].name), line + 8 + off);
				st->nservices++;
			}
		} else if (!strncmp(line, "milter ", 7) && st->nmilters < 8) {
			copy(st->milters[st->nmilters++], sizeof(st->milters[0]), line + 7);
		} else if (!strncmp(line, "queue_directory ", 16)) {
			copy(st->queue_dir, sizeof(st->queue_dir), line + 16);
		}
	}
	fclose(f);
	return have_generation ? 0 : -1;
}
