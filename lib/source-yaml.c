/*
 * The YAML source: one YAML document (read with libyaml) into the model.
 *
 * The text is first checked for UTF-8 and control characters, then parsed
 * into a small tree of our own (so aliases, tags and marks stay under our
 * control), then walked along the settings table's dotted YAML keys.  Every
 * problem is reported with NAME:LINE:COL (1-based) and the key path; a setting
 * with any problem keeps its previous value.
 *
 * Plain (unquoted) scalars: libyaml hands us their text, but YAML 1.1 readers
 * (PyYAML, editors, yq) give some of them another meaning: `no` and `on` are
 * booleans, `0755` is octal, `1:30` is 90.  Where that meaning differs from the
 * text we would use, the value is refused with a hint; see classify().
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define YAML_MAX_SIZE        ((size_t)4 * 1024 * 1024)
#define MAX_NODES            200000
#define MAX_ANCHORS          256
#define MAX_DEPTH            64 /* the settings need 5; libyaml slows down with depth */
#define MAX_ENCODING_REPORTS 20

enum kind { N_SCALAR, N_SEQ, N_MAP };

struct node {
	enum kind kind;
	size_t line, col; /* 1-based */
	char *text;       /* scalars: the value, NUL-terminated */
	size_t len;
	bool plain;         /* plain scalar without a tag: YAML 1.1 resolution applies */
	char *tag;          /* an unsupported tag, reported when the node is used */
	struct node **kids; /* mappings: key, value, key, value, ... */
	size_t nkids, cap;
	char *anchor; /* set once the node is complete */
};

struct ctx {
	const char *name;
	const unsigned char *data;
	size_t size;
	struct prc_config *cfg;
	struct prc_diags *d;
	int rc;
	struct node **all; /* every node, for freeing (aliases share nodes) */
	size_t nall, capall;
	struct node **stack; /* open collections */
	size_t depth, capstack;
	struct node *anchors[MAX_ANCHORS];
	size_t nanchors;
	struct node *root;
};

static void oom(struct ctx *c)
{
	c->rc = PRC_ERR_NOMEM;
}

static void report(struct ctx *c, const char *code, size_t line, size_t col, const char *key,
                   const char *fmt, ...) PRC_PRINTF(6, 7);
static void report(struct ctx *c, const char *code, size_t line, size_t col, const char *key,
                   const char *fmt, ...)
{
	char *origin = line ? prc_asprintf("%s:%zu:%zu", c->name, line, col) : prc_strdup(c->name);
	if (!origin) {
		oom(c);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	prc_vdiag(c->d, PRC_SEV_ERROR, code, origin, key, fmt, ap);
	va_end(ap);
	free(origin);
	if (!c->rc)
		c->rc = PRC_ERR_INVALID;
}

#define NERR(c, n, code, key, ...) report(c, code, (n)->line, (n)->col, key, __VA_ARGS__)

static char *origin_of(struct ctx *c, const struct node *n)
{
	char *o = prc_asprintf("%s:%zu:%zu", c->name, n->line, n->col);
	if (!o)
		oom(c);
	return o;
}

/* ---- reading: encoding ------------------------------------------------ */

/* Decode one UTF-8 character; returns its length, 0 when invalid. */
static size_t utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v, min;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2, v = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, v = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4, v = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* The characters libyaml accepts in a stream (YAML 1.1's printable set). */
static bool printable(uint32_t cp)
{
	return cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
	       (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
}

/* Advance over the character at @i, counting lines and columns as libyaml does. */
static size_t step(const unsigned char *p, size_t n, size_t i, size_t *line, size_t *col)
{
	uint32_t cp = 0;
	size_t len = utf8(p + i, n - i, &cp);
	if (!len)
		len = 1;
	if (cp == '\r' && i + 1 < n && p[i + 1] == '\n') {
		len = 2;
		cp = '\n';
	}
	if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
		(*line)++;
		*col = 1;
	} else {
		(*col)++;
	}
	return i + len;
}

static size_t skip_bom(const unsigned char *p, size_t n)
{
	return n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf ? 3 : 0;
}

/* Line and column of byte @off (for libyaml's reader errors, which carry offsets). */
static void locate(const struct ctx *c, size_t off, size_t *line, size_t *col)
{
	*line = *col = 1;
	for (size_t i = skip_bom(c->data, c->size); i < off && i < c->size;)
		i = step(c->data, c->size, i, line, col);
}

/* Report every byte sequence that is not UTF-8 and every forbidden character. */
static bool check_encoding(struct ctx *c)
{
	size_t line = 1, col = 1, reports = 0;
	for (size_t i = skip_bom(c->data, c->size); i < c->size;) {
		uint32_t cp;
		size_t len = utf8(c->data + i, c->size - i, &cp);
		if (!len) {
			report(c, "encoding", line, col, "",
			       "byte 0x%02x is not valid UTF-8; the file must be UTF-8 encoded",
			       c->data[i]);
			reports++;
		} else if (!printable(cp)) {
			report(c, "control-character", line, col, "",
			       "control character U+%04X is not allowed in a YAML file", cp);
			reports++;
		}
		if (reports == MAX_ENCODING_REPORTS)
			break;
		i = step(c->data, c->size, i, &line, &col);
	}
	return reports == 0;
}

/* ---- reading: the tree ------------------------------------------------ */

static struct node *new_node(struct ctx *c, enum kind kind, yaml_mark_t m)
{
	if (c->nall == MAX_NODES) {
		report(c, "too-large", m.line + 1, m.column + 1, "",
		       "more than %d values; this is not a configuration file", MAX_NODES);
		return NULL;
	}
	if (c->nall == c->capall) {
		size_t cap = c->capall ? 2 * c->capall : 64;
		struct node **all = realloc(c->all, cap * sizeof(*all));
		if (!all) {
			oom(c);
			return NULL;
		}
		c->all = all;
		c->capall = cap;
	}
	struct node *n = calloc(1, sizeof(*n));
	if (!n) {
		oom(c);
		return NULL;
	}
	n->kind = kind;
	n->line = m.line + 1;
	n->col = m.column + 1;
	c->all[c->nall++] = n;
	return n;
}

static void add_kid(struct ctx *c, struct node *parent, struct node *kid)
{
	if (parent->nkids == parent->cap) {
		size_t cap = parent->cap ? 2 * parent->cap : 8;
		struct node **k = realloc(parent->kids, cap * sizeof(*k));
		if (!k) {
			oom(c);
			return;
		}
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->nkids++] = kid;
}

/* A finished node goes into its parent collection, or becomes the root. */
static void attach(struct ctx *c, struct node *n)
{
	if (c->depth)
		add_kid(c, c->stack[c->depth - 1], n);
	else if (!c->root)
		c->root = n;
}

/* Anchors become usable once their node is complete, so no alias can loop. */
static void set_anchor(struct ctx *c, struct node *n, const yaml_char_t *anchor)
{
	if (!anchor)
		return;
	if (c->nanchors == MAX_ANCHORS) {
		NERR(c, n, "too-large", "", "more than %d anchors", MAX_ANCHORS);
		return;
	}
	if (!(n->anchor = prc_strdup((const char *)anchor))) {
		oom(c);
		return;
	}
	c->anchors[c->nanchors++] = n;
}

static struct node *find_anchor(struct ctx *c, const char *name)
{
	for (size_t i = c->nanchors; i-- > 0;)
		if (!strcmp(c->anchors[i]->anchor, name))
			return c->anchors[i];
	return NULL;
}

/* Tags: only the standard ones that say what the node already is. */
static void check_tag(struct ctx *c, struct node *n, const yaml_char_t *tag, const char *allowed)
{
	if (!tag || !strcmp((const char *)tag, "!") || !strcmp((const char *)tag, allowed))
		return;
	static const char std[] = "tag:yaml.org,2002:";
	const char *t = (const char *)tag;
	n->tag = strncmp(t, std, sizeof(std) - 1) ? prc_strdup(t)
	                                          : prc_asprintf("!!%s", t + sizeof(std) - 1);
	if (!n->tag)
		oom(c);
}

/* Report an unsupported tag on @n (at @path); true when there is one. */
static bool tagged(struct ctx *c, const struct node *n, const char *path)
{
	if (!n->tag)
		return false;
	NERR(c, n, "unsupported", "",
	     "%s: tag %s is not supported (a value takes no tag, or !!str)", path, n->tag);
	return true;
}

static void syntax_error(struct ctx *c, const yaml_parser_t *p)
{
	size_t line, col;
	const char *problem = p->problem ? p->problem : "cannot parse the file";
	if (p->error == YAML_MEMORY_ERROR) {
		oom(c);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		locate(c, p->problem_offset, &line, &col);
		report(c, "syntax", line, col, "", "YAML error: %s", problem);
		return;
	}
	line = p->problem_mark.line + 1;
	col = p->problem_mark.column + 1;
	if (p->context)
		report(c, "syntax", line, col, "",
		       "YAML syntax error: %s (%s at line %zu, column %zu)", problem, p->context,
		       p->context_mark.line + 1, p->context_mark.column + 1);
	else
		report(c, "syntax", line, col, "", "YAML syntax error: %s", problem);
}

/* Parse the stream into c->root; false on a syntax error (nothing is applied then). */
static bool build(struct ctx *c)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		oom(c);
		return false;
	}
	yaml_parser_set_input_string(&p, c->data, c->size);
	/* the encoding is left to libyaml so that it drops a BOM; check_encoding() made sure
	 * the text is UTF-8 */
	bool ok = true, done = false;
	int docs = 0;
	while (!done && c->rc != PRC_ERR_NOMEM) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(c, &p);
			ok = false;
			break;
		}
		struct node *n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (docs) {
				report(c, "multi-document", ev.start_mark.line + 1,
				       ev.start_mark.column + 1, "",
				       "a second YAML document starts here; put every setting in "
				       "one document");
				done = true;
			}
			break;
		case YAML_DOCUMENT_END_EVENT:
			docs++;
			break;
		case YAML_SCALAR_EVENT:
			if (!(n = new_node(c, N_SCALAR, ev.start_mark)))
				break;
			n->text =
			    prc_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			n->len = ev.data.scalar.length;
			if (!n->text) {
				oom(c);
				break;
			}
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			           ev.data.scalar.plain_implicit;
			check_tag(c, n, ev.data.scalar.tag, YAML_STR_TAG);
			set_anchor(c, n, ev.data.scalar.anchor);
			attach(c, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
			if (c->depth == MAX_DEPTH) {
				report(c, "too-large", ev.start_mark.line + 1,
				       ev.start_mark.column + 1, "",
				       "lists and mappings nested deeper than %d levels",
				       MAX_DEPTH);
				ok = false;
				done = true;
				break;
			}
			if (!(n = new_node(c, seq ? N_SEQ : N_MAP, ev.start_mark)))
				break;
			check_tag(c, n,
			          seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag,
			          seq ? YAML_SEQ_TAG : YAML_MAP_TAG);
			const yaml_char_t *anchor =
			    seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
			if (anchor && !(n->anchor = prc_strdup((const char *)anchor))) {
				oom(c);
				break;
			}
			if (c->depth == c->capstack) {
				size_t cap = c->capstack ? 2 * c->capstack : 16;
				struct node **s = realloc(c->stack, cap * sizeof(*s));
				if (!s) {
					oom(c);
					break;
				}
				c->stack = s;
				c->capstack = cap;
			}
			c->stack[c->depth++] = n;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			n = c->stack[--c->depth];
			if (n->anchor) {
				char *a = n->anchor;
				n->anchor = NULL;
				set_anchor(c, n, (const yaml_char_t *)a);
				free(a);
			}
			attach(c, n);
			break;
		case YAML_ALIAS_EVENT:
			n = find_anchor(c, (const char *)ev.data.alias.anchor);
			if (n)
				attach(c, n);
			else
				report(c, "syntax", ev.start_mark.line + 1,
				       ev.start_mark.column + 1, "",
				       "alias *%s does not refer to an earlier, complete anchor",
				       (const char *)ev.data.alias.anchor);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ok && c->rc != PRC_ERR_NOMEM;
}

static void free_tree(struct ctx *c)
{
	for (size_t i = 0; i < c->nall; i++) {
		free(c->all[i]->text);
		free(c->all[i]->kids);
		free(c->all[i]->anchor);
		free(c->all[i]->tag);
		free(c->all[i]);
	}
	free(c->all);
	free(c->stack);
}

/* ---- YAML 1.1 plain scalars ----------------------------------------------- */

/* What a YAML 1.1 reader (PyYAML's resolver, the spec's booleans) makes of a plain scalar. */
enum y11 {
	Y_STR,
	Y_NULL,
	Y_BOOL,        /* true/false/yes/no/on/off/y/n */
	Y_INT,         /* 0 or [1-9][0-9]*: the same in every reading */
	Y_ZERO,        /* 0755, 08: octal in YAML 1.1 (or a string), decimal in 1.2 */
	Y_INT_OTHER,   /* a sign, '_', hex or binary: a number whose text is not its value */
	Y_SEXAGESIMAL, /* 1:30 is 90 */
	Y_FLOAT,
};

static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

static bool all_in(const char *s, size_t n, const char *set)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]))
			return false;
	return true;
}

static enum y11 classify(const char *s)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const bools[] = {"y",    "Y",     "yes",   "Yes",   "YES",  "n",
	                                    "N",    "no",    "No",    "NO",    "true", "True",
	                                    "TRUE", "false", "False", "FALSE", "on",   "On",
	                                    "ON",   "off",   "Off",   "OFF",   NULL};
	static const char *const specials[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
	                                       "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
	                                       ".NaN",  ".NAN",  NULL};
	if (one_of(s, nulls))
		return Y_NULL;
	if (one_of(s, bools))
		return Y_BOOL;
	if (one_of(s, specials))
		return Y_FLOAT;
	const char *p = s;
	bool sign = *p == '+' || *p == '-';
	p += sign;
	size_t n = strlen(p);
	const char *dot = strchr(p, '.'), *colon = strchr(p, ':');
	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'b'))
		return all_in(p + 2, n - 2, p[1] == 'x' ? "0123456789abcdefABCDEF_" : "01_")
		           ? Y_INT_OTHER
		           : Y_STR;
	if (all_in(p, n, "0123456789_")) {
		if (p[0] == '_')
			return Y_STR;
		if (p[0] == '0' && n > 1)
			return Y_ZERO;
		return sign || strchr(p, '_') ? Y_INT_OTHER : Y_INT;
	}
	if (colon && p[0] >= '0' && p[0] <= '9') {
		/* [0-9][0-9_]*(:[0-5]?[0-9])+ with an optional .fraction */
		size_t head = strspn(p, "0123456789_");
		const char *q = p + head;
		while (*q == ':') {
			size_t k = strspn(q + 1, "0123456789");
			if (k < 1 || k > 2 || (k == 2 && q[1] > '5'))
				return Y_STR;
			q += 1 + k;
		}
		if (!*q || (*q == '.' && strspn(q + 1, "0123456789_") == strlen(q + 1)))
			return Y_SEXAGESIMAL;
		return Y_STR;
	}
	if (dot) {
		/* [0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? or \.[0-9_]+(...)? */
		size_t head = strspn(p, "0123456789_");
		if (head != (size_t)(dot - p) || (head && p[0] == '_'))
			return Y_STR;
		size_t frac = strspn(dot + 1, "0123456789_");
		const char *e = dot + 1 + frac;
		if (!head && !frac)
			return Y_STR;
		if (*e == 'e' || *e == 'E') {
			if ((e[1] != '+' && e[1] != '-') ||
			    !all_in(e + 2, strlen(e + 2), "0123456789"))
				return Y_STR;
			return Y_FLOAT;
		}
		return *e ? Y_STR : Y_FLOAT;
	}
	return Y_STR;
}

/* What a value is, for "expected X, got Y" messages. */
static const char *what(const struct node *n)
{
	if (n->kind == N_SEQ)
		return "a list";
	if (n->kind == N_MAP)
		return "a mapping";
	if (!n->plain)
		return "a quoted string";
	switch (classify(n->text)) {
	case Y_NULL:
		return "null";
	case Y_BOOL:
		return "a boolean";
	case Y_STR:
		return "a string";
	default:
		return "a number";
	}
}

static bool is_null(const struct node *n)
{
	return n->kind == N_SCALAR && n->plain && classify(n->text) == Y_NULL;
}

enum want { W_STRING, W_NUMBER, W_BOOL };

/*
 * The text of scalar @n for a value of kind @w, or NULL after reporting why
 * it cannot be used (reported against @path and @key).
 */
static const char *scalar_text(struct ctx *c, const struct node *n, enum want w, const char *path,
                               const char *key, const char *expected)
{
	if (tagged(c, n, path))
		return NULL;
	if (n->kind != N_SCALAR) {
		NERR(c, n, "wrong-type", key, "%s: expected %s, got %s", path, expected, what(n));
		return NULL;
	}
	if (strlen(n->text) != n->len) {
		NERR(c, n, "control-character", key,
		     "%s: value contains a NUL character, which is not allowed", path);
		return NULL;
	}
	if (!n->plain)
		return n->text;
	const char *t = n->text;
	switch (classify(t)) {
	case Y_STR:
	case Y_INT:
		return t;
	case Y_BOOL:
		if (w == W_BOOL) {
			bool b;
			if (!prc_parse_bool(t, &b))
				return t;
			NERR(c, n, "yaml-ambiguous", key,
			     "%s: '%s' is a boolean only in YAML 1.1 and a string in YAML 1.2; "
			     "write true or false",
			     path, t);
			return NULL;
		}
		NERR(c, n, "yaml-ambiguous", key,
		     "%s: unquoted '%s' is a boolean in YAML 1.1; write \"%s\" (quoted) for the "
		     "text",
		     path, t, t);
		return NULL;
	case Y_ZERO:
		if (w == W_NUMBER)
			NERR(c, n, "yaml-ambiguous", key,
			     "%s: '%s' has a leading zero, which YAML 1.1 reads as an octal number "
			     "and YAML 1.2 as decimal; write it without the leading zero",
			     path, t);
		else
			NERR(c, n, "yaml-ambiguous", key,
			     "%s: unquoted '%s' is an octal number in YAML 1.1; write \"%s\" "
			     "(quoted) for the text",
			     path, t, t);
		return NULL;
	case Y_SEXAGESIMAL:
		NERR(c, n, "yaml-ambiguous", key,
		     "%s: unquoted '%s' is a base-60 number in YAML 1.1; write \"%s\" (quoted) "
		     "for the text",
		     path, t, t);
		return NULL;
	default:
		if (w == W_NUMBER)
			NERR(c, n, "yaml-ambiguous", key,
			     "%s: '%s' is not a plain decimal number; write digits only", path, t);
		else
			NERR(c, n, "yaml-ambiguous", key,
			     "%s: unquoted '%s' is a number in YAML; write \"%s\" (quoted) for the "
			     "text",
			     path, t, t);
		return NULL;
	case Y_NULL:
		NERR(c, n, "missing-value", key, "%s: expected %s, got null", path, expected);
		return NULL;
	}
}

/* ---- walking ------------------------------------------------------------ */

#define PATH_LEN 512

/* @a @sep @b into @buf (key paths; a very long user key is cut short). */
static void join(char *buf, const char *a, const char *sep, const char *b)
{
	size_t n = 0;
	for (const char *parts[3] = {a, sep, b}, **p = parts; p < parts + 3; p++)
		for (const char *q = *p; *q && n + 1 < PATH_LEN; q++)
			buf[n++] = *q;
	buf[n] = '\0';
}

/* Edits (insert, delete, replace, swap two neighbours) from @a to @b[0..blen). */
static size_t edit_distance(const char *a, const char *b, size_t blen)
{
	size_t alen = strlen(a);
	if (alen > 64 || blen > 64)
		return 100;
	size_t rows[3][65], *prev2 = rows[0], *prev = rows[1], *row = rows[2];
	for (size_t j = 0; j <= blen; j++)
		prev[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		row[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			row[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = row;
		row = t;
	}
	return prev[blen];
}

/* Close enough to be a typo: a third of the length, at least one edit. */
static bool close_enough(size_t dist, size_t len)
{
	return dist <= (len / 3 > 1 ? len / 3 : 1);
}

/* The next key segment of setting @i below @prefix ("" at the top), or NULL. */
static const char *segment(size_t i, const char *prefix, size_t *len)
{
	const char *y = prc_settings[i].yaml;
	size_t plen = strlen(prefix);
	if (strncmp(y, prefix, plen))
		return NULL;
	const char *s = y + plen, *dot = strchr(s, '.');
	*len = dot ? (size_t)(dot - s) : strlen(s);
	return s;
}

/* Whether @path (dotted) is a group of settings: some key starts with "path.". */
static bool is_group(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < PRC_S_COUNT; i++)
		if (!strncmp(prc_settings[i].yaml, path, n) && prc_settings[i].yaml[n] == '.')
			return true;
	return false;
}

static void unknown_key(struct ctx *c, const struct node *k, const char *prefix, const char *path)
{
	const char *key = k->text;
	/* a setting's env name used as a key */
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		if (!strcasecmp(prc_settings[i].env, key)) {
			NERR(c, k, "unknown-key", "",
			     "%s: unknown key (did you mean %s, the YAML key of %s?)", path,
			     prc_settings[i].yaml, prc_settings[i].env);
			return;
		}
	}
	/* a dotted key written flat */
	if (strchr(key, '.') && (prc_setting_by_yaml(path) >= 0 || is_group(path))) {
		NERR(c, k, "unknown-key", "",
		     "%s: unknown key (dotted keys are nested mappings: write each part on its own "
		     "level)",
		     path);
		return;
	}
	const char *best = NULL;
	size_t best_len = 0, best_dist = 100;
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		size_t len;
		const char *s = segment(i, prefix, &len);
		if (!s)
			continue;
		size_t dist = edit_distance(key, s, len);
		if (dist < best_dist && close_enough(dist, len)) {
			best = s;
			best_len = len;
			best_dist = dist;
		}
	}
	if (best) {
		NERR(c, k, "unknown-key", "", "%s: unknown key (did you mean %s%.*s?)", path,
		     prefix, (int)best_len, best);
		return;
	}
	/* the right key at the wrong level */
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const char *y = prc_settings[i].yaml, *last = strrchr(y, '.');
		if (!strcmp(last ? last + 1 : y, key) && strcmp(y, path)) {
			NERR(c, k, "unknown-key", "", "%s: unknown key (did you mean %s?)", path,
			     y);
			return;
		}
	}
	NERR(c, k, "unknown-key", "", "%s: unknown key", path);
}

struct keyref {
	const struct node *k;
	size_t index;
};

static int cmp_key(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int r = strcmp(x->k->text, y->k->text);
	return r ? r : (x->index > y->index) - (x->index < y->index);
}

static int cmp_index(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Check a mapping's keys: every key is a scalar and appears once.  Returns a
 * flag per pair (true = use it), or NULL on OOM.  Sorting keeps huge
 * mappings from costing quadratic time.
 */
static bool *check_keys(struct ctx *c, const struct node *map, const char *prefix)
{
	size_t n = map->nkids / 2;
	bool *use = calloc(n ? n : 1, sizeof(*use));
	struct keyref *refs = calloc(n ? n : 1, sizeof(*refs));
	if (!use || !refs) {
		free(use);
		free(refs);
		oom(c);
		return NULL;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct node *k = map->kids[2 * i];
		char where[PATH_LEN];
		join(where, *prefix ? prefix : "top level", "", "");
		if (*prefix)
			where[strlen(where) - 1] = '\0';
		if (tagged(c, k, where))
			continue;
		if (k->kind != N_SCALAR || is_null(k) || strlen(k->text) != k->len) {
			NERR(c, k, "wrong-type", "", "%s: expected a key name, got %s", where,
			     what(k));
			continue;
		}
		use[i] = true;
		refs[m++] = (struct keyref){k, i};
	}
	qsort(refs, m, sizeof(*refs), cmp_key);
	for (size_t i = 1, first = 0; i < m; i++) {
		if (strcmp(refs[i].k->text, refs[i - 1].k->text)) {
			first = i;
			continue;
		}
		use[refs[i].index] = false;
		refs[i].k = refs[first].k; /* now: the first occurrence */
	}
	/* report in file order */
	qsort(refs, m, sizeof(*refs), cmp_index);
	for (size_t i = 0; i < m; i++) {
		if (use[refs[i].index])
			continue;
		const struct node *k = map->kids[2 * refs[i].index], *f = refs[i].k;
		NERR(c, k, "duplicate-key", "",
		     "%s%s: duplicate key (first at line %zu, column %zu)", prefix, k->text,
		     f->line, f->col);
	}
	free(refs);
	return use;
}

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
	case T_WORD_LIST:
		return "a list";
	case T_CREDENTIALS:
	case T_SENDER_RELAYS:
	case T_USERS:
	case T_DKIM_KEYS:
		return "a list of mappings";
	case T_PARAMS:
		return "a mapping of Postfix parameter names to values";
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
	const char *t = scalar_text(c, n, w, set->yaml, set->env, expected_for(set->type));
	if (!t)
		return false;
	struct prc_diags *tmp;
	if (prc_diags_new(&tmp)) {
		oom(c);
		return false;
	}
	int r = prc_parse_env_value(id, t, origin, v, tmp);
	relay_diags(c, tmp, set->yaml);
	prc_diags_free(tmp);
	if (r == PRC_ERR_NOMEM)
		oom(c);
	else if (r && !c->rc)
		c->rc = r;
	return r == PRC_OK;
}

/* One word of a plain list, checked and normalized as the env form does. */
static bool load_word(struct ctx *c, enum prc_setting_id id, const struct node *n, const char *path,
                      struct prc_value *v)
{
	const struct prc_setting *set = &prc_settings[id];
	const char *t = scalar_text(c, n, W_STRING, path, set->env, "a string");
	if (!t)
		return false;
	char *norm = NULL;
	const char *why = prc_check_control(t);
	if (!why) {
		switch (set->type) {
		case T_CIDR_LIST:
			why = prc_check_cidr(t, &norm);
			break;
		case T_HOST_LIST:
			why = prc_check_host_or_cidr(t, &norm);
			break;
		case T_DOMAIN_LIST:
			why = prc_check_domain(t);
			break;
		default:
			why = prc_check_word(t);
			break;
		}
	}
	if (why == prc_why_nomem) {
		oom(c);
		return false;
	}
	if (why) {
		NERR(c, n, "invalid-value", set->env, "%s: '%s': %s", path, t, why);
		free(norm);
		return false;
	}
	char *origin = origin_of(c, n);
	const char *one[1] = {norm ? norm : t};
	if (!origin || prc_value_add_item(v, one, 1, origin))
		oom(c);
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

/* Check one field value of a structured item; NULL when fine. */
static const char *check_field(enum prc_type t, size_t f, const char *s)
{
	const char *why = prc_check_control(s);
	if (why)
		return why;
	switch (t) {
	case T_CREDENTIALS:
		if (f == 0)
			return *s ? prc_check_relayhost(s, NULL) : NULL;
		return *s ? NULL : "must not be empty";
	case T_USERS:
		return *s ? NULL : "must not be empty";
	case T_SENDER_RELAYS:
		return f == 0 ? prc_check_sender(s) : prc_check_relayhost(s, NULL);
	case T_DKIM_KEYS:
		return f == 0   ? prc_check_domain(s)
		       : f == 1 ? prc_check_selector(s)
		                : prc_check_path(s);
	default:
		return NULL;
	}
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
	if (tagged(c, n, path))
		return false;
	if (n->kind != N_MAP) {
		NERR(c, n, "wrong-type", set->env, "%s: expected a mapping with keys %s, got %s",
		     path, keys, what(n));
		return false;
	}
	char prefix[PATH_LEN];
	join(prefix, path, ".", "");
	bool *use = check_keys(c, n, prefix);
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
				size_t dj = cand ? edit_distance(k->text, cand, strlen(cand)) : 100;
				if (cand && dj < dist && close_enough(dj, strlen(cand))) {
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
		if (!is_null(x))
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
		join(fpath, path, ".", "password_file");
		const char *file = scalar_text(c, x, W_STRING, fpath, set->env, "a file path");
		const char *why = file ? prc_check_path(file) : NULL;
		if (why) {
			NERR(c, x, "invalid-value", set->env, "%s: '%s': %s", fpath, file, why);
		} else if (file) {
			struct prc_diags *tmp;
			char *origin = origin_of(c, x);
			int r = PRC_OK;
			if (!origin || prc_diags_new(&tmp)) {
				free(origin);
				oom(c);
				return false;
			}
			fields[pwf] = prc_read_secret(file, origin, set->env, tmp, &r);
			relay_diags(c, tmp, fpath);
			prc_diags_free(tmp);
			free(origin);
			if (r == PRC_ERR_NOMEM)
				oom(c);
			else if (r && !c->rc)
				c->rc = r;
			if (fields[pwf] &&
			    (why = check_field(set->type, (size_t)pwf, fields[pwf]))) {
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
			if (set->type == T_CREDENTIALS && f == 0) {
				fields[f] = prc_strdup("");
				if (!fields[f])
					oom(c);
				continue;
			}
			NERR(c, n, "missing-value", set->env, "%s: missing %s%s", path, names[f],
			     (int)f == pwf ? " (or password_file)" : "");
			ok = false;
			continue;
		}
		char fpath[PATH_LEN];
		join(fpath, path, ".", names[f]);
		const char *t = scalar_text(c, val[f], W_STRING, fpath, set->env, "a string");
		const char *why = t ? check_field(set->type, f, t) : NULL;
		if (!t) {
			ok = false;
		} else if (why) {
			if (*t)
				NERR(c, val[f], "invalid-value", set->env, "%s: '%s': %s", fpath, t,
				     why);
			else
				NERR(c, val[f], "invalid-value", set->env, "%s: %s", fpath, why);
			ok = false;
		} else if (!(fields[f] = prc_strdup(t))) {
			oom(c);
		}
	}
	if (ok && c->rc != PRC_ERR_NOMEM) {
		char *origin = origin_of(c, n);
		if (!origin || prc_value_add_item(v, (const char *const *)fields, nf, origin))
			oom(c);
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
	join(prefix, set->yaml, ".", "");
	bool *use = check_keys(c, n, prefix);
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
		join(path, prefix, "", k->text);
		const char *why = prc_check_param_name(k->text);
		if (why) {
			NERR(c, k, "invalid-value", set->env, "%s: '%s' %s", path, k->text, why);
			ok = false;
			continue;
		}
		if (is_null(x))
			continue; /* Postfix's own default */
		const char *t = scalar_text(c, x, W_STRING, path, set->env, "a string");
		if (t && (why = prc_check_control(t)))
			NERR(c, x, "invalid-value", set->env, "%s: value %s", path, why);
		if (!t || why) {
			ok = false;
			continue;
		}
		char *origin = origin_of(c, k);
		const char *fields[2] = {k->text, t};
		if (!origin || prc_value_add_item(v, fields, 2, origin))
			oom(c);
		free(origin);
	}
	free(use);
	return ok && c->rc != PRC_ERR_NOMEM;
}

/* Load the value @n of setting @id; on any problem the setting keeps its value. */
static void load_setting(struct ctx *c, enum prc_setting_id id, const struct node *n)
{
	const struct prc_setting *set = &prc_settings[id];
	struct prc_value v = {0};
	bool ok = true;
	if (tagged(c, n, set->yaml)) {
		c->cfg->v[id].refused = true;
		return;
	}
	if (is_null(n)) {
		/* null means unset: back to the default */
		if (set->def && prc_parse_env_value(id, set->def, "default", &v, NULL)) {
			oom(c);
			return;
		}
		prc_value_move(&c->cfg->v[id], &v);
		return;
	}
	char *origin = origin_of(c, n);
	if (!origin)
		return;
	if (!prc_type_is_list(set->type)) {
		ok = load_scalar(c, id, n, origin, &v);
	} else if (set->type == T_PARAMS ? n->kind != N_MAP : n->kind != N_SEQ) {
		NERR(c, n, "wrong-type", set->env, "%s: expected %s, got %s", set->yaml,
		     expected_for(set->type), what(n));
		ok = false;
	} else if (set->type == T_PARAMS) {
		ok = load_params(c, id, n, &v);
	} else {
		bool words = prc_type_field_names(set->type) == NULL;
		for (size_t i = 0; i < n->nkids && c->rc != PRC_ERR_NOMEM; i++) {
			char path[PATH_LEN];
			snprintf(path, sizeof(path), "%s[%zu]", set->yaml, i + 1);
			bool r = words ? load_word(c, id, n->kids[i], path, &v)
			               : load_item(c, id, n->kids[i], path, &v);
			ok = ok && r;
		}
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
	bool *use = check_keys(c, map, prefix);
	if (!use)
		return;
	for (size_t i = 0; i < map->nkids / 2 && c->rc != PRC_ERR_NOMEM; i++) {
		const struct node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
		if (!use[i])
			continue;
		char path[PATH_LEN];
		join(path, prefix, "", k->text);
		int id = strchr(k->text, '.') ? -1 : prc_setting_by_yaml(path);
		if (id >= 0) {
			load_setting(c, (enum prc_setting_id)id, v);
		} else if (!strchr(k->text, '.') && is_group(path)) {
			if (tagged(c, v, path)) {
				continue;
			} else if (v->kind == N_MAP) {
				char sub[PATH_LEN];
				join(sub, path, ".", "");
				walk(c, v, sub);
			} else if (!is_null(v)) {
				NERR(c, v, "wrong-type", "", "%s: expected a mapping, got %s", path,
				     what(v));
			}
		} else {
			unknown_key(c, k, prefix, path);
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
		report(&c, "too-large", 0, 0, "",
		       "larger than %zu MiB; this is not a configuration file",
		       YAML_MAX_SIZE / (1024 * 1024));
		return c.rc;
	}
	if (!check_encoding(&c))
		return c.rc;
	if (build(&c) && c.root) {
		if (tagged(&c, c.root, "top level"))
			;
		else if (c.root->kind == N_MAP)
			walk(&c, c.root, "");
		else if (!is_null(c.root))
			NERR(&c, c.root, "wrong-type", "",
			     "expected a mapping of settings at the top level, got %s",
			     what(c.root));
	}
	free_tree(&c);
	return c.rc;
}

PRC_EXPORT int prc_config_load_yaml_file(struct prc_config *cfg, const char *path,
                                         struct prc_diags *d)
{
	if (!cfg || !path)
		return PRC_ERR_ARG;
	char *data;
	size_t len;
	int rc = prc_read_file(path, YAML_MAX_SIZE, "", "", d, &data, &len);
	if (rc)
		return rc;
	rc = prc_config_load_yaml_buffer(cfg, path, data, len, d);
	free(data);
	return rc;
}
