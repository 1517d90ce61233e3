/* The school's time zone (ENROLL_TIMEZONE, an IANA name, default UTC).
 * Times are stored as UTC seconds; what people type and read is in this
 * zone.  It is made the process's local time once at start-up (TZ), so
 * localtime_r and mktime speak it; the workers are single-threaded. */
#ifndef ENROLL_TZ_H
#define ENROLL_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* "YYYY-MM-DDTHH:MM", what an <input type="datetime-local"> sends. */
#define TZ_INPUT_MAX 17

/* Makes zone the local time of this process.  ERR_INVALID, nothing
 * changed, for a name that is not a zone on this machine (glibc would
 * silently read UTC instead). */
enum err tz_set(const char *zone);

/* The zone set last ("UTC" before any), for pages to name it. */
const char *tz_name(void);

/* Reads local "YYYY-MM-DD" (that day's midnight) or "YYYY-MM-DDTHH:MM"
 * (or with a space for the T) into UTC seconds.  ERR_INVALID when it is
 * not such a date, or names a time the zone skips (a daylight-saving
 * gap); a time it repeats reads as the first. */
enum err tz_parse_local(const char *s, int64_t *out);

/* Writes t as local "YYYY-MM-DDTHH:MM" into out (TZ_INPUT_MAX bytes), the
 * value that puts it back into a datetime-local input. */
void tz_format_input(int64_t t, char *out);

/* Writes t as local "YYYY-MM-DD" into out (11 bytes). */
void tz_format_day(int64_t t, char *out);

/* How tz_format_in writes a time. */
enum tz_style {
	TZ_DAY_TIME,		/* "Tue 23 Mar 2027, 18:00" */
	TZ_TIME,		/* "18:00" */
	TZ_STYLE_MAX
};

/* Writes t in style in zone (an IANA name; NULL or "" for the school's)
 * into out.  The process's zone is switched for the
 * call and back (the workers are single-threaded).  Returns 0, or -1 with
 * out empty when zone is unknown or the result does not fit. */
int tz_format_in(const char *zone, int64_t t, enum tz_style style,
    char *out, size_t size);

/* Whether zone names a zone of this machine. */
int tz_known(const char *zone);

/* The UTC second at which the local day holding t begins. */
int64_t tz_day_start(int64_t t);

#endif
