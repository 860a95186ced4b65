/* The diagnostics list: every problem found, with its origin. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct diag {
	enum prc_severity sev;
	const char *code; /* static */
	char *origin;
	char *key;
	char *message;
};

struct prc_diags {
	struct diag *v;
	size_t n, cap;
	bool oom;
};

PRC_EXPORT int prc_diags_new(struct prc_diags **out)
{
	if (!out)
		return PRC_ERR_ARG;
	*out = calloc(1, sizeof(**out));
	return *out ? PRC_OK : PRC_ERR_NOMEM;
}

PRC_EXPORT void prc_diags_free(struct prc_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].origin);
		free(d->v[i].key);
		free(d->v[i].message);
	}
	free(d->v);
	free(d);
}

/* Replace control bytes of @s (owned) by "\xNN"; returns the new string or NULL. */
static char *escape_controls(char *s)
{
	size_t n = 0;
	for (const char *p = s; p && *p; p++)
		n += (unsigned char)*p < 0x20 || *p == 0x7f;
	if (!s || !n)
		return s;
	struct prc_buf b = {0};
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			prc_buf_printf(&b, "\\x%02x", (unsigned)(unsigned char)*p);
		else
			prc_buf_putc(&b, *p);
	}
	free(s);
	return prc_buf_take(&b);
}

void prc_vdiag(struct prc_diags *d, enum prc_severity sev, const char *code, const char *origin,
               const char *key, const char *fmt, va_list ap)
{
	if (!d || d->oom)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		struct diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->oom = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (msg)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	/* one line each, whatever the input held: control bytes are shown as \xNN */
	if (msg && !(msg = escape_controls(msg))) {
		d->oom = true;
		return;
	}
	struct diag *g = &d->v[d->n];
	g->sev = sev;
	g->code = code;
	g->origin = escape_controls(prc_strdup(origin ? origin : ""));
	g->key = escape_controls(prc_strdup(key ? key : ""));
	g->message = msg;
	if (!g->origin || !g->key || !g->message) {
		free(g->origin);
		free(g->key);
		free(g->message);
		d->oom = true;
		return;
	}
	d->n++;
}

void prc_diag(struct prc_diags *d, enum prc_severity sev, const char *code, const char *origin,
              const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prc_vdiag(d, sev, code, origin, key, fmt, ap);
	va_end(ap);
}

PRC_EXPORT size_t prc_diags_count(const struct prc_diags *d)
{
	return d ? d->n : 0;
}

PRC_EXPORT size_t prc_diags_error_count(const struct prc_diags *d)
{
	size_t n = 0;
	for (size_t i = 0; d && i < d->n; i++)
		n += d->v[i].sev == PRC_SEV_ERROR;
	return n;
}

static const struct diag *get(const struct prc_diags *d, size_t i)
{
	return d && i < d->n ? &d->v[i] : NULL;
}

PRC_EXPORT enum prc_severity prc_diags_severity(const struct prc_diags *d, size_t i)
{
	const struct diag *g = get(d, i);
	return g ? g->sev : PRC_SEV_ERROR;
}

PRC_EXPORT const char *prc_diags_origin(const struct prc_diags *d, size_t i)
{
	const struct diag *g = get(d, i);
	return g ? g->origin : "";
}

PRC_EXPORT const char *prc_diags_key(const struct prc_diags *d, size_t i)
{
	const struct diag *g = get(d, i);
	return g ? g->key : "";
}

PRC_EXPORT const char *prc_diags_code(const struct prc_diags *d, size_t i)
{
	const struct diag *g = get(d, i);
	return g ? g->code : "";
}

PRC_EXPORT const char *prc_diags_message(const struct prc_diags *d, size_t i)
{
	const struct diag *g = get(d, i);
	return g ? g->message : "";
}

PRC_EXPORT void prc_diags_print(const struct prc_diags *d, const char *prog, FILE *out)
{
	for (size_t i = 0; d && i < d->n; i++) {
		const struct diag *g = &d->v[i];
		fprintf(out, "%s: %s: ", prog, g->sev == PRC_SEV_ERROR ? "error" : "warning");
		if (*g->origin)
			fprintf(out, "%s: ", g->origin);
		fprintf(out, "%s\n", g->message);
	}
	if (d && d->oom)
		fprintf(out, "%s: error: out of memory while collecting diagnostics\n", prog);
}
