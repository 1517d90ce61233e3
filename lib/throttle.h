/* Login throttling: failed attempts are recorded per email and per client
 * address; after THROTTLE_MAX_FAILS for one email, or
 * THROTTLE_MAX_ADDR_FAILS from one address, within THROTTLE_WINDOW
 * seconds, further attempts are refused until the oldest ages out.  An
 * address allows more: a whole school logs in from one address, and five
 * students' typos must not lock out the class.  The
 * email is counted whether or not an account has it, so the throttle
 * says nothing about which emails are registered. */
#ifndef ENROLL_THROTTLE_H
#define ENROLL_THROTTLE_H

#include <stdint.h>

#include "err.h"

struct db;

#define THROTTLE_WINDOW (15 * 60)	/* seconds a failure counts */
#define THROTTLE_MAX_FAILS 5		/* per email */
#define THROTTLE_MAX_ADDR_FAILS 50	/* per address, across emails */

/* Sets *blocked to 1 when email has THROTTLE_MAX_FAILS failures, or addr
 * THROTTLE_MAX_ADDR_FAILS, newer than now - THROTTLE_WINDOW, else 0.
 * Returns ERR_OK, or ERR_BUSY /
 * ERR_INTERNAL from the database. */
enum err throttle_check(struct db *db, const char *email, const char *addr,
    int64_t now, int *blocked);

/* Records one failed attempt, and forgets failures older than the window.
 * Returns ERR_OK, ERR_BUSY or ERR_INTERNAL. */
enum err throttle_fail(struct db *db, const char *email, const char *addr,
    int64_t now);

/* Forgets the failures of email (after a successful login).  The address's
 * failures for other emails still count. */
enum err throttle_clear(struct db *db, const char *email);

/* Requests that send a link by mail (a password reset, a confirmation):
 * at most THROTTLE_MAIL_PER_EMAIL per typed address and
 * THROTTLE_MAIL_PER_ADDR per client address within THROTTLE_MAIL_WINDOW
 * seconds, per kind, so no one can flood an inbox. */
#define THROTTLE_MAIL_WINDOW (60 * 60)
#define THROTTLE_MAIL_PER_EMAIL 3
#define THROTTLE_MAIL_PER_ADDR 20

/* Counts one request of kind ("reset") to send mail to email from addr at
 * now, whether or not an account uses email, and sets *allowed to 0 when
 * the limits above were already reached (then nothing should be sent).
 * Forgets requests older than the window.  Runs in the caller's
 * transaction.  Returns ERR_OK, ERR_BUSY or ERR_INTERNAL. */
enum err throttle_mail(struct db *db, const char *kind, const char *email,
    const char *addr, int64_t now, int *allowed);

#endif
