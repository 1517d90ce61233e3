/* The progress of a team's members (see team_progress.h).  A page is one
 * statement: the page's members are chosen first (the team's rows of
 * team_members, their names sorted from the last key: a sort of the
 * team's members, a few milliseconds for 5,000), then each one's active
 * seats of the team (seat_assignments_user), and for each seat the
 * course's lessons, the member's completed lessons of it (lesson_progress'
 * primary key), course_progress and the certificate, each through its
 * own index.  The statement asks for one member more than a page, to
 * know whether another page follows. */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "db.h"
#include "db_rows.h"
#include "team_progress.h"
#include "tz.h"

/* Whether user u completed course c: every lesson done once, or a
 * certificate. */
#define COMPLETED(u, c) "(EXISTS (SELECT 1 FROM course_progress q WHERE " \
	"q.user_id = " u " AND q.course_id = " c " AND q.completed_at IS " \
	"NOT NULL) OR EXISTS (SELECT 1 FROM certificates z WHERE " \
	"z.user_id = " u " AND z.course_id = " c "))"
/* Lessons of course c that user u completed. */
#define DONE(u, c) "(SELECT count(*) FROM lesson_progress lp JOIN lessons " \
	"l ON l.id = lp.lesson_id WHERE lp.user_id = " u " AND l.course_id " \
	"= " c ")"

static enum err
row_of(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_progress_row *r = elem;

	r->user_id = db_col_int64(st, 0);
	r->name = db_col_text_dup(a, st, 1);
	r->email = db_col_text_dup(a, st, 2);
	r->key_name = db_col_text_dup(a, st, 3);
	r->course_id = db_col_int64(st, 4);
	r->course_title = db_col_text_dup(a, st, 5);
	r->lessons = db_col_int64(st, 6);
	r->done = db_col_int64(st, 7);
	r->started = db_col_int64(st, 8) != 0 || r->done > 0;
	r->completed = db_col_int64(st, 9) != 0;
	r->last_activity = db_col_int64(st, 10);
	return r->name == NULL || r->email == NULL || r->key_name == NULL ||
	    r->course_title == NULL ? ERR_INTERNAL : ERR_OK;
}

/* Sets *out to the rows of up to limit members after key (limit
 * INT64_MAX: every one), one statement.  Parameters: ?1 the team, ?2 the
 * last name shown, ?3 its id, ?4 the members wanted. */
static enum err
rows_after(struct db *db, struct arena *a, int64_t team_id,
    const struct team_progress_key *key, int64_t limit,
    struct team_progress_row **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT m.user_id, m.name, m.email, "
	    "m.key_name, coalesce(s.course_id, 0), coalesce(c.title, ''), "
	    "(SELECT count(*) FROM lessons l WHERE l.course_id = "
	    "s.course_id), " DONE("m.user_id", "s.course_id") ", CASE WHEN "
	    "cp.user_id IS NULL THEN 0 ELSE 1 END, CASE WHEN "
	    "s.course_id IS NOT NULL AND " COMPLETED("m.user_id",
	    "s.course_id") " THEN 1 ELSE 0 END, coalesce("
	    "cp.last_activity_at, 0) FROM (SELECT t.user_id AS user_id, CASE "
	    "WHEN u.deleted_at IS NULL THEN u.name ELSE '' END AS name, CASE "
	    "WHEN u.deleted_at IS NULL THEN u.email ELSE '' END AS email, "
	    "u.name AS key_name FROM team_members t JOIN users u ON u.id = "
	    "t.user_id WHERE t.team_id = ?1 AND (lower(u.name), u.id) > "
	    "(lower(?2), ?3) ORDER BY lower(u.name), u.id LIMIT ?4) m LEFT "
	    "JOIN seat_assignments s ON s.user_id = m.user_id AND s.team_id "
	    "= ?1 AND s.status = 'active' LEFT JOIN courses c ON c.id = "
	    "s.course_id LEFT JOIN course_progress cp ON cp.user_id = "
	    "m.user_id AND cp.course_id = s.course_id ORDER BY "
	    "lower(m.key_name), m.user_id, c.title, s.course_id");

	db_bind_int64(st, 1, team_id);
	db_bind_text(st, 2, key->after_id > 0 && key->after_name != NULL ?
	    key->after_name : "");
	db_bind_int64(st, 3, key->after_id);
	db_bind_int64(st, 4, limit);
	return db_rows(st, a, row_of, sizeof(**out), (void **)out, n);
}

enum err
team_progress_page(struct db *db, struct arena *a, int64_t team_id,
    const struct team_progress_key *key, struct team_progress_row **out,
    size_t *n, int *more)
{
	size_t members = 0, i;
	enum err e;

	*more = 0;
	if ((e = rows_after(db, a, team_id, key, TEAM_PROGRESS_PAGE + 1, out,
	    n)) != ERR_OK)
		return e;
	/* Drops the rows of the member past the page. */
	for (i = 0; i < *n; i++) {
		if (i == 0 || (*out)[i].user_id != (*out)[i - 1].user_id)
			members++;
		if (members > TEAM_PROGRESS_PAGE) {
			*n = i;
			*more = 1;
			break;
		}
	}
	return ERR_OK;
}

static enum err
course_of(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_progress_course *c = elem;

	*c = (struct team_progress_course){ db_col_int64(st, 0),
	    db_col_text_dup(a, st, 1), db_col_int64(st, 2),
	    db_col_int64(st, 3), db_col_int64(st, 4) };
	return c->title == NULL ? ERR_INTERNAL : ERR_OK;
}

enum err
team_progress_courses(struct db *db, struct arena *a, int64_t team_id,
    struct team_progress_course **out, size_t *n)
{
	/* "status <> 'revoked'" lets the planner walk the team's range of
	 * the partial index seat_assignments_live. */
	struct db_stmt *st = db_prep(db, "SELECT s.course_id, c.title, "
	    "count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM course_progress p "
	    "WHERE p.user_id = s.user_id AND p.course_id = s.course_id) OR "
	    DONE("s.user_id", "s.course_id") " > 0 THEN 1 ELSE 0 END), "
	    "sum(CASE WHEN " COMPLETED("s.user_id", "s.course_id") " THEN 1 "
	    "ELSE 0 END) FROM seat_assignments s JOIN courses c ON c.id = "
	    "s.course_id WHERE s.team_id = ?1 AND s.status <> 'revoked' AND "
	    "s.status = 'active' GROUP BY s.course_id, c.title ORDER BY "
	    "c.title, s.course_id");

	db_bind_int64(st, 1, team_id);
	return db_rows(st, a, course_of, sizeof(**out), (void **)out, n);
}

/* Appends the CSV record of r to b; returns 0, or -1 out of memory. */
static int
csv_row(struct buf *b, const struct team_progress_row *r)
{
	char day[11] = "";

	if (r->last_activity > 0)
		tz_format_day(r->last_activity, day);
	return csv_field(b, r->name, 1) || csv_field(b, r->email, 0) ||
	    csv_field(b, r->course_title, 0) ||
	    csv_field(b, r->course_id == 0 ? "" : r->started ? "yes" : "no",
	    0) || csv_int(b, r->done, 0) || csv_int(b, r->lessons, 0) ||
	    csv_field(b, r->course_id == 0 ? "" : r->completed ? "yes" : "no",
	    0) || csv_field(b, day, 0) || csv_end(b) ? -1 : 0;
}

enum err
team_progress_csv(struct db *db, struct arena *a, int64_t team_id,
    struct buf *b)
{
	struct team_progress_key key = { 0, NULL };
	struct team_progress_row *v;
	size_t n;
	enum err e;

	if (buf_puts(b, "name,email,course,started,lessons_done,lessons,"
	    "completed,last_activity\r\n") != 0)
		return ERR_INTERNAL;
	if ((e = rows_after(db, a, team_id, &key, INT64_MAX, &v, &n)) !=
	    ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++)
		if (csv_row(b, &v[i]) != 0)
			return ERR_INTERNAL;
	return ERR_OK;
}
