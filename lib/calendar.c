/* Booked sessions as calendar events, and the feed's token (see
 * calendar.h). */
#include <string.h>

#include "calendar.h"
#include "db.h"
#include "db_rows.h"


/* The host of base_url, for UIDs ("booking-7@school.example"). */
static const char *
host_of(struct arena *a, const char *base_url)
{
	const char *h = strstr(base_url, "://");
	size_t n;

	h = h != NULL ? h + 3 : base_url;
	n = strcspn(h, "/:");
	return arena_strndup(a, h, n);
}

/* The row's columns: uid, start, end, changed, course title, step
 * label, step title, option name, meeting link, the booking page. */
static enum err
event_row(struct arena *a, struct db_stmt *st, void *elem)
{
	struct ical_event *ev = elem;
	const char *link = db_col_text(st, 8);

	ev->uid = db_col_text_dup(a, st, 0);
	ev->starts_at = db_col_int64(st, 1);
	ev->ends_at = db_col_int64(st, 2);
	ev->changed_at = db_col_int64(st, 3);
	ev->summary = arena_printf(a, "%s, %s: %s", db_col_text(st, 4),
	    db_col_text(st, 5), db_col_text(st, 6));
	ev->description = arena_printf(a, "Your session: %s",
	    db_col_text(st, 7));
	ev->location = link[0] != '\0' ? arena_strdup(a, link) : NULL;
	ev->url = db_col_text_dup(a, st, 9);
	return ev->uid != NULL && ev->summary != NULL && ev->description !=
	    NULL && ev->url != NULL && (link[0] == '\0' || ev->location !=
	    NULL) ? ERR_OK : ERR_INTERNAL;
}

enum err
calendar_events(struct db *db, struct arena *a, int64_t user_id,
    int64_t booking_id, const char *base_url, struct ical_event **ev,
    size_t *n)
{
	const char *host = host_of(a, base_url);
	struct db_stmt *st;
	enum err e;

	if (host == NULL)
		return ERR_INTERNAL;
	/* Sessions of cohorts the student is still enrolled in.  A UID
	 * names the booking, not the option: a changed booking replaces
	 * its event in the calendar. */
	st = db_prep(db, "SELECT 'booking-' || b.id || '@' || ?3, o.starts_at, "
	    "o.ends_at, b.changed_at, co.title, s.label, s.title, o.name, "
	    "o.meeting_url, ?4 || '/account/courses/' || co.id || '/book' "
	    "FROM step_bookings b JOIN step_options o ON o.id = b.option_id "
	    "JOIN course_steps s ON s.id = b.step_id JOIN courses co ON co.id "
	    "= s.course_id JOIN enrollments e ON e.user_id = b.user_id AND "
	    "e.course_id = s.course_id AND e.cohort_id = b.cohort_id AND "
	    "e.status = 'active' WHERE b.user_id = ?1 AND (?2 = 0 OR b.id = "
	    "?2) ORDER BY o.starts_at, b.id");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, booking_id);
	db_bind_text(st, 3, host);
	db_bind_text(st, 4, base_url);
	if ((e = db_rows(st, a, event_row, sizeof(**ev), (void **)ev, n)) !=
	    ERR_OK)
		return e;
	return booking_id > 0 && *n == 0 ? ERR_NOTFOUND : ERR_OK;
}

enum err
calendar_feed_new(struct db *db, int64_t user_id, int64_t now,
    char token[LINK_TOKEN_HEX + 1])
{
	char hash[LINK_HASH_HEX + 1];
	struct db_stmt *st;

	link_token_new(token, hash);
	st = db_prep(db, "INSERT INTO calendar_feeds (user_id, token_hash, "
	    "created_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
	    "token_hash = excluded.token_hash, created_at = "
	    "excluded.created_at");
	db_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, hash);
	db_bind_int64(st, 3, now);
	return db_run(st);
}

enum err
calendar_feed_revoke(struct db *db, int64_t user_id)
{
	struct db_stmt *st = db_prep(db, "DELETE FROM calendar_feeds WHERE "
	    "user_id = ?");

	db_bind_int64(st, 1, user_id);
	return db_run(st);
}

enum err
calendar_feed_exists(struct db *db, int64_t user_id, int *exists)
{
	struct db_stmt *st = db_prep(db, "SELECT 1 FROM calendar_feeds WHERE "
	    "user_id = ?");
	enum err e;

	db_bind_int64(st, 1, user_id);
	e = db_next(st);
	db_done(st);
	*exists = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
calendar_feed_user(struct db *db, const char *token, int64_t *user_id)
{
	char hash[LINK_HASH_HEX + 1];
	struct db_stmt *st;
	enum err e;

	if (!link_token_hash(token, hash))
		return ERR_NOTFOUND;
	st = db_prep(db, "SELECT f.user_id FROM calendar_feeds f JOIN users u "
	    "ON u.id = f.user_id WHERE f.token_hash = ? AND u.deleted_at IS "
	    "NULL AND u.disabled_at IS NULL");
	db_bind_text(st, 1, hash);
	if ((e = db_next(st)) == ERR_OK)
		*user_id = db_col_int64(st, 0);
	db_done(st);
	return e;
}
