/* account: the route table of the student's pages (a route's handler is
 * in the file its area names: see account.h) and the program's main. */
#include "account.h"
#include "apps.h"
#include "server.h"

static const struct route routes[] = {
	{ METHOD_GET, "/account/login", h_login_form, 0, next_fields },
	{ METHOD_POST, "/account/login", h_login, 0, login_fields },
	{ METHOD_GET, "/account/register", h_register_form, 0, next_fields },
	{ METHOD_POST, "/account/register", h_register, 0, register_fields },
	{ METHOD_POST, "/account/logout", h_logout, 0, NULL },
	{ METHOD_GET, "/account/dashboard", h_dashboard, R_LOGIN, NULL },
	{ METHOD_GET, "/account/settings", h_settings, R_LOGIN, NULL },
	{ METHOD_POST, "/account/settings/name", h_settings_name, R_LOGIN,
	    name_fields },
	{ METHOD_POST, "/account/settings/timezone", h_settings_timezone,
	    R_LOGIN, timezone_fields },
	{ METHOD_POST, "/account/settings/email", h_settings_email, R_LOGIN,
	    email_fields },
	{ METHOD_POST, "/account/settings/password", h_settings_password,
	    R_LOGIN, password_fields },
	{ METHOD_GET, "/account/my-courses", h_my_courses, R_LOGIN,
	    list_fields },
	{ METHOD_GET, "/payment/orders", h_orders, R_LOGIN, orders_fields },
	{ METHOD_GET, "/payment/order/<id>", h_order, R_LOGIN, NULL },
	{ METHOD_POST, "/payment/order/<id>/continue", h_order_continue,
	    R_LOGIN, NULL },
	{ METHOD_POST, "/payment/order/<id>/drop", h_order_drop, R_LOGIN,
	    NULL },
	/* Issue 23: accounts a school can trust. */
	{ METHOD_GET, "/account/forgot-password", h_forgot_form, 0,
	    forgot_fields },
	{ METHOD_POST, "/account/forgot-password", h_forgot, 0,
	    forgot_fields },
	{ METHOD_GET, "/account/reset-password", h_reset_form, 0,
	    reset_fields },
	{ METHOD_POST, "/account/reset-password", h_reset, 0, reset_fields },
	{ METHOD_GET, "/account/confirm-email", h_confirm_form, 0,
	    confirm_fields },
	{ METHOD_POST, "/account/confirm-email", h_confirm, 0,
	    confirm_fields },
	{ METHOD_POST, "/account/verify-email/resend", h_verify_resend,
	    R_LOGIN, NULL },
	{ METHOD_POST, "/account/sessions/<id>/end", h_session_end, R_LOGIN,
	    NULL },
	{ METHOD_POST, "/account/sessions/end-others", h_sessions_end_others,
	    R_LOGIN, NULL },
	{ METHOD_GET, "/account/privacy", h_privacy, R_LOGIN, NULL },
	{ METHOD_GET, "/account/export", h_export, R_LOGIN, NULL },
	{ METHOD_POST, "/account/delete", h_delete, R_LOGIN, delete_fields },
	/* Learning (issue 15). */
	{ METHOD_GET, "/learn/<slug>", h_learn_course, 0, NULL },
	{ METHOD_GET, "/learn/<slug>/<id>", h_learn_lesson, 0, NULL },
	{ METHOD_POST, "/learn/<slug>/<id>/complete", h_lesson_complete,
	    R_LOGIN, NULL },
	{ METHOD_POST, "/learn/<slug>/<id>/incomplete", h_lesson_incomplete,
	    R_LOGIN, NULL },
	/* A certificate's code is lower-case hex: a <slug> segment. */
	{ METHOD_GET, "/certificates/<slug>", h_certificate, 0, NULL },
	{ METHOD_GET, "/account/progress", h_progress, R_LOGIN, list_fields },
	{ METHOD_GET, "/account/wishlist", h_wishlist, R_LOGIN, NULL },
	{ METHOD_POST, "/account/wishlist/add/<id>", h_wishlist_add, R_LOGIN,
	    NULL },
	{ METHOD_POST, "/account/wishlist/remove/<id>", h_wishlist_remove,
	    R_LOGIN, next_fields },
	{ METHOD_POST, "/account/wishlist/move-to-cart/<id>", h_wishlist_move,
	    R_LOGIN, NULL },
	{ METHOD_GET, "/account/billing", h_billing, R_LOGIN, billing_fields },
	/* Booking live sessions (issue 19, booking.c); the feed is read by
	 * calendar applications, by its token alone. */
	{ METHOD_GET, "/account/courses/<id>/book", h_booking, R_LOGIN, NULL },
	{ METHOD_POST, "/account/courses/<id>/book", h_booking_save, R_LOGIN,
	    booking_fields },
	{ METHOD_GET, "/account/bookings/<id>/session.ics", h_booking_ics,
	    R_LOGIN, NULL },
	{ METHOD_GET, "/account/calendar/<slug>/sessions.ics",
	    h_calendar_feed, R_NOSESSION, NULL },
	{ METHOD_POST, "/account/calendar/new", h_calendar_new, R_LOGIN,
	    NULL },
	{ METHOD_POST, "/account/calendar/revoke", h_calendar_revoke, R_LOGIN,
	    next_fields },
	/* The waitlists of full cohorts (issue 19, waitlist.c). */
	{ METHOD_GET, "/account/waitlists", h_waitlists, R_LOGIN, NULL },
	{ METHOD_POST, "/account/cohorts/<id>/waitlist", h_waitlist_join,
	    R_LOGIN, NULL },
	{ METHOD_POST, "/account/cohorts/<id>/waitlist/leave",
	    h_waitlist_leave, R_LOGIN, NULL },
	/* Teams (issue 18): a team's routes answer 404 to non-members. */
	{ METHOD_GET, "/account/teams", h_teams, R_LOGIN, NULL },
	{ METHOD_POST, "/account/teams", h_team_create, R_LOGIN,
	    team_create_fields },
	{ METHOD_GET, "/account/teams/accept", h_team_accept_form, R_LOGIN,
	    team_accept_fields },
	{ METHOD_POST, "/account/teams/accept", h_team_accept, R_LOGIN,
	    team_accept_fields },
	{ METHOD_GET, "/account/teams/<id>", h_team, R_LOGIN, NULL },
	{ METHOD_POST, "/account/teams/<id>/invite", h_team_invite, R_LOGIN,
	    team_invite_fields },
	{ METHOD_POST, "/account/teams/<id>/role", h_team_role, R_LOGIN,
	    team_member_fields },
	{ METHOD_POST, "/account/teams/<id>/remove", h_team_remove, R_LOGIN,
	    team_member_fields },
	{ METHOD_POST, "/account/teams/<id>/transfer", h_team_transfer,
	    R_LOGIN, team_member_fields },
	{ METHOD_POST, "/account/teams/<id>/leave", h_team_leave, R_LOGIN,
	    NULL },
	/* A team's progress (team_progress.c): owner and managers. */
	{ METHOD_GET, "/account/teams/<id>/progress", h_team_progress,
	    R_LOGIN, team_progress_fields },
	{ METHOD_GET, "/account/teams/<id>/progress.csv",
	    h_team_progress_csv, R_LOGIN, NULL },
	/* A team's billing (issue 18, team_billing.c). */
	{ METHOD_GET, "/account/teams/<id>/billing", h_team_billing, R_LOGIN,
	    team_billing_fields },
	{ METHOD_POST, "/account/teams/<id>/name", h_team_rename, R_LOGIN,
	    team_rename_fields },
	/* A team's seats (issue 18): owners and managers; members 403. */
	{ METHOD_GET, "/account/teams/<id>/seats", h_team_seats, R_LOGIN,
	    seats_page_fields },
	{ METHOD_POST, "/account/teams/<id>/seats/assign", h_seat_assign,
	    R_LOGIN, seat_assign_fields },
	{ METHOD_POST, "/account/teams/<id>/seats/revoke", h_seat_revoke,
	    R_LOGIN, seat_revoke_fields },
	{ METHOD_POST, "/account/teams/<id>/seats/bulk", h_seat_bulk,
	    R_LOGIN, seat_bulk_fields },
	{ METHOD_POST, "/account/teams/<id>/seats/bulk/confirm",
	    h_seat_bulk_confirm, R_LOGIN, seat_bulk_fields },
	{ METHOD_GET, "/account/seats/accept", h_seat_accept_form, R_LOGIN,
	    seat_accept_fields },
	{ METHOD_POST, "/account/seats/accept", h_seat_accept, R_LOGIN,
	    seat_accept_fields },
};

const struct app account_app = { "account", routes, NELEM(routes), NULL };

#ifndef ENROLL_TEST_APP
int
main(int argc, char **argv)
{
	return server_main(argc, argv, &account_app);
}
#endif
