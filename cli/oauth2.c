/* XOAUTH2 token responses and the token state file (see oauth2.h). */
#include "oauth2.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void oauth2_token_clear(struct oauth2_token *t)
{
	wipe_free(t->access);
	wipe_free(t->refresh);
	free(t->origin);
	memset(t, 0, sizeof(*t));
}

void oauth2_fingerprint(const char *s, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	if (!EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) || n != 32)
		memset(md, 0, sizeof(md));
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* A token as the Bearer value and the sasl_passwd entry can carry it. */
static bool token_ok(const char *s)
{
	if (!*s || strlen(s) > 16384)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return true;
}

static const char *get_string(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* expires_in as a number, or as a string of digits (older Microsoft endpoints). */
static bool get_lifetime(struct json_object *o, long long *out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, "expires_in", &v))
		return false;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		char *end;
		errno = 0;
		*out = strtoll(s, &end, 10);
		if (!*s || *end || errno)
			return false;
	} else {
		return false;
	}
	return *out > 0 && *out <= 366LL * 86400;
}

/* An error code as the endpoint gave it, safe to log (printable ASCII, short). */
static void safe_code(const char *code, char *buf, size_t n)
{
	size_t i = 0;
	for (; code && code[i] && i + 1 < n && i < 64; i++)
		buf[i] = code[i] > ' ' && code[i] < 0x7f ? code[i] : '?';
	buf[i] = '\0';
}

static struct json_object *parse_json(const char *body, size_t len)
{
	struct json_tokener *tk = json_tokener_new();
	if (!tk)
		return NULL;
	struct json_object *o = json_tokener_parse_ex(tk, body, (int)len);
	if (o && tk->char_offset != (int)len) {
		/* trailing text after the object */
		size_t off = (size_t)tk->char_offset;
		while (off < len && strchr(" \t\r\n", body[off]))
			off++;
		if (off != len) {
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tk);
	return o;
}

int oauth2_parse_response(long status, const char *body, size_t len, long long now,
                          const char *old_refresh, struct oauth2_token *out, char *why,
                          size_t whylen, int *permanent)
{
	*permanent = 0;
	memset(out, 0, sizeof(*out));
	if (len > OAUTH2_MAX_RESPONSE) {
		snprintf(why, whylen, "HTTP %ld: response larger than %u bytes", status,
		         OAUTH2_MAX_RESPONSE);
		return -1;
	}
	if (memchr(body, '\0', len)) {
		snprintf(why, whylen, "HTTP %ld: response is not JSON", status);
		return -1;
	}
	struct json_object *o = parse_json(body, len);
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, whylen, "HTTP %ld: response is not a JSON object", status);
		json_object_put(o);
		return -1;
	}
	const char *error = get_string(o, "error");
	if (error || status != 200) {
		char code[72];
		safe_code(error ? error : "", code, sizeof(code));
		/* RFC 6749 5.2: these cannot succeed with the same grant and client */
		*permanent =
		    error && (!strcmp(error, "invalid_grant") || !strcmp(error, "invalid_client") ||
		              !strcmp(error, "unauthorized_client"));
		snprintf(why, whylen, "HTTP %ld: %s", status, *code ? code : "no error code");
		json_object_put(o);
		return -1;
	}
	const char *access = get_string(o, "access_token");
	const char *type = get_string(o, "token_type");
	const char *refresh = get_string(o, "refresh_token");
	long long life = 0;
	const char *missing = !access                    ? "access_token"
	                      : !get_lifetime(o, &life)  ? "expires_in"
	                      : !refresh && !old_refresh ? "refresh_token"
	                                                 : NULL;
	if (missing) {
		snprintf(why, whylen, "HTTP %ld: response has no valid %s", status, missing);
		json_object_put(o);
		return -1;
	}
	if (type && strcasecmp(type, "Bearer")) {
		char t[72];
		safe_code(type, t, sizeof(t));
		snprintf(why, whylen, "HTTP %ld: token_type %s is not Bearer", status, t);
		json_object_put(o);
		return -1;
	}
	if (!token_ok(access) || (refresh && !token_ok(refresh))) {
		snprintf(why, whylen,
		         "HTTP %ld: a token in the response has blanks or control "
		         "characters",
		         status);
		json_object_put(o);
		return -1;
	}
	out->access = strdup(access);
	out->refresh = strdup(refresh ? refresh : old_refresh);
	out->expiry = now + life;
	out->life = life;
	json_object_put(o);
	if (!out->access || !out->refresh) {
		oauth2_token_clear(out);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

int oauth2_state_read(const char *path, struct oauth2_token *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 1;
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)OAUTH2_MAX_RESPONSE) {
		snprintf(why, whylen, "%s is not a token state file", path);
		close(fd);
		return -1;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size) {
		snprintf(why, whylen, "cannot read %s", path);
		free(buf);
		return -1;
	}
	struct json_object *o = parse_json(buf, (size_t)n);
	explicit_bzero(buf, (size_t)n);
	free(buf);
	struct json_object *e;
	const char *refresh = o ? get_string(o, "refresh_token") : NULL;
	const char *access = o ? get_string(o, "access_token") : NULL;
	const char *origin = o ? get_string(o, "initial_refresh_sha256") : NULL;
	if (!refresh || !token_ok(refresh) || !origin || (access && !token_ok(access)) ||
	    !json_object_object_get_ex(o, "expires_at", &e) ||
	    !json_object_is_type(e, json_type_int)) {
		snprintf(why, whylen, "%s is not a valid token state file", path);
		json_object_put(o);
		return -1;
	}
	out->refresh = strdup(refresh);
	out->access = access ? strdup(access) : NULL;
	out->origin = strdup(origin);
	out->expiry = json_object_get_int64(e);
	if (json_object_object_get_ex(o, "lifetime", &e) && json_object_is_type(e, json_type_int))
		out->life = json_object_get_int64(e);
	json_object_put(o);
	if (!out->refresh || !out->origin || (access && !out->access)) {
		oauth2_token_clear(out);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

int oauth2_state_write(const char *path, const struct oauth2_token *t, char *why, size_t whylen)
{
	struct json_object *o = json_object_new_object();
	if (!o)
		goto oom;
	if (t->access)
		json_object_object_add(o, "access_token", json_object_new_string(t->access));
	json_object_object_add(o, "expires_at", json_object_new_int64(t->expiry));
	json_object_object_add(o, "lifetime", json_object_new_int64(t->life));
	json_object_object_add(o, "refresh_token", json_object_new_string(t->refresh));
	json_object_object_add(o, "initial_refresh_sha256",
	                       json_object_new_string(t->origin ? t->origin : ""));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = text ? strlen(text) : 0;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmp-XXXXXX"));
	if (!text || !tmp) {
		json_object_put(o);
		free(tmp);
		goto oom;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	int fd = mkstemp(tmp);
	int rc = -1;
	if (fd < 0) {
		snprintf(why, whylen, "cannot create a temporary file for %s: %s", path,
		         strerror(errno));
	} else if (fchmod(fd, 0600) || write(fd, text, len) != (ssize_t)len ||
	           write(fd, "\n", 1) != 1 || fsync(fd)) {
		snprintf(why, whylen, "cannot write %s: %s", tmp, strerror(errno));
	} else if (close(fd) ? (fd = -1, true) : (fd = -1, rename(tmp, path) != 0)) {
		snprintf(why, whylen, "cannot rename %s into place: %s", path, strerror(errno));
	} else {
		rc = 0;
		/* the rename itself reaches the disk */
		char *slash = strrchr(tmp, '/');
		if (slash) {
			*slash = '\0';
			int dfd = open(*tmp ? tmp : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				fsync(dfd);
				close(dfd);
			}
		}
	}
	if (rc && fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	explicit_bzero((char *)text, len);
	json_object_put(o);
	free(tmp);
	return rc;
oom:
	snprintf(why, whylen, "out of memory");
	return -1;
}
