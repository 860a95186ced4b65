/* Typed checks of single values, shared by the env and YAML sources. */
#include "internal.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char prc_why_nomem[] = "out of memory";
const char prc_why_out_of_range[] = "is out of range";

/* Reject control characters (C0, DEL, C1: they could inject lines) and invalid UTF-8. */
const char *prc_check_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	while (*p) {
		uint32_t cp;
		size_t n = prc_utf8_decode(p, (size_t)(end - p), &cp);
		if (!n)
			return "is not valid UTF-8";
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] < 0xa0))
			return "contains a control character (newline, tab, ...), which is not "
			       "allowed";
		p += n;
	}
	return NULL;
}

static bool is_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* DNS labels: letters, digits, '-', '_', 1-63 each, 253 in all. */
static const char *check_labels(const char *s, size_t n)
{
	if (n == 0)
		return "expected a host name, got an empty value";
	if (n > 253)
		return "host name is longer than 253 characters";
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return "host name has an empty label (\"..\" or a leading or "
				       "trailing dot)";
			if (s[i - 1] == '-')
				return "host name label ends with '-'";
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-' && c != '_')
			return "host name may only contain letters, digits, '-' and '.'";
		if (c == '-' && label == 0)
			return "host name label starts with '-'";
		if (++label > 63)
			return "host name label is longer than 63 characters";
	}
	if (label == 0)
		return "host name has an empty label (\"..\" or a leading or trailing dot)";
	if (s[n - 1] == '-')
		return "host name label ends with '-'";
	return NULL;
}

static const char *check_host_n(const char *s, size_t n)
{
	const char *why = check_labels(s, n);
	if (why)
		return why;
	/* "10.0.0.300" is neither an address nor a name: a top label is never numeric */
	const char *dot = memrchr(s, '.', n);
	const char *top = dot ? dot + 1 : s;
	if (is_digits(top, (size_t)(s + n - top)))
		return "host name ends in an all-numeric label (and is not an IPv4 address)";
	return NULL;
}

const char *prc_check_host(const char *s)
{
	return check_host_n(s, strlen(s));
}

const char *prc_check_domain(const char *s)
{
	const char *why = check_host_n(s, strlen(s));
	return why ? why : strchr(s, '_') ? "domain name may not contain '_'" : NULL;
}

const char *prc_check_email(const char *s)
{
	const char *at = strrchr(s, '@');
	if (!at || at == s)
		return "expected an address like user@example.com";
	for (const char *p = s; p < at; p++)
		if (!isgraph((unsigned char)*p) || strchr("<>()[]\\,;:\"@", *p))
			return "address has a character that is not allowed in a local part";
	if (check_host_n(at + 1, strlen(at + 1)))
		return "address has an invalid domain";
	return NULL;
}

const char *prc_check_path(const char *s)
{
	if (s[0] != '/')
		return "expected an absolute path (starting with '/')";
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',' || *p == '$')
			return "path may not contain blanks, ',' or '$'";
	return NULL;
}

const char *prc_check_tz(const char *s)
{
	if (!*s || s[0] == '/' || strstr(s, ".."))
		return "expected a time zone name like UTC or Europe/Berlin";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return "expected a time zone name like UTC or Europe/Berlin";
	return NULL;
}

const char *prc_check_selector(const char *s)
{
	/* a selector is a label sequence, often a date: all digits is fine */
	return check_labels(s, strlen(s)) ? "expected a DKIM selector (letters, digits, '-', '.')"
	                                  : NULL;
}

const char *prc_check_word(const char *s)
{
	if (!*s)
		return "expected a header name";
	for (const char *p = s; *p; p++)
		if (!isgraph((unsigned char)*p) || *p == ':' || *p == ',')
			return "expected a header name (no blanks, ':' or ',')";
	return NULL;
}

const char *prc_check_param_name(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return "is not a Postfix parameter name (letters, digits and '_', starting with a "
		       "letter)";
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return "is not a Postfix parameter name (letters, digits and '_', starting "
			       "with a letter)";
	if (strlen(s) > 100)
		return "is not a Postfix parameter name (too long)";
	return NULL;
}

static const char *check_port(const char *s, size_t n)
{
	if (!is_digits(s, n) || n > 5)
		return "port must be a number from 1 to 65535";
	unsigned long port = strtoul(s, NULL, 10);
	if (port < 1 || port > 65535)
		return "port must be a number from 1 to 65535";
	return NULL;
}

static bool is_ipv4(const char *s, size_t n)
{
	char tmp[INET_ADDRSTRLEN];
	struct in_addr a;
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, &a) == 1;
}

static bool is_ipv6(const char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN];
	struct in6_addr a;
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET6, tmp, &a) == 1;
}

/* host, host:port, [host], [host]:port, [ipv6:addr], [ipv6:addr]:port */
const char *prc_check_relayhost(const char *s, char **norm)
{
	size_t n = strlen(s);
	const char *host = s, *port = NULL;
	size_t hlen;
	if (n == 0)
		return "expected host, host:port or [host]:port, got an empty value";
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return "'[' without a closing ']'";
		host = s + 1;
		hlen = (size_t)(close - host);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return "expected ':port' after ']'";
		if (hlen > 5 && !strncasecmp(host, "ipv6:", 5)) {
			if (!is_ipv6(host + 5, hlen - 5))
				return "invalid IPv6 address after 'ipv6:'";
		} else if (!is_ipv4(host, hlen)) {
			const char *why = check_host_n(host, hlen);
			if (why)
				return why;
		}
	} else {
		const char *colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			return "an IPv6 address must be written as [ipv6:address]:port";
		hlen = colon ? (size_t)(colon - s) : n;
		if (colon)
			port = colon + 1;
		if (!is_ipv4(host, hlen)) {
			const char *why = check_host_n(host, hlen);
			if (why)
				return why;
		}
	}
	if (port) {
		const char *why = check_port(port, strlen(port));
		if (why)
			return why;
	}
	if (norm) {
		*norm = prc_strdup(s);
		if (!*norm)
			return prc_why_nomem;
	}
	return NULL;
}

char *prc_relayhost_name(const char *rh)
{
	if (rh[0] == '[') {
		const char *close = strchr(rh, ']');
		const char *h = rh + 1;
		if (!close)
			return prc_strdup(rh);
		if ((size_t)(close - h) > 5 && !strncasecmp(h, "ipv6:", 5))
			h += 5;
		return prc_strndup(h, (size_t)(close - h));
	}
	const char *colon = strchr(rh, ':');
	return colon ? prc_strndup(rh, (size_t)(colon - rh)) : prc_strdup(rh);
}

/* Check an address/prefix; IPv6 is normalized to Postfix's [addr]/len form. */
const char *prc_check_cidr(const char *s, char **norm)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	const char *a = s;
	bool bracket = false;
	if (alen >= 2 && a[0] == '[' && a[alen - 1] == ']') {
		a++;
		alen -= 2;
		bracket = true;
	}
	if (alen == 0 || alen >= sizeof(addr))
		return "expected a network like 10.0.0.0/8 or [2001:db8::]/32";
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	unsigned char bytes[16];
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, addr, bytes) != 1)
		return family == AF_INET6 ? "invalid IPv6 address"
		                          : "expected a network like 10.0.0.0/8 or [2001:db8::]/32";
	if (bracket && family == AF_INET)
		return "only IPv6 addresses are written in brackets";
	unsigned maxlen = family == AF_INET ? 32 : 128, len = maxlen;
	if (slash) {
		const char *why = NULL;
		size_t plen = strlen(slash + 1);
		if (!is_digits(slash + 1, plen) || plen > 3)
			why = "prefix length must be a number";
		else if ((len = (unsigned)strtoul(slash + 1, NULL, 10)) > maxlen)
			why = family == AF_INET ? "IPv4 prefix length must be 0 to 32"
			                        : "IPv6 prefix length must be 0 to 128";
		if (why)
			return why;
	}
	for (unsigned bit = len; bit < maxlen; bit++)
		if (bytes[bit / 8] & (0x80 >> (bit % 8)))
			return "network has host bits set beyond its prefix length (e.g. use "
			       "10.0.0.0/8, not 10.0.0.1/8)";
	if (norm) {
		char text[INET6_ADDRSTRLEN];
		inet_ntop(family, bytes, text, sizeof(text));
		if (family == AF_INET6)
			*norm = prc_asprintf("[%s]/%u", text, len);
		else
			*norm = prc_asprintf("%s/%u", text, len);
		if (!*norm)
			return prc_why_nomem;
	}
	return NULL;
}

const char *prc_check_host_or_cidr(const char *s, char **norm)
{
	if (strchr(s, '/') || strchr(s, ':') || is_ipv4(s, strlen(s)))
		return prc_check_cidr(s, norm);
	const char *why = prc_check_host(s);
	if (why)
		return "expected a network (10.0.0.0/8) or a host name";
	if (norm) {
		*norm = prc_strdup(s);
		if (!*norm)
			return prc_why_nomem;
	}
	return NULL;
}

const char *prc_check_sender(const char *s)
{
	if (s[0] == '@')
		return prc_check_domain(s + 1) ? "expected @domain or user@domain" : NULL;
	return prc_check_email(s) ? "expected @domain or user@domain" : NULL;
}

const char *prc_check_match_domain(const char *s)
{
	if (s[0] == '.')
		return prc_check_domain(s + 1) ? "expected a domain, or .domain for its subdomains"
		                               : NULL;
	return prc_check_domain(s) ? "expected a domain, or .domain for its subdomains" : NULL;
}

const char *prc_check_sender_list(const char *s)
{
	size_t words = 0;
	for (const char *p = s; *p;) {
		p += strspn(p, "| ");
		size_t n = strcspn(p, "| ");
		if (!n)
			break;
		char word[512];
		if (n >= sizeof(word))
			return "a sender is longer than 511 characters";
		memcpy(word, p, n);
		word[n] = '\0';
		if (prc_check_sender(word))
			return "expected senders user@domain or @domain, separated by '|'";
		words++;
		p += n;
	}
	return words ? NULL : "expected at least one sender (user@domain or @domain)";
}

const char *prc_check_inet_socket(const char *s)
{
	if (strncmp(s, "inet:", 5))
		return "expected inet:host:port";
	char *rh = NULL;
	const char *hp = s + 5;
	const char *colon = strrchr(hp, ':');
	if (!colon || colon == hp)
		return "expected inet:host:port";
	const char *why = check_port(colon + 1, strlen(colon + 1));
	if (why)
		return why;
	if (!is_ipv4(hp, (size_t)(colon - hp)) && check_host_n(hp, (size_t)(colon - hp)))
		return "expected inet:host:port with an IPv4 address or host name";
	free(rh);
	return NULL;
}

const char *prc_check_enum(const char *s, const char *choices)
{
	size_t n = strlen(s);
	for (const char *c = choices; *c;) {
		const char *bar = strchr(c, '|');
		size_t clen = bar ? (size_t)(bar - c) : strlen(c);
		if (clen == n && !memcmp(c, s, n))
			return NULL;
		c += clen + (bar ? 1 : 0);
	}
	return "is not one of the allowed values";
}

const char *prc_parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true")) {
		*out = true;
		return NULL;
	}
	if (!strcasecmp(s, "no") || !strcasecmp(s, "false")) {
		*out = false;
		return NULL;
	}
	return "expected yes, no, true or false";
}

static const char *parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (!is_digits(s, n))
		return "expected a whole number";
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return "number is too large";
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return NULL;
}

const char *prc_parse_size(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	uint64_t mult = 1;
	if (n > 0) {
		switch (s[n - 1]) {
		case 'k':
		case 'K':
			mult = 1024;
			n--;
			break;
		case 'm':
		case 'M':
			mult = 1024 * 1024;
			n--;
			break;
		case 'g':
		case 'G':
			mult = 1024 * 1024 * 1024;
			n--;
			break;
		default:
			break;
		}
	}
	uint64_t v;
	if (parse_u64(s, n, &v))
		return "expected a size in bytes, optionally with a k, M or G suffix";
	/* Postfix stores sizes in a signed long; stay well inside it. */
	if (v > (UINT64_C(1) << 52) / mult)
		return "size is too large";
	*out = v * mult;
	return NULL;
}

const char *prc_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	const char *why = parse_u64(s, strlen(s), &v);
	if (why)
		return why;
	if (v < min || (max && v > max))
		return prc_why_out_of_range;
	*out = v;
	return NULL;
}

const char *prc_parse_time(const char *s, char **norm)
{
	size_t n = strlen(s);
	if (n > 0 && strchr("smhdw", s[n - 1]))
		n--;
	uint64_t v;
	if (parse_u64(s, n, &v) || v > 100000000)
		return "expected a time like 30, 30s, 5m, 2h, 1d or 1w";
	if (norm) {
		*norm = prc_strdup(s);
		if (!*norm)
			return prc_why_nomem;
	}
	return NULL;
}

char *prc_unescape(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		*o++ = s[i];
	}
	*o = '\0';
	return d;
}
