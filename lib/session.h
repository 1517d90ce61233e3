/* Who is asking: the session cookie gives the user (or a guest), and the
 * CSRF token every form must send back.  The dispatcher calls these once
 * per request, before any handler.  Login and logout start and end the
 * session; the db-level functions below serve them, the password change
 * and the tests. */
#ifndef ENROLL_SESSION_H
#define ENROLL_SESSION_H

#include <stdint.h>

#include <stddef.h>

#include "arena.h"
#include "err.h"

struct db;
struct req;
struct resp;
struct worker;

struct user {
	int64_t id;		/* users.id */
	const char *email;	/* normalised, arena memory */
	const char *name;	/* display name, arena memory */
	int is_admin;		/* role admin */
	int email_verified;	/* the address was confirmed by its link */
};

/* Name of the form field that carries the CSRF token. */
#define CSRF_FIELD "csrf_token"

/* The login session cookie and its lifetimes. */
#define SESSION_COOKIE "enroll_session"
#define SESSION_TOKEN_HEX 64		/* hex characters of a token */
#define SESSION_MAX_AGE (30L * 24 * 3600) /* absolute: 30 days from login */
#define SESSION_IDLE (7L * 24 * 3600)	/* ends after 7 days unused */
#define SESSION_TOUCH_EVERY 60		/* seconds between last_seen writes */

/* Identifies the visitor: sets rq->user (NULL for a guest), rq->csrf_token
 * and rq->session; gives a new visitor a guest cookie.  A session cookie
 * that is unknown, expired or idle too long is cleared (and its row
 * deleted): the visitor is then a guest.  Returns ERR_OK, or ERR_BUSY /
 * ERR_INTERNAL from the database. */
enum err session_begin(struct worker *w, struct req *rq, struct resp *rs);

/* The same without touching any cookie, for a request that no route
 * answers (an error page): sets rq->user when the session cookie is live,
 * so the page shows the visitor as they are, and rq->csrf_token for the
 * header's forms ("" for a visitor with no cookies). */
enum err session_identify(struct worker *w, struct req *rq);

/* Returns 1 when the request's csrf_token form field matches the visitor's
 * token (constant-time), else 0.  A logged-in visitor's token derives
 * from the session, a guest's from the guest id. */
int session_csrf_ok(const struct req *rq);

/* Returns the guest id of the visitor (a cookie-keyed random id, also kept
 * after login so a guest cart can be merged), or NULL. */
const char *session_guest_id(const struct req *rq);

/* Returns the sessions.id of the request's login session, or 0 for a
 * guest. */
int64_t session_current_id(const struct req *rq);

/* Logs the visitor in as user_id: deletes the session the request came
 * with (if any), creates one with a new random token (so a token known
 * before login is worthless after it) and sets the cookie.  The request
 * itself is unchanged: callers redirect.  Returns ERR_OK, ERR_FORBIDDEN
 * for a disabled account, ERR_BUSY or ERR_INTERNAL. */
enum err session_start(struct req *rq, struct resp *rs, int64_t user_id);

/* Logs out: deletes the request's session row and clears the cookie.  A
 * guest gets ERR_OK and nothing changes. */
enum err session_end(struct req *rq, struct resp *rs);

/* Creates a session for user_id at time now; writes its cookie token
 * (SESSION_TOKEN_HEX hex characters and a NUL) to token and its row id to
 * *id (may be NULL).  Only the token's hash is stored.  Also purges
 * sessions that have expired.  ERR_FORBIDDEN, no session, when an admin
 * disabled the account (or there is none). */
enum err session_create(struct db *db, int64_t user_id, int64_t now,
    char token[SESSION_TOKEN_HEX + 1], int64_t *id);

/* Deletes every session of user_id but keep_id (0 keeps none).  Runs in
 * the caller's transaction when there is one. */
enum err session_delete_user(struct db *db, int64_t user_id, int64_t keep_id);

/* A login session as the settings page lists it. */
struct session_info {
	int64_t id;		/* sessions.id */
	int64_t created_at;	/* when the login happened */
	int64_t last_seen;	/* last request, to the minute */
	const char *user_agent;	/* as the browser sent it, arena memory */
	const char *addr;	/* client address at login, arena memory */
};

#define SESSION_AGENT_MAX 300	/* bytes of a User-Agent kept */
#define SESSION_LIST_MAX 100	/* sessions listed at most */

/* Lists the live sessions of user_id at now, most recently used first
 * (at most SESSION_LIST_MAX), into *out (arena) and *n. */
enum err session_list(struct db *db, struct arena *a, int64_t user_id,
    int64_t now, struct session_info **out, size_t *n);

/* Ends session id if it is one of user_id's; *ended says whether it was. */
enum err session_end_one(struct db *db, int64_t user_id, int64_t id,
    int *ended);

/* Writes to out a name people know for the browser of User-Agent ua
 * ("Firefox on Linux"); never fails. */
void session_browser(const char *ua, char *out, size_t size);

/* Writes the stored form of token (hex SHA-256, 64 characters and a NUL)
 * to out. */
void session_token_hash(const char *token, char out[SESSION_TOKEN_HEX + 1]);

#endif
