/* An admin's changes to an account (see person_change.h).  Each is one
 * BEGIN IMMEDIATE transaction: the check ("not the last admin"), the
 * change and its audit row together, so two admins demoting each other at
 * once cannot both succeed.  That relies on SQLite's single writer; on
 * PostgreSQL the admins' rows are read FOR UPDATE first. */
#include <cjson/cJSON.h>

#include "audit.h"
#include "db.h"
#include "person_change.h"
#include "session.h"

/* The account's state as the audit row records it. */
struct account_state {
	int is_admin;		/* role admin */
	int64_t disabled_at;	/* 0: may log in */
	int deleted;		/* deleted by its owner */
};

static enum err
state_of(struct db *db, int64_t id, struct account_state *s)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT role = 'admin', coalesce(disabled_at, 0), "
	    "deleted_at IS NOT NULL FROM users WHERE id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		*s = (struct account_state){ (int)db_col_int64(st, 0),
		    db_col_int64(st, 1), (int)db_col_int64(st, 2) };
	db_done(st);
	return e;
}

enum err
person_admins_count(struct db *db, int64_t *n)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT count(*) FROM users WHERE role = 'admin' "
	    "AND disabled_at IS NULL AND deleted_at IS NULL");
	if ((e = db_next(st)) == ERR_OK)
		*n = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

/* Writes the audit row of a change of one field of user id. */
static enum err
audit_field(struct db *db, int64_t actor, int64_t id, const char *action,
    cJSON *before, cJSON *after, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	enum err e;

	audit_subject(subject, "user", id);
	if (before == NULL || after == NULL)
		e = ERR_INTERNAL;
	else
		e = audit_write(db, actor, action, subject, before, after,
		    NULL, now);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return e;
}

/* Returns a new object {name: value} (value a string), or NULL. */
static cJSON *
one_str(const char *name, const char *value)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && cJSON_AddStringToObject(o, name, value) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Returns a new object {name: t} or {name: null} for t 0, or NULL. */
static cJSON *
one_time(const char *name, int64_t t)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && (t != 0 ? cJSON_AddNumberToObject(o, name,
	    (double)t) : cJSON_AddNullToObject(o, name)) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The role change itself, inside the transaction. */
static enum err
set_role(struct db *db, int64_t actor, int64_t id, int admin, int64_t now)
{
	static const char *const roles[] = { "student", "admin" };
	struct account_state s;
	struct db_stmt *st;
	int64_t admins;
	enum err e;

	if ((e = state_of(db, id, &s)) != ERR_OK)
		return e;
	if (s.deleted)
		return ERR_INVALID;
	if (s.is_admin == admin)
		return ERR_OK;
	/* A disabled admin cannot log in, so does not count. */
	if (!admin && s.disabled_at == 0) {
		if ((e = person_admins_count(db, &admins)) != ERR_OK)
			return e;
		if (admins <= 1)
			return ERR_CONFLICT;
	}
	st = db_prep(db, "UPDATE users SET role = ?, updated_at = ? "
	    "WHERE id = ?");
	db_bind_text(st, 1, roles[admin != 0]);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return audit_field(db, actor, id, admin ? "user.promote" :
	    "user.demote", one_str("role", roles[s.is_admin != 0]),
	    one_str("role", roles[admin != 0]), now);
}

/* Runs change in one transaction: committed when it returns ERR_OK,
 * rolled back otherwise. */
static enum err
in_transaction(struct db *db, enum err (*change)(struct db *, int64_t,
    int64_t, int, int64_t), int64_t actor, int64_t id, int flag, int64_t now)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = change(db, actor, id, flag, now)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
person_set_role(struct db *db, int64_t actor, int64_t id, int admin,
    int64_t now)
{
	return in_transaction(db, set_role, actor, id, admin, now);
}

/* The change of disabled_at itself, inside the transaction. */
static enum err
set_disabled(struct db *db, int64_t actor, int64_t id, int disabled,
    int64_t now)
{
	struct account_state s;
	struct db_stmt *st;
	enum err e;

	if (disabled && actor == id)
		return ERR_FORBIDDEN;
	if ((e = state_of(db, id, &s)) != ERR_OK)
		return e;
	if (s.deleted)
		return ERR_INVALID;
	if ((s.disabled_at != 0) == (disabled != 0))
		return ERR_OK;
	st = db_prep(db, "UPDATE users SET disabled_at = ?, updated_at = ? "
	    "WHERE id = ?");
	if (disabled)
		db_bind_int64(st, 1, now);
	else
		db_bind_null(st, 1);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, id);
	if ((e = db_run(st)) != ERR_OK ||
	    (disabled && (e = session_delete_user(db, id, 0)) != ERR_OK))
		return e;
	return audit_field(db, actor, id, disabled ? "user.disable" :
	    "user.enable", one_time("disabled_at", s.disabled_at),
	    one_time("disabled_at", disabled ? now : 0), now);
}

enum err
person_set_disabled(struct db *db, int64_t actor, int64_t id, int disabled,
    int64_t now)
{
	return in_transaction(db, set_disabled, actor, id, disabled, now);
}
