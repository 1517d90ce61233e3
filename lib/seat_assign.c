/* Handing out a team's seats (see seat_assign.h).  Every change runs in
 * db_begin's BEGIN IMMEDIATE transaction, relying on SQLite's one writer
 * for its reads (PostgreSQL: seat_take's conditional UPDATE and the
 * partial unique index of live assignments are what decide). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "access.h"
#include "audit.h"
#include "db.h"
#include "db_rows.h"
#include "link.h"
#include "seat.h"
#include "seat_step.h"

static const char *const outcome_names[SEAT_OUTCOME_MAX] = {
	[SEAT_GIVEN] = "given",
	[SEAT_INVITED] = "invited",
	[SEAT_HAS_COURSE] = "has_course",
	[SEAT_HOLDS] = "holds",
	[SEAT_BAD_ADDRESS] = "bad_address",
	[SEAT_DUPLICATE] = "duplicate",
	[SEAT_NONE_LEFT] = "none_left",
};

const char *
seat_outcome_name(enum seat_outcome o)
{
	return (unsigned)o < SEAT_OUTCOME_MAX ? outcome_names[o] : "";
}

static enum err
course_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct seat_course *c = elem;

	c->course_id = db_col_int64(st, 0);
	c->seats = db_col_int64(st, 3);
	c->invited = db_col_int64(st, 5);
	c->active = db_col_int64(st, 4) - c->invited;
	return (c->title = db_col_text_dup(a, st, 1)) != NULL &&
	    (c->slug = db_col_text_dup(a, st, 2)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
seat_courses(struct db *db, struct arena *a, int64_t team_id,
    struct seat_course **out, size_t *n)
{
	/* "<> 'revoked'" beside "= 'invited'" lets SQLite use the partial
	 * index of live seats. */
	struct db_stmt *st = db_prep(db, "SELECT s.course_id, c.title, c.slug, "
	    "s.seats, s.held, (SELECT count(*) FROM seat_assignments x WHERE "
	    "x.team_id = s.team_id AND x.course_id = s.course_id AND "
	    "x.status <> 'revoked' AND x.status = 'invited') FROM team_seats s "
	    "JOIN courses c ON "
	    "c.id = s.course_id WHERE s.team_id = ? ORDER BY c.title, c.id");

	db_bind_int64(st, 1, team_id);
	return db_rows(st, a, course_row, sizeof(**out), (void **)out, n);
}

static enum err
holder_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct seat_holder *h = elem;

	h->id = db_col_int64(st, 0);
	h->user_id = db_col_int64(st, 1);
	h->invited = db_col_int64(st, 4) == 1;
	h->since = db_col_int64(st, 5);
	h->expires_at = db_col_int64(st, 6);
	return (h->name = db_col_text_dup(a, st, 2)) != NULL &&
	    (h->email = db_col_text_dup(a, st, 3)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
seat_holders(struct db *db, struct arena *a, int64_t team_id,
    int64_t course_id, int64_t after_id, size_t limit,
    struct seat_holder **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT x.id, coalesce(x.user_id, 0), "
	    "coalesce(u.name, ''), coalesce(u.email, x.email), CASE WHEN "
	    "x.status = 'invited' THEN 1 ELSE 0 END, coalesce(x.accepted_at, "
	    "x.created_at), CASE WHEN x.status = 'invited' THEN "
	    "coalesce(x.expires_at, 0) ELSE 0 END FROM seat_assignments x "
	    "LEFT JOIN users u ON u.id = x.user_id WHERE x.team_id = ?1 AND "
	    "x.course_id = ?2 AND x.status <> 'revoked' AND x.id > ?3 "
	    "ORDER BY x.id LIMIT ?4");

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, after_id);
	db_bind_int64(st, 4, (int64_t)limit);
	return db_rows(st, a, holder_row, sizeof(**out), (void **)out, n);
}

static enum err
member_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct seat_member *m = elem;

	m->user_id = db_col_int64(st, 0);
	return (m->name = db_col_text_dup(a, st, 1)) != NULL &&
	    (m->email = db_col_text_dup(a, st, 2)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
seat_members_without(struct db *db, struct arena *a, int64_t team_id,
    int64_t course_id, size_t limit, struct seat_member **out, size_t *n)
{
	/* The first members by id (the members index's order: a team of
	 * thousands stops reading at limit), then by name for the list. */
	struct db_stmt *st = db_prep(db, "SELECT id, name, email FROM (SELECT "
	    "u.id, u.name, u.email FROM team_members m JOIN users u ON "
	    "u.id = m.user_id WHERE m.team_id = ?1 AND NOT EXISTS (SELECT 1 "
	    "FROM enrollments en WHERE en.user_id = m.user_id AND "
	    "en.course_id = ?2 AND en.status = 'active') AND NOT EXISTS "
	    "(SELECT 1 FROM seat_assignments x WHERE x.user_id = m.user_id "
	    "AND x.team_id = ?1 AND x.course_id = ?2 AND x.status <> "
	    "'revoked') ORDER BY m.user_id LIMIT ?3) AS c ORDER BY name, id");

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, (int64_t)limit);
	return db_rows(st, a, member_row, sizeof(**out), (void **)out, n);
}

/* Ends the transaction begun before the step that returned e; keep 0
 * rolls back a transaction that changed nothing worth keeping. */
static enum err
tx_end(struct db *db, enum err e, int keep)
{
	if (e == ERR_OK && keep)
		e = db_commit(db);
	else
		db_rollback(db);
	return e;
}

/* Writes the audit row of a change to assignment id of the team: its
 * status before (NULL: it is new) and after, its course and holder. */
static enum err
audit_seat(struct db *db, int64_t actor, const char *action, int64_t team_id,
    int64_t id, int64_t course_id, int64_t user_id, const char *before,
    const char *after, const char *detail, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *b = NULL, *a = NULL;
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "team", team_id);
	/* The holder by id, never by address: the log outlives an erasure,
	 * and an invited address is not someone's account. */
	if ((before != NULL && ((b = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(b, "assignment", (double)id) == NULL ||
	    cJSON_AddStringToObject(b, "status", before) == NULL)) ||
	    (a = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(a, "assignment", (double)id) == NULL ||
	    cJSON_AddNumberToObject(a, "course_id", (double)course_id) ==
	    NULL || cJSON_AddStringToObject(a, "status", after) == NULL ||
	    (user_id > 0 && cJSON_AddNumberToObject(a, "user_id",
	    (double)user_id) == NULL))
		goto out;
	e = audit_write(db, actor, action, subject, b, a, detail, now);
out:
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

static enum err
assign_tx(struct db *db, int64_t actor, int64_t team_id, int64_t course_id,
    const char *email, const char *base_url, int64_t now,
    enum seat_outcome *out)
{
	struct seat_step s;
	int64_t user_id, id = 0;
	enum err e;

	if ((e = seat_step_open(&s, db, actor, team_id, course_id, base_url,
	    now)) != ERR_OK || (e = seat_step_classify(&s, email, out,
	    &user_id)) != ERR_OK)
		return e;
	if (*out != SEAT_GIVEN && *out != SEAT_INVITED)
		return ERR_OK;
	if ((e = seat_step_give(&s, email, user_id, out, &id)) != ERR_OK ||
	    *out == SEAT_NONE_LEFT)
		return e;
	return audit_seat(db, actor, "seat.assign", team_id, id, course_id,
	    user_id, NULL, *out == SEAT_GIVEN ? "active" : "invited",
	    *out == SEAT_GIVEN ? "a member's seat, open now" :
	    "an invitation mailed", now);
}

enum err
seat_assign(struct db *db, int64_t actor, int64_t team_id, int64_t course_id,
    const char *email, const char *base_url, int64_t now,
    enum seat_outcome *out)
{
	enum err e;

	assert(db != NULL && email != NULL && base_url != NULL);
	*out = SEAT_NONE_LEFT;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	e = assign_tx(db, actor, team_id, course_id, email, base_url, now,
	    out);
	return tx_end(db, e, *out == SEAT_GIVEN || *out == SEAT_INVITED);
}

enum err
seat_assign_member(struct db *db, int64_t actor, int64_t team_id,
    int64_t course_id, int64_t member_id, const char *base_url, int64_t now,
    enum seat_outcome *out)
{
	char email[MAIL_ADDR_MAX] = "";
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT u.email FROM team_members m JOIN users u ON "
	    "u.id = m.user_id WHERE m.team_id = ? AND m.user_id = ?");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, member_id);
	if ((e = db_next(st)) == ERR_OK)
		snprintf(email, sizeof(email), "%s", db_col_text(st, 0));
	db_done(st);
	if (e != ERR_OK)
		return e;
	return seat_assign(db, actor, team_id, course_id, email, base_url, now,
	    out);
}

static enum err
revoke_tx(struct db *db, int64_t actor, int64_t team_id,
    int64_t assignment_id, int64_t now)
{
	struct db_stmt *st;
	int64_t course_id = 0, user_id = 0;
	int invited = 0;
	enum err e;

	if ((e = team_need_role(db, team_id, actor, TEAM_MANAGER)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT course_id, coalesce(user_id, 0), CASE WHEN "
	    "status = 'invited' THEN 1 ELSE 0 END FROM seat_assignments "
	    "WHERE id = ? AND team_id = ? AND status <> 'revoked'");
	db_bind_int64(st, 1, assignment_id);
	db_bind_int64(st, 2, team_id);
	if ((e = db_next(st)) == ERR_OK) {
		course_id = db_col_int64(st, 0);
		user_id = db_col_int64(st, 1);
		invited = db_col_int64(st, 2) == 1;
	}
	db_done(st);
	if (e != ERR_OK ||
	    (e = seat_revoke(db, team_id, assignment_id, actor, now)) != ERR_OK)
		return e;
	return audit_seat(db, actor, invited ? "seat.cancel" : "seat.revoke",
	    team_id, assignment_id, course_id, user_id, invited ? "invited" :
	    "active", "revoked", invited ? "invitation cancelled, the seat is "
	    "free" : "seat given back, its access ended", now);
}

enum err
seat_assign_revoke(struct db *db, int64_t actor, int64_t team_id,
    int64_t assignment_id, int64_t now)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, revoke_tx(db, actor, team_id, assignment_id, now),
	    1);
}

/* The SELECT of a live invitation by its token's hash (?1) at now (?2). */
#define INVITE_SQL "SELECT x.id, x.team_id, x.course_id, x.expires_at, " \
	"t.name, c.title, c.slug, coalesce(u.name, ''), x.email FROM " \
	"seat_assignments x JOIN teams t ON t.id = x.team_id JOIN courses c " \
	"ON c.id = x.course_id LEFT JOIN users u ON u.id = x.assigned_by " \
	"WHERE x.token_hash = ?1 AND x.status = 'invited' AND " \
	"x.expires_at > ?2"

static enum err
invite_row(struct arena *a, struct db_stmt *st, struct seat_invite *v)
{
	v->id = db_col_int64(st, 0);
	v->team_id = db_col_int64(st, 1);
	v->course_id = db_col_int64(st, 2);
	v->expires_at = db_col_int64(st, 3);
	return (v->team = db_col_text_dup(a, st, 4)) != NULL &&
	    (v->course = db_col_text_dup(a, st, 5)) != NULL &&
	    (v->slug = db_col_text_dup(a, st, 6)) != NULL &&
	    (v->invited_by = db_col_text_dup(a, st, 7)) != NULL &&
	    (v->email = db_col_text_dup(a, st, 8)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
seat_invite_check(struct db *db, struct arena *a, const char *token,
    int64_t now, struct seat_invite *v)
{
	char hash[LINK_HASH_HEX + 1];
	struct db_stmt *st;
	enum err e;

	if (token == NULL || !link_token_hash(token, hash))
		return ERR_NOTFOUND;
	st = db_prep(db, INVITE_SQL);
	db_bind_text(st, 1, hash);
	db_bind_int64(st, 2, now);
	if ((e = db_next(st)) == ERR_OK)
		e = invite_row(a, st, v);
	db_done(st);
	return e;
}

static enum err
accept_tx(struct db *db, struct arena *a, const char *token, int64_t user_id,
    int64_t now, struct seat_invite *v, int *already)
{
	struct db_stmt *st;
	struct access acc;
	enum team_role role;
	int joined = 0;
	enum err e;

	if ((e = seat_invite_check(db, a, token, now, v)) != ERR_OK ||
	    (e = access_check(db, user_id, v->course_id, now, &acc)) !=
	    ERR_OK)
		return e;
	if (access_owned(&acc)) {
		/* The seat would add nothing: the team gets it back. */
		*already = 1;
		if ((e = seat_revoke(db, v->team_id, v->id, user_id, now)) !=
		    ERR_OK)
			return e;
		return audit_seat(db, user_id, "seat.decline", v->team_id,
		    v->id, v->course_id, user_id, "invited", "revoked",
		    "the person who followed the link already had the course: "
		    "the seat went back to the team", now);
	}
	e = team_need_role(db, v->team_id, user_id, TEAM_MEMBER);
	if (e == ERR_NOTFOUND) {
		role = TEAM_MEMBER;
		if ((e = team_member_add(db, v->team_id, user_id, role, now)) !=
		    ERR_OK)
			return e;
		joined = 1;
	}
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE seat_assignments SET status = 'active', "
	    "user_id = ?1, accepted_at = ?2, token_hash = NULL WHERE id = ?3 "
	    "AND status = 'invited'");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, v->id);
	if ((e = db_run(st)) != ERR_OK || (e = seat_step_enroll(db, user_id,
	    v->course_id, v->id, now)) != ERR_OK)
		return e;
	return audit_seat(db, user_id, "seat.accept", v->team_id, v->id,
	    v->course_id, user_id, "invited", "active", joined ?
	    "invitation accepted; joined the team as a member" :
	    "invitation accepted", now);
}

enum err
seat_invite_accept(struct db *db, struct arena *a, const char *token,
    int64_t user_id, int64_t now, struct seat_invite *v, int *already)
{
	enum err e;

	assert(db != NULL && v != NULL && already != NULL);
	*already = 0;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, accept_tx(db, a, token, user_id, now, v, already),
	    1);
}
