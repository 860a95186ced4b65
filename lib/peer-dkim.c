/*
 * The DKIM variables of the two images people migrate from, mapped onto our
 * model at env load: mwader/postfix-relay's OPENDKIM_DOMAINS ("domain" or
 * "domain=selector", blank separated) and boky/postfix's DKIM_SELECTOR
 * "default,domain=selector" become DKIM_KEYS entries without a key path (the
 * key is found beside DKIM_KEYFILE or generated: dkim.c), each keeping the
 * peer variable as its origin.  OPENDKIM_<setting> is refused by name: we
 * write opendkim.conf ourselves.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *lookup(const char *const *envp, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	for (const char *const *e = envp; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			found = *e + n + 1;
	return found;
}

bool prc_peer_dkim_selector_form(const char *text)
{
	/* a value with control bytes is refused as a plain selector */
	return text && strpbrk(text, ",=") && !prc_check_control(text);
}

/* One "domain" or "domain=selector"; NULL *sel when none.  Returns a reason or NULL. */
static const char *split_pair(char *tok, char **dom, char **sel, const char **bad)
{
	char *eq = strchr(tok, '=');
	*dom = tok;
	*sel = NULL;
	if (eq) {
		*eq = '\0';
		*sel = eq + 1;
	}
	for (char *p = tok; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	const char *why = prc_check_domain(*dom);
	*bad = *dom;
	if (!why && *sel) {
		why = prc_check_selector(*sel);
		*bad = *sel;
	}
	return why;
}

struct pending {
	char *dom, *sel; /* borrowed from the copies of the variables */
	const char *origin;
};

/* Tokens of @text separated by blanks or commas, in place. */
static size_t tokens(char *text, char **out, size_t max)
{
	size_t n = 0;
	for (char *p = text; *p && n < max;) {
		p += strspn(p, " \t\n,");
		if (!*p)
			break;
		out[n++] = p;
		p += strcspn(p, " \t\n,");
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static size_t count_tokens(const char *text)
{
	size_t n = 0;
	for (const char *p = text; p && *p;) {
		p += strspn(p, " \t\n,");
		if (*p)
			n++;
		p += strcspn(p, " \t\n,");
	}
	return n;
}

/* Advice for OPENDKIM_<setting>: the setting of ours that covers it, if any. */
static const struct {
	const char *opendkim, *ours;
} covered[] = {
    {"InternalHosts", "DKIM_INTERNALHOSTS"},
    {"ExternalIgnoreList", "DKIM_EXTERNALIGNORE"},
    {"OversignHeaders", "DKIM_OVERSIGN_HEADERS"},
    {"SenderHeaders", "DKIM_SENDER_HEADERS"},
    {"SignHeaders", "DKIM_SIGN_HEADERS"},
    {"OmitHeaders", "DKIM_OMIT_HEADERS"},
    {"SignatureAlgorithm", "DKIM_SIGNATURE_ALGORITHM"},
    {"Socket", "DKIM_SOCKET"},
    {"Selector", "DKIM_SELECTOR"},
    {"KeyFile", "DKIM_KEYFILE"},
    {"Domain", "DKIM_DOMAINS"},
    {"KeyTable", "DKIM_KEYS"},
    {"SigningTable", "DKIM_KEYS"},
    {"TrustedHosts", "DKIM_INTERNALHOSTS"},
};

static int refuse_opendkim_settings(const char *const *envp, struct prc_diags *d)
{
	int rc = PRC_OK;
	for (const char *const *e = envp; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (strncmp(*e, "OPENDKIM_", 9) || !eq || !strncmp(*e, "OPENDKIM_DOMAINS=", 17))
			continue;
		char origin[160];
		const char *name = *e + 9;
		size_t len = (size_t)(eq - name);
		snprintf(origin, sizeof(origin), "env:%.*s", (int)(eq - *e), *e);
		const char *ours = NULL;
		for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]) && !ours; i++)
			if (strlen(covered[i].opendkim) == len &&
			    !strncasecmp(covered[i].opendkim, name, len))
				ours = covered[i].ours;
		if (ours)
			prc_diag(d, PRC_SEV_ERROR, "unsupported", origin, origin + 4,
			         "OpenDKIM settings are not passed through (postrelay writes "
			         "opendkim.conf); use %s",
			         ours);
		else
			prc_diag(
			    d, PRC_SEV_ERROR, "unsupported", origin, origin + 4,
			    "OpenDKIM settings are not passed through (postrelay writes "
			    "opendkim.conf); the DKIM_* settings are in 'postrelaycfg settings'");
		rc = PRC_ERR_INVALID;
	}
	return rc;
}

int prc_peer_dkim_load(struct prc_config *cfg, const char *const *envp, struct prc_diags *d)
{
	int rc = refuse_opendkim_settings(envp, d);
	const char *seltext = lookup(envp, "DKIM_SELECTOR");
	const char *domtext = lookup(envp, "OPENDKIM_DOMAINS");
	if (!prc_peer_dkim_selector_form(seltext))
		seltext = NULL;
	if (domtext && !*domtext)
		domtext = NULL;
	const char *ctl = domtext ? prc_check_control(domtext) : NULL;
	if (ctl) {
		prc_diag(d, PRC_SEV_ERROR, "invalid-value", "env:OPENDKIM_DOMAINS",
		         "OPENDKIM_DOMAINS", "value %s", ctl);
		return PRC_ERR_INVALID;
	}
	if (!seltext && !domtext)
		return rc;
	char *sel = seltext ? prc_strdup(seltext) : NULL,
	     *dom = domtext ? prc_strdup(domtext) : NULL;
	size_t maxs = count_tokens(seltext) + 1, maxd = count_tokens(domtext) + 1;
	char **st = calloc(maxs, sizeof(*st)), **dt = calloc(maxd, sizeof(*dt));
	struct pending *pend = calloc(maxs + maxd, sizeof(*pend));
	if ((seltext && !sel) || (domtext && !dom) || !st || !dt || !pend) {
		rc = PRC_ERR_NOMEM;
		goto out;
	}
	size_t ns = sel ? tokens(sel, st, maxs) : 0, nd = dom ? tokens(dom, dt, maxd) : 0;
	size_t np = 0, nsel = 0;
	const char *def = NULL;
	/* boky/postfix: DKIM_SELECTOR=default,domain=selector,... */
	for (size_t i = 0; i < ns; i++) {
		char *dn, *sn;
		if (!strchr(st[i], '=')) {
			const char *why = prc_check_selector(st[i]);
			if (why || def) {
				char clip[PRC_CLIP_MAX + 4];
				prc_diag(d, PRC_SEV_ERROR, "invalid-value", "env:DKIM_SELECTOR",
				         "DKIM_SELECTOR", "entry %zu: '%s': %s", i + 1,
				         prc_clip(clip, st[i]),
				         why ? why
				             : "a second default selector (expected "
				               "default,domain=selector,...)");
				rc = PRC_ERR_INVALID;
			}
			def = st[i];
			continue;
		}
		const char *what, *why = split_pair(st[i], &dn, &sn, &what);
		if (why) {
			char clip[PRC_CLIP_MAX + 4];
			prc_diag(d, PRC_SEV_ERROR, "invalid-value", "env:DKIM_SELECTOR",
			         "DKIM_SELECTOR", "entry %zu: '%s': %s", i + 1,
			         prc_clip(clip, what), why);
			rc = PRC_ERR_INVALID;
			continue;
		}
		pend[np++] = (struct pending){dn, sn, "env:DKIM_SELECTOR"};
	}
	nsel = np;
	/* the default part is DKIM_SELECTOR itself; without one it keeps its value */
	if (def && !rc) {
		struct prc_value v = {0};
		int r = prc_parse_env_value(PRC_S_DKIM_SELECTOR, def, "env:DKIM_SELECTOR", &v, d);
		if (r) {
			rc = r;
		} else {
			v.explicit = true;
			prc_value_move(&cfg->v[PRC_S_DKIM_SELECTOR], &v);
		}
	}
	const char *defsel = cfg->v[PRC_S_DKIM_SELECTOR].str;
	/* mwader/postfix-relay: OPENDKIM_DOMAINS="example.com example.org=s1" */
	for (size_t i = 0; i < nd; i++) {
		char *dn, *sn;
		const char *what, *why = split_pair(dt[i], &dn, &sn, &what);
		if (why) {
			char clip[PRC_CLIP_MAX + 4];
			prc_diag(d, PRC_SEV_ERROR, "invalid-value", "env:OPENDKIM_DOMAINS",
			         "OPENDKIM_DOMAINS", "entry %zu: '%s': %s", i + 1,
			         prc_clip(clip, what), why);
			rc = PRC_ERR_INVALID;
			continue;
		}
		/* a selector given by DKIM_SELECTOR's domain=selector */
		size_t k = 0;
		while (k < nsel && strcmp(pend[k].dom, dn))
			k++;
		if (k < nsel && sn && strcmp(sn, pend[k].sel)) {
			prc_diag(
			    d, PRC_SEV_ERROR, "conflict", "env:OPENDKIM_DOMAINS",
			    "OPENDKIM_DOMAINS",
			    "entry %zu: selector '%s' of %s, but DKIM_SELECTOR gives it '%s'; set "
			    "it in one of them",
			    i + 1, sn, dn, pend[k].sel);
			rc = PRC_ERR_INVALID;
			continue;
		}
		if (k < nsel) {
			pend[k].origin = "env:OPENDKIM_DOMAINS";
			continue;
		}
		pend[np++] = (struct pending){dn, sn ? sn : (char *)defsel, "env:OPENDKIM_DOMAINS"};
	}
	if (nd && rc != PRC_ERR_NOMEM) {
		struct prc_value *use = &cfg->v[PRC_S_USE_DKIM];
		if (use->explicit && !use->b && use->origin && !strncmp(use->origin, "env:", 4)) {
			prc_diag(d, PRC_SEV_ERROR, "conflict", "env:OPENDKIM_DOMAINS",
			         "OPENDKIM_DOMAINS",
			         "OPENDKIM_DOMAINS signs mail, but USE_DKIM=no; unset one of them");
			rc = PRC_ERR_INVALID;
		}
		/* mwader's image signs, and makes missing keys, for OPENDKIM_DOMAINS */
		struct prc_value *gen = &cfg->v[PRC_S_DKIM_AUTOGENERATE];
		char *o1 = prc_strdup("env:OPENDKIM_DOMAINS"),
		     *o2 = prc_strdup("env:OPENDKIM_DOMAINS");
		if (!o1 || !o2) {
			free(o1);
			free(o2);
			rc = PRC_ERR_NOMEM;
			goto out;
		}
		if (!use->explicit || use->b) {
			free(use->origin);
			use->origin = o1;
			use->b = use->set = use->explicit = true;
			free(use->str);
			use->str = prc_strdup("yes");
		} else {
			free(o1);
		}
		if (!gen->explicit && use->b) {
			free(gen->origin);
			gen->origin = o2;
			gen->b = gen->set = gen->explicit = true;
			free(gen->str);
			gen->str = prc_strdup("yes");
		} else {
			free(o2);
		}
	}
	/* the domains become DKIM_KEYS entries without a key of their own */
	struct prc_value *keys = &cfg->v[PRC_S_DKIM_KEYS];
	size_t own = keys->nitems;
	for (size_t i = 0; i < np && rc != PRC_ERR_NOMEM; i++) {
		const char *f[3] = {pend[i].dom, pend[i].sel, ""};
		size_t k = 0;
		while (k < own && strcasecmp(keys->items[k].f[0], pend[i].dom))
			k++;
		if (k < own) {
			/* DKIM_KEYS gives the domain its key and selector already */
			prc_diag(d, PRC_SEV_ERROR, "conflict", pend[i].origin, pend[i].origin + 4,
			         "domain '%s' is also in %s; give each domain one key", pend[i].dom,
			         prc_setting_name(PRC_S_DKIM_KEYS, keys->items[k].origin));
			rc = PRC_ERR_INVALID;
			continue;
		}
		if (prc_value_add_item(keys, f, 3, pend[i].origin)) {
			rc = PRC_ERR_NOMEM;
			break;
		}
		if (!keys->explicit) {
			char *o = prc_strdup(pend[i].origin);
			if (!o) {
				rc = PRC_ERR_NOMEM;
				break;
			}
			free(keys->origin);
			keys->origin = o;
			keys->set = keys->explicit = true;
		}
	}
out:
	free(sel);
	free(dom);
	free(st);
	free(dt);
	free(pend);
	return rc;
}
