/* The XOAUTH2 token endpoint's responses and the token state file (cli/oauth2.c). */
#include "test-common.h"

#include "oauth2.h"

#include <sys/stat.h>
#include <unistd.h>

#define NOW 1700000000LL

/* Parse @body as a 200 (or @status) answer with no previous refresh token. */
static int parse(long status, const char *body, const char *old, struct oauth2_token *t,
                 char why[256], int *permanent)
{
	return oauth2_parse_response(status, body, strlen(body), NOW, old, t, why, 256, permanent);
}

START_TEST(oauth2_response_ok_rotates_refresh_token)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	ck_assert_int_eq(parse(200,
	                       "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\","
	                       "\"expires_in\":3599,\"refresh_token\":\"rt-2\"}",
	                       "rt-1", &t, why, &perm),
	                 0);
	ck_assert_str_eq(t.access, "at-1");
	ck_assert_str_eq(t.refresh, "rt-2");
	ck_assert_int_eq(t.expiry, NOW + 3599);
	ck_assert_int_eq(t.life, 3599);
	oauth2_token_clear(&t);
}
END_TEST

START_TEST(oauth2_response_without_refresh_token_keeps_the_old_one)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	/* Google answers a refresh grant without a new refresh token; older
	 * Microsoft endpoints give expires_in as a string */
	ck_assert_int_eq(parse(200, "{\"access_token\":\"at-1\",\"expires_in\":\"3600\"}", "rt-1",
	                       &t, why, &perm),
	                 0);
	ck_assert_str_eq(t.refresh, "rt-1");
	ck_assert_int_eq(t.expiry, NOW + 3600);
	oauth2_token_clear(&t);
}
END_TEST

START_TEST(oauth2_response_invalid_grant_is_permanent)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	ck_assert_int_eq(parse(400,
	                       "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70000: "
	                       "token rt-secret expired\"}",
	                       "rt-1", &t, why, &perm),
	                 -1);
	ck_assert_str_eq(why, "HTTP 400: invalid_grant");
	ck_assert_int_eq(perm, 1);
	ck_assert_ptr_null(t.access);
}
END_TEST

START_TEST(oauth2_response_server_error_is_temporary)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	ck_assert_int_eq(
	    parse(503, "{\"error\":\"temporarily_unavailable\"}", "rt-1", &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 503: temporarily_unavailable");
	ck_assert_int_eq(perm, 0);
	ck_assert_int_eq(parse(502, "<html>Bad Gateway</html>", "rt-1", &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 502: response is not a JSON object");
	ck_assert_int_eq(perm, 0);
}
END_TEST

START_TEST(oauth2_response_malformed_json)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	static const char *const bad[] = {
	    "",      "{",      "{\"access_token\":\"at\"",
	    "[1,2]", "\"at\"", "{\"access_token\":\"at\",\"expires_in\":60} junk"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(200, bad[i], "rt-1", &t, why, &perm), -1);
		ck_assert_str_eq(why, "HTTP 200: response is not a JSON object");
	}
	ck_assert_int_eq(
	    oauth2_parse_response(200, "{\"a\":\"\0\"}", 9, NOW, "rt", &t, why, sizeof(why), &perm),
	    -1);
	ck_assert_str_eq(why, "HTTP 200: response is not JSON");
}
END_TEST

START_TEST(oauth2_response_missing_or_bad_fields)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	ck_assert_int_eq(parse(200, "{\"expires_in\":60}", "rt", &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 200: response has no valid access_token");
	ck_assert_int_eq(parse(200, "{\"access_token\":\"at\"}", "rt", &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 200: response has no valid expires_in");
	ck_assert_int_eq(
	    parse(200, "{\"access_token\":\"at\",\"expires_in\":-5}", "rt", &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 200: response has no valid expires_in");
	ck_assert_int_eq(
	    parse(200, "{\"access_token\":\"at\",\"expires_in\":60}", NULL, &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 200: response has no valid refresh_token");
	ck_assert_int_eq(parse(200, "{\"access_token\":7,\"expires_in\":60}", "rt", &t, why, &perm),
	                 -1);
	ck_assert_str_eq(why, "HTTP 200: response has no valid access_token");
	ck_assert_int_eq(parse(200,
	                       "{\"access_token\":\"at\",\"expires_in\":60,\"token_type\":\"MAC\"}",
	                       "rt", &t, why, &perm),
	                 -1);
	ck_assert_str_eq(why, "HTTP 200: token_type MAC is not Bearer");
	/* a token that would break the sasl_passwd entry or the SASL message */
	ck_assert_int_eq(
	    parse(200, "{\"access_token\":\"a t\",\"expires_in\":60}", "rt", &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 200: a token in the response has blanks or control characters");
}
END_TEST

START_TEST(oauth2_response_huge_is_refused)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	size_t n = OAUTH2_MAX_RESPONSE + 1;
	char *body = malloc(n);
	ck_assert_ptr_nonnull(body);
	memset(body, ' ', n);
	body[0] = '{';
	body[n - 1] = '}';
	ck_assert_int_eq(
	    oauth2_parse_response(200, body, n, NOW, "rt", &t, why, sizeof(why), &perm), -1);
	ck_assert_str_eq(why, "HTTP 200: response larger than 65536 bytes");
	free(body);
}
END_TEST

START_TEST(oauth2_response_error_code_is_sanitized)
{
	struct oauth2_token t;
	char why[256];
	int perm;
	ck_assert_int_eq(parse(400, "{\"error\":\"bad\\ncode\\u0001\"}", "rt", &t, why, &perm), -1);
	ck_assert_str_eq(why, "HTTP 400: bad?code?");
}
END_TEST

static char *tmpdir(void)
{
	char *d = strdup("/tmp/test-oauth2.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

START_TEST(oauth2_state_round_trip_mode_0600)
{
	char *d = tmpdir(), path[256], why[320];
	snprintf(path, sizeof(path), "%s/state.json", d);
	struct oauth2_token t = {strdup("at-1"), strdup("rt-2"), NOW + 60, 60, strdup("abc")}, r;
	ck_assert_int_eq(oauth2_state_read(path, &r, why, sizeof(why)), 1);
	ck_assert_int_eq(oauth2_state_write(path, &t, why, sizeof(why)), 0);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(oauth2_state_read(path, &r, why, sizeof(why)), 0);
	ck_assert_str_eq(r.access, "at-1");
	ck_assert_str_eq(r.refresh, "rt-2");
	ck_assert_str_eq(r.origin, "abc");
	ck_assert_int_eq(r.expiry, NOW + 60);
	ck_assert_int_eq(r.life, 60);
	/* a second write replaces it, leaving no temporary file behind */
	free(t.refresh);
	t.refresh = strdup("rt-3");
	ck_assert_int_eq(oauth2_state_write(path, &t, why, sizeof(why)), 0);
	oauth2_token_clear(&r);
	ck_assert_int_eq(oauth2_state_read(path, &r, why, sizeof(why)), 0);
	ck_assert_str_eq(r.refresh, "rt-3");
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "test \"$(ls %s)\" = state.json", d);
	ck_assert_int_eq(system(cmd), 0);
	oauth2_token_clear(&r);
	oauth2_token_clear(&t);
	unlink(path);
	rmdir(d);
	free(d);
}
END_TEST

START_TEST(oauth2_state_unusable_files)
{
	char *d = tmpdir(), path[256], why[320];
	struct oauth2_token r;
	snprintf(path, sizeof(path), "%s/state.json", d);
	static const char *const bad[] = {"not json", "{\"refresh_token\":\"rt\"}",
	                                  "{\"refresh_token\":\"r t\",\"expires_at\":1,"
	                                  "\"initial_refresh_sha256\":\"x\"}",
	                                  "{\"refresh_token\":\"rt\",\"expires_at\":\"1\","
	                                  "\"initial_refresh_sha256\":\"x\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		ck_assert_int_eq(oauth2_state_read(path, &r, why, sizeof(why)), -1);
		char want[300];
		snprintf(want, sizeof(want), "%s is not a valid token state file", path);
		ck_assert_str_eq(why, want);
	}
	unlink(path);
	ck_assert_int_eq(oauth2_state_read(d, &r, why, sizeof(why)), -1);
	rmdir(d);
	free(d);
}
END_TEST

START_TEST(oauth2_fingerprint_is_sha256)
{
	char hex[65];
	oauth2_fingerprint("abc", hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

SUITE_BEGIN(oauth2)
ADD(oauth2_response_ok_rotates_refresh_token)
ADD(oauth2_response_without_refresh_token_keeps_the_old_one)
ADD(oauth2_response_invalid_grant_is_permanent)
ADD(oauth2_response_server_error_is_temporary)
ADD(oauth2_response_malformed_json)
ADD(oauth2_response_missing_or_bad_fields)
ADD(oauth2_response_huge_is_refused)
ADD(oauth2_response_error_code_is_sanitized)
ADD(oauth2_state_round_trip_mode_0600)
ADD(oauth2_state_unusable_files)
ADD(oauth2_fingerprint_is_sha256)
SUITE_END

TEST_MAIN(oauth2_suite)
