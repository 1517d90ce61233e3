/* Certificates (see certificate.h). */
#include <string.h>

#include <sodium.h>

#include "certificate.h"
#include "db.h"

enum err
certificate_issue(struct db *db, int64_t user_id, int64_t course_id,
    int64_t now)
{
	unsigned char raw[CERTIFICATE_CODE_LEN / 2];
	char code[CERTIFICATE_CODE_LEN + 1];
	struct db_stmt *st;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(code, sizeof(code), raw, sizeof(raw));
	st = db_prep(db, "INSERT INTO certificates (code, user_id, course_id, "
	    "student_name, course_title, issued_at) SELECT ?1, u.id, c.id, "
	    "u.name, c.title, ?4 FROM users u, courses c WHERE u.id = ?2 AND "
	    "c.id = ?3 ON CONFLICT (user_id, course_id) DO NOTHING");
	db_bind_text(st, 1, code);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, course_id);
	db_bind_int64(st, 4, now);
	return db_run(st);
}

#define CERT_COLS "ce.id, ce.code, ce.user_id, ce.course_id, " \
	"ce.student_name, ce.course_title, c.slug, c.instructor, ce.issued_at"

/* Fills *c from the CERT_COLS of st's row and its validity at now;
 * releases st (db_done) before asking access.h. */
static enum err
cert_from_row(struct db *db, struct arena *a, struct db_stmt *st,
    int64_t now, struct certificate *c)
{
	struct access acc;
	enum err e;

	c->id = db_col_int64(st, 0);
	c->code = db_col_text_dup(a, st, 1);
	c->user_id = db_col_int64(st, 2);
	c->course_id = db_col_int64(st, 3);
	c->student_name = db_col_text_dup(a, st, 4);
	c->course_title = db_col_text_dup(a, st, 5);
	c->course_slug = db_col_text_dup(a, st, 6);
	c->instructor = db_col_text_dup(a, st, 7);
	c->issued_at = db_col_int64(st, 8);
	db_done(st);
	if (c->code == NULL || c->student_name == NULL ||
	    c->course_title == NULL || c->course_slug == NULL ||
	    c->instructor == NULL)
		return ERR_INTERNAL;
	if ((e = access_check(db, c->user_id, c->course_id, now, &acc)) !=
	    ERR_OK)
		return e;
	c->reason = acc.reason;
	c->valid = acc.reason == ACCESS_ENROLLED ||
	    acc.reason == ACCESS_EXPIRED;
	return ERR_OK;
}

static int
code_valid(const char *code)
{
	size_t n = code != NULL ? strlen(code) : 0;

	if (n != CERTIFICATE_CODE_LEN)
		return 0;
	return strspn(code, "0123456789abcdef") == n;
}

enum err
certificate_get(struct db *db, struct arena *a, const char *code,
    int64_t now, struct certificate *c)
{
	struct db_stmt *st;
	enum err e;

	memset(c, 0, sizeof(*c));
	if (!code_valid(code))
		return ERR_NOTFOUND;
	st = db_prep(db, "SELECT " CERT_COLS " FROM certificates ce JOIN "
	    "courses c ON c.id = ce.course_id WHERE ce.code = ?");
	db_bind_text(st, 1, code);
	if ((e = db_next(st)) != ERR_OK) {
		db_done(st);
		return e;
	}
	return cert_from_row(db, a, st, now, c);
}

enum err
certificate_of(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, int64_t now, struct certificate *c)
{
	struct db_stmt *st;
	enum err e;

	memset(c, 0, sizeof(*c));
	st = db_prep(db, "SELECT " CERT_COLS " FROM certificates ce JOIN "
	    "courses c ON c.id = ce.course_id WHERE ce.user_id = ? AND "
	    "ce.course_id = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) != ERR_OK) {
		db_done(st);
		return e;
	}
	return cert_from_row(db, a, st, now, c);
}

enum err
certificate_code(struct db *db, struct arena *a, int64_t user_id,
    int64_t course_id, const char **code)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, "SELECT code FROM certificates WHERE user_id = ? AND "
	    "course_id = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_next(st)) == ERR_OK &&
	    (*code = db_col_text_dup(a, st, 0)) == NULL)
		e = ERR_INTERNAL;
	db_done(st);
	return e;
}
