/* A team's billing (see team_billing.h). */
#include "db.h"
#include "db_rows.h"
#include "team_billing.h"

static enum err
bill_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_bill *b = elem;

	*b = (struct team_bill){ .id = db_col_int64(st, 0),
	    .number = db_col_text_dup(a, st, 1),
	    .created_at = db_col_int64(st, 2),
	    .paid_at = db_col_int64(st, 3),
	    .buyer = db_col_text_dup(a, st, 4),
	    .status = db_col_text_dup(a, st, 5),
	    .currency = db_col_text_dup(a, st, 6),
	    .total = db_col_int64(st, 7),
	    .refunded = db_col_int64(st, 8),
	    .receipt_url = db_col_text_dup(a, st, 9),
	    .buyer_id = db_col_int64(st, 10) };
	return b->number == NULL || b->buyer == NULL || b->status == NULL ||
	    b->currency == NULL || b->receipt_url == NULL ? ERR_INTERNAL :
	    ERR_OK;
}

static enum err
item_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_bill_item *it = elem;

	it->seats = db_col_int64(st, 1);
	it->refunded_seats = db_col_int64(st, 2);
	return (it->title = db_col_text_dup(a, st, 0)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
team_bills(struct db *db, struct arena *a, int64_t team_id,
    const struct team_bill_page *pg, struct team_bill **out, size_t *n,
    int *more)
{
	struct db_stmt *st;
	enum err e;

	*more = 0;
	/* One more than a page tells whether another follows; the index
	 * orders_team (team_id, created_at, id) serves the key. */
	st = db_prep(db, "SELECT o.id, o.number, o.created_at, "
	    "coalesce(o.paid_at, 0), CASE WHEN u.name <> '' THEN u.name ELSE "
	    "u.email END, o.status, o.currency, o.total_amount, "
	    "o.refunded_amount, coalesce(o.receipt_url, ''), o.user_id "
	    "FROM orders o "
	    "JOIN users u ON u.id = o.user_id WHERE o.team_id = ?1 AND "
	    "o.status IN ('paid', 'partially_refunded', 'refunded', "
	    "'disputed') AND (?3 = 0 OR o.created_at < ?2 OR (o.created_at = "
	    "?2 AND o.id < ?3)) ORDER BY o.created_at DESC, o.id DESC "
	    "LIMIT ?4");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, pg->before_at);
	db_bind_int64(st, 3, pg->before_id);
	db_bind_int64(st, 4, pg->per_page + 1);
	if ((e = db_rows(st, a, bill_row, sizeof(**out), (void **)out, n)) !=
	    ERR_OK)
		return e;
	if (*n > (size_t)pg->per_page) {
		*n = (size_t)pg->per_page;
		*more = 1;
	}
	for (size_t i = 0; i < *n; i++) {
		st = db_prep(db, "SELECT title, quantity, refunded_seats FROM "
		    "order_items WHERE order_id = ? ORDER BY id");
		db_bind_int64(st, 1, (*out)[i].id);
		if ((e = db_rows(st, a, item_row, sizeof(*(*out)[i].items),
		    (void **)&(*out)[i].items, &(*out)[i].nitems)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}
