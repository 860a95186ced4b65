/*
 * log-json: the log filter of LOG_FORMAT=json.  Each line of stdin goes to
 * stdout as one JSON object (log-json.c); with `-- PROGRAM ARGS`, the line
 * itself also goes, unchanged, to PROGRAM's stdin (the mail log's s6-log,
 * which keeps the plain rotated file the exporter reads).
 */
#include "cli.h"
#include "log-json.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char synopsis[] = "log-json [-- PROGRAM [ARGS...]]";

/* @n bytes at @a and a newline to @fd, in one system call when it can. */
static bool write_line(int fd, const char *a, size_t n)
{
	struct iovec v[2] = {{(void *)a, n}, {"\n", 1}};
	int k = 0;
	while (k < 2) {
		ssize_t w = writev(fd, v + k, 2 - k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		size_t done = (size_t)w;
		while (k < 2 && done >= v[k].iov_len) {
			done -= v[k].iov_len;
			k++;
		}
		if (k < 2) { /* a partial write: the rest of this piece next */
			v[k].iov_base = (char *)v[k].iov_base + done;
			v[k].iov_len -= done;
		}
	}
	return true;
}

/* Start @argv with a pipe as its stdin; returns the pipe's write end, or -1. */
static int start_copy(char **argv, pid_t *pid)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	*pid = fork();
	if (*pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!*pid) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: log-json: cannot run %s: %s\n", PROG, argv[0],
		        strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	return fds[1];
}

/* One whole line (without its newline): JSON to stdout, itself to @copy. */
static bool emit(const char *line, size_t n, bool truncated, int copy)
{
	char *json = log_json_line(line, n, truncated, time(NULL));
	bool ok = json && write_line(1, json, strlen(json));
	free(json);
	if (copy >= 0)
		ok = ok && write_line(copy, line, n);
	return ok;
}

int cmd_log_json(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s %s\n"
		       "Print each line of stdin as one JSON object (time, host, process, pid,\n"
		       "queue_id, severity, facility, message); with -- PROGRAM, also pass the\n"
		       "lines unchanged to PROGRAM's stdin.\n",
		       PROG, synopsis);
		return EXIT_OK;
	}
	if (argc > 1 && strcmp(argv[1], "--")) {
		fprintf(stderr, "%s: error: unexpected argument '%s'\nusage: %s %s (see --help)\n",
		        PROG, argv[1], PROG, synopsis);
		return EXIT_USAGE;
	}
	if (argc > 1)
		first = 2;
	if (argc == 2) {
		fprintf(stderr, "%s: error: -- needs a PROGRAM\nusage: %s %s (see --help)\n", PROG,
		        PROG, synopsis);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	pid_t child = -1;
	int copy = -1;
	if (argc > first && (copy = start_copy(argv + first, &child)) < 0) {
		fprintf(stderr, "%s: log-json: cannot start %s: %s\n", PROG, argv[first],
		        strerror(errno));
		return EXIT_SOFTWARE;
	}
	static char buf[LOG_JSON_LINE_MAX];
	size_t have = 0;
	bool dropping = false, ok = true;
	for (;;) {
		ssize_t got = read(0, buf + have, sizeof(buf) - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
		size_t start = 0;
		for (char *nl; ok && (nl = memchr(buf + start, '\n', have - start));) {
			size_t n = (size_t)(nl - (buf + start));
			/* the end of a line already emitted in part is dropped */
			if (!dropping)
				ok = emit(buf + start, n, false, copy);
			dropping = false;
			start += n + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (ok && have == sizeof(buf)) {
			/* a line longer than the buffer: its start, marked truncated */
			if (!dropping)
				ok = emit(buf, have, true, copy);
			dropping = true;
			have = 0;
		}
		if (!ok)
			break;
	}
	if (ok && have && !dropping)
		ok = emit(buf, have, false, copy);
	if (copy >= 0) {
		close(copy);
		int status;
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	}
	return ok ? EXIT_OK : EXIT_IOERR;
}
