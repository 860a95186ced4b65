/*
 * The environment source: NAME=value pairs (the seed image's variables, the
 * NAME_FILE secret forms and POSTFIX_<parameter> passthrough) into the model.
 * Each value is parsed by parse-value.c.
 */
#include "entry.h"
#include "user-tables.h"

#include <stdlib.h>
#include <string.h>

/* Lines of a secret file become entries: "\r\n" and "\n" act like ",". */
static void lines_to_entries(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '\r' && p[1] == '\n')
			*p = ' ';
		else if (*p == '\n')
			*p = ',';
	}
}

static const char *env_lookup(const char *const *envp, const char *name, size_t *count)
{
	const char *found = NULL;
	size_t n = strlen(name);
	*count = 0;
	for (const char *const *e = envp; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=') {
			found = *e + n + 1;
			(*count)++;
		}
	return found;
}

/* Replace or append the parameter @name in a T_PARAMS value. */
static int params_put(struct prc_value *v, const struct prc_item *it)
{
	for (size_t i = 0; i < v->nitems; i++) {
		if (strcmp(v->items[i].f[0], it->f[0]))
			continue;
		char *val = prc_strdup(it->f[1]), *org = prc_strdup(it->origin);
		if (!val || !org) {
			free(val);
			free(org);
			return PRC_ERR_NOMEM;
		}
		free(v->items[i].f[1]);
		free(v->items[i].origin);
		v->items[i].f[1] = val;
		v->items[i].origin = org;
		return PRC_OK;
	}
	return prc_value_add_item(v, (const char *const *)it->f, 2, it->origin);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* POSTCONF first, then POSTFIX_<name> (more specific) over it; merged into @cfg. */
static int load_params(struct prc_config *cfg, const char *const *envp, struct prc_diags *d)
{
	struct prc_value env = {0};
	int rc = PRC_OK, r;
	size_t count;
	const char *pc = env_lookup(envp, "POSTCONF", &count);
	if (pc && *pc) {
		r = prc_parse_env_value(PRC_S_POSTCONF, pc, "env:POSTCONF", &env, d);
		if (r == PRC_ERR_NOMEM)
			return r;
		rc = r;
	}
	size_t n = 0;
	for (const char *const *e = envp; *e; e++)
		n++;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		prc_value_clear(&env);
		return PRC_ERR_NOMEM;
	}
	size_t k = 0;
	for (const char *const *e = envp; *e; e++)
		if (!strncmp(*e, "POSTFIX_", 8) && strchr(*e, '='))
			names[k++] = *e;
	qsort(names, k, sizeof(*names), cmp_str);
	for (size_t i = 0; i < k && rc != PRC_ERR_NOMEM; i++) {
		const char *eq = strchr(names[i], '=');
		if (prc_setting_by_env(names[i], (size_t)(eq - names[i])) >= 0)
			continue; /* POSTFIX_EXPORTER_ENABLED, POSTFIX_ADD_MISSING_HEADERS */
		if (!strncmp(names[i], "POSTFIX_myhostname=", 19))
			continue; /* MAILNAME (source-peers.c) */
		char *name = prc_strndup(names[i] + 8, (size_t)(eq - names[i] - 8));
		char *origin = prc_asprintf("env:%.*s", (int)(eq - names[i]), names[i]);
		if (!name || !origin) {
			rc = PRC_ERR_NOMEM;
		} else {
			bool lower = false;
			char clip[PRC_CLIP_MAX + 4];
			for (const char *p = name; *p; p++)
				lower |= *p >= 'a' && *p <= 'z';
			const char *why;
			if (!lower) {
				prc_diag(d, PRC_SEV_WARNING, "unknown-variable", origin, origin + 4,
				         "not a postrelay setting; POSTFIX_<parameter> passthrough "
				         "takes a lower-case Postfix parameter name");
			} else if ((why = prc_check_control(eq + 1))) {
				prc_diag(d, PRC_SEV_ERROR, "invalid-value", origin, origin + 4,
				         "value %s", why);
				rc = PRC_ERR_INVALID;
			} else if ((why = prc_check_param_name(name))) {
				prc_diag(d, PRC_SEV_ERROR, "invalid-value", origin, origin + 4,
				         "'%s' %s", prc_clip(clip, name), why);
				rc = PRC_ERR_INVALID;
			} else {
				const char *t = eq + 1 + strspn(eq + 1, " \t");
				size_t tn = strlen(t);
				while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
					tn--;
				char *val = prc_strndup(t, tn);
				struct prc_item it = {{name, val, NULL}, origin};
				if (!val || params_put(&env, &it))
					rc = PRC_ERR_NOMEM;
				else
					env.set = true;
				free(val);
			}
		}
		free(name);
		free(origin);
	}
	free(names);
	struct prc_value *v = &cfg->v[PRC_S_POSTCONF];
	for (size_t i = 0; i < env.nitems && rc != PRC_ERR_NOMEM; i++) {
		if (params_put(v, &env.items[i]))
			rc = PRC_ERR_NOMEM;
	}
	if (env.nitems && rc != PRC_ERR_NOMEM) {
		char *org = prc_strdup(env.items[0].origin);
		if (!org)
			rc = PRC_ERR_NOMEM;
		else {
			free(v->origin);
			v->origin = org;
			v->set = v->explicit = true;
		}
	}
	prc_value_clear(&env);
	return rc;
}

/* The largest table text a POSTMAP_<name>_FILE may hold. */
#define TABLE_FILE_MAX ((size_t)256 * 1024 * 1024)

/* Whether table @name already came from the environment (POSTMAP_<name> and _FILE). */
static bool given_here(const struct prc_value *v, const char *name)
{
	for (size_t i = 0; i < v->nitems; i++)
		if (!strcmp(v->items[i].f[0], name) && !strncmp(v->items[i].origin, "env:", 4))
			return true;
	return false;
}

/*
 * POSTMAP_<name>=<lines> (mwader/postfix-relay's form) and
 * POSTMAP_<name>_FILE=<path>: the user's own tables, merged into @cfg by name.
 */
static int load_tables(struct prc_config *cfg, const char *const *envp, struct prc_diags *d)
{
	int rc = PRC_OK;
	size_t n = 0;
	for (const char *const *e = envp; *e; e++)
		n++;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	if (!names)
		return PRC_ERR_NOMEM;
	size_t k = 0;
	for (const char *const *e = envp; *e; e++)
		if (!strncmp(*e, "POSTMAP_", 8) && strchr(*e, '='))
			names[k++] = *e;
	qsort(names, k, sizeof(*names), cmp_str);
	struct prc_value *v = &cfg->v[PRC_S_POSTMAP];
	for (size_t i = 0; i < k && rc != PRC_ERR_NOMEM; i++) {
		const char *eq = strchr(names[i], '=');
		size_t vlen = (size_t)(eq - names[i]);
		bool file = vlen > 13 && !strncmp(eq - 5, "_FILE", 5);
		char *var = prc_strndup(names[i], vlen);
		char *name = prc_strndup(names[i] + 8, vlen - 8 - (file ? 5 : 0));
		char *origin = prc_asprintf("env:%s", var ? var : "");
		char *text = NULL;
		size_t len = 0;
		const char *why;
		char clip[PRC_CLIP_MAX + 4];
		if (!var || !name || !origin) {
			rc = PRC_ERR_NOMEM;
		} else if (!eq[1]) {
			/* empty: unset, as for every variable */
		} else if ((why = prc_check_table_name(name))) {
			prc_diag(d, PRC_SEV_ERROR, "invalid-value", origin, var,
			         "table name '%s' %s", prc_clip(clip, name), why);
			rc = PRC_ERR_INVALID;
		} else if (given_here(v, name)) {
			prc_diag(d, PRC_SEV_ERROR, "conflict", origin, var,
			         "set either POSTMAP_%s or POSTMAP_%s_FILE, not both", name, name);
			rc = PRC_ERR_INVALID;
		} else if (file) {
			int r = prc_config_add_input(cfg, eq + 1);
			if (!r)
				r = prc_check_path(eq + 1)
				        ? PRC_ERR_INVALID
				        : prc_read_file(eq + 1, TABLE_FILE_MAX, origin, var, d,
				                        &text, &len);
			if (r == PRC_ERR_INVALID && prc_check_path(eq + 1))
				prc_diag(d, PRC_SEV_ERROR, "invalid-value", origin, var, "'%s' %s",
				         prc_clip(clip, eq + 1), prc_check_path(eq + 1));
			if (r)
				rc = r == PRC_ERR_NOMEM ? r : PRC_ERR_INVALID;
		} else {
			len = strlen(eq + 1);
			if (!(text = prc_strdup(eq + 1)))
				rc = PRC_ERR_NOMEM;
		}
		if (text && (why = prc_check_table_text(text, len))) {
			if (why == prc_why_nomem) {
				rc = PRC_ERR_NOMEM;
			} else {
				prc_diag(d, PRC_SEV_ERROR, "invalid-value", origin, var, "table %s",
				         why);
				rc = PRC_ERR_INVALID;
			}
		} else if (text) {
			char *o = prc_strdup(origin);
			if (!o || prc_utable_put(v, name, NULL, text, NULL, origin)) {
				free(o);
				rc = PRC_ERR_NOMEM;
			} else {
				free(v->origin);
				v->origin = o;
				v->set = v->explicit = true;
			}
		}
		free(text);
		free(var);
		free(name);
		free(origin);
	}
	free(names);
	return rc;
}

/* Families of our variables: an unknown name in one of them is likely a typo. */
static const char *const families[] = {"RELAYHOST",
                                       "SENDER_DEPENDENT",
                                       "SMTPD_",
                                       "SMTP_",
                                       "TLS_",
                                       "CLIENT_TLS",
                                       "USE_",
                                       "DKIM_",
                                       "MAILNAME",
                                       "MYNETWORK",
                                       "SIZELIMIT",
                                       "HEADER_CHECK",
                                       "BOUNCE_",
                                       "DISABLE_VRFY",
                                       "INET_PROTO",
                                       "LOGOUTPUT",
                                       "CONFIG_RELOADER",
                                       "TABLE_TYPE",
                                       NULL};

/* Warn about variables that look like ours but are not (typos, wrong _FILE). */
static void warn_unknown(const char *const *envp, struct prc_diags *d)
{
	for (const char *const *e = envp; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t n = eq ? (size_t)(eq - *e) : strlen(*e);
		char name[128];
		if (n >= sizeof(name) || prc_setting_by_env(*e, n) >= 0 ||
		    !strncmp(*e, "POSTFIX_", 8) || !strncmp(*e, "POSTMAP_", 8) ||
		    !strncmp(*e, "OPENDKIM_", 9) || prc_peer_handles(*e, n))
			continue;
		memcpy(name, *e, n);
		name[n] = '\0';
		if (n > 5 && !strcmp(name + n - 5, "_FILE")) {
			int id = prc_setting_by_env(name, n - 5);
			if (id >= 0 && (prc_settings[id].flags & F_SECRET))
				continue;
			if (id >= 0) {
				char origin[160];
				snprintf(origin, sizeof(origin), "env:%s", name);
				prc_diag(d, PRC_SEV_WARNING, "unknown-variable", origin, name,
				         "ignored: only secret settings (RELAYHOST_PASSWORDMAP, "
				         "SMTPD_USERS) have a _FILE form");
				continue;
			}
		}
		bool family = false;
		for (size_t i = 0; families[i] && !family; i++)
			family = !strncmp(name, families[i], strlen(families[i]));
		size_t best = 3;
		const char *guess = NULL;
		for (size_t i = 0; i < PRC_S_COUNT; i++) {
			size_t dist = prc_edit_distance(name, prc_settings[i].env, best);
			/* a guess must be close relative to the name: "_" is not a typo of "TZ" */
			if (dist < best && dist * 4 <= n) {
				best = dist;
				guess = prc_settings[i].env;
			}
		}
		if (!family && !guess)
			continue;
		char origin[160];
		snprintf(origin, sizeof(origin), "env:%s", name);
		if (guess)
			prc_diag(d, PRC_SEV_WARNING, "unknown-variable", origin, name,
			         "ignored: not a postrelay setting; did you mean %s?", guess);
		else
			prc_diag(d, PRC_SEV_WARNING, "unknown-variable", origin, name,
			         "ignored: not a postrelay setting (see 'postrelaycfg settings')");
	}
}

PRC_EXPORT int prc_config_load_env(struct prc_config *cfg, const char *const *envp,
                                   struct prc_diags *d)
{
	if (!cfg || !envp)
		return PRC_ERR_ARG;
	int rc = PRC_OK;
	cfg->validated = false;
	for (size_t i = 0; i < PRC_S_COUNT && rc != PRC_ERR_NOMEM; i++) {
		const struct prc_setting *set = &prc_settings[i];
		if (i == PRC_S_POSTCONF || i == PRC_S_POSTMAP)
			continue;
		char file_name[128], origin[160];
		size_t count, fcount = 0;
		const char *text = env_lookup(envp, set->env, &count);
		const char *path = NULL;
		char *owned = NULL;
		snprintf(origin, sizeof(origin), "env:%s", set->env);
		if (set->flags & F_SECRET) {
			snprintf(file_name, sizeof(file_name), "%s_FILE", set->env);
			path = env_lookup(envp, file_name, &fcount);
			if (path && !*path)
				path = NULL;
		}
		if (path && text && *text) {
			prc_diag(d, PRC_SEV_ERROR, "conflict", origin, set->env,
			         "set either %s or %s, not both", set->env, file_name);
			rc = PRC_ERR_INVALID;
			cfg->v[i].refused = true;
			continue;
		}
		if (path) {
			snprintf(origin, sizeof(origin), "env:%s", file_name);
			int r = prc_config_add_input(cfg, path);
			if (r) {
				rc = r;
				continue;
			}
			owned = prc_read_secret(path, origin, set->env, d, &r);
			if (!owned) {
				/* a NAME_FILE that cannot be read is a bad setting, not an
				 * I/O failure of ours */
				if (r == PRC_ERR_NOMEM)
					rc = r;
				else if (!rc)
					rc = PRC_ERR_INVALID;
				cfg->v[i].refused = true;
				continue;
			}
			lines_to_entries(owned);
			text = owned;
		}
		if (!text)
			continue;
		if (i == PRC_S_DKIM_SELECTOR && prc_peer_dkim_selector_form(text))
			continue; /* boky/postfix's form: peer-dkim.c */
		struct prc_value v = {0};
		int r;
		if (!*text) {
			/* an empty variable means "the default", as in the seed's shell */
			r = set->def ? prc_parse_env_value(i, set->def, "default", &v, NULL) : 0;
		} else {
			r = prc_parse_env_value(i, text, origin, &v, d);
			v.explicit = r == PRC_OK;
		}
		free(owned);
		if (r) {
			rc = rc == PRC_ERR_NOMEM ? rc : r;
			cfg->v[i].refused = true;
			continue;
		}
		prc_value_move(&cfg->v[i], &v);
	}
	warn_unknown(envp, d);
	if (rc != PRC_ERR_NOMEM) {
		int r = prc_peers_load_env(cfg, envp, d);
		if (r && rc != PRC_ERR_NOMEM)
			rc = r;
	}
	if (rc != PRC_ERR_NOMEM) {
		int r = prc_peer_dkim_load(cfg, envp, d);
		if (r && rc != PRC_ERR_NOMEM)
			rc = r;
	}
	if (rc != PRC_ERR_NOMEM) {
		int r = load_params(cfg, envp, d);
		if (r && rc != PRC_ERR_NOMEM)
			rc = r;
	}
	if (rc != PRC_ERR_NOMEM) {
		int r = load_tables(cfg, envp, d);
		if (r && rc != PRC_ERR_NOMEM)
			rc = r;
	}
	return rc;
}

PRC_EXPORT int prc_config_load_env_file(struct prc_config *cfg, const char *path,
                                        struct prc_diags *d)
{
	if (!cfg || !path)
		return PRC_ERR_ARG;
	int rc = prc_config_add_input(cfg, path);
	if (rc)
		return rc;
	/* the file itself is named in the message, as for a YAML file */
	char *text = prc_read_secret(path, "", "", d, &rc);
	if (!text) /* nothing was loaded: an I/O problem, not a bad setting */
		return rc == PRC_ERR_NOMEM ? rc : PRC_ERR_IO;
	size_t n = 1;
	for (char *p = text; *p; p++)
		n += *p == '\n';
	char **envp = calloc(n + 1, sizeof(*envp));
	if (!envp) {
		free(text);
		return PRC_ERR_NOMEM;
	}
	size_t k = 0, line = 0;
	for (char *p = text, *next; p; p = next) {
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		line++;
		size_t len = strlen(p);
		if (len && p[len - 1] == '\r')
			p[--len] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		char *eq = strchr(p, '=');
		size_t blank = eq ? strcspn(p, " \t") : 0;
		if (!eq || blank < (size_t)(eq - p)) {
			/* as docker run --env-file, which refuses a name with blanks */
			char *origin = prc_asprintf("%s:%zu", path, line);
			if (!origin) {
				rc = PRC_ERR_NOMEM;
				break;
			}
			if (eq)
				prc_diag(d, PRC_SEV_ERROR, "syntax", origin, "",
				         "variable name '%.*s' contains a blank", (int)(eq - p), p);
			else
				prc_diag(d, PRC_SEV_ERROR, "syntax", origin, "",
				         "expected NAME=value");
			free(origin);
			rc = PRC_ERR_INVALID;
			continue;
		}
		envp[k++] = p;
	}
	int r = prc_config_load_env(cfg, (const char *const *)envp, d);
	free(envp);
	free(text);
	return rc ? rc : r;
}
