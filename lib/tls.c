/*
 * TLS key material: generate the default self-signed certificate in-process
 * (the seed ran dpkg-reconfigure on every start), and check user-supplied
 * certificates, keys and CA files before Postfix gets to choke on them.
 */
#include "internal.h"
#include "pem.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * EC P-256: generating it takes about a millisecond, RSA-2048 tens to
 * hundreds (bench/tls-keygen), and every TLS stack SMTP clients use today
 * (OpenSSL, GnuTLS, Schannel, Java, Go, .NET) accepts ECDSA P-256.
 */
#define SELFSIGNED_KEY      PRC_TLS_KEY_EC_P256
#define SELFSIGNED_DAYS     3650
#define SELFSIGNED_BACKDATE 3600 /* seconds: tolerate clients with slow clocks */
#define CN_MAX              64   /* ub-common-name: longer names go in the SAN only */

static char *bio_text(BIO *bio)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	return n >= 0 ? prc_strndup(p, (size_t)n) : NULL;
}

static bool add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	bool ok = ext && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static EVP_PKEY *new_key(enum prc_tls_key_type type)
{
	if (type == PRC_TLS_KEY_RSA_2048)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static bool set_serial(X509 *x)
{
	unsigned char raw[20];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return false;
	raw[0] &= 0x7f; /* positive, at most 20 octets (RFC 5280) */
	raw[0] |= 0x40; /* and never shorter: no leading zero octet */
	BIGNUM *bn = BN_bin2bn(raw, sizeof(raw), NULL);
	bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok;
}

int prc_tls_selfsigned(const char *host, enum prc_tls_key_type type, char **key_pem,
                       char **cert_pem)
{
	EVP_PKEY *key = new_key(type);
	X509 *x = X509_new();
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	char *san = prc_asprintf("%sDNS:%s", strlen(host) > CN_MAX ? "critical," : "", host);
	int rc = PRC_ERR_INVALID;
	if (!x || !kb || !cb || !san) {
		rc = PRC_ERR_NOMEM;
		goto out;
	}
	if (!key)
		goto out;
	X509_NAME *name = X509_get_subject_name(x);
	bool ok = X509_set_version(x, X509_VERSION_3) && set_serial(x) &&
	          X509_gmtime_adj(X509_getm_notBefore(x), -SELFSIGNED_BACKDATE) &&
	          X509_time_adj_ex(X509_getm_notAfter(x), SELFSIGNED_DAYS, 0, NULL) &&
	          X509_set_pubkey(x, key);
	if (ok && strlen(host) <= CN_MAX)
		ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		                                (const unsigned char *)host, -1, -1, 0);
	ok = ok && X509_set_issuer_name(x, name) &&
	     add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
	     add_ext(x, NID_subject_key_identifier, "hash") &&
	     add_ext(x, NID_ext_key_usage, "serverAuth,clientAuth") &&
	     add_ext(x, NID_subject_alt_name, san) && X509_sign(x, key, EVP_sha256()) > 0 &&
	     PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) &&
	     PEM_write_bio_X509(cb, x);
	if (!ok)
		goto out;
	*key_pem = bio_text(kb);
	*cert_pem = bio_text(cb);
	if (*key_pem && *cert_pem) {
		rc = PRC_OK;
	} else {
		free(*key_pem);
		free(*cert_pem);
		rc = PRC_ERR_NOMEM;
	}
out:
	ERR_clear_error();
	free(san);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* One of the TLS path settings, resolved. */
struct tls_file {
	enum prc_setting_id id;
	const char *env;
	const char *origin; /* the value's origin, or env:NAME for a default */
	char *path;
};

struct tls_ctx {
	struct prc_config *cfg; /* NULL for prc_tls_check_pair() */
	const char *host;       /* the name the certificate should carry, or NULL */
	struct prc_diags *d;
	int rc;
};

static void fail(struct tls_ctx *c, int rc)
{
	/* the worst status wins: NOMEM over IO over INVALID */
	if (!c->rc || rc == PRC_ERR_NOMEM || (rc == PRC_ERR_IO && c->rc == PRC_ERR_INVALID))
		c->rc = rc;
}

static void problem(struct tls_ctx *c, enum prc_severity sev, const char *code,
                    const struct tls_file *f, const char *fmt, ...) PRC_PRINTF(5, 6);
static void problem(struct tls_ctx *c, enum prc_severity sev, const char *code,
                    const struct tls_file *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	prc_diag(c->d, sev, code, f->origin, f->env, "%s: %s", f->path, msg);
	if (sev == PRC_SEV_ERROR)
		fail(c, PRC_ERR_INVALID);
}

static bool resolve(struct tls_ctx *c, enum prc_setting_id id, struct tls_file *f)
{
	const struct prc_value *v = &c->cfg->v[id];
	f->id = id;
	f->env = prc_settings[id].env;
	f->origin = v->explicit && v->origin ? v->origin : NULL;
	f->path = prc_setting_path(c->cfg, id);
	if (v->set && !f->path) {
		fail(c, PRC_ERR_NOMEM);
		return false;
	}
	return f->path != NULL;
}

/* Read a file; reports and returns false when it cannot be read. */
static bool read_file(struct tls_ctx *c, const struct tls_file *f, struct prc_file_data *data)
{
	int err = prc_file_read(f->path, data);
	if (err == ENOMEM)
		fail(c, PRC_ERR_NOMEM);
	else if (err)
		problem(c, PRC_SEV_ERROR, "unreadable", f, "cannot read: %s",
		        prc_file_strerror(err));
	return err == 0;
}

static bool missing(const char *path)
{
	struct stat st;
	return stat(path, &st) && errno == ENOENT;
}

/* Write a fresh self-signed pair to the default paths of @crt and @key. */
static void generate(struct tls_ctx *c, const struct tls_file *crt, const struct tls_file *key)
{
	char *kpem = NULL, *cpem = NULL;
	int rc = prc_tls_selfsigned(c->cfg->v[PRC_S_MAILNAME].str, SELFSIGNED_KEY, &kpem, &cpem);
	if (rc == PRC_ERR_NOMEM) {
		fail(c, rc);
		return;
	}
	if (rc) {
		prc_diag(c->d, PRC_SEV_ERROR, "tls-generate", crt->origin, crt->env,
		         "%s: OpenSSL could not generate a self-signed certificate", crt->path);
		fail(c, rc);
	} else if (prc_write_file_atomic(key->path, kpem, strlen(kpem), 0600)) {
		prc_diag(c->d, PRC_SEV_ERROR, "io", key->origin, key->env,
		         "%s: cannot write the generated key: %s", key->path, strerror(errno));
		fail(c, PRC_ERR_IO);
	} else if (prc_write_file_atomic(crt->path, cpem, strlen(cpem), 0644)) {
		prc_diag(c->d, PRC_SEV_ERROR, "io", crt->origin, crt->env,
		         "%s: cannot write the generated certificate: %s", crt->path,
		         strerror(errno));
		fail(c, PRC_ERR_IO);
	}
	if (kpem)
		OPENSSL_cleanse(kpem, strlen(kpem));
	free(kpem);
	free(cpem);
}

static void format_time(const ASN1_TIME *t, char *buf, size_t size)
{
	struct tm tm;
	if (!ASN1_TIME_to_tm(t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "(an unreadable date)");
}

static void check_leaf(struct tls_ctx *c, const struct tls_file *crt, X509 *leaf)
{
	char when[64];
	const char *host = c->host;
	if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
		format_time(X509_get0_notAfter(leaf), when, sizeof(when));
		problem(c, PRC_SEV_WARNING, "cert-expired", crt, "the certificate expired on %s",
		        when);
	}
	if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
		format_time(X509_get0_notBefore(leaf), when, sizeof(when));
		problem(c, PRC_SEV_WARNING, "cert-not-yet-valid", crt,
		        "the certificate is not valid before %s", when);
	}
	if (host && X509_check_host(leaf, host, strlen(host), 0, NULL) != 1)
		problem(c, PRC_SEV_WARNING, "cert-name", crt,
		        "the certificate does not name MAILNAME (%s); clients that check names "
		        "will refuse it",
		        host);
}

/* Check a user-supplied (or existing default) certificate and key pair. */
static void check_pair(struct tls_ctx *c, const struct tls_file *crt, const struct tls_file *key)
{
	struct prc_file_data cd, kd;
	STACK_OF(X509) *certs = NULL;
	EVP_PKEY *pkey = NULL;
	const char *why;
	if (read_file(c, crt, &cd)) {
		if ((why = prc_pem_certs(&cd, &certs)))
			problem(c, PRC_SEV_ERROR, "tls-cert", crt, "%s", why);
		prc_file_data_free(&cd);
	}
	if (read_file(c, key, &kd)) {
		if ((why = prc_pem_private_key(&kd, &pkey)))
			problem(c, PRC_SEV_ERROR, "tls-key", key, "%s", why);
		else if (kd.st.st_mode & S_IROTH)
			problem(
			    c, PRC_SEV_WARNING, "key-permissions", key,
			    "the private key is readable by all users (mode %04o); chmod 600 it",
			    (unsigned)(kd.st.st_mode & 07777));
		prc_file_data_free(&kd);
	}
	if (certs) {
		X509 *leaf = sk_X509_value(certs, 0);
		if (pkey && EVP_PKEY_eq(X509_get0_pubkey(leaf), pkey) != 1)
			problem(c, PRC_SEV_ERROR, "key-mismatch", key,
			        "the key does not match the certificate in %s%s%s%s", crt->path,
			        *crt->env ? " (" : "", crt->env, *crt->env ? ")" : "");
		check_leaf(c, crt, leaf);
	}
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	EVP_PKEY_free(pkey);
}

static void check_ca(struct tls_ctx *c, const struct tls_file *ca)
{
	struct prc_file_data data;
	STACK_OF(X509) *certs = NULL;
	if (!read_file(c, ca, &data))
		return;
	const char *why = prc_pem_certs(&data, &certs);
	if (why)
		problem(c, PRC_SEV_ERROR, "tls-ca", ca, "%s", why);
	sk_X509_pop_free(certs, X509_free);
	prc_file_data_free(&data);
}

struct tls_side {
	enum prc_setting_id crt, key, ca;
};

static void prepare_side(struct tls_ctx *c, const struct tls_side *s, const struct tls_side *done)
{
	struct tls_file crt = {0}, key = {0}, ca = {0};
	if (!resolve(c, s->crt, &crt) || !resolve(c, s->key, &key))
		goto out;
	struct prc_value *vc = &c->cfg->v[s->crt], *vk = &c->cfg->v[s->key];
	char env_crt[64], env_key[64];
	snprintf(env_crt, sizeof(env_crt), "env:%s", crt.env);
	snprintf(env_key, sizeof(env_key), "env:%s", key.env);
	crt.origin = crt.origin ? crt.origin : env_crt;
	key.origin = key.origin ? key.origin : env_key;

	bool same = false;
	if (done) {
		/* the client defaults are the server's files: prepared and checked once */
		char *pc = prc_setting_path(c->cfg, done->crt),
		     *pk = prc_setting_path(c->cfg, done->key);
		if (!pc || !pk)
			fail(c, PRC_ERR_NOMEM);
		same = pc && pk && !strcmp(pc, crt.path) && !strcmp(pk, key.path);
		free(pc);
		free(pk);
	}
	if (!same) {
		if (!vc->explicit && !vk->explicit && (missing(crt.path) || missing(key.path)))
			generate(c, &crt, &key);
		else
			check_pair(c, &crt, &key);
	}
	if (resolve(c, s->ca, &ca)) {
		char env_ca[64];
		snprintf(env_ca, sizeof(env_ca), "env:%s", ca.env);
		ca.origin = ca.origin ? ca.origin : env_ca;
		check_ca(c, &ca);
	}
out:
	free(crt.path);
	free(key.path);
	free(ca.path);
}

PRC_EXPORT int prc_tls_prepare(struct prc_config *cfg, struct prc_diags *d)
{
	if (!cfg || !cfg->v[PRC_S_MAILNAME].set)
		return PRC_ERR_ARG;
	if (!cfg->v[PRC_S_USE_TLS].b)
		return PRC_OK;
	static const struct tls_side server = {PRC_S_TLS_CRT, PRC_S_TLS_KEY, PRC_S_TLS_CA};
	static const struct tls_side client = {PRC_S_CLIENT_TLS_CRT, PRC_S_CLIENT_TLS_KEY,
	                                       PRC_S_CLIENT_TLS_CA};
	struct tls_ctx c = {cfg, cfg->v[PRC_S_MAILNAME].str, d, PRC_OK};
	prepare_side(&c, &server, NULL);
	if (c.rc != PRC_ERR_NOMEM)
		prepare_side(&c, &client, &server);
	return c.rc;
}

PRC_EXPORT int prc_tls_check_pair(const char *cert_file, const char *key_file, const char *host,
                                  const char *origin, struct prc_diags *d)
{
	if (!cert_file || !key_file)
		return PRC_ERR_ARG;
	struct tls_ctx c = {NULL, host, d, PRC_OK};
	struct tls_file crt = {
	    .env = "", .origin = origin ? origin : "", .path = (char *)cert_file};
	struct tls_file key = {.env = "", .origin = origin ? origin : "", .path = (char *)key_file};
	check_pair(&c, &crt, &key);
	return c.rc;
}
