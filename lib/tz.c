/* The school's time zone, through the C library's local time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tz.h"

static char zone_name[64] = "UTC";

/* A zone name is a relative path under the zone folder: letters, digits,
 * '_', '-', '+' and '/', never "..". */
static int
zone_name_ok(const char *zone)
{
	size_t n = strlen(zone);

	if (n == 0 || n >= sizeof(zone_name) || zone[0] == '/' ||
	    strstr(zone, "..") != NULL)
		return 0;
	return strspn(zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789_-+/") == n;
}

int
tz_known(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[512];

	if (zone == NULL || !zone_name_ok(zone))
		return 0;
	/* UTC needs no file: glibc knows it without tzdata. */
	if (strcmp(zone, "UTC") == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir != NULL && *dir != '\0' ?
	    dir : "/usr/share/zoneinfo", zone);
	return access(path, R_OK) == 0;
}

enum err
tz_set(const char *zone)
{
	if (!tz_known(zone))
		return ERR_INVALID;
	if (setenv("TZ", zone, 1) != 0)
		return ERR_INTERNAL;
	tzset();
	snprintf(zone_name, sizeof(zone_name), "%s", zone);
	return ERR_OK;
}

const char *
tz_name(void)
{
	return zone_name;
}

enum err
tz_parse_local(const char *s, int64_t *out)
{
	struct tm tm, back;
	int64_t best;
	time_t t;
	int n = 0, y, mo, d, h = 0, mi = 0;

	if (s == NULL)
		return ERR_INVALID;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return ERR_INVALID;
	if (s[10] != '\0') {
		n = 0;
		if ((s[10] != 'T' && s[10] != ' ') ||
		    sscanf(s + 11, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5 ||
		    s[16] != '\0')
			return ERR_INVALID;
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || h < 0 || mi < 0)
		return ERR_INVALID;
	/* Tried as standard and as summer time: the reading that comes
	 * back as the same wall clock is the time.  On the night the
	 * clocks go back both do, and the first (the earlier) is taken;
	 * on the night they skip it (02:30 in a gap) neither does. */
	best = INT64_MAX;
	for (int dst = 0; dst <= 1; dst++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = dst;
		if ((t = mktime(&tm)) == (time_t)-1 ||
		    localtime_r(&t, &back) == NULL)
			continue;
		/* 31 February comes back as another day. */
		if (back.tm_year == y - 1900 && back.tm_mon == mo - 1 &&
		    back.tm_mday == d && back.tm_hour == h &&
		    back.tm_min == mi && (int64_t)t < best)
			best = (int64_t)t;
	}
	if (best == INT64_MAX)
		return ERR_INVALID;
	*out = best;
	return ERR_OK;
}

void
tz_format_input(int64_t t, char *out)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(out, TZ_INPUT_MAX, "%Y-%m-%dT%H:%M", &tm) == 0)
		out[0] = '\0';
}

void
tz_format_day(int64_t t, char *out)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		out[0] = '\0';
}

int64_t
tz_day_start(int64_t t)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (localtime_r(&secs, &tm) == NULL)
		return t;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	/* A zone whose clocks skip midnight starts that day at 01:00:
	 * mktime moves the missing time forward, which is that instant. */
	return (int64_t)mktime(&tm);
}

int
tz_format_in(const char *zone, int64_t t, enum tz_style style, char *out,
    size_t size)
{

	time_t secs = (time_t)t;
	struct tm tm;
	int other = zone != NULL && *zone != '\0' &&
	    strcmp(zone, zone_name) != 0, r = 0;

	out[0] = '\0';
	if ((unsigned)style >= TZ_STYLE_MAX)
		return -1;
	if (other && (!tz_known(zone) || setenv("TZ", zone, 1) != 0))
		return -1;
	if (other)
		tzset();
	if (localtime_r(&secs, &tm) == NULL ||
	    (style == TZ_TIME ? strftime(out, size, "%H:%M", &tm) :
	    strftime(out, size, "%a %-d %b %Y, %H:%M", &tm)) == 0) {
		out[0] = '\0';
		r = -1;
	}
	if (other) {
		setenv("TZ", zone_name, 1);
		tzset();
	}
	return r;
}
