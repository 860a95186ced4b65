/*
 * The YAML source, reading: the text must be UTF-8 without control
 * characters before libyaml sees it, and every problem of the load is
 * reported from here with NAME:LINE:COL (1-based).
 */
#include "utf8.h"
#include "yaml-node.h"

#include <stdlib.h>

/* ---- reporting ---------------------------------------------------------- */

void prc_yaml_oom(struct ctx *c)
{
	c->rc = PRC_ERR_NOMEM;
}

void prc_yaml_report(struct ctx *c, const char *code, size_t line, size_t col, const char *key,
                     const char *fmt, ...)
{
	char *origin = line ? prc_asprintf("%s:%zu:%zu", c->name, line, col) : prc_strdup(c->name);
	if (!origin) {
		prc_yaml_oom(c);
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

char *prc_yaml_origin(struct ctx *c, const struct node *n)
{
	char *o = prc_asprintf("%s:%zu:%zu", c->name, n->line, n->col);
	if (!o)
		prc_yaml_oom(c);
	return o;
}

/* ---- reading: encoding ------------------------------------------------ */

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
	size_t len = prc_utf8_decode(p + i, n - i, &cp);
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

void prc_yaml_locate(const struct ctx *c, size_t off, size_t *line, size_t *col)
{
	*line = *col = 1;
	for (size_t i = skip_bom(c->data, c->size); i < off && i < c->size;)
		i = step(c->data, c->size, i, line, col);
}

bool prc_yaml_check_encoding(struct ctx *c)
{
	size_t line = 1, col = 1, reports = 0;
	for (size_t i = skip_bom(c->data, c->size); i < c->size;) {
		uint32_t cp;
		size_t len = prc_utf8_decode(c->data + i, c->size - i, &cp);
		if (!len) {
			prc_yaml_report(
			    c, "encoding", line, col, "",
			    "byte 0x%02x is not valid UTF-8; the file must be UTF-8 encoded",
			    c->data[i]);
			reports++;
		} else if (!printable(cp)) {
			prc_yaml_report(c, "control-character", line, col, "",
			                "control character U+%04X is not allowed in a YAML file",
			                cp);
			reports++;
		}
		if (reports == MAX_ENCODING_REPORTS)
			break;
		i = step(c->data, c->size, i, &line, &col);
	}
	return reports == 0;
}
