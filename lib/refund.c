/* Refunds the store makes (see refund.h): open the record, ask Stripe,
 * record its answer.  Stripe is asked outside any transaction, so a slow
 * Stripe never holds the write lock; each step before and after is one
 * transaction with its audit row. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "buf.h"
#include "db.h"
#include "db_rows.h"
#include "fulfil.h"
#include "fulfil_seats.h"
#include "install.h"
#include "log.h"
#include "mail.h"
#include "money.h"
#include "refund.h"
#include "report.h"

static const char *const kinds[REFUND_KIND_MAX] = {
	[REFUND_WHOLE] = "whole", [REFUND_ITEMS] = "items",
	[REFUND_AMOUNT] = "amount", [REFUND_SEATS] = "seats",
};

const char *
refund_kind_name(enum refund_kind k)
{
	return (unsigned)k < REFUND_KIND_MAX ? kinds[k] : "?";
}

int
refund_kind_of(const char *name, enum refund_kind *k)
{
	for (int i = 0; name != NULL && i < REFUND_KIND_MAX; i++)
		if (strcmp(name, kinds[i]) == 0) {
			*k = (enum refund_kind)i;
			return 1;
		}
	return 0;
}

int
refund_reason_known(const char *reason)
{
	return strcmp(reason, "duplicate") == 0 ||
	    strcmp(reason, "fraudulent") == 0 ||
	    strcmp(reason, "requested_by_customer") == 0;
}

enum err
refund_of_order(struct db *db, int64_t refund_id, int64_t order_id)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM refunds WHERE id = ? "
	    "AND order_id = ?");
	enum err e;

	db_bind_int64(st, 1, refund_id);
	db_bind_int64(st, 2, order_id);
	e = db_next(st);
	db_done(st);
	return e;
}

void
refund_token_new(char out[REFUND_TOKEN_SIZE])
{
	unsigned char raw[(REFUND_TOKEN_SIZE - 1) / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, REFUND_TOKEN_SIZE, raw, sizeof(raw));
}

/* The most items of one order a refund looks at. */
#define ORDER_ITEMS_MAX 128

/* What of an order a refund is planned against. */
struct plan {
	char status[24];	/* orders.status */
	char currency[8];	/* lower-case */
	int64_t remaining;	/* total - refunded so far */
	int has_payment;	/* a payment intent to refund */
	int64_t team_id;	/* a team order's team, 0 */
	size_t n;		/* items below */
	struct {
		int64_t id;	/* order_items.id */
		int64_t left;	/* what of it is not refunded yet */
		int64_t take;	/* what this refund gives back of it */
		int64_t paid;	/* price times seats less discount */
		int64_t quantity; /* seats (1 for a student's item) */
		int64_t seats_left; /* quantity - refunded_seats */
		int64_t course_id; /* courses.id */
		int64_t seats;	/* seats this refund takes back */
	} item[ORDER_ITEMS_MAX];
};

static enum err
plan_load(struct db *db, int64_t order_id, struct plan *pl)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT status, currency, total_amount - "
	    "refunded_amount, stripe_payment_intent IS NOT NULL, "
	    "coalesce(team_id, 0) FROM orders WHERE id = ?");
	db_bind_int64(st, 1, order_id);
	if ((e = db_next(st)) == ERR_OK) {
		snprintf(pl->status, sizeof(pl->status), "%s",
		    db_col_text(st, 0));
		snprintf(pl->currency, sizeof(pl->currency), "%s",
		    db_col_text(st, 1));
		pl->remaining = db_col_int64(st, 2);
		pl->has_payment = db_col_int64(st, 3) != 0;
		pl->team_id = db_col_int64(st, 4);
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "SELECT id, unit_amount * quantity - discount_amount "
	    "- refunded_amount, unit_amount * quantity - discount_amount, "
	    "quantity, quantity - refunded_seats, course_id FROM order_items "
	    "WHERE order_id = ? ORDER BY id LIMIT 128");
	db_bind_int64(st, 1, order_id);
	pl->n = 0;
	while ((e = db_next(st)) == ERR_OK && pl->n < ORDER_ITEMS_MAX) {
		pl->item[pl->n].id = db_col_int64(st, 0);
		pl->item[pl->n].left = db_col_int64(st, 1);
		pl->item[pl->n].paid = db_col_int64(st, 2);
		pl->item[pl->n].quantity = db_col_int64(st, 3);
		pl->item[pl->n].seats_left = db_col_int64(st, 4);
		pl->item[pl->n].course_id = db_col_int64(st, 5);
		pl->item[pl->n].seats = 0;
		pl->item[pl->n++].take = 0;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

int64_t
refund_seats_amount(int64_t paid, int64_t quantity, int64_t seats_left,
    int64_t left, int64_t n)
{
	int64_t take;

	if (n >= seats_left)
		return left;
	/* paid * n / quantity without overflow, rounded down. */
	take = quantity > 0 ? paid / quantity * n + paid % quantity * n /
	    quantity : 0;
	return take < left ? take : left;
}

/* REFUND_SEATS: rq->seats of the item rq->items[0]. */
static int
plan_seats(const struct refund_request *rq, struct plan *pl, int64_t *amount,
    struct refund_refusal *why)
{
	size_t i;

	*why = (struct refund_refusal){ "seats", "Choose the course whose "
	    "seats you refund.", 1 };
	if (rq->nitems != 1)
		return 0;
	for (i = 0; i < pl->n && pl->item[i].id != rq->items[0]; i++)
		;
	if (i == pl->n)
		return 0;
	*why = (struct refund_refusal){ "seats", "No seat of this course is "
	    "left to refund.", 0 };
	if (pl->item[i].seats_left <= 0 || pl->item[i].left <= 0)
		return 0;
	*why = (struct refund_refusal){ "seats", "Type a number of seats from "
	    "1 to the seats not refunded yet.", 1 };
	if (rq->seats < 1 || rq->seats > pl->item[i].seats_left)
		return 0;
	pl->item[i].seats = rq->seats;
	pl->item[i].take = *amount = refund_seats_amount(pl->item[i].paid,
	    pl->item[i].quantity, pl->item[i].seats_left, pl->item[i].left,
	    rq->seats);
	*why = (struct refund_refusal){ "seats", "These seats come to more "
	    "than what remains refundable of the order.", 0 };
	return *amount > 0 && *amount <= pl->remaining;
}

/* Sets *amount to what rq refunds and each item's take; *why when it
 * cannot be done. */
static int
plan_amount(const struct refund_request *rq, struct plan *pl, int64_t *amount,
    struct refund_refusal *why)
{
	size_t i, j;
	int64_t left;

	*amount = 0;
	switch (rq->kind) {
	case REFUND_WHOLE:
		/* Each item gets what is left of it, as far as the money
		 * left goes (an amount refunded before is no item's). */
		*amount = left = pl->remaining;
		for (i = 0; i < pl->n && left > 0; i++) {
			pl->item[i].take = pl->item[i].left < left ?
			    pl->item[i].left : left;
			left -= pl->item[i].take;
		}
		return 1;
	case REFUND_ITEMS:
		*why = (struct refund_refusal){ "items", "Choose at least one "
		    "item to refund.", 1 };
		if (rq->nitems == 0)
			return 0;
		for (j = 0; j < rq->nitems; j++) {
			for (i = 0; i < pl->n && pl->item[i].id != rq->items[j];
			    i++)
				;
			*why = (struct refund_refusal){ "items", "An item you "
			    "chose is not in this order, or is refunded "
			    "already.", 0 };
			if (i == pl->n || pl->item[i].left <= 0 ||
			    pl->item[i].take != 0)
				return 0;
			pl->item[i].take = pl->item[i].left;
			*amount += pl->item[i].take;
		}
		*why = (struct refund_refusal){ "items", "These items come to "
		    "more than what remains refundable of the order.", 0 };
		return *amount <= pl->remaining;
	case REFUND_SEATS:
		return plan_seats(rq, pl, amount, why);
	case REFUND_AMOUNT:
		*why = (struct refund_refusal){ "amount", "Type an amount such "
		    "as 12.50.", 1 };
		if (rq->amount_text == NULL || money_parse(rq->amount_text,
		    pl->currency, amount) != ERR_OK)
			return 0;
		*why = (struct refund_refusal){ "amount", *amount <= 0 ?
		    "Type an amount above zero." : "That is more than what "
		    "remains refundable of the order.", *amount <= 0 };
		return *amount > 0 && *amount <= pl->remaining;
	default:
		*why = (struct refund_refusal){ "kind", "Choose what to "
		    "refund.", 1 };
		return 0;
	}
}

/* Checks that the order can be refunded at all; *why when not. */
static enum err
order_refundable(struct db *db, int64_t order_id, enum refund_kind kind,
    const struct plan *pl, struct refund_refusal *why)
{
	struct db_stmt *st;
	enum err e;

	*why = (struct refund_refusal){ "kind", "Only a paid order can be "
	    "refunded here.", 0 };
	if ((strcmp(pl->status, "paid") != 0 &&
	    strcmp(pl->status, "partially_refunded") != 0) || !pl->has_payment)
		return ERR_INVALID;
	*why = (struct refund_refusal){ "kind", "Nothing of this order is left "
	    "to refund.", 0 };
	if (pl->remaining <= 0)
		return ERR_INVALID;
	/* A team order's seats go back as the admin chooses, per course. */
	*why = (struct refund_refusal){ "kind", pl->team_id != 0 ? "This order "
	    "bought seats for a team: refund seats of a course (the seats "
	    "refund page), or an amount." : "Only a team order has seats to "
	    "refund.", 1 };
	if ((pl->team_id != 0 && (kind == REFUND_WHOLE || kind ==
	    REFUND_ITEMS)) || (pl->team_id == 0 && kind == REFUND_SEATS))
		return ERR_INVALID;
	st = db_prep(db, "SELECT 1 FROM refunds WHERE order_id = ? AND "
	    "status = 'pending'");
	db_bind_int64(st, 1, order_id);
	e = db_next(st);
	db_done(st);
	*why = (struct refund_refusal){ "kind", "A refund of this order is "
	    "waiting for Stripe's answer: send it again from the list of "
	    "refunds before making another.", 0 };
	return e == ERR_OK ? ERR_INVALID : e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Finds the refund an earlier submission of token made. */
static enum err
refund_of_token(struct db *db, const char *token, int64_t *id)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM refunds WHERE "
	    "form_token = ?");
	enum err e;

	db_bind_text(st, 1, token);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

/* The audit row of a new refund: what was asked. */
static enum err
audit_open(struct db *db, const struct refund_request *rq, int64_t id,
    int64_t amount, const char *currency)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *after;
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "order", rq->order_id);
	if ((after = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	if (cJSON_AddNumberToObject(after, "refund_id", (double)id) != NULL &&
	    cJSON_AddStringToObject(after, "kind", kinds[rq->kind]) != NULL &&
	    cJSON_AddNumberToObject(after, "amount", (double)amount) != NULL &&
	    cJSON_AddStringToObject(after, "currency", currency) != NULL &&
	    cJSON_AddStringToObject(after, "status", "pending") != NULL &&
	    cJSON_AddStringToObject(after, "note", rq->note != NULL ?
	    rq->note : "") != NULL && (rq->kind != REFUND_SEATS ||
	    (cJSON_AddNumberToObject(after, "seats", (double)rq->seats) !=
	    NULL && cJSON_AddNumberToObject(after, "seats_revoked",
	    (double)rq->nrevoke) != NULL)))
		e = audit_write(db, rq->actor, "refund.request", subject, NULL,
		    after, "refund asked of Stripe", rq->now);
	cJSON_Delete(after);
	return e;
}

static enum err
insert_refund(struct db *db, const struct refund_request *rq,
    const struct plan *pl, int64_t amount, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "INSERT INTO refunds (order_id, amount, currency, "
	    "status, reason, note, created_by, created_at, updated_at, "
	    "form_token) VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, ?7, ?8) "
	    "RETURNING id");
	db_bind_int64(st, 1, rq->order_id);
	db_bind_int64(st, 2, amount);
	db_bind_text(st, 3, pl->currency);
	db_bind_text(st, 4, rq->reason != NULL ? rq->reason : "");
	db_bind_text(st, 5, rq->note != NULL ? rq->note : "");
	db_bind_int64(st, 6, rq->actor);
	db_bind_int64(st, 7, rq->now);
	db_bind_text(st, 8, rq->form_token);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->item[i].take <= 0)
			continue;
		st = db_prep(db, "INSERT INTO refund_items (refund_id, "
		    "order_item_id, amount, seats) VALUES (?, ?, ?, ?)");
		db_bind_int64(st, 1, *id);
		db_bind_int64(st, 2, pl->item[i].id);
		db_bind_int64(st, 3, pl->item[i].take);
		db_bind_int64(st, 4, pl->item[i].seats);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* REFUND_SEATS: revokes the chosen assignments and removes the seats
 * (fulfil_seats.h), in refund_open's transaction; ERR_INVALID with *why
 * when the choice does not free enough seats. */
static enum err
take_seats(struct db *db, const struct refund_request *rq,
    const struct plan *pl, struct refund_refusal *why)
{
	char detail[96];
	size_t i;
	enum err e;

	for (i = 0; i < pl->n && pl->item[i].seats == 0; i++)
		;
	if (i == pl->n)
		return ERR_INTERNAL;
	snprintf(detail, sizeof(detail), "seats refunded of order %lld",
	    (long long)rq->order_id);
	e = fulfil_seats_refund(db, pl->team_id, pl->item[i].course_id,
	    pl->item[i].id, rq->seats, rq->revoke, rq->nrevoke, rq->actor,
	    detail, rq->now);
	if (e == ERR_NOTFOUND)
		*why = (struct refund_refusal){ "revoke", "Someone you chose "
		    "no longer holds a seat of this course: look at the list "
		    "again.", 0 };
	else if (e == ERR_CONFLICT)
		*why = (struct refund_refusal){ "revoke", "Too few seats are "
		    "free: choose whose seats end, at least as many as the "
		    "seats refunded beyond the free ones.", 0 };
	if (e == ERR_NOTFOUND || e == ERR_CONFLICT)
		return ERR_INVALID;
	if (e != ERR_OK)
		return e;
	/* The seats left the sales report's count now. */
	return report_order_changed(db, rq->order_id);
}

enum err
refund_open(struct db *db, const struct refund_request *rq,
    int64_t *refund_id, int *repeat, struct refund_refusal *why)
{
	struct plan pl;
	int64_t amount;
	enum err e;

	*repeat = 0;
	*refund_id = 0;
	/* BEGIN IMMEDIATE: what remains and whether a refund is pending
	 * cannot change under us until the new row is in. */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	e = refund_of_token(db, rq->form_token, refund_id);
	if (e == ERR_OK) {
		*repeat = 1;
		e = ERR_CONFLICT;
		goto out;
	}
	if (e != ERR_NOTFOUND || (e = plan_load(db, rq->order_id, &pl)) !=
	    ERR_OK || (e = order_refundable(db, rq->order_id, rq->kind, &pl, why)) !=
	    ERR_OK)
		goto out;
	if (!plan_amount(rq, &pl, &amount, why)) {
		e = ERR_INVALID;
		goto out;
	}
	if (rq->kind == REFUND_SEATS && (e = take_seats(db, rq, &pl, why)) !=
	    ERR_OK)
		goto out;
	if ((e = insert_refund(db, rq, &pl, amount, refund_id)) != ERR_OK ||
	    (e = audit_open(db, rq, *refund_id, amount, pl.currency)) !=
	    ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}

/* A refund as refund_send needs it. */
struct sending {
	char status[16];	/* refunds.status */
	int64_t amount;		/* minor units */
	char currency[8];	/* lower-case */
	char reason[32];	/* Stripe's reason, "" */
	int64_t order_id;	/* orders.id */
	char number[32];	/* ORD-... */
	char pi[STRIPE_ID_SIZE]; /* the order's payment intent */
	char session[STRIPE_ID_SIZE]; /* its Checkout Session */
	int64_t actor;		/* the admin who asked */
	int64_t user_id;	/* the buyer */
	int for_team;		/* the order bought a team's seats */
};

static enum err
sending_load(struct db *db, int64_t id, struct sending *r)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT r.status, r.amount, r.currency, r.reason, "
	    "r.order_id, o.number, coalesce(o.stripe_payment_intent, ''), "
	    "coalesce(o.stripe_session_id, ''), coalesce(r.created_by, 0), "
	    "o.user_id, o.team_id IS NOT NULL FROM refunds r JOIN orders o ON "
	    "o.id = r.order_id WHERE r.id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		snprintf(r->status, sizeof(r->status), "%s", db_col_text(st, 0));
		r->amount = db_col_int64(st, 1);
		snprintf(r->currency, sizeof(r->currency), "%s",
		    db_col_text(st, 2));
		snprintf(r->reason, sizeof(r->reason), "%s", db_col_text(st, 3));
		r->order_id = db_col_int64(st, 4);
		snprintf(r->number, sizeof(r->number), "%s", db_col_text(st, 5));
		snprintf(r->pi, sizeof(r->pi), "%s", db_col_text(st, 6));
		snprintf(r->session, sizeof(r->session), "%s",
		    db_col_text(st, 7));
		r->actor = db_col_int64(st, 8);
		r->user_id = db_col_int64(st, 9);
		r->for_team = db_col_int64(st, 10) != 0;
	}
	db_done(st);
	return e;
}

/* The order's status and refunded amount, for the audit row. */
static enum err
order_money_json(struct db *db, int64_t order_id, const char *refund_status,
    cJSON **out)
{
	struct db_stmt *st;
	enum err e;

	if ((*out = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT status, refunded_amount FROM orders WHERE "
	    "id = ?");
	db_bind_int64(st, 1, order_id);
	if ((e = db_next(st)) == ERR_OK && (cJSON_AddStringToObject(*out,
	    "order_status", db_col_text(st, 0)) == NULL ||
	    cJSON_AddNumberToObject(*out, "refunded_amount",
	    (double)db_col_int64(st, 1)) == NULL ||
	    cJSON_AddStringToObject(*out, "refund_status", refund_status) ==
	    NULL))
		e = ERR_INTERNAL;
	db_done(st);
	return e;
}

/* Writes the refund's audit row: the order's money and the refund's
 * state before and after. */
static enum err
audit_outcome(struct db *db, const struct sending *r, const char *action,
    const cJSON *before, const char *status, const char *detail,
    int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *after;
	enum err e;

	audit_subject(subject, "order", r->order_id);
	if ((e = order_money_json(db, r->order_id, status, &after)) == ERR_OK)
		e = audit_write(db, r->actor, action, subject, before, after,
		    detail, now);
	cJSON_Delete(after);
	return e;
}

/* Moves refund id from pending to status, with Stripe's refund id or the
 * failure message (the other NULL keeps its column), inside the caller's
 * transaction, after reading the order's money as it stood into *before
 * (the caller frees it with cJSON_Delete, also on error).  *settled is 0
 * when an earlier send has recorded the outcome already. */
static enum err
settle(struct db *db, int64_t id, const struct sending *r,
    const char *status, const char *stripe_id, const char *message,
    int64_t now, cJSON **before, int *settled)
{
	struct db_stmt *st;
	enum err e;

	*settled = 0;
	if ((e = order_money_json(db, r->order_id, "pending", before)) !=
	    ERR_OK)
		return e;
	st = db_prep(db, "UPDATE refunds SET status = ?1, stripe_refund_id = "
	    "coalesce(?2, stripe_refund_id), failure_message = coalesce(?3, "
	    "failure_message), updated_at = ?4 WHERE id = ?5 AND "
	    "status = 'pending'");
	db_bind_text(st, 1, status);
	db_bind_text_or_null(st, 2, stripe_id);
	db_bind_text_or_null(st, 3, message);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, id);
	if ((e = db_run(st)) == ERR_OK)
		*settled = db_changes(db) == 1;
	return e;
}

static enum err
mark_failed(struct db *db, int64_t id, const struct sending *r,
    const char *message, int64_t now)
{
	cJSON *before = NULL;
	int settled;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = settle(db, id, r, "failed", NULL, message, now, &before,
	    &settled)) != ERR_OK)
		goto out;
	/* The seats it removed come back (who was revoked stays so). */
	if (settled && ((e = fulfil_seats_restore(db, id, now)) != ERR_OK ||
	    (e = report_order_changed(db, r->order_id)) != ERR_OK))
		goto out;
	if (settled && (e = audit_outcome(db, r, "refund.failed", before,
	    "failed", message, now)) != ERR_OK)
		goto out;
	cJSON_Delete(before);
	return db_commit(db);
out:
	cJSON_Delete(before);
	db_rollback(db);
	return e;
}

/* The order's refunded total when Stripe's was not read: what the order
 * knew and the store's own succeeded refunds, whichever is more (a
 * charge.refunded event brings it to Stripe's figure in any case). */
static enum err
refunded_fallback(struct db *db, int64_t order_id, int64_t *total)
{
	struct db_stmt *st = db_prep(db, "SELECT o.refunded_amount, "
	    "(SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE "
	    "r.order_id = o.id AND r.status = 'succeeded') FROM orders o "
	    "WHERE o.id = ?");
	enum err e;

	db_bind_int64(st, 1, order_id);
	if ((e = db_next(st)) == ERR_OK) {
		*total = db_col_int64(st, 0);
		if (db_col_int64(st, 1) > *total)
			*total = db_col_int64(st, 1);
	}
	db_done(st);
	return e;
}

/* The student's mail: what was refunded and which courses closed. */
static enum err
mail_text(struct db *db, int64_t id, const struct sending *r,
    const char *base_url, struct buf *body)
{
	char to[MAIL_ADDR_MAX], name[MAIL_NAME_MAX];
	struct db_stmt *st;
	int any = 0;
	enum err e;

	if ((e = mail_recipient(db, r->user_id, to, name)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	buf_printf(body, "Hello %s,\n\nwe have refunded ", name);
	money_format(body, r->amount, r->currency);
	buf_printf(body, " of your order %s. It reaches your card in a few "
	    "days.\n\n", r->number);
	st = db_prep(db, "SELECT oi.title, ri.seats FROM refund_items ri JOIN "
	    "order_items oi ON oi.id = ri.order_item_id WHERE ri.refund_id = ? "
	    "ORDER BY oi.id");
	db_bind_int64(st, 1, id);
	while ((e = db_next(st)) == ERR_OK) {
		int64_t seats = db_col_int64(st, 1);

		/* A team order's refund takes seats, not the buyer's access. */
		if (!any++)
			buf_puts(body, seats > 0 ? "These seats are refunded and "
			    "are no longer your team's:\n" : "These courses are "
			    "refunded, and their lessons are closed to you now:\n");
		if (seats > 0)
			buf_printf(body, "- %lld seat%s of %s\n",
			    (long long)seats, seats == 1 ? "" : "s",
			    db_col_text(st, 0));
		else
			buf_printf(body, "- %s\n", db_col_text(st, 0));
	}
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	if (!any)
		buf_puts(body, r->for_team ? "Your team keeps its seats.\n" :
		    "Your courses stay open to you.\n");
	buf_printf(body, "\nThe order: %s/payment/order/%lld\n", base_url,
	    (long long)r->order_id);
	return body->oom ? ERR_INTERNAL : ERR_OK;
}

static enum err
mark_succeeded(struct db *db, int64_t id, const struct sending *r,
    const char *stripe_id, int64_t stripe_total, const char *base_url,
    int64_t now)
{
	struct buf body = { 0 };
	enum fulfil_outcome fo;
	cJSON *before = NULL;
	int64_t total = stripe_total;
	int settled;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = settle(db, id, r, "succeeded", stripe_id, NULL, now, &before,
	    &settled)) != ERR_OK)
		goto out;
	if (!settled)	/* recorded by an earlier send */
		goto done;
	if ((total < 0 && (e = refunded_fallback(db, r->order_id, &total)) !=
	    ERR_OK) || (e = mail_text(db, id, r, base_url, &body)) != ERR_OK ||
	    (e = fulfil_refund_in_tx(db, r->order_id, id, total, body.data,
	    base_url, now, &fo)) != ERR_OK ||
	    (e = audit_outcome(db, r, "refund.succeeded", before, "succeeded",
	    stripe_id, now)) != ERR_OK)
		goto out;
done:
	cJSON_Delete(before);
	buf_free(&body);
	return db_commit(db);
out:
	cJSON_Delete(before);
	buf_free(&body);
	db_rollback(db);
	return e;
}

/* Reads what Stripe's charge now says is refunded in all; -1 when it
 * could not be read (the caller falls back on what it knows). */
static int64_t
stripe_refunded(struct stripe *s, const char *session)
{
	struct stripe_session ss;
	int64_t total = -1;

	if (session[0] != '\0' && stripe_checkout_retrieve(s, session, &ss,
	    NULL) == ERR_OK && ss.have_charge)
		total = ss.amount_refunded;
	stripe_session_free(&ss);
	return total;
}

enum err
refund_send(struct db *db, struct stripe *s, int64_t refund_id,
    const char *base_url, int64_t now, struct stripe_error *se)
{
	char install[INSTALL_ID_SIZE], key[160];
	struct stripe_refund_params p = { 0 };
	struct stripe_refund out;
	struct sending r;
	enum err e;

	memset(se, 0, sizeof(*se));
	if ((e = sending_load(db, refund_id, &r)) != ERR_OK)
		return e;
	if (strcmp(r.status, "succeeded") == 0)
		return ERR_OK;
	if (strcmp(r.status, "pending") != 0)
		return ERR_CONFLICT;
	if ((e = install_id(db, install)) != ERR_OK)
		return e;
	/* Derived from our record only: a repeat sends the same key. */
	snprintf(key, sizeof(key), "%s-refund-%s-%lld", install, r.number,
	    (long long)refund_id);
	p = (struct stripe_refund_params){ .payment_intent = r.pi,
	    .amount = r.amount, .reason = r.reason[0] != '\0' ? r.reason : NULL,
	    .owner = { install, r.order_id, r.number } };
	e = stripe_refund_create(s, &p, key, &out, se);
	if (e == ERR_OK && (strcmp(out.status, "failed") == 0 ||
	    strcmp(out.status, "canceled") == 0)) {
		snprintf(se->message, sizeof(se->message), "Stripe made the "
		    "refund %s but it is %s.", out.id, out.status);
		e = ERR_INVALID;
	}
	if (e == ERR_OK)
		return mark_succeeded(db, refund_id, &r, out.id,
		    stripe_refunded(s, r.session), base_url, now);
	if (e == ERR_UPSTREAM || e == ERR_INTERNAL)
		return e;	/* maybe made: stays pending, send again */
	if ((e = mark_failed(db, refund_id, &r, se->message[0] != '\0' ?
	    se->message : "Stripe refused the refund.", now)) != ERR_OK)
		return e;
	return ERR_INVALID;
}

/* Fills the items' titles of each refund in v. */
static enum err
list_items(struct db *db, struct arena *a, int64_t order_id,
    struct refund_row *v, size_t n)
{
	struct db_stmt *st;
	struct buf b = { 0 };
	size_t i = 0;
	enum err e;

	st = db_prep(db, "SELECT ri.refund_id, oi.title FROM refund_items ri "
	    "JOIN refunds r ON r.id = ri.refund_id JOIN order_items oi ON "
	    "oi.id = ri.order_item_id WHERE r.order_id = ? "
	    "ORDER BY ri.refund_id, oi.id");
	db_bind_int64(st, 1, order_id);
	while ((e = db_next(st)) == ERR_OK) {
		int64_t rid = db_col_int64(st, 0);

		while (i < n && v[i].id < rid)
			i++;
		if (i == n || v[i].id != rid)
			continue;
		buf_reset(&b);
		buf_printf(&b, "%s%s%s", v[i].items, v[i].items[0] != '\0' ?
		    "; " : "", db_col_text(st, 1));
		if (b.oom || (v[i].items = arena_strdup(a, b.data)) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	buf_free(&b);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Reads a refund row of refund_list (its items are added after). */
static enum err
refund_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct refund_row *r = elem;

	*r = (struct refund_row){ .id = db_col_int64(st, 0),
	    .amount = db_col_int64(st, 1),
	    .currency = db_col_text_dup(a, st, 2),
	    .status = db_col_text_dup(a, st, 3),
	    .reason = db_col_text_dup(a, st, 4),
	    .note = db_col_text_dup(a, st, 5),
	    .stripe_id = db_col_text_dup(a, st, 6),
	    .failure = db_col_text_dup(a, st, 7), .items = "",
	    .by = db_col_text_dup(a, st, 8),
	    .created_at = db_col_int64(st, 9) };
	return r->currency == NULL || r->status == NULL || r->reason == NULL ||
	    r->note == NULL || r->stripe_id == NULL || r->failure == NULL ||
	    r->by == NULL ? ERR_INTERNAL : ERR_OK;
}

enum err
refund_list(struct db *db, struct arena *a, int64_t order_id,
    struct refund_row **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT r.id, r.amount, r.currency, "
	    "r.status, r.reason, r.note, coalesce(r.stripe_refund_id, ''), "
	    "r.failure_message, coalesce(u.email, ''), r.created_at "
	    "FROM refunds r LEFT JOIN users u ON u.id = r.created_by "
	    "WHERE r.order_id = ? ORDER BY r.id");
	enum err e;

	db_bind_int64(st, 1, order_id);
	if ((e = db_rows(st, a, refund_row, sizeof(**out), (void **)out, n)) !=
	    ERR_OK)
		return e;
	return list_items(db, a, order_id, *out, *n);
}

enum err
refund_seat_item_load(struct db *db, struct arena *a, int64_t order_id,
    int64_t item_id, struct refund_seat_item *it)
{
	struct db_stmt *st = db_prep(db, "SELECT i.id, o.id, o.number, "
	    "o.status, o.currency, o.team_id, t.name, i.course_id, i.title, "
	    "i.unit_amount, i.quantity, i.refunded_seats, i.unit_amount * "
	    "i.quantity - i.discount_amount, i.unit_amount * i.quantity - "
	    "i.discount_amount - i.refunded_amount FROM order_items i JOIN "
	    "orders o ON o.id = i.order_id JOIN teams t ON t.id = o.team_id "
	    "WHERE i.id = ? AND o.id = ?");
	enum err e;

	db_bind_int64(st, 1, item_id);
	db_bind_int64(st, 2, order_id);
	if ((e = db_next(st)) == ERR_OK) {
		*it = (struct refund_seat_item){ .id = db_col_int64(st, 0),
		    .order_id = db_col_int64(st, 1),
		    .number = db_col_text_dup(a, st, 2),
		    .order_status = db_col_text_dup(a, st, 3),
		    .currency = db_col_text_dup(a, st, 4),
		    .team_id = db_col_int64(st, 5),
		    .team_name = db_col_text_dup(a, st, 6),
		    .course_id = db_col_int64(st, 7),
		    .title = db_col_text_dup(a, st, 8),
		    .unit_amount = db_col_int64(st, 9),
		    .quantity = db_col_int64(st, 10),
		    .refunded_seats = db_col_int64(st, 11),
		    .paid = db_col_int64(st, 12),
		    .left = db_col_int64(st, 13) };
		if (it->number == NULL || it->order_status == NULL ||
		    it->currency == NULL || it->team_name == NULL ||
		    it->title == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}

enum err
refund_order_team(struct db *db, struct arena *a, int64_t order_id,
    int64_t *team_id, const char **name)
{
	struct db_stmt *st = db_prep(db, "SELECT t.id, t.name FROM orders o "
	    "JOIN teams t ON t.id = o.team_id WHERE o.id = ?");
	enum err e;

	*team_id = 0;
	*name = NULL;
	db_bind_int64(st, 1, order_id);
	if ((e = db_next(st)) == ERR_OK) {
		*team_id = db_col_int64(st, 0);
		if ((*name = db_col_text_dup(a, st, 1)) == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
