/* The emulator's state in SQLite: one table per Stripe resource, each row
 * the object's JSON as the API returns it, with generated columns for
 * what lists filter on and what tests inspect (sqlite3 emu.db "SELECT
 * status FROM checkout_sessions").  Plus the idempotency keys, webhook
 * deliveries and received requests.  The file may be reused across runs
 * (make run keeps it), so opening it creates what is missing and brings
 * an older file's tables up to date.  Every function needs emu->lock. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "emu.h"
#include "log.h"

#define GEN(col, type, path) \
	" " col " " type " GENERATED ALWAYS AS (json_extract(json, '" path \
	"')) VIRTUAL,"
#define OBJ_COLS " seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS customers (" OBJ_COLS
    GEN("email", "TEXT", "$.email")
    GEN("created", "INTEGER", "$.created")
    " json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS coupons (" OBJ_COLS
    GEN("amount_off", "INTEGER", "$.amount_off")
    GEN("percent_off", "REAL", "$.percent_off")
    GEN("times_redeemed", "INTEGER", "$.times_redeemed")
    " json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS checkout_sessions (" OBJ_COLS
    GEN("status", "TEXT", "$.status")
    GEN("payment_status", "TEXT", "$.payment_status")
    GEN("customer", "TEXT", "$.customer")
    GEN("payment_intent", "TEXT", "$.payment_intent")
    GEN("amount_total", "INTEGER", "$.amount_total")
    GEN("expires_at", "INTEGER", "$.expires_at")
    GEN("client_reference_id", "TEXT", "$.client_reference_id")
    " json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS checkout_sessions_open"
    " ON checkout_sessions (status, expires_at);"
    "CREATE TABLE IF NOT EXISTS line_items (" OBJ_COLS
    " session_id TEXT NOT NULL,"
    GEN("amount_total", "INTEGER", "$.amount_total")
    " json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS line_items_session ON line_items (session_id);"
    "CREATE TABLE IF NOT EXISTS payment_intents (" OBJ_COLS
    GEN("status", "TEXT", "$.status")
    GEN("amount", "INTEGER", "$.amount")
    GEN("latest_charge", "TEXT", "$.latest_charge")
    " json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS charges (" OBJ_COLS
    GEN("status", "TEXT", "$.status")
    GEN("payment_intent", "TEXT", "$.payment_intent")
    GEN("amount", "INTEGER", "$.amount")
    GEN("amount_refunded", "INTEGER", "$.amount_refunded")
    GEN("refunded", "INTEGER", "$.refunded")
    " json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS refunds (" OBJ_COLS
    GEN("charge", "TEXT", "$.charge")
    GEN("payment_intent", "TEXT", "$.payment_intent")
    GEN("amount", "INTEGER", "$.amount")
    " json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events (" OBJ_COLS
    GEN("type", "TEXT", "$.type")
    GEN("created", "INTEGER", "$.created")
    GEN("object_id", "TEXT", "$.data.object.id")
    " json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS webhook_endpoints (" OBJ_COLS
    GEN("url", "TEXT", "$.url")
    GEN("status", "TEXT", "$.status")
    " secret TEXT NOT NULL,"	/* whsec_...; the API shows it only once */
    " json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS disputes (" OBJ_COLS
    GEN("charge", "TEXT", "$.charge")
    GEN("payment_intent", "TEXT", "$.payment_intent")
    GEN("status", "TEXT", "$.status")
    GEN("amount", "INTEGER", "$.amount")
    " json TEXT NOT NULL);"
    /* Stripe opens at most one dispute per charge. */
    "CREATE UNIQUE INDEX IF NOT EXISTS disputes_charge ON disputes (charge);"
    "CREATE TABLE IF NOT EXISTS idempotency_keys ("
    " key TEXT PRIMARY KEY, method TEXT NOT NULL, path TEXT NOT NULL,"
    " body TEXT NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,"
    " request_id TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS deliveries ("
    " seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL,"
    " endpoint_id TEXT,"	/* we_...; NULL only in files made before */
    " url TEXT,"		/* where it went (or goes) */
    " copy INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL,"	/* pending held delivered failed dropped
				 * canceled */
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_at_ms INTEGER NOT NULL, ord INTEGER NOT NULL,"
    " last_status INTEGER, last_error TEXT,"
    " created INTEGER NOT NULL, delivered_at INTEGER);"
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at_ms);"
    "CREATE TABLE IF NOT EXISTS delivery_attempts ("
    " seq INTEGER PRIMARY KEY, delivery_seq INTEGER NOT NULL,"
    " event_id TEXT NOT NULL, at INTEGER NOT NULL,"
    " http_status INTEGER, error TEXT, duration_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS requests ("
    " seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, method TEXT NOT NULL,"
    " path TEXT NOT NULL, query TEXT NOT NULL, body TEXT NOT NULL,"
    " idempotency_key TEXT, stripe_version TEXT, status INTEGER NOT NULL,"
    " request_id TEXT NOT NULL, replayed INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS session_private ("
    " session_id TEXT PRIMARY KEY, payment_intent_data TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS auth_pending ("
    " session_id TEXT PRIMARY KEY, card TEXT NOT NULL);";

static const struct kind {
	const char *name;	/* Stripe's object name */
	const char *prefix;	/* id prefix */
	const char *get;	/* SELECT json by id */
	const char *ins;	/* INSERT (id, json[, third column]) */
	const char *upd;	/* UPDATE json by id */
	const char *seq;	/* SELECT seq by id */
	const char *list;	/* page query, see emu_store_list */
	int oldest_first;	/* list order */
	const char *del;	/* DELETE by id, or NULL: not deletable */
} kinds[KIND_MAX] = {
	[KIND_CUSTOMER] = { "customer", "cus_",
	    "SELECT json FROM customers WHERE id = ?",
	    "INSERT INTO customers (id, json) VALUES (?, ?)",
	    "UPDATE customers SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM customers WHERE id = ?", NULL, 0 },
	[KIND_COUPON] = { "coupon", "",
	    "SELECT json FROM coupons WHERE id = ?",
	    "INSERT INTO coupons (id, json) VALUES (?, ?)",
	    "UPDATE coupons SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM coupons WHERE id = ?", NULL, 0 },
	[KIND_SESSION] = { "checkout.session", "cs_",
	    "SELECT json FROM checkout_sessions WHERE id = ?",
	    "INSERT INTO checkout_sessions (id, json) VALUES (?, ?)",
	    "UPDATE checkout_sessions SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM checkout_sessions WHERE id = ?",
	    "SELECT json FROM checkout_sessions WHERE seq > ?1 AND seq < ?2"
	    " AND (?3 IS NULL OR customer = ?3)"
	    " AND (?4 IS NULL OR payment_intent = ?4)"
	    " AND (?7 IS NULL OR"
	    " json_extract(json, '$.customer_details.email') = ?7)"
	    " ORDER BY CASE WHEN ?5 THEN seq ELSE -seq END LIMIT ?6", 0 },
	[KIND_PAYMENT_INTENT] = { "payment_intent", "pi_",
	    "SELECT json FROM payment_intents WHERE id = ?",
	    "INSERT INTO payment_intents (id, json) VALUES (?, ?)",
	    "UPDATE payment_intents SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM payment_intents WHERE id = ?",
	    "SELECT json FROM payment_intents WHERE seq > ?1 AND seq < ?2"
	    " AND (?3 IS NULL OR json_extract(json, '$.customer') = ?3)"
	    " AND (?4 IS NULL OR id = ?4)"
	    " AND json_extract(json, '$.created') >= ?7"
	    " AND json_extract(json, '$.created') <= ?8"
	    " ORDER BY CASE WHEN ?5 THEN seq ELSE -seq END LIMIT ?6", 0 },
	[KIND_CHARGE] = { "charge", "ch_",
	    "SELECT json FROM charges WHERE id = ?",
	    "INSERT INTO charges (id, json) VALUES (?, ?)",
	    "UPDATE charges SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM charges WHERE id = ?",
	    "SELECT json FROM charges WHERE seq > ?1 AND seq < ?2"
	    " AND (?3 IS NULL OR json_extract(json, '$.customer') = ?3)"
	    " AND (?4 IS NULL OR payment_intent = ?4)"
	    " AND json_extract(json, '$.created') >= ?7"
	    " AND json_extract(json, '$.created') <= ?8"
	    " ORDER BY CASE WHEN ?5 THEN seq ELSE -seq END LIMIT ?6", 0 },
	[KIND_REFUND] = { "refund", "re_",
	    "SELECT json FROM refunds WHERE id = ?",
	    "INSERT INTO refunds (id, json) VALUES (?, ?)",
	    "UPDATE refunds SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM refunds WHERE id = ?",
	    "SELECT json FROM refunds WHERE seq > ?1 AND seq < ?2"
	    " AND (?3 IS NULL OR charge = ?3)"
	    " AND (?4 IS NULL OR payment_intent = ?4)"
	    " AND json_extract(json, '$.created') >= ?7"
	    " AND json_extract(json, '$.created') <= ?8"
	    " ORDER BY CASE WHEN ?5 THEN seq ELSE -seq END LIMIT ?6", 0 },
	[KIND_EVENT] = { "event", "evt_",
	    "SELECT json FROM events WHERE id = ?",
	    "INSERT INTO events (id, json) VALUES (?, ?)",
	    "UPDATE events SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM events WHERE id = ?",
	    "SELECT json FROM events WHERE seq > ?1 AND seq < ?2"
	    " AND (?3 IS NULL OR type LIKE ?3 ESCAPE '\\')"
	    " AND (?4 IS NULL OR type IN (SELECT value FROM json_each(?4)))"
	    " AND created >= ?7 AND created <= ?8"
	    " ORDER BY CASE WHEN ?5 THEN seq ELSE -seq END LIMIT ?6", 0 },
	[KIND_ITEM] = { "item", "li_",
	    "SELECT json FROM line_items WHERE id = ?",
	    "INSERT INTO line_items (id, json, session_id) VALUES (?, ?, ?)",
	    "UPDATE line_items SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM line_items WHERE id = ?",
	    "SELECT json FROM line_items WHERE seq > ?1 AND seq < ?2"
	    " AND session_id = ?3"
	    " ORDER BY CASE WHEN ?5 THEN seq ELSE -seq END LIMIT ?6", 1 },
	[KIND_ENDPOINT] = { "webhook_endpoint", "we_",
	    "SELECT json FROM webhook_endpoints WHERE id = ?",
	    "INSERT INTO webhook_endpoints (id, json, secret) VALUES (?, ?, ?)",
	    "UPDATE webhook_endpoints SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM webhook_endpoints WHERE id = ?",
	    "SELECT json FROM webhook_endpoints WHERE seq > ?1 AND seq < ?2"
	    " ORDER BY CASE WHEN ?5 THEN seq ELSE -seq END LIMIT ?6", 0,
	    "DELETE FROM webhook_endpoints WHERE id = ?" },
	[KIND_DISPUTE] = { "dispute", "dp_",
	    "SELECT json FROM disputes WHERE id = ?",
	    "INSERT INTO disputes (id, json) VALUES (?, ?)",
	    "UPDATE disputes SET json = ?2 WHERE id = ?1",
	    "SELECT seq FROM disputes WHERE id = ?", NULL, 0 },
};

/* Files made before webhook endpoints existed have deliveries without an
 * endpoint.  Their pending deliveries had no endpoint to go to under the
 * new rules, so they are canceled rather than left due for ever. */
static int
store_upgrade(struct emu *e)
{
	struct db_stmt *st;
	int64_t has = -1;

	st = db_prep(e->db, "SELECT count(*) FROM pragma_table_info("
	    "'deliveries') WHERE name = 'endpoint_id'");
	if (db_next(st) == ERR_OK)
		has = db_col_int64(st, 0);
	db_done(st);
	if (has != 0)
		return has > 0 ? 0 : -1;
	if (db_begin(e->db) != ERR_OK)
		return -1;
	if (db_exec(e->db, "ALTER TABLE deliveries ADD COLUMN endpoint_id TEXT;"
	    "ALTER TABLE deliveries ADD COLUMN url TEXT;"
	    "UPDATE deliveries SET state = 'canceled'"
	    " WHERE state IN ('pending', 'held');") != ERR_OK ||
	    db_commit(e->db) != ERR_OK) {
		db_rollback(e->db);
		return -1;
	}
	log_info(NULL, "emu: deliveries now name their webhook endpoint");
	return 0;
}

int
emu_store_open(struct emu *e, const char *path)
{
	if ((e->db = db_open(path)) == NULL)
		return -1;
	if (db_exec(e->db, schema) != ERR_OK || store_upgrade(e) != 0) {
		log_error(NULL, "emu: cannot create the schema in %s", path);
		return -1;
	}
	return 0;
}

const char *
emu_kind_name(enum emu_kind k)
{
	return (unsigned)k < KIND_MAX ? kinds[k].name : "object";
}

enum emu_kind
emu_kind_of_id(const char *id)
{
	int k;

	for (k = 0; k < KIND_MAX; k++)
		if (kinds[k].prefix[0] != '\0' && strncmp(id, kinds[k].prefix,
		    strlen(kinds[k].prefix)) == 0)
			return (enum emu_kind)k;
	return KIND_MAX;
}

cJSON *
emu_store_get(struct emu *e, enum emu_kind k, const char *id)
{
	struct db_stmt *st;
	cJSON *o = NULL;

	if (id == NULL || (st = db_prep(e->db, kinds[k].get)) == NULL)
		return NULL;
	db_bind_text(st, 1, id);
	if (db_next(st) == ERR_OK)
		o = cJSON_Parse(db_col_text(st, 0));
	db_done(st);
	return o;
}

/* Runs ins or upd with the object's id and JSON (and a third column). */
static enum err
store_put(struct emu *e, const char *sql, const cJSON *obj,
    const char *third)
{
	struct db_stmt *st;
	const char *id = cJSON_GetStringValue(JGET(obj, "id"));
	char *json;
	enum err err;

	if (id == NULL || (json = cJSON_PrintUnformatted(obj)) == NULL)
		return ERR_INTERNAL;
	if ((st = db_prep(e->db, sql)) == NULL) {
		cJSON_free(json);
		return ERR_INTERNAL;
	}
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, json);
	if (third != NULL)
		db_bind_text(st, 3, third);
	err = db_run(st);
	cJSON_free(json);
	return err;
}

enum err
emu_store_insert(struct emu *e, enum emu_kind k, const cJSON *obj,
    const char *third)
{
	return store_put(e, kinds[k].ins, obj, third);
}

enum err
emu_store_delete(struct emu *e, enum emu_kind k, const char *id)
{
	struct db_stmt *st;
	enum err err;

	assert(kinds[k].del != NULL);
	if ((st = db_prep(e->db, kinds[k].del)) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, id);
	if ((err = db_run(st)) == ERR_OK && db_changes(e->db) == 0)
		return ERR_NOTFOUND;
	return err;
}

enum err
emu_store_update(struct emu *e, enum emu_kind k, const cJSON *obj)
{
	enum err err = store_put(e, kinds[k].upd, obj, NULL);

	if (err == ERR_OK && db_changes(e->db) == 0)
		return ERR_NOTFOUND;
	return err;
}

/* Sets *seq to the row of id; ERR_NOTFOUND when there is none. */
static enum err
seq_of(struct emu *e, enum emu_kind k, const char *id, int64_t *seq)
{
	struct db_stmt *st = db_prep(e->db, kinds[k].seq);
	enum err err;

	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, id);
	if ((err = db_next(st)) == ERR_OK)
		*seq = db_col_int64(st, 0);
	db_done(st);
	return err;
}

/* Reverses the items of array a in place. */
static void
reverse(cJSON *a)
{
	cJSON *tmp = cJSON_CreateArray(), *c;

	if (tmp == NULL)
		return;
	while ((c = a->child) != NULL) {
		cJSON_DetachItemViaPointer(a, c);
		cJSON_InsertItemInArray(tmp, 0, c);
	}
	while ((c = tmp->child) != NULL) {
		cJSON_DetachItemViaPointer(tmp, c);
		cJSON_AddItemToArray(a, c);
	}
	cJSON_Delete(tmp);
}

enum err
emu_store_list(struct emu *e, enum emu_kind k, const struct emu_list_q *q,
    const char *url, cJSON **out)
{
	const struct kind *kd = &kinds[k];
	int64_t lo = 0, hi = INT64_MAX, cursor;
	int asc = kd->oldest_first, flip = 0, n = 0;
	struct db_stmt *st;
	cJSON *list, *data, *o;
	enum err err;

	*out = NULL;
	if (q->starting_after != NULL) {
		if ((err = seq_of(e, k, q->starting_after, &cursor)) != ERR_OK)
			return err;
		if (asc)
			lo = cursor;
		else
			hi = cursor;
	} else if (q->ending_before != NULL) {
		if ((err = seq_of(e, k, q->ending_before, &cursor)) != ERR_OK)
			return err;
		if (asc)
			hi = cursor;
		else
			lo = cursor;
		asc = !asc;
		flip = 1;
	}
	if ((list = cJSON_CreateObject()) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(list, "object", "list");
	data = cJSON_AddArrayToObject(list, "data");
	if (q->none || (st = db_prep(e->db, kd->list)) == NULL) {
		cJSON_AddFalseToObject(list, "has_more");
		cJSON_AddStringToObject(list, "url", url);
		*out = list;
		return q->none ? ERR_OK : ERR_INTERNAL;
	}
	db_bind_int64(st, 1, lo);
	db_bind_int64(st, 2, hi);
	if (k == KIND_ITEM)
		db_bind_text(st, 3, q->session_id);
	else if (k == KIND_EVENT) {
		db_bind_text_or_null(st, 3, q->type_like);
		db_bind_text_or_null(st, 4, q->types_json);
		db_bind_int64(st, 7, q->created_min);
		db_bind_int64(st, 8, q->created_max);
	} else if (k == KIND_CHARGE || k == KIND_REFUND ||
	    k == KIND_PAYMENT_INTENT) {
		db_bind_text_or_null(st, 3, k == KIND_REFUND ? q->charge :
		    q->customer);
		db_bind_text_or_null(st, 4, q->payment_intent);
		db_bind_int64(st, 7, q->created_min);
		db_bind_int64(st, 8, q->created_max);
	} else if (k == KIND_SESSION) {
		db_bind_text_or_null(st, 3, q->customer);
		db_bind_text_or_null(st, 4, q->payment_intent);
		db_bind_text_or_null(st, 7, q->email);
	}
	db_bind_int64(st, 5, asc);
	db_bind_int64(st, 6, q->limit + 1);
	while ((err = db_next(st)) == ERR_OK) {
		if (n++ == q->limit)
			break;
		if ((o = cJSON_Parse(db_col_text(st, 0))) != NULL)
			cJSON_AddItemToArray(data, o);
	}
	db_done(st);
	if (err != ERR_OK && err != ERR_NOTFOUND) {
		cJSON_Delete(list);
		return err;
	}
	if (flip)
		reverse(data);
	cJSON_AddBoolToObject(list, "has_more", n > q->limit);
	cJSON_AddStringToObject(list, "url", url);
	*out = list;
	return ERR_OK;
}

enum err
emu_store_private_put(struct emu *e, const char *cs_id, const cJSON *pi_data)
{
	struct db_stmt *st;
	char *json;
	enum err err;

	if ((json = cJSON_PrintUnformatted(pi_data)) == NULL)
		return ERR_INTERNAL;
	st = db_prep(e->db, "INSERT INTO session_private (session_id,"
	    " payment_intent_data) VALUES (?, ?)");
	if (st == NULL) {
		cJSON_free(json);
		return ERR_INTERNAL;
	}
	db_bind_text(st, 1, cs_id);
	db_bind_text(st, 2, json);
	err = db_run(st);
	cJSON_free(json);
	return err;
}

cJSON *
emu_store_private_get(struct emu *e, const char *cs_id)
{
	struct db_stmt *st;
	cJSON *o = NULL;

	st = db_prep(e->db, "SELECT payment_intent_data FROM session_private"
	    " WHERE session_id = ?");
	if (st == NULL)
		return NULL;
	db_bind_text(st, 1, cs_id);
	if (db_next(st) == ERR_OK)
		o = cJSON_Parse(db_col_text(st, 0));
	db_done(st);
	return o;
}
