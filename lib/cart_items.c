/* Cart contents and their prices (see cart_items.h).  Prices always come
 * from the courses table at the moment of looking; the order freezes them
 * at checkout. */
#include <string.h>
#include <time.h>

#include "access.h"
#include "cart_items.h"
#include "cart_team.h"
#include "db.h"
#include "money.h"
#include "order.h"

#define CART_MAX_ITEMS 20

static const char *const add_messages[CART_ADD_MAX] = {
	[CART_ADDED] = "Added to your cart.",
	[CART_ALREADY_IN] = "That course is already in your cart.",
	[CART_OWNED] = "You already have access to that course.",
	[CART_NOT_ON_SALE] = "That course is not on sale.",
	[CART_FREE] = "That course is free: enrol from its page.",
	[CART_FULL] = "Your cart is full; check out or remove a course first.",
	[CART_CHOOSE_COHORT] = "Choose a cohort on the course's page.",
};

const char *
cart_add_message(enum cart_add_result r)
{
	return (unsigned)r < CART_ADD_MAX ? add_messages[r] : "";
}

/* Finds the visitor's cart; *id is 0 when there is none. */
static enum err
cart_find_team(struct db *db, struct arena *a, int64_t user_id,
    const char *guest_id, int64_t *id, const char **coupon, int64_t *team_id)
{
	struct db_stmt *st;
	enum err e;

	*id = 0;
	if (team_id != NULL)
		*team_id = 0;
	if (user_id > 0)
		st = db_prep(db, "SELECT id, coupon_code, coalesce(team_id, 0) "
		    "FROM carts WHERE user_id = ?");
	else
		st = db_prep(db, "SELECT id, coupon_code, coalesce(team_id, 0) "
		    "FROM carts WHERE guest_id = ?");
	if (st == NULL)
		return ERR_INTERNAL;
	if (user_id > 0)
		db_bind_int64(st, 1, user_id);
	else if (guest_id != NULL)
		db_bind_text(st, 1, guest_id);
	else
		db_bind_null(st, 1);
	if ((e = db_next(st)) == ERR_OK) {
		*id = db_col_int64(st, 0);
		if (coupon != NULL)
			*coupon = a != NULL ? db_col_text_dup(a, st, 1) : NULL;
		if (team_id != NULL)
			*team_id = db_col_int64(st, 2);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Finds the visitor's cart; *id is 0 when there is none. */
static enum err
cart_find(struct db *db, struct arena *a, int64_t user_id,
    const char *guest_id, int64_t *id, const char **coupon)
{
	return cart_find_team(db, a, user_id, guest_id, id, coupon, NULL);
}

enum err
cart_id_of(struct db *db, int64_t user_id, const char *guest_id, int64_t *id)
{
	if (user_id <= 0 && guest_id == NULL) {
		*id = 0;
		return ERR_OK;
	}
	return cart_find(db, NULL, user_id, guest_id, id, NULL);
}

/* Returns the visitor's cart id in *id, creating the cart. */
static enum err
cart_ensure(struct db *db, int64_t user_id, const char *guest_id,
    int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	if ((e = cart_find(db, NULL, user_id, guest_id, id, NULL)) != ERR_OK ||
	    *id != 0)
		return e;
	if (user_id <= 0 && guest_id == NULL)
		return ERR_INVALID;
	st = db_prep(db, "INSERT INTO carts (user_id, guest_id) VALUES (?, ?)");
	if (st == NULL)
		return ERR_INTERNAL;
	if (user_id > 0) {
		db_bind_int64(st, 1, user_id);
		db_bind_null(st, 2);
	} else {
		db_bind_null(st, 1);
		db_bind_text(st, 2, guest_id);
	}
	if ((e = db_run(st)) != ERR_OK)
		return e;
	*id = db_last_id(db);
	return ERR_OK;
}

static enum err
apply_cart_coupon(struct db *db, struct arena *a, int64_t user_id,
    int64_t now, struct cart *c)
{
	struct price_line *pl;
	struct coupon cp;
	int64_t total, mine, *seats;
	enum err e;

	c->coupon_verdict = COUPON_OK;
	if (c->coupon_code == NULL || c->n == 0)
		return ERR_OK;
	if ((pl = arena_alloc(a, c->n * sizeof(*pl))) == NULL ||
	    (seats = cart_seats(a, c)) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < c->n; i++) {
		pl[i].course_id = c->lines[i].course.id;
		pl[i].course_type = c->lines[i].course.type;
		pl[i].amount = c->lines[i].course.price_amount;
	}
	if ((e = coupon_load(db, a, c->coupon_code, &cp)) == ERR_NOTFOUND) {
		c->coupon_verdict = COUPON_UNKNOWN;
		return ERR_OK;
	}
	if (e != ERR_OK || (e = coupon_usage(db, cp.id, user_id, 0, &total,
	    &mine)) != ERR_OK)
		return e;
	c->coupon_verdict = cart_coupon_per_seat(&cp, now, total, mine,
	    c->currency, pl, seats, c->n, &c->discount);
	for (size_t i = 0; i < c->n; i++)
		c->lines[i].discount = pl[i].discount;
	return ERR_OK;
}

enum err
cart_load(struct db *db, struct arena *a, int64_t user_id,
    const char *guest_id, const char *try_code, int64_t now, struct cart *c)
{
	struct db_stmt *st;
	int64_t ids[CART_MAX_ITEMS], added[CART_MAX_ITEMS];
	int64_t seats[CART_MAX_ITEMS], cohorts[CART_MAX_ITEMS];
	const char *names[CART_MAX_ITEMS];
	size_t n = 0;
	enum err e;

	memset(c, 0, sizeof(*c));
	c->currency = "usd";
	if ((e = cart_find_team(db, a, user_id, guest_id, &c->id,
	    &c->coupon_code, &c->team_id)) != ERR_OK || c->id == 0)
		return e;
	st = db_prep(db, "SELECT i.course_id, coalesce(i.added_amount, -1), "
	    "i.quantity, coalesce(i.cohort_id, 0), h.name FROM cart_items i "
	    "LEFT JOIN cohorts h ON h.id = i.cohort_id WHERE i.cart_id = ? "
	    "ORDER BY i.added_at, i.id LIMIT 20");
	db_bind_int64(st, 1, c->id);
	while ((e = db_next(st)) == ERR_OK && n < CART_MAX_ITEMS) {
		added[n] = db_col_int64(st, 1);
		cohorts[n] = db_col_int64(st, 3);
		names[n] = db_col_text_dup(a, st, 4);
		/* A cart for its owner is one of each, whatever is stored. */
		seats[n] = c->team_id != 0 ? db_col_int64(st, 2) : 1;
		ids[n++] = db_col_int64(st, 0);
	}
	db_done(st);
	if (e != ERR_NOTFOUND && e != ERR_OK)
		return e;
	if ((c->lines = arena_alloc(a, (n ? n : 1) * sizeof(*c->lines))) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		if ((e = catalog_get_by_id(db, a, ids[i],
		    &c->lines[c->n].course)) == ERR_NOTFOUND)
			continue;
		if (e != ERR_OK)
			return e;
		c->lines[c->n].added_amount = added[i];
		c->lines[c->n].seats = seats[i];
		c->lines[c->n].cohort_id = cohorts[i];
		c->lines[c->n].cohort_name = names[i];
		if (c->n == 0)
			c->currency = c->lines[0].course.currency;
		if (money_mul(c->lines[c->n].course.price_amount, seats[i],
		    &c->lines[c->n].amount) != ERR_OK ||
		    money_add(c->subtotal, c->lines[c->n].amount,
		    &c->subtotal) != ERR_OK)
			return ERR_INVALID;
		c->n++;
	}
	if (try_code != NULL)
		c->coupon_code = try_code;
	if ((e = apply_cart_coupon(db, a, user_id, now, c)) != ERR_OK)
		return e;
	c->total = c->subtotal - c->discount;
	return ERR_OK;
}

/* Decides whether course_id may go into the cart: "owned" is what
 * access.h says (an expired or refunded course can be bought again), and
 * only for a cart bought for its owner (for_team 0): a team's seats of a
 * course the buyer has are for others. */
static enum err
check_addable(struct db *db, int64_t user_id, int64_t course_id,
    int for_team, int64_t cohort_id, enum cart_add_result *res)
{
	struct db_stmt *st;
	struct access acc;
	enum err e;

	if ((e = access_check(db, user_id, course_id, (int64_t)time(NULL),
	    &acc)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT is_active, price_amount, course_type FROM "
	    "courses WHERE id = ?1");
	db_bind_int64(st, 1, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		*res = CART_ADDED;
		if (!db_col_int64(st, 0))
			*res = CART_NOT_ON_SALE;
		else if (!for_team && access_owned(&acc))
			*res = CART_OWNED;
		else if (db_col_int64(st, 1) == 0)
			*res = CART_FREE;
		else if ((strcmp(db_col_text(st, 2), "cohort") == 0) !=
		    (cohort_id != 0))
			*res = CART_CHOOSE_COHORT;
	}
	db_done(st);
	return e;
}

/* A cohort line already in cart_id: its cohort takes cohort_id's place
 * (one cohort per course); CART_ALREADY_IN when it was that one. */
static enum err
replace_cohort(struct db *db, int64_t cart_id, int64_t course_id,
    int64_t cohort_id, enum cart_add_result *res)
{
	struct db_stmt *st = db_prep(db, "UPDATE cart_items SET cohort_id = ?3 "
	    "WHERE cart_id = ?1 AND course_id = ?2 AND (cohort_id IS NULL OR "
	    "cohort_id <> ?3)");
	enum err e;

	db_bind_int64(st, 1, cart_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, cohort_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	*res = db_changes(db) == 1 ? CART_ADDED : CART_ALREADY_IN;
	return ERR_OK;
}

/* Adds course_id (for cohort_id, 0: none) to the visitor's cart. */
static enum err
add_line(struct db *db, int64_t user_id, const char *guest_id,
    int64_t course_id, int64_t cohort_id, enum cart_add_result *res)
{
	struct db_stmt *st;
	int64_t cart_id, count = 0, team_id = 0;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = cart_find_team(db, NULL, user_id, guest_id, &cart_id, NULL,
	    &team_id)) != ERR_OK || (e = check_addable(db, user_id, course_id,
	    team_id != 0, cohort_id, res)) != ERR_OK || *res != CART_ADDED)
		goto out;
	if ((e = cart_ensure(db, user_id, guest_id, &cart_id)) != ERR_OK)
		goto out;
	st = db_prep(db, "SELECT count(*), coalesce(sum(CASE WHEN "
	    "course_id = ?2 THEN 1 ELSE 0 END), 0) FROM cart_items "
	    "WHERE cart_id = ?1");
	db_bind_int64(st, 1, cart_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		count = db_col_int64(st, 0);
		if (db_col_int64(st, 1))
			*res = CART_ALREADY_IN;
	}
	db_done(st);
	if (e == ERR_OK && *res == CART_ALREADY_IN && cohort_id != 0 &&
	    (e = replace_cohort(db, cart_id, course_id, cohort_id, res)) ==
	    ERR_OK && *res == CART_ADDED)
		return db_commit(db);
	if (e != ERR_OK || *res != CART_ADDED)
		goto out;
	if (count >= CART_MAX_ITEMS) {
		*res = CART_FULL;
		goto out;
	}
	st = db_prep(db, "INSERT INTO cart_items (cart_id, course_id, "
	    "added_amount, cohort_id) VALUES (?1, ?2, (SELECT price_amount "
	    "FROM courses WHERE id = ?2), ?3)");
	db_bind_int64(st, 1, cart_id);
	db_bind_int64(st, 2, course_id);
	if (cohort_id != 0)
		db_bind_int64(st, 3, cohort_id);
	else
		db_bind_null(st, 3);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

enum err
cart_add(struct db *db, int64_t user_id, const char *guest_id,
    int64_t course_id, enum cart_add_result *res)
{
	return add_line(db, user_id, guest_id, course_id, 0, res);
}

enum err
cart_add_cohort(struct db *db, int64_t user_id, const char *guest_id,
    int64_t course_id, int64_t cohort_id, enum cart_add_result *res)
{
	return add_line(db, user_id, guest_id, course_id, cohort_id, res);
}

enum err
cart_remove(struct db *db, int64_t user_id, const char *guest_id,
    int64_t course_id, int *removed)
{
	struct db_stmt *st;
	int64_t cart_id;
	enum err e;

	*removed = 0;
	if ((e = cart_find(db, NULL, user_id, guest_id, &cart_id, NULL)) !=
	    ERR_OK || cart_id == 0)
		return e;
	st = db_prep(db, "DELETE FROM cart_items WHERE cart_id = ? AND "
	    "course_id = ?");
	db_bind_int64(st, 1, cart_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_run(st)) == ERR_OK)
		*removed = db_changes(db);
	return e;
}

enum err
cart_set_coupon(struct db *db, int64_t user_id, const char *guest_id,
    const char *code)
{
	struct db_stmt *st;
	int64_t cart_id;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = cart_ensure(db, user_id, guest_id, &cart_id)) != ERR_OK)
		goto out;
	st = db_prep(db, "UPDATE carts SET coupon_code = ?1, updated_at = ?3 "
	    "WHERE id = ?2");
	db_bind_text_or_null(st, 1, code);
	db_bind_int64(st, 2, cart_id);
	db_bind_int64(st, 3, (int64_t)time(NULL));
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

int64_t *
cart_seats(struct arena *a, const struct cart *c)
{
	int64_t *seats = arena_alloc(a, (c->n ? c->n : 1) * sizeof(*seats));

	for (size_t i = 0; seats != NULL && i < c->n; i++)
		seats[i] = c->lines[i].seats;
	return seats;
}

int64_t *
cart_cohort_ids(struct arena *a, const struct cart *c)
{
	int64_t *ids = arena_alloc(a, (c->n ? c->n : 1) * sizeof(*ids));

	for (size_t i = 0; ids != NULL && i < c->n; i++)
		ids[i] = c->lines[i].cohort_id;
	return ids;
}

int64_t *
cart_course_ids(struct arena *a, const struct cart *c)
{
	int64_t *ids = arena_alloc(a, (c->n ? c->n : 1) * sizeof(*ids));

	for (size_t i = 0; ids != NULL && i < c->n; i++)
		ids[i] = c->lines[i].course.id;
	return ids;
}

enum err
cart_take_order(struct db *db, const struct order *o, size_t *added,
    enum cart_add_result *refused)
{
	enum cart_add_result r;
	const char *coupon = NULL;
	struct arena *a;
	int64_t cart_id;
	enum err e;

	*added = 0;
	*refused = CART_ADD_MAX;
	/* A team order goes back as one: for the team (while the buyer
	 * still manages it), with its seats. */
	if (o->team_id != 0 && (e = cart_buy_for(db, o->user_id, o->team_id,
	    (int64_t)time(NULL))) != ERR_OK && e != ERR_FORBIDDEN)
		return e;
	for (size_t i = 0; i < o->nitems; i++) {
		if ((e = add_line(db, o->user_id, NULL, o->items[i].course_id,
		    o->items[i].cohort_id, &r)) != ERR_OK)
			return e;
		if (r == CART_ADDED)
			(*added)++;
		else if (r != CART_ALREADY_IN && *refused == CART_ADD_MAX)
			*refused = r;
		if (o->team_id != 0 && (r == CART_ADDED ||
		    r == CART_ALREADY_IN) && (e = cart_set_seats(db, o->user_id,
		    o->items[i].course_id, o->items[i].quantity,
		    (int64_t)time(NULL))) != ERR_OK && e != ERR_CONFLICT)
			return e;
	}
	if (o->coupon_code == NULL)
		return ERR_OK;
	/* The order's coupon comes back too, unless the cart has its own. */
	if ((a = arena_new()) == NULL)
		return ERR_INTERNAL;
	e = cart_find(db, a, o->user_id, NULL, &cart_id, &coupon);
	if (e == ERR_OK && cart_id != 0 && coupon == NULL)
		e = cart_set_coupon(db, o->user_id, NULL, o->coupon_code);
	arena_free(a);
	return e;
}

enum err
cart_drop_order(struct db *db, const struct order *o, int *removed)
{
	struct db_stmt *st;
	enum err e;

	*removed = 0;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "DELETE FROM cart_items WHERE cart_id IN (SELECT id "
	    "FROM carts WHERE user_id = ?1) AND course_id IN (SELECT course_id "
	    "FROM order_items WHERE order_id = ?2)");
	db_bind_int64(st, 1, o->user_id);
	db_bind_int64(st, 2, o->id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	*removed = db_changes(db);
	st = db_prep(db, "UPDATE carts SET coupon_code = NULL WHERE user_id = ? "
	    "AND NOT EXISTS (SELECT 1 FROM cart_items WHERE cart_id = carts.id)");
	db_bind_int64(st, 1, o->user_id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	*removed = 0;
	db_rollback(db);
	return e;
}
