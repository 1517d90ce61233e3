/* Counts for the admin home (see overview.h): one statement, two small
 * table scans; the admin home is not a hot path.  Today's sales are a
 * range of orders_paid_at_home, the review queue one of
 * orders_review_home, the sign-ups the end of users' primary key. */
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "json_rows.h"
#include "overview.h"
#include "tz.h"

enum err
overview_counts(struct db *db, struct overview *o)
{
	struct db_stmt *st;
	enum err e;

	memset(o, 0, sizeof(*o));
	if ((st = db_prep(db, "SELECT (SELECT count(*) FROM users WHERE "
	    "deleted_at IS NULL), "
	    "(SELECT count(*) FROM users WHERE role = 'admin' AND "
	    "deleted_at IS NULL), "
	    "(SELECT count(*) FROM courses), "
	    "(SELECT count(*) FROM courses WHERE is_active = 1)")) == NULL)
		return ERR_INTERNAL;
	if ((e = db_next(st)) == ERR_OK) {
		o->users = db_col_int64(st, 0);
		o->admins = db_col_int64(st, 1);
		o->courses = db_col_int64(st, 2);
		o->active_courses = db_col_int64(st, 3);
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

static enum err
add_sales(struct db *db, int64_t now, cJSON *ctx)
{
	static const char *const cols[] = { "$currency", "#orders", "%amount",
	    NULL };
	struct db_stmt *st;
	cJSON *list;

	if ((list = cJSON_AddArrayToObject(ctx, "sales")) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT currency, count(*), sum(total_amount), "
	    "currency FROM orders WHERE paid_at >= ? AND paid_at <= ? "
	    "GROUP BY currency ORDER BY currency");
	db_bind_int64(st, 1, tz_day_start(now));
	db_bind_int64(st, 2, now);
	return json_rows_add(st, cols, list, -1, NULL);
}

static enum err
add_review(struct db *db, cJSON *ctx)
{
	static const char *const cols[] = { "#id", "$number", "$reason",
	    "%total", "$email", "#created_at", NULL };
	struct db_stmt *st;
	cJSON *list;
	int more;
	enum err e;

	if ((list = cJSON_AddArrayToObject(ctx, "review")) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT o.id, o.number, o.review_reason, "
	    "o.total_amount, o.currency, u.email, o.created_at FROM orders o "
	    "JOIN users u ON u.id = o.user_id WHERE o.needs_review = 1 "
	    "ORDER BY o.id DESC LIMIT ?");
	db_bind_int64(st, 1, OVERVIEW_LIST_MAX + 1);
	if ((e = json_rows_add(st, cols, list, OVERVIEW_LIST_MAX, &more)) !=
	    ERR_OK)
		return e;
	return cJSON_AddBoolToObject(ctx, "review_more", more) != NULL ?
	    ERR_OK : ERR_INTERNAL;
}

static enum err
add_signups(struct db *db, cJSON *ctx)
{
	static const char *const cols[] = { "#id", "$email", "$name",
	    "#created_at", NULL };
	struct db_stmt *st;
	cJSON *list;

	if ((list = cJSON_AddArrayToObject(ctx, "signups")) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT id, email, name, created_at FROM users "
	    "WHERE deleted_at IS NULL ORDER BY id DESC LIMIT ?");
	db_bind_int64(st, 1, OVERVIEW_LIST_MAX);
	return json_rows_add(st, cols, list, -1, NULL);
}

enum err
overview_home(struct db *db, int64_t now, cJSON *ctx)
{
	enum err e;

	if ((e = add_sales(db, now, ctx)) != ERR_OK ||
	    (e = add_review(db, ctx)) != ERR_OK)
		return e;
	return add_signups(db, ctx);
}
