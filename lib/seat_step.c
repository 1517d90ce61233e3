/* Giving one seat (see seat_step.h): the checks, and the rows and the
 * mail of a member's seat or of an invitation. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "access.h"
#include "buf.h"
#include "db.h"
#include "link.h"
#include "seat.h"
#include "seat_step.h"

/* Copies column col of st into out (size bytes, always terminated). */
static void
col_copy(struct db_stmt *st, int col, char *out, size_t size)
{
	snprintf(out, size, "%s", db_col_text(st, col));
}

enum err
seat_step_open(struct seat_step *s, struct db *db, int64_t actor,
    int64_t team_id, int64_t course_id, const char *base_url, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	*s = (struct seat_step){ .db = db, .actor = actor, .team_id = team_id,
	    .course_id = course_id, .now = now, .base_url = base_url };
	if ((e = team_need_role(db, team_id, actor, TEAM_MANAGER)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT t.name, c.title, c.slug FROM team_seats s "
	    "JOIN teams t ON t.id = s.team_id JOIN courses c ON "
	    "c.id = s.course_id WHERE s.team_id = ? AND s.course_id = ?");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		col_copy(st, 0, s->team, sizeof(s->team));
		col_copy(st, 1, s->course, sizeof(s->course));
		col_copy(st, 2, s->slug, sizeof(s->slug));
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	e = mail_recipient(db, actor, s->actor_email, s->actor_name);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

/* Sets *holds when email or user_id (0: none) holds a live seat of the
 * course: two lookups, each on its own index (an OR of the two would
 * scan every live seat of the course). */
static enum err
holds_seat(struct seat_step *s, const char *email, int64_t user_id,
    int *holds)
{
	struct db_stmt *st = db_prep(s->db, "SELECT 1 FROM seat_assignments "
	    "WHERE team_id = ?1 AND course_id = ?2 AND email = ?3 AND "
	    "status <> 'revoked'");
	enum err e;

	db_bind_int64(st, 1, s->team_id);
	db_bind_int64(st, 2, s->course_id);
	db_bind_text(st, 3, email);
	e = db_next(st);
	db_done(st);
	if (e == ERR_NOTFOUND && user_id > 0) {
		st = db_prep(s->db, "SELECT 1 FROM seat_assignments WHERE "
		    "user_id = ?1 AND team_id = ?2 AND course_id = ?3 AND "
		    "status <> 'revoked'");
		db_bind_int64(st, 1, user_id);
		db_bind_int64(st, 2, s->team_id);
		db_bind_int64(st, 3, s->course_id);
		e = db_next(st);
		db_done(st);
	}
	*holds = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
seat_step_classify(struct seat_step *s, const char *email,
    enum seat_outcome *out, int64_t *user_id)
{
	struct db_stmt *st;
	struct access acc;
	int member = 0, holds;
	enum err e;

	*user_id = 0;
	st = db_prep(s->db, "SELECT u.id, CASE WHEN m.user_id IS NULL THEN 0 "
	    "ELSE 1 END FROM users u LEFT JOIN team_members m ON "
	    "m.user_id = u.id AND m.team_id = ? WHERE u.email = ?");
	db_bind_int64(st, 1, s->team_id);
	db_bind_text(st, 2, email);
	if ((e = db_next(st)) == ERR_OK) {
		*user_id = db_col_int64(st, 0);
		member = db_col_int64(st, 1) == 1;
	}
	db_done(st);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	if ((e = holds_seat(s, email, *user_id, &holds)) != ERR_OK)
		return e;
	if (holds) {
		*out = SEAT_HOLDS;
		return ERR_OK;
	}
	if (*user_id > 0) {
		if ((e = access_check(s->db, *user_id, s->course_id, s->now,
		    &acc)) != ERR_OK)
			return e;
		if (access_owned(&acc)) {
			*out = SEAT_HAS_COURSE;
			return ERR_OK;
		}
	}
	*out = member ? SEAT_GIVEN : SEAT_INVITED;
	if (!member)
		*user_id = 0;
	return ERR_OK;
}

/* Queues a mail of subject and body to email (dedupe names the event). */
static enum err
queue(struct seat_step *s, const struct buf *dedupe, const char *email,
    const struct buf *subject, const struct buf *body)
{
	return dedupe->oom || subject->oom || body->oom ? ERR_INTERNAL :
	    mail_queue(s->db, dedupe->data, email, subject->data, body->data);
}

/* The mail telling a member they have a seat. */
static enum err
given_mail(struct seat_step *s, const char *email, int64_t id)
{
	struct buf body = { 0 }, key = { 0 }, subject = { 0 };
	enum err e;

	buf_printf(&subject, "%s gave you a seat in %s", s->actor_name,
	    s->course);
	buf_printf(&body, "Hello,\n\n%s gave you a seat of the team \"%s\" in "
	    "the course \"%s\". It is open to you now:\n\n%s/learn/%s\n",
	    s->actor_name, s->team, s->course, s->base_url, s->slug);
	buf_printf(&key, "seat-given-%lld", (long long)id);
	e = queue(s, &key, email, &subject, &body);
	buf_free(&body);
	buf_free(&key);
	buf_free(&subject);
	return e;
}

/* The invitation mail of token for assignment id (its id names the
 * event: a key that grows, cheap to index, unlike the token's hash). */
static enum err
invite_mail(struct seat_step *s, const char *email, const char *token,
    int64_t id)
{
	struct buf body = { 0 }, key = { 0 }, subject = { 0 };
	enum err e;

	buf_printf(&subject, "%s gave you a seat in %s", s->actor_name,
	    s->course);
	buf_printf(&body, "Hello,\n\n%s gave you a seat of the team \"%s\" in "
	    "the course \"%s\" at %s.\n\nLog in or create an account, then "
	    "follow this link to take it:\n\n%s/account/seats/accept?token=%s"
	    "\n\nThe link works once, within 7 days. If you did not expect "
	    "it, ignore this mail.\n", s->actor_name, s->team, s->course,
	    s->base_url, s->base_url, token);
	buf_printf(&key, "seat-invite-%lld", (long long)id);
	e = queue(s, &key, email, &subject, &body);
	sodium_memzero(body.data, body.len);
	buf_free(&body);
	buf_free(&key);
	buf_free(&subject);
	return e;
}

/* Inserts the assignment of the seat to email (user_id 0: an invitation
 * with token hash); sets *id. */
static enum err
assignment_add(struct seat_step *s, const char *email, int64_t user_id,
    const char *hash, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(s->db, "INSERT INTO seat_assignments (team_id, course_id, "
	    "user_id, email, status, token_hash, expires_at, assigned_by, "
	    "created_at, accepted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10) RETURNING id");
	db_bind_int64(st, 1, s->team_id);
	db_bind_int64(st, 2, s->course_id);
	if (user_id > 0) {
		db_bind_int64(st, 3, user_id);
		db_bind_text(st, 5, "active");
		db_bind_null(st, 6);
		db_bind_null(st, 7);
		db_bind_int64(st, 10, s->now);
	} else {
		db_bind_null(st, 3);
		db_bind_text(st, 5, "invited");
		db_bind_text(st, 6, hash);
		db_bind_int64(st, 7, s->now + TEAM_INVITE_TTL);
		db_bind_null(st, 10);
	}
	db_bind_text(st, 4, email);
	db_bind_int64(st, 8, s->actor);
	db_bind_int64(st, 9, s->now);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

enum err
seat_step_enroll(struct db *db, int64_t user_id, int64_t course_id,
    int64_t seat_id, int64_t now)
{
	struct db_stmt *st;

	/* One enrollment per (user, course), as lib/fulfil.c grants it: a
	 * revoked or expired one comes back as the seat. */
	st = db_prep(db, "INSERT INTO enrollments (user_id, course_id, "
	    "order_id, source, seat_id, granted_at) VALUES (?1, ?2, NULL, "
	    "'seat', ?3, ?4) ON CONFLICT (user_id, course_id) DO UPDATE SET "
	    "status = 'active', order_id = NULL, source = 'seat', seat_id = "
	    "excluded.seat_id, revoked_at = NULL, granted_at = "
	    "excluded.granted_at");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, seat_id);
	db_bind_int64(st, 4, now);
	return db_run(st);
}

enum err
seat_step_give(struct seat_step *s, const char *email, int64_t user_id,
    enum seat_outcome *out, int64_t *id)
{
	char token[LINK_TOKEN_HEX + 1], hash[LINK_HASH_HEX + 1];
	enum err e;

	e = seat_take(s->db, s->team_id, s->course_id, s->now);
	if (e == ERR_CONFLICT) {
		*out = SEAT_NONE_LEFT;
		return ERR_OK;
	}
	if (e != ERR_OK)
		return e;
	if (*out == SEAT_GIVEN) {
		if ((e = assignment_add(s, email, user_id, NULL, id)) != ERR_OK ||
		    (e = seat_step_enroll(s->db, user_id, s->course_id, *id,
		    s->now)) != ERR_OK || (e = given_mail(s, email, *id)) !=
		    ERR_OK)
			return e;
		s->given++;
		return ERR_OK;
	}
	link_token_new(token, hash);
	if ((e = assignment_add(s, email, 0, hash, id)) == ERR_OK)
		e = invite_mail(s, email, token, *id);
	sodium_memzero(token, sizeof(token));
	if (e == ERR_OK)
		s->invited++;
	return e;
}
