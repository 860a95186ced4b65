/*
 * XOAUTH2 tokens without the network: the token endpoint's response parsed
 * (json-c), and the token state file read and written atomically.  The
 * refresher (cmd-oauth2.c) does the HTTP; this part is unit tested.
 */
#ifndef PRC_OAUTH2_H
#define PRC_OAUTH2_H

#include <stddef.h>
#include <time.h>

/* A token endpoint response larger than this is refused (they are ~2-5 KB). */
#define OAUTH2_MAX_RESPONSE (64u * 1024)

/* What the refresher knows; all strings owned, wiped when cleared. */
struct oauth2_token {
	char *access;     /* the access token, or NULL */
	char *refresh;    /* the latest refresh token (providers rotate it) */
	long long expiry; /* when the access token expires, Unix time */
	long long life;   /* its lifetime as issued, seconds */
	char *origin;     /* SHA-256 (hex) of the configured initial refresh token */
};

void oauth2_token_clear(struct oauth2_token *t);

/*
 * Parse the token endpoint's answer (@status: HTTP status, @body of @len
 * bytes) at time @now into @out.  A response without a refresh token keeps
 * @old_refresh.  On failure returns -1 and writes a one-line reason with the
 * endpoint's error code (never a token) to @why; `permanent` is set when
 * retrying with the same refresh token cannot help (invalid_grant and the
 * like).  Returns 0 on success.
 */
int oauth2_parse_response(long status, const char *body, size_t len, long long now,
                          const char *old_refresh, struct oauth2_token *out, char *why,
                          size_t whylen, int *permanent);

/*
 * Read the state file @path into @out.  Returns 0, 1 when it does not
 * exist, -1 when it is unusable (reason in @why).
 */
int oauth2_state_read(const char *path, struct oauth2_token *out, char *why, size_t whylen);

/*
 * Write @t to @path, mode 0600: a temporary file in the same directory,
 * fsync, rename, fsync of the directory.  Returns 0, or -1 (reason in @why).
 */
int oauth2_state_write(const char *path, const struct oauth2_token *t, char *why, size_t whylen);

/* SHA-256 of @s as 64 hex digits into @hex (65 bytes). */
void oauth2_fingerprint(const char *s, char hex[65]);

#endif
