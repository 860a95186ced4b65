/* Your own lookup tables: names, types from references, lines read as Postfix reads them. */
#include "user-tables.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define V(id) (&cfg->v[PRC_S_##id])

static const char *const types[] = {"hash", "lmdb", "cdb", "pcre", "regexp"};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

/* Files postrelay itself keeps in the config directory. */
static const char *const reserved[] = {
    "main.cf", "master.cf", "dynamicmaps.cf", "postfix-files", "sasl", "opendkim", NULL};

const char *prc_check_table_name(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return "must not be empty";
	if (n > 64)
		return "is longer than 64 characters";
	if (*s == '.' || *s == '-')
		return "must not start with '.' or '-'";
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return "may hold only letters, digits, '_', '.' and '-' (it is a file "
			       "name)";
	for (size_t i = 0; reserved[i]; i++)
		if (!strcmp(s, reserved[i]))
			return "is a file of Postfix's own configuration";
	static const char *const built[] = {".db", ".lmdb", ".cdb"};
	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(built[i]);
		if (n > k && !strcmp(s + n - k, built[i]))
			return "must not end in .db, .lmdb or .cdb (the built tables' names)";
	}
	return NULL;
}

bool prc_utable_indexed(const char *type)
{
	return !strcmp(type, "hash") || !strcmp(type, "lmdb") || !strcmp(type, "cdb");
}

static const char *known_type(const char *s, size_t n)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (strlen(types[i]) == n && !strncmp(types[i], s, n))
			return types[i];
	return NULL;
}

/* The table's name as its origin speaks: POSTMAP_<name> or postfix.tables.<name>. */
static void table_key(char *buf, size_t size, const struct prc_item *it)
{
	if (prc_origin_is_yaml(it->origin))
		snprintf(buf, size, "%s.%s", prc_settings[PRC_S_POSTMAP].yaml, it->f[UT_NAME]);
	else
		snprintf(buf, size, "POSTMAP_%s", it->f[UT_NAME]);
}

/* ---- references from passthrough parameters ----------------------------- */

/* The names the config directory goes by in a parameter value. */
static size_t confdir_prefix(const char *s, size_t n, const char *dir)
{
	static const char *const forms[] = {"${config_directory}/", "$config_directory/",
	                                    "$(config_directory)/"};
	for (size_t i = 0; i < 3; i++) {
		size_t k = strlen(forms[i]);
		if (n > k && !strncmp(s, forms[i], k))
			return k;
	}
	size_t k = strlen(dir);
	if (n > k + 1 && !strncmp(s, dir, k) && s[k] == '/')
		return k + 1;
	return 0;
}

/* The config directory of the other images (and of Postfix by default). */
static const char peer_dir[] = "/etc/postfix/";

/* Whether @name (@n bytes) is a user table of @tv. */
static bool defined(const struct prc_value *tv, const char *name, size_t n)
{
	for (size_t t = 0; t < tv->nitems; t++)
		if (strlen(tv->items[t].f[UT_NAME]) == n &&
		    !strncmp(tv->items[t].f[UT_NAME], name, n))
			return true;
	return false;
}

/*
 * A user table referenced as /etc/postfix/<name> (the form peers' images
 * document) when the instance's config directory is elsewhere (apply
 * --root): the length of "/etc/postfix/" when @s starts with it and names a
 * defined table, else 0.  A file of that path that is no user table is the
 * user's own (mounted) file and left alone.
 */
static size_t peer_prefix(const struct prc_value *tv, const char *s, size_t n, const char *dir)
{
	size_t k = sizeof(peer_dir) - 1;
	if (!strncmp(dir, peer_dir, k - 1) && !dir[k - 1])
		return 0; /* the config directory is /etc/postfix: confdir_prefix() */
	if (n <= k || strncmp(s, peer_dir, k) || memchr(s + k, '/', n - k) ||
	    !defined(tv, s + k, n - k))
		return 0;
	return k;
}

char *prc_utables_rewrite(const struct prc_config *cfg, const char *value)
{
	const struct prc_value *tv = V(POSTMAP);
	char *dir = prc_instance_path(cfg, PRC_PATH_POSTFIX_DIR);
	size_t len = strlen(value);
	/* each /etc/postfix/ (13 bytes) may become ${config_directory}/ (20) */
	char *out = dir ? malloc(len + len / 13 * 7 + 1) : NULL;
	if (!out) {
		free(dir);
		return NULL;
	}
	char *o = out;
	for (const char *s = value; *s;) {
		size_t n = strcspn(s, " \t,{}:");
		size_t k = n ? peer_prefix(tv, s, n, dir) : 0;
		bool start = s == value || strchr(" \t,{:", s[-1]);
		if (k && start) {
			o += sprintf(o, "${config_directory}/");
			memcpy(o, s + k, n - k);
			o += n - k;
			s += n;
		} else {
			size_t m = n ? n : 1;
			memcpy(o, s, m);
			o += m;
			s += m;
		}
	}
	*o = '\0';
	free(dir);
	return out;
}

static const char *postrelay_files[] = {"sasl_passwd",   "sender_relay",     "header_checks",
                                        "sender_access", "recipient_access", "sender_logins",
                                        "transport",     "sender_transport", NULL};

int prc_utables_resolve(const struct prc_config *cfg, const char **out, bool *secret,
                        struct prc_diags *d, size_t *errors)
{
	const struct prc_value *tv = V(POSTMAP), *pv = V(POSTCONF);
	const struct prc_item **by = calloc(tv->nitems + 1, sizeof(*by));
	bool *unsure = calloc(tv->nitems + 1, sizeof(*unsure)); /* its type is in question */
	char *dir = prc_instance_path(cfg, PRC_PATH_POSTFIX_DIR);
	if (!by || !unsure || !dir) {
		free(by);
		free(unsure);
		free(dir);
		return PRC_ERR_NOMEM;
	}
	for (size_t t = 0; t < tv->nitems; t++) {
		const char *y = tv->items[t].f[UT_TYPE];
		out[t] = y && *y ? known_type(y, strlen(y)) : NULL;
	}
	for (size_t i = 0; i < pv->nitems; i++) {
		const struct prc_item *param = &pv->items[i];
		for (const char *s = param->f[1]; *s;) {
			/* list elements end at blanks and commas; { } group them */
			size_t n = strcspn(s, " \t,");
			if (!n) {
				s++;
				continue;
			}
			const char *w = s, *end = s + n;
			s += n;
			while (w < end && *w == '{')
				w++;
			size_t open = 0, close = 0;
			for (const char *q = w; q < end; q++)
				open += *q == '{', close += *q == '}';
			while (end > w && end[-1] == '}' && close > open)
				end--, close--;
			/* proxy:TYPE:PATH is TYPE:PATH read through proxymap */
			if (end - w > 6 && !strncmp(w, "proxy:", 6))
				w += 6;
			const char *colon = memchr(w, ':', (size_t)(end - w));
			if (!colon)
				continue;
			size_t k = confdir_prefix(colon + 1, (size_t)(end - colon - 1), dir);
			if (!k)
				k = peer_prefix(tv, colon + 1, (size_t)(end - colon - 1), dir);
			if (!k)
				continue;
			const char *name = colon + 1 + k;
			size_t nlen = (size_t)(end - name);
			if (memchr(name, '/', nlen))
				continue;
			size_t t = 0;
			while (t < tv->nitems && (strlen(tv->items[t].f[UT_NAME]) != nlen ||
			                          strncmp(tv->items[t].f[UT_NAME], name, nlen)))
				t++;
			bool yaml = prc_origin_is_yaml(param->origin);
			if (t == tv->nitems) {
				bool ours = false;
				for (size_t f = 0; postrelay_files[f] && !ours; f++)
					ours = strlen(postrelay_files[f]) == nlen &&
					       !strncmp(postrelay_files[f], name, nlen);
				if (ours)
					continue;
				prc_diag(
				    d, PRC_SEV_ERROR, "undefined-table", param->origin, "POSTCONF",
				    "parameter %s: %.*s names the table %.*s, which %s%.*s does "
				    "not define",
				    param->f[0], (int)(end - w), w, (int)nlen, name,
				    yaml ? "postfix.tables." : "POSTMAP_", (int)nlen, name);
				(*errors)++;
				continue;
			}
			const char *type = known_type(w, (size_t)(colon - w));
			/* a table of passwords is kept from other users, as sasl_passwd is */
			if (secret && strstr(param->f[0], "password"))
				secret[t] = true;
			char tk[160];
			table_key(tk, sizeof(tk), &tv->items[t]);
			if (!type) {
				prc_diag(
				    d, PRC_SEV_ERROR, "invalid-value", param->origin, "POSTCONF",
				    "parameter %s: table %s is referenced as type '%.*s'; %s can "
				    "be hash, lmdb, cdb, pcre or regexp",
				    param->f[0], tv->items[t].f[UT_NAME], (int)(colon - w), w, tk);
				(*errors)++;
				by[t] = by[t] ? by[t] : param;
				unsure[t] = true;
			} else if (out[t] && strcmp(out[t], type)) {
				const char *other = by[t] ? by[t]->f[0] : NULL;
				if (other)
					prc_diag(
					    d, PRC_SEV_ERROR, "conflict", param->origin, "POSTCONF",
					    "parameter %s references %s as %s, but parameter %s "
					    "as %s: one table has one type",
					    param->f[0], tk, type, other, out[t]);
				else
					prc_diag(
					    d, PRC_SEV_ERROR, "conflict", param->origin, "POSTCONF",
					    "parameter %s references %s as %s, but its type is %s",
					    param->f[0], tk, type, out[t]);
				(*errors)++;
				unsure[t] = true;
			} else if (!out[t]) {
				out[t] = type;
				by[t] = param;
			} else if (!by[t]) {
				by[t] = param;
			}
		}
	}
	for (size_t t = 0; t < tv->nitems; t++) {
		if (by[t] || out[t])
			continue;
		char tk[160];
		table_key(tk, sizeof(tk), &tv->items[t]);
		prc_diag(d, PRC_SEV_WARNING, "unreferenced-table", tv->items[t].origin, tk,
		         "no parameter references table %s: built as hash:${config_directory}/%s",
		         tv->items[t].f[UT_NAME], tv->items[t].f[UT_NAME]);
		out[t] = "hash";
	}
	for (size_t t = 0; t < tv->nitems; t++)
		out[t] = unsure[t] ? NULL : out[t] ? out[t] : "hash";
	free(unsure);
	free(by);
	free(dir);
	return PRC_OK;
}

/* ---- reading a table ------------------------------------------------------ */

struct reader {
	const struct prc_item *it;
	const char *type;
	struct prc_diags *d;
	size_t *errors;
	char key[160];
	bool entries; /* a YAML list: "entry N", no continuation lines */
	bool block;   /* a YAML | block: the origin is its line 1 */
	bool oom;
	struct prc_utable_entry *e;
	size_t n, cap;
};

static void bad(struct reader *r, size_t line, const char *fmt, ...) PRC_PRINTF(3, 4);
static void bad(struct reader *r, size_t line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bool yaml = prc_origin_is_yaml(r->it->origin);
	const char *origin = r->it->origin;
	char *own = NULL;
	/* a | block in a YAML file: the origin of line @line is that line of the file */
	const char *colon = strrchr(origin, ':');
	if (r->block && colon && colon > origin) {
		const char *lc = colon - 1;
		while (lc > origin && *lc != ':')
			lc--;
		size_t first = (size_t)strtoul(lc + 1, NULL, 10);
		own =
		    prc_asprintf("%.*s:%zu%s", (int)(lc - origin), origin, first + line - 1, colon);
		origin = own ? own : origin;
	}
	prc_diag(r->d, PRC_SEV_ERROR, "invalid-table", origin, r->key, "%s%s%s %zu: %s",
	         yaml ? r->key : "", yaml ? ": " : "", r->entries ? "entry" : "line", line, msg);
	free(own);
	(*r->errors)++;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * The next logical line (as Postfix's readllines): comment lines (first
 * non-blank '#') and blank lines are skipped, a line that starts with a blank
 * continues the one before.  Its text goes to @buf, its first line to *first.
 */
static bool next_line(struct reader *r, const char **pp, size_t *lineno, struct prc_buf *buf,
                      size_t *first)
{
	const char *p = *pp;
	bool have = false;
	buf->len = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len && p[len - 1] == '\r')
			len--;
		size_t lead = 0;
		while (lead < len && blank(p[lead]))
			lead++;
		bool skip = lead == len || p[lead] == '#';
		if (!skip && have && (!lead || r->entries))
			break; /* the next logical line starts here */
		(*lineno)++;
		if (!skip) {
			if (!have) {
				*first = *lineno;
				prc_buf_add(buf, p + lead, len - lead);
				have = true;
			} else {
				prc_buf_add(buf, p, len);
			}
		}
		p = eol ? eol + 1 : p + strlen(p);
	}
	*pp = p;
	if (buf->oom)
		r->oom = true;
	prc_buf_putc(buf, '\0');
	return have && !buf->oom;
}

static void add_entry(struct reader *r, char *key, char *value, size_t line)
{
	if (!key || !value || r->oom) {
		free(key);
		free(value);
		r->oom = true;
		return;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct prc_utable_entry *e = realloc(r->e, cap * sizeof(*e));
		if (!e) {
			free(key);
			free(value);
			r->oom = true;
			return;
		}
		r->e = e;
		r->cap = cap;
	}
	r->e[r->n++] = (struct prc_utable_entry){key, value, line};
}

/* key blanks value, key folded to lower case as postmap folds it */
static void indexed_line(struct reader *r, char *s, size_t line)
{
	size_t kn = strcspn(s, " \t");
	char *v = s + kn;
	while (blank(*v))
		v++;
	size_t vn = strlen(v);
	while (vn && blank(v[vn - 1]))
		vn--;
	if (!vn) {
		char clip[PRC_CLIP_MAX + 4];
		bad(r, line, "'%s': expected a key, blanks, then its value", prc_clip(clip, s));
		return;
	}
	char *key = prc_strndup(s, kn);
	for (char *c = key; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	add_entry(r, key, prc_strndup(v, vn), line);
}

/*
 * One /pattern/flags at *pp (after any '!'), compiled as Postfix compiles
 * it; *pp moves past it.  Returns the number of capture groups, or -1 after
 * reporting; *neg says whether the match is negated.
 */
static long pattern(struct reader *r, const char **pp, size_t line, bool *neg)
{
	const char *p = *pp;
	*neg = false;
	for (; *p == '!' || blank(*p); p++)
		if (*p == '!')
			*neg = !*neg;
	if (!*p) {
		bad(r, line, "expected a /pattern/");
		return -1;
	}
	char delim = *p++;
	const char *start = p;
	while (*p && *p != delim)
		p += *p == '\\' && p[1] ? 2 : 1;
	if (!*p) {
		bad(r, line, "no closing '%c' after the pattern", delim);
		return -1;
	}
	char *re = prc_strndup(start, (size_t)(p - start));
	if (!re) {
		r->oom = true;
		return -1;
	}
	p++;
	bool pcre = !strcmp(r->type, "pcre");
	uint32_t popts = PCRE2_CASELESS | PCRE2_DOTALL;
	int ropts = REG_EXTENDED | REG_ICASE;
	for (; *p && !blank(*p) && (pcre || *p != '!'); p++) {
		switch (pcre ? *p : *p | 0x100) {
		case 'i':
			popts ^= PCRE2_CASELESS;
			break;
		case 'm':
			popts ^= PCRE2_MULTILINE;
			break;
		case 's':
			popts ^= PCRE2_DOTALL;
			break;
		case 'x':
			popts ^= PCRE2_EXTENDED;
			break;
		case 'A':
			popts ^= PCRE2_ANCHORED;
			break;
		case 'E':
			popts ^= PCRE2_DOLLAR_ENDONLY;
			break;
		case 'U':
			popts ^= PCRE2_UNGREEDY;
			break;
		case 'i' | 0x100:
			ropts ^= REG_ICASE;
			break;
		case 'x' | 0x100:
			ropts ^= REG_EXTENDED;
			break;
		case 'm' | 0x100:
			ropts ^= REG_NEWLINE;
			break;
		default:
			bad(r, line, "unknown %s flag '%c' after the pattern", r->type, *p);
			free(re);
			return -1;
		}
	}
	*pp = p;
	long groups = -1;
	char clip[PRC_CLIP_MAX + 4];
	if (pcre) {
		int err;
		PCRE2_SIZE off;
		pcre2_code *code =
		    pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, popts, &err, &off, NULL);
		if (!code) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof(msg));
			bad(r, line, "pattern %c%s%c: %s at offset %zu", delim, prc_clip(clip, re),
			    delim, (const char *)msg, (size_t)off);
		} else {
			uint32_t count = 0;
			pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count);
			groups = (long)count;
			pcre2_code_free(code);
		}
	} else {
		regex_t rx;
		int err = regcomp(&rx, re, ropts);
		if (err) {
			char msg[256];
			regerror(err, &rx, msg, sizeof(msg));
			bad(r, line, "pattern %c%s%c: %s", delim, prc_clip(clip, re), delim, msg);
		} else {
			groups = (long)rx.re_nsub;
			regfree(&rx);
		}
	}
	free(re);
	return groups;
}

/* $1..$N in a result: numbers only, no more than the pattern's groups (Postfix's prescan). */
static bool check_result(struct reader *r, const char *v, size_t line, long groups, bool neg)
{
	for (const char *p = v; (p = strchr(p, '$'));) {
		p++;
		if (*p == '$') {
			p++;
			continue;
		}
		char close = *p == '{' ? '}' : *p == '(' ? ')' : 0;
		const char *name = p + (close != 0);
		size_t n =
		    close ? strcspn(name, close == '}' ? "}" : ")") : strspn(name, "0123456789");
		if (!n || strspn(name, "0123456789") != n) {
			bad(r, line,
			    "result: '$' must be followed by a group number ($1, ${1}) or "
			    "written $$");
			return false;
		}
		long k = strtol(name, NULL, 10);
		if (neg) {
			bad(r, line, "result: $%ld in the result of a negated (!) pattern", k);
			return false;
		}
		if (k < 1 || k > groups) {
			bad(r, line, "result: $%ld but the pattern has %ld group%s", k, groups,
			    groups == 1 ? "" : "s");
			return false;
		}
		p = name + n + (close != 0);
	}
	return true;
}

/* A pcre or regexp rule: /pattern/flags result, if /pattern/flags, endif. */
static void pattern_line(struct reader *r, char *s, size_t line, size_t *ifs, size_t *nif)
{
	size_t n = strlen(s);
	while (n && blank(s[n - 1]))
		s[--n] = '\0';
	bool neg;
	if (alnum(*s)) {
		if (!strncasecmp(s, "if", 2) && !alnum(s[2])) {
			const char *p = s + 2;
			while (blank(*p))
				p++;
			const char *pat = p;
			if (pattern(r, &p, line, &neg) < 0)
				return;
			while (blank(*p))
				p++;
			if (*p) {
				bad(r, line, "text after the pattern of if");
				return;
			}
			if (*nif < 64)
				ifs[*nif] = line;
			(*nif)++;
			add_entry(r, prc_strndup(s, 2), prc_strdup(pat), line);
		} else if (!strncasecmp(s, "endif", 5) && !alnum(s[5])) {
			const char *p = s + 5;
			while (blank(*p))
				p++;
			if (*p)
				bad(r, line, "text after endif");
			else if (!*nif)
				bad(r, line, "endif without if");
			else {
				(*nif)--;
				add_entry(r, prc_strndup(s, 5), prc_strdup(""), line);
			}
		} else {
			char clip[PRC_CLIP_MAX + 4];
			bad(r, line, "'%s': expected /pattern/ result, if /pattern/ or endif",
			    prc_clip(clip, s));
		}
		return;
	}
	const char *p = s;
	long groups = pattern(r, &p, line, &neg);
	if (groups < 0)
		return;
	/* regexp's /match/!/no match/: the second pattern must not match */
	bool neg2;
	if (!strcmp(r->type, "regexp") && *p == '!' && p[1] && !blank(p[1])) {
		p++;
		if (pattern(r, &p, line, &neg2) < 0)
			return;
	}
	const char *end = p;
	while (blank(*p))
		p++;
	if (!*p) {
		bad(r, line, "no result after the pattern");
		return;
	}
	if (!check_result(r, p, line, groups, neg))
		return;
	add_entry(r, prc_strndup(s, (size_t)(end - s)), prc_strdup(p), line);
}

struct order {
	const char *key;
	size_t i;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Indexed tables: one value per (folded) key; postmap would keep only one. */
static void duplicates(struct reader *r)
{
	struct order *o = malloc((r->n ? r->n : 1) * sizeof(*o));
	if (!o) {
		r->oom = true;
		return;
	}
	for (size_t i = 0; i < r->n; i++)
		o[i] = (struct order){r->e[i].key, i};
	qsort(o, r->n, sizeof(*o), order_cmp);
	char clip[PRC_CLIP_MAX + 4];
	for (size_t i = 1, first = 0; i < r->n; i++) {
		if (strcmp(o[i].key, o[first].key)) {
			first = i;
			continue;
		}
		bad(r, r->e[o[i].i].line,
		    "key '%s' is already given %s %zu (keys are compared in lower case, as "
		    "postmap folds them)",
		    prc_clip(clip, o[i].key), r->entries ? "by entry" : "on line",
		    r->e[o[first].i].line);
	}
	free(o);
}

void prc_utable_entries_free(struct prc_utable_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].key);
		free(e[i].value);
	}
	free(e);
}

int prc_utable_parse(const struct prc_item *it, const char *type, struct prc_diags *d,
                     size_t *errors, struct prc_utable_entry **out, size_t *n)
{
	size_t dummy = 0;
	struct reader r = {.it = it, .type = type, .d = d, .errors = errors ? errors : &dummy};
	r.entries = it->f[UT_FORM] && !strcmp(it->f[UT_FORM], "entries");
	r.block = it->f[UT_FORM] && !strcmp(it->f[UT_FORM], "block");
	table_key(r.key, sizeof(r.key), it);
	bool indexed = prc_utable_indexed(type);
	size_t before = *r.errors, lineno = 0, first = 0, ifs[64], nif = 0;
	struct prc_buf buf = {0};
	const char *p = it->f[UT_CONTENT];
	while (!r.oom && next_line(&r, &p, &lineno, &buf, &first)) {
		if (indexed)
			indexed_line(&r, buf.s, first);
		else
			pattern_line(&r, buf.s, first, ifs, &nif);
	}
	prc_buf_free(&buf);
	for (size_t i = 0; i < nif && !r.oom; i++)
		bad(&r, i < 64 ? ifs[i] : lineno, "if without endif");
	if (indexed && d && !r.oom && *r.errors == before)
		duplicates(&r);
	if (r.oom || !out) {
		prc_utable_entries_free(r.e, r.n);
		if (out)
			*out = NULL, *n = 0;
		return r.oom ? PRC_ERR_NOMEM : PRC_OK;
	}
	*out = r.e;
	*n = r.n;
	return PRC_OK;
}

const char *prc_check_table_text(const char *s, size_t len)
{
	if (strlen(s) != len)
		return "contains a NUL byte";
	char *copy = prc_strdup(s);
	if (!copy)
		return prc_why_nomem;
	for (char *c = copy; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	const char *why = prc_check_control(copy);
	free(copy);
	return why ? (strstr(why, "UTF-8") ? why
	                                   : "contains a control character other than "
	                                     "newline and tab")
	           : NULL;
}

int prc_utable_put(struct prc_value *v, const char *name, const char *type, const char *content,
                   const char *form, const char *origin)
{
	for (size_t i = 0; i < v->nitems; i++) {
		if (strcmp(v->items[i].f[UT_NAME], name))
			continue;
		/* a later source replaces the table as a whole */
		for (size_t k = 0; k < PRC_MAX_FIELDS; k++)
			free(v->items[i].f[k]);
		free(v->items[i].origin);
		memmove(&v->items[i], &v->items[i + 1], (v->nitems - i - 1) * sizeof(v->items[0]));
		v->nitems--;
		break;
	}
	const char *f[4] = {name, type ? type : "", content, form};
	return prc_value_add_item(v, f, 4, origin);
}
