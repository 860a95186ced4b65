/* OpenDKIM configuration: opendkim.conf, KeyTable, SigningTable, TrustedHosts,
 * ExternalIgnoreList.  (Being written under the TLS/DKIM issue.) */
#include "internal.h"

int prc_emit_opendkim(const struct prc_config *cfg, enum prc_file file, FILE *out)
{
	(void)cfg;
	(void)file;
	(void)out;
	return PRC_ERR_ARG;
}
