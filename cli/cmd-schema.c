/* schema: the JSON Schema of the YAML configuration file. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_schema(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: %s schema\nPrint the JSON Schema of the YAML configuration file "
		       "(for editors and validators).\n",
		       PROG);
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: %s schema\n", PROG);
		return EXIT_USAGE;
	}
	int rc = prc_schema_write(stdout);
	if (fflush(stdout) && !rc)
		rc = PRC_ERR_IO;
	return cli_exit_code(rc);
}
