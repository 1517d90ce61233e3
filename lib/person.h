/* One person as the admin's page shows them (/admin/users/<id>): the
 * account, its orders, enrollments (with where access stands now),
 * certificates and live login sessions.  Read-only; the changes an admin
 * makes are in person_change.h and grant.h. */
#ifndef ENROLL_PERSON_H
#define ENROLL_PERSON_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;
struct cJSON;

#define PERSON_ORDERS_MAX 50	/* newest orders shown */

/* Adds to ctx: "person" {id, email, name, is_admin, verified_at,
 * created_at, deleted, disabled_at}, "orders" [{id, number, status, total
 * (money), created_at, needs_review}], "enrollments" [{id, course_id,
 * slug, title, source, status, note, granted_at, expires_at, access_days,
 * allowed, reason}], "certificates" [{code, title, issued_at}] and
 * "sessions" [{id, started, last_seen, browser, addr}] at time now.
 * ERR_NOTFOUND when there is no such account.  The JSON belongs to ctx;
 * strings are copied (cJSON, the request arena in workers). */
enum err person_page(struct db *db, struct arena *a, int64_t id, int64_t now,
    struct cJSON *ctx);

#endif
