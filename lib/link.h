/* Single-use links sent by mail: a password reset, an email confirmation.
 * A link carries 32 random bytes from libsodium; the database keeps only
 * their SHA-256, so a backup opens no account.  A user has at most one
 * live link per purpose: issuing one voids the older ones.  Every function
 * runs in the caller's transaction when there is one. */
#ifndef ENROLL_LINK_H
#define ENROLL_LINK_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define LINK_TOKEN_BYTES 32	/* random bytes in a link */
#define LINK_TOKEN_HEX (2 * LINK_TOKEN_BYTES) /* as sent, hex */
#define LINK_HASH_HEX 64	/* its SHA-256 as stored, hex */

enum link_purpose {
	LINK_RESET,		/* choose a new password */
	LINK_VERIFY,		/* confirm an email address */
	LINK_PURPOSE_MAX
};

/* Makes a new token (LINK_TOKEN_HEX hex characters and a NUL) and its hex
 * SHA-256 (LINK_HASH_HEX characters and a NUL), the only form a table
 * keeps: for single-use links kept outside mail_links (team
 * invitations). */
void link_token_new(char token[LINK_TOKEN_HEX + 1],
    char hash[LINK_HASH_HEX + 1]);

/* Writes token's hash to hash and returns 1, or returns 0 when token is
 * NULL or not the shape of a link token. */
int link_token_hash(const char *token, char hash[LINK_HASH_HEX + 1]);

/* Creates user_id's link of purpose for email, valid until expires_at,
 * voiding that user's earlier links of the purpose (and purging expired
 * links of anyone).  Writes the token (LINK_TOKEN_HEX hex characters and
 * a NUL) to token and the row id to *id.  Returns ERR_OK, ERR_BUSY or
 * ERR_INTERNAL. */
enum err link_issue(struct db *db, int64_t user_id, enum link_purpose purpose,
    const char *email, int64_t now, int64_t expires_at,
    char token[LINK_TOKEN_HEX + 1], int64_t *id);

/* Finds the live link of purpose whose token is token at time now: sets
 * *user_id and *email (arena; may be NULL).  ERR_NOTFOUND when the token
 * is malformed, unknown, voided, used or expired. */
enum err link_find(struct db *db, struct arena *a, enum link_purpose purpose,
    const char *token, int64_t now, int64_t *user_id, char **email);

/* Voids every link of purpose of user_id (LINK_PURPOSE_MAX: of every
 * purpose). */
enum err link_void(struct db *db, int64_t user_id, enum link_purpose purpose);

#endif
