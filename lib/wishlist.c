/* The wishlist (see wishlist.h). */

#include "access.h"
#include "db.h"
#include "wishlist.h"

static const char *const add_messages[WISHLIST_ADD_MAX] = {
	[WISHLIST_ADDED] = "Added to your wishlist.",
	[WISHLIST_ALREADY] = "That course is already on your wishlist.",
	[WISHLIST_OWNED] = "You already have that course: no need to wish "
	    "for it.",
	[WISHLIST_NOT_ON_SALE] = "That course is not on sale.",
	[WISHLIST_FULL] = "Your wishlist is full; remove a course first.",
};

const char *
wishlist_add_message(enum wishlist_add_result r)
{
	return (unsigned)r < WISHLIST_ADD_MAX ? add_messages[r] : "";
}

/* Decides whether course_id may go on the list. */
static enum err
check_wishable(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now, enum wishlist_add_result *res)
{
	struct access acc;
	struct db_stmt *st;
	enum err e;

	if ((e = access_check(db, user_id, course_id, now, &acc)) != ERR_OK)
		return e;
	*res = WISHLIST_ADDED;
	if (access_owned(&acc)) {
		*res = WISHLIST_OWNED;
		return ERR_OK;
	}
	st = db_prep(db, "SELECT c.is_active, (SELECT count(*) FROM wishlist "
	    "w WHERE w.user_id = ?2) FROM courses c WHERE c.id = ?1");
	db_bind_int64(st, 1, course_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK) {
		if (!db_col_int64(st, 0))
			*res = WISHLIST_NOT_ON_SALE;
		else if (db_col_int64(st, 1) >= WISHLIST_MAX)
			*res = WISHLIST_FULL;
	}
	db_done(st);
	return e;
}

enum err
wishlist_add(struct db *db, int64_t user_id, int64_t course_id, int64_t now,
    enum wishlist_add_result *res)
{
	struct db_stmt *st;
	enum err e;

	/* One transaction: the count and the insert see the same list. */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = check_wishable(db, user_id, course_id, now, res)) != ERR_OK ||
	    *res != WISHLIST_ADDED)
		goto out;
	st = db_prep(db, "INSERT INTO wishlist (user_id, course_id, added_at) "
	    "VALUES (?, ?, ?) ON CONFLICT (user_id, course_id) DO NOTHING");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, now);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if (db_changes(db) == 0)
		*res = WISHLIST_ALREADY;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

enum err
wishlist_remove(struct db *db, int64_t user_id, int64_t course_id,
    int *removed)
{
	struct db_stmt *st;
	enum err e;

	*removed = 0;
	st = db_prep(db, "DELETE FROM wishlist WHERE user_id = ? AND "
	    "course_id = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_run(st)) == ERR_OK)
		*removed = db_changes(db) > 0;
	return e;
}

enum err
wishlist_has(struct db *db, int64_t user_id, int64_t course_id, int *has)
{
	struct db_stmt *st;
	enum err e;

	*has = 0;
	st = db_prep(db, "SELECT 1 FROM wishlist WHERE user_id = ? AND "
	    "course_id = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	e = db_next(st);
	db_done(st);
	*has = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
wishlist_list(struct db *db, struct arena *a, int64_t user_id,
    struct course **out, size_t *n)
{
	int64_t ids[WISHLIST_MAX];
	struct db_stmt *st;
	size_t count = 0;
	enum err e;

	*n = 0;
	st = db_prep(db, "SELECT course_id FROM wishlist WHERE user_id = ? "
	    "ORDER BY added_at DESC, course_id DESC LIMIT 100");
	db_bind_int64(st, 1, user_id);
	while (count < WISHLIST_MAX && (e = db_next(st)) == ERR_OK)
		ids[count++] = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND && e != ERR_OK)
		return e;
	if ((*out = arena_alloc(a, (count ? count : 1) * sizeof(**out))) ==
	    NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < count; i++) {
		if ((e = catalog_get_by_id(db, a, ids[i], &(*out)[*n])) !=
		    ERR_OK)
			return e;
		(*n)++;
	}
	return ERR_OK;
}

enum err
wishlist_move_to_cart(struct db *db, int64_t user_id, int64_t course_id,
    enum cart_add_result *res)
{
	int has, removed;
	enum err e;

	if ((e = wishlist_has(db, user_id, course_id, &has)) != ERR_OK)
		return e;
	if (!has)
		return ERR_NOTFOUND;
	/* Two transactions (cart_add has its own): a failure between them
	 * leaves the course in both places, and doing it again ends it. */
	if ((e = cart_add(db, user_id, NULL, course_id, res)) != ERR_OK)
		return e;
	if (*res != CART_ADDED && *res != CART_ALREADY_IN && *res != CART_OWNED)
		return ERR_OK;
	return wishlist_remove(db, user_id, course_id, &removed);
}
