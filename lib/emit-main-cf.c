/*
 * main.cf: every parameter, grouped and commented.  Parameters are collected
 * into a list first so that POSTCONF / POSTFIX_* passthrough replaces a
 * derived value in place instead of repeating the parameter.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define V(id) (&cfg->v[PRC_S_##id])

struct param {
	const char *section; /* printed before the first parameter of a section */
	char *name;
	char *value;
	const char *note; /* trailing origin comment for passthrough values */
};

struct plist {
	struct param *v;
	size_t n, cap;
	const char *section;
	bool oom;
};

static void add(struct plist *l, const char *name, const char *value)
{
	if (l->oom)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct param *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	struct param *p = &l->v[l->n];
	p->section = l->section;
	p->name = prc_strdup(name);
	p->value = prc_strdup(value);
	p->note = NULL;
	l->section = NULL;
	if (!p->name || !p->value) {
		free(p->name);
		free(p->value);
		l->oom = true;
		return;
	}
	l->n++;
}

/* Add a parameter whose value is built with printf; the string is freed. */
static void addf(struct plist *l, const char *name, char *value)
{
	if (!value)
		l->oom = true;
	else
		add(l, name, value);
	free(value);
}

static void set_if(struct plist *l, const struct prc_config *cfg, enum prc_setting_id id)
{
	const struct prc_value *v = &cfg->v[id];
	if (v->set && v->str)
		add(l, prc_settings[id].postfix, v->str);
}

/* A path setting, placed under the instance root when it is a default. */
static void set_path(struct plist *l, const struct prc_config *cfg, enum prc_setting_id id)
{
	if (cfg->v[id].set)
		addf(l, prc_settings[id].postfix, prc_setting_path(cfg, id));
}

static char *table(const struct prc_config *cfg, const char *file)
{
	return prc_asprintf("%s:${config_directory}/%s", V(TABLE_TYPE)->str, file);
}

/* maillog_file must sit under one of maillog_file_prefixes. */
static char *log_prefixes(const char *log)
{
	if (!strncmp(log, "/var/", 5) || !strcmp(log, "/dev/stdout"))
		return prc_strdup("/var, /dev/stdout");
	const char *slash = strrchr(log, '/');
	if (slash == log)
		return prc_asprintf("/var, /dev/stdout, %s", log);
	return prc_asprintf("/var, /dev/stdout, %.*s", (int)(slash - log), log);
}

static void collect(const struct prc_config *cfg, struct plist *l)
{
	l->section = "Identity";
	add(l, "compatibility_level", "3.6");
	add(l, "myhostname", V(MAILNAME)->str);
	add(l, "smtpd_banner", "$myhostname ESMTP");
	add(l, "biff", "no");
	add(l, "append_dot_mydomain", "no");
	add(l, "readme_directory", "no");

	l->section = "Relay only: nothing is delivered locally, mail for MAILNAME's domain is "
		     "relayed too";
	add(l, "mydestination", "");
	add(l, "local_recipient_maps", "");
	add(l, "local_transport", "error:5.1.1 local delivery is disabled on this relay");
	add(l, "alias_maps", "");
	add(l, "alias_database", "");

	l->section = "Who may relay: MYNETWORKS and authenticated clients, nobody else";
	add(l, "inet_interfaces", "all");
	set_if(l, cfg, PRC_S_INET_PROTOCOLS);
	add(l, "mynetworks", V(MYNETWORKS)->str);
	add(l, "smtpd_relay_restrictions",
	    "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination");
	set_if(l, cfg, PRC_S_DISABLE_VRFY_COMMAND);
	add(l, "smtpd_helo_required", "yes");
	/* SMTP smuggling: bare LF and bare CR never end DATA, for any client */
	add(l, "smtpd_forbid_bare_newline", "normalize");
	add(l, "smtpd_forbid_bare_newline_exclusions", "");
	add(l, "smtpd_forbid_unauth_pipelining", "yes");

	l->section = "Messages";
	set_if(l, cfg, PRC_S_SIZELIMIT);
	/* no local delivery: keep Postfix from refusing a SIZELIMIT above the mailbox limit */
	add(l, "mailbox_size_limit", "0");
	set_if(l, cfg, PRC_S_POSTFIX_ADD_MISSING_HEADERS);
	if (V(HEADER_CHECKS)->b)
		addf(l, "header_checks", prc_strdup("regexp:${config_directory}/header_checks"));

	l->section = "Rate limits";
	set_if(l, cfg, PRC_S_SMTP_DESTINATION_CONCURRENCY_LIMIT);
	set_if(l, cfg, PRC_S_SMTP_DESTINATION_RATE_DELAY);
	set_if(l, cfg, PRC_S_SMTP_EXTRA_RECIPIENT_LIMIT);
	l->section = NULL;

	l->section = "Relay host";
	set_if(l, cfg, PRC_S_RELAYHOST);
	if (V(RELAYHOST_MAP)->nitems)
		addf(l, "sender_dependent_relayhost_maps", table(cfg, "sender_relay"));
	if (prc_file_is_used(cfg, PRC_FILE_SASL_PASSWD)) {
		add(l, "smtp_sasl_auth_enable", "yes");
		addf(l, "smtp_sasl_password_maps", table(cfg, "sasl_passwd"));
		add(l, "smtp_sasl_security_options", "noanonymous");
		add(l, "smtp_sasl_tls_security_options", "noanonymous");
		if (V(SENDER_DEPENDENT_RELAYHOST_AUTH)->b)
			add(l, "smtp_sender_dependent_authentication", "yes");
	}

	if (V(SMTPD_USERS)->nitems) {
		l->section = "SMTP AUTH for clients (SMTPD_USERS, Cyrus SASL sasldb)";
		add(l, "smtpd_sasl_auth_enable", "yes");
		add(l, "smtpd_sasl_type", "cyrus");
		add(l, "smtpd_sasl_path", "smtpd");
		/* Postfix 3.10 (Debian 13) no longer looks in $config_directory/sasl by itself */
		add(l, "cyrus_sasl_config_path", "${config_directory}/sasl");
		add(l, "smtpd_sasl_local_domain", "$myhostname");
		add(l, "smtpd_sasl_security_options", "noanonymous");
		add(l, "smtpd_sasl_tls_security_options", "noanonymous");
		add(l, "broken_sasl_auth_clients", "yes");
	}

	l->section = "TLS towards clients";
	add(l, "smtpd_tls_security_level", prc_server_tls_level(cfg));
	if (V(USE_TLS)->b) {
		set_path(l, cfg, PRC_S_TLS_CRT);
		set_path(l, cfg, PRC_S_TLS_KEY);
		set_path(l, cfg, PRC_S_TLS_CA);
		set_if(l, cfg, PRC_S_SMTPD_TLS_AUTH_ONLY);
		add(l, "smtpd_tls_loglevel", "1");
		add(l, "smtpd_tls_received_header", "yes");
	}
	l->section = "TLS towards the relay host and destinations";
	add(l, "smtp_tls_security_level", prc_client_tls_level(cfg));
	if (V(USE_TLS)->b) {
		set_path(l, cfg, PRC_S_CLIENT_TLS_CRT);
		set_path(l, cfg, PRC_S_CLIENT_TLS_KEY);
		if (V(CLIENT_TLS_CA)->set)
			set_path(l, cfg, PRC_S_CLIENT_TLS_CA);
		else
			add(l, "smtp_tls_CApath", "/etc/ssl/certs");
		add(l, "smtp_tls_loglevel", "1");
		/* TLS sessions to the relay host are kept open and reused (through
		 * tlsproxy) like plain ones: one handshake per connection, not per
		 * message; +25-35% relay throughput with TLS on both legs (bench/) */
		add(l, "smtp_tls_connection_reuse", "yes");
	}

	if (V(USE_DKIM)->b) {
		l->section = "DKIM signing by OpenDKIM (a milter)";
		add(l, "smtpd_milters", V(DKIM_SOCKET)->str);
		add(l, "non_smtpd_milters", "$smtpd_milters");
		set_if(l, cfg, PRC_S_DKIM_MILTER_DEFAULT_ACTION);
		add(l, "milter_protocol", "6");
	}

	l->section = "Notices: Postfix's own resource and software notices are kept";
	if (V(BOUNCE_ADDRESS)->set) {
		add(l, "notify_classes", "bounce, resource, software");
		set_if(l, cfg, PRC_S_BOUNCE_ADDRESS);
	} else {
		add(l, "notify_classes", "resource, software");
	}

	l->section = "Logging";
	set_if(l, cfg, PRC_S_LOGOUTPUT);
	addf(l, "maillog_file_prefixes", log_prefixes(V(LOGOUTPUT)->str));

	if (strcmp(cfg->root, "/")) {
		l->section = "Self-contained instance: all state under the instance root";
		addf(l, "queue_directory", prc_root_path(cfg, "/var/spool/postfix"));
		addf(l, "data_directory", prc_root_path(cfg, "/var/lib/postfix"));
	}
}

/* POSTCONF and POSTFIX_* replace derived values in place, or are appended. */
static void passthrough(const struct prc_config *cfg, struct plist *l)
{
	const struct prc_value *p = V(POSTCONF);
	l->section = "Passthrough (POSTCONF, POSTFIX_*, postfix.parameters)";
	for (size_t i = 0; i < p->nitems && !l->oom; i++) {
		const struct prc_item *it = &p->items[i];
		struct param *found = NULL;
		for (size_t k = 0; k < l->n && !found; k++)
			if (!strcmp(l->v[k].name, it->f[0]))
				found = &l->v[k];
		if (!found) {
			add(l, it->f[0], it->f[1]);
			if (!l->oom)
				found = &l->v[l->n - 1];
		} else {
			char *val = prc_strdup(it->f[1]);
			if (!val) {
				l->oom = true;
				break;
			}
			free(found->value);
			found->value = val;
		}
		if (found)
			found->note = it->origin;
	}
}

/* Values with leading or trailing blanks need Postfix's { } quoting. */
static void put_value(FILE *out, const char *v)
{
	size_t n = strlen(v);
	if (n && (v[0] == ' ' || v[n - 1] == ' ' || v[0] == '{'))
		fprintf(out, "{ %s }", v);
	else
		fputs(v, out);
}

int prc_emit_main_cf(const struct prc_config *cfg, FILE *out)
{
	struct plist l = {0};
	collect(cfg, &l);
	passthrough(cfg, &l);
	int rc = l.oom ? PRC_ERR_NOMEM : PRC_OK;
	if (!rc) {
		fprintf(out, "# Generated by postrelaycfg %s for %s. Do not edit: change the "
			     "settings and run postrelaycfg again.\n",
			PRC_VERSION, V(MAILNAME)->str);
		for (size_t i = 0; i < l.n; i++) {
			if (l.v[i].section)
				fprintf(out, "\n# %s\n", l.v[i].section);
			fprintf(out, "%s =%s", l.v[i].name, *l.v[i].value ? " " : "");
			put_value(out, l.v[i].value);
			if (l.v[i].note)
				fprintf(out, "\n# ^ set by %s", l.v[i].note);
			fputc('\n', out);
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].name);
		free(l.v[i].value);
	}
	free(l.v);
	return rc;
}
