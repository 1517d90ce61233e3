/* The admin's list of people (see people.h).  Each order is its own
 * statement walking an index from the last key shown: users' primary key,
 * or users_name_search (name NOCASE, id) through a row-value comparison.
 * A search is two index ranges, the address's prefix on the NOCASE
 * UNIQUE index of email and the name's on users_name_search, joined by
 * the planner's OR (a multi-index OR), so it costs the rows that match,
 * not the table.  The range's upper bound is the term followed by
 * U+10FFFF, above any character a stored string may hold.
 * PostgreSQL: the same statements over lower(email) and lower(name) with
 * text_pattern_ops indexes (see sql/012_people.sql), the term lower-cased
 * in C, and the bound the term followed by U+10FFFF in the "C" collation. */
#include <string.h>

#include "db.h"
#include "people.h"

#define COLS "SELECT u.id, u.email, u.name, u.role = 'admin', " \
	"coalesce(u.email_verified_at, 0), u.created_at, " \
	"coalesce(u.deleted_at, 0), (SELECT count(*) FROM orders o " \
	"WHERE o.user_id = u.id), coalesce(u.disabled_at, 0) FROM users u "
#define FOUND "u.deleted_at IS NULL AND (u.email >= ?3 AND u.email < ?4 " \
	"OR u.name >= ?3 COLLATE NOCASE AND u.name < ?4 COLLATE NOCASE) AND "

/* Parameters: ?1 the last id shown, ?2 the last name shown, ?3 and ?4
 * the search range, ?5 the rows wanted.  [sort][searching]. */
static const char *const sql[PEOPLE_SORT_MAX][2] = {
	[PEOPLE_NEWEST] = {
		COLS "WHERE u.id < ?1 ORDER BY u.id DESC LIMIT ?5",
		COLS "WHERE " FOUND "u.id < ?1 ORDER BY u.id DESC LIMIT ?5",
	},
	[PEOPLE_OLDEST] = {
		COLS "WHERE u.id > ?1 ORDER BY u.id LIMIT ?5",
		COLS "WHERE " FOUND "u.id > ?1 ORDER BY u.id LIMIT ?5",
	},
	[PEOPLE_NAME] = {
		COLS "WHERE (u.name COLLATE NOCASE, u.id) > (?2, ?1) "
		    "ORDER BY u.name COLLATE NOCASE, u.id LIMIT ?5",
		COLS "WHERE " FOUND "(u.name COLLATE NOCASE, u.id) > (?2, ?1) "
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

enum err
people_list(struct db *db, struct arena *a, const struct people_query *pq,
    struct person **out, size_t *n, int *more)
{
	int searching = pq->q != NULL && *pq->q != '\0';
	struct person *v;
	struct db_stmt *st;
	enum err e;

	*n = 0;
	*more = 0;
	if ((unsigned)pq->sort >= PEOPLE_SORT_MAX ||
	    (v = *out = arena_alloc(a, PEOPLE_PAGE * sizeof(*v))) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, sql[pq->sort][searching]);
	if ((e = bind_query(st, a, pq, searching)) != ERR_OK) {
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
		    db_col_int64(st, 7), db_col_int64(st, 8) };
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
