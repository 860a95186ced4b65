/* get: resolved setting values for scripts (the image entrypoint). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_NO_ENV = 256, OPT_ENV_FILE, OPT_ROOT };

static const char usage_line[] =
	"get [-c FILE] [--env-file FILE] [--no-env] [--root DIR] NAME...";

static int help(void)
{
	printf("usage: %s %s\n"
	       "Validate the configuration, then print the value of each setting NAME (its env\n"
	       "name) on its own line: booleans as true/false, lists joined with \", \", an empty\n"
	       "line when unset.  Secrets and lists of entries are refused.  Warnings are\n"
	       "printed only along with an error.\n\n"
	       "options:\n"
	       "  -c, --config FILE   read settings from a YAML file (the environment overrides it)\n"
	       "      --env-file FILE read NAME=value lines from FILE instead of the environment\n"
	       "      --no-env        ignore the environment\n"
	       "      --root DIR      resolve default paths under the instance root DIR\n"
	       "  -h, --help          show this help\n",
	       PROG, usage_line);
	return EXIT_OK;
}

/* Why NAME cannot be printed, or NULL when it can. */
static const char *refusal(const char *name)
{
	for (size_t i = 0; i < prc_setting_count(); i++) {
		if (strcmp(prc_setting_env(i), name))
			continue;
		return prc_setting_is_secret(i) ? "is a secret" : "is a list of entries";
	}
	return "is not a setting";
}

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"env-file", required_argument, NULL, OPT_ENV_FILE},
		{"no-env", no_argument, NULL, OPT_NO_ENV},
		{"root", required_argument, NULL, OPT_ROOT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_source src = {0};
	const char *root = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			src.config = optarg;
			break;
		case OPT_ENV_FILE:
			src.env_file = optarg;
			break;
		case OPT_NO_ENV:
			src.no_env = true;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case 'h':
			return help();
		default:
			goto usage;
		}
	}
	if (optind == argc)
		goto usage;

	struct prc_config *cfg;
	int rc = cli_load_valid(&src, root, false, &cfg);
	if (rc != EXIT_OK)
		return rc;
	/* look every name up before printing anything: all or nothing */
	size_t n = (size_t)(argc - optind);
	char **values = calloc(n, sizeof(*values));
	if (!values) {
		prc_config_free(cfg);
		return EXIT_SOFTWARE;
	}
	for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
		const char *name = argv[optind + (int)i];
		int st = prc_config_get(cfg, name, &values[i]);
		if (st == PRC_ERR_ARG) {
			fprintf(stderr, "%s: error: get: %s %s\n", PROG, name, refusal(name));
			rc = EXIT_USAGE;
		} else if (st) {
			rc = cli_exit_code(st);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (rc == EXIT_OK)
			printf("%s\n", values[i] ? values[i] : "");
		free(values[i]);
	}
	free(values);
	prc_config_free(cfg);
	if (rc == EXIT_OK && (fflush(stdout) || ferror(stdout)))
		rc = EXIT_IOERR;
	return rc;
usage:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, usage_line);
	return EXIT_USAGE;
}
