/* Download my data (see export.h).  Each part of the document is one
 * statement over the person's rows with the JSON name of each column, so
 * a table that a later migration adds about a person (progress,
 * certificates, a wishlist) joins parts[] as one more line, and
 * export_read[] (t/unit/test_personal_data.c fails until it does). */
#include <assert.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "export.h"

enum col_kind { COL_INT, COL_TEXT, COL_KIND_MAX };

struct col {
	const char *name;	/* JSON key; NULL ends the list */
	enum col_kind kind;	/* how the column reads (NULL gives null) */
};

struct part {
	const char *name;	/* JSON key of the array */
	const char *sql;	/* rows bound with ?1 = the user's id */
	struct col cols[12];	/* columns in the statement's order */
};

static const struct part parts[] = {
	{ "enrollments", "SELECT c.slug, c.title, e.source, e.status, "
	    "e.granted_at, e.revoked_at FROM enrollments e JOIN courses c ON "
	    "c.id = e.course_id WHERE e.user_id = ?1 ORDER BY e.id",
	    { { "course", COL_TEXT }, { "title", COL_TEXT },
	    { "source", COL_TEXT }, { "status", COL_TEXT },
	    { "granted_at", COL_INT }, { "revoked_at", COL_INT } } },
	{ "lessons_completed", "SELECT c.slug, l.position, l.title, "
	    "p.completed_at FROM lesson_progress p JOIN lessons l ON "
	    "l.id = p.lesson_id JOIN courses c ON c.id = l.course_id WHERE "
	    "p.user_id = ?1 ORDER BY c.slug, l.position",
	    { { "course", COL_TEXT }, { "lesson", COL_INT },
	    { "title", COL_TEXT }, { "completed_at", COL_INT } } },
	{ "progress", "SELECT c.slug, p.last_activity_at, p.completed_at "
	    "FROM course_progress p JOIN courses c ON c.id = p.course_id "
	    "WHERE p.user_id = ?1 ORDER BY c.slug",
	    { { "course", COL_TEXT }, { "last_activity_at", COL_INT },
	    { "completed_at", COL_INT } } },
	{ "certificates", "SELECT code, course_title, student_name, "
	    "issued_at FROM certificates WHERE user_id = ?1 ORDER BY id",
	    { { "code", COL_TEXT }, { "course", COL_TEXT },
	    { "name", COL_TEXT }, { "issued_at", COL_INT } } },
	{ "wishlist", "SELECT c.slug, c.title, w.added_at FROM wishlist w "
	    "JOIN courses c ON c.id = w.course_id WHERE w.user_id = ?1 "
	    "ORDER BY w.added_at",
	    { { "course", COL_TEXT }, { "title", COL_TEXT },
	    { "added_at", COL_INT } } },
	{ "sessions", "SELECT created_at, last_seen, user_agent, addr FROM "
	    "sessions WHERE user_id = ?1 ORDER BY id",
	    { { "started_at", COL_INT }, { "last_seen", COL_INT },
	    { "browser", COL_TEXT }, { "address", COL_TEXT } } },
	{ "cart", "SELECT c.slug, c.title, i.added_at FROM cart_items i "
	    "JOIN carts k ON k.id = i.cart_id JOIN courses c ON "
	    "c.id = i.course_id WHERE k.user_id = ?1 ORDER BY i.id",
	    { { "course", COL_TEXT }, { "title", COL_TEXT },
	    { "added_at", COL_INT } } },
	{ "payment_customer", "SELECT customer_id FROM stripe_customers "
	    "WHERE user_id = ?1",
	    { { "stripe_customer_id", COL_TEXT } } },
	/* The mail sent to the person: what and when, not the bodies (a
	 * live link's token is a secret even from a copy of this file). */
	{ "mail", "SELECT subject, status, created_at, sent_at FROM outbox "
	    "WHERE to_addr = (SELECT email FROM users WHERE id = ?1) "
	    "ORDER BY id",
	    { { "subject", COL_TEXT }, { "status", COL_TEXT },
	    { "queued_at", COL_INT }, { "sent_at", COL_INT } } },
	{ "teams", "SELECT t.name, m.role, m.joined_at FROM team_members m "
	    "JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?1 ORDER BY "
	    "m.joined_at, t.id",
	    { { "team", COL_TEXT }, { "role", COL_TEXT },
	    { "joined_at", COL_INT } } },
	/* Invitations the person sent, or accepted (the link's hash is a
	 * secret and stays out). */
	{ "team_invitations", "SELECT t.name, i.email, i.role, "
	    "CASE WHEN i.invited_by = ?1 THEN 1 ELSE 0 END, i.created_at, "
	    "i.accepted_at FROM team_invitations i JOIN teams t ON t.id = i.team_id WHERE "
	    "i.invited_by = ?1 OR i.accepted_by = ?1 ORDER BY i.id",
	    { { "team", COL_TEXT }, { "sent_to", COL_TEXT },
	    { "role", COL_TEXT }, { "sent_by_you", COL_INT },
	    { "sent_at", COL_INT }, { "accepted_at", COL_INT } } },
	/* Seats of a team's course the person holds or held. */
	{ "seats", "SELECT t.name, c.title, s.status, s.created_at, "
	    "s.accepted_at, s.revoked_at FROM seat_assignments s JOIN teams t "
	    "ON t.id = s.team_id JOIN courses c ON c.id = s.course_id WHERE "
	    "s.user_id = ?1 ORDER BY s.id",
	    { { "team", COL_TEXT }, { "course", COL_TEXT },
	    { "status", COL_TEXT }, { "assigned_at", COL_INT },
	    { "accepted_at", COL_INT }, { "revoked_at", COL_INT } } },
	/* Live sessions the person booked, or has still to book. */
	{ "sessions_booked", "SELECT c.name, st.label, st.title, o.name, "
	    "o.starts_at, o.ends_at, b.booked_at FROM step_bookings b JOIN "
	    "cohorts c ON c.id = b.cohort_id JOIN course_steps st ON st.id = "
	    "b.step_id LEFT JOIN step_options o ON o.id = b.option_id WHERE "
	    "b.user_id = ?1 ORDER BY b.cohort_id, st.position",
	    { { "cohort", COL_TEXT }, { "step", COL_TEXT },
	    { "title", COL_TEXT }, { "option", COL_TEXT },
	    { "starts_at", COL_INT }, { "ends_at", COL_INT },
	    { "booked_at", COL_INT } } },
	{ "waitlists", "SELECT c.name, w.status, w.created_at, w.offered_at "
	    "FROM cohort_waitlist w JOIN cohorts c ON c.id = w.cohort_id "
	    "WHERE w.user_id = ?1 ORDER BY w.id",
	    { { "cohort", COL_TEXT }, { "status", COL_TEXT },
	    { "joined_at", COL_INT }, { "offered_at", COL_INT } } },
	{ "activity", "SELECT at, action, subject, detail FROM audit_log "
	    "WHERE actor_user_id = ?1 ORDER BY id",
	    { { "at", COL_INT }, { "action", COL_TEXT },
	    { "subject", COL_TEXT }, { "detail", COL_TEXT } } },
};

/* Tables about a person that the document leaves out, and why: their
 * rows are in the parts above by another road, or are secrets. */
const char *const export_left_out[] = {
	"coupon_redemptions",	/* an order's coupon and discount are in it */
	"mail_links",		/* hashes of live links: secrets */
	"calendar_feeds",	/* the hash of a feed's secret link */
	"cohort_places",	/* a place is in the orders and bookings */
	"refunds",		/* created_by names the admin who refunded;
				   the amounts are in the person's orders */
	NULL
};

/* Tables the document reads (the parts' own and the nested ones). */
const char *const export_read[] = { "users", "orders", "order_items",
	"enrollments", "sessions", "carts", "cart_items", "stripe_customers",
	"outbox", "audit_log", "lesson_progress", "course_progress",
	"certificates", "wishlist", "teams", "team_members",
	"team_invitations", "seat_assignments", "step_bookings",
	"cohort_waitlist", NULL };

static const struct part profile = { "profile", "SELECT id, email, name, "
    "role, created_at, email_verified_at FROM users WHERE id = ?1 AND "
    "deleted_at IS NULL",
    { { "id", COL_INT }, { "email", COL_TEXT }, { "name", COL_TEXT },
    { "role", COL_TEXT }, { "created_at", COL_INT },
    { "email_confirmed_at", COL_INT } } };

static const struct part orders = { "orders", "SELECT id, number, status, "
    "currency, subtotal_amount, discount_amount, total_amount, "
    "refunded_amount, coupon_code, created_at, paid_at FROM orders "
    "WHERE user_id = ?1 ORDER BY id",
    { { "id", COL_INT }, { "number", COL_TEXT }, { "status", COL_TEXT },
    { "currency", COL_TEXT }, { "subtotal", COL_INT },
    { "discount", COL_INT }, { "total", COL_INT }, { "refunded", COL_INT },
    { "coupon", COL_TEXT }, { "created_at", COL_INT },
    { "paid_at", COL_INT } } };

/* The lines of one order: ?1 is the order, ?2 the user, so a line is
 * read only through an order of the person. */
static const struct part lines = { "lines", "SELECT i.title, c.slug, "
    "i.unit_amount, i.quantity, i.discount_amount FROM order_items i "
    "JOIN orders o ON o.id = i.order_id JOIN courses c ON "
    "c.id = i.course_id WHERE i.order_id = ?1 AND o.user_id = ?2 "
    "ORDER BY i.id",
    { { "title", COL_TEXT }, { "course", COL_TEXT },
    { "unit_amount", COL_INT }, { "quantity", COL_INT },
    { "discount", COL_INT } } };

/* Adds column i of st's row to o as p's cols[i] says. */
static int
col_add(cJSON *o, struct db_stmt *st, const struct col *c, int i)
{
	if (db_col_is_null(st, i))
		return cJSON_AddNullToObject(o, c->name) != NULL;
	if (c->kind == COL_INT)
		return cJSON_AddNumberToObject(o, c->name,
		    (double)db_col_int64(st, i)) != NULL;
	return cJSON_AddStringToObject(o, c->name, db_col_text(st, i)) != NULL;
}

/* Appends to arr one object per row of p bound with a (and b when not
 * 0). */
static enum err
rows_add(struct db *db, const struct part *p, int64_t a, int64_t b,
    cJSON *arr)
{
	struct db_stmt *st = db_prep(db, p->sql);
	cJSON *o;
	enum err e;
	int i;

	db_bind_int64(st, 1, a);
	if (b != 0)
		db_bind_int64(st, 2, b);
	while ((e = db_next(st)) == ERR_OK) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			e = ERR_INTERNAL;
			break;
		}
		for (i = 0; p->cols[i].name != NULL; i++)
			if (!col_add(o, st, &p->cols[i], i))
				break;
		if (p->cols[i].name != NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Adds orders[], each with its lines[]. */
static enum err
orders_add(struct db *db, int64_t user_id, cJSON *doc)
{
	cJSON *arr, *o, *l;
	enum err e;

	if ((arr = cJSON_AddArrayToObject(doc, orders.name)) == NULL)
		return ERR_INTERNAL;
	if ((e = rows_add(db, &orders, user_id, 0, arr)) != ERR_OK)
		return e;
	cJSON_ArrayForEach(o, arr) {
		if ((l = cJSON_AddArrayToObject(o, lines.name)) == NULL)
			return ERR_INTERNAL;
		if ((e = rows_add(db, &lines, (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(o, "id")), user_id, l)) !=
		    ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Fills the document; the caller frees it whatever this returns. */
static enum err
export_fill(struct db *db, int64_t user_id, int64_t now, cJSON *doc)
{
	cJSON *one, *arr;
	enum err e;
	size_t i;

	if (cJSON_AddNumberToObject(doc, "exported_at", (double)now) == NULL ||
	    (one = cJSON_CreateArray()) == NULL)
		return ERR_INTERNAL;
	if ((e = rows_add(db, &profile, user_id, 0, one)) != ERR_OK ||
	    cJSON_GetArraySize(one) != 1) {
		cJSON_Delete(one);
		return e != ERR_OK ? e : ERR_NOTFOUND;
	}
	cJSON_AddItemToObject(doc, profile.name, cJSON_DetachItemFromArray(one,
	    0));
	cJSON_Delete(one);
	if ((e = orders_add(db, user_id, doc)) != ERR_OK)
		return e;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if ((arr = cJSON_AddArrayToObject(doc, parts[i].name)) == NULL)
			return ERR_INTERNAL;
		if ((e = rows_add(db, &parts[i], user_id, 0, arr)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
export_user(struct db *db, int64_t user_id, int64_t now, cJSON **out)
{
	cJSON *doc;
	enum err e;

	assert(db != NULL && out != NULL);
	*out = NULL;
	if ((doc = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	/* One read transaction: the parts agree with each other. */
	if ((e = db_begin_read(db)) != ERR_OK) {
		cJSON_Delete(doc);
		return e;
	}
	e = export_fill(db, user_id, now, doc);
	db_rollback(db);
	if (e != ERR_OK) {
		cJSON_Delete(doc);
		return e;
	}
	*out = doc;
	return ERR_OK;
}
