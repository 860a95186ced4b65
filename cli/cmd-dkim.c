/* dkim-keygen, dkim-record: make a DKIM key and publish its public half. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_DOMAIN = 256, OPT_SELECTOR, OPT_KEY, OPT_TYPE, OPT_BITS, OPT_ROOT };

struct dkim_args {
	const char *domain, *selector, *key, *out;
	struct cli_source src; /* dkim-record without --key: the configuration's keys */
	const char *root;
	bool from_config;
	enum prc_dkim_key_type type;
	unsigned bits;
};

static const char keygen_synopsis[] =
    "dkim-keygen --domain D --selector S -o FILE [--type rsa|ed25519] [--bits N]";
static const char record_synopsis[] =
    "dkim-record --key FILE --domain D --selector S | dkim-record [-c FILE] [--env-file FILE] "
    "[--no-env] [--root DIR]";

static int usage_error(const char *synopsis, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const char *synopsis, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: error: ", PROG);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s %s (see --help)\n", PROG, synopsis);
	return EXIT_USAGE;
}

/* A whole decimal number, nothing after it. */
static bool parse_unsigned(const char *s, unsigned *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, struct dkim_args *a, bool keygen)
{
	static const struct option opts[] = {
	    {"domain", required_argument, NULL, OPT_DOMAIN},
	    {"selector", required_argument, NULL, OPT_SELECTOR},
	    {"key", required_argument, NULL, OPT_KEY},
	    {"output", required_argument, NULL, 'o'},
	    {"type", required_argument, NULL, OPT_TYPE},
	    {"bits", required_argument, NULL, OPT_BITS},
	    CLI_SOURCE_OPTIONS,
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *synopsis = keygen ? keygen_synopsis : record_synopsis;
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, keygen ? "o:h" : "c:h", opts)) != -1) {
		if (keygen &&
		    (c == 'c' || c == CLI_OPT_ENV_FILE || c == CLI_OPT_NO_ENV || c == OPT_ROOT))
			return usage_error(synopsis, "unknown option '%s'", argv[optind - 1]);
		if (cli_source_option(c, optarg, &a->src)) {
			a->from_config = true;
			continue;
		}
		switch (c) {
		case OPT_ROOT:
			a->root = optarg;
			a->from_config = true;
			break;
		case OPT_DOMAIN:
			a->domain = optarg;
			break;
		case OPT_SELECTOR:
			a->selector = optarg;
			break;
		case OPT_KEY:
			if (keygen)
				return usage_error(synopsis, "unknown option '%s'", "--key");
			a->key = optarg;
			break;
		case 'o':
			if (!keygen)
				return usage_error(synopsis, "unknown option '%s'", "--output");
			a->out = optarg;
			break;
		case OPT_TYPE:
			if (!keygen)
				return usage_error(synopsis, "unknown option '%s'", "--type");
			if (!strcmp(optarg, "rsa"))
				a->type = PRC_DKIM_KEY_RSA;
			else if (!strcmp(optarg, "ed25519"))
				a->type = PRC_DKIM_KEY_ED25519;
			else
				return usage_error(synopsis, "--type '%s': expected rsa or ed25519",
				                   optarg);
			break;
		case OPT_BITS:
			if (!keygen)
				return usage_error(synopsis, "unknown option '%s'", "--bits");
			if (!parse_unsigned(optarg, &a->bits) || !a->bits)
				return usage_error(
				    synopsis, "--bits '%s': expected a number of bits", optarg);
			break;
		case 'h':
			if (keygen)
				printf(
				    "usage: %s %s\n"
				    "Make a DKIM private key in FILE (mode 0600; an existing file "
				    "is "
				    "never replaced)\nand print the DNS record that publishes "
				    "it.\n\n"
				    "options:\n"
				    "      --domain D      signing domain (d=)\n"
				    "      --selector S    selector (s=): the record is "
				    "S._domainkey.D\n"
				    "  -o, --output FILE   where the private key goes\n"
				    "      --type TYPE     rsa (default, rsa-sha256) or ed25519\n"
				    "      --bits N        RSA key size, %d to %d (default %d)\n",
				    PROG, synopsis, PRC_DKIM_RSA_BITS_MIN, PRC_DKIM_RSA_BITS_MAX,
				    PRC_DKIM_RSA_BITS_DEFAULT);
			else
				printf(
				    "usage: %s %s\n"
				    "Print the DNS TXT record that publishes the public half of a "
				    "DKIM private key;\nwithout --key, the records of every key "
				    "the configuration signs with.\n\noptions:\n"
				    "      --key FILE      the private key (PEM)\n"
				    "      --domain D      signing domain (d=)\n"
				    "      --selector S    selector (s=)\n"
				    "  -c, --config FILE   YAML configuration file\n"
				    "      --env-file FILE settings from a docker env file\n"
				    "      --no-env        ignore the environment\n"
				    "      --root DIR      instance root, as given to apply\n",
				    PROG, synopsis);
			return EXIT_OK;
		default:
			fprintf(stderr, "usage: %s %s (see --help)\n", PROG, synopsis);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(synopsis, "unexpected argument '%s'", argv[optind]);
	if (!keygen && !a->key && !a->domain && !a->selector) {
		a->from_config = true;
		return -1;
	}
	if (a->from_config)
		return usage_error(synopsis, "--key, --domain and --selector go without -c, "
		                             "--env-file, --no-env and --root");
	if (!a->domain)
		return usage_error(synopsis, "%s needs --domain", argv[0]);
	if (!a->selector)
		return usage_error(synopsis, "%s needs --selector", argv[0]);
	if (keygen && !a->out)
		return usage_error(synopsis, "%s needs -o FILE", argv[0]);
	if (!keygen && !a->key)
		return usage_error(synopsis, "%s needs --key FILE", argv[0]);
	if (keygen && a->bits && a->type == PRC_DKIM_KEY_ED25519)
		return usage_error(synopsis, "%s: an Ed25519 key has no --bits", argv[0]);
	return -1;
}

/* Print the record of @key; returns an exit code. */
static int print_record(const char *key, const char *domain, const char *selector)
{
	struct prc_diags *d;
	char *record = NULL;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	int rc = prc_dkim_record(&record, key, domain, selector, d);
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	if (!rc)
		fputs(record, stdout);
	free(record);
	return cli_exit_code(rc);
}

static int mkdir_parents(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

/* Write a new key file, never replacing one: its DNS record may be published. */
static int write_key(const char *path, const char *pem)
{
	int fd = -1;
	size_t len = strlen(pem), off = 0;
	if (mkdir_parents(path) == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s: error: %s: cannot create: %s%s\n", PROG, path, strerror(errno),
		        errno == EEXIST ? " (a key is never replaced: remove it first)" : "");
		return EXIT_IOERR;
	}
	int err = fchmod(fd, 0600) ? errno : 0;
	while (!err && off < len) {
		ssize_t n = write(fd, pem + off, len - off);
		if (n < 0 && errno != EINTR)
			err = errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (err) {
		unlink(path);
		fprintf(stderr, "%s: error: %s: cannot write: %s\n", PROG, path, strerror(err));
		return EXIT_IOERR;
	}
	return EXIT_OK;
}

int cmd_dkim_keygen(int argc, char **argv)
{
	struct dkim_args a = {0};
	int rc = parse(argc, argv, &a, true);
	if (rc >= 0)
		return rc;
	struct prc_diags *d;
	char *pem = NULL;
	if (prc_diags_new(&d))
		return EXIT_SOFTWARE;
	rc = prc_dkim_keygen(&pem, a.type, a.bits, d);
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	if (rc)
		return cli_exit_code(rc);
	rc = write_key(a.out, pem);
	memset(pem, 0, strlen(pem));
	free(pem);
	if (rc == EXIT_OK) {
		rc = print_record(a.out, a.domain, a.selector);
		if (rc != EXIT_OK)
			unlink(a.out); /* a bad domain or selector: leave nothing behind */
	}
	return rc;
}

int cmd_dkim_record(int argc, char **argv)
{
	struct dkim_args a = {0};
	int rc = parse(argc, argv, &a, false);
	if (rc >= 0)
		return rc;
	if (!a.from_config)
		return print_record(a.key, a.domain, a.selector);
	struct prc_config *cfg;
	rc = cli_load_valid(&a.src, a.root, false, &cfg);
	if (rc != EXIT_OK)
		return rc;
	struct prc_diags *d;
	char *text = NULL;
	if (prc_diags_new(&d)) {
		prc_config_free(cfg);
		return EXIT_SOFTWARE;
	}
	const char *use = prc_config_get(cfg, "USE_DKIM");
	if (!use || strcmp(use, "yes")) {
		fprintf(stderr, "%s: error: USE_DKIM is not yes: no mail is signed\n", PROG);
		rc = EXIT_CONFIG;
	}
	if (rc == EXIT_OK)
		rc = cli_exit_code(prc_dkim_records(&text, cfg, d));
	prc_diags_print(d, PROG, stderr);
	prc_diags_free(d);
	if (text)
		fputs(text, stdout);
	free(text);
	prc_config_free(cfg);
	return rc;
}
