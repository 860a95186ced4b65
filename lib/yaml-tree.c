/*
 * The YAML source, the tree: libyaml's events into nodes of our own, so that
 * aliases, tags and marks stay under our control.  An alias refers only to a
 * complete node (no loops); sizes and depth are bounded.
 */
#include "yaml-node.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static struct node *new_node(struct ctx *c, enum kind kind, yaml_mark_t m)
{
	if (c->nall == MAX_NODES) {
		prc_yaml_report(c, "too-large", m.line + 1, m.column + 1, "",
		                "more than %d values; this is not a configuration file", MAX_NODES);
		return NULL;
	}
	if (c->nall == c->capall) {
		size_t cap = c->capall ? 2 * c->capall : 64;
		struct node **all = realloc(c->all, cap * sizeof(*all));
		if (!all) {
			prc_yaml_oom(c);
			return NULL;
		}
		c->all = all;
		c->capall = cap;
	}
	struct node *n = calloc(1, sizeof(*n));
	if (!n) {
		prc_yaml_oom(c);
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
			prc_yaml_oom(c);
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
		prc_yaml_oom(c);
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
		prc_yaml_oom(c);
}

bool prc_yaml_tagged(struct ctx *c, const struct node *n, const char *path)
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
		prc_yaml_oom(c);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		prc_yaml_locate(c, p->problem_offset, &line, &col);
		prc_yaml_report(c, "syntax", line, col, "", "YAML error: %s", problem);
		return;
	}
	line = p->problem_mark.line + 1;
	col = p->problem_mark.column + 1;
	if (p->context)
		prc_yaml_report(c, "syntax", line, col, "",
		                "YAML syntax error: %s (%s at line %zu, column %zu)", problem,
		                p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	else
		prc_yaml_report(c, "syntax", line, col, "", "YAML syntax error: %s", problem);
}

bool prc_yaml_build(struct ctx *c)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		prc_yaml_oom(c);
		return false;
	}
	yaml_parser_set_input_string(&p, c->data, c->size);
	/* the encoding is left to libyaml so that it drops a BOM; prc_yaml_check_encoding() made
	 * sure the text is UTF-8 */
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
				prc_yaml_report(
				    c, "multi-document", ev.start_mark.line + 1,
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
				prc_yaml_oom(c);
				break;
			}
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			           ev.data.scalar.plain_implicit;
			n->literal = ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE;
			check_tag(c, n, ev.data.scalar.tag, YAML_STR_TAG);
			set_anchor(c, n, ev.data.scalar.anchor);
			attach(c, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
			if (c->depth == MAX_DEPTH) {
				prc_yaml_report(c, "too-large", ev.start_mark.line + 1,
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
				prc_yaml_oom(c);
				break;
			}
			if (c->depth == c->capstack) {
				size_t cap = c->capstack ? 2 * c->capstack : 16;
				struct node **s = realloc(c->stack, cap * sizeof(*s));
				if (!s) {
					prc_yaml_oom(c);
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
				prc_yaml_report(
				    c, "syntax", ev.start_mark.line + 1, ev.start_mark.column + 1,
				    "", "alias *%s does not refer to an earlier, complete anchor",
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

void prc_yaml_free_tree(struct ctx *c)
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
