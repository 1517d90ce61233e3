/* Session times of a cohort (see cohort_time.h).  Dates are counted in
 * whole days on the proleptic Gregorian calendar, without the zone; only
 * the final local date and time go through it (lib/tz.c). */
#include <stdio.h>

#include "cohort_time.h"
#include "tz.h"

/* Days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse: y-m-d of days since 1970-01-01. */
static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Reads "YYYY-MM-DD" (a real date) into days since 1970-01-01. */
static int
day_number(const char *s, int64_t *days)
{
	int y, m, d, n = 0, by, bm, bd;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[10] != '\0' || y < 1970 || y > 9999 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	*days = days_from_civil(y, m, d);
	civil_from_days(*days, &by, &bm, &bd);
	return by == y && bm == m && bd == d ? 0 : -1;	/* 31 April */
}

int
cohort_weekday_of(const char *day)
{
	int64_t days;

	if (day_number(day, &days) != 0)
		return 0;
	/* 1970-01-01 was a Thursday (4). */
	return (int)(((days % 7) + 7 + 3) % 7) + 1;
}

/* The UTC instant of local day (days since 1970) at minute. */
static enum err
local_instant(int64_t days, int minute, int64_t *out)
{
	char s[32];
	int y, m, d;

	if (minute == COHORT_DAY_MINUTES) {
		days++;
		minute = 0;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d", y, m, d,
	    minute / 60, minute % 60);
	return tz_parse_local(s, out);
}

enum err
cohort_session_times(const char *starts_on, int week, int weekday,
    int start_minute, int end_minute, int64_t *starts_at, int64_t *ends_at)
{
	int64_t first, day;
	int from;
	enum err e;

	if (week < 1 || week > 520 || weekday < 1 || weekday > 7 ||
	    start_minute < 0 || start_minute >= COHORT_DAY_MINUTES ||
	    end_minute <= start_minute || end_minute > COHORT_DAY_MINUTES ||
	    day_number(starts_on, &first) != 0)
		return ERR_INVALID;
	from = cohort_weekday_of(starts_on);
	day = first + 7 * (int64_t)(week - 1) + (weekday - from + 7) % 7;
	if ((e = local_instant(day, start_minute, starts_at)) != ERR_OK ||
	    (e = local_instant(day, end_minute, ends_at)) != ERR_OK)
		return e;
	/* A session across the night the clocks go back is still later at
	 * its end. */
	return *ends_at > *starts_at ? ERR_OK : ERR_INVALID;
}
