/* get: resolved setting values for scripts (the image entrypoint). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_line[] = "get [-c FILE] [--env-file FILE] [--no-env] NAME...";

static int help(void)
{
	printf(
	    "usage: %s %s\n"
	    "Validate the configuration, then print the value of each setting NAME (its env\n"
	    "name) on its own line, in the form it is emitted (yes/no for booleans, bytes\n"
	    "for sizes), or an empty line when unset.  Lists and secrets are refused.\n"
	    "Warnings are printed only along with an error.\n\n"
	    "options:\n"
	    "  -c, --config FILE   read settings from a YAML file (the environment overrides it)\n"
	    "      --env-file FILE read NAME=value lines from FILE instead of the environment\n"
	    "      --no-env        ignore the environment\n"
	    "  -h, --help          show this help\n",
	    PROG, usage_line);
	return EXIT_OK;
}

/* Why NAME cannot be printed, or NULL when it can. */
static const char *refusal(const struct prc_config *cfg, const char *name)
{
	for (size_t i = 0; i < prc_setting_count(); i++) {
		if (strcmp(prc_setting_env(i), name))
			continue;
		if (prc_setting_is_secret(i))
			return "is a secret";
		return prc_config_list_count(cfg, name) ? "is a list" : NULL;
	}
	return "is not a setting";
}

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_SOURCE_OPTIONS,
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_source src = {0};
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "c:h", opts)) != -1) {
		if (cli_source_option(c, optarg, &src))
			continue;
		switch (c) {
		case 'h':
			return help();
		default:
			goto usage;
		}
	}
	if (optind == argc)
		goto usage;

	struct prc_config *cfg;
	int rc = cli_load_valid(&src, NULL, false, &cfg);
	if (rc != EXIT_OK)
		return rc;
	/* look every name up before printing anything: all or nothing */
	for (int i = optind; i < argc; i++) {
		const char *why = refusal(cfg, argv[i]);
		if (why) {
			fprintf(stderr, "%s: error: get: %s %s\n", PROG, argv[i], why);
			rc = EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc && rc == EXIT_OK; i++) {
		const char *v = prc_config_get(cfg, argv[i]);
		printf("%s\n", v ? v : "");
	}
	prc_config_free(cfg);
	if (rc == EXIT_OK && (fflush(stdout) || ferror(stdout)))
		rc = EXIT_IOERR;
	return rc;
usage:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, usage_line);
	return EXIT_USAGE;
}
