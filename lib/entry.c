/* The checks of list entries, shared by the env and YAML sources (see entry.h). */
#include "entry.h"

const char *prc_entry_word(enum prc_type type, const char *s, char **norm)
{
	*norm = NULL;
	const char *why = prc_check_control(s);
	if (why)
		return why;
	switch (type) {
	case T_CIDR_LIST:
		return prc_check_cidr(s, norm);
	case T_HOST_LIST:
		return prc_check_host_or_cidr(s, norm);
	case T_DOMAIN_LIST:
		why = prc_check_domain(s);
		break;
	case T_MATCH_DOMAINS:
		why = prc_check_match_domain(s);
		break;
	default:
		why = prc_check_word(s);
		break;
	}
	if (!why && !(*norm = prc_strdup(s)))
		return prc_why_nomem;
	return why;
}

const char *prc_entry_field(enum prc_type type, size_t f, const char *s)
{
	const char *why = prc_check_control(s);
	if (why)
		return why;
	switch (type) {
	case T_CREDENTIALS:
		if (f == 0)
			return *s ? prc_check_relayhost(s, NULL) : NULL;
		return *s ? NULL : "must not be empty";
	case T_USERS:
		return *s ? NULL : "must not be empty";
	case T_SENDER_RELAYS:
		return f == 0 ? prc_check_sender(s) : prc_check_relayhost(s, NULL);
	case T_DKIM_KEYS:
		return f == 0   ? prc_check_domain(s)
		       : f == 1 ? prc_check_selector(s)
		                : prc_check_path(s);
	case T_TRANSPORTS:
		return f == 0 ? prc_check_match_domain(s) : prc_check_relayhost(s, NULL);
	case T_SENDER_LOGINS:
		return f == 0 ? (*s ? NULL : "must not be empty") : prc_check_sender_list(s);
	default:
		return NULL;
	}
}

bool prc_entry_field_secret(enum prc_type type, size_t f)
{
	return (type == T_CREDENTIALS && f == 2) || (type == T_USERS && f == 1);
}
