/* account: certificates of completion.  /certificates/<code> is the
 * certificate itself, printable on one page, and its public verification:
 * anyone with the link sees the name, the course, the date and whether it
 * still stands; its student also sees how to share and print it. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "certificate.h"
#include "session.h"
#include "url.h"
#include "view.h"

/* Returns the certificate's public address, for sharing and print. */
static const char *
certificate_url(struct req *rq, const char *code)
{
	char prefix[600];

	snprintf(prefix, sizeof(prefix), "%s/certificates/",
	    rq->w->cfg.base_url);
	return url_segment(rq->arena, prefix, code);
}

/* GET /certificates/<code>: public. */
enum err
h_certificate(struct req *rq, struct resp *rs)
{
	struct certificate c;
	cJSON *ctx, *o;
	enum err e;

	if ((e = certificate_get(rq->w->db, rq->arena, rq->slug,
	    (int64_t)time(NULL), &c)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (o = cJSON_AddObjectToObject(ctx, "certificate")) == NULL)
		return ERR_INTERNAL;
	cJSON_AddStringToObject(o, "code", c.code);
	cJSON_AddStringToObject(o, "student_name", c.student_name);
	cJSON_AddStringToObject(o, "course_title", c.course_title);
	cJSON_AddStringToObject(o, "instructor", c.instructor);
	cJSON_AddStringToObject(o, "course_url", url_segment(rq->arena,
	    "/courses/", c.course_slug));
	cJSON_AddNumberToObject(o, "issued_at", (double)c.issued_at);
	cJSON_AddBoolToObject(o, "valid", c.valid);
	cJSON_AddStringToObject(o, "reason", access_reason_name(c.reason));
	cJSON_AddStringToObject(o, "url", certificate_url(rq, c.code));
	cJSON_AddBoolToObject(ctx, "is_owner", rq->user != NULL &&
	    rq->user->id == c.user_id);
	rs->tmpl = "learn/certificate.html";
	return ERR_OK;
}
