/*
 * Reading key material: whole files, PEM certificates and private keys, each
 * failure given as a short static reason for a one-line diagnostic.  Shared
 * by tls.c and dkim.c; the only library files that see OpenSSL types.
 */
#ifndef PRC_PEM_H
#define PRC_PEM_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <sys/stat.h>

/* A file read into memory (NUL-terminated) with its status. */
struct prc_file_data {
	char *data;
	size_t len;
	struct stat st;
};

/*
 * Read @path whole (regular files up to 16 MiB) with prc_file_load().
 * Returns 0, or an error for prc_file_strerror(): an errno value (ENOMEM
 * too), PRC_FILE_NOT_REGULAR (a directory, FIFO or device: refused without
 * waiting), PRC_FILE_TOO_LARGE.
 */
int prc_file_read(const char *path, struct prc_file_data *out);
void prc_file_data_free(struct prc_file_data *f);

/*
 * The certificates of PEM text, in file order (leaf first).  Returns NULL
 * and sets *out (caller frees with sk_X509_pop_free(..., X509_free)), or a
 * static reason: not PEM, damaged, holds no certificate.
 */
const char *prc_pem_certs(const struct prc_file_data *f, STACK_OF(X509) * *out);

/*
 * The first private key of PEM text.  Returns NULL and sets *out (caller
 * frees with EVP_PKEY_free), or a static reason: not PEM, encrypted, holds
 * no private key, damaged.
 */
const char *prc_pem_private_key(const struct prc_file_data *f, EVP_PKEY **out);

/* Key types of the self-signed certificate (tls.c). */
enum prc_tls_key_type {
	PRC_TLS_KEY_EC_P256,
	PRC_TLS_KEY_RSA_2048,
};

/*
 * A new key and a self-signed certificate naming @host (CN and
 * subjectAltName), both as PEM text (caller frees; the key is secret).
 * Used by prc_tls_prepare() and by bench/.  Returns 0, PRC_ERR_NOMEM or
 * PRC_ERR_INVALID (OpenSSL failed).
 */
int prc_tls_selfsigned(const char *host, enum prc_tls_key_type type, char **key_pem,
                       char **cert_pem);

#endif
