/*
 * The plan: from a validated configuration, everything the library decided,
 * as data.  Every main.cf parameter with its origin (passthrough merged in
 * place), every table as typed entries with keys folded as Postfix folds
 * them, every file with its place, mode and owner, the state locations, the
 * master.cf services and the milters.  The emitters format it; apply, health
 * and watch act on it, so nothing downstream re-reads what we rendered.
 */
#include "layout.h"
#include "plan.h"
#include "user-tables.h"

#include <stdlib.h>
#include <string.h>

#define V(id) (&cfg->v[PRC_S_##id])

/* Postfix's built-in values of the state parameters (postconf -d on Debian). */
static const char POSTFIX_DEFAULT[] = "postfix default";
static const char POSTRELAY[] = "postrelay";

/* ---- building --------------------------------------------------------- */

struct build {
	struct prc_plan *p;
	struct prc_diags *d;
	const char *section; /* for the next parameter added */
	bool oom;
	size_t errors;
};

static char *dup_or_oom(struct build *b, const char *s)
{
	char *r = b->oom ? NULL : prc_strdup(s);
	if (!r)
		b->oom = true;
	return r;
}

static struct prc_plan_param *add_param(struct build *b, const char *name, const char *value,
                                        const char *origin)
{
	struct prc_plan *p = b->p;
	if (b->oom)
		return NULL;
	if (p->nparams == p->capparams) {
		size_t cap = p->capparams ? 2 * p->capparams : 64;
		struct prc_plan_param *v = realloc(p->params, cap * sizeof(*v));
		if (!v) {
			b->oom = true;
			return NULL;
		}
		p->params = v;
		p->capparams = cap;
	}
	struct prc_plan_param *x = &p->params[p->nparams];
	*x = (struct prc_plan_param){.section = b->section};
	x->name = prc_strdup(name);
	x->value = prc_strdup(value);
	x->origin = prc_strdup(origin ? origin : POSTRELAY);
	if (!x->name || !x->value || !x->origin) {
		free(x->name);
		free(x->value);
		free(x->origin);
		b->oom = true;
		return NULL;
	}
	b->section = NULL;
	p->nparams++;
	return x;
}

/* A parameter whose value was built with malloc; the string is freed. */
static void add_owned(struct build *b, const char *name, char *value, const char *origin)
{
	if (!value)
		b->oom = true;
	else
		add_param(b, name, value, origin);
	free(value);
}

static void fixed(struct build *b, const char *name, const char *value)
{
	add_param(b, name, value, POSTRELAY);
}

/* The Postfix parameter of setting @id, from its value, when set. */
static void from_setting(struct build *b, enum prc_setting_id id)
{
	const struct prc_value *v = &b->p->cfg->v[id];
	if (v->set && v->str)
		add_param(b, prc_settings[id].postfix, v->str, v->origin);
}

/* A path setting, placed under the instance root when it is a default. */
static void from_path(struct build *b, enum prc_setting_id id)
{
	const struct prc_value *v = &b->p->cfg->v[id];
	if (v->set)
		add_owned(b, prc_settings[id].postfix, prc_setting_path(b->p->cfg, id), v->origin);
}

/* Join the first field of every item with ", ". */
static char *join_items(const struct prc_value *v)
{
	struct prc_buf buf = {0};
	for (size_t i = 0; i < v->nitems; i++) {
		if (i)
			prc_buf_puts(&buf, ", ");
		prc_buf_puts(&buf, v->items[i].f[0]);
	}
	return prc_buf_take(&buf);
}

static char *table_ref(const struct prc_config *cfg, const char *type, const char *file)
{
	return prc_asprintf("%s:${config_directory}/%s", type ? type : V(TABLE_TYPE)->str, file);
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

/* Postfix's default parent_domain_matches_subdomains without smtpd_access_maps:
 * "example.com" in an access table is that domain only, ".example.com" its subdomains. */
static const char PARENT_MATCHES[] = "debug_peer_list, fast_flush_domains, mynetworks, "
                                     "permit_mx_backup_networks, qmqpd_authorized_clients, "
                                     "relay_domains";

/*
 * Sender and recipient policy: extra restrictions in their own lists, never a
 * permission (an OK there ends only that list; smtpd_relay_restrictions still
 * decides who may relay).
 */
static void plan_policy(struct build *b)
{
	const struct prc_config *cfg = b->p->cfg;
	const struct prc_value *snd = V(ALLOWED_SENDER_DOMAINS),
	                       *rcp = V(ALLOWED_RECIPIENT_DOMAINS);
	const struct prc_value *logins = V(SMTPD_SENDER_LOGINS);
	if (logins->nitems || snd->nitems) {
		struct prc_buf r = {0};
		if (logins->nitems)
			prc_buf_puts(&r, "reject_authenticated_sender_login_mismatch");
		if (snd->nitems)
			prc_buf_printf(
			    &r,
			    "%scheck_sender_access %s:${config_directory}/sender_access, "
			    "check_sender_access static:{REJECT sender domain not "
			    "allowed on this relay}",
			    logins->nitems ? ", " : "", V(TABLE_TYPE)->str);
		add_owned(b, "smtpd_sender_restrictions", prc_buf_take(&r),
		          snd->nitems ? snd->origin : logins->origin);
	}
	if (rcp->nitems)
		add_owned(b, "smtpd_recipient_restrictions",
		          prc_asprintf("check_recipient_access %s:${config_directory}/"
		                       "recipient_access, check_recipient_access static:{REJECT "
		                       "recipient domain not allowed on this relay}",
		                       V(TABLE_TYPE)->str),
		          rcp->origin);
	if (snd->nitems || rcp->nitems)
		add_param(b, "parent_domain_matches_subdomains", PARENT_MATCHES,
		          snd->nitems ? snd->origin : rcp->origin);
}

static void plan_params(struct build *b)
{
	const struct prc_config *cfg = b->p->cfg;
	const char *tls_origin = V(USE_TLS)->origin;

	b->section = "Identity";
	fixed(b, "compatibility_level", "3.6");
	from_setting(b, PRC_S_MAILNAME);
	fixed(b, "smtpd_banner", "$myhostname ESMTP");
	fixed(b, "biff", "no");
	fixed(b, "append_dot_mydomain", "no");
	fixed(b, "readme_directory", "no");

	b->section = "Relay only: nothing is delivered locally, mail for MAILNAME's domain is "
	             "relayed too";
	fixed(b, "mydestination", "");
	fixed(b, "local_recipient_maps", "");
	fixed(b, "local_transport", "error:5.1.1 local delivery is disabled on this relay");
	fixed(b, "alias_maps", "");
	fixed(b, "alias_database", "");

	b->section = "Who may relay: MYNETWORKS and authenticated clients, nobody else";
	fixed(b, "inet_interfaces", "all");
	from_setting(b, PRC_S_INET_PROTOCOLS);
	/* the operator's list as written (Postfix reads it), else the entries joined */
	if (V(MYNETWORKS)->str)
		add_param(b, "mynetworks", V(MYNETWORKS)->str, V(MYNETWORKS)->origin);
	else
		add_owned(b, "mynetworks", join_items(V(MYNETWORKS)), V(MYNETWORKS)->origin);
	fixed(b, "smtpd_relay_restrictions",
	      "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination");
	plan_policy(b);
	from_setting(b, PRC_S_DISABLE_VRFY_COMMAND);
	fixed(b, "smtpd_helo_required", "yes");
	/* SMTP smuggling: bare LF and bare CR never end DATA, for any client */
	fixed(b, "smtpd_forbid_bare_newline", "normalize");
	fixed(b, "smtpd_forbid_bare_newline_exclusions", "");
	fixed(b, "smtpd_forbid_unauth_pipelining", "yes");

	b->section = "Messages";
	from_setting(b, PRC_S_SIZELIMIT);
	/* no local delivery: keep Postfix from refusing a SIZELIMIT above the mailbox limit */
	fixed(b, "mailbox_size_limit", "0");
	from_setting(b, PRC_S_POSTFIX_ADD_MISSING_HEADERS);
	if (V(MASQUERADED_DOMAINS)->nitems) {
		const char *o = V(MASQUERADED_DOMAINS)->origin;
		add_owned(b, "masquerade_domains", join_items(V(MASQUERADED_DOMAINS)), o);
		/* every client's headers, not only local submissions' */
		add_param(b, "local_header_rewrite_clients", "static:all", o);
	}
	if (V(HEADER_CHECKS)->b)
		add_owned(b, "header_checks", table_ref(cfg, "regexp", "header_checks"),
		          V(HEADER_CHECKS)->origin);

	b->section = "Rate limits";
	from_setting(b, PRC_S_SMTP_DESTINATION_CONCURRENCY_LIMIT);
	/* a relay host costs 3 round trips per message on a reused TLS
	 * connection, at least: parallel connections are the lever left at a
	 * distance (4.4x Postfix's defaults at 80 ms, bench/distance.sh) */
	if (!V(SMTP_DESTINATION_CONCURRENCY_LIMIT)->set && V(RELAYHOST)->set)
		fixed(b, "smtp_destination_concurrency_limit", "40");
	from_setting(b, PRC_S_SMTP_DESTINATION_RATE_DELAY);
	from_setting(b, PRC_S_SMTP_EXTRA_RECIPIENT_LIMIT);
	b->section = NULL;

	b->section = "Relay host";
	from_setting(b, PRC_S_RELAYHOST);
	from_setting(b, PRC_S_RELAYHOST_FALLBACK);
	if (V(RELAYHOST)->set && prc_relayhost_is_smtps(V(RELAYHOST)->str))
		add_param(b, "default_transport", SMTPS_TRANSPORT, V(RELAYHOST)->origin);
	if (V(TRANSPORT_MAP)->nitems)
		add_owned(b, "transport_maps", table_ref(cfg, NULL, "transport"),
		          V(TRANSPORT_MAP)->origin);
	if (prc_file_used(cfg, PRC_FILE_SENDER_TRANSPORT))
		add_owned(b, "sender_dependent_default_transport_maps",
		          table_ref(cfg, NULL, "sender_transport"), V(RELAYHOST_MAP)->origin);
	if (V(RELAYHOST_MAP)->nitems)
		add_owned(b, "sender_dependent_relayhost_maps",
		          table_ref(cfg, NULL, "sender_relay"), V(RELAYHOST_MAP)->origin);
	if (prc_file_used(cfg, PRC_FILE_SASL_PASSWD)) {
		const char *o = prc_xoauth2_enabled(cfg) && !V(RELAYHOST_PASSWORDMAP)->nitems
		                    ? V(XOAUTH2_CLIENT_ID)->origin
		                    : V(RELAYHOST_PASSWORDMAP)->origin;
		add_param(b, "smtp_sasl_auth_enable", "yes", o);
		add_owned(b, "smtp_sasl_password_maps", table_ref(cfg, NULL, "sasl_passwd"), o);
		fixed(b, "smtp_sasl_security_options", "noanonymous");
		fixed(b, "smtp_sasl_tls_security_options", "noanonymous");
		if (V(SENDER_DEPENDENT_RELAYHOST_AUTH)->b)
			add_param(b, "smtp_sender_dependent_authentication", "yes",
			          V(SENDER_DEPENDENT_RELAYHOST_AUTH)->origin);
	}
	if (prc_xoauth2_enabled(cfg)) {
		/* mail to the relay host goes through the master.cf service "xoauth2",
		 * which offers only that mechanism; a refused token defers (4xx) */
		add_param(b, "default_transport", "xoauth2", V(XOAUTH2_CLIENT_ID)->origin);
		fixed(b, "smtp_sasl_auth_soft_bounce", "yes");
	}

	if (V(SMTPD_USERS)->nitems) {
		const char *o = V(SMTPD_USERS)->origin;
		b->section = "SMTP AUTH for clients (SMTPD_USERS, Cyrus SASL sasldb)";
		add_param(b, "smtpd_sasl_auth_enable", "yes", o);
		fixed(b, "smtpd_sasl_type", "cyrus");
		fixed(b, "smtpd_sasl_path", "smtpd");
		/* Postfix 3.10 (Debian 13) no longer looks in $config_directory/sasl by itself */
		fixed(b, "cyrus_sasl_config_path", "${config_directory}/sasl");
		fixed(b, "smtpd_sasl_local_domain", "$myhostname");
		fixed(b, "smtpd_sasl_security_options", "noanonymous");
		fixed(b, "smtpd_sasl_tls_security_options", "noanonymous");
		fixed(b, "broken_sasl_auth_clients", "yes");
		if (V(SMTPD_SENDER_LOGINS)->nitems)
			add_owned(b, "smtpd_sender_login_maps",
			          table_ref(cfg, NULL, "sender_logins"),
			          V(SMTPD_SENDER_LOGINS)->origin);
	}

	b->section = "TLS towards clients";
	add_param(b, "smtpd_tls_security_level", prc_server_tls_level(cfg),
	          V(USE_TLS)->b ? V(TLS_SECURITY_LEVEL)->origin : tls_origin);
	if (V(USE_TLS)->b) {
		from_path(b, PRC_S_TLS_CRT);
		from_path(b, PRC_S_TLS_KEY);
		from_path(b, PRC_S_TLS_CA);
		from_setting(b, PRC_S_SMTPD_TLS_AUTH_ONLY);
		fixed(b, "smtpd_tls_loglevel", "1");
		fixed(b, "smtpd_tls_received_header", "yes");
	}
	b->section = "TLS towards the relay host and destinations";
	add_param(b, "smtp_tls_security_level", prc_client_tls_level(cfg),
	          !V(USE_TLS)->b ? tls_origin
	          : V(CLIENT_TLS_SECURITY_LEVEL)->explicit || !V(RELAYHOST_AUTH)->b
	              ? V(CLIENT_TLS_SECURITY_LEVEL)->origin
	              : V(RELAYHOST_AUTH)->origin);
	if (V(USE_TLS)->b) {
		from_path(b, PRC_S_CLIENT_TLS_CRT);
		from_path(b, PRC_S_CLIENT_TLS_KEY);
		if (V(CLIENT_TLS_CA)->set)
			from_path(b, PRC_S_CLIENT_TLS_CA);
		else
			fixed(b, "smtp_tls_CApath", "/etc/ssl/certs");
		fixed(b, "smtp_tls_loglevel", "1");
		/* TLS sessions to the relay host are kept open and reused (through
		 * tlsproxy) like plain ones: one handshake per connection, not per
		 * message; +25-35% relay throughput with TLS on both legs (bench/) */
		fixed(b, "smtp_tls_connection_reuse", "yes");
	}

	if (V(USE_DKIM)->b) {
		b->section = "DKIM signing by OpenDKIM (a milter)";
		add_param(b, "smtpd_milters", V(DKIM_SOCKET)->str, V(DKIM_SOCKET)->origin);
		fixed(b, "non_smtpd_milters", "$smtpd_milters");
		from_setting(b, PRC_S_DKIM_MILTER_DEFAULT_ACTION);
		fixed(b, "milter_protocol", "6");
	}

	b->section = "Notices: Postfix's own resource and software notices are kept";
	if (V(POSTMASTER_ADDRESS)->set) {
		const struct prc_value *pm = V(POSTMASTER_ADDRESS);
		add_param(b, "notify_classes",
		          V(BOUNCE_ADDRESS)->set ? "bounce, 2bounce, delay, resource, software"
		                                 : "2bounce, delay, resource, software",
		          pm->origin);
		from_setting(b, PRC_S_BOUNCE_ADDRESS);
		add_param(b, "2bounce_notice_recipient", pm->str, pm->origin);
		add_param(b, "delay_notice_recipient", pm->str, pm->origin);
		add_param(b, "error_notice_recipient", pm->str, pm->origin);
	} else if (V(BOUNCE_ADDRESS)->set) {
		add_param(b, "notify_classes", "bounce, resource, software",
		          V(BOUNCE_ADDRESS)->origin);
		from_setting(b, PRC_S_BOUNCE_ADDRESS);
	} else {
		fixed(b, "notify_classes", "resource, software");
	}

	b->section = "Logging";
	from_setting(b, PRC_S_LOGOUTPUT);
	add_owned(b, "maillog_file_prefixes", log_prefixes(V(LOGOUTPUT)->str),
	          V(LOGOUTPUT)->origin);

	if (strcmp(cfg->root, "/")) {
		b->section = "Self-contained instance: all state under the instance root";
		add_owned(b, "queue_directory", prc_root_path(cfg, "/var/spool/postfix"),
		          POSTRELAY);
		add_owned(b, "data_directory", prc_root_path(cfg, "/var/lib/postfix"), POSTRELAY);
	}
}

/* POSTCONF and POSTFIX_* replace derived values in place, or are appended. */
static void plan_passthrough(struct build *b)
{
	const struct prc_config *cfg = b->p->cfg;
	const struct prc_value *pv = V(POSTCONF);
	b->section = "Passthrough (POSTCONF, POSTFIX_*, postfix.parameters)";
	for (size_t i = 0; i < pv->nitems && !b->oom; i++) {
		const struct prc_item *it = &pv->items[i];
		/* main.cf drops the blanks around a value: plan what Postfix will read */
		const char *v = it->f[1];
		size_t n = strlen(v);
		while (n && (*v == ' ' || *v == '\t'))
			v++, n--;
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		char *trimmed = prc_strndup(v, n);
		char *value = trimmed ? prc_utables_rewrite(cfg, trimmed) : NULL;
		free(trimmed);
		if (!value) {
			b->oom = true;
			break;
		}
		struct prc_plan_param *found = NULL;
		for (size_t k = 0; k < b->p->nparams && !found; k++)
			if (!strcmp(b->p->params[k].name, it->f[0]))
				found = &b->p->params[k];
		if (!found) {
			found = add_param(b, it->f[0], value, it->origin);
			free(value);
		} else {
			char *origin = prc_strdup(it->origin);
			if (!origin) {
				free(value);
				b->oom = true;
				break;
			}
			free(found->value);
			free(found->origin);
			found->value = value;
			found->origin = origin;
		}
		if (found)
			found->passthrough = true;
	}
}

const struct prc_plan_param *prc_plan_find(const struct prc_plan *p, const char *name)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (!strcmp(p->params[i].name, name))
			return &p->params[i];
	return NULL;
}

/* ---- state ------------------------------------------------------------ */

static const struct {
	const char *param, *fallback;
} state_params[PRC_STATE_COUNT] = {
    [PRC_STATE_CONFIG_DIR] = {"config_directory", NULL},
    [PRC_STATE_QUEUE_DIR] = {"queue_directory", "/var/spool/postfix"},
    [PRC_STATE_DATA_DIR] = {"data_directory", "/var/lib/postfix"},
    [PRC_STATE_DAEMON_DIR] = {"daemon_directory", "/usr/lib/postfix/sbin"},
    [PRC_STATE_MAIL_OWNER] = {"mail_owner", "postfix"},
    [PRC_STATE_SETGID_GROUP] = {"setgid_group", "postdrop"},
    [PRC_STATE_MAILLOG_FILE] = {"maillog_file", ""},
    [PRC_STATE_SASLDB] = {NULL, NULL},
};

/* The value of @name for $-expansion: the plan's, a state default, or NULL. */
static const char *lookup_for_expansion(const struct prc_plan *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strlen(p->params[i].name) == len && !strncmp(p->params[i].name, name, len))
			return p->params[i].value;
	if (len == strlen("config_directory") && !strncmp(name, "config_directory", len))
		return p->dirs[PRC_DIR_POSTFIX];
	for (size_t i = 0; i < PRC_STATE_COUNT; i++)
		if (state_params[i].param && strlen(state_params[i].param) == len &&
		    !strncmp(state_params[i].param, name, len))
			return state_params[i].fallback;
	return NULL;
}

/*
 * Expand $name, ${name} and $(name) in @value as Postfix would, from the
 * plan's own parameters and the defaults above; NULL with *unknown set to the
 * name (borrowed from @value) when a reference cannot be resolved, NULL on
 * OOM otherwise.
 */
static char *expand(const struct prc_plan *p, const char *value, int depth, const char **unknown,
                    size_t *unknown_len)
{
	struct prc_buf out = {0};
	for (const char *s = value; *s;) {
		if (*s != '$') {
			prc_buf_putc(&out, *s++);
			continue;
		}
		s++;
		const char *name = s;
		size_t len;
		char close = *s == '{' ? '}' : *s == '(' ? ')' : 0;
		if (close) {
			name = ++s;
			const char *e = strchr(s, close);
			len = e ? (size_t)(e - s) : strlen(s);
			s += len + (e ? 1 : 0);
		} else {
			len = 0;
			while ((name[len] >= 'a' && name[len] <= 'z') ||
			       (name[len] >= 'A' && name[len] <= 'Z') ||
			       (name[len] >= '0' && name[len] <= '9') || name[len] == '_')
				len++;
			s += len;
		}
		const char *v = len ? lookup_for_expansion(p, name, len) : NULL;
		if (!v || depth > 8) {
			*unknown = name;
			*unknown_len = len;
			prc_buf_free(&out);
			return NULL;
		}
		char *sub = expand(p, v, depth + 1, unknown, unknown_len);
		if (!sub) {
			prc_buf_free(&out);
			return NULL;
		}
		prc_buf_puts(&out, sub);
		free(sub);
	}
	return prc_buf_take(&out);
}

static void plan_state(struct build *b)
{
	struct prc_plan *p = b->p;
	for (size_t i = 0; i < PRC_STATE_COUNT && !b->oom; i++) {
		if (i == PRC_STATE_CONFIG_DIR) {
			p->state[i] = dup_or_oom(b, p->dirs[PRC_DIR_POSTFIX]);
			p->state_origin[i] = POSTRELAY;
			continue;
		}
		if (i == PRC_STATE_SASLDB) {
			if (!(p->state[i] = prc_instance_path(p->cfg, PRC_PATH_SASLDB)))
				b->oom = true;
			p->state_origin[i] = POSTRELAY;
			continue;
		}
		const struct prc_plan_param *x = prc_plan_find(p, state_params[i].param);
		const char *value = x ? x->value : state_params[i].fallback;
		p->state_origin[i] = x ? x->origin : POSTFIX_DEFAULT;
		const char *unknown = NULL;
		size_t ulen = 0;
		p->state[i] = expand(p, value, 0, &unknown, &ulen);
		if (p->state[i])
			continue;
		if (!unknown) {
			b->oom = true;
			break;
		}
		prc_diag(b->d, PRC_SEV_ERROR, "unresolved", x ? x->origin : "", "POSTCONF",
		         "parameter %s: '%s' refers to $%.*s, which postrelay cannot resolve; give "
		         "the value itself",
		         state_params[i].param, value, (int)ulen, unknown);
		b->errors++;
	}
}

/*
 * The queue and data directories as Postfix's postfix-files lays them out:
 * relative to the queue directory unless marked, owner, setgid group, mode.
 */
static const struct state_dir {
	const char *name; /* NULL: the queue directory itself */
	bool data;        /* the data directory instead */
	enum prc_owner owner;
	bool setgid_group;
	unsigned mode;
} state_dirs[] = {
    {NULL, false, PRC_OWNER_ROOT, false, 0755},
    {NULL, true, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"active", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"bounce", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"corrupt", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"defer", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"deferred", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"flush", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"hold", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"incoming", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"private", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"saved", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"trace", false, PRC_OWNER_MAIL_OWNER, false, 0700},
    {"maildrop", false, PRC_OWNER_MAIL_OWNER, true, 0730},
    {"public", false, PRC_OWNER_MAIL_OWNER, true, 0710},
    {"pid", false, PRC_OWNER_ROOT, false, 0755},
};

#define N_STATE_DIRS (sizeof(state_dirs) / sizeof(state_dirs[0]))

static void plan_state_dirs(struct build *b)
{
	struct prc_plan *p = b->p;
	if (b->oom || b->errors)
		return;
	if (!(p->state_dir_paths = calloc(N_STATE_DIRS, sizeof(char *)))) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < N_STATE_DIRS && !b->oom; i++) {
		const struct state_dir *s = &state_dirs[i];
		const char *base = p->state[s->data ? PRC_STATE_DATA_DIR : PRC_STATE_QUEUE_DIR];
		p->state_dir_paths[i] =
		    s->name ? prc_asprintf("%s/%s", base, s->name) : prc_strdup(base);
		if (!p->state_dir_paths[i])
			b->oom = true;
	}
	p->nstate_dirs = N_STATE_DIRS;
}

PRC_EXPORT size_t prc_plan_state_dir_count(const struct prc_plan *p)
{
	return p ? p->nstate_dirs : 0;
}

PRC_EXPORT int prc_plan_state_dir(const struct prc_plan *p, size_t i, const char **path,
                                  enum prc_owner *owner, bool *setgid_group, unsigned *mode)
{
	if (!p || i >= p->nstate_dirs)
		return PRC_ERR_ARG;
	if (path)
		*path = p->state_dir_paths[i];
	if (owner)
		*owner = state_dirs[i].owner;
	if (setgid_group)
		*setgid_group = state_dirs[i].setgid_group;
	if (mode)
		*mode = state_dirs[i].mode;
	return PRC_OK;
}

/* ---- tables ----------------------------------------------------------- */

/*
 * A key as Postfix looks it up in an indexed table: folded to lower case
 * (ASCII), as postmap folds it.  Borrowed when it has no upper case letter,
 * else a folded copy in *own (NULL on OOM).
 */
static const char *fold(const char *s, char **own)
{
	*own = NULL;
	const char *c = s;
	while (*c && !(*c >= 'A' && *c <= 'Z'))
		c++;
	if (!*c)
		return s;
	if (!(*own = prc_strdup(s)))
		return NULL;
	for (char *d = *own + (c - s); *d; d++)
		if (*d >= 'A' && *d <= 'Z')
			*d = (char)(*d - 'A' + 'a');
	return *own;
}

static void table_init(struct build *b, enum prc_file file, const char *type, size_t n)
{
	struct prc_plan_table *t = &b->p->tables[file];
	t->file = file;
	t->type = type;
	b->p->is_table[file] = true;
	if (!n || b->oom)
		return;
	if (!(t->e = calloc(n, sizeof(*t->e))))
		b->oom = true;
}

/* Add an entry; @own_key and @own_value (may be NULL) become the plan's. */
static void table_add(struct build *b, enum prc_file file, const char *key, char *own_key,
                      const char *value, char *own_value, const char *origin)
{
	struct prc_plan_table *t = &b->p->tables[file];
	if (!key || !value || b->oom) {
		free(own_key);
		free(own_value);
		b->oom = true;
		return;
	}
	t->e[t->n++] =
	    (struct prc_plan_entry){key, value, origin, own_key != NULL, own_value != NULL};
}

/* Add an entry whose key and value are newly allocated (NULL: out of memory). */
static void table_add_owned(struct build *b, enum prc_file file, char *key, char *value,
                            const char *origin)
{
	table_add(b, file, key, key, value, value, origin);
}

/* A folded copy of @s (caller frees; NULL on OOM). */
static char *fold_copy(const char *s)
{
	char *own;
	const char *f = fold(s, &own);
	return own ? own : f ? prc_strdup(f) : NULL;
}

static const char *indexed_type(const struct prc_config *cfg)
{
	static const char *const types[] = {"hash", "lmdb", "cdb"};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(V(TABLE_TYPE)->str, types[i]))
			return types[i];
	return "hash";
}

/* "smtp:[host]:port", or the implicit-TLS transport for a relay on port 465. */
static char *transport_for(const char *relayhost)
{
	return prc_asprintf("%s:%s", prc_relayhost_is_smtps(relayhost) ? SMTPS_TRANSPORT : "smtp",
	                    relayhost);
}

/* Sort key for merging sender logins: the folded sender. */
struct login_key {
	char *sender;
	const char *user, *origin;
	size_t order;
};

static int login_key_cmp(const void *a, const void *b)
{
	const struct login_key *x = a, *y = b;
	int c = strcmp(x->sender, y->sender);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* sender_logins: each sender (folded) with every user that may use it, comma separated. */
static void plan_sender_logins(struct build *b, const char *type)
{
	const struct prc_config *cfg = b->p->cfg;
	const struct prc_value *v = V(SMTPD_SENDER_LOGINS);
	size_t n = 0;
	for (size_t i = 0; i < v->nitems; i++)
		for (const char *s = v->items[i].f[1]; *s;) {
			s += strspn(s, "| ");
			size_t len = strcspn(s, "| ");
			n += len > 0;
			s += len;
		}
	table_init(b, PRC_FILE_SENDER_LOGINS, type, n);
	if (!n || b->oom)
		return;
	struct login_key *k = calloc(n, sizeof(*k));
	if (!k) {
		b->oom = true;
		return;
	}
	size_t m = 0;
	for (size_t i = 0; i < v->nitems && !b->oom; i++)
		for (const char *s = v->items[i].f[1]; *s && !b->oom;) {
			s += strspn(s, "| ");
			size_t len = strcspn(s, "| ");
			if (!len)
				break;
			char *raw = prc_strndup(s, len);
			k[m] = (struct login_key){raw ? fold_copy(raw) : NULL, v->items[i].f[0],
			                          v->items[i].origin, m};
			free(raw);
			if (!k[m++].sender)
				b->oom = true;
			s += len;
		}
	if (!b->oom)
		qsort(k, m, sizeof(*k), login_key_cmp);
	for (size_t i = 0; i < m && !b->oom;) {
		struct prc_buf users = {0};
		size_t j = i;
		for (; j < m && !strcmp(k[j].sender, k[i].sender); j++) {
			if (j > i)
				prc_buf_puts(&users, ", ");
			/* the login smtpd sees: "user" logs in within MAILNAME
			 * (smtpd_sasl_local_domain), as in plan_users() */
			prc_buf_puts(&users, k[j].user);
			if (!strchr(k[j].user, '@'))
				prc_buf_printf(&users, "@%s", V(MAILNAME)->str);
		}
		table_add_owned(b, PRC_FILE_SENDER_LOGINS, prc_strdup(k[i].sender),
		                prc_buf_take(&users), k[i].origin);
		i = j;
	}
	for (size_t i = 0; i < m; i++)
		free(k[i].sender);
	free(k);
}

/* The policy and routing tables: sender_access, recipient_access, sender_logins,
 * transport, sender_transport. */
static void plan_policy_tables(struct build *b, const char *type)
{
	const struct prc_config *cfg = b->p->cfg;
	const struct prc_value *snd = V(ALLOWED_SENDER_DOMAINS);
	/* the null sender (bounces) may always relay: Postfix looks it up as <> */
	table_init(b, PRC_FILE_SENDER_ACCESS, type, snd->nitems ? snd->nitems + 1 : 0);
	if (snd->nitems)
		table_add_owned(b, PRC_FILE_SENDER_ACCESS, prc_strdup("<>"), prc_strdup("OK"),
		                snd->origin);
	for (size_t i = 0; i < snd->nitems && !b->oom; i++)
		table_add_owned(b, PRC_FILE_SENDER_ACCESS, fold_copy(snd->items[i].f[0]),
		                prc_strdup("OK"), snd->items[i].origin);
	const struct prc_value *rcp = V(ALLOWED_RECIPIENT_DOMAINS);
	table_init(b, PRC_FILE_RECIPIENT_ACCESS, type, rcp->nitems);
	for (size_t i = 0; i < rcp->nitems && !b->oom; i++)
		table_add_owned(b, PRC_FILE_RECIPIENT_ACCESS, fold_copy(rcp->items[i].f[0]),
		                prc_strdup("OK"), rcp->items[i].origin);
	plan_sender_logins(b, type);
	const struct prc_value *tr = V(TRANSPORT_MAP);
	table_init(b, PRC_FILE_TRANSPORT, type, tr->nitems);
	for (size_t i = 0; i < tr->nitems && !b->oom; i++)
		table_add_owned(b, PRC_FILE_TRANSPORT, fold_copy(tr->items[i].f[0]),
		                transport_for(tr->items[i].f[1]), tr->items[i].origin);
	const struct prc_value *map = V(RELAYHOST_MAP);
	bool st = prc_file_used(cfg, PRC_FILE_SENDER_TRANSPORT);
	table_init(b, PRC_FILE_SENDER_TRANSPORT, type, st ? map->nitems : 0);
	for (size_t i = 0; st && i < map->nitems && !b->oom; i++)
		table_add_owned(b, PRC_FILE_SENDER_TRANSPORT, fold_copy(map->items[i].f[0]),
		                transport_for(map->items[i].f[1]), map->items[i].origin);
}

static void plan_tables(struct build *b)
{
	const struct prc_config *cfg = b->p->cfg;
	const char *type = indexed_type(cfg);
	const struct prc_value *creds = V(RELAYHOST_PASSWORDMAP);
	bool use = prc_file_used(cfg, PRC_FILE_SASL_PASSWD) && prc_relay_auth_enabled(cfg);
	table_init(b, PRC_FILE_SASL_PASSWD, type, use ? creds->nitems : 0);
	for (size_t i = 0; use && i < creds->nitems && !b->oom; i++) {
		const struct prc_item *it = &creds->items[i];
		const char *hop = prc_credential_next_hop(cfg, it);
		char *own_key, *value = prc_asprintf("%s:%s", it->f[1], it->f[2]);
		const char *key = fold(hop ? hop : "", &own_key);
		table_add(b, PRC_FILE_SASL_PASSWD, key, own_key, value, value, it->origin);
	}
	if (prc_xoauth2_enabled(cfg) && V(RELAYHOST)->str && V(RELAYHOST_USERNAME)->str &&
	    !b->oom) {
		/* the refresher replaces the token; until it has one, the initial one */
		struct prc_plan_table *t = &b->p->tables[PRC_FILE_SASL_PASSWD];
		struct prc_plan_entry *e = realloc(t->e, (t->n + 1) * sizeof(*e));
		const struct prc_value *tok = V(XOAUTH2_INITIAL_ACCESS_TOKEN);
		if (!e) {
			b->oom = true;
		} else {
			t->e = e;
			if (!(b->p->xoauth2_key = fold_copy(V(RELAYHOST)->str)))
				b->oom = true;
			table_add_owned(b, PRC_FILE_SASL_PASSWD, fold_copy(V(RELAYHOST)->str),
			                prc_asprintf("%s:%s", V(RELAYHOST_USERNAME)->str,
			                             tok->set ? tok->str : ""),
			                V(XOAUTH2_CLIENT_ID)->origin);
		}
	}
	const struct prc_value *map = V(RELAYHOST_MAP);
	table_init(b, PRC_FILE_SENDER_RELAY, type, map->nitems);
	for (size_t i = 0; i < map->nitems && !b->oom; i++) {
		char *own_key;
		const char *key = fold(map->items[i].f[0], &own_key);
		table_add(b, PRC_FILE_SENDER_RELAY, key, own_key, map->items[i].f[1], NULL,
		          map->items[i].origin);
	}
	plan_policy_tables(b, type);
	/* privacy: drop headers that reveal the sending client or its software */
	static const char *const hidden[] = {"/^Received:/", "/^X-Originating-IP:/", "/^X-Mailer:/",
	                                     "/^User-Agent:/"};
	size_t nh = V(HEADER_CHECKS)->b ? sizeof(hidden) / sizeof(hidden[0]) : 0;
	table_init(b, PRC_FILE_HEADER_CHECKS, "regexp", nh);
	for (size_t i = 0; i < nh && !b->oom; i++)
		table_add(b, PRC_FILE_HEADER_CHECKS, hidden[i], NULL, "IGNORE", NULL,
		          V(HEADER_CHECKS)->origin);
}

/*
 * The user's own tables, after the fixed files: each a Postfix config
 * directory file of its type, its entries as Postfix reads them (keys of
 * indexed tables folded).
 */
static void plan_user_tables(struct build *b)
{
	const struct prc_config *cfg = b->p->cfg;
	const struct prc_value *tv = V(POSTMAP);
	if (!tv->nitems || b->oom)
		return;
	const char **types = calloc(tv->nitems, sizeof(*types));
	bool *secret = calloc(tv->nitems, sizeof(*secret));
	size_t errors = 0;
	if (!types || !secret || prc_utables_resolve(cfg, types, secret, NULL, &errors)) {
		free(types);
		free(secret);
		b->oom = true;
		return;
	}
	for (size_t t = 0; t < tv->nitems && !b->oom; t++) {
		const struct prc_item *it = &tv->items[t];
		enum prc_file f = (enum prc_file)(PRC_FILE_COUNT + t);
		struct prc_plan_file *x = &b->p->files[f];
		x->used = true;
		x->dir = PRC_DIR_POSTFIX;
		x->name = it->f[UT_NAME];
		x->mode = secret[t] ? 0600 : 0644;
		x->owner = PRC_OWNER_ROOT;
		if (!(x->path = prc_asprintf("%s/%s", b->p->dirs[PRC_DIR_POSTFIX], x->name))) {
			b->oom = true;
			break;
		}
		struct prc_utable_entry *e = NULL;
		size_t n = 0;
		if (!types[t])
			types[t] = "hash"; /* only without validation (prc_emit) */
		if (prc_utable_parse(it, types[t], NULL, NULL, &e, &n)) {
			b->oom = true;
			break;
		}
		table_init(b, f, types[t], n);
		for (size_t i = 0; i < n; i++) {
			if (!b->oom)
				table_add(b, f, e[i].key, e[i].key, e[i].value, e[i].value,
				          it->origin);
			else {
				free(e[i].key);
				free(e[i].value);
			}
		}
		free(e);
	}
	free(types);
	free(secret);
}

/* ---- users, milters, signers -------------------------------------------- */

static void plan_users(struct build *b)
{
	const struct prc_config *cfg = b->p->cfg;
	const struct prc_value *u = V(SMTPD_USERS);
	if (!u->nitems || b->oom)
		return;
	if (!(b->p->users = calloc(u->nitems, sizeof(*b->p->users)))) {
		b->oom = true;
		return;
	}
	/* "user" logs in within MAILNAME (smtpd_sasl_local_domain), "user@domain"
	 * within "domain", as saslpasswd2 -u would store them */
	for (size_t i = 0; i < u->nitems && !b->oom; i++) {
		const char *name = u->items[i].f[0], *at = strrchr(name, '@');
		struct prc_plan_user *x = &b->p->users[b->p->nusers];
		x->user = at ? prc_strndup(name, (size_t)(at - name)) : prc_strdup(name);
		x->realm = prc_strdup(at ? at + 1 : V(MAILNAME)->str);
		x->password = u->items[i].f[1];
		x->origin = u->items[i].origin;
		b->p->nusers++;
		if (!x->user || !x->realm)
			b->oom = true;
	}
}

static void plan_milters(struct build *b)
{
	struct prc_plan *p = b->p;
	const struct prc_plan_param *m = prc_plan_find(p, "smtpd_milters");
	if (!m || b->oom)
		return;
	const char *unknown = NULL;
	size_t ulen = 0;
	char *v = expand(p, m->value, 0, &unknown, &ulen);
	if (!v) {
		if (!unknown) {
			b->oom = true;
			return;
		}
		prc_diag(b->d, PRC_SEV_ERROR, "unresolved", m->origin, "POSTCONF",
		         "parameter smtpd_milters: '%s' refers to $%.*s, which postrelay cannot "
		         "resolve",
		         m->value, (int)ulen, unknown);
		b->errors++;
		return;
	}
	size_t cap = 1;
	for (const char *s = v; *s; s++)
		cap += *s == ',' || *s == ' ' || *s == '\t';
	if (!(p->milters = calloc(cap, sizeof(*p->milters)))) {
		free(v);
		b->oom = true;
		return;
	}
	/* milters are words; { milter, attr=value } groups hold attributes */
	for (char *s = v; *s && !b->oom;) {
		s += strspn(s, " \t,{}");
		size_t len = strcspn(s, " \t,{}");
		if (!len)
			break;
		if (!memchr(s, '=', len)) {
			char *w = prc_strndup(s, len);
			if (!w)
				b->oom = true;
			else
				p->milters[p->nmilters++] = w;
		}
		s += len;
	}
	free(v);
}

/*
 * With key copies, each signer's key is installed as OpenDKIM's own copy,
 * ROOT/etc/opendkim/keys/DOMAIN.key, and the KeyTable names the copy.
 */
static void plan_key_copies(struct build *b)
{
	struct prc_plan *p = b->p;
	if (b->oom || !p->cfg->dkim_key_copies || !p->cfg->v[PRC_S_USE_DKIM].b || !p->nsigners)
		return;
	if (!(p->key_sources = calloc(p->nsigners, sizeof(*p->key_sources)))) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < p->nsigners; i++) {
		char *dest =
		    prc_asprintf("%s/keys/%s.key", p->dirs[PRC_DIR_OPENDKIM], p->signers[i].domain);
		if (!dest) {
			b->oom = true;
			return;
		}
		p->key_sources[p->ncopies++] = p->signers[i].key;
		p->signers[i].key = dest;
	}
}

PRC_EXPORT size_t prc_plan_key_copy_count(const struct prc_plan *p)
{
	return p ? p->ncopies : 0;
}

PRC_EXPORT int prc_plan_key_copy(const struct prc_plan *p, size_t i, const char **source,
                                 const char **dest)
{
	if (!p || i >= p->ncopies)
		return PRC_ERR_ARG;
	if (source)
		*source = p->key_sources[i];
	if (dest)
		*dest = p->signers[i].key;
	return PRC_OK;
}

/* ---- the whole plan ----------------------------------------------------- */

PRC_EXPORT void prc_plan_free(struct prc_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].value);
		free(p->params[i].origin);
	}
	free(p->params);
	free(p->xoauth2_key);
	free(p->xoauth2_state);
	for (size_t f = 0; p->tables && p->files && f < p->nfiles; f++) {
		for (size_t i = 0; i < p->tables[f].n; i++) {
			struct prc_plan_entry *e = &p->tables[f].e[i];
			if (e->own_key)
				free((char *)e->key);
			if (e->own_value)
				free((char *)e->value);
		}
		free(p->tables[f].e);
		free(p->files[f].path);
	}
	free(p->tables);
	free(p->files);
	free(p->is_table);
	for (size_t i = 0; i < PRC_DIR_COUNT; i++)
		free(p->dirs[i]);
	for (size_t i = 0; i < PRC_STATE_COUNT; i++)
		free(p->state[i]);
	for (size_t i = 0; p->state_dir_paths && i < N_STATE_DIRS; i++)
		free(p->state_dir_paths[i]);
	free(p->state_dir_paths);
	for (size_t i = 0; i < p->nmilters; i++)
		free(p->milters[i]);
	free(p->milters);
	for (size_t i = 0; i < p->nusers; i++) {
		free(p->users[i].user);
		free(p->users[i].realm);
	}
	free(p->users);
	prc_dkim_signers_free(p->signers, p->nsigners);
	for (size_t i = 0; i < p->ncopies; i++)
		free(p->key_sources[i]);
	free(p->key_sources);
	free(p->services);
	for (size_t i = 0; i < p->nmaster; i++)
		prc_master_entry_free(&p->master[i]);
	free(p->master);
	free(p);
}

/* The user's master.cf lines (validated) over the planned services, or added after them. */
static void plan_master_overrides(struct build *b, struct prc_plan_service *s, size_t *n)
{
	const struct prc_value *m = &b->p->cfg->v[PRC_S_MASTER_SERVICES];
	for (size_t i = 0; i < m->nitems && !b->oom; i++) {
		struct prc_master_entry *e = &b->p->master[b->p->nmaster];
		if (prc_master_parse(m->items[i].f[0], m->items[i].f[1], e)) {
			b->oom = true; /* validated: only memory can fail */
			return;
		}
		b->p->nmaster++;
		size_t j = 0;
		while (j < *n && (strcmp(s[j].name, e->col[0]) || strcmp(s[j].type, e->col[1])))
			j++;
		unsigned port = j < *n                      ? s[j].port
		                : strcmp(e->col[1], "inet") ? 0
		                                            : prc_master_inet_port(e->col[0]);
		s[j] =
		    (struct prc_plan_service){e->col[0], e->col[1], e->col[2], e->col[3], e->col[4],
		                              e->col[5], e->col[6], e->col[7], e->args,   port};
		if (j == *n)
			(*n)++;
	}
}

/* The services: the fixed ones, and the implicit-TLS transport when a relay is on 465. */
static void plan_services(struct build *b)
{
	const struct prc_config *cfg = b->p->cfg;
	/* the last static service, xoauth2, only with an XOAUTH2 login */
	size_t n = prc_layout_nservices - !prc_xoauth2_enabled(cfg);
	bool smtps = prc_smtps_used(cfg);
	size_t nm = cfg->v[PRC_S_MASTER_SERVICES].nitems;
	if (nm && !(b->p->master = calloc(nm, sizeof(*b->p->master)))) {
		b->oom = true;
		return;
	}
	struct prc_plan_service *s = calloc(n + 1 + nm, sizeof(*s));
	if (!s) {
		b->oom = true;
		return;
	}
	memcpy(s, prc_layout_services, n * sizeof(*s));
	if (smtps) {
		const char *level = prc_client_tls_level(cfg);
		bool low = !strcmp(level, "none") || !strcmp(level, "may");
		s[n++] = low ? prc_layout_smtps_service : prc_layout_smtps_service_keep_level;
	}
	plan_master_overrides(b, s, &n);
	b->p->services = s;
	b->p->nservices = n;
}

/* Build the plan of a validated configuration; plan-level problems go to @d. */
int prc_plan_build(const struct prc_config *cfg, struct prc_diags *d, struct prc_plan **out)
{
	struct prc_plan *p = calloc(1, sizeof(*p));
	if (!p)
		return PRC_ERR_NOMEM;
	struct build b = {.p = p, .d = d};
	p->cfg = cfg;
	p->nfiles = PRC_FILE_COUNT + V(POSTMAP)->nitems;
	p->tables = calloc(p->nfiles, sizeof(*p->tables));
	p->files = calloc(p->nfiles, sizeof(*p->files));
	p->is_table = calloc(p->nfiles, sizeof(*p->is_table));
	if (!p->tables || !p->files || !p->is_table) {
		prc_plan_free(p);
		return PRC_ERR_NOMEM;
	}
	plan_services(&b);
	if (!(p->dirs[PRC_DIR_POSTFIX] = prc_instance_path(cfg, PRC_PATH_POSTFIX_DIR)) ||
	    !(p->dirs[PRC_DIR_OPENDKIM] = prc_instance_path(cfg, PRC_PATH_OPENDKIM_DIR)))
		b.oom = true;
	for (size_t f = 0; f < PRC_FILE_COUNT && !b.oom; f++) {
		struct prc_plan_file *x = &p->files[f];
		x->used = prc_file_used(cfg, f);
		x->dir = prc_layout_files[f].dir;
		x->name = prc_layout_files[f].name;
		x->mode = prc_layout_files[f].secret ? 0600 : 0644;
		x->owner = PRC_OWNER_ROOT;
		if (!(x->path = prc_asprintf("%s/%s", p->dirs[x->dir], x->name)))
			b.oom = true;
	}
	plan_params(&b);
	plan_passthrough(&b);
	plan_tables(&b);
	plan_user_tables(&b);
	plan_users(&b);
	plan_state(&b);
	/* the token state goes with the queue (the spool volume) unless placed elsewhere */
	if (!b.oom && p->xoauth2_key) {
		p->xoauth2_state =
		    V(XOAUTH2_STATE_FILE)->set
		        ? prc_setting_path(cfg, PRC_S_XOAUTH2_STATE_FILE)
		        : prc_asprintf("%s/xoauth2-token.json", p->state[PRC_STATE_QUEUE_DIR]);
		if (!p->xoauth2_state)
			b.oom = true;
	}
	plan_state_dirs(&b);
	plan_milters(&b);
	char *gen_dir =
	    b.oom || b.errors ? NULL : prc_dkim_gen_dir(cfg, p->state[PRC_STATE_QUEUE_DIR]);
	if (!b.oom && !b.errors &&
	    (!gen_dir || prc_dkim_signers_at(cfg, gen_dir, &p->signers, &p->nsigners)))
		b.oom = true;
	free(gen_dir);
	plan_key_copies(&b);
	if (b.oom || b.errors) {
		prc_plan_free(p);
		return b.oom ? PRC_ERR_NOMEM : PRC_ERR_INVALID;
	}
	*out = p;
	return PRC_OK;
}

PRC_EXPORT int prc_plan_new(struct prc_plan **out, struct prc_config *cfg, struct prc_diags *d)
{
	if (!out || !cfg)
		return PRC_ERR_ARG;
	int rc = prc_config_validate(cfg, d);
	return rc ? rc : prc_plan_build(cfg, d, out);
}

/* ---- accessors ---------------------------------------------------------- */

PRC_EXPORT size_t prc_plan_param_count(const struct prc_plan *p)
{
	return p ? p->nparams : 0;
}

PRC_EXPORT const char *prc_plan_param_name(const struct prc_plan *p, size_t i)
{
	return p && i < p->nparams ? p->params[i].name : NULL;
}

PRC_EXPORT const char *prc_plan_param_value(const struct prc_plan *p, size_t i)
{
	return p && i < p->nparams ? p->params[i].value : NULL;
}

PRC_EXPORT const char *prc_plan_param_origin(const struct prc_plan *p, size_t i)
{
	return p && i < p->nparams ? p->params[i].origin : NULL;
}

PRC_EXPORT const char *prc_plan_param(const struct prc_plan *p, const char *name,
                                      const char **origin)
{
	const struct prc_plan_param *x = p && name ? prc_plan_find(p, name) : NULL;
	if (origin)
		*origin = x ? x->origin : NULL;
	return x ? x->value : NULL;
}

PRC_EXPORT bool prc_plan_file_used(const struct prc_plan *p, enum prc_file f)
{
	return p && (size_t)f < p->nfiles && p->files[f].used;
}

PRC_EXPORT const char *prc_plan_file_path(const struct prc_plan *p, enum prc_file f)
{
	return p && (size_t)f < p->nfiles ? p->files[f].path : NULL;
}

PRC_EXPORT enum prc_dir prc_plan_file_dir(const struct prc_plan *p, enum prc_file f)
{
	return p && (size_t)f < p->nfiles ? p->files[f].dir : PRC_DIR_POSTFIX;
}

PRC_EXPORT unsigned prc_plan_file_mode(const struct prc_plan *p, enum prc_file f)
{
	return p && (size_t)f < p->nfiles ? p->files[f].mode : 0;
}

PRC_EXPORT enum prc_owner prc_plan_file_owner(const struct prc_plan *p, enum prc_file f)
{
	return p && (size_t)f < p->nfiles ? p->files[f].owner : PRC_OWNER_ROOT;
}

PRC_EXPORT size_t prc_plan_file_count(const struct prc_plan *p)
{
	return p ? p->nfiles : 0;
}

PRC_EXPORT const char *prc_plan_file_name(const struct prc_plan *p, enum prc_file f)
{
	return p && (size_t)f < p->nfiles ? p->files[f].name : NULL;
}

PRC_EXPORT const char *prc_plan_dir(const struct prc_plan *p, enum prc_dir dir)
{
	return p && (unsigned)dir < PRC_DIR_COUNT ? p->dirs[dir] : NULL;
}

PRC_EXPORT bool prc_plan_table(const struct prc_plan *p, enum prc_file f, const char **type)
{
	bool is = p && (size_t)f < p->nfiles && p->is_table[f];
	if (type)
		*type = is ? p->tables[f].type : NULL;
	return is;
}

PRC_EXPORT size_t prc_plan_table_count(const struct prc_plan *p, enum prc_file f)
{
	return p && (size_t)f < p->nfiles ? p->tables[f].n : 0;
}

PRC_EXPORT int prc_plan_table_entry(const struct prc_plan *p, enum prc_file f, size_t i,
                                    const char **key, const char **value, const char **origin)
{
	if (i >= prc_plan_table_count(p, f))
		return PRC_ERR_ARG;
	const struct prc_plan_entry *e = &p->tables[f].e[i];
	if (key)
		*key = e->key;
	if (value)
		*value = e->value;
	if (origin)
		*origin = e->origin;
	return PRC_OK;
}

PRC_EXPORT const char *prc_plan_state(const struct prc_plan *p, enum prc_state which,
                                      const char **origin)
{
	bool ok = p && (unsigned)which < PRC_STATE_COUNT;
	if (origin)
		*origin = ok ? p->state_origin[which] : NULL;
	return ok ? p->state[which] : NULL;
}

PRC_EXPORT size_t prc_plan_service_count(const struct prc_plan *p)
{
	return p ? p->nservices : 0;
}

PRC_EXPORT int prc_plan_service(const struct prc_plan *p, size_t i, const char **name,
                                const char **type, const char **command, unsigned *port)
{
	if (!p || i >= p->nservices)
		return PRC_ERR_ARG;
	const struct prc_plan_service *s = &p->services[i];
	if (name)
		*name = s->name;
	if (type)
		*type = s->type;
	if (command)
		*command = s->command;
	if (port)
		*port = s->port;
	return PRC_OK;
}

PRC_EXPORT bool prc_plan_oauth_login(const struct prc_plan *p, const char **key, const char **user,
                                     const char **state_file)
{
	bool on = p && p->xoauth2_key;
	if (key)
		*key = on ? p->xoauth2_key : NULL;
	if (user)
		*user = on ? p->cfg->v[PRC_S_RELAYHOST_USERNAME].str : NULL;
	if (state_file)
		*state_file = on ? p->xoauth2_state : NULL;
	return on;
}

PRC_EXPORT int prc_plan_oauth_set_token(struct prc_plan *p, const char *access)
{
	if (!p || !p->xoauth2_key || !access)
		return PRC_ERR_ARG;
	struct prc_plan_table *t = &p->tables[PRC_FILE_SASL_PASSWD];
	for (size_t i = 0; i < t->n; i++) {
		struct prc_plan_entry *e = &t->e[i];
		if (strcmp(e->key, p->xoauth2_key))
			continue;
		char *v = prc_asprintf("%s:%s", p->cfg->v[PRC_S_RELAYHOST_USERNAME].str, access);
		if (!v)
			return PRC_ERR_NOMEM;
		if (e->own_value) {
			/* the token it replaces is a secret too */
			explicit_bzero((char *)e->value, strlen(e->value));
			free((char *)e->value);
		}
		e->value = v;
		e->own_value = true;
		return PRC_OK;
	}
	return PRC_ERR_ARG;
}

PRC_EXPORT size_t prc_plan_milter_count(const struct prc_plan *p)
{
	return p ? p->nmilters : 0;
}

PRC_EXPORT const char *prc_plan_milter(const struct prc_plan *p, size_t i)
{
	return p && i < p->nmilters ? p->milters[i] : NULL;
}

PRC_EXPORT size_t prc_plan_user_count(const struct prc_plan *p)
{
	return p ? p->nusers : 0;
}

PRC_EXPORT int prc_plan_user(const struct prc_plan *p, size_t i, const char **user,
                             const char **realm, const char **password)
{
	if (!p || i >= p->nusers)
		return PRC_ERR_ARG;
	if (user)
		*user = p->users[i].user;
	if (realm)
		*realm = p->users[i].realm;
	if (password)
		*password = p->users[i].password;
	return PRC_OK;
}
