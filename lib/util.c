/* Small string helpers: growable buffers and allocation wrappers. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void buf_grow(struct prc_buf *b, size_t extra)
{
	if (b->oom)
		return;
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return;
	}
	b->s = s;
	b->cap = cap;
}

void prc_buf_add(struct prc_buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void prc_buf_puts(struct prc_buf *b, const char *s)
{
	prc_buf_add(b, s, strlen(s));
}

void prc_buf_putc(struct prc_buf *b, char c)
{
	prc_buf_add(b, &c, 1);
}

void prc_buf_printf(struct prc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	buf_grow(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *prc_buf_take(struct prc_buf *b)
{
	if (!b->oom && !b->s)
		buf_grow(b, 0);
	if (b->oom) {
		prc_buf_free(b);
		return NULL;
	}
	b->s[b->len] = '\0';
	char *s = b->s;
	*b = (struct prc_buf){0};
	return s;
}

void prc_buf_free(struct prc_buf *b)
{
	free(b->s);
	*b = (struct prc_buf){0};
}

char *prc_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *prc_strdup(const char *s)
{
	return s ? prc_strndup(s, strlen(s)) : NULL;
}

char *prc_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

const char *prc_clip(char buf[PRC_CLIP_MAX + 4], const char *s)
{
	size_t n = strlen(s);
	if (n <= PRC_CLIP_MAX)
		return s;
	n = PRC_CLIP_MAX;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--; /* do not split a UTF-8 sequence */
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

/*
 * Edits (insert, delete, replace, swap two neighbours) from @a to @b: the one
 * measure of "did you mean" for env names and YAML keys alike.
 */
size_t prc_edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return cap;
	if ((la > lb ? la - lb : lb - la) >= cap)
		return cap;
	size_t rows[3][65], *prev2 = rows[0], *prev = rows[1], *row = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			row[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = row;
		row = t;
	}
	return prev[lb] < cap ? prev[lb] : cap;
}
