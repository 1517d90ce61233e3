/* A live session's day and times as people read them in the school's
 * zone, with the zone named, since a student may live in another:
 * "Tue 23 Mar 2027, 18:00–19:30 Europe/Paris". */
#ifndef ENROLL_SESSION_WHEN_H
#define ENROLL_SESSION_WHEN_H

#include <stdint.h>

#define SESSION_WHEN_MAX 96

/* Writes the session from starts_at to ends_at (UTC seconds) into out. */
void session_when(int64_t starts_at, int64_t ends_at,
    char out[SESSION_WHEN_MAX]);

#endif
