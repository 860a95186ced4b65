/*
 * LOG_FORMAT=json: the container's log lines as JSON objects a log pipeline
 * (Loki, Elasticsearch) indexes without a parser of its own.  Postfix's
 * maillog_file lines, s6-socklog's syslog lines (OpenDKIM) and anything
 * else a service prints are recognised here; json-c does the escaping.
 */
#include "log-json.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A view into the line. */
struct span {
	const char *p;
	size_t n;
};

static bool starts(struct span s, const char *word)
{
	size_t n = strlen(word);
	return s.n >= n && !memcmp(s.p, word, n);
}

static struct span skip(struct span s, size_t n)
{
	return (struct span){s.p + n, s.n - n};
}

/* Length of the well-formed UTF-8 character at @p (RFC 3629), 0 when not. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	if (p[0] < 0x80)
		return 1;
	size_t len = p[0] >= 0xc2 && p[0] <= 0xdf   ? 2
	             : p[0] >= 0xe0 && p[0] <= 0xef ? 3
	             : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
	                                            : 0;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates, above U+10FFFF */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

/* @s as a JSON string: invalid UTF-8 becomes U+FFFD, NUL too (json-c escapes the rest). */
static json_object *jstr(struct span s)
{
	size_t bad = 0;
	for (size_t i = 0; i < s.n;) {
		size_t l = s.p[i] ? utf8_len((const unsigned char *)s.p + i, s.n - i) : 0;
		bad += !l;
		i += l ? l : 1;
	}
	if (!bad)
		return json_object_new_string_len(s.p, (int)s.n);
	char *clean = malloc(s.n + 2 * bad + 1), *o = clean;
	if (!clean)
		return NULL;
	for (size_t i = 0; i < s.n;) {
		size_t l = s.p[i] ? utf8_len((const unsigned char *)s.p + i, s.n - i) : 0;
		if (l) {
			memcpy(o, s.p + i, l);
			o += l;
			i += l;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	json_object *j = json_object_new_string_len(clean, (int)(o - clean));
	free(clean);
	return j;
}

static bool add(json_object *o, const char *key, json_object *v)
{
	return v && !json_object_object_add(o, key, v);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static bool digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static int num(const char *p, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/*
 * "Mmm dd hh:mm:ss[.ffffff] " (day space or zero padded) at the start of @s:
 * the time in RFC 3339 into @out, the rest of the line into *rest.
 */
static bool parse_time(struct span s, time_t now, char out[48], struct span *rest)
{
	if (s.n < 16 || s.p[3] != ' ' || s.p[6] != ' ' || s.p[9] != ':' || s.p[12] != ':')
		return false;
	int mon = -1;
	for (int i = 0; i < 12 && mon < 0; i++)
		if (!memcmp(s.p, months[i], 3))
			mon = i;
	char day[2] = {s.p[4] == ' ' ? '0' : s.p[4], s.p[5]};
	if (mon < 0 || !digits(day, 2) || !digits(s.p + 7, 2) || !digits(s.p + 10, 2) ||
	    !digits(s.p + 13, 2))
		return false;
	size_t end = 15, frac = 0;
	if (end < s.n && s.p[end] == '.') {
		while (end + 1 + frac < s.n && frac < 9 && digits(s.p + end + 1 + frac, 1))
			frac++;
		if (!frac)
			return false;
		end += 1 + frac;
	}
	if (end >= s.n || s.p[end] != ' ')
		return false;
	struct tm now_tm, tm = {0};
	localtime_r(&now, &now_tm);
	tm.tm_year = now_tm.tm_year;
	/* a date more than a day ahead is last year's (the log of December read in January) */
	if (mon > now_tm.tm_mon + 1 || (mon == 11 && now_tm.tm_mon == 0))
		tm.tm_year--;
	tm.tm_mon = mon;
	tm.tm_mday = num(day, 2);
	tm.tm_hour = num(s.p + 7, 2);
	tm.tm_min = num(s.p + 10, 2);
	tm.tm_sec = num(s.p + 13, 2);
	tm.tm_isdst = -1;
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60 || mktime(&tm) == (time_t)-1)
		return false;
	char zone[8];
	strftime(zone, sizeof(zone), "%z", &tm);
	size_t k = strftime(out, 48, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + k, 48 - k, "%s%.*s%.3s:%s", frac ? "." : "", (int)frac, s.p + 16, zone,
	         zone + 3);
	*rest = skip(s, end + 1);
	return true;
}

/* "process[pid]: " or "process: " at the start of @s. */
static bool parse_tag(struct span s, struct span *proc, long *pid, struct span *rest)
{
	size_t i = 0;
	while (i < s.n && s.p[i] != ' ' && s.p[i] != '[' && s.p[i] != ':')
		i++;
	if (!i || i >= s.n)
		return false;
	*proc = (struct span){s.p, i};
	*pid = -1;
	if (s.p[i] == '[') {
		size_t j = i + 1;
		while (j < s.n && j - i <= 10 && s.p[j] >= '0' && s.p[j] <= '9')
			j++;
		if (j == i + 1 || j >= s.n || s.p[j] != ']')
			return false;
		*pid = num(s.p + i + 1, j - i - 1);
		i = j + 1;
	}
	if (i >= s.n || s.p[i] != ':')
		return false;
	i++;
	if (i < s.n && s.p[i] == ' ')
		i++;
	*rest = skip(s, i);
	return true;
}

/* Postfix's long queue ids use these (no vowels, so no word is one). */
static const char long_id[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";

bool log_json_is_queue_id(const char *s, size_t n)
{
	if (n < 6 || n > 32)
		return false;
	bool hex = true;
	for (size_t i = 0; i < n && hex; i++)
		hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F');
	if (hex)
		return true;
	/* long form: time part, 'z', inode part */
	const char *z = memchr(s, 'z', n);
	if (!z || z == s || z == s + n - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s + i != z && !memchr(long_id, s[i], sizeof(long_id) - 1))
			return false;
	return true;
}

static const struct {
	const char *word, *severity;
} postfix_levels[] = {
    {"warning: ", "warning"}, {"error: ", "error"}, {"fatal: ", "fatal"}, {"panic: ", "panic"}};

static const struct {
	const char *word, *severity;
} syslog_levels[] = {{"emerg", "emergency"}, {"alert", "alert"},     {"crit", "critical"},
                     {"err", "error"},       {"warning", "warning"}, {"notice", "notice"},
                     {"info", "info"},       {"debug", "debug"}};

static const char *const facilities[] = {
    "kern",   "user",   "mail",   "daemon",   "auth",   "syslog", "lpr",
    "news",   "uucp",   "cron",   "authpriv", "ftp",    "local0", "local1",
    "local2", "local3", "local4", "local5",   "local6", "local7", NULL};

/* s6-socklog's "facility.priority: " prefix. */
static bool parse_facility(struct span s, struct span *fac, const char **sev, struct span *rest)
{
	for (size_t f = 0; facilities[f]; f++) {
		size_t fl = strlen(facilities[f]);
		if (!starts(s, facilities[f]) || s.n <= fl || s.p[fl] != '.')
			continue;
		struct span p = skip(s, fl + 1);
		for (size_t l = 0; l < sizeof(syslog_levels) / sizeof(syslog_levels[0]); l++) {
			size_t ll = strlen(syslog_levels[l].word);
			if (starts(p, syslog_levels[l].word) && p.n > ll + 1 && p.p[ll] == ':' &&
			    p.p[ll + 1] == ' ') {
				*fac = (struct span){s.p, fl};
				*sev = syslog_levels[l].severity;
				*rest = skip(p, ll + 2);
				return true;
			}
		}
	}
	return false;
}

char *log_json_line(const char *line, size_t len, bool truncated, time_t now)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	struct span s = {line, len}, fac = {0}, host = {0}, proc = {0}, rest;
	const char *sev = NULL;
	long pid = -1;
	char when[48];
	bool ok = true;
	if (parse_facility(s, &fac, &sev, &rest))
		s = rest;
	bool timed = parse_time(s, now, when, &rest);
	if (timed) {
		s = rest;
		/* "process[pid]: " right away is syslog's form, else "host process[pid]: " */
		size_t sp = 0;
		while (sp < s.n && s.p[sp] != ' ')
			sp++;
		bool tag_first = sp && s.p[sp - 1] == ':';
		if (!tag_first && sp < s.n) {
			struct span after = skip(s, sp + 1);
			if (parse_tag(after, &proc, &pid, &rest)) {
				host = (struct span){s.p, sp};
				s = rest;
			}
		} else if (parse_tag(s, &proc, &pid, &rest)) {
			s = rest;
		}
	} else {
		struct tm tm;
		localtime_r(&now, &tm);
		char zone[8];
		strftime(zone, sizeof(zone), "%z", &tm);
		size_t k = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(when + k, sizeof(when) - k, "%.3s:%s", zone, zone + 3);
	}
	/* Postfix's own severity prefix, then a queue id */
	struct span msg = s;
	for (size_t i = 0; proc.n && i < sizeof(postfix_levels) / sizeof(postfix_levels[0]); i++)
		if (starts(s, postfix_levels[i].word)) {
			if (!sev)
				sev = postfix_levels[i].severity;
			s = skip(s, strlen(postfix_levels[i].word));
		}
	if (proc.n && !sev)
		sev = "info";
	size_t idn = 0;
	while (idn < s.n && idn <= 32 && s.p[idn] != ':' && s.p[idn] != ' ')
		idn++;
	bool queued = proc.n && idn + 1 < s.n && s.p[idn] == ':' && s.p[idn + 1] == ' ' &&
	              log_json_is_queue_id(s.p, idn);

	ok = add(o, "time", json_object_new_string(when));
	if (ok && host.n)
		ok = add(o, "host", jstr(host));
	if (ok && proc.n)
		ok = add(o, "process", jstr(proc));
	if (ok && pid >= 0)
		ok = add(o, "pid", json_object_new_int64(pid));
	if (ok && queued)
		ok = add(o, "queue_id", jstr((struct span){s.p, idn}));
	if (ok && sev)
		ok = add(o, "severity", json_object_new_string(sev));
	if (ok && fac.n)
		ok = add(o, "facility", jstr(fac));
	if (ok)
		ok = add(o, "message", jstr(msg));
	if (ok && truncated)
		ok = add(o, "truncated", json_object_new_boolean(1));
	char *out = NULL;
	if (ok) {
		const char *text = json_object_to_json_string_ext(
		    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		out = text ? strdup(text) : NULL;
	}
	json_object_put(o);
	return out;
}
