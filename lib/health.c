/* Health (see health.h).  The write probe takes SQLite's write lock
 * (BEGIN IMMEDIATE) and lets it go: a read-only file or a lock held too
 * long shows as "not writable", and a GET still changes no row. */
#include <string.h>

#include "db.h"
#include "health.h"

static enum err
probe_write(struct db *db)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	db_rollback(db);
	return ERR_OK;
}

enum err
health_check(struct db *db, int64_t now, struct health *h)
{
	struct db_stmt *st;
	enum err e;

	memset(h, 0, sizeof(*h));
	h->schema = db_schema_version(db);
	h->schema_expected = db_schema_latest();
	h->writable = probe_write(db) == ERR_OK;
	st = db_prep(db, "SELECT count(*), coalesce(min(created_at), 0) FROM "
	    "outbox WHERE status = 'pending'");
	if ((e = db_next(st)) == ERR_OK) {
		h->outbox_pending = db_col_int64(st, 0);
		if (h->outbox_pending > 0)
			h->outbox_oldest_age = now - db_col_int64(st, 1);
	}
	db_done(st);
	if (e != ERR_OK)
		return e;
	st = db_prep(db, "SELECT coalesce(max(received_at), 0) FROM "
	    "stripe_events");
	if ((e = db_next(st)) == ERR_OK)
		h->last_event_at = db_col_int64(st, 0);
	db_done(st);
	return e;
}

int
health_ok(const struct health *h)
{
	return h->writable && h->schema == h->schema_expected;
}

/* Writes one family: "# TYPE name type" then name{label="<col 0>"} <col 1>
 * for each row of sql. */
static enum err
write_grouped(struct db *db, struct buf *out, const char *sql,
    const char *name, const char *type, const char *label, const char *help)
{
	struct db_stmt *st = db_prep(db, sql);
	enum err e;

	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	while ((e = db_next(st)) == ERR_OK)
		buf_printf(out, "%s{%s=\"%s\"} %lld\n", name, label,
		    db_col_text(st, 0), (long long)db_col_int64(st, 1));
	db_done(st);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
health_write_metrics(struct db *db, struct buf *out)
{
	struct db_stmt *st;
	enum err e;

	/* Outcomes and statuses are the store's own words, never input. */
	if ((e = write_grouped(db, out, "SELECT outcome, count(*) FROM "
	    "stripe_events GROUP BY outcome ORDER BY outcome",
	    "enroll_webhook_events_total", "counter", "outcome",
	    "Stripe events recorded, by what the store did.")) != ERR_OK ||
	    (e = write_grouped(db, out, "SELECT status, count(*) FROM orders "
	    "GROUP BY status ORDER BY status", "enroll_orders", "gauge",
	    "status", "Orders by status.")) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT count(*) FROM outbox WHERE status = "
	    "'pending'");
	if ((e = db_next(st)) == ERR_OK)
		buf_printf(out, "# HELP enroll_outbox_pending Mail waiting to "
		    "leave.\n# TYPE enroll_outbox_pending gauge\n"
		    "enroll_outbox_pending %lld\n", (long long)db_col_int64(st,
		    0));
	db_done(st);
	return e;
}
