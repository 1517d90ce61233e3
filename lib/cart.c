/* Carts over the carts and cart_items tables.  A guest's cart is keyed by
 * the guest cookie; at login it is folded into the user's cart so nothing
 * picked before logging in is lost. */
#include <assert.h>
#include <time.h>

#include "cart.h"
#include "db.h"

/* Sets *id to the cart of guest_id, or 0 when it has none. */
static enum err
guest_cart(struct db *db, const char *guest_id, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	*id = 0;
	if ((st = db_prep(db, "SELECT id FROM carts WHERE guest_id = ?")) ==
	    NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, guest_id);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Sets *id to the cart of user_id, creating an empty one if needed. */
static enum err
user_cart(struct db *db, int64_t user_id, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	if ((st = db_prep(db, "INSERT INTO carts (user_id) VALUES (?) "
	    "ON CONFLICT (user_id) DO NOTHING")) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, user_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((st = db_prep(db, "SELECT id FROM carts WHERE user_id = ?")) ==
	    NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

/* Moves items and coupon from cart from into cart to, then deletes from. */
static enum err
fold(struct db *db, int64_t from, int64_t to)
{
	struct db_stmt *st;
	enum err e;

	/* The WHERE keeps SQLite from reading ON CONFLICT as a join. */
	if ((st = db_prep(db, "INSERT INTO cart_items (cart_id, course_id, "
	    "added_at, added_amount, cohort_id) SELECT ?, course_id, added_at, "
	    "added_amount, cohort_id FROM cart_items "
	    "WHERE cart_id = ? ON CONFLICT (cart_id, course_id) DO NOTHING")) ==
	    NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, to);
	db_bind_int64(st, 2, from);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((st = db_prep(db, "UPDATE carts SET coupon_code = coalesce("
	    "coupon_code, (SELECT coupon_code FROM carts WHERE id = ?1)), "
	    "updated_at = ?3 WHERE id = ?2")) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, from);
	db_bind_int64(st, 2, to);
	db_bind_int64(st, 3, (int64_t)time(NULL));
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((st = db_prep(db, "DELETE FROM carts WHERE id = ?")) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, from);
	return db_run(st);
}

enum err
cart_merge_guest(struct db *db, const char *guest_id, int64_t user_id)
{
	int64_t from, to;
	enum err e;

	assert(db != NULL && user_id > 0);
	if (guest_id == NULL)
		return ERR_OK;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = guest_cart(db, guest_id, &from)) == ERR_OK && from != 0 &&
	    (e = user_cart(db, user_id, &to)) == ERR_OK)
		e = fold(db, from, to);
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
cart_count(struct db *db, int64_t user_id, const char *guest_id, int64_t *n)
{
	struct db_stmt *st;
	enum err e;

	assert(db != NULL);
	*n = 0;
	if (user_id > 0) {
		st = db_prep(db, "SELECT count(*) FROM cart_items i JOIN carts c "
		    "ON c.id = i.cart_id WHERE c.user_id = ?");
		db_bind_int64(st, 1, user_id);
	} else if (guest_id != NULL) {
		st = db_prep(db, "SELECT count(*) FROM cart_items i JOIN carts c "
		    "ON c.id = i.cart_id WHERE c.guest_id = ?");
		db_bind_text(st, 1, guest_id);
	} else
		return ERR_OK;
	if ((e = db_next(st)) == ERR_OK)
		*n = db_col_int64(st, 0);
	db_done(st);
	return e;
}
