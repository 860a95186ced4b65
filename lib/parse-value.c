/*
 * The one parser of a setting's text form (env syntax): "a, b", "host:user:pw"
 * entries with \\ escapes, sizes, times, booleans.  The defaults of the
 * settings table, the environment and the YAML file's scalars all go through
 * it, so the same mistake gets the same message from each.
 */
#include "entry.h"

#include <stdlib.h>
#include <string.h>

/* A piece of a value: [p, p+n) of the raw text, escapes not yet removed. */
struct span {
	const char *p;
	size_t n;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct span trim(struct span s)
{
	while (s.n && is_blank(*s.p)) {
		s.p++;
		s.n--;
	}
	/* a trailing blank that is escaped stays */
	while (s.n && is_blank(s.p[s.n - 1]) && !(s.n >= 2 && s.p[s.n - 2] == '\\')) {
		s.n--;
	}
	return s;
}

static bool is_sep(char c, const char *seps)
{
	for (; *seps; seps++)
		if (c == *seps)
			return true;
	return false;
}

/*
 * Split @s on unescaped characters of @seps; "[...]" protects its content
 * when @brackets.  Empty pieces are dropped.  Returns the number of pieces
 * (with @out NULL, just counts them; else stores at most @max).
 */
static size_t split(struct span s, const char *seps, bool brackets, struct span *out, size_t max)
{
	size_t n = 0;
	const char *start = s.p;
	int depth = 0;
	for (size_t i = 0; i <= s.n; i++) {
		char c = i < s.n ? s.p[i] : '\0';
		if (i + 1 < s.n && c == '\\') {
			i++;
			continue;
		}
		/* "[" protects ':' and ',' only when it is closed later */
		if (brackets && c == '[' && memchr(s.p + i, ']', s.n - i))
			depth++;
		else if (brackets && c == ']' && depth)
			depth--;
		if (i == s.n || (!depth && is_sep(c, seps))) {
			struct span piece = trim((struct span){start, (size_t)(s.p + i - start)});
			if (piece.n) {
				if (out && n < max)
					out[n] = piece;
				n++;
			}
			start = s.p + i + 1;
		}
	}
	return out && n > max ? max + 1 : n;
}

/* Split on the first @max-1 unescaped colons; the last piece keeps the rest. */
static size_t split_fields(struct span s, struct span *out, size_t max)
{
	size_t n = 0;
	const char *start = s.p;
	int depth = 0;
	for (size_t i = 0; i < s.n && n + 1 < max; i++) {
		char c = s.p[i];
		if (c == '\\') {
			i++;
			continue;
		}
		if (c == '[' && i == (size_t)(start - s.p))
			depth++;
		else if (c == ']' && depth)
			depth--;
		else if (c == ':' && !depth) {
			out[n++] = (struct span){start, (size_t)(s.p + i - start)};
			start = s.p + i + 1;
		}
	}
	out[n++] = (struct span){start, (size_t)(s.p + s.n - start)};
	return n;
}

static bool trailing_backslash(struct span s)
{
	size_t k = 0;
	while (k < s.n && s.p[s.n - 1 - k] == '\\')
		k++;
	return k % 2 == 1;
}

static bool all_digits(struct span s)
{
	if (!s.n)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

struct ctx {
	enum prc_setting_id id;
	const char *origin;
	struct prc_diags *d;
	int rc;
	char clip[2][PRC_CLIP_MAX + 4];
};

/* A value as echoed in a message: long ones are clipped. */
#define SHOW(c, slot, s) prc_clip((c)->clip[slot], (s))

static void bad(struct ctx *c, size_t entry, const char *fmt, ...) PRC_PRINTF(3, 4);
static void bad(struct ctx *c, size_t entry, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (msg) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (!msg) {
		c->rc = PRC_ERR_NOMEM;
		return;
	}
	if (entry)
		prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", c->origin, prc_settings[c->id].env,
		         "entry %zu: %s", entry, msg);
	else
		prc_diag(c->d, PRC_SEV_ERROR, "invalid-value", c->origin, prc_settings[c->id].env,
		         "%s", msg);
	free(msg);
	if (!c->rc)
		c->rc = PRC_ERR_INVALID;
}

static void oom(struct ctx *c)
{
	c->rc = PRC_ERR_NOMEM;
}

static char *unesc(struct ctx *c, struct span s)
{
	char *r = prc_unescape(s.p, s.n);
	if (!r)
		oom(c);
	return r;
}

/* Check each field with the shared entry parser; add the entry when all are fine. */
static void add_entry(struct ctx *c, struct prc_value *v, size_t entry, char **fields, size_t nf)
{
	enum prc_type type = prc_settings[c->id].type;
	const char *const *names = prc_type_field_names(type);
	bool ok = true;
	for (size_t f = 0; f < nf; f++) {
		const char *why = prc_entry_field(type, f, fields[f]);
		if (!why)
			continue;
		ok = false;
		if (*fields[f] && !prc_entry_field_secret(type, f))
			bad(c, entry, "%s '%s': %s", names[f], SHOW(c, 0, fields[f]), why);
		else
			bad(c, entry, "%s: %s", names[f], why);
	}
	if (ok && prc_value_add_item(v, (const char *const *)fields, nf, c->origin))
		oom(c);
}

/* One entry of a map setting, split into fields (already unescaped). */
static void parse_entry(struct ctx *c, struct prc_value *v, size_t entry, struct span e)
{
	enum prc_type type = prc_settings[c->id].type;
	struct span f[8];
	char *fields[PRC_MAX_FIELDS] = {0};
	const char *why = NULL;
	size_t nf;

	if (trailing_backslash(e)) {
		bad(c, entry, "ends with a lone '\\' (write \\\\ for a backslash)");
		return;
	}
	switch (type) {
	case T_CREDENTIALS: {
		/* [host]:port:user:pass, host:port:user:pass, host:user:pass, user:pass */
		nf = split_fields(e, f, 8);
		size_t k = 0;
		struct span host = {e.p, 0};
		if (nf == 2 && f[0].n && f[0].p[0] == '[') {
			/* a first field in brackets is a host, never a user name */
			char *text = unesc(c, e);
			if (text)
				bad(c, entry,
				    "'%s' names a relay host but no user:password (expected "
				    "[host]:port:user:password)",
				    SHOW(c, 0, text));
			free(text);
			return;
		} else if (nf == 2) {
			fields[0] = prc_strdup("");
		} else if (nf >= 3) {
			host = f[0];
			k = 1;
			if (nf >= 4 && all_digits(f[1])) {
				host.n = (size_t)(f[1].p + f[1].n - host.p);
				k = 2;
			}
			fields[0] = unesc(c, host);
		} else {
			bad(c, entry,
			    "expected [host]:port:user:password, host:user:password or "
			    "user:password");
			return;
		}
		struct span user = f[k];
		struct span pass = {f[k + 1].p, (size_t)(e.p + e.n - f[k + 1].p)};
		fields[1] = unesc(c, user);
		fields[2] = unesc(c, pass);
		if (fields[0] && fields[1] && fields[2])
			add_entry(c, v, entry, fields, 3);
		break;
	}
	case T_SENDER_RELAYS:
		nf = split_fields(e, f, 2);
		if (nf != 2) {
			bad(c, entry, "expected @domain:relayhost");
			return;
		}
		fields[0] = unesc(c, f[0]);
		fields[1] = unesc(c, f[1]);
		if (fields[0] && fields[1])
			add_entry(c, v, entry, fields, 2);
		break;
	case T_TRANSPORTS:
	case T_SENDER_LOGINS:
		nf = split_fields(e, f, 2);
		if (nf != 2) {
			bad(c, entry,
			    type == T_TRANSPORTS ? "expected domain:relayhost"
			                         : "expected user:sender|@domain");
			return;
		}
		fields[0] = unesc(c, f[0]);
		fields[1] = unesc(c, f[1]);
		if (fields[0] && fields[1])
			add_entry(c, v, entry, fields, 2);
		break;
	case T_USERS:
		nf = split_fields(e, f, 2);
		if (nf != 2) {
			bad(c, entry, "expected user:password");
			return;
		}
		fields[0] = unesc(c, f[0]);
		fields[1] = unesc(c, f[1]);
		if (fields[0] && fields[1])
			add_entry(c, v, entry, fields, 2);
		break;
	case T_DKIM_KEYS: {
		/* domain=selector:/path/to/key */
		const char *eq = memchr(e.p, '=', e.n);
		if (!eq) {
			bad(c, entry, "expected domain=selector:/path/to/key");
			return;
		}
		struct span rest = {eq + 1, (size_t)(e.p + e.n - eq - 1)};
		nf = split_fields(rest, f, 2);
		if (nf != 2) {
			bad(c, entry, "expected domain=selector:/path/to/key");
			return;
		}
		fields[0] = unesc(c, (struct span){e.p, (size_t)(eq - e.p)});
		fields[1] = unesc(c, f[0]);
		fields[2] = unesc(c, f[1]);
		if (fields[0] && fields[1] && fields[2])
			add_entry(c, v, entry, fields, 3);
		break;
	}
	default: {
		/* plain lists: one checked, normalized word */
		char *word = unesc(c, e), *norm = NULL;
		if (!word)
			break;
		why = prc_entry_word(type, word, &norm);
		if (why == prc_why_nomem) {
			oom(c);
		} else if (why) {
			bad(c, entry, "'%s': %s", SHOW(c, 0, word), why);
		} else {
			const char *one[1] = {norm};
			if (prc_value_add_item(v, one, 1, c->origin))
				oom(c);
		}
		free(word);
		free(norm);
		return;
	}
	}
	for (size_t i = 0; i < PRC_MAX_FIELDS; i++)
		free(fields[i]);
}

/* POSTCONF: name=value;name=value, where only "\;" is an escape. */
static void parse_postconf(struct ctx *c, struct prc_value *v, struct span s)
{
	size_t entry = 0;
	/* the entry number of each accepted item: invalid entries are not items */
	size_t max_entries = 1;
	for (size_t i = 0; i < s.n; i++)
		max_entries += s.p[i] == ';';
	size_t *entry_of = malloc(max_entries * sizeof(*entry_of));
	if (!entry_of) {
		oom(c);
		return;
	}
	const char *start = s.p;
	for (size_t i = 0; i <= s.n; i++) {
		if (i < s.n && s.p[i] == '\\' && i + 1 < s.n && s.p[i + 1] == ';') {
			i++;
			continue;
		}
		if (i < s.n && s.p[i] != ';')
			continue;
		struct span e = trim((struct span){start, (size_t)(s.p + i - start)});
		start = s.p + i + 1;
		if (!e.n)
			continue;
		entry++;
		const char *eq = memchr(e.p, '=', e.n);
		if (!eq) {
			bad(c, entry, "expected name=value");
			continue;
		}
		struct span name = trim((struct span){e.p, (size_t)(eq - e.p)});
		struct span val = trim((struct span){eq + 1, (size_t)(e.p + e.n - eq - 1)});
		char *fields[2] = {prc_strndup(name.p, name.n), malloc(val.n + 1)};
		if (!fields[0] || !fields[1]) {
			oom(c);
		} else {
			size_t o = 0;
			for (size_t k = 0; k < val.n; k++) {
				if (val.p[k] == '\\' && k + 1 < val.n && val.p[k + 1] == ';')
					k++;
				fields[1][o++] = val.p[k];
			}
			fields[1][o] = '\0';
			const char *why = prc_check_param_name(fields[0]);
			size_t dup = 0;
			for (size_t k = 0; k < v->nitems && !dup; k++)
				if (!strcmp(v->items[k].f[0], fields[0]))
					dup = entry_of[k];
			if (why)
				bad(c, entry, "'%s' %s", SHOW(c, 0, fields[0]), why);
			else if (dup)
				bad(c, entry, "parameter '%s' is already set by entry %zu",
				    fields[0], dup);
			else if (prc_value_add_item(v, (const char *const *)fields, 2, c->origin))
				oom(c);
			else
				entry_of[v->nitems - 1] = entry;
		}
		free(fields[0]);
		free(fields[1]);
	}
	free(entry_of);
}

/*
 * MYNETWORKS as Postfix will read it: the operator's list as written (order,
 * separators, address spelling), except that an IPv6 network without
 * brackets, which Postfix cannot read, gets them in place ("fd00::/8" ->
 * "[fd00::]/8").  The items keep the normalized entries for the checks.
 */
static char *cidr_list_text(struct ctx *c, const struct span *e, size_t n)
{
	struct prc_buf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i) {
			const char *end = e[i - 1].p + e[i - 1].n;
			prc_buf_add(&b, end, (size_t)(e[i].p - end));
		}
		char *word = unesc(c, e[i]);
		if (!word)
			break;
		if (word[0] != '[' && strchr(word, ':')) {
			size_t alen = strcspn(word, "/");
			prc_buf_putc(&b, '[');
			prc_buf_add(&b, word, alen);
			prc_buf_putc(&b, ']');
			prc_buf_puts(&b, word + alen);
		} else {
			prc_buf_puts(&b, word);
		}
		free(word);
	}
	char *text = prc_buf_take(&b);
	if (!text)
		oom(c);
	return text;
}

int prc_parse_env_value(enum prc_setting_id id, const char *text, const char *origin,
                        struct prc_value *out, struct prc_diags *d)
{
	const struct prc_setting *set = &prc_settings[id];
	struct ctx c = {id, origin, d, 0};
	struct prc_value v = {0};
	const char *why = prc_check_control(text);
	if (why) {
		bad(&c, 0, "value %s", why);
		return c.rc;
	}
	struct span all = trim((struct span){text, strlen(text)});
	char *s = prc_strndup(all.p, all.n);
	if (!s)
		return PRC_ERR_NOMEM;

	switch (set->type) {
	case T_CIDR_LIST:
	case T_HOST_LIST:
	case T_DOMAIN_LIST:
	case T_MATCH_DOMAINS:
	case T_WORD_LIST:
	case T_CREDENTIALS:
	case T_SENDER_RELAYS:
	case T_USERS:
	case T_DKIM_KEYS:
	case T_TRANSPORTS:
	case T_SENDER_LOGINS: {
		bool words = prc_type_fields(set->type) == 1 && set->type != T_DKIM_KEYS;
		const char *seps = words ? ", \t\n" : ",\n";
		size_t n = split(all, seps, set->type == T_CREDENTIALS, NULL, 0);
		struct span *e = calloc(n ? n : 1, sizeof(*e));
		if (!e) {
			c.rc = PRC_ERR_NOMEM;
			break;
		}
		split(all, seps, set->type == T_CREDENTIALS, e, n);
		for (size_t i = 0; i < n && c.rc != PRC_ERR_NOMEM; i++)
			parse_entry(&c, &v, i + 1, e[i]);
		if (!c.rc && set->type == T_CIDR_LIST)
			v.str = cidr_list_text(&c, e, n);
		free(e);
		break;
	}
	case T_PARAMS:
		parse_postconf(&c, &v, all);
		break;
	case T_MASTER:
		/* one variable per service: its name says which (source-peers.c) */
		bad(&c, 0,
		    "set each service with POSTFIXMASTER_<service>__<type>=<master.cf line>");
		break;
	case T_BOOL:
		if ((why = prc_parse_bool(s, &v.b)))
			bad(&c, 0, "'%s': %s", SHOW(&c, 0, s), why);
		else
			v.str = prc_strdup(v.b ? "yes" : "no");
		break;
	case T_SIZE:
		if ((why = prc_parse_size(s, &v.n)))
			bad(&c, 0, "'%s': %s", SHOW(&c, 0, s), why);
		else
			v.str = prc_asprintf("%llu", (unsigned long long)v.n);
		break;
	case T_COUNT:
		if ((why = prc_parse_count(s, set->min, set->max, &v.n))) {
			if (set->max && why == prc_why_out_of_range)
				bad(&c, 0, "'%s' %s (expected %llu to %llu)", SHOW(&c, 0, s), why,
				    (unsigned long long)set->min, (unsigned long long)set->max);
			else if (set->max)
				bad(&c, 0, "'%s': expected a whole number from %llu to %llu",
				    SHOW(&c, 0, s), (unsigned long long)set->min,
				    (unsigned long long)set->max);
			else
				bad(&c, 0, "'%s': %s", SHOW(&c, 0, s), why);
		} else {
			v.str = prc_asprintf("%llu", (unsigned long long)v.n);
		}
		break;
	case T_TIME:
		if ((why = prc_parse_time(s, &v.str)) == prc_why_nomem)
			c.rc = PRC_ERR_NOMEM;
		else if (why)
			bad(&c, 0, "'%s': %s", SHOW(&c, 0, s), why);
		break;
	case T_ENUM: {
		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (prc_check_enum(s, set->choices)) {
			struct prc_buf b = {0};
			for (const char *ch = set->choices; *ch; ch++)
				prc_buf_puts(&b, *ch == '|' ? ", " : (char[2]){*ch, 0});
			char *list = prc_buf_take(&b);
			bad(&c, 0, "'%s' is not one of: %s", SHOW(&c, 0, s),
			    list ? list : set->choices);
			free(list);
		} else {
			v.str = prc_strdup(s);
		}
		break;
	}
	case T_RELAYHOST:
		if ((why = prc_check_relayhost(s, &v.str)) == prc_why_nomem)
			c.rc = PRC_ERR_NOMEM;
		else if (why)
			bad(&c, 0, "'%s': %s", SHOW(&c, 0, s), why);
		break;
	default: {
		switch (set->type) {
		case T_HOST:
			why = prc_check_host(s);
			break;
		case T_PATH:
			why = prc_check_path(s);
			break;
		case T_EMAIL:
			why = prc_check_email(s);
			break;
		case T_TZ:
			why = prc_check_tz(s);
			break;
		case T_SELECTOR:
			why = prc_check_selector(s);
			break;
		case T_INET_SOCKET:
			why = prc_check_inet_socket(s);
			break;
		default:
			why = NULL;
			break;
		}
		if (why)
			bad(&c, 0, "'%s': %s", SHOW(&c, 0, s), why);
		else
			v.str = prc_strdup(s);
		break;
	}
	}
	free(s);
	if (!c.rc && !prc_type_is_list(set->type) && !v.str)
		c.rc = PRC_ERR_NOMEM;
	if (c.rc) {
		prc_value_clear(&v);
		return c.rc;
	}
	v.set = true;
	v.origin = prc_strdup(origin);
	if (!v.origin) {
		prc_value_clear(&v);
		return PRC_ERR_NOMEM;
	}
	prc_value_move(out, &v);
	return PRC_OK;
}
