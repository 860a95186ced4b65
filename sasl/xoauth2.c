/*
 * A Cyrus SASL client plugin for the XOAUTH2 mechanism (Google, Microsoft
 * 365).  The mechanism is one client message,
 *
 *   user=<authentication id>\x01auth=Bearer <access token>\x01\x01
 *
 * with the access token taken as the password (Postfix gives it from
 * smtp_sasl_password_maps).  When the server refuses the token it sends a
 * challenge holding a JSON error; the client answers it with an empty
 * message and the server then ends the exchange with a 5xx reply.
 *
 * Debian 12 has no packaged XOAUTH2 client plugin and Debian 13's crashes
 * under Postfix 3.10 (DESIGN.md), hence this one.  It never logs the token.
 */
#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include <stdlib.h>
#include <string.h>

struct xo_conn {
	char *out; /* the client message, wiped when freed */
	size_t len;
	int step;
};

static int xo_new(void *glob, sasl_client_params_t *params, void **conn)
{
	(void)glob;
	struct xo_conn *c = params->utils->malloc(sizeof(*c));
	if (!c)
		return SASL_NOMEM;
	memset(c, 0, sizeof(*c));
	*conn = c;
	return SASL_OK;
}

/* The value of a simple callback (user name), or NULL. */
static const char *get_simple(const sasl_utils_t *u, unsigned long id)
{
	sasl_getsimple_t *cb = NULL;
	void *ctx = NULL;
	const char *v = NULL;
	unsigned len = 0;
	if (u->getcallback(u->conn, id, (sasl_callback_ft *)&cb, &ctx) != SASL_OK || !cb ||
	    cb(ctx, (int)id, &v, &len) != SASL_OK)
		return NULL;
	return v;
}

/* The password callback's secret (the access token), or NULL. */
static sasl_secret_t *get_secret(const sasl_utils_t *u)
{
	sasl_getsecret_t *cb = NULL;
	void *ctx = NULL;
	sasl_secret_t *s = NULL;
	if (u->getcallback(u->conn, SASL_CB_PASS, (sasl_callback_ft *)&cb, &ctx) != SASL_OK ||
	    !cb || cb(u->conn, ctx, SASL_CB_PASS, &s) != SASL_OK)
		return NULL;
	return s;
}

/* Builds the one client message; a second step answers the error challenge. */
static int xo_step(void *conn, sasl_client_params_t *params, const char *serverin,
                   unsigned serverinlen, sasl_interact_t **prompt, const char **clientout,
                   unsigned *clientoutlen, sasl_out_params_t *oparams)
{
	struct xo_conn *c = conn;
	const sasl_utils_t *u = params->utils;
	(void)prompt;
	*clientout = NULL;
	*clientoutlen = 0;
	if (c->step++ > 0) {
		/* the server's error: log it (it holds no secret), answer empty.
		 * Cyrus's log formatter knows only plain conversions (no "%.*s"). */
		char text[256];
		size_t n =
		    serverin ? (serverinlen < sizeof(text) ? serverinlen : sizeof(text) - 1) : 0;
		for (size_t i = 0; i < n; i++)
			text[i] = serverin[i] >= ' ' && serverin[i] < 0x7f ? serverin[i] : '?';
		text[n] = '\0';
		u->log(u->conn, SASL_LOG_FAIL, "XOAUTH2: the server refused the token: %s", text);
		*clientout = "";
		oparams->doneflag = 1;
		return SASL_OK;
	}
	const char *user = get_simple(u, SASL_CB_AUTHNAME);
	if (!user || !*user)
		user = get_simple(u, SASL_CB_USER);
	sasl_secret_t *tok = get_secret(u);
	if (!user || !*user || !tok || !tok->len) {
		u->seterror(u->conn, 0,
		            "XOAUTH2: no user name or no access token (not fetched yet?)");
		return SASL_FAIL;
	}
	int rc = params->canon_user(u->conn, user, 0, SASL_CU_AUTHID | SASL_CU_AUTHZID, oparams);
	if (rc != SASL_OK)
		return rc;
	static const char p1[] = "user=", p2[] = "\001auth=Bearer ", p3[] = "\001\001";
	size_t ulen = strlen(user), tlen = tok->len;
	size_t len = sizeof(p1) - 1 + ulen + sizeof(p2) - 1 + tlen + sizeof(p3) - 1;
	if (len > 65535)
		return SASL_BUFOVER;
	c->out = u->malloc(len + 1);
	if (!c->out)
		return SASL_NOMEM;
	char *p = c->out;
	memcpy(p, p1, sizeof(p1) - 1), p += sizeof(p1) - 1;
	memcpy(p, user, ulen), p += ulen;
	memcpy(p, p2, sizeof(p2) - 1), p += sizeof(p2) - 1;
	memcpy(p, tok->data, tlen), p += tlen;
	memcpy(p, p3, sizeof(p3)), p += sizeof(p3) - 1;
	c->len = len;
	*clientout = c->out;
	*clientoutlen = (unsigned)len;
	oparams->mech_ssf = 0;
	oparams->maxoutbuf = 0;
	oparams->encode = NULL;
	oparams->decode = NULL;
	oparams->param_version = 0;
	/* not done yet: a refusal comes as a challenge that needs an answer */
	return SASL_CONTINUE;
}

static void xo_dispose(void *conn, const sasl_utils_t *u)
{
	struct xo_conn *c = conn;
	if (!c)
		return;
	if (c->out) {
		memset(c->out, 0, c->len);
		u->free(c->out);
	}
	u->free(c);
}

static sasl_client_plug_t plugins[] = {{
    .mech_name = "XOAUTH2",
    .max_ssf = 0,
    .security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_PASS_CREDENTIALS,
    .features = SASL_FEAT_WANT_CLIENT_FIRST | SASL_FEAT_ALLOWS_PROXY,
    .mech_new = xo_new,
    .mech_step = xo_step,
    .mech_dispose = xo_dispose,
}};

int sasl_client_plug_init(const sasl_utils_t *utils, int maxversion, int *out_version,
                          sasl_client_plug_t **pluglist, int *plugcount);

/* Cyrus looks this symbol up in every library of its plugin directory. */
__attribute__((visibility("default"))) int sasl_client_plug_init(const sasl_utils_t *utils,
                                                                 int maxversion, int *out_version,
                                                                 sasl_client_plug_t **pluglist,
                                                                 int *plugcount)
{
	if (maxversion < SASL_CLIENT_PLUG_VERSION) {
		utils->seterror(utils->conn, 0, "XOAUTH2: SASL client plugin version mismatch");
		return SASL_BADVERS;
	}
	*out_version = SASL_CLIENT_PLUG_VERSION;
	*pluglist = plugins;
	*plugcount = 1;
	return SASL_OK;
}
