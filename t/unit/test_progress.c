/* Progress (lib/progress.c) on a migrated, seeded database: the
 * arithmetic of done, percent and the next lesson; marking twice counts
 * once; completion comes with the last lesson, once, and stays when a
 * lesson is added or unmarked later; only a student with access through
 * an enrollment keeps progress; students never share it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "db.h"
#include "learners.h"
#include "progress.h"
#include "seed.h"
#include "user.h"

static struct mark_result
mark(struct fx *f, int64_t user, int64_t position, int done, int64_t now)
{
	struct mark_result m;

	assert_int_equal(progress_mark(f->t.db, user, f->course, position, done,
	    now, &m), ERR_OK);
	return m;
}

static struct progress
get(struct fx *f, int64_t user)
{
	struct progress p;

	assert_int_equal(progress_get(f->t.db, user, f->course, &p), ERR_OK);
	return p;
}

static void
percent_rounds_down_and_reaches_100_only_when_all_are_done(void **state)
{
	assert_int_equal(progress_percent(0, 0), 0);
	assert_int_equal(progress_percent(0, 3), 0);
	assert_int_equal(progress_percent(1, 3), 33);
	assert_int_equal(progress_percent(2, 3), 66);
	assert_int_equal(progress_percent(3, 3), 100);
	assert_int_equal(progress_percent(199, 200), 99);
	assert_int_equal(progress_percent(1, 200), 0);
	assert_int_equal(progress_percent(4, 3), 100);
}

static void
progress_counts_done_lessons_and_finds_the_next(void **state)
{
	struct fx *f = *state;
	struct progress p = get(f, f->ann);

	assert_int_equal(p.lesson_count, 3);
	assert_int_equal(p.done, 0);
	assert_int_equal(p.next_position, 1);
	assert_int_equal(p.last_activity_at, 0);
	mark(f, f->ann, 2, 1, NOW);
	p = get(f, f->ann);
	assert_int_equal(p.done, 1);
	assert_int_equal(p.percent, 33);
	assert_int_equal(p.next_position, 1);
	assert_int_equal(p.last_position, 2);
	assert_int_equal(p.last_activity_at, NOW);
	mark(f, f->ann, 1, 1, NOW + 1);
	p = get(f, f->ann);
	assert_int_equal(p.done, 2);
	assert_int_equal(p.percent, 66);
	assert_int_equal(p.next_position, 3);
	assert_int_equal(p.completed_at, 0);
}

static void
marking_twice_counts_once(void **state)
{
	struct fx *f = *state;
	struct mark_result m;

	m = mark(f, f->ann, 1, 1, NOW);
	assert_true(m.changed);
	m = mark(f, f->ann, 1, 1, NOW + 5);
	assert_false(m.changed);
	assert_int_equal(get(f, f->ann).done, 1);
	/* The repeat wrote nothing: the first moment stands. */
	assert_int_equal(get(f, f->ann).last_activity_at, NOW);
	assert_int_equal(learners_int(f, "SELECT completed_at FROM lesson_progress "
	    "WHERE user_id = ?1 AND lesson_id = (SELECT id FROM lessons WHERE "
	    "course_id = ?2 AND position = 1)", f->ann, f->course), NOW);
	m = mark(f, f->ann, 1, 0, NOW + 6);
	assert_true(m.changed);
	m = mark(f, f->ann, 1, 0, NOW + 7);
	assert_false(m.changed);
	assert_int_equal(get(f, f->ann).done, 0);
}

static void
last_lesson_completes_the_course_once(void **state)
{
	struct fx *f = *state;
	struct mark_result m;

	assert_false(mark(f, f->ann, 1, 1, NOW).completed_now);
	assert_false(mark(f, f->ann, 3, 1, NOW + 1).completed_now);
	m = mark(f, f->ann, 2, 1, NOW + 2);
	assert_true(m.completed_now);
	assert_int_equal(get(f, f->ann).completed_at, NOW + 2);
	assert_int_equal(get(f, f->ann).percent, 100);
	assert_int_equal(get(f, f->ann).next_position, 0);
	/* Unmarked and marked again: still completed when it first was. */
	mark(f, f->ann, 2, 0, NOW + 3);
	assert_int_equal(get(f, f->ann).completed_at, NOW + 2);
	assert_false(mark(f, f->ann, 2, 1, NOW + 4).completed_now);
	assert_int_equal(get(f, f->ann).completed_at, NOW + 2);
}

static void
lesson_added_later_keeps_the_completion(void **state)
{
	struct fx *f = *state;
	struct progress p;

	mark(f, f->ann, 1, 1, NOW);
	mark(f, f->ann, 2, 1, NOW);
	mark(f, f->ann, 3, 1, NOW);
	learners_run(f, "INSERT INTO lessons (course_id, position, title) VALUES "
	    "(?1, 4, 'Added later') -- ?2", f->course, 0);
	p = get(f, f->ann);
	assert_int_equal(p.lesson_count, 4);
	assert_int_equal(p.done, 3);
	assert_int_equal(p.percent, 75);
	assert_int_equal(p.next_position, 4);
	assert_int_equal(p.completed_at, NOW);
	/* Doing the new lesson does not complete it a second time. */
	assert_false(mark(f, f->ann, 4, 1, NOW + 9).completed_now);
	assert_int_equal(get(f, f->ann).completed_at, NOW);
}

static void
only_students_with_access_keep_progress(void **state)
{
	struct fx *f = *state;
	struct mark_result m;
	int64_t carl;

	carl = fixture_user(f->t.db, "carl@example.org", "Carl", ROLE_STUDENT);
	assert_int_equal(progress_mark(f->t.db, carl, f->course, 1, 1, NOW, &m),
	    ERR_FORBIDDEN);
	learners_run(f, "UPDATE enrollments SET status = 'revoked' WHERE user_id = ?1 "
	    "AND course_id = ?2", f->bob, f->course);
	assert_int_equal(progress_mark(f->t.db, f->bob, f->course, 1, 1, NOW,
	    &m), ERR_FORBIDDEN);
	assert_int_equal(learners_int(f, "SELECT count(*) FROM lesson_progress "
	    "WHERE user_id IN (?1, ?2)", carl, f->bob), 0);
	assert_int_equal(progress_mark(f->t.db, f->ann, f->course, 9, 1, NOW,
	    &m), ERR_NOTFOUND);
}

static void
students_never_share_progress(void **state)
{
	struct fx *f = *state;
	struct lesson *ls;
	size_t n;

	mark(f, f->ann, 1, 1, NOW);
	mark(f, f->ann, 3, 1, NOW);
	assert_int_equal(get(f, f->bob).done, 0);
	assert_int_equal(get(f, f->bob).last_activity_at, 0);
	assert_int_equal(progress_outline(f->t.db, f->t.a, f->bob, f->course,
	    &ls, &n), ERR_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_false(ls[i].done);
	assert_int_equal(progress_outline(f->t.db, f->t.a, f->ann, f->course,
	    &ls, &n), ERR_OK);
	assert_true(ls[0].done);
	assert_false(ls[1].done);
	assert_true(ls[2].done);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, learners_setup, \
	    fixture_teardown)
		T(percent_rounds_down_and_reaches_100_only_when_all_are_done),
		T(progress_counts_done_lessons_and_finds_the_next),
		T(marking_twice_counts_once),
		T(last_lesson_completes_the_course_once),
		T(lesson_added_later_keeps_the_completion),
		T(only_students_with_access_keep_progress),
		T(students_never_share_progress),
#undef T
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
