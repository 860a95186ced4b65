/*
 * The entries of list settings, one parser per kind shared by the env and
 * YAML sources: each source only splits its own syntax into words or fields
 * and says where, so the same mistake gets the same reason from either.
 */
#ifndef PRC_ENTRY_H
#define PRC_ENTRY_H

#include "internal.h"

/*
 * Check one word of a plain list (T_CIDR_LIST, T_HOST_LIST, T_DOMAIN_LIST,
 * T_WORD_LIST).  Returns NULL and sets *norm to the normalized word (caller
 * frees), or a static reason (prc_why_nomem on OOM; *norm is then NULL).
 */
const char *prc_entry_word(enum prc_type type, const char *s, char **norm);

/*
 * Check field @f of an entry of a structured list (T_CREDENTIALS,
 * T_SENDER_RELAYS, T_USERS, T_DKIM_KEYS): NULL, or a static reason.  An
 * empty host of T_CREDENTIALS is fine (the credentials of RELAYHOST).
 */
const char *prc_entry_field(enum prc_type type, size_t f, const char *s);

/* Whether field @f of @type is secret (never echoed in a message). */
bool prc_entry_field_secret(enum prc_type type, size_t f);

#endif
