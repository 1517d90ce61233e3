/* Accounts: creating users, checking their passwords (with the login
 * throttle), and changing name, email, password and role.  Every function
 * takes the database and plain values, never a request. */
#ifndef ENROLL_USER_H
#define ENROLL_USER_H

#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "session.h"

struct db;

#define USER_NAME_MAX 100	/* bytes of a display name */
#define USER_EMAIL_MAX 254	/* bytes of an address (RFC 5321) */

enum user_role { ROLE_STUDENT, ROLE_ADMIN, ROLE_MAX };

/* What a login attempt came to. */
enum auth_result {
	AUTH_OK,		/* the password matches */
	AUTH_BAD,		/* unknown email or wrong password: same thing */
	AUTH_THROTTLED,		/* too many failures lately; nothing checked */
	AUTH_DISABLED,		/* the password matches, but an admin disabled
				   the account: no login */
	AUTH_MAX
};

/* Returns the stored form of email (trimmed, lower-case) in the arena, or
 * NULL when it is not shaped like an address or is too long. */
char *user_email_normalise(struct arena *a, const char *email);

/* Creates a user with a new Argon2id hash of password.  email must be
 * normalised.  Sets *id (may be NULL).  Returns ERR_OK, ERR_INVALID when
 * the email, name or password is unfit, ERR_CONFLICT when the email is
 * taken (in any case), ERR_BUSY or ERR_INTERNAL. */
enum err user_create(struct db *db, const char *email, const char *name,
    const char *password, enum user_role role, int64_t *id);

/* Fills *u (strings in the arena) from user id.  ERR_NOTFOUND when there
 * is none. */
enum err user_get(struct db *db, struct arena *a, int64_t id, struct user *u);

/* Checks a login: email (normalised) and password, from client address
 * addr at time now.  Sets *result; on AUTH_OK also *id.  An unknown email
 * is checked against a dummy hash so that it takes as long as a wrong
 * password; both are recorded as failures for the throttle, and a success
 * clears the email's failures.  Returns ERR_OK (see *result), ERR_BUSY or
 * ERR_INTERNAL. */
enum err user_authenticate(struct db *db, const char *email,
    const char *password, const char *addr, int64_t now,
    enum auth_result *result, int64_t *id);

/* Changes the display name of user id. */
enum err user_set_name(struct db *db, int64_t id, const char *name);

/* Sets *zone (arena) to user id's own time zone, or NULL when they keep
 * the school's. */
enum err user_timezone(struct db *db, struct arena *a, int64_t id,
    char **zone);

/* Sets user id's own time zone (an IANA name this machine knows, else
 * ERR_INVALID), or clears it with NULL. */
enum err user_set_timezone(struct db *db, int64_t id, const char *zone);

/* Changes the email of user id (normalised).  ERR_CONFLICT when another
 * account has it, ERR_INVALID when it is unfit. */
enum err user_set_email(struct db *db, int64_t id, const char *email);

/* Sets a new password for user id and, in the same transaction, ends
 * every session of that user but keep_session (0: all of them; -1: none).
 * ERR_INVALID when the password breaks the policy. */
enum err user_set_password(struct db *db, int64_t id, const char *password,
    int64_t keep_session);

/* In the caller's transaction: stores hash (from password_hash()) as the
 * password of id and, unless keep_session is -1 (a rehash, not a change),
 * voids its links sent by mail (a reset, a pending change of address)
 * and ends every session of id but
 * keep_session (0: all).  ERR_NOTFOUND when there is no such user. */
enum err user_store_hash(struct db *db, int64_t id, const char *hash,
    int64_t keep_session);

/* Makes email an admin: creates the account (password required) or
 * promotes the existing one, whose sessions end (a change of role logs it
 * in afresh) and whose password is replaced when password is not NULL.  Sets *created to 1 when the account
 * is new.  ERR_INVALID for an unfit email, name or password, or a new
 * account without password. */
enum err user_make_admin(struct db *db, const char *email, const char *name,
    const char *password, int *created);

#endif
