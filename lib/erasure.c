/* Deleting an account (see erasure.h).  The users row stays as a shell so
 * that every foreign key of the books (orders, coupon redemptions, audit
 * entries) still holds; everything else that names the person is deleted
 * by the statements of erasure_deleted[], one per table.  A table that a
 * later migration adds with rows about a person joins that list or
 * erasure_kept[]: t/unit/test_personal_data.c fails until it does. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "erasure.h"
#include "mail.h"

/* Each deletes one table's rows of user ?1 (whose address is ?2). */
const struct erasure_step erasure_deleted[] = {
	{ "sessions", "DELETE FROM sessions WHERE user_id = ?1" },
	{ "carts", "DELETE FROM carts WHERE user_id = ?1" }, /* items cascade */
	{ "mail_links", "DELETE FROM mail_links WHERE user_id = ?1" },
	{ "enrollments", "DELETE FROM enrollments WHERE user_id = ?1" },
	{ "lesson_progress", "DELETE FROM lesson_progress WHERE "
	    "user_id = ?1" },
	{ "course_progress", "DELETE FROM course_progress WHERE "
	    "user_id = ?1" },
	/* A certificate names the person: it goes, and its public page
	 * says so from then on. */
	{ "certificates", "DELETE FROM certificates WHERE user_id = ?1" },
	{ "wishlist", "DELETE FROM wishlist WHERE user_id = ?1" },
	{ "stripe_customers", "DELETE FROM stripe_customers WHERE "
	    "user_id = ?1" },
	/* Teams: a team the person owns alone goes with its invitations
	 * (one with other members blocks the deletion: erasure_check);
	 * then their memberships, and the invitations they sent or were
	 * sent (an address is personal data; the audit rows stay). */
	/* Seats the person holds, or that wait for their address, are
	 * given back to their teams (enrollments went above). */
	{ "seat_assignments", "UPDATE team_seats SET held = held - (SELECT "
	    "count(*) FROM seat_assignments s WHERE s.team_id = "
	    "team_seats.team_id AND s.course_id = team_seats.course_id AND "
	    "s.status <> 'revoked' AND (s.user_id = ?1 OR (s.user_id IS NULL "
	    "AND s.email = ?2))) WHERE EXISTS (SELECT 1 FROM seat_assignments "
	    "s WHERE s.team_id = team_seats.team_id AND s.course_id = "
	    "team_seats.course_id AND s.status <> 'revoked' AND (s.user_id = "
	    "?1 OR (s.user_id IS NULL AND s.email = ?2)))" },
	{ "seat_assignments", "DELETE FROM seat_assignments WHERE user_id = ?1 "
	    "OR (user_id IS NULL AND email = ?2)" },
	/* Cohort places and booked sessions the person holds are given
	 * back, so others can take them. */
	{ "cohort_places", "UPDATE cohorts SET held = held - (SELECT count(*) "
	    "FROM cohort_places p WHERE p.cohort_id = cohorts.id AND "
	    "p.user_id = ?1 AND p.status <> 'released') WHERE id IN (SELECT "
	    "cohort_id FROM cohort_places WHERE user_id = ?1 AND status <> "
	    "'released')" },
	{ "cohort_places", "DELETE FROM cohort_places WHERE user_id = ?1" },
	{ "step_bookings", "UPDATE step_options SET booked = booked - (SELECT "
	    "count(*) FROM step_bookings b WHERE b.option_id = "
	    "step_options.id AND b.user_id = ?1) WHERE id IN (SELECT "
	    "option_id FROM step_bookings WHERE user_id = ?1 AND option_id IS "
	    "NOT NULL)" },
	{ "step_bookings", "DELETE FROM step_bookings WHERE user_id = ?1" },
	{ "cohort_waitlist", "DELETE FROM cohort_waitlist WHERE user_id = ?1" },
	{ "calendar_feeds", "DELETE FROM calendar_feeds WHERE user_id = ?1" },
	/* A team that bought seats stays (its orders are kept for the
	 * books and name it), memberless. */
	{ "teams", "DELETE FROM teams WHERE id IN (SELECT team_id FROM "
	    "team_members WHERE user_id = ?1 AND role = 'owner') AND NOT "
	    "EXISTS (SELECT 1 FROM orders o WHERE o.team_id = teams.id)" },
	{ "team_members", "DELETE FROM team_members WHERE user_id = ?1" },
	{ "team_invitations", "DELETE FROM team_invitations WHERE "
	    "invited_by = ?1 OR accepted_by = ?1 OR email = ?2" },
	{ "outbox", "DELETE FROM outbox WHERE to_addr = ?2" },
	{ "login_attempts", "DELETE FROM login_attempts WHERE email = ?2" },
	{ "mail_requests", "DELETE FROM mail_requests WHERE email = ?2" },
	{ NULL, NULL }
};

/* Kept for the books, tied to the shell of the users row. */
const char *const erasure_kept[] = { "users", "orders", "coupon_redemptions",
	"audit_log", "refunds", NULL };

enum err
erasure_check(struct db *db, int64_t user_id, enum erasure_block *why,
    int64_t *order_id)
{
	struct db_stmt *st;
	enum err e;

	*why = ERASURE_OK;
	*order_id = 0;
	st = db_prep(db, "SELECT id FROM orders WHERE user_id = ? AND "
	    "status = 'pending' ORDER BY id DESC LIMIT 1");
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK) {
		*why = ERASURE_PENDING_PAYMENT;
		*order_id = db_col_int64(st, 0);
	}
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e;
	st = db_prep(db, "SELECT (SELECT role = 'admin' FROM users WHERE "
	    "id = ?), (SELECT count(*) FROM users WHERE role = 'admin' AND "
	    "deleted_at IS NULL)");
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK && db_col_int64(st, 0) == 1 &&
	    db_col_int64(st, 1) <= 1)
		*why = ERASURE_LAST_ADMIN;
	db_done(st);
	if (e != ERR_OK || *why != ERASURE_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	/* A team always has an owner: its owner hands it over first. */
	st = db_prep(db, "SELECT 1 FROM team_members o JOIN team_members m "
	    "ON m.team_id = o.team_id AND m.user_id <> o.user_id WHERE "
	    "o.user_id = ? AND o.role = 'owner' LIMIT 1");
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK)
		*why = ERASURE_TEAM_OWNER;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
erasure_customer(struct db *db, struct arena *a, int64_t user_id,
    char **customer)
{
	struct db_stmt *st = db_prep(db, "SELECT customer_id FROM "
	    "stripe_customers WHERE user_id = ?");
	enum err e;

	*customer = NULL;
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK && (*customer = db_col_text_dup(a, st,
	    0)) == NULL)
		e = ERR_INTERNAL;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Copies user_id's address into email; ERR_NOTFOUND for none or deleted. */
static enum err
address_of(struct db *db, int64_t user_id, char email[MAIL_ADDR_MAX])
{
	struct db_stmt *st = db_prep(db, "SELECT email FROM users WHERE "
	    "id = ? AND deleted_at IS NULL");
	enum err e;

	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK)
		snprintf(email, MAIL_ADDR_MAX, "%s", db_col_text(st, 0));
	db_done(st);
	return e;
}

/* Empties the users row into the shell the books keep. */
static enum err
shell_make(struct db *db, int64_t user_id, int64_t now)
{
	char shell[64];
	struct db_stmt *st;

	snprintf(shell, sizeof(shell), "deleted-%lld%s", (long long)user_id,
	    MAIL_NOWHERE_DOMAIN);
	/* Not a hash of anything: no password matches it. */
	st = db_prep(db, "UPDATE users SET email = ?, name = 'Deleted user', "
	    "password_hash = '$argon2id$deleted-account', role = 'student', "
	    "email_verified_at = NULL, deleted_at = ?, updated_at = ? "
	    "WHERE id = ?");
	db_bind_text(st, 1, shell);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, user_id);
	return db_run(st);
}

static enum err
audit(struct db *db, int64_t user_id, const char *customer, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX], detail[160];

	audit_subject(subject, "user", user_id);
	snprintf(detail, sizeof(detail), customer != NULL ? "personal data "
	    "deleted; Stripe customer %s deleted" : "personal data deleted",
	    customer);
	return audit_write(db, user_id, "account.deleted", subject, NULL, NULL,
	    detail, now);
}

/* The body of erasure_run, inside its transaction. */
static enum err
erase_tx(struct db *db, int64_t user_id, const char *customer, int64_t now,
    enum erasure_block *why)
{
	char email[MAIL_ADDR_MAX];
	struct db_stmt *st;
	int64_t order_id;
	enum err e;

	if ((e = address_of(db, user_id, email)) != ERR_OK ||
	    (e = erasure_check(db, user_id, why, &order_id)) != ERR_OK)
		return e;
	if (*why != ERASURE_OK)
		return ERR_CONFLICT;
	for (const struct erasure_step *d = erasure_deleted; d->table != NULL;
	    d++) {
		st = db_prep(db, d->sql);
		db_bind_int64(st, 1, user_id);
		db_bind_text(st, 2, email);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	if ((e = shell_make(db, user_id, now)) != ERR_OK)
		return e;
	return audit(db, user_id, customer, now);
}

enum err
erasure_run(struct db *db, int64_t user_id, const char *customer,
    int64_t now, enum erasure_block *why)
{
	enum err e;

	assert(db != NULL);
	*why = ERASURE_OK;
	/* BEGIN IMMEDIATE: the check and the deletion see the same rows
	 * (PostgreSQL: lock the users row and the user's orders first). */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = erase_tx(db, user_id, customer, now, why)) == ERR_OK)
		e = db_commit(db);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}
