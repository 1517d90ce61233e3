/* The access decision (see access.h): access_decide() holds the rules, in
 * C, here and nowhere else; access_check() feeds it one query that reads
 * the course, the user's enrollment and the order behind it. */
#include <string.h>

#include "access.h"
#include "db.h"

#define DAY 86400

static const struct {
	const char *name;	/* for templates and logs */
	const char *message;	/* why the lessons are closed */
} reasons[ACCESS_REASON_MAX] = {
	[ACCESS_ENROLLED] = { "enrolled", "You are enrolled in this course." },
	[ACCESS_NOT_BOUGHT] = { "not_bought", "This course's lessons are "
	    "for its students. Buy it, or open a free preview lesson." },
	[ACCESS_REFUNDED] = { "refunded", "Your purchase of this course was "
	    "refunded, so its lessons are closed to you. You can buy it "
	    "again." },
	[ACCESS_DISPUTED] = { "disputed", "The payment for this course is "
	    "disputed with your bank, so its lessons are closed until the "
	    "dispute is settled." },
	[ACCESS_REVOKED] = { "revoked", "Your access to this course was "
	    "withdrawn by the school. Write to us if you think this is a "
	    "mistake." },
	[ACCESS_EXPIRED] = { "expired", "Your access to this course has "
	    "expired. You can buy it again to continue." },
	[ACCESS_SEAT_ENDED] = { "seat_ended", "Your team seat for this "
	    "course was withdrawn: you left the team, or a manager gave the "
	    "seat back." },
};

/* The sources an enrollment may have (the schema's CHECK), returned as
 * static strings so that struct access owns no memory. */
static const char *const sources[] = { "purchase", "free", "admin", "seat" };

static const char *
source_of(const char *s)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(sources[i], s) == 0)
			return sources[i];
	return NULL;
}

/* The standing of a revoked enrollment: the order behind it says why,
 * or, for a team seat (no order), that the seat ended. */
static enum access_reason
revoked_reason(const char *source, const char *order_status)
{
	if (strcmp(source, "seat") == 0 && order_status[0] == '\0')
		return ACCESS_SEAT_ENDED;
	if (strcmp(order_status, "refunded") == 0)
		return ACCESS_REFUNDED;
	if (strcmp(order_status, "disputed") == 0)
		return ACCESS_DISPUTED;
	return ACCESS_REVOKED;
}

/* Sets out->expires_at from the grant and access_days (0: no limit), or
 * the later end an admin set (extended). */
static void
set_expiry(struct access *out, int64_t access_days, int64_t extended)
{
	int64_t span;

	out->expires_at = 0;
	if (access_days <= 0)
		return;
	if (__builtin_mul_overflow(access_days, (int64_t)DAY, &span) ||
	    __builtin_add_overflow(out->granted_at, span, &out->expires_at))
		out->expires_at = 0;	/* beyond any date: never */
	else if (extended > out->expires_at)
		out->expires_at = extended;
}

void
access_decide(const struct access_facts *f, int64_t now, struct access *out)
{
	memset(out, 0, sizeof(*out));
	out->reason = ACCESS_NOT_BOUGHT;
	out->free = f->price_amount == 0 && f->is_active;
	if (f->enrolled) {
		out->source = source_of(f->source);
		out->granted_at = f->granted_at;
		out->order_id = f->order_id;
		set_expiry(out, f->access_days, f->expires_at);
		if (strcmp(f->status, "active") != 0)
			out->reason = revoked_reason(f->source, f->order_status);
		else if (out->expires_at != 0 && now >= out->expires_at)
			out->reason = ACCESS_EXPIRED;
		else
			out->reason = ACCESS_ENROLLED;
	}
	out->allowed = out->reason == ACCESS_ENROLLED || out->free;
}

enum err
access_check(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now, struct access *out)
{
	struct access_facts f;
	struct db_stmt *st;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->reason = ACCESS_NOT_BOUGHT;
	st = db_prep(db, "SELECT c.price_amount, c.is_active, "
	    "coalesce(c.access_days, 0), CASE WHEN en.id IS NULL THEN 0 "
	    "ELSE 1 END, "
	    "coalesce(en.status, ''), coalesce(en.source, ''), "
	    "coalesce(en.granted_at, 0), coalesce(en.order_id, 0), "
	    ACCESS_ORDER_STATUS_SQL ", coalesce(en.expires_at, 0) "
	    "FROM courses c "
	    "LEFT JOIN enrollments en ON en.course_id = c.id AND "
	    "en.user_id = ?2 LEFT JOIN orders o ON o.id = en.order_id "
	    "LEFT JOIN order_items oi ON oi.order_id = en.order_id AND "
	    "oi.course_id = c.id WHERE c.id = ?1");
	db_bind_int64(st, 1, course_id);
	db_bind_int64(st, 2, user_id);
	if ((e = db_next(st)) == ERR_OK) {
		f = (struct access_facts){ .price_amount = db_col_int64(st, 0),
		    .is_active = db_col_int64(st, 1) == 1,
		    .access_days = db_col_int64(st, 2),
		    .enrolled = user_id > 0 && db_col_int64(st, 3) != 0,
		    .status = db_col_text(st, 4), .source = db_col_text(st, 5),
		    .granted_at = db_col_int64(st, 6),
		    .order_id = db_col_int64(st, 7),
		    .order_status = db_col_text(st, 8),
		    .expires_at = db_col_int64(st, 9) };
		access_decide(&f, now, out);
	}
	db_done(st);
	return e;
}

int
access_owned(const struct access *a)
{
	return a->reason == ACCESS_ENROLLED;
}

const char *
access_reason_name(enum access_reason r)
{
	return (unsigned)r < ACCESS_REASON_MAX ? reasons[r].name : "";
}

const char *
access_reason_message(enum access_reason r)
{
	return (unsigned)r < ACCESS_REASON_MAX ? reasons[r].message : "";
}
