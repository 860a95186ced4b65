/*
 * master.cf entries given by the user (POSTFIXMASTER_<service>__<type>, YAML
 * postfix.master): one parser, shared by validation and the plan, so what is
 * checked is what is planned.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const service_types[] = {"inet", "unix", "unix-dgram", "fifo", "pass", NULL};

static bool one_of(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The next field of a master.cf line; a "{ ... }" group is one field. */
static char *next_field(char **p)
{
	char *s = *p + strspn(*p, " \t");
	if (!*s)
		return NULL;
	char *end;
	if (*s == '{') {
		end = strchr(s, '}');
		end = end ? end + 1 : s + strlen(s);
	} else {
		end = s + strcspn(s, " \t");
	}
	if (*end)
		*end++ = '\0';
	*p = end;
	return s;
}

void prc_master_entry_free(struct prc_master_entry *e)
{
	if (!e)
		return;
	free(e->buf);
	free(e->args);
	*e = (struct prc_master_entry){0};
}

const char *prc_master_parse(const char *key, const char *line, struct prc_master_entry *e)
{
	*e = (struct prc_master_entry){0};
	const char *slash = strchr(key, '/');
	if (!slash || slash == key || strchr(slash + 1, '/'))
		return "expected service/type as the key (e.g. submission/inet)";
	if (!one_of(slash + 1, service_types))
		return "the service type must be inet, unix, unix-dgram, fifo or pass";
	const char *why = prc_check_control(line);
	if (why)
		return why;
	if (!(e->buf = prc_strdup(line)))
		return prc_why_nomem;
	char *p = e->buf;
	size_t n = 0;
	for (char *f; n < 8 && (f = next_field(&p));)
		e->col[n++] = f;
	if (n < 8) {
		prc_master_entry_free(e);
		return "expected a master.cf line: service type private unpriv chroot wakeup "
		       "maxproc command [args]";
	}
	size_t nlen = (size_t)(slash - key);
	if (strlen(e->col[0]) != nlen || strncmp(e->col[0], key, nlen) ||
	    strcmp(e->col[1], slash + 1)) {
		prc_master_entry_free(e);
		return "the line's service and type differ from the ones it is given for";
	}
	static const char *const yn[] = {"y", "n", "-", NULL};
	for (size_t i = 2; i <= 4; i++)
		if (!one_of(e->col[i], yn)) {
			prc_master_entry_free(e);
			return "private, unpriv and chroot must be y, n or -";
		}
	if (!strcmp(e->col[4], "y")) {
		prc_master_entry_free(e);
		return "chroot y is not supported: postrelay runs every service without chroot "
		       "(write n)";
	}
	const char *w = e->col[5];
	size_t wl = strlen(w);
	char wbuf[32];
	if (wl && wl < sizeof(wbuf) && w[wl - 1] == '?') {
		memcpy(wbuf, w, wl - 1);
		wbuf[wl - 1] = '\0';
		w = wbuf;
	}
	if (strcmp(e->col[5], "-") && !all_digits(w)) {
		prc_master_entry_free(e);
		return "wakeup must be -, a number of seconds or a number followed by ?";
	}
	if (strcmp(e->col[6], "-") && !all_digits(e->col[6])) {
		prc_master_entry_free(e);
		return "maxproc must be - or a number";
	}
	/* the arguments, one "-o name=value" (or other word) per continuation line */
	struct prc_buf b = {0};
	for (char *f; (f = next_field(&p));) {
		if (b.len)
			prc_buf_puts(&b, "\n  ");
		prc_buf_puts(&b, f);
		if (!strcmp(f, "-o") && (f = next_field(&p))) {
			prc_buf_putc(&b, ' ');
			prc_buf_puts(&b, f);
		}
	}
	if (b.oom) {
		prc_buf_free(&b);
		prc_master_entry_free(e);
		return prc_why_nomem;
	}
	e->args = b.len ? prc_buf_take(&b) : NULL;
	prc_buf_free(&b);
	return NULL;
}

unsigned prc_master_inet_port(const char *name)
{
	const char *colon = strrchr(name, ':');
	const char *port = colon ? colon + 1 : name;
	if (all_digits(port) && strlen(port) <= 5) {
		unsigned long v = strtoul(port, NULL, 10);
		return v <= 65535 ? (unsigned)v : 0;
	}
	if (!strcmp(port, "smtp"))
		return 25;
	if (!strcmp(port, "submission"))
		return 587;
	if (!strcmp(port, "smtps") || !strcmp(port, "submissions"))
		return 465;
	return 0;
}
