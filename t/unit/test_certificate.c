/* Certificates (lib/certificate.c): completing a course issues one, with
 * an unguessable code and the name and title of that moment; it stands
 * while the enrollment does, also after access expired, and not after a
 * refund, a dispute or a revocation (a new purchase restores it); a code
 * nobody was given finds nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "certificate.h"
#include "db.h"
#include "learners.h"
#include "progress.h"
#include "seed.h"
#include "user.h"

/* Completes the course for user at now through progress_mark. */
static void
complete(struct fx *f, int64_t user, int64_t now)
{
	struct mark_result m;

	for (int64_t n = 1; n <= 3; n++)
		assert_int_equal(progress_mark(f->t.db, user, f->course, n, 1,
		    now, &m), ERR_OK);
	assert_true(m.completed_now);
}

static struct certificate
mine(struct fx *f, int64_t user, int64_t now)
{
	struct certificate c;

	assert_int_equal(certificate_of(f->t.db, f->t.a, user, f->course, now,
	    &c), ERR_OK);
	return c;
}

static void
completion_issues_one_certificate_with_a_random_code(void **state)
{
	struct fx *f = *state;
	struct certificate c, d, b;
	struct mark_result m;

	assert_int_equal(certificate_of(f->t.db, f->t.a, f->ann, f->course, NOW,
	    &c), ERR_NOTFOUND);
	complete(f, f->ann, NOW);
	c = mine(f, f->ann, NOW);
	assert_int_equal(strlen(c.code), CERTIFICATE_CODE_LEN);
	assert_int_equal(strspn(c.code, "0123456789abcdef"),
	    CERTIFICATE_CODE_LEN);
	assert_string_equal(c.student_name, "Ann Learner");
	assert_string_equal(c.course_title, "Testing in Practice");
	assert_int_equal(c.issued_at, NOW);
	assert_true(c.valid);
	assert_int_equal(certificate_get(f->t.db, f->t.a, c.code, NOW, &d),
	    ERR_OK);
	assert_int_equal(d.id, c.id);
	assert_int_equal(d.user_id, f->ann);
	/* Unmarked and completed again: the same certificate. */
	assert_int_equal(progress_mark(f->t.db, f->ann, f->course, 1, 0,
	    NOW + 1, &m), ERR_OK);
	assert_int_equal(progress_mark(f->t.db, f->ann, f->course, 1, 1,
	    NOW + 2, &m), ERR_OK);
	assert_int_equal(learners_int(f, "SELECT count(*) FROM certificates WHERE "
	    "user_id = ?1 AND course_id = ?2", f->ann, f->course), 1);
	/* Another student's code is another code. */
	complete(f, f->bob, NOW);
	b = mine(f, f->bob, NOW);
	assert_string_not_equal(b.code, c.code);
}

static void
certificate_keeps_the_name_it_was_issued_to(void **state)
{
	struct fx *f = *state;

	complete(f, f->ann, NOW);
	assert_int_equal(user_set_name(f->t.db, f->ann, "Ann Renamed"), ERR_OK);
	assert_string_equal(mine(f, f->ann, NOW).student_name, "Ann Learner");
}

static void
certificate_stands_while_the_enrollment_does(void **state)
{
	struct fx *f = *state;
	struct certificate c;

	complete(f, f->ann, NOW);
	/* Access that ran out does not undo a completion. */
	learners_run(f, "UPDATE courses SET access_days = 1 WHERE id = ?1 -- ?2",
	    f->course, 0);
	c = mine(f, f->ann, NOW + 86400 * 400);
	assert_true(c.valid);
	assert_int_equal(c.reason, ACCESS_EXPIRED);
	/* A refund voids it. */
	learners_run(f, "INSERT INTO orders (id, number, user_id, status, currency, "
	    "subtotal_amount, total_amount) VALUES (77, 'ORD-X', ?1, "
	    "'refunded', 'usd', 5900, 5900) -- ?2", f->ann, 0);
	learners_run(f, "UPDATE enrollments SET status = 'revoked', order_id = 77 "
	    "WHERE user_id = ?1 AND course_id = ?2", f->ann, f->course);
	c = mine(f, f->ann, NOW);
	assert_false(c.valid);
	assert_int_equal(c.reason, ACCESS_REFUNDED);
	/* So does a revocation. */
	learners_run(f, "UPDATE enrollments SET order_id = NULL WHERE user_id = ?1 AND "
	    "course_id = ?2", f->ann, f->course);
	c = mine(f, f->ann, NOW);
	assert_false(c.valid);
	assert_int_equal(c.reason, ACCESS_REVOKED);
	/* Access granted again restores it. */
	learners_run(f, "UPDATE enrollments SET status = 'active', granted_at = ?2 "
	    "WHERE user_id = ?1", f->ann, NOW);
	learners_run(f, "UPDATE courses SET access_days = NULL WHERE id = ?1 -- ?2",
	    f->course, 0);
	assert_true(mine(f, f->ann, NOW).valid);
}

static void
unknown_or_malformed_codes_find_nothing(void **state)
{
	static const char *const codes[] = { "", "abc",
	    "0123456789abcdef0123456789abcdef",
	    "0123456789ABCDEF0123456789ABCDEF",
	    "0123456789abcdef0123456789abcdef0", "' OR 1=1 --", NULL };
	struct fx *f = *state;
	struct certificate c;

	complete(f, f->ann, NOW);
	for (const char *const *p = codes; *p != NULL; p++)
		assert_int_equal(certificate_get(f->t.db, f->t.a, *p, NOW, &c),
		    ERR_NOTFOUND);
	assert_int_equal(certificate_get(f->t.db, f->t.a, NULL, NOW, &c),
	    ERR_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, learners_setup, \
	    fixture_teardown)
		T(completion_issues_one_certificate_with_a_random_code),
		T(certificate_keeps_the_name_it_was_issued_to),
		T(certificate_stands_while_the_enrollment_does),
		T(unknown_or_malformed_codes_find_nothing),
#undef T
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
