/* Webhook delivery, as Stripe does it: each event POSTed as JSON to every
 * enabled endpoint whose enabled_events has "*" or the event's type, each
 * with "Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of t.body keyed
 * with that endpoint's whole whsec_ secret>".  Each (event, endpoint) is
 * its own delivery, retried on its own with doubling backoff (0.5 s up to
 * 8 s, 10 attempts) while the endpoint fails or answers non-2xx, from one
 * background thread.  The fault modes decide at queue time, for each
 * delivery: drop, duplicate, reorder (held, then newest first), delay.
 * Every attempt is a row of delivery_attempts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "emu.h"
#include "log.h"

#define MAX_ATTEMPTS 10
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 8000
#define REORDER_HOLD_MS 1000	/* default hold window of reorder mode */

/* The endpoints that take an event whose type is bound as ?1: enabled,
 * and "*" or the type among enabled_events. */
#define TAKES_TYPE_1 \
	" status = 'enabled' AND EXISTS (SELECT 1 FROM json_each(" \
	"webhook_endpoints.json, '$.enabled_events')" \
	" WHERE value IN ('*', ?1))"

struct job {
	int64_t seq;		/* deliveries.seq */
	char event_id[40];	/* the event */
	int attempts;		/* attempts made before this one */
	char *body;		/* event JSON (malloc'd) */
	char *url;		/* the endpoint's url now (malloc'd) */
	char *secret;		/* the endpoint's secret now (malloc'd) */
};

void
emu_sign(char out[65], const char *secret, long long t, const char *body,
    size_t len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24];

	snprintf(ts, sizeof(ts), "%lld.", t);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

int64_t
emu_deliver_count(struct emu *e, const char *type)
{
	struct db_stmt *st;
	int64_t n = -1;

	st = db_prep(e->db, "SELECT count(*) FROM webhook_endpoints WHERE"
	    TAKES_TYPE_1);
	db_bind_text(st, 1, type);
	if (db_next(st) == ERR_OK)
		n = db_col_int64(st, 0);
	db_done(st);
	return n;
}

/* Inserts one delivery of the event per endpoint that takes it, in the
 * endpoints' order; ord (the order among equally due ones) is the row's
 * own seq. */
static enum err
insert_delivery(struct emu *e, const char *event_id, const char *type,
    int copy, const char *state, int64_t next_at)
{
	struct db_stmt *st;
	enum err err;

	st = db_prep(e->db, "INSERT INTO deliveries (event_id, endpoint_id,"
	    " url, copy, state, next_at_ms, ord, created)"
	    " SELECT ?2, id, url, ?3, ?4, ?5, 0, ?6 FROM webhook_endpoints"
	    " WHERE" TAKES_TYPE_1 " ORDER BY seq");
	db_bind_text(st, 1, type);
	db_bind_text(st, 2, event_id);
	db_bind_int64(st, 3, copy);
	db_bind_text(st, 4, state);
	db_bind_int64(st, 5, next_at);
	db_bind_int64(st, 6, emu_now(e));
	if ((err = db_run(st)) != ERR_OK)
		return err;
	st = db_prep(e->db, "UPDATE deliveries SET ord = seq"
	    " WHERE event_id = ? AND ord = 0");
	db_bind_text(st, 1, event_id);
	return db_run(st);
}

enum err
emu_deliver_enqueue(struct emu *e, const char *event_id, const char *type)
{
	int64_t now = emu_wall_ms();
	enum err err;

	if (e->silent)
		return insert_delivery(e, event_id, type, 0, "dropped", now);
	switch (e->faults.delivery) {
	case EMU_DELIVER_DROP:
		return insert_delivery(e, event_id, type, 0, "dropped", now);
	case EMU_DELIVER_DUPLICATE:
		if ((err = insert_delivery(e, event_id, type, 0, "pending",
		    now)))
			return err;
		return insert_delivery(e, event_id, type, 1, "pending", now);
	case EMU_DELIVER_REORDER:
		e->faults.last_held_ms = now;
		return insert_delivery(e, event_id, type, 0, "held", now);
	case EMU_DELIVER_DELAY:
		return insert_delivery(e, event_id, type, 0, "pending",
		    now + e->faults.delivery_delay_ms);
	default:
		return insert_delivery(e, event_id, type, 0, "pending", now);
	}
}

enum err
emu_deliver_cancel(struct emu *e, const char *endpoint_id)
{
	struct db_stmt *st;

	st = db_prep(e->db, "UPDATE deliveries SET state = 'canceled'"
	    " WHERE endpoint_id = ? AND state IN ('pending', 'held')");
	db_bind_text(st, 1, endpoint_id);
	return db_run(st);
}

/* Releases held events newest first (ord = -seq). */
static void
release_held(struct emu *e, int64_t now)
{
	struct db_stmt *st;

	st = db_prep(e->db, "UPDATE deliveries SET state = 'pending',"
	    " next_at_ms = ?, ord = -seq WHERE state = 'held'");
	if (st == NULL)
		return;
	db_bind_int64(st, 1, now);
	if (db_run(st) != ERR_OK)
		log_error(NULL, "emu: cannot release held deliveries");
}

void
emu_deliver_release(struct emu *e)
{
	struct db_stmt *st;
	int64_t now = emu_wall_ms();

	release_held(e, now);
	st = db_prep(e->db, "UPDATE deliveries SET next_at_ms = ?1"
	    " WHERE state = 'pending' AND next_at_ms > ?1");
	if (st == NULL)
		return;
	db_bind_int64(st, 1, now);
	if (db_run(st) != ERR_OK)
		log_error(NULL, "emu: cannot release delayed deliveries");
	pthread_cond_broadcast(&e->wake);
}

int64_t
emu_deliver_due(struct emu *e)
{
	struct db_stmt *st;
	int64_t n = -1;

	/* A delivery whose endpoint went away while it was being attempted
	 * stays pending but is never due. */
	st = db_prep(e->db, "SELECT count(*) FROM deliveries d"
	    " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
	    " WHERE w.status = 'enabled' AND (d.state = 'held' OR"
	    " (d.state = 'pending' AND d.next_at_ms <= ?))");
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, emu_wall_ms());
	if (db_next(st) == ERR_OK)
		n = db_col_int64(st, 0);
	db_done(st);
	return n;
}

/* Reorder mode releases what it holds once no event came for a while. */
static void
maybe_release(struct emu *e, int64_t now)
{
	struct emu_faults *f = &e->faults;
	long hold = f->delivery_delay_ms > 0 ? f->delivery_delay_ms :
	    REORDER_HOLD_MS;

	if (f->last_held_ms != 0 && now - f->last_held_ms >= hold) {
		release_held(e, now);
		f->last_held_ms = 0;
	}
}

static void
job_free(struct job *j)
{
	free(j->body);
	free(j->url);
	free(j->secret);
	memset(j, 0, sizeof(*j));
}

/* Copies the row of pick's query into j; returns 1, or 0 (no memory). */
static int
job_fill(struct job *j, struct db_stmt *st)
{
	j->seq = db_col_int64(st, 0);
	snprintf(j->event_id, sizeof(j->event_id), "%s", db_col_text(st, 1));
	j->attempts = (int)db_col_int64(st, 2);
	j->body = strdup(db_col_text(st, 4));
	j->url = strdup(db_col_text(st, 5));
	j->secret = strdup(db_col_text(st, 6));
	return j->body != NULL && j->url != NULL && j->secret != NULL;
}

/* Takes the next due delivery, sent to its endpoint's url and signed
 * with its secret as they are now; returns 1 with *j filled (free with
 * job_free), 0 if none, setting *wait_ms to when one becomes due. */
static int
pick(struct emu *e, struct job *j, int64_t now, int64_t *wait_ms)
{
	struct db_stmt *st;
	int found = 0;

	*wait_ms = 200;
	st = db_prep(e->db, "SELECT d.seq, d.event_id, d.attempts,"
	    " d.next_at_ms, v.json, w.url, w.secret"
	    " FROM deliveries d JOIN events v ON v.id = d.event_id"
	    " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
	    " WHERE d.state = 'pending' AND w.status = 'enabled'"
	    " ORDER BY d.next_at_ms, d.ord LIMIT 1");
	if (db_next(st) == ERR_OK) {
		if (db_col_int64(st, 3) > now)
			*wait_ms = db_col_int64(st, 3) - now;
		else
			found = job_fill(j, st);
	}
	db_done(st);
	if (!found)
		job_free(j);
	return found;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static int
abort_at_stop(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
    curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	return ((struct emu *)arg)->stopping;
}

/* POSTs one delivery; returns the HTTP status, or 0 with err set. */
static long
post(struct emu *e, CURL *curl, const struct job *j, char *err, size_t cap)
{
	struct curl_slist *h = NULL;
	char sig[65], hdr[200];
	long t = (long)time(NULL), status = 0;
	CURLcode rc;

	emu_sign(sig, j->secret, t, j->body, strlen(j->body));
	snprintf(hdr, sizeof(hdr), "Stripe-Signature: t=%ld,v1=%s", t, sig);
	h = curl_slist_append(h, "Content-Type: application/json; "
	    "charset=utf-8");
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "User-Agent: Stripe/1.0 "
	    "(+https://stripe.com/docs/webhooks)");
	h = curl_slist_append(h, "Cache-Control: no-cache");
	h = curl_slist_append(h, "Expect:");
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, j->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(j->body));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_at_stop);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, e);
	if ((rc = curl_easy_perform(curl)) != CURLE_OK)
		snprintf(err, cap, "%s", curl_easy_strerror(rc));
	else
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	return status;
}

static void
record(struct emu *e, const struct job *j, long status, const char *err,
    int64_t started)
{
	int64_t now = emu_wall_ms(), backoff = BACKOFF_FIRST_MS;
	int ok = status >= 200 && status < 300, n = j->attempts + 1, i;
	const char *state = ok ? "delivered" : n >= MAX_ATTEMPTS ? "failed" :
	    "pending";
	struct db_stmt *st;

	for (i = 1; i < n && backoff < BACKOFF_MAX_MS; i++)
		backoff *= 2;
	if (backoff > BACKOFF_MAX_MS)
		backoff = BACKOFF_MAX_MS;
	st = db_prep(e->db, "UPDATE deliveries SET attempts = ?, state = ?,"
	    " next_at_ms = ?, last_status = ?, last_error = ?,"
	    " delivered_at = ?, url = ? WHERE seq = ?");
	db_bind_int64(st, 1, n);
	db_bind_text(st, 2, state);
	db_bind_int64(st, 3, now + backoff);
	db_bind_int64(st, 4, status);
	db_bind_text_or_null(st, 5, err[0] != '\0' ? err : NULL);
	if (ok)
		db_bind_int64(st, 6, emu_now(e));
	db_bind_text(st, 7, j->url);
	db_bind_int64(st, 8, j->seq);
	if (db_run(st) != ERR_OK)
		log_error(NULL, "emu: cannot record delivery %lld",
		    (long long)j->seq);
	st = db_prep(e->db, "INSERT INTO delivery_attempts (delivery_seq,"
	    " event_id, at, http_status, error, duration_ms)"
	    " VALUES (?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		return;
	db_bind_int64(st, 1, j->seq);
	db_bind_text(st, 2, j->event_id);
	db_bind_int64(st, 3, emu_now(e));
	db_bind_int64(st, 4, status);
	db_bind_text_or_null(st, 5, err[0] != '\0' ? err : NULL);
	db_bind_int64(st, 6, now - started);
	if (db_run(st) != ERR_OK)
		log_error(NULL, "emu: cannot record a delivery attempt");
	if (!ok)
		log_info(NULL, "emu: delivery of %s to %s failed (%ld %s), "
		    "attempt %d", j->event_id, j->url, status, err, n);
}

static void
wait_ms(struct emu *e, int64_t ms)
{
	struct timespec ts;

	if (ms > 200)
		ms = 200;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&e->wake, &e->lock, &ts);
}

static void *
deliver_main(void *arg)
{
	struct emu *e = arg;
	CURL *curl = curl_easy_init();
	struct job j;
	char err[CURL_ERROR_SIZE];
	int64_t started, wait;
	long status;

	pthread_mutex_lock(&e->lock);
	while (!e->stopping && curl != NULL) {
		started = emu_wall_ms();
		maybe_release(e, started);
		memset(&j, 0, sizeof(j));
		if (!pick(e, &j, started, &wait)) {
			wait_ms(e, wait);
			continue;
		}
		pthread_mutex_unlock(&e->lock);
		err[0] = '\0';
		status = post(e, curl, &j, err, sizeof(err));
		pthread_mutex_lock(&e->lock);
		record(e, &j, status, err, started);
		job_free(&j);
	}
	pthread_mutex_unlock(&e->lock);
	curl_easy_cleanup(curl);
	return NULL;
}

int
emu_deliver_start(struct emu *e, pthread_t *t)
{
	return pthread_create(t, NULL, deliver_main, e) == 0 ? 0 : -1;
}

void
emu_deliver_stop(struct emu *e, pthread_t t)
{
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
	pthread_join(t, NULL);
}
