/* The admin's coupons: the list with each coupon's usage (redeemed,
 * reserved by pending checkouts, remaining), a page at a time by key;
 * and creating, editing, deactivating and reactivating one, each change
 * with its audit row in the same transaction.  A limit is never set below
 * the uses already made: the count and the update share one write
 * transaction, which checkout's reservation also takes (lib/order.c). */
#ifndef ENROLL_COUPON_ADMIN_H
#define ENROLL_COUPON_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "coupon.h"
#include "coupon_form.h"
#include "err.h"

struct db;
struct cJSON;

#define COUPON_PAGE 50		/* coupons on one page of the list */

enum coupon_sort { COUPON_SORT_CODE, COUPON_SORT_NEWEST, COUPON_SORT_MAX };

/* How coupons are used: reservations count until released. */
struct coupon_use {
	int64_t redeemed;	/* by paid orders */
	int64_t reserved;	/* held by pending checkouts */
	int64_t top_user;	/* most uses (both kinds) by one person */
};

/* What the list shows and where it starts. */
struct coupon_query {
	const char *q;		/* code prefix, upper case, or NULL */
	int active;		/* 1 active, 0 inactive, -1 both */
	int64_t batch_id;	/* only this batch's codes, or 0 */
	enum coupon_sort sort;	/* by code, or newest first */
	const char *after_code;	/* COUPON_SORT_CODE: after this code */
	int64_t before_id;	/* COUPON_SORT_NEWEST: ids below, 0: top */
};

struct coupon_row {
	struct coupon c;	/* its rules (no restrictions loaded) */
	int64_t batch_id;	/* its batch, or 0 */
	struct coupon_use use;	/* its usage (top_user not filled) */
};

/* Why a change was refused: the field and the reason in plain words. */
struct coupon_refusal {
	enum coupon_field field;/* where the error goes */
	const char *message;	/* arena or static text */
};

/* Lists up to COUPON_PAGE coupons matching q into *out (arena) and *n;
 * *more is 1 when others follow. */
enum err coupon_admin_list(struct db *db, struct arena *a,
    const struct coupon_query *q, struct coupon_row **out, size_t *n,
    int *more);

/* Loads coupon id with its restrictions into *c and its usage into *u
 * (arena).  ERR_NOTFOUND when there is none; *batch_id 0 when the coupon
 * is in no batch. */
enum err coupon_admin_get(struct db *db, struct arena *a, int64_t id,
    struct coupon *c, struct coupon_use *u, int64_t *batch_id);

/* Creates c (its code must be free) with its restrictions and an audit
 * row by actor; sets *id.  ERR_INVALID with *why when the code is taken. */
enum err coupon_admin_create(struct db *db, int64_t actor,
    const struct coupon *c, int64_t now, int64_t *id,
    struct coupon_refusal *why);

/* The words beside the code when another coupon has it. */
extern const char coupon_code_taken[];

/* Sets *taken to 1 when a coupon other than id (0: any) has code. */
enum err coupon_admin_code_taken(struct db *db, const char *code, int64_t id,
    int *taken);

/* Replaces coupon id's rules and restrictions with c's (not its active
 * flag) and writes the audit row.  ERR_INVALID with *why when the code is
 * taken or a limit lies below the uses already made; ERR_NOTFOUND. */
enum err coupon_admin_update(struct db *db, struct arena *a, int64_t actor,
    int64_t id, const struct coupon *c, int64_t now,
    struct coupon_refusal *why);

/* Switches coupon id on or off (audit row "coupon.activate" or
 * "coupon.deactivate").  Orders and reservations are left as they are:
 * paid orders keep their discount, pending checkouts their reservation.
 * ERR_NOTFOUND. */
enum err coupon_admin_set_active(struct db *db, int64_t actor, int64_t id,
    int active, int64_t now);

#define COUPON_COURSE_CHOICES 500	/* courses the form offers at most */

/* A course the form offers to limit a coupon to. */
struct coupon_course_choice {
	int64_t id;		/* courses.id */
	const char *title;	/* arena */
	const char *type;	/* its course_type, arena */
	int is_active;		/* on sale */
};

/* Lists the courses (at most COUPON_COURSE_CHOICES) into *out (arena)
 * and *n: those coupon_id (0: none) is limited to first, so that an edit
 * never drops one the page could not show, then the others by title. */
enum err coupon_admin_courses(struct db *db, struct arena *a,
    int64_t coupon_id, struct coupon_course_choice **out, size_t *n);

/* Returns c's rules as a JSON object for the audit log; the caller frees
 * it with cJSON_Delete.  NULL when memory ran out. */
struct cJSON *coupon_admin_json(const struct coupon *c);

/* Inserts c's course types and courses for coupon id (inside the
 * caller's transaction). */
enum err coupon_admin_put_restrictions(struct db *db, int64_t id,
    const struct coupon *c);

/* Inserts c as a new coupon row of batch_id (0: none) with code and sets
 * *id; *id stays 0 when the code is taken.  Inside the caller's
 * transaction. */
enum err coupon_admin_insert(struct db *db, const struct coupon *c,
    const char *code, int64_t batch_id, int64_t now, int64_t *id);

#endif
