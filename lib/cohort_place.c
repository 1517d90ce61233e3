/* Places in a cohort and in a session option: the counters and the moves
 * (see cohort_place.h). */
#include "cohort_place.h"
#include "db.h"
#include "waitlist.h"

static const char *const status_names[PLACE_STATUS_MAX] = {
	[PLACE_RESERVED] = "reserved", [PLACE_TAKEN] = "taken",
	[PLACE_OFFERED] = "offered", [PLACE_RELEASED] = "released",
};

static const char *const refusals[COHORT_REFUSAL_MAX] = {
	[COHORT_OPEN] = "",
	[COHORT_INACTIVE] = "This cohort is not taking students.",
	[COHORT_PAST_DEADLINE] = "Enrollment in this cohort has closed.",
	[COHORT_FULL] = "This cohort is full.",
};

const char *
cohort_place_status_name(enum cohort_place_status s)
{
	return (unsigned)s < PLACE_STATUS_MAX ? status_names[s] : "";
}

const char *
cohort_refusal_message(enum cohort_refusal r)
{
	return (unsigned)r < COHORT_REFUSAL_MAX ? refusals[r] : "";
}

/* Why cohort_id gave no place at now (read after the UPDATE found no
 * row, in the same transaction). */
static enum err
refusal_of(struct db *db, int64_t cohort_id, int64_t now,
    enum cohort_refusal *why)
{
	struct db_stmt *st = db_prep(db, "SELECT is_active, enroll_deadline, "
	    "held, capacity FROM cohorts WHERE id = ?");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	if ((e = db_next(st)) == ERR_OK) {
		if (db_col_int64(st, 0) != 1)
			*why = COHORT_INACTIVE;
		else if (now >= db_col_int64(st, 1))
			*why = COHORT_PAST_DEADLINE;
		else
			*why = COHORT_FULL;
		e = ERR_CONFLICT;
	}
	db_done(st);
	return e;
}

/* ERR_OK when user_id holds a live place in cohort_id, ERR_NOTFOUND when
 * not. */
static enum err
live_place(struct db *db, int64_t cohort_id, int64_t user_id)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM cohort_places WHERE "
	    "cohort_id = ? AND user_id = ? AND status <> 'released'");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	e = db_next(st);
	db_done(st);
	return e;
}

enum err
cohort_place_hold(struct db *db, int64_t cohort_id, int64_t user_id,
    int64_t order_id, enum cohort_place_status status, int64_t expires_at,
    int64_t now, int64_t *place_id, enum cohort_refusal *why)
{
	struct db_stmt *st;
	enum err e;

	*why = COHORT_OPEN;
	*place_id = 0;
	if (status == PLACE_RELEASED || (unsigned)status >= PLACE_STATUS_MAX)
		return ERR_INVALID;
	if ((e = live_place(db, cohort_id, user_id)) != ERR_NOTFOUND)
		return e == ERR_OK ? ERR_CONFLICT : e;
	/* An offer holds a place past the deadline: it was promised
	 * before it. */
	st = db_prep(db, "UPDATE cohorts SET held = held + 1, updated_at = ?2 "
	    "WHERE id = ?1 AND held < capacity AND is_active = 1 AND "
	    "(enroll_deadline > ?2 OR ?3 = 1)");
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, status == PLACE_OFFERED);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return refusal_of(db, cohort_id, now, why);
	st = db_prep(db, "INSERT INTO cohort_places (cohort_id, user_id, "
	    "order_id, status, expires_at, created_at, updated_at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id");
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	if (order_id > 0)
		db_bind_int64(st, 3, order_id);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, status_names[status]);
	if (status == PLACE_TAKEN || expires_at <= 0)
		db_bind_null(st, 5);
	else
		db_bind_int64(st, 5, expires_at);
	db_bind_int64(st, 6, now);
	/* ERR_CONFLICT here only when the same person raced themselves
	 * past live_place: the caller's rollback undoes the count. */
	if ((e = db_next(st)) == ERR_OK)
		*place_id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

enum err
cohort_place_take(struct db *db, int64_t place_id, int64_t now)
{
	struct db_stmt *st = db_prep(db, "UPDATE cohort_places SET status = "
	    "'taken', expires_at = NULL, updated_at = ?2 WHERE id = ?1 AND "
	    "status IN ('reserved', 'offered')");
	enum err e;

	db_bind_int64(st, 1, place_id);
	db_bind_int64(st, 2, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return db_changes(db) == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
cohort_place_release(struct db *db, int64_t place_id, int64_t now)
{
	struct db_stmt *st;
	int64_t cohort_id;
	enum err e;

	st = db_prep(db, "UPDATE cohort_places SET status = 'released', "
	    "updated_at = ?2 WHERE id = ?1 AND status <> 'released' "
	    "RETURNING cohort_id");
	db_bind_int64(st, 1, place_id);
	db_bind_int64(st, 2, now);
	if ((e = db_next(st)) == ERR_OK)
		cohort_id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE cohorts SET held = held - 1, updated_at = ?2 "
	    "WHERE id = ?1");
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	/* The freed place goes to the first on the waitlist, in this
	 * transaction. */
	return waitlist_offer_next(db, cohort_id, now);
}

enum err
cohort_place_offered(struct db *db, int64_t cohort_id, int64_t user_id,
    int *offered)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM cohort_places WHERE "
	    "cohort_id = ? AND user_id = ? AND status = 'offered'");
	enum err e;

	*offered = 0;
	if (user_id <= 0)
		return ERR_OK;
	db_bind_int64(st, 1, cohort_id);
	db_bind_int64(st, 2, user_id);
	e = db_next(st);
	db_done(st);
	*offered = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* The option user_id's booking of option_id's step holds now (0: none);
 * ERR_NOTFOUND when option_id is not of a step and cohort they have a
 * booking row for. */
static enum err
booking_of(struct db *db, int64_t user_id, int64_t option_id, int64_t *had)
{
	struct db_stmt *st = db_prep(db, "SELECT coalesce(b.option_id, 0) "
	    "FROM step_options o JOIN step_bookings b ON b.step_id = "
	    "o.step_id AND b.cohort_id = o.cohort_id AND b.user_id = ?1 "
	    "WHERE o.id = ?2");
	enum err e;

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, option_id);
	if ((e = db_next(st)) == ERR_OK)
		*had = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
cohort_option_book(struct db *db, int64_t user_id, int64_t option_id,
    int64_t now)
{
	struct db_stmt *st;
	int64_t had = 0;
	enum err e;

	if ((e = booking_of(db, user_id, option_id, &had)) != ERR_OK)
		return e;
	if (had == option_id)
		return ERR_OK;
	st = db_prep(db, "UPDATE step_options SET booked = booked + 1, "
	    "updated_at = ?2 WHERE id = ?1 AND booked < capacity");
	db_bind_int64(st, 1, option_id);
	db_bind_int64(st, 2, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return ERR_CONFLICT;
	if (had != 0) {
		st = db_prep(db, "UPDATE step_options SET booked = booked - 1, "
		    "updated_at = ?2 WHERE id = ?1");
		db_bind_int64(st, 1, had);
		db_bind_int64(st, 2, now);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	st = db_prep(db, "UPDATE step_bookings SET option_id = ?1, booked_at = "
	    "?2, changed_at = ?2 WHERE user_id = ?3 AND step_id = (SELECT "
	    "step_id FROM step_options WHERE id = ?1)");
	db_bind_int64(st, 1, option_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, user_id);
	return db_run(st);
}
