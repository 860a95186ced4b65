/* Private declarations shared by the library's files. */
#ifndef PRC_INTERNAL_H
#define PRC_INTERNAL_H

#include "postrelaycfg.h"

#include <stdarg.h>
#include <stdint.h>

#define PRC_EXPORT       __attribute__((visibility("default")))
#define PRC_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- the settings table --------------------------------------------- */

enum prc_type {
	T_STRING,
	T_HOST,          /* a DNS host name */
	T_BOOL,          /* yes/no/true/false */
	T_SIZE,          /* bytes, optional k/M/G suffix */
	T_COUNT,         /* unsigned integer within min..max */
	T_TIME,          /* Postfix time: 10, 10s, 5m, 1h, 1d, 1w */
	T_PATH,          /* absolute path */
	T_EMAIL,         /* local@domain */
	T_ENUM,          /* one of choices */
	T_TZ,            /* tz database name */
	T_SELECTOR,      /* DKIM selector */
	T_RELAYHOST,     /* host, host:port, [host]:port, [ipv6:addr]:port */
	T_INET_SOCKET,   /* inet:host:port */
	T_CIDR_LIST,     /* IPv4/IPv6 networks */
	T_HOST_LIST,     /* networks or host names (OpenDKIM host lists) */
	T_DOMAIN_LIST,   /* domain names */
	T_MATCH_DOMAINS, /* domain names, .domain for its subdomains (access table keys) */
	T_WORD_LIST,     /* header names */
	T_CREDENTIALS,   /* items: host (may be ""), user, password */
	T_SENDER_RELAYS, /* items: sender, relayhost */
	T_USERS,         /* items: user, password */
	T_PARAMS,        /* items: name, value */
	T_DKIM_KEYS,     /* items: domain, selector, key path */
	T_TRANSPORTS,    /* items: recipient domain (or .domain), relayhost */
	T_SENDER_LOGINS, /* items: SMTP AUTH user, senders ("a@b|@c") */
	T_TABLES,        /* items: table name, type ("" = from its references), content, form */
	T_MASTER,        /* items: "service/type", master.cf line (a mapping in YAML) */
};

enum { F_SECRET = 1, F_REQUIRED = 2 };

enum prc_setting_id {
#define S(id, env, yaml, type, def, min, max, pf, flags, choices, doc) PRC_S_##id,
#include "settings.def"
#undef S
	PRC_S_COUNT
};

struct prc_setting {
	const char *env;
	const char *yaml;
	enum prc_type type;
	const char *def;
	uint64_t min, max;
	const char *postfix;
	unsigned flags;
	const char *choices;
	const char *doc;
};

extern const struct prc_setting prc_settings[PRC_S_COUNT];

bool prc_type_is_list(enum prc_type type);
/* Number of fields of one item of a list type (1 for plain lists). */
size_t prc_type_fields(enum prc_type type);
/* YAML key names of the fields of one list item (NULL for plain lists). */
const char *const *prc_type_field_names(enum prc_type type);
/* Look a setting up by env name or YAML path; -1 when unknown. */
int prc_setting_by_env(const char *env, size_t len);
int prc_setting_by_yaml(const char *yaml);

/* ---- the model ------------------------------------------------------ */

#define PRC_MAX_FIELDS 4

/* One entry of a list setting; unused fields are NULL. */
struct prc_item {
	char *f[PRC_MAX_FIELDS];
	char *origin; /* where this entry came from */
};

/* The value of one setting, always normalized. */
struct prc_value {
	bool set;      /* has a value (a default counts) */
	bool explicit; /* given by the user, not the default */
	bool refused;  /* a source's value was refused (and reported); this one is older */
	char *origin;  /* "default", "env:NAME", "file.yaml:3:5" */
	char *str;     /* scalar value in its emitted form */
	bool b;        /* T_BOOL */
	uint64_t n;    /* T_SIZE, T_COUNT, T_TIME (seconds) */
	struct prc_item *items;
	size_t nitems;
	size_t cap; /* items allocated */
};

struct prc_config {
	struct prc_value v[PRC_S_COUNT];
	char *root; /* "/" or an instance directory */
	bool validated;
	bool dkim_key_copies; /* the plan installs copies of the DKIM keys
	                         (prc_config_set_dkim_key_copies) */
	char **inputs;        /* the files the loaders read (prc_config_input) */
	size_t ninputs;
};

/* Remember that the loaders read @path (once); PRC_ERR_NOMEM or 0. */
int prc_config_add_input(struct prc_config *cfg, const char *path);

void prc_value_clear(struct prc_value *v);
/* Move @src into @dst (which is cleared first); @src is left empty. */
void prc_value_move(struct prc_value *dst, struct prc_value *src);
int prc_value_add_item(struct prc_value *v, const char *const *fields, size_t nfields,
                       const char *origin);

/* ---- the other relay images' variables (source-peers.c) ------------- */

/* Is the env variable @name (@n bytes) a peer image's that source-peers.c
 * maps or refuses?  (Then the env source does not call it unknown.) */
bool prc_peer_handles(const char *name, size_t n);
/* Map the peer variables of @envp onto @cfg and refuse the others by name.
 * Returns 0, PRC_ERR_INVALID or PRC_ERR_NOMEM. */
int prc_peers_load_env(struct prc_config *cfg, const char *const *envp, struct prc_diags *d);

/* ---- master.cf entries of the user (master.c) ------------------------ */

/* One master.cf line, split: the 8 columns and the arguments. */
struct prc_master_entry {
	char *buf;          /* owned: the columns point into it */
	const char *col[8]; /* service type private unpriv chroot wakeup maxproc command */
	char *args;         /* owned: "-o a=b" lines joined by "\n  ", or NULL */
};

/*
 * Parse the master.cf line @line given for @key ("service/type") into @e.
 * Returns NULL (then free @e with prc_master_entry_free()) or a static
 * reason (prc_why_nomem on OOM); @e holds nothing then.
 */
const char *prc_master_parse(const char *key, const char *line, struct prc_master_entry *e);
void prc_master_entry_free(struct prc_master_entry *e);
/* Command of the service @name/@type the plan of @cfg has without overrides, or NULL. */
const char *prc_plan_service_command(const struct prc_config *cfg, const char *name,
                                     const char *type);
/* TCP port an inet service name listens on ("2525", "smtp", "127.0.0.1:25"), or 0. */
unsigned prc_master_inet_port(const char *name);

/* ---- diagnostics ---------------------------------------------------- */

/* Add a diagnostic; a NULL list is allowed (then nothing is kept). */
void prc_diag(struct prc_diags *d, enum prc_severity sev, const char *code, const char *origin,
              const char *key, const char *fmt, ...) PRC_PRINTF(6, 7);
void prc_vdiag(struct prc_diags *d, enum prc_severity sev, const char *code, const char *origin,
               const char *key, const char *fmt, va_list ap) PRC_PRINTF(6, 0);

/* ---- strings -------------------------------------------------------- */

/* A growable string; never fails silently (oom flag checked by the user). */
struct prc_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void prc_buf_add(struct prc_buf *b, const char *s, size_t n);
void prc_buf_puts(struct prc_buf *b, const char *s);
void prc_buf_putc(struct prc_buf *b, char c);
void prc_buf_printf(struct prc_buf *b, const char *fmt, ...) PRC_PRINTF(2, 3);
/* Take the string (NUL-terminated, "" when empty); NULL on OOM. */
char *prc_buf_take(struct prc_buf *b);
void prc_buf_free(struct prc_buf *b);

/*
 * @s for echoing in a diagnostic: at most PRC_CLIP_MAX bytes, cut at a
 * character boundary and followed by "..." when longer.  Returns @s itself
 * or @buf.
 */
#define PRC_CLIP_MAX 64
const char *prc_clip(char buf[PRC_CLIP_MAX + 4], const char *s);

char *prc_strdup(const char *s);
char *prc_strndup(const char *s, size_t n);
char *prc_asprintf(const char *fmt, ...) PRC_PRINTF(1, 2);
/* Levenshtein distance, capped: returns @cap when it is @cap or more. */
size_t prc_edit_distance(const char *a, const char *b, size_t cap);

/* ---- typed parsing (types.c) ------------------------------------------- */

/*
 * Parse @text as the value of setting @id from the env form into @out.
 * Errors are reported against @origin with the setting's env name as key.
 * Returns 0, PRC_ERR_INVALID or PRC_ERR_NOMEM; @out is only filled on 0.
 */
int prc_parse_env_value(enum prc_setting_id id, const char *text, const char *origin,
                        struct prc_value *out, struct prc_diags *d);

/*
 * Checks of single values, shared by the env and YAML sources.  Each returns
 * NULL when @s is fine, else a static reason ("expected ...").  Those that
 * normalize write the normalized form to @norm (caller frees) when non-NULL.
 */
/* The reason a check gives when it runs out of memory (compare the pointer):
 * callers turn it into PRC_ERR_NOMEM, it is not bad input. */
extern const char prc_why_nomem[];
/* prc_parse_count()'s reason for a number outside min..max (compare the pointer). */
extern const char prc_why_out_of_range[];
const char *prc_check_control(const char *s);
const char *prc_check_host(const char *s);
const char *prc_check_domain(const char *s);
const char *prc_check_email(const char *s);
const char *prc_check_path(const char *s);
const char *prc_check_tz(const char *s);
const char *prc_check_selector(const char *s);
const char *prc_check_word(const char *s);
const char *prc_check_param_name(const char *s);

/* Postfix's main.cf parameter names, sorted (lib/postfix-params.c, generated). */
extern const char *const prc_postfix_params[];
extern const size_t prc_postfix_nparams;
const char *prc_check_relayhost(const char *s, char **norm);
const char *prc_check_cidr(const char *s, char **norm);
const char *prc_check_host_or_cidr(const char *s, char **norm);
const char *prc_check_sender(const char *s);
/* A domain, or .domain (its subdomains). */
const char *prc_check_match_domain(const char *s);
/* Senders of an SMTP AUTH user: addresses or @domain, separated by '|' or blanks. */
const char *prc_check_sender_list(const char *s);
const char *prc_check_inet_socket(const char *s);
const char *prc_check_enum(const char *s, const char *choices);
const char *prc_parse_bool(const char *s, bool *out);
const char *prc_parse_size(const char *s, uint64_t *out);
const char *prc_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out);
const char *prc_parse_time(const char *s, char **norm);

/* Unescape a map field: "\x" becomes "x". */
char *prc_unescape(const char *s, size_t n);

/* Relay host without brackets and port ("[a.b]:25" -> "a.b"); caller frees. */
char *prc_relayhost_name(const char *relayhost);

/* ---- files (readfile.c) ----------------------------------------------- */

struct stat;
/* Problems of prc_file_load() that are not an errno value. */
enum { PRC_FILE_NOT_REGULAR = -1, PRC_FILE_TOO_LARGE = -2 };
/*
 * The one file reader: @path whole (a regular file of at most @max bytes;
 * FIFOs, devices and directories are refused without waiting) into *out
 * (caller frees; NUL-terminated, *len bytes) and its status into *st (may be
 * NULL).  Returns 0, an errno value (ENOMEM too) or a PRC_FILE_ problem.
 */
int prc_file_load(const char *path, size_t max, char **out, size_t *len, struct stat *st);
/* The text of a prc_file_load() result (static). */
const char *prc_file_strerror(int err);

/*
 * Read the regular file @path whole (at most @max bytes) into *out (caller
 * frees; NUL-terminated, *len bytes).  Problems are reported against
 * @origin/@key.  Returns 0, PRC_ERR_IO or PRC_ERR_NOMEM.
 */
int prc_read_file(const char *path, size_t max, const char *origin, const char *key,
                  struct prc_diags *d, char **out, size_t *len);
/*
 * Read a secret file (NAME_FILE, password_file): at most 16 MiB, no NUL byte,
 * trailing newlines dropped.  NULL on error with *rc set (PRC_ERR_INVALID or
 * PRC_ERR_NOMEM); caller frees.
 */
char *prc_read_secret(const char *path, const char *origin, const char *key, struct prc_diags *d,
                      int *rc);

/* boky/postfix's DKIM_SELECTOR=default,domain=selector form (peer-dkim.c)? */
bool prc_peer_dkim_selector_form(const char *text);
/*
 * The DKIM variables of boky/postfix and mwader/postfix-relay (OPENDKIM_DOMAINS,
 * DKIM_SELECTOR's per-domain form, OPENDKIM_<setting> refused) onto @cfg,
 * after the env settings are loaded (peer-dkim.c).  0, PRC_ERR_INVALID or
 * PRC_ERR_NOMEM.
 */
int prc_peer_dkim_load(struct prc_config *cfg, const char *const *envp, struct prc_diags *d);

/* Effective values derived from several settings (derive.c). */
const char *prc_client_tls_level(const struct prc_config *cfg);
const char *prc_server_tls_level(const struct prc_config *cfg);
bool prc_relay_auth_enabled(const struct prc_config *cfg);
/* Is an XOAUTH2 login to the relay host configured (any XOAUTH2_* credential set)? */
bool prc_xoauth2_enabled(const struct prc_config *cfg);
/* Next hop a credential is for: its host, else RELAYHOST; NULL when neither (borrowed). */
const char *prc_credential_next_hop(const struct prc_config *cfg, const struct prc_item *it);
/* Whether a relay host is on port 465 (implicit TLS, "SMTPS"). */
bool prc_relayhost_is_smtps(const char *relayhost);
/* Whether any relay host (RELAYHOST, RELAYHOST_MAP, TRANSPORT_MAP) is on port 465. */
bool prc_smtps_used(const struct prc_config *cfg);
/* Whether a diagnostic origin is a YAML file's ("file.yaml:3:5"), not env or default. */
bool prc_origin_is_yaml(const char *origin);
/* A setting's name in the language of @origin: its YAML key or its env name. */
const char *prc_setting_name(enum prc_setting_id id, const char *origin);
/* "/" joined with a path under the instance root (caller frees). */
char *prc_root_path(const struct prc_config *cfg, const char *path);
/* Where an instance location lives under the root (caller frees; NULL on OOM). */
char *prc_instance_path(const struct prc_config *cfg, enum prc_path which);
/*
 * The run-time path of a T_PATH setting: a path the user gave is used as
 * given; a default path is placed under the instance root (caller frees;
 * NULL when the setting is unset or on OOM).
 */
char *prc_setting_path(const struct prc_config *cfg, enum prc_setting_id id);

/* One DKIM signing domain (dkim.c): its selector and key, and where they come from. */
struct prc_dkim_signer {
	const char *domain;     /* borrowed from the configuration */
	const char *selector;   /* borrowed */
	char *key;              /* run-time path of the private key (owned) */
	const char *origin;     /* origin of the setting or entry giving the key; borrowed */
	enum prc_setting_id id; /* PRC_S_DKIM_KEYFILE (shared key), PRC_S_DKIM_KEYS, or
	                           PRC_S_DKIM_AUTOGENERATE (a key made at start) */
	bool generate;          /* DKIM_AUTOGENERATE makes @key when it is missing */
};

/*
 * The signing domains, in order: DKIM_DOMAINS (MAILNAME when neither
 * DKIM_DOMAINS nor DKIM_KEYS is given) with DKIM_SELECTOR and DKIM_KEYFILE,
 * then each DKIM_KEYS entry.  A domain without a key of its own (DKIM_KEYS
 * entries of OPENDKIM_DOMAINS, DKIM_DOMAINS without the shared key file)
 * uses a key found in the keys directory beside DKIM_KEYFILE
 * (DOMAIN/SELECTOR.private, DOMAIN.private), else with DKIM_AUTOGENERATE
 * one in @gen_dir (DOMAIN/SELECTOR.private).  *out is freed with
 * prc_dkim_signers_free().  Returns 0 or PRC_ERR_NOMEM.
 */
int prc_dkim_signers_at(const struct prc_config *cfg, const char *gen_dir,
                        struct prc_dkim_signer **out, size_t *n);
/* The same, with DKIM_AUTOGENERATE's directory as the plan places it. */
int prc_dkim_signers(const struct prc_config *cfg, struct prc_dkim_signer **out, size_t *n);
/* Where DKIM_AUTOGENERATE keeps its keys, for a plan's queue directory @queue_dir
 * (caller frees; NULL on OOM). */
char *prc_dkim_gen_dir(const struct prc_config *cfg, const char *queue_dir);
void prc_dkim_signers_free(struct prc_dkim_signer *s, size_t n);

/* What loading a DKIM key found. */
struct prc_dkim_key {
	struct evp_pkey_st *pkey; /* EVP_PKEY, freed by the caller */
	bool ed25519;
	int bits;
	unsigned mode;   /* st_mode & 07777 */
	int err;         /* errno of reading, 0 when read */
	const char *why; /* static reason when unusable */
};

/* Read and judge the DKIM key at @path into @k (dkim.c). */
void prc_dkim_load_key(const char *path, struct prc_dkim_key *k);

/*
 * Write @len bytes to @path atomically (temp file beside it, fsync, rename)
 * with @mode, creating missing parent directories; for the key material of
 * tls.c (writer.c).  Returns 0, or -1 with errno set.
 */
int prc_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* The same for a new file that must not replace one (EEXIST); missing
 * directories are made 0700 (generated DKIM keys). */
int prc_write_file_new(const char *path, const void *data, size_t len, unsigned mode);

#endif
