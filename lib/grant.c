/* Admin grants, revocations and extensions (see grant.h).  Each reads the
 * enrollment, decides with access_decide() (the one rule), changes the row
 * and writes the audit row in one BEGIN IMMEDIATE transaction: the read
 * and the write cannot interleave with another writer (SQLite's single
 * writer; PostgreSQL reads the enrollment FOR UPDATE). */
#include <string.h>

#include <cjson/cJSON.h>

#include "access.h"
#include "audit.h"
#include "db.h"
#include "enrollment.h"
#include "grant.h"

static const char *const messages[GRANT_RESULT_MAX] = {
	[GRANT_OK] = "Done.",
	[GRANT_NO_COURSE] = "No course has that slug or number. Type the "
	    "course's slug, as in its address, or its number.",
	[GRANT_ALREADY] = "This person has access to that course already.",
	[GRANT_GONE] = "This account was deleted: it cannot be given "
	    "courses.",
	[GRANT_REVOKED] = "This enrollment is revoked already. To give the "
	    "course back, grant it again.",
	[GRANT_NO_LIMIT] = "This course's access never ends (it has no "
	    "access days), so there is nothing to extend.",
	[GRANT_NOT_LATER] = "Pick a date after the current end of access.",
};

const char *
grant_message(enum grant_result r)
{
	return (unsigned)r < GRANT_RESULT_MAX ? messages[r] : "";
}

/* An enrollment as read for a change. */
struct held {
	int64_t id;		/* enrollments.id, 0: none */
	int64_t user_id;	/* whose */
	int64_t course_id;	/* of which course */
	char slug[128];		/* the course's slug, for the audit row */
	int64_t access_days;	/* the course's, 0: none */
	char status[16];	/* "active", "revoked" */
	char source[16];	/* "purchase", "admin", ... */
	char note[GRANT_NOTE_MAX + 1]; /* the last admin note */
	struct access acc;	/* where access stands now */
};

#define HELD_SQL "SELECT en.id, en.user_id, c.id, c.slug, " \
	"coalesce(c.access_days, 0), en.status, en.source, en.note, " \
	"c.price_amount, c.is_active, en.granted_at, " \
	"coalesce(en.order_id, 0), coalesce(o.status, ''), " \
	"coalesce(en.expires_at, 0) FROM enrollments en " \
	"JOIN courses c ON c.id = en.course_id " \
	"LEFT JOIN orders o ON o.id = en.order_id "

static void
copy(char *to, size_t size, const char *from)
{
	size_t n = strlen(from);

	if (n >= size)
		n = size - 1;
	memcpy(to, from, n);
	to[n] = '\0';
}

/* Fills *h from the current row of a HELD_SQL statement at now. */
static void
held_from_row(struct db_stmt *st, int64_t now, struct held *h)
{
	struct access_facts f;

	h->id = db_col_int64(st, 0);
	h->user_id = db_col_int64(st, 1);
	h->course_id = db_col_int64(st, 2);
	copy(h->slug, sizeof(h->slug), db_col_text(st, 3));
	h->access_days = db_col_int64(st, 4);
	copy(h->status, sizeof(h->status), db_col_text(st, 5));
	copy(h->source, sizeof(h->source), db_col_text(st, 6));
	copy(h->note, sizeof(h->note), db_col_text(st, 7));
	f = (struct access_facts){ .price_amount = db_col_int64(st, 8),
	    .is_active = db_col_int64(st, 9) == 1,
	    .access_days = h->access_days, .enrolled = 1,
	    .status = h->status, .source = h->source,
	    .granted_at = db_col_int64(st, 10),
	    .order_id = db_col_int64(st, 11),
	    .order_status = db_col_text(st, 12),
	    .expires_at = db_col_int64(st, 13) };
	access_decide(&f, now, &h->acc);
}

static enum err
held_by_id(struct db *db, int64_t id, int64_t now, struct held *h)
{
	struct db_stmt *st = db_prep(db, HELD_SQL "WHERE en.id = ?");
	enum err e;

	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		held_from_row(st, now, h);
	db_done(st);
	return e;
}

static enum err
held_by_course(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now, struct held *h)
{
	struct db_stmt *st = db_prep(db, HELD_SQL
	    "WHERE en.user_id = ? AND en.course_id = ?");
	enum err e;

	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK)
		held_from_row(st, now, h);
	db_done(st);
	return e;
}

/* Returns a new object of what the audit row keeps of h, or NULL. */
static cJSON *
held_json(const struct held *h)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "status", h->status) ||
	    !cJSON_AddStringToObject(o, "source", h->source) ||
	    !cJSON_AddStringToObject(o, "note", h->note) ||
	    !(h->acc.expires_at != 0 ? cJSON_AddNumberToObject(o,
	    "expires_at", (double)h->acc.expires_at) :
	    cJSON_AddNullToObject(o, "expires_at"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Writes the audit row of a change from before (h->id 0: none) to the
 * enrollment as it now stands. */
static enum err
audit_change(struct db *db, int64_t actor, const char *action,
    const struct held *before, int64_t id, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX], detail[160];
	struct held after;
	cJSON *b = NULL, *a = NULL;
	enum err e;

	if ((e = held_by_id(db, id, now, &after)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	audit_subject(subject, "user", after.user_id);
	copy(detail, sizeof(detail), "course ");
	copy(detail + 7, sizeof(detail) - 7, after.slug);
	if ((before->id != 0 && (b = held_json(before)) == NULL) ||
	    (a = held_json(&after)) == NULL)
		e = ERR_INTERNAL;
	else
		e = audit_write(db, actor, action, subject, b, a, detail, now);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

/* Finds the course named ref: its slug, or its number. */
static enum err
course_of(struct db *db, const char *ref, int64_t *id)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM courses "
	    "WHERE slug = ?1 OR id = CAST(?2 AS BIGINT)");
	enum err e;

	db_bind_text(st, 1, ref);
	if (strspn(ref, "0123456789") == strlen(ref) && strlen(ref) < 19)
		db_bind_text(st, 2, ref);
	else
		db_bind_null(st, 2);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

/* Is user_id an account that may be given courses? */
static enum err
user_usable(struct db *db, int64_t user_id, int *usable)
{
	struct db_stmt *st = db_prep(db, "SELECT deleted_at IS NULL FROM "
	    "users WHERE id = ?");
	enum err e;

	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK)
		*usable = db_col_int64(st, 0) != 0;
	db_done(st);
	return e;
}

/* The grant inside its transaction. */
static enum err
grant_in(struct db *db, int64_t actor, int64_t user_id, int64_t course_id,
    const char *note, const char *base_url, int64_t now,
    enum grant_result *res)
{
	struct held h = { 0 };
	struct db_stmt *st;
	int64_t id = 0;
	enum err e;

	e = held_by_course(db, user_id, course_id, now, &h);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	if (e == ERR_OK && access_owned(&h.acc)) {
		*res = GRANT_ALREADY;
		return ERR_OK;
	}
	st = db_prep(db, "INSERT INTO enrollments (user_id, course_id, "
	    "source, granted_at, note) VALUES (?1, ?2, 'admin', ?3, ?4) "
	    "ON CONFLICT (user_id, course_id) DO UPDATE SET status = "
	    "'active', source = 'admin', granted_at = ?3, revoked_at = NULL, "
	    "expires_at = NULL, note = ?4 RETURNING id");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, now);
	db_bind_text(st, 4, note);
	if ((e = db_next(st)) == ERR_OK)
		id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	if ((e = enrollment_queue_welcome(db, user_id, course_id,
	    base_url)) != ERR_OK)
		return e;
	*res = GRANT_OK;
	return audit_change(db, actor, "enrollment.grant", &h, id, now);
}

/* Ends the transaction: commits when e is ERR_OK and *res GRANT_OK. */
static enum err
finish(struct db *db, enum err e, enum grant_result res)
{
	if (e != ERR_OK || res != GRANT_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
grant_course(struct db *db, int64_t actor, int64_t user_id, const char *ref,
    const char *note, const char *base_url, int64_t now,
    enum grant_result *res)
{
	int64_t course_id;
	int usable = 0;
	enum err e;

	*res = GRANT_NO_COURSE;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = user_usable(db, user_id, &usable)) == ERR_OK && !usable)
		*res = GRANT_GONE;
	else if (e == ERR_OK && (e = course_of(db, ref, &course_id)) ==
	    ERR_NOTFOUND)
		e = ERR_OK;
	else if (e == ERR_OK)
		e = grant_in(db, actor, user_id, course_id, note, base_url,
		    now, res);
	return finish(db, e, *res);
}

enum err
grant_revoke(struct db *db, int64_t actor, int64_t id, int64_t now,
    int64_t *user_id, enum grant_result *res)
{
	struct held h;
	struct db_stmt *st;
	enum err e;

	*res = GRANT_REVOKED;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = held_by_id(db, id, now, &h)) != ERR_OK)
		return finish(db, e, *res);
	*user_id = h.user_id;
	if (strcmp(h.status, "active") != 0)
		return finish(db, ERR_OK, *res);
	st = db_prep(db, "UPDATE enrollments SET status = 'revoked', "
	    "revoked_at = ? WHERE id = ?");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, id);
	if ((e = db_run(st)) == ERR_OK) {
		*res = GRANT_OK;
		e = audit_change(db, actor, "enrollment.revoke", &h, id, now);
	}
	return finish(db, e, *res);
}

/* Why enrollment h cannot be extended to until, or GRANT_OK. */
static enum grant_result
extendable(const struct held *h, int64_t until)
{
	if (h->access_days <= 0)
		return GRANT_NO_LIMIT;
	if (strcmp(h->status, "active") != 0)
		return GRANT_REVOKED;
	return until > h->acc.expires_at ? GRANT_OK : GRANT_NOT_LATER;
}

enum err
grant_extend(struct db *db, int64_t actor, int64_t id, int64_t until,
    int64_t now, int64_t *user_id, enum grant_result *res)
{
	struct held h;
	struct db_stmt *st;
	enum err e;

	*res = GRANT_NOT_LATER;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = held_by_id(db, id, now, &h)) != ERR_OK)
		return finish(db, e, *res);
	*user_id = h.user_id;
	if ((*res = extendable(&h, until)) != GRANT_OK)
		return finish(db, ERR_OK, *res);
	st = db_prep(db, "UPDATE enrollments SET expires_at = ? WHERE id = ?");
	db_bind_int64(st, 1, until);
	db_bind_int64(st, 2, id);
	if ((e = db_run(st)) == ERR_OK)
		e = audit_change(db, actor, "enrollment.extend", &h, id, now);
	return finish(db, e, *res);
}

enum err
grant_owner(struct db *db, int64_t id, int64_t *user_id)
{
	struct db_stmt *st = db_prep(db, "SELECT user_id FROM enrollments "
	    "WHERE id = ?");
	enum err e;

	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		*user_id = db_col_int64(st, 0);
	db_done(st);
	return e;
}
