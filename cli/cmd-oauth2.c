/*
 * oauth2-refresh: keep the XOAUTH2 login's access token fresh.  Before the
 * token expires it posts the refresh grant to the token endpoint (libcurl,
 * HTTPS only), keeps the answer in the token state file (the latest refresh
 * token too: providers rotate it) and rebuilds the credential table, its
 * indexed and its text form, each replaced atomically, so that the next smtp
 * process logs in with the new token; Postfix is not restarted.  The secrets
 * come from the configuration, never from argv or the environment of a
 * child, and are never logged.
 */
#include "cli.h"
#include "oauth2.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OPT_ROOT = 256, OPT_ONCE, OPT_RETRY_MAX };

struct refresher {
	struct prc_plan *plan;
	const char *key, *user, *state;
	const char *endpoint, *client_id, *secret, *initial_refresh, *ca;
	char origin[65];
	struct oauth2_token tok;
	char said[640]; /* the last problem logged: each is logged once */
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: oauth2-refresh: ", PROG);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A problem, logged only when it differs from the last one logged. */
static void problem(struct refresher *r, const char *msg)
{
	if (!strcmp(r->said, msg))
		return;
	snprintf(r->said, sizeof(r->said), "%s", msg);
	say("%s", msg);
}

/* @a, @b and @c joined (caller frees; NULL on OOM). */
static char *join3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/* The plan's credential table as text into @path, mode as planned, synced. */
static int write_text(const struct prc_plan *plan, const char *path)
{
	unlink(path); /* a leftover of an interrupted refresh */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	              prc_plan_file_mode(plan, PRC_FILE_SASL_PASSWD));
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	int rc = prc_plan_emit(plan, PRC_FILE_SASL_PASSWD, out);
	if (fflush(out) || fsync(fd))
		rc = -1;
	if (fclose(out) || rc)
		goto fail;
	return EXIT_OK;
fail:
	fprintf(stderr, "%s: error: oauth2-refresh: cannot write %s: %s\n", PROG, path,
	        strerror(errno));
	unlink(path);
	return EXIT_IOERR;
}

/*
 * The credential table with @access as the XOAUTH2 login's password: the
 * plan's entry changed, then its indexed form (hash: in process; lmdb, cdb:
 * postmap of a temporary source) and its text form each written beside the
 * target and renamed into place, the indexed one first (Postfix reads only
 * that one); the text then says what the indexed table holds.
 */
static int install_token(struct prc_plan *plan, const char *access)
{
	const char *type;
	if (!prc_plan_table(plan, PRC_FILE_SASL_PASSWD, &type))
		return EXIT_SOFTWARE;
	int rc = prc_plan_oauth_set_token(plan, access);
	if (rc)
		return rc == PRC_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_CONFIG;
	const char *src = prc_plan_file_path(plan, PRC_FILE_SASL_PASSWD);
	const char *sfx = !strcmp(type, "hash")   ? ".db"
	                  : !strcmp(type, "lmdb") ? ".lmdb"
	                  : !strcmp(type, "cdb")  ? ".cdb"
	                                          : NULL;
	char *tmp = join3(src, ".oauth2-new", "");
	char *built = tmp && sfx ? join3(tmp, sfx, "") : NULL;
	char *final = sfx ? join3(src, sfx, "") : NULL;
	char *spec = tmp ? join3(type, ":", tmp) : NULL;
	if (!sfx) {
		fprintf(stderr, "%s: error: oauth2-refresh: cannot build a %s: table\n", PROG,
		        type);
		rc = EXIT_CONFIG;
	} else if (!tmp || !built || !final || !spec) {
		rc = EXIT_SOFTWARE;
	} else {
		rc = write_text(plan, tmp);
	}
	if (rc == EXIT_OK && !strcmp(type, "hash")) {
		rc = cli_hash_table_write(final, plan, PRC_FILE_SASL_PASSWD,
		                          prc_plan_file_mode(plan, PRC_FILE_SASL_PASSWD));
	} else if (rc == EXIT_OK) {
		/* postmap makes TMP.lmdb (or .cdb) from TMP: nothing secret on its command line */
		char *argv[] = {"postmap", "-c", (char *)prc_plan_dir(plan, PRC_DIR_POSTFIX), spec,
		                NULL};
		int st = cli_run(argv, NULL, NULL);
		if (st) {
			if (st > 0)
				fprintf(stderr,
				        "%s: error: oauth2-refresh: postmap %s failed (exit "
				        "status %d)\n",
				        PROG, spec, st);
			rc = EXIT_IOERR;
		} else if (rename(built, final)) {
			fprintf(stderr,
			        "%s: error: oauth2-refresh: cannot rename %s into place: %s\n",
			        PROG, final, strerror(errno));
			rc = EXIT_IOERR;
		}
	}
	if (rc == EXIT_OK && rename(tmp, src)) {
		fprintf(stderr, "%s: error: oauth2-refresh: cannot rename %s into place: %s\n",
		        PROG, src, strerror(errno));
		rc = EXIT_IOERR;
	}
	if (rc != EXIT_OK && tmp) {
		unlink(tmp);
		if (built)
			unlink(built);
	}
	free(tmp);
	free(built);
	free(final);
	free(spec);
	return rc;
}

int cli_oauth2_use_saved(struct prc_plan *plan, const struct prc_config *cfg)
{
	const char *state;
	if (!prc_plan_oauth_login(plan, NULL, NULL, &state))
		return EXIT_OK;
	struct oauth2_token t;
	char why[320], origin[65];
	if (oauth2_state_read(state, &t, why, sizeof(why)))
		return EXIT_OK; /* nothing saved (or unusable): the refresher will say so */
	oauth2_fingerprint(prc_config_get(cfg, "XOAUTH2_INITIAL_REFRESH_TOKEN"), origin);
	int rc = EXIT_OK;
	if (t.access && !strcmp(t.origin, origin) && t.expiry > (long long)time(NULL))
		rc = prc_plan_oauth_set_token(plan, t.access) ? EXIT_SOFTWARE : EXIT_OK;
	oauth2_token_clear(&t);
	return rc;
}

void cli_oauth2_health_prepare(const struct prc_plan *plan, const struct prc_config *cfg,
                               char state[4096], char origin[65])
{
	const char *path;
	state[0] = origin[0] = '\0';
	if (!prc_plan_oauth_login(plan, NULL, NULL, &path))
		return;
	snprintf(state, 4096, "%s", path);
	oauth2_fingerprint(prc_config_get(cfg, "XOAUTH2_INITIAL_REFRESH_TOKEN"), origin);
}

bool cli_oauth2_healthy(const char *state, const char *origin, char *why, size_t whylen)
{
	if (!*state)
		return true;
	struct oauth2_token t;
	char err[320];
	int rc = oauth2_state_read(state, &t, err, sizeof(err));
	bool ok = false;
	if (rc > 0)
		snprintf(why, whylen,
		         "relay login XOAUTH2: no access token yet (%s does not exist)", state);
	else if (rc < 0)
		snprintf(why, whylen, "relay login XOAUTH2: %s", err);
	else if (strcmp(t.origin, origin) || !t.access)
		snprintf(why, whylen,
		         "relay login XOAUTH2: no access token for the configured "
		         "refresh token yet");
	else if (t.expiry <= (long long)time(NULL))
		snprintf(why, whylen,
		         "relay login XOAUTH2: the access token expired %lld s ago "
		         "and no new one was had (see oauth2-refresh's log)",
		         (long long)time(NULL) - t.expiry);
	else
		ok = true;
	oauth2_token_clear(&t);
	return ok;
}

struct body {
	char *s;
	size_t len;
	bool too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct body *b = ud;
	size_t len = size * n;
	if (b->len + len > OAUTH2_MAX_RESPONSE) {
		b->too_big = true;
		return 0;
	}
	memcpy(b->s + b->len, p, len);
	b->len += len;
	return len;
}

/* "name=escaped" appended to the form; false on OOM. */
static bool form_add(CURL *h, char **form, size_t *len, const char *name, const char *value)
{
	char *e = curl_easy_escape(h, value, 0);
	if (!e)
		return false;
	size_t add = strlen(name) + 2 + strlen(e);
	char *f = realloc(*form, *len + add + 1);
	if (!f) {
		explicit_bzero(e, strlen(e));
		curl_free(e);
		return false;
	}
	*form = f;
	*len += (size_t)snprintf(f + *len, add + 1, "%s%s=%s", *len ? "&" : "", name, e);
	explicit_bzero(e, strlen(e));
	curl_free(e);
	return true;
}

/* One refresh grant.  0: r->tok is the new token; -1: failed (logged once). */
static int refresh(struct refresher *r, int *permanent)
{
	char msg[640], why[256];
	*permanent = 0;
	CURL *h = curl_easy_init();
	struct body b = {malloc(OAUTH2_MAX_RESPONSE + 1), 0, false};
	char *form = NULL;
	size_t flen = 0;
	if (!h || !b.s || !form_add(h, &form, &flen, "grant_type", "refresh_token") ||
	    !form_add(h, &form, &flen, "client_id", r->client_id) ||
	    !form_add(h, &form, &flen, "client_secret", r->secret) ||
	    !form_add(h, &form, &flen, "refresh_token", r->tok.refresh)) {
		problem(r, "out of memory");
		curl_easy_cleanup(h);
		free(b.s);
		free(form);
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, r->endpoint);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)flen);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "postrelaycfg/" PRC_VERSION);
	if (r->ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, r->ca);
	CURLcode cc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	explicit_bzero(form, flen);
	free(form);
	curl_easy_cleanup(h);
	int rc = -1;
	struct oauth2_token t;
	if (b.too_big) {
		snprintf(msg, sizeof(msg),
		         "token endpoint %s: HTTP %ld: response larger than %u "
		         "bytes; mail to the relay host stays deferred",
		         r->endpoint, status, OAUTH2_MAX_RESPONSE);
		problem(r, msg);
	} else if (cc != CURLE_OK) {
		/* curl's own text (errbuf) varies from try to try: the code is logged once */
		snprintf(msg, sizeof(msg),
		         "token endpoint %s unreachable: %s (curl error %d); "
		         "mail to the relay host stays deferred, retrying",
		         r->endpoint, curl_easy_strerror(cc), (int)cc);
		problem(r, msg);
	} else if (oauth2_parse_response(status, b.s, b.len, (long long)time(NULL), r->tok.refresh,
	                                 &t, why, sizeof(why), permanent)) {
		snprintf(msg, sizeof(msg),
		         "token endpoint %s refused the refresh: %s; mail to the "
		         "relay host stays deferred%s",
		         r->endpoint, why,
		         *permanent ? " until a new refresh token is configured "
		                      "(XOAUTH2_INITIAL_REFRESH_TOKEN)"
		                    : ", retrying");
		problem(r, msg);
	} else {
		rc = 0;
		oauth2_token_clear(&r->tok);
		r->tok = t;
		r->tok.origin = strdup(r->origin);
		if (!r->tok.origin)
			rc = -1;
	}
	explicit_bzero(b.s, b.len);
	free(b.s);
	return rc;
}

/* The token to start from: the state file's, unless the configured refresh token changed. */
static int load(struct refresher *r)
{
	char why[320];
	int rc = oauth2_state_read(r->state, &r->tok, why, sizeof(why));
	if (rc < 0)
		say("%s; starting from the configured refresh token", why);
	if (rc == 0 && strcmp(r->tok.origin, r->origin)) {
		say("the configured refresh token changed: starting from it");
		oauth2_token_clear(&r->tok);
		rc = 1;
	}
	if (rc) {
		oauth2_token_clear(&r->tok);
		r->tok.refresh = strdup(r->initial_refresh);
		r->tok.origin = strdup(r->origin);
		if (!r->tok.refresh || !r->tok.origin)
			return -1;
	}
	return 0;
}

/* Seconds before expiry when a token is renewed: a quarter of its life, 1..300. */
static long long margin(const struct oauth2_token *t)
{
	long long m = t->life > 0 ? t->life / 4 : 60;
	return m < 1 ? 1 : m > 300 ? 300 : m;
}

static int run(struct refresher *r, bool once, unsigned retry_max)
{
	unsigned backoff = 1;
	bool installed = false;
	for (;;) {
		long long now = (long long)time(NULL);
		if (r->tok.access && r->tok.expiry - now > margin(&r->tok)) {
			if (!installed) {
				int rc = install_token(r->plan, r->tok.access);
				if (rc != EXIT_OK)
					return rc;
				installed = true;
			}
			if (once)
				return EXIT_OK;
			long long wait = r->tok.expiry - margin(&r->tok) - now;
			sleep((unsigned)(wait > 3600 ? 3600 : wait));
			continue;
		}
		int permanent;
		if (refresh(r, &permanent) == 0) {
			char why[320];
			if (oauth2_state_write(r->state, &r->tok, why, sizeof(why)))
				say("%s (the next start uses the configured refresh token)", why);
			say("new access token for %s, valid for %lld s", r->user, r->tok.life);
			r->said[0] = '\0';
			installed = false;
			backoff = 1;
			continue;
		}
		if (once)
			return 75; /* EX_TEMPFAIL */
		sleep(backoff);
		backoff = backoff * 2 > retry_max ? retry_max : backoff * 2;
	}
}

static const char usage_line[] =
    "oauth2-refresh [-c FILE] [--env-file FILE] [--no-env] [--root DIR] [--once] "
    "[--retry-max SECONDS]";

int cmd_oauth2_refresh(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_SOURCE_OPTIONS,
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"once", no_argument, NULL, OPT_ONCE},
	    {"retry-max", required_argument, NULL, OPT_RETRY_MAX},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *root = "/";
	struct cli_source src = {0};
	bool once = false;
	unsigned long retry_max = 300;
	char *end;
	int c;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "c:h", opts)) != -1) {
		if (cli_source_option(c, optarg, &src))
			continue;
		switch (c) {
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_ONCE:
			once = true;
			break;
		case OPT_RETRY_MAX:
			errno = 0;
			retry_max = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || retry_max < 1 || retry_max > 3600 ||
			    optarg[0] == '-') {
				fprintf(stderr,
				        "%s: error: --retry-max: expected 1..3600 seconds\n", PROG);
				goto usage;
			}
			break;
		case 'h':
			printf(
			    "usage: %s %s\n"
			    "Keep the XOAUTH2 login's access token fresh: refresh it before it\n"
			    "expires, keep the token state file and rebuild the credential table.\n"
			    "--once: get a valid token if there is none, install it, exit (75 "
			    "when\n"
			    "the endpoint cannot give one).  Retries back off up to --retry-max\n"
			    "seconds (default 300).\n",
			    PROG, usage_line);
			return EXIT_OK;
		default:
			goto usage;
		}
	}
	if (optind < argc || root[0] != '/')
		goto usage;

	struct prc_config *cfg;
	struct prc_plan *plan;
	int rc = cli_load_plan(&src, root, &cfg, &plan);
	if (rc != EXIT_OK)
		return rc;
	struct refresher r = {.plan = plan};
	if (!prc_plan_oauth_login(plan, &r.key, &r.user, &r.state)) {
		fprintf(stderr,
		        "%s: error: oauth2-refresh: no XOAUTH2 login is configured "
		        "(XOAUTH2_CLIENT_ID)\n",
		        PROG);
		prc_plan_free(plan);
		prc_config_free(cfg);
		return EXIT_CONFIG;
	}
	r.endpoint = prc_config_get(cfg, "XOAUTH2_TOKEN_ENDPOINT");
	r.client_id = prc_config_get(cfg, "XOAUTH2_CLIENT_ID");
	r.secret = prc_config_get(cfg, "XOAUTH2_SECRET");
	r.initial_refresh = prc_config_get(cfg, "XOAUTH2_INITIAL_REFRESH_TOKEN");
	r.ca = prc_config_get(cfg, "XOAUTH2_CA_FILE");
	oauth2_fingerprint(r.initial_refresh, r.origin);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || load(&r)) {
		rc = EXIT_SOFTWARE;
	} else {
		rc = run(&r, once, (unsigned)retry_max);
		curl_global_cleanup();
	}
	oauth2_token_clear(&r.tok);
	prc_plan_free(plan);
	prc_config_free(cfg);
	return rc;
usage:
	fprintf(stderr, "usage: %s %s\n", PROG, usage_line);
	return EXIT_USAGE;
}
