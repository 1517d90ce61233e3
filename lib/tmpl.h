/* Server-side HTML templates: a Jinja2 subset rendered from a cJSON
 * context.  A worker compiles its set once (tmpl_set_load_embedded) and
 * renders it for every request; rendering never parses and never changes
 * the set, and every {{ value }} is HTML-escaped unless its last filter is
 * `raw`.  The syntax is summarised at the top of tmpl.c. */
#ifndef ENROLL_TMPL_H
#define ENROLL_TMPL_H

#include "err.h"

struct buf;
struct cJSON;
struct tmpl_set;

/* Limits that keep a hostile or broken template from exhausting the stack;
 * a template over one of them fails to compile. */
#define TMPL_MAX_NEST	32	/* nested if/for/block tags in one file */
#define TMPL_MAX_EXPR	32	/* depth of one expression's tree */
#define TMPL_MAX_LINKS	16	/* chain of extends/include from one page */
#define TMPL_MAX_SIZE	(1024 * 1024)	/* bytes of one template source */

/* Returns a new, empty set, or NULL when out of memory; the caller frees
 * it with tmpl_set_free(). */
struct tmpl_set *tmpl_set_new(void);

/* Adds a template called name (e.g. "cart/catalog.html") with source src.
 * Both strings are copied.  The set must be compiled again before it is
 * rendered.  Returns ERR_OK, ERR_CONFLICT when name is already in the set,
 * ERR_TOOLARGE when src is over TMPL_MAX_SIZE, or ERR_INTERNAL when out of
 * memory. */
enum err tmpl_set_add(struct tmpl_set *set, const char *name,
    const char *src);

/* Parses every template and resolves extends and include targets.  Returns
 * ERR_OK, or ERR_INVALID with "name:line: message" appended to errmsg
 * (which may be NULL) for the first error found: unknown tag or filter,
 * unclosed or stray block, bad expression, missing extends/include target,
 * an extends/include cycle, or a limit above exceeded.  ERR_INTERNAL when
 * out of memory.  After an error the set cannot be rendered. */
enum err tmpl_set_compile(struct tmpl_set *set, struct buf *errmsg);

/* Stores in *out a new set holding every template compiled into the
 * binary (build/gen/embedded.h), compiled; the caller frees it with
 * tmpl_set_free().  On error *out is NULL and the return value and errmsg
 * are those of tmpl_set_compile(). */
enum err tmpl_set_load_embedded(struct tmpl_set **out, struct buf *errmsg);

/* Renders template name of a compiled set with ctx (a cJSON object, or
 * NULL for none), appending HTML to out.  Returns ERR_OK; ERR_NOTFOUND for
 * an unknown name; ERR_INVALID when a value does not suit its filter (a
 * non-money value for `money`, a non-date for `date`) or the set is not
 * compiled; ERR_INTERNAL when out of memory.  On error out holds partial
 * output that must not be sent.  The set is only read: one compiled set
 * may be rendered by many threads at once. */
enum err tmpl_render(const struct tmpl_set *set, const char *name,
    const struct cJSON *ctx, struct buf *out);

/* Returns 1 when the set holds a template called name, else 0. */
int tmpl_exists(const struct tmpl_set *set, const char *name);

/* Frees the set and everything compiled from it.  NULL is a no-op. */
void tmpl_set_free(struct tmpl_set *set);

#endif
