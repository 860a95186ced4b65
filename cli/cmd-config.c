/* check, render, print, settings: the commands that only use the compiler. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum { OPT_DKIM_DIR = 256 };

struct args {
	struct cli_source src;
	const char *out;
	const char *dkim_dir;
	const char *root;
};

static const char source_help[] =
    "  -c, --config FILE   read settings from a YAML file (the environment overrides it)\n"
    "      --env-file FILE read NAME=value lines from FILE instead of the environment\n"
    "      --no-env        ignore the environment\n"
    "      --root DIR      render for a self-contained instance under DIR\n"
    "  -h, --help          show this help\n";

/* Parse the options shared by the commands; returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, struct args *a, bool want_out, const char *synopsis,
                 const char *what)
{
	static const struct option opts[] = {
	    CLI_SOURCE_OPTIONS,
	    {"output", required_argument, NULL, 'o'},
	    {"dkim-dir", required_argument, NULL, OPT_DKIM_DIR},
	    {"root", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, want_out ? "c:o:h" : "c:h", opts)) != -1) {
		if (cli_source_option(c, optarg, &a->src))
			continue;
		switch (c) {
		case 'o':
			if (!want_out)
				goto bad;
			a->out = optarg;
			break;
		case OPT_DKIM_DIR:
			if (!want_out)
				goto bad;
			a->dkim_dir = optarg;
			break;
		case 'r':
			a->root = optarg;
			break;
		case 'h':
			printf("usage: %s %s\n%s\n\noptions:\n%s", PROG, synopsis, what,
			       source_help);
			if (want_out)
				printf("  -o, --output DIR    write the Postfix files into DIR "
				       "(required)\n"
				       "      --dkim-dir DIR  write the OpenDKIM files into DIR "
				       "(default DIR/opendkim)\n");
			return EXIT_OK;
		default:
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: error: unexpected argument '%s'\n", PROG, argv[optind]);
		goto bad;
	}
	if (want_out && !a->out) {
		fprintf(stderr, "%s: error: %s needs -o DIR\n", PROG, argv[0]);
		goto bad;
	}
	return -1;
bad:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, synopsis);
	return EXIT_USAGE;
}

/* Load, apply --root, and validate; prints the diagnostics. */
static int load(struct args *a, struct prc_config **cfg, bool validate)
{
	struct prc_diags *d;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	int rc = cli_load(&a->src, cfg, d);
	if (rc == EXIT_OK && a->root && prc_config_set_root(*cfg, a->root)) {
		fprintf(stderr, "%s: error: --root: '%s' is not an absolute directory\n", PROG,
		        a->root);
		prc_config_free(*cfg);
		rc = EXIT_USAGE;
	} else if (rc == EXIT_OK && validate) {
		rc = cli_exit_code(prc_config_validate(*cfg, d));
		if (rc != EXIT_OK)
			prc_config_free(*cfg);
	}
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	struct args a = {0};
	int rc = parse(argc, argv, &a, false, "check [-c FILE] [--env-file FILE] [--no-env]",
	               "Validate the configuration; print every error and warning on stderr.");
	if (rc >= 0)
		return rc;
	struct prc_config *cfg;
	rc = load(&a, &cfg, true);
	if (rc == EXIT_OK)
		prc_config_free(cfg);
	return rc;
}

int cmd_render(int argc, char **argv)
{
	struct args a = {0};
	int rc = parse(argc, argv, &a, true,
	               "render [-c FILE] [--env-file FILE] [--no-env] -o DIR [--dkim-dir DIR]",
	               "Validate, then write main.cf, master.cf and the tables into DIR "
	               "atomically.\nNothing is written when the configuration is invalid.");
	if (rc >= 0)
		return rc;
	struct prc_config *cfg;
	rc = load(&a, &cfg, false);
	if (rc != EXIT_OK)
		return rc;
	struct prc_diags *d;
	if (prc_diags_new(&d)) {
		prc_config_free(cfg);
		return EXIT_SOFTWARE;
	}
	rc = cli_exit_code(prc_render(cfg, a.out, a.dkim_dir, d));
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	prc_config_free(cfg);
	return rc;
}

int cmd_print(int argc, char **argv)
{
	struct args a = {0};
	int rc = parse(argc, argv, &a, false, "print [-c FILE] [--env-file FILE] [--no-env]",
	               "Print the resolved settings as YAML, each with its origin; secrets are "
	               "redacted.");
	if (rc >= 0)
		return rc;
	struct prc_config *cfg;
	rc = load(&a, &cfg, false);
	if (rc != EXIT_OK)
		return rc;
	rc = cli_exit_code(prc_config_print(cfg, stdout));
	prc_config_free(cfg);
	return rc;
}

int cmd_settings(int argc, char **argv)
{
	static const char synopsis[] = "settings [--format markdown|scdoc]";
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int (*write)(FILE *) = prc_settings_write_markdown;
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "markdown")) {
				write = prc_settings_write_markdown;
			} else if (!strcmp(optarg, "scdoc")) {
				write = prc_settings_write_scdoc;
			} else {
				fprintf(stderr, "%s: error: --format: unknown format '%s'\n", PROG,
				        optarg);
				goto bad;
			}
			break;
		case 'h':
			printf("usage: %s %s\n"
			       "Print the settings reference: a Markdown table (the README's) or "
			       "the\nscdoc text of postrelaycfg.yaml(5).\n\noptions:\n"
			       "      --format FORMAT markdown (default) or scdoc\n"
			       "  -h, --help          show this help\n",
			       PROG, synopsis);
			return EXIT_OK;
		default:
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: error: unexpected argument '%s'\n", PROG, argv[optind]);
		goto bad;
	}
	return cli_exit_code(write(stdout));
bad:
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, synopsis);
	return EXIT_USAGE;
}
