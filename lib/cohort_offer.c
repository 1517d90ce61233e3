/* A cohort course's page and button (see cohort_offer.h). */
#include "cart_items.h"
#include "cohort_offer.h"
#include "cohort_place.h"
#include "db.h"

enum err
cohort_offer_list(struct db *db, struct arena *a, int64_t course_id,
    int64_t now, struct cohort_open **out, size_t *n)
{
	struct db_stmt *st;
	struct cohort_open *c;
	enum err e;

	*n = 0;
	if ((*out = arena_alloc(a, 50 * sizeof(**out))) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT id, name, starts_on, enroll_deadline, "
	    "capacity - held FROM cohorts WHERE course_id = ? AND "
	    "is_active = 1 AND enroll_deadline > ? ORDER BY starts_on, id "
	    "LIMIT 50");
	db_bind_int64(st, 1, course_id);
	db_bind_int64(st, 2, now);
	while ((e = db_next(st)) == ERR_OK) {
		c = &(*out)[(*n)++];
		c->id = db_col_int64(st, 0);
		c->name = db_col_text_dup(a, st, 1);
		c->starts_on = db_col_text_dup(a, st, 2);
		c->enroll_deadline = db_col_int64(st, 3);
		c->places_left = db_col_int64(st, 4);
		if (c->name == NULL || c->starts_on == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
cohort_offer_in_cart(struct db *db, int64_t cart_id, int64_t course_id,
    int64_t *cohort_id)
{
	struct db_stmt *st;
	enum err e;

	*cohort_id = 0;
	if (cart_id == 0)
		return ERR_OK;
	st = db_prep(db, "SELECT coalesce(cohort_id, 0) FROM cart_items WHERE "
	    "cart_id = ? AND course_id = ?");
	db_bind_int64(st, 1, cart_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK)
		*cohort_id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Why cohort_id offers no place at now (COHORT_OPEN: it does), and its
 * course. */
static enum err
refusal_now(struct db *db, int64_t cohort_id, int64_t now,
    int64_t *course_id, enum cohort_refusal *why)
{
	struct db_stmt *st = db_prep(db, "SELECT course_id, is_active, "
	    "enroll_deadline, held, capacity FROM cohorts WHERE id = ?");
	enum err e;

	db_bind_int64(st, 1, cohort_id);
	if ((e = db_next(st)) == ERR_OK) {
		*course_id = db_col_int64(st, 0);
		*why = db_col_int64(st, 1) != 1 ? COHORT_INACTIVE :
		    now >= db_col_int64(st, 2) ? COHORT_PAST_DEADLINE :
		    db_col_int64(st, 3) >= db_col_int64(st, 4) ? COHORT_FULL :
		    COHORT_OPEN;
	}
	db_done(st);
	return e;
}

enum err
cohort_offer_choose(struct db *db, int64_t user_id, const char *guest_id,
    int64_t cohort_id, int64_t now, int64_t *course_id, const char **message)
{
	enum cohort_refusal why;
	enum cart_add_result r;
	int offered = 0;
	enum err e;

	*course_id = 0;
	if ((e = refusal_now(db, cohort_id, now, course_id, &why)) != ERR_OK)
		return e;
	/* A place offered from the waitlist is this person's, full or not. */
	if ((why == COHORT_FULL || why == COHORT_PAST_DEADLINE) &&
	    (e = cohort_place_offered(db, cohort_id, user_id, &offered)) !=
	    ERR_OK)
		return e;
	if (why != COHORT_OPEN && !offered) {
		*message = cohort_refusal_message(why);
		return ERR_CONFLICT;
	}
	if ((e = cart_add_cohort(db, user_id, guest_id, *course_id, cohort_id,
	    &r)) != ERR_OK)
		return e;
	if (r == CART_ADDED)
		*message = "Added to your cart for this cohort. Your place is "
		    "held when you check out.";
	else if (r == CART_ALREADY_IN)
		*message = "That cohort is already in your cart.";
	else {
		*message = cart_add_message(r);
		return ERR_CONFLICT;
	}
	return ERR_OK;
}
