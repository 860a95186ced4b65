/* Print a libFuzzer dictionary of the settings table's names (run by fuzz/run.sh). */
#include "postrelaycfg.h"

#include <stdio.h>

int main(void)
{
	for (size_t i = 0; i < prc_setting_count(); i++) {
		printf("\"%s=\"\n", prc_setting_env(i));
		if (prc_setting_is_secret(i))
			printf("\"%s_FILE=\"\n", prc_setting_env(i));
		printf("\"%s:\"\n", prc_setting_yaml(i));
	}
	const char *extra[] = {"POSTFIX_", "POSTCONF=", "\\", "\\,", "\\:", "\\;", "[", "]:",
			       "yes", "no", "true", "@", "/", "inet:", "[ipv6:", "::", "0.0.0.0/0",
			       "mynetworks", "smtpd_relay_restrictions", "permit", "---"};
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		printf("\"");
		for (const char *p = extra[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				putchar('\\');
			putchar(*p);
		}
		printf("\"\n");
	}
	return 0;
}
