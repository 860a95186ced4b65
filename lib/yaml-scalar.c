/*
 * The YAML source, scalars: what a plain (unquoted) scalar means.  libyaml
 * hands us its text, but YAML 1.1 readers (PyYAML, editors, yq) give some of
 * them another meaning: `no` and `on` are booleans, `0755` is octal, `1:30`
 * is 90.  Where that meaning differs from the text we would use, the value is
 * refused with a hint; see classify().
 */
#include "yaml-node.h"

#include <string.h>

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

const char *prc_yaml_what(const struct node *n)
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

bool prc_yaml_is_null(const struct node *n)
{
	return n->kind == N_SCALAR && n->plain && classify(n->text) == Y_NULL;
}

const char *prc_yaml_scalar_text(struct ctx *c, const struct node *n, enum want w, const char *path,
                                 const char *key, const char *expected)
{
	if (prc_yaml_tagged(c, n, path))
		return NULL;
	if (n->kind != N_SCALAR) {
		NERR(c, n, "wrong-type", key, "%s: expected %s, got %s", path, expected,
		     prc_yaml_what(n));
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
