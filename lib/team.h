/* Teams (issue 18): any user creates a team and is its owner; owners and
 * managers invite people by mail with a single-use link that expires; a
 * member's role changes, members are removed or leave, and the owner hands
 * ownership over.  A team always has exactly one owner.  Each change is
 * one transaction with its audit row (lib/audit.h).  A user who is not a
 * member of a team gets ERR_NOTFOUND from every function naming it, as if
 * it did not exist; a member whose role does not allow the change gets
 * ERR_FORBIDDEN. */
#ifndef ENROLL_TEAM_H
#define ENROLL_TEAM_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

#define TEAM_NAME_MAX 100
#define TEAM_INVITE_TTL (7 * 24 * 60 * 60)	/* seconds a link works */

enum team_role {
	TEAM_NONE,		/* not a member */
	TEAM_MEMBER,
	TEAM_MANAGER,		/* invites, changes roles, removes */
	TEAM_OWNER,		/* and hands ownership over */
	TEAM_ROLE_MAX
};

/* "member", "manager", "owner" ("" for TEAM_NONE). */
const char *team_role_name(enum team_role r);
/* The role named s (TEAM_NONE when s names none). */
enum team_role team_role_parse(const char *s);

struct team {
	int64_t id;
	char *name;		/* arena */
	int64_t created_at;
	enum team_role role;	/* the viewer's */
	int64_t members;	/* how many */
};

struct team_member {
	int64_t user_id;
	char *name, *email;	/* arena */
	enum team_role role;
	int64_t joined_at;
};

struct team_invite {
	int64_t id;
	char *email;		/* where it was sent (arena) */
	enum team_role role;	/* given on acceptance */
	char *team_name;	/* arena */
	char *invited_by;	/* the inviter's name (arena), "" when gone */
	int64_t team_id, created_at, expires_at;
};

/* Creates team name (1..TEAM_NAME_MAX bytes, trimmed by the caller) with
 * user_id as its owner; sets *id. */
enum err team_create(struct db *db, int64_t user_id, const char *name,
    int64_t now, int64_t *id);

/* Sets *out (arena, *n entries) to user_id's teams, by name. */
enum err team_list_mine(struct db *db, struct arena *a, int64_t user_id,
    struct team **out, size_t *n);

/* Loads team_id as user_id sees it (t->role is theirs).  ERR_NOTFOUND when
 * user_id is not a member. */
enum err team_load(struct db *db, struct arena *a, int64_t team_id,
    int64_t user_id, struct team *t);

/* Sets *out (arena) to team_id's members, owner first, then by name.
 * Call after team_load said the viewer is a member. */
enum err team_members(struct db *db, struct arena *a, int64_t team_id,
    struct team_member **out, size_t *n);

/* Sets *out (arena) to team_id's invitations neither accepted nor expired
 * at now, newest first. */
enum err team_invites_pending(struct db *db, struct arena *a,
    int64_t team_id, int64_t now, struct team_invite **out, size_t *n);

/* actor invites email (normalised) to team_id with role (member or
 * manager): the link (base_url + /account/teams/accept?token=) is mailed
 * through the outbox in the same transaction; an earlier pending
 * invitation of the address to the team is replaced.  ERR_INVALID for a
 * bad role, ERR_CONFLICT when a member of the team uses the address. */
enum err team_invite(struct db *db, int64_t actor, int64_t team_id,
    const char *email, enum team_role role, const char *base_url,
    int64_t now);

/* Reads the live invitation of token at now into *v (arena).
 * ERR_NOTFOUND when it is unknown, used, replaced or expired. */
enum err team_invite_check(struct db *db, struct arena *a, const char *token,
    int64_t now, struct team_invite *v);

/* user_id (any account) accepts the invitation of token: joins its team
 * with its role, and the link is used up.  Sets *team_id.  ERR_NOTFOUND
 * when the link is not live; ERR_CONFLICT when user_id is already a
 * member (the link stays usable). */
enum err team_invite_accept(struct db *db, const char *token,
    int64_t user_id, int64_t now, int64_t *team_id);

/* actor (owner or manager) sets member_id's role to role (member or
 * manager); the owner's role changes only by team_transfer.  ERR_NOTFOUND
 * when member_id is not a member, ERR_CONFLICT for the owner. */
enum err team_set_role(struct db *db, int64_t actor, int64_t team_id,
    int64_t member_id, enum team_role role, int64_t now);

/* actor (owner or manager) removes member_id, not the owner
 * (ERR_CONFLICT) and not themselves (ERR_INVALID: they leave). */
enum err team_remove(struct db *db, int64_t actor, int64_t team_id,
    int64_t member_id, int64_t now);

/* user_id leaves team_id; the owner cannot (ERR_CONFLICT): they hand
 * ownership over first. */
enum err team_leave(struct db *db, int64_t user_id, int64_t team_id,
    int64_t now);

/* The owner actor hands team_id over to member_id, who becomes the owner
 * while actor becomes a manager, in one transaction.  ERR_FORBIDDEN for a
 * non-owner actor, ERR_NOTFOUND when member_id is not a member,
 * ERR_INVALID when member_id is actor. */
enum err team_transfer(struct db *db, int64_t actor, int64_t team_id,
    int64_t member_id, int64_t now);

/* actor (owner or manager) renames team_id to name (1..TEAM_NAME_MAX
 * bytes, trimmed by the caller): ERR_INVALID for a bad name (checked
 * after the role). */
enum err team_rename(struct db *db, int64_t actor, int64_t team_id,
    const char *name, int64_t now);

/* For the seats of a team (lib/seat_assign.c), inside its transaction: */
/* Checks that actor is a member of team_id with at least role need:
 * ERR_NOTFOUND for a non-member, ERR_FORBIDDEN for too low a role. */
enum err team_need_role(struct db *db, int64_t team_id, int64_t actor,
    enum team_role need);
/* Inserts user_id into team_id with role (no audit row: the caller's
 * change writes it). */
enum err team_member_add(struct db *db, int64_t team_id, int64_t user_id,
    enum team_role role, int64_t now);

#endif
