/* Refunds the store makes: an admin refunds an order whole, chosen items,
 * or an amount, through Stripe's refunds API.  Our record comes first:
 * refund_open() writes the refund (pending) with its items in a
 * transaction of its own, then refund_send() asks Stripe with an
 * idempotency key derived from that record ("<install>-refund-<order
 * number>-<refund id>"), so a retry of the same refund can never refund
 * twice, and records Stripe's answer:
 *   succeeded: the items' refunded amounts, the end of their access, the
 *     order's status and refunded amount (through lib/fulfil.c, so a
 *     charge.refunded event before or after changes nothing more), one
 *     mail to the student and an audit row, in one transaction;
 *   refused by Stripe: the refund is failed, nothing else changes;
 *   no answer (network, 5xx): it stays pending, and refund_send() of the
 *     same refund later sends the very same request again.
 * A second submission of one rendered form finds the first one's refund
 * by its form token; while any refund of an order is pending no other is
 * opened, so two admins in two tabs cannot both refund the rest. */
#ifndef ENROLL_REFUND_H
#define ENROLL_REFUND_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "stripe.h"

struct db;

enum refund_kind {
	REFUND_WHOLE,		/* all that remains; every item's access ends */
	REFUND_ITEMS,		/* chosen items, each in full; their access
				   ends */
	REFUND_AMOUNT,		/* money back, access stays */
	REFUND_SEATS,		/* seats of one item of a team order, at
				   their share of what it cost; the seats
				   go (fulfil_seats.h) */
	REFUND_KIND_MAX
};

/* Items one refund may choose (the form's item_1 .. item_N). */
#define REFUND_ITEMS_MAX 32

/* The form's one-time token: 32 random bytes as hex, plus the NUL. */
#define REFUND_TOKEN_SIZE 65

/* Returns "whole", "items", "amount", "seats"; refund_kind_of reads one back
 * (1 when found). */
const char *refund_kind_name(enum refund_kind k);
int refund_kind_of(const char *name, enum refund_kind *k);

/* Returns 1 when reason is one of Stripe's: duplicate, fraudulent,
 * requested_by_customer. */
int refund_reason_known(const char *reason);

/* ERR_OK when refund_id is a refund of order_id, else ERR_NOTFOUND. */
enum err refund_of_order(struct db *db, int64_t refund_id, int64_t order_id);

/* Writes a new random form token into out. */
void refund_token_new(char out[REFUND_TOKEN_SIZE]);

/* What an admin asked for. */
struct refund_request {
	int64_t order_id;	/* orders.id */
	enum refund_kind kind;	/* what is refunded */
	const int64_t *items;	/* order_items ids (REFUND_ITEMS) */
	size_t nitems;		/* entries in items */
	const char *amount_text; /* as typed, in the order's currency
				   (REFUND_AMOUNT): "12.50" */
	const char *reason;	/* Stripe's reason or NULL */
	const char *note;	/* the admin's words, or NULL */
	const char *form_token;	/* the rendered form's token */
	int64_t actor;		/* the admin (users.id) */
	int64_t now;		/* unix seconds */
	int64_t seats;		/* REFUND_SEATS: how many of items[0] */
	const int64_t *revoke;	/* REFUND_SEATS: assignments the admin chose
				   to revoke (seat_assignments ids) */
	size_t nrevoke;		/* entries in revoke */
};

/* Why a refund was not opened: the form field at fault and plain words
 * (static text). */
struct refund_refusal {
	const char *field;	/* "kind", "items", "amount", "seats",
				   "revoke" */
	const char *message;	/* shown next to it */
	int input;		/* 1: what was typed is unusable (a 400);
				   0: the order's state refuses it (a 409) */
};

/* What n of a team item's seats_left seats refund: paid (price times
 * quantity less discount) shared per seat, and all that is left of it
 * (left) for its last seats. */
int64_t refund_seats_amount(int64_t paid, int64_t quantity,
    int64_t seats_left, int64_t left, int64_t n);

/* Opens a pending refund for rq in one transaction (BEGIN IMMEDIATE:
 * for REFUND_SEATS the chosen assignments are revoked and the seats
 * removed in it too, so nobody assigns them while Stripe is asked; a team
 * order is refunded by seats or by an amount, never whole or by items;
 * SQLite's single writer makes the checks of what remains and of pending
 * refunds hold until the row is in) and writes its audit row.  Returns
 * ERR_OK with *refund_id; ERR_CONFLICT with *repeat = 1 and *refund_id
 * the earlier refund when this form token was submitted before;
 * ERR_INVALID with *why filled when the order cannot be refunded so. */
enum err refund_open(struct db *db, const struct refund_request *rq,
    int64_t *refund_id, int *repeat, struct refund_refusal *why);

/* Asks Stripe for pending refund refund_id (through s) and records its
 * answer as the header says (a refused refund of seats gives the seats
 * back; the assignments it revoked stay revoked).  Returns ERR_OK when it succeeded (also when
 * it had already); ERR_INVALID when Stripe refused it (now failed);
 * ERR_UPSTREAM when Stripe did not answer (still pending); ERR_CONFLICT
 * when the refund is failed already.  se gets Stripe's words on every
 * return but ERR_OK. */
enum err refund_send(struct db *db, struct stripe *s, int64_t refund_id,
    const char *base_url, int64_t now, struct stripe_error *se);

/* An item of a team order, for the seats refund page. */
struct refund_seat_item {
	int64_t id;		/* order_items.id */
	int64_t order_id;	/* orders.id */
	const char *number;	/* ORD-... */
	const char *order_status; /* orders.status */
	const char *currency;	/* lower-case */
	int64_t team_id;	/* teams.id */
	const char *team_name;	/* its name now */
	int64_t course_id;	/* courses.id */
	const char *title;	/* the item's title */
	int64_t unit_amount;	/* one seat's price */
	int64_t quantity;	/* seats bought */
	int64_t refunded_seats;	/* seats refunded */
	int64_t paid;		/* price times seats less discount */
	int64_t left;		/* paid less what was refunded of it */
};

/* Loads item_id of order_id into *it (arena).  ERR_NOTFOUND unless it is
 * an item of that order and the order was bought for a team. */
enum err refund_seat_item_load(struct db *db, struct arena *a,
    int64_t order_id, int64_t item_id, struct refund_seat_item *it);

/* Sets *team_id and *name (arena) to the team order_id bought seats
 * for; *team_id 0 when it was bought for its buyer. */
enum err refund_order_team(struct db *db, struct arena *a, int64_t order_id,
    int64_t *team_id, const char **name);

/* One refund of an order, for its page. */
struct refund_row {
	int64_t id;		/* refunds.id */
	int64_t amount;		/* minor units */
	const char *currency;	/* lower-case */
	const char *status;	/* pending, succeeded, failed */
	const char *reason;	/* Stripe's reason, "" */
	const char *note;	/* the admin's words, "" */
	const char *stripe_id;	/* "re_...", "" until it succeeded */
	const char *failure;	/* Stripe's message when failed, "" */
	const char *items;	/* titles of the items it covers, "; "-joined,
				   "" for an amount */
	const char *by;		/* the admin's email, "" */
	int64_t created_at;	/* unix seconds */
};

/* Lists the refunds of order_id, oldest first, into *out (arena). */
enum err refund_list(struct db *db, struct arena *a, int64_t order_id,
    struct refund_row **out, size_t *n);

#endif
