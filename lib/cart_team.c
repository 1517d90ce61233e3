/* A cart bought for a team (see cart_team.h). */
#include "cart_team.h"
#include "db.h"
#include "db_rows.h"

enum err
cart_team_manages(struct db *db, int64_t team_id, int64_t user_id, int *yes)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM team_members WHERE "
	    "team_id = ? AND user_id = ? AND role IN ('owner', 'manager')");
	enum err e;

	*yes = 0;
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK)
		*yes = 1;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
team_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct cart_team *t = elem;

	t->id = db_col_int64(st, 0);
	return (t->name = db_col_text_dup(a, st, 1)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
cart_team_choices(struct db *db, struct arena *a, int64_t user_id,
    struct cart_team **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT t.id, t.name FROM "
	    "team_members m JOIN teams t ON t.id = m.team_id WHERE "
	    "m.user_id = ? AND m.role IN ('owner', 'manager') "
	    "ORDER BY t.name, t.id");

	db_bind_int64(st, 1, user_id);
	return db_rows(st, a, team_row, sizeof(**out), (void **)out, n);
}

enum err
cart_buy_for(struct db *db, int64_t user_id, int64_t team_id, int64_t now)
{
	struct db_stmt *st;
	int yes = 1;
	enum err e;

	/* BEGIN IMMEDIATE: the role read and the change see the same rows
	 * (PostgreSQL: the member row FOR SHARE). */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if (team_id != 0 && (e = cart_team_manages(db, team_id, user_id,
	    &yes)) != ERR_OK)
		goto out;
	if (!yes) {
		e = ERR_FORBIDDEN;
		goto out;
	}
	/* The choice comes first, the courses after: an empty cart is
	 * made to keep it. */
	st = db_prep(db, "INSERT INTO carts (user_id, team_id, created_at, "
	    "updated_at) VALUES (?3, ?1, ?2, ?2) ON CONFLICT (user_id) DO "
	    "UPDATE SET team_id = excluded.team_id, updated_at = "
	    "excluded.updated_at");
	if (team_id != 0)
		db_bind_int64(st, 1, team_id);
	else
		db_bind_null(st, 1);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, user_id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if (team_id == 0) {
		st = db_prep(db, "UPDATE cart_items SET quantity = 1 WHERE "
		    "cart_id IN (SELECT id FROM carts WHERE user_id = ?) AND "
		    "quantity <> 1");
		db_bind_int64(st, 1, user_id);
		if ((e = db_run(st)) != ERR_OK)
			goto out;
	}
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

enum err
cart_set_seats(struct db *db, int64_t user_id, int64_t course_id, int64_t n,
    int64_t now)
{
	struct db_stmt *st;
	int64_t team_id = 0, cart_id = 0;
	enum err e;

	if (n < 1 || n > CART_SEATS_MAX)
		return ERR_INVALID;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT id, coalesce(team_id, 0) FROM carts WHERE "
	    "user_id = ?");
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK) {
		cart_id = db_col_int64(st, 0);
		team_id = db_col_int64(st, 1);
	}
	db_done(st);
	if (e == ERR_OK && team_id == 0)
		e = ERR_CONFLICT;
	if (e != ERR_OK)
		goto out;
	st = db_prep(db, "UPDATE cart_items SET quantity = ? WHERE cart_id = ? "
	    "AND course_id = ?");
	db_bind_int64(st, 1, n);
	db_bind_int64(st, 2, cart_id);
	db_bind_int64(st, 3, course_id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if (db_changes(db) != 1) {
		e = ERR_NOTFOUND;
		goto out;
	}
	st = db_prep(db, "UPDATE carts SET updated_at = ? WHERE id = ?");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, cart_id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

enum coupon_verdict
cart_coupon_per_seat(const struct coupon *c, int64_t now, int64_t uses_total,
    int64_t uses_user, const char *currency, struct price_line *lines,
    const int64_t *seats, size_t n, int64_t *discount)
{
	enum coupon_verdict v;

	v = coupon_apply(c, now, uses_total, uses_user, currency, lines, n,
	    discount);
	if (v != COUPON_OK)
		return v;
	/* Seats are at most CART_SEATS_MAX and a share at most a price:
	 * the products stay far below INT64_MAX. */
	*discount = 0;
	for (size_t i = 0; i < n; i++) {
		lines[i].discount *= seats[i];
		*discount += lines[i].discount;
	}
	return v;
}
