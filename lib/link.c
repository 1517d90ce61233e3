/* Single-use links sent by mail over the mail_links table (see link.h).
 * Using a link deletes it with the others of its purpose (link_void), so
 * "used", "superseded" and "voided" are all one state: gone. */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "link.h"
#include "session.h"

static const char *const purpose_names[LINK_PURPOSE_MAX] = {
	[LINK_RESET] = "reset",
	[LINK_VERIFY] = "verify",
};

/* Returns 1 when token is LINK_TOKEN_HEX lower-case hex characters. */
static int
token_shape_ok(const char *token)
{
	size_t i;

	for (i = 0; token[i] != '\0'; i++)
		if (!((token[i] >= '0' && token[i] <= '9') ||
		    (token[i] >= 'a' && token[i] <= 'f')))
			return 0;
	return i == LINK_TOKEN_HEX;
}

void
link_token_new(char token[LINK_TOKEN_HEX + 1], char hash[LINK_HASH_HEX + 1])
{
	unsigned char raw[LINK_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, LINK_TOKEN_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	session_token_hash(token, hash);
}

int
link_token_hash(const char *token, char hash[LINK_HASH_HEX + 1])
{
	if (token == NULL || !token_shape_ok(token))
		return 0;
	session_token_hash(token, hash);
	return 1;
}

enum err
link_void(struct db *db, int64_t user_id, enum link_purpose purpose)
{
	struct db_stmt *st;

	assert(db != NULL && (unsigned)purpose <= LINK_PURPOSE_MAX);
	if (purpose == LINK_PURPOSE_MAX) {
		st = db_prep(db, "DELETE FROM mail_links WHERE user_id = ?");
		db_bind_int64(st, 1, user_id);
		return db_run(st);
	}
	st = db_prep(db, "DELETE FROM mail_links WHERE user_id = ? AND "
	    "purpose = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, purpose_names[purpose]);
	return db_run(st);
}

enum err
link_issue(struct db *db, int64_t user_id, enum link_purpose purpose,
    const char *email, int64_t now, int64_t expires_at,
    char token[LINK_TOKEN_HEX + 1], int64_t *id)
{
	char hash[SESSION_TOKEN_HEX + 1];
	struct db_stmt *st;
	enum err e;

	assert(db != NULL && (unsigned)purpose < LINK_PURPOSE_MAX);
	st = db_prep(db, "DELETE FROM mail_links WHERE expires_at <= ?");
	db_bind_int64(st, 1, now);
	if ((e = db_run(st)) != ERR_OK ||
	    (e = link_void(db, user_id, purpose)) != ERR_OK)
		return e;
	link_token_new(token, hash);
	st = db_prep(db, "INSERT INTO mail_links (user_id, purpose, "
	    "token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?, "
	    "?, ?) RETURNING id");
	db_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, purpose_names[purpose]);
	db_bind_text(st, 3, hash);
	db_bind_text(st, 4, email);
	db_bind_int64(st, 5, now);
	db_bind_int64(st, 6, expires_at);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

enum err
link_find(struct db *db, struct arena *a, enum link_purpose purpose,
    const char *token, int64_t now, int64_t *user_id, char **email)
{
	char hash[SESSION_TOKEN_HEX + 1];
	struct db_stmt *st;
	enum err e;

	assert(db != NULL && (unsigned)purpose < LINK_PURPOSE_MAX);
	if (!link_token_hash(token, hash))
		return ERR_NOTFOUND;
	st = db_prep(db, "SELECT user_id, email FROM mail_links WHERE "
	    "token_hash = ? AND purpose = ? AND expires_at > ?");
	db_bind_text(st, 1, hash);
	db_bind_text(st, 2, purpose_names[purpose]);
	db_bind_int64(st, 3, now);
	if ((e = db_next(st)) == ERR_OK) {
		*user_id = db_col_int64(st, 0);
		if (email != NULL && (*email = db_col_text_dup(a, st, 1)) ==
		    NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}
