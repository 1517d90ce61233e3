/* account: the program of the student's pages, one file per area (as
 * cgit has one ui-*.c per page): auth.c (login, registration, logout),
 * settings.c, orders.c (orders and receipts), library.c (dashboard and
 * courses), recovery.c (a forgotten password), verify.c (confirming an
 * email address), sessions.c (where one is logged in), privacy.c (one's
 * data: download, delete), teams.c (teams and their invitations),
 * forms.c (what their forms share), and main.c with the route table that
 * joins them.  This header is what the files share. */
#ifndef ENROLL_ACCOUNT_H
#define ENROLL_ACCOUNT_H

#include "app.h"
#include "field.h"
#include "form_page.h"

#define HOME_PAGE "/account/dashboard"
#define SETTINGS_PAGE "/account/settings"

/* Field sizes: an email fits RFC 5321; a password field takes more than
 * the policy allows so that the policy, not the validator, explains. */
#define F_EMAIL_FIELD { "email", F_EMAIL, USER_EMAIL_MAX }
#define F_NEXT_FIELD { "next", F_LINE, 2000 }

/* forms.c: errors next to fields, re-filled forms, shared checks. */
extern const char msg_throttled[];

/* Each checks its field; adds its error (*e is set when that failed) and
 * returns 0 when the value is unfit. */
int new_password_ok(struct req *rq, struct resp *rs, const char *field,
    enum err *e);
int name_ok(struct req *rq, struct resp *rs, enum err *e);
int email_ok(struct req *rq, struct resp *rs, enum err *e);
/* The user's current_password, checked through the login throttle; the
 * error goes under error_key. */
int current_password_ok(struct req *rq, struct resp *rs,
    const char *error_key, enum err *e);

/* auth.c */
/* Logs the visitor in as user id (a new session; the guest cart joins the
 * user's); the caller answers with a redirect. */
enum err account_sign_in(struct req *rq, struct resp *rs, int64_t id);
enum err h_login_form(struct req *rq, struct resp *rs);
enum err h_register_form(struct req *rq, struct resp *rs);
enum err h_login(struct req *rq, struct resp *rs);
enum err h_register(struct req *rq, struct resp *rs);
enum err h_logout(struct req *rq, struct resp *rs);
extern const struct field next_fields[], login_fields[], register_fields[];

/* settings.c */
enum err h_settings(struct req *rq, struct resp *rs);
enum err h_settings_name(struct req *rq, struct resp *rs);
enum err h_settings_email(struct req *rq, struct resp *rs);
enum err h_settings_password(struct req *rq, struct resp *rs);
enum err h_settings_timezone(struct req *rq, struct resp *rs);
extern const struct field name_fields[], email_fields[], password_fields[],
    timezone_fields[];

/* Accounts a school can trust (issue 23), one file per area. */
/* recovery.c: a forgotten password. */
enum err h_forgot_form(struct req *rq, struct resp *rs);
enum err h_forgot(struct req *rq, struct resp *rs);
enum err h_reset_form(struct req *rq, struct resp *rs);
enum err h_reset(struct req *rq, struct resp *rs);
extern const struct field forgot_fields[], reset_fields[];
/* verify.c: confirming an email address. */
enum err h_confirm_form(struct req *rq, struct resp *rs);
enum err h_confirm(struct req *rq, struct resp *rs);
enum err h_verify_resend(struct req *rq, struct resp *rs);
extern const struct field confirm_fields[];
/* privacy.c: the person's data: download it, delete the account. */
enum err h_privacy(struct req *rq, struct resp *rs);
enum err h_export(struct req *rq, struct resp *rs);
enum err h_delete(struct req *rq, struct resp *rs);
extern const struct field delete_fields[];
/* sessions.c: where the user is logged in (listed on the settings page). */
enum err sessions_add_to(struct req *rq, struct resp *rs);
enum err h_session_end(struct req *rq, struct resp *rs);
enum err h_sessions_end_others(struct req *rq, struct resp *rs);

/* booking.c: booking live sessions, their calendar files and feed
 * (issue 19). */
enum err h_booking(struct req *rq, struct resp *rs);
enum err h_booking_save(struct req *rq, struct resp *rs);
enum err h_booking_ics(struct req *rq, struct resp *rs);
enum err h_calendar_feed(struct req *rq, struct resp *rs);
enum err h_calendar_new(struct req *rq, struct resp *rs);
enum err h_calendar_revoke(struct req *rq, struct resp *rs);
extern const struct field booking_fields[];

/* waitlist.c: the waitlists of full cohorts (issue 19). */
enum err h_waitlists(struct req *rq, struct resp *rs);
enum err h_waitlist(struct req *rq, struct resp *rs);
enum err h_waitlist_join(struct req *rq, struct resp *rs);
enum err h_waitlist_leave(struct req *rq, struct resp *rs);

/* schedule.c: a cohort student's sessions for the dashboard and the
 * course's learning page (issue 19). */
struct cJSON;
/* Adds to ctx, under key, the student's cohort schedule of course_id
 * (its steps with the session booked or none, the sessions to come first
 * in "upcoming", "to_book" and "book_url"); nothing when they are not a
 * student of one of its cohorts. */
enum err schedule_add(struct req *rq, struct cJSON *ctx, const char *key,
    int64_t course_id);

/* orders.c */
enum err h_orders(struct req *rq, struct resp *rs);
enum err h_order(struct req *rq, struct resp *rs);
enum err h_order_continue(struct req *rq, struct resp *rs);
enum err h_order_drop(struct req *rq, struct resp *rs);
extern const struct field orders_fields[];

/* library.c */
enum err h_dashboard(struct req *rq, struct resp *rs);
enum err h_my_courses(struct req *rq, struct resp *rs);
enum err h_progress(struct req *rq, struct resp *rs);
extern const struct field list_fields[];

/* Learning (issue 15): learn.c (a course's home, its lessons, marking
 * them), certificates.c (certificates and their verification),
 * wishlist.c, billing.c (the student's payments and Stripe's receipts). */

/* learn.c */
enum err h_learn_course(struct req *rq, struct resp *rs);
enum err h_learn_lesson(struct req *rq, struct resp *rs);
enum err h_lesson_complete(struct req *rq, struct resp *rs);
enum err h_lesson_incomplete(struct req *rq, struct resp *rs);

/* certificates.c */
enum err h_certificate(struct req *rq, struct resp *rs);

/* wishlist.c */
enum err h_wishlist(struct req *rq, struct resp *rs);
enum err h_wishlist_add(struct req *rq, struct resp *rs);
enum err h_wishlist_remove(struct req *rq, struct resp *rs);
enum err h_wishlist_move(struct req *rq, struct resp *rs);

/* billing.c */
enum err h_billing(struct req *rq, struct resp *rs);
extern const struct field billing_fields[];

/* Teams (issue 18). */
/* teams.c: my teams, a team's page and its actions, accepting an
 * invitation from its mailed link. */
enum err h_teams(struct req *rq, struct resp *rs);
enum err h_team_create(struct req *rq, struct resp *rs);
enum err h_team(struct req *rq, struct resp *rs);
enum err h_team_invite(struct req *rq, struct resp *rs);
enum err h_team_role(struct req *rq, struct resp *rs);
enum err h_team_remove(struct req *rq, struct resp *rs);
enum err h_team_transfer(struct req *rq, struct resp *rs);
enum err h_team_leave(struct req *rq, struct resp *rs);
enum err h_team_rename(struct req *rq, struct resp *rs);
enum err h_team_accept_form(struct req *rq, struct resp *rs);
enum err h_team_accept(struct req *rq, struct resp *rs);
extern const struct field team_create_fields[], team_invite_fields[],
    team_member_fields[], team_accept_fields[], team_rename_fields[];
/* team_billing.c: a team's orders and seats (issue 18) */
enum err h_team_billing(struct req *rq, struct resp *rs);
extern const struct field team_billing_fields[];

/* team_progress.c: a team's members' progress, page and CSV. */
enum err h_team_progress(struct req *rq, struct resp *rs);
enum err h_team_progress_csv(struct req *rq, struct resp *rs);
extern const struct field team_progress_fields[];

/* seats.c: a team's seats page, giving seats (one, or a list with its
 * preview), giving them back, accepting a seat's invitation. */
enum err h_team_seats(struct req *rq, struct resp *rs);
enum err h_seat_assign(struct req *rq, struct resp *rs);
enum err h_seat_revoke(struct req *rq, struct resp *rs);
enum err h_seat_bulk(struct req *rq, struct resp *rs);
enum err h_seat_bulk_confirm(struct req *rq, struct resp *rs);
enum err h_seat_accept_form(struct req *rq, struct resp *rs);
enum err h_seat_accept(struct req *rq, struct resp *rs);
extern const struct field seats_page_fields[], seat_assign_fields[],
    seat_revoke_fields[], seat_bulk_fields[], seat_accept_fields[];

#endif
