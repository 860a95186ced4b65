/*
 * DKIM key material: who signs with which key, checks of the key files,
 * key generation and the DNS record that publishes a public key.
 */
#include "pem.h"
#include "internal.h"

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

void prc_dkim_load_key(const char *path, struct prc_dkim_key *k)
{
	struct prc_file_data f;
	*k = (struct prc_dkim_key){0};
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
	struct prc_dkim_key k;
	prc_dkim_load_key(key_path, &k);
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
