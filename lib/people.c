/* The admin's list of people (see people.h).  Each order is its own
 * statement walking an index from the last key shown: users' primary key,
 * or users_name_search (name NOCASE, id) through a row-value comparison.
 * A search is two index ranges, the address's prefix on the NOCASE
 * UNIQUE index of email and the name's on users_name_search, both
 * covering, gathered into the IN list of ids that the primary key is then
 * walked through in order: it costs the index entries that match and a
 * page of rows, never the table.  (Written as one OR, the planner walks
 * the primary key and tests every row: 100 times slower for a rare term
 * in 100,000 users.)  A common term is first looked for among the
 * rows next to the key (see sql[] below).  The range's upper bound is
 * the term followed by U+10FFFF, above any character a stored string may
 * hold.
 * PostgreSQL runs the same statements: sql/pg/001_catalog.sql makes NOCASE
 * an ICU collation that ignores case, users.email has it and the two
 * indexes use it, so the ranges and the row values walk them as here,
 * U+10FFFF sorting above any assigned character there too.  (ICU compares
 * letters before accents: a term "ad" also finds "Ádam" there, which
 * SQLite's ASCII-only NOCASE does not.) */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "people.h"

#define COLS "SELECT u.id, u.email, u.name, u.role = 'admin', " \
	"coalesce(u.email_verified_at, 0), u.created_at, " \
	"coalesce(u.deleted_at, 0), (SELECT count(*) FROM orders o " \
	"WHERE o.user_id = u.id), coalesce(u.disabled_at, 0) FROM users u "
#define FOUND "u.id IN (SELECT id FROM users WHERE email >= ?3 AND " \
	"email < ?4 UNION ALL SELECT id FROM users WHERE name >= ?3 COLLATE " \
	"NOCASE AND name < ?4 COLLATE NOCASE) AND u.deleted_at IS NULL AND "
/* A search among the WINDOW ids past the key, tested row by row along the
 * primary key: it stops at a page of matches, or at the window's end. */
#define WINDOW "2000"
/* Matches a term needs for the window to be worth trying: gathering
 * fewer ids through the index ranges costs less than scanning WINDOW
 * rows (a common first name matches thousands). */
#define PROBE "1000"
#define MATCHES "u.deleted_at IS NULL AND (u.email >= ?3 COLLATE NOCASE " \
	"AND u.email < ?4 COLLATE NOCASE OR u.name >= ?3 COLLATE NOCASE AND " \
	"u.name < ?4 COLLATE NOCASE) "

/* By name, a search is the page of people whose name begins with the
 * term, walked in order along users_name_search, and those whose address
 * alone begins so, read from users_email_name without touching the table:
 * the sort then holds at most two pages, not every match. */
#define NAMED_PAGE "SELECT id FROM (SELECT id FROM users WHERE name >= ?3 " \
	"COLLATE NOCASE AND name < ?4 COLLATE NOCASE AND (name COLLATE " \
	"NOCASE, id) > (?2, ?1) AND deleted_at IS NULL ORDER BY name " \
	"COLLATE NOCASE, id LIMIT ?5) named"
#define EMAIL_ONLY "SELECT id FROM users WHERE email >= ?3 AND email < ?4 " \
	"AND NOT (name >= ?3 COLLATE NOCASE AND name < ?4 COLLATE NOCASE) " \
	"AND (name COLLATE NOCASE, id) > (?2, ?1)"

/* How a statement finds its rows. */
enum people_way {
	WAY_ALL,		/* no search: the index from the key */
	WAY_WINDOW,		/* a search among the rows next to the key */
	WAY_EXACT,		/* a search through the two index ranges */
	WAY_MAX
};

/* Parameters: ?1 the last id shown, ?2 the last name shown, ?3 and ?4
 * the search range, ?5 the rows wanted.  A term many people match (a
 * common first name) fills a page from the window, cheaper than
 * gathering its thousands of ids; when the window holds less than a page
 * the term is rare, and the exact statement costs its few matches.  The
 * name order has no window: its matches are sorted. */
static const char *const sql[PEOPLE_SORT_MAX][WAY_MAX] = {
	[PEOPLE_NEWEST] = {
		COLS "WHERE u.id < ?1 ORDER BY u.id DESC LIMIT ?5",
		COLS "WHERE u.id < ?1 AND u.id >= (SELECT max(id) FROM users "
		    "WHERE id < ?1) - " WINDOW " AND " MATCHES
		    "ORDER BY u.id DESC LIMIT ?5",
		COLS "WHERE " FOUND "u.id < ?1 ORDER BY u.id DESC LIMIT ?5",
	},
	[PEOPLE_OLDEST] = {
		COLS "WHERE u.id > ?1 ORDER BY u.id LIMIT ?5",
		COLS "WHERE u.id > ?1 AND u.id <= (SELECT min(id) FROM users "
		    "WHERE id > ?1) + " WINDOW " AND " MATCHES
		    "ORDER BY u.id LIMIT ?5",
		COLS "WHERE " FOUND "u.id > ?1 ORDER BY u.id LIMIT ?5",
	},
	[PEOPLE_NAME] = {
		COLS "WHERE (u.name COLLATE NOCASE, u.id) > (?2, ?1) "
		    "ORDER BY u.name COLLATE NOCASE, u.id LIMIT ?5",
		NULL,
		COLS "WHERE u.id IN (" NAMED_PAGE " UNION ALL " EMAIL_ONLY ") "
		    "AND u.deleted_at IS NULL "
		    "ORDER BY u.name COLLATE NOCASE, u.id LIMIT ?5",
	},
};

static const char *const sort_names[PEOPLE_SORT_MAX] = {
	[PEOPLE_NEWEST] = "newest", [PEOPLE_OLDEST] = "oldest",
	[PEOPLE_NAME] = "name",
};

int
people_sort_of(const char *s)
{
	for (int i = 0; s != NULL && i < PEOPLE_SORT_MAX; i++)
		if (strcmp(sort_names[i], s) == 0)
			return i;
	return -1;
}

const char *
people_sort_name(enum people_sort s)
{
	return (unsigned)s < PEOPLE_SORT_MAX ? sort_names[s] : "";
}

/* Binds the key and the search range of pq to st. */
static enum err
bind_query(struct db_stmt *st, struct arena *a, const struct people_query *pq,
    int searching)
{
	static const char top[] = "\xF4\x8F\xBF\xBF";	/* U+10FFFF */
	size_t len;
	char *hi;

	if (pq->sort == PEOPLE_NEWEST)
		db_bind_int64(st, 1, pq->after_id > 0 ? pq->after_id :
		    INT64_MAX);
	else
		db_bind_int64(st, 1, pq->after_id);
	db_bind_text(st, 2, pq->after_name != NULL ? pq->after_name : "");
	db_bind_int64(st, 5, PEOPLE_PAGE + 1);
	if (!searching)
		return ERR_OK;
	len = strlen(pq->q);
	if ((hi = arena_alloc(a, len + sizeof(top))) == NULL)
		return ERR_INTERNAL;
	memcpy(hi, pq->q, len);
	memcpy(hi + len, top, sizeof(top));
	db_bind_text(st, 3, pq->q);
	db_bind_text(st, 4, hi);
	return ERR_OK;
}

/* Sets *common when PROBE people or more match pq's term by address or by
 * name: enough for a window to hold a page. */
static enum err
probe(struct db *db, struct arena *a, const struct people_query *pq,
    int *common)
{
	struct db_stmt *st = db_prep(db, "SELECT (SELECT count(*) FROM "
	    "(SELECT 1 FROM users WHERE email >= ?3 AND email < ?4 LIMIT " PROBE
	    ") e) + (SELECT count(*) FROM (SELECT 1 FROM users WHERE name >= "
	    "?3 COLLATE NOCASE AND name < ?4 COLLATE NOCASE LIMIT " PROBE
	    ") n)");
	enum err e;

	if ((e = bind_query(st, a, pq, 1)) == ERR_OK &&
	    (e = db_next(st)) == ERR_OK)
		*common = db_col_int64(st, 0) >= atoi(PROBE);
	db_done(st);
	return e;
}

/* Runs the statement of way into v (PEOPLE_PAGE rows) and *n, *more. */
static enum err
run(struct db *db, struct arena *a, const struct people_query *pq,
    enum people_way way, struct person *v, size_t *n, int *more)
{
	struct db_stmt *st;
	enum err e;

	*n = 0;
	*more = 0;
	st = db_prep(db, sql[pq->sort][way]);
	if ((e = bind_query(st, a, pq, way != WAY_ALL)) != ERR_OK) {
		db_done(st);
		return e;
	}
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == PEOPLE_PAGE) {
			*more = 1;
			break;
		}
		v[*n] = (struct person){ db_col_int64(st, 0),
		    db_col_text_dup(a, st, 1), db_col_text_dup(a, st, 2),
		    (int)db_col_int64(st, 3), db_col_int64(st, 4),
		    db_col_int64(st, 5), db_col_int64(st, 6),
		    db_col_int64(st, 7), db_col_int64(st, 8), NULL };
		v[*n].key_name = v[*n].name;
		if (v[*n].email == NULL || v[*n].name == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		if (v[*n].deleted_at != 0)
			v[*n].email = v[*n].name = "";
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}

enum err
people_list(struct db *db, struct arena *a, const struct people_query *pq,
    struct person **out, size_t *n, int *more)
{
	int searching = pq->q != NULL && *pq->q != '\0', common = 0;
	struct person *v;
	enum err e;

	*n = 0;
	*more = 0;
	if ((unsigned)pq->sort >= PEOPLE_SORT_MAX ||
	    (v = *out = arena_alloc(a, PEOPLE_PAGE * sizeof(*v))) == NULL)
		return ERR_INTERNAL;
	if (!searching)
		return run(db, a, pq, WAY_ALL, v, n, more);
	/* A full page and more from the window is the exact answer too;
	 * a term few match skips it (the probe reads at most PROBE index
	 * entries of each range). */
	if (sql[pq->sort][WAY_WINDOW] != NULL &&
	    (e = probe(db, a, pq, &common)) != ERR_OK)
		return e;
	if (common && ((e = run(db, a, pq, WAY_WINDOW, v, n, more)) !=
	    ERR_OK || *more))
		return e;
	return run(db, a, pq, WAY_EXACT, v, n, more);
}
