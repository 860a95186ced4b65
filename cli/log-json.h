/* LOG_FORMAT=json: a log line as one JSON object (log-json.c). */
#ifndef CLI_LOG_JSON_H
#define CLI_LOG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Longest line kept whole; the rest of a longer line is dropped ("truncated": true). */
#define LOG_JSON_LINE_MAX 16384

/*
 * One log line (@len bytes, no newline; any bytes) as one JSON object on one
 * line, without a newline: Postfix's "Mmm dd hh:mm:ss host process[pid]: ..."
 * (maillog_file), a syslog line as s6-socklog prints it ("mail.info: Mmm dd
 * hh:mm:ss process[pid]: ..."), or anything else as a bare message.  Fields:
 * time (RFC 3339, local time; the year of @now, the one before for a date
 * ahead of it; @now itself when the line has no time), host, process, pid,
 * queue_id, severity, facility, message, truncated (each only when known).
 * Invalid UTF-8 becomes U+FFFD; control characters are escaped.
 * Returns a string the caller frees, or NULL when out of memory.
 */
char *log_json_line(const char *line, size_t len, bool truncated, time_t now);

/* Whether @s (@n bytes) is a Postfix queue id (short hex or long form). */
bool log_json_is_queue_id(const char *s, size_t n);

#endif
