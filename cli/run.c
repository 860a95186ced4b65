/* Running the Postfix and Cyrus tools: fork/exec with an argv array, never a shell. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where Debian puts postmap, postconf and saslpasswd2, for a PATH without sbin. */
static const char sbin[] = "/usr/sbin/";

static void exec_child(char *const argv[], int in, int out)
{
	if ((in >= 0 && dup2(in, STDIN_FILENO) < 0) || (out >= 0 && dup2(out, STDOUT_FILENO) < 0))
		_exit(126);
	execvp(argv[0], argv);
	if (errno == ENOENT && !strchr(argv[0], '/')) {
		char path[256];
		if (snprintf(path, sizeof(path), "%s%s", sbin, argv[0]) < (int)sizeof(path))
			execv(path, argv);
	}
	fprintf(stderr, "%s: error: cannot run %s: %s\n", PROG, argv[0], strerror(errno));
	_exit(127);
}

/* Write all of @s to @fd; a reader that went away is not our problem here. */
static void write_all(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static char *read_all(int fd)
{
	size_t len = 0, cap = 256;
	char *buf = malloc(cap);
	while (buf) {
		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				return NULL;
			}
			buf = b;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

static void close_pipes(int in[2], int out[2])
{
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
}

int cli_run(char *const argv[], const char *input, char **output)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	pid_t pid = -1;
	if (output)
		*output = NULL;
	if ((input && pipe2(in, O_CLOEXEC)) || (output && pipe2(out, O_CLOEXEC)) ||
	    (pid = fork()) < 0) {
		fprintf(stderr, "%s: error: cannot run %s: %s\n", PROG, argv[0], strerror(errno));
		close_pipes(in, out);
		return -1;
	}
	if (pid == 0)
		exec_child(argv, in[0], out[1]);
	if (input) {
		close(in[0]);
		write_all(in[1], input);
		close(in[1]);
	}
	if (output) {
		close(out[1]);
		*output = read_all(out[0]);
		close(out[0]);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (output && !*output)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
