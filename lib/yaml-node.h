/*
 * The YAML source's stages, private to them (libyaml's split):
 *   yaml-read.c    the text: size, UTF-8, control characters; reporting
 *   yaml-tree.c    libyaml events into a tree of nodes with 1-based marks
 *   yaml-scalar.c  what a plain scalar means (YAML 1.1 vs 1.2) and its text
 *   yaml-keys.c    mapping keys: duplicates, unknown keys and suggestions
 *   source-yaml.c  the walk: keys to settings, values through the shared parsers
 */
#ifndef PRC_YAML_NODE_H
#define PRC_YAML_NODE_H

#include "internal.h"

#define YAML_MAX_SIZE        ((size_t)4 * 1024 * 1024)
#define MAX_NODES            200000
#define MAX_ANCHORS          256
#define MAX_DEPTH            64 /* the settings need 5; libyaml slows down with depth */
#define MAX_ENCODING_REPORTS 20
#define PATH_LEN             512

enum kind { N_SCALAR, N_SEQ, N_MAP };

struct node {
	enum kind kind;
	size_t line, col; /* 1-based */
	char *text;       /* scalars: the value, NUL-terminated */
	size_t len;
	bool plain;         /* plain scalar without a tag: YAML 1.1 resolution applies */
	bool literal;       /* a | block: its text starts on the line after the indicator */
	char *tag;          /* an unsupported tag, reported when the node is used */
	struct node **kids; /* mappings: key, value, key, value, ... */
	size_t nkids, cap;
	char *anchor; /* set once the node is complete */
};

/* One load of one document: the input, the tree, and where problems go. */
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

/* ---- reporting and the text (yaml-read.c) ---------------------------- */

void prc_yaml_oom(struct ctx *c);
/* An error at @line:@col (1-based; 0 names the file alone); sets c->rc. */
void prc_yaml_report(struct ctx *c, const char *code, size_t line, size_t col, const char *key,
                     const char *fmt, ...) PRC_PRINTF(6, 7);
#define NERR(c, n, code, key, ...) prc_yaml_report(c, code, (n)->line, (n)->col, key, __VA_ARGS__)
/* "NAME:LINE:COL" of @n (caller frees); NULL on OOM (then c->rc says so). */
char *prc_yaml_origin(struct ctx *c, const struct node *n);
/* Report every byte sequence that is not UTF-8 and every forbidden character. */
bool prc_yaml_check_encoding(struct ctx *c);
/* Line and column of byte @off (for libyaml's reader errors, which carry offsets). */
void prc_yaml_locate(const struct ctx *c, size_t off, size_t *line, size_t *col);

/* ---- the tree (yaml-tree.c) ------------------------------------------ */

/* Parse the stream into c->root; false on a syntax error (nothing is applied then). */
bool prc_yaml_build(struct ctx *c);
void prc_yaml_free_tree(struct ctx *c);
/* Report an unsupported tag on @n (at @path); true when there is one. */
bool prc_yaml_tagged(struct ctx *c, const struct node *n, const char *path);

/* ---- scalars (yaml-scalar.c) ----------------------------------------- */

enum want { W_STRING, W_NUMBER, W_BOOL };

/* What a value is, for "expected X, got Y" messages. */
const char *prc_yaml_what(const struct node *n);
bool prc_yaml_is_null(const struct node *n);
/*
 * The text of scalar @n for a value of kind @w, or NULL after reporting why
 * it cannot be used (reported against @path and @key).
 */
const char *prc_yaml_scalar_text(struct ctx *c, const struct node *n, enum want w, const char *path,
                                 const char *key, const char *expected);

/* ---- keys (yaml-keys.c) ---------------------------------------------- */

/* @a @sep @b into @buf of PATH_LEN (key paths; a very long user key is cut short). */
void prc_yaml_join(char *buf, const char *a, const char *sep, const char *b);
/* Whether @key is a likely typo of @cand[0..len), and how far (*dist) it is. */
bool prc_yaml_close(const char *key, const char *cand, size_t len, size_t *dist);
/* Whether @path (dotted) is a group of settings: some key starts with "path.". */
bool prc_yaml_is_group(const char *path);
/* Report the unknown key @k (at @path, below @prefix) with the best suggestion. */
void prc_yaml_unknown_key(struct ctx *c, const struct node *k, const char *prefix,
                          const char *path);
/*
 * Check a mapping's keys: every key is a scalar and appears once.  Returns a
 * flag per pair (true = use it; caller frees), or NULL on OOM.
 */
bool *prc_yaml_check_keys(struct ctx *c, const struct node *map, const char *prefix);

#endif
