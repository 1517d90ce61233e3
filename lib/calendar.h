/* A student's booked live sessions as calendar events (issue 19): one
 * session's file, and the private feed a calendar application subscribes
 * to.  The feed's link carries a token (lib/link.h's shape) kept only as
 * its SHA-256; making a new link revokes the old one. */
#ifndef ENROLL_CALENDAR_H
#define ENROLL_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "ical.h"
#include "link.h"

struct db;

/* Sets *ev (arena, *n events, by time) to user_id's booked sessions; with
 * booking_id > 0 only that booking's (ERR_NOTFOUND when it is not theirs
 * or not booked).  Each event links to base_url's booking page. */
enum err calendar_events(struct db *db, struct arena *a, int64_t user_id,
    int64_t booking_id, const char *base_url, struct ical_event **ev,
    size_t *n);

/* Makes user_id's feed token (LINK_TOKEN_HEX hex characters and a NUL),
 * replacing any earlier one. */
enum err calendar_feed_new(struct db *db, int64_t user_id, int64_t now,
    char token[LINK_TOKEN_HEX + 1]);

/* Revokes user_id's feed (no-op when there is none). */
enum err calendar_feed_revoke(struct db *db, int64_t user_id);

/* Whether user_id has a feed. */
enum err calendar_feed_exists(struct db *db, int64_t user_id, int *exists);

/* The user whose feed token is token; ERR_NOTFOUND when none (revoked,
 * malformed, or the account is gone). */
enum err calendar_feed_user(struct db *db, const char *token,
    int64_t *user_id);

#endif
