/* Seats given to a list of addresses (see seat_bulk.h): reading the
 * list, the preview, and the one transaction that gives them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "buf.h"
#include "db.h"
#include "seat_bulk.h"
#include "seat_step.h"
#include "user.h"

/* The addresses as read, before any check. */
struct tokens {
	const char **v;
	size_t n, cap;
};

static int
tokens_init(struct arena *a, struct tokens *t, size_t cap)
{
	t->n = 0;
	t->cap = cap;
	return (t->v = arena_alloc(a, (cap + 1) * sizeof(*t->v))) != NULL;
}

/* FNV-1a of s: the slot of an address in the set of those seen. */
static size_t
hash_of(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Turns the tokens into b's rows: each address normalised, an invalid
 * one and a repeat marked, the others waiting for their check. */
static enum err
rows_of(struct arena *a, const struct tokens *t, struct seat_bulk *b)
{
	const char **seen;
	size_t slots = 16, h;
	char *addr;

	memset(b, 0, sizeof(*b));
	b->n = t->n;
	if (t->n > SEAT_BULK_MAX)
		return ERR_TOOLARGE;
	while (slots < 2 * t->n)
		slots *= 2;
	if ((b->v = arena_alloc(a, (t->n + 1) * sizeof(*b->v))) == NULL ||
	    (seen = arena_alloc(a, slots * sizeof(*seen))) == NULL)
		return ERR_INTERNAL;
	memset(seen, 0, slots * sizeof(*seen));
	for (size_t i = 0; i < t->n; i++) {
		b->v[i].address = t->v[i];
		if ((addr = user_email_normalise(a, t->v[i])) == NULL) {
			b->v[i].outcome = SEAT_BAD_ADDRESS;
			continue;
		}
		b->v[i].address = addr;
		for (h = hash_of(addr) & (slots - 1); seen[h] != NULL &&
		    strcmp(seen[h], addr) != 0; h = (h + 1) & (slots - 1))
			;
		b->v[i].outcome = seen[h] != NULL ? SEAT_DUPLICATE :
		    SEAT_INVITED;	/* to be checked */
		seen[h] = addr;
	}
	return ERR_OK;
}

static int
is_separator(char c)
{
	return c == '\n' || c == '\r' || c == ',' || c == ';';
}

enum err
seat_bulk_text(struct arena *a, const char *text, struct seat_bulk *b)
{
	struct tokens t;
	const char *p, *q;
	size_t most = 1;

	memset(b, 0, sizeof(*b));
	if (text == NULL)
		text = "";
	for (p = text; *p != '\0'; p++)
		most += is_separator(*p);
	if (!tokens_init(a, &t, most))
		return ERR_INTERNAL;
	for (p = text; *p != '\0'; p = *q != '\0' ? q + 1 : q) {
		for (q = p; *q != '\0' && !is_separator(*q); q++)
			;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		if (p == q || strspn(p, " \t") == (size_t)(q - p))
			continue;
		if ((t.v[t.n++] = arena_strndup(a, p, (size_t)(q - p))) ==
		    NULL)
			return ERR_INTERNAL;
	}
	return rows_of(a, &t, b);
}

/* Reads the CSV field at *p (quoted or not) into the arena; *eor is set
 * when its record ends after it.  NULL: out of memory. */
static char *
csv_read(struct arena *a, const char **p, const char *end, int *eor)
{
	struct buf f = { 0 };
	const char *s = *p;
	char *out;

	if (s < end && *s == '"') {
		for (s++; s < end; s++) {
			if (*s == '"' && s + 1 < end && s[1] == '"')
				buf_putc(&f, *s++);
			else if (*s == '"') {
				s++;
				break;
			} else
				buf_putc(&f, *s);
		}
	}
	for (; s < end && *s != ',' && *s != '\n'; s++)
		if (*s != '\r' && *s != '"')
			buf_putc(&f, *s);
	*eor = s >= end || *s == '\n';
	*p = s < end ? s + 1 : s;
	out = f.oom ? NULL : arena_strndup(a, f.data != NULL ? f.data : "",
	    f.len);
	buf_free(&f);
	return out;
}

/* Trims the spaces around s in place; returns it. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

enum err
seat_bulk_csv(struct arena *a, const char *data, size_t n,
    struct seat_bulk *b)
{
	const char *p = data, *end = data + n;
	struct tokens t;
	size_t most = 1, col = 0, i;
	int eor, first = 1, header = 0;
	char *f, *pick;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < n; i++)
		most += data[i] == '\n';
	if (!tokens_init(a, &t, most))
		return ERR_INTERNAL;
	while (p < end) {
		pick = NULL;
		i = 0;
		do {
			if ((f = csv_read(a, &p, end, &eor)) == NULL)
				return ERR_INTERNAL;
			f = trim(f);
			if (first && strcasecmp(f, "email") == 0) {
				col = i;
				header = 1;
			}
			if (i++ == col)
				pick = f;
		} while (!eor);
		if (first && header) {
			first = 0;
			continue;
		}
		/* A first row with no address in it is a header too. */
		if (first && pick != NULL && strchr(pick, '@') == NULL) {
			first = 0;
			continue;
		}
		first = 0;
		if (pick != NULL && *pick != '\0' && t.n < t.cap)
			t.v[t.n++] = pick;
	}
	return rows_of(a, &t, b);
}

/* Counts b's rows per outcome. */
static void
recount(struct seat_bulk *b)
{
	memset(b->count, 0, sizeof(b->count));
	for (size_t i = 0; i < b->n; i++)
		b->count[b->v[i].outcome]++;
}

/* Whether row r of b still waits for its check. */
static int
waiting(const struct seat_bulk_row *r)
{
	return r->outcome == SEAT_INVITED || r->outcome == SEAT_GIVEN;
}

static enum err
free_seats(struct seat_step *s, int64_t *free)
{
	struct db_stmt *st = db_prep(s->db, "SELECT seats - held FROM "
	    "team_seats WHERE team_id = ? AND course_id = ?");
	enum err e;

	db_bind_int64(st, 1, s->team_id);
	db_bind_int64(st, 2, s->course_id);
	if ((e = db_next(st)) == ERR_OK)
		*free = db_col_int64(st, 0);
	db_done(st);
	return e;
}

enum err
seat_bulk_preview(struct db *db, int64_t actor, int64_t team_id,
    int64_t course_id, int64_t now, struct seat_bulk *b)
{
	struct seat_step s;
	int64_t user_id, left;
	enum err e;

	if ((e = seat_step_open(&s, db, actor, team_id, course_id, "",
	    now)) != ERR_OK || (e = free_seats(&s, &b->free)) != ERR_OK)
		return e;
	left = b->free;
	for (size_t i = 0; i < b->n; i++) {
		if (!waiting(&b->v[i]))
			continue;
		if ((e = seat_step_classify(&s, b->v[i].address,
		    &b->v[i].outcome, &user_id)) != ERR_OK)
			return e;
		if (waiting(&b->v[i]) && left-- <= 0)
			b->v[i].outcome = SEAT_NONE_LEFT;
	}
	recount(b);
	return ERR_OK;
}

/* The one audit row of a list given. */
static enum err
audit_bulk(struct seat_step *s, const struct seat_bulk *b)
{
	char subject[AUDIT_SUBJECT_MAX], detail[160];
	cJSON *after;
	enum err e = ERR_INTERNAL;

	audit_subject(subject, "team", s->team_id);
	snprintf(detail, sizeof(detail), "seats of course %lld to a list of "
	    "%zu: %lld given, %lld invited", (long long)s->course_id, b->n,
	    (long long)s->given, (long long)s->invited);
	if ((after = cJSON_CreateObject()) != NULL &&
	    cJSON_AddNumberToObject(after, "course_id",
	    (double)s->course_id) != NULL &&
	    cJSON_AddNumberToObject(after, "given", (double)s->given) !=
	    NULL && cJSON_AddNumberToObject(after, "invited",
	    (double)s->invited) != NULL)
		e = audit_write(s->db, s->actor, "seat.bulk", subject, NULL,
		    after, detail, s->now);
	cJSON_Delete(after);
	return e;
}

static enum err
assign_tx(struct seat_step *s, struct seat_bulk *b)
{
	int64_t user_id, id;
	enum err e;

	if ((e = free_seats(s, &b->free)) != ERR_OK)
		return e;
	for (size_t i = 0; i < b->n; i++) {
		if (!waiting(&b->v[i]))
			continue;
		if ((e = seat_step_classify(s, b->v[i].address,
		    &b->v[i].outcome, &user_id)) != ERR_OK)
			return e;
		if (waiting(&b->v[i]) && (e = seat_step_give(s,
		    b->v[i].address, user_id, &b->v[i].outcome, &id)) != ERR_OK)
			return e;
	}
	recount(b);
	if (s->given + s->invited == 0)
		return ERR_OK;
	return audit_bulk(s, b);
}

enum err
seat_bulk_assign(struct db *db, int64_t actor, int64_t team_id,
    int64_t course_id, const char *base_url, int64_t now,
    struct seat_bulk *b)
{
	struct seat_step s;
	enum err e;

	/* BEGIN IMMEDIATE (SQLite's one writer): what the checks read stays
	 * true until the commit; seat_take decides each seat anyway. */
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = seat_step_open(&s, db, actor, team_id, course_id, base_url,
	    now)) == ERR_OK)
		e = assign_tx(&s, b);
	if (e == ERR_OK && s.given + s.invited > 0)
		e = db_commit(db);
	else
		db_rollback(db);
	return e;
}

char *
seat_bulk_list(struct arena *a, const struct seat_bulk *b)
{
	struct buf out = { 0 };
	char *s;

	buf_puts(&out, "");
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].outcome == SEAT_BAD_ADDRESS ||
		    b->v[i].outcome == SEAT_DUPLICATE)
			continue;
		if (out.len > 0)
			buf_putc(&out, ',');
		buf_puts(&out, b->v[i].address);
	}
	s = out.oom ? NULL : arena_strndup(a, out.data, out.len);
	buf_free(&out);
	return s;
}
