/* One person for the admin (see person.h): a statement per list, each an
 * index range on user_id, the rows turned into JSON by json_rows.h; the
 * enrollments pass through access_decide(), so the page says what the
 * student's own pages say. */
#include <cjson/cJSON.h>

#include "access.h"
#include "db.h"
#include "json_rows.h"
#include "person.h"
#include "session.h"

static enum err
add_account(struct db *db, int64_t id, cJSON *ctx)
{
	static const char *const cols[] = { "#id", "$email", "$name",
	    "?is_admin", "#verified_at", "#created_at", "?deleted",
	    "#disabled_at", NULL };
	struct db_stmt *st;
	cJSON *p;

	if ((p = cJSON_AddObjectToObject(ctx, "person")) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT id, email, name, role = 'admin', "
	    "coalesce(email_verified_at, 0), created_at, deleted_at IS NOT "
	    "NULL, coalesce(disabled_at, 0) FROM users WHERE id = ?");
	db_bind_int64(st, 1, id);
	return json_row_into(st, cols, p);
}

static enum err
add_orders(struct db *db, int64_t id, cJSON *ctx)
{
	static const char *const cols[] = { "#id", "$number", "$status",
	    "%total", "#created_at", "?needs_review", NULL };
	struct db_stmt *st;
	cJSON *list;

	if ((list = cJSON_AddArrayToObject(ctx, "orders")) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT id, number, status, total_amount, currency, "
	    "created_at, needs_review FROM orders WHERE user_id = ? "
	    "ORDER BY created_at DESC, id DESC LIMIT ?");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, PERSON_ORDERS_MAX);
	return json_rows_add(st, cols, list, -1, NULL);
}

static enum err
add_certificates(struct db *db, int64_t id, cJSON *ctx)
{
	static const char *const cols[] = { "$code", "$title", "#issued_at",
	    NULL };
	struct db_stmt *st;
	cJSON *list;

	if ((list = cJSON_AddArrayToObject(ctx, "certificates")) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT code, course_title, issued_at FROM "
	    "certificates WHERE user_id = ? ORDER BY issued_at DESC, id DESC");
	db_bind_int64(st, 1, id);
	return json_rows_add(st, cols, list, -1, NULL);
}

/* One enrollment row of st as the page shows it, access decided now. */
static int
add_enrollment(struct db_stmt *st, int64_t now, cJSON *list)
{
	struct access_facts f = { .price_amount = db_col_int64(st, 5),
	    .is_active = db_col_int64(st, 6) == 1,
	    .access_days = db_col_int64(st, 7), .enrolled = 1,
	    .status = db_col_text(st, 8), .source = db_col_text(st, 9),
	    .granted_at = db_col_int64(st, 10),
	    .order_id = db_col_int64(st, 11),
	    .order_status = db_col_text(st, 12),
	    .expires_at = db_col_int64(st, 13) };
	struct access acc;
	cJSON *o;

	access_decide(&f, now, &acc);
	return (o = cJSON_CreateObject()) != NULL &&
	    cJSON_AddItemToArray(list, o) &&
	    cJSON_AddNumberToObject(o, "id", (double)db_col_int64(st, 0)) &&
	    cJSON_AddNumberToObject(o, "course_id",
	    (double)db_col_int64(st, 1)) &&
	    cJSON_AddStringToObject(o, "slug", db_col_text(st, 2)) &&
	    cJSON_AddStringToObject(o, "title", db_col_text(st, 3)) &&
	    cJSON_AddStringToObject(o, "note", db_col_text(st, 4)) &&
	    cJSON_AddNumberToObject(o, "access_days", (double)f.access_days) &&
	    cJSON_AddStringToObject(o, "status", f.status) &&
	    cJSON_AddStringToObject(o, "source", f.source) &&
	    cJSON_AddNumberToObject(o, "granted_at", (double)f.granted_at) &&
	    cJSON_AddNumberToObject(o, "expires_at", (double)acc.expires_at) &&
	    cJSON_AddBoolToObject(o, "allowed", acc.reason ==
	    ACCESS_ENROLLED) &&
	    cJSON_AddStringToObject(o, "reason",
	    access_reason_name(acc.reason));
}

static enum err
add_enrollments(struct db *db, int64_t id, int64_t now, cJSON *ctx)
{
	struct db_stmt *st;
	cJSON *list;
	enum err e;

	if ((list = cJSON_AddArrayToObject(ctx, "enrollments")) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT en.id, c.id, c.slug, c.title, en.note, "
	    "c.price_amount, c.is_active, coalesce(c.access_days, 0), "
	    "en.status, en.source, en.granted_at, coalesce(en.order_id, 0), "
	    "coalesce(o.status, ''), coalesce(en.expires_at, 0) "
	    "FROM enrollments en JOIN courses c ON c.id = en.course_id "
	    "LEFT JOIN orders o ON o.id = en.order_id WHERE en.user_id = ? "
	    "ORDER BY en.granted_at DESC, en.id DESC");
	db_bind_int64(st, 1, id);
	while ((e = db_next(st)) == ERR_OK)
		if (!add_enrollment(st, now, list)) {
			e = ERR_INTERNAL;
			break;
		}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

static enum err
add_sessions(struct db *db, struct arena *a, int64_t id, int64_t now,
    cJSON *ctx)
{
	struct session_info *v;
	char browser[128];
	size_t n, i;
	cJSON *list, *o;
	enum err e;

	if ((e = session_list(db, a, id, now, &v, &n)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "sessions")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		session_browser(v[i].user_agent, browser, sizeof(browser));
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    !cJSON_AddNumberToObject(o, "id", (double)v[i].id) ||
		    !cJSON_AddNumberToObject(o, "started",
		    (double)v[i].created_at) ||
		    !cJSON_AddNumberToObject(o, "last_seen",
		    (double)v[i].last_seen) ||
		    !cJSON_AddStringToObject(o, "browser", browser) ||
		    !cJSON_AddStringToObject(o, "addr", v[i].addr))
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err
person_page(struct db *db, struct arena *a, int64_t id, int64_t now,
    cJSON *ctx)
{
	enum err e;

	if ((e = add_account(db, id, ctx)) != ERR_OK ||
	    (e = add_orders(db, id, ctx)) != ERR_OK ||
	    (e = add_enrollments(db, id, now, ctx)) != ERR_OK ||
	    (e = add_certificates(db, id, ctx)) != ERR_OK)
		return e;
	return add_sessions(db, a, id, now, ctx);
}
