/* Batches of single-use codes (see coupon_batch.h). */
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "audit.h"
#include "buf.h"
#include "coupon_admin.h"
#include "coupon_batch.h"
#include "csv.h"
#include "db.h"

/* Letters and digits without those read as one another. */
static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
#define SUFFIX_LEN 8		/* 31^8: about 8.5e11 codes per prefix */
#define TRIES 8			/* fresh suffixes before giving up */

static int
prefix_ok(const char *p)
{
	size_t n = p != NULL ? strlen(p) : 0;

	return n >= 1 && n <= COUPON_PREFIX_MAX &&
	    strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* Inserts one code of the batch under a fresh random suffix. */
static enum err
insert_code(struct db *db, const struct coupon *c, const char *prefix,
    int64_t batch, int64_t now)
{
	char code[COUPON_PREFIX_MAX + SUFFIX_LEN + 2];
	size_t n = strlen(prefix);
	int64_t id = 0;
	enum err e = ERR_OK;

	memcpy(code, prefix, n);
	code[n] = '-';
	code[n + 1 + SUFFIX_LEN] = '\0';
	for (int t = 0; t < TRIES && id == 0 && e == ERR_OK; t++) {
		for (size_t i = 0; i < SUFFIX_LEN; i++)
			code[n + 1 + i] = alphabet[randombytes_uniform(
			    sizeof(alphabet) - 1)];
		e = coupon_admin_insert(db, c, code, batch, now, &id);
	}
	if (e == ERR_OK && id == 0)
		return ERR_CONFLICT;	/* a full prefix space: never seen */
	return e != ERR_OK ? e : coupon_admin_put_restrictions(db, id, c);
}

/* The batch's audit row: its rules, name, prefix and size. */
static enum err
audit(struct db *db, int64_t actor, int64_t id, const struct coupon *c,
    const char *name, const char *prefix, int64_t size, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *after = coupon_admin_json(c);
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "coupon_batch", id);
	if (after == NULL)
		return ERR_INTERNAL;
	cJSON_DeleteItemFromObject(after, "code");	/* each has its own */
	if (cJSON_AddStringToObject(after, "name", name) != NULL &&
	    cJSON_AddStringToObject(after, "prefix", prefix) != NULL &&
	    cJSON_AddNumberToObject(after, "size", (double)size) != NULL)
		e = audit_write(db, actor, "coupon_batch.create", subject,
		    NULL, after, NULL, now);
	cJSON_Delete(after);
	return e;
}

enum err
coupon_batch_create(struct db *db, int64_t actor, const char *name,
    const char *prefix, int64_t size, const struct coupon *c, int64_t now,
    int64_t *id)
{
	struct coupon one = *c;
	struct db_stmt *st;
	enum err e;

	*id = 0;
	if (size < 1 || size > COUPON_BATCH_MAX || !prefix_ok(prefix) ||
	    name == NULL || *name == '\0')
		return ERR_INVALID;
	one.max_uses = 1;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "INSERT INTO coupon_batches (name, prefix, size, "
	    "created_at) VALUES (?, ?, ?, ?) RETURNING id");
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, prefix);
	db_bind_int64(st, 3, size);
	db_bind_int64(st, 4, now);
	if ((e = db_next(st)) == ERR_OK)
		*id = db_col_int64(st, 0);
	db_done(st);
	for (int64_t i = 0; e == ERR_OK && i < size; i++)
		e = insert_code(db, &one, prefix, *id, now);
	if (e == ERR_OK)
		e = audit(db, actor, *id, &one, name, prefix, size, now);
	if (e == ERR_OK)
		e = db_commit(db);
	if (e != ERR_OK) {
		db_rollback(db);
		*id = 0;
	}
	return e;
}

#define BATCH_COLUMNS "b.id, b.name, b.prefix, b.size, b.created_at, " \
	"(SELECT count(*) FROM coupons c JOIN coupon_redemptions r ON " \
	"r.coupon_id = c.id WHERE c.batch_id = b.id AND r.status = " \
	"'redeemed'), (SELECT count(*) FROM coupons c JOIN " \
	"coupon_redemptions r ON r.coupon_id = c.id WHERE c.batch_id = b.id " \
	"AND r.status = 'reserved'), (SELECT min(c.id) FROM coupons c WHERE " \
	"c.batch_id = b.id) FROM coupon_batches b "

static enum err
read_batch(struct arena *a, struct db_stmt *st, struct coupon_batch *b)
{
	*b = (struct coupon_batch){ db_col_int64(st, 0),
	    db_col_text_dup(a, st, 1), db_col_text_dup(a, st, 2),
	    db_col_int64(st, 3), db_col_int64(st, 4), db_col_int64(st, 5),
	    db_col_int64(st, 6), db_col_int64(st, 7) };
	return b->name == NULL || b->prefix == NULL ? ERR_INTERNAL : ERR_OK;
}

enum err
coupon_batch_list(struct db *db, struct arena *a, int64_t before,
    struct coupon_batch **out, size_t *n, int *more)
{
	struct db_stmt *st;
	enum err e;

	*n = 0;
	*more = 0;
	if ((*out = arena_alloc(a, COUPON_BATCH_PAGE * sizeof(**out))) == NULL)
		return ERR_INTERNAL;
	st = db_prep(db, "SELECT " BATCH_COLUMNS "WHERE b.id < ? "
	    "ORDER BY b.id DESC LIMIT ?");
	db_bind_int64(st, 1, before > 0 ? before : INT64_MAX);
	db_bind_int64(st, 2, COUPON_BATCH_PAGE + 1);
	while ((e = db_next(st)) == ERR_OK) {
		if (*n == COUPON_BATCH_PAGE) {
			*more = 1;
			continue;
		}
		if ((e = read_batch(a, st, &(*out)[*n])) != ERR_OK)
			break;
		(*n)++;
	}
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
coupon_batch_get(struct db *db, struct arena *a, int64_t id,
    struct coupon_batch *b)
{
	struct db_stmt *st = db_prep(db, "SELECT " BATCH_COLUMNS
	    "WHERE b.id = ?");
	enum err e;

	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK)
		e = read_batch(a, st, b);
	db_done(st);
	return e;
}

enum err
coupon_batch_csv(struct db *db, int64_t id, struct buf *out)
{
	struct db_stmt *st;
	enum err e = ERR_OK;
	int bad;

	bad = csv_field(out, "code", 1) || csv_field(out, "batch", 0) ||
	    csv_field(out, "used", 0) || csv_field(out, "active", 0) ||
	    csv_end(out);
	st = db_prep(db, "SELECT c.code, b.name, (SELECT max(CASE r.status "
	    "WHEN 'redeemed' THEN 2 WHEN 'reserved' THEN 1 ELSE 0 END) FROM "
	    "coupon_redemptions r WHERE r.coupon_id = c.id), c.is_active "
	    "FROM coupons c JOIN coupon_batches b ON b.id = c.batch_id "
	    "WHERE c.batch_id = ? ORDER BY c.code");
	db_bind_int64(st, 1, id);
	while (!bad && (e = db_next(st)) == ERR_OK) {
		static const char *const used[] = { "no", "reserved", "yes" };
		int64_t u = db_col_int64(st, 2);

		bad = csv_field(out, db_col_text(st, 0), 1) ||
		    csv_field(out, db_col_text(st, 1), 0) ||
		    csv_field(out, used[u >= 0 && u <= 2 ? u : 0], 0) ||
		    csv_field(out, db_col_int64(st, 3) != 0 ? "yes" : "no", 0) ||
		    csv_end(out);
	}
	db_done(st);
	if (bad)
		return ERR_INTERNAL;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
