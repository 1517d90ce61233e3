/* admin: teams (/admin/teams): the list with search, sort and pages by
 * key; a team's page (members, seats per course, assignments, orders and
 * its audit trail, each list paged by its own key); and the seat
 * utilisation report (/admin/reports/seats and its CSV).  Read only: an
 * admin changes a team through the team's own pages or an order's
 * refund. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "audit.h"
#include "audit_query.h"
#include "csv.h"
#include "money.h"
#include "seat_report.h"
#include "team_admin.h"
#include "url.h"

static int
add_num(cJSON *o, const char *k, int64_t v)
{
	return cJSON_AddNumberToObject(o, k, (double)v) != NULL;
}

static int
add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddStringToObject(o, k, v != NULL ? v : "") != NULL;
}

/* Appends a new object to array; NULL when out of memory. */
static cJSON *
push(cJSON *array)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && !cJSON_AddItemToArray(array, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* "%lld" of v in the arena, for links. */
static const char *
num_text(struct req *rq, int64_t v)
{
	return arena_printf(rq->arena, "%lld", (long long)v);
}

/* A team's figures: the list's row and the head of its page. */
static int
team_json(cJSON *o, const struct team_admin_row *t)
{
	return add_num(o, "id", t->id) && add_str(o, "name", t->name) &&
	    add_num(o, "created_at", t->created_at) &&
	    add_num(o, "owner_id", t->owner_id) &&
	    add_str(o, "owner_name", t->owner_name) &&
	    add_str(o, "owner_email", t->owner_email) &&
	    add_num(o, "members", t->members) && add_num(o, "seats", t->seats) &&
	    add_num(o, "held", t->held) &&
	    add_num(o, "free", t->seats - t->held);
}

/* Adds next_url: the same search and sort after the last row shown. */
static enum err
teams_next(struct req *rq, cJSON *ctx, const struct team_admin_query *q,
    const struct team_admin_row *last)
{
	const char *const pairs[] = { "q", q->q, "sort",
	    q->sort == TEAM_SORT_NEWEST ? NULL : team_admin_sort_name(q->sort),
	    "after", num_text(rq, last->id), "after_name",
	    q->sort == TEAM_SORT_NAME ? last->name : NULL, "after_seats",
	    q->sort == TEAM_SORT_SEATS ? num_text(rq, last->seats) : NULL,
	    NULL };
	const char *url = url_query(rq->arena, "/admin/teams", pairs);

	return url != NULL && add_str(ctx, "next_url", url) ? ERR_OK :
	    ERR_INTERNAL;
}

/* GET /admin/teams?q=&sort=&after=&after_name=&after_seats= */
enum err
h_admin_teams(struct req *rq, struct resp *rs)
{
	struct team_admin_query q = { .q = field_str(rq, "q"),
	    .sort = TEAM_SORT_NEWEST, .after_name = field_str(rq, "after_name") };
	struct team_admin_row *v;
	size_t n;
	int more, sort = TEAM_SORT_NEWEST;
	cJSON *ctx, *list, *o;
	enum err e;

	if (field_bad(rq, "q") || field_bad(rq, "after") ||
	    field_bad(rq, "after_name") || field_bad(rq, "after_seats") ||
	    (field_str(rq, "sort") != NULL &&
	    (sort = team_admin_sort_of(field_str(rq, "sort"))) < 0))
		return ERR_INVALID;
	q.sort = (enum team_admin_sort)sort;
	field_int(rq, "after", &q.after_id);
	field_int(rq, "after_seats", &q.after_seats);
	if ((e = team_admin_list(rq->w->db, rq->arena, &q, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL || !add_str(ctx, "q", q.q) ||
	    !add_str(ctx, "sort", team_admin_sort_name(q.sort)) ||
	    cJSON_AddBoolToObject(ctx, "paged", q.after_id != 0) == NULL ||
	    (list = cJSON_AddArrayToObject(ctx, "teams")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = push(list)) == NULL || !team_json(o, &v[i]))
			return ERR_INTERNAL;
	if (more && (e = teams_next(rq, ctx, &q, &v[n - 1])) != ERR_OK)
		return e;
	rs->tmpl = "admin/teams.html";
	return ERR_OK;
}

const struct field admin_teams_fields[] = {
	{ "q", F_LINE, TEAM_ADMIN_QUERY_MAX },
	{ "sort", F_SLUG, 10 },
	{ "after", F_INT, 19 },
	{ "after_name", F_LINE, 200 },
	{ "after_seats", F_INT, 19 },
	{ NULL, 0, 0 },
};

/* The keys of the team page's lists, one per list. */
static const char *const team_keys[] = { "members_after",
    "assignments_before", "orders_before", NULL };

/* Adds, under name, the link to team t's page with the list keys of rq
 * but key set to value (every list keeps its page). */
static int
team_next(struct req *rq, cJSON *ctx, const char *name, int64_t team_id,
    const char *key, int64_t value)
{
	const char *pairs[2 * 3 + 1];
	const char *path = arena_printf(rq->arena, "/admin/teams/%lld",
	    (long long)team_id), *url;
	size_t i;

	for (i = 0; team_keys[i] != NULL; i++) {
		pairs[2 * i] = team_keys[i];
		pairs[2 * i + 1] = strcmp(team_keys[i], key) == 0 ?
		    num_text(rq, value) : field_str(rq, team_keys[i]);
	}
	pairs[2 * i] = NULL;
	return path != NULL && (url = url_query(rq->arena, path, pairs)) !=
	    NULL && add_str(ctx, name, url);
}

static enum err
team_members_add(struct req *rq, cJSON *ctx, int64_t team_id, int64_t after)
{
	struct team_admin_member *v;
	size_t n;
	int more;
	cJSON *list, *o;
	enum err e;

	if ((e = team_admin_members(rq->w->db, rq->arena, team_id, after, &v,
	    &n, &more)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "members")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = push(list)) == NULL ||
		    !add_num(o, "user_id", v[i].user_id) ||
		    !add_str(o, "name", v[i].name) ||
		    !add_str(o, "email", v[i].email) ||
		    !add_str(o, "role", v[i].role) ||
		    !add_num(o, "joined_at", v[i].joined_at))
			return ERR_INTERNAL;
	if (more && !team_next(rq, ctx, "members_next", team_id,
	    "members_after", v[n - 1].user_id))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* One row of seat figures (a team's course, a report row or a total). */
static int
seat_json(struct req *rq, cJSON *o, const struct seat_row *r)
{
	int64_t pm = seat_report_permille(r->active, r->bought);

	return add_num(o, "team_id", r->team_id) &&
	    add_str(o, "team_name", r->team_name) &&
	    add_num(o, "course_id", r->course_id) &&
	    add_str(o, "course_title", r->course_title) &&
	    add_num(o, "bought", r->bought) && add_num(o, "active", r->active) &&
	    add_num(o, "invited", r->invited) && add_num(o, "free", r->free) &&
	    add_num(o, "teams", r->teams) &&
	    add_str(o, "utilisation", pm < 0 ? "" : arena_printf(rq->arena,
	    "%lld.%lld%%", (long long)(pm / 10), (long long)(pm % 10)));
}

/* Adds rows under key; NULL when out of memory. */
static int
seats_add(struct req *rq, cJSON *ctx, const char *key,
    const struct seat_row *v, size_t n)
{
	cJSON *list = cJSON_AddArrayToObject(ctx, key), *o;

	for (size_t i = 0; list != NULL && i < n; i++)
		if ((o = push(list)) == NULL || !seat_json(rq, o, &v[i]))
			return 0;
	return list != NULL;
}

static enum err
team_seats_add(struct req *rq, cJSON *ctx, int64_t team_id)
{
	struct seat_report_query q = { .team_id = team_id };
	struct seat_row *v;
	size_t n;
	int more;
	enum err e;

	if ((e = seat_report_rows(rq->w->db, rq->arena, &q, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	return seats_add(rq, ctx, "seats", v, n) ? ERR_OK : ERR_INTERNAL;
}

static enum err
team_assignments_add(struct req *rq, cJSON *ctx, int64_t team_id,
    int64_t before)
{
	struct team_admin_assignment *v;
	size_t n;
	int more;
	cJSON *list, *o;
	enum err e;

	if ((e = team_admin_assignments(rq->w->db, rq->arena, team_id, before,
	    &v, &n, &more)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "assignments")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = push(list)) == NULL || !add_num(o, "id", v[i].id) ||
		    !add_num(o, "user_id", v[i].user_id) ||
		    !add_str(o, "name", v[i].name) ||
		    !add_str(o, "email", v[i].email) ||
		    !add_str(o, "course_title", v[i].course_title) ||
		    !add_str(o, "status", v[i].status) ||
		    !add_num(o, "since", v[i].since))
			return ERR_INTERNAL;
	if (more && !team_next(rq, ctx, "assignments_next", team_id,
	    "assignments_before", v[n - 1].id))
		return ERR_INTERNAL;
	return ERR_OK;
}

static int
add_money(cJSON *o, const char *k, int64_t amount, const char *currency)
{
	cJSON *m = money_json(amount, currency);

	if (m == NULL)
		return 0;
	if (!cJSON_AddItemToObject(o, k, m)) {
		cJSON_Delete(m);
		return 0;
	}
	return 1;
}

static enum err
team_orders_add(struct req *rq, cJSON *ctx, int64_t team_id, int64_t before)
{
	struct team_admin_order *v;
	size_t n;
	int more;
	cJSON *list, *o;
	enum err e;

	if ((e = team_admin_orders(rq->w->db, rq->arena, team_id, before, &v,
	    &n, &more)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(ctx, "orders")) == NULL)
		return ERR_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((o = push(list)) == NULL || !add_num(o, "id", v[i].id) ||
		    !add_str(o, "number", v[i].number) ||
		    !add_str(o, "status", v[i].status) ||
		    !add_money(o, "total", v[i].total, v[i].currency) ||
		    !add_money(o, "refunded", v[i].refunded, v[i].currency) ||
		    !add_num(o, "seats", v[i].seats) ||
		    !add_num(o, "buyer_id", v[i].buyer_id) ||
		    !add_str(o, "buyer_email", v[i].buyer_email) ||
		    !add_num(o, "created_at", v[i].created_at))
			return ERR_INTERNAL;
	if (more && !team_next(rq, ctx, "orders_next", team_id,
	    "orders_before", v[n - 1].id))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* The newest rows of team_id's audit trail, and the link to all of it. */
static enum err
team_audit_add(struct req *rq, cJSON *ctx, int64_t team_id)
{
	char subject[AUDIT_SUBJECT_MAX];
	struct audit_filter f = { .subject = subject };
	const char *pairs[] = { "subject", subject, NULL };
	int64_t last;
	int more;
	cJSON *rows;
	enum err e;

	audit_subject(subject, "team", team_id);
	if ((rows = cJSON_AddArrayToObject(ctx, "audit")) == NULL)
		return ERR_INTERNAL;
	if ((e = audit_query(rq->w->db, rq->arena, &f, rows, &last, &more)) !=
	    ERR_OK)
		return e;
	if (more && !add_str(ctx, "audit_url", url_query(rq->arena,
	    "/admin/audit", pairs)))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /admin/teams/<id>?members_after=&assignments_before=&orders_before= */
enum err
h_admin_team(struct req *rq, struct resp *rs)
{
	struct team_admin_row t;
	int64_t members = 0, assignments = 0, orders = 0;
	cJSON *ctx, *o;
	enum err e;

	for (size_t i = 0; team_keys[i] != NULL; i++)
		if (field_bad(rq, team_keys[i]))
			return ERR_INVALID;
	field_int(rq, "members_after", &members);
	field_int(rq, "assignments_before", &assignments);
	field_int(rq, "orders_before", &orders);
	if ((e = team_admin_load(rq->w->db, rq->arena, rq->id, &t)) != ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (o = cJSON_AddObjectToObject(ctx, "team")) == NULL ||
	    !team_json(o, &t))
		return ERR_INTERNAL;
	if ((e = team_members_add(rq, ctx, t.id, members)) != ERR_OK ||
	    (e = team_seats_add(rq, ctx, t.id)) != ERR_OK ||
	    (e = team_assignments_add(rq, ctx, t.id, assignments)) != ERR_OK ||
	    (e = team_orders_add(rq, ctx, t.id, orders)) != ERR_OK ||
	    (e = team_audit_add(rq, ctx, t.id)) != ERR_OK)
		return e;
	rs->tmpl = "admin/team.html";
	return ERR_OK;
}

const struct field admin_team_fields[] = {
	{ "members_after", F_INT, 19 },
	{ "assignments_before", F_INT, 19 },
	{ "orders_before", F_INT, 19 },
	{ NULL, 0, 0 },
};

/* Reads ?course= (0: every course) into q; ERR_INVALID when bad. */
static enum err
report_query_of(struct req *rq, struct seat_report_query *q)
{
	memset(q, 0, sizeof(*q));
	if (field_bad(rq, "course") || field_bad(rq, "after_course") ||
	    field_bad(rq, "after_team"))
		return ERR_INVALID;
	field_int(rq, "course", &q->course_id);
	field_int(rq, "after_course", &q->after_course);
	field_int(rq, "after_team", &q->after_team);
	q->limit = SEAT_REPORT_PAGE;
	return ERR_OK;
}

/* Adds the report's totals (those of q's course) and the courses the
 * filter offers (every course with seats). */
static enum err
report_totals_add(struct req *rq, cJSON *ctx,
    const struct seat_report_query *q)
{
	struct seat_report_query all = { 0 };
	struct seat_row *v, t = { .course_title = "All courses" };
	size_t n, shown = 0;
	cJSON *courses = cJSON_AddArrayToObject(ctx, "courses"), *o;
	enum err e;

	if ((e = seat_report_totals(rq->w->db, rq->arena, &all, &v, &n)) !=
	    ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		if ((o = push(courses)) == NULL ||
		    !add_num(o, "id", v[i].course_id) ||
		    !add_str(o, "title", v[i].course_title) ||
		    cJSON_AddBoolToObject(o, "selected", v[i].course_id ==
		    q->course_id) == NULL)
			return ERR_INTERNAL;
		if (q->course_id != 0 && v[i].course_id != q->course_id)
			continue;
		v[shown++] = v[i];
		t.bought += v[i].bought;
		t.active += v[i].active;
		t.invited += v[i].invited;
		t.free += v[i].free;
	}
	if (!seats_add(rq, ctx, "totals", v, shown) ||
	    (o = cJSON_AddObjectToObject(ctx, "grand")) == NULL ||
	    !seat_json(rq, o, &t))
		return ERR_INTERNAL;
	return ERR_OK;
}

/* GET /admin/reports/seats?course=&after_course=&after_team= */
enum err
h_admin_seat_report(struct req *rq, struct resp *rs)
{
	struct seat_report_query q;
	struct seat_row *v;
	size_t n;
	int more;
	cJSON *ctx;
	enum err e;

	if ((e = report_query_of(rq, &q)) != ERR_OK ||
	    (e = seat_report_rows(rq->w->db, rq->arena, &q, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL || !add_num(ctx, "course",
	    q.course_id) || cJSON_AddBoolToObject(ctx, "paged",
	    q.after_course != 0) == NULL || !seats_add(rq, ctx, "rows", v, n))
		return ERR_INTERNAL;
	if ((e = report_totals_add(rq, ctx, &q)) != ERR_OK)
		return e;
	if (more) {
		const char *const pairs[] = { "course", q.course_id == 0 ?
		    NULL : num_text(rq, q.course_id), "after_course",
		    num_text(rq, v[n - 1].course_id), "after_team",
		    num_text(rq, v[n - 1].team_id), NULL };

		if (!add_str(ctx, "next_url", url_query(rq->arena,
		    "/admin/reports/seats", pairs)))
			return ERR_INTERNAL;
	}
	rs->tmpl = "admin/teams_seats.html";
	return ERR_OK;
}

/* GET /admin/reports/seats.csv?course=: every row of the report. */
enum err
h_admin_seat_report_csv(struct req *rq, struct resp *rs)
{
	struct seat_report_query q;
	enum err e;

	if ((e = report_query_of(rq, &q)) != ERR_OK ||
	    (e = seat_report_csv(rq->w->db, rq->arena, &q, &rs->body)) !=
	    ERR_OK)
		return e;
	return csv_respond(rq, rs, "seat-utilisation.csv");
}

const struct field admin_seat_report_fields[] = {
	{ "course", F_INT, 19 },
	{ "after_course", F_INT, 19 },
	{ "after_team", F_INT, 19 },
	{ NULL, 0, 0 },
};
