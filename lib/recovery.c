/* Forgotten passwords (see recovery.h).  The mail is only queued: the
 * mail worker sends it, so the answer never waits on SMTP and takes the
 * same time whether or not an account uses the address. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "db.h"
#include "link.h"
#include "mail.h"
#include "password.h"
#include "recovery.h"
#include "session.h"
#include "throttle.h"
#include "user.h"

/* Sets *id and copies the name of the account that uses email; *id is 0
 * when none does. */
static enum err
account_of(struct db *db, const char *email, int64_t *id,
    char name[MAIL_NAME_MAX])
{
	struct db_stmt *st = db_prep(db, "SELECT id, name FROM users WHERE "
	    "email = ? AND deleted_at IS NULL");
	enum err e;

	*id = 0;
	db_bind_text(st, 1, email);
	if ((e = db_next(st)) == ERR_OK) {
		*id = db_col_int64(st, 0);
		snprintf(name, MAIL_NAME_MAX, "%s", db_col_text(st, 1));
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Issues the link of account id and queues its mail to email. */
static enum err
send_link(struct db *db, int64_t id, const char *name, const char *email,
    const char *base_url, int64_t now)
{
	char token[LINK_TOKEN_HEX + 1], hash[SESSION_TOKEN_HEX + 1];
	struct buf body = { 0 }, key = { 0 };
	int64_t link;
	enum err e;

	if ((e = link_issue(db, id, LINK_RESET, email, now, now + RECOVERY_TTL,
	    token, &link)) != ERR_OK)
		return e;
	buf_printf(&body, "Hello %s,\n\nsomeone, we hope you, asked to choose "
	    "a new password for your account at %s.\n\nChoose it here; the "
	    "link works once, within the next hour:\n\n%s/account/"
	    "reset-password?token=%s\n\nIf it was not you, ignore this mail: "
	    "your password stays as it is.\n", name, base_url, base_url, token);
	/* Link ids are reused once a link is gone; its hash never is. */
	session_token_hash(token, hash);
	buf_printf(&key, "reset-%s", hash);
	sodium_memzero(token, sizeof(token));
	e = body.oom || key.oom ? ERR_INTERNAL : mail_queue(db, key.data,
	    email, "Choose a new password", body.data);
	sodium_memzero(body.data, body.len);
	buf_free(&body);
	buf_free(&key);
	return e;
}

enum err
recovery_request(struct db *db, const char *email, const char *addr,
    const char *base_url, int64_t now)
{
	char name[MAIL_NAME_MAX];
	int allowed;
	int64_t id;
	enum err e;

	assert(db != NULL && email != NULL && addr != NULL);
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = throttle_mail(db, "reset", email, addr, now, &allowed)) !=
	    ERR_OK || (e = account_of(db, email, &id, name)) != ERR_OK)
		goto out;
	if (allowed && id != 0 &&
	    (e = send_link(db, id, name, email, base_url, now)) != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

enum err
recovery_check(struct db *db, struct arena *a, const char *token,
    int64_t now, int64_t *user_id)
{
	return link_find(db, a, LINK_RESET, token, now, user_id, NULL);
}

enum err
recovery_reset(struct db *db, struct arena *a, const char *token,
    const char *password, int64_t now, int64_t *user_id)
{
	char hash[PASSWORD_HASH_MAX];
	enum err e;

	if (password_policy_error(password) != NULL)
		return ERR_INVALID;
	/* A link that is not live is refused before the slow hashing. */
	if ((e = recovery_check(db, a, token, now, user_id)) != ERR_OK)
		return e;
	if ((e = password_hash(password, hash)) != ERR_OK)
		return e;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	/* Checked again under the write lock: used meanwhile is used. */
	if ((e = recovery_check(db, a, token, now, user_id)) != ERR_OK ||
	    (e = user_store_hash(db, *user_id, hash, 0)) != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != ERR_OK)
		db_rollback(db);
	sodium_memzero(hash, sizeof(hash));
	return e;
}
