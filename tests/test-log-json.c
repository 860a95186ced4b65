/* LOG_FORMAT=json: log lines as JSON objects (cli/log-json.c). */
#include "test-common.h"

#include "log-json.h"

#define NOW     1796335200 /* 2026-12-03T22:00:00Z */
#define NEWYEAR 1798761630 /* 2027-01-01T00:00:30Z */

/* The JSON of @line (NUL-terminated) at NOW, in UTC; caller frees. */
static char *conv(const char *line)
{
	return log_json_line(line, strlen(line), false, NOW);
}

#define CHECK(line, want)                                                                          \
	do {                                                                                       \
		char *got_ = conv(line);                                                           \
		ck_assert_ptr_nonnull(got_);                                                       \
		ck_assert_str_eq(got_, want);                                                      \
		free(got_);                                                                        \
	} while (0)

static void utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

START_TEST(log_json_postfix_line_with_queue_id)
{
	CHECK("Dec 03 21:59:58 mail.example.com postfix/smtp[812]: 4F2A91C0B3: "
	      "to=<a@example.org>, relay=mx.example.org[10.0.0.1]:25, status=sent (250 ok)",
	      "{\"time\":\"2026-12-03T21:59:58+00:00\",\"host\":\"mail.example.com\","
	      "\"process\":\"postfix/smtp\",\"pid\":812,\"queue_id\":\"4F2A91C0B3\","
	      "\"severity\":\"info\",\"message\":\"4F2A91C0B3: to=<a@example.org>, "
	      "relay=mx.example.org[10.0.0.1]:25, status=sent (250 ok)\"}");
}
END_TEST

START_TEST(log_json_postfix_line_without_queue_id)
{
	CHECK("Dec 03 21:59:58 mail postfix/smtpd[77]: connect from unknown[10.1.2.3]",
	      "{\"time\":\"2026-12-03T21:59:58+00:00\",\"host\":\"mail\",\"process\":"
	      "\"postfix/smtpd\",\"pid\":77,\"severity\":\"info\",\"message\":\"connect from "
	      "unknown[10.1.2.3]\"}");
	/* "warning" is no queue id, though it is followed by ": " */
	CHECK("Dec 03 21:59:58 mail postfix/smtpd[77]: warning: hostname x does not resolve",
	      "{\"time\":\"2026-12-03T21:59:58+00:00\",\"host\":\"mail\",\"process\":"
	      "\"postfix/smtpd\",\"pid\":77,\"severity\":\"warning\",\"message\":\"warning: "
	      "hostname x does not resolve\"}");
	CHECK("Dec 03 21:59:58 mail postfix/master[1]: fatal: bind 0.0.0.0 port 25: Address in use",
	      "{\"time\":\"2026-12-03T21:59:58+00:00\",\"host\":\"mail\",\"process\":"
	      "\"postfix/master\",\"pid\":1,\"severity\":\"fatal\",\"message\":\"fatal: bind "
	      "0.0.0.0 port 25: Address in use\"}");
}
END_TEST

START_TEST(log_json_long_queue_id_and_microseconds)
{
	CHECK("Dec  3 21:59:58.123456 mail postfix/qmgr[5]: 4ZsXhB2wJ3z9kQm: from=<>, size=300",
	      "{\"time\":\"2026-12-03T21:59:58.123456+00:00\",\"host\":\"mail\",\"process\":"
	      "\"postfix/qmgr\",\"pid\":5,\"queue_id\":\"4ZsXhB2wJ3z9kQm\",\"severity\":\"info\","
	      "\"message\":\"4ZsXhB2wJ3z9kQm: from=<>, size=300\"}");
	ck_assert(log_json_is_queue_id("4F2A91C0B3", 10));
	ck_assert(log_json_is_queue_id("4ZsXhB2wJ3z9kQm", 15));
	ck_assert(!log_json_is_queue_id("warning", 7));
	ck_assert(!log_json_is_queue_id("statistics", 10));
	ck_assert(!log_json_is_queue_id("ABC", 3));
	ck_assert(!log_json_is_queue_id("4ZsXhB2wJ3z", 11)); /* nothing after the z */
}
END_TEST

START_TEST(log_json_syslog_line_of_opendkim)
{
	CHECK("mail.info: Dec  3 21:59:58 opendkim[31]: 4F2A91C0B3: DKIM-Signature field added "
	      "(s=mail, d=example.com)",
	      "{\"time\":\"2026-12-03T21:59:58+00:00\",\"process\":\"opendkim\",\"pid\":31,"
	      "\"queue_id\":\"4F2A91C0B3\",\"severity\":\"info\",\"facility\":\"mail\","
	      "\"message\":\"4F2A91C0B3: DKIM-Signature field added (s=mail, d=example.com)\"}");
	CHECK("mail.err: Dec  3 21:59:58 opendkim[31]: key data is not secure",
	      "{\"time\":\"2026-12-03T21:59:58+00:00\",\"process\":\"opendkim\",\"pid\":31,"
	      "\"severity\":\"error\",\"facility\":\"mail\",\"message\":\"key data is not "
	      "secure\"}");
}
END_TEST

START_TEST(log_json_other_lines_are_messages)
{
	CHECK("postrelaycfg: health: waiting for the milter",
	      "{\"time\":\"2026-12-03T22:00:00+00:00\",\"message\":\"postrelaycfg: health: "
	      "waiting for the milter\"}");
	CHECK("", "{\"time\":\"2026-12-03T22:00:00+00:00\",\"message\":\"\"}");
	/* a time but no tag: the rest is the message */
	CHECK("Dec 03 21:59:58 just words",
	      "{\"time\":\"2026-12-03T21:59:58+00:00\",\"message\":\"just words\"}");
	/* not a date */
	CHECK("Foo 03 21:59:58 x y[1]: z",
	      "{\"time\":\"2026-12-03T22:00:00+00:00\",\"message\":\"Foo 03 21:59:58 x y[1]: z\"}");
}
END_TEST

START_TEST(log_json_control_bytes_and_quotes_escaped)
{
	CHECK("a\x01"
	      "b\tc\"d\\e/f\x7f",
	      "{\"time\":\"2026-12-03T22:00:00+00:00\",\"message\":\"a\\u0001b\\tc\\\"d\\\\e/"
	      "f\x7f\"}");
}
END_TEST

START_TEST(log_json_invalid_utf8_replaced)
{
	/* a stray continuation byte, an overlong '/', a surrogate, a cut sequence; valid é kept */
	CHECK("\x80 \xc0\xaf \xed\xa0\x80 \xc3\xa9 \xe2\x82",
	      "{\"time\":\"2026-12-03T22:00:00+00:00\",\"message\":\"\xef\xbf\xbd "
	      "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xc3\xa9 "
	      "\xef\xbf\xbd\xef\xbf\xbd\"}");
	/* a NUL inside the line */
	char *got = log_json_line("a\0b", 3, false, NOW);
	ck_assert_str_eq(got, "{\"time\":\"2026-12-03T22:00:00+00:00\",\"message\":\"a\xef\xbf\xbd"
	                      "b\"}");
	free(got);
}
END_TEST

START_TEST(log_json_very_long_line_truncated_flag)
{
	size_t n = LOG_JSON_LINE_MAX;
	char *line = malloc(n);
	memset(line, 'x', n);
	const char *head = "Dec 03 21:59:58 mail postfix/cleanup[9]: 4F2A91C0B3: ";
	memcpy(line, head, strlen(head));
	char *got = log_json_line(line, n, true, NOW);
	ck_assert_ptr_nonnull(got);
	ck_assert(strstr(got, "\"queue_id\":\"4F2A91C0B3\""));
	ck_assert(strstr(got, "xxx\",\"truncated\":true}"));
	ck_assert_uint_eq(strlen(got), n - strlen(head) +
	                                   strlen("{\"time\":\"2026-12-03T21:59:58+00:00\","
	                                          "\"host\":\"mail\",\"process\":\"postfix/"
	                                          "cleanup\",\"pid\":9,\"queue_id\":"
	                                          "\"4F2A91C0B3\",\"severity\":\"info\","
	                                          "\"message\":\"4F2A91C0B3: \","
	                                          "\"truncated\":true}"));
	free(got);
	free(line);
}
END_TEST

START_TEST(log_json_december_read_in_january_is_last_year)
{
	char *got = log_json_line("Dec 31 23:59:59 m postfix/smtpd[1]: x", 37, false, NEWYEAR);
	ck_assert(!strncmp(got, "{\"time\":\"2026-12-31T23:59:59+00:00\"", 35));
	free(got);
	got = log_json_line("Jan 01 00:00:29 m postfix/smtpd[1]: x", 37, false, NEWYEAR);
	ck_assert(!strncmp(got, "{\"time\":\"2027-01-01T00:00:29+00:00\"", 35));
	free(got);
}
END_TEST

START_TEST(log_json_local_time_zone_offset)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	CHECK("Dec 03 23:00:00 m postfix/smtpd[1]: x",
	      "{\"time\":\"2026-12-03T23:00:00+01:00\",\"host\":\"m\",\"process\":"
	      "\"postfix/smtpd\",\"pid\":1,\"severity\":\"info\",\"message\":\"x\"}");
	utc();
}
END_TEST

static Suite *log_json_suite(void)
{
	utc();
	Suite *s = suite_create("log_json");
	TCase *tc = tcase_create("log_json");
	tcase_add_test(tc, log_json_postfix_line_with_queue_id);
	tcase_add_test(tc, log_json_postfix_line_without_queue_id);
	tcase_add_test(tc, log_json_long_queue_id_and_microseconds);
	tcase_add_test(tc, log_json_syslog_line_of_opendkim);
	tcase_add_test(tc, log_json_other_lines_are_messages);
	tcase_add_test(tc, log_json_control_bytes_and_quotes_escaped);
	tcase_add_test(tc, log_json_invalid_utf8_replaced);
	tcase_add_test(tc, log_json_very_long_line_truncated_flag);
	tcase_add_test(tc, log_json_december_read_in_january_is_last_year);
	tcase_add_test(tc, log_json_local_time_zone_offset);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(log_json_suite)
