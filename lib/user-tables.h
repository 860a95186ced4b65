/*
 * Your own lookup tables (POSTMAP_<name>, postfix.tables): their names, the
 * type each is built as, and their lines read as Postfix reads them.  Shared
 * by validate.c (which reports) and plan.c (which keeps the entries).
 */
#ifndef PRC_USER_TABLES_H
#define PRC_USER_TABLES_H

#include "internal.h"

/* Fields of a T_TABLES item. */
enum { UT_NAME = 0, UT_TYPE = 1, UT_CONTENT = 2, UT_FORM = 3 };

/* One entry of a user table: owned strings, and the line it starts on. */
struct prc_utable_entry {
	char *key, *value;
	size_t line;
};

/* NULL when @s can name a table (a plain file name), else a static reason. */
const char *prc_check_table_name(const char *s);

/* Whether @type is an indexed type (hash, lmdb, cdb): keys folded, built by postmap. */
bool prc_utable_indexed(const char *type);

/*
 * The type each user table is built as, in item order, into @types (static
 * strings; an array of the table setting's item count): the YAML type when
 * given, else the type the passthrough parameters reference it with, else
 * hash; NULL for a table whose type is in question (two types, an
 * unsupported one: reported).  Problems (a reference to an undefined table under the config
 * directory, an unsupported or conflicting type, an unreferenced table) go
 * to @d (may be NULL); *errors counts the errors.  @secret (may be NULL)
 * marks the tables a *password* parameter references (written 0600).
 * Returns 0 or PRC_ERR_NOMEM.
 */
int prc_utables_resolve(const struct prc_config *cfg, const char **types, bool *secret,
                        struct prc_diags *d, size_t *errors);

/*
 * @value with every reference to a user table written /etc/postfix/<name>
 * (the other images' form) as ${config_directory}/<name>, when the
 * instance's config directory is not /etc/postfix (apply --root); a new
 * string, NULL when out of memory.
 */
char *prc_utables_rewrite(const struct prc_config *cfg, const char *value);

/*
 * Read table @it as @type, as Postfix does: comments, blank and continuation
 * lines; indexed keys folded to lower case; pcre/regexp patterns compiled
 * with the libraries Postfix uses (PCRE2, POSIX regcomp).  With @d, every bad
 * line and every duplicate key is reported and counted in *errors.  *out
 * (may be NULL: then only checked) gets the entries in order, freed with
 * prc_utable_entries_free().  Returns 0 or PRC_ERR_NOMEM.
 */
int prc_utable_parse(const struct prc_item *it, const char *type, struct prc_diags *d,
                     size_t *errors, struct prc_utable_entry **out, size_t *n);
void prc_utable_entries_free(struct prc_utable_entry *e, size_t n);

/* NULL when @s (@len bytes) can be a table's text: UTF-8, no control
 * character but newline, CR and tab; else a static reason. */
const char *prc_check_table_text(const char *s, size_t len);

/* Add table @name to @v, replacing one of that name (a later source wins).
 * @type may be NULL or "", @form NULL, "entries" (a YAML list) or "block" (a
 * YAML | block; @origin is its first line).  0 or PRC_ERR_NOMEM. */
int prc_utable_put(struct prc_value *v, const char *name, const char *type, const char *content,
                   const char *form, const char *origin);

#endif
