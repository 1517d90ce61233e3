/* admin: the audit log (/admin/audit), newest first, filtered by person
 * (an address), action, subject and days typed in the school's zone. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "audit_query.h"
#include "form_page.h"
#include "tz.h"
#include "url.h"

#define DAY 86400

static const char *const filters[] = { "person", "action", "subject", "from",
    "to", NULL };

/* Reads the day field name into *t (its local midnight; end 1: the next
 * one, so the day is included); adds the error and returns 0 when it is
 * not a date. */
static int
day_field(struct req *rq, struct resp *rs, const char *name, int end,
    int64_t *t, enum err *e)
{
	const char *s = field_str(rq, name);

	*e = ERR_OK;
	if (s == NULL && !field_bad(rq, name))
		return 1;
	if (s == NULL || tz_parse_local(s, t) != ERR_OK) {
		*e = form_error(rs, name, "Enter a date like 2027-03-31.");
		return 0;
	}
	if (end)
		*t = tz_day_start(*t + DAY + 2 * 3600);
	return 1;
}

/* Reads the filters into *f; adds each error, returns 0 on one. */
static int
read_filter(struct req *rq, struct resp *rs, struct audit_filter *f,
    enum err *e)
{
	const char *person = field_str(rq, "person");
	enum err e1 = ERR_OK, e2, e3;
	int ok;

	f->action = field_str(rq, "action");
	f->subject = field_str(rq, "subject");
	field_int(rq, "before", &f->before);
	ok = !field_bad(rq, "before");
	if (field_bad(rq, "person") || (person != NULL &&
	    audit_person_of(rq->w->db, person, &f->person) != ERR_OK)) {
		ok = 0;
		e1 = form_error(rs, "person", "No account uses this address.");
	}
	ok &= day_field(rq, rs, "from", 0, &f->from, &e2) &
	    day_field(rq, rs, "to", 1, &f->until, &e3);
	*e = e1 != ERR_OK ? e1 : e2 != ERR_OK ? e2 : e3;
	return ok;
}

/* GET /admin/audit?person=&action=&subject=&from=&to=&before= */
enum err
h_audit(struct req *rq, struct resp *rs)
{
	struct audit_filter f = { 0 };
	char last[24];
	const char *pairs[2 * 6 + 1];
	int64_t last_id;
	int more, i;
	cJSON *ctx, *rows;
	enum err e;

	if ((ctx = resp_ctx(rs)) == NULL ||
	    cJSON_AddStringToObject(ctx, "zone", tz_name()) == NULL)
		return ERR_INTERNAL;
	if (!read_filter(rq, rs, &f, &e))
		return e != ERR_OK ? e : form_again(rq, rs,
		    "admin/audit.html", 400, filters);
	if ((rows = cJSON_AddArrayToObject(ctx, "rows")) == NULL)
		return ERR_INTERNAL;
	if ((e = audit_query(rq->w->db, rq->arena, &f, rows, &last_id,
	    &more)) != ERR_OK)
		return e;
	if (more) {
		for (i = 0; filters[i] != NULL; i++) {
			pairs[2 * i] = filters[i];
			pairs[2 * i + 1] = field_str(rq, filters[i]);
		}
		snprintf(last, sizeof(last), "%lld", (long long)last_id);
		pairs[2 * i] = "before";
		pairs[2 * i + 1] = last;
		pairs[2 * i + 2] = NULL;
		if (cJSON_AddStringToObject(ctx, "next_url", url_query(
		    rq->arena, "/admin/audit", pairs)) == NULL)
			return ERR_INTERNAL;
	}
	return form_again(rq, rs, "admin/audit.html", 200, filters);
}

const struct field audit_fields[] = {
	{ "person", F_EMAIL, 254 },
	{ "action", F_LINE, 64 },
	{ "subject", F_LINE, 64 },
	{ "from", F_LINE, 10 },
	{ "to", F_LINE, 10 },
	{ "before", F_INT, 19 },
	{ NULL, 0, 0 },
};
