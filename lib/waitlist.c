/* The waitlist of a full cohort: joining, leaving, the offer of a freed
 * place, its claim by checkout and its expiry (see waitlist.h). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cohort_place.h"
#include "config.h"
#include "db.h"
#include "mail.h"
#include "tz.h"
#include "waitlist.h"

static const char *const refusals[WAITLIST_REFUSAL_MAX] = {
	[WAITLIST_OK] = "",
	[WAITLIST_NOT_FULL] = "This cohort still has places: enroll instead "
	    "of waiting.",
	[WAITLIST_INACTIVE] = "This cohort is not taking students.",
	[WAITLIST_PAST_DEADLINE] = "Enrollment in this cohort has closed.",
	[WAITLIST_HAS_COURSE] = "You are already a student of this course.",
	[WAITLIST_ALREADY] = "You are already on this cohort's waitlist.",
};

const char *
waitlist_refusal_message(enum waitlist_refusal r)
{
	return (unsigned)r < WAITLIST_REFUSAL_MAX ? refusals[r] : "";
}

/* Why user_id may not wait for cohort_id at now (WAITLIST_OK: they may).
 * ERR_NOTFOUND for no such cohort. */
static enum err
join_refusal(struct db *db, int64_t cohort_id, int64_t user_id, int64_t now,
    enum waitlist_refusal *why)
{
	struct db_stmt *st = db_prep(db, "SELECT c.is_active, "
	    "c.enroll_deadline, c.held, c.capacity, CASE WHEN EXISTS (SELECT "
	    "1 FROM enrollments e WHERE e.user_id = ?2 AND e.course_id = "
	    "c.course_id AND e.status = 'active') THEN 1 ELSE 0 END, CASE WHEN "
	    "EXISTS (SELECT 1 FROM cohort_waitlist w WHERE w.cohort_id = c.id "
	    "AND w.user_id = ?2 AND w.status IN ('waiting', 'offered')) THEN 1 "
	    "ELSE 0 END FROM cohorts c WHERE c.id = ?1");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK)
		*why = db_col_int64(st, 0) != 1 ? WAITLIST_INACTIVE :
		    now >= db_col_int64(st, 1) ? WAITLIST_PAST_DEADLINE :
		    db_col_int64(st, 4) != 0 ? WAITLIST_HAS_COURSE :
		    db_col_int64(st, 5) != 0 ? WAITLIST_ALREADY :
		    db_col_int64(st, 2) < db_col_int64(st, 3) ?
		    WAITLIST_NOT_FULL : WAITLIST_OK;
	db_done(st);
	return e;
}

enum err
waitlist_join(struct db *db, int64_t cohort_id, int64_t user_id,
    int64_t now, enum waitlist_refusal *why)
{
	struct db_stmt *st;
	enum err e;

	*why = WAITLIST_OK;
	/* BEGIN IMMEDIATE (SQLite's one writer): the checks and the insert
	 * see the same cohort; the partial unique index refuses a second
	 * live row on PostgreSQL. */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = join_refusal(db, cohort_id, user_id, now, why)) != ERR_OK)
		goto fail;
	if (*why != WAITLIST_OK) {
		e = ERR_CONFLICT;
		goto fail;
	}
	st = db_prep(db, "INSERT INTO cohort_waitlist (cohort_id, user_id, "
	    "status, created_at) VALUES (?, ?, 'waiting', ?)");
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, now);
	if ((e = db_run(st)) != ERR_OK) {
		if (e == ERR_CONFLICT)
			*why = WAITLIST_ALREADY;
		goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return e;
}

/* The live place user_id holds in cohort_id with status (0: none). */
static enum err
place_of(struct db *db, int64_t cohort_id, int64_t user_id,
    const char *status, int64_t *place_id)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM cohort_places WHERE "
	    "cohort_id = ? AND user_id = ? AND status = ?");
	enum err e;

	*place_id = 0;
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	db_bind_text(st, 3, status);
	if ((e = db_next(st)) == ERR_OK)
		*place_id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Moves user_id's live row in cohort_id to status `to` (from one of the
 * live ones); *was says what it was ("" when there was none). */
static enum err
end_row(struct db *db, int64_t cohort_id, int64_t user_id, const char *to,
    char was[16])
{
	struct db_stmt *st;
	enum err e;

	was[0] = '\0';
	st = db_prep(db, "SELECT status FROM cohort_waitlist WHERE "
	    "cohort_id = ? AND user_id = ? AND status IN ('waiting', "
	    "'offered')");
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK)
		snprintf(was, 16, "%s", db_col_text(st, 0));
	db_done(st);
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE cohort_waitlist SET status = ? WHERE "
	    "cohort_id = ? AND user_id = ? AND status IN ('waiting', "
	    "'offered')");
	db_bind_text(st, 1, to);
	db_bind_int64(st, 2, cohort_id);
	db_bind_int64(st, 3, user_id);
	return db_run(st);
}

enum err
waitlist_leave(struct db *db, int64_t cohort_id, int64_t user_id,
    int64_t now)
{
	int64_t place = 0;
	char was[16];
	enum err e;

	/* BEGIN IMMEDIATE (SQLite's one writer): the row and its place
	 * change together. */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = end_row(db, cohort_id, user_id, "left", was)) != ERR_OK)
		goto fail;
	if (strcmp(was, "offered") == 0 && ((e = place_of(db, cohort_id,
	    user_id, "offered", &place)) != ERR_OK || (place != 0 &&
	    (e = cohort_place_release(db, place, now)) != ERR_OK)))
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return e;
}

/* Queues user_id's mail: the place in cohort_id is theirs until until. */
static enum err
queue_offer_mail(struct db *db, int64_t row_id, int64_t cohort_id,
    int64_t user_id, int64_t until)
{
	struct buf body = { 0 }, subj = { 0 };
	char key[64], to[MAIL_ADDR_MAX], name[MAIL_NAME_MAX], when[64];
	struct db_stmt *st;
	struct config cfg;
	enum err e;

	if ((e = mail_recipient(db, user_id, to, name)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	config_load(&cfg);
	if (tz_format_in(NULL, until, TZ_DAY_TIME, when, sizeof(when)) != 0)
		snprintf(when, sizeof(when), "in 48 hours");
	st = db_prep(db, "SELECT c.name, k.title, k.slug FROM cohorts c JOIN "
	    "courses k ON k.id = c.course_id WHERE c.id = ?");
	db_bind_int64(st, 1, cohort_id);
	if ((e = db_next(st)) == ERR_OK) {
		buf_printf(&body, "Hello %s,\n\na place in %s (%s) is yours "
		    "until %s (%s).\n\nEnroll here: %s/courses/%s\n\nAfter that "
		    "time it goes to the next person on the waitlist.\n"
		    "Your waitlists: %s/account/waitlists\n", name,
		    db_col_text(st, 0), db_col_text(st, 1), when, tz_name(),
		    cfg.base_url, db_col_text(st, 2), cfg.base_url);
		buf_printf(&subj, "A place in %s is yours", db_col_text(st, 0));
	}
	db_done(st);
	if (e == ERR_OK) {
		/* One mail per offer: the row is offered once. */
		snprintf(key, sizeof(key), "waitlist-offer-%lld",
		    (long long)row_id);
		e = body.oom || subj.oom ? ERR_INTERNAL :
		    mail_queue(db, key, to, subj.data, body.data);
	}
	buf_free(&body);
	buf_free(&subj);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

/* The first row waiting for cohort_id after after_id: *row_id (0: none),
 * its user, and whether they are a student of the course by now (*has:
 * they enrolled another way since they joined). */
static enum err
next_waiting(struct db *db, int64_t cohort_id, int64_t after_id,
    int64_t *row_id, int64_t *user_id, int *has)
{
	struct db_stmt *st = db_prep(db, "SELECT w.id, w.user_id, CASE WHEN "
	    "EXISTS (SELECT 1 FROM enrollments e JOIN cohorts c ON c.course_id "
	    "= e.course_id WHERE c.id = w.cohort_id AND e.user_id = w.user_id "
	    "AND e.status = 'active') THEN 1 ELSE 0 END FROM cohort_waitlist w "
	    "WHERE w.cohort_id = ? AND w.status = 'waiting' AND w.id > ? "
	    "ORDER BY w.id LIMIT 1");
	enum err e;

	*row_id = 0;
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, after_id);
	if ((e = db_next(st)) == ERR_OK) {
		*row_id = db_col_int64(st, 0);
		*user_id = db_col_int64(st, 1);
		*has = db_col_int64(st, 2) != 0;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Closes row_id of someone who became a student of the course while
 * waiting: they need no place. */
static enum err
mark_enrolled(struct db *db, int64_t row_id)
{
	struct db_stmt *st = db_prep(db, "UPDATE cohort_waitlist SET status = "
	    "'enrolled' WHERE id = ? AND status = 'waiting'");

	db_bind_int64(st, 1, row_id);
	return db_run(st);
}

/* Offers row_id (user_id's) the place held as place_id until until. */
static enum err
mark_offered(struct db *db, int64_t row_id, int64_t now, int64_t until)
{
	struct db_stmt *st = db_prep(db, "UPDATE cohort_waitlist SET status = "
	    "'offered', offered_at = ?2, offer_expires_at = ?3 WHERE id = ?1 "
	    "AND status = 'waiting'");

	db_bind_int64(st, 1, row_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, until);
	return db_run(st);
}

enum err
waitlist_offer_next(struct db *db, int64_t cohort_id, int64_t now)
{
	int64_t row = 0, user = 0, place, until = now + WAITLIST_OFFER_TTL;
	enum cohort_refusal why;
	int has = 0;
	enum err e;

	for (;;) {
		if ((e = next_waiting(db, cohort_id, row, &row, &user,
		    &has)) != ERR_OK || row == 0)
			return e;
		if (has) {
			if ((e = mark_enrolled(db, row)) != ERR_OK)
				return e;
			continue;
		}
		e = cohort_place_hold(db, cohort_id, user, 0, PLACE_OFFERED,
		    until, now, &place, &why);
		if (e == ERR_OK)
			break;
		/* A full or closed cohort offers nothing; someone who holds
		 * a place already (a checkout of theirs) keeps waiting and
		 * the next in line is asked. */
		if (e != ERR_CONFLICT || why != COHORT_OPEN)
			return e == ERR_CONFLICT ? ERR_OK : e;
	}
	if ((e = mark_offered(db, row, now, until)) != ERR_OK)
		return e;
	return queue_offer_mail(db, row, cohort_id, user, until);
}

enum err
waitlist_enrolled(struct db *db, int64_t cohort_id, int64_t user_id)
{
	char was[16];
	enum err e = end_row(db, cohort_id, user_id, "enrolled", was);

	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Expires the offer of row_id, if it is still one, in its own
 * transaction; *changed tells whether it was. */
static enum err
expire_one(struct db *db, int64_t row_id, int64_t now, int *changed)
{
	struct db_stmt *st;
	int64_t cohort = 0, user = 0, place = 0;
	enum err e;

	*changed = 0;
	/* BEGIN IMMEDIATE (SQLite's one writer): of two sweeps, the second
	 * finds the row no longer 'offered' and changes nothing. */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE cohort_waitlist SET status = 'expired' WHERE "
	    "id = ?1 AND status = 'offered' AND offer_expires_at <= ?2 "
	    "RETURNING cohort_id, user_id");
	db_bind_int64(st, 1, row_id);
	db_bind_int64(st, 2, now);
	if ((e = db_next(st)) == ERR_OK) {
		cohort = db_col_int64(st, 0);
		user = db_col_int64(st, 1);
	}
	db_done(st);
	if (e == ERR_NOTFOUND) {
		db_rollback(db);
		return ERR_OK;
	}
	if (e != ERR_OK || (e = place_of(db, cohort, user, "offered",
	    &place)) != ERR_OK || (place != 0 && (e =
	    cohort_place_release(db, place, now)) != ERR_OK)) {
		db_rollback(db);
		return e;
	}
	*changed = 1;
	return db_commit(db);
}

enum err
waitlist_expire_offers(struct db *db, int64_t now, int *n)
{
	struct db_stmt *st;
	int64_t ids[64];
	size_t count = 0;
	int changed;
	enum err e;

	*n = 0;
	st = db_prep(db, "SELECT id FROM cohort_waitlist WHERE status = "
	    "'offered' AND offer_expires_at <= ? ORDER BY id LIMIT 64");
	db_bind_int64(st, 1, now);
	while ((e = db_next(st)) == ERR_OK)
		ids[count++] = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	for (size_t i = 0; i < count; i++) {
		if ((e = expire_one(db, ids[i], now, &changed)) != ERR_OK)
			return e;
		*n += changed;
	}
	return ERR_OK;
}

/* The columns read_entries reads, and the joins they come from. */
#define ENTRY_COLS "w.id, w.cohort_id, c.course_id, w.user_id, c.name, " \
	"k.title, k.slug, u.name, u.email, w.status, w.created_at, " \
	"coalesce(w.offer_expires_at, 0), CASE WHEN w.status = 'waiting' " \
	"THEN (SELECT count(*) FROM cohort_waitlist o WHERE o.cohort_id = " \
	"w.cohort_id AND o.status = 'waiting' AND o.id <= w.id) ELSE 0 END"
#define ENTRY_FROM " FROM cohort_waitlist w JOIN cohorts c ON c.id = " \
	"w.cohort_id JOIN courses k ON k.id = c.course_id JOIN users u ON " \
	"u.id = w.user_id "

/* Reads up to max rows of st (ENTRY_COLS) into *out (arena). */
static enum err
read_entries(struct db_stmt *st, struct arena *a, size_t max,
    struct waitlist_entry **out, size_t *n)
{
	struct waitlist_entry *v = arena_alloc(a, (max + 1) * sizeof(*v));
	enum err e = ERR_NOTFOUND;

	*n = 0;
	*out = v;
	if (v == NULL) {
		db_done(st);
		return ERR_INTERNAL;
	}
	while (*n < max && (e = db_next(st)) == ERR_OK) {
		struct waitlist_entry *w = &v[(*n)++];

		w->id = db_col_int64(st, 0);
		w->cohort_id = db_col_int64(st, 1);
		w->course_id = db_col_int64(st, 2);
		w->user_id = db_col_int64(st, 3);
		w->cohort_name = db_col_text_dup(a, st, 4);
		w->course_title = db_col_text_dup(a, st, 5);
		w->course_slug = db_col_text_dup(a, st, 6);
		w->user_name = db_col_text_dup(a, st, 7);
		w->user_email = db_col_text_dup(a, st, 8);
		w->status = db_col_text_dup(a, st, 9);
		w->created_at = db_col_int64(st, 10);
		w->offer_expires_at = db_col_int64(st, 11);
		w->position = db_col_int64(st, 12);
	}
	if (*n == max)
		e = ERR_NOTFOUND;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

#define USER_ROWS_MAX 200	/* a person's waitlists, ever */

enum err
waitlist_of_user(struct db *db, struct arena *a, int64_t user_id,
    struct waitlist_entry **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT " ENTRY_COLS ENTRY_FROM
	    "WHERE w.user_id = ? ORDER BY w.id DESC LIMIT 200");

	db_bind_int64(st, 1, user_id);
	return read_entries(st, a, USER_ROWS_MAX, out, n);
}

enum err
waitlist_of_cohort(struct db *db, struct arena *a, int64_t cohort_id,
    int64_t after_id, int limit, struct waitlist_entry **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT " ENTRY_COLS ENTRY_FROM
	    "WHERE w.cohort_id = ? AND w.id > ? ORDER BY w.id LIMIT ?");

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, after_id);
	db_bind_int64(st, 3, limit);
	return read_entries(st, a, (size_t)limit, out, n);
}

enum err
waitlist_is_waiting(struct db *db, int64_t cohort_id, int64_t user_id,
    int *waiting)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM cohort_waitlist WHERE "
	    "cohort_id = ? AND user_id = ? AND status IN ('waiting', "
	    "'offered')");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	e = db_next(st);
	db_done(st);
	*waiting = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
waitlist_cohort_get(struct db *db, struct arena *a, int64_t cohort_id,
    int64_t user_id, int64_t now, struct waitlist_cohort *c)
{
	struct db_stmt *st = db_prep(db, "SELECT c.id, c.course_id, c.name, "
	    "k.title, k.slug, CASE WHEN c.held >= c.capacity THEN 1 ELSE 0 "
	    "END, CASE WHEN c.is_active = 1 AND c.enroll_deadline > ?3 THEN 1 "
	    "ELSE 0 END, CASE WHEN EXISTS (SELECT 1 FROM cohort_waitlist w "
	    "WHERE w.cohort_id = c.id AND w.user_id = ?2 AND w.status IN "
	    "('waiting', 'offered')) THEN 1 ELSE 0 END FROM cohorts c JOIN "
	    "courses k ON k.id = c.course_id WHERE c.id = ?1");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, now);
	if ((e = db_next(st)) == ERR_OK) {
		c->id = db_col_int64(st, 0);
		c->course_id = db_col_int64(st, 1);
		c->name = db_col_text_dup(a, st, 2);
		c->course_title = db_col_text_dup(a, st, 3);
		c->course_slug = db_col_text_dup(a, st, 4);
		c->is_full = db_col_int64(st, 5) != 0;
		c->open = db_col_int64(st, 6) != 0;
		c->waiting = db_col_int64(st, 7) != 0;
	}
	db_done(st);
	return e;
}
