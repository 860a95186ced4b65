/*
 * How long the in-process self-signed certificate takes with each key type
 * (prc_tls_selfsigned: key generation, certificate, signature, PEM), and
 * DKIM key generation.  Usage: bench-tls-keygen [RUNS]
 * Prints min / median / mean / max in milliseconds per variant.
 */
#include "internal.h"
#include "pem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, double *t, int n)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%-34s runs %3d  min %8.2f  median %8.2f  mean %8.2f  max %8.2f ms\n", name, n, t[0],
	       t[n / 2], sum / n, t[n - 1]);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 30;
	if (runs < 1)
		runs = 30;
	double *t = calloc((size_t)runs, sizeof(*t));
	if (!t)
		return 1;
	static const struct {
		const char *name;
		enum prc_tls_key_type type;
	} tls[] = {
	    {"self-signed cert, EC P-256", PRC_TLS_KEY_EC_P256},
	    {"self-signed cert, RSA-2048", PRC_TLS_KEY_RSA_2048},
	};
	for (size_t k = 0; k < 2; k++) {
		for (int i = 0; i < runs; i++) {
			char *key = NULL, *cert = NULL;
			double t0 = now_ms();
			if (prc_tls_selfsigned("mail.example.com", tls[k].type, &key, &cert))
				return 1;
			t[i] = now_ms() - t0;
			free(key);
			free(cert);
		}
		report(tls[k].name, t, runs);
	}
	static const struct {
		const char *name;
		enum prc_dkim_key_type type;
	} dkim[] = {
	    {"DKIM key, RSA-2048", PRC_DKIM_KEY_RSA},
	    {"DKIM key, Ed25519", PRC_DKIM_KEY_ED25519},
	};
	for (size_t k = 0; k < 2; k++) {
		for (int i = 0; i < runs; i++) {
			char *pem = NULL;
			double t0 = now_ms();
			if (prc_dkim_keygen(&pem, dkim[k].type, 0, NULL))
				return 1;
			t[i] = now_ms() - t0;
			free(pem);
		}
		report(dkim[k].name, t, runs);
	}
	free(t);
	return 0;
}
