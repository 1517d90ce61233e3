/* Login throttling over the login_attempts table, and mail requests over
 * mail_requests (see throttle.h).  Only
 * failures are stored, so a busy store writes nothing on good logins but
 * one delete; both counts are index range scans on (email, at) and
 * (addr, at). */
#include <assert.h>

#include "db.h"
#include "throttle.h"

/* Runs the count(*) statement st bound with key and since into *n. */
static enum err
count_since(struct db_stmt *st, const char *key, int64_t since, int64_t *n)
{
	enum err e;

	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, key);
	db_bind_int64(st, 2, since);
	e = db_next(st);
	*n = e == ERR_OK ? db_col_int64(st, 0) : 0;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

enum err
throttle_check(struct db *db, const char *email, const char *addr,
    int64_t now, int *blocked)
{
	int64_t since = now - THROTTLE_WINDOW, n;
	enum err e;

	assert(db != NULL && email != NULL && addr != NULL);
	*blocked = 0;
	if ((e = count_since(db_prep(db, "SELECT count(*) FROM login_attempts "
	    "WHERE email = ? AND at > ?"), email, since, &n)) != ERR_OK)
		return e;
	if (n >= THROTTLE_MAX_FAILS) {
		*blocked = 1;
		return ERR_OK;
	}
	if ((e = count_since(db_prep(db, "SELECT count(*) FROM login_attempts "
	    "WHERE addr = ? AND at > ?"), addr, since, &n)) != ERR_OK)
		return e;
	*blocked = n >= THROTTLE_MAX_ADDR_FAILS;
	return ERR_OK;
}

enum err
throttle_fail(struct db *db, const char *email, const char *addr,
    int64_t now)
{
	struct db_stmt *st;
	enum err e;

	assert(db != NULL && email != NULL && addr != NULL);
	if ((st = db_prep(db, "DELETE FROM login_attempts WHERE at <= ?")) ==
	    NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, now - THROTTLE_WINDOW);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((st = db_prep(db, "INSERT INTO login_attempts (email, addr, at) "
	    "VALUES (?, ?, ?)")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, addr);
	db_bind_int64(st, 3, now);
	return db_run(st);
}

enum err
throttle_clear(struct db *db, const char *email)
{
	struct db_stmt *st;

	assert(db != NULL && email != NULL);
	if ((st = db_prep(db, "DELETE FROM login_attempts WHERE email = ?")) ==
	    NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, email);
	return db_run(st);
}

/* Runs the count(*) statement st bound with kind, key and since into *n. */
static enum err
count_kind_since(struct db_stmt *st, const char *kind, const char *key,
    int64_t since, int64_t *n)
{
	enum err e;

	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, key);
	db_bind_int64(st, 3, since);
	e = db_next(st);
	*n = e == ERR_OK ? db_col_int64(st, 0) : 0;
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

enum err
throttle_mail(struct db *db, const char *kind, const char *email,
    const char *addr, int64_t now, int *allowed)
{
	int64_t since = now - THROTTLE_MAIL_WINDOW, by_email, by_addr;
	struct db_stmt *st;
	enum err e;

	assert(db != NULL && kind != NULL && email != NULL && addr != NULL);
	*allowed = 0;
	st = db_prep(db, "DELETE FROM mail_requests WHERE at <= ?");
	db_bind_int64(st, 1, since);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if ((e = count_kind_since(db_prep(db, "SELECT count(*) FROM "
	    "mail_requests WHERE kind = ? AND email = ? AND at > ?"), kind,
	    email, since, &by_email)) != ERR_OK ||
	    (e = count_kind_since(db_prep(db, "SELECT count(*) FROM "
	    "mail_requests WHERE kind = ? AND addr = ? AND at > ?"), kind,
	    addr, since, &by_addr)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO mail_requests (kind, email, addr, at) "
	    "VALUES (?, ?, ?, ?)");
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, email);
	db_bind_text(st, 3, addr);
	db_bind_int64(st, 4, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	*allowed = by_email < THROTTLE_MAIL_PER_EMAIL &&
	    by_addr < THROTTLE_MAIL_PER_ADDR;
	return ERR_OK;
}
