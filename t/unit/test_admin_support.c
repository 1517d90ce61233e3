/* What the admin pages stand on: the audit row with the fields that
 * changed, CSV that a spreadsheet reads and never runs, and dates read and
 * written in the school's time zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "audit.h"
#include "buf.h"
#include "csv.h"
#include "db.h"
#include "tmpdb.h"
#include "tz.h"

static void
audit_keeps_only_what_changed(void **state)
{
	char path[64];
	struct db *db = tmpdb_open(path, "audit", 0);
	cJSON *before = cJSON_Parse("{\"title\":\"Old\",\"price\":1000,"
	    "\"slug\":\"git\"}");
	cJSON *after = cJSON_Parse("{\"title\":\"New\",\"price\":1000,"
	    "\"slug\":\"git\"}");
	struct db_stmt *st;

	(void)state;
		assert_int_equal(audit_write(db, 7, "course.update", "course:3",
	    before, after, NULL, 1700000000), ERR_OK);
	assert_int_equal(audit_write(db, 7, "course.create", "course:4",
	    NULL, after, "made", 1700000001), ERR_OK);
	st = db_prep(db, "SELECT actor_user_id, action, subject, before_json, "
	    "after_json, detail, at FROM audit_log ORDER BY id");
	assert_int_equal(db_next(st), ERR_OK);
	assert_int_equal(db_col_int64(st, 0), 7);
	assert_string_equal(db_col_text(st, 1), "course.update");
	assert_string_equal(db_col_text(st, 2), "course:3");
	assert_string_equal(db_col_text(st, 3), "{\"title\":\"Old\"}");
	assert_string_equal(db_col_text(st, 4), "{\"title\":\"New\"}");
	assert_int_equal(db_col_int64(st, 6), 1700000000);
	assert_int_equal(db_next(st), ERR_OK);
	assert_string_equal(db_col_text(st, 3), "{}");
	assert_string_equal(db_col_text(st, 4),
	    "{\"title\":\"New\",\"price\":1000,\"slug\":\"git\"}");
	assert_string_equal(db_col_text(st, 5), "made");
	db_done(st);
	cJSON_Delete(before);
	cJSON_Delete(after);
	tmpdb_close(db, path);
}

static void
csv_quotes_and_neutralises(void **state)
{
	struct buf b = { 0 };

	(void)state;
	csv_field(&b, "plain", 1);
	csv_field(&b, "a,b", 0);
	csv_field(&b, "say \"hi\"", 0);
	csv_field(&b, "=HYPERLINK(\"x\")", 0);
	csv_field(&b, "+1", 0);
	csv_field(&b, "-2", 0);
	csv_field(&b, "@SUM(A1)", 0);
	csv_field(&b, "two\nlines", 0);
	csv_field(&b, NULL, 0);
	csv_int(&b, -5, 0);
	csv_money(&b, -1250, 0);
	csv_money(&b, 7, 0);
	csv_end(&b);
	assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\","
	    "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),\"two\nlines\",,"
	    "-5,-12.50,0.07\r\n");
	buf_free(&b);
}

static void
dates_are_read_in_the_school_zone(void **state)
{
	int64_t t;
	char s[TZ_INPUT_MAX];

	(void)state;
	assert_int_equal(tz_set("Nowhere/Atlantis"), ERR_INVALID);
	assert_int_equal(tz_set("../etc/passwd"), ERR_INVALID);
	assert_int_equal(tz_set("Europe/Paris"), ERR_OK);
	assert_string_equal(tz_name(), "Europe/Paris");
	/* Winter: UTC+1.  2026-01-15 00:00 in Paris is 23:00 UTC before. */
	assert_int_equal(tz_parse_local("2026-01-15", &t), ERR_OK);
	assert_int_equal(t, 1768431600);
	assert_int_equal(tz_parse_local("2026-07-01T09:30", &t), ERR_OK);
	assert_int_equal(t, 1782891000);	/* summer: UTC+2 */
	tz_format_input(t, s);
	assert_string_equal(s, "2026-07-01T09:30");
	/* 29 March 2026, 02:30 does not exist in Paris. */
	assert_int_equal(tz_parse_local("2026-03-29T02:30", &t), ERR_INVALID);
	assert_int_equal(tz_parse_local("2026-02-30", &t), ERR_INVALID);
	assert_int_equal(tz_parse_local("2026-1-5", &t), ERR_INVALID);
	assert_int_equal(tz_parse_local("2026-01-05x", &t), ERR_INVALID);
	/* 00:30 UTC on 1 July is already 02:30 of that day in Paris. */
	assert_int_equal(tz_day_start(1782865800), 1782856800);
	assert_int_equal(tz_set("UTC"), ERR_OK);
	assert_int_equal(tz_parse_local("2026-01-15", &t), ERR_OK);
	assert_int_equal(t, 1768435200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audit_keeps_only_what_changed),
		cmocka_unit_test(csv_quotes_and_neutralises),
		cmocka_unit_test(dates_are_read_in_the_school_zone),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
