/*
 * env-secrets: move the secret settings out of the environment.  Every
 * process a container starts inherits the environment of its entrypoint, so
 * a plain XOAUTH2_SECRET or RELAYHOST_PASSWORDMAP would be readable in the
 * /proc/PID/environ of each service.  This writes each secret setting that
 * the environment holds into a file of its own, mode 0600, and prints its
 * name: the entrypoint then unsets NAME and sets NAME_FILE to the file, the
 * form every secret setting already has, so the services read the same
 * configuration without carrying the secret.  The settings table decides
 * which variables are secret.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static const char usage_line[] = "env-secrets DIR";

static int help(void)
{
	printf("usage: %s %s\n"
	       "For each secret setting NAME set in the environment (not NAME_FILE), write\n"
	       "its value to DIR/NAME (mode 0600, replaced atomically; DIR is created mode\n"
	       "0700) and print NAME on its own line; a secret variable set but empty is\n"
	       "printed too, and its file removed.  The caller then unsets NAME and sets\n"
	       "NAME_FILE=DIR/NAME where that file exists: the configuration stays the\n"
	       "same, and the processes it starts do not inherit the secret.\n",
	       PROG, usage_line);
	return EXIT_OK;
}

/* The value of @name in the environment, or NULL. */
static const char *env_value(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* @value into @dir/@name: a temporary file, fsync, rename. */
static int stash(const char *dir, const char *name, const char *value)
{
	char path[4096], tmp[4200];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return EXIT_USAGE;
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t len = strlen(value), off = 0;
	while (fd >= 0 && off < len) {
		ssize_t w = write(fd, value + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (fd < 0 || off < len || fchmod(fd, 0600) || fsync(fd) || close(fd) ||
	    rename(tmp, path)) {
		fprintf(stderr, "%s: error: env-secrets: cannot write %s: %s\n", PROG, path,
		        strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return EXIT_IOERR;
	}
	return EXIT_OK;
}

int cmd_env_secrets(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return help();
		goto usage;
	}
	if (optind + 1 != argc || argv[optind][0] != '/')
		goto usage;
	const char *dir = argv[optind];
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "%s: error: env-secrets: cannot create %s: %s\n", PROG, dir,
		        strerror(errno));
		return EXIT_IOERR;
	}
	struct stat st;
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || chmod(dir, 0700)) {
		fprintf(stderr, "%s: error: env-secrets: %s is not a directory of ours\n", PROG,
		        dir);
		return EXIT_IOERR;
	}
	int rc = EXIT_OK;
	size_t nset = prc_setting_count();
	for (size_t i = 0; rc == EXIT_OK; i++) {
		/* the settings table's secrets, then the other images' (RELAYHOST_PASSWORD) */
		const char *name = i < nset ? prc_setting_env(i) : prc_peer_secret(i - nset);
		if (!name)
			break;
		const char *value = i >= nset || prc_setting_is_secret(i) ? env_value(name) : NULL;
		if (!value)
			continue;
		if (*value) {
			rc = stash(dir, name, value);
		} else {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			unlink(path); /* empty means the default: no file */
		}
		if (rc == EXIT_OK)
			printf("%s\n", name);
	}
	if (fflush(stdout) && rc == EXIT_OK)
		rc = EXIT_IOERR;
	return rc;
usage:
	fprintf(stderr, "usage: %s %s\n", PROG, usage_line);
	return EXIT_USAGE;
}
