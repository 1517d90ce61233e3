/* admin: people (/admin/users). */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "people.h"
#include "url.h"

/* GET /admin/users?before=: every account, newest first, with whether its
 * address is confirmed; a deleted one as "deleted user #N". */
enum err
h_users(struct req *rq, struct resp *rs)
{
	struct person *v;
	int64_t before = 0;
	size_t n, i;
	int more;
	cJSON *ctx, *list, *o;
	char last[24];
	const char *const next[] = { "before", last, NULL };
	enum err e;

	if (field_bad(rq, "before"))
		return ERR_INVALID;
	field_int(rq, "before", &before);
	if ((e = people_list(rq->w->db, rq->arena, before, &v, &n, &more)) !=
	    ERR_OK)
		return e;
	if ((ctx = resp_ctx(rs)) == NULL ||
	    (list = cJSON_AddArrayToObject(ctx, "people")) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(list, o) ||
		    cJSON_AddNumberToObject(o, "id", (double)v[i].id) == NULL ||
		    cJSON_AddStringToObject(o, "email", v[i].email) == NULL ||
		    cJSON_AddStringToObject(o, "name", v[i].name) == NULL ||
		    cJSON_AddBoolToObject(o, "is_admin", v[i].is_admin) ==
		    NULL ||
		    cJSON_AddNumberToObject(o, "verified_at",
		    (double)v[i].verified_at) == NULL ||
		    cJSON_AddNumberToObject(o, "created_at",
		    (double)v[i].created_at) == NULL ||
		    cJSON_AddBoolToObject(o, "deleted", v[i].deleted_at != 0) ==
		    NULL ||
		    cJSON_AddNumberToObject(o, "orders", (double)v[i].orders) ==
		    NULL)
			return ERR_INTERNAL;
	}
	if (more) {
		snprintf(last, sizeof(last), "%lld", (long long)v[n - 1].id);
		if (cJSON_AddStringToObject(ctx, "next_url", url_query(rq->arena,
		    "/admin/users", next)) == NULL)
			return ERR_INTERNAL;
	}
	rs->tmpl = "admin/users.html";
	return ERR_OK;
}

const struct field users_fields[] = {
	{ "before", F_INT, 15 },
	{ NULL, 0, 0 },
};

