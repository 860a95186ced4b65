/* postrelaycfg: a thin command line over libpostrelaycfg. */
#include "cli.h"

#include <getopt.h>

#include <stdio.h>
#include <string.h>

extern char **environ;

static const struct cli_command commands[] = {
    {"check", "validate the configuration and print every diagnostic", cmd_check},
    {"render", "write the configuration files into a directory", cmd_render},
    {"print", "print the resolved settings as YAML with their origins", cmd_print},
    {"migrate", "print the YAML equivalent of a boky, mwader or panubo environment", cmd_migrate},
    {"settings", "print the settings reference table (Markdown or scdoc)", cmd_settings},
    {"schema", "print the JSON Schema of the YAML configuration file", cmd_schema},
    {"dkim-keygen", "make a DKIM private key and print its DNS record", cmd_dkim_keygen},
    {"dkim-record", "print the DNS TXT record of a DKIM private key", cmd_dkim_record},
    {"apply", "install the configuration: files, tables, SASL users, directories", cmd_apply},
    {"get", "print resolved setting values, one per line", cmd_get},
    {"health", "check that Postfix (and the DKIM milter) listen; quiet when healthy", cmd_health},
    {"watch", "reload Postfix when a TLS certificate, key or CA file changes", cmd_watch},
    {"oauth2-refresh", "keep the XOAUTH2 relay login's access token fresh", cmd_oauth2_refresh},
    {"env-secrets", "move secret settings from the environment into 0600 files", cmd_env_secrets},
    {"log-json", "print log lines from stdin as JSON objects (LOG_FORMAT=json)", cmd_log_json},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: %s COMMAND [OPTIONS]\n\ncommands:\n", PROG);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
	        "\n'%s COMMAND --help' describes a command's options.\n"
	        "exit codes: 0 ok, 64 usage, 70 internal error, 74 I/O error, 78 invalid "
	        "configuration\n",
	        PROG);
}

int cli_exit_code(int status)
{
	switch (status) {
	case PRC_OK:
		return EXIT_OK;
	case PRC_ERR_INVALID:
		return EXIT_CONFIG;
	case PRC_ERR_IO:
		return EXIT_IOERR;
	case PRC_ERR_ARG:
		return EXIT_USAGE;
	default:
		return EXIT_SOFTWARE;
	}
}

bool cli_source_option(int opt, const char *arg, struct cli_source *src)
{
	switch (opt) {
	case 'c':
		src->config = arg;
		return true;
	case CLI_OPT_ENV_FILE:
		src->env_file = arg;
		return true;
	case CLI_OPT_NO_ENV:
		src->no_env = true;
		return true;
	default:
		return false;
	}
}

int cli_load(const struct cli_source *src, struct prc_config **out, struct prc_diags *d)
{
	struct prc_config *cfg;
	int rc = prc_config_new(&cfg);
	if (!rc && src->dkim_key_copies)
		rc = prc_config_set_dkim_key_copies(cfg, true);
	if (rc)
		return cli_exit_code(rc);
	int status = PRC_OK;
	if (src->config) {
		rc = prc_config_load_yaml_file(cfg, src->config, d);
		if (rc == PRC_ERR_NOMEM || rc == PRC_ERR_IO) {
			prc_config_free(cfg);
			return cli_exit_code(rc);
		}
		status = rc;
	}
	if (src->env_file)
		rc = prc_config_load_env_file(cfg, src->env_file, d);
	else if (!src->no_env)
		rc = prc_config_load_env(cfg, (const char *const *)environ, d);
	else
		rc = PRC_OK;
	if (rc == PRC_ERR_NOMEM || rc == PRC_ERR_IO) {
		prc_config_free(cfg);
		return cli_exit_code(rc);
	}
	if (!status)
		status = rc;
	if (status) {
		/* still validate: report every problem, not just the source's */
		prc_config_validate(cfg, d);
		prc_config_free(cfg);
		return cli_exit_code(status);
	}
	*out = cfg;
	return EXIT_OK;
}

int cli_load_valid(const struct cli_source *src, const char *root, bool warnings,
                   struct prc_config **out)
{
	struct prc_diags *d;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	struct prc_config *cfg = NULL;
	int rc = cli_load(src, &cfg, d);
	if (rc == EXIT_OK && root && prc_config_set_root(cfg, root)) {
		fprintf(stderr, "%s: error: --root: '%s' is not an absolute directory\n", PROG,
		        root);
		rc = EXIT_USAGE;
	} else if (rc == EXIT_OK) {
		rc = cli_exit_code(prc_config_validate(cfg, d));
	}
	if (warnings || prc_diags_error_count(d))
		prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	if (rc == EXIT_OK)
		*out = cfg;
	else
		prc_config_free(cfg);
	return rc;
}

int cli_load_plan(const struct cli_source *src, const char *root, struct prc_config **cfg,
                  struct prc_plan **plan)
{
	int rc = cli_load_valid(src, root, false, cfg);
	if (rc != EXIT_OK)
		return rc;
	struct prc_diags *d;
	if (prc_diags_new(&d)) {
		prc_config_free(*cfg);
		return EXIT_SOFTWARE;
	}
	rc = cli_exit_code(prc_plan_new(plan, *cfg, d));
	if (prc_diags_error_count(d))
		prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	if (rc != EXIT_OK)
		prc_config_free(*cfg);
	return rc;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	opterr = 0;
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c != '?')
		return c;
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	fprintf(stderr, "%s: error: %s: ", PROG, argv[0]);
	if (strncmp(arg, "--", 2)) {
		const char *p = optopt ? strchr(shortopts, optopt) : NULL;
		if (p && p[1] == ':')
			fprintf(stderr, "option '-%c' needs a value\n", optopt);
		else
			fprintf(stderr, "unknown option '-%c'\n", optopt ? optopt : '?');
		return c;
	}
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct option *o = longopts;
	while (o->name && (strlen(o->name) != len || strncmp(o->name, name, len)))
		o++;
	if (o->name && o->has_arg == required_argument && !eq)
		fprintf(stderr, "option '--%s' needs a value\n", o->name);
	else if (o->name && o->has_arg == no_argument && eq)
		fprintf(stderr, "option '--%s' takes no value\n", o->name);
	else
		fprintf(stderr, "unknown option '%.*s'\n", (int)len + 2, arg);
	return c;
}

int main(int argc, char **argv)
{
	/* one write per diagnostic line: logs that interleave streams keep lines whole */
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s\n", PROG, PRC_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "%s: error: unknown command '%s'\n", PROG, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
