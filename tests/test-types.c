/* Single-value checks of types.c: every type with good and bad values. */
#include "internal.h"
#include "utf8.h"
#include "test-common.h"

static void no_error(const char *why)
{
	ck_assert_msg(why == NULL, "unexpected error: %s", why);
}

START_TEST(bool_accepts_yes_no_true_false_any_case)
{
	bool b = false;
	const char *yes[] = {"yes", "YES", "True", "true"}, *no[] = {"no", "No", "FALSE", "false"};
	for (size_t i = 0; i < 4; i++) {
		no_error(prc_parse_bool(yes[i], &b));
		ck_assert(b);
		no_error(prc_parse_bool(no[i], &b));
		ck_assert(!b);
	}
	ck_assert_str_eq(prc_parse_bool("1", &b), "expected yes, no, true or false");
	ck_assert_str_eq(prc_parse_bool("on", &b), "expected yes, no, true or false");
	ck_assert_str_eq(prc_parse_bool("", &b), "expected yes, no, true or false");
}
END_TEST

START_TEST(size_plain_and_suffixes)
{
	uint64_t n;
	no_error(prc_parse_size("15728640", &n));
	ck_assert_uint_eq(n, 15728640);
	no_error(prc_parse_size("10M", &n));
	ck_assert_uint_eq(n, 10485760);
	no_error(prc_parse_size("2k", &n));
	ck_assert_uint_eq(n, 2048);
	no_error(prc_parse_size("1G", &n));
	ck_assert_uint_eq(n, 1073741824);
	no_error(prc_parse_size("0", &n));
	ck_assert_uint_eq(n, 0);
	const char *msg = "expected a size in bytes, optionally with a k, M or G suffix";
	ck_assert_str_eq(prc_parse_size("10 M", &n), msg);
	ck_assert_str_eq(prc_parse_size("-1", &n), msg);
	ck_assert_str_eq(prc_parse_size("M", &n), msg);
	ck_assert_str_eq(prc_parse_size("12abc", &n), msg);
	ck_assert_str_eq(prc_parse_size("99999999999999999999", &n), msg);
	ck_assert_str_eq(prc_parse_size("9000000000000000", &n), "size is too large");
}
END_TEST

START_TEST(count_bounds)
{
	uint64_t n;
	no_error(prc_parse_count("20", 1, 1000, &n));
	ck_assert_uint_eq(n, 20);
	/* the caller tells the reasons apart by address, never by their text */
	ck_assert_ptr_eq(prc_parse_count("0", 1, 1000, &n), prc_why_out_of_range);
	ck_assert_ptr_eq(prc_parse_count("1001", 1, 1000, &n), prc_why_out_of_range);
	ck_assert_ptr_ne(prc_parse_count("2x", 1, 1000, &n), prc_why_out_of_range);
	ck_assert_str_eq(prc_parse_count("2x", 1, 1000, &n), "expected a whole number");
	ck_assert_str_eq(prc_parse_count("+2", 1, 1000, &n), "expected a whole number");
}
END_TEST

START_TEST(time_postfix_units)
{
	const char *good[] = {"5", "5s", "1m", "2h", "1d", "1w"};
	for (size_t i = 0; i < 6; i++) {
		char *norm = NULL;
		no_error(prc_parse_time(good[i], &norm));
		ck_assert_str_eq(norm, good[i]);
		free(norm);
	}
	const char *msg = "expected a time like 30, 30s, 5m, 2h, 1d or 1w";
	ck_assert_str_eq(prc_parse_time("5x", NULL), msg);
	ck_assert_str_eq(prc_parse_time("s", NULL), msg);
	ck_assert_str_eq(prc_parse_time("1.5s", NULL), msg);
	ck_assert_str_eq(prc_parse_time("", NULL), msg);
}
END_TEST

START_TEST(relayhost_forms)
{
	const char *good[] = {"mail.example.com",      "mail.example.com:25",
	                      "[mail.example.com]",    "[email-smtp.us-west-2.amazonaws.com]:587",
	                      "[192.0.2.1]:2525",      "192.0.2.1",
	                      "[ipv6:2001:db8::1]:25", "[IPv6:::1]"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(prc_check_relayhost(good[i], NULL) == NULL, "%s", good[i]);
	ck_assert_str_eq(prc_check_relayhost("mail.example.com:0", NULL),
	                 "port must be a number from 1 to 65535");
	ck_assert_str_eq(prc_check_relayhost("mail.example.com:65536", NULL),
	                 "port must be a number from 1 to 65535");
	ck_assert_str_eq(prc_check_relayhost("mail.example.com:smtp", NULL),
	                 "port must be a number from 1 to 65535");
	ck_assert_str_eq(prc_check_relayhost("[mail.example.com:25", NULL),
	                 "'[' without a closing ']'");
	ck_assert_str_eq(prc_check_relayhost("[mail.example.com]x", NULL),
	                 "expected ':port' after ']'");
	ck_assert_str_eq(prc_check_relayhost("2001:db8::1", NULL),
	                 "an IPv6 address must be written as [ipv6:address]:port");
	ck_assert_str_eq(prc_check_relayhost("[ipv6:zz::1]", NULL),
	                 "invalid IPv6 address after 'ipv6:'");
	ck_assert_str_eq(prc_check_relayhost("bad host", NULL),
	                 "host name may only contain letters, digits, '-' and '.'");
	ck_assert_str_eq(prc_check_relayhost("", NULL),
	                 "expected host, host:port or [host]:port, got an empty value");
}
END_TEST

START_TEST(cidr_normalizes_and_rejects)
{
	struct {
		const char *in, *out;
	} good[] = {{"10.0.0.0/8", "10.0.0.0/8"},
	            {"192.0.2.7", "192.0.2.7/32"},
	            {"::1/128", "[::1]/128"},
	            {"[2001:db8::]/32", "[2001:db8::]/32"},
	            {"2001:DB8:0::/48", "[2001:db8::]/48"},
	            {"0.0.0.0/0", "0.0.0.0/0"}};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *norm = NULL;
		no_error(prc_check_cidr(good[i].in, &norm));
		ck_assert_str_eq(norm, good[i].out);
		free(norm);
	}
	ck_assert_str_eq(prc_check_cidr("10.0.0.1/8", NULL),
	                 "network has host bits set beyond its prefix length (e.g. use 10.0.0.0/8, "
	                 "not 10.0.0.1/8)");
	ck_assert_str_eq(prc_check_cidr("10.0.0.0/33", NULL), "IPv4 prefix length must be 0 to 32");
	ck_assert_str_eq(prc_check_cidr("::/129", NULL), "IPv6 prefix length must be 0 to 128");
	ck_assert_str_eq(prc_check_cidr("10.0.0.0/x", NULL), "prefix length must be a number");
	ck_assert_str_eq(prc_check_cidr("300.0.0.0/8", NULL),
	                 "expected a network like 10.0.0.0/8 or [2001:db8::]/32");
	ck_assert_str_eq(prc_check_cidr("[10.0.0.0]/8", NULL),
	                 "only IPv6 addresses are written in brackets");
	ck_assert_str_eq(prc_check_cidr("fe80::zz/64", NULL), "invalid IPv6 address");
}
END_TEST

START_TEST(host_and_domain_names)
{
	no_error(prc_check_host("mail.example.com"));
	no_error(prc_check_host("localhost"));
	ck_assert_str_eq(prc_check_host("mail..example.com"),
	                 "host name has an empty label (\"..\" or a leading or trailing dot)");
	ck_assert_str_eq(prc_check_host("-mail.example.com"), "host name label starts with '-'");
	ck_assert_str_eq(prc_check_host("mail-.example.com"), "host name label ends with '-'");
	ck_assert_str_eq(prc_check_host("mail.example.com."),
	                 "host name has an empty label (\"..\" or a leading or trailing dot)");
	char label[80];
	memset(label, 'a', 64);
	label[64] = '\0';
	ck_assert_str_eq(prc_check_host(label), "host name label is longer than 63 characters");
	ck_assert_str_eq(prc_check_domain("my_domain.com"), "domain name may not contain '_'");
}
END_TEST

START_TEST(email_and_sender)
{
	no_error(prc_check_email("bounces@example.com"));
	no_error(prc_check_email("a.b+c@mail.example.com"));
	ck_assert_str_eq(prc_check_email("example.com"),
	                 "expected an address like user@example.com");
	ck_assert_str_eq(prc_check_email("@example.com"),
	                 "expected an address like user@example.com");
	ck_assert_str_eq(prc_check_email("a b@example.com"),
	                 "address has a character that is not allowed in a local part");
	ck_assert_str_eq(prc_check_email("ab@exa mple.com"), "address has an invalid domain");
	no_error(prc_check_sender("@example.com"));
	no_error(prc_check_sender("alice@example.com"));
	ck_assert_str_eq(prc_check_sender("example.com"), "expected @domain or user@domain");
}
END_TEST

START_TEST(control_characters_and_utf8)
{
	const char *msg = "contains a control character (newline, tab, ...), which is not allowed";
	ck_assert_str_eq(prc_check_control("a\nb"), msg);
	ck_assert_str_eq(prc_check_control("a\rb"), msg);
	ck_assert_str_eq(prc_check_control("a\tb"), msg);
	ck_assert_str_eq(prc_check_control("a\x7f"), msg);
	ck_assert_str_eq(prc_check_control("caf\xe9"), "is not valid UTF-8");
	ck_assert_str_eq(prc_check_control("\xc0\xaf"), "is not valid UTF-8");
	no_error(prc_check_control("caf\xc3\xa9 \xe2\x82\xac"));
}
END_TEST

START_TEST(paths_tz_selectors_params)
{
	no_error(prc_check_path("/etc/ssl/certs/x.pem"));
	ck_assert_str_eq(prc_check_path("relative/x"),
	                 "expected an absolute path (starting with '/')");
	ck_assert_str_eq(prc_check_path("/a b"), "path may not contain blanks, ',' or '$'");
	no_error(prc_check_tz("Europe/Berlin"));
	no_error(prc_check_tz("Etc/GMT+5"));
	ck_assert_str_eq(prc_check_tz("../etc/passwd"),
	                 "expected a time zone name like UTC or Europe/Berlin");
	no_error(prc_check_selector("mail2024"));
	no_error(prc_check_param_name("smtp_tls_CAfile"));
	ck_assert_str_eq(
	    prc_check_param_name("1abc"),
	    "is not a Postfix parameter name (letters, digits and '_', starting with a "
	    "letter)");
	ck_assert_str_eq(
	    prc_check_param_name("a-b"),
	    "is not a Postfix parameter name (letters, digits and '_', starting with a "
	    "letter)");
	no_error(prc_check_inet_socket("inet:127.0.0.1:8891"));
	ck_assert_str_eq(prc_check_inet_socket("unix:/x"), "expected inet:host:port");
	ck_assert_str_eq(prc_check_inet_socket("inet:localhost:0"),
	                 "port must be a number from 1 to 65535");
}
END_TEST

START_TEST(relayhost_name_strips_brackets_and_port)
{
	const char *in[] = {"[a.example]:587", "a.example:25", "a.example",
	                    "[ipv6:2001:db8::1]:25"};
	const char *out[] = {"a.example", "a.example", "a.example", "2001:db8::1"};
	for (size_t i = 0; i < 4; i++) {
		char *n = prc_relayhost_name(in[i]);
		ck_assert_str_eq(n, out[i]);
		free(n);
	}
}
END_TEST

START_TEST(utf8_decoder_is_strict)
{
	uint32_t cp = 0;
	ck_assert_uint_eq(prc_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
	ck_assert_uint_eq(cp, 'A');
	ck_assert_uint_eq(prc_utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
	ck_assert_uint_eq(cp, 0xe9);
	ck_assert_uint_eq(prc_utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	ck_assert_uint_eq(cp, 0x1f600);
	/* overlong, surrogate, above U+10FFFF, cut short, stray continuation, empty */
	const char *bad[] = {"\xc0\xaf",         "\xe0\x80\xaf", "\xed\xa0\x80",
	                     "\xf4\x90\x80\x80", "\xe2\x82",     "\x80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_uint_eq(
		    prc_utf8_decode((const unsigned char *)bad[i], strlen(bad[i]), &cp), 0);
	ck_assert_uint_eq(prc_utf8_decode((const unsigned char *)"\xc3\xa9", 1, &cp), 0);
	ck_assert_uint_eq(prc_utf8_decode((const unsigned char *)"", 0, &cp), 0);
}
END_TEST

SUITE_BEGIN(types)
ADD(bool_accepts_yes_no_true_false_any_case)
ADD(size_plain_and_suffixes)
ADD(count_bounds)
ADD(time_postfix_units)
ADD(relayhost_forms)
ADD(cidr_normalizes_and_rejects)
ADD(host_and_domain_names)
ADD(email_and_sender)
ADD(control_characters_and_utf8)
ADD(paths_tz_selectors_params)
ADD(relayhost_name_strips_brackets_and_port)
ADD(utf8_decoder_is_strict)
SUITE_END

TEST_MAIN(types_suite)
