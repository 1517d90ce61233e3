/* Handing out a team's seats (issue 18): what the seats page reads, a
 * seat given to one person, an invitation accepted from its mailed link,
 * a seat given back.  The bulk assignment is in seat_bulk.h.
 *
 * A seat given to a member of the team is active at once: an assignment
 * naming them and an enrollment of source 'seat'.  A seat given to any
 * other address is held by an 'invited' assignment whose link (only its
 * hash is stored) is mailed through the outbox; accepting it while
 * logged in makes the person a member if they are not, and activates the
 * seat.  Someone who already has access to the course, or already holds
 * or is invited to a seat of it in the team, gets no seat.
 *
 * Every change is one transaction (db_begin's BEGIN IMMEDIATE; on
 * PostgreSQL seat_take's conditional UPDATE and the unique index of
 * live assignments decide the races) with one audit row on the team;
 * no audit row names an invited address. */
#ifndef ENROLL_SEAT_ASSIGN_H
#define ENROLL_SEAT_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

/* What giving a seat to an address comes to (the bulk preview shows one
 * per address). */
enum seat_outcome {
	SEAT_GIVEN,		/* a member of the team: access now */
	SEAT_INVITED,		/* an invitation is mailed */
	SEAT_HAS_COURSE,	/* already has access to the course */
	SEAT_HOLDS,		/* already holds or is invited to a seat of it */
	SEAT_BAD_ADDRESS,	/* not an email address */
	SEAT_DUPLICATE,		/* earlier in the same list */
	SEAT_NONE_LEFT,		/* beyond the free seats */
	SEAT_OUTCOME_MAX
};

/* A short name of o ("given") for templates. */
const char *seat_outcome_name(enum seat_outcome o);

/* A team's seats of one course, for its seats page. */
struct seat_course {
	int64_t course_id;
	char *title, *slug;	/* arena */
	int64_t seats;		/* bought, net of refunds */
	int64_t active, invited; /* held: active + invited */
};

/* Sets *out (arena) to team_id's courses with seats, by title. */
enum err seat_courses(struct db *db, struct arena *a, int64_t team_id,
    struct seat_course **out, size_t *n);

/* A live assignment (active or invited) of a seat. */
struct seat_holder {
	int64_t id, user_id;	/* user_id 0: an invitation not accepted */
	char *name;		/* the holder's name, "" for an invitation */
	char *email;		/* the holder's address, or the invited one */
	int invited;		/* 1: waiting for the link */
	int64_t since;		/* accepted (active) or sent (invited) */
	int64_t expires_at;	/* an invitation's link, else 0 */
};

/* Sets *out (arena, at most limit) to the live assignments of course_id
 * in team_id with an id above after_id, by id (a page of a keyset list:
 * the last id is the next page's after_id). */
enum err seat_holders(struct db *db, struct arena *a, int64_t team_id,
    int64_t course_id, int64_t after_id, size_t limit,
    struct seat_holder **out, size_t *n);

/* A member of the team who might get a seat. */
struct seat_member {
	int64_t user_id;
	char *name, *email;	/* arena */
};

/* Sets *out (arena, by name) to the first limit members of team_id (by
 * account id) with neither a live seat of course_id nor an active
 * enrollment in it: the choices of the assign form (the assignment
 * checks again; others are reached by their address). */
enum err seat_members_without(struct db *db, struct arena *a,
    int64_t team_id, int64_t course_id, size_t limit,
    struct seat_member **out, size_t *n);

/* actor (owner or manager of team_id) gives one seat of course_id to
 * email (normalised): *out says what came of it, and only SEAT_GIVEN and
 * SEAT_INVITED change anything (the seat, the assignment, its enrollment
 * or its invitation mail to base_url + /account/seats/accept?token=, and
 * the audit row).  ERR_NOTFOUND for a non-member or a course the team
 * has no seat of; ERR_FORBIDDEN for a member who is not a manager. */
enum err seat_assign(struct db *db, int64_t actor, int64_t team_id,
    int64_t course_id, const char *email, const char *base_url, int64_t now,
    enum seat_outcome *out);

/* The same for member_id, a member of team_id (ERR_NOTFOUND if not). */
enum err seat_assign_member(struct db *db, int64_t actor, int64_t team_id,
    int64_t course_id, int64_t member_id, const char *base_url, int64_t now,
    enum seat_outcome *out);

/* actor (owner or manager) gives back the live assignment assignment_id
 * of team_id (revoking a seat, or cancelling an invitation): the access
 * it gave ends at once and the seat is free.  ERR_NOTFOUND when it is not
 * the team's or not live. */
enum err seat_assign_revoke(struct db *db, int64_t actor, int64_t team_id,
    int64_t assignment_id, int64_t now);

/* A live invitation to a seat, as its link's page shows it. */
struct seat_invite {
	int64_t id, team_id, course_id, expires_at;
	char *team, *course, *slug; /* names and the course's slug (arena) */
	char *invited_by;	/* the manager's name, "" when gone */
	char *email;		/* where it was sent */
};

/* Reads the invitation of token at now into *v (arena).  ERR_NOTFOUND
 * when the link is unknown, used, cancelled or expired. */
enum err seat_invite_check(struct db *db, struct arena *a, const char *token,
    int64_t now, struct seat_invite *v);

/* user_id accepts the invitation of token: joins the team as a member if
 * not one, and the seat is theirs with its enrollment; *v (arena) says
 * which.  When user_id already has access to the course, the seat goes
 * back to the team instead (revoked; the audit row says why) and
 * *already is 1.  ERR_NOTFOUND when the link is not live. */
enum err seat_invite_accept(struct db *db, struct arena *a,
    const char *token, int64_t user_id, int64_t now, struct seat_invite *v,
    int *already);

#endif
