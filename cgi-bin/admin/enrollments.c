/* admin: enrollments, from a person's page: grant a course, revoke an
 * enrollment, extend one to a later end (lib/grant.c).  A refusal shows
 * the person's page again with the error next to the form's field. */
#include <time.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "form_page.h"
#include "grant.h"
#include "session.h"
#include "tz.h"

#define DAY 86400

/* The person's page again (status) with message next to field; for the
 * form of one enrollment, enrollment names it. */
static enum err
refuse(struct req *rq, struct resp *rs, int64_t user_id, int64_t enrollment,
    int status, const char *field, const char *message)
{
	enum err e;

	if ((e = form_error(rs, field, message)) != ERR_OK)
		return e;
	if (enrollment != 0 && cJSON_AddNumberToObject(resp_ctx(rs),
	    "error_enrollment", (double)enrollment) == NULL)
		return ERR_INTERNAL;
	return admin_person_show(rq, rs, user_id, status);
}

/* POST /admin/users/<id>/grant: course (slug or number), note. */
enum err
h_user_grant(struct req *rq, struct resp *rs)
{
	const char *course = field_str(rq, "course");
	const char *note = field_str(rq, "note");
	enum grant_result r;
	enum err e;

	if (course == NULL)
		return refuse(rq, rs, rq->id, 0, 400, "course", "Type the "
		    "course's slug, as in its address, or its number.");
	if (note == NULL)
		return refuse(rq, rs, rq->id, 0, 400, "note", field_bad(rq,
		    "note") ? "Keep the note to one line of at most 500 "
		    "characters." : "Say in a few words why: the note is kept "
		    "with the enrollment and in the audit log.");
	if ((e = grant_course(rq->w->db, rq->user->id, rq->id, course, note,
	    rq->w->cfg.base_url, (int64_t)time(NULL), &r)) != ERR_OK)
		return e;
	if (r != GRANT_OK)
		return refuse(rq, rs, rq->id, 0, r == GRANT_NO_COURSE ? 400 :
		    409, "course", grant_message(r));
	return admin_person_done(rq, rs, rq->id, "The course is granted: "
	    "this person can open its lessons now.");
}

const struct field user_grant_fields[] = {
	{ "course", F_LINE, 200 },
	{ "note", F_LINE, GRANT_NOTE_MAX },
	{ NULL, 0, 0 },
};

/* POST /admin/enrollments/<id>/revoke. */
enum err
h_enrollment_revoke(struct req *rq, struct resp *rs)
{
	enum grant_result r;
	int64_t user_id = 0;
	enum err e;

	if ((e = grant_revoke(rq->w->db, rq->user->id, rq->id,
	    (int64_t)time(NULL), &user_id, &r)) != ERR_OK)
		return e;
	if (r != GRANT_OK)
		return refuse(rq, rs, user_id, rq->id, 409, "revoke",
		    grant_message(r));
	return admin_person_done(rq, rs, user_id, "The enrollment is "
	    "revoked: its lessons are closed to this person now.");
}

/* POST /admin/enrollments/<id>/extend: until, a day (YYYY-MM-DD) in the
 * school's zone; access lasts to the end of that day. */
enum err
h_enrollment_extend(struct req *rq, struct resp *rs)
{
	const char *until = field_str(rq, "until");
	enum grant_result r;
	int64_t user_id = 0, day;
	enum err e;

	if (until == NULL || tz_parse_local(until, &day) != ERR_OK) {
		if ((e = grant_owner(rq->w->db, rq->id, &user_id)) != ERR_OK)
			return e;
		return refuse(rq, rs, user_id, rq->id, 400, "until", "Enter "
		    "the last day of access as a date, like 2027-03-31.");
	}
	/* The next local midnight, whatever the day's length (DST). */
	if ((e = grant_extend(rq->w->db, rq->user->id, rq->id,
	    tz_day_start(day + DAY + 2 * 3600), (int64_t)time(NULL),
	    &user_id, &r)) != ERR_OK)
		return e;
	if (r != GRANT_OK)
		return refuse(rq, rs, user_id, rq->id, r == GRANT_NOT_LATER ?
		    400 : 409, "until", grant_message(r));
	return admin_person_done(rq, rs, user_id, "Access is extended.");
}

const struct field enrollment_extend_fields[] = {
	{ "until", F_LINE, TZ_INPUT_MAX },
	{ NULL, 0, 0 },
};
