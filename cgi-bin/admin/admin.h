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

/* users.c: people (the list, a person's page, role, disable/enable) */
enum err h_users(struct req *rq, struct resp *rs);
extern const struct field users_fields[];
enum err h_user(struct req *rq, struct resp *rs);
enum err h_user_role(struct req *rq, struct resp *rs);
extern const struct field user_role_fields[];
enum err h_user_disable(struct req *rq, struct resp *rs);
enum err h_user_enable(struct req *rq, struct resp *rs);
/* Shows the page of person id (with rs's errors, the typed values put
 * back) with status. */
enum err admin_person_show(struct req *rq, struct resp *rs, int64_t id,
    int status);
/* Redirects to the page of person id with a one-time message. */
enum err admin_person_done(struct req *rq, struct resp *rs, int64_t id,
    const char *message);

/* enrollments.c: grant, revoke, extend (from a person's page) */
enum err h_user_grant(struct req *rq, struct resp *rs);
extern const struct field user_grant_fields[];
enum err h_enrollment_revoke(struct req *rq, struct resp *rs);
enum err h_enrollment_extend(struct req *rq, struct resp *rs);
extern const struct field enrollment_extend_fields[];

/* audit.c: the audit log */
enum err h_audit(struct req *rq, struct resp *rs);
extern const struct field audit_fields[];

#endif
