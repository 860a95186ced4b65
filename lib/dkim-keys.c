/*
 * The DKIM keys as the plan places them: the signers with the generated
 * keys' directory on the queue volume the plan resolves, and what apply
 * does with them (make the missing generated keys, print their records).
 * Above the plan: dkim.c below it knows keys, not the plan.
 */
#include "plan.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define V(id) (&cfg->v[PRC_S_##id])

int prc_dkim_signers(const struct prc_config *cfg, struct prc_dkim_signer **out, size_t *n)
{
	char *gen_dir = NULL;
	if (V(DKIM_AUTOGENERATE)->b) {
		struct prc_plan *p = NULL;
		/* the queue directory as the plan resolves it (passthrough, root) */
		/* (only of a validated configuration: the plan assumes one) */
		gen_dir = cfg->validated && !prc_plan_build(cfg, NULL, &p)
		              ? prc_dkim_gen_dir(cfg, p->state[PRC_STATE_QUEUE_DIR])
		              : prc_dkim_gen_dir(cfg, "/var/spool/postfix");
		prc_plan_free(p);
		if (!gen_dir)
			return PRC_ERR_NOMEM;
	}
	int rc = prc_dkim_signers_at(cfg, gen_dir ? gen_dir : "", out, n);
	free(gen_dir);
	return rc;
}

/*
 * OpenDKIM (RequireSafeKeys, on by default) refuses a key below a directory
 * that other users may write to, sticky bit or not: find the first such
 * directory on the resolved path, so that apply fails instead of every
 * message being deferred.  Returns false and fills @bad when there is one.
 */
static bool safe_directories(const char *path, char *bad, size_t size, mode_t *mode)
{
	char *real = realpath(path, NULL);
	if (!real)
		return true; /* reading the key reports the problem */
	bool safe = true;
	/* every directory above the file: "/", "/a", "/a/b", ... */
	for (size_t i = 0; safe && real[i]; i++) {
		if (real[i] != '/')
			continue;
		snprintf(bad, size, "%.*s", i ? (int)i : 1, real);
		struct stat st;
		if (stat(bad, &st) || !S_ISDIR(st.st_mode))
			break;
		if (st.st_mode & S_IWOTH) {
			*mode = st.st_mode & 07777;
			safe = false;
		} else if (!(st.st_mode & (S_IXGRP | S_IXOTH))) {
			break; /* nobody else can even get below here */
		}
	}
	free(real);
	return safe;
}

/* Report one key check against @origin: returns true when there was an error. */
static bool report_key(struct prc_diags *d, const char *origin, const char *env,
                       const char *domains, const char *path, const struct prc_dkim_key *k,
                       const char *hint, const char *algorithm)
{
	bool bad = false;
	if (k->err) {
		prc_diag(d, PRC_SEV_ERROR, "dkim-key", origin, env,
		         "DKIM key of %s: %s: cannot read: %s%s", domains, path,
		         prc_file_strerror(k->err), k->err == ENOENT ? hint : "");
		return true;
	}
	if (k->why) {
		prc_diag(d, PRC_SEV_ERROR, "dkim-key", origin, env, "DKIM key of %s: %s: %s",
		         domains, path, k->why);
		bad = true;
	} else if (k->ed25519 != !strcmp(algorithm, "ed25519-sha256")) {
		/* OpenDKIM has one algorithm for all keys and signs garbage with the other type */
		prc_diag(d, PRC_SEV_ERROR, "dkim-key", origin, env,
		         "DKIM key of %s: %s: an %s key, but DKIM_SIGNATURE_ALGORITHM is %s (one "
		         "algorithm for all keys)",
		         domains, path, k->ed25519 ? "Ed25519" : "RSA", algorithm);
		bad = true;
	} else if (!k->ed25519 && k->bits < 2048) {
		prc_diag(d, PRC_SEV_WARNING, "weak-key", origin, env,
		         "DKIM key of %s: %s: a %d-bit RSA key is weak; 2048 bits are recommended",
		         domains, path, k->bits);
	}
	if (k->mode & 066) {
		prc_diag(d, PRC_SEV_ERROR, "key-permissions", origin, env,
		         "DKIM key of %s: %s: readable or writable by group or others (mode %04o); "
		         "chmod 600 it",
		         domains, path, (unsigned)k->mode);
		bad = true;
	}
	char dir[4096];
	mode_t dmode = 0;
	if (!safe_directories(path, dir, sizeof(dir), &dmode)) {
		prc_diag(d, PRC_SEV_ERROR, "key-permissions", origin, env,
		         "DKIM key of %s: %s: directory %s can be written by other users (mode "
		         "%04o), so OpenDKIM refuses the key; keep keys where only root can write",
		         domains, path, dir, (unsigned)dmode);
		bad = true;
	}
	return bad;
}

PRC_EXPORT int prc_dkim_check(const struct prc_config *cfg, struct prc_diags *d)
{
	if (!cfg)
		return PRC_ERR_ARG;
	if (!V(USE_DKIM)->b)
		return PRC_OK;
	struct prc_dkim_signer *s;
	size_t n;
	if (prc_dkim_signers(cfg, &s, &n))
		return PRC_ERR_NOMEM;
	int rc = PRC_OK;
	struct prc_buf shared = {0};
	size_t first_shared = n;
	for (size_t i = 0; i < n; i++) {
		if (s[i].id != PRC_S_DKIM_KEYFILE)
			continue;
		if (first_shared == n)
			first_shared = i;
		else
			prc_buf_puts(&shared, ", ");
		prc_buf_puts(&shared, s[i].domain);
	}
	if (shared.oom)
		rc = PRC_ERR_NOMEM;
	for (size_t i = 0; i < n && rc != PRC_ERR_NOMEM; i++) {
		/* the domains of DKIM_DOMAINS share one key: check it once */
		if (s[i].id == PRC_S_DKIM_KEYFILE && i != first_shared)
			continue;
		const char *domains = s[i].id == PRC_S_DKIM_KEYFILE ? shared.s : s[i].domain;
		const char *env = prc_settings[s[i].id].env;
		char *origin = strcmp(s[i].origin, "default") ? prc_strdup(s[i].origin)
		                                              : prc_asprintf("env:%s", env);
		bool ed = !strcmp(V(DKIM_SIGNATURE_ALGORITHM)->str, "ed25519-sha256");
		char *hint =
		    prc_asprintf(" (make one with: postrelaycfg dkim-keygen --domain %s "
		                 "--selector %s -o %s%s)",
		                 s[i].domain, s[i].selector, s[i].key, ed ? " --type ed25519" : "");
		struct prc_dkim_key k;
		if (!origin || !hint) {
			rc = PRC_ERR_NOMEM;
		} else {
			prc_dkim_load_key(s[i].key, &k);
			if (report_key(d, origin, env, domains, s[i].key, &k, hint,
			               V(DKIM_SIGNATURE_ALGORITHM)->str))
				rc = PRC_ERR_INVALID;
			EVP_PKEY_free(k.pkey);
		}
		free(origin);
		free(hint);
	}
	prc_buf_free(&shared);
	prc_dkim_signers_free(s, n);
	return rc;
}

/* Make or reuse the generated key of @s; adds its record to @b.  Returns 0 or a PRC_ERR_. */
static int prepare_key(const struct prc_config *cfg, const struct prc_dkim_signer *s,
                       struct prc_buf *b, struct prc_diags *d)
{
	const char *origin = s->origin, *env = prc_settings[s->id].env;
	char *org = strcmp(origin, "default") ? prc_strdup(origin) : prc_asprintf("env:%s", env);
	if (!org)
		return PRC_ERR_NOMEM;
	bool ed = !strcmp(V(DKIM_SIGNATURE_ALGORITHM)->str, "ed25519-sha256");
	struct prc_dkim_key key;
	prc_dkim_load_key(s->key, &key);
	EVP_PKEY_free(key.pkey);
	int kerr = key.err;
	const char *kwhy = key.why;
	int rc = PRC_OK;
	bool made = false;
	if (kerr == ENOENT) {
		char *pem = NULL;
		rc = prc_dkim_keygen(&pem, ed ? PRC_DKIM_KEY_ED25519 : PRC_DKIM_KEY_RSA, 0, d);
		if (!rc && prc_write_file_new(s->key, pem, strlen(pem), 0600)) {
			prc_diag(d, PRC_SEV_ERROR, "dkim-key", org, env,
			         "DKIM key of %s: cannot write %s: %s", s->domain, s->key,
			         strerror(errno));
			rc = PRC_ERR_IO;
		}
		if (pem)
			OPENSSL_cleanse(pem, strlen(pem));
		free(pem);
		made = !rc;
	} else if (kerr || kwhy) {
		/* a published record names this key: never replace it behind the operator's back */
		prc_diag(d, PRC_SEV_ERROR, "dkim-key", org, env,
		         "DKIM key of %s: %s: %s; a generated key is never replaced: repair or "
		         "remove it (a new key needs a new DNS record)",
		         s->domain, s->key, kerr ? prc_file_strerror(kerr) : kwhy);
		rc = PRC_ERR_INVALID;
	}
	char *rec = NULL;
	if (!rc && !(rc = prc_dkim_record(&rec, s->key, s->domain, s->selector, d)))
		prc_buf_printf(b, "; %s: %s key %s\n%s", s->domain, made ? "new" : "kept", s->key,
		               rec);
	free(rec);
	free(org);
	return rc;
}

PRC_EXPORT int prc_dkim_prepare(const struct prc_config *cfg, char **out_records,
                                struct prc_diags *d)
{
	if (!cfg)
		return PRC_ERR_ARG;
	struct prc_buf b = {0};
	int rc = PRC_OK;
	struct prc_dkim_signer *s = NULL;
	size_t n = 0;
	if (V(USE_DKIM)->b && V(DKIM_AUTOGENERATE)->b && (rc = prc_dkim_signers(cfg, &s, &n)))
		return rc;
	for (size_t i = 0; i < n && rc != PRC_ERR_NOMEM; i++) {
		if (!s[i].generate)
			continue;
		int r = prepare_key(cfg, &s[i], &b, d);
		if (r && (rc == PRC_OK || r == PRC_ERR_NOMEM))
			rc = r;
	}
	prc_dkim_signers_free(s, n);
	char *text = prc_buf_take(&b);
	if (!text)
		return PRC_ERR_NOMEM;
	if (out_records)
		*out_records = text;
	else
		free(text);
	return rc;
}

PRC_EXPORT int prc_dkim_records(char **out, const struct prc_config *cfg, struct prc_diags *d)
{
	if (!out || !cfg)
		return PRC_ERR_ARG;
	struct prc_dkim_signer *s;
	size_t n;
	int rc = prc_dkim_signers(cfg, &s, &n);
	if (rc)
		return rc;
	struct prc_buf b = {0};
	for (size_t i = 0; i < n; i++) {
		char *rec = NULL;
		int r = prc_dkim_record(&rec, s[i].key, s[i].domain, s[i].selector, d);
		if (!r)
			prc_buf_printf(&b, "; %s: key %s\n%s", s[i].domain, s[i].key, rec);
		else if (rc != PRC_ERR_NOMEM)
			rc = r;
		free(rec);
	}
	prc_dkim_signers_free(s, n);
	if (!(*out = prc_buf_take(&b)))
		rc = PRC_ERR_NOMEM;
	return rc;
}
