/*
 * The plan: what the library decided, as data (plan.c builds it from a
 * validated configuration).  The emitters only format it; the writer, and
 * the CLI through the public prc_plan_*() accessors, only act on it.
 */
#ifndef PRC_PLAN_H
#define PRC_PLAN_H

#include "internal.h"
#include "layout.h"

/* One effective main.cf parameter. */
struct prc_plan_param {
	const char *section; /* printed before it when it starts a section; static */
	char *name, *value;
	char *origin;     /* "postrelay", a setting's origin, or a passthrough entry's */
	bool passthrough; /* set (or replaced) by POSTCONF / POSTFIX_* */
};

/*
 * One entry of a lookup table: the key as Postfix looks it up (folded for
 * indexed tables).  Key and value are borrowed from the configuration when
 * it holds them as they are (a table of 100 000 entries then costs no copy),
 * else owned: the owned ones are freed with the plan.
 */
struct prc_plan_entry {
	const char *key, *value;
	const char *origin; /* borrowed from the configuration */
	bool own_key, own_value;
};

struct prc_plan_table {
	enum prc_file file;
	const char *type; /* "hash", "lmdb", "cdb", "pcre", "regexp"; static */
	struct prc_plan_entry *e;
	size_t n;
};

/* Where a file goes and how. */
struct prc_plan_file {
	bool used;
	enum prc_dir dir; /* which directory: the Postfix or the OpenDKIM one */
	const char *name; /* below that directory; static, or borrowed from the configuration */
	char *path;       /* absolute run-time path */
	unsigned mode;
	enum prc_owner owner;
};

/* An SMTP AUTH login for the Cyrus sasldb. */
struct prc_plan_user {
	char *user, *realm;            /* user without @domain; its realm */
	const char *password, *origin; /* borrowed */
};

struct prc_plan {
	const struct prc_config *cfg; /* borrowed: must outlive the plan, unchanged */
	struct prc_plan_param *params;
	size_t nparams, capparams;
	/* the files of enum prc_file, then the user's own tables (POSTMAP_<name>) */
	size_t nfiles;
	struct prc_plan_table *tables; /* n == 0 and e == NULL for non-tables */
	bool *is_table;
	struct prc_plan_file *files;
	char *dirs[PRC_DIR_COUNT];
	char *state[PRC_STATE_COUNT];
	const char *state_origin[PRC_STATE_COUNT]; /* borrowed from params or static */
	char **state_dir_paths;                    /* the layout of state_dirs in plan.c */
	size_t nstate_dirs;
	struct prc_plan_service *services; /* owned */
	size_t nservices;
	struct prc_master_entry *master; /* the user's lines the services point into */
	size_t nmaster;
	char **milters;
	size_t nmilters;
	struct prc_plan_user *users;
	size_t nusers;
	char *xoauth2_key;               /* sasl_passwd key of the XOAUTH2 login, or NULL */
	char *xoauth2_state;             /* its token state file */
	struct prc_dkim_signer *signers; /* key: the path the KeyTable names */
	size_t nsigners;
	char **key_sources; /* with key copies: each signer's key as configured */
	size_t ncopies;
};

/* Build the plan of a validated configuration; plan-level problems go to @d.
 * Returns 0, PRC_ERR_INVALID or PRC_ERR_NOMEM; *out is set on 0. */
int prc_plan_build(const struct prc_config *cfg, struct prc_diags *d, struct prc_plan **out);

/* Effective value of a parameter in the plan, or NULL. */
const struct prc_plan_param *prc_plan_find(const struct prc_plan *p, const char *name);

/* Emitters (emit-*.c): format one file of the plan. */
int prc_emit_main_cf(const struct prc_plan *p, FILE *out);
int prc_emit_master_cf(const struct prc_plan *p, FILE *out);
int prc_emit_table(const struct prc_plan *p, enum prc_file file, FILE *out);
/* A user's own table (file >= PRC_FILE_COUNT): its lines in Postfix's syntax. */
int prc_emit_user_table(const struct prc_plan *p, enum prc_file file, FILE *out);
int prc_emit_smtpd_sasl_conf(const struct prc_plan *p, FILE *out);
int prc_emit_opendkim(const struct prc_plan *p, enum prc_file file, FILE *out);

#endif
