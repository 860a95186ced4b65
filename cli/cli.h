/* Shared pieces of the postrelaycfg commands. */
#ifndef PRC_CLI_H
#define PRC_CLI_H

#include "postrelaycfg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
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
	bool dkim_key_copies; /* plan copies of the DKIM keys (--dkim-key-owner) */
};

/*
 * The source options of every command that reads the configuration: -c FILE,
 * --env-file FILE, --no-env.  Put CLI_SOURCE_OPTIONS in the getopt table
 * and ask cli_source_option() first in the getopt loop.
 */
enum { CLI_OPT_NO_ENV = 200, CLI_OPT_ENV_FILE };
/* clang-format off */
#define CLI_SOURCE_OPTIONS                                                                         \
	{"config", required_argument, NULL, 'c'},                                                  \
	{"env-file", required_argument, NULL, CLI_OPT_ENV_FILE},                                   \
	{"no-env", no_argument, NULL, CLI_OPT_NO_ENV}
/* clang-format on */

/* Whether getopt's @opt is a source option; if so, it is stored in @src. */
bool cli_source_option(int opt, const char *arg, struct cli_source *src);

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

/*
 * cli_load_valid (errors only), then the plan of the configuration.  Returns
 * an exit code; on EXIT_OK *cfg and *plan are set (free the plan first).
 */
int cli_load_plan(const struct cli_source *src, const char *root, struct prc_config **cfg,
                  struct prc_plan **plan);

/*
 * Write the Postfix hash: table of plan table @file to @path (what `postmap
 * hash:SOURCE` makes of its source), in process, with @mode, root-owned,
 * replacing @path atomically.  Returns an exit code; errors are printed.
 */
int cli_hash_table_write(const char *path, const struct prc_plan *plan, enum prc_file file,
                         unsigned mode);

/*
 * The XOAUTH2 login's access token from the token state file into @plan's
 * credential table entry, when the plan has such a login and the file holds
 * an unexpired token got with the configured refresh token, so that the
 * tables apply writes carry it (a restart keeps the refreshed token).
 * Returns an exit code; EXIT_OK also when there is nothing to use.
 */
int cli_oauth2_use_saved(struct prc_plan *plan, const struct prc_config *cfg);

/*
 * Health of the XOAUTH2 login: true when there is none, or when the token
 * state file holds an unexpired access token got with the configured refresh
 * token; else false with the reason in @why.  @state and @origin come from
 * cli_oauth2_health_prepare (both "" when there is no login).
 */
bool cli_oauth2_healthy(const char *state, const char *origin, char *why, size_t whylen);
/* The state file path and refresh token fingerprint health needs, copied out of the plan. */
void cli_oauth2_health_prepare(const struct prc_plan *plan, const struct prc_config *cfg,
                               char state[4096], char origin[65]);

/*
 * Write the Cyrus sasldb2 @path with exactly the plan's SMTPD users (what
 * `saslpasswd2 -c` for each would leave), root-owned with group @gid and
 * mode 0640, replacing it atomically.  Returns an exit code; errors are printed.
 */
int cli_sasldb_write(const char *path, gid_t gid, const struct prc_plan *plan);

/*
 * getopt_long for a command (argv[0] is its name) that reports a bad option
 * itself, as "postrelaycfg: error: COMMAND: unknown option '--x'" (or a
 * missing or unexpected value); returns what getopt_long returns.
 */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/*
 * What `apply` does, as a function (the config reloader re-applies with it):
 * load @src, set @root, validate and plan, check what the plan needs, stage
 * the tables and the sasldb, create the state directories, then render and
 * rename everything into place (@key_owner, when not NULL: as apply
 * --dkim-key-owner).  Every diagnostic and error goes to @log
 * (the tools it runs write to stderr).  Nothing is changed when a step
 * before the renames fails.  Returns an exit code; on EXIT_OK, when @cfg and
 * @plan are not NULL, they receive the applied configuration and its plan
 * (the caller frees both, the plan first).
 */
int cli_apply(const struct cli_source *src, const char *root, const char *key_owner, FILE *log,
              struct prc_config **cfg, struct prc_plan **plan);

/* The config reloader's status (status.c), as `health` reads it. */
struct cli_status {
	unsigned long generation; /* 1: what the entrypoint applied; +1 per re-apply */
	bool refused;             /* the last change was refused; @generation serves */
	char first_diag[512];     /* the first diagnostic of the refusal */
	unsigned more_diags;      /* how many more it had */
	/* what the applied generation listens on, for health while the sources are refused */
	size_t nservices, nmilters;
	struct {
		unsigned port;
		char name[64];
	} services[16];
	char milters[8][256];
	char queue_dir[1024];
};

/* Where the status file of the instance under @root is; newly allocated (NULL: no memory). */
char *cli_status_path(const char *root);

/*
 * Replace the status file @path atomically (creating its directory):
 * @generation, now, applied or @refused, one diagnostic per line of @diags
 * (may be NULL), and the listeners and milters of @plan, the applied
 * generation's.  Returns 0, or -1 after printing why.
 */
int cli_status_write(const char *path, unsigned long generation, bool refused, const char *diags,
                     const struct prc_plan *plan);

/* Read the status file @path; 0, or -1 when there is none (or it is not one). */
int cli_status_read(const char *path, struct cli_status *st);

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
int cmd_migrate(int argc, char **argv);
int cmd_settings(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_dkim_keygen(int argc, char **argv);
int cmd_dkim_record(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_log_json(int argc, char **argv);
int cmd_oauth2_refresh(int argc, char **argv);
int cmd_env_secrets(int argc, char **argv);

/*
 * Run @argv (argv[0] is looked up in PATH, then /usr/sbin) without a shell.
 * @input, when not NULL, is written to its stdin; when @output is not NULL
 * its stdout is collected there (caller frees, also on failure).  stderr is
 * passed through.  Returns the exit status, 128+signal, or -1 when it could
 * not run (the reason is printed).
 */
int cli_run(char *const argv[], const char *input, char **output);

#endif
