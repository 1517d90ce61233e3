/* The outbox and its delivery (see mail.h).  Delivery claims a message by
 * counting the attempt before sending, so two senders running at once
 * cannot both send it; SMTP goes through libcurl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mail.h"

#define MAIL_MAX_ATTEMPTS 8

enum err
mail_queue(struct db *db, const char *dedupe_key, const char *to,
    const char *subject, const char *body)
{
	size_t n = strlen(to), k = strlen(MAIL_NOWHERE_DOMAIN);
	struct db_stmt *st;

	if (n >= k && strcmp(to + n - k, MAIL_NOWHERE_DOMAIN) == 0)
		return ERR_OK;
	st = db_prep(db, "INSERT INTO outbox (dedupe_key, to_addr, subject, "
	    "body) VALUES (?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING");
	db_bind_text(st, 1, dedupe_key);
	db_bind_text(st, 2, to);
	db_bind_text(st, 3, subject);
	db_bind_text(st, 4, body);
	return db_run(st);
}

enum err
mail_recipient(struct db *db, int64_t user_id, char to[MAIL_ADDR_MAX],
    char name[MAIL_NAME_MAX])
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT email, name FROM users WHERE id = ?");
	db_bind_int64(st, 1, user_id);
	if ((e = db_next(st)) == ERR_OK) {
		snprintf(to, MAIL_ADDR_MAX, "%s", db_col_text(st, 0));
		snprintf(name, MAIL_NAME_MAX, "%s", db_col_text(st, 1));
	}
	db_done(st);
	return e;
}

struct message {
	int64_t id;		/* outbox.id */
	char to[320];		/* recipient */
	char subject[400];	/* one line */
	struct buf body;	/* text */
	int64_t attempts;	/* before this one */
};

/* Formats the RFC 5322 message into out. */
static void
format_message(const struct config *cfg, const struct message *m,
    int64_t now, struct buf *out)
{
	char date[64];
	time_t t = (time_t)now;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
	    "Message-ID: <outbox-%lld@enroll>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", cfg->mail_from, m->to,
	    m->subject, date, (long long)m->id);
	for (const char *p = m->body.data; p != NULL && *p != '\0'; p++) {
		if (*p == '\n')
			buf_putc(out, '\r');
		buf_putc(out, *p);
	}
}

struct reader {
	const struct buf *b;	/* message */
	size_t off;		/* bytes already handed to curl */
};

static size_t
read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t left = r->b->len - r->off, want = size * n;

	if (want > left)
		want = left;
	memcpy(dst, r->b->data + r->off, want);
	r->off += want;
	return want;
}

static enum err
send_smtp(const struct config *cfg, const struct message *m,
    const struct buf *msg, char *why, size_t whylen)
{
	struct curl_slist *rcpt = NULL;
	struct reader rd = { msg, 0 };
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (c == NULL)
		return ERR_INTERNAL;
	rcpt = curl_slist_append(rcpt, m->to);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, cfg->mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK)
		return ERR_OK;
	snprintf(why, whylen, "smtp: %s", curl_easy_strerror(rc));
	return ERR_UPSTREAM;
}

static enum err
send_file(const struct config *cfg, const struct message *m,
    const struct buf *msg, char *why, size_t whylen)
{
	char path[1024];
	FILE *f;
	size_t n;

	mkdir(cfg->mail_dir, 0755);
	snprintf(path, sizeof(path), "%s/%06lld.eml", cfg->mail_dir,
	    (long long)m->id);
	if ((f = fopen(path, "wb")) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return ERR_UPSTREAM;
	}
	n = fwrite(msg->data, 1, msg->len, f);
	if (fclose(f) != 0 || n != msg->len) {
		snprintf(why, whylen, "%s: write failed", path);
		return ERR_UPSTREAM;
	}
	return ERR_OK;
}

/* Claims the next due message: counts the attempt and pushes its next
 * attempt time out, so no concurrent sender takes it meanwhile. */
static enum err
claim(struct db *db, int64_t now, struct message *m)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "UPDATE outbox SET attempts = attempts + 1, "
	    "next_attempt_at = ?1 + 300 WHERE id = (SELECT id FROM outbox WHERE "
	    "status = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT 1) "
	    "RETURNING id, to_addr, subject, body, attempts");
	db_bind_int64(st, 1, now);
	if ((e = db_next(st)) == ERR_OK) {
		m->id = db_col_int64(st, 0);
		snprintf(m->to, sizeof(m->to), "%s", db_col_text(st, 1));
		snprintf(m->subject, sizeof(m->subject), "%s",
		    db_col_text(st, 2));
		buf_puts(&m->body, db_col_text(st, 3));
		m->attempts = db_col_int64(st, 4);
	}
	db_done(st);
	return e;
}

static enum err
record(struct db *db, const struct message *m, int64_t now, enum err sent,
    const char *why)
{
	struct db_stmt *st;
	int64_t backoff = 60LL << (m->attempts < 10 ? m->attempts : 10);

	if (sent == ERR_OK) {
		st = db_prep(db, "UPDATE outbox SET status = 'sent', sent_at = ?, "
		    "last_error = '' WHERE id = ?");
		if (st == NULL)
			return ERR_INTERNAL;
		db_bind_int64(st, 1, now);
		db_bind_int64(st, 2, m->id);
		return db_run(st);
	}
	st = db_prep(db, "UPDATE outbox SET status = CASE WHEN attempts >= ? "
	    "THEN 'failed' ELSE 'pending' END, next_attempt_at = ?, "
	    "last_error = ? WHERE id = ?");
	db_bind_int64(st, 1, MAIL_MAX_ATTEMPTS);
	db_bind_int64(st, 2, now + backoff);
	db_bind_text(st, 3, why);
	db_bind_int64(st, 4, m->id);
	return db_run(st);
}

enum err
mail_any_due(struct db *db, int64_t now, int *due)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT 1 FROM outbox WHERE status = 'pending' AND "
	    "next_attempt_at <= ? LIMIT 1");
	db_bind_int64(st, 1, now);
	e = db_next(st);
	db_done(st);
	*due = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
mail_deliver_due(struct db *db, const struct config *cfg, int64_t now,
    int limit, int *sent, int *failed)
{
	struct message m;
	struct buf msg = { 0 };
	char why[1200];
	enum err e = ERR_OK, s;

	*sent = *failed = 0;
	while (limit-- > 0) {
		memset(&m, 0, sizeof(m));
		if ((e = claim(db, now, &m)) != ERR_OK)
			break;
		buf_reset(&msg);
		format_message(cfg, &m, now, &msg);
		why[0] = '\0';
		s = msg.oom ? ERR_INTERNAL : cfg->smtp_url != NULL ?
		    send_smtp(cfg, &m, &msg, why, sizeof(why)) :
		    send_file(cfg, &m, &msg, why, sizeof(why));
		if (s != ERR_OK)
			log_error(NULL, "mail %lld to %s: %s", (long long)m.id,
			    m.to, why);
		e = record(db, &m, now, s, why);
		buf_free(&m.body);
		if (e != ERR_OK)
			break;
		*(s == ERR_OK ? sent : failed) += 1;
	}
	buf_free(&msg);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
