/*
 * The YAML source, keys: every mapping key is a scalar and appears once; an
 * unknown key gets the likeliest meant one (a typo, an env name, a dotted key
 * written flat, the right key at the wrong level).
 */
#include "yaml-node.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void prc_yaml_join(char *buf, const char *a, const char *sep, const char *b)
{
	size_t n = 0;
	for (const char *parts[3] = {a, sep, b}, **p = parts; p < parts + 3; p++)
		for (const char *q = *p; *q && n + 1 < PATH_LEN; q++)
			buf[n++] = *q;
	buf[n] = '\0';
}

/* Close enough to be a typo: a third of the length, at least one edit. */
bool prc_yaml_close(const char *key, const char *cand, size_t len, size_t *dist)
{
	char c[65];
	if (len >= sizeof(c))
		return false;
	memcpy(c, cand, len);
	c[len] = '\0';
	*dist = prc_edit_distance(key, c, 100);
	return *dist <= (len / 3 > 1 ? len / 3 : 1);
}

/* The next key segment of setting @i below @prefix ("" at the top), or NULL. */
static const char *segment(size_t i, const char *prefix, size_t *len)
{
	const char *y = prc_settings[i].yaml;
	size_t plen = strlen(prefix);
	if (strncmp(y, prefix, plen))
		return NULL;
	const char *s = y + plen, *dot = strchr(s, '.');
	*len = dot ? (size_t)(dot - s) : strlen(s);
	return s;
}

bool prc_yaml_is_group(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < PRC_S_COUNT; i++)
		if (!strncmp(prc_settings[i].yaml, path, n) && prc_settings[i].yaml[n] == '.')
			return true;
	return false;
}

void prc_yaml_unknown_key(struct ctx *c, const struct node *k, const char *prefix, const char *path)
{
	const char *key = k->text;
	/* a setting's env name used as a key */
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		if (!strcasecmp(prc_settings[i].env, key)) {
			NERR(c, k, "unknown-key", "",
			     "%s: unknown key (did you mean %s, the YAML key of %s?)", path,
			     prc_settings[i].yaml, prc_settings[i].env);
			return;
		}
	}
	/* a dotted key written flat */
	if (strchr(key, '.') && (prc_setting_by_yaml(path) >= 0 || prc_yaml_is_group(path))) {
		NERR(c, k, "unknown-key", "",
		     "%s: unknown key (dotted keys are nested mappings: write each part on its own "
		     "level)",
		     path);
		return;
	}
	const char *best = NULL;
	size_t best_len = 0, best_dist = 100;
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		size_t len;
		const char *s = segment(i, prefix, &len);
		if (!s)
			continue;
		size_t dist;
		if (prc_yaml_close(key, s, len, &dist) && dist < best_dist) {
			best = s;
			best_len = len;
			best_dist = dist;
		}
	}
	if (best) {
		NERR(c, k, "unknown-key", "", "%s: unknown key (did you mean %s%.*s?)", path,
		     prefix, (int)best_len, best);
		return;
	}
	/* the right key at the wrong level */
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const char *y = prc_settings[i].yaml, *last = strrchr(y, '.');
		if (!strcmp(last ? last + 1 : y, key) && strcmp(y, path)) {
			NERR(c, k, "unknown-key", "", "%s: unknown key (did you mean %s?)", path,
			     y);
			return;
		}
	}
	NERR(c, k, "unknown-key", "", "%s: unknown key", path);
}

struct keyref {
	const struct node *k;
	size_t index;
};

static int cmp_key(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int r = strcmp(x->k->text, y->k->text);
	return r ? r : (x->index > y->index) - (x->index < y->index);
}

static int cmp_index(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

bool *prc_yaml_check_keys(struct ctx *c, const struct node *map, const char *prefix)
{
	size_t n = map->nkids / 2;
	bool *use = calloc(n ? n : 1, sizeof(*use));
	struct keyref *refs = calloc(n ? n : 1, sizeof(*refs));
	if (!use || !refs) {
		free(use);
		free(refs);
		prc_yaml_oom(c);
		return NULL;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct node *k = map->kids[2 * i];
		char where[PATH_LEN];
		prc_yaml_join(where, *prefix ? prefix : "top level", "", "");
		if (*prefix)
			where[strlen(where) - 1] = '\0';
		if (prc_yaml_tagged(c, k, where))
			continue;
		if (k->kind != N_SCALAR || prc_yaml_is_null(k) || strlen(k->text) != k->len) {
			NERR(c, k, "wrong-type", "", "%s: expected a key name, got %s", where,
			     prc_yaml_what(k));
			continue;
		}
		use[i] = true;
		refs[m++] = (struct keyref){k, i};
	}
	qsort(refs, m, sizeof(*refs), cmp_key);
	for (size_t i = 1, first = 0; i < m; i++) {
		if (strcmp(refs[i].k->text, refs[i - 1].k->text)) {
			first = i;
			continue;
		}
		use[refs[i].index] = false;
		refs[i].k = refs[first].k; /* now: the first occurrence */
	}
	/* report in file order */
	qsort(refs, m, sizeof(*refs), cmp_index);
	for (size_t i = 0; i < m; i++) {
		if (use[refs[i].index])
			continue;
		const struct node *k = map->kids[2 * refs[i].index], *f = refs[i].k;
		NERR(c, k, "duplicate-key", "",
		     "%s%s: duplicate key (first at line %zu, column %zu)", prefix, k->text,
		     f->line, f->col);
	}
	free(refs);
	return use;
}
