/* iCalendar (RFC 5545) for booked live sessions (issue 19): one file per
 * session to download, and a student's calendar feed that Google Calendar
 * or Outlook subscribes to.  Times are written in UTC ("...Z"): an
 * instant, so no calendar reads it in another offset, whatever daylight
 * saving did between the booking and the session. */
#ifndef ENROLL_ICAL_H
#define ENROLL_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct buf;

struct ical_event {
	const char *uid;	/* unique and stable: a calendar replaces
				   the event of the same UID */
	int64_t starts_at, ends_at;	/* UTC seconds, ends_at > starts_at */
	int64_t changed_at;	/* when it last changed (DTSTAMP) */
	const char *summary;	/* the title */
	const char *description;	/* may be NULL */
	const char *location;	/* may be NULL: e.g. the meeting link */
	const char *url;	/* may be NULL: its page in the store */
	int cancelled;		/* a booking given up: STATUS:CANCELLED */
};

/* Appends a VCALENDAR named name (X-WR-CALNAME, may be NULL) holding the
 * n events to out: CRLF line ends, text escaped, lines folded at 75
 * octets without splitting a UTF-8 character.  ERR_INVALID for an event
 * without uid or summary or that ends before it starts; ERR_INTERNAL when
 * out cannot grow. */
enum err ical_write(struct buf *out, const char *name,
    const struct ical_event *ev, size_t n);

#endif
