/* The PostgreSQL engine behind lib/db.c, through libpq.
 *
 * Statements keep the SQL text the SQLite engine runs: ?, ?N and :name
 * become $N here, once, when a statement is first prepared on a connection.  A
 * statement is prepared on the server (PQprepare) at its first execution,
 * with the parameters' types left to the server; the few whose type
 * nothing in the text decides are prepared again with the types of the
 * values bound (a 64-bit integer, or text).  Results come back as text;
 * a boolean column reads as 1 or 0, as SQLite gives it.
 *
 * Writers take turns, as on SQLite.  The store's invariants (a coupon's
 * uses, one enrollment per person and course, one open Checkout Session
 * per order, seats, cohort places, each event applied once) were written
 * as read-check-write transactions that rely on SQLite's single writer.
 * Here every write transaction, and every row-changing statement run
 * outside one, first takes one transaction-scoped advisory lock, so those
 * transactions run one at a time across every host and every worker, each
 * statement reading the rows the previous writer committed (READ
 * COMMITTED takes a fresh snapshot per statement, after the lock).
 * Readers never wait.  A lock waited for past 5 s, a serialization
 * failure, a deadlock or a lost connection is ERR_BUSY: the request
 * answers 503 and the client (Stripe, a browser) retries, as with a busy
 * SQLite.
 *
 * SQLite lets a transaction go on after a statement fails (a constraint
 * the code handles); PostgreSQL aborts the whole transaction.  So a
 * row-changing statement inside a transaction runs under a savepoint and
 * a failure rolls back only that statement.  SAVEPOINT, the statement and
 * RELEASE go in one round trip (pipeline mode): a transaction of 20
 * writes took 1.2 ms with three round trips each, 0.65 ms so. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "db_backend.h"
#include "log.h"

/* Type oids from PostgreSQL's catalog (pg_type.dat); stable. */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_TEXT 25

/* The advisory lock keys: writers' turn, and migrations.  Any constant
 * works as long as nothing else in the database uses it. */
#define LOCK_WRITERS "7306140001"
#define LOCK_MIGRATE 7306140002LL

struct pg_db {
	struct db base;		/* first: a struct db * is a struct pg_db * */
	PGconn *conn;
	unsigned generation;	/* bumped on reconnect: statements re-prepare */
	unsigned names;		/* prepared statement names handed out */
	int changes;		/* rows changed by the last write */
};

enum pg_type { PT_NULL, PT_INT, PT_TEXT };

struct pg_stmt {
	struct db_stmt base;
	struct pg_db *db;
	char *sql;		/* with $N placeholders */
	char name[24];		/* the server-side prepared statement */
	unsigned prepared;	/* generation it was prepared in; 0 never */
	int nparams;
	int writes;		/* changes rows: takes the writers' turn */
	char **vals;		/* bound values (owned), NULL for SQL NULL */
	int *lens;
	enum pg_type *types;
	PGresult *res;		/* rows of the current execution, or NULL */
	int row;		/* current row of res */
};

#define PDB(d) ((struct pg_db *)(void *)(d))
#define PST(s) ((struct pg_stmt *)(void *)(s))

/* libpq prints NOTICEs on stderr ("relation exists, skipping"): not ours
 * to show. */
static void
quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Maps a failed result's SQLSTATE: integrity violations (class 23) are
 * ERR_CONFLICT; a serialization failure, deadlock, lock timeout or lost
 * connection ERR_BUSY; the rest ERR_INTERNAL, logged with the message. */
static enum err
map_result(struct pg_db *p, const PGresult *r, const char *what)
{
	const char *state = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (state != NULL && strncmp(state, "23", 2) == 0)
		return ERR_CONFLICT;
	if (PQstatus(p->conn) != CONNECTION_OK || (state != NULL &&
	    (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0))) {
		log_error(NULL, "db: busy (%s): %s", state != NULL ? state :
		    "connection", what);
		if (p->base.busy_count != NULL)
			__atomic_fetch_add(p->base.busy_count, 1,
			    __ATOMIC_RELAXED);
		return ERR_BUSY;
	}
	log_error(NULL, "db: %s: %s", what, r != NULL ?
	    PQresultErrorMessage(r) : PQerrorMessage(p->conn));
	return ERR_INTERNAL;
}

/* Runs trusted constant SQL without parameters (one or more statements). */
static enum err
simple(struct pg_db *p, const char *sql)
{
	PGresult *r = PQexec(p->conn, sql);
	ExecStatusType s = PQresultStatus(r);
	enum err e = ERR_OK;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		e = map_result(p, r, sql);
	PQclear(r);
	return e;
}

/* What every connection sets when it opens: a lock waited for past 5 s
 * is ERR_BUSY, as SQLite's busy wait; times are UTC. */
#define SESSION_SETUP "SET lock_timeout = '5s'; SET TIME ZONE 'UTC'"

/* Reconnects a connection the server dropped (a restart, a failover);
 * every statement then prepares again.  Returns 0 when connected. */
static int
ensure_connected(struct pg_db *p)
{
	if (PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK)
		return -1;
	p->generation++;
	return simple(p, SESSION_SETUP) == ERR_OK ? 0 : -1;
}

static void pg_close(struct db *db);

static struct db *
pg_open(const char *uri)
{
	struct pg_db *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->generation = 1;
	p->conn = PQconnectdb(uri);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		/* The message names host and port, never the password. */
		log_error(NULL, "db: PostgreSQL: %s", PQerrorMessage(p->conn));
		pg_close(&p->base);
		return NULL;
	}
	PQsetNoticeProcessor(p->conn, quiet_notices, NULL);
	if (simple(p, SESSION_SETUP) != ERR_OK) {
		pg_close(&p->base);
		return NULL;
	}
	return &p->base;
}

static void
pg_close(struct db *db)
{
	PQfinish(PDB(db)->conn);
	free(db);
}

/* Returns 1 when the word at s (length n) is one of the row-changing
 * verbs. */
static int
is_write_verb(const char *s, size_t n)
{
	return (n == 6 && (strncasecmp(s, "insert", 6) == 0 ||
	    strncasecmp(s, "update", 6) == 0 || strncasecmp(s, "delete", 6) ==
	    0));
}

/* SQLite numbers a named parameter (:key) at its first appearance, as
 * the next unused number, and the same name again gets the same one. */
struct param_names {
	const char *at[32];	/* where each name starts in the SQL */
	size_t len[32];
	int num[32];
	int n;
};

static int
named_param(struct param_names *pn, const char *name, size_t len, int *next)
{
	for (int i = 0; i < pn->n; i++)
		if (pn->len[i] == len && memcmp(pn->at[i], name, len) == 0)
			return pn->num[i];
	if (pn->n == 32)
		return -1;
	pn->at[pn->n] = name;
	pn->len[pn->n] = len;
	pn->num[pn->n] = ++*next;
	return pn->num[pn->n++];
}

static int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Rewrites SQLite's ?, ?N and :name parameters as $N, outside quotes and
 * comments, into a new string (caller frees).  Sets *nparams to the
 * highest number and *writes when a row-changing verb appears.  Returns
 * NULL when out of memory or past 32 names. */
static char *
translate(const char *sql, int *nparams, int *writes)
{
	size_t n = strlen(sql), o = 0;
	char *out = malloc(n * 4 + 1);
	const char *p = sql, *w;
	struct param_names pn = { .n = 0 };
	int next = 0, k;

	*nparams = 0;
	*writes = 0;
	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			out[o++] = *p++;
			while (*p != '\0' && *p != q)
				out[o++] = *p++;
			if (*p != '\0')
				out[o++] = *p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p != '\0' && *p != '\n')
				out[o++] = *p++;
		} else if (p[0] == ':' && p[1] == ':') {	/* a cast */
			out[o++] = *p++;
			out[o++] = *p++;
		} else if (*p == '?' || (*p == ':' && is_word(p[1]))) {
			if (*p++ == ':') {
				for (w = p; is_word(*p); p++)
					;
				k = named_param(&pn, w, (size_t)(p - w),
				    &next);
				if (k < 0) {
					free(out);
					return NULL;
				}
			} else if (*p >= '0' && *p <= '9') {
				for (k = 0; *p >= '0' && *p <= '9'; p++)
					k = k * 10 + (*p - '0');
			} else {
				k = next + 1;
			}
			if (k > next)
				next = k;
			o += (size_t)sprintf(out + o, "$%d", k);
		} else if (is_word(*p) && !(*p >= '0' && *p <= '9')) {
			for (w = p; is_word(*p); p++)
				out[o++] = *p;
			if (is_write_verb(w, (size_t)(p - w)))
				*writes = 1;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	*nparams = next;
	return out;
}

static struct db_stmt *
pg_prepare(struct db *db, const char *sql)
{
	struct pg_stmt *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->base.ops = &db_pg_ops;
	st->db = PDB(db);
	if ((st->sql = translate(sql, &st->nparams, &st->writes)) == NULL)
		goto fail;
	snprintf(st->name, sizeof(st->name), "e%u", ++PDB(db)->names);
	if (st->nparams > 0 &&
	    ((st->vals = calloc((size_t)st->nparams, sizeof(*st->vals))) ==
	    NULL || (st->lens = calloc((size_t)st->nparams,
	    sizeof(*st->lens))) == NULL || (st->types =
	    calloc((size_t)st->nparams, sizeof(*st->types))) == NULL))
		goto fail;
	return &st->base;
fail:
	log_error(NULL, "db: prepare: out of memory");
	free(st->vals);
	free(st->lens);
	free(st->types);
	free(st->sql);
	free(st);
	return NULL;
}

static void pg_done(struct db_stmt *st);

static void
pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = PST(st);

	pg_done(st);
	free(s->vals);
	free(s->lens);
	free(s->types);
	free(s->sql);
	free(s);
}

/* Stores a copy of value n bytes long (NULL for SQL NULL) at idx. */
static void
bind_value(struct pg_stmt *s, int idx, const char *v, size_t n,
    enum pg_type t)
{
	char *copy = NULL;

	if (idx < 1 || idx > s->nparams)
		return;
	if (v != NULL) {
		if ((copy = malloc(n + 1)) == NULL) {
			log_error(NULL, "db: bind: out of memory");
			return;
		}
		memcpy(copy, v, n);
		copy[n] = '\0';
	}
	free(s->vals[idx - 1]);
	s->vals[idx - 1] = copy;
	s->lens[idx - 1] = (int)n;
	s->types[idx - 1] = t;
}

static void
pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", (long long)v);

	bind_value(PST(st), idx, num, (size_t)n, PT_INT);
}

static void
pg_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
	bind_value(PST(st), idx, s, n, PT_TEXT);
}

static void
pg_bind_null(struct db_stmt *st, int idx)
{
	bind_value(PST(st), idx, NULL, 0, PT_NULL);
}

/* Prepares s on the server.  Left to itself the server decides each
 * parameter's type from the text around it; where nothing does ("?1 IS
 * NULL" alone, "?1 = ''") or the text gives two ("?1" both an integer
 * and a bigint), the server names the parameter and the value bound now
 * decides it (a 64-bit integer, else text), one at a time so
 * that the others keep the types their context gives. */
static int in_transaction(struct pg_db *p);

static enum err
server_prepare(struct pg_stmt *s)
{
	Oid types[s->nparams > 0 ? s->nparams : 1];
	PGresult *r;
	const char *state, *msg;
	enum err e = ERR_OK;
	/* A failed PREPARE aborts the transaction it is in: try under a
	 * savepoint (once per statement and connection). */
	int sp = in_transaction(s->db);
	int k;

	if (sp && (e = simple(s->db, "SAVEPOINT enroll_prep")) != ERR_OK)
		return e;
	memset(types, 0, sizeof(types));
	for (int tries = 0; ; tries++) {
		r = PQprepare(s->db->conn, s->name, s->sql, s->nparams, types);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			break;
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		if (tries < s->nparams && state != NULL &&
		    (strcmp(state, "42P18") == 0 ||
		    strcmp(state, "42P08") == 0) && msg != NULL &&
		    (msg = strchr(msg, '$')) != NULL &&
		    (k = atoi(msg + 1)) >= 1 && k <= s->nparams &&
		    types[k - 1] == 0) {
			types[k - 1] = s->types[k - 1] == PT_INT ? OID_INT8 :
			    OID_TEXT;
			PQclear(r);
			if (sp && simple(s->db, "ROLLBACK TO SAVEPOINT "
			    "enroll_prep") != ERR_OK)
				return ERR_INTERNAL;
			continue;
		}
		e = map_result(s->db, r, s->sql);
		break;
	}
	PQclear(r);
	if (sp)
		simple(s->db, e == ERR_OK ? "RELEASE SAVEPOINT enroll_prep" :
		    "ROLLBACK TO SAVEPOINT enroll_prep; "
		    "RELEASE SAVEPOINT enroll_prep");
	if (e == ERR_OK)
		s->prepared = s->db->generation;
	return e;
}

static int
in_transaction(struct pg_db *p)
{
	PGTransactionStatusType t = PQtransactionStatus(p->conn);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
	    t == PQTRANS_ACTIVE;
}

static int connection_lost(struct pg_db *p);

/* BEGIN and the writers' turn, in one round trip when the lock is free;
 * else the wait is counted (the busy counter, as SQLite's busy waits are)
 * and lasts until the lock is had or lock_timeout passes. */
static enum err
begin_and_take_turn(struct pg_db *p)
{
	PGresult *r = PQexec(p->conn, "BEGIN; SELECT "
	    "pg_try_advisory_xact_lock(" LOCK_WRITERS ")");
	int free = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    PQgetvalue(r, 0, 0)[0] == 't';
	enum err e = ERR_OK;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		e = map_result(p, r, "writers' lock");
	PQclear(r);
	if (e != ERR_OK || free)
		return e;
	if (p->base.busy_count != NULL)
		__atomic_fetch_add(p->base.busy_count, 1, __ATOMIC_RELAXED);
	return simple(p, "SELECT pg_advisory_xact_lock(" LOCK_WRITERS ")");
}

/* BEGIN, then the writers' turn (see the top of this file).  Nothing has
 * run yet, so on a connection the server dropped it begins on a new one. */
static enum err
begin_writing(struct pg_db *p)
{
	enum err e = begin_and_take_turn(p);

	if (e == ERR_BUSY && connection_lost(p) && ensure_connected(p) == 0)
		e = begin_and_take_turn(p);
	if (e != ERR_OK)
		simple(p, "ROLLBACK");
	return e;
}

/* Runs s, a write inside a transaction, between SAVEPOINT and RELEASE
 * sent together in one round trip (libpq's pipeline mode): s->res is the
 * statement's result, failed or not.  ERR_OK when the exchange itself
 * worked; the savepoint is then released, or still there when the
 * statement failed. */
static enum err
run_in_savepoint(struct pg_stmt *s)
{
	PGconn *c = s->db->conn;
	PGresult *r, *mine = NULL;
	int got = 0, ok = 1, sent, synced = 0;

	if (PQenterPipelineMode(c) != 1 ||
	    PQsendQueryParams(c, "SAVEPOINT enroll_stmt", 0, NULL, NULL, NULL,
	    NULL, 0) != 1 ||
	    PQsendQueryPrepared(c, s->name, s->nparams,
	    (const char *const *)s->vals, s->lens, NULL, 0) != 1 ||
	    PQsendQueryParams(c, "RELEASE SAVEPOINT enroll_stmt", 0, NULL,
	    NULL, NULL, NULL, 0) != 1 || PQpipelineSync(c) != 1)
		ok = 0;
	sent = ok;
	/* Three results (a NULL after each), then the sync; a query after
	 * a failed one answers PGRES_PIPELINE_ABORTED. */
	for (int calls = 0; sent && calls < 16; calls++) {
		if ((r = PQgetResult(c)) == NULL) {
			if (PQstatus(c) != CONNECTION_OK)
				break;
			continue;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			synced = 1;
			break;
		}
		if (got == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
			ok = 0;		/* no savepoint: nothing to go back to */
		if (got++ == 1)
			mine = r;
		else
			PQclear(r);
	}
	if (!synced)
		ok = 0;
	PQexitPipelineMode(c);
	if (!ok || mine == NULL) {
		PQclear(mine);
		s->res = NULL;
		return map_result(s->db, NULL, "savepoint");
	}
	s->res = mine;
	return ERR_OK;
}

/* Executes s with its bound values into s->res. */
static enum err
execute_once(struct pg_stmt *s)
{
	struct pg_db *p = s->db;
	ExecStatusType status;
	int own_tx = 0, savepoint = 0;
	enum err e;

	if (ensure_connected(p) != 0)
		return map_result(p, NULL, "connect");
	if (s->writes && !in_transaction(p)) {
		if ((e = begin_writing(p)) != ERR_OK)
			return e;
		own_tx = 1;
	}
	if (s->prepared != p->generation && (e = server_prepare(s)) != ERR_OK)
		goto out;
	if (s->writes && !own_tx) {
		savepoint = 1;
		if ((e = run_in_savepoint(s)) != ERR_OK)
			goto out;
	} else {
		s->res = PQexecPrepared(p->conn, s->name, s->nparams,
		    (const char *const *)s->vals, s->lens, NULL, 0);
	}
	status = PQresultStatus(s->res);
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
		e = ERR_OK;
		if (s->writes)
			p->changes = atoi(PQcmdTuples(s->res));
	} else {
		e = map_result(p, s->res, s->sql);
		PQclear(s->res);
		s->res = NULL;
	}
	/* The pipeline released the savepoint unless the statement failed. */
	if (savepoint && e != ERR_OK && simple(p, "ROLLBACK TO SAVEPOINT "
	    "enroll_stmt; RELEASE SAVEPOINT enroll_stmt") != ERR_OK)
		e = ERR_INTERNAL;
out:
	if (own_tx) {
		enum err c = simple(p, e == ERR_OK ? "COMMIT" : "ROLLBACK");

		if (e == ERR_OK && c != ERR_OK) {
			e = c;
			PQclear(s->res);
			s->res = NULL;
		}
	}
	s->row = -1;
	return e;
}

/* Returns 1 when the server went away (a restart, a failover): nothing of
 * the statement can have run after that. */
static int
connection_lost(struct pg_db *p)
{
	return PQstatus(p->conn) != CONNECTION_OK;
}

/* A read outside a transaction on a connection the server dropped is
 * tried once more on a new connection: after a restart of PostgreSQL
 * each worker's first request is answered, not refused.  A write is not
 * (it may have been committed before the connection went): ERR_BUSY, and
 * the client retries. */
static enum err
execute(struct pg_stmt *s)
{
	int alone = !in_transaction(s->db);
	enum err e = execute_once(s);

	if (e == ERR_BUSY && alone && !s->writes && connection_lost(s->db) &&
	    ensure_connected(s->db) == 0)
		e = execute_once(s);
	return e;
}

static enum err
pg_next(struct db_stmt *st)
{
	struct pg_stmt *s = PST(st);
	enum err e;

	if (s->res == NULL && (e = execute(s)) != ERR_OK)
		return e;
	if (s->row + 1 >= PQntuples(s->res)) {
		s->row = PQntuples(s->res);
		return ERR_NOTFOUND;
	}
	s->row++;
	return ERR_OK;
}

static void
pg_done(struct db_stmt *st)
{
	struct pg_stmt *s = PST(st);

	PQclear(s->res);
	s->res = NULL;
	for (int i = 0; i < s->nparams; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
		s->lens[i] = 0;
		s->types[i] = PT_NULL;
	}
}

static enum err
pg_run(struct db_stmt *st)
{
	enum err e = execute(PST(st));

	pg_done(st);
	return e;
}

/* The current row's value of col, or NULL when there is none. */
static const char *
value(struct pg_stmt *s, int col)
{
	if (s->res == NULL || s->row < 0 || s->row >= PQntuples(s->res) ||
	    col < 0 || col >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int
is_bool(struct pg_stmt *s, int col)
{
	return PQftype(s->res, col) == OID_BOOL;
}

static int64_t
pg_col_int64(struct db_stmt *st, int col)
{
	const char *v = value(PST(st), col);

	if (v == NULL)
		return 0;
	if (is_bool(PST(st), col))
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static int
pg_col_is_null(struct db_stmt *st, int col)
{
	return value(PST(st), col) == NULL;
}

static const char *
pg_col_text(struct db_stmt *st, int col)
{
	const char *v = value(PST(st), col);

	if (v == NULL)
		return "";
	if (is_bool(PST(st), col))
		return v[0] == 't' ? "1" : "0";
	return v;
}

static size_t
pg_col_bytes(struct db_stmt *st, int col)
{
	return strlen(pg_col_text(st, col));
}

static int
pg_col_count(struct db_stmt *st)
{
	return PST(st)->res != NULL ? PQnfields(PST(st)->res) : 0;
}

static const char *
pg_col_name(struct db_stmt *st, int col)
{
	const char *n = PST(st)->res != NULL ?
	    PQfname(PST(st)->res, col) : NULL;

	return n != NULL ? n : "";
}

static enum err
pg_exec(struct db *db, const char *sql)
{
	if (ensure_connected(PDB(db)) != 0)
		return map_result(PDB(db), NULL, "connect");
	return simple(PDB(db), sql);
}

static enum err
pg_begin(struct db *db)
{
	struct pg_db *p = PDB(db);

	if (ensure_connected(p) != 0)
		return map_result(p, NULL, "connect");
	return begin_writing(p);
}

static void pg_rollback(struct db *db);

static enum err
pg_commit(struct db *db)
{
	enum err e = simple(PDB(db), "COMMIT");

	if (e != ERR_OK)
		pg_rollback(db);
	return e;
}

static void
pg_rollback(struct db *db)
{
	if (in_transaction(PDB(db)))
		simple(PDB(db), "ROLLBACK");
}

static int
pg_in_transaction(struct db *db)
{
	return in_transaction(PDB(db));
}

static int
pg_changes(struct db *db)
{
	return PDB(db)->changes;
}

/* Watching row changes is SQLite's preupdate hook, for tests; nothing
 * here. */
static void
pg_watch(struct db *db, db_watch_fn fn, void *arg)
{
	(void)db;
	(void)fn;
	(void)arg;
}

#define MIGRATIONS_TABLE "CREATE TABLE IF NOT EXISTS schema_migrations (" \
	"version BIGINT PRIMARY KEY, name TEXT NOT NULL, " \
	"applied_at BIGINT NOT NULL)"

static int
pg_schema_version(struct db *db)
{
	struct pg_db *p = PDB(db);
	PGresult *r;
	int v = -1;

	if (ensure_connected(p) != 0)
		return -1;
	r = PQexec(p->conn, "SELECT CASE WHEN to_regclass('schema_migrations') "
	    "IS NULL THEN 0 ELSE -1 END");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (v != -1)
		return v;
	r = PQexec(p->conn, "SELECT coalesce(max(version), 0) "
	    "FROM schema_migrations");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* Applies one migration file in one transaction (PostgreSQL's DDL is
 * transactional) and records it in schema_migrations. */
static enum err
pg_migration_apply(struct db *db, const char *name, const char *sql,
    int version)
{
	struct pg_db *p = PDB(db);
	const char *vals[2];
	char num[16];
	PGresult *r;
	enum err e;

	snprintf(num, sizeof(num), "%d", version);
	vals[0] = num;
	vals[1] = name;
	if ((e = simple(p, "BEGIN; " MIGRATIONS_TABLE)) != ERR_OK ||
	    (e = simple(p, sql)) != ERR_OK)
		goto fail;
	r = PQexecParams(p->conn, "INSERT INTO schema_migrations (version, "
	    "name, applied_at) VALUES ($1, $2, "
	    "extract(epoch FROM now())::bigint)", 2, NULL, vals, NULL, NULL,
	    0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		e = map_result(p, r, "record migration");
	PQclear(r);
	if (e != ERR_OK || (e = simple(p, "COMMIT")) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	log_error(NULL, "db: migration %s failed", name);
	pg_rollback(db);
	return e;
}

/* Hosts that migrate at once take turns: the second finds the work done. */
static enum err
pg_migration_lock(struct db *db, int lock)
{
	char sql[80];

	snprintf(sql, sizeof(sql), "SELECT pg_advisory_%slock(%lld)",
	    lock ? "" : "un", LOCK_MIGRATE);
	return simple(PDB(db), sql);
}

static enum err
pg_backup_to(struct db *db, const char *path)
{
	(void)db;
	log_error(NULL, "db: %s: a PostgreSQL store is backed up with "
	    "pg_dump (README, Backups)", path);
	return ERR_INVALID;
}

const struct db_ops db_pg_ops = {
	.kind = DB_POSTGRES,
	.migrations = "pg/",
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_int64 = pg_bind_int64,
	.bind_textn = pg_bind_textn,
	.bind_null = pg_bind_null,
	.next = pg_next,
	.run = pg_run,
	.done = pg_done,
	.col_int64 = pg_col_int64,
	.col_is_null = pg_col_is_null,
	.col_text = pg_col_text,
	.col_bytes = pg_col_bytes,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_transaction = pg_in_transaction,
	.changes = pg_changes,
	.watch = pg_watch,
	.schema_version = pg_schema_version,
	.migration_apply = pg_migration_apply,
	.migration_lock = pg_migration_lock,
	.backup_to = pg_backup_to,
};
