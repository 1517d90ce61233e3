/* Accounts over the users table.  Passwords are hashed before a write
 * transaction begins (hashing takes tens of milliseconds and must not
 * hold the database's one write lock); emails are stored lower-case. */
#include <assert.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "db.h"
#include "link.h"
#include "log.h"
#include "password.h"
#include "throttle.h"
#include "tz.h"
#include "user.h"

static const char *const role_names[ROLE_MAX] = {
	[ROLE_STUDENT] = "student",
	[ROLE_ADMIN] = "admin",
};

/* Returns 1 when s is an address in stored form: one '@' with something
 * before it, a dot in the domain, lower-case, no spaces or characters
 * that mail headers treat specially. */
static int
email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *p;
	size_t n = strlen(s);

	if (n == 0 || n > USER_EMAIL_MAX || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || s[n - 1] == '.')
		return 0;
	/* RFC 2606's .invalid never receives mail; deleted accounts' shells
	 * use it, so no one can register one. */
	if (n > 8 && strcmp(s + n - 8, ".invalid") == 0)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    (*p >= 'A' && *p <= 'Z') ||
		    strchr("<>()[]\\,;:\"", *p) != NULL)
			return 0;
	return 1;
}

char *
user_email_normalise(struct arena *a, const char *email)
{
	char *s, *p;
	size_t n;

	if (email == NULL)
		return NULL;
	while (*email == ' ' || *email == '\t')
		email++;
	n = strlen(email);
	while (n > 0 && (email[n - 1] == ' ' || email[n - 1] == '\t'))
		n--;
	if (n > USER_EMAIL_MAX || (s = arena_strndup(a, email, n)) == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return email_ok(s) ? s : NULL;
}

/* Returns 1 when name is a usable display name. */
static int
name_ok(const char *name)
{
	const unsigned char *p;

	if (name == NULL || *name == '\0' || strlen(name) > USER_NAME_MAX)
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

enum err
user_create(struct db *db, const char *email, const char *name,
    const char *password, enum user_role role, int64_t *id)
{
	char hash[PASSWORD_HASH_MAX];
	struct db_stmt *st;
	enum err e;

	assert(db != NULL && (unsigned)role < ROLE_MAX);
	if (!email_ok(email) || !name_ok(name))
		return ERR_INVALID;
	if ((e = password_hash(password, hash)) != ERR_OK)
		return e;
	if ((st = db_prep(db, "INSERT INTO users (email, name, password_hash, "
	    "role) VALUES (?, ?, ?, ?)")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, hash);
	db_bind_text(st, 4, role_names[role]);
	sodium_memzero(hash, sizeof(hash));
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (id != NULL)
		*id = db_last_id(db);
	return ERR_OK;
}

enum err
user_get(struct db *db, struct arena *a, int64_t id, struct user *u)
{
	struct db_stmt *st;
	enum err e;

	if ((st = db_prep(db, "SELECT email, name, role = 'admin', "
	    "email_verified_at IS NOT NULL FROM users WHERE id = ?")) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		u->id = id;
		u->email = db_col_text_dup(a, st, 0);
		u->name = db_col_text_dup(a, st, 1);
		u->is_admin = (int)db_col_int64(st, 2);
		u->email_verified = (int)db_col_int64(st, 3);
		if (u->email == NULL || u->name == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}

/* Copies the password hash and id of email into hash and *id, and sets
 * *disabled when an admin disabled the account; ERR_NOTFOUND when no
 * account has that email. */
static enum err
hash_of(struct db *db, const char *email, char hash[PASSWORD_HASH_MAX],
    int64_t *id, int *disabled)
{
	struct db_stmt *st;
	enum err e;

	if ((st = db_prep(db, "SELECT id, password_hash, disabled_at IS NOT "
	    "NULL FROM users WHERE email = ?")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, email);
	if ((e = db_next(st)) == ERR_OK) {
		*id = db_col_int64(st, 0);
		*disabled = db_col_int64(st, 2) != 0;
		if (strlen(db_col_text(st, 1)) >= PASSWORD_HASH_MAX)
			e = ERR_INTERNAL;
		else
			strcpy(hash, db_col_text(st, 1));
	}
	db_done(st);
	return e;
}

/* Replaces a hash made with old parameters; failure only costs speed. */
static void
rehash_if_old(struct db *db, int64_t id, const char *hash, const char *pw)
{
	if (!password_needs_rehash(hash))
		return;
	if (user_set_password(db, id, pw, -1) != ERR_OK)
		log_info(NULL, "user %lld: password rehash failed",
		    (long long)id);
}

enum err
user_authenticate(struct db *db, const char *email, const char *password,
    const char *addr, int64_t now, enum auth_result *result, int64_t *id)
{
	char hash[PASSWORD_HASH_MAX];
	int blocked, ok, disabled = 0;
	enum err e;

	assert(db != NULL && email != NULL && password != NULL);
	*result = AUTH_BAD;
	if ((e = throttle_check(db, email, addr, now, &blocked)) != ERR_OK)
		return e;
	if (blocked) {
		*result = AUTH_THROTTLED;
		return ERR_OK;
	}
	e = hash_of(db, email, hash, id, &disabled);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	if (e == ERR_NOTFOUND) {
		password_verify_dummy(password);
		ok = 0;
	} else {
		ok = password_verify(hash, password);
	}
	if (!ok)
		return throttle_fail(db, email, addr, now);
	/* Only the right password learns that the account is disabled. */
	*result = disabled ? AUTH_DISABLED : AUTH_OK;
	rehash_if_old(db, *id, hash, password);
	return throttle_clear(db, email);
}

enum err
user_timezone(struct db *db, struct arena *a, int64_t id, char **zone)
{
	struct db_stmt *st = db_prep(db, "SELECT timezone FROM users WHERE "
	    "id = ?");
	enum err e;

	*zone = NULL;
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK && !db_col_is_null(st, 0) &&
	    (*zone = db_col_text_dup(a, st, 0)) == NULL)
		e = ERR_INTERNAL;
	db_done(st);
	return e;
}

enum err
user_set_timezone(struct db *db, int64_t id, const char *zone)
{
	struct db_stmt *st;
	enum err e;

	if (zone != NULL && !tz_known(zone))
		return ERR_INVALID;
	st = db_prep(db, "UPDATE users SET timezone = ? WHERE id = ?");
	db_bind_text_or_null(st, 1, zone);
	db_bind_int64(st, 2, id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return db_changes(db) == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
user_set_name(struct db *db, int64_t id, const char *name)
{
	struct db_stmt *st;
	enum err e;

	if (!name_ok(name))
		return ERR_INVALID;
	if ((st = db_prep(db, "UPDATE users SET name = ?1, updated_at = ?3 "
	    "WHERE id = ?2")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, name);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, (int64_t)time(NULL));
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return db_changes(db) == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
user_set_email(struct db *db, int64_t id, const char *email)
{
	struct db_stmt *st;
	enum err e;

	if (!email_ok(email))
		return ERR_INVALID;
	if ((st = db_prep(db, "UPDATE users SET email = ?1, updated_at = ?3 "
	    "WHERE id = ?2")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, email);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, (int64_t)time(NULL));
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return db_changes(db) == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
user_store_hash(struct db *db, int64_t id, const char *hash, int64_t keep)
{
	struct db_stmt *st;
	enum err e;

	if ((st = db_prep(db, "UPDATE users SET password_hash = ?1, "
	    "updated_at = ?3 WHERE id = ?2")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, hash);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, (int64_t)time(NULL));
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return ERR_NOTFOUND;
	if (keep < 0)
		return ERR_OK;
	if ((e = link_void(db, id, LINK_PURPOSE_MAX)) != ERR_OK)
		return e;
	return session_delete_user(db, id, keep);
}

enum err
user_set_password(struct db *db, int64_t id, const char *password,
    int64_t keep_session)
{
	char hash[PASSWORD_HASH_MAX];
	enum err e;

	if ((e = password_hash(password, hash)) != ERR_OK)
		return e;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = user_store_hash(db, id, hash, keep_session)) != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != ERR_OK)
		db_rollback(db);
	sodium_memzero(hash, sizeof(hash));
	return e;
}

/* The body of user_make_admin, inside its transaction. */
static enum err
make_admin_tx(struct db *db, const char *email, const char *name,
    const char *hash, int *created)
{
	struct db_stmt *st;
	char old[PASSWORD_HASH_MAX];
	int64_t id;
	int disabled;
	enum err e;

	if ((e = hash_of(db, email, old, &id, &disabled)) == ERR_NOTFOUND) {
		if (hash == NULL)
			return ERR_INVALID;
		if ((st = db_prep(db, "INSERT INTO users (email, name, "
		    "password_hash, role) VALUES (?, ?, ?, 'admin')")) == NULL)
			return ERR_INTERNAL;
		db_bind_text(st, 1, email);
		db_bind_text(st, 2, name);
		db_bind_text(st, 3, hash);
		*created = 1;
		return db_run(st);
	}
	if (e != ERR_OK)
		return e;
	if ((st = db_prep(db, "UPDATE users SET role = 'admin', updated_at = "
	    "? WHERE id = ? AND role <> 'admin'")) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, (int64_t)time(NULL));
	db_bind_int64(st, 2, id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	/* A change of role ends every session: whoever held a session id
	 * before (even one planted in the browser) holds nothing after. */
	if (db_changes(db) == 1 &&
	    (e = session_delete_user(db, id, 0)) != ERR_OK)
		return e;
	return hash != NULL ? user_store_hash(db, id, hash, 0) : ERR_OK;
}

enum err
user_make_admin(struct db *db, const char *email, const char *name,
    const char *password, int *created)
{
	char hash[PASSWORD_HASH_MAX];
	enum err e;

	*created = 0;
	if (!email_ok(email) || !name_ok(name))
		return ERR_INVALID;
	if (password != NULL && (e = password_hash(password, hash)) != ERR_OK)
		return e;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	if ((e = make_admin_tx(db, email, name, password != NULL ? hash :
	    NULL, created)) != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != ERR_OK) {
		db_rollback(db);
		*created = 0;
	}
	sodium_memzero(hash, sizeof(hash));
	return e;
}
