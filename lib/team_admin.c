/* The admin's teams (see team_admin.h).  The list is one statement per
 * order over a select of every team's figures (the owner through the
 * partial unique index of owners, members and seats summed through the
 * primary keys of team_members and team_seats), walked from the last key
 * shown.  Newest first walks teams' primary key and stops at a page; by
 * name and by seats the teams are sorted on each page (no index holds a
 * lower-cased name or a sum of seats): a cost in the number of teams, a
 * few milliseconds for thousands.  A search is a LIKE over " " followed
 * by the lower-cased name, for "% term%" (the term lower-cased in C, its
 * wildcards escaped): the beginning of the name or of a word after a
 * space.  lower() and the C lower-casing fold ASCII only, on SQLite as on
 * PostgreSQL, so both agree. */
#include <ctype.h>
#include <string.h>

#include "db.h"
#include "db_rows.h"
#include "team_admin.h"

#define TEAMS "SELECT * FROM (SELECT t.id AS id, t.name AS name, " \
	"t.created_at AS created_at, coalesce(o.user_id, 0) AS owner_id, " \
	"CASE WHEN u.deleted_at IS NULL THEN u.name ELSE '' END AS " \
	"owner_name, CASE WHEN u.deleted_at IS NULL THEN u.email ELSE '' " \
	"END AS owner_email, (SELECT count(*) FROM team_members m WHERE " \
	"m.team_id = t.id) AS members, (SELECT coalesce(sum(x.seats), 0) " \
	"FROM team_seats x WHERE x.team_id = t.id) AS seats, (SELECT " \
	"coalesce(sum(x.held), 0) FROM team_seats x WHERE x.team_id = " \
	"t.id) AS held FROM teams t LEFT JOIN team_members o ON o.team_id = " \
	"t.id AND o.role = 'owner' LEFT JOIN users u ON u.id = o.user_id " \
	"WHERE ?5 = '' OR ' ' || lower(t.name) LIKE ?5 ESCAPE '\\') x "

/* Parameters: ?1 the last id shown, ?2 its name, ?3 its seats, ?4 the
 * rows wanted, ?5 the search pattern ("" for none). */
static const char *const sql[TEAM_SORT_MAX] = {
	[TEAM_SORT_NAME] = TEAMS "WHERE (lower(x.name), x.id) > (lower(?2), "
	    "?1) ORDER BY lower(x.name), x.id LIMIT ?4",
	[TEAM_SORT_NEWEST] = TEAMS "WHERE x.id < ?1 ORDER BY x.id DESC "
	    "LIMIT ?4",
	[TEAM_SORT_SEATS] = TEAMS "WHERE (x.seats, x.id) < (?3, ?1) "
	    "ORDER BY x.seats DESC, x.id DESC LIMIT ?4",
};

static const char *const sort_names[TEAM_SORT_MAX] = {
	[TEAM_SORT_NAME] = "name", [TEAM_SORT_NEWEST] = "newest",
	[TEAM_SORT_SEATS] = "seats",
};

int
team_admin_sort_of(const char *s)
{
	for (int i = 0; s != NULL && i < TEAM_SORT_MAX; i++)
		if (strcmp(sort_names[i], s) == 0)
			return i;
	return -1;
}

const char *
team_admin_sort_name(enum team_admin_sort s)
{
	return (unsigned)s < TEAM_SORT_MAX ? sort_names[s] : "";
}

/* Returns "% term%" for term q, lower-cased, its LIKE wildcards and the
 * escape character escaped (arena); "" for no term; NULL when out of
 * memory. */
static const char *
pattern_of(struct arena *a, const char *q)
{
	char *p, *w;

	if (q == NULL || *q == '\0')
		return "";
	if ((p = w = arena_alloc(a, 2 * strlen(q) + 4)) == NULL)
		return NULL;
	*w++ = '%';
	*w++ = ' ';
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*w++ = '\\';
		*w++ = (char)tolower((unsigned char)*q);
	}
	*w++ = '%';
	*w = '\0';
	return p;
}

static enum err
team_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_admin_row *t = elem;

	*t = (struct team_admin_row){ db_col_int64(st, 0),
	    db_col_text_dup(a, st, 1), db_col_int64(st, 2),
	    db_col_int64(st, 3), db_col_text_dup(a, st, 4),
	    db_col_text_dup(a, st, 5), db_col_int64(st, 6),
	    db_col_int64(st, 7), db_col_int64(st, 8) };
	if (t->owner_name == NULL)
		t->owner_name = "";
	if (t->owner_email == NULL)
		t->owner_email = "";
	return t->name == NULL ? ERR_INTERNAL : ERR_OK;
}

/* Cuts *n rows of a page asked with one more than TEAM_ADMIN_PAGE. */
static void
page_cut(size_t *n, int *more)
{
	*more = *n > TEAM_ADMIN_PAGE;
	if (*more)
		*n = TEAM_ADMIN_PAGE;
}

enum err
team_admin_list(struct db *db, struct arena *a,
    const struct team_admin_query *q, struct team_admin_row **out,
    size_t *n, int *more)
{
	const char *pattern = pattern_of(a, q->q);
	int first = q->after_id <= 0;
	struct db_stmt *st;
	enum err e;

	*n = 0;
	*more = 0;
	if ((unsigned)q->sort >= TEAM_SORT_MAX || pattern == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, sql[q->sort]);
	db_bind_int64(st, 1, first && q->sort != TEAM_SORT_NAME ? INT64_MAX :
	    q->after_id);
	db_bind_text(st, 2, first || q->after_name == NULL ? "" :
	    q->after_name);
	db_bind_int64(st, 3, first ? INT64_MAX : q->after_seats);
	db_bind_int64(st, 4, TEAM_ADMIN_PAGE + 1);
	db_bind_text(st, 5, pattern);
	if ((e = db_rows(st, a, team_row, sizeof(**out), (void **)out, n)) ==
	    ERR_OK)
		page_cut(n, more);
	return e;
}

enum err
team_admin_load(struct db *db, struct arena *a, int64_t id,
    struct team_admin_row *t)
{
	struct db_stmt *st = db_prep(db, TEAMS "WHERE x.id = ?1");
	enum err e;

	db_bind_int64(st, 1, id);
	db_bind_text(st, 5, "");
	if ((e = db_next(st)) == ERR_OK) {
		memset(t, 0, sizeof(*t));
		e = team_row(a, st, t);
	}
	db_done(st);
	return e;
}

static enum err
member_row(struct arena *a, struct db_stmt *st, void *elem)
{
	static const char *const roles[] = { "owner", "manager", "member" };
	struct team_admin_member *m = elem;
	const char *role = db_col_text(st, 3);

	m->user_id = db_col_int64(st, 0);
	m->name = db_col_text_dup(a, st, 1);
	m->email = db_col_text_dup(a, st, 2);
	m->joined_at = db_col_int64(st, 4);
	m->role = "";
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(role, roles[i]) == 0)
			m->role = roles[i];
	return m->name == NULL || m->email == NULL ? ERR_INTERNAL : ERR_OK;
}

enum err
team_admin_members(struct db *db, struct arena *a, int64_t team_id,
    int64_t after, struct team_admin_member **out, size_t *n, int *more)
{
	struct db_stmt *st = db_prep(db, "SELECT m.user_id, CASE WHEN "
	    "u.deleted_at IS NULL THEN u.name ELSE '' END, CASE WHEN "
	    "u.deleted_at IS NULL THEN u.email ELSE '' END, m.role, "
	    "m.joined_at FROM team_members m JOIN users u ON u.id = "
	    "m.user_id WHERE m.team_id = ?1 AND m.user_id > ?2 ORDER BY "
	    "m.user_id LIMIT ?3");
	enum err e;

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, after);
	db_bind_int64(st, 3, TEAM_ADMIN_PAGE + 1);
	if ((e = db_rows(st, a, member_row, sizeof(**out), (void **)out,
	    n)) == ERR_OK)
		page_cut(n, more);
	return e;
}

static enum err
assignment_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_admin_assignment *s = elem;

	*s = (struct team_admin_assignment){ db_col_int64(st, 0),
	    db_col_int64(st, 1), db_col_text_dup(a, st, 2),
	    db_col_text_dup(a, st, 3), db_col_text_dup(a, st, 4),
	    db_col_text_dup(a, st, 5), db_col_int64(st, 6) };
	if (s->name == NULL)
		s->name = "";
	return s->email == NULL || s->course_title == NULL ||
	    s->status == NULL ? ERR_INTERNAL : ERR_OK;
}

enum err
team_admin_assignments(struct db *db, struct arena *a, int64_t team_id,
    int64_t before, struct team_admin_assignment **out, size_t *n,
    int *more)
{
	/* "Since": revoked when revoked, active when accepted (a member's
	 * seat is active from its creation), invited when sent. */
	struct db_stmt *st = db_prep(db, "SELECT s.id, coalesce(s.user_id, "
	    "0), CASE WHEN u.deleted_at IS NULL THEN u.name ELSE '' END, "
	    "s.email, c.title, s.status, CASE s.status WHEN 'revoked' THEN "
	    "coalesce(s.revoked_at, s.created_at) WHEN 'active' THEN "
	    "coalesce(s.accepted_at, s.created_at) ELSE s.created_at END "
	    "FROM seat_assignments s JOIN courses c ON c.id = s.course_id "
	    "LEFT JOIN users u ON u.id = s.user_id WHERE s.team_id = ?1 AND "
	    "s.id < ?2 ORDER BY s.id DESC LIMIT ?3");
	enum err e;

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, before > 0 ? before : INT64_MAX);
	db_bind_int64(st, 3, TEAM_ADMIN_PAGE + 1);
	if ((e = db_rows(st, a, assignment_row, sizeof(**out), (void **)out,
	    n)) == ERR_OK)
		page_cut(n, more);
	return e;
}

static enum err
order_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_admin_order *o = elem;

	*o = (struct team_admin_order){ db_col_int64(st, 0),
	    db_col_text_dup(a, st, 1), db_col_text_dup(a, st, 2),
	    db_col_text_dup(a, st, 3), db_col_int64(st, 4),
	    db_col_int64(st, 5), db_col_int64(st, 6), db_col_int64(st, 7),
	    db_col_text_dup(a, st, 8), db_col_int64(st, 9) };
	return o->number == NULL || o->status == NULL || o->currency == NULL ||
	    o->buyer_email == NULL ? ERR_INTERNAL : ERR_OK;
}

enum err
team_admin_orders(struct db *db, struct arena *a, int64_t team_id,
    int64_t before, struct team_admin_order **out, size_t *n, int *more)
{
	/* "team_id IS NOT NULL" lets the planner use the partial index
	 * orders_team. */
	struct db_stmt *st = db_prep(db, "SELECT o.id, o.number, o.status, "
	    "o.currency, o.total_amount, o.refunded_amount, (SELECT "
	    "coalesce(sum(i.quantity), 0) FROM order_items i WHERE "
	    "i.order_id = o.id), o.user_id, CASE WHEN u.deleted_at IS NULL "
	    "THEN u.email ELSE '' END, o.created_at FROM orders o JOIN users "
	    "u ON u.id = o.user_id WHERE o.team_id = ?1 AND o.team_id IS NOT "
	    "NULL AND o.id < ?2 ORDER BY o.id DESC LIMIT ?3");
	enum err e;

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, before > 0 ? before : INT64_MAX);
	db_bind_int64(st, 3, TEAM_ADMIN_PAGE + 1);
	if ((e = db_rows(st, a, order_row, sizeof(**out), (void **)out, n)) ==
	    ERR_OK)
		page_cut(n, more);
	return e;
}
