/*
 * Where things are (layout.c): the files postrelay writes and the master.cf
 * services it runs, as fixed tables shared by the plan and validation.
 */
#ifndef PRC_LAYOUT_H
#define PRC_LAYOUT_H

#include "internal.h"

/* The master.cf transport for relays on port 465. */
#define SMTPS_TRANSPORT "smtps-relay"

/* One master.cf service, in `postconf -M` columns. */
struct prc_plan_service {
	const char *name, *type, *priv, *unpriv, *chroot, *wakeup, *maxproc, *command;
	const char *args; /* "-o a=b" continuation lines, "\n" separated, or NULL */
	unsigned port;    /* TCP port of an inet listener, else 0 */
};

/* A file of enum prc_file: where it goes and how it is kept. */
struct prc_file_info {
	enum prc_dir dir;
	const char *name;
	bool secret;
	bool table; /* an indexed lookup table of TABLE_TYPE */
};

extern const struct prc_file_info prc_layout_files[PRC_FILE_COUNT];

/* Whether file @file is written for @cfg. */
bool prc_file_used(const struct prc_config *cfg, enum prc_file file);

/* The fixed services, the XOAUTH2 transport last (left out without XOAUTH2);
 * the 465 transport, raising the TLS level to encrypt or keeping it. */
extern const struct prc_plan_service prc_layout_services[];
extern const size_t prc_layout_nservices;
extern const struct prc_plan_service prc_layout_smtps_service;
extern const struct prc_plan_service prc_layout_smtps_service_keep_level;

#endif
