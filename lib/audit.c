/* The audit log: a row per change, with the fields before and after. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "db.h"

void
audit_subject(char *out, const char *kind, int64_t id)
{
	snprintf(out, AUDIT_SUBJECT_MAX, "%s:%lld", kind, (long long)id);
}

enum err
audit_write_record(struct db *db, int64_t actor, const char *action,
    const char *kind, int64_t id, const cJSON *before,
    audit_snapshot_fn *snapshot, int64_t now)
{
	char subject[AUDIT_SUBJECT_MAX];
	cJSON *after = NULL;
	enum err e = ERR_OK;

	if (snapshot != NULL && (after = snapshot(db, id, &e)) == NULL)
		return e;
	audit_subject(subject, kind, id);
	e = audit_write(db, actor, action, subject, before, after, NULL, now);
	cJSON_Delete(after);
	return e;
}

/* Returns a copy of from without the fields that other holds with the
 * same value (other NULL: a plain copy), or NULL when out of memory.  The
 * caller frees it with cJSON_Delete. */
static cJSON *
changed_fields(const cJSON *from, const cJSON *other)
{
	const cJSON *f, *o;
	cJSON *out, *c;

	if ((out = cJSON_CreateObject()) == NULL)
		return NULL;
	if (from == NULL)
		return out;
	cJSON_ArrayForEach(f, from) {
		o = other != NULL ?
		    cJSON_GetObjectItemCaseSensitive(other, f->string) : NULL;
		if (o != NULL && cJSON_Compare(f, o, 1))
			continue;
		if ((c = cJSON_Duplicate(f, 1)) == NULL ||
		    !cJSON_AddItemToObject(out, f->string, c)) {
			cJSON_Delete(c);
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

enum err
audit_write(struct db *db, int64_t actor, const char *action,
    const char *subject, const cJSON *before, const cJSON *after,
    const char *detail, int64_t now)
{
	cJSON *b = NULL, *a = NULL;
	char *bs = NULL, *as = NULL;
	struct db_stmt *st;
	enum err e = ERR_INTERNAL;

	/* Of a pair, each side keeps what the other lacks or differs in. */
	if ((b = changed_fields(before, before != NULL ? after : NULL)) ==
	    NULL || (a = changed_fields(after, before)) == NULL ||
	    (bs = cJSON_PrintUnformatted(b)) == NULL ||
	    (as = cJSON_PrintUnformatted(a)) == NULL)
		goto out;
	st = db_prep(db, "INSERT INTO audit_log (at, actor_user_id, action, "
	    "subject, detail, before_json, after_json) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)");
	db_bind_int64(st, 1, now);
	if (actor > 0)
		db_bind_int64(st, 2, actor);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, action);
	db_bind_text(st, 4, subject != NULL ? subject : "");
	db_bind_text(st, 5, detail != NULL ? detail : "");
	db_bind_text(st, 6, bs);
	db_bind_text(st, 7, as);
	e = db_run(st);
out:
	cJSON_free(bs);
	cJSON_free(as);
	cJSON_Delete(b);
	cJSON_Delete(a);
	return e;
}

enum err
audit_record_commit(struct db *db, int64_t actor, const char *action,
    const char *kind, int64_t id, const struct cJSON *before,
    audit_snapshot_fn *snapshot, int64_t now)
{
	enum err e = audit_write_record(db, actor, action, kind, id, before,
	    snapshot, now);

	return e != ERR_OK ? e : db_commit(db);
}
