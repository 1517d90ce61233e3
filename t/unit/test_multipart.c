/* Unit tests of lib/multipart.c (the upload parser), lib/cover.c's
 * sniffing and content-hash storage, and lib/lesson_admin.c's positions:
 * what a browser sends is parsed; what is cut, malformed or too much is
 * refused; an image is known by its bytes; lessons keep unique positions
 * without gaps through moves and deletions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cover.h"
#include "db.h"
#include "lesson_admin.h"
#include "multipart.h"
#include "tmpdb.h"

#define B "----WebKitFormBoundaryX"
static const char body_ok[] =
    "--" B "\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
    "abc\r\n--" B "\r\nContent-Disposition: form-data; name=\"cover\"; "
    "filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--x"
    "\r\n--" B "--\r\n";

static enum err
parse(struct arena *a, const char *body, size_t n, struct multipart *mp)
{
	return multipart_parse(a, B, body, n, &multipart_limits_default, mp);
}

static void
parses_what_a_browser_sends(void **state)
{
	struct arena *a = arena_new();
	struct multipart mp;
	const char *b;

	(void)state;
	assert_int_equal(multipart_boundary(a, "multipart/form-data; "
	    "boundary=" B, &b), ERR_OK);
	assert_string_equal(b, B);
	assert_int_equal(multipart_boundary(a, "multipart/form-data; "
	    "boundary=\"a b\"", &b), ERR_OK);
	assert_string_equal(b, "a b");
	assert_int_equal(parse(a, body_ok, sizeof(body_ok) - 1, &mp), ERR_OK);
	assert_int_equal(mp.n, 2);
	assert_string_equal(mp.v[0].name, "csrf_token");
	assert_null(mp.v[0].filename);
	assert_memory_equal(mp.v[0].data, "abc", 3);
	assert_string_equal(mp.v[1].filename, "a.png");
	assert_string_equal(mp.v[1].type, "image/png");
	/* Data holding CRLF and "--" that is no delimiter stays data. */
	assert_int_equal(mp.v[1].len, 9);
	assert_memory_equal(mp.v[1].data, "\x89PNG\r\n--x", 9);
	arena_free(a);
}

static void
refuses_bad_boundaries(void **state)
{
	struct arena *a = arena_new();
	const char *b;

	(void)state;
	assert_int_equal(multipart_boundary(a, "application/x-www-form-"
	    "urlencoded", &b), ERR_INVALID);
	assert_int_equal(multipart_boundary(a, "multipart/form-data", &b),
	    ERR_INVALID);
	assert_int_equal(multipart_boundary(a, "multipart/form-data; "
	    "boundary=", &b), ERR_INVALID);
	assert_int_equal(multipart_boundary(a, "multipart/form-data; "
	    "boundary=\"open", &b), ERR_INVALID);
	assert_int_equal(multipart_boundary(a, "multipart/form-data; boundary="
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaa", &b), ERR_INVALID);
	assert_int_equal(multipart_boundary(a, "multipart/form-data; "
	    "boundary=a<b", &b), ERR_INVALID);
	arena_free(a);
}

static void
refuses_every_truncation(void **state)
{
	struct arena *a = arena_new();
	struct multipart mp;

	(void)state;
	/* Whatever the cut, short of the closing delimiter: refused. */
	for (size_t n = 0; n < sizeof(body_ok) - 5; n++)
		assert_int_equal(parse(a, body_ok, n, &mp), ERR_INVALID);
	arena_free(a);
}

static void
refuses_malformed_and_too_much(void **state)
{
	struct arena *a = arena_new();
	struct multipart_limits small = { 64, 2, 80 };
	struct multipart mp;
	char big[4096];
	size_t n = 0;
	static const char no_name[] = "--" B "\r\nContent-Disposition: "
	    "form-data\r\n\r\nx\r\n--" B "--";
	static const char no_colon[] = "--" B "\r\nbroken header\r\n\r\nx"
	    "\r\n--" B "--";
	static const char open_quote[] = "--" B "\r\nContent-Disposition: "
	    "form-data; name=\"x\r\n\r\nx\r\n--" B "--";

	(void)state;
	assert_int_equal(parse(a, no_name, sizeof(no_name) - 1, &mp),
	    ERR_INVALID);
	assert_int_equal(parse(a, no_colon, sizeof(no_colon) - 1, &mp),
	    ERR_INVALID);
	assert_int_equal(parse(a, open_quote, sizeof(open_quote) - 1, &mp),
	    ERR_INVALID);
	assert_int_equal(multipart_parse(a, B, body_ok, sizeof(body_ok) - 1,
	    &small, &mp), ERR_TOOLARGE);
	small.max_body = 4096;
	for (int i = 0; i < 3; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "--" B "\r\n"
		    "Content-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n",
		    i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "--" B "--\r\n");
	assert_int_equal(multipart_parse(a, B, big, n, &small, &mp),
	    ERR_TOOLARGE);	/* three parts, two allowed */
	small.max_parts = 8;
	small.max_header = 20;
	assert_int_equal(multipart_parse(a, B, big, n, &small, &mp),
	    ERR_TOOLARGE);	/* a header block over 20 bytes */
	arena_free(a);
}

static void
images_are_known_by_their_bytes(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n', 0 };
	static const unsigned char jpg[] = { 0xff, 0xd8, 0xff, 0xe0 };
	static const unsigned char webp[] = "RIFF\x10\0\0\0WEBPVP8 ";

	(void)state;
	assert_string_equal(cover_sniff(png, sizeof(png)), ".png");
	assert_string_equal(cover_sniff(jpg, sizeof(jpg)), ".jpg");
	assert_string_equal(cover_sniff(webp, sizeof(webp) - 1), ".webp");
	assert_null(cover_sniff((const unsigned char *)"<html>", 6));
	assert_null(cover_sniff((const unsigned char *)"GIF89a", 6));
	assert_null(cover_sniff(png, 7));
	assert_null(cover_sniff(NULL, 0));
}

static void
covers_are_stored_once_under_their_hash(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n', 1, 2, 3 };
	char dir[] = "/tmp/enroll-media-XXXXXX", full[256];
	struct arena *a = arena_new();
	const char *path;
	int created;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(cover_store(a, dir, (const unsigned char *)"<html>",
	    6, &path, &created), ERR_INVALID);
	assert_int_equal(cover_store(a, dir, png, sizeof(png), &path,
	    &created), ERR_OK);
	assert_int_equal(created, 1);
	assert_int_equal(strlen(path), strlen("covers/") + 64 + 4);
	assert_string_equal(path + strlen(path) - 4, ".png");
	assert_int_equal(cover_store(a, dir, png, sizeof(png), &path,
	    &created), ERR_OK);
	assert_int_equal(created, 0);	/* the same bytes: the same file */
	snprintf(full, sizeof(full), "%s/%s", dir, path);
	assert_int_equal(access(full, R_OK), 0);
	cover_unstore(dir, path);
	assert_int_not_equal(access(full, R_OK), 0);
	snprintf(full, sizeof(full), "%s/covers", dir);
	rmdir(full);
	rmdir(dir);
	arena_free(a);
}

/* Returns course_id's lessons as "title,title,..." in position order,
 * checking positions run 1..n. */
static void
check_order(struct db *db, int64_t course_id, const char *want)
{
	struct arena *a = arena_new();
	struct lesson_admin *v;
	char got[256] = "";
	size_t n;

	assert_int_equal(lesson_admin_list(db, a, course_id, &v, &n), ERR_OK);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].position, (int64_t)i + 1);
		strcat(got, v[i].f.title);
		strcat(got, i + 1 < n ? "," : "");
	}
	assert_string_equal(got, want);
	arena_free(a);
}

static void
lessons_keep_unique_positions_without_gaps(void **state)
{
	char path[64];
	struct db *db = tmpdb_open(path, "lessons", 0);
	struct db_stmt *st;
	int64_t course, id[4], cid;
	const char *titles[] = { "A", "B", "C", "D" };

	(void)state;
	st = db_prep(db, "INSERT INTO courses (slug, title, course_type, "
	    "price_amount) VALUES ('pos', 'Positions', 'self_paced', 100) "
	    "RETURNING id");
	assert_int_equal(db_next(st), ERR_OK);
	course = db_col_int64(st, 0);
	db_done(st);
	for (int i = 0; i < 4; i++) {
		struct lesson_edit f = { titles[i], "*x*", 5, 0 };

		assert_int_equal(lesson_admin_add(db, 1, course, &f, 1000,
		    &id[i]), ERR_OK);
	}
	check_order(db, course, "A,B,C,D");
	assert_int_equal(lesson_admin_move(db, 1, id[0], 1, 1000),
	    ERR_INVALID);
	assert_int_equal(lesson_admin_move(db, 1, id[3], 0, 1000),
	    ERR_INVALID);
	assert_int_equal(lesson_admin_move(db, 1, id[3], 1, 1000), ERR_OK);
	check_order(db, course, "A,B,D,C");
	assert_int_equal(lesson_admin_move(db, 1, id[0], 0, 1000), ERR_OK);
	check_order(db, course, "B,A,D,C");
	assert_int_equal(lesson_admin_delete(db, 1, id[1], 1000, &cid), ERR_OK);
	assert_int_equal(cid, course);
	check_order(db, course, "A,D,C");
	assert_int_equal(lesson_admin_delete(db, 1, id[2], 1000, &cid), ERR_OK);
	check_order(db, course, "A,D");
	st = db_prep(db, "SELECT count(*) FROM audit_log WHERE subject LIKE "
	    "'lesson:%'");
	assert_int_equal(db_next(st), ERR_OK);
	/* Four adds, two moves, two deletions; the refused moves wrote none. */
	assert_int_equal(db_col_int64(st, 0), 4 + 2 + 2);
	db_done(st);
	tmpdb_close(db, path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_what_a_browser_sends),
		cmocka_unit_test(refuses_bad_boundaries),
		cmocka_unit_test(refuses_every_truncation),
		cmocka_unit_test(refuses_malformed_and_too_much),
		cmocka_unit_test(images_are_known_by_their_bytes),
		cmocka_unit_test(covers_are_stored_once_under_their_hash),
		cmocka_unit_test(lessons_keep_unique_positions_without_gaps),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
