/* Live sessions in time (issue 19 groundwork): lib/cohort_time.c puts a
 * cohort's session on the right local day and converts its local time in
 * the school's zone with the offset of that day (Paris goes to summer
 * time on 28 March 2027, between week 1 and week 2 of the cohort below);
 * lib/ical.c writes it as iCalendar: UTC instants, escaped text, CRLF
 * lines of at most 75 octets that unfold to what was written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "cohort_time.h"
#include "ical.h"
#include "tz.h"

static int
paris(void **state)
{
	(void)state;
	return tz_set("Europe/Paris") == ERR_OK ? 0 : -1;
}

static void
sessions_keep_their_local_time_across_summer_time(void **state)
{
	int64_t s, e;

	(void)state;
	assert_int_equal(cohort_weekday_of("2027-03-22"), 1);	/* Monday */
	/* Week 1, Tuesday 18:00-19:30, in winter time (UTC+1). */
	assert_int_equal(cohort_session_times("2027-03-22", 1, 2, 18 * 60,
	    19 * 60 + 30, &s, &e), ERR_OK);
	assert_int_equal(s, 1805821200);	/* 2027-03-23T17:00Z */
	assert_int_equal(e, 1805826600);	/* 2027-03-23T18:30Z */
	/* Week 2, the same option, in summer time (UTC+2): still 18:00
	 * on the school's clock. */
	assert_int_equal(cohort_session_times("2027-03-22", 2, 2, 18 * 60,
	    19 * 60 + 30, &s, &e), ERR_OK);
	assert_int_equal(s, 1806422400);	/* 2027-03-30T16:00Z */
	/* Up to midnight: ends at the next day's start. */
	assert_int_equal(cohort_session_times("2027-03-22", 2, 1, 20 * 60,
	    COHORT_DAY_MINUTES, &s, &e), ERR_OK);
	assert_int_equal(e, 1806357600);	/* 2027-03-30T00:00 Paris */
}

static void
a_week_is_the_seven_days_from_the_start_day(void **state)
{
	int64_t s, e;

	(void)state;
	/* A cohort starting on a Wednesday meets "on Monday" of week 1 on
	 * the Monday after, not two days before it starts. */
	assert_int_equal(cohort_weekday_of("2027-03-24"), 3);
	assert_int_equal(cohort_session_times("2027-03-24", 1, 1, 9 * 60,
	    10 * 60, &s, &e), ERR_OK);
	assert_int_equal(s, 1806303600);	/* 2027-03-29T09:00 Paris */
}

static void
times_the_zone_skips_or_bad_values_are_refused(void **state)
{
	int64_t s, e;

	(void)state;
	/* 02:30 on Sunday 28 March 2027 does not exist in Paris. */
	assert_int_equal(cohort_session_times("2027-03-22", 1, 7, 2 * 60 + 30,
	    3 * 60 + 30, &s, &e), ERR_INVALID);
	/* 02:30 on 31 October exists twice: the first is taken. */
	assert_int_equal(cohort_session_times("2027-10-25", 1, 7, 2 * 60 + 30,
	    2 * 60 + 45, &s, &e), ERR_OK);
	assert_int_equal(s, 1824942600);
	assert_int_equal(cohort_session_times("2027-02-30", 1, 1, 60, 120, &s,
	    &e), ERR_INVALID);
	assert_int_equal(cohort_session_times("2027-03-22", 0, 1, 60, 120, &s,
	    &e), ERR_INVALID);
	assert_int_equal(cohort_session_times("2027-03-22", 1, 8, 60, 120, &s,
	    &e), ERR_INVALID);
	assert_int_equal(cohort_session_times("2027-03-22", 1, 1, 120, 120, &s,
	    &e), ERR_INVALID);
	assert_int_equal(cohort_session_times("2027-03-22", 1, 1, 60, 1441, &s,
	    &e), ERR_INVALID);
	assert_int_equal(cohort_weekday_of("22/03/2027"), 0);
}

/* Joins folded lines back (RFC 5545 3.1) into out; fails on a line over
 * 75 octets or a bare LF. */
static void
unfold(const char *ics, struct buf *out)
{
	const char *p = ics;

	while (*p != '\0') {
		const char *end = strstr(p, "\r\n");

		assert_non_null(end);
		assert_true(end - p <= 75);
		assert_null(memchr(p, '\n', (size_t)(end - p)));
		if (p != ics && *p == ' ')
			buf_append(out, p + 1, (size_t)(end - p - 1));
		else {
			if (p != ics)
				buf_putc(out, '\n');
			buf_append(out, p, (size_t)(end - p));
		}
		p = end + 2;
	}
}

static void
icalendar_is_escaped_folded_and_in_utc(void **state)
{
	static const char desc[] = "Bring your laptop; we review designs, "
	    "queues and retries.\nCafé 2 (upstairs) — the room with the "
	    "whiteboard, ask at the desk.";
	struct ical_event ev[2] = {
		{ .uid = "booking-7@school.example", .starts_at = 1805821200,
		    .ends_at = 1805826600, .changed_at = 1800000000,
		    .summary = "Systems Design, Week 1: requirements",
		    .description = desc, .location =
		    "https://meet.example/abc?x=1,2",
		    .url = "https://school.example/account/courses/3/book" },
		{ .uid = "booking-8@school.example", .starts_at = 1806422400,
		    .ends_at = 1806427800, .changed_at = 1800000000,
		    .summary = "Week 2", .cancelled = 1 },
	};
	struct buf ics = { 0 }, flat = { 0 };

	(void)state;
	assert_int_equal(ical_write(&ics, "My sessions", ev, 2), ERR_OK);
	unfold(ics.data, &flat);
	assert_non_null(strstr(flat.data, "BEGIN:VCALENDAR\nVERSION:2.0\n"));
	assert_non_null(strstr(flat.data, "X-WR-CALNAME:My sessions\n"));
	assert_non_null(strstr(flat.data, "DTSTART:20270323T170000Z\n"
	    "DTEND:20270323T183000Z\n"));
	assert_non_null(strstr(flat.data, "DTSTART:20270330T160000Z\n"));
	assert_non_null(strstr(flat.data, "DESCRIPTION:Bring your laptop\\; "
	    "we review designs\\, queues and retries.\\nCafé 2 (upstairs) — "
	    "the room with the whiteboard\\, ask at the desk.\n"));
	assert_non_null(strstr(flat.data, "LOCATION:https://meet.example/"
	    "abc?x=1\\,2\n"));
	assert_non_null(strstr(flat.data, "URL:https://school.example/"
	    "account/courses/3/book\n"));
	assert_non_null(strstr(flat.data, "STATUS:CANCELLED\nEND:VEVENT\n"
	    "END:VCALENDAR"));
	/* The description was long enough to be folded. */
	assert_true(strstr(ics.data, "\r\n ") != NULL);
	buf_free(&ics);
	buf_free(&flat);
	/* An event that ends before it starts is refused. */
	ev[1].ends_at = ev[1].starts_at;
	assert_int_equal(ical_write(&ics, NULL, ev, 2), ERR_INVALID);
	buf_free(&ics);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    sessions_keep_their_local_time_across_summer_time),
		cmocka_unit_test(a_week_is_the_seven_days_from_the_start_day),
		cmocka_unit_test(
		    times_the_zone_skips_or_bad_values_are_refused),
		cmocka_unit_test(icalendar_is_escaped_folded_and_in_utc),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, paris, NULL);
}
