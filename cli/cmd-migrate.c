/*
 * migrate: the environment of another relay image (or of the seed) as a
 * postrelay YAML file.  The environment is loaded as apply loads it; the
 * library writes what was given; every variable that does not carry over
 * becomes a comment.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

enum { OPT_FROM = 256, OPT_WITH_SECRETS };

/* The images migrate knows, and what their users relied on that postrelay
 * does differently by default (comments only: the output sets nothing). */
static const struct peer {
	const char *name, *image;
	const char *const notes[4];
} peers[] = {
    {"boky",
     "boky/postfix",
     {"boky/postfix accepts messages of any size by default; here limits.message_size "
      "(SIZELIMIT) is 15 MiB unless set.",
      "boky/postfix lets every client that can connect relay (smtpd_relay_restrictions = "
      "permit); here only mynetworks (MYNETWORKS) and SMTP AUTH users relay.",
      NULL}},
    {"mwader",
     "mwader/postfix-relay",
     {"mwader/postfix-relay's default mynetworks is every address (an open relay behind "
      "Docker networking); here mynetworks (MYNETWORKS) is the private networks unless set.",
      NULL}},
    {"panubo", "panubo/postfix", {"The seed image's variables keep their meaning here.", NULL}},
};

static const char synopsis[] =
    "migrate --from boky|mwader|panubo [--env-file FILE] [--no-env] [--with-secrets]";

static int usage_error(void)
{
	fprintf(stderr, "usage: %s %s (see --help)\n", PROG, synopsis);
	return EXIT_USAGE;
}

/* A comment line: "# " and @s with any line break turned into a blank. */
static void comment(const char *prefix, const char *s)
{
	fputs("# ", stdout);
	fputs(prefix, stdout);
	for (const char *p = s; *p; p++)
		putchar(*p == '\n' || *p == '\r' ? ' ' : *p);
	putchar('\n');
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, OPT_FROM},
	    {"env-file", required_argument, NULL, CLI_OPT_ENV_FILE},
	    {"no-env", no_argument, NULL, CLI_OPT_NO_ENV},
	    {"with-secrets", no_argument, NULL, OPT_WITH_SECRETS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_source src = {0};
	const struct peer *from = NULL;
	unsigned flags = 0;
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (cli_source_option(c, optarg, &src))
			continue;
		switch (c) {
		case OPT_FROM:
			for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
				if (!strcmp(optarg, peers[i].name))
					from = &peers[i];
			if (!from) {
				fprintf(stderr,
				        "%s: error: --from: unknown image '%s' (boky, mwader or "
				        "panubo)\n",
				        PROG, optarg);
				return usage_error();
			}
			break;
		case OPT_WITH_SECRETS:
			flags |= PRC_YAML_SECRETS;
			break;
		case 'h':
			printf(
			    "usage: %s %s\n"
			    "Print the YAML configuration equivalent to an environment written "
			    "for\nboky/postfix, mwader/postfix-relay or panubo/postfix; each "
			    "variable that\ndoes not carry over is a comment.\n\noptions:\n"
			    "      --from IMAGE    boky, mwader or panubo (required)\n"
			    "      --env-file FILE read NAME=value lines from FILE instead of the "
			    "environment\n"
			    "      --no-env        ignore the environment (nothing but defaults)\n"
			    "      --with-secrets  write passwords and tokens (else "
			    "\"<redacted>\")\n"
			    "  -h, --help          show this help\n",
			    PROG, synopsis);
			return EXIT_OK;
		default:
			return usage_error();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: error: unexpected argument '%s'\n", PROG, argv[optind]);
		return usage_error();
	}
	if (!from) {
		fprintf(stderr, "%s: error: migrate needs --from boky|mwader|panubo\n", PROG);
		return usage_error();
	}
	struct prc_diags *d;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	struct prc_config *cfg = NULL;
	int rc = cli_load(&src, &cfg, d);
	if (rc == EXIT_OK) {
		rc = cli_exit_code(prc_config_validate(cfg, d));
		if (rc != EXIT_OK)
			prc_config_free(cfg);
	}
	if (rc != EXIT_OK) {
		prc_diags_print(d, PROG, stderr);
		prc_diags_free(d);
		return rc;
	}
	printf("# postrelay configuration migrated from a %s environment\n"
	       "# (postrelaycfg migrate --from %s); load it with -c FILE.\n",
	       from->image, from->name);
	for (size_t i = 0; from->notes[i]; i++)
		comment("Note: ", from->notes[i]);
	size_t dropped = 0;
	for (size_t i = 0; i < prc_diags_count(d); i++) {
		const char *code = prc_diags_code(d, i);
		if (strcmp(code, "peer-variable") && strcmp(code, "unknown-variable"))
			continue;
		if (!dropped++)
			printf("#\n# Not carried over:\n");
		char prefix[200];
		snprintf(prefix, sizeof(prefix), "  %s: ", prc_diags_origin(d, i));
		comment(prefix, prc_diags_message(d, i));
	}
	/* the other warnings are about what does carry over: where check puts them */
	for (size_t i = 0; i < prc_diags_count(d); i++) {
		const char *code = prc_diags_code(d, i);
		if (strcmp(code, "peer-variable") && strcmp(code, "unknown-variable"))
			fprintf(stderr, "%s: warning: %s%s%s\n", PROG, prc_diags_origin(d, i),
			        *prc_diags_origin(d, i) ? ": " : "", prc_diags_message(d, i));
	}
	if (!(flags & PRC_YAML_SECRETS))
		printf("#\n# Secrets are written as \"<redacted>\": put them back (or use "
		       "password_file\n# and the *_FILE variables), or run again with "
		       "--with-secrets.\n");
	rc = cli_exit_code(prc_config_write_yaml(cfg, flags, stdout));
	if (fflush(stdout) && rc == EXIT_OK)
		rc = EXIT_IOERR;
	prc_config_free(cfg);
	prc_diags_free(d);
	return rc;
}
