/* Teams (see team.h).  Every change runs in db_begin's BEGIN IMMEDIATE
 * transaction: the role check and the change see the same rows, so two
 * owners can never appear (PostgreSQL: SELECT ... FOR UPDATE on the
 * team's member rows first; the partial unique index team_members_owner
 * is the backstop on both). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "audit.h"
#include "buf.h"
#include "db.h"
#include "db_rows.h"
#include "link.h"
#include "mail.h"
#include "seat.h"
#include "team.h"
#include "user.h"

static const char *const role_names[TEAM_ROLE_MAX] = {
	[TEAM_NONE] = "",
	[TEAM_MEMBER] = "member",
	[TEAM_MANAGER] = "manager",
	[TEAM_OWNER] = "owner",
};

const char *
team_role_name(enum team_role r)
{
	return (unsigned)r < TEAM_ROLE_MAX ? role_names[r] : "";
}

enum team_role
team_role_parse(const char *s)
{
	for (int r = TEAM_MEMBER; s != NULL && r < TEAM_ROLE_MAX; r++)
		if (strcmp(s, role_names[r]) == 0)
			return (enum team_role)r;
	return TEAM_NONE;
}

/* Sets *role to user_id's role in team_id (TEAM_NONE for none). */
static enum err
role_of(struct db *db, int64_t team_id, int64_t user_id, enum team_role *role)
{
	struct db_stmt *st = db_prep(db, "SELECT role FROM team_members "
	    "WHERE team_id = ? AND user_id = ?");
	enum err e;

	*role = TEAM_NONE;
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK)
		*role = team_role_parse(db_col_text(st, 0));
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
team_need_role(struct db *db, int64_t team_id, int64_t actor,
    enum team_role need)
{
	enum team_role r;
	enum err e;

	if ((e = role_of(db, team_id, actor, &r)) != ERR_OK)
		return e;
	if (r == TEAM_NONE)
		return ERR_NOTFOUND;
	return r >= need ? ERR_OK : ERR_FORBIDDEN;
}

/* Ends the transaction begun before the step that returned e. */
static enum err
tx_end(struct db *db, enum err e)
{
	if (e == ERR_OK)
		e = db_commit(db);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

/* Writes the audit row of a change to member user_id of team_id from role
 * before to role after (either TEAM_NONE: joined, left). */
static enum err
audit_member(struct db *db, int64_t actor, const char *action,
    int64_t team_id, int64_t user_id, enum team_role before,
    enum team_role after, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX], detail[96];
	cJSON *b = NULL, *a = NULL;
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "team", team_id);
	snprintf(detail, sizeof(detail), "user %lld", (long long)user_id);
	if ((before != TEAM_NONE && ((b = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(b, "user_id", (double)user_id) == NULL ||
	    cJSON_AddStringToObject(b, "role", role_names[before]) == NULL)) ||
	    (after != TEAM_NONE && ((a = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(a, "user_id", (double)user_id) == NULL ||
	    cJSON_AddStringToObject(a, "role", role_names[after]) == NULL)))
		goto out;
	e = audit_write(db, actor, action, subject, b, a, detail, now);
out:
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

enum err
team_member_add(struct db *db, int64_t team_id, int64_t user_id,
    enum team_role role, int64_t now)
{
	struct db_stmt *st = db_prep(db, "INSERT INTO team_members (team_id, "
	    "user_id, role, joined_at) VALUES (?, ?, ?, ?)");

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, user_id);
	db_bind_text(st, 3, role_names[role]);
	db_bind_int64(st, 4, now);
	return db_run(st);
}

static enum err
member_set(struct db *db, int64_t team_id, int64_t user_id,
    enum team_role role)
{
	struct db_stmt *st = db_prep(db, "UPDATE team_members SET role = ? "
	    "WHERE team_id = ? AND user_id = ?");

	db_bind_text(st, 1, role_names[role]);
	db_bind_int64(st, 2, team_id);
	db_bind_int64(st, 3, user_id);
	return db_run(st);
}

/* user_id leaves team_id (actor removed them, or they left): the seats
 * of the team they hold go back to it, their own purchases stay. */
static enum err
member_delete(struct db *db, int64_t actor, int64_t team_id,
    int64_t user_id, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	if ((e = seat_revoke_member(db, team_id, user_id, actor, now,
	    NULL)) != ERR_OK)
		return e;
	st = db_prep(db, "DELETE FROM team_members WHERE team_id = ? AND "
	    "user_id = ?");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, user_id);
	return db_run(st);
}

static enum err
create_tx(struct db *db, int64_t user_id, const char *name, int64_t now,
    int64_t *id)
{
	char subject[AUDIT_SUBJECT_MAX];
	struct db_stmt *st;
	cJSON *after;
	enum err e;

	st = db_prep(db, "INSERT INTO teams (name, created_at) VALUES (?, ?) "
	    "RETURNING id");
	db_bind_text(st, 1, name);
	db_bind_int64(st, 2, now);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	if ((e = team_member_add(db, *id, user_id, TEAM_OWNER, now)) != ERR_OK)
		return e;
	audit_subject(subject, "team", *id);
	if ((after = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(after, "name", name) == NULL ||
	    cJSON_AddNumberToObject(after, "owner", (double)user_id) == NULL) {
		cJSON_Delete(after);
		return ERR_INTERNAL;
	}
	e = audit_write(db, user_id, "team.create", subject, NULL, after,
	    NULL, now);
	cJSON_Delete(after);
	return e;
}

enum err
team_create(struct db *db, int64_t user_id, const char *name, int64_t now,
    int64_t *id)
{
	enum err e;

	assert(db != NULL && name != NULL);
	if (name[0] == '\0' || strlen(name) > TEAM_NAME_MAX)
		return ERR_INVALID;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, create_tx(db, user_id, name, now, id));
}

/* Reads a team row of the statements below: id, name, created_at, the
 * viewer's role, the member count. */
static enum err
team_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team *t = elem;

	t->id = db_col_int64(st, 0);
	t->created_at = db_col_int64(st, 2);
	t->role = team_role_parse(db_col_text(st, 3));
	t->members = db_col_int64(st, 4);
	return (t->name = db_col_text_dup(a, st, 1)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
team_list_mine(struct db *db, struct arena *a, int64_t user_id,
    struct team **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT t.id, t.name, t.created_at, m.role, "
	    "(SELECT count(*) FROM team_members c WHERE c.team_id = t.id) "
	    "FROM team_members m JOIN teams t ON t.id = m.team_id "
	    "WHERE m.user_id = ? ORDER BY t.name, t.id");
	db_bind_int64(st, 1, user_id);
	return db_rows(st, a, team_row, sizeof(**out), (void **)out, n);
}

enum err
team_load(struct db *db, struct arena *a, int64_t team_id, int64_t user_id,
    struct team *t)
{
	struct db_stmt *st = db_prep(db, "SELECT t.id, t.name, t.created_at, "
	    "m.role, (SELECT count(*) FROM team_members c WHERE "
	    "c.team_id = t.id) FROM team_members m JOIN teams t ON "
	    "t.id = m.team_id WHERE m.team_id = ? AND m.user_id = ?");

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, user_id);
	return db_row(st, a, team_row, t);
}

/* Reads a member row: user id, name, email, role, joined_at. */
static enum err
member_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_member *m = elem;

	m->user_id = db_col_int64(st, 0);
	m->role = team_role_parse(db_col_text(st, 3));
	m->joined_at = db_col_int64(st, 4);
	return (m->name = db_col_text_dup(a, st, 1)) != NULL &&
	    (m->email = db_col_text_dup(a, st, 2)) != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
team_members(struct db *db, struct arena *a, int64_t team_id,
    struct team_member **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT u.id, u.name, u.email, "
	    "m.role, m.joined_at FROM team_members m JOIN users u ON "
	    "u.id = m.user_id WHERE m.team_id = ? ORDER BY CASE m.role "
	    "WHEN 'owner' THEN 0 ELSE 1 END, u.name, u.id");

	db_bind_int64(st, 1, team_id);
	return db_rows(st, a, member_row, sizeof(**out), (void **)out, n);
}

/* Reads an invitation row of the statements below: id, team_id, email,
 * role, team name, inviter's name, created_at, expires_at. */
static enum err
invite_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct team_invite *v = elem;

	v->id = db_col_int64(st, 0);
	v->team_id = db_col_int64(st, 1);
	v->role = team_role_parse(db_col_text(st, 3));
	v->created_at = db_col_int64(st, 6);
	v->expires_at = db_col_int64(st, 7);
	if ((v->email = db_col_text_dup(a, st, 2)) == NULL ||
	    (v->team_name = db_col_text_dup(a, st, 4)) == NULL ||
	    (v->invited_by = db_col_text_dup(a, st, 5)) == NULL)
		return ERR_INTERNAL;
	return ERR_OK;
}

enum err
team_invites_pending(struct db *db, struct arena *a, int64_t team_id,
    int64_t now, struct team_invite **out, size_t *n)
{
	struct db_stmt *st = db_prep(db, "SELECT i.id, i.team_id, i.email, "
	    "i.role, t.name, "
	    "coalesce(u.name, ''), i.created_at, i.expires_at FROM "
	    "team_invitations i JOIN teams t ON t.id = i.team_id LEFT JOIN "
	    "users u ON u.id = i.invited_by WHERE i.team_id = ? AND "
	    "i.accepted_at IS NULL AND i.expires_at > ? ORDER BY i.id DESC");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, now);
	return db_rows(st, a, invite_row, sizeof(**out), (void **)out, n);
}

/* Queues the invitation mail of token to email. */
static enum err
invite_mail(struct db *db, const char *team, const char *inviter,
    const char *email, const char *base_url, const char *token,
    const char *hash)
{
	struct buf body = { 0 }, key = { 0 }, subject = { 0 };
	enum err e;

	buf_printf(&subject, "%s invites you to the team %s", inviter, team);
	buf_printf(&body, "Hello,\n\n%s invites you to join the team \"%s\" "
	    "at %s.\n\nLog in or create an account, then follow this link to "
	    "join:\n\n%s/account/teams/accept?token=%s\n\nThe link works once, "
	    "within 7 days. If you did not expect it, ignore this mail.\n",
	    inviter, team, base_url, base_url, token);
	buf_printf(&key, "team-invite-%s", hash);
	e = body.oom || key.oom || subject.oom ? ERR_INTERNAL :
	    mail_queue(db, key.data, email, subject.data, body.data);
	sodium_memzero(body.data, body.len);
	buf_free(&body);
	buf_free(&key);
	buf_free(&subject);
	return e;
}

/* Sets *yes when a member of team_id uses address email. */
static enum err
address_is_member(struct db *db, int64_t team_id, const char *email,
    int *yes)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM team_members m JOIN "
	    "users u ON u.id = m.user_id WHERE m.team_id = ? AND u.email = ?");
	enum err e;

	db_bind_int64(st, 1, team_id);
	db_bind_text(st, 2, email);
	e = db_next(st);
	db_done(st);
	*yes = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
invite_tx(struct db *db, int64_t actor, int64_t team_id, const char *email,
    enum team_role role, const char *base_url, int64_t now)
{
	char token[LINK_TOKEN_HEX + 1], hash[LINK_HASH_HEX + 1];
	char subject[AUDIT_SUBJECT_MAX], detail[96];
	char team[TEAM_NAME_MAX + 1] = "", inviter[MAIL_NAME_MAX] = "";
	char to[MAIL_ADDR_MAX];
	struct db_stmt *st;
	int64_t id = 0;
	int member;
	enum err e;

	if ((e = team_need_role(db, team_id, actor, TEAM_MANAGER)) != ERR_OK ||
	    (e = address_is_member(db, team_id, email, &member)) != ERR_OK)
		return e;
	if (member)
		return ERR_CONFLICT;
	if ((e = mail_recipient(db, actor, to, inviter)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	st = db_prep(db, "SELECT name FROM teams WHERE id = ?");
	db_bind_int64(st, 1, team_id);
	if ((e = db_next(st)) == ERR_OK)
		snprintf(team, sizeof(team), "%s", db_col_text(st, 0));
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	/* A new invitation of the address replaces the pending one. */
	st = db_prep(db, "DELETE FROM team_invitations WHERE team_id = ? AND "
	    "email = ? AND accepted_at IS NULL");
	db_bind_int64(st, 1, team_id);
	db_bind_text(st, 2, email);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	link_token_new(token, hash);
	st = db_prep(db, "INSERT INTO team_invitations (team_id, email, role, "
	    "token_hash, invited_by, created_at, expires_at) VALUES (?, ?, ?, "
	    "?, ?, ?, ?) RETURNING id");
	db_bind_int64(st, 1, team_id);
	db_bind_text(st, 2, email);
	db_bind_text(st, 3, role_names[role]);
	db_bind_text(st, 4, hash);
	db_bind_int64(st, 5, actor);
	db_bind_int64(st, 6, now);
	db_bind_int64(st, 7, now + TEAM_INVITE_TTL);
	if ((e = db_next(st)) == ERR_OK)
		id = db_col_int64(st, 0);
	db_done(st);
	if (e == ERR_OK)
		e = invite_mail(db, team, inviter, email, base_url, token,
		    hash);
	sodium_memzero(token, sizeof(token));
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	audit_subject(subject, "team", team_id);
	/* Not the address: the log outlives an erasure of its owner. */
	snprintf(detail, sizeof(detail), "invitation %lld as %s",
	    (long long)id, role_names[role]);
	return audit_write(db, actor, "team.invite", subject, NULL, NULL,
	    detail, now);
}

enum err
team_invite(struct db *db, int64_t actor, int64_t team_id, const char *email,
    enum team_role role, const char *base_url, int64_t now)
{
	enum err e;

	assert(db != NULL && email != NULL && base_url != NULL);
	if (role != TEAM_MEMBER && role != TEAM_MANAGER)
		return ERR_INVALID;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, invite_tx(db, actor, team_id, email, role, base_url,
	    now));
}

enum err
team_invite_check(struct db *db, struct arena *a, const char *token,
    int64_t now, struct team_invite *v)
{
	char hash[LINK_HASH_HEX + 1];
	struct db_stmt *st;

	if (!link_token_hash(token, hash))
		return ERR_NOTFOUND;
	st = db_prep(db, "SELECT i.id, i.team_id, i.email, i.role, t.name, "
	    "coalesce(u.name, ''), i.created_at, i.expires_at FROM "
	    "team_invitations i JOIN teams t ON t.id = i.team_id LEFT JOIN "
	    "users u ON u.id = i.invited_by WHERE i.token_hash = ? AND "
	    "i.accepted_at IS NULL AND i.expires_at > ?");
	db_bind_text(st, 1, hash);
	db_bind_int64(st, 2, now);
	return db_row(st, a, invite_row, v);
}

static enum err
accept_tx(struct db *db, const char *token, int64_t user_id, int64_t now,
    int64_t *team_id)
{
	char hash[LINK_HASH_HEX + 1];
	struct db_stmt *st;
	enum team_role role = TEAM_NONE, had;
	int64_t id = 0;
	enum err e;

	if (!link_token_hash(token, hash))
		return ERR_NOTFOUND;
	st = db_prep(db, "SELECT id, team_id, role FROM team_invitations "
	    "WHERE token_hash = ? AND accepted_at IS NULL AND expires_at > ?");
	db_bind_text(st, 1, hash);
	db_bind_int64(st, 2, now);
	if ((e = db_next(st)) == ERR_OK) {
		id = db_col_int64(st, 0);
		*team_id = db_col_int64(st, 1);
		role = team_role_parse(db_col_text(st, 2));
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	if ((e = role_of(db, *team_id, user_id, &had)) != ERR_OK)
		return e;
	if (had != TEAM_NONE)
		return ERR_CONFLICT;
	st = db_prep(db, "UPDATE team_invitations SET accepted_at = ?, "
	    "accepted_by = ? WHERE id = ? AND accepted_at IS NULL");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, id);
	if ((e = db_run(st)) != ERR_OK ||
	    (e = team_member_add(db, *team_id, user_id, role, now)) != ERR_OK)
		return e;
	return audit_member(db, user_id, "team.join", *team_id, user_id,
	    TEAM_NONE, role, now);
}

enum err
team_invite_accept(struct db *db, const char *token, int64_t user_id,
    int64_t now, int64_t *team_id)
{
	enum err e;

	assert(db != NULL);
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, accept_tx(db, token, user_id, now, team_id));
}

/* The checks every change to another member shares: actor has at least
 * need, member_id is a member other than actor (*role theirs). */
static enum err
target_of(struct db *db, int64_t actor, int64_t team_id, int64_t member_id,
    enum team_role need, enum team_role *role)
{
	enum err e;

	if ((e = team_need_role(db, team_id, actor, need)) != ERR_OK ||
	    (e = role_of(db, team_id, member_id, role)) != ERR_OK)
		return e;
	if (*role == TEAM_NONE)
		return ERR_NOTFOUND;
	return member_id == actor ? ERR_INVALID : ERR_OK;
}

static enum err
set_role_tx(struct db *db, int64_t actor, int64_t team_id, int64_t member_id,
    enum team_role role, int64_t now)
{
	enum team_role had;
	enum err e;

	if ((e = target_of(db, actor, team_id, member_id, TEAM_MANAGER,
	    &had)) != ERR_OK)
		return e;
	if (had == TEAM_OWNER)
		return ERR_CONFLICT;
	if (had == role)
		return ERR_OK;
	if ((e = member_set(db, team_id, member_id, role)) != ERR_OK)
		return e;
	return audit_member(db, actor, "team.role", team_id, member_id, had,
	    role, now);
}

enum err
team_set_role(struct db *db, int64_t actor, int64_t team_id,
    int64_t member_id, enum team_role role, int64_t now)
{
	enum err e;

	if (role != TEAM_MEMBER && role != TEAM_MANAGER)
		return ERR_INVALID;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, set_role_tx(db, actor, team_id, member_id, role,
	    now));
}

static enum err
remove_tx(struct db *db, int64_t actor, int64_t team_id, int64_t member_id,
    int64_t now)
{
	enum team_role had;
	enum err e;

	if ((e = target_of(db, actor, team_id, member_id, TEAM_MANAGER,
	    &had)) != ERR_OK)
		return e;
	if (had == TEAM_OWNER)
		return ERR_CONFLICT;
	if ((e = member_delete(db, actor, team_id, member_id, now)) != ERR_OK)
		return e;
	return audit_member(db, actor, "team.remove", team_id, member_id, had,
	    TEAM_NONE, now);
}

enum err
team_remove(struct db *db, int64_t actor, int64_t team_id, int64_t member_id,
    int64_t now)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, remove_tx(db, actor, team_id, member_id, now));
}

static enum err
leave_tx(struct db *db, int64_t user_id, int64_t team_id, int64_t now)
{
	enum team_role had;
	enum err e;

	if ((e = role_of(db, team_id, user_id, &had)) != ERR_OK)
		return e;
	if (had == TEAM_NONE)
		return ERR_NOTFOUND;
	if (had == TEAM_OWNER)
		return ERR_CONFLICT;
	if ((e = member_delete(db, user_id, team_id, user_id, now)) != ERR_OK)
		return e;
	return audit_member(db, user_id, "team.leave", team_id, user_id, had,
	    TEAM_NONE, now);
}

enum err
team_leave(struct db *db, int64_t user_id, int64_t team_id, int64_t now)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, leave_tx(db, user_id, team_id, now));
}

static enum err
transfer_tx(struct db *db, int64_t actor, int64_t team_id, int64_t member_id,
    int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	enum team_role had;
	cJSON *b, *a;
	enum err e;

	if ((e = target_of(db, actor, team_id, member_id, TEAM_OWNER,
	    &had)) != ERR_OK)
		return e;
	/* The old owner steps down first: the unique index on the owner
	 * holds at every statement. */
	if ((e = member_set(db, team_id, actor, TEAM_MANAGER)) != ERR_OK ||
	    (e = member_set(db, team_id, member_id, TEAM_OWNER)) != ERR_OK)
		return e;
	audit_subject(subject, "team", team_id);
	b = cJSON_CreateObject();
	a = cJSON_CreateObject();
	if (b == NULL || a == NULL ||
	    cJSON_AddNumberToObject(b, "owner", (double)actor) == NULL ||
	    cJSON_AddNumberToObject(a, "owner", (double)member_id) == NULL)
		e = ERR_INTERNAL;
	else
		e = audit_write(db, actor, "team.transfer", subject, b, a,
		    "the former owner is now a manager", now);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

enum err
team_transfer(struct db *db, int64_t actor, int64_t team_id,
    int64_t member_id, int64_t now)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, transfer_tx(db, actor, team_id, member_id, now));
}

static enum err
rename_tx(struct db *db, int64_t actor, int64_t team_id, const char *name,
    int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX], old[TEAM_NAME_MAX + 1] = "";
	struct db_stmt *st;
	cJSON *b, *a;
	enum err e;

	/* The role first: a non-member learns nothing from a bad name. */
	if ((e = team_need_role(db, team_id, actor, TEAM_MANAGER)) != ERR_OK)
		return e;
	if (name[0] == '\0' || strlen(name) > TEAM_NAME_MAX)
		return ERR_INVALID;
	st = db_prep(db, "SELECT name FROM teams WHERE id = ?");
	db_bind_int64(st, 1, team_id);
	if ((e = db_next(st)) == ERR_OK)
		snprintf(old, sizeof(old), "%s", db_col_text(st, 0));
	db_done(st);
	if (e != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	if (strcmp(old, name) == 0)
		return ERR_OK;
	st = db_prep(db, "UPDATE teams SET name = ? WHERE id = ?");
	db_bind_text(st, 1, name);
	db_bind_int64(st, 2, team_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	audit_subject(subject, "team", team_id);
	b = cJSON_CreateObject();
	a = cJSON_CreateObject();
	if (b == NULL || a == NULL ||
	    cJSON_AddStringToObject(b, "name", old) == NULL ||
	    cJSON_AddStringToObject(a, "name", name) == NULL)
		e = ERR_INTERNAL;
	else
		e = audit_write(db, actor, "team.rename", subject, b, a, NULL,
		    now);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

enum err
team_rename(struct db *db, int64_t actor, int64_t team_id, const char *name,
    int64_t now)
{
	enum err e;

	assert(db != NULL && name != NULL);
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, rename_tx(db, actor, team_id, name, now));
}
