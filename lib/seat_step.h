/* The steps seat_assign.c (one address) and seat_bulk.c (a list) share,
 * each inside the caller's transaction: what giving a seat to an address
 * would come to, and giving it. */
#ifndef ENROLL_SEAT_STEP_H
#define ENROLL_SEAT_STEP_H

#include <stdint.h>

#include "mail.h"
#include "seat_assign.h"
#include "team.h"

#define SEAT_TITLE_MAX 256

/* One transaction's giving: who gives which seats, and what the mails
 * name. */
struct seat_step {
	struct db *db;
	int64_t actor, team_id, course_id, now;
	const char *base_url;
	char team[TEAM_NAME_MAX + 1];
	char course[SEAT_TITLE_MAX], slug[SEAT_TITLE_MAX];
	char actor_name[MAIL_NAME_MAX], actor_email[MAIL_ADDR_MAX];
	int64_t given, invited;	/* counted by seat_step_give */
};

/* Fills s: checks that actor manages team_id (ERR_NOTFOUND for a
 * non-member, ERR_FORBIDDEN for a member) and that the team has seats of
 * course_id (ERR_NOTFOUND), and reads the names the mails give.  Reads
 * only: the caller may run it outside a transaction (a preview). */
enum err seat_step_open(struct seat_step *s, struct db *db, int64_t actor,
    int64_t team_id, int64_t course_id, const char *base_url, int64_t now);

/* What giving a seat to email (normalised) would come to if one is free:
 * SEAT_GIVEN (a member: *user_id theirs), SEAT_INVITED, SEAT_HAS_COURSE
 * or SEAT_HOLDS.  Reads only. */
enum err seat_step_classify(struct seat_step *s, const char *email,
    enum seat_outcome *out, int64_t *user_id);

/* Gives the seat classify found for email: takes a free one (none:
 * *out becomes SEAT_NONE_LEFT and nothing changes), then the member's
 * active assignment and enrollment, or the invitation, and its mail.
 * Sets *id to the assignment.  No audit row: the caller writes one. */
enum err seat_step_give(struct seat_step *s, const char *email,
    int64_t user_id, enum seat_outcome *out, int64_t *id);

/* Gives user_id the enrollment of source 'seat' of seat_id in course_id
 * (an earlier enrollment of the course comes back as the seat). */
enum err seat_step_enroll(struct db *db, int64_t user_id, int64_t course_id,
    int64_t seat_id, int64_t now);

#endif
