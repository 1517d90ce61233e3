/* admin: a course's cover image (POST /admin/courses/<id>/cover, the one
 * multipart route, flagged R_UPLOAD; nginx allows its bigger body in that
 * location only).  The file is judged by its bytes; nothing is stored
 * until it passes, and a file stored for a change that then fails is
 * removed again. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "course_admin.h"
#include "cover.h"
#include "form_page.h"
#include "user.h"

static const char *const cover_refill[] = { "cover_alt", NULL };

/* Returns the file part called name, or NULL. */
static const struct multipart_part *
file_part(const struct req *rq, const char *name)
{
	for (size_t i = 0; i < rq->files.n; i++)
		if (strcmp(rq->files.v[i].name, name) == 0)
			return &rq->files.v[i];
	return NULL;
}

/* Shows the course page again with the cover form's error. */
static enum err
refuse(struct req *rq, struct resp *rs, int status, const char *message)
{
	enum err e;

	if ((e = form_error(rs, "cover", message)) != ERR_OK)
		return e;
	return course_page(rq, rs, rq->id, status, 0, cover_refill);
}

/* Returns the course page's address, arena. */
static char *
course_url(struct req *rq)
{
	return arena_printf(rq->arena, "/admin/courses/%lld#cover",
	    (long long)rq->id);
}

/* POST /admin/courses/<id>/cover: cover (a file), cover_alt. */
enum err
h_cover_upload(struct req *rq, struct resp *rs)
{
	const struct multipart_part *p = file_part(rq, "cover");
	const char *alt = field_str(rq, "cover_alt"), *path;
	int created;
	enum err e;

	if (p == NULL || p->len == 0)
		return refuse(rq, rs, 400, "Choose an image file.");
	if (p->len > COVER_MAX_BYTES)
		return refuse(rq, rs, 413, "The image is larger than 2 MiB; "
		    "make it smaller and try again.");
	if (cover_sniff((const unsigned char *)p->data, p->len) == NULL)
		return refuse(rq, rs, 415, "That file is not a PNG, JPEG or "
		    "WebP image.");
	if (alt == NULL) {
		if ((e = form_error(rs, "cover_alt", "Describe the picture in "
		    "a few words, for those who cannot see it.")) != ERR_OK)
			return e;
		return course_page(rq, rs, rq->id, 400, 0, cover_refill);
	}
	if ((e = cover_store(rq->arena, rq->w->cfg.media_dir,
	    (const unsigned char *)p->data, p->len, &path, &created)) !=
	    ERR_OK)
		return e;
	if ((e = course_admin_set_cover(rq->w->db, rq->user->id, rq->id, path,
	    alt, time(NULL))) != ERR_OK) {
		if (created)
			cover_unstore(rq->w->cfg.media_dir, path);
		return e;
	}
	return resp_flash_redirect(rq, rs, course_url(rq), "The cover is "
	    "saved.");
}

/* POST /admin/courses/<id>/cover/remove: the course shows no cover (the
 * file stays: another course may show the same image). */
enum err
h_cover_remove(struct req *rq, struct resp *rs)
{
	enum err e;

	if ((e = course_admin_set_cover(rq->w->db, rq->user->id, rq->id, NULL,
	    NULL, time(NULL))) != ERR_OK)
		return e;
	return resp_flash_redirect(rq, rs, course_url(rq), "The cover is "
	    "removed.");
}

const struct field cover_fields[] = {
	{ "cover_alt", F_LINE, COVER_ALT_MAX },
	{ NULL, 0, 0 },
};
