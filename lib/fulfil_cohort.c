/* Fulfilment of cohort orders (see fulfil_cohort.h). */
#include <stdio.h>

#include "cohort_bookings.h"
#include "db.h"
#include "fulfil_cohort.h"
#include "install.h"
#include "log.h"
#include "order.h"
#include "stripe.h"

enum err
fulfil_cohort_bookings(struct db *db, int64_t order_id, int64_t user_id,
    int64_t now)
{
	struct db_stmt *st;
	int64_t cohorts[32];
	size_t n = 0;
	enum err e;

	st = db_prep(db, "SELECT cohort_id FROM order_items WHERE order_id = ? "
	    "AND cohort_id IS NOT NULL ORDER BY id LIMIT 32");
	db_bind_int64(st, 1, order_id);
	while ((e = db_next(st)) == ERR_OK)
		cohorts[n++] = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	for (size_t i = 0; i < n; i++)
		if ((e = cohort_bookings_open(db, user_id, cohorts[i], now,
		    NULL)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
fulfil_cohort_mail_text(struct db *db, int64_t order_id, const char *base_url,
    struct buf *body)
{
	struct db_stmt *st = db_prep(db, "SELECT i.course_id, i.title, h.name "
	    "FROM order_items i JOIN cohorts h ON h.id = i.cohort_id WHERE "
	    "i.order_id = ? ORDER BY i.id");
	enum err e;

	db_bind_int64(st, 1, order_id);
	while ((e = db_next(st)) == ERR_OK)
		buf_printf(body, "Book your sessions of %s (%s): "
		    "%s/account/courses/%lld/book\n", db_col_text(st, 1),
		    db_col_text(st, 2), base_url,
		    (long long)db_col_int64(st, 0));
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

void
fulfil_cohort_full_text(struct buf *body, const char *name,
    const char *number, const char *cohort, const char *base_url,
    int64_t order_id)
{
	buf_printf(body, "Hello %s,\n\nthe cohort %s filled before your "
	    "payment for order %s arrived; we have refunded you. The refund "
	    "reaches your card in a few days.\n\nThe order: "
	    "%s/payment/order/%lld\n", name, cohort, number, base_url,
	    (long long)order_id);
}

enum err
fulfil_cohort_refund(struct db *db, struct stripe *s, int64_t order_id,
    const char *session_id, const char *payment_intent)
{
	struct stripe_refund_params p = { .payment_intent = payment_intent };
	char install[INSTALL_ID_SIZE], key[320], msg[1400], number[64] = "";
	struct stripe_refund out;
	struct stripe_error se;
	struct db_stmt *st;
	enum err e;

	if ((e = install_id(db, install)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT number FROM orders WHERE id = ?");
	db_bind_int64(st, 1, order_id);
	if (db_next(st) == ERR_OK)
		snprintf(number, sizeof(number), "%s", db_col_text(st, 0));
	db_done(st);
	p.owner = (struct stripe_owner){ install, order_id,
	    number[0] != '\0' ? number : NULL };
	/* One key per paid session: whoever refunds first, Stripe refunds
	 * once. */
	snprintf(key, sizeof(key), "%s-refund-cohort-full-%s", install,
	    session_id);
	if (s != NULL && payment_intent != NULL &&
	    stripe_refund_create(s, &p, key, &out, &se) == ERR_OK) {
		log_info(NULL, "order %lld: cohort full; refunded %s (%s)",
		    (long long)order_id, payment_intent, out.id);
		return ERR_OK;
	}
	log_error(NULL, "order %lld: cohort full; the refund of %s failed: %s",
	    (long long)order_id, payment_intent != NULL ? payment_intent :
	    "(no payment intent)", s == NULL ? "no Stripe" :
	    stripe_error_format(&se, msg, sizeof(msg)));
	return order_flag(db, order_id, "the cohort filled before this "
	    "payment arrived and the automatic refund failed: refund it");
}
