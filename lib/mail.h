/* Mail through a transactional outbox: mail_queue() writes the message in
 * the caller's transaction, next to the change it reports, so a message is
 * sent if and only if that change committed; mail_deliver_due() sends what
 * is due (SMTP over libcurl, or .eml files when no server is configured),
 * retrying failures with backoff and never sending a message twice. */
#ifndef ENROLL_MAIL_H
#define ENROLL_MAIL_H

#include <stdint.h>

#include "err.h"

struct db;
struct config;

/* Addresses at this domain (RFC 2606's .invalid) get no mail: the shell
 * of a deleted account has one, and a refund of its order still goes
 * through the code that would mail it. */
#define MAIL_NOWHERE_DOMAIN "@deleted.invalid"

/* Queues a message.  dedupe_key names the event it reports
 * ("order-paid-42"): queuing the same key again does nothing, and so does
 * an address at MAIL_NOWHERE_DOMAIN. */
enum err mail_queue(struct db *db, const char *dedupe_key, const char *to,
    const char *subject, const char *body);

/* Copies the address and name of user_id into to and name (sizes below,
 * always terminated).  ERR_NOTFOUND when there is no such user. */
#define MAIL_ADDR_MAX 320
#define MAIL_NAME_MAX 200
enum err mail_recipient(struct db *db, int64_t user_id,
    char to[MAIL_ADDR_MAX], char name[MAIL_NAME_MAX]);

/* Sets *due to 1 when a message is due at now, else 0.  Only reads, so a
 * worker polling the outbox never takes the write lock while it is empty. */
enum err mail_any_due(struct db *db, int64_t now, int *due);

/* Sends up to limit due messages at time now.  *sent and *failed count
 * this run's outcomes.  A failure is retried later with backoff and given
 * up after a number of attempts (status 'failed'). */
enum err mail_deliver_due(struct db *db, const struct config *cfg,
    int64_t now, int limit, int *sent, int *failed);

#endif
