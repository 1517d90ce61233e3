/* Seat utilisation (see seat_report.h).  A row is a team_seats row: its
 * counters give bought and held, and two counts over the team's live
 * assignments of the course (the partial index seat_assignments_live,
 * reached by repeating its WHERE) split held into active and invited, so
 * a page costs its rows' assignments, never the whole table.  The report
 * walks team_seats' primary key order (course, team) from the last key
 * shown. */
#include <stdint.h>

#include "buf.h"
#include "csv.h"
#include "db.h"
#include "db_rows.h"
#include "seat_report.h"

/* The live assignments of s's team and course with status ?. */
#define LIVE(status) "(SELECT count(*) FROM seat_assignments a WHERE " \
	"a.team_id = s.team_id AND a.course_id = s.course_id AND " \
	"a.status <> 'revoked' AND a.status = '" status "')"

int64_t
seat_report_permille(int64_t active, int64_t bought)
{
	if (bought <= 0)
		return -1;
	return (active * 2000 + bought) / (2 * bought);
}

static enum err
row_of(struct arena *a, struct db_stmt *st, void *elem)
{
	struct seat_row *r = elem;

	r->team_id = db_col_int64(st, 0);
	r->team_name = db_col_text_dup(a, st, 1);
	r->course_id = db_col_int64(st, 2);
	r->course_title = db_col_text_dup(a, st, 3);
	r->bought = db_col_int64(st, 4);
	r->free = r->bought - db_col_int64(st, 5);
	r->active = db_col_int64(st, 6);
	r->invited = db_col_int64(st, 7);
	r->teams = db_col_int64(st, 8);
	if (r->course_title == NULL || (r->team_id != 0 &&
	    r->team_name == NULL))
		return ERR_INTERNAL;
	return ERR_OK;
}

enum err
seat_report_rows(struct db *db, struct arena *a,
    const struct seat_report_query *q, struct seat_row **out, size_t *n,
    int *more)
{
	struct db_stmt *st = db_prep(db, "SELECT s.team_id, t.name, "
	    "s.course_id, c.title, s.seats, s.held, " LIVE("active") ", "
	    LIVE("invited") ", 1 FROM team_seats s JOIN teams t ON t.id = "
	    "s.team_id JOIN courses c ON c.id = s.course_id WHERE (?1 = 0 OR "
	    "s.course_id = ?1) AND (?2 = 0 OR s.team_id = ?2) AND "
	    "(s.course_id, s.team_id) > (?3, ?4) ORDER BY s.course_id, "
	    "s.team_id LIMIT ?5");
	enum err e;

	*more = 0;
	db_bind_int64(st, 1, q->course_id);
	db_bind_int64(st, 2, q->team_id);
	db_bind_int64(st, 3, q->after_course);
	db_bind_int64(st, 4, q->after_team);
	db_bind_int64(st, 5, q->limit > 0 ? (int64_t)q->limit + 1 :
	    INT64_MAX);
	e = db_rows(st, a, row_of, sizeof(**out), (void **)out, n);
	if (e == ERR_OK && q->limit > 0 && *n > q->limit) {
		*n = q->limit;
		*more = 1;
	}
	return e;
}

enum err
seat_report_totals(struct db *db, struct arena *a,
    const struct seat_report_query *q, struct seat_row **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT 0, NULL, s.course_id, "
	    "c.title, sum(s.seats), sum(s.held), sum(" LIVE("active") "), "
	    "sum(" LIVE("invited") "), count(*) FROM team_seats s JOIN "
	    "courses c ON c.id = s.course_id WHERE (?1 = 0 OR s.course_id = "
	    "?1) GROUP BY s.course_id, c.title ORDER BY c.title, s.course_id");

	db_bind_int64(st, 1, q->course_id);
	return db_rows(st, a, row_of, sizeof(**out), (void **)out, n);
}

/* Appends ",66.7" for permille 667, "," when there is none. */
static int
permille_cell(struct buf *b, int64_t permille)
{
	if (permille < 0)
		return buf_putc(b, ',');
	return buf_printf(b, ",%lld.%lld", (long long)(permille / 10),
	    (long long)(permille % 10));
}

enum err
seat_report_csv(struct db *db, struct arena *a,
    const struct seat_report_query *q, struct buf *b)
{
	struct seat_report_query all = *q;
	struct seat_row *v;
	size_t n;
	int more, bad;
	enum err e;

	all.limit = 0;
	all.after_course = all.after_team = 0;
	if ((e = seat_report_rows(db, a, &all, &v, &n, &more)) != ERR_OK)
		return e;
	bad = buf_puts(b, "team_id,team,course_id,course,bought,active,"
	    "invited,free,utilisation_percent\r\n") != 0;
	for (size_t i = 0; i < n && !bad; i++)
		bad = csv_int(b, v[i].team_id, 1) != 0 ||
		    csv_field(b, v[i].team_name, 0) != 0 ||
		    csv_int(b, v[i].course_id, 0) != 0 ||
		    csv_field(b, v[i].course_title, 0) != 0 ||
		    csv_int(b, v[i].bought, 0) != 0 ||
		    csv_int(b, v[i].active, 0) != 0 ||
		    csv_int(b, v[i].invited, 0) != 0 ||
		    csv_int(b, v[i].free, 0) != 0 ||
		    permille_cell(b, seat_report_permille(v[i].active,
		    v[i].bought)) != 0 || csv_end(b) != 0;
	return bad ? ERR_INTERNAL : ERR_OK;
}
