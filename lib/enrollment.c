/* Free enrollment and access checks (see enrollment.h). */
#include <stdio.h>

#include "buf.h"
#include "db.h"
#include "enrollment.h"
#include "mail.h"

enum err
enrollment_queue_welcome(struct db *db, int64_t user_id, int64_t course_id,
    const char *base_url)
{
	struct db_stmt *st;
	struct buf body = { 0 }, subj = { 0 };
	char key[80], to[MAIL_ADDR_MAX], name[MAIL_NAME_MAX];
	enum err e;

	if ((e = mail_recipient(db, user_id, to, name)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
	st = db_prep(db, "SELECT title, slug FROM courses WHERE id = ?");
	db_bind_int64(st, 1, course_id);
	if ((e = db_next(st)) == ERR_OK) {
		buf_printf(&body, "Hello %s,\n\nwelcome to %s. Start here:\n"
		    "%s/learn/%s\n\nYour courses: %s/account/my-courses\n",
		    name, db_col_text(st, 0), base_url, db_col_text(st, 1),
		    base_url);
		buf_printf(&subj, "Welcome to %s", db_col_text(st, 0));
	}
	db_done(st);
	if (e == ERR_OK) {
		snprintf(key, sizeof(key), "welcome-%lld-%lld",
		    (long long)user_id, (long long)course_id);
		e = body.oom || subj.oom ? ERR_INTERNAL :
		    mail_queue(db, key, to, subj.data, body.data);
	}
	buf_free(&body);
	buf_free(&subj);
	return e == ERR_NOTFOUND ? ERR_INTERNAL : e;
}

enum err
enrollment_free(struct db *db, int64_t user_id, int64_t course_id,
    const char *base_url, enum enroll_free_result *res)
{
	struct db_stmt *st;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_prep(db, "SELECT price_amount, is_active FROM courses "
	    "WHERE id = ?");
	db_bind_int64(st, 1, course_id);
	if ((e = db_next(st)) == ERR_OK)
		*res = db_col_int64(st, 0) != 0 ? ENROLL_FREE_NOT_FREE :
		    !db_col_int64(st, 1) ? ENROLL_FREE_NOT_ON_SALE :
		    ENROLL_FREE_OK;
	db_done(st);
	if (e != ERR_OK || *res != ENROLL_FREE_OK)
		goto out;
	st = db_prep(db, "INSERT INTO enrollments (user_id, course_id, source) "
	    "VALUES (?, ?, 'free') ON CONFLICT (user_id, course_id) DO UPDATE "
	    "SET status = 'active', source = 'free', revoked_at = NULL "
	    "WHERE enrollments.status = 'revoked'");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if (db_changes(db) == 0) {
		*res = ENROLL_FREE_ALREADY;
		goto out;
	}
	st = db_prep(db, "DELETE FROM wishlist WHERE user_id = ? AND "
	    "course_id = ?");
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, course_id);
	if ((e = db_run(st)) != ERR_OK)
		goto out;
	if ((e = enrollment_queue_welcome(db, user_id, course_id,
	    base_url)) != ERR_OK)
		goto out;
	return db_commit(db);
out:
	db_rollback(db);
	return e;
}
