/* Reading key material: files, PEM certificates and PEM private keys. */
#include "internal.h"
#include "pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PEM_FILE (16 * 1024 * 1024)

int prc_file_read(const char *path, struct prc_file_data *out)
{
	*out = (struct prc_file_data){0};
	return prc_file_load(path, MAX_PEM_FILE, &out->data, &out->len, &out->st);
}

void prc_file_data_free(struct prc_file_data *f)
{
	if (f->data)
		OPENSSL_cleanse(f->data, f->len);
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

static bool is_pem(const struct prc_file_data *f)
{
	return f->data && memmem(f->data, f->len, "-----BEGIN ", 11) != NULL;
}

/* The next PEM block; false at the end.  *damaged is set for broken data. */
static bool next_block(BIO *bio, char **name, char **header, unsigned char **der, long *len,
                       bool *damaged)
{
	*damaged = false;
	if (PEM_read_bio(bio, name, header, der, len) == 1)
		return true;
	unsigned long e = ERR_peek_last_error();
	*damaged = !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
	ERR_clear_error();
	return false;
}

static void free_block(char *name, char *header, unsigned char *der, long len)
{
	OPENSSL_free(name);
	OPENSSL_free(header);
	if (der)
		OPENSSL_cleanse(der, (size_t)len);
	OPENSSL_free(der);
}

const char *prc_pem_certs(const struct prc_file_data *f, STACK_OF(X509) * *out)
{
	if (!is_pem(f))
		return "not a PEM file";
	BIO *bio = BIO_new_mem_buf(f->data, (int)f->len);
	STACK_OF(X509) *certs = sk_X509_new_null();
	const char *why = NULL;
	if (!bio || !certs) {
		why = "out of memory";
		goto out;
	}
	char *name, *header;
	unsigned char *der;
	long len;
	bool damaged;
	while (!why && next_block(bio, &name, &header, &der, &len, &damaged)) {
		bool trusted = !strcmp(name, "TRUSTED CERTIFICATE");
		if (trusted || !strcmp(name, "CERTIFICATE") || !strcmp(name, "X509 CERTIFICATE")) {
			const unsigned char *p = der;
			X509 *x = trusted ? d2i_X509_AUX(NULL, &p, len) : d2i_X509(NULL, &p, len);
			if (!x)
				why = "holds a certificate that cannot be parsed";
			else if (!sk_X509_push(certs, x)) {
				X509_free(x);
				why = "out of memory";
			}
		}
		free_block(name, header, der, len);
	}
	if (!why && damaged)
		why = "holds damaged PEM data";
	if (!why && sk_X509_num(certs) == 0)
		why = "holds no certificate";
out:
	ERR_clear_error();
	BIO_free(bio);
	if (why)
		sk_X509_pop_free(certs, X509_free);
	else
		*out = certs;
	return why;
}

static bool is_key_block(const char *name)
{
	size_t n = strlen(name), k = strlen("PRIVATE KEY");
	return n >= k && !strcmp(name + n - k, "PRIVATE KEY");
}

/* Never prompt for a passphrase: an encrypted key is an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

const char *prc_pem_private_key(const struct prc_file_data *f, EVP_PKEY **out)
{
	if (!is_pem(f))
		return "not a PEM file";
	BIO *bio = BIO_new_mem_buf(f->data, (int)f->len);
	if (!bio)
		return "out of memory";
	const char *why = "holds no private key";
	char *name, *header;
	unsigned char *der;
	long len;
	bool damaged, found = false;
	while (!found && next_block(bio, &name, &header, &der, &len, &damaged)) {
		if (is_key_block(name)) {
			found = true;
			if (!strcmp(name, "ENCRYPTED PRIVATE KEY") ||
			    (header && strstr(header, "ENCRYPTED")))
				why = "holds a private key encrypted with a passphrase (an "
				      "unencrypted "
				      "key is needed)";
			else
				why = NULL;
		}
		free_block(name, header, der, len);
	}
	if (!found && damaged)
		why = "holds damaged PEM data";
	if (!why) {
		/* parse the same (first) key block with OpenSSL's own decoder */
		BIO_free(bio);
		bio = BIO_new_mem_buf(f->data, (int)f->len);
		EVP_PKEY *key =
		    bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
		if (!key)
			why = "holds a private key that cannot be parsed";
		else
			*out = key;
	}
	ERR_clear_error();
	BIO_free(bio);
	return why;
}
