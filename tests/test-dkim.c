/*
 * DKIM key material: the signing domains, prc_dkim_check, prc_dkim_keygen
 * and prc_dkim_record.  Keys are generated here.  OpenDKIM refuses keys
 * below a directory others may write to (like /tmp), so the keys live in a
 * directory under /run (or the working directory when /run is not ours).
 */
#include "internal.h"
#include "pem.h"
#include "test-common.h"

#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Each test works in its own DIR below a base directory that an unchecked
 * fixture makes and removes in the parent process, so that a failing test
 * (which ends its forked process) leaves nothing behind.
 */
static char base[2048], dir[4096];

static void make_base(void)
{
	snprintf(base, sizeof(base), "/run/prc-test-dkim-XXXXXX");
	if (!mkdtemp(base)) {
		char cwd[1024];
		if (!getcwd(cwd, sizeof(cwd)))
			abort();
		snprintf(base, sizeof(base), "%s/prc-test-dkim-XXXXXX", cwd);
		if (!mkdtemp(base))
			abort();
	}
	/* searchable by others, so that the directories above it count (as for /etc) */
	if (chmod(base, 0755))
		abort();
}

static void remove_base(void)
{
	char *cmd = prc_asprintf("rm -rf '%s'", base);
	if (!cmd || system(cmd))
		abort();
	free(cmd);
}

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "%s/dir-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
}

static void remove_dir(void)
{
	char *cmd = prc_asprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *at(const char *rel)
{
	return prc_asprintf("%s%s", dir, rel);
}

static void write_pem(const char *path, const char *pem, mode_t mode)
{
	ck_assert_int_eq(prc_write_file_atomic(path, pem, strlen(pem), mode), 0);
}

/* A key made by prc_dkim_keygen, written to DIR/@rel with @mode. */
static char *new_key(const char *rel, enum prc_dkim_key_type type, unsigned bits, mode_t mode)
{
	char *pem = NULL, *path = at(rel);
	ck_assert_int_eq(prc_dkim_keygen(&pem, type, bits, NULL), 0);
	write_pem(path, pem, mode);
	free(pem);
	return path;
}

/* A key made directly with OpenSSL (for types keygen refuses). */
static char *openssl_key(const char *rel, EVP_PKEY *k)
{
	char *path = at(rel);
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	ck_assert(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL));
	long n = BIO_get_mem_data(b, &p);
	char *pem = prc_strndup(p, (size_t)n);
	write_pem(path, pem, 0600);
	free(pem);
	BIO_free(b);
	EVP_PKEY_free(k);
	return path;
}

static EVP_PKEY *parse_pem(const char *pem)
{
	struct prc_file_data f = {.data = (char *)pem, .len = strlen(pem)};
	EVP_PKEY *k = NULL;
	ck_assert_ptr_null(prc_pem_private_key(&f, &k));
	return k;
}

/* Load @envp into a config rooted at DIR, validate; diagnostics of prc_dkim_check. */
static char *check(const char *const *envp, int *rc)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env(cfg, envp, d), 0);
	ck_assert_int_eq(prc_config_set_root(cfg, dir), 0);
	ck_assert_int_eq(prc_config_validate(cfg, d), 0);
	*rc = prc_dkim_check(cfg, d);
	char *text = diags_text(d);
	prc_diags_free(d);
	prc_config_free(cfg);
	return text;
}

/* The record for a key file, or the diagnostics when it fails. */
static char *record(const char *key, const char *domain, const char *selector, int *rc)
{
	struct prc_diags *d;
	char *out = NULL;
	ck_assert_int_eq(prc_diags_new(&d), 0);
	*rc = prc_dkim_record(&out, key, domain, selector, d);
	char *text = diags_text(d);
	prc_diags_free(d);
	if (*rc) {
		ck_assert_ptr_null(out);
		return text;
	}
	free(text);
	return out;
}

/* The p= value OpenSSL derives: base64 of the SPKI (RSA) or of the raw key (Ed25519). */
static char *expected_p(const char *key_path)
{
	struct prc_file_data f;
	ck_assert_int_eq(prc_file_read(key_path, &f), 0);
	EVP_PKEY *k = parse_pem(f.data);
	prc_file_data_free(&f);
	unsigned char der[2048];
	size_t len = sizeof(der);
	if (EVP_PKEY_is_a(k, "ED25519")) {
		ck_assert_int_eq(EVP_PKEY_get_raw_public_key(k, der, &len), 1);
	} else {
		unsigned char *p = der;
		len = (size_t)i2d_PUBKEY(k, &p);
	}
	char *b64 = calloc(1, 4 * len / 3 + 8);
	EVP_EncodeBlock((unsigned char *)b64, der, (int)len);
	EVP_PKEY_free(k);
	return b64;
}

/*
 * Check the record's form and return the concatenation of its strings;
 * every string has at most 255 characters; *nstrings gets their number.
 */
static char *record_text(const char *rec, const char *name, size_t *nstrings)
{
	char *head = prc_asprintf("%s IN TXT (", name);
	ck_assert_msg(!strncmp(rec, head, strlen(head)), "record: %s", rec);
	size_t n = strlen(rec);
	ck_assert_str_eq(rec + n - 3, " )\n");
	struct prc_buf b = {0};
	*nstrings = 0;
	const char *p = rec + strlen(head);
	while (*p == ' ' && p[1] == '"') {
		const char *end = strchr(p + 2, '"');
		ck_assert_ptr_nonnull(end);
		ck_assert_uint_le((size_t)(end - p - 2), 255);
		prc_buf_add(&b, p + 2, (size_t)(end - p - 2));
		(*nstrings)++;
		p = end + 1;
	}
	ck_assert_str_eq(p, " )\n");
	free(head);
	return prc_buf_take(&b);
}

START_TEST(signers_seed_form_defaults_to_mailname)
{
	struct prc_config *cfg;
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes", NULL};
	free(load_env(env, &cfg, NULL));
	struct prc_dkim_signer *s;
	size_t n;
	ck_assert_int_eq(prc_dkim_signers(cfg, &s, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(s[0].domain, "mail.example.com");
	ck_assert_str_eq(s[0].selector, "mail");
	ck_assert_str_eq(s[0].key, "/etc/opendkim/dkim.key");
	ck_assert_str_eq(s[0].origin, "default");
	prc_dkim_signers_free(s, n);
	prc_config_free(cfg);
}
END_TEST

START_TEST(signers_per_domain_keys_replace_mailname)
{
	struct prc_config *cfg;
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes",
	                     "DKIM_KEYS=example.org=s1:/k/org.key, example.net=s2:/k/net.key",
	                     NULL};
	free(load_env(env, &cfg, NULL));
	struct prc_dkim_signer *s;
	size_t n;
	ck_assert_int_eq(prc_dkim_signers(cfg, &s, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(s[0].domain, "example.org");
	ck_assert_str_eq(s[0].selector, "s1");
	ck_assert_str_eq(s[0].key, "/k/org.key");
	ck_assert_str_eq(s[1].domain, "example.net");
	ck_assert_str_eq(s[1].selector, "s2");
	ck_assert_str_eq(s[1].origin, "env:DKIM_KEYS");
	prc_dkim_signers_free(s, n);
	prc_config_free(cfg);
}
END_TEST

START_TEST(signers_shared_domains_then_per_domain_keys)
{
	struct prc_config *cfg;
	const char *env[] = {"MAILNAME=mail.example.com",
	                     "USE_DKIM=yes",
	                     "DKIM_DOMAINS=example.com,example.org",
	                     "DKIM_SELECTOR=s2026",
	                     "DKIM_KEYFILE=/keys/shared.key",
	                     "DKIM_KEYS=example.net=s1:/keys/net.key",
	                     NULL};
	free(load_env(env, &cfg, NULL));
	struct prc_dkim_signer *s;
	size_t n;
	ck_assert_int_eq(prc_dkim_signers(cfg, &s, &n), 0);
	ck_assert_uint_eq(n, 3);
	const char *want[3][3] = {{"example.com", "s2026", "/keys/shared.key"},
	                          {"example.org", "s2026", "/keys/shared.key"},
	                          {"example.net", "s1", "/keys/net.key"}};
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(s[i].domain, want[i][0]);
		ck_assert_str_eq(s[i].selector, want[i][1]);
		ck_assert_str_eq(s[i].key, want[i][2]);
	}
	ck_assert_str_eq(s[0].origin, "env:DKIM_KEYFILE");
	prc_dkim_signers_free(s, n);
	prc_config_free(cfg);
}
END_TEST

START_TEST(keygen_rsa_default_is_2048_bit_pkcs8)
{
	char *pem = NULL;
	ck_assert_int_eq(prc_dkim_keygen(&pem, PRC_DKIM_KEY_RSA, 0, NULL), 0);
	ck_assert_msg(!strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28), "%s", pem);
	EVP_PKEY *k = parse_pem(pem);
	ck_assert(EVP_PKEY_is_a(k, "RSA"));
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 2048);
	EVP_PKEY_free(k);
	free(pem);
}
END_TEST

START_TEST(keygen_rsa_bits)
{
	char *pem = NULL;
	ck_assert_int_eq(prc_dkim_keygen(&pem, PRC_DKIM_KEY_RSA, 1024, NULL), 0);
	EVP_PKEY *k = parse_pem(pem);
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 1024);
	EVP_PKEY_free(k);
	free(pem);
}
END_TEST

START_TEST(keygen_ed25519)
{
	char *pem = NULL;
	ck_assert_int_eq(prc_dkim_keygen(&pem, PRC_DKIM_KEY_ED25519, 0, NULL), 0);
	EVP_PKEY *k = parse_pem(pem);
	ck_assert(EVP_PKEY_is_a(k, "ED25519"));
	EVP_PKEY_free(k);
	free(pem);
}
END_TEST

START_TEST(keygen_rejects_bad_sizes_and_types)
{
	struct prc_diags *d;
	char *pem = NULL;
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_dkim_keygen(&pem, PRC_DKIM_KEY_RSA, 512, d), PRC_ERR_ARG);
	ck_assert_int_eq(prc_dkim_keygen(&pem, PRC_DKIM_KEY_RSA, 8192, d), PRC_ERR_ARG);
	ck_assert_int_eq(prc_dkim_keygen(&pem, PRC_DKIM_KEY_ED25519, 256, d), PRC_ERR_ARG);
	ck_assert_int_eq(prc_dkim_keygen(&pem, (enum prc_dkim_key_type)7, 0, d), PRC_ERR_ARG);
	ck_assert_int_eq(prc_dkim_keygen(NULL, PRC_DKIM_KEY_RSA, 0, d), PRC_ERR_ARG);
	ck_assert_ptr_null(pem);
	char *text = diags_text(d);
	ck_assert_str_eq(text, "error||an RSA key has 1024 to 4096 bits, not 512\n"
	                       "error||an RSA key has 1024 to 4096 bits, not 8192\n"
	                       "error||an Ed25519 key has a fixed size; no bits can be given\n");
	free(text);
	prc_diags_free(d);
}
END_TEST

START_TEST(record_rsa_holds_the_public_key_in_255_character_strings)
{
	make_dir();
	char *key = new_key("/rsa.key", PRC_DKIM_KEY_RSA, 2048, 0600);
	int rc;
	char *rec = record(key, "example.com", "mail", &rc);
	ck_assert_int_eq(rc, 0);
	size_t n;
	char *txt = record_text(rec, "mail._domainkey.example.com", &n);
	char *p = expected_p(key), *want = prc_asprintf("v=DKIM1; k=rsa; p=%s", p);
	ck_assert_str_eq(txt, want);
	ck_assert_uint_eq(n, 2); /* 18 + 392 characters */
	free(p);
	free(want);
	free(txt);
	free(rec);
	free(key);
	remove_dir();
}
END_TEST

START_TEST(record_of_a_3072_bit_key_has_three_strings)
{
	make_dir();
	char *key = openssl_key("/big.key", EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072));
	int rc;
	char *rec = record(key, "example.com", "big", &rc);
	ck_assert_int_eq(rc, 0);
	size_t n;
	char *txt = record_text(rec, "big._domainkey.example.com", &n);
	char *p = expected_p(key), *want = prc_asprintf("v=DKIM1; k=rsa; p=%s", p);
	ck_assert_str_eq(txt, want);
	ck_assert_uint_eq(n, 3);
	free(p);
	free(want);
	free(txt);
	free(rec);
	free(key);
	remove_dir();
}
END_TEST

START_TEST(record_ed25519_holds_the_raw_public_key)
{
	make_dir();
	char *key = new_key("/ed.key", PRC_DKIM_KEY_ED25519, 0, 0600);
	int rc;
	char *rec = record(key, "example.net", "s1", &rc);
	ck_assert_int_eq(rc, 0);
	char *p = expected_p(key);
	ck_assert_uint_eq(strlen(p), 44); /* 32 bytes */
	char *want =
	    prc_asprintf("s1._domainkey.example.net IN TXT ( \"v=DKIM1; k=ed25519; p=%s\" )\n", p);
	ck_assert_str_eq(rec, want);
	free(p);
	free(want);
	free(rec);
	free(key);
	remove_dir();
}
END_TEST

START_TEST(record_rejects_unusable_keys_and_names)
{
	make_dir();
	char *ec = openssl_key("/ec.key", EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	char *small = openssl_key("/small.key", EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512));
	char *text = at("/text.key"), *missing = at("/missing.key");
	write_pem(text, "not a key\n", 0600);
	int rc;
	struct {
		const char *key, *domain, *selector;
		char *want;
	} cases[] = {
	    {missing, "example.com", "mail",
	     prc_asprintf("error|%s|cannot read: No such file or directory\n", missing)},
	    {text, "example.com", "mail", prc_asprintf("error|%s|not a PEM file\n", text)},
	    {ec, "example.com", "mail",
	     prc_asprintf("error|%s|holds a key of a type DKIM cannot use (RSA or Ed25519 "
	                  "needed)\n",
	                  ec)},
	    {small, "example.com", "mail",
	     prc_asprintf("error|%s|holds an RSA key shorter than 1024 bits, which verifiers "
	                  "ignore (make a 2048-bit key)\n",
	                  small)},
	    {small, "bad_domain", "bad selector",
	     prc_asprintf("error||domain 'bad_domain': domain name may not contain '_'\n"
	                  "error||selector 'bad selector': expected a DKIM selector (letters, "
	                  "digits, '-', '.')\n"
	                  "error|%s|holds an RSA key shorter than 1024 bits, which verifiers "
	                  "ignore (make a 2048-bit key)\n",
	                  small)},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = record(cases[i].key, cases[i].domain, cases[i].selector, &rc);
		ck_assert_int_eq(rc, PRC_ERR_INVALID);
		ck_assert_str_eq(got, cases[i].want);
		free(got);
		free(cases[i].want);
	}
	char *out = NULL;
	ck_assert_int_eq(prc_dkim_record(&out, NULL, "a.example", "s", NULL), PRC_ERR_ARG);
	free(ec);
	free(small);
	free(text);
	free(missing);
	remove_dir();
}
END_TEST

/* The PEM reader is the library's one file reader: nothing but a regular file is read,
 * and a FIFO is refused without waiting for a writer (the case's timeout catches a hang). */
START_TEST(record_refuses_a_fifo_a_device_and_a_directory_at_once)
{
	make_dir();
	char *fifo = at("/fifo");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	const char *paths[] = {fifo, "/dev/null", dir};
	for (size_t i = 0; i < 3; i++) {
		int rc;
		char *got = record(paths[i], "example.com", "mail", &rc);
		char *want = prc_asprintf("error|%s|cannot read: not a regular file\n", paths[i]);
		ck_assert_int_eq(rc, PRC_ERR_INVALID);
		ck_assert_str_eq(got, want);
		free(got);
		free(want);
	}
	struct prc_file_data f;
	ck_assert_int_eq(prc_file_read(fifo, &f), PRC_FILE_NOT_REGULAR);
	free(fifo);
	remove_dir();
}
END_TEST

START_TEST(record_warns_about_1024_bit_keys)
{
	make_dir();
	char *key = new_key("/k1024.key", PRC_DKIM_KEY_RSA, 1024, 0600);
	struct prc_diags *d;
	char *out = NULL;
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_dkim_record(&out, key, "example.com", "old", d), 0);
	char *text = diags_text(d),
	     *want = prc_asprintf("warning|%s|a 1024-bit RSA key is weak; 2048 bits are "
	                          "recommended\n",
	                          key);
	ck_assert_str_eq(text, want);
	ck_assert_ptr_nonnull(
	    strstr(out, "old._domainkey.example.com IN TXT ( \"v=DKIM1; k=rsa; p=MIGf"));
	free(want);
	free(text);
	free(out);
	prc_diags_free(d);
	free(key);
	remove_dir();
}
END_TEST

START_TEST(check_off_does_nothing)
{
	make_dir();
	const char *env[] = {"MAILNAME=mail.example.com", NULL};
	int rc;
	char *text = check(env, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	free(text);
	remove_dir();
}
END_TEST

START_TEST(check_missing_shared_key_names_every_domain)
{
	make_dir();
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes",
	                     "DKIM_DOMAINS=example.com,example.org", NULL};
	int rc;
	char *text = check(env, &rc);
	char *want = prc_asprintf(
	    "error|env:DKIM_KEYFILE|DKIM key of example.com, example.org: "
	    "%s/etc/opendkim/dkim.key: cannot read: No such file or directory (make one "
	    "with: postrelaycfg dkim-keygen --domain example.com --selector mail -o "
	    "%s/etc/opendkim/dkim.key)\n",
	    dir, dir);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	remove_dir();
}
END_TEST

START_TEST(check_good_keys_pass)
{
	make_dir();
	char *shared = new_key("/etc/opendkim/dkim.key", PRC_DKIM_KEY_RSA, 2048, 0600);
	char *net = new_key("/keys/net.key", PRC_DKIM_KEY_RSA, 2048, 0400);
	char *keys = prc_asprintf("DKIM_KEYS=example.net=s1:%s", net);
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes",
	                     "DKIM_DOMAINS=example.com", keys, NULL};
	int rc;
	char *text = check(env, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	free(text);
	free(keys);
	free(shared);
	free(net);
	remove_dir();
}
END_TEST

START_TEST(check_errors_name_the_domain_of_each_entry)
{
	make_dir();
	char *good = new_key("/keys/good.key", PRC_DKIM_KEY_RSA, 2048, 0600);
	char *open = new_key("/keys/open.key", PRC_DKIM_KEY_RSA, 2048, 0640);
	char *ec = openssl_key("/keys/ec.key", EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	char *keys = prc_asprintf("DKIM_KEYS=a.example=s:%s,b.example=s:%s,c.example=s:%s,"
	                          "d.example=s:%s/keys/none.key",
	                          good, open, ec, dir);
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes", keys, NULL};
	int rc;
	char *text = check(env, &rc);
	char *want = prc_asprintf(
	    "error|env:DKIM_KEYS|DKIM key of b.example: %s: readable or writable by group or "
	    "others (mode 0640); chmod 600 it\n"
	    "error|env:DKIM_KEYS|DKIM key of c.example: %s: holds a key of a type DKIM cannot "
	    "use (RSA or Ed25519 needed)\n"
	    "error|env:DKIM_KEYS|DKIM key of d.example: %s/keys/none.key: cannot read: No such "
	    "file or directory (make one with: postrelaycfg dkim-keygen --domain d.example "
	    "--selector s -o %s/keys/none.key)\n",
	    open, ec, dir, dir);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(keys);
	free(good);
	free(open);
	free(ec);
	remove_dir();
}
END_TEST

START_TEST(check_key_below_a_world_writable_directory)
{
	make_dir();
	char *sub = at("/shared");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(chmod(sub, 01777), 0);
	char *key = new_key("/shared/k.key", PRC_DKIM_KEY_RSA, 2048, 0600);
	char *kf = prc_asprintf("DKIM_KEYFILE=%s", key);
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes", kf, NULL};
	int rc;
	char *text = check(env, &rc);
	char *want = prc_asprintf("error|env:DKIM_KEYFILE|DKIM key of mail.example.com: %s: "
	                          "directory %s can be written by other users (mode 1777), so "
	                          "OpenDKIM refuses the key; keep keys where only root can write\n",
	                          key, sub);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(kf);
	free(key);
	free(sub);
	remove_dir();
}
END_TEST

START_TEST(check_rsa_sizes)
{
	make_dir();
	char *weak = new_key("/keys/weak.key", PRC_DKIM_KEY_RSA, 1024, 0600);
	char *small =
	    openssl_key("/keys/small.key", EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)512));
	char *keys = prc_asprintf("DKIM_KEYS=a.example=s:%s,b.example=s:%s", weak, small);
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes", keys, NULL};
	int rc;
	char *text = check(env, &rc);
	char *want = prc_asprintf(
	    "warning|env:DKIM_KEYS|DKIM key of a.example: %s: a 1024-bit RSA key is weak; 2048 "
	    "bits are recommended\n"
	    "error|env:DKIM_KEYS|DKIM key of b.example: %s: holds an RSA key shorter than 1024 "
	    "bits, which verifiers ignore (make a 2048-bit key)\n",
	    weak, small);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(keys);
	free(weak);
	free(small);
	remove_dir();
}
END_TEST

START_TEST(check_key_type_must_match_the_signature_algorithm)
{
	make_dir();
	char *ed = new_key("/keys/ed.key", PRC_DKIM_KEY_ED25519, 0, 0600);
	char *rsa = new_key("/keys/rsa.key", PRC_DKIM_KEY_RSA, 2048, 0600);
	char *keys = prc_asprintf("DKIM_KEYS=a.example=s:%s,b.example=s:%s", ed, rsa);
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes", keys, NULL, NULL};
	int rc;
	char *text = check(env, &rc);
	char *want = prc_asprintf("error|env:DKIM_KEYS|DKIM key of a.example: %s: an Ed25519 key, "
	                          "but DKIM_SIGNATURE_ALGORITHM is rsa-sha256 (one algorithm for "
	                          "all keys)\n",
	                          ed);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);

	env[3] = "DKIM_SIGNATURE_ALGORITHM=ed25519-sha256";
	text = check(env, &rc);
	want = prc_asprintf("error|env:DKIM_KEYS|DKIM key of b.example: %s: an RSA key, but "
	                    "DKIM_SIGNATURE_ALGORITHM is ed25519-sha256 (one algorithm for all "
	                    "keys)\n",
	                    rsa);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);
	free(keys);
	free(ed);
	free(rsa);
	remove_dir();
}
END_TEST

START_TEST(check_ed25519_keys_with_their_algorithm_pass)
{
	make_dir();
	char *ed = new_key("/etc/opendkim/dkim.key", PRC_DKIM_KEY_ED25519, 0, 0600);
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes",
	                     "DKIM_SIGNATURE_ALGORITHM=ed25519-sha256", NULL};
	int rc;
	char *text = check(env, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	free(text);
	free(ed);
	remove_dir();
}
END_TEST

START_TEST(check_null_config)
{
	ck_assert_int_eq(prc_dkim_check(NULL, NULL), PRC_ERR_ARG);
}
END_TEST

START_TEST(key_paths_with_colon_or_hash_are_invalid)
{
	int rc;
	const char *env[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes",
	                     "DKIM_KEYFILE=/keys/a#b.key", "DKIM_KEYS=example.net=s1:/k:x/net.key",
	                     NULL};
	char *text = load_env(env, NULL, &rc);
	ck_assert_str_eq(text, "error|env:DKIM_KEYFILE|key path '/keys/a#b.key' may not contain "
	                       "':' or '#' (OpenDKIM's KeyTable)\n"
	                       "error|env:DKIM_KEYS|entry 1: key path '/k:x/net.key' may not "
	                       "contain ':' or '#' (OpenDKIM's KeyTable)\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}
END_TEST

SUITE_BEGIN(dkim_signers)
ADD(signers_seed_form_defaults_to_mailname)
ADD(signers_per_domain_keys_replace_mailname)
ADD(signers_shared_domains_then_per_domain_keys)
ADD(key_paths_with_colon_or_hash_are_invalid)
SUITE_END

SUITE_BEGIN(dkim_keygen)
tcase_set_timeout(tc, 60); /* RSA key generation time varies a lot */
ADD(keygen_rsa_default_is_2048_bit_pkcs8)
ADD(keygen_rsa_bits)
ADD(keygen_ed25519)
ADD(keygen_rejects_bad_sizes_and_types)
SUITE_END

SUITE_BEGIN(dkim_record)
tcase_add_unchecked_fixture(tc, make_base, remove_base);
tcase_set_timeout(tc, 60); /* RSA key generation time varies a lot */
ADD(record_rsa_holds_the_public_key_in_255_character_strings)
ADD(record_of_a_3072_bit_key_has_three_strings)
ADD(record_ed25519_holds_the_raw_public_key)
ADD(record_rejects_unusable_keys_and_names)
ADD(record_warns_about_1024_bit_keys)
ADD(record_refuses_a_fifo_a_device_and_a_directory_at_once)
SUITE_END

SUITE_BEGIN(dkim_check)
tcase_add_unchecked_fixture(tc, make_base, remove_base);
tcase_set_timeout(tc, 60); /* RSA key generation time varies a lot */
ADD(check_off_does_nothing)
ADD(check_missing_shared_key_names_every_domain)
ADD(check_good_keys_pass)
ADD(check_errors_name_the_domain_of_each_entry)
ADD(check_key_below_a_world_writable_directory)
ADD(check_rsa_sizes)
ADD(check_key_type_must_match_the_signature_algorithm)
ADD(check_ed25519_keys_with_their_algorithm_pass)
ADD(check_null_config)
SUITE_END

TEST_MAIN(dkim_signers_suite, dkim_keygen_suite, dkim_record_suite, dkim_check_suite)
