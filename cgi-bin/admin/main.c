/* admin: the route table of the admin's pages (a route's handler is in
 * the file its area names: see admin.h) and the program's main.  Every
 * route is R_ADMIN: guests go to the login page, students get a 403
 * (t/unit/test_admin_routes.c walks this table to check it). */
#include "admin.h"
#include "apps.h"
#include "server.h"

static const struct route routes[] = {
	{ METHOD_GET, "/admin", h_home, R_ADMIN, NULL },
	/* People, enrollments and the audit log (users.c, enrollments.c,
	 * audit.c). */
	{ METHOD_GET, "/admin/users", h_users, R_ADMIN, users_fields },
	{ METHOD_GET, "/admin/users/<id>", h_user, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/users/<id>/role", h_user_role, R_ADMIN,
	    user_role_fields },
	{ METHOD_POST, "/admin/users/<id>/disable", h_user_disable, R_ADMIN,
	    NULL },
	{ METHOD_POST, "/admin/users/<id>/enable", h_user_enable, R_ADMIN,
	    NULL },
	{ METHOD_POST, "/admin/users/<id>/grant", h_user_grant, R_ADMIN,
	    user_grant_fields },
	{ METHOD_POST, "/admin/enrollments/<id>/revoke", h_enrollment_revoke,
	    R_ADMIN, NULL },
	{ METHOD_POST, "/admin/enrollments/<id>/extend", h_enrollment_extend,
	    R_ADMIN, enrollment_extend_fields },
	{ METHOD_GET, "/admin/audit", h_audit, R_ADMIN, audit_fields },
	/* reports (reports.c) */
	{ METHOD_GET, "/admin/reports", h_reports, R_ADMIN, reports_fields },
	{ METHOD_GET, "/admin/reports.csv", h_reports_csv, R_ADMIN,
	    reports_csv_fields },
	/* Coupons and batches of codes (coupons.c, coupon_batches.c). */
	{ METHOD_GET, "/admin/coupons", h_coupons, R_ADMIN, coupons_fields },
	{ METHOD_GET, "/admin/coupons/new", h_coupon_new, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/coupons/create", h_coupon_create, R_ADMIN,
	    coupon_fields },
	{ METHOD_GET, "/admin/coupons/batches", h_coupon_batches, R_ADMIN,
	    coupon_batches_fields },
	{ METHOD_GET, "/admin/coupons/batches/new", h_coupon_batch_new,
	    R_ADMIN, NULL },
	{ METHOD_POST, "/admin/coupons/batches/create", h_coupon_batch_create,
	    R_ADMIN, coupon_batch_fields },
	{ METHOD_GET, "/admin/coupons/batches/<id>", h_coupon_batch, R_ADMIN,
	    NULL },
	{ METHOD_GET, "/admin/coupons/batches/<id>/codes.csv",
	    h_coupon_batch_csv, R_ADMIN, NULL },
	{ METHOD_GET, "/admin/coupons/<id>", h_coupon, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/coupons/<id>/save", h_coupon_update, R_ADMIN,
	    coupon_fields },
	{ METHOD_POST, "/admin/coupons/<id>/deactivate", h_coupon_deactivate,
	    R_ADMIN, NULL },
	{ METHOD_POST, "/admin/coupons/<id>/activate", h_coupon_activate,
	    R_ADMIN, NULL },
	/* Courses, lessons and covers (courses.c, lessons.c, cover.c). */
	{ METHOD_GET, "/admin/courses", h_courses, R_ADMIN, courses_fields },
	{ METHOD_GET, "/admin/courses/new", h_course_new, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/courses/new", h_course_create, R_ADMIN,
	    course_fields },
	{ METHOD_GET, "/admin/courses/<id>", h_course, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/courses/<id>", h_course_update, R_ADMIN,
	    course_fields },
	{ METHOD_POST, "/admin/courses/<id>/delete", h_course_delete, R_ADMIN,
	    NULL },
	{ METHOD_POST, "/admin/courses/<id>/cover", h_cover_upload,
	    R_ADMIN | R_UPLOAD, cover_fields },
	{ METHOD_POST, "/admin/courses/<id>/cover/remove", h_cover_remove,
	    R_ADMIN, NULL },
	{ METHOD_POST, "/admin/courses/<id>/lessons", h_lesson_add, R_ADMIN,
	    lesson_fields },
	{ METHOD_GET, "/admin/lessons/<id>", h_lesson, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/lessons/<id>", h_lesson_update, R_ADMIN,
	    lesson_fields },
	{ METHOD_POST, "/admin/lessons/<id>/up", h_lesson_up, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/lessons/<id>/down", h_lesson_down, R_ADMIN,
	    NULL },
	{ METHOD_POST, "/admin/lessons/<id>/delete", h_lesson_delete, R_ADMIN,
	    NULL },
	/* Cohort courses: steps, cohorts, sessions, the roster and moving a
	 * student (steps.c, cohorts.c, cohort_options.c, roster.c). */
	{ METHOD_GET, "/admin/courses/<id>/steps", h_steps, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/courses/<id>/steps", h_step_add, R_ADMIN,
	    step_fields },
	{ METHOD_GET, "/admin/steps/<id>", h_step, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/steps/<id>", h_step_update, R_ADMIN,
	    step_fields },
	{ METHOD_POST, "/admin/steps/<id>/up", h_step_up, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/steps/<id>/down", h_step_down, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/steps/<id>/delete", h_step_delete, R_ADMIN,
	    NULL },
	{ METHOD_GET, "/admin/courses/<id>/cohorts", h_cohorts, R_ADMIN,
	    cohorts_fields },
	{ METHOD_POST, "/admin/courses/<id>/cohorts", h_cohort_create,
	    R_ADMIN, cohort_fields },
	{ METHOD_GET, "/admin/cohorts/<id>", h_cohort, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/cohorts/<id>", h_cohort_update, R_ADMIN,
	    cohort_fields },
	{ METHOD_POST, "/admin/cohorts/<id>/delete", h_cohort_delete, R_ADMIN,
	    NULL },
	{ METHOD_POST, "/admin/cohorts/<id>/options", h_option_add, R_ADMIN,
	    option_fields },
	{ METHOD_GET, "/admin/options/<id>", h_option, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/options/<id>", h_option_update, R_ADMIN,
	    option_fields },
	{ METHOD_POST, "/admin/options/<id>/delete", h_option_delete, R_ADMIN,
	    NULL },
	{ METHOD_GET, "/admin/cohorts/<id>/roster", h_roster, R_ADMIN,
	    roster_fields },
	{ METHOD_GET, "/admin/cohorts/<id>/roster.csv", h_roster_csv, R_ADMIN,
	    NULL },
	/* A cohort's waitlist, read-only (issue 19, cohort_waitlist.c). */
	{ METHOD_GET, "/admin/cohorts/<id>/waitlist", h_cohort_waitlist,
	    R_ADMIN, cohort_waitlist_fields },
	{ METHOD_GET, "/admin/enrollments/<id>/cohort", h_cohort_student,
	    R_ADMIN, NULL },
	{ METHOD_POST, "/admin/enrollments/<id>/cohort", h_cohort_student_move,
	    R_ADMIN, cohort_move_fields },
	{ METHOD_POST, "/admin/enrollments/<id>/option",
	    h_cohort_student_option, R_ADMIN, cohort_rebook_fields },
	/* reconciliation with Stripe (reconcile.c) */
	{ METHOD_GET, "/admin/reconcile", h_reconcile, R_ADMIN,
	    reconcile_fields },
	{ METHOD_POST, "/admin/reconcile/apply", h_reconcile_apply, R_ADMIN,
	    reconcile_apply_fields },
	/* Teams, their seats and the seat utilisation report (teams.c):
	 * read only. */
	{ METHOD_GET, "/admin/teams", h_admin_teams, R_ADMIN,
	    admin_teams_fields },
	{ METHOD_GET, "/admin/teams/<id>", h_admin_team, R_ADMIN,
	    admin_team_fields },
	{ METHOD_GET, "/admin/reports/seats", h_admin_seat_report, R_ADMIN,
	    admin_seat_report_fields },
	{ METHOD_GET, "/admin/reports/seats.csv", h_admin_seat_report_csv,
	    R_ADMIN, admin_seat_report_fields },
	/* Orders and refunds (orders.c, refunds.c). */
	{ METHOD_GET, "/admin/orders", h_admin_orders, R_ADMIN,
	    admin_orders_fields },
	{ METHOD_GET, "/admin/orders/<id>", h_admin_order, R_ADMIN, NULL },
	{ METHOD_POST, "/admin/orders/<id>/review", h_admin_order_review,
	    R_ADMIN, admin_order_review_fields },
	{ METHOD_POST, "/admin/orders/<id>/refund", h_admin_order_refund,
	    R_ADMIN, admin_order_refund_fields },
	{ METHOD_POST, "/admin/orders/<id>/refund-retry",
	    h_admin_order_refund_retry, R_ADMIN,
	    admin_order_refund_retry_fields },
	/* Refunding a team order's seats (issue 18, refund_seats.c). */
	{ METHOD_GET, "/admin/orders/<id>/refund-seats",
	    h_admin_refund_seats_page, R_ADMIN,
	    admin_refund_seats_page_fields },
	{ METHOD_POST, "/admin/orders/<id>/refund-seats",
	    h_admin_refund_seats, R_ADMIN, admin_refund_seats_fields },
};

const struct app admin_app = { "admin", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &admin_app);
}
#endif
