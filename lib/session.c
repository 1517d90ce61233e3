/* Visitor identity, login sessions and CSRF tokens.  Every visitor carries
 * a random guest id cookie (no database row: browsing stays cheap).  A
 * logged-in visitor also carries a random session token; the database
 * keeps only its SHA-256, so a leaked copy of the database logs nobody in.
 * The CSRF token is an HMAC under the server secret of the session token
 * (logged in) or of the guest id (guest): it needs no storage, changes at
 * login and logout, and cannot be forged without the secret. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "log.h"
#include "session.h"

#define GUEST_COOKIE "enroll_guest"
#define GUEST_ID_BYTES 16
#define TOKEN_HEX (2 * crypto_auth_hmacsha256_BYTES)
#define SESSION_TOKEN_BYTES (SESSION_TOKEN_HEX / 2)

struct session_state {
	const char *guest_id;	/* hex id from or for the guest cookie */
	const char *token;	/* session cookie token when logged in */
	int64_t id;		/* sessions.id when logged in, else 0 */
};

static int
hex_id_ok(const char *s, size_t want)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == want;
}

/* Returns the hex HMAC of "csrf:" + kind + ":" + id in the arena, or NULL.
 * kind keeps a guest id and a session token from ever sharing a token. */
static char *
csrf_token_for(struct req *rq, const char *kind, const char *id)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char *hex;

	if ((hex = arena_alloc(rq->arena, TOKEN_HEX + 1)) == NULL)
		return NULL;
	crypto_auth_hmacsha256_init(&st, rq->w->secret, sizeof(rq->w->secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)kind,
	    strlen(kind));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
	    strlen(id));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, TOKEN_HEX + 1, mac, sizeof(mac));
	return hex;
}

void
session_token_hash(const char *token, char out[SESSION_TOKEN_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, SESSION_TOKEN_HEX + 1, h, sizeof(h));
}

/* Reads the guest cookie, or makes a new guest id and sets its cookie
 * (rs NULL: sets nothing, and a visitor without one stays without). */
static enum err
guest_begin(struct req *rq, struct resp *rs, struct session_state *ss)
{
	unsigned char raw[GUEST_ID_BYTES];
	const char *cookie = kv_get(&rq->cookies, GUEST_COOKIE);
	char *id;

	if (cookie != NULL && hex_id_ok(cookie, 2 * GUEST_ID_BYTES)) {
		ss->guest_id = cookie;
		return ERR_OK;
	}
	if (rs == NULL)
		return ERR_OK;
	if ((id = arena_alloc(rq->arena, 2 * GUEST_ID_BYTES + 1)) == NULL)
		return ERR_INTERNAL;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, 2 * GUEST_ID_BYTES + 1, raw, sizeof(raw));
	ss->guest_id = id;
	/* A year: the guest cart should survive closing the browser. */
	return resp_cookie(rq, rs, GUEST_COOKIE, id, 365L * 24 * 3600);
}

/* Deletes session row id; ERR_OK when it was already gone. */
static enum err
session_delete(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prep(db, "DELETE FROM sessions WHERE id = ?");

	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, id);
	return db_run(st);
}

/* Fills *u and *id from the live session whose token is token.  Returns
 * ERR_NOTFOUND when there is none, or when it expired or sat idle too
 * long (then its row is deleted).  Touches last_seen at most once every
 * SESSION_TOUCH_EVERY seconds, so most requests write nothing. */
static enum err
session_find(struct db *db, struct arena *a, const char *token, int64_t now,
    struct user *u, int64_t *id)
{
	struct db_stmt *st;
	char hash[SESSION_TOKEN_HEX + 1];
	int64_t last_seen, expires_at;
	enum err e;

	session_token_hash(token, hash);
	if ((st = db_prep(db, "SELECT s.id, s.last_seen, s.expires_at, u.id, "
	    "u.email, u.name, u.role = 'admin', u.email_verified_at IS NOT NULL "
	    "FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.token_hash = ? AND u.disabled_at IS NULL")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, hash);
	if ((e = db_next(st)) != ERR_OK) {
		db_done(st);
		return e;
	}
	*id = db_col_int64(st, 0);
	last_seen = db_col_int64(st, 1);
	expires_at = db_col_int64(st, 2);
	u->id = db_col_int64(st, 3);
	u->email = db_col_text_dup(a, st, 4);
	u->name = db_col_text_dup(a, st, 5);
	u->is_admin = (int)db_col_int64(st, 6);
	u->email_verified = (int)db_col_int64(st, 7);
	db_done(st);
	if (u->email == NULL || u->name == NULL)
		return ERR_INTERNAL;
	if (now >= expires_at || now - last_seen >= SESSION_IDLE) {
		if ((e = session_delete(db, *id)) != ERR_OK)
			return e;
		return ERR_NOTFOUND;
	}
	if (now - last_seen < SESSION_TOUCH_EVERY)
		return ERR_OK;
	if ((st = db_prep(db, "UPDATE sessions SET last_seen = ? "
	    "WHERE id = ?")) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, *id);
	/* Only the idle clock is at stake: a busy database must not turn
	 * a page view into an error. */
	if ((e = db_run(st)) != ERR_OK)
		log_info(NULL, "session: last_seen not updated: %s",
		    err_str(e));
	return ERR_OK;
}

/* Reads the session cookie into ss and rq->user; clears a dead one (rs
 * NULL: leaves it). */
static enum err
login_begin(struct worker *w, struct req *rq, struct resp *rs,
    struct session_state *ss)
{
	const char *cookie = kv_get(&rq->cookies, SESSION_COOKIE);
	struct user *u;
	enum err e;

	if (cookie == NULL || *cookie == '\0')
		return ERR_OK;
	if ((u = arena_alloc(rq->arena, sizeof(*u))) == NULL)
		return ERR_INTERNAL;
	e = hex_id_ok(cookie, SESSION_TOKEN_HEX) ? session_find(w->db,
	    rq->arena, cookie, (int64_t)time(NULL), u, &ss->id) : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND) {
		ss->id = 0;
		return rs != NULL ? resp_cookie(rq, rs, SESSION_COOKIE, "", 0) :
		    ERR_OK;
	}
	if (e != ERR_OK)
		return e;
	ss->token = cookie;
	rq->user = u;
	return ERR_OK;
}

enum err
session_begin(struct worker *w, struct req *rq, struct resp *rs)
{
	struct session_state *ss;
	enum err e;

	if ((ss = arena_alloc(rq->arena, sizeof(*ss))) == NULL)
		return ERR_INTERNAL;
	memset(ss, 0, sizeof(*ss));
	rq->session = ss;
	rq->user = NULL;
	if ((e = guest_begin(rq, rs, ss)) != ERR_OK ||
	    (e = login_begin(w, rq, rs, ss)) != ERR_OK)
		return e;
	if (ss->token == NULL && ss->guest_id == NULL) {
		rq->csrf_token = "";	/* session_identify: nothing to sign */
		return ERR_OK;
	}
	rq->csrf_token = ss->token != NULL ?
	    csrf_token_for(rq, "session", ss->token) :
	    csrf_token_for(rq, "guest", ss->guest_id);
	return rq->csrf_token != NULL ? ERR_OK : ERR_INTERNAL;
}

enum err
session_identify(struct worker *w, struct req *rq)
{
	return session_begin(w, rq, NULL);
}

int
session_csrf_ok(const struct req *rq)
{
	const char *sent = kv_get(&rq->form, CSRF_FIELD);

	if (sent == NULL || rq->csrf_token == NULL ||
	    strlen(sent) != TOKEN_HEX || strlen(rq->csrf_token) != TOKEN_HEX)
		return 0;
	return sodium_memcmp(sent, rq->csrf_token, TOKEN_HEX) == 0;
}

const char *
session_guest_id(const struct req *rq)
{
	const struct session_state *ss = rq->session;

	return ss != NULL ? ss->guest_id : NULL;
}

int64_t
session_current_id(const struct req *rq)
{
	const struct session_state *ss = rq->session;

	return ss != NULL ? ss->id : 0;
}

/* session_create with where the session comes from: the browser's
 * User-Agent (cut to SESSION_AGENT_MAX bytes) and the client address. */
static enum err
session_insert(struct db *db, int64_t user_id, int64_t now,
    const char *agent, const char *addr, char token[SESSION_TOKEN_HEX + 1],
    int64_t *id)
{
	unsigned char raw[SESSION_TOKEN_BYTES];
	char hash[SESSION_TOKEN_HEX + 1];
	struct db_stmt *st;
	enum err e;

	if ((st = db_prep(db, "DELETE FROM sessions WHERE expires_at <= ? "
	    "OR last_seen <= ?")) == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, now - SESSION_IDLE);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, SESSION_TOKEN_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	session_token_hash(token, hash);
	/* A disabled account gets no session (ERR_FORBIDDEN below). */
	if ((st = db_prep(db, "INSERT INTO sessions (token_hash, user_id, "
	    "created_at, last_seen, expires_at, user_agent, addr) SELECT ?1, "
	    "id, ?3, ?4, ?5, ?6, ?7 FROM users WHERE id = ?2 AND "
	    "disabled_at IS NULL RETURNING id")) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, hash);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, now + SESSION_MAX_AGE);
	db_bind_textn(st, 6, agent, strnlen(agent, SESSION_AGENT_MAX));
	db_bind_text(st, 7, addr);
	if ((e = db_next(st)) == ERR_OK && id != NULL)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_FORBIDDEN : e;
}

enum err
session_create(struct db *db, int64_t user_id, int64_t now,
    char token[SESSION_TOKEN_HEX + 1], int64_t *id)
{
	return session_insert(db, user_id, now, "", "", token, id);
}

enum err
session_delete_user(struct db *db, int64_t user_id, int64_t keep_id)
{
	struct db_stmt *st = db_prep(db, "DELETE FROM sessions "
	    "WHERE user_id = ? AND id <> ?");

	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, keep_id);
	return db_run(st);
}

enum err
session_start(struct req *rq, struct resp *rs, int64_t user_id)
{
	struct session_state *ss = rq->session;
	char token[SESSION_TOKEN_HEX + 1];
	const char *agent;
	char *copy;
	enum err e;

	if (ss != NULL && ss->id != 0 &&
	    (e = session_delete(rq->w->db, ss->id)) != ERR_OK)
		return e;
	agent = req_param(rq, "HTTP_USER_AGENT");
	if ((e = session_insert(rq->w->db, user_id, (int64_t)time(NULL),
	    agent != NULL ? agent : "", rq->remote_addr, token, NULL)) !=
	    ERR_OK)
		return e;
	copy = arena_strdup(rq->arena, token);
	sodium_memzero(token, sizeof(token));
	if (copy == NULL)
		return ERR_INTERNAL;
	return resp_cookie(rq, rs, SESSION_COOKIE, copy, SESSION_MAX_AGE);
}

enum err
session_end(struct req *rq, struct resp *rs)
{
	struct session_state *ss = rq->session;
	enum err e;

	if (ss == NULL || ss->id == 0)
		return ERR_OK;
	if ((e = session_delete(rq->w->db, ss->id)) != ERR_OK)
		return e;
	ss->id = 0;
	ss->token = NULL;
	rq->user = NULL;
	return resp_cookie(rq, rs, SESSION_COOKIE, "", 0);
}

enum err
session_list(struct db *db, struct arena *a, int64_t user_id, int64_t now,
    struct session_info **out, size_t *n)
{
	struct session_info *si;
	struct db_stmt *st;
	size_t cap = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	st = db_prep(db, "SELECT id, created_at, last_seen, user_agent, addr "
	    "FROM sessions WHERE user_id = ? AND expires_at > ? AND "
	    "last_seen > ? ORDER BY last_seen DESC, id DESC LIMIT ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now - SESSION_IDLE);
	db_bind_int64(st, 4, SESSION_LIST_MAX);
	while ((e = db_next(st)) == ERR_OK) {
		if ((si = arena_push(a, (void **)out, n, &cap,
		    sizeof(*si))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		*si = (struct session_info){ db_col_int64(st, 0),
		    db_col_int64(st, 1), db_col_int64(st, 2),
		    db_col_text_dup(a, st, 3), db_col_text_dup(a, st, 4) };
		if (si->user_agent == NULL || si->addr == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
session_end_one(struct db *db, int64_t user_id, int64_t id, int *ended)
{
	struct db_stmt *st = db_prep(db, "DELETE FROM sessions WHERE id = ? "
	    "AND user_id = ?");
	enum err e;

	*ended = 0;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	*ended = db_changes(db) == 1;
	return ERR_OK;
}

/* Returns the first of the NULL-terminated names found in ua, or NULL. */
static const char *
first_found(const char *ua, const char *const *names)
{
	for (; names[0] != NULL; names += 2)
		if (strstr(ua, names[0]) != NULL)
			return names[1];
	return NULL;
}

void
session_browser(const char *ua, char *out, size_t size)
{
	/* Pairs of (what the User-Agent contains, what people call it), in
	 * the order that tells them apart: Edge and Opera say "Chrome",
	 * Chrome says "Safari", Android says "Linux". */
	static const char *const browsers[] = { "Edg/", "Edge", "OPR/",
	    "Opera", "Firefox/", "Firefox", "Chromium/", "Chromium",
	    "Chrome/", "Chrome", "Safari/", "Safari", "curl/", "curl", NULL };
	static const char *const systems[] = { "Android", "Android",
	    "iPhone", "iPhone", "iPad", "iPad", "Windows", "Windows",
	    "Mac OS X", "macOS", "CrOS", "ChromeOS", "Linux", "Linux", NULL };
	const char *b, *o;

	if (ua == NULL || *ua == '\0') {
		snprintf(out, size, "An unknown browser");
		return;
	}
	b = first_found(ua, browsers);
	o = first_found(ua, systems);
	if (b != NULL && o != NULL)
		snprintf(out, size, "%s on %s", b, o);
	else if (b != NULL || o != NULL)
		snprintf(out, size, "%s", b != NULL ? b : o);
	else
		snprintf(out, size, "%.60s", ua);
}
