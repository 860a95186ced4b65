/*
 * Effective values derived from several settings, shared by validation, the
 * plan and print: one place decides them, so what is checked, planned and
 * shown cannot drift apart.
 */
#include "internal.h"

#include <string.h>

#define V(id) (&cfg->v[PRC_S_##id])

const char *prc_server_tls_level(const struct prc_config *cfg)
{
	return V(USE_TLS)->b ? V(TLS_SECURITY_LEVEL)->str : "none";
}

bool prc_xoauth2_enabled(const struct prc_config *cfg)
{
	return V(XOAUTH2_CLIENT_ID)->set || V(XOAUTH2_SECRET)->set ||
	       V(XOAUTH2_INITIAL_REFRESH_TOKEN)->set || V(XOAUTH2_INITIAL_ACCESS_TOKEN)->set ||
	       V(XOAUTH2_TOKEN_ENDPOINT)->set;
}

bool prc_relay_auth_enabled(const struct prc_config *cfg)
{
	return V(RELAYHOST_AUTH)->b || V(SENDER_DEPENDENT_RELAYHOST_AUTH)->b;
}

const char *prc_client_tls_level(const struct prc_config *cfg)
{
	if (!V(USE_TLS)->b)
		return "none";
	/* The seed forced encrypt with RELAYHOST_AUTH; we keep that only as the
	 * default, so an explicit CLIENT_TLS_SECURITY_LEVEL always wins. */
	if ((V(RELAYHOST_AUTH)->b || prc_xoauth2_enabled(cfg)) &&
	    !V(CLIENT_TLS_SECURITY_LEVEL)->explicit)
		return "encrypt";
	return V(CLIENT_TLS_SECURITY_LEVEL)->str;
}

const char *prc_credential_next_hop(const struct prc_config *cfg, const struct prc_item *it)
{
	if (*it->f[0])
		return it->f[0];
	return V(RELAYHOST)->set ? V(RELAYHOST)->str : NULL;
}

bool prc_relayhost_is_smtps(const char *relayhost)
{
	size_t n = relayhost ? strlen(relayhost) : 0;
	return n > 4 && !strcmp(relayhost + n - 4, ":465");
}

bool prc_smtps_used(const struct prc_config *cfg)
{
	if (V(RELAYHOST)->set && prc_relayhost_is_smtps(V(RELAYHOST)->str))
		return true;
	for (size_t i = 0; i < V(RELAYHOST_MAP)->nitems; i++)
		if (prc_relayhost_is_smtps(V(RELAYHOST_MAP)->items[i].f[1]))
			return true;
	for (size_t i = 0; i < V(TRANSPORT_MAP)->nitems; i++)
		if (prc_relayhost_is_smtps(V(TRANSPORT_MAP)->items[i].f[1]))
			return true;
	return false;
}

bool prc_origin_is_yaml(const char *origin)
{
	return origin && *origin && strncmp(origin, "env:", 4) && strcmp(origin, "default");
}

const char *prc_setting_name(enum prc_setting_id id, const char *origin)
{
	return prc_origin_is_yaml(origin) ? prc_settings[id].yaml : prc_settings[id].env;
}
