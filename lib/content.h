/* Lesson bodies and course descriptions: instructors write CommonMark,
 * rendered to HTML by libcmark with its safe default (raw HTML is dropped
 * and javascript:, vbscript:, file: and non-image data: links are
 * emptied), so a hostile body cannot inject script.  HTML is rendered
 * once, when the text is saved, and stored beside it: pages send it as
 * is.  Text changed behind the store's back (SQL by hand, a migration) is
 * marked stale by a trigger and rendered again by content_render_stale()
 * (enrollctl migrate and seed-demo), or for one request by the page that
 * meets it. */
#ifndef ENROLL_CONTENT_H
#define ENROLL_CONTENT_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

/* Returns the HTML of markdown (NULL is taken as ""), in the arena; NULL
 * when out of memory.  The result is safe to send unescaped. */
char *content_html(struct arena *a, const char *markdown);

/* Sets *html to the HTML of lesson_id's body (arena): the stored one, or
 * when it is stale, rendered for this request.  Ask access.h first: this
 * is the only way a lesson's body reaches a page.  ERR_NOTFOUND when there
 * is no such lesson. */
enum err content_lesson_html(struct db *db, struct arena *a,
    int64_t lesson_id, const char **html);

/* The same for course_id's description. */
enum err content_description_html(struct db *db, struct arena *a,
    int64_t course_id, const char **html);

/* Renders every stale lesson body and course description and stores the
 * HTML, in one transaction; *n counts the rows rendered (may be NULL). */
enum err content_render_stale(struct db *db, int *n);

/* Saves a lesson's body with its HTML.  ERR_NOTFOUND when there is no
 * such lesson. */
enum err content_set_lesson_body(struct db *db, int64_t lesson_id,
    const char *markdown);

/* Saves a course's description with its HTML.  ERR_NOTFOUND when there
 * is no such course. */
enum err content_set_description(struct db *db, int64_t course_id,
    const char *markdown);

#endif
