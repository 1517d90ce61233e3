/* iCalendar writer (see ical.h).  A content line is built whole in a
 * buffer, then copied out folded: RFC 5545 3.1 wants lines of at most 75
 * octets, continued after CRLF and one space. */
#include <string.h>
#include <time.h>

#include "buf.h"
#include "ical.h"

#define FOLD_AT 75

/* Copies line (without its end) to out folded, then CRLF. */
static int
put_folded(struct buf *out, const char *line, size_t n)
{
	size_t i = 0, room = FOLD_AT;

	while (n - i > room) {
		size_t cut = i + room;

		/* Never inside a UTF-8 sequence: back up to its lead byte. */
		while (cut > i && ((unsigned char)line[cut] & 0xc0) == 0x80)
			cut--;
		if (buf_append(out, line + i, cut - i) != 0 ||
		    buf_puts(out, "\r\n ") != 0)
			return -1;
		i = cut;
		room = FOLD_AT - 1;	/* the leading space counts */
	}
	if (buf_append(out, line + i, n - i) != 0)
		return -1;
	return buf_puts(out, "\r\n");
}

/* Appends s as a TEXT value: backslash, semicolon, comma and newlines
 * escaped, other control characters dropped. */
static int
put_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		int r;

		if (*s == '\\' || *s == ';' || *s == ',')
			r = buf_putc(b, '\\') || buf_putc(b, *s);
		else if (*s == '\n')
			r = buf_puts(b, "\\n");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			r = 0;
		else
			r = buf_putc(b, *s);
		if (r != 0)
			return -1;
	}
	return 0;
}

/* One property line: name, then value as TEXT (escaped) or raw. */
static int
property(struct buf *out, struct buf *line, const char *name,
    const char *value, int text)
{
	int r;

	buf_reset(line);
	if (buf_puts(line, name) != 0 || buf_putc(line, ':') != 0)
		return -1;
	r = text ? put_text(line, value) : buf_puts(line, value);
	if (r != 0)
		return -1;
	return put_folded(out, line->data, line->len);
}

/* A UTC date-time, "YYYYMMDDTHHMMSSZ". */
static int
property_time(struct buf *out, struct buf *line, const char *name,
    int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char v[20];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(v, sizeof(v), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -1;
	return property(out, line, name, v, 0);
}

static int
event(struct buf *out, struct buf *line, const struct ical_event *e)
{
	if (property(out, line, "BEGIN", "VEVENT", 0) != 0 ||
	    property(out, line, "UID", e->uid, 1) != 0 ||
	    property_time(out, line, "DTSTAMP", e->changed_at) != 0 ||
	    property_time(out, line, "DTSTART", e->starts_at) != 0 ||
	    property_time(out, line, "DTEND", e->ends_at) != 0 ||
	    property(out, line, "SUMMARY", e->summary, 1) != 0)
		return -1;
	if (e->description != NULL && property(out, line, "DESCRIPTION",
	    e->description, 1) != 0)
		return -1;
	if (e->location != NULL && property(out, line, "LOCATION",
	    e->location, 1) != 0)
		return -1;
	/* URL is a URI value, not TEXT: nothing is escaped in it. */
	if (e->url != NULL && property(out, line, "URL", e->url, 0) != 0)
		return -1;
	if (property(out, line, "STATUS", e->cancelled ? "CANCELLED" :
	    "CONFIRMED", 0) != 0)
		return -1;
	return property(out, line, "END", "VEVENT", 0);
}

enum err
ical_write(struct buf *out, const char *name, const struct ical_event *ev,
    size_t n)
{
	struct buf line = { 0 };
	int r = 0;

	for (size_t i = 0; i < n; i++)
		if (ev[i].uid == NULL || ev[i].uid[0] == '\0' ||
		    ev[i].summary == NULL || ev[i].ends_at <= ev[i].starts_at ||
		    (ev[i].url != NULL && strpbrk(ev[i].url, "\r\n") != NULL))
			return ERR_INVALID;
	r = property(out, &line, "BEGIN", "VCALENDAR", 0) ||
	    property(out, &line, "VERSION", "2.0", 0) ||
	    property(out, &line, "PRODID", "-//enroll//courses//EN", 0) ||
	    property(out, &line, "CALSCALE", "GREGORIAN", 0) ||
	    property(out, &line, "METHOD", "PUBLISH", 0);
	if (r == 0 && name != NULL)
		r = property(out, &line, "X-WR-CALNAME", name, 1);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = event(out, &line, &ev[i]);
	if (r == 0)
		r = property(out, &line, "END", "VCALENDAR", 0);
	buf_free(&line);
	return r == 0 ? ERR_OK : ERR_INTERNAL;
}
