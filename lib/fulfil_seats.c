/* A team order's seats (see fulfil_seats.h). */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "audit.h"
#include "buf.h"
#include "money.h"
#include "order.h"
#include "receipt.h"
#include "db.h"
#include "db_rows.h"
#include "fulfil_seats.h"
#include "seat.h"

/* The most items of one order (as lib/refund.c). */
#define ITEMS_MAX 128

struct item_seats {
	int64_t id;		/* order_items.id */
	int64_t course_id;	/* courses.id */
	int64_t left;		/* seats not refunded yet */
};

static enum err
items_of(struct db *db, int64_t order_id, struct item_seats *v, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT id, course_id, quantity - "
	    "refunded_seats FROM order_items WHERE order_id = ? ORDER BY id "
	    "LIMIT 128");
	enum err e;

	*n = 0;
	db_bind_int64(st, 1, order_id);
	while ((e = db_next(st)) == ERR_OK && *n < ITEMS_MAX) {
		v[*n].id = db_col_int64(st, 0);
		v[*n].course_id = db_col_int64(st, 1);
		v[(*n)++].left = db_col_int64(st, 2);
	}
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}

enum err
fulfil_seats_grant(struct db *db, int64_t order_id, int64_t team_id,
    int64_t now)
{
	struct item_seats v[ITEMS_MAX];
	size_t n;
	enum err e;

	if ((e = items_of(db, order_id, v, &n)) != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++)
		if (v[i].left > 0 && (e = seat_add(db, team_id, v[i].course_id,
		    v[i].left, now)) != ERR_OK)
			return e;
	return ERR_OK;
}

/* Revokes assignment id of team_id by actor (0: the store) with its
 * audit row: who held it, and why. */
static enum err
revoke_one(struct db *db, int64_t team_id, int64_t id, int64_t actor,
    const char *why, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *before = NULL, *after = NULL;
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT status, email, course_id FROM "
	    "seat_assignments WHERE id = ? AND team_id = ? AND "
	    "status <> 'revoked'");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, team_id);
	if ((e = db_next(st)) == ERR_OK) {
		before = cJSON_CreateObject();
		after = cJSON_CreateObject();
		if (before == NULL || after == NULL ||
		    cJSON_AddNumberToObject(before, "seat", (double)id) ==
		    NULL || cJSON_AddNumberToObject(before, "course_id",
		    (double)db_col_int64(st, 2)) == NULL ||
		    cJSON_AddStringToObject(before, "email",
		    db_col_text(st, 1)) == NULL ||
		    cJSON_AddStringToObject(before, "status",
		    db_col_text(st, 0)) == NULL ||
		    cJSON_AddNumberToObject(after, "seat", (double)id) == NULL ||
		    cJSON_AddStringToObject(after, "status", "revoked") == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	if (e == ERR_OK && (e = seat_revoke(db, team_id, id, actor, now)) ==
	    ERR_OK) {
		audit_subject(subject, "team", team_id);
		e = audit_write(db, actor, "seat.revoke", subject, before, after,
		    why, now);
	}
	cJSON_Delete(before);
	cJSON_Delete(after);
	return e;
}

/* Sets *idle to team_id's seats of course_id that nobody holds (0 when
 * the team has none). */
static enum err
free_seats(struct db *db, int64_t team_id, int64_t course_id, int64_t *idle)
{
	struct db_stmt *st = db_prep(db, "SELECT seats - held FROM team_seats "
	    "WHERE team_id = ? AND course_id = ?");
	enum err e;

	*idle = 0;
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK)
		*idle = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Revokes the k newest live assignments of team_id's course_id. */
static enum err
revoke_newest(struct db *db, int64_t team_id, int64_t course_id, int64_t k,
    const char *why, int64_t now)
{
	struct db_stmt *st;
	int64_t ids[64];
	size_t m;
	enum err e;

	while (k > 0) {
		m = 0;
		st = db_prep(db, "SELECT id FROM seat_assignments WHERE "
		    "team_id = ? AND course_id = ? AND status <> 'revoked' "
		    "ORDER BY created_at DESC, id DESC LIMIT ?");
		db_bind_int64(st, 1, team_id);
		db_bind_int64(st, 2, course_id);
		db_bind_int64(st, 3, k < 64 ? k : 64);
		while ((e = db_next(st)) == ERR_OK)
			ids[m++] = db_col_int64(st, 0);
		db_done(st);
		if (e != ERR_NOTFOUND)
			return e;
		if (m == 0)
			return ERR_OK;
		for (size_t i = 0; i < m; i++)
			if ((e = revoke_one(db, team_id, ids[i], 0, why, now)) !=
			    ERR_OK)
				return e;
		k -= (int64_t)m;
	}
	return ERR_OK;
}

/* Counts n more seats of item_id refunded. */
static enum err
item_refunded(struct db *db, int64_t item_id, int64_t n)
{
	struct db_stmt *st = db_prep(db, "UPDATE order_items SET "
	    "refunded_seats = refunded_seats + ? WHERE id = ?");

	db_bind_int64(st, 1, n);
	db_bind_int64(st, 2, item_id);
	return db_run(st);
}

enum err
fulfil_seats_take_back(struct db *db, int64_t order_id, int64_t team_id,
    int64_t now, int64_t *removed, int64_t *revoked)
{
	struct item_seats v[ITEMS_MAX];
	int64_t idle, k, total = 0;
	char why[96];
	size_t n;
	enum err e;

	*removed = *revoked = 0;
	snprintf(why, sizeof(why), "Stripe took back the money of order %lld",
	    (long long)order_id);
	if ((e = items_of(db, order_id, v, &n)) != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		if (v[i].left <= 0)
			continue;
		if ((e = free_seats(db, team_id, v[i].course_id, &idle)) !=
		    ERR_OK)
			return e;
		k = v[i].left > idle ? v[i].left - idle : 0;
		if (k > 0 && (e = revoke_newest(db, team_id, v[i].course_id, k,
		    why, now)) != ERR_OK)
			return e;
		total += k;
		/* What the team still has of the course, at most: never
		 * below zero even if seats were taken back before. */
		if ((e = free_seats(db, team_id, v[i].course_id, &idle)) !=
		    ERR_OK)
			return e;
		k = v[i].left < idle ? v[i].left : idle;
		if (k > 0 && (e = seat_remove(db, team_id, v[i].course_id, k,
		    now)) != ERR_OK)
			return e;
		if ((e = item_refunded(db, v[i].id, v[i].left)) != ERR_OK)
			return e;
		*removed += v[i].left;
	}
	*revoked = total;
	return ERR_OK;
}

static enum err
holder_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct seat_holder *h = elem;

	h->id = db_col_int64(st, 0);
	h->since = db_col_int64(st, 4);
	return (h->name = db_col_text_dup(a, st, 1)) != NULL &&
	    (h->email = db_col_text_dup(a, st, 2)) != NULL &&
	    (h->status = db_col_text_dup(a, st, 3)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
fulfil_seats_holders(struct db *db, struct arena *a, int64_t team_id,
    int64_t course_id, struct seat_holder **out, size_t *n, int64_t *idle)
{
	struct db_stmt *st;
	enum err e;

	if ((e = free_seats(db, team_id, course_id, idle)) != ERR_OK)
		return e;
	/* At most the seats of one course (1000 a line, a few lines). */
	st = db_prep(db, "SELECT s.id, coalesce(u.name, ''), s.email, "
	    "s.status, s.created_at FROM seat_assignments s LEFT JOIN users u "
	    "ON u.id = s.user_id WHERE s.team_id = ? AND s.course_id = ? AND "
	    "s.status <> 'revoked' ORDER BY s.created_at DESC, s.id DESC "
	    "LIMIT 5000");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	return db_rows(st, a, holder_row, sizeof(**out), (void **)out, n);
}

enum err
fulfil_seats_refund(struct db *db, int64_t team_id, int64_t course_id,
    int64_t item_id, int64_t n, const int64_t *revoke, size_t nrevoke,
    int64_t actor, const char *why, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	for (size_t i = 0; i < nrevoke; i++) {
		/* Only a live assignment of these very seats. */
		st = db_prep(db, "SELECT 1 FROM seat_assignments WHERE id = ? "
		    "AND team_id = ? AND course_id = ? AND status <> 'revoked'");
		db_bind_int64(st, 1, revoke[i]);
		db_bind_int64(st, 2, team_id);
		db_bind_int64(st, 3, course_id);
		e = db_next(st);
		db_done(st);
		if (e != ERR_OK ||
		    (e = revoke_one(db, team_id, revoke[i], actor, why, now)) !=
		    ERR_OK)
			return e;
	}
	if ((e = seat_remove(db, team_id, course_id, n, now)) != ERR_OK)
		return e;
	return item_refunded(db, item_id, n);
}

enum err
fulfil_seats_restore(struct db *db, int64_t refund_id, int64_t now)
{
	struct db_stmt *st;
	struct {
		int64_t item, course, team, seats;
	} v[ITEMS_MAX];
	size_t n = 0;
	enum err e;

	st = db_prep(db, "SELECT ri.order_item_id, oi.course_id, o.team_id, "
	    "ri.seats FROM refund_items ri JOIN order_items oi ON oi.id = "
	    "ri.order_item_id JOIN orders o ON o.id = oi.order_id WHERE "
	    "ri.refund_id = ? AND ri.seats > 0 AND o.team_id IS NOT NULL "
	    "LIMIT 128");
	db_bind_int64(st, 1, refund_id);
	while ((e = db_next(st)) == ERR_OK && n < ITEMS_MAX) {
		v[n].item = db_col_int64(st, 0);
		v[n].course = db_col_int64(st, 1);
		v[n].team = db_col_int64(st, 2);
		v[n++].seats = db_col_int64(st, 3);
	}
	db_done(st);
	if (e != ERR_NOTFOUND && e != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++)
		if ((e = seat_add(db, v[i].team, v[i].course, v[i].seats,
		    now)) != ERR_OK ||
		    (e = item_refunded(db, v[i].item, -v[i].seats)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
fulfil_seats_mail_text(struct db *db, int64_t order_id, const char *base_url,
    struct buf *out)
{
	struct receipt_line l;
	struct db_stmt *st;
	struct arena *a;
	struct order o;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_INTERNAL;
	if ((e = order_load(db, a, order_id, 0, &o)) != ERR_OK)
		goto out;
	st = db_prep(db, "SELECT name FROM teams WHERE id = ?");
	db_bind_int64(st, 1, o.team_id);
	if ((e = db_next(st)) == ERR_OK)
		buf_printf(out, "These seats are now your team %s's:\n",
		    db_col_text(st, 0));
	db_done(st);
	if (e != ERR_OK)
		goto out;
	for (size_t i = 0; i < o.nitems; i++) {
		if ((e = receipt_line(&o.items[i], &l)) != ERR_OK)
			goto out;
		buf_printf(out, "  %lld seat%s of %s: ",
		    (long long)o.items[i].quantity,
		    o.items[i].quantity == 1 ? "" : "s", o.items[i].title);
		money_format(out, o.items[i].unit_amount, o.currency);
		buf_printf(out, " x %lld", (long long)o.items[i].quantity);
		if (l.discount > 0) {
			buf_puts(out, ", discount ");
			money_format(out, l.discount, o.currency);
		}
		buf_puts(out, ", paid ");
		money_format(out, l.paid, o.currency);
		buf_puts(out, "\n");
	}
	buf_puts(out, "\nTotal paid: ");
	money_format(out, o.total, o.currency);
	buf_printf(out, "\n\nHand the seats out to your people: "
	    "%s/account/teams/%lld/seats\n", base_url, (long long)o.team_id);
	e = out->oom ? ERR_INTERNAL : ERR_OK;
out:
	arena_free(a);
	return e;
}
