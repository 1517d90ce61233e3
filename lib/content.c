/* CommonMark to stored HTML (see content.h).  libcmark is used with
 * CMARK_OPT_DEFAULT, which is its safe mode since 0.29 (CMARK_OPT_UNSAFE
 * would be needed to let raw HTML and dangerous links through), plus
 * CMARK_OPT_VALIDATE_UTF8 so that broken bytes become U+FFFD instead of
 * reaching the page. */
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "content.h"
#include "db.h"

#define CONTENT_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)
#define STALE_BATCH 64	/* rows rendered between two queries */

char *
content_html(struct arena *a, const char *markdown)
{
	const char *md = markdown != NULL ? markdown : "";
	char *html, *copy;

	/* cmark allocates with malloc and frees its own tree. */
	if ((html = cmark_markdown_to_html(md, strlen(md), CONTENT_OPTIONS)) ==
	    NULL)
		return NULL;
	copy = arena_strdup(a, html);
	free(html);
	return copy;
}

/* Runs select (?1 id; columns html, text) and sets *html to the stored
 * HTML, or the text rendered now when the HTML is stale. */
static enum err
stored_html(struct db *db, struct arena *a, const char *select, int64_t id,
    const char **html)
{
	struct db_stmt *st;
	enum err e;

	st = db_prep(db, select);
	db_bind_int64(st, 1, id);
	if ((e = db_next(st)) == ERR_OK) {
		*html = db_col_is_null(st, 0) ?
		    content_html(a, db_col_text(st, 1)) :
		    db_col_text_dup(a, st, 0);
		if (*html == NULL)
			e = ERR_INTERNAL;
	}
	db_done(st);
	return e;
}

enum err
content_lesson_html(struct db *db, struct arena *a, int64_t lesson_id,
    const char **html)
{
	return stored_html(db, a, "SELECT body_html, body FROM lessons "
	    "WHERE id = ?1", lesson_id, html);
}

enum err
content_description_html(struct db *db, struct arena *a, int64_t course_id,
    const char **html)
{
	return stored_html(db, a, "SELECT description_html, description "
	    "FROM courses WHERE id = ?1", course_id, html);
}

/* One kind of stale text: the SQL that finds a batch (id, text) and the
 * SQL that stores the HTML of one row (?1 html, ?2 id). */
struct stale_kind {
	const char *select;	/* up to ?1 rows whose HTML is NULL */
	const char *update;	/* sets the HTML of row ?2 to ?1 */
};

/* Each finds its rows by a scan: it runs after a migration or a seed, never
 * for a page. */
static const struct stale_kind kinds[] = {
	{ "SELECT id, body FROM lessons WHERE body_html IS NULL LIMIT ?1",
	  "UPDATE lessons SET body_html = ?1 WHERE id = ?2" },
	{ "SELECT id, description FROM courses WHERE description_html IS "
	    "NULL LIMIT ?1",
	  "UPDATE courses SET description_html = ?1 WHERE id = ?2" },
};

/* Renders one batch of kind k in the open transaction; *done counts the
 * rows rendered (0: none were stale). */
static enum err
render_batch(struct db *db, struct arena *a, const struct stale_kind *k,
    int *done)
{
	int64_t ids[STALE_BATCH];
	char *html[STALE_BATCH];
	struct db_stmt *st;
	int n = 0;
	enum err e;

	*done = 0;
	st = db_prep(db, k->select);
	db_bind_int64(st, 1, STALE_BATCH);
	while (n < STALE_BATCH && (e = db_next(st)) == ERR_OK) {
		ids[n] = db_col_int64(st, 0);
		if ((html[n++] = content_html(a, db_col_text(st, 1))) == NULL) {
			e = ERR_INTERNAL;
			break;
		}
	}
	db_done(st);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	for (int i = 0; i < n; i++) {
		st = db_prep(db, k->update);
		db_bind_text(st, 1, html[i]);
		db_bind_int64(st, 2, ids[i]);
		if ((e = db_run(st)) != ERR_OK)
			return e;
	}
	*done = n;
	return ERR_OK;
}

enum err
content_render_stale(struct db *db, int *n)
{
	struct arena *a;
	int done, total = 0;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_INTERNAL;
	if ((e = db_begin(db)) != ERR_OK)
		goto out;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		do {
			arena_reset(a);
			if ((e = render_batch(db, a, &kinds[k], &done)) !=
			    ERR_OK) {
				db_rollback(db);
				goto out;
			}
			total += done;
		} while (done > 0);
	}
	e = db_commit(db);
out:
	arena_free(a);
	if (n != NULL)
		*n = e == ERR_OK ? total : 0;
	return e;
}

/* Stores text and its HTML with update (?1 text, ?2 html, ?3 id). */
static enum err
save(struct db *db, const char *update, int64_t id, const char *markdown)
{
	struct db_stmt *st;
	struct arena *a;
	char *html;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_INTERNAL;
	if ((html = content_html(a, markdown)) == NULL) {
		arena_free(a);
		return ERR_INTERNAL;
	}
	st = db_prep(db, update);
	db_bind_text(st, 1, markdown != NULL ? markdown : "");
	db_bind_text(st, 2, html);
	db_bind_int64(st, 3, id);
	e = db_run(st);
	arena_free(a);
	if (e == ERR_OK && db_changes(db) == 0)
		return ERR_NOTFOUND;
	return e;
}

enum err
content_set_lesson_body(struct db *db, int64_t lesson_id,
    const char *markdown)
{
	return save(db, "UPDATE lessons SET body = ?1, body_html = ?2 "
	    "WHERE id = ?3", lesson_id, markdown);
}

enum err
content_set_description(struct db *db, int64_t course_id,
    const char *markdown)
{
	return save(db, "UPDATE courses SET description = ?1, "
	    "description_html = ?2 WHERE id = ?3", course_id, markdown);
}
