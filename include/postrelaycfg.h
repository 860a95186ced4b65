/*
 * libpostrelaycfg: compile a Postfix relay configuration from environment
 * variables and/or a YAML file.
 *
 * Pipeline: prc_config_new() -> prc_config_load_*() -> prc_config_validate()
 * -> prc_emit() or prc_render().  Every fallible call returns 0 or a negative
 * enum prc_status; problems found in the input go into a struct prc_diags
 * (which may be NULL when the caller does not care).  The library never
 * prints, never exits and keeps no global state: separate handles may be used
 * from separate threads (one handle is not safe to share between threads
 * without a lock).
 *
 * Conventions of every function below:
 *  - Ownership: a pointer argument is borrowed (read during the call only)
 *    unless its comment says otherwise; a returned string is borrowed from
 *    the handle it came from, or static, as each comment says; an object
 *    returned through an out-parameter is owned by the caller.
 *  - A NULL handle or a NULL required pointer gives PRC_ERR_ARG (or, for the
 *    accessors, an empty answer: 0, "", false), never a crash.
 *  - Every *_free() accepts NULL.
 *
 * Build against it with pkg-config: cc app.c $(pkg-config --cflags --libs
 * postrelaycfg).  examples/consumer.c is a complete program.
 */
#ifndef POSTRELAYCFG_H
#define POSTRELAYCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRC_VERSION_MAJOR 0
#define PRC_VERSION_MINOR 1
#define PRC_VERSION_PATCH 0
#define PRC_VERSION       "0.1.0"

/** Return codes of fallible functions (0 is success). */
enum prc_status {
	PRC_OK = 0,
	PRC_ERR_NOMEM = -1,   /**< out of memory */
	PRC_ERR_INVALID = -2, /**< the input has errors; see the diagnostics */
	PRC_ERR_IO = -3,      /**< reading or writing a file failed; see the diagnostics */
	PRC_ERR_ARG = -4,     /**< a bad argument (NULL handle, unknown file id) */
};

/** Severity of a diagnostic. */
enum prc_severity {
	PRC_SEV_ERROR = 0,   /**< the configuration cannot be used */
	PRC_SEV_WARNING = 1, /**< usable, but probably not what was meant */
};

/** The files the emitters produce. */
enum prc_file {
	PRC_FILE_MAIN_CF = 0,      /**< postfix/main.cf */
	PRC_FILE_MASTER_CF,        /**< postfix/master.cf */
	PRC_FILE_SASL_PASSWD,      /**< postfix/sasl_passwd: relay credentials (secret) */
	PRC_FILE_SENDER_RELAY,     /**< postfix/sender_relay: sender dependent relay hosts */
	PRC_FILE_HEADER_CHECKS,    /**< postfix/header_checks: privacy header checks */
	PRC_FILE_SMTPD_SASL_CONF,  /**< postfix/sasl/smtpd.conf: Cyrus SASL server config */
	PRC_FILE_OPENDKIM_CONF,    /**< opendkim/opendkim.conf */
	PRC_FILE_KEY_TABLE,        /**< opendkim/KeyTable */
	PRC_FILE_SIGNING_TABLE,    /**< opendkim/SigningTable */
	PRC_FILE_TRUSTED_HOSTS,    /**< opendkim/TrustedHosts (InternalHosts) */
	PRC_FILE_EXTERNAL_IGNORE,  /**< opendkim/ExternalIgnoreList */
	PRC_FILE_SENDER_ACCESS,    /**< postfix/sender_access: ALLOWED_SENDER_DOMAINS */
	PRC_FILE_RECIPIENT_ACCESS, /**< postfix/recipient_access: ALLOWED_RECIPIENT_DOMAINS */
	PRC_FILE_SENDER_LOGINS,    /**< postfix/sender_logins: senders of SMTP AUTH users */
	PRC_FILE_TRANSPORT,        /**< postfix/transport: TRANSPORT_MAP */
	PRC_FILE_SENDER_TRANSPORT, /**< postfix/sender_transport: sender relays' transports (465) */
	PRC_FILE_COUNT
};

/** A resolved configuration: defaults, then sources applied in load order. */
struct prc_config;
/** A list of diagnostics (errors and warnings) with their origins. */
struct prc_diags;

/* ---- diagnostics ---------------------------------------------------- */

/**
 * Create an empty diagnostics list.  Pass it to the load, validate and render
 * calls; each appends what it finds, so one list can collect every problem
 * of a whole run.
 * @param[out] out  receives the new list, owned by the caller (prc_diags_free)
 * @return 0, PRC_ERR_ARG (@p out is NULL) or PRC_ERR_NOMEM
 */
int prc_diags_new(struct prc_diags **out);

/**
 * Free a diagnostics list and its messages; NULL is accepted.  Every string
 * borrowed from the list becomes invalid.
 */
void prc_diags_free(struct prc_diags *diags);

/** Number of diagnostics collected so far (errors and warnings); 0 for NULL. */
size_t prc_diags_count(const struct prc_diags *diags);

/** Number of diagnostics with severity PRC_SEV_ERROR; 0 for NULL. */
size_t prc_diags_error_count(const struct prc_diags *diags);

/**
 * Severity of diagnostic @p i (0-based, < prc_diags_count); PRC_SEV_ERROR
 * when @p i is out of range.
 */
enum prc_severity prc_diags_severity(const struct prc_diags *diags, size_t i);

/**
 * Origin of diagnostic @p i: "env:NAME", "file.yaml:LINE:COL" (1-based),
 * "default", or "" when the problem is not tied to one input.  Borrowed:
 * valid until the list is freed; "" when @p i is out of range.
 */
const char *prc_diags_origin(const struct prc_diags *diags, size_t i);

/**
 * Setting key of diagnostic @p i: the env name of the setting it concerns
 * (e.g. "RELAYHOST_PASSWORDMAP"), or "" when none or out of range.
 * Borrowed: valid until the list is freed.
 */
const char *prc_diags_key(const struct prc_diags *diags, size_t i);

/**
 * Stable short code of diagnostic @p i, e.g. "invalid-value", for programs
 * that react to a kind of problem; "" when out of range.  Borrowed: valid
 * until the list is freed.
 */
const char *prc_diags_code(const struct prc_diags *diags, size_t i);

/**
 * One-line message of diagnostic @p i, without origin or severity, e.g.
 * "entry 2: expected host:user:password"; "" when out of range.  Borrowed:
 * valid until the list is freed.
 */
const char *prc_diags_message(const struct prc_diags *diags, size_t i);

/**
 * Print every diagnostic, in the order found, as one line:
 * "PROG: error: ORIGIN: MESSAGE" or "PROG: warning: ORIGIN: MESSAGE" (the
 * "ORIGIN: " part is left out when the origin is "").  Nothing is printed
 * for an empty or NULL list.  Write errors are left in @p out's error flag.
 * @param prog  prefix (e.g. "postrelaycfg"); borrowed
 * @param out   where to print, e.g. stderr; borrowed
 */
void prc_diags_print(const struct prc_diags *diags, const char *prog, FILE *out);

/* ---- configuration -------------------------------------------------- */

/**
 * Create a configuration holding the built-in defaults (the settings table's)
 * and the instance root "/".
 * @param[out] out  the new configuration, owned by the caller (prc_config_free)
 * @return 0, PRC_ERR_ARG (@p out is NULL) or PRC_ERR_NOMEM
 */
int prc_config_new(struct prc_config **out);

/**
 * Free a configuration; NULL is accepted.  Every string borrowed from it
 * becomes invalid.
 */
void prc_config_free(struct prc_config *cfg);

/**
 * Apply environment variables.  Later loads override earlier ones, so load
 * the YAML file first and the environment last.  Variables that are not
 * settings are ignored (the process environment holds many; one that looks
 * like a misspelt setting gets a warning); NAME_FILE variables read the value
 * of the secret setting NAME from a file, one entry per line, and setting
 * both NAME and NAME_FILE is an error.  POSTFIX_<parameter> variables set
 * Postfix parameters.  An empty variable means the default.
 * @param envp  NULL-terminated "NAME=value" array, e.g. environ; borrowed
 * @param diags receives problems, with origins "env:NAME"; may be NULL
 * @return 0, PRC_ERR_INVALID when a value is malformed or a NAME_FILE file
 *         cannot be read (the setting keeps its previous value; every other
 *         variable is still applied), PRC_ERR_ARG (@p cfg or @p envp is
 *         NULL) or PRC_ERR_NOMEM
 */
int prc_config_load_env(struct prc_config *cfg, const char *const *envp, struct prc_diags *diags);

/**
 * Apply a file in Docker's --env-file format (NAME=value lines, # comments,
 * no quoting), as prc_config_load_env() would.
 * @param path  the file; borrowed
 * @param diags receives problems; may be NULL
 * @return 0, PRC_ERR_INVALID, PRC_ERR_IO (could not read it; a diagnostic
 *         names the file), PRC_ERR_ARG or PRC_ERR_NOMEM
 */
int prc_config_load_env_file(struct prc_config *cfg, const char *path, struct prc_diags *diags);

/**
 * Apply a YAML configuration file (its keys are the settings' YAML keys, see
 * postrelaycfg.yaml(5)).  Diagnostics carry "PATH:LINE:COL" (1-based).
 * @param path  the file; borrowed
 * @param diags receives problems; may be NULL
 * @return 0, PRC_ERR_INVALID (a syntax error, an unknown key or a malformed
 *         value), PRC_ERR_IO (could not read it), PRC_ERR_ARG or
 *         PRC_ERR_NOMEM
 */
int prc_config_load_yaml_file(struct prc_config *cfg, const char *path, struct prc_diags *diags);

/**
 * Apply a YAML document held in memory, as prc_config_load_yaml_file() would.
 * @param name  the name used in origins (e.g. a file name); borrowed
 * @param data  the document, @p len bytes, need not be NUL-terminated; borrowed
 * @param diags receives problems; may be NULL
 * @return 0, PRC_ERR_INVALID, PRC_ERR_ARG or PRC_ERR_NOMEM
 */
int prc_config_load_yaml_buffer(struct prc_config *cfg, const char *name, const char *data,
                                size_t len, struct prc_diags *diags);

/**
 * Set the instance root.  "/" (the default) renders a configuration for the
 * host's own /etc/postfix; any other absolute directory makes main.cf keep
 * its queue, data and OpenDKIM state under it, for a self-contained instance.
 * Trailing slashes are dropped.
 * @param root  absolute directory; copied
 * @return 0, PRC_ERR_ARG (NULL, not absolute, or holding a control
 *         character; the root is unchanged) or PRC_ERR_NOMEM
 */
int prc_config_set_root(struct prc_config *cfg, const char *root);

/**
 * Have the plan install a copy of every DKIM signing key in the OpenDKIM
 * directory (ROOT/etc/opendkim/keys/DOMAIN.key, mode 0400, owner
 * PRC_OWNER_OPENDKIM) and name the copies in the KeyTable, for an OpenDKIM
 * that runs as its own user while the keys as given belong to root (mounted
 * secrets).  Off by default: the KeyTable names the keys where they are.
 * @return 0, or PRC_ERR_ARG (NULL @p cfg)
 */
int prc_config_set_dkim_key_copies(struct prc_config *cfg, bool on);

/**
 * Value of a scalar setting in the form it is emitted ("hash" for TABLE_TYPE,
 * "yes" for a true boolean, "15728640" for SIZELIMIT).
 * @param env  the setting's environment variable name, e.g. "MAILNAME"; borrowed
 * @return borrowed, valid until @p cfg is changed or freed; NULL when the
 *         setting is unknown, unset or a list
 */
const char *prc_config_get(const struct prc_config *cfg, const char *env);

/** Number of entries of list setting @p env; 0 when unknown, unset or not a list. */
size_t prc_config_list_count(const struct prc_config *cfg, const char *env);

/**
 * Field @p field of entry @p i of list setting @p env (both 0-based): for
 * SMTPD_USERS field 0 is the user and field 1 the password.  Secrets are
 * returned in clear, for the caller that provisions them.
 * @return borrowed, valid until @p cfg is changed or freed; NULL when out of range
 */
const char *prc_config_list_field(const struct prc_config *cfg, const char *env, size_t i,
                                  size_t field);

/**
 * Number of files the loaders of @p cfg read: the YAML file, the env file,
 * every NAME_FILE secret and YAML password_file, in the order read (each
 * once).  A config reloader watches exactly these.
 */
size_t prc_config_input_count(const struct prc_config *cfg);

/**
 * The path of input file @p i, as it was given (not resolved).
 * @return borrowed, valid until @p cfg is freed; NULL when out of range
 */
const char *prc_config_input(const struct prc_config *cfg, size_t i);

/** Run-time locations of an instance, below its root (see prc_config_set_root). */
enum prc_path {
	PRC_PATH_POSTFIX_DIR = 0, /**< Postfix's config_directory: ROOT/etc/postfix */
	PRC_PATH_OPENDKIM_DIR,    /**< the OpenDKIM files: ROOT/etc/opendkim */
	PRC_PATH_SASLDB,          /**< the SMTPD_USERS database that sasl/smtpd.conf names */
	PRC_PATH_COUNT
};

/**
 * Where @p which lives for this configuration's instance root.
 * @param[out] out  receives the absolute path, owned by the caller (free())
 * @return 0, PRC_ERR_ARG or PRC_ERR_NOMEM
 */
int prc_config_path(const struct prc_config *cfg, enum prc_path which, char **out);

/**
 * Validate the whole configuration, adding every problem found to @p diags
 * (not only the first): settings that contradict each other, missing
 * required ones, an open relay.  Call it after the last load; prc_emit()
 * needs a validated configuration and prc_render() validates by itself.
 * @param diags receives problems; may be NULL
 * @return 0 when there is no error (warnings allowed), PRC_ERR_INVALID when
 *         there is at least one, PRC_ERR_ARG or PRC_ERR_NOMEM
 */
int prc_config_validate(struct prc_config *cfg, struct prc_diags *diags);

/**
 * Write the resolved configuration as YAML, each value commented with its
 * origin ("# env:RELAYHOST", "# default"); secrets are written as
 * "<redacted>".  Without secrets, the output read back with
 * prc_config_load_yaml_file() gives the same configuration.
 * @param out  where to write; borrowed
 * @return 0, PRC_ERR_ARG (@p cfg or @p out is NULL) or PRC_ERR_IO (a write
 *         to @p out failed)
 */
int prc_config_print(const struct prc_config *cfg, FILE *out);

/** Flags of prc_config_write_yaml(). */
enum prc_yaml_flags {
	/** write secret values as they are (without it: "<redacted>") */
	PRC_YAML_SECRETS = 1,
};

/**
 * Write the settings that were given (from any source; no defaults, nothing
 * unset) as a YAML configuration file, each value commented with its origin
 * ("# env:POSTFIX_myhostname").  Loaded alone (prc_config_load_yaml_file(),
 * no environment), it gives the same configuration, secrets included when
 * @p flags has PRC_YAML_SECRETS; without it each secret is "<redacted>".
 * This is `postrelaycfg migrate`: any source the library reads, peer
 * images' variables included, becomes YAML.
 * @param flags  0 or PRC_YAML_SECRETS
 * @param out    where to write; borrowed
 * @return 0, PRC_ERR_ARG (@p cfg or @p out is NULL, an unknown flag) or
 *         PRC_ERR_IO (a write to @p out failed)
 */
int prc_config_write_yaml(const struct prc_config *cfg, unsigned flags, FILE *out);

/* ---- output --------------------------------------------------------- */

/**
 * Path of @p file relative to the render directory, e.g. "main.cf",
 * "sasl/smtpd.conf", "opendkim/KeyTable" (the OpenDKIM files are relative
 * to the render directory only when no separate DKIM directory is given).
 * Static string; NULL for an unknown id.
 */
const char *prc_file_path(enum prc_file file);

/** Whether @p file holds secrets (it is written mode 0600); false for an unknown id. */
bool prc_file_is_secret(enum prc_file file);

/**
 * Whether @p file is a Postfix lookup table that postmap must build (its
 * type is the TABLE_TYPE setting).
 */
bool prc_file_is_table(enum prc_file file);

/**
 * Whether the validated configuration needs @p file (sasl_passwd only with
 * credentials, the OpenDKIM files only with DKIM, ...); false for a NULL
 * configuration or an unknown id.
 */
bool prc_file_is_used(const struct prc_config *cfg, enum prc_file file);

/**
 * Write one file's content to @p out.  Pure: reads nothing but @p cfg, and
 * the same configuration always gives the same bytes.  Call only on a
 * configuration that prc_config_validate() accepted.
 * @param out  where to write, e.g. a file or an open_memstream(); borrowed
 * @return 0, PRC_ERR_ARG (NULL argument or unknown @p file) or PRC_ERR_IO
 *         (a write to @p out failed)
 */
int prc_emit(const struct prc_config *cfg, enum prc_file file, FILE *out);

/**
 * Validate, then write every used file into @p dir atomically: all files are
 * rendered into a temporary directory beside their targets, fsync'd, then
 * renamed into place; files of ours that the configuration no longer uses
 * are removed, files we did not write are never touched.  The Postfix files
 * go to @p dir, the OpenDKIM files to @p dkim_dir.  On any validation error
 * nothing on disk changes.  Secret files are written mode 0600.
 * @param dir      directory for the Postfix files (created if missing); borrowed
 * @param dkim_dir directory for the OpenDKIM files, or NULL for DIR/opendkim;
 *                 borrowed
 * @param diags    receives validation problems and I/O errors (naming the
 *                 path); may be NULL
 * @return 0, PRC_ERR_INVALID, PRC_ERR_IO (a directory or file could not be
 *         created, written or renamed), PRC_ERR_ARG or PRC_ERR_NOMEM
 */
int prc_render(struct prc_config *cfg, const char *dir, const char *dkim_dir,
               struct prc_diags *diags);

/* ---- the plan -------------------------------------------------------- */

/**
 * The plan: everything the library decided for a validated configuration,
 * as data — every effective Postfix parameter with its origin (passthrough
 * merged), every lookup table as typed entries (keys folded as Postfix folds
 * them), every file with its place, mode and owner, the state locations, the
 * services and their listeners.  The emitters format it and `apply`,
 * `health` and `watch` act on it; a tool can ask it the same questions
 * without running Postfix.
 */
struct prc_plan;

/** The directories files go to. */
enum prc_dir {
	PRC_DIR_POSTFIX = 0, /**< Postfix's config_directory (ROOT/etc/postfix) */
	PRC_DIR_OPENDKIM,    /**< the OpenDKIM files (ROOT/etc/opendkim) */
	PRC_DIR_COUNT
};

/** Who owns a file at run time. */
enum prc_owner {
	PRC_OWNER_ROOT = 0,   /**< root (the Postfix configuration is root's) */
	PRC_OWNER_MAIL_OWNER, /**< Postfix's mail_owner */
	PRC_OWNER_OPENDKIM,   /**< the opendkim user */
};

/** Where an instance keeps its state, and as whom (effective values, passthrough included). */
enum prc_state {
	PRC_STATE_CONFIG_DIR = 0, /**< config_directory */
	PRC_STATE_QUEUE_DIR,      /**< queue_directory */
	PRC_STATE_DATA_DIR,       /**< data_directory */
	PRC_STATE_DAEMON_DIR,     /**< daemon_directory */
	PRC_STATE_MAIL_OWNER,     /**< mail_owner (a user name) */
	PRC_STATE_SETGID_GROUP,   /**< setgid_group (a group name) */
	PRC_STATE_MAILLOG_FILE,   /**< maillog_file ("" when Postfix logs to syslog) */
	PRC_STATE_SASLDB,         /**< the Cyrus sasldb of SMTPD_USERS */
	PRC_STATE_COUNT
};

/**
 * Build the plan of a configuration, validating it first (every problem goes
 * to @p diags; nothing is planned for an invalid configuration).  The plan
 * borrows @p cfg: keep it alive and unchanged while the plan is used.
 * @param[out] out  the plan, owned by the caller (prc_plan_free)
 * @param diags     receives problems; may be NULL
 * @return 0, PRC_ERR_INVALID, PRC_ERR_ARG or PRC_ERR_NOMEM
 */
int prc_plan_new(struct prc_plan **out, struct prc_config *cfg, struct prc_diags *diags);

/** Free a plan; NULL is accepted.  Strings borrowed from it become invalid. */
void prc_plan_free(struct prc_plan *plan);

/** Number of main.cf parameters, in the order main.cf holds them. */
size_t prc_plan_param_count(const struct prc_plan *plan);
/** Name of parameter @p i; NULL when out of range.  Borrowed from the plan. */
const char *prc_plan_param_name(const struct prc_plan *plan, size_t i);
/** Value of parameter @p i as main.cf holds it; NULL when out of range.  Borrowed. */
const char *prc_plan_param_value(const struct prc_plan *plan, size_t i);
/**
 * Where parameter @p i comes from: "postrelay" (a fixed choice of ours), the
 * origin of the setting it derives from ("default", "env:SIZELIMIT",
 * "relay.yaml:4:3"), or of the passthrough entry that set it
 * ("env:POSTFIX_mail_owner"); NULL when out of range.  Borrowed.
 */
const char *prc_plan_param_origin(const struct prc_plan *plan, size_t i);

/**
 * Effective value of Postfix parameter @p name as main.cf sets it, and where
 * it comes from.  A parameter main.cf does not set has Postfix's built-in
 * default, which this does not know: NULL is returned.
 * @param[out] origin  receives the origin (borrowed); may be NULL
 * @return borrowed from the plan, or NULL
 */
const char *prc_plan_param(const struct prc_plan *plan, const char *name, const char **origin);

/**
 * Number of files of the plan: the PRC_FILE_COUNT files of enum prc_file,
 * then the user's own lookup tables (POSTMAP_<name>, postfix.tables), whose
 * ids run from PRC_FILE_COUNT to this count - 1.  Every prc_plan_file_*(),
 * prc_plan_table*() and prc_plan_emit() call takes those ids too.
 */
size_t prc_plan_file_count(const struct prc_plan *plan);
/**
 * Name of @p file below its directory ("main.cf", "sasl/smtpd.conf", a user
 * table's name); borrowed from the plan, NULL for an unknown id.
 */
const char *prc_plan_file_name(const struct prc_plan *plan, enum prc_file file);
/** Whether the plan writes @p file. */
bool prc_plan_file_used(const struct prc_plan *plan, enum prc_file file);
/** Absolute run-time path of @p file (under the instance root); NULL for an unknown id. */
const char *prc_plan_file_path(const struct prc_plan *plan, enum prc_file file);
/** Directory @p file goes to; PRC_DIR_POSTFIX for an unknown id. */
enum prc_dir prc_plan_file_dir(const struct prc_plan *plan, enum prc_file file);
/** Mode @p file is written with (0600 for secrets, 0644 else); 0 for an unknown id. */
unsigned prc_plan_file_mode(const struct prc_plan *plan, enum prc_file file);
/** Run-time owner of @p file. */
enum prc_owner prc_plan_file_owner(const struct prc_plan *plan, enum prc_file file);
/** Absolute path of directory @p dir for the instance root; NULL when out of range. */
const char *prc_plan_dir(const struct prc_plan *plan, enum prc_dir dir);

/**
 * Whether @p file is a Postfix lookup table; its type ("hash", "lmdb",
 * "cdb", "pcre", "regexp") goes to @p type (static; may be NULL).  Indexed
 * tables (hash, lmdb, cdb) are built with postmap, or in process for hash;
 * pcre and regexp tables are read by Postfix as they are.
 */
bool prc_plan_table(const struct prc_plan *plan, enum prc_file file, const char **type);
/** Number of entries of table @p file (0 when unused or not a table). */
size_t prc_plan_table_count(const struct prc_plan *plan, enum prc_file file);
/**
 * Entry @p i of table @p file: its key as Postfix looks it up (lower case for
 * indexed tables, as postmap folds it), its value, and the origin of the
 * setting entry it comes from.  Each out-parameter may be NULL; strings are
 * borrowed from the plan (secrets in clear, for the caller that builds the
 * table).
 * @return 0, or PRC_ERR_ARG when out of range
 */
int prc_plan_table_entry(const struct prc_plan *plan, enum prc_file file, size_t i,
                         const char **key, const char **value, const char **origin);

/**
 * An effective state location or account (see enum prc_state), with the
 * origin that decided it ("postfix default" when main.cf leaves it to
 * Postfix).  A value referring to other parameters ($name) is expanded.
 * @param[out] origin  receives the origin (borrowed); may be NULL
 * @return borrowed from the plan; NULL when out of range
 */
const char *prc_plan_state(const struct prc_plan *plan, enum prc_state which, const char **origin);

/** Number of state directories (the queue and data directories and the queue's own). */
size_t prc_plan_state_dir_count(const struct prc_plan *plan);
/**
 * State directory @p i, as Postfix's postfix-files lays it out: its path, its
 * owner (root or mail_owner), whether its group is setgid_group (else left as
 * it is) and its mode.  Out-parameters may be NULL; @p path is borrowed.
 * @return 0, or PRC_ERR_ARG when out of range
 */
int prc_plan_state_dir(const struct prc_plan *plan, size_t i, const char **path,
                       enum prc_owner *owner, bool *setgid_group, unsigned *mode);

/** Number of DKIM key copies the plan installs (see prc_config_set_dkim_key_copies). */
size_t prc_plan_key_copy_count(const struct prc_plan *plan);
/**
 * DKIM key copy @p i: the key as configured (@p source) and where its copy
 * goes (@p dest, below the OpenDKIM directory; mode 0400, owner
 * PRC_OWNER_OPENDKIM).  Out-parameters may be NULL; borrowed from the plan.
 * @return 0, or PRC_ERR_ARG when out of range
 */
int prc_plan_key_copy(const struct prc_plan *plan, size_t i, const char **source,
                      const char **dest);

/**
 * The XOAUTH2 login to the relay host, when one is configured: the
 * sasl_passwd key whose password is the access token (@p key, folded), the
 * mailbox that logs in (@p user) and the refresher's token state file
 * (@p state_file).  Out-parameters may be NULL; strings are borrowed from the
 * plan (NULL when there is no such login).
 * @return true when an XOAUTH2 login is configured
 */
bool prc_plan_oauth_login(const struct prc_plan *plan, const char **key, const char **user,
                          const char **state_file);

/**
 * Make @p access the password of the XOAUTH2 login's credential table entry
 * (the value becomes "user:access"), so that the table emitted or built from
 * the plan afterwards carries it: how the refresher installs a new access
 * token.  @p access is copied; the value it replaces is wiped.
 * @return 0, PRC_ERR_ARG when the plan has no XOAUTH2 login, or PRC_ERR_NOMEM
 */
int prc_plan_oauth_set_token(struct prc_plan *plan, const char *access);

/** Number of master.cf services. */
size_t prc_plan_service_count(const struct prc_plan *plan);
/**
 * Service @p i of master.cf: its name ("smtp", "submission"), type ("inet",
 * "unix", ...), command ("smtpd"), and for an inet listener its TCP port (0
 * otherwise).  Out-parameters may be NULL; strings are static.
 * @return 0, or PRC_ERR_ARG when out of range
 */
int prc_plan_service(const struct prc_plan *plan, size_t i, const char **name, const char **type,
                     const char **command, unsigned *port);

/** Number of milters Postfix's smtpd talks to (smtpd_milters). */
size_t prc_plan_milter_count(const struct prc_plan *plan);
/** Milter @p i, e.g. "inet:127.0.0.1:8891" or "unix:/path"; NULL when out of range. */
const char *prc_plan_milter(const struct prc_plan *plan, size_t i);

/** Number of SMTP AUTH logins (SMTPD_USERS) the sasldb holds. */
size_t prc_plan_user_count(const struct prc_plan *plan);
/**
 * Login @p i for the sasldb: user name (without @domain), realm (its domain,
 * or MAILNAME) and password in clear.  Out-parameters may be NULL; borrowed.
 * @return 0, or PRC_ERR_ARG when out of range
 */
int prc_plan_user(const struct prc_plan *plan, size_t i, const char **user, const char **realm,
                  const char **password);

/**
 * Write one file of the plan to @p out, as prc_emit() does.
 * @return 0, PRC_ERR_ARG, PRC_ERR_NOMEM or PRC_ERR_IO
 */
int prc_plan_emit(const struct prc_plan *plan, enum prc_file file, FILE *out);

/**
 * Write every used file of the plan atomically, as prc_render() does (the
 * configuration is already valid).  @p dirs gives the directory of each
 * enum prc_dir; a NULL entry means the plan's own (prc_plan_dir).
 * @return 0, PRC_ERR_IO, PRC_ERR_ARG or PRC_ERR_NOMEM
 */
int prc_plan_render(const struct prc_plan *plan, const char *const dirs[PRC_DIR_COUNT],
                    struct prc_diags *diags);

/* ---- TLS and DKIM key material --------------------------------------- */

/**
 * Make the TLS files of a configuration usable before Postfix starts.  Does
 * nothing when USE_TLS is no.  For the server pair (TLS_CRT, TLS_KEY) and the
 * client pair (CLIENT_TLS_CRT, CLIENT_TLS_KEY):
 *  - when both paths are the defaults (under the instance root) and either
 *    file is missing, a self-signed certificate naming MAILNAME (CN and
 *    subjectAltName) and its key are generated in-process and written
 *    atomically, the key mode 0600, missing parent directories created;
 *  - otherwise the files are checked: an error when a file is missing or
 *    unreadable, is not PEM, holds no certificate (no private key), or when
 *    the key does not match the certificate; a warning when the certificate
 *    is expired, not yet valid, does not name MAILNAME, or the key is
 *    readable by all users.
 * TLS_CA and CLIENT_TLS_CA, when set, must hold at least one certificate.
 * Diagnostics carry the origin of the setting (e.g. "env:TLS_CRT").
 * Call it on a configuration that prc_config_validate() accepted.
 * @param cfg    the configuration; borrowed, not modified
 * @param diags  receives problems; may be NULL
 * @return 0 (warnings allowed), PRC_ERR_INVALID (a file is unusable),
 *         PRC_ERR_IO (a generated file could not be written), PRC_ERR_NOMEM,
 *         or PRC_ERR_ARG (NULL @p cfg, or MAILNAME unset)
 */
int prc_tls_prepare(struct prc_config *cfg, struct prc_diags *diags);

/**
 * Check a certificate file and its private key file on their own, as
 * prc_tls_prepare() checks user-supplied files (for a reloader that sees them
 * replaced): an error when a file is missing or unreadable, is not PEM, holds
 * no certificate (no private key), or when the key does not match the first
 * certificate; a warning when that certificate is expired or not yet valid,
 * does not name @p host, or the key is readable by all users.  Nothing is
 * written.  Diagnostics carry @p origin and start with the file's path.
 * @param cert_file  PEM certificate (chain), leaf first
 * @param key_file   PEM private key
 * @param host       the name the certificate should carry; NULL skips that check
 * @param origin     the diagnostics' origin (e.g. "main.cf"); may be NULL
 * @param diags      receives problems; may be NULL
 * @return 0 (warnings allowed), PRC_ERR_INVALID, PRC_ERR_NOMEM, or PRC_ERR_ARG
 *         (a NULL path)
 */
int prc_tls_check_pair(const char *cert_file, const char *key_file, const char *host,
                       const char *origin, struct prc_diags *diags);

/**
 * Check every DKIM key of a configuration (nothing when USE_DKIM is no): the
 * file exists, holds an RSA private key of at least 1024 bits (a warning
 * under 2048) or an Ed25519 private key, and is not readable or writable by
 * group or others.  Each diagnostic names the domains that use the key and
 * carries the origin of the setting or entry that gives it (DKIM_KEYFILE for
 * DKIM_DOMAINS, the entry of DKIM_KEYS).
 * @param cfg    the configuration; borrowed
 * @param diags  receives problems; may be NULL
 * @return 0 (warnings allowed), PRC_ERR_INVALID, PRC_ERR_NOMEM or PRC_ERR_ARG
 */
int prc_dkim_check(const struct prc_config *cfg, struct prc_diags *diags);

/** Key types prc_dkim_keygen() makes. */
enum prc_dkim_key_type {
	PRC_DKIM_KEY_RSA = 0,     /**< rsa-sha256, understood by every verifier */
	PRC_DKIM_KEY_ED25519 = 1, /**< ed25519-sha256 (RFC 8463); not all verifiers know it */
};

/** Default and bounds of the RSA key size of prc_dkim_keygen(). */
#define PRC_DKIM_RSA_BITS_DEFAULT 2048
#define PRC_DKIM_RSA_BITS_MIN     1024
#define PRC_DKIM_RSA_BITS_MAX     4096

/**
 * Generate a DKIM private key.
 * @param[out] out_pem  receives the key as unencrypted PKCS#8 PEM text,
 *                      NUL-terminated, owned by the caller: it is secret,
 *                      so clear it before free()
 * @param type          PRC_DKIM_KEY_RSA or PRC_DKIM_KEY_ED25519
 * @param bits          RSA key size (PRC_DKIM_RSA_BITS_MIN..MAX), or 0 for
 *                      the default; must be 0 for Ed25519
 * @param diags         receives the reason of a failure; may be NULL
 * @return 0, PRC_ERR_ARG (bad type or bits), PRC_ERR_NOMEM, or
 *         PRC_ERR_INVALID (OpenSSL could not make the key)
 */
int prc_dkim_keygen(char **out_pem, enum prc_dkim_key_type type, unsigned bits,
                    struct prc_diags *diags);

/**
 * Build the DNS record that publishes the public half of a DKIM key:
 * `SELECTOR._domainkey.DOMAIN IN TXT ( "v=DKIM1; k=rsa; p=..." )`, the text
 * split into quoted strings of at most 255 characters, ending in a newline.
 * @param[out] out     receives the record, owned by the caller (free())
 * @param key_path     file holding the private key (PEM); borrowed
 * @param domain       signing domain; borrowed
 * @param selector     selector; borrowed
 * @param diags        receives problems (unreadable or unsuitable key, bad
 *                     domain or selector); may be NULL
 * @return 0, PRC_ERR_INVALID, PRC_ERR_ARG (a NULL argument) or PRC_ERR_NOMEM
 */
int prc_dkim_record(char **out, const char *key_path, const char *domain, const char *selector,
                    struct prc_diags *diags);

/**
 * Make the DKIM keys that DKIM_AUTOGENERATE (or OPENDKIM_DOMAINS) promises:
 * each signed domain without a key of its own gets one in
 * DKIM_AUTOGENERATE_DIR (DOMAIN/SELECTOR.private, mode 0600, directories
 * 0700), written whole beside its place and linked in, so a crash leaves no
 * half-written key and an existing key is never replaced.  An existing key
 * is reused; one that cannot be read or used is an error, never replaced.
 * Nothing happens when USE_DKIM is no or DKIM_AUTOGENERATE is off.
 * @param cfg               the configuration; borrowed
 * @param[out] out_records  receives, for every generated key (new or kept),
 *                          a comment line `; DOMAIN: new key PATH` (or
 *                          `kept key`) and its DNS record
 *                          (prc_dkim_record()); "" when none; owned by the
 *                          caller (free()); may be NULL
 * @param diags             receives problems; may be NULL
 * @return 0, PRC_ERR_INVALID, PRC_ERR_IO (a key could not be written),
 *         PRC_ERR_NOMEM or PRC_ERR_ARG
 */
int prc_dkim_prepare(const struct prc_config *cfg, char **out_records, struct prc_diags *diags);

/**
 * The DNS records of every signed domain's key, as prc_dkim_record() makes
 * them, each after a comment line `; DOMAIN: key PATH`.
 * @param[out] out  receives the text, owned by the caller (free())
 * @param cfg       the configuration; borrowed
 * @param diags     receives problems (a key that cannot be read); may be NULL
 * @return 0, PRC_ERR_INVALID (some key unusable; the others are in @p out),
 *         PRC_ERR_NOMEM or PRC_ERR_ARG
 */
int prc_dkim_records(char **out, const struct prc_config *cfg, struct prc_diags *diags);

/* ---- introspection (docs, schema, tools) ------------------------------ */

/**
 * Number of settings in the settings table.  The prc_setting_*() accessors
 * take an index 0 .. count-1; the order is the table's and is the same in
 * every call.  Their strings are static.
 */
size_t prc_setting_count(void);
/** Environment variable name of setting @p i, e.g. "MAILNAME"; NULL when out of range. */
const char *prc_setting_env(size_t i);
/** Dotted YAML key of setting @p i, e.g. "relay.host"; NULL when out of range. */
const char *prc_setting_yaml(size_t i);
/** Default value of setting @p i in env syntax; "" when unset, NULL when out of range. */
const char *prc_setting_default(size_t i);
/** One-line description of setting @p i; NULL when out of range. */
const char *prc_setting_doc(size_t i);
/**
 * Whether setting @p i holds secrets (redacted by prc_config_print(), and
 * accepts a NAME_FILE form); false when out of range.
 */
bool prc_setting_is_secret(size_t i);
/**
 * Name of the @p i th variable of another relay image (boky/postfix,
 * mwader/postfix-relay) that postrelay understands and that holds a secret,
 * such as RELAYHOST_PASSWORD; each also has a NAME_FILE form.  NULL past the
 * last one.
 */
const char *prc_peer_secret(size_t i);

/**
 * Write the settings reference as a Markdown table (env name, YAML key,
 * default, meaning), as the README holds it.
 * @param out  where to write; borrowed
 * @return 0, or PRC_ERR_IO when a write to @p out failed
 */
int prc_settings_write_markdown(FILE *out);

/**
 * Write the settings reference in scdoc syntax, as the SETTINGS section of
 * the postrelaycfg.yaml(5) man page holds it: for every setting its YAML
 * key, meaning, environment variable, value syntax, default and the Postfix
 * parameter it sets.  The text has no preamble or section header, so a page
 * can wrap it.
 * @param out  where to write; borrowed
 * @return 0, or PRC_ERR_IO when a write to @p out failed
 */
int prc_settings_write_scdoc(FILE *out);

/**
 * Write the JSON Schema (draft-07) of the YAML configuration file, generated
 * from the settings table, for editors and validators.
 * @return 0, PRC_ERR_ARG, PRC_ERR_NOMEM or PRC_ERR_IO (a write to @p out failed)
 */
int prc_schema_write(FILE *out);

#ifdef __cplusplus
}
#endif
#endif
