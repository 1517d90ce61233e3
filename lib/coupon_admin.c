/* The admin's coupons (see coupon_admin.h).  The list is one range scan
 * on the code's unique index (or the primary key, newest first) with two
 * index look-ups of coupon_redemptions per row. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "coupon_admin.h"
#include "db.h"

/* Binds v, or NULL when v is 0 (the column's "none"). */
static void
bind_opt(struct db_stmt *st, int idx, int64_t v)
{
	if (v != 0)
		db_bind_int64(st, idx, v);
	else
		db_bind_null(st, idx);
}

#define ROW_COLUMNS "c.id, c.code, c.kind, coalesce(c.percent_off, 0), " \
	"coalesce(c.amount_off, 0), c.currency, coalesce(c.max_uses, 0), " \
	"coalesce(c.max_uses_per_user, 0), coalesce(c.valid_from, 0), " \
	"coalesce(c.valid_until, 0), c.is_active, coalesce(c.batch_id, 0), " \
	"(SELECT count(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id " \
	"AND r.status = 'redeemed'), (SELECT count(*) " \
	"FROM coupon_redemptions r WHERE r.coupon_id = c.id " \
	"AND r.status = 'reserved') FROM coupons c "
#define ROW_FILTER "AND c.code >= :lo AND c.code < :hi AND (:active < 0 " \
	"OR c.is_active = :active) AND (:batch = 0 OR c.batch_id = :batch) "

static enum err
read_row(struct arena *a, struct db_stmt *st, struct coupon_row *r)
{
	memset(r, 0, sizeof(*r));
	r->c.id = db_col_int64(st, 0);
	r->c.code = db_col_text_dup(a, st, 1);
	r->c.kind = strcmp(db_col_text(st, 2), "fixed") == 0 ? COUPON_FIXED :
	    COUPON_PERCENTAGE;
	r->c.percent_off = db_col_int64(st, 3);
	r->c.amount_off = db_col_int64(st, 4);
	r->c.currency = db_col_text_dup(a, st, 5);
	r->c.max_uses = db_col_int64(st, 6);
	r->c.max_uses_per_user = db_col_int64(st, 7);
	r->c.valid_from = db_col_int64(st, 8);
	r->c.valid_until = db_col_int64(st, 9);
	r->c.is_active = db_col_int64(st, 10) != 0;
	r->batch_id = db_col_int64(st, 11);
	r->use.redeemed = db_col_int64(st, 12);
	r->use.reserved = db_col_int64(st, 13);
	return r->c.code == NULL || r->c.currency == NULL ? ERR_INTERNAL :
	    ERR_OK;
}

enum err
coupon_admin_list(struct db *db, struct arena *a, const struct coupon_query *q,
    struct coupon_row **out, size_t *n, int *more)
{
	struct db_stmt *st;
	char *hi;
	enum err e;

	*n = 0;
	*more = 0;
	/* Codes are [A-Z0-9_-]: every code with the prefix sorts below
	 * prefix + DEL in byte order (PostgreSQL: compare COLLATE "C"). */
	if ((*out = arena_alloc(a, COUPON_PAGE * sizeof(**out))) == NULL ||
	    (hi = arena_printf(a, "%s\x7f", q->q != NULL ? q->q : "")) == NULL)
		return ERR_INTERNAL;
	if (q->sort == COUPON_SORT_NEWEST) {
		st = db_prep(db, "SELECT " ROW_COLUMNS "WHERE c.id < :key "
		    ROW_FILTER "ORDER BY c.id DESC LIMIT :n");
		db_bind_int64(st, 1, q->before_id > 0 ? q->before_id :
		    INT64_MAX);
	} else {
		st = db_prep(db, "SELECT " ROW_COLUMNS "WHERE c.code > :key "
		    ROW_FILTER "ORDER BY c.code LIMIT :n");
		db_bind_text(st, 1, q->after_code != NULL ? q->after_code : "");
	}
	db_bind_text(st, 2, q->q != NULL ? q->q : "");
	db_bind_text(st, 3, hi);
	db_bind_int64(st, 4, q->active);
	db_bind_int64(st, 5, q->batch_id);
	db_bind_int64(st, 6, COUPON_PAGE + 1);
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == COUPON_PAGE) {
			*more = 1;
			continue;
		}
		if ((e = read_row(a, st, &(*out)[*n])) != ERR_OK)
			break;
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Counts coupon id's uses: redeemed, reserved and the most by one
 * person. */
static enum err
usage(struct db *db, int64_t id, struct coupon_use *u)
{
	struct db_stmt *st;
	enum err e;

	memset(u, 0, sizeof(*u));
	st = db_prep(db, "SELECT coalesce(sum(CASE WHEN status = 'redeemed' "
	    "THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN status = "
	    "'reserved' THEN 1 ELSE 0 END), 0) FROM coupon_redemptions "
	    "WHERE coupon_id = ? AND status IN ('reserved', 'redeemed')");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		u->redeemed = db_col_int64(st, 0);
		u->reserved = db_col_int64(st, 1);
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "SELECT coalesce(max(n), 0) FROM (SELECT count(*) "
	    "AS n FROM coupon_redemptions WHERE coupon_id = ? AND status IN "
	    "('reserved', 'redeemed') GROUP BY user_id) AS per_user");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		u->top_user = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
coupon_admin_get(struct db *db, struct arena *a, int64_t id,
    struct coupon *c, struct coupon_use *u, int64_t *batch_id)
{
	struct db_stmt *st;
	char *code = NULL;
	enum err e;

	st = db_prep(db, "SELECT code, coalesce(batch_id, 0) FROM coupons "
	    "WHERE id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		code = db_col_text_dup(a, st, 0);
		*batch_id = db_col_int64(st, 1);
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	if (code == NULL || (e = coupon_load(db, a, code, c)) != ERR_OK)
		return e == ERR_OK ? ERR_INTERNAL : e;
	return usage(db, id, u);
}

static int
add_list(cJSON *o, const char *key, const struct coupon *c, int courses)
{
	cJSON *l = cJSON_AddArrayToObject(o, key), *v;
	size_t n = courses ? c->ncourses : c->ntypes;

	if (l == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		v = courses ? cJSON_CreateNumber((double)c->courses[i]) :
		    cJSON_CreateString(c->types[i]);
		if (v == NULL || !cJSON_AddItemToArray(l, v)) {
			cJSON_Delete(v);
			return 0;
		}
	}
	return 1;
}

cJSON *
coupon_admin_json(const struct coupon *c)
{
	const struct { const char *key; int64_t v; } nums[] = {
		{ "percent_off", c->percent_off },
		{ "amount_off", c->amount_off },
		{ "max_discount", c->max_discount },
		{ "min_purchase", c->min_purchase },
		{ "max_uses", c->max_uses },
		{ "max_uses_per_user", c->max_uses_per_user },
		{ "valid_from", c->valid_from },
		{ "valid_until", c->valid_until },
		{ "is_active", c->is_active },
	};
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(o, "code", c->code) == NULL ||
	    cJSON_AddStringToObject(o, "description", c->description) ==
	    NULL || cJSON_AddStringToObject(o, "kind", c->kind == COUPON_FIXED ?
	    "fixed" : "percentage") == NULL ||
	    cJSON_AddStringToObject(o, "currency", c->currency) == NULL)
		goto fail;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (cJSON_AddNumberToObject(o, nums[i].key,
		    (double)nums[i].v) == NULL)
			goto fail;
	if (!add_list(o, "course_types", c, 0) || !add_list(o, "courses", c, 1))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* Binds c's rules to parameters 1..11 of an insert or an update (code
 * excluded), in the order of the coupons table. */
static void
bind_rules(struct db_stmt *st, const struct coupon *c)
{
	db_bind_text(st, 1, c->description);
	db_bind_text(st, 2, c->kind == COUPON_FIXED ? "fixed" : "percentage");
	bind_opt(st, 3, c->kind == COUPON_PERCENTAGE ? c->percent_off : 0);
	bind_opt(st, 4, c->kind == COUPON_FIXED ? c->amount_off : 0);
	db_bind_text(st, 5, c->currency);
	bind_opt(st, 6, c->max_discount);
	db_bind_int64(st, 7, c->min_purchase);
	bind_opt(st, 8, c->max_uses);
	bind_opt(st, 9, c->max_uses_per_user);
	bind_opt(st, 10, c->valid_from);
	bind_opt(st, 11, c->valid_until);
}

enum err
coupon_admin_insert(struct db *db, const struct coupon *c, const char *code,
    int64_t batch_id, int64_t now, int64_t *id)
{
	struct db_stmt *st;
	enum err e;

	*id = 0;
	st = db_prep(db, "INSERT INTO coupons (description, kind, percent_off, "
	    "amount_off, currency, max_discount_amount, min_purchase_amount, "
	    "max_uses, max_uses_per_user, valid_from, valid_until, code, "
	    "batch_id, is_active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, 1, ?) ON CONFLICT (code) DO NOTHING RETURNING id");
	bind_rules(st, c);
	db_bind_text(st, 12, code);
	bind_opt(st, 13, batch_id);
	db_bind_int64(st, 14, now);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
coupon_admin_put_restrictions(struct db *db, int64_t id,
    const struct coupon *c)
{
	struct db_stmt *st;
	enum err e = ERR_OK;

	st = db_prep(db, "DELETE FROM coupon_course_types WHERE coupon_id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	st = db_prep(db, "DELETE FROM coupon_courses WHERE coupon_id = ?");
	db_bind_int64(st, 1, id);
	if ((e = db_run(st)) != ERR_OK)
		return e;
	for (size_t i = 0; e == ERR_OK && i < c->ntypes; i++) {
		st = db_prep(db, "INSERT INTO coupon_course_types (coupon_id, "
		    "course_type) VALUES (?, ?) ON CONFLICT DO NOTHING");
		db_bind_int64(st, 1, id);
		db_bind_text(st, 2, c->types[i]);
		e = db_run(st);
	}
	for (size_t i = 0; e == ERR_OK && i < c->ncourses; i++) {
		st = db_prep(db, "INSERT INTO coupon_courses (coupon_id, "
		    "course_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, c->courses[i]);
		e = db_run(st);
	}
	return e;
}

/* Writes the audit row of a change to coupon id. */
static enum err
audit(struct db *db, int64_t actor, const char *action, int64_t id,
    const struct coupon *before, const struct coupon *after, int64_t now)
{
	cJSON *b = before != NULL ? coupon_admin_json(before) : NULL;
	cJSON *a = after != NULL ? coupon_admin_json(after) : NULL;
	char subject[AUDIT_SUBJECT_MAX];
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "coupon", id);
	if ((before == NULL || b != NULL) && (after == NULL || a != NULL))
		e = audit_write(db, actor, action, subject, b, a, NULL, now);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

enum err
coupon_admin_code_taken(struct db *db, const char *code, int64_t id,
    int *taken)
{
	struct db_stmt *st = db_prep(db, "SELECT id FROM coupons WHERE "
	    "code = ? AND id <> ?");
	enum err e;

	db_bind_text(st, 1, code);
	db_bind_int64(st, 2, id);
	e = db_next(st);
	db_done(st);
	*taken = e == ERR_OK;
	return e == ERR_NOTFOUND || e == ERR_OK ? ERR_OK : e;
}

const char coupon_code_taken[] = "Another coupon has this code.";

enum err
coupon_admin_create(struct db *db, int64_t actor, const struct coupon *c,
    int64_t now, int64_t *id, struct coupon_refusal *why)
{
	struct coupon saved = *c;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = coupon_admin_insert(db, c, c->code, 0, now, id)) != ERR_OK)
		goto out;
	if (*id == 0) {
		*why = (struct coupon_refusal){ CF_CODE, coupon_code_taken };
		e = ERR_INVALID;
		goto out;
	}
	saved.id = *id;
	saved.is_active = 1;
	if ((e = coupon_admin_put_restrictions(db, *id, c)) != ERR_OK ||
	    (e = audit(db, actor, "coupon.create", *id, NULL, &saved, now)) !=
	    ERR_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

/* Refuses limits below the uses made: 0 with *why set. */
static int
limits_hold(struct arena *a, const struct coupon *c,
    const struct coupon_use *u, struct coupon_refusal *why)
{
	int64_t used = u->redeemed + u->reserved;

	if (c->max_uses != 0 && c->max_uses < used) {
		why->field = CF_MAX_USES;
		why->message = arena_printf(a, "This coupon is used %lld times "
		    "already (paid, or held by a checkout in progress): the "
		    "limit cannot be lower than %lld.", (long long)used,
		    (long long)used);
		return 0;
	}
	if (c->max_uses_per_user != 0 && c->max_uses_per_user < u->top_user) {
		why->field = CF_MAX_USES_PER_USER;
		why->message = arena_printf(a, "One person has used this coupon "
		    "%lld times already: the limit per person cannot be lower "
		    "than %lld.", (long long)u->top_user,
		    (long long)u->top_user);
		return 0;
	}
	return 1;
}

enum err
coupon_admin_update(struct db *db, struct arena *a, int64_t actor,
    int64_t id, const struct coupon *c, int64_t now,
    struct coupon_refusal *why)
{
	struct coupon before, after = *c;
	struct coupon_use u;
	struct db_stmt *st;
	int64_t batch;
	int taken;
	enum err e;

	/* The count of uses and the new limit are one write transaction.
	 * This relies on SQLite's single writer (BEGIN IMMEDIATE): a
	 * checkout reserves the coupon under the same lock (order_create),
	 * so no reservation can slip in between our count and our update,
	 * and two admins lowering the limit at once run one after the other.
	 * PostgreSQL needs SELECT ... FOR UPDATE on the coupon row here and
	 * in order_create. */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = coupon_admin_get(db, a, id, &before, &u, &batch)) != ERR_OK ||
	    (e = coupon_admin_code_taken(db, c->code, id, &taken)) != ERR_OK)
		goto out;
	if (taken) {
		*why = (struct coupon_refusal){ CF_CODE, coupon_code_taken };
		e = ERR_INVALID;
		goto out;
	}
	if (!limits_hold(a, c, &u, why)) {
		e = why->message != NULL ? ERR_INVALID : ERR_INTERNAL;
		goto out;
	}
	st = db_prep(db, "UPDATE coupons SET description = ?, kind = ?, "
	    "percent_off = ?, amount_off = ?, currency = ?, "
	    "max_discount_amount = ?, min_purchase_amount = ?, max_uses = ?, "
	    "max_uses_per_user = ?, valid_from = ?, valid_until = ?, "
	    "code = ? WHERE id = ?");
	bind_rules(st, c);
	db_bind_text(st, 12, c->code);
	db_bind_int64(st, 13, id);
	after.id = id;
	after.is_active = before.is_active;
	if ((e = db_run(st)) != ERR_OK ||
	    (e = coupon_admin_put_restrictions(db, id, c)) != ERR_OK ||
	    (e = audit(db, actor, "coupon.update", id, &before, &after, now)) !=
	    ERR_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != ERR_OK)
		db_rollback(db);
	return e;
}

enum err
coupon_admin_set_active(struct db *db, int64_t actor, int64_t id, int active,
    int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();
	struct db_stmt *st;
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "coupon", id);
	if (b == NULL || a == NULL ||
	    cJSON_AddNumberToObject(b, "is_active", !active) == NULL ||
	    cJSON_AddNumberToObject(a, "is_active", active) == NULL ||
	    (e = db_begin(db)) != ERR_OK)
		goto out;
	/* Only the flag: orders and reservations are not the coupon's. */
	st = db_prep(db, "UPDATE coupons SET is_active = ? WHERE id = ? AND "
	    "is_active <> ?");
	db_bind_int64(st, 1, active != 0);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, active != 0);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if (db_changes(db) == 0) {
		/* Already so, or no such coupon: nothing to record. */
		st = db_prep(db, "SELECT 1 FROM coupons WHERE id = ?");
		db_bind_int64(st, 1, id);
		e = db_next(st);
		db_done(st);
		if (e == ERR_OK)
			e = db_commit(db);
		goto out;
	}
	if ((e = audit_write(db, actor, active ? "coupon.activate" :
	    "coupon.deactivate", subject, b, a, NULL, now)) != ERR_OK)
		goto out;
	e = db_commit(db);
out:
	if (e != ERR_OK)
		db_rollback(db);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

enum err
coupon_admin_courses(struct db *db, struct arena *a, int64_t coupon_id,
    struct coupon_course_choice **out, size_t *n)
{
	struct coupon_course_choice *v;
	struct db_stmt *st;
	enum err e;

	*n = 0;
	if ((v = *out = arena_alloc(a, COUPON_COURSE_CHOICES * sizeof(*v))) ==
	    NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT id, title, course_type, is_active FROM "
	    "courses ORDER BY CASE WHEN EXISTS (SELECT 1 FROM coupon_courses "
	    "cc WHERE cc.coupon_id = ? AND cc.course_id = courses.id) THEN 0 "
	    "ELSE 1 END, title, id LIMIT ?");
	db_bind_int64(st, 1, coupon_id);
	db_bind_int64(st, 2, COUPON_COURSE_CHOICES);
	while ((e = db_next(st)) == ERR_OK) {
		v[*n] = (struct coupon_course_choice){ db_col_int64(st, 0),
		    db_col_text_dup(a, st, 1), db_col_text_dup(a, st, 2),
		    db_col_int64(st, 3) != 0 };
		if (v[*n].title == NULL || v[*n].type == NULL) {
			e = ERR_INTERNAL;
			break;
		}
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
