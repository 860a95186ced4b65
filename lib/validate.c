/*
 * Validation of the whole model: rules that involve more than one value.
 * Every problem is reported; nothing stops at the first.
 */
#include "internal.h"
#include "user-tables.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define V(id)   (&cfg->v[PRC_S_##id])
#define ENV(id) (prc_settings[PRC_S_##id].env)

static const char *origin_of(const struct prc_value *v, const char *fallback)
{
	return v->origin && strcmp(v->origin, "default") ? v->origin : fallback;
}

/* A key and the entry it came from, sortable: duplicate checks and lookups
 * over 100 000 entries stay O(n log n). */
struct keyed {
	const char *key;
	size_t i;
};

/* Table keys compare as Postfix looks them up: indexed tables fold them to
 * lower case (ASCII), so "[Relay.Example.COM]:587" and "[relay.example.com]:587"
 * are one key. */
static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcasecmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Names that are not table keys (Postfix parameters, SASL logins) keep their case. */
static int keyed_cmp_exact(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Sort @n keys (NULL ones are left out), case folded; returns the array, NULL on OOM. */
static struct keyed *sort_keys_by(const char *const *keys, size_t n, size_t *count, bool fold)
{
	struct keyed *k = malloc((n ? n : 1) * sizeof(*k));
	*count = 0;
	if (!k)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (keys[i])
			k[(*count)++] = (struct keyed){keys[i], i};
	qsort(k, *count, sizeof(*k), fold ? keyed_cmp : keyed_cmp_exact);
	return k;
}

static struct keyed *sort_keys(const char *const *keys, size_t n, size_t *count)
{
	return sort_keys_by(keys, n, count, true);
}

/* For every entry, the 1-based index of the first earlier entry with the same
 * key, or 0: dup[i].  Returns -1 on OOM. */
static int find_duplicates(const char *const *keys, size_t n, size_t *dup, bool fold)
{
	size_t count;
	struct keyed *k = sort_keys_by(keys, n, &count, fold);
	if (!k)
		return -1;
	for (size_t i = 0; i < n; i++)
		dup[i] = 0;
	for (size_t j = 1, first = 0; j < count; j++) {
		if (fold ? strcasecmp(k[j].key, k[first].key) : strcmp(k[j].key, k[first].key))
			first = j;
		else
			dup[k[j].i] = k[first].i + 1;
	}
	free(k);
	return 0;
}

/* Is @key (@len bytes, not NUL-terminated) among the sorted keys, case folded? */
static bool has_key(const struct keyed *k, size_t count, const char *key, size_t len)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncasecmp(k[mid].key, key, len);
		if (!c)
			c = k[mid].key[len] != '\0';
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Is there a credential Postfix will find for next hop @relayhost?  It looks
 * up the next hop as written, then its bare host name.  @k holds the sorted
 * sasl_passwd keys.  (No allocation: a failing malloc must not read as "no
 * credential".)
 */
static bool has_credential(const struct keyed *k, size_t count, const char *relayhost)
{
	const char *name = relayhost;
	size_t nlen;
	if (relayhost[0] == '[') {
		const char *close = strchr(relayhost, ']');
		name = relayhost + 1;
		if (close && (size_t)(close - name) > 5 && !strncasecmp(name, "ipv6:", 5))
			name += 5;
		nlen = close ? (size_t)(close - name) : strlen(name);
	} else {
		nlen = strcspn(relayhost, ":");
	}
	return has_key(k, count, relayhost, strlen(relayhost)) || has_key(k, count, name, nlen);
}

/*
 * Who a trusted network (normalized "a.b.c.d/len" or "[v6]/len") lets relay
 * when that is a good part of the Internet, else NULL.  No private range is
 * wider than 10.0.0.0/8, or fc00::/7 and fe80::/10 in IPv6; a wider network,
 * or an IPv6 one shorter than /16 elsewhere, is an open relay in all but name.
 */
static const char *open_network(const char *net)
{
	const char *slash = strrchr(net, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned char b[16];
	if (!slash)
		return NULL;
	bool v6 = net[0] == '[';
	size_t alen = (size_t)(slash - net) - (v6 ? 2 : 0);
	if (alen >= sizeof(addr))
		return NULL;
	memcpy(addr, net + v6, alen);
	addr[alen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, b) != 1)
		return NULL;
	unsigned long len = strtoul(slash + 1, NULL, 10);
	if (len == 0)
		return "every address on the Internet";
	if (!v6)
		return len < 8 ? "a large part of the Internet" : NULL;
	bool ula = len >= 7 && (b[0] & 0xfe) == 0xfc;
	bool link = len >= 10 && b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
	return len < 16 && !ula && !link ? "a large part of the Internet" : NULL;
}

struct vctx {
	struct prc_config *cfg;
	struct prc_diags *d;
	size_t errors;
	bool oom;
	char said[8][192]; /* phrases of the message being built (see is()) */
	size_t next;
};

/* Setting @id's name in the language of @origin: its YAML key or env name. */
#define NAME(id, origin) prc_setting_name(PRC_S_##id, origin)

/*
 * "SETTING=value" as the environment says it, "yaml.key: value" as the YAML
 * file says it (a yes/no value as true/false), for a message whose origin is
 * @origin.  The phrase lives in @c until eight more are made.
 */
static const char *is(struct vctx *c, enum prc_setting_id id, const char *origin, const char *value)
{
	char *buf = c->said[c->next++ % 8];
	if (!prc_origin_is_yaml(origin)) {
		snprintf(buf, sizeof(c->said[0]), "%s=%s", prc_settings[id].env, value);
		return buf;
	}
	const char *v = !strcmp(value, "yes") ? "true" : !strcmp(value, "no") ? "false" : value;
	snprintf(buf, sizeof(c->said[0]), "%s: %s", prc_settings[id].yaml, v);
	return buf;
}
#define IS(id, origin, value) is(c, PRC_S_##id, origin, value)

static void err(struct vctx *c, const char *code, const char *origin, const char *key,
                const char *fmt, ...) PRC_PRINTF(5, 6);
static void err(struct vctx *c, const char *code, const char *origin, const char *key,
                const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prc_vdiag(c->d, PRC_SEV_ERROR, code, origin, key, fmt, ap);
	va_end(ap);
	c->errors++;
}

#define WARN(c, origin, key, ...)                                                                  \
	prc_diag((c)->d, PRC_SEV_WARNING, "warning", origin, key, __VA_ARGS__)

/* Report list entries whose key repeats an earlier entry's; keys[i] NULL is skipped. */
static void report_duplicates(struct vctx *c, const struct prc_value *v, const char *key,
                              const char *const *keys, const char *what, bool fold)
{
	size_t *dup = malloc((v->nitems ? v->nitems : 1) * sizeof(*dup));
	if (!dup || find_duplicates(keys, v->nitems, dup, fold)) {
		c->oom = true;
		free(dup);
		return;
	}
	for (size_t i = 0; i < v->nitems; i++) {
		if (!dup[i])
			continue;
		const char *first = keys[dup[i] - 1];
		if (!strcmp(first, keys[i]))
			err(c, "duplicate", v->items[i].origin, key,
			    "entry %zu: %s '%s' is already given by entry %zu", i + 1, what,
			    keys[i], dup[i]);
		else
			err(c, "duplicate", v->items[i].origin, key,
			    "entry %zu: %s '%s' is already given by entry %zu as '%s' (Postfix "
			    "ignores case in table keys)",
			    i + 1, what, keys[i], dup[i], first);
	}
	free(dup);
}

/* Report list entries whose field @field repeats an earlier entry's. */
static void no_duplicates(struct vctx *c, const struct prc_value *v, const char *key, size_t field,
                          const char *what, bool fold)
{
	const char **keys = malloc((v->nitems ? v->nitems : 1) * sizeof(*keys));
	if (!keys) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < v->nitems; i++)
		keys[i] = v->items[i].f[field];
	report_duplicates(c, v, key, keys, what, fold);
	free(keys);
}

static void check_identity(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	if (!V(MAILNAME)->set && V(MAILNAME)->refused)
		c->errors++; /* the source already said what is wrong with it */
	else if (!V(MAILNAME)->set)
		err(c, "required", "env:MAILNAME", ENV(MAILNAME),
		    "MAILNAME is required: set it to this relay's fully qualified host name, "
		    "e.g. mail.example.com");
	else if (!strchr(V(MAILNAME)->str, '.'))
		WARN(c, origin_of(V(MAILNAME), ""), ENV(MAILNAME),
		     "'%s' is not a fully qualified host name; receivers may reject HELO %s",
		     V(MAILNAME)->str, V(MAILNAME)->str);
	const struct prc_value *nets = V(MYNETWORKS);
	for (size_t i = 0; i < nets->nitems; i++) {
		const char *n = nets->items[i].f[0], *who = open_network(n);
		if (who)
			err(c, "open-relay", nets->items[i].origin, ENV(MYNETWORKS),
			    "entry %zu: %s lets %s relay (an open relay); list your clients' "
			    "networks instead",
			    i + 1, n, who);
	}
	if (V(POSTFIX_EXPORTER_ENABLED)->b && strcmp(V(LOGOUTPUT)->str, "/dev/stdout")) {
		const char *o = origin_of(V(POSTFIX_EXPORTER_ENABLED), "");
		WARN(c, o, ENV(POSTFIX_EXPORTER_ENABLED),
		     "the exporter reads the log from stdout, but %s is %s: it will count nothing",
		     NAME(LOGOUTPUT, o), V(LOGOUTPUT)->str);
	}
	if (!strcmp(V(LOG_FORMAT)->str, "json") && strcmp(V(LOGOUTPUT)->str, "/dev/stdout")) {
		const char *o = origin_of(V(LOG_FORMAT), "");
		WARN(c, o, ENV(LOG_FORMAT),
		     "the mail log goes to %s (%s) in Postfix's plain form; JSON is only what "
		     "reaches stdout",
		     V(LOGOUTPUT)->str, NAME(LOGOUTPUT, o));
	}
}

static void check_relay(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	const struct prc_value *creds = V(RELAYHOST_PASSWORDMAP);
	const struct prc_value *map = V(RELAYHOST_MAP);
	const char *key = ENV(RELAYHOST_PASSWORDMAP);

	for (size_t i = 0; i < creds->nitems; i++) {
		const char *user = creds->items[i].f[1], *pw = creds->items[i].f[2];
		size_t n = strlen(pw);
		/* sasl_passwd holds "user:password" after the key: no room for these */
		if (strpbrk(user, ": \t"))
			err(c, "invalid-value", creds->items[i].origin, key,
			    "entry %zu: user name '%s' cannot contain ':' or blanks", i + 1, user);
		if (n && (pw[0] == ' ' || pw[n - 1] == ' '))
			err(c, "invalid-value", creds->items[i].origin, key,
			    "entry %zu: a password cannot start or end with a blank", i + 1);
	}
	for (size_t i = 0; i < creds->nitems; i++)
		if (!*creds->items[i].f[0] && !V(RELAYHOST)->set)
			err(c, "invalid-value", creds->items[i].origin, key,
			    "entry %zu: a credential without a host applies to %s, which is "
			    "not set",
			    i + 1, NAME(RELAYHOST, creds->items[i].origin));
	/* two entries for one next hop: Postfix would silently use one of them */
	const char **ckeys = calloc(creds->nitems ? creds->nitems : 1, sizeof(*ckeys));
	size_t nkeys = 0;
	struct keyed *sorted = NULL;
	if (ckeys) {
		for (size_t i = 0; i < creds->nitems; i++)
			ckeys[i] = *creds->items[i].f[0] ? creds->items[i].f[0]
			           : V(RELAYHOST)->set   ? V(RELAYHOST)->str
			                                 : NULL;
		report_duplicates(c, creds, key, ckeys, "a credential for", true);
		sorted = sort_keys(ckeys, creds->nitems, &nkeys);
	}
	if (!sorted)
		c->oom = true;
	no_duplicates(c, map, ENV(RELAYHOST_MAP), 0, "sender", true);

	if (V(RELAYHOST_AUTH)->b) {
		const char *o = origin_of(V(RELAYHOST_AUTH), "env:RELAYHOST");
		const char *hop = V(RELAYHOST)->set ? V(RELAYHOST)->str : "";
		if (!V(RELAYHOST)->set)
			err(c, "required", o, ENV(RELAYHOST_AUTH), "%s needs %s",
			    IS(RELAYHOST_AUTH, o, "yes"), NAME(RELAYHOST, o));
		else if (sorted && !has_credential(sorted, nkeys, hop) && prc_origin_is_yaml(o))
			err(c, "missing-credential", o, ENV(RELAYHOST_AUTH),
			    "%s but %s has no credential for %s (add {host: '%s', user: USER, "
			    "password: PASSWORD} to it)",
			    IS(RELAYHOST_AUTH, o, "yes"), NAME(RELAYHOST_PASSWORDMAP, o), hop, hop);
		else if (sorted && !has_credential(sorted, nkeys, hop))
			err(c, "missing-credential", o, ENV(RELAYHOST_AUTH),
			    "%s but %s has no credential for %s (add %s:user:password)",
			    IS(RELAYHOST_AUTH, o, "yes"), NAME(RELAYHOST_PASSWORDMAP, o), hop, hop);
	}
	if (V(SENDER_DEPENDENT_RELAYHOST_AUTH)->b) {
		const char *o = origin_of(V(SENDER_DEPENDENT_RELAYHOST_AUTH), "");
		if (!map->nitems)
			WARN(c, o, ENV(SENDER_DEPENDENT_RELAYHOST_AUTH),
			     "%s has no effect without %s",
			     IS(SENDER_DEPENDENT_RELAYHOST_AUTH, o, "yes"), NAME(RELAYHOST_MAP, o));
		for (size_t i = 0; sorted && i < map->nitems; i++) {
			const char *io = map->items[i].origin;
			if (!has_credential(sorted, nkeys, map->items[i].f[1]))
				err(c, "missing-credential", io, ENV(RELAYHOST_MAP),
				    "entry %zu: %s but %s has no credential for %s", i + 1,
				    IS(SENDER_DEPENDENT_RELAYHOST_AUTH, io, "yes"),
				    NAME(RELAYHOST_PASSWORDMAP, io), map->items[i].f[1]);
		}
	}
	const struct prc_value *tr = V(TRANSPORT_MAP);
	no_duplicates(c, tr, ENV(TRANSPORT_MAP), 0, "domain", true);
	for (size_t i = 0; V(RELAYHOST_AUTH)->b && sorted && i < tr->nitems; i++) {
		const char *io = tr->items[i].origin;
		if (!has_credential(sorted, nkeys, tr->items[i].f[1]))
			err(c, "missing-credential", io, ENV(TRANSPORT_MAP),
			    "entry %zu: %s but %s has no credential for %s", i + 1,
			    IS(RELAYHOST_AUTH, io, "yes"), NAME(RELAYHOST_PASSWORDMAP, io),
			    tr->items[i].f[1]);
	}
	if (creds->nitems && !prc_relay_auth_enabled(cfg)) {
		const char *o = origin_of(creds, "");
		WARN(c, o, key, "credentials are given but not used: set %s (or %s)",
		     IS(RELAYHOST_AUTH, o, "yes"), IS(SENDER_DEPENDENT_RELAYHOST_AUTH, o, "yes"));
	}
	if (prc_relay_auth_enabled(cfg) && !V(USE_TLS)->b) {
		const char *o = origin_of(V(USE_TLS), "");
		WARN(c, o, ENV(USE_TLS),
		     "%s: relay credentials will be sent to the relay host unencrypted",
		     IS(USE_TLS, o, "no"));
	} else if (V(RELAYHOST_AUTH)->b && V(CLIENT_TLS_SECURITY_LEVEL)->explicit &&
	           (!strcmp(V(CLIENT_TLS_SECURITY_LEVEL)->str, "none") ||
	            !strcmp(V(CLIENT_TLS_SECURITY_LEVEL)->str, "may"))) {
		const char *o = V(CLIENT_TLS_SECURITY_LEVEL)->origin;
		WARN(c, o, ENV(CLIENT_TLS_SECURITY_LEVEL),
		     "%s with %s: credentials are sent unencrypted when the relay host offers no "
		     "STARTTLS (the default would be encrypt)",
		     IS(CLIENT_TLS_SECURITY_LEVEL, o, V(CLIENT_TLS_SECURITY_LEVEL)->str),
		     IS(RELAYHOST_AUTH, o, "yes"));
	}
	free(ckeys);
	free(sorted);
}

/* Is @url "https://HOST..." with a non-empty host? */
static bool is_https_url(const char *url)
{
	if (strncasecmp(url, "https://", 8))
		return false;
	size_t host = strcspn(url + 8, "/?#");
	return host > 0;
}

/* An XOAUTH2 login to RELAYHOST: every piece named, TLS required, no password beside it. */
static void check_xoauth2(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	if (!prc_xoauth2_enabled(cfg)) {
		if (V(RELAYHOST_USERNAME)->set) {
			const char *o = origin_of(V(RELAYHOST_USERNAME), "");
			WARN(c, o, ENV(RELAYHOST_USERNAME),
			     "%s is only used for an XOAUTH2 login: set %s and the other XOAUTH2 "
			     "settings, or use %s",
			     NAME(RELAYHOST_USERNAME, o), NAME(XOAUTH2_CLIENT_ID, o),
			     NAME(RELAYHOST_PASSWORDMAP, o));
		}
		return;
	}
	/* the first XOAUTH2 setting given decides the language of the messages */
	static const enum prc_setting_id given[] = {
	    PRC_S_XOAUTH2_CLIENT_ID, PRC_S_XOAUTH2_SECRET, PRC_S_XOAUTH2_INITIAL_REFRESH_TOKEN,
	    PRC_S_XOAUTH2_TOKEN_ENDPOINT, PRC_S_XOAUTH2_INITIAL_ACCESS_TOKEN};
	const char *o = "env:XOAUTH2_CLIENT_ID";
	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		if (cfg->v[given[i]].set) {
			o = cfg->v[given[i]].origin;
			break;
		}
	static const enum prc_setting_id needed[] = {PRC_S_RELAYHOST,
	                                             PRC_S_RELAYHOST_USERNAME,
	                                             PRC_S_XOAUTH2_CLIENT_ID,
	                                             PRC_S_XOAUTH2_SECRET,
	                                             PRC_S_XOAUTH2_INITIAL_REFRESH_TOKEN,
	                                             PRC_S_XOAUTH2_TOKEN_ENDPOINT};
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		const struct prc_value *v = &cfg->v[needed[i]];
		if (!v->set && v->refused)
			c->errors++; /* the source already said what is wrong with it */
		else if (!v->set)
			err(c, "required", o, prc_settings[needed[i]].env,
			    "an XOAUTH2 login to the relay host needs %s",
			    prc_setting_name(needed[i], o));
	}
	const struct prc_value *user = V(RELAYHOST_USERNAME);
	if (user->set && (!*user->str || strpbrk(user->str, ": \t")))
		err(c, "invalid-value", user->origin, ENV(RELAYHOST_USERNAME),
		    "'%s': expected the mailbox that logs in, without ':' or blanks", user->str);
	static const enum prc_setting_id tokens[] = {PRC_S_XOAUTH2_INITIAL_ACCESS_TOKEN,
	                                             PRC_S_XOAUTH2_INITIAL_REFRESH_TOKEN,
	                                             PRC_S_XOAUTH2_SECRET, PRC_S_XOAUTH2_CLIENT_ID};
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		const struct prc_value *v = &cfg->v[tokens[i]];
		if (v->set && (!*v->str || strpbrk(v->str, " \t")))
			err(c, "invalid-value", v->origin, prc_settings[tokens[i]].env,
			    "expected a non-empty value without blanks");
	}
	const struct prc_value *ep = V(XOAUTH2_TOKEN_ENDPOINT);
	char clip[PRC_CLIP_MAX + 4];
	if (ep->set && !is_https_url(ep->str))
		err(c, "insecure", ep->origin, ENV(XOAUTH2_TOKEN_ENDPOINT),
		    "'%s': the token endpoint must be an https:// URL (the client secret and "
		    "refresh token are sent to it); trust a private CA with %s",
		    prc_clip(clip, ep->str), NAME(XOAUTH2_CA_FILE, ep->origin));
	if (V(RELAYHOST_AUTH)->b || V(SENDER_DEPENDENT_RELAYHOST_AUTH)->b) {
		const struct prc_value *creds = V(RELAYHOST_PASSWORDMAP);
		const char *relay = V(RELAYHOST)->set ? V(RELAYHOST)->str : NULL;
		for (size_t i = 0; relay && i < creds->nitems; i++) {
			const char *hop = prc_credential_next_hop(cfg, &creds->items[i]);
			if (hop && !strcasecmp(hop, relay))
				err(c, "conflict", creds->items[i].origin,
				    ENV(RELAYHOST_PASSWORDMAP),
				    "entry %zu: a password for %s, which logs in with XOAUTH2 "
				    "(%s): "
				    "give it one or the other",
				    i + 1, relay, NAME(XOAUTH2_CLIENT_ID, creds->items[i].origin));
		}
	}
	if (V(RELAYHOST_MAP)->nitems) {
		const char *mo = origin_of(V(RELAYHOST_MAP), "");
		err(c, "conflict", mo, ENV(RELAYHOST_MAP),
		    "%s cannot be combined with an XOAUTH2 login (%s): all mail goes to %s",
		    NAME(RELAYHOST_MAP, mo), NAME(XOAUTH2_CLIENT_ID, mo), NAME(RELAYHOST, mo));
	}
	const struct prc_value *lv = V(CLIENT_TLS_SECURITY_LEVEL);
	if (!V(USE_TLS)->b) {
		const char *to = origin_of(V(USE_TLS), o);
		err(c, "insecure", to, ENV(USE_TLS),
		    "%s: an XOAUTH2 login sends its token only over TLS (%s)",
		    IS(USE_TLS, to, "no"), NAME(XOAUTH2_CLIENT_ID, to));
	} else if (lv->explicit && (!strcmp(lv->str, "none") || !strcmp(lv->str, "may"))) {
		err(c, "insecure", lv->origin, ENV(CLIENT_TLS_SECURITY_LEVEL),
		    "%s: an XOAUTH2 login needs at least encrypt (the token would be sent "
		    "unencrypted when the relay host offers no STARTTLS)",
		    IS(CLIENT_TLS_SECURITY_LEVEL, lv->origin, lv->str));
	}
}

/* A secret that is the placeholder print and migrate write was never put back. */
static void check_placeholders(struct vctx *c)
{
	static const char placeholder[] = "<redacted>";
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const struct prc_value *v = &c->cfg->v[i];
		if (!(prc_settings[i].flags & F_SECRET) || !v->set)
			continue;
		const char *name = prc_setting_name(i, v->origin);
		if (v->str && !strcmp(v->str, placeholder))
			WARN(c, v->origin, prc_settings[i].env,
			     "%s is \"%s\", the placeholder of print and migrate: put the secret "
			     "back",
			     name, placeholder);
		size_t nf = prc_type_fields(prc_settings[i].type);
		for (size_t k = 0; k < v->nitems; k++)
			if (nf > 1 && !strcmp(v->items[k].f[nf - 1], placeholder))
				WARN(c, v->items[k].origin, prc_settings[i].env,
				     "%s entry %zu: the password is \"%s\", the placeholder of "
				     "print "
				     "and migrate: put the secret back",
				     name, k + 1, placeholder);
	}
}

static void check_users(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	const struct prc_value *users = V(SMTPD_USERS);
	for (size_t i = 0; i < users->nitems; i++) {
		const char *u = users->items[i].f[0];
		const char *at = strchr(u, '@');
		bool ok = true;
		for (const char *p = u; *p; p++)
			ok &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || strchr("._%+-@", *p);
		if (!ok || (at && (strchr(at + 1, '@') || at == u || prc_check_domain(at + 1))))
			err(c, "invalid-value", users->items[i].origin, ENV(SMTPD_USERS),
			    "entry %zu: user name '%s' may only contain letters, digits and . _ %% "
			    "+ -, optionally followed by @domain",
			    i + 1, u);
	}
	no_duplicates(c, users, ENV(SMTPD_USERS), 0, "user", false);
	if (users->nitems && !V(USE_TLS)->b) {
		const char *o = origin_of(V(USE_TLS), "");
		WARN(c, o, ENV(USE_TLS), "%s: %s passwords will be accepted unencrypted",
		     IS(USE_TLS, o, "no"), NAME(SMTPD_USERS, o));
	} else if (users->nitems && !strcmp(prc_server_tls_level(cfg), "none") &&
	           V(SMTPD_TLS_AUTH_ONLY)->b) {
		const char *o = origin_of(V(TLS_SECURITY_LEVEL), "");
		WARN(c, o, ENV(TLS_SECURITY_LEVEL),
		     "%s offers no STARTTLS and %s offers AUTH only after it: %s cannot log in",
		     IS(TLS_SECURITY_LEVEL, o, "none"), IS(SMTPD_TLS_AUTH_ONLY, o, "yes"),
		     NAME(SMTPD_USERS, o));
	}
}

/* A relay on port 465 needs TLS from the first byte: a level below encrypt cannot work. */
static void smtps_level(struct vctx *c, const char *origin, const char *key, const char *what,
                        const char *relay)
{
	struct prc_config *cfg = c->cfg;
	const char *level = prc_client_tls_level(cfg);
	const struct prc_value *lv = V(CLIENT_TLS_SECURITY_LEVEL);
	if (!V(USE_TLS)->b)
		err(c, "conflict", origin, key, "%s%s is on port 465 (implicit TLS), but %s (%s)",
		    what, relay, IS(USE_TLS, origin, "no"), origin_of(V(USE_TLS), "default"));
	else if (lv->explicit && (!strcmp(level, "none") || !strcmp(level, "may")))
		err(c, "conflict", origin, key,
		    "%s%s is on port 465 (implicit TLS), which needs %s of encrypt or "
		    "higher, not %s (%s)",
		    what, relay, NAME(CLIENT_TLS_SECURITY_LEVEL, origin), level, lv->origin);
}

/* Sender and recipient policy, sender logins, routing on 465, the fallback relay. */
static void check_policy(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	char what[64];
	no_duplicates(c, V(ALLOWED_SENDER_DOMAINS), ENV(ALLOWED_SENDER_DOMAINS), 0, "domain", true);
	no_duplicates(c, V(ALLOWED_RECIPIENT_DOMAINS), ENV(ALLOWED_RECIPIENT_DOMAINS), 0, "domain",
	              true);
	no_duplicates(c, V(MASQUERADED_DOMAINS), ENV(MASQUERADED_DOMAINS), 0, "domain", true);

	if (V(RELAYHOST)->set && prc_relayhost_is_smtps(V(RELAYHOST)->str))
		smtps_level(c, V(RELAYHOST)->origin, ENV(RELAYHOST), "", V(RELAYHOST)->str);
	const enum prc_setting_id routed[] = {PRC_S_RELAYHOST_MAP, PRC_S_TRANSPORT_MAP};
	for (size_t k = 0; k < 2; k++) {
		const struct prc_value *v = &cfg->v[routed[k]];
		for (size_t i = 0; i < v->nitems; i++) {
			if (!prc_relayhost_is_smtps(v->items[i].f[1]))
				continue;
			snprintf(what, sizeof(what), "entry %zu: ", i + 1);
			smtps_level(c, v->items[i].origin, prc_settings[routed[k]].env, what,
			            v->items[i].f[1]);
		}
	}
	const struct prc_value *fb = V(RELAYHOST_FALLBACK);
	if (fb->set && prc_relayhost_is_smtps(fb->str))
		err(c, "invalid-value", fb->origin, ENV(RELAYHOST_FALLBACK),
		    "%s: a fallback relay on port 465 (implicit TLS) is not supported; use its "
		    "submission port (587) with STARTTLS",
		    fb->str);

	const struct prc_value *logins = V(SMTPD_SENDER_LOGINS), *users = V(SMTPD_USERS);
	no_duplicates(c, logins, ENV(SMTPD_SENDER_LOGINS), 0, "user", false);
	for (size_t i = 0; i < logins->nitems; i++) {
		const char *io = logins->items[i].origin;
		bool known = false;
		for (size_t u = 0; u < users->nitems && !known; u++)
			known = !strcmp(users->items[u].f[0], logins->items[i].f[0]);
		if (!known)
			err(c, "unknown-user", io, ENV(SMTPD_SENDER_LOGINS),
			    "entry %zu: '%s' is not a user of %s", i + 1, logins->items[i].f[0],
			    NAME(SMTPD_USERS, io));
	}
	for (size_t u = 0; logins->nitems && u < users->nitems; u++) {
		bool bound = false;
		for (size_t i = 0; i < logins->nitems && !bound; i++)
			bound = !strcmp(users->items[u].f[0], logins->items[i].f[0]);
		if (!bound) {
			const char *o = logins->items[0].origin;
			err(c, "missing-sender-login", o, ENV(SMTPD_SENDER_LOGINS),
			    "user '%s' of %s has no senders: with %s every SMTP AUTH user may "
			    "only use the senders given there",
			    users->items[u].f[0], NAME(SMTPD_USERS, o),
			    NAME(SMTPD_SENDER_LOGINS, o));
		}
	}
}

static void check_tls(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	if (V(USE_TLS)->b)
		return;
	const enum prc_setting_id ids[] = {PRC_S_TLS_SECURITY_LEVEL,
	                                   PRC_S_CLIENT_TLS_SECURITY_LEVEL};
	for (size_t i = 0; i < 2; i++) {
		const struct prc_value *lv = &cfg->v[ids[i]];
		if (lv->explicit && strcmp(lv->str, "none") && strcmp(lv->str, "may"))
			err(c, "conflict", lv->origin, prc_settings[ids[i]].env,
			    "%s needs TLS, but %s (%s)", is(c, ids[i], lv->origin, lv->str),
			    IS(USE_TLS, lv->origin, "no"), origin_of(V(USE_TLS), "default"));
	}
}

static void check_dkim(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	const struct prc_value *keys = V(DKIM_KEYS), *doms = V(DKIM_DOMAINS);
	no_duplicates(c, keys, ENV(DKIM_KEYS), 0, "domain", true);
	no_duplicates(c, doms, ENV(DKIM_DOMAINS), 0, "domain", true);
	for (size_t i = 0; i < keys->nitems; i++)
		for (size_t k = 0; k < doms->nitems; k++)
			if (!strcasecmp(keys->items[i].f[0], doms->items[k].f[0]))
				err(c, "duplicate", keys->items[i].origin, ENV(DKIM_KEYS),
				    "entry %zu: domain '%s' is also in %s; give each domain one "
				    "key",
				    i + 1, keys->items[i].f[0],
				    NAME(DKIM_DOMAINS, keys->items[i].origin));
	/* OpenDKIM's KeyTable splits on ':' and its data files end lines at '#' */
	char *keyfile = prc_setting_path(cfg, PRC_S_DKIM_KEYFILE);
	if (keyfile && strpbrk(keyfile, ":#"))
		err(c, "invalid-value", origin_of(V(DKIM_KEYFILE), "env:DKIM_KEYFILE"),
		    ENV(DKIM_KEYFILE),
		    "key path '%s' may not contain ':' or '#' (OpenDKIM's KeyTable)", keyfile);
	free(keyfile);
	for (size_t i = 0; i < keys->nitems; i++)
		if (strpbrk(keys->items[i].f[2], ":#"))
			err(c, "invalid-value", keys->items[i].origin, ENV(DKIM_KEYS),
			    "entry %zu: key path '%s' may not contain ':' or '#' (OpenDKIM's "
			    "KeyTable)",
			    i + 1, keys->items[i].f[2]);
	if (!V(USE_DKIM)->b && V(DKIM_AUTOGENERATE)->b) {
		const char *o = origin_of(V(DKIM_AUTOGENERATE), "");
		WARN(c, o, ENV(DKIM_AUTOGENERATE),
		     "%s is on but %s is not %s: no key is made and mail is not signed",
		     NAME(DKIM_AUTOGENERATE, o), NAME(USE_DKIM, o),
		     prc_origin_is_yaml(o) ? "true" : "yes");
	}
	if (!V(USE_DKIM)->b && (keys->explicit || doms->explicit)) {
		const char *o = origin_of(keys->explicit ? keys : doms, "");
		WARN(c, o, ENV(USE_DKIM),
		     "DKIM domains are given but %s is not %s: mail is not signed",
		     NAME(USE_DKIM, o), prc_origin_is_yaml(o) ? "true" : "yes");
	}
}

/* Passthrough that opens the relay: wide mynetworks, "permit" ahead of the relay check. */
static void check_params_relay(struct vctx *c, const struct prc_item *it)
{
	const char *name = it->f[0];
	bool nets = !strcmp(name, "mynetworks");
	bool restr = !strcmp(name, "smtpd_relay_restrictions") ||
	             !strcmp(name, "smtpd_recipient_restrictions");
	if (!strcmp(name, "relay_domains") && strstr(it->f[1], "static:")) {
		err(c, "open-relay", it->origin, ENV(POSTCONF),
		    "parameter relay_domains: a static: table makes every domain a relay "
		    "domain (an open relay)");
		return;
	}
	if (!nets && !restr)
		return;
	for (const char *p = it->f[1]; *p;) {
		size_t n = strcspn(p, ", \t");
		if (!n) {
			p++;
			continue;
		}
		char *w = prc_strndup(p, n), *norm = NULL, clip[PRC_CLIP_MAX + 4];
		const char *who = NULL;
		p += n;
		if (!w) {
			c->oom = true;
			return;
		}
		const char *why = nets ? prc_check_cidr(w, &norm) : NULL;
		if (why == prc_why_nomem) {
			free(w);
			c->oom = true;
			return;
		}
		if (nets && !why)
			who = open_network(norm);
		else if (nets && (*w == '[' || (*w >= '0' && *w <= '9')))
			/* an address Postfix cannot parse either: refuse it here */
			err(c, "invalid-value", it->origin, ENV(POSTCONF),
			    "parameter mynetworks: '%s': %s", prc_clip(clip, w), why);
		if (who)
			err(c, "open-relay", it->origin, ENV(POSTCONF),
			    "parameter mynetworks: %s lets %s relay (an open relay)", norm, who);
		bool stop = restr && (!strcmp(w, "reject_unauth_destination") ||
		                      !strcmp(w, "defer_unauth_destination") ||
		                      !strcmp(w, "reject") || !strcmp(w, "defer"));
		if (restr && !strcmp(w, "permit")) {
			err(c, "open-relay", it->origin, ENV(POSTCONF),
			    "parameter %s: 'permit' ahead of reject_unauth_destination lets "
			    "anyone relay (an open relay)",
			    name);
			stop = true;
		}
		free(norm);
		free(w);
		if (stop)
			return;
	}
}

/* master.cf overrides: well-formed lines, and the services postrelay needs kept. */
static void check_master(struct vctx *c)
{
	const struct prc_value *m = &c->cfg->v[PRC_S_MASTER_SERVICES];
	char clip[PRC_CLIP_MAX + 4];
	for (size_t i = 0; i < m->nitems; i++) {
		const struct prc_item *it = &m->items[i];
		const char *key = it->f[0], *line = it->f[1];
		bool yaml = prc_origin_is_yaml(it->origin);
		char where[200];
		/* env: the variable is the origin; YAML: the key names the entry */
		if (yaml)
			snprintf(where, sizeof(where),
			         "%s.%s: ", prc_settings[PRC_S_MASTER_SERVICES].yaml, key);
		else
			where[0] = '\0';
		const char *slash = strchr(key, '/');
		char name[128];
		snprintf(name, sizeof(name), "%.*s", slash ? (int)(slash - key) : 0, key);
		const char *needed =
		    slash ? prc_plan_service_command(c->cfg, name, slash + 1) : NULL;
		if (!line[strspn(line, " \t")]) {
			err(c, "invalid-value", it->origin, ENV(MASTER_SERVICES), "%sempty: %s",
			    where,
			    needed ? "postrelay needs this service, it cannot be removed"
			           : "give the whole master.cf line of the service");
			continue;
		}
		struct prc_master_entry e;
		const char *why = prc_master_parse(key, line, &e);
		if (why == prc_why_nomem) {
			c->oom = true;
			return;
		}
		if (why) {
			err(c, "invalid-value", it->origin, ENV(MASTER_SERVICES), "%s'%s': %s",
			    where, prc_clip(clip, line), why);
			continue;
		}
		if (needed && strcmp(needed, e.col[7]))
			err(c, "invalid-value", it->origin, ENV(MASTER_SERVICES),
			    "%s'%s': postrelay needs %s with the command %s", where,
			    prc_clip(clip, line), key, needed);
		prc_master_entry_free(&e);
	}
}

static int param_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool param_known(const char *name)
{
	return bsearch(name, prc_postfix_params, prc_postfix_nparams, sizeof(*prc_postfix_params),
	               param_cmp) != NULL;
}

/* "$name" or "${name}" (also "$(name)") in @value, as Postfix expands it. */
static bool value_refers_to(const char *value, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = strchr(value, '$'); p; p = strchr(p + 1, '$')) {
		const char *q = p + 1 + (p[1] == '{' || p[1] == '(');
		if (!strncmp(q, name, n) &&
		    !(q[n] == '_' || (q[n] >= 'a' && q[n] <= 'z') || (q[n] >= '0' && q[n] <= '9')))
			return true;
	}
	return false;
}

/*
 * A passthrough name Postfix does not know is written to main.cf and ignored
 * there (postconf only warns "unused parameter"): say so, with the nearest
 * name.  Transport-specific overrides (TRANSPORT_destination_rate_delay for
 * default_destination_rate_delay ...) and names that another value refers to
 * as $name are Postfix's own ways of using a new name and pass.
 */
static void check_param_name(struct vctx *c, const struct prc_value *p, size_t i)
{
	const char *name = p->items[i].f[0];
	if (param_known(name))
		return;
	for (const char *u = strchr(name, '_'); u; u = strchr(u + 1, '_')) {
		char def[128];
		if (snprintf(def, sizeof(def), "default%s", u) < (int)sizeof(def) &&
		    param_known(def))
			return;
	}
	for (size_t k = 0; k < p->nitems; k++)
		if (k != i && value_refers_to(p->items[k].f[1], name))
			return;
	const char *best = NULL;
	size_t dist = 3;
	for (size_t k = 0; k < prc_postfix_nparams; k++) {
		size_t d = prc_edit_distance(name, prc_postfix_params[k], dist);
		if (d < dist) {
			dist = d;
			best = prc_postfix_params[k];
		}
	}
	const char *o = p->items[i].origin;
	bool yaml = prc_origin_is_yaml(o);
	if (best)
		WARN(c, o, ENV(POSTCONF),
		     "parameter %s: not a Postfix parameter, Postfix ignores it (did you mean "
		     "%s%s?)",
		     name, yaml ? "" : "POSTFIX_", best);
	else
		WARN(c, o, ENV(POSTCONF),
		     "parameter %s: not a Postfix parameter, Postfix ignores it", name);
}

static void check_params(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	const struct prc_value *p = V(POSTCONF);
	no_duplicates(c, p, ENV(POSTCONF), 0, "parameter", false);
	for (size_t i = 0; i < p->nitems; i++) {
		const char *name = p->items[i].f[0];
		const char *v = p->items[i].f[1];
		size_t n = strlen(v);
		/* main.cf has no quoting: Postfix drops the blanks around a value */
		if (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'))
			WARN(
			    c, p->items[i].origin, ENV(POSTCONF),
			    "parameter %s: the blanks around the value are dropped (main.cf cannot "
			    "hold them)",
			    name);
		if (prc_check_control(p->items[i].f[1]))
			err(c, "invalid-value", p->items[i].origin, ENV(POSTCONF),
			    "parameter %s: value contains a control character", name);
		else
			check_params_relay(c, &p->items[i]);
		check_param_name(c, p, i);
		for (size_t k = 0; k < PRC_S_COUNT; k++)
			if (prc_settings[k].postfix && !strcmp(prc_settings[k].postfix, name))
				WARN(c, p->items[i].origin, ENV(POSTCONF),
				     "parameter %s overrides the value postrelay derives from %s",
				     name, prc_setting_name(k, p->items[i].origin));
	}
}

/* POSTMAP_<name> / postfix.tables: names, types from references, every line. */
static void check_tables(struct vctx *c)
{
	struct prc_config *cfg = c->cfg;
	const struct prc_value *tv = V(POSTMAP);
	const char **types = calloc(tv->nitems + 1, sizeof(*types));
	size_t errors = 0;
	if (!types || prc_utables_resolve(cfg, types, NULL, c->d, &errors)) {
		c->oom = true;
		free(types);
		return;
	}
	for (size_t t = 0; t < tv->nitems && !c->oom; t++) {
		const struct prc_item *it = &tv->items[t];
		/* a name one of postrelay's own files takes with this configuration */
		for (int k = 0; k < PRC_FILE_COUNT; k++)
			if (!strcmp(prc_file_path(k), it->f[UT_NAME]) && prc_file_is_used(cfg, k)) {
				bool yaml = prc_origin_is_yaml(it->origin);
				err(c, "conflict", it->origin, it->f[UT_NAME],
				    "%s%s%spostrelay writes %s itself with this configuration "
				    "(%s); "
				    "give the table another name",
				    yaml ? "postfix.tables." : "", yaml ? it->f[UT_NAME] : "",
				    yaml ? ": " : "", it->f[UT_NAME],
				    k == PRC_FILE_TRANSPORT
				        ? prc_setting_name(PRC_S_TRANSPORT_MAP, it->origin)
				        : "another setting");
			}
		/* a table of unknown type is not read: its lines would be judged wrongly */
		if (types[t] && prc_utable_parse(it, types[t], c->d, &errors, NULL, NULL))
			c->oom = true;
	}
	c->errors += errors;
	free(types);
}

PRC_EXPORT int prc_config_validate(struct prc_config *cfg, struct prc_diags *d)
{
	if (!cfg)
		return PRC_ERR_ARG;
	struct vctx c = {cfg, d, 0, false};
	check_identity(&c);
	check_relay(&c);
	check_xoauth2(&c);
	check_placeholders(&c);
	check_users(&c);
	check_tls(&c);
	check_policy(&c);
	check_dkim(&c);
	check_params(&c);
	check_tables(&c);
	check_master(&c);
	cfg->validated = c.errors == 0 && !c.oom;
	if (c.oom)
		return PRC_ERR_NOMEM;
	return c.errors ? PRC_ERR_INVALID : PRC_OK;
}
