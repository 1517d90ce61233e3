#!/usr/bin/env perl
# A cohort student's schedule (issue 19), through the real stack, the
# school in Europe/Paris and the student in New York: the dashboard lists
# the sessions they booked, soonest first, in both zones, and how many
# steps are still to book with the link to the booking wizard; the
# course's learning page shows every step with its session or "Not booked
# yet".  Someone not in a cohort sees neither.  The cohort and the
# student's place are planted in the database, as booking.t does.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Forms;
use Stack;

my $s = Stack->start(ENROLL_TIMEZONE => 'Europe/Paris');
my $course = $s->course_id('systems-design-cohort');
$s->sql('DELETE FROM step_options WHERE cohort_id IN (SELECT id FROM cohorts WHERE course_id = ?1)', $course);
$s->sql('DELETE FROM cohorts WHERE course_id = ?1', $course);
$s->sql('DELETE FROM course_steps WHERE course_id = ?1', $course);
sub text_of { my $t = Forms::text($_[0]{content} // ''); $t =~ s/–/-/g; return $t }

my $cohort = $s->sql_one(q{INSERT INTO cohorts (course_id, name, starts_on,
    enroll_deadline, capacity, created_at, updated_at) VALUES (?1, 'Spring
    cohort', '2027-03-22', 1805000000, 30, 1, 1) RETURNING id}, $course);
my @step = map { $s->sql_one(q{INSERT INTO course_steps (course_id, position,
    label, title) VALUES (?1, ?2, 'Week ' || ?2, ?3) RETURNING id}, $course,
    $_, ('Requirements', 'Storage', 'Scaling')[$_ - 1]) } 1 .. 3;
sub option {
	my ($step, $name, $weekday, $starts) = @_;
	return $s->sql_one(q{INSERT INTO step_options (cohort_id, step_id, name,
	    weekday, start_minute, end_minute, starts_at, ends_at, capacity,
	    created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 1080, 1170, ?5,
	    ?5 + 5400, 30, 1, 1) RETURNING id}, $cohort, $step, $name, $weekday,
	    $starts);
}
# Tuesdays 18:00-19:30 in Paris: 23 March 2027 is winter time there
# (17:00Z) and already summer time in New York (13:00); 30 March is
# summer time in both (16:00Z, 12:00 in New York).
my $w1 = option($step[0], 'Tuesday evening', 2, 1805821200);
my $w2 = option($step[1], 'Tuesday evening', 2, 1806422400);
option($step[2], 'Tuesday evening', 2, 1807027200);
option($step[2], 'Thursday evening', 4, 1807200000);

my ($ann, $ann_id) = $s->student(name => 'Ann Cohort');
$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, cohort_id)
    VALUES (?1, ?2, 'admin', ?3)}, $ann_id, $course, $cohort);
# Weeks 1 and 2 booked (week 2 first in the table: the page orders them),
# week 3 to choose.
$s->sql(q{INSERT INTO step_bookings (user_id, cohort_id, step_id, option_id,
    booked_at, changed_at) VALUES (?1, ?2, ?4, ?5, 1, 1), (?1, ?2, ?3, ?6, 1, 1),
    (?1, ?2, ?7, NULL, NULL, 1)}, $ann_id, $cohort, $step[0], $step[1], $w2,
    $w1, $step[2]);
$s->sql('UPDATE step_options SET booked = 1 WHERE id IN (?1, ?2)', $w1, $w2);
$ann->get('/account/settings');
is(Forms::submit($ann, '/account/settings/timezone', timezone => 'America/New_York')->{status}, 303, 'Ann gives her own zone');

subtest 'the dashboard lists her sessions in both zones and the steps to book' => sub {
	my $res = $ann->get('/account/dashboard');
	is($res->{status}, 200, 'the dashboard opens');
	my $t = text_of($res);
	like($t, qr/Live sessions · Systems Design Cohort Spring cohort · times in Europe\/Paris and America\/New_York/, 'a section for the cohort course, naming both zones');
	like($t, qr/Week 1 · Tuesday evening: Tue 23 Mar 2027, 18:00-19:30 \(your time: Tue 23 Mar 2027, 13:00-14:30\).*Week 2 · Tuesday evening: Tue 30 Mar 2027, 18:00-19:30 \(your time: Tue 30 Mar 2027, 12:00-13:30\)/,
	    'week 1 then week 2, in the school\'s time and hers');
	unlike($t, qr/Week 3 · /, 'the step not booked is no session');
	like($t, qr/1 step to book/, 'one step to book');
	like($res->{content}, qr{<a href="/account/courses/$course/book">1 step to book</a>}, 'linking the booking wizard');
	# Once the first session is over it leaves the list.
	$s->sql('UPDATE step_options SET starts_at = ?2, ends_at = ?2 + 5400 WHERE id = ?1', $w1, time() - 7200);
	$t = text_of($ann->get('/account/dashboard'));
	unlike($t, qr/Week 1 · Tuesday evening/, 'a session over is not listed');
	like($t, qr/Week 2 · Tuesday evening/, 'the next one is');
	$s->sql('UPDATE step_options SET starts_at = 1805821200, ends_at = 1805826600 WHERE id = ?1', $w1);
};

subtest 'the learning page shows the cohort\'s schedule' => sub {
	my $res = $ann->get('/learn/systems-design-cohort');
	is($res->{status}, 200, 'the course\'s learning page opens');
	my $t = text_of($res);
	like($t, qr/Your schedule · Spring cohort/, 'a schedule of her cohort');
	like($t, qr/Times in the school's zone, Europe\/Paris, and in yours, America\/New_York/, 'naming both zones');
	like($t, qr/Week 1 · Requirements Tuesday evening: Tue 23 Mar 2027, 18:00-19:30 Your time: Tue 23 Mar 2027, 13:00-14:30/, 'week 1 with its session in both zones');
	like($t, qr/Week 2 · Storage Tuesday evening: Tue 30 Mar 2027, 18:00-19:30 Your time: Tue 30 Mar 2027, 12:00-13:30/, 'week 2');
	like($t, qr/Week 3 · Scaling Not booked yet/, 'week 3 not booked yet');
	like($res->{content}, qr{href="/account/courses/$course/book">Book your sessions \(1 step to book\)</a>}, 'with the link to book it');
};

subtest 'without her own zone, the school\'s only' => sub {
	$ann->get('/account/settings');
	is(Forms::submit($ann, '/account/settings/timezone', timezone => '')->{status}, 303, 'zone emptied');
	my $t = text_of($ann->get('/account/dashboard'));
	like($t, qr/Week 1 · Tuesday evening: Tue 23 Mar 2027, 18:00-19:30 Week 2/, 'one time a session');
	unlike($t, qr/your time/, 'no second zone');
};

subtest 'someone not in a cohort sees no schedule' => sub {
	my ($bob) = $s->student(name => 'Bob Reader');
	unlike($bob->get('/account/dashboard')->{content}, qr/Live sessions/, 'no sessions on the dashboard');
	unlike($s->browser->get('/learn/systems-design-cohort')->{content} // '', qr/Your schedule/, 'nor for a visitor on the learning page');
};

done_testing;
