/* The emitted files: their names, modes, when they are needed, and dispatch. */
#include "internal.h"

#include <string.h>

struct file_info {
	const char *path;
	bool secret;
	bool table; /* a lookup table that postmap builds */
};

static const struct file_info files[PRC_FILE_COUNT] = {
	[PRC_FILE_MAIN_CF] = {"main.cf", false},
	[PRC_FILE_MASTER_CF] = {"master.cf", false},
	[PRC_FILE_SASL_PASSWD] = {"sasl_passwd", true, true},
	[PRC_FILE_SENDER_RELAY] = {"sender_relay", false, true},
	[PRC_FILE_HEADER_CHECKS] = {"header_checks", false},
	[PRC_FILE_SMTPD_SASL_CONF] = {"sasl/smtpd.conf", false},
	[PRC_FILE_OPENDKIM_CONF] = {"opendkim/opendkim.conf", false},
	[PRC_FILE_KEY_TABLE] = {"opendkim/KeyTable", false},
	[PRC_FILE_SIGNING_TABLE] = {"opendkim/SigningTable", false},
	[PRC_FILE_TRUSTED_HOSTS] = {"opendkim/TrustedHosts", false},
	[PRC_FILE_EXTERNAL_IGNORE] = {"opendkim/ExternalIgnoreList", false},
};

PRC_EXPORT const char *prc_file_path(enum prc_file file)
{
	return (unsigned)file < PRC_FILE_COUNT ? files[file].path : NULL;
}

PRC_EXPORT bool prc_file_is_secret(enum prc_file file)
{
	return (unsigned)file < PRC_FILE_COUNT && files[file].secret;
}

PRC_EXPORT bool prc_file_is_table(enum prc_file file)
{
	return (unsigned)file < PRC_FILE_COUNT && files[file].table;
}

PRC_EXPORT bool prc_file_is_used(const struct prc_config *cfg, enum prc_file file)
{
	if (!cfg)
		return false;
	switch (file) {
	case PRC_FILE_MAIN_CF:
	case PRC_FILE_MASTER_CF:
		return true;
	case PRC_FILE_SASL_PASSWD:
		return prc_relay_auth_enabled(cfg) && cfg->v[PRC_S_RELAYHOST_PASSWORDMAP].nitems;
	case PRC_FILE_SENDER_RELAY:
		return cfg->v[PRC_S_RELAYHOST_MAP].nitems > 0;
	case PRC_FILE_HEADER_CHECKS:
		return cfg->v[PRC_S_HEADER_CHECKS].b;
	case PRC_FILE_SMTPD_SASL_CONF:
		return cfg->v[PRC_S_SMTPD_USERS].nitems > 0;
	case PRC_FILE_OPENDKIM_CONF:
	case PRC_FILE_KEY_TABLE:
	case PRC_FILE_SIGNING_TABLE:
	case PRC_FILE_TRUSTED_HOSTS:
	case PRC_FILE_EXTERNAL_IGNORE:
		return cfg->v[PRC_S_USE_DKIM].b;
	default:
		return false;
	}
}

PRC_EXPORT int prc_emit(const struct prc_config *cfg, enum prc_file file, FILE *out)
{
	if (!cfg || !out || (unsigned)file >= PRC_FILE_COUNT)
		return PRC_ERR_ARG;
	int rc;
	switch (file) {
	case PRC_FILE_MAIN_CF:
		rc = prc_emit_main_cf(cfg, out);
		break;
	case PRC_FILE_MASTER_CF:
		rc = prc_emit_master_cf(cfg, out);
		break;
	case PRC_FILE_SASL_PASSWD:
		rc = prc_emit_sasl_passwd(cfg, out);
		break;
	case PRC_FILE_SENDER_RELAY:
		rc = prc_emit_sender_relay(cfg, out);
		break;
	case PRC_FILE_HEADER_CHECKS:
		rc = prc_emit_header_checks(cfg, out);
		break;
	case PRC_FILE_SMTPD_SASL_CONF:
		rc = prc_emit_smtpd_sasl_conf(cfg, out);
		break;
	default:
		rc = prc_emit_opendkim(cfg, file, out);
		break;
	}
	if (rc == PRC_OK && ferror(out))
		rc = PRC_ERR_IO;
	return rc;
}
