/* The cohort places of an order (see order_places.h). */
#include <stdio.h>

#include "cohort_bookings.h"
#include "cohort_place.h"
#include "db.h"
#include "order.h"
#include "order_places.h"
#include "waitlist.h"

/* ERR_OK when cohort_id is a cohort of course_id, else ERR_NOTFOUND. */
static enum err
cohort_of_course(struct db *db, int64_t cohort_id, int64_t course_id)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM cohorts WHERE id = ? "
	    "AND course_id = ?");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, course_id);
	e = db_next(st);
	db_done(st);
	return e;
}

/* The buyer already holds a live place in the cohort: a waitlist offer
 * not yet used by an order becomes this order's.  ERR_NOTFOUND when
 * there is none such. */
static enum err
use_offer(struct db *db, int64_t cohort_id, int64_t user_id,
    int64_t order_id, int64_t now)
{
	struct db_stmt *st = db_prep(db, "UPDATE cohort_places SET order_id = "
	    "?1, updated_at = ?2 WHERE cohort_id = ?3 AND user_id = ?4 AND "
	    "status = 'offered' AND order_id IS NULL");
	enum err e;

	db_bind_int64(st, 1, order_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, cohort_id);
	db_bind_int64(st, 4, user_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return db_changes(db) == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
order_places_hold(struct db *db, const struct order *o, int64_t expires_at,
    int64_t now, const char **message)
{
	enum cohort_refusal why;
	int64_t place;
	enum err e;

	for (size_t i = 0; i < o->nitems; i++) {
		int64_t cohort = o->items[i].cohort_id;

		if (cohort == 0)
			continue;
		if ((e = cohort_of_course(db, cohort, o->items[i].course_id)) !=
		    ERR_OK) {
			*message = "That cohort is not one of this course's.";
			return e == ERR_NOTFOUND ? ERR_CONFLICT : e;
		}
		e = cohort_place_hold(db, cohort, o->user_id, o->id,
		    PLACE_RESERVED, expires_at, now, &place, &why);
		if (e == ERR_CONFLICT && why == COHORT_OPEN &&
		    (e = use_offer(db, cohort, o->user_id, o->id, now)) ==
		    ERR_NOTFOUND) {
			*message = "You already hold a place in this cohort.";
			return ERR_CONFLICT;
		}
		if (e == ERR_CONFLICT)
			*message = cohort_refusal_message(why);
		if (e == ERR_NOTFOUND) {
			*message = "That cohort no longer exists.";
			e = ERR_CONFLICT;
		}
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Releases order_id's live places of the statuses the statement selects
 * (at most 32: an order has at most 20 items). */
static enum err
release_where(struct db *db, struct db_stmt *st, int64_t order_id,
    int64_t now)
{
	int64_t ids[32];
	size_t n = 0;
	enum err e;

	db_bind_int64(st, 1, order_id);
	while ((e = db_next(st)) == ERR_OK && n < 32)
		ids[n++] = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND && e != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++)
		if ((e = cohort_place_release(db, ids[i], now)) != ERR_OK &&
		    e != ERR_NOTFOUND)
			return e;
	return ERR_OK;
}

enum err
order_places_release(struct db *db, int64_t order_id, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	/* An offer used by the order stays the student's until it lapses. */
	st = db_prep(db, "UPDATE cohort_places SET order_id = NULL, "
	    "updated_at = ?2 WHERE order_id = ?1 AND status = 'offered'");
	db_bind_int64(st, 1, order_id);
	db_bind_int64(st, 2, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT id FROM cohort_places WHERE order_id = ? AND "
	    "status = 'reserved'");
	return release_where(db, st, order_id, now);
}

enum err
order_places_release_all(struct db *db, int64_t order_id, int64_t now)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM cohort_places WHERE "
	    "order_id = ? AND status <> 'released'");

	return release_where(db, st, order_id, now);
}

/* The live place user_id holds in cohort_id: *id and whether it is taken
 * already; ERR_NOTFOUND when none. */
static enum err
live_place(struct db *db, int64_t cohort_id, int64_t user_id, int64_t *id,
    int *taken)
{
	struct db_stmt *st = db_prep(db, "SELECT id, status FROM cohort_places "
	    "WHERE cohort_id = ? AND user_id = ? AND status <> 'released'");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK) {
		*id = db_col_int64(st, 0);
		*taken = db_col_text(st, 1)[0] == 't';
	}
	db_done(st);
	return e;
}

/* Takes user_id's place in cohort_id for order_id, holding one when they
 * have none.  *full when the cohort has no place. */
static enum err
claim_one(struct db *db, int64_t order_id, int64_t cohort_id,
    int64_t user_id, int64_t now, int *full)
{
	struct db_stmt *st;
	enum cohort_refusal why;
	int64_t place;
	int taken = 0;
	enum err e;

	e = live_place(db, cohort_id, user_id, &place, &taken);
	if (e == ERR_NOTFOUND) {
		/* Its reservation lapsed: a place again, if one is free. */
		e = cohort_place_hold(db, cohort_id, user_id, order_id,
		    PLACE_TAKEN, 0, now, &place, &why);
		if (e == ERR_CONFLICT) {
			*full = 1;
			return ERR_OK;
		}
		return e;
	}
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE cohort_places SET order_id = ?1 WHERE id = ?2 "
	    "AND order_id IS NULL");
	db_bind_int64(st, 1, order_id);
	db_bind_int64(st, 2, place);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (!taken && (e = cohort_place_take(db, place, now)) != ERR_OK)
		return e;
	return waitlist_enrolled(db, cohort_id, user_id);
}

enum err
order_places_claim(struct db *db, int64_t order_id, int64_t user_id,
    int64_t now, int *full, char *name, size_t n)
{
	struct db_stmt *st;
	int64_t cohorts[32];
	char names[32][104];
	size_t count = 0;
	enum err e;

	*full = 0;
	st = db_prep(db, "SELECT i.cohort_id, h.name FROM order_items i JOIN "
	    "cohorts h ON h.id = i.cohort_id WHERE i.order_id = ? ORDER BY "
	    "i.id");
	db_bind_int64(st, 1, order_id);
	while ((e = db_next(st)) == ERR_OK && count < 32) {
		cohorts[count] = db_col_int64(st, 0);
		snprintf(names[count++], sizeof(names[0]), "%s",
		    db_col_text(st, 1));
	}
	db_done(st);
	if (e != ERR_NOTFOUND && e != ERR_OK)
		return e;
	for (size_t i = 0; i < count; i++) {
		if ((e = claim_one(db, order_id, cohorts[i], user_id, now,
		    full)) != ERR_OK)
			return e;
		if (*full) {
			snprintf(name, n, "%s", names[i]);
			return order_places_release_all(db, order_id, now);
		}
	}
	return ERR_OK;
}

enum err
order_places_any(struct db *db, int64_t order_id, int *has)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM order_items WHERE "
	    "order_id = ? AND cohort_id IS NOT NULL");
	enum err e;

	db_bind_int64(st, 1, order_id);
	e = db_next(st);
	db_done(st);
	*has = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
order_places_lapsed(struct db *db, int64_t now, int64_t *ids, size_t max,
    size_t *n)
{
	struct db_stmt *st;
	enum err e;

	*n = 0;
	st = db_prep(db, "SELECT DISTINCT o.id FROM orders o JOIN order_items "
	    "i ON i.order_id = o.id WHERE o.status = 'pending' AND "
	    "o.stripe_session_id IS NOT NULL AND i.cohort_id IS NOT NULL AND "
	    "NOT EXISTS (SELECT 1 FROM cohort_places p WHERE p.order_id = o.id "
	    "AND p.cohort_id = i.cohort_id AND p.status IN ('reserved', "
	    "'offered') AND (p.expires_at IS NULL OR p.expires_at > ?1)) "
	    "ORDER BY o.id LIMIT ?2");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, (int64_t)max);
	while ((e = db_next(st)) == ERR_OK && *n < max)
		ids[(*n)++] = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}

enum err
order_places_refunded(struct db *db, int64_t order_id, int64_t refund_id,
    int64_t now)
{
	struct db_stmt *st;
	int64_t cohorts[32], user = 0, place = 0;
	size_t count = 0;
	enum err e;

	st = db_prep(db, "SELECT i.cohort_id, o.user_id FROM order_items i "
	    "JOIN orders o ON o.id = i.order_id WHERE i.order_id = ?1 AND "
	    "i.cohort_id IS NOT NULL AND (?2 = 0 OR i.id IN (SELECT "
	    "order_item_id FROM refund_items WHERE refund_id = ?2))");
	db_bind_int64(st, 1, order_id);
	db_bind_int64(st, 2, refund_id);
	while ((e = db_next(st)) == ERR_OK && count < 32) {
		cohorts[count++] = db_col_int64(st, 0);
		user = db_col_int64(st, 1);
	}
	db_done(st);
	if (e != ERR_NOTFOUND && e != ERR_OK)
		return e;
	/* Only this order's place: a student refunded who bought the cohort
	 * again keeps the place and sessions of the new order. */
	for (size_t i = 0; i < count; i++) {
		st = db_prep(db, "SELECT id FROM cohort_places WHERE order_id = "
		    "? AND cohort_id = ? AND status <> 'released'");
		db_bind_int64(st, 1, order_id);
		db_bind_int64(st, 2, cohorts[i]);
		if ((e = db_next(st)) == ERR_OK)
			place = db_col_int64(st, 0);
		db_done(st);
		if (e == ERR_NOTFOUND)
			continue;
		if (e != ERR_OK ||
		    (e = cohort_place_release(db, place, now)) != ERR_OK ||
		    (e = cohort_bookings_release(db, user, cohorts[i], now)) !=
		    ERR_OK)
			return e;
	}
	return ERR_OK;
}
