/*
 * Where things are: the files postrelay writes (directory, name, mode) and
 * the master.cf services it runs, as fixed tables.  Below the plan, which
 * uses them, and validation, which asks about them.
 */
#include "layout.h"

#include <string.h>

#define V(id) (&cfg->v[PRC_S_##id])

/* ---- files ------------------------------------------------------------ */

const struct prc_file_info prc_layout_files[PRC_FILE_COUNT] = {
    [PRC_FILE_MAIN_CF] = {PRC_DIR_POSTFIX, "main.cf", false, false},
    [PRC_FILE_MASTER_CF] = {PRC_DIR_POSTFIX, "master.cf", false, false},
    [PRC_FILE_SASL_PASSWD] = {PRC_DIR_POSTFIX, "sasl_passwd", true, true},
    [PRC_FILE_SENDER_RELAY] = {PRC_DIR_POSTFIX, "sender_relay", false, true},
    [PRC_FILE_HEADER_CHECKS] = {PRC_DIR_POSTFIX, "header_checks", false, false},
    [PRC_FILE_SMTPD_SASL_CONF] = {PRC_DIR_POSTFIX, "sasl/smtpd.conf", false, false},
    [PRC_FILE_OPENDKIM_CONF] = {PRC_DIR_OPENDKIM, "opendkim.conf", false, false},
    [PRC_FILE_KEY_TABLE] = {PRC_DIR_OPENDKIM, "KeyTable", false, false},
    [PRC_FILE_SIGNING_TABLE] = {PRC_DIR_OPENDKIM, "SigningTable", false, false},
    [PRC_FILE_TRUSTED_HOSTS] = {PRC_DIR_OPENDKIM, "TrustedHosts", false, false},
    [PRC_FILE_EXTERNAL_IGNORE] = {PRC_DIR_OPENDKIM, "ExternalIgnoreList", false, false},
    [PRC_FILE_SENDER_ACCESS] = {PRC_DIR_POSTFIX, "sender_access", false, true},
    [PRC_FILE_RECIPIENT_ACCESS] = {PRC_DIR_POSTFIX, "recipient_access", false, true},
    [PRC_FILE_SENDER_LOGINS] = {PRC_DIR_POSTFIX, "sender_logins", false, true},
    [PRC_FILE_TRANSPORT] = {PRC_DIR_POSTFIX, "transport", false, true},
    [PRC_FILE_SENDER_TRANSPORT] = {PRC_DIR_POSTFIX, "sender_transport", false, true},
};

/* The public names keep the OpenDKIM files under "opendkim/", as before. */
static const char *const public_paths[PRC_FILE_COUNT] = {
    [PRC_FILE_MAIN_CF] = "main.cf",
    [PRC_FILE_MASTER_CF] = "master.cf",
    [PRC_FILE_SASL_PASSWD] = "sasl_passwd",
    [PRC_FILE_SENDER_RELAY] = "sender_relay",
    [PRC_FILE_HEADER_CHECKS] = "header_checks",
    [PRC_FILE_SMTPD_SASL_CONF] = "sasl/smtpd.conf",
    [PRC_FILE_OPENDKIM_CONF] = "opendkim/opendkim.conf",
    [PRC_FILE_KEY_TABLE] = "opendkim/KeyTable",
    [PRC_FILE_SIGNING_TABLE] = "opendkim/SigningTable",
    [PRC_FILE_TRUSTED_HOSTS] = "opendkim/TrustedHosts",
    [PRC_FILE_EXTERNAL_IGNORE] = "opendkim/ExternalIgnoreList",
    [PRC_FILE_SENDER_ACCESS] = "sender_access",
    [PRC_FILE_RECIPIENT_ACCESS] = "recipient_access",
    [PRC_FILE_SENDER_LOGINS] = "sender_logins",
    [PRC_FILE_TRANSPORT] = "transport",
    [PRC_FILE_SENDER_TRANSPORT] = "sender_transport",
};

PRC_EXPORT const char *prc_file_path(enum prc_file file)
{
	return (unsigned)file < PRC_FILE_COUNT ? public_paths[file] : NULL;
}

PRC_EXPORT bool prc_file_is_secret(enum prc_file file)
{
	return (unsigned)file < PRC_FILE_COUNT && prc_layout_files[file].secret;
}

PRC_EXPORT bool prc_file_is_table(enum prc_file file)
{
	return (unsigned)file < PRC_FILE_COUNT && prc_layout_files[file].table;
}

bool prc_file_used(const struct prc_config *cfg, enum prc_file file)
{
	switch (file) {
	case PRC_FILE_MAIN_CF:
	case PRC_FILE_MASTER_CF:
		return true;
	case PRC_FILE_SASL_PASSWD:
		return (prc_relay_auth_enabled(cfg) && V(RELAYHOST_PASSWORDMAP)->nitems) ||
		       prc_xoauth2_enabled(cfg);
	case PRC_FILE_SENDER_RELAY:
		return V(RELAYHOST_MAP)->nitems > 0;
	case PRC_FILE_HEADER_CHECKS:
		return V(HEADER_CHECKS)->b;
	case PRC_FILE_SMTPD_SASL_CONF:
		return V(SMTPD_USERS)->nitems > 0;
	case PRC_FILE_OPENDKIM_CONF:
	case PRC_FILE_KEY_TABLE:
	case PRC_FILE_SIGNING_TABLE:
	case PRC_FILE_TRUSTED_HOSTS:
	case PRC_FILE_EXTERNAL_IGNORE:
		return V(USE_DKIM)->b;
	case PRC_FILE_SENDER_ACCESS:
		return V(ALLOWED_SENDER_DOMAINS)->nitems > 0;
	case PRC_FILE_RECIPIENT_ACCESS:
		return V(ALLOWED_RECIPIENT_DOMAINS)->nitems > 0;
	case PRC_FILE_SENDER_LOGINS:
		return V(SMTPD_SENDER_LOGINS)->nitems > 0;
	case PRC_FILE_TRANSPORT:
		return V(TRANSPORT_MAP)->nitems > 0;
	case PRC_FILE_SENDER_TRANSPORT:
		return prc_smtps_used(cfg) && V(RELAYHOST_MAP)->nitems > 0;
	default:
		return false;
	}
}

PRC_EXPORT bool prc_file_is_used(const struct prc_config *cfg, enum prc_file file)
{
	return cfg && (unsigned)file < PRC_FILE_COUNT && prc_file_used(cfg, file);
}

/* ---- master.cf services ------------------------------------------------ */

/* chroot is off everywhere: the container is the jail, and a chroot would
 * need copies of sasldb, resolv.conf and friends inside the spool. */
const struct prc_plan_service prc_layout_services[] = {
    {"smtp", "inet", "n", "-", "n", "-", "-", "smtpd", NULL, 25},
    {"submission", "inet", "n", "-", "n", "-", "-", "smtpd", "-o syslog_name=postfix/submission",
     587},
    {"2525", "inet", "n", "-", "n", "-", "-", "smtpd", "-o syslog_name=postfix/2525", 2525},
    {"pickup", "unix", "n", "-", "n", "60", "1", "pickup", NULL, 0},
    {"cleanup", "unix", "n", "-", "n", "-", "0", "cleanup", NULL, 0},
    {"qmgr", "unix", "n", "-", "n", "300", "1", "qmgr", NULL, 0},
    {"tlsmgr", "unix", "-", "-", "n", "1000?", "1", "tlsmgr", NULL, 0},
    {"tlsproxy", "unix", "-", "-", "n", "-", "0", "tlsproxy", NULL, 0},
    {"rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite", NULL, 0},
    {"bounce", "unix", "-", "-", "n", "-", "0", "bounce", NULL, 0},
    {"defer", "unix", "-", "-", "n", "-", "0", "bounce", NULL, 0},
    {"trace", "unix", "-", "-", "n", "-", "0", "bounce", NULL, 0},
    {"verify", "unix", "-", "-", "n", "-", "1", "verify", NULL, 0},
    {"flush", "unix", "n", "-", "n", "1000?", "0", "flush", NULL, 0},
    {"proxymap", "unix", "-", "-", "n", "-", "-", "proxymap", NULL, 0},
    {"proxywrite", "unix", "-", "-", "n", "-", "1", "proxymap", NULL, 0},
    {"smtp", "unix", "-", "-", "n", "-", "-", "smtp", NULL, 0},
    {"relay", "unix", "-", "-", "n", "-", "-", "smtp", "-o syslog_name=postfix/$service_name", 0},
    {"showq", "unix", "n", "-", "n", "-", "-", "showq", NULL, 0},
    {"error", "unix", "-", "-", "n", "-", "-", "error", NULL, 0},
    {"retry", "unix", "-", "-", "n", "-", "-", "error", NULL, 0},
    {"discard", "unix", "-", "-", "n", "-", "-", "discard", NULL, 0},
    {"local", "unix", "-", "n", "n", "-", "-", "local", NULL, 0},
    {"virtual", "unix", "-", "n", "n", "-", "-", "virtual", NULL, 0},
    {"lmtp", "unix", "-", "-", "n", "-", "-", "lmtp", NULL, 0},
    {"anvil", "unix", "-", "-", "n", "-", "1", "anvil", NULL, 0},
    {"scache", "unix", "-", "-", "n", "-", "1", "scache", NULL, 0},
    {"postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd", NULL, 0},
    /* last: only with an XOAUTH2 login (default_transport), so that only mail
     * to the relay host is limited to that mechanism */
    {"xoauth2", "unix", "-", "-", "n", "-", "-", "smtp",
     "-o syslog_name=postfix/xoauth2\n  -o smtp_sasl_mechanism_filter=xoauth2", 0},
};

/* The master.cf transport for relays on port 465. */

/* Relays on port 465 speak TLS from the first byte (smtp_tls_wrappermode);
 * Postfix's default level "may" is raised to encrypt there (validation refuses
 * an explicit level below it), and a plain fallback relay cannot be spoken to. */
const struct prc_plan_service prc_layout_smtps_service = {
    SMTPS_TRANSPORT,
    "unix",
    "-",
    "-",
    "n",
    "-",
    "-",
    "smtp",
    "-o syslog_name=postfix/" SMTPS_TRANSPORT "\n  -o smtp_tls_wrappermode=yes\n"
    "  -o smtp_tls_security_level=encrypt\n  -o smtp_fallback_relay=",
    0};
const struct prc_plan_service prc_layout_smtps_service_keep_level = {
    SMTPS_TRANSPORT,
    "unix",
    "-",
    "-",
    "n",
    "-",
    "-",
    "smtp",
    "-o syslog_name=postfix/" SMTPS_TRANSPORT "\n  -o smtp_tls_wrappermode=yes\n"
    "  -o smtp_fallback_relay=",
    0};

const size_t prc_layout_nservices = sizeof(prc_layout_services) / sizeof(prc_layout_services[0]);

const char *prc_plan_service_command(const struct prc_config *cfg, const char *name,
                                     const char *type)
{
	size_t n = prc_layout_nservices - !prc_xoauth2_enabled(cfg);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(prc_layout_services[i].name, name) &&
		    !strcmp(prc_layout_services[i].type, type))
			return prc_layout_services[i].command;
	if (prc_smtps_used(cfg) && !strcmp(name, SMTPS_TRANSPORT) && !strcmp(type, "unix"))
		return prc_layout_smtps_service.command;
	return NULL;
}
