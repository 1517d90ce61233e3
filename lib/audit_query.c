/* The audit log as the admin reads it (see audit_query.h).  One statement
 * walks audit_log's primary key downwards from the key and tests each
 * filter on the row, so a page costs its rows plus those filtered out on
 * the way: fine for a log an admin writes by hand.  A filter that picks
 * few rows of a large log would want its own statement on its index
 * (audit_log_actor, _action, _subject, _at).  Times are compared as
 * integers bound from C, so the statement is the same on PostgreSQL. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audit_query.h"
#include "db.h"
#include "url.h"

enum err
audit_person_of(struct db *db, const char *email, int64_t *id)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM users "
	    "WHERE email = ?");
	enum err e;

	db_bind_text(st, 1, email);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e;
}

/* Writes v (a before or after value; NULL: the side has no such field)
 * for people into out: times of *_at fields in the school's zone. */
static void
value_text(const char *field, const cJSON *v, char *out, size_t size)
{
	size_t len = strlen(field);
	struct tm tm;
	time_t t;
	char *s;

	if (v == NULL)
		snprintf(out, size, "(not set)");
	else if (cJSON_IsNull(v))
		snprintf(out, size, "none");
	else if (cJSON_IsBool(v))
		snprintf(out, size, "%s", cJSON_IsTrue(v) ? "yes" : "no");
	else if (cJSON_IsString(v))
		snprintf(out, size, "%s", v->valuestring);
	else if (cJSON_IsNumber(v) && len > 3 &&
	    strcmp(field + len - 3, "_at") == 0 &&
	    (t = (time_t)v->valuedouble, localtime_r(&t, &tm)) != NULL)
		strftime(out, size, "%Y-%m-%d %H:%M", &tm);
	else if (cJSON_IsNumber(v))
		snprintf(out, size, "%.0f", v->valuedouble);
	else if ((s = cJSON_PrintUnformatted(v)) != NULL) {
		snprintf(out, size, "%s", s);
		cJSON_free(s);
	} else
		snprintf(out, size, "?");
}

static int
add_change(cJSON *list, const char *field, const cJSON *old,
    const cJSON *now)
{
	char o[512], n[512];
	cJSON *c;

	value_text(field, old, o, sizeof(o));
	value_text(field, now, n, sizeof(n));
	return (c = cJSON_CreateObject()) != NULL &&
	    cJSON_AddItemToArray(list, c) &&
	    cJSON_AddStringToObject(c, "field", field) &&
	    cJSON_AddStringToObject(c, "old", o) &&
	    cJSON_AddStringToObject(c, "new", n);
}

/* Adds to row "changes": every field of before (with its after) then
 * those only after has.  A row whose JSON does not parse shows none. */
static int
add_changes(cJSON *row, const char *before, const char *after)
{
	cJSON *b = cJSON_Parse(before), *a = cJSON_Parse(after), *f;
	cJSON *list = cJSON_AddArrayToObject(row, "changes");
	int ok = list != NULL;

	cJSON_ArrayForEach(f, b)
		if (ok && f->string != NULL)
			ok = add_change(list, f->string, f,
			    cJSON_GetObjectItemCaseSensitive(a, f->string));
	cJSON_ArrayForEach(f, a)
		if (ok && f->string != NULL &&
		    cJSON_GetObjectItemCaseSensitive(b, f->string) == NULL)
			ok = add_change(list, f->string, NULL, f);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return ok;
}

/* The admin page of subject "<kind>:<id>" (arena), NULL when its kind
 * has none or it is not of that shape; *oom when memory ran out. */
static const char *
subject_url(struct arena *ar, const char *subject, int *oom)
{
	static const struct {
		const char *kind, *page;
	} pages[] = {
		{ "user", "/admin/users/" }, { "team", "/admin/teams/" },
		{ "order", "/admin/orders/" }, { "course", "/admin/courses/" },
		{ "lesson", "/admin/lessons/" }, { "coupon", "/admin/coupons/" },
		{ "coupon_batch", "/admin/coupons/batches/" },
		{ "cohort", "/admin/cohorts/" }, { "step", "/admin/steps/" },
		{ "option", "/admin/options/" },
	};
	const char *colon = strchr(subject, ':'), *url;

	*oom = 0;
	if (colon == NULL || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return NULL;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strlen(pages[i].kind) == (size_t)(colon - subject) &&
		    strncmp(subject, pages[i].kind, (size_t)(colon - subject)) ==
		    0) {
			*oom = (url = url_segment(ar, pages[i].page,
			    colon + 1)) == NULL;
			return url;
		}
	return NULL;
}

/* Adds the current row of st to array. */
static int
add_row(struct arena *ar, struct db_stmt *st, cJSON *array)
{
	const char *subject = db_col_text(st, 5);
	const char *url;
	int oom;
	cJSON *o;

	if ((url = subject_url(ar, subject, &oom)) == NULL && oom)
		return 0;
	return (o = cJSON_CreateObject()) != NULL &&
	    cJSON_AddItemToArray(array, o) &&
	    cJSON_AddNumberToObject(o, "id", (double)db_col_int64(st, 0)) &&
	    cJSON_AddNumberToObject(o, "at", (double)db_col_int64(st, 1)) &&
	    cJSON_AddNumberToObject(o, "actor_id",
	    (double)db_col_int64(st, 2)) &&
	    cJSON_AddStringToObject(o, "actor", db_col_text(st, 3)) &&
	    cJSON_AddStringToObject(o, "action", db_col_text(st, 4)) &&
	    cJSON_AddStringToObject(o, "subject", subject) &&
	    (url == NULL || cJSON_AddStringToObject(o, "subject_url", url)) &&
	    cJSON_AddStringToObject(o, "subject_name", db_col_text(st, 9)) &&
	    cJSON_AddStringToObject(o, "detail", db_col_text(st, 6)) &&
	    add_changes(o, db_col_text(st, 7), db_col_text(st, 8));
}

enum err
audit_query(struct db *db, struct arena *a, const struct audit_filter *f,
    cJSON *array, int64_t *last, int *more)
{
	static const char top[] = "\xF4\x8F\xBF\xBF";	/* U+10FFFF */
	char subject[32], *hi = NULL;
	struct db_stmt *st;
	int n = 0;
	enum err e;

	*last = 0;
	*more = 0;
	snprintf(subject, sizeof(subject), "user:%lld", (long long)f->person);
	if (f->action != NULL && (hi = arena_alloc(a, strlen(f->action) +
	    sizeof(top))) == NULL)
		return ERR_INTERNAL;
	if (hi != NULL) {
		strcpy(hi, f->action);
		strcat(hi, top);
	}
	st = db_prep(db, "SELECT al.id, al.at, coalesce(al.actor_user_id, 0), "
	    "coalesce(u.email, ''), al.action, al.subject, al.detail, "
	    "al.before_json, al.after_json, coalesce(su.name, '') "
	    "FROM audit_log al LEFT JOIN users u ON u.id = al.actor_user_id "
	    "LEFT JOIN users su ON su.id = CASE WHEN al.subject LIKE 'user:%' "
	    "THEN CAST(substr(al.subject, 6) AS BIGINT) END "
	    "WHERE al.id < ?1 AND (?2 = 0 OR al.actor_user_id = ?2 OR "
	    "al.subject = ?3) AND (?4 IS NULL OR (al.action >= ?4 AND "
	    "al.action < ?5)) AND (?6 IS NULL OR al.subject = ?6) "
	    "AND al.at >= ?7 AND al.at < ?8 ORDER BY al.id DESC LIMIT ?9");
	db_bind_int64(st, 1, f->before > 0 ? f->before : INT64_MAX);
	db_bind_int64(st, 2, f->person);
	db_bind_text(st, 3, subject);
	db_bind_text_or_null(st, 4, f->action);
	db_bind_text_or_null(st, 5, hi);
	db_bind_text_or_null(st, 6, f->subject);
	db_bind_int64(st, 7, f->from);
	db_bind_int64(st, 8, f->until > 0 ? f->until : INT64_MAX);
	db_bind_int64(st, 9, AUDIT_PAGE + 1);
	while ((e = db_next(st)) == ERR_OK) {
		if (n == AUDIT_PAGE) {
			*more = 1;
			break;
		}
		if (!add_row(a, st, array)) {
			e = ERR_INTERNAL;
			break;
		}
		*last = db_col_int64(st, 0);
		n++;
	}
	db_done(st);
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}
