/* A team's seats of a course: the counters and the revocation of an
 * assignment (see seat.h).  Each function is one step of the caller's
 * transaction. */
#include "db.h"
#include "seat.h"

enum err
seat_add(struct db *db, int64_t team_id, int64_t course_id, int64_t n,
    int64_t now)
{
	struct db_stmt *st;

	if (n <= 0)
		return ERR_INVALID;
	st = db_prep(db, "INSERT INTO team_seats (team_id, course_id, seats, "
	    "held, updated_at) VALUES (?1, ?2, ?3, 0, ?4) ON CONFLICT "
	    "(team_id, course_id) DO UPDATE SET seats = team_seats.seats + "
	    "excluded.seats, updated_at = excluded.updated_at");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, n);
	db_bind_int64(st, 4, now);
	return db_run(st);
}

enum err
seat_remove(struct db *db, int64_t team_id, int64_t course_id, int64_t n,
    int64_t now)
{
	struct db_stmt *st;
	enum err e;

	if (n <= 0)
		return ERR_INVALID;
	st = db_prep(db, "UPDATE team_seats SET seats = seats - ?3, "
	    "updated_at = ?4 WHERE team_id = ?1 AND course_id = ?2 AND "
	    "seats - held >= ?3");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, n);
	db_bind_int64(st, 4, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	return db_changes(db) == 1 ? ERR_OK : ERR_CONFLICT;
}

/* Whether team_id has a seats row for course_id: tells "none bought"
 * (ERR_NOTFOUND) from "none free" (ERR_CONFLICT). */
static enum err
seats_exist(struct db *db, int64_t team_id, int64_t course_id)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM team_seats WHERE "
	    "team_id = ? AND course_id = ?");
	enum err e;

	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	e = db_next(st);
	db_done(st);
	return e;
}

enum err
seat_take(struct db *db, int64_t team_id, int64_t course_id, int64_t now)
{
	struct db_stmt *st;
	enum err e;

	/* The condition, not a read before it, decides who gets the last
	 * seat. */
	st = db_prep(db, "UPDATE team_seats SET held = held + 1, updated_at = "
	    "?3 WHERE team_id = ?1 AND course_id = ?2 AND held < seats");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, now);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	if (db_changes(db) == 1)
		return ERR_OK;
	e = seats_exist(db, team_id, course_id);
	return e == ERR_OK ? ERR_CONFLICT : e;
}

enum err
seat_revoke(struct db *db, int64_t team_id, int64_t assignment_id,
    int64_t actor, int64_t now)
{
	struct db_stmt *st;
	int64_t course_id;
	enum err e;

	st = db_prep(db, "UPDATE seat_assignments SET status = 'revoked', "
	    "revoked_at = ?1, revoked_by = ?2, token_hash = NULL WHERE id = ?3 "
	    "AND team_id = ?4 AND status <> 'revoked' RETURNING course_id");
	db_bind_int64(st, 1, now);
	if (actor > 0)
		db_bind_int64(st, 2, actor);
	else
		db_bind_null(st, 2);
	db_bind_int64(st, 3, assignment_id);
	db_bind_int64(st, 4, team_id);
	if ((e = db_next(st)) != ERR_OK) {
		db_done(st);
		return e;	/* ERR_NOTFOUND: not theirs, or revoked */
	}
	course_id = db_col_int64(st, 0);
	db_done(st);
	st = db_prep(db, "UPDATE enrollments SET status = 'revoked', "
	    "revoked_at = ?1 WHERE seat_id = ?2 AND status = 'active'");
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, assignment_id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "UPDATE team_seats SET held = held - 1, updated_at = "
	    "?3 WHERE team_id = ?1 AND course_id = ?2");
	db_bind_int64(st, 1, team_id);
	db_bind_int64(st, 2, course_id);
	db_bind_int64(st, 3, now);
	return db_run(st);
}

enum err
seat_revoke_member(struct db *db, int64_t team_id, int64_t user_id,
    int64_t actor, int64_t now, int64_t *n)
{
	struct db_stmt *st;
	int64_t ids[64];
	size_t k;
	enum err e;

	if (n != NULL)
		*n = 0;
	/* A page at a time: each revocation changes what the next read
	 * sees, so the read is repeated until nothing is live. */
	do {
		k = 0;
		st = db_prep(db, "SELECT id FROM seat_assignments WHERE "
		    "user_id = ? AND team_id = ? AND status <> 'revoked' "
		    "ORDER BY id LIMIT 64");
		db_bind_int64(st, 1, user_id);
		db_bind_int64(st, 2, team_id);
		while ((e = db_next(st)) == ERR_OK)
			ids[k++] = db_col_int64(st, 0);
		db_done(st);
		if (e != ERR_NOTFOUND)
			return e;
		for (size_t i = 0; i < k; i++)
			if ((e = seat_revoke(db, team_id, ids[i], actor, now)) !=
			    ERR_OK)
				return e;
		if (n != NULL)
			*n += (int64_t)k;
	} while (k == 64);
	return ERR_OK;
}
