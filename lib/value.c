/* The model's values: one per setting, with its list entries and origins. */
#include "internal.h"

#include <stdlib.h>

void prc_value_clear(struct prc_value *v)
{
	free(v->origin);
	free(v->str);
	for (size_t i = 0; i < v->nitems; i++) {
		for (size_t k = 0; k < PRC_MAX_FIELDS; k++)
			free(v->items[i].f[k]);
		free(v->items[i].origin);
	}
	free(v->items);
	*v = (struct prc_value){0};
}

void prc_value_move(struct prc_value *dst, struct prc_value *src)
{
	prc_value_clear(dst);
	*dst = *src;
	*src = (struct prc_value){0};
}

int prc_value_add_item(struct prc_value *v, const char *const *fields, size_t nfields,
                       const char *origin)
{
	if (v->nitems == v->cap) {
		/* doubling: 100 000 entries must not cost 100 000 reallocations */
		size_t cap = v->cap ? 2 * v->cap : 4;
		struct prc_item *items = realloc(v->items, cap * sizeof(*items));
		if (!items)
			return PRC_ERR_NOMEM;
		v->items = items;
		v->cap = cap;
	}
	struct prc_item *it = &v->items[v->nitems];
	*it = (struct prc_item){0};
	bool ok = (it->origin = prc_strdup(origin)) != NULL;
	for (size_t k = 0; k < nfields && k < PRC_MAX_FIELDS; k++)
		ok = ok && (it->f[k] = prc_strdup(fields[k] ? fields[k] : "")) != NULL;
	if (!ok) {
		for (size_t k = 0; k < PRC_MAX_FIELDS; k++)
			free(it->f[k]);
		free(it->origin);
		return PRC_ERR_NOMEM;
	}
	v->nitems++;
	return PRC_OK;
}
