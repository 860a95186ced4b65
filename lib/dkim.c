/*
 * DKIM key material: who signs with which key, checks of the key files,
 * key generation and the DNS record that publishes a public key.
 */
#include "pem.h"
#include "plan.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define V(id) (&cfg->v[PRC_S_##id])

/* A DNS TXT record holds strings of at most 255 octets each. */
#define TXT_STRING_MAX 255

void prc_dkim_signers_free(struct prc_dkim_signer *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].key);
	free(s);
}

static bool exists(const char *path)
{
	struct stat st;
	return path && !stat(path, &st);
}

char *prc_dkim_gen_dir(const struct prc_config *cfg, const char *queue_dir)
{
	if (V(DKIM_AUTOGENERATE_DIR)->set)
		return prc_setting_path(cfg, PRC_S_DKIM_AUTOGENERATE_DIR);
	return prc_asprintf("%s/dkim-keys", queue_dir);
}

/* The keys directory of the other images: beside DKIM_KEYFILE (/etc/opendkim/keys). */
static char *peer_keys_dir(const char *keyfile)
{
	const char *slash = strrchr(keyfile, '/');
	return prc_asprintf("%.*s/keys", slash ? (int)(slash - keyfile) : 0, keyfile);
}

/*
 * The key of a domain that has none of its own: mwader/postfix-relay's
 * DIR/DOMAIN/SELECTOR.private (only when @mwader), boky/postfix's
 * DIR/DOMAIN.private, else a generated one (DKIM_AUTOGENERATE).  Sets
 * s->key, s->generate and s->id; returns false when nothing fits (s->key
 * then is the mwader path, or NULL), and on OOM with s->key NULL.
 */
static bool find_key(const struct prc_config *cfg, const char *keys_dir, const char *gen_dir,
                     struct prc_dkim_signer *s, bool mwader, bool *oom)
{
	char *mw = prc_asprintf("%s/%s/%s.private", keys_dir, s->domain, s->selector);
	char *bk = prc_asprintf("%s/%s.private", keys_dir, s->domain);
	char *gen = V(DKIM_AUTOGENERATE)->b
	                ? prc_asprintf("%s/%s/%s.private", gen_dir, s->domain, s->selector)
	                : prc_strdup("");
	bool found = true;
	if (!mw || !bk || !gen) {
		*oom = true;
		free(mw);
		free(bk);
		free(gen);
		return false;
	}
	if (mwader && exists(mw)) {
		s->key = mw;
		mw = NULL;
	} else if (exists(bk)) {
		s->key = bk;
		bk = NULL;
	} else if (*gen) {
		s->key = gen;
		gen = NULL;
		s->generate = true;
		s->id = PRC_S_DKIM_AUTOGENERATE;
		if (strcmp(V(DKIM_AUTOGENERATE)->origin, "default"))
			s->origin = V(DKIM_AUTOGENERATE)->origin;
	} else {
		found = false;
		if (mwader) {
			s->key = mw;
			mw = NULL;
		}
	}
	free(mw);
	free(bk);
	free(gen);
	return found;
}

int prc_dkim_signers_at(const struct prc_config *cfg, const char *gen_dir,
                        struct prc_dkim_signer **out, size_t *n)
{
	const struct prc_value *doms = V(DKIM_DOMAINS), *keys = V(DKIM_KEYS);
	/* the seed form signs MAILNAME by default, unless per-domain keys replace it */
	bool mailname = !doms->nitems && !keys->nitems && V(MAILNAME)->set;
	size_t total = doms->nitems + keys->nitems + (mailname ? 1 : 0);
	struct prc_dkim_signer *s = calloc(total ? total : 1, sizeof(*s));
	char *keyfile = prc_setting_path(cfg, PRC_S_DKIM_KEYFILE);
	char *keys_dir = keyfile ? peer_keys_dir(keyfile) : NULL;
	if (!s || !keys_dir) {
		free(s);
		free(keyfile);
		free(keys_dir);
		return PRC_ERR_NOMEM;
	}
	bool oom = false, shared = exists(keyfile);
	size_t k = 0;
	for (size_t i = 0; i < doms->nitems + (mailname ? 1 : 0) && !oom; i++, k++) {
		s[k].domain = mailname ? V(MAILNAME)->str : doms->items[i].f[0];
		s[k].selector = V(DKIM_SELECTOR)->str;
		s[k].origin = V(DKIM_KEYFILE)->origin;
		s[k].id = PRC_S_DKIM_KEYFILE;
		/* without the shared key: a key of the domain's own, found or made */
		if (!shared && find_key(cfg, keys_dir, gen_dir, &s[k], false, &oom)) {
			if (s[k].id == PRC_S_DKIM_KEYFILE) {
				s[k].id = PRC_S_DKIM_DOMAINS;
				s[k].origin =
				    mailname ? V(MAILNAME)->origin : doms->items[i].origin;
			}
			continue;
		}
		if (!oom && !(s[k].key = prc_strdup(keyfile)))
			oom = true;
	}
	for (size_t i = 0; i < keys->nitems && !oom; i++, k++) {
		const struct prc_item *it = &keys->items[i];
		s[k].domain = it->f[0];
		s[k].selector = it->f[1];
		s[k].origin = it->origin;
		s[k].id = PRC_S_DKIM_KEYS;
		if (*it->f[2])
			s[k].key = prc_strdup(it->f[2]);
		else /* OPENDKIM_DOMAINS, or a domain=selector of DKIM_SELECTOR */
			find_key(cfg, keys_dir, gen_dir, &s[k], true, &oom);
		if (!s[k].key)
			oom = true;
	}
	free(keyfile);
	free(keys_dir);
	if (oom) {
		prc_dkim_signers_free(s, k);
		return PRC_ERR_NOMEM;
	}
	*out = s;
	*n = total;
	return PRC_OK;
}

int prc_dkim_signers(const struct prc_config *cfg, struct prc_dkim_signer **out, size_t *n)
{
	char *gen_dir = NULL;
	if (V(DKIM_AUTOGENERATE)->b) {
		struct prc_plan *p = NULL;
		/* the queue directory as the plan resolves it (passthrough, root) */
		gen_dir = !prc_plan_build(cfg, NULL, &p)
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

/* What loading a DKIM key found. */
struct dkim_key {
	EVP_PKEY *pkey;
	bool ed25519;
	int bits;
	mode_t mode;
	int err;         /* errno of reading, 0 when read */
	const char *why; /* static reason when unusable */
};

static void load_key(const char *path, struct dkim_key *k)
{
	struct prc_file_data f;
	*k = (struct dkim_key){0};
	if ((k->err = prc_file_read(path, &f)))
		return;
	k->mode = f.st.st_mode & 07777;
	k->why = prc_pem_private_key(&f, &k->pkey);
	prc_file_data_free(&f);
	if (k->why)
		return;
	k->bits = EVP_PKEY_get_bits(k->pkey);
	if (EVP_PKEY_is_a(k->pkey, "ED25519"))
		k->ed25519 = true;
	else if (!EVP_PKEY_is_a(k->pkey, "RSA"))
		k->why = "holds a key of a type DKIM cannot use (RSA or Ed25519 needed)";
	else if (k->bits < PRC_DKIM_RSA_BITS_MIN)
		k->why = "holds an RSA key shorter than 1024 bits, which verifiers ignore (make a "
		         "2048-bit key)";
	if (k->why) {
		EVP_PKEY_free(k->pkey);
		k->pkey = NULL;
	}
	ERR_clear_error();
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
                       const char *domains, const char *path, const struct dkim_key *k,
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
		struct dkim_key k;
		if (!origin || !hint) {
			rc = PRC_ERR_NOMEM;
		} else {
			load_key(s[i].key, &k);
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

PRC_EXPORT int prc_dkim_keygen(char **out_pem, enum prc_dkim_key_type type, unsigned bits,
                               struct prc_diags *d)
{
	if (!out_pem)
		return PRC_ERR_ARG;
	EVP_PKEY *key = NULL;
	if (type == PRC_DKIM_KEY_RSA) {
		if (!bits)
			bits = PRC_DKIM_RSA_BITS_DEFAULT;
		if (bits < PRC_DKIM_RSA_BITS_MIN || bits > PRC_DKIM_RSA_BITS_MAX) {
			prc_diag(d, PRC_SEV_ERROR, "invalid-value", "", "",
			         "an RSA key has %d to %d bits, not %u", PRC_DKIM_RSA_BITS_MIN,
			         PRC_DKIM_RSA_BITS_MAX, bits);
			return PRC_ERR_ARG;
		}
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	} else if (type == PRC_DKIM_KEY_ED25519) {
		if (bits) {
			prc_diag(d, PRC_SEV_ERROR, "invalid-value", "", "",
			         "an Ed25519 key has a fixed size; no bits can be given");
			return PRC_ERR_ARG;
		}
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	} else {
		return PRC_ERR_ARG;
	}
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = PRC_OK;
	char *p = NULL;
	long len = 0;
	if (!key || !bio || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) ||
	    (len = BIO_get_mem_data(bio, &p)) <= 0) {
		prc_diag(d, PRC_SEV_ERROR, "dkim-keygen", "", "", "OpenSSL could not make the key");
		rc = PRC_ERR_INVALID;
	} else if (!(*out_pem = prc_strndup(p, (size_t)len))) {
		rc = PRC_ERR_NOMEM;
	}
	if (p && len > 0)
		OPENSSL_cleanse(p, (size_t)len);
	ERR_clear_error();
	BIO_free(bio);
	EVP_PKEY_free(key);
	return rc;
}

/* The p= value: base64 of the SubjectPublicKeyInfo (RSA) or of the raw key (Ed25519). */
static char *public_key_base64(EVP_PKEY *key, bool ed25519)
{
	unsigned char *der = NULL;
	size_t len = 0;
	if (ed25519) {
		if (EVP_PKEY_get_raw_public_key(key, NULL, &len) != 1 || !(der = malloc(len)) ||
		    EVP_PKEY_get_raw_public_key(key, der, &len) != 1) {
			free(der);
			return NULL;
		}
	} else {
		int n = i2d_PUBKEY(key, NULL);
		if (n <= 0 || !(der = malloc((size_t)n)))
			return NULL;
		unsigned char *p = der;
		len = (size_t)i2d_PUBKEY(key, &p);
	}
	char *b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (b64)
		EVP_EncodeBlock((unsigned char *)b64, der, (int)len);
	free(der);
	return b64;
}

PRC_EXPORT int prc_dkim_record(char **out, const char *key_path, const char *domain,
                               const char *selector, struct prc_diags *d)
{
	if (!out || !key_path || !domain || !selector)
		return PRC_ERR_ARG;
	const char *why;
	int rc = PRC_OK;
	if ((why = prc_check_domain(domain))) {
		prc_diag(d, PRC_SEV_ERROR, "invalid-value", "", "", "domain '%s': %s", domain, why);
		rc = PRC_ERR_INVALID;
	}
	if ((why = prc_check_selector(selector))) {
		prc_diag(d, PRC_SEV_ERROR, "invalid-value", "", "", "selector '%s': %s", selector,
		         why);
		rc = PRC_ERR_INVALID;
	}
	struct dkim_key k;
	load_key(key_path, &k);
	if (k.err)
		prc_diag(d, PRC_SEV_ERROR, "dkim-key", key_path, "", "cannot read: %s",
		         prc_file_strerror(k.err));
	else if (k.why)
		prc_diag(d, PRC_SEV_ERROR, "dkim-key", key_path, "", "%s", k.why);
	else if (!k.ed25519 && k.bits < 2048)
		prc_diag(d, PRC_SEV_WARNING, "weak-key", key_path, "",
		         "a %d-bit RSA key is weak; 2048 bits are recommended", k.bits);
	if (!k.pkey)
		rc = PRC_ERR_INVALID;
	if (rc) {
		EVP_PKEY_free(k.pkey);
		return rc;
	}

	char *b64 = public_key_base64(k.pkey, k.ed25519);
	char *txt =
	    b64 ? prc_asprintf("v=DKIM1; k=%s; p=%s", k.ed25519 ? "ed25519" : "rsa", b64) : NULL;
	struct prc_buf b = {0};
	if (txt) {
		prc_buf_printf(&b, "%s._domainkey.%s IN TXT (", selector, domain);
		for (size_t off = 0, len = strlen(txt); off < len; off += TXT_STRING_MAX) {
			size_t n = len - off < TXT_STRING_MAX ? len - off : TXT_STRING_MAX;
			prc_buf_printf(&b, " \"%.*s\"", (int)n, txt + off);
		}
		prc_buf_puts(&b, " )\n");
	}
	*out = txt && !b.oom ? prc_buf_take(&b) : NULL;
	if (!*out) {
		prc_buf_free(&b);
		rc = PRC_ERR_NOMEM;
	}
	free(txt);
	free(b64);
	EVP_PKEY_free(k.pkey);
	ERR_clear_error();
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
	struct dkim_key k;
	load_key(s->key, &k);
	EVP_PKEY_free(k.pkey);
	int rc = PRC_OK;
	bool made = false;
	if (k.err == ENOENT) {
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
	} else if (k.err || k.why) {
		/* a published record names this key: never replace it behind the operator's back */
		prc_diag(d, PRC_SEV_ERROR, "dkim-key", org, env,
		         "DKIM key of %s: %s: %s; a generated key is never replaced: repair or "
		         "remove it (a new key needs a new DNS record)",
		         s->domain, s->key, k.err ? prc_file_strerror(k.err) : k.why);
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
