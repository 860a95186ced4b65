/* Dispatch: which emitter formats which file of the plan. */
#include "plan.h"

PRC_EXPORT int prc_plan_emit(const struct prc_plan *p, enum prc_file file, FILE *out)
{
	if (!p || !out || (size_t)file >= p->nfiles)
		return PRC_ERR_ARG;
	int rc;
	if ((size_t)file >= PRC_FILE_COUNT) {
		rc = prc_emit_user_table(p, file, out);
		return rc == PRC_OK && ferror(out) ? PRC_ERR_IO : rc;
	}
	switch (file) {
	case PRC_FILE_MAIN_CF:
		rc = prc_emit_main_cf(p, out);
		break;
	case PRC_FILE_MASTER_CF:
		rc = prc_emit_master_cf(p, out);
		break;
	case PRC_FILE_SASL_PASSWD:
	case PRC_FILE_SENDER_RELAY:
	case PRC_FILE_HEADER_CHECKS:
	case PRC_FILE_SENDER_ACCESS:
	case PRC_FILE_RECIPIENT_ACCESS:
	case PRC_FILE_SENDER_LOGINS:
	case PRC_FILE_TRANSPORT:
	case PRC_FILE_SENDER_TRANSPORT:
		rc = prc_emit_table(p, file, out);
		break;
	case PRC_FILE_SMTPD_SASL_CONF:
		rc = prc_emit_smtpd_sasl_conf(p, out);
		break;
	default:
		rc = prc_emit_opendkim(p, file, out);
		break;
	}
	if (rc == PRC_OK && ferror(out))
		rc = PRC_ERR_IO;
	return rc;
}

PRC_EXPORT int prc_emit(const struct prc_config *cfg, enum prc_file file, FILE *out)
{
	if (!cfg || !out || (int)file < 0)
		return PRC_ERR_ARG;
	struct prc_plan *p;
	int rc = prc_plan_build(cfg, NULL, &p);
	if (rc)
		return rc;
	rc = prc_plan_emit(p, file, out);
	prc_plan_free(p);
	return rc;
}
