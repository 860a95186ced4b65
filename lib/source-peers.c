/*
 * The variables of the other relay images (boky/postfix, mwader/postfix-relay)
 * in the environment: those postrelay understands are mapped onto its
 * settings, keeping the peer variable as the origin; every other one is
 * refused by name (peers.def), with a warning or, where running without it
 * would weaken what the user asked for, an error.
 */
#include "internal.h"

#include "entry.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define V(id) (&cfg->v[PRC_S_##id])

enum { WARN, ERR };

static const struct peer_var {
	const char *name;
	bool prefix;
	const char *value;
	const char *peer;
	int sev;
	const char *advice;
} refused[] = {
#define P(name, prefix, value, peer, sev, advice) {name, prefix, value, peer, sev, advice},
#include "peers.def"
#undef P
};

/* The peers' variables postrelay maps onto its settings (besides POSTFIX_*). */
static const char *const understood[] = {"RELAYHOST_PASSWORD",
                                         "RELAYHOST_PASSWORD_FILE",
                                         "SASL_RELAYHOST",
                                         "SMTPD_SASL_USERS",
                                         "SMTPD_SASL_USERS_FILE",
                                         "SMTP_HEADER_CHECKS",
                                         NULL};

/* The peers' variables that hold secrets; each has a NAME_FILE form. */
static const char *const secrets[] = {"RELAYHOST_PASSWORD", "SMTPD_SASL_USERS"};

PRC_EXPORT const char *prc_peer_secret(size_t i)
{
	return i < sizeof(secrets) / sizeof(secrets[0]) ? secrets[i] : NULL;
}

#define MASTER_PREFIX "POSTFIXMASTER_"

static const struct peer_var *find_refused(const char *name, size_t n, const char *value)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const struct peer_var *r = &refused[i];
		size_t rn = strlen(r->name);
		if (r->prefix ? n < rn || strncmp(name, r->name, rn)
		              : n != rn || strncmp(name, r->name, n))
			continue;
		if (r->value && (!value || strcasecmp(value, r->value)))
			continue;
		return r;
	}
	return NULL;
}

bool prc_peer_handles(const char *name, size_t n)
{
	if (n > strlen(MASTER_PREFIX) && !strncmp(name, MASTER_PREFIX, strlen(MASTER_PREFIX)))
		return true;
	for (size_t i = 0; understood[i]; i++)
		if (strlen(understood[i]) == n && !strncmp(name, understood[i], n))
			return true;
	return find_refused(name, n, NULL) != NULL;
}

static const char *lookup(const char *const *envp, const char *name)
{
	const char *found = NULL;
	size_t n = strlen(name);
	for (const char *const *e = envp; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			found = *e + n + 1;
	return found && *found ? found : NULL;
}

struct pctx {
	struct prc_config *cfg;
	const char *const *envp;
	struct prc_diags *d;
	int rc;
};

static void fail(struct pctx *c, int r)
{
	if (r == PRC_ERR_NOMEM || !c->rc)
		c->rc = r;
}

/* Every refused variable: one line naming it and what to do instead. */
static void refuse(struct pctx *c)
{
	for (const char *const *e = c->envp; *e; e++) {
		const char *eq = strchr(*e, '=');
		/* an empty variable is an unset one, as everywhere in the env form */
		if (!eq || !eq[1])
			continue;
		size_t n = (size_t)(eq - *e);
		const struct peer_var *r = find_refused(*e, n, eq + 1);
		if (!r)
			continue;
		char origin[160];
		snprintf(origin, sizeof(origin), "env:%.*s", (int)n, *e);
		if (r->sev == ERR) {
			prc_diag(c->d, PRC_SEV_ERROR, "peer-variable", origin, origin + 4,
			         "a %s variable postrelay does not support: %s", r->peer,
			         r->advice);
			fail(c, PRC_ERR_INVALID);
		} else {
			prc_diag(c->d, PRC_SEV_WARNING, "peer-variable", origin, origin + 4,
			         "ignored (a %s variable postrelay does not read): %s", r->peer,
			         r->advice);
		}
	}
}

/* Parse @text as setting @id from peer variable @var into the model. */
static void map_value(struct pctx *c, enum prc_setting_id id, const char *var, const char *text)
{
	char origin[160];
	snprintf(origin, sizeof(origin), "env:%s", var);
	struct prc_value v = {0};
	int r = prc_parse_env_value(id, text, origin, &v, c->d);
	if (r) {
		fail(c, r);
		c->cfg->v[id].refused = true;
		return;
	}
	v.explicit = true;
	prc_value_move(&c->cfg->v[id], &v);
}

/* boky's and mwader's host name: MAILNAME when that is not given. */
static void map_myhostname(struct pctx *c)
{
	struct prc_config *cfg = c->cfg;
	const char *text = lookup(c->envp, "POSTFIX_myhostname");
	if (!text)
		return;
	if (!lookup(c->envp, "MAILNAME")) {
		map_value(c, PRC_S_MAILNAME, "POSTFIX_myhostname", text);
		return;
	}
	struct prc_value v = {0};
	int r = prc_parse_env_value(PRC_S_MAILNAME, text, "env:POSTFIX_myhostname", &v, c->d);
	if (r) {
		fail(c, r);
		return;
	}
	if (V(MAILNAME)->set && strcasecmp(v.str, V(MAILNAME)->str)) {
		prc_diag(
		    c->d, PRC_SEV_ERROR, "conflict", "env:POSTFIX_myhostname", "POSTFIX_myhostname",
		    "'%s' differs from MAILNAME '%s': the host name is set once, give one of them",
		    v.str, V(MAILNAME)->str);
		fail(c, PRC_ERR_INVALID);
	}
	prc_value_clear(&v);
}

/* The credential of RELAYHOST_USERNAME and the password (or its file) for the relay host. */
static void add_relay_login(struct pctx *c, const char *origin, const char *pw, const char *file,
                            const char *sasl)
{
	struct prc_config *cfg = c->cfg;
	const char *var = origin + 4;
	const struct prc_value *user = V(RELAYHOST_USERNAME);
	if (V(RELAYHOST_AUTH)->explicit && !V(RELAYHOST_AUTH)->b) {
		prc_diag(c->d, PRC_SEV_ERROR, "conflict", origin, var,
		         "%s logs in to the relay host, but RELAYHOST_AUTH=no: remove one of them",
		         var);
		fail(c, PRC_ERR_INVALID);
		return;
	}
	char *owned = NULL, *host = NULL;
	if (file) {
		int r = prc_config_add_input(cfg, file);
		if (r) {
			fail(c, r);
			return;
		}
		if (!(owned = prc_read_secret(file, origin, var, c->d, &r))) {
			fail(c, r == PRC_ERR_NOMEM ? r : PRC_ERR_INVALID);
			return;
		}
		pw = owned;
	}
	const char *why;
	char clip[PRC_CLIP_MAX + 4];
	bool bad = false;
	if ((why = prc_entry_field(T_CREDENTIALS, 1, user->str))) {
		prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", user->origin, "RELAYHOST_USERNAME",
		         "'%s' %s", prc_clip(clip, user->str), why);
		bad = true;
	}
	if ((why = prc_entry_field(T_CREDENTIALS, 2, pw))) {
		prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", origin, var, "the password %s", why);
		bad = true;
	}
	if (sasl && (why = prc_check_relayhost(sasl, &host))) {
		prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", "env:SASL_RELAYHOST",
		         "SASL_RELAYHOST", "'%s': %s", prc_clip(clip, sasl), why);
		bad = true;
	}
	if (bad) {
		free(owned);
		free(host);
		fail(c, why == prc_why_nomem ? PRC_ERR_NOMEM : PRC_ERR_INVALID);
		return;
	}
	const char *fields[] = {host ? host : "", user->str, pw};
	struct prc_value *creds = V(RELAYHOST_PASSWORDMAP);
	int r = prc_value_add_item(creds, fields, 3, origin);
	free(owned);
	free(host);
	if (r) {
		fail(c, r);
		return;
	}
	if (!creds->explicit) {
		char *o = prc_strdup(origin);
		if (!o) {
			fail(c, PRC_ERR_NOMEM);
			return;
		}
		free(creds->origin);
		creds->origin = o;
		creds->set = creds->explicit = true;
	}
	if (!V(RELAYHOST_AUTH)->explicit)
		map_value(c, PRC_S_RELAYHOST_AUTH, var, "yes");
}

/* boky's one login for the relay host: RELAYHOST_USERNAME and RELAYHOST_PASSWORD(_FILE). */
static void map_relay_login(struct pctx *c)
{
	struct prc_config *cfg = c->cfg;
	const char *pw = lookup(c->envp, "RELAYHOST_PASSWORD");
	const char *file = lookup(c->envp, "RELAYHOST_PASSWORD_FILE");
	const char *sasl = lookup(c->envp, "SASL_RELAYHOST");
	const char *origin = file ? "env:RELAYHOST_PASSWORD_FILE" : "env:RELAYHOST_PASSWORD";
	const char *var = origin + 4;
	if (pw && file) {
		prc_diag(c->d, PRC_SEV_ERROR, "conflict", "env:RELAYHOST_PASSWORD",
		         "RELAYHOST_PASSWORD",
		         "set either RELAYHOST_PASSWORD or RELAYHOST_PASSWORD_FILE, not both");
		fail(c, PRC_ERR_INVALID);
		return;
	}
	if (!pw && !file) {
		if (sasl)
			prc_diag(
			    c->d, PRC_SEV_WARNING, "peer-variable", "env:SASL_RELAYHOST",
			    "SASL_RELAYHOST",
			    "ignored: SASL_RELAYHOST only names the host of the "
			    "RELAYHOST_USERNAME/RELAYHOST_PASSWORD login, and RELAYHOST_PASSWORD "
			    "is not set");
		return;
	}
	if (prc_xoauth2_enabled(cfg)) {
		prc_diag(c->d, PRC_SEV_ERROR, "conflict", origin, var,
		         "RELAYHOST_USERNAME logs in with XOAUTH2 here (the XOAUTH2_* settings are "
		         "set): give %s or the XOAUTH2 settings, not both",
		         var);
		fail(c, PRC_ERR_INVALID);
		return;
	}
	const struct prc_value *user = V(RELAYHOST_USERNAME);
	if (!user->set) {
		prc_diag(c->d, PRC_SEV_ERROR, "required", origin, var,
		         "%s needs RELAYHOST_USERNAME, the user that logs in to the relay host",
		         var);
		fail(c, PRC_ERR_INVALID);
		return;
	}
	/* from here on the user is the password login's, not an XOAUTH2 login's */
	add_relay_login(c, origin, pw, file, sasl);
	prc_value_clear(V(RELAYHOST_USERNAME));
}

/* boky's SMTP AUTH users (user:pass,user2:pass2) are SMTPD_USERS. */
static void map_smtpd_users(struct pctx *c)
{
	const char *text = lookup(c->envp, "SMTPD_SASL_USERS");
	const char *file = lookup(c->envp, "SMTPD_SASL_USERS_FILE");
	const char *var = file ? "SMTPD_SASL_USERS_FILE" : "SMTPD_SASL_USERS";
	if (!text && !file)
		return;
	if (text && file) {
		prc_diag(c->d, PRC_SEV_ERROR, "conflict", "env:SMTPD_SASL_USERS",
		         "SMTPD_SASL_USERS",
		         "set either SMTPD_SASL_USERS or SMTPD_SASL_USERS_FILE, not both");
		fail(c, PRC_ERR_INVALID);
		return;
	}
	if (lookup(c->envp, "SMTPD_USERS") || lookup(c->envp, "SMTPD_USERS_FILE")) {
		prc_diag(c->d, PRC_SEV_ERROR, "conflict",
		         file ? "env:SMTPD_SASL_USERS_FILE" : "env:SMTPD_SASL_USERS", var,
		         "set either SMTPD_USERS or %s, not both", var);
		fail(c, PRC_ERR_INVALID);
		return;
	}
	char *owned = NULL;
	if (file) {
		int r = prc_config_add_input(c->cfg, file);
		if (!r &&
		    !(owned = prc_read_secret(file, "env:SMTPD_SASL_USERS_FILE", var, c->d, &r)))
			r = r == PRC_ERR_NOMEM ? r : PRC_ERR_INVALID;
		if (r) {
			fail(c, r);
			return;
		}
		text = owned;
	}
	map_value(c, PRC_S_SMTPD_USERS, var, text);
	free(owned);
}

/* boky's SMTP_HEADER_CHECKS: 1 for its shipped checks (ours: HEADER_CHECKS), or a table. */
static void map_header_checks(struct pctx *c)
{
	struct prc_config *cfg = c->cfg;
	const char *text = lookup(c->envp, "SMTP_HEADER_CHECKS");
	if (!text)
		return;
	if (!strcmp(text, "1")) {
		if (V(HEADER_CHECKS)->explicit && !V(HEADER_CHECKS)->b &&
		    !prc_origin_is_yaml(V(HEADER_CHECKS)->origin)) {
			prc_diag(c->d, PRC_SEV_ERROR, "conflict", "env:SMTP_HEADER_CHECKS",
			         "SMTP_HEADER_CHECKS",
			         "SMTP_HEADER_CHECKS=1 turns the privacy header checks on, but "
			         "HEADER_CHECKS=no: remove one of them");
			fail(c, PRC_ERR_INVALID);
			return;
		}
		map_value(c, PRC_S_HEADER_CHECKS, "SMTP_HEADER_CHECKS", "yes");
		return;
	}
	size_t type = strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_");
	char clip[PRC_CLIP_MAX + 4];
	if (!type || text[type] != ':' || !text[type + 1] || prc_check_control(text) ||
	    strpbrk(text, " \t")) {
		prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", "env:SMTP_HEADER_CHECKS",
		         "SMTP_HEADER_CHECKS",
		         "'%s': expected 1 (the privacy header checks, HEADER_CHECKS) or a lookup "
		         "table such as regexp:/etc/postfix/smtp_header_checks",
		         prc_clip(clip, text));
		fail(c, PRC_ERR_INVALID);
		return;
	}
	struct prc_value *p = V(POSTCONF);
	const char *fields[] = {"smtp_header_checks", text};
	int r = prc_value_add_item(p, fields, 2, "env:SMTP_HEADER_CHECKS");
	if (!r && !p->set) {
		if (!(p->origin = prc_strdup("env:SMTP_HEADER_CHECKS")))
			r = PRC_ERR_NOMEM;
		p->set = p->explicit = true;
	}
	if (r)
		fail(c, r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * mwader's POSTFIXMASTER_<service>__<type>=<master.cf line> ("__" is "/"),
 * in name order, over the YAML file's entry of the same service.  The line
 * is checked by validation (master.c), which names the variable.
 */
static void map_master(struct pctx *c)
{
	size_t plen = strlen(MASTER_PREFIX), n = 0;
	for (const char *const *e = c->envp; *e; e++)
		n++;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		fail(c, PRC_ERR_NOMEM);
		return;
	}
	size_t k = 0;
	for (const char *const *e = c->envp; *e; e++)
		if (!strncmp(*e, MASTER_PREFIX, plen) && strchr(*e, '='))
			names[k++] = *e;
	qsort(names, k, sizeof(*names), cmp_str);
	struct prc_value *v = &c->cfg->v[PRC_S_MASTER_SERVICES];
	for (size_t i = 0; i < k && c->rc != PRC_ERR_NOMEM; i++) {
		const char *eq = strchr(names[i], '=');
		char *origin = prc_asprintf("env:%.*s", (int)(eq - names[i]), names[i]);
		char *key = prc_strndup(names[i] + plen, (size_t)(eq - names[i]) - plen);
		if (!origin || !key) {
			free(origin);
			free(key);
			fail(c, PRC_ERR_NOMEM);
			break;
		}
		/* the last "__" separates the type: service names may hold "_" */
		char *sep = NULL;
		for (char *p = strstr(key, "__"); p; p = strstr(p + 1, "__"))
			sep = p;
		const char *why;
		if (!sep || sep == key || !sep[2]) {
			prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", origin, origin + 4,
			         "expected POSTFIXMASTER_<service>__<type> (e.g. "
			         "POSTFIXMASTER_submission__inet)");
			fail(c, PRC_ERR_INVALID);
		} else if ((why = prc_check_control(key))) {
			prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", origin, origin + 4,
			         "name %s", why);
			fail(c, PRC_ERR_INVALID);
		} else if ((why = prc_check_control(eq + 1))) {
			/* master.cf is text: kept out of the model, like a passthrough's */
			prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", origin, origin + 4,
			         "value %s", why);
			fail(c, PRC_ERR_INVALID);
		} else {
			*sep = '/';
			memmove(sep + 1, sep + 2, strlen(sep + 2) + 1);
			size_t j = 0;
			while (j < v->nitems && strcmp(v->items[j].f[0], key))
				j++;
			const char *fields[] = {key, eq + 1};
			int r = PRC_OK;
			if (j < v->nitems) {
				char *line = prc_strdup(eq + 1), *o = prc_strdup(origin);
				if (!line || !o) {
					free(line);
					free(o);
					r = PRC_ERR_NOMEM;
				} else {
					free(v->items[j].f[1]);
					free(v->items[j].origin);
					v->items[j].f[1] = line;
					v->items[j].origin = o;
				}
			} else {
				r = prc_value_add_item(v, fields, 2, origin);
			}
			if (!r) {
				char *o = prc_strdup(origin);
				if (!o) {
					r = PRC_ERR_NOMEM;
				} else {
					free(v->origin);
					v->origin = o;
					v->set = v->explicit = true;
				}
			}
			if (r)
				fail(c, r);
		}
		free(origin);
		free(key);
	}
	free(names);
}

int prc_peers_load_env(struct prc_config *cfg, const char *const *envp, struct prc_diags *d)
{
	struct pctx c = {cfg, envp, d, PRC_OK};
	refuse(&c);
	map_myhostname(&c);
	map_relay_login(&c);
	map_smtpd_users(&c);
	map_header_checks(&c);
	map_master(&c);
	return c.rc;
}
