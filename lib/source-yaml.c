/*
 * The YAML source: one YAML document (read with libyaml) into the model.
 *
 * The text is first checked for UTF-8 and control characters (yaml-read.c),
 * then parsed into a small tree of our own (yaml-tree.c), then walked here
 * along the settings table's dotted YAML keys (keys: yaml-keys.c; scalars:
 * yaml-scalar.c).  Every problem is reported with NAME:LINE:COL (1-based) and
 * the key path; a setting with any problem keeps its previous value.
 */
#include "entry.h"
#include "user-tables.h"
#include "yaml-node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy diagnostics of an env-syntax parser into ours, prefixed with the key path. */
static void relay_diags(struct ctx *c, struct prc_diags *tmp, const char *path)
{
	for (size_t i = 0; i < prc_diags_count(tmp); i++)
		prc_diag(c->d, prc_diags_severity(tmp, i), prc_diags_code(tmp, i),
		         prc_diags_origin(tmp, i), prc_diags_key(tmp, i), "%s: %s", path,
		         prc_diags_message(tmp, i));
}

static const char *expected_for(enum prc_type t)
{
	switch (t) {
	case T_BOOL:
		return "true or false";
	case T_SIZE:
		return "a size (a number of bytes, or 10M)";
	case T_COUNT:
		return "a number";
	case T_TIME:
		return "a time (a number of seconds, or 5s, 1m, 1h)";
	case T_CIDR_LIST:
	case T_HOST_LIST:
	case T_DOMAIN_LIST:
	case T_MATCH_DOMAINS:
	case T_WORD_LIST:
		return "a list";
	case T_CREDENTIALS:
	case T_SENDER_RELAYS:
	case T_USERS:
	case T_DKIM_KEYS:
	case T_TRANSPORTS:
	case T_SENDER_LOGINS:
		return "a list of mappings";
	case T_PARAMS:
		return "a mapping of Postfix parameter names to values";
	case T_TABLES:
		return "a mapping of table names to {type, content | entries | file}";
	case T_MASTER:
		return "a mapping of service/type to master.cf lines";
	default:
		return "a string";
	}
}

/* A scalar setting: the text goes through the env form's parser and checks. */
static bool load_scalar(struct ctx *c, enum prc_setting_id id, const struct node *n,
                        const char *origin, struct prc_value *v)
{
	const struct prc_setting *set = &prc_settings[id];
	enum want w = set->type == T_BOOL ? W_BOOL
	              : set->type == T_COUNT || set->type == T_SIZE || set->type == T_TIME
	                  ? W_NUMBER
	                  : W_STRING;
	const char *t = prc_yaml_scalar_text(c, n, w, set->yaml, set->env, expected_for(set->type));
	if (!t)
		return false;
	struct prc_diags *tmp;
	if (prc_diags_new(&tmp)) {
		prc_yaml_oom(c);
		return false;
	}
	int r = prc_parse_env_value(id, t, origin, v, tmp);
	relay_diags(c, tmp, set->yaml);
	prc_diags_free(tmp);
	if (r == PRC_ERR_NOMEM)
		prc_yaml_oom(c);
	else if (r && !c->rc)
		c->rc = r;
	return r == PRC_OK;
}

/* One word of a plain list, checked and normalized as the env form does. */
static bool load_word(struct ctx *c, enum prc_setting_id id, const struct node *n, const char *path,
                      struct prc_value *v)
{
	const struct prc_setting *set = &prc_settings[id];
	const char *t = prc_yaml_scalar_text(c, n, W_STRING, path, set->env, "a string");
	if (!t)
		return false;
	char *norm = NULL;
	const char *why = prc_entry_word(set->type, t, &norm);
	if (why == prc_why_nomem) {
		prc_yaml_oom(c);
		return false;
	}
	if (why) {
		NERR(c, n, "invalid-value", set->env, "%s: '%s': %s", path, t, why);
		free(norm);
		return false;
	}
	char *origin = prc_yaml_origin(c, n);
	const char *one[1] = {norm};
	if (!origin || prc_value_add_item(v, one, 1, origin))
		prc_yaml_oom(c);
	free(origin);
	free(norm);
	return c->rc != PRC_ERR_NOMEM;
}

/* Field indexes of the structured list items (see prc_type_field_names). */
enum { F_PASSWORD_FILE = PRC_MAX_FIELDS };

/* The field that password_file stands in for, or -1 when the type has none. */
static int password_field(enum prc_type t)
{
	return t == T_CREDENTIALS ? 2 : t == T_USERS ? 1 : -1;
}

/* One item of a structured list: a mapping of the type's field names. */
static bool load_item(struct ctx *c, enum prc_setting_id id, const struct node *n, const char *path,
                      struct prc_value *v)
{
	const struct prc_setting *set = &prc_settings[id];
	const char *const *names = prc_type_field_names(set->type);
	size_t nf = prc_type_fields(set->type);
	int pwf = password_field(set->type);
	char keys[128] = "";
	for (size_t f = 0; f < nf; f++)
		snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s", f ? ", " : "",
		         names[f]);
	if (prc_yaml_tagged(c, n, path))
		return false;
	if (n->kind != N_MAP) {
		NERR(c, n, "wrong-type", set->env, "%s: expected a mapping with keys %s, got %s",
		     path, keys, prc_yaml_what(n));
		return false;
	}
	char prefix[PATH_LEN];
	prc_yaml_join(prefix, path, ".", "");
	bool *use = prc_yaml_check_keys(c, n, prefix);
	if (!use)
		return false;
	const struct node *val[PRC_MAX_FIELDS + 1] = {0};
	char *fields[PRC_MAX_FIELDS] = {0};
	bool ok = true;
	for (size_t i = 0; i < n->nkids / 2; i++) {
		const struct node *k = n->kids[2 * i], *x = n->kids[2 * i + 1];
		if (!use[i]) {
			ok = false;
			continue;
		}
		size_t f = SIZE_MAX;
		for (size_t j = 0; j < nf; j++)
			if (!strcmp(k->text, names[j]))
				f = j;
		if (f == SIZE_MAX && pwf >= 0 && !strcmp(k->text, "password_file"))
			f = F_PASSWORD_FILE;
		if (f == SIZE_MAX) {
			const char *best = NULL;
			size_t dist = 100;
			for (size_t j = 0; j <= nf; j++) {
				const char *cand = j < nf     ? names[j]
				                   : pwf >= 0 ? "password_file"
				                              : NULL;
				size_t dj;
				if (cand && prc_yaml_close(k->text, cand, strlen(cand), &dj) &&
				    dj < dist) {
					best = cand;
					dist = dj;
				}
			}
			if (best)
				NERR(c, k, "unknown-key", set->env,
				     "%s.%s: unknown key (did you mean %s?)", path, k->text, best);
			else
				NERR(c, k, "unknown-key", set->env,
				     "%s.%s: unknown key (expected %s%s)", path, k->text, keys,
				     pwf >= 0 ? " or password_file" : "");
			ok = false;
			continue;
		}
		if (!prc_yaml_is_null(x))
			val[f] = x;
	}
	free(use);
	if (pwf >= 0 && val[pwf] && val[F_PASSWORD_FILE]) {
		NERR(c, val[F_PASSWORD_FILE], "conflict", set->env,
		     "%s: set either password or password_file, not both", path);
		ok = false;
	} else if (pwf >= 0 && val[F_PASSWORD_FILE]) {
		const struct node *x = val[F_PASSWORD_FILE];
		char fpath[PATH_LEN];
		prc_yaml_join(fpath, path, ".", "password_file");
		const char *file =
		    prc_yaml_scalar_text(c, x, W_STRING, fpath, set->env, "a file path");
		const char *why = file ? prc_check_path(file) : NULL;
		if (why) {
			NERR(c, x, "invalid-value", set->env, "%s: '%s': %s", fpath, file, why);
		} else if (file) {
			struct prc_diags *tmp;
			char *origin = prc_yaml_origin(c, x);
			int r = PRC_OK;
			if (!origin || prc_diags_new(&tmp)) {
				free(origin);
				prc_yaml_oom(c);
				return false;
			}
			if (prc_config_add_input(c->cfg, file))
				prc_yaml_oom(c);
			fields[pwf] = prc_read_secret(file, origin, set->env, tmp, &r);
			relay_diags(c, tmp, fpath);
			prc_diags_free(tmp);
			free(origin);
			if (r == PRC_ERR_NOMEM)
				prc_yaml_oom(c);
			else if (r && !c->rc)
				c->rc = r;
			if (fields[pwf] &&
			    (why = prc_entry_field(set->type, (size_t)pwf, fields[pwf]))) {
				NERR(c, x, "invalid-value", set->env, "%s: the file's content %s",
				     fpath, why);
				free(fields[pwf]);
				fields[pwf] = NULL;
			}
		}
		ok = ok && fields[pwf];
	}
	for (size_t f = 0; f < nf; f++) {
		if ((int)f == pwf && (fields[f] || val[F_PASSWORD_FILE]))
			continue;
		if (!val[f]) {
			/* a relay credential without host is RELAYHOST's; a DKIM key
			 * without key is found beside dkim.key or generated (dkim.c) */
			if ((set->type == T_CREDENTIALS && f == 0) ||
			    (set->type == T_DKIM_KEYS && f == 2)) {
				fields[f] = prc_strdup("");
				if (!fields[f])
					prc_yaml_oom(c);
				continue;
			}
			NERR(c, n, "missing-value", set->env, "%s: missing %s%s", path, names[f],
			     (int)f == pwf ? " (or password_file)" : "");
			ok = false;
			continue;
		}
		char fpath[PATH_LEN];
		prc_yaml_join(fpath, path, ".", names[f]);
		const char *t =
		    prc_yaml_scalar_text(c, val[f], W_STRING, fpath, set->env, "a string");
		const char *why = t ? prc_entry_field(set->type, f, t) : NULL;
		if (!t) {
			ok = false;
		} else if (why) {
			if (*t && !prc_entry_field_secret(set->type, f))
				NERR(c, val[f], "invalid-value", set->env, "%s: '%s': %s", fpath, t,
				     why);
			else
				NERR(c, val[f], "invalid-value", set->env, "%s: %s", fpath, why);
			ok = false;
		} else if (!(fields[f] = prc_strdup(t))) {
			prc_yaml_oom(c);
		}
	}
	if (ok && c->rc != PRC_ERR_NOMEM) {
		char *origin = prc_yaml_origin(c, n);
		if (!origin || prc_value_add_item(v, (const char *const *)fields, nf, origin))
			prc_yaml_oom(c);
		free(origin);
	}
	for (size_t f = 0; f < PRC_MAX_FIELDS; f++)
		free(fields[f]);
	return ok && c->rc != PRC_ERR_NOMEM;
}

/* postfix.parameters: a mapping of parameter names to scalar values. */
static bool load_params(struct ctx *c, enum prc_setting_id id, const struct node *n,
                        struct prc_value *v)
{
	const struct prc_setting *set = &prc_settings[id];
	char prefix[PATH_LEN];
	prc_yaml_join(prefix, set->yaml, ".", "");
	bool *use = prc_yaml_check_keys(c, n, prefix);
	if (!use)
		return false;
	bool ok = true;
	for (size_t i = 0; i < n->nkids / 2 && c->rc != PRC_ERR_NOMEM; i++) {
		const struct node *k = n->kids[2 * i], *x = n->kids[2 * i + 1];
		if (!use[i]) {
			ok = false;
			continue;
		}
		char path[PATH_LEN];
		prc_yaml_join(path, prefix, "", k->text);
		/* master.cf keys ("submission/inet") are checked with their line */
		const char *why = set->type == T_PARAMS ? prc_check_param_name(k->text) : NULL;
		if (why) {
			NERR(c, k, "invalid-value", set->env, "%s: '%s' %s", path, k->text, why);
			ok = false;
			continue;
		}
		if (prc_yaml_is_null(x))
			continue; /* Postfix's own default */
		const char *t = prc_yaml_scalar_text(c, x, W_STRING, path, set->env, "a string");
		if (t && (why = prc_check_control(t)))
			NERR(c, x, "invalid-value", set->env, "%s: value %s", path, why);
		if (!t || why) {
			ok = false;
			continue;
		}
		char *origin = prc_yaml_origin(c, k);
		const char *fields[2] = {k->text, t};
		if (!origin || prc_value_add_item(v, fields, 2, origin))
			prc_yaml_oom(c);
		free(origin);
	}
	free(use);
	return ok && c->rc != PRC_ERR_NOMEM;
}

/* The largest table file postfix.tables.NAME.file may name. */
#define TABLE_FILE_MAX ((size_t)256 * 1024 * 1024)

/* The text of a table given as content, entries or file; NULL after reporting. */
static char *table_text(struct ctx *c, const char *key, const struct node *x, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	const char *why = NULL;
	if (!strcmp(key, "content")) {
		const char *t =
		    prc_yaml_scalar_text(c, x, W_STRING, path, path, "the table's lines");
		if (!t)
			return NULL;
		len = strlen(t);
		text = prc_strdup(t);
	} else if (!strcmp(key, "entries")) {
		if (x->kind != N_SEQ) {
			NERR(c, x, "wrong-type", path, "%s: expected a list of table lines, got %s",
			     path, prc_yaml_what(x));
			return NULL;
		}
		struct prc_buf b = {0};
		bool ok = true;
		for (size_t i = 0; i < x->nkids; i++) {
			char ipath[PATH_LEN + 24];
			snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i + 1);
			const char *t = prc_yaml_scalar_text(c, x->kids[i], W_STRING, ipath, path,
			                                     "a table line");
			if (t && strpbrk(t, "\n\r")) {
				NERR(c, x->kids[i], "invalid-value", path,
				     "%s: one entry is one line (use content for continuation "
				     "lines)",
				     ipath);
				t = NULL;
			}
			if (!t) {
				ok = false;
				continue;
			}
			prc_buf_puts(&b, t);
			prc_buf_putc(&b, '\n');
		}
		if (!ok) {
			prc_buf_free(&b);
			return NULL;
		}
		len = b.len;
		text = prc_buf_take(&b);
	} else {
		const char *t = prc_yaml_scalar_text(c, x, W_STRING, path, path, "a file path");
		if (!t)
			return NULL;
		if ((why = prc_check_path(t))) {
			NERR(c, x, "invalid-value", path, "%s: '%s': %s", path, t, why);
			return NULL;
		}
		char *origin = prc_yaml_origin(c, x);
		if (!origin || prc_config_add_input(c->cfg, t)) {
			free(origin);
			prc_yaml_oom(c);
			return NULL;
		}
		struct prc_diags *tmp;
		if (prc_diags_new(&tmp)) {
			free(origin);
			prc_yaml_oom(c);
			return NULL;
		}
		int r = prc_read_file(t, TABLE_FILE_MAX, origin, path, tmp, &text, &len);
		relay_diags(c, tmp, path);
		prc_diags_free(tmp);
		free(origin);
		if (r == PRC_ERR_NOMEM)
			prc_yaml_oom(c);
		else if (r && !c->rc)
			c->rc = PRC_ERR_INVALID;
		if (r)
			return NULL;
	}
	if (!text) {
		prc_yaml_oom(c);
		return NULL;
	}
	if ((why = prc_check_table_text(text, len))) {
		if (why == prc_why_nomem)
			prc_yaml_oom(c);
		else
			NERR(c, x, "invalid-value", path, "%s: the table %s", path, why);
		free(text);
		return NULL;
	}
	return text;
}

/* "NAME:LINE:COL" of the first line of the | block @n: the line after its
 * indicator, at its first non-blank (caller frees; NULL on OOM). */
static char *block_origin(struct ctx *c, const struct node *n)
{
	size_t line = 1, i = 0, col = 1;
	while (i < c->size && line < n->line + 1)
		line += c->data[i++] == '\n';
	while (i < c->size && c->data[i] == ' ')
		i++, col++;
	char *o = prc_asprintf("%s:%zu:%zu", c->name, n->line + 1, col);
	if (!o)
		prc_yaml_oom(c);
	return o;
}

/* postfix.tables: NAME: {type, content | entries | file}. */
static bool load_tables(struct ctx *c, enum prc_setting_id id, const struct node *n,
                        struct prc_value *v)
{
	const struct prc_setting *set = &prc_settings[id];
	static const char *const keys[] = {"type", "content", "entries", "file"};
	char prefix[PATH_LEN];
	prc_yaml_join(prefix, set->yaml, ".", "");
	bool *use = prc_yaml_check_keys(c, n, prefix);
	if (!use)
		return false;
	bool ok = true;
	for (size_t i = 0; i < n->nkids / 2 && c->rc != PRC_ERR_NOMEM; i++) {
		const struct node *k = n->kids[2 * i], *x = n->kids[2 * i + 1];
		if (!use[i]) {
			ok = false;
			continue;
		}
		char path[PATH_LEN], sub[PATH_LEN];
		prc_yaml_join(path, prefix, "", k->text);
		const char *why = prc_check_table_name(k->text);
		if (why) {
			NERR(c, k, "invalid-value", path, "%s: table name '%s' %s", path, k->text,
			     why);
			ok = false;
			continue;
		}
		if (prc_yaml_is_null(x))
			continue;
		if (prc_yaml_tagged(c, x, path) || x->kind != N_MAP) {
			if (x->kind != N_MAP && !x->tag)
				NERR(c, x, "wrong-type", path,
				     "%s: expected a mapping with type and content, entries or "
				     "file, "
				     "got %s",
				     path, prc_yaml_what(x));
			ok = false;
			continue;
		}
		prc_yaml_join(sub, path, ".", "");
		bool *use2 = prc_yaml_check_keys(c, x, sub);
		if (!use2) {
			ok = false;
			continue;
		}
		const struct node *val[4] = {NULL};
		bool tok = true;
		for (size_t j = 0; j < x->nkids / 2; j++) {
			const struct node *kk = x->kids[2 * j];
			size_t f = 0;
			while (use2[j] && f < 4 && strcmp(kk->text, keys[f]))
				f++;
			if (!use2[j]) {
				tok = false;
			} else if (f == 4) {
				NERR(c, kk, "unknown-key", path,
				     "%s.%s: unknown key (expected type, content, entries or file)",
				     path, kk->text);
				tok = false;
			} else if (!prc_yaml_is_null(x->kids[2 * j + 1])) {
				val[f] = x->kids[2 * j + 1];
			}
		}
		free(use2);
		const char *type = NULL;
		if (tok && val[0]) {
			prc_yaml_join(sub, path, ".", "type");
			type = prc_yaml_scalar_text(c, val[0], W_STRING, sub, path, "a table type");
			if (type && prc_check_enum(type, "hash|lmdb|cdb|pcre|regexp")) {
				NERR(c, val[0], "invalid-value", path,
				     "%s: '%s': expected hash, lmdb, cdb, pcre or regexp", sub,
				     type);
				type = NULL;
			}
			tok = type != NULL;
		}
		size_t given = !!val[1] + !!val[2] + !!val[3];
		if (tok && given != 1) {
			NERR(c, x, given ? "conflict" : "missing-value", path,
			     "%s: give one of content, entries or file", path);
			tok = false;
		}
		size_t f = val[1] ? 1 : val[2] ? 2 : 3;
		char *text = NULL;
		if (tok) {
			prc_yaml_join(sub, path, ".", keys[f]);
			text = table_text(c, keys[f], val[f], sub);
			tok = text != NULL;
		}
		/* a | block: errors point at the table's own lines in this file */
		bool block = f == 1 && val[1]->literal;
		char *origin = !tok    ? NULL
		               : block ? block_origin(c, val[1])
		                       : prc_yaml_origin(c, val[f]);
		if (tok && (!origin || prc_utable_put(v, k->text, type, text,
		                                      f == 2  ? "entries"
		                                      : block ? "block"
		                                              : NULL,
		                                      origin)))
			prc_yaml_oom(c);
		free(origin);
		free(text);
		ok = ok && tok;
	}
	free(use);
	return ok && c->rc != PRC_ERR_NOMEM;
}

/* MYNETWORKS as Postfix reads it: a YAML list's entries joined with ", ". */
static bool cidr_list_text(struct ctx *c, struct prc_value *v)
{
	struct prc_buf b = {0};
	for (size_t i = 0; i < v->nitems; i++) {
		if (i)
			prc_buf_puts(&b, ", ");
		prc_buf_puts(&b, v->items[i].f[0]);
	}
	if (!(v->str = prc_buf_take(&b)))
		prc_yaml_oom(c);
	return v->str != NULL;
}

/* Load the value @n of setting @id; on any problem the setting keeps its value. */
static void load_setting(struct ctx *c, enum prc_setting_id id, const struct node *n)
{
	const struct prc_setting *set = &prc_settings[id];
	struct prc_value v = {0};
	bool ok = true;
	if (prc_yaml_tagged(c, n, set->yaml)) {
		c->cfg->v[id].refused = true;
		return;
	}
	if (prc_yaml_is_null(n)) {
		/* null means unset: back to the default */
		if (set->def && prc_parse_env_value(id, set->def, "default", &v, NULL)) {
			prc_yaml_oom(c);
			return;
		}
		prc_value_move(&c->cfg->v[id], &v);
		return;
	}
	char *origin = prc_yaml_origin(c, n);
	if (!origin)
		return;
	if (!prc_type_is_list(set->type)) {
		ok = load_scalar(c, id, n, origin, &v);
	} else if (set->type == T_PARAMS || set->type == T_TABLES || set->type == T_MASTER
	               ? n->kind != N_MAP
	               : n->kind != N_SEQ) {
		NERR(c, n, "wrong-type", set->env, "%s: expected %s, got %s", set->yaml,
		     expected_for(set->type), prc_yaml_what(n));
		ok = false;
	} else if (set->type == T_PARAMS || set->type == T_MASTER) {
		ok = load_params(c, id, n, &v);
	} else if (set->type == T_TABLES) {
		ok = load_tables(c, id, n, &v);
	} else {
		bool words = prc_type_field_names(set->type) == NULL;
		for (size_t i = 0; i < n->nkids && c->rc != PRC_ERR_NOMEM; i++) {
			char path[PATH_LEN];
			snprintf(path, sizeof(path), "%s[%zu]", set->yaml, i + 1);
			bool r = words ? load_word(c, id, n->kids[i], path, &v)
			               : load_item(c, id, n->kids[i], path, &v);
			ok = ok && r;
		}
		if (ok && set->type == T_CIDR_LIST)
			ok = cidr_list_text(c, &v);
	}
	if (ok && c->rc != PRC_ERR_NOMEM) {
		v.set = v.explicit = true;
		free(v.origin);
		v.origin = origin;
		origin = NULL;
		prc_value_move(&c->cfg->v[id], &v);
	} else if (c->rc != PRC_ERR_NOMEM) {
		/* reported: validation must not call the setting missing as well */
		c->cfg->v[id].refused = true;
	}
	prc_value_clear(&v);
	free(origin);
}

/* A mapping of keys below @prefix ("" for the top level, else "tls." ...). */
static void walk(struct ctx *c, const struct node *map, const char *prefix)
{
	bool *use = prc_yaml_check_keys(c, map, prefix);
	if (!use)
		return;
	for (size_t i = 0; i < map->nkids / 2 && c->rc != PRC_ERR_NOMEM; i++) {
		const struct node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
		if (!use[i])
			continue;
		char path[PATH_LEN];
		prc_yaml_join(path, prefix, "", k->text);
		int id = strchr(k->text, '.') ? -1 : prc_setting_by_yaml(path);
		if (id >= 0) {
			load_setting(c, (enum prc_setting_id)id, v);
		} else if (!strchr(k->text, '.') && prc_yaml_is_group(path)) {
			if (prc_yaml_tagged(c, v, path)) {
				continue;
			} else if (v->kind == N_MAP) {
				char sub[PATH_LEN];
				prc_yaml_join(sub, path, ".", "");
				walk(c, v, sub);
			} else if (!prc_yaml_is_null(v)) {
				NERR(c, v, "wrong-type", "", "%s: expected a mapping, got %s", path,
				     prc_yaml_what(v));
			}
		} else {
			prc_yaml_unknown_key(c, k, prefix, path);
		}
	}
	free(use);
}

PRC_EXPORT int prc_config_load_yaml_buffer(struct prc_config *cfg, const char *name,
                                           const char *data, size_t len, struct prc_diags *d)
{
	if (!cfg || !name || (!data && len))
		return PRC_ERR_ARG;
	struct ctx c = {
	    .name = name, .data = (const unsigned char *)data, .size = len, .cfg = cfg, .d = d};
	cfg->validated = false;
	if (len > YAML_MAX_SIZE) {
		prc_yaml_report(&c, "too-large", 0, 0, "",
		                "larger than %zu MiB; this is not a configuration file",
		                YAML_MAX_SIZE / (1024 * 1024));
		return c.rc;
	}
	if (!prc_yaml_check_encoding(&c))
		return c.rc;
	if (prc_yaml_build(&c) && c.root) {
		if (prc_yaml_tagged(&c, c.root, "top level"))
			;
		else if (c.root->kind == N_MAP)
			walk(&c, c.root, "");
		else if (!prc_yaml_is_null(c.root))
			NERR(&c, c.root, "wrong-type", "",
			     "expected a mapping of settings at the top level, got %s",
			     prc_yaml_what(c.root));
	}
	prc_yaml_free_tree(&c);
	return c.rc;
}

PRC_EXPORT int prc_config_load_yaml_file(struct prc_config *cfg, const char *path,
                                         struct prc_diags *d)
{
	if (!cfg || !path)
		return PRC_ERR_ARG;
	char *data;
	size_t len;
	int rc = prc_config_add_input(cfg, path);
	if (!rc)
		rc = prc_read_file(path, YAML_MAX_SIZE, "", "", d, &data, &len);
	if (rc)
		return rc;
	rc = prc_config_load_yaml_buffer(cfg, path, data, len, d);
	free(data);
	return rc;
}
