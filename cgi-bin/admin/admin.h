/* admin: the program of the admin's pages, one file per area (as cgit has
 * one ui-*.c per page): home.c (/admin/), users.c (people), and main.c
 * with the route table that joins them.  This header is what the files
 * share. */
#ifndef ENROLL_ADMIN_H
#define ENROLL_ADMIN_H

#include "app.h"
#include "field.h"

/* home.c */
enum err h_home(struct req *rq, struct resp *rs);

/* users.c */
enum err h_users(struct req *rq, struct resp *rs);
extern const struct field users_fields[];

/* courses.c, lessons.c, cover.c: courses, their lessons and covers */
enum err h_courses(struct req *rq, struct resp *rs);
enum err h_course_new(struct req *rq, struct resp *rs);
enum err h_course_create(struct req *rq, struct resp *rs);
enum err h_course(struct req *rq, struct resp *rs);
enum err h_course_update(struct req *rq, struct resp *rs);
enum err h_course_delete(struct req *rq, struct resp *rs);
enum err h_cover_upload(struct req *rq, struct resp *rs);
enum err h_cover_remove(struct req *rq, struct resp *rs);
enum err h_lesson_add(struct req *rq, struct resp *rs);
enum err h_lesson(struct req *rq, struct resp *rs);
enum err h_lesson_update(struct req *rq, struct resp *rs);
enum err h_lesson_up(struct req *rq, struct resp *rs);
enum err h_lesson_down(struct req *rq, struct resp *rs);
enum err h_lesson_delete(struct req *rq, struct resp *rs);
extern const struct field courses_fields[], course_fields[],
    cover_fields[], lesson_fields[];
/* Shows course id's page with status: its form refilled with what was
 * typed (refill_course), or from the database with the fields named in
 * refill_other (another form of the page: a lesson, the cover) put back. */
enum err course_page(struct req *rq, struct resp *rs, int64_t id,
    int status, int refill_course, const char *const *refill_other);

#endif
