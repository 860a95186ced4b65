/*
 * Reading back the main.cf that apply rendered, for the run-time commands
 * (health, watch): they check what Postfix was really configured with,
 * POSTCONF overrides included, and need neither the YAML file nor the
 * environment of the container's entrypoint.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_main_cf {
	char *text;
	size_t n;
	struct {
		const char *name, *value;
	} * p;
};

/* The whole file; NULL with errno set on failure.  Caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t len = 0, cap = 8192;
	char *s = malloc(cap);
	while (s) {
		len += fread(s + len, 1, cap - len - 1, f);
		if (len < cap - 1)
			break;
		char *bigger = realloc(s, cap * 2);
		if (!bigger) {
			free(s);
			s = NULL;
			errno = ENOMEM;
			break;
		}
		s = bigger;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (s && bad) {
		free(s);
		errno = EIO;
		return NULL;
	}
	if (s)
		s[len] = '\0';
	return s;
}

static char *trim(char *s)
{
	s += strspn(s, " \t");
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int cli_main_cf_load(const char *path, struct cli_main_cf **out)
{
	struct cli_main_cf *mc = calloc(1, sizeof(*mc));
	if (!mc)
		return -1;
	mc->text = slurp(path);
	if (!mc->text) {
		int e = errno;
		free(mc);
		errno = e;
		return -1;
	}
	size_t cap = 0;
	for (char *line = mc->text; *line;) {
		char *next = strchr(line, '\n');
		/* a logical line goes on while the next physical line starts with a blank */
		while (next && (next[1] == ' ' || next[1] == '\t')) {
			*next = ' ';
			next = strchr(next + 1, '\n');
		}
		if (next)
			*next++ = '\0';
		char *eq = strchr(line, '=');
		if (line[0] != '#' && line[0] != ' ' && line[0] != '\t' && eq) {
			*eq = '\0';
			if (mc->n == cap) {
				cap = cap ? 2 * cap : 64;
				void *p = realloc(mc->p, cap * sizeof(*mc->p));
				if (!p) {
					cli_main_cf_free(mc);
					errno = ENOMEM;
					return -1;
				}
				mc->p = p;
			}
			mc->p[mc->n].name = trim(line);
			mc->p[mc->n++].value = trim(eq + 1);
		}
		line = next ? next : line + strlen(line);
	}
	*out = mc;
	return 0;
}

const char *cli_main_cf_get(const struct cli_main_cf *mc, const char *name)
{
	for (size_t i = mc->n; i-- > 0;) /* the last one wins, as for Postfix */
		if (!strcmp(mc->p[i].name, name))
			return mc->p[i].value;
	return NULL;
}

void cli_main_cf_free(struct cli_main_cf *mc)
{
	if (!mc)
		return;
	free(mc->text);
	free(mc->p);
	free(mc);
}

size_t cli_split(const char *value, char *buf, size_t size, const char **words, size_t max)
{
	size_t n = 0;
	snprintf(buf, size, "%s", value ? value : "");
	for (char *p = buf; *p && n < max;) {
		p += strspn(p, " \t,{}");
		size_t len = strcspn(p, " \t,{}");
		if (!len)
			break;
		words[n++] = p;
		p += len;
		if (*p)
			*p++ = '\0';
	}
	return n;
}
