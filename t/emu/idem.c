/* Idempotency keys as Stripe keeps them: the first response to a POST
 * with a key is saved (status and body) once the endpoint has begun to
 * run, and replayed for a retry with the same method, path and body; the
 * same key with other parameters or another endpoint is an error. */
#include <stdio.h>
#include <string.h>

#include "emu.h"

enum err
emu_idem_lookup(struct emu *e, struct ereq *rq, struct emu_idem *out)
{
	struct db_stmt *st;
	enum err err;
	const char *m, *p, *b;

	memset(out, 0, sizeof(*out));
	st = db_prep(e->db, "SELECT method, path, body, status, response,"
	    " request_id FROM idempotency_keys WHERE key = ?");
	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, rq->idem_key);
	if ((err = db_next(st)) != ERR_OK) {
		db_done(st);
		return err == ERR_NOTFOUND ? ERR_OK : err;
	}
	m = db_col_text(st, 0);
	p = db_col_text(st, 1);
	b = db_col_text(st, 2);
	out->found = 1;
	if (strcmp(m, rq->method) != 0 || strcmp(p, rq->path) != 0) {
		out->mismatch = 2;
		out->first = arena_alloc(rq->a, strlen(m) + strlen(p) + 2);
		if (out->first != NULL)
			sprintf(out->first, "%s %s", m, p);
	} else if (strlen(b) != rq->body_len ||
	    memcmp(b, rq->body, rq->body_len) != 0)
		out->mismatch = 1;
	out->status = (int)db_col_int64(st, 3);
	out->body = db_col_text_dup(rq->a, st, 4);
	out->request_id = db_col_text_dup(rq->a, st, 5);
	db_done(st);
	return out->body != NULL && out->request_id != NULL ? ERR_OK :
	    ERR_INTERNAL;
}

enum err
emu_idem_save(struct emu *e, struct ereq *rq, int status, const char *body)
{
	struct db_stmt *st;

	st = db_prep(e->db, "INSERT INTO idempotency_keys (key, method, path,"
	    " body, status, response, request_id, created)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, rq->idem_key);
	db_bind_text(st, 2, rq->method);
	db_bind_text(st, 3, rq->path);
	db_bind_textn(st, 4, rq->body, rq->body_len);
	db_bind_int64(st, 5, status);
	db_bind_text(st, 6, body);
	db_bind_text(st, 7, rq->request_id);
	db_bind_int64(st, 8, emu_now(e));
	return db_run(st);
}
