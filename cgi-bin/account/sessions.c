/* account: where the user is logged in.  The settings page lists every
 * live session (when it started, when it was last used, the browser and
 * the address), and the user ends one, or every one but this browser's. */
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "session.h"

/* Adds sessions[] to the settings page's context, this browser's first. */
enum err
sessions_add_to(struct req *rq, struct resp *rs)
{
	struct session_info *v;
	int64_t current = session_current_id(rq);
	char browser[128];
	cJSON *list, *o;
	size_t n, i;
	enum err e;

	if ((e = session_list(rq->w->db, rq->arena, rq->user->id, time(NULL),
	    &v, &n)) != ERR_OK)
		return e;
	if ((list = cJSON_AddArrayToObject(resp_ctx(rs), "sessions")) == NULL)
		return ERR_INTERNAL;
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if ((v[i].id == current) != (pass == 0))
				continue;
			session_browser(v[i].user_agent, browser,
			    sizeof(browser));
			if ((o = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(list, o) ||
			    cJSON_AddNumberToObject(o, "id", (double)v[i].id) ==
			    NULL ||
			    cJSON_AddNumberToObject(o, "started",
			    (double)v[i].created_at) == NULL ||
			    cJSON_AddNumberToObject(o, "last_seen",
			    (double)v[i].last_seen) == NULL ||
			    cJSON_AddStringToObject(o, "browser", browser) ==
			    NULL ||
			    cJSON_AddStringToObject(o, "addr", v[i].addr) ==
			    NULL ||
			    cJSON_AddBoolToObject(o, "current", pass == 0) ==
			    NULL)
				return ERR_INTERNAL;
		}
	}
	return ERR_OK;
}

/* POST /account/sessions/<id>/end: logs that session out. */
enum err
h_session_end(struct req *rq, struct resp *rs)
{
	int ended;
	enum err e;

	if (rq->id == session_current_id(rq))
		return resp_flash_redirect(rq, rs, SETTINGS_PAGE, "That is "
		    "this browser: use Log out at the top of the page.");
	if ((e = session_end_one(rq->w->db, rq->user->id, rq->id, &ended)) !=
	    ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE, ended ? "That "
	    "session is logged out." : "That session had already ended.");
}

/* POST /account/sessions/end-others: every session but this one ends. */
enum err
h_sessions_end_others(struct req *rq, struct resp *rs)
{
	enum err e;

	if ((e = session_delete_user(rq->w->db, rq->user->id,
	    session_current_id(rq))) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, SETTINGS_PAGE, "You are logged out "
	    "everywhere else.");
}
