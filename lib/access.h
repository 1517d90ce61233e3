/* Access: the one function that decides whether a user may open a
 * course's lessons (DESIGN.md, Data).  A course is open when it is free
 * and on sale, or when the user holds an enrollment (a purchase, a free
 * enrollment, an admin grant or a team seat) that is active, not revoked
 * and not past the course's access_days counted from the grant.  It also
 * says why not, in the user's terms: not bought, refunded, disputed,
 * revoked, a team seat withdrawn, or expired on a date. */
#ifndef ENROLL_ACCESS_H
#define ENROLL_ACCESS_H

#include <stdint.h>

#include "err.h"

struct db;

/* Where the user stands with the course, whatever its price. */
enum access_reason {
	ACCESS_ENROLLED,	/* an active, unexpired enrollment */
	ACCESS_NOT_BOUGHT,	/* no enrollment (and every guest) */
	ACCESS_REFUNDED,	/* the purchase was refunded */
	ACCESS_DISPUTED,	/* the payment is disputed with the bank */
	ACCESS_REVOKED,		/* an administrator took it back */
	ACCESS_EXPIRED,		/* access_days ran out (see expires_at) */
	ACCESS_SEAT_ENDED,	/* a team seat was given back, or its holder
				   left the team */
	ACCESS_REASON_MAX
};

struct access {
	int allowed;		/* 1: the lessons may be opened now */
	int free;		/* the course is free and on sale: open to
				   everyone, enrolled or not */
	enum access_reason reason; /* the user's own standing */
	const char *source;	/* enrollment source ("purchase", "free",
				   "admin", "seat"), static; NULL: none */
	int64_t granted_at;	/* of the enrollment; 0: none */
	int64_t expires_at;	/* when access ends or ended; 0: never */
	int64_t order_id;	/* the order that granted it; 0: none */
};

/* The SQL of the order status that explains a revoked enrollment: the
 * order's own (o), except that an item refunded by itself (oi, the
 * enrollment's line of its order: the rest of the order may stay paid)
 * reads as refunded. */
#define ACCESS_ORDER_STATUS_SQL "CASE WHEN coalesce(oi.refunded_amount, " \
	"0) > 0 AND o.status <> 'disputed' THEN 'refunded' ELSE " \
	"coalesce(o.status, '') END"

/* Decides whether user_id (0 for a guest) may open course_id at time now
 * and fills *out.  ERR_NOTFOUND when there is no such course. */
enum err access_check(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now, struct access *out);

/* What the decision reads, for a caller that already holds the rows (a
 * student's whole library in one query): the course and the user's
 * enrollment in it, with the order behind the enrollment. */
struct access_facts {
	int64_t price_amount;	/* courses.price_amount */
	int is_active;		/* courses.is_active */
	int64_t access_days;	/* courses.access_days, 0 for none */
	int enrolled;		/* the user has an enrollment row */
	const char *status;	/* enrollments.status: "active", "revoked" */
	const char *source;	/* enrollments.source */
	int64_t granted_at;	/* enrollments.granted_at */
	int64_t order_id;	/* enrollments.order_id, 0 for none */
	int64_t expires_at;	/* enrollments.expires_at (an admin's
				   extension), 0 for none */
	const char *order_status; /* that order's status, "" for none */
};

/* The decision itself, the one rule every page follows: fills *out from
 * f at time now.  access_check() is this over one query. */
void access_decide(const struct access_facts *f, int64_t now,
    struct access *out);

/* Returns 1 when the user holds the course through an enrollment that
 * gives access now (what "already owned" means to the cart). */
int access_owned(const struct access *a);

/* Returns a short name of r ("refunded") for templates and logs. */
const char *access_reason_name(enum access_reason r);

/* Returns why a user without access cannot open the course, in plain
 * words for the closed page ("This course was refunded ..."); the date of
 * an expiry is shown beside it by the page. */
const char *access_reason_message(enum access_reason r);

#endif
