/* A session's day and times in the school's zone (see session_when.h). */
#include <stdio.h>
#include <time.h>

#include "session_when.h"
#include "tz.h"

void
session_when(int64_t starts_at, int64_t ends_at, char out[SESSION_WHEN_MAX])
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t s = (time_t)starts_at, e = (time_t)ends_at;
	struct tm a, b;

	if (localtime_r(&s, &a) == NULL || localtime_r(&e, &b) == NULL) {
		out[0] = '\0';
		return;
	}
	/* U+2013, the en dash of a range. */
	snprintf(out, SESSION_WHEN_MAX, "%s %d %s %d, %02d:%02d\xe2\x80\x93"
	    "%02d:%02d %s", days[a.tm_wday], a.tm_mday, months[a.tm_mon],
	    a.tm_year + 1900, a.tm_hour, a.tm_min, b.tm_hour, b.tm_min,
	    tz_name());
}
