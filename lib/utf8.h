/* The one UTF-8 decoder of the library (types.c checks values, the YAML reader files). */
#ifndef PRC_UTF8_H
#define PRC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the character at @p (at most @n bytes) into *cp.  Returns its
 * length, or 0 when the bytes are not well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF, not cut short).
 */
size_t prc_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

#endif
