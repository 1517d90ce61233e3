/* Confirmed email addresses (see verify.h).  Mail is queued in the same
 * transaction as the link it carries, so a link exists if and only if its
 * mail will go. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "db.h"
#include "link.h"
#include "mail.h"
#include "session.h"
#include "throttle.h"
#include "verify.h"

enum verify_mail {
	VERIFY_WELCOME,		/* after registration */
	VERIFY_CHANGE,		/* to the new address of a change */
	VERIFY_AGAIN,		/* a resent link */
	VERIFY_MAIL_MAX
};

/* Issues user_id's confirmation link for email and queues its mail; the
 * link's hash (which names it for good) goes to hash. */
static enum err
send_link(struct db *db, int64_t user_id, const char *name,
    const char *email, enum verify_mail kind, const char *base_url,
    int64_t now, char hash[SESSION_TOKEN_HEX + 1])
{
	char token[LINK_TOKEN_HEX + 1];
	struct buf body = { 0 }, key = { 0 };
	const char *subject;
	int64_t id;
	enum err e;

	if ((e = link_issue(db, user_id, LINK_VERIFY, email, now,
	    now + VERIFY_TTL, token, &id)) != ERR_OK)
		return e;
	buf_printf(&body, "Hello %s,\n\n", name);
	if (kind == VERIFY_WELCOME) {
		subject = "Welcome: please confirm your email address";
		buf_printf(&body, "welcome! Your account at %s is ready, and "
		    "you can buy and learn right away.\n\nPlease confirm that "
		    "this address is yours, so that receipts and password "
		    "resets reach you:\n\n", base_url);
	} else if (kind == VERIFY_CHANGE) {
		subject = "Confirm your new email address";
		buf_printf(&body, "you asked to use this address, %s, for your "
		    "account at %s. It becomes your login address when you "
		    "follow this link:\n\n", email, base_url);
	} else {
		subject = "Confirm your email address";
		buf_printf(&body, "here is a new link to confirm that %s is "
		    "yours:\n\n", email);
	}
	buf_printf(&body, "%s/account/confirm-email?token=%s\n\nThe link works "
	    "once, within 24 hours. If you did not ask for it, ignore this "
	    "mail: nothing changes.\n", base_url, token);
	session_token_hash(token, hash);
	sodium_memzero(token, sizeof(token));
	buf_printf(&key, "verify-%s", hash);
	e = body.oom || key.oom ? ERR_INTERNAL : mail_queue(db, key.data,
	    email, subject, body.data);
	sodium_memzero(body.data, body.len);
	buf_free(&body);
	buf_free(&key);
	return e;
}

/* Copies the current address and name of user_id. */
static enum err
user_of(struct db *db, int64_t user_id, char email[MAIL_ADDR_MAX],
    char name[MAIL_NAME_MAX])
{
	struct db_stmt *st = db_prep(db, "SELECT email, name FROM users "
	    "WHERE id = ? AND deleted_at IS NULL");
	enum err e;

	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK) {
		snprintf(email, MAIL_ADDR_MAX, "%s", db_col_text(st, 0));
		snprintf(name, MAIL_NAME_MAX, "%s", db_col_text(st, 1));
	}
	db_done(st);
	return e;
}

/* Ends the transaction that began before the step that returned e:
 * commits when e is ERR_OK, else rolls back.  Returns the outcome. */
static enum err
tx_end(struct db *db, enum err e)
{
	if (e == ERR_OK)
		e = db_commit(db);
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

static enum err
welcome_tx(struct db *db, int64_t user_id, const char *base_url, int64_t now)
{
	char email[MAIL_ADDR_MAX], name[MAIL_NAME_MAX];
	char hash[SESSION_TOKEN_HEX + 1];
	enum err e;

	if ((e = user_of(db, user_id, email, name)) != ERR_OK)
		return e;
	return send_link(db, user_id, name, email, VERIFY_WELCOME, base_url,
	    now, hash);
}

enum err
verify_welcome(struct db *db, int64_t user_id, const char *base_url,
    int64_t now)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, welcome_tx(db, user_id, base_url, now));
}

/* Queues the notice to the old address: no link, only what happened;
 * hash names the link it tells about. */
static enum err
send_notice(struct db *db, const char *name, const char *old,
    const char *email, const char *base_url, const char *hash)
{
	struct buf body = { 0 }, key = { 0 };
	enum err e;

	buf_printf(&body, "Hello %s,\n\nsomeone logged in to your account at "
	    "%s asked to change its email address from %s to %s. Nothing "
	    "changes until the new address is confirmed from a mail sent to "
	    "it.\n\nIf it was not you, log in and change your password now: "
	    "that cancels the change and logs out everyone else.\n", name,
	    base_url, old, email);
	buf_printf(&key, "email-change-notice-%s", hash);
	e = body.oom || key.oom ? ERR_INTERNAL : mail_queue(db, key.data, old,
	    "Your email address is about to change", body.data);
	buf_free(&body);
	buf_free(&key);
	return e;
}

static enum err
change_tx(struct db *db, int64_t user_id, const char *email,
    const char *base_url, int64_t now)
{
	char old[MAIL_ADDR_MAX], name[MAIL_NAME_MAX];
	char hash[SESSION_TOKEN_HEX + 1];
	struct db_stmt *st;
	enum err e;

	if ((e = user_of(db, user_id, old, name)) != ERR_OK)
		return e;
	if (strcmp(old, email) == 0)
		return ERR_INVALID;
	st = db_prep(db, "SELECT 1 FROM users WHERE email = ? AND id <> ?");
	db_bind_text(st, 1, email);
	db_bind_int64(st, 2, user_id);
	e = db_next(st);
	db_done(st);
	if (e != ERR_NOTFOUND)
		return e == ERR_OK ? ERR_CONFLICT : e;
	if ((e = send_link(db, user_id, name, email, VERIFY_CHANGE, base_url,
	    now, hash)) != ERR_OK)
		return e;
	return send_notice(db, name, old, email, base_url, hash);
}

enum err
verify_request_change(struct db *db, int64_t user_id, const char *email,
    const char *base_url, int64_t now)
{
	assert(db != NULL && email != NULL);
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, change_tx(db, user_id, email, base_url, now));
}

enum err
verify_pending(struct db *db, struct arena *a, int64_t user_id, int64_t now,
    char **email)
{
	struct db_stmt *st = db_prep(db, "SELECT l.email FROM mail_links l "
	    "JOIN users u ON u.id = l.user_id WHERE l.user_id = ? AND "
	    "l.purpose = 'verify' AND l.expires_at > ? AND l.email <> u.email "
	    "ORDER BY l.id DESC LIMIT 1");
	enum err e;

	*email = NULL;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, now);
	if ((e = db_next(st)) == ERR_OK && (*email = db_col_text_dup(a, st,
	    0)) == NULL)
		e = ERR_INTERNAL;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
resend_tx(struct db *db, int64_t user_id, const char *addr,
    const char *base_url, int64_t now, int *sent)
{
	char email[MAIL_ADDR_MAX], name[MAIL_NAME_MAX], *pending;
	char hash[SESSION_TOKEN_HEX + 1];
	struct arena *a;
	enum err e;

	if ((e = user_of(db, user_id, email, name)) != ERR_OK)
		return e;
	if ((a = arena_new()) == NULL)
		return ERR_INTERNAL;
	if ((e = verify_pending(db, a, user_id, now, &pending)) == ERR_OK &&
	    pending != NULL)
		snprintf(email, sizeof(email), "%s", pending);
	arena_free(a);
	if (e != ERR_OK ||
	    (e = throttle_mail(db, "verify", email, addr, now, sent)) !=
	    ERR_OK || !*sent)
		return e;
	return send_link(db, user_id, name, email, VERIFY_AGAIN, base_url,
	    now, hash);
}

enum err
verify_resend(struct db *db, int64_t user_id, const char *addr,
    const char *base_url, int64_t now, int *sent)
{
	enum err e;

	*sent = 0;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, resend_tx(db, user_id, addr, base_url, now, sent));
}

enum err
verify_check(struct db *db, struct arena *a, const char *token, int64_t now,
    int64_t *user_id, char **email)
{
	return link_find(db, a, LINK_VERIFY, token, now, user_id, email);
}

static enum err
confirm_tx(struct db *db, struct arena *a, const char *token, int64_t now,
    int64_t *user_id, char **email)
{
	struct db_stmt *st;
	enum err e;

	if ((e = link_find(db, a, LINK_VERIFY, token, now, user_id, email)) !=
	    ERR_OK)
		return e;
	st = db_prep(db, "UPDATE users SET email = ?, email_verified_at = ?, "
	    "updated_at = ? WHERE id = ? AND deleted_at IS NULL");
	db_bind_text(st, 1, *email);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, *user_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) != 1)
		return ERR_NOTFOUND;
	return link_void(db, *user_id, LINK_VERIFY);
}

enum err
verify_confirm(struct db *db, struct arena *a, const char *token,
    int64_t now, int64_t *user_id, char **email)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	return tx_end(db, confirm_tx(db, a, token, now, user_id, email));
}
