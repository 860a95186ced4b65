/* Shared pieces of the libFuzzer targets: input to envp, and output invariants. */
#ifndef PRC_FUZZ_COMMON_H
#define PRC_FUZZ_COMMON_H

#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant is a finding: abort so libFuzzer saves the input. */
#define FUZZ_ASSERT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,    \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

/*
 * Split @data at '\n' into a NULL-terminated envp (a NUL byte ends an entry
 * early, as it would in a real environment).  NAME_FILE entries are dropped:
 * a fuzzer must not read arbitrary files of the machine it runs on.
 * Returns the array; *store receives the one block to free after it.
 */
static inline char **fuzz_envp(const uint8_t *data, size_t size, char **store)
{
	size_t n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	char *buf = malloc(size + 1);
	char **envp = calloc(n + 1, sizeof(*envp));
	if (!buf || !envp) {
		free(buf);
		free(envp);
		return NULL;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	size_t k = 0;
	for (char *p = buf, *next; p; p = next) {
		next = memchr(p, '\n', (size_t)(buf + size - p));
		if (next)
			*next++ = '\0';
		const char *eq = strchr(p, '=');
		if (eq && eq - p >= 5 && !memcmp(eq - 5, "_FILE", 5))
			continue;
		envp[k++] = p;
	}
	*store = buf;
	return envp;
}

/* Every diagnostic is one printable line with an origin; errors imply a failing status. */
static inline void fuzz_check_diags(const struct prc_diags *d, int rc)
{
	for (size_t i = 0; i < prc_diags_count(d); i++) {
		const char *parts[] = {prc_diags_message(d, i), prc_diags_origin(d, i),
				       prc_diags_key(d, i)};
		for (size_t k = 0; k < 3; k++)
			for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
				FUZZ_ASSERT(*p >= 0x20 && *p != 0x7f);
		FUZZ_ASSERT(*prc_diags_message(d, i));
		FUZZ_ASSERT(*prc_diags_code(d, i));
	}
	if (rc == PRC_ERR_INVALID)
		FUZZ_ASSERT(prc_diags_error_count(d) > 0);
}

/* No word of a main.cf mynetworks value lets the whole Internet relay. */
static inline void fuzz_check_mynetworks(const char *v)
{
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ", \t{}");
		if (!n) {
			p++;
			continue;
		}
		FUZZ_ASSERT(!(n == 9 && !strncmp(p, "0.0.0.0/0", 9)));
		FUZZ_ASSERT(!(n == 6 && !strncmp(p, "[::]/0", 6)));
		FUZZ_ASSERT(!(n == 4 && !strncmp(p, "::/0", 4)));
		p += n;
	}
}

/*
 * Emit every used file to memory and check what any Postfix reader relies on:
 * one setting per line, no continuation lines, no duplicate parameters,
 * no control bytes, the same bytes twice.
 */
static inline void fuzz_emit_all(const struct prc_config *cfg)
{
	for (int f = 0; f < PRC_FILE_COUNT; f++) {
		if (!prc_file_is_used(cfg, (enum prc_file)f))
			continue;
		char *a = NULL, *b = NULL;
		size_t alen = 0, blen = 0;
		FILE *out = open_memstream(&a, &alen);
		FUZZ_ASSERT(out);
		int rc = prc_emit(cfg, (enum prc_file)f, out);
		fclose(out);
		if (rc == PRC_ERR_ARG && !strncmp(prc_file_path(f), "opendkim/", 9)) {
			free(a); /* the OpenDKIM emitter is still a stub in this tree */
			continue;
		}
		FUZZ_ASSERT(rc == PRC_OK);
		out = open_memstream(&b, &blen);
		FUZZ_ASSERT(out);
		FUZZ_ASSERT(prc_emit(cfg, (enum prc_file)f, out) == PRC_OK);
		fclose(out);
		FUZZ_ASSERT(alen == blen && !memcmp(a, b, alen));
		FUZZ_ASSERT(alen > 0 && a[alen - 1] == '\n');
		for (size_t i = 0; i < alen; i++)
			FUZZ_ASSERT(a[i] == '\n' || ((unsigned char)a[i] >= 0x20 && a[i] != 0x7f));
		bool main_cf = f == PRC_FILE_MAIN_CF;
		bool table = f == PRC_FILE_SASL_PASSWD || f == PRC_FILE_SENDER_RELAY;
		char **names = NULL;
		size_t nnames = 0;
		for (char *line = a, *end; line < a + alen; line = end + 1) {
			end = memchr(line, '\n', (size_t)(a + alen - line));
			*end = '\0';
			if (!*line || *line == '#')
				continue;
			/* a leading blank continues the previous line (master.cf uses that
			 * for "-o" options; anywhere else it would be an injection) */
			if (f != PRC_FILE_MASTER_CF)
				FUZZ_ASSERT(*line != ' ' && *line != '\t');
			if (main_cf) {
				size_t n = strspn(line, "abcdefghijklmnopqrstuvwxyz"
							"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
				FUZZ_ASSERT(n > 0 && !strncmp(line + n, " =", 2));
				FUZZ_ASSERT(line[n + 2] == '\0' || line[n + 2] == ' ');
				for (size_t k = 0; k < nnames; k++)
					FUZZ_ASSERT(strlen(names[k]) != n || strncmp(names[k], line, n));
				names = realloc(names, (nnames + 1) * sizeof(*names));
				FUZZ_ASSERT(names);
				names[nnames++] = line;
				if (n == 10 && !strncmp(line, "mynetworks", 10))
					fuzz_check_mynetworks(line + n + 2);
			} else if (table) {
				/* "key value": a key without blanks, then a value */
				const char *sp = strchr(line, ' ');
				FUZZ_ASSERT(sp && sp > line && sp[1] && sp[1] != ' ');
			}
		}
		free(names);
		free(a);
		free(b);
	}

	/* a writer that fails part way is reported, never a crash */
	static char small[64];
	FILE *tiny = fmemopen(small, sizeof(small), "w");
	FUZZ_ASSERT(tiny);
	setvbuf(tiny, NULL, _IONBF, 0);
	int rc = prc_emit(cfg, PRC_FILE_MAIN_CF, tiny);
	FUZZ_ASSERT(rc == PRC_OK || rc == PRC_ERR_IO);
	fclose(tiny);
}

static inline char *fuzz_print(const struct prc_config *cfg, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);
	FUZZ_ASSERT(out);
	FUZZ_ASSERT(prc_config_print(cfg, out) == PRC_OK);
	fclose(out);
	return text;
}

/*
 * print redacts secrets: its output does not change when every password
 * does.  Passwords are swapped for other strings, then put back.
 */
static inline void fuzz_check_print_redacts(struct prc_config *cfg)
{
	size_t alen, blen;
	char *a = fuzz_print(cfg, &alen);
	for (size_t i = 0; i < alen; i++)
		FUZZ_ASSERT(a[i] == '\n' || (unsigned char)a[i] >= 0x20);
	const enum prc_setting_id ids[2] = {PRC_S_RELAYHOST_PASSWORDMAP, PRC_S_SMTPD_USERS};
	const size_t field[2] = {2, 1};
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0 swaps every password for another string, pass 1 restores it */
		for (size_t k = 0; k < 2; k++) {
			struct prc_value *v = &cfg->v[ids[k]];
			for (size_t i = 0; i < v->nitems; i++) {
				char **pw = &v->items[i].f[field[k]];
				size_t n = strlen(*pw);
				if (pass == 0) {
					char *other = prc_asprintf("%s-changed", *pw);
					FUZZ_ASSERT(other);
					free(*pw);
					*pw = other;
				} else {
					(*pw)[n - 8] = '\0';
				}
			}
		}
		if (pass == 0) {
			char *b = fuzz_print(cfg, &blen);
			FUZZ_ASSERT(alen == blen && !memcmp(a, b, alen));
			free(b);
		}
	}
	free(a);
}

#endif
