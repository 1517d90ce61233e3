/* When a cohort's live session takes place (issue 19).  A cohort starts
 * on a local day of the school's zone; its step n is taught in week n
 * (the seven days from the start day + 7(n - 1)); a step's option names
 * a weekday and local start and end times.  The session's instants are
 * computed from that local date and time in the school's zone, so the
 * offset is the one in force on the session's day, not on the day the
 * option was made or booked: a daylight-saving change in between does
 * not move the session. */
#ifndef ENROLL_COHORT_TIME_H
#define ENROLL_COHORT_TIME_H

#include <stdint.h>

#include "err.h"

#define COHORT_DAY_MINUTES 1440

/* Sets *starts_at and *ends_at (UTC seconds) of the session on weekday
 * (1 Monday .. 7 Sunday) of week (>= 1) of a cohort that starts on
 * starts_on ("YYYY-MM-DD", local), from start_minute to end_minute
 * (minutes after local midnight; end_minute may be COHORT_DAY_MINUTES,
 * the next midnight).  ERR_INVALID for an argument out of range, an end
 * not after the start, or a local time the zone skips that day. */
enum err cohort_session_times(const char *starts_on, int week, int weekday,
    int start_minute, int end_minute, int64_t *starts_at,
    int64_t *ends_at);

/* The ISO weekday (1 Monday .. 7 Sunday) of the local day
 * "YYYY-MM-DD", or 0 when it is not such a day. */
int cohort_weekday_of(const char *day);

#endif
