/* Shared pieces of the postrelaycfg commands. */
#ifndef PRC_CLI_H
#define PRC_CLI_H

#include "postrelaycfg.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROG "postrelaycfg"

/* sysexits.h values */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 64,
	EXIT_IOERR = 74,
	EXIT_CONFIG = 78,
	EXIT_SOFTWARE = 70,
};

struct cli_source {
	const char *config;   /* -c FILE: YAML file */
	const char *env_file; /* --env-file FILE: docker env file instead of the environment */
	bool no_env;          /* --no-env: ignore the environment */
};

/*
 * Build a configuration from defaults, the YAML file, then the environment
 * (or the env file).  Diagnostics go to @d.  Returns an exit code; on
 * EXIT_OK *cfg is set.
 */
int cli_load(const struct cli_source *src, struct prc_config **cfg, struct prc_diags *d);

/*
 * cli_load, then apply @root (may be NULL) and validate; prints the
 * diagnostics on stderr (warnings alone only when @warnings).  Returns an
 * exit code; on EXIT_OK *cfg is set.
 */
int cli_load_valid(const struct cli_source *src, const char *root, bool warnings,
		   struct prc_config **cfg);

/* A rendered main.cf, read back (main-cf.c). */
struct cli_main_cf;
/* Read and parse @path; -1 with errno set on failure.  Free with cli_main_cf_free. */
int cli_main_cf_load(const char *path, struct cli_main_cf **mc);
/* The value of parameter @name (the last one, continuation lines joined), or NULL. */
const char *cli_main_cf_get(const struct cli_main_cf *mc, const char *name);
void cli_main_cf_free(struct cli_main_cf *mc);
/*
 * Split a Postfix list value (blanks, commas, braces) into at most @max words
 * that point into @buf (of @size bytes, which receives a copy).  Returns the count.
 */
size_t cli_split(const char *value, char *buf, size_t size, const char **words, size_t max);

/*
 * Build SOURCE.db, the Postfix hash: table of the table source @source, in
 * process (what `postmap hash:SOURCE` does); it replaces any SOURCE.db
 * atomically.  Returns an exit code; errors are printed.
 */
int cli_hash_table_build(const char *source);

/* One SMTPD user: "user" logs in within @realm, "user@domain" within "domain". */
struct cli_sasl_user {
	const char *user, *realm, *password;
};
/*
 * Write the Cyrus sasldb2 @path with exactly @users (what `saslpasswd2 -c`
 * for each would leave), root-owned with group @gid and mode 0640, replacing
 * it atomically.  Returns an exit code; errors are printed.
 */
int cli_sasldb_build(const char *path, gid_t gid, const struct cli_sasl_user *users, size_t n);

/*
 * getopt_long for a command (argv[0] is its name) that reports a bad option
 * itself, as "postrelaycfg: error: COMMAND: unknown option '--x'" (or a
 * missing or unexpected value); returns what getopt_long returns.
 */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Map a library status to an exit code. */
int cli_exit_code(int status);

/* A command: name, one-line summary, entry point. */
struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_check(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cmd_settings(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_dkim_keygen(int argc, char **argv);
int cmd_dkim_record(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/*
 * Run @argv (argv[0] is looked up in PATH, then /usr/sbin) without a shell.
 * @input, when not NULL, is written to its stdin; when @output is not NULL
 * its stdout is collected there (caller frees, also on failure).  stderr is
 * passed through.  Returns the exit status, 128+signal, or -1 when it could
 * not run (the reason is printed).
 */
int cli_run(char *const argv[], const char *input, char **output);

#endif
