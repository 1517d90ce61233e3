/* A team's seats of a course (issue 18, migration 017): how many were
 * bought and how many are held, and the few moves that change them.
 * Every function runs inside the caller's transaction (each is one step
 * of a larger change: a payment, a refund, an assignment, a member
 * leaving) and leaves the audit row to that caller.
 *
 * "Never more assignments than seats" is the schema's CHECK (held <=
 * seats) and seat_take's conditional UPDATE: two managers racing for the
 * last seat both run it, one changes a row, the other is told
 * ERR_CONFLICT, on SQLite (one writer) as on PostgreSQL (a row lock). */
#ifndef ENROLL_SEAT_H
#define ENROLL_SEAT_H

#include <stdint.h>

#include "err.h"

struct db;

/* Adds n (> 0) seats of course_id to team_id, creating the row the first
 * time (a team buying more of a course it has tops it up). */
enum err seat_add(struct db *db, int64_t team_id, int64_t course_id,
    int64_t n, int64_t now);

/* Takes n (> 0) seats back (a refund).  ERR_CONFLICT, changing nothing,
 * when fewer than n are free: revoke assignments first. */
enum err seat_remove(struct db *db, int64_t team_id, int64_t course_id,
    int64_t n, int64_t now);

/* Holds one free seat of course_id for a new assignment.  ERR_CONFLICT
 * when none is free, ERR_NOTFOUND when the team has no seat of it. */
enum err seat_take(struct db *db, int64_t team_id, int64_t course_id,
    int64_t now);

/* Revokes the seat assignment_id of team_id (invited or active): the
 * assignment is marked revoked by actor (0: nobody, as when a member is
 * removed by the system), the enrollment it gave ends at once, and the
 * seat is free again.  ERR_NOTFOUND when it is not team_id's or already
 * revoked. */
enum err seat_revoke(struct db *db, int64_t team_id, int64_t assignment_id,
    int64_t actor, int64_t now);

/* Revokes every live seat user_id holds in team_id (the member left or
 * was removed); their own purchases are untouched.  Sets *n (may be NULL)
 * to how many. */
enum err seat_revoke_member(struct db *db, int64_t team_id, int64_t user_id,
    int64_t actor, int64_t now, int64_t *n);

#endif
