/* Webhook endpoints: POST and GET /v1/webhook_endpoints, GET, POST and
 * DELETE /v1/webhook_endpoints/{webhook_endpoint}, and the endpoint that
 * --webhook-url names at start-up.  One account serves several stores, as
 * one Stripe account does, so each endpoint has its own whsec_ secret,
 * answered only by create as Stripe does (it lives in its own column, not
 * in the object's JSON); deliver.c reads it when it signs.  Disabling or
 * deleting an endpoint cancels what was still due to it.  connect and
 * api_version are kept as sent: the emulator has no connected accounts
 * and renders every event in 2023-08-16. */
#include <stdio.h>
#include <string.h>

#include "emu.h"
#include "log.h"

#define MAX_ENDPOINTS 16	/* Stripe's limit per account and mode */
#define SECRET_CHARS 32		/* random characters after "whsec_" */

/* Checks url is http(s) with a host; returns 0, or -1 after replying. */
static int
check_url(struct emu_call *c, const char *url)
{
	const char *host = NULL;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	if (host != NULL && *host != '\0' && *host != '/')
		return 0;
	emu_reply_error(c->rp, 400, "invalid_request_error", "url_invalid",
	    "url", "Invalid URL: %s", url);
	return -1;
}

/* Refuses a 17th endpoint; returns 0, or -1 after replying. */
static int
check_room(struct emu_call *c)
{
	struct db_stmt *st;
	int64_t n = -1;

	st = db_prep(c->emu->db, "SELECT count(*) FROM webhook_endpoints");
	if (db_next(st) == ERR_OK)
		n = db_col_int64(st, 0);
	db_done(st);
	if (n < 0) {
		emu_api_fail(c);
		return -1;
	}
	if (n < MAX_ENDPOINTS)
		return 0;
	emu_reply_error(c->rp, 400, "invalid_request_error", NULL, NULL,
	    "You have reached the maximum of %d test webhook endpoints.",
	    MAX_ENDPOINTS);
	return -1;
}

/* A new enabled endpoint for url, taking no events yet.  Caller frees
 * with cJSON_Delete(); NULL when out of memory. */
static cJSON *
endpoint_new(struct emu *e, const char *url)
{
	cJSON *we = emu_shape_new(SHAPE_ENDPOINT);
	char id[40];

	if (we == NULL)
		return NULL;
	emu_new_id(id, sizeof(id), "we_", 24);
	emu_jset_str(we, "id", id);
	emu_jset_int(we, "created", emu_now(e));
	emu_jset_str(we, "url", url);
	return we;
}

/* Stores we without its "secret" member; the secret goes to its column. */
static enum err
endpoint_insert(struct emu *e, const cJSON *we, const char *secret)
{
	cJSON *row = cJSON_Duplicate(we, 1);
	enum err err;

	if (row == NULL)
		return ERR_INTERNAL;
	cJSON_DeleteItemFromObjectCaseSensitive(row, "secret");
	err = emu_store_insert(e, KIND_ENDPOINT, row, secret);
	cJSON_Delete(row);
	return err;
}

/* Copies the parameters create and update share into we; "" unsets the
 * description.  disabled exists only for update, api_version only for
 * create: the validator has refused the other. */
static void
apply(cJSON *we, const cJSON *p)
{
	const char *s;
	const cJSON *ev = JGET(p, "enabled_events");

	if ((s = emu_param_str(p, "url")) != NULL)
		emu_jset_str(we, "url", s);
	if (cJSON_IsArray(ev))
		emu_jset(we, "enabled_events", cJSON_Duplicate(ev, 1));
	if ((s = emu_param_str(p, "description")) != NULL)
		emu_jset_str(we, "description", *s != '\0' ? s : NULL);
	if ((s = emu_param_str(p, "api_version")) != NULL)
		emu_jset_str(we, "api_version", s);
	if ((s = emu_param_str(p, "disabled")) != NULL)
		emu_jset_str(we, "status", strcmp(s, "true") == 0 ?
		    "disabled" : "enabled");
	if (JGET(p, "metadata") != NULL)
		emu_metadata_merge(JGET(we, "metadata"), JGET(p, "metadata"));
}

void
emu_endpoint_create(struct emu_call *c)
{
	const char *url = emu_param_str(c->params, "url");
	char secret[48];
	cJSON *we;

	if (check_url(c, url) != 0 || check_room(c) != 0)
		return;
	if ((we = endpoint_new(c->emu, url)) == NULL) {
		emu_api_fail(c);
		return;
	}
	apply(we, c->params);
	emu_new_id(secret, sizeof(secret), "whsec_", SECRET_CHARS);
	if (endpoint_insert(c->emu, we, secret) != ERR_OK) {
		cJSON_Delete(we);
		emu_api_fail(c);
		return;
	}
	emu_jset_str(we, "secret", secret);
	emu_api_reply(c, we);
}

void
emu_endpoint_list(struct emu_call *c)
{
	struct emu_list_q q;
	cJSON *list = NULL;
	enum err err;

	if (emu_api_list_params(c, &q) != 0)
		return;
	err = emu_store_list(c->emu, KIND_ENDPOINT, &q, "/v1/webhook_endpoints",
	    &list);
	emu_api_reply_list(c, err, list, "webhook_endpoint");
}

void
emu_endpoint_get(struct emu_call *c)
{
	emu_api_get(c, KIND_ENDPOINT, "webhook_endpoint");
}

void
emu_endpoint_update(struct emu_call *c)
{
	const char *url = emu_param_str(c->params, "url");
	cJSON *we = emu_store_get(c->emu, KIND_ENDPOINT, c->id);
	int off;

	if (we == NULL) {
		emu_api_missing(c, "webhook_endpoint", "webhook_endpoint", c->id);
		return;
	}
	if (url != NULL && check_url(c, url) != 0) {
		cJSON_Delete(we);
		return;
	}
	apply(we, c->params);
	off = strcmp(emu_jstr(we, "status"), "disabled") == 0;
	if (emu_store_update(c->emu, KIND_ENDPOINT, we) != ERR_OK ||
	    (off && emu_deliver_cancel(c->emu, c->id) != ERR_OK)) {
		cJSON_Delete(we);
		emu_api_fail(c);
		return;
	}
	emu_api_reply(c, we);
}

void
emu_endpoint_delete(struct emu_call *c)
{
	enum err err = emu_store_delete(c->emu, KIND_ENDPOINT, c->id);
	cJSON *o;

	if (err == ERR_NOTFOUND) {
		emu_api_missing(c, "webhook_endpoint", "webhook_endpoint", c->id);
		return;
	}
	if (err != ERR_OK || emu_deliver_cancel(c->emu, c->id) != ERR_OK ||
	    (o = cJSON_CreateObject()) == NULL) {
		emu_api_fail(c);
		return;
	}
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "object", "webhook_endpoint");
	cJSON_AddTrueToObject(o, "deleted");
	emu_api_reply(c, o);
}

/* Sets *id (cap bytes) to the oldest endpoint with url; ERR_NOTFOUND
 * when there is none. */
static enum err
find_by_url(struct emu *e, const char *url, char *id, size_t cap)
{
	struct db_stmt *st;
	enum err err;

	st = db_prep(e->db, "SELECT id FROM webhook_endpoints WHERE url = ?"
	    " ORDER BY seq LIMIT 1");
	db_bind_text(st, 1, url);
	if ((err = db_next(st)) == ERR_OK)
		snprintf(id, cap, "%s", db_col_text(st, 0));
	db_done(st);
	return err;
}

/* Re-enables endpoint id for every event, signed with secret. */
static enum err
endpoint_reset(struct emu *e, const char *id, const char *secret)
{
	cJSON *we = emu_store_get(e, KIND_ENDPOINT, id), *all;
	struct db_stmt *st;
	enum err err;

	if (we == NULL || (all = cJSON_CreateArray()) == NULL) {
		cJSON_Delete(we);
		return ERR_INTERNAL;
	}
	cJSON_AddItemToArray(all, cJSON_CreateString("*"));
	emu_jset(we, "enabled_events", all);
	emu_jset_str(we, "status", "enabled");
	err = emu_store_update(e, KIND_ENDPOINT, we);
	cJSON_Delete(we);
	if (err != ERR_OK)
		return err;
	st = db_prep(e->db, "UPDATE webhook_endpoints SET secret = ?"
	    " WHERE id = ?");
	db_bind_text(st, 1, secret);
	db_bind_text(st, 2, id);
	return db_run(st);
}

/* Makes the command line's endpoint, as the store's README tells an
 * operator to: every event, in the version the emulator speaks. */
static enum err
endpoint_make(struct emu *e, const char *url, const char *secret)
{
	cJSON *we = endpoint_new(e, url), *all = cJSON_CreateArray();
	enum err err = ERR_INTERNAL;

	if (we != NULL && all != NULL) {
		cJSON_AddItemToArray(all, cJSON_CreateString("*"));
		emu_jset(we, "enabled_events", all);
		all = NULL;
		emu_jset_str(we, "api_version", EMU_API_VERSION);
		emu_jset_str(we, "description", "stripe-emu --webhook-url");
		err = endpoint_insert(e, we, secret);
	}
	cJSON_Delete(all);
	cJSON_Delete(we);
	return err;
}

int
emu_endpoint_ensure(struct emu *e, const char *url, const char *secret)
{
	char id[64];
	enum err err;

	if (db_begin(e->db) != ERR_OK) {
		log_error(NULL, "emu: the state file is busy");
		return -1;
	}
	err = find_by_url(e, url, id, sizeof(id));
	if (err == ERR_OK)
		err = endpoint_reset(e, id, secret);
	else if (err == ERR_NOTFOUND)
		err = endpoint_make(e, url, secret);
	if (err != ERR_OK || db_commit(e->db) != ERR_OK) {
		db_rollback(e->db);
		log_error(NULL, "emu: cannot make the endpoint for %s", url);
		return -1;
	}
	return 0;
}
