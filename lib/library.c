/* The student's library (see library.h).  One query reads every
 * enrollment with its course, its progress row and, for a revoked one,
 * the order behind it (the only case where access_decide() needs it);
 * enrollments_user_granted and course_progress_user cover it, and the
 * rest is arithmetic. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "library.h"

static const struct {
	const char *name;	/* in URLs: ?status=completed */
	const char *label;	/* shown to people */
} statuses[LIBRARY_STATUS_MAX] = {
	[LIBRARY_ACTIVE] = { "active", "Active" },
	[LIBRARY_COMPLETED] = { "completed", "Completed" },
	[LIBRARY_REFUNDED] = { "refunded", "Refunded or revoked" },
	[LIBRARY_EXPIRED] = { "expired", "Expired" },
};

const char *
library_status_name(enum library_status s)
{
	return (unsigned)s < LIBRARY_STATUS_MAX ? statuses[s].name : "";
}

const char *
library_status_label(enum library_status s)
{
	return (unsigned)s < LIBRARY_STATUS_MAX ? statuses[s].label : "";
}

int
library_status_of(const char *name, enum library_status *s)
{
	for (int i = 0; i < LIBRARY_STATUS_MAX; i++)
		if (name != NULL && strcmp(statuses[i].name, name) == 0) {
			*s = (enum library_status)i;
			return 1;
		}
	return 0;
}

static enum library_status
status_of(const struct library_entry *e)
{
	switch (e->access.reason) {
	case ACCESS_REFUNDED:
	case ACCESS_DISPUTED:
	case ACCESS_REVOKED:
	case ACCESS_SEAT_ENDED:	/* a team seat given back */
	case ACCESS_NOT_BOUGHT:
		return LIBRARY_REFUNDED;
	default:
		break;
	}
	if (e->completed_at != 0)
		return LIBRARY_COMPLETED;
	return e->access.reason == ACCESS_EXPIRED ? LIBRARY_EXPIRED :
	    LIBRARY_ACTIVE;
}

#define SCAN_SQL "SELECT en.course_id, c.course_type, c.price_amount, " \
	"c.is_active, coalesce(c.access_days, 0), en.status, en.source, " \
	"en.granted_at, coalesce(en.order_id, 0), " ACCESS_ORDER_STATUS_SQL \
	", " \
	"coalesce(cp.last_activity_at, 0), coalesce(cp.completed_at, 0), " \
	"c.slug, c.title, c.level, c.currency, c.lesson_count, " \
	"coalesce(en.expires_at, 0) " \
	"FROM enrollments en JOIN courses c ON c.id = en.course_id " \
	"LEFT JOIN orders o ON o.id = en.order_id AND en.status <> 'active' " \
	"LEFT JOIN order_items oi ON oi.order_id = o.id AND " \
	"oi.course_id = en.course_id " \
	"LEFT JOIN course_progress cp ON cp.user_id = en.user_id AND " \
	"cp.course_id = en.course_id WHERE en.user_id = ?1 " \
	"ORDER BY en.granted_at DESC, en.id DESC"

/* Fills *e from the current row of the scan; ERR_INTERNAL on OOM. */
static enum err
entry_from_row(struct arena *a, struct db_stmt *st, int64_t now,
    struct library_entry *e)
{
	struct course *c = &e->course;
	struct access_facts f = {
		.price_amount = db_col_int64(st, 2),
		.is_active = db_col_int64(st, 3) == 1,
		.access_days = db_col_int64(st, 4),
		.enrolled = 1,
		.status = db_col_text(st, 5),
		.source = db_col_text(st, 6),
		.granted_at = db_col_int64(st, 7),
		.order_id = db_col_int64(st, 8),
		.order_status = db_col_text(st, 9),
		.expires_at = db_col_int64(st, 17),
	};

	access_decide(&f, now, &e->access);
	e->type = course_type_of(db_col_text(st, 1));
	e->last_activity_at = db_col_int64(st, 10);
	e->completed_at = db_col_int64(st, 11);
	e->status = status_of(e);
	*c = (struct course){ .id = db_col_int64(st, 0),
	    .type = course_type_name(e->type), .price_amount = f.price_amount,
	    .is_active = f.is_active, .lesson_count = db_col_int64(st, 16),
	    .summary = "", .description = "", .instructor = "" };
	c->slug = arena_strdup(a, db_col_text(st, 12));
	c->title = arena_strdup(a, db_col_text(st, 13));
	c->level = arena_strdup(a, db_col_text(st, 14));
	c->currency = arena_strdup(a, db_col_text(st, 15));
	return c->slug == NULL || c->title == NULL || c->level == NULL ||
	    c->currency == NULL ? ERR_INTERNAL : ERR_OK;
}

/* Reads the rows of st (bound, unstepped) into *out; with limit >= 0 at
 * most limit of them, *more telling whether another followed.  Releases
 * st. */
static enum err
scan_rows(struct arena *a, struct db_stmt *st, int64_t now, int limit,
    struct library_entry **out, size_t *n, int *more)
{
	struct library_entry *grown;
	size_t cap = limit >= 0 ? (size_t)limit + 1 : 32;
	enum err e;

	*n = 0;
	*more = 0;
	if ((*out = arena_alloc(a, cap * sizeof(**out))) == NULL) {
		db_done(st);
		return ERR_INTERNAL;
	}
	while ((e = db_next(st)) == ERR_OK) {
		if (limit >= 0 && *n == (size_t)limit) {
			*more = 1;
			break;
		}
		if (*n == cap) {
			/* Arena memory cannot grow in place: copy once. */
			if ((grown = arena_alloc(a, 2 * cap * sizeof(*grown))) ==
			    NULL) {
				e = ERR_INTERNAL;
				break;
			}
			memcpy(grown, *out, cap * sizeof(*grown));
			*out = grown;
			cap *= 2;
		}
		if ((e = entry_from_row(a, st, now, &(*out)[(*n)++])) != ERR_OK)
			break;
	}
	db_done(st);
	return e == ERR_NOTFOUND || (e == ERR_OK && *more) ? ERR_OK : e;
}

enum err
library_scan(struct db *db, struct arena *a, int64_t user_id, int64_t now,
    struct library_entry **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, SCAN_SQL);
	int more;

	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, user_id);
	return scan_rows(a, st, now, -1, out, n, &more);
}

enum err
library_scan_page(struct db *db, struct arena *a, int64_t user_id,
    int64_t now, int64_t offset, int limit, struct library_entry **out,
    size_t *n, int *more)
{
	struct db_stmt *st = db_prep(db, SCAN_SQL " LIMIT ?2 OFFSET ?3");

	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, limit + 1);
	db_bind_int64(st, 3, offset);
	return scan_rows(a, st, now, limit, out, n, more);
}

void
library_summarise(const struct library_entry *e, size_t n,
    struct library_summary *s)
{
	int open, done;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		open = e[i].access.reason == ACCESS_ENROLLED;
		done = e[i].status == LIBRARY_COMPLETED;
		s->enrolled += open;
		s->completed += done;
		s->in_progress += open && !done && e[i].last_activity_at > 0;
		if (e[i].type == COURSE_TYPE_MAX)
			continue;
		s->by_type[e[i].type].enrolled += open;
		s->by_type[e[i].type].completed += done;
	}
}

size_t
library_filter(struct library_entry *e, size_t n, enum course_type type,
    enum library_status status)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if ((type != COURSE_TYPE_MAX && e[i].type != type) ||
		    (status != LIBRARY_STATUS_MAX && e[i].status != status))
			continue;
		e[kept++] = e[i];
	}
	return kept;
}

/* The key an entry is ranked by: its last activity or its completion. */
static int64_t
key_of(const struct library_entry *e, int by_completion)
{
	return by_completion ? e->completed_at : e->last_activity_at;
}

/* Inserts entry i of e into idx (k used, at most max), ranked by key
 * descending, after the entries of equal key; returns the new count. */
static size_t
top_insert(const struct library_entry *e, int by_completion, size_t *idx,
    size_t k, size_t max, size_t i)
{
	int64_t key = key_of(&e[i], by_completion);
	size_t at = k;

	while (at > 0 && key_of(&e[idx[at - 1]], by_completion) < key)
		at--;
	if (at >= max)
		return k;
	if (k == max)
		k--;
	memmove(idx + at + 1, idx + at, (k - at) * sizeof(*idx));
	idx[at] = i;
	return k + 1;
}

size_t
library_continue(const struct library_entry *e, size_t n, size_t *idx,
    size_t max)
{
	size_t k = 0;

	/* Entries are newest enrollment first: those never started (key 0)
	 * keep that order, after every started one. */
	for (size_t i = 0; i < n; i++)
		if (e[i].access.reason == ACCESS_ENROLLED &&
		    e[i].completed_at == 0)
			k = top_insert(e, 0, idx, k, max, i);
	return k;
}

size_t
library_recent_completions(const struct library_entry *e, size_t n,
    size_t *idx, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (e[i].status == LIBRARY_COMPLETED)
			k = top_insert(e, 1, idx, k, max, i);
	return k;
}

enum err
library_spent(struct db *db, int64_t user_id, char (*cur)[4],
    int64_t *amount, size_t max, size_t *n)
{
	struct db_stmt *st;
	enum err e;

	*n = 0;
	st = db_prep(db, "SELECT currency, sum(total_amount - refunded_amount) "
	    "FROM orders WHERE user_id = ?1 AND status IN ('paid', "
	    "'partially_refunded') GROUP BY currency ORDER BY currency");
	db_bind_int64(st, 1, user_id);
	while ((e = db_next(st)) == ERR_OK && *n < max) {
		snprintf(cur[*n], 4, "%s", db_col_text(st, 0));
		amount[(*n)++] = db_col_int64(st, 1);
	}
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}
