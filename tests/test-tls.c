/*
 * prc_tls_prepare(): generation of the default self-signed certificate and
 * every check of user-supplied certificates, keys and CA files.  Keys and
 * certificates are made here with OpenSSL (no binary fixtures).
 */
#include "internal.h"
#include "pem.h"
#include "test-common.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Each test works in its own ROOT below a base directory that an unchecked
 * fixture makes and removes in the parent process, so that a failing test
 * (which ends its forked process) leaves nothing behind.
 */
static char base[64], root[128];

static void make_base(void)
{
	snprintf(base, sizeof(base), "/tmp/prc-test-tls-XXXXXX");
	if (!mkdtemp(base))
		abort();
}

static void remove_base(void)
{
	char *cmd = prc_asprintf("rm -rf '%s'", base);
	if (!cmd || system(cmd))
		abort();
	free(cmd);
}

static void make_root(void)
{
	snprintf(root, sizeof(root), "%s/root-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void remove_root(void)
{
	char *cmd = prc_asprintf("rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* ROOT + @rel (caller frees). */
static char *at(const char *rel)
{
	return prc_asprintf("%s%s", root, rel);
}

static EVP_PKEY *ec_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert_ptr_nonnull(k);
	return k;
}

/*
 * A certificate for @key, self-signed, with subject CN @cn, a DNS SAN @san
 * (NULL for none), valid from @from to @until ("YYYYMMDDHHMMSSZ", or NULL
 * for now - 1 day / now + 1 year).
 */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *san, const char *from,
                       const char *until)
{
	X509 *x = X509_new();
	ck_assert_ptr_nonnull(x);
	ck_assert(X509_set_version(x, X509_VERSION_3));
	ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
	if (from)
		ck_assert(ASN1_TIME_set_string_X509(X509_getm_notBefore(x), from));
	else
		X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	if (until)
		ck_assert(ASN1_TIME_set_string_X509(X509_getm_notAfter(x), until));
	else
		X509_gmtime_adj(X509_getm_notAfter(x), 365 * 86400L);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	if (san) {
		char *v = prc_asprintf("DNS:%s", san);
		X509V3_CTX ctx;
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, NID_subject_alt_name, v);
		ck_assert_ptr_nonnull(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
		free(v);
	}
	ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void write_cert(const char *path, X509 *x, bool append)
{
	FILE *f = fopen(path, append ? "a" : "w");
	ck_assert_ptr_nonnull(f);
	ck_assert(PEM_write_X509(f, x));
	fclose(f);
}

static void write_key(const char *path, EVP_PKEY *k, mode_t mode)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	chmod(path, mode);
}

/* Load @envp (NULL-terminated), use ROOT, validate, prepare; diagnostics as text. */
static char *prepare(const char *const *envp, int *rc)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env(cfg, envp, d), 0);
	ck_assert_int_eq(prc_config_set_root(cfg, root), 0);
	ck_assert_int_eq(prc_config_validate(cfg, d), 0);
	*rc = prc_tls_prepare(cfg, d);
	char *text = diags_text(d);
	prc_diags_free(d);
	prc_config_free(cfg);
	return text;
}

/* A user pair (cert for @cn, its key) at ROOT/crt.pem and ROOT/key.pem. */
static void user_pair(const char *cn, EVP_PKEY **key_out)
{
	EVP_PKEY *k = ec_key();
	X509 *x = make_cert(k, cn, cn, NULL, NULL);
	char *c = at("/crt.pem"), *kp = at("/key.pem");
	write_cert(c, x, false);
	write_key(kp, k, 0600);
	X509_free(x);
	free(c);
	free(kp);
	if (key_out)
		*key_out = k;
	else
		EVP_PKEY_free(k);
}

/* Env with TLS_CRT=ROOT/crt.pem and TLS_KEY=ROOT/key.pem (strings freed by free_env). */
struct env {
	char *v[8];
	size_t n;
};

static void env_add(struct env *e, char *s)
{
	ck_assert_uint_lt(e->n, 7);
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

static void env_user(struct env *e)
{
	env_add(e, prc_strdup("MAILNAME=mail.example.com"));
	env_add(e, prc_asprintf("TLS_CRT=%s/crt.pem", root));
	env_add(e, prc_asprintf("TLS_KEY=%s/key.pem", root));
}

static void free_env(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	return x;
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(k);
	return k;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

#define DEF_CRT "/etc/ssl/certs/ssl-cert-snakeoil.pem"
#define DEF_KEY "/etc/ssl/private/ssl-cert-snakeoil.key"

START_TEST(generates_selfsigned_for_mailname_when_defaults_missing)
{
	make_root();
	const char *env[] = {"MAILNAME=mail.example.com", NULL};
	int rc;
	char *text = prepare(env, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	char *c = at(DEF_CRT), *k = at(DEF_KEY);
	ck_assert_uint_eq(mode_of(k), 0600);
	ck_assert_uint_eq(mode_of(c), 0644);
	X509 *x = read_cert(c);
	EVP_PKEY *key = read_key(k);
	ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
	ck_assert(EVP_PKEY_is_a(key, "EC"));
	ck_assert_int_eq(EVP_PKEY_get_bits(key), 256);
	/* CN and subjectAltName both name MAILNAME */
	char cn[256];
	ck_assert_int_gt(
	    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, "mail.example.com");
	GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	ck_assert_ptr_nonnull(san);
	ck_assert_int_eq(sk_GENERAL_NAME_num(san), 1);
	GENERAL_NAME *g = sk_GENERAL_NAME_value(san, 0);
	ck_assert_int_eq(g->type, GEN_DNS);
	ck_assert_str_eq((const char *)ASN1_STRING_get0_data(g->d.dNSName), "mail.example.com");
	GENERAL_NAMES_free(san);
	/* self-signed, valid now and for about ten years */
	ck_assert_int_eq(X509_verify(x, key), 1);
	ck_assert_int_lt(X509_cmp_current_time(X509_get0_notBefore(x)), 0);
	time_t nine_years = time(NULL) + 9 * 366 * 86400L;
	ck_assert_int_gt(X509_cmp_time(X509_get0_notAfter(x), &nine_years), 0);
	X509_free(x);
	EVP_PKEY_free(key);
	free(c);
	free(k);
	free(text);
	remove_root();
}
END_TEST

START_TEST(generated_pair_passes_the_checks_and_is_kept)
{
	make_root();
	const char *env[] = {"MAILNAME=mail.example.com", NULL};
	int rc;
	free(prepare(env, &rc));
	ck_assert_int_eq(rc, 0);
	char *c = at(DEF_CRT);
	struct prc_file_data before, after;
	ck_assert_int_eq(prc_file_read(c, &before), 0);
	char *text = prepare(env, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(prc_file_read(c, &after), 0);
	ck_assert_str_eq(before.data, after.data);
	prc_file_data_free(&before);
	prc_file_data_free(&after);
	free(text);
	free(c);
	remove_root();
}
END_TEST

START_TEST(regenerates_both_when_default_key_missing)
{
	make_root();
	const char *env[] = {"MAILNAME=mail.example.com", NULL};
	int rc;
	free(prepare(env, &rc));
	char *c = at(DEF_CRT), *k = at(DEF_KEY);
	X509 *old = read_cert(c);
	ck_assert_int_eq(unlink(k), 0);
	char *text = prepare(env, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	X509 *x = read_cert(c);
	EVP_PKEY *key = read_key(k);
	ck_assert_int_ne(X509_cmp(old, x), 0);
	ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
	X509_free(old);
	X509_free(x);
	EVP_PKEY_free(key);
	free(c);
	free(k);
	free(text);
	remove_root();
}
END_TEST

START_TEST(tls_off_touches_nothing)
{
	make_root();
	const char *env[] = {"MAILNAME=mail.example.com", "USE_TLS=no", NULL};
	int rc;
	char *text = prepare(env, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	char *c = at("/etc");
	ck_assert_int_ne(access(c, F_OK), 0);
	free(c);
	free(text);
	remove_root();
}
END_TEST

START_TEST(missing_user_files_are_errors)
{
	make_root();
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want =
	    prc_asprintf("error|env:TLS_CRT|%s/crt.pem: cannot read: No such file or directory\n"
	                 "error|env:TLS_KEY|%s/key.pem: cannot read: No such file or directory\n",
	                 root, root);
	/* the client pair stays at the defaults: generated there, not here */
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(unreadable_cert_names_the_setting)
{
	make_root();
	user_pair("mail.example.com", NULL);
	char *dir = at("/dir.pem");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	struct env e = {0};
	env_add(&e, prc_strdup("MAILNAME=mail.example.com"));
	env_add(&e, prc_asprintf("TLS_CRT=%s", dir));
	env_add(&e, prc_asprintf("TLS_KEY=%s/key.pem", root));
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:TLS_CRT|%s: cannot read: not a regular file\n", dir);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(dir);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(cert_not_pem)
{
	make_root();
	user_pair("mail.example.com", NULL);
	char *c = at("/crt.pem");
	write_text(c, "just text\n", 0644);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:TLS_CRT|%s: not a PEM file\n", c);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(c);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(cert_file_holding_only_a_key)
{
	make_root();
	EVP_PKEY *k;
	user_pair("mail.example.com", &k);
	char *c = at("/crt.pem");
	write_key(c, k, 0600);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:TLS_CRT|%s: holds no certificate\n", c);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	EVP_PKEY_free(k);
	free(want);
	free(text);
	free(c);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(key_file_holding_only_a_cert)
{
	make_root();
	user_pair("mail.example.com", NULL);
	char *c = at("/crt.pem"), *k = at("/key.pem");
	struct prc_file_data f;
	ck_assert_int_eq(prc_file_read(c, &f), 0);
	write_text(k, f.data, 0600);
	prc_file_data_free(&f);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:TLS_KEY|%s: holds no private key\n", k);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(c);
	free(k);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(key_and_cert_mismatch)
{
	make_root();
	user_pair("mail.example.com", NULL);
	EVP_PKEY *other = ec_key();
	char *c = at("/crt.pem"), *k = at("/key.pem");
	write_key(k, other, 0600);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:TLS_KEY|%s: the key does not match the certificate "
	                          "in %s (TLS_CRT)\n",
	                          k, c);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	EVP_PKEY_free(other);
	free(want);
	free(text);
	free(c);
	free(k);
	free_env(&e);
	remove_root();
}
END_TEST

/* prc_tls_check_pair: the reloader's check of a replaced pair, without a configuration. */
START_TEST(check_pair_alone)
{
	make_root();
	user_pair("mail.example.com", NULL);
	char *c = at("/crt.pem"), *k = at("/key.pem"), *missing = at("/none.pem");
	struct prc_diags *d;

	/* a matching pair naming the host: nothing to say */
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_tls_check_pair(c, k, "mail.example.com", "main.cf", d), PRC_OK);
	ck_assert_int_eq(prc_diags_count(d), 0);
	prc_diags_free(d);

	/* another host name: a warning; no host: no name check */
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_tls_check_pair(c, k, "relay.example.org", "main.cf", d), PRC_OK);
	char *text = diags_text(d),
	     *want = prc_asprintf(
	         "warning|main.cf|%s: the certificate does not name MAILNAME (relay.example.org); "
	         "clients that check names will refuse it\n",
	         c);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	prc_diags_free(d);
	ck_assert_int_eq(prc_tls_check_pair(c, k, NULL, NULL, NULL), PRC_OK);

	/* another key: an error naming both files */
	EVP_PKEY *other = ec_key();
	write_key(k, other, 0600);
	EVP_PKEY_free(other);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_tls_check_pair(c, k, NULL, "main.cf", d), PRC_ERR_INVALID);
	text = diags_text(d);
	want =
	    prc_asprintf("error|main.cf|%s: the key does not match the certificate in %s\n", k, c);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	prc_diags_free(d);

	/* a missing file, and NULL paths */
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_tls_check_pair(missing, k, NULL, "main.cf", d), PRC_ERR_INVALID);
	text = diags_text(d);
	want = prc_asprintf("error|main.cf|%s: cannot read: No such file or directory\n", missing);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	prc_diags_free(d);
	ck_assert_int_eq(prc_tls_check_pair(NULL, k, NULL, NULL, NULL), PRC_ERR_ARG);
	ck_assert_int_eq(prc_tls_check_pair(c, NULL, NULL, NULL, NULL), PRC_ERR_ARG);
	free(c);
	free(k);
	free(missing);
	remove_root();
}
END_TEST

START_TEST(combined_file_with_chain_and_key)
{
	/* one file: leaf, an unrelated CA certificate, the key (Postfix accepts that) */
	make_root();
	EVP_PKEY *k = ec_key(), *ca = ec_key();
	X509 *leaf = make_cert(k, "mail.example.com", "mail.example.com", NULL, NULL);
	X509 *cax = make_cert(ca, "Example CA", NULL, NULL, NULL);
	char *c = at("/all.pem");
	write_cert(c, leaf, false);
	write_cert(c, cax, true);
	FILE *f = fopen(c, "a");
	ck_assert(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	chmod(c, 0600);
	struct env e = {0};
	env_add(&e, prc_strdup("MAILNAME=mail.example.com"));
	env_add(&e, prc_asprintf("TLS_CRT=%s", c));
	env_add(&e, prc_asprintf("TLS_KEY=%s", c));
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	X509_free(leaf);
	X509_free(cax);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ca);
	free(text);
	free(c);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(expired_cert_warns)
{
	make_root();
	EVP_PKEY *k;
	user_pair("mail.example.com", &k);
	X509 *x = make_cert(k, "mail.example.com", "mail.example.com", "20200101000000Z",
	                    "20210101000000Z");
	char *c = at("/crt.pem");
	write_cert(c, x, false);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf(
	    "warning|env:TLS_CRT|%s: the certificate expired on 2021-01-01 00:00:00 UTC\n", c);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, 0);
	X509_free(x);
	EVP_PKEY_free(k);
	free(want);
	free(text);
	free(c);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(not_yet_valid_cert_warns)
{
	make_root();
	EVP_PKEY *k;
	user_pair("mail.example.com", &k);
	X509 *x = make_cert(k, "mail.example.com", "mail.example.com", "20900101000000Z",
	                    "20910101000000Z");
	char *c = at("/crt.pem");
	write_cert(c, x, false);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("warning|env:TLS_CRT|%s: the certificate is not valid before "
	                          "2090-01-01 00:00:00 UTC\n",
	                          c);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, 0);
	X509_free(x);
	EVP_PKEY_free(k);
	free(want);
	free(text);
	free(c);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(cert_not_naming_mailname_warns)
{
	make_root();
	user_pair("other.example.net", NULL);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("warning|env:TLS_CRT|%s/crt.pem: the certificate does not name "
	                          "MAILNAME (mail.example.com); clients that check names will "
	                          "refuse it\n",
	                          root);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, 0);
	free(want);
	free(text);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(mailname_in_subject_alt_name_only_is_enough)
{
	make_root();
	EVP_PKEY *k;
	user_pair("mail.example.com", &k);
	X509 *x = make_cert(k, "Some Name", "mail.example.com", NULL, NULL);
	char *c = at("/crt.pem");
	write_cert(c, x, false);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	X509_free(x);
	EVP_PKEY_free(k);
	free(text);
	free(c);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(key_readable_by_all_warns)
{
	make_root();
	user_pair("mail.example.com", NULL);
	char *k = at("/key.pem");
	chmod(k, 0644);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("warning|env:TLS_KEY|%s: the private key is readable by all "
	                          "users (mode 0644); chmod 600 it\n",
	                          k);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, 0);
	free(want);
	free(text);
	free(k);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(encrypted_key_is_an_error)
{
	make_root();
	EVP_PKEY *k;
	user_pair("mail.example.com", &k);
	char *kp = at("/key.pem");
	FILE *f = fopen(kp, "w");
	ck_assert(PEM_write_PrivateKey(f, k, EVP_aes_256_cbc(), (const unsigned char *)"pw", 2,
	                               NULL, NULL));
	fclose(f);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:TLS_KEY|%s: holds a private key encrypted with a "
	                          "passphrase (an unencrypted key is needed)\n",
	                          kp);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	EVP_PKEY_free(k);
	free(want);
	free(text);
	free(kp);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(damaged_pem_is_an_error)
{
	make_root();
	user_pair("mail.example.com", NULL);
	char *c = at("/crt.pem");
	write_text(c, "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n", 0644);
	struct env e = {0};
	env_user(&e);
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:TLS_CRT|%s: holds damaged PEM data\n", c);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(c);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(ca_file_without_certificate)
{
	make_root();
	EVP_PKEY *k;
	user_pair("mail.example.com", &k);
	char *ca = at("/ca.pem");
	write_key(ca, k, 0600);
	struct env e = {0};
	env_user(&e);
	env_add(&e, prc_asprintf("TLS_CA=%s", ca));
	env_add(&e, prc_asprintf("CLIENT_TLS_CA=%s/missing-ca.pem", root));
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want =
	    prc_asprintf("error|env:TLS_CA|%s: holds no certificate\n"
	                 "error|env:CLIENT_TLS_CA|%s/missing-ca.pem: cannot read: No such file or "
	                 "directory\n",
	                 ca, root);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	EVP_PKEY_free(k);
	free(want);
	free(text);
	free(ca);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(ca_file_with_certificates_is_fine)
{
	make_root();
	user_pair("mail.example.com", NULL);
	char *ca = at("/crt.pem");
	struct env e = {0};
	env_user(&e);
	env_add(&e, prc_asprintf("TLS_CA=%s", ca));
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	free(text);
	free(ca);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(client_files_are_checked_under_their_own_names)
{
	make_root();
	user_pair("mail.example.com", NULL);
	EVP_PKEY *other = ec_key();
	char *ok = at("/other.key");
	write_key(ok, other, 0600);
	struct env e = {0};
	env_add(&e, prc_strdup("MAILNAME=mail.example.com"));
	env_add(&e, prc_asprintf("CLIENT_TLS_CRT=%s/crt.pem", root));
	env_add(&e, prc_asprintf("CLIENT_TLS_KEY=%s", ok));
	int rc;
	char *text = prepare((const char *const *)e.v, &rc);
	char *want = prc_asprintf("error|env:CLIENT_TLS_KEY|%s: the key does not match the "
	                          "certificate in %s/crt.pem (CLIENT_TLS_CRT)\n",
	                          ok, root);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	/* the server pair at the defaults was generated meanwhile */
	char *c = at(DEF_CRT);
	ck_assert_int_eq(access(c, R_OK), 0);
	EVP_PKEY_free(other);
	free(c);
	free(want);
	free(text);
	free(ok);
	free_env(&e);
	remove_root();
}
END_TEST

START_TEST(shared_default_files_are_reported_once)
{
	/* existing default files (e.g. a distribution's snake-oil): checked, once */
	make_root();
	EVP_PKEY *k = ec_key();
	X509 *x = make_cert(k, "build-host", "build-host", NULL, NULL);
	char *c = at(DEF_CRT), *kp = at(DEF_KEY);
	ck_assert_int_eq(prc_write_file_atomic(kp, "", 0, 0600), 0);
	ck_assert_int_eq(prc_write_file_atomic(c, "", 0, 0644), 0);
	write_cert(c, x, false);
	write_key(kp, k, 0600);
	const char *env[] = {"MAILNAME=mail.example.com", NULL};
	int rc;
	char *text = prepare(env, &rc);
	char *want = prc_asprintf("warning|env:TLS_CRT|%s: the certificate does not name MAILNAME "
	                          "(mail.example.com); clients that check names will refuse it\n",
	                          c);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, 0);
	X509_free(x);
	EVP_PKEY_free(k);
	free(want);
	free(text);
	free(c);
	free(kp);
	remove_root();
}
END_TEST

START_TEST(unwritable_default_location_is_an_io_error)
{
	/* the key's directory is a dangling symbolic link: the write fails */
	make_root();
	char *ssl = at("/etc/ssl"), *priv = at("/etc/ssl/private"), *nowhere = at("/nowhere");
	char *etc = at("/etc");
	ck_assert_int_eq(mkdir(etc, 0755), 0);
	ck_assert_int_eq(mkdir(ssl, 0755), 0);
	ck_assert_int_eq(symlink(nowhere, priv), 0);
	const char *env[] = {"MAILNAME=mail.example.com", NULL};
	int rc;
	char *text = prepare(env, &rc);
	char *want = prc_asprintf("error|env:TLS_KEY|%s" DEF_KEY ": cannot write the generated "
	                          "key: No such file or directory\n",
	                          root);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_IO);
	free(want);
	free(text);
	free(etc);
	free(ssl);
	free(priv);
	free(nowhere);
	remove_root();
}
END_TEST

START_TEST(prepare_needs_a_config_with_mailname)
{
	struct prc_config *cfg;
	ck_assert_int_eq(prc_tls_prepare(NULL, NULL), PRC_ERR_ARG);
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_tls_prepare(cfg, NULL), PRC_ERR_ARG);
	prc_config_free(cfg);
}
END_TEST

START_TEST(selfsigned_rsa_variant_for_bench)
{
	char *key = NULL, *cert = NULL;
	ck_assert_int_eq(prc_tls_selfsigned("mail.example.com", PRC_TLS_KEY_RSA_2048, &key, &cert),
	                 0);
	struct prc_file_data kf = {.data = key, .len = strlen(key)};
	struct prc_file_data cf = {.data = cert, .len = strlen(cert)};
	EVP_PKEY *k = NULL;
	STACK_OF(X509) *certs = NULL;
	ck_assert_ptr_null(prc_pem_private_key(&kf, &k));
	ck_assert_ptr_null(prc_pem_certs(&cf, &certs));
	ck_assert(EVP_PKEY_is_a(k, "RSA"));
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 2048);
	ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(certs, 0)), k), 1);
	sk_X509_pop_free(certs, X509_free);
	EVP_PKEY_free(k);
	free(key);
	free(cert);
}
END_TEST

START_TEST(long_mailname_goes_in_subject_alt_name_only)
{
	/* CN holds at most 64 characters; a longer host name is named by the SAN alone */
	const char *host = "a-rather-long-host-name-for-a-relay.mail.subdomain.example.com.example";
	char *key = NULL, *cert = NULL;
	ck_assert_uint_gt(strlen(host), 64);
	ck_assert_int_eq(prc_tls_selfsigned(host, PRC_TLS_KEY_EC_P256, &key, &cert), 0);
	struct prc_file_data cf = {.data = cert, .len = strlen(cert)};
	STACK_OF(X509) *certs = NULL;
	ck_assert_ptr_null(prc_pem_certs(&cf, &certs));
	X509 *x = sk_X509_value(certs, 0);
	ck_assert_int_eq(X509_check_host(x, host, strlen(host), 0, NULL), 1);
	ck_assert_int_eq(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
	sk_X509_pop_free(certs, X509_free);
	free(key);
	free(cert);
}
END_TEST

SUITE_BEGIN(tls_generate)
tcase_add_unchecked_fixture(tc, make_base, remove_base);
tcase_set_timeout(tc, 60); /* RSA key generation time varies a lot */
ADD(generates_selfsigned_for_mailname_when_defaults_missing)
ADD(generated_pair_passes_the_checks_and_is_kept)
ADD(regenerates_both_when_default_key_missing)
ADD(tls_off_touches_nothing)
ADD(unwritable_default_location_is_an_io_error)
ADD(prepare_needs_a_config_with_mailname)
ADD(selfsigned_rsa_variant_for_bench)
ADD(long_mailname_goes_in_subject_alt_name_only)
SUITE_END

SUITE_BEGIN(tls_check)
tcase_add_unchecked_fixture(tc, make_base, remove_base);
ADD(missing_user_files_are_errors)
ADD(unreadable_cert_names_the_setting)
ADD(cert_not_pem)
ADD(cert_file_holding_only_a_key)
ADD(key_file_holding_only_a_cert)
ADD(key_and_cert_mismatch)
ADD(check_pair_alone)
ADD(combined_file_with_chain_and_key)
ADD(expired_cert_warns)
ADD(not_yet_valid_cert_warns)
ADD(cert_not_naming_mailname_warns)
ADD(mailname_in_subject_alt_name_only_is_enough)
ADD(key_readable_by_all_warns)
ADD(encrypted_key_is_an_error)
ADD(damaged_pem_is_an_error)
ADD(ca_file_without_certificate)
ADD(ca_file_with_certificates_is_fine)
ADD(client_files_are_checked_under_their_own_names)
ADD(shared_default_files_are_reported_once)
SUITE_END

TEST_MAIN(tls_generate_suite, tls_check_suite)
