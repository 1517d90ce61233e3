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

/* reports.c */
enum err h_reports(struct req *rq, struct resp *rs);
enum err h_reports_csv(struct req *rq, struct resp *rs);
extern const struct field reports_fields[];
extern const struct field reports_csv_fields[];
/* coupons.c and coupon_batches.c: coupons and batches of codes. */
#include "coupon_form.h"

/* The fields of the rules form every coupon and batch shares. */
#define COUPON_RULE_FIELDS \
	{ "description", F_LINE, 200 }, { "kind", F_LINE, 20 }, \
	{ "percent_off", F_LINE, 20 }, { "amount_off", F_LINE, 30 }, \
	{ "currency", F_LINE, 3 }, { "max_discount", F_LINE, 30 }, \
	{ "min_purchase", F_LINE, 30 }, { "max_uses", F_LINE, 20 }, \
	{ "max_uses_per_user", F_LINE, 20 }, { "valid_from", F_LINE, 20 }, \
	{ "valid_until", F_LINE, 20 }, { "course_types", F_WORDS, 10 }, \
	{ "courses", F_IDS, 1000 }

/* Reads the posted rules form of rq into *f (batch: the batch form). */
void coupon_form_get(const struct req *rq, struct coupon_form *f, int batch);

/* Puts the rules form into the page: the values of stored, or as typed
 * (typed not NULL) with errors (may be NULL) beside their fields, the
 * checkbox lists and the school's zone. */
enum err coupon_rules_ctx(struct req *rq, struct resp *rs,
    const struct coupon *stored, const struct coupon_form *typed,
    const char *const errors[CF_MAX]);

enum err h_coupons(struct req *rq, struct resp *rs);
enum err h_coupon_new(struct req *rq, struct resp *rs);
enum err h_coupon_create(struct req *rq, struct resp *rs);
enum err h_coupon(struct req *rq, struct resp *rs);
enum err h_coupon_update(struct req *rq, struct resp *rs);
enum err h_coupon_deactivate(struct req *rq, struct resp *rs);
enum err h_coupon_activate(struct req *rq, struct resp *rs);
extern const struct field coupons_fields[];
extern const struct field coupon_fields[];

enum err h_coupon_batches(struct req *rq, struct resp *rs);
enum err h_coupon_batch_new(struct req *rq, struct resp *rs);
enum err h_coupon_batch_create(struct req *rq, struct resp *rs);
enum err h_coupon_batch(struct req *rq, struct resp *rs);
enum err h_coupon_batch_csv(struct req *rq, struct resp *rs);
extern const struct field coupon_batches_fields[];
extern const struct field coupon_batch_fields[];
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
/* reconcile.c: reconciliation with Stripe */
enum err h_reconcile(struct req *rq, struct resp *rs);
enum err h_reconcile_apply(struct req *rq, struct resp *rs);
extern const struct field reconcile_fields[];
extern const struct field reconcile_apply_fields[];

/* orders.c and refunds.c (orders and refunds) */
enum err h_admin_orders(struct req *rq, struct resp *rs);
enum err h_admin_order(struct req *rq, struct resp *rs);
enum err h_admin_order_review(struct req *rq, struct resp *rs);
enum err h_admin_order_refund(struct req *rq, struct resp *rs);
enum err h_admin_order_refund_retry(struct req *rq, struct resp *rs);
/* Shows order rq->id's page with status, the forms refilled from the
 * names in refill (errors added before stay next to their fields). */
enum err admin_order_page(struct req *rq, struct resp *rs, int status,
    const char *const *refill);
extern const struct field admin_orders_fields[];
extern const struct field admin_order_review_fields[];
extern const struct field admin_order_refund_fields[];
extern const struct field admin_order_refund_retry_fields[];
/* refund_seats.c: refunding a team order's seats (issue 18) */
enum err h_admin_refund_seats_page(struct req *rq, struct resp *rs);
enum err h_admin_refund_seats(struct req *rq, struct resp *rs);
/* Adds ctx.team_order to order rq->id's page when it bought seats. */
enum err admin_order_team_ctx(struct req *rq, struct cJSON *ctx);
extern const struct field admin_refund_seats_page_fields[];
extern const struct field admin_refund_seats_fields[];

/* teams.c: teams, a team's page and the seat utilisation report */
enum err h_admin_teams(struct req *rq, struct resp *rs);
enum err h_admin_team(struct req *rq, struct resp *rs);
enum err h_admin_seat_report(struct req *rq, struct resp *rs);
enum err h_admin_seat_report_csv(struct req *rq, struct resp *rs);
extern const struct field admin_teams_fields[], admin_team_fields[],
    admin_seat_report_fields[];

/* steps.c, cohorts.c, cohort_options.c, roster.c: cohort courses (issue
 * 19): steps, cohorts, their session options, the roster and moving a
 * student by hand. */
struct cohort_course;
enum err h_steps(struct req *rq, struct resp *rs);
enum err h_step_add(struct req *rq, struct resp *rs);
enum err h_step(struct req *rq, struct resp *rs);
enum err h_step_update(struct req *rq, struct resp *rs);
enum err h_step_up(struct req *rq, struct resp *rs);
enum err h_step_down(struct req *rq, struct resp *rs);
enum err h_step_delete(struct req *rq, struct resp *rs);
enum err h_cohorts(struct req *rq, struct resp *rs);
enum err h_cohort_create(struct req *rq, struct resp *rs);
enum err h_cohort(struct req *rq, struct resp *rs);
enum err h_cohort_update(struct req *rq, struct resp *rs);
enum err h_cohort_delete(struct req *rq, struct resp *rs);
enum err h_option_add(struct req *rq, struct resp *rs);
enum err h_option(struct req *rq, struct resp *rs);
enum err h_option_update(struct req *rq, struct resp *rs);
enum err h_option_delete(struct req *rq, struct resp *rs);
enum err h_roster(struct req *rq, struct resp *rs);
enum err h_roster_csv(struct req *rq, struct resp *rs);
enum err h_cohort_student(struct req *rq, struct resp *rs);
enum err h_cohort_student_move(struct req *rq, struct resp *rs);
enum err h_cohort_student_option(struct req *rq, struct resp *rs);
extern const struct field step_fields[], cohorts_fields[], cohort_fields[],
    option_fields[], roster_fields[], cohort_move_fields[],
    cohort_rebook_fields[];
/* cohort_waitlist.c: a cohort's waitlist, read-only (issue 19). */
enum err h_cohort_waitlist(struct req *rq, struct resp *rs);
extern const struct field cohort_waitlist_fields[];
/* Adds ctx.course {id, title, is_cohort} of c. */
enum err admin_cohort_course_ctx(struct cJSON *ctx,
    const struct cohort_course *c);
/* Which form of a cohort's page is shown as typed after a refusal. */
enum cohort_refill { COHORT_REFILL_NONE, COHORT_REFILL_COHORT,
    COHORT_REFILL_OPTION };
/* Shows cohort id's page (its form, sessions, the new-session form) with
 * status, the form refill names as typed (the errors added before stay
 * beside their fields). */
enum err admin_cohort_page(struct req *rq, struct resp *rs, int64_t id,
    int status, enum cohort_refill refill);
/* The session form: refilled as typed, or blank (in ctx.form). */
enum err admin_option_form_refill(struct req *rq, struct resp *rs);
enum err admin_option_form_blank(struct cJSON *ctx);
/* Adds the session form's choices, ctx.step_choices (course_id's steps)
 * and ctx.weekday_choices, with ctx.form's marked selected. */
enum err admin_option_choices(struct req *rq, struct cJSON *ctx,
    int64_t course_id);

#endif
