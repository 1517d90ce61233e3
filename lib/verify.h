/* Email addresses a person has shown to be theirs.  Registration mails a
 * welcome with a confirmation link; a change of address mails a link to
 * the new address and a notice without any link to the old one, and the
 * login address changes only when the link is followed.  Links are
 * lib/link.c's: single-use, hashed, for 24 hours. */
#ifndef ENROLL_VERIFY_H
#define ENROLL_VERIFY_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define VERIFY_TTL (24 * 60 * 60)	/* seconds a confirmation link works */

/* Queues user_id's welcome mail with a link confirming their address. */
enum err verify_welcome(struct db *db, int64_t user_id, const char *base_url,
    int64_t now);

/* Asks to change user_id's address to email (normalised): queues the link
 * to email and the notice to the current address.  ERR_CONFLICT when
 * another account uses email; ERR_INVALID when it is the current one. */
enum err verify_request_change(struct db *db, int64_t user_id,
    const char *email, const char *base_url, int64_t now);

/* Sends the pending link again (to the new address of a pending change,
 * else to the current one), from client address addr; *sent is 0 when the
 * throttle (lib/throttle.c, kind "verify") held it back. */
enum err verify_resend(struct db *db, int64_t user_id, const char *addr,
    const char *base_url, int64_t now, int *sent);

/* Reads the live confirmation link token: *user_id and the address it
 * confirms (*email, arena).  ERR_NOTFOUND when it is not live. */
enum err verify_check(struct db *db, struct arena *a, const char *token,
    int64_t now, int64_t *user_id, char **email);

/* Follows link token: the account's address becomes the one the link was
 * sent to, confirmed at now, and its confirmation links are voided.  Sets
 * *user_id and *email (arena).  ERR_NOTFOUND when the link is not live,
 * ERR_CONFLICT when another account took the address meanwhile. */
enum err verify_confirm(struct db *db, struct arena *a, const char *token,
    int64_t now, int64_t *user_id, char **email);

/* Sets *email (arena) to the address of user_id's pending change, or NULL
 * when none is waiting for its link. */
enum err verify_pending(struct db *db, struct arena *a, int64_t user_id,
    int64_t now, char **email);

#endif
