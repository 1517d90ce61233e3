#!/usr/bin/env perl
# The admin's cohort courses through nginx and the admin program, with the
# forms as rendered and the school in Europe/Paris: steps added, edited,
# moved and deleted (refused while used); cohorts created and edited (each
# field's error beside it; the capacity never below the places held; a
# new start day moving every session, refused when one would fall in the
# hour the clocks skip); sessions in week 1 and week 2 around the change
# of 28 March 2027 both at 18:00 local with the right UTC instants; the
# roster as a page (by key) and as CSV; a student moved by hand to
# another session and another cohort with every counter checked; every
# change one audit row with before and after.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::Local qw(timegm);
use Stack;
use Forms;

my $s = Stack->start(ENROLL_TIMEZONE => 'Europe/Paris');
my ($admin, $admin_id) = $s->admin(email => 'cohorts-admin@example.org');

sub audit_count { return $s->sql_one('SELECT count(*) FROM audit_log') }
sub last_audit { my @r = $s->sql('SELECT action, subject, before_json, after_json, actor_user_id FROM audit_log ORDER BY id DESC LIMIT 1'); return $r[0] }
sub utc { my ($y, $mo, $d, $h, $mi) = @_; return timegm(0, $mi, $h, $d, $mo - 1, $y) }
sub text_of { return Forms::text($_[0]{content} // '') }

# Posts the form of $b's last page that $pick chooses, with %set put in
# by name, as a browser sends it.
sub submit_where {
	my ($b, $pick, %set) = @_;
	my ($f) = grep { $pick->($_) } Forms::parse($b->{last}{content});
	die "no such form\n" unless $f;
	my ($i, %over) = (-1);
	for my $c (@{$f->{controls}}) {
		$i++;
		$over{$i} = $set{$c->{name}} if defined $c->{name} && exists $set{$c->{name}};
	}
	my @p = Forms::pairs($f, %over);
	return $b->request('POST', $f->{action}, join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } @p);
}

subtest 'the demo cohort courses have steps and an open cohort with sessions' => sub {
	my $course = $s->course_id('systems-design-cohort');
	is($s->sql_one('SELECT count(*) FROM course_steps WHERE course_id = ?1', $course), 4, 'four steps');
	my ($cohort, $held, $active) = @{($s->sql('SELECT id, held, is_active FROM cohorts WHERE course_id = ?1', $course))[0]};
	ok($cohort, 'one cohort');
	is_deeply([$held, $active], [0, 1], 'open and empty');
	is($s->sql_one(q{SELECT count(*) FROM (SELECT step_id FROM step_options WHERE cohort_id = ?1 GROUP BY step_id HAVING count(*) = 2) AS s}, $cohort), 2, 'two steps with two sessions');
	is($s->sql_one(q{SELECT count(*) FROM (SELECT step_id FROM step_options WHERE cohort_id = ?1 GROUP BY step_id HAVING count(*) = 1) AS s}, $cohort), 2, 'two with one');
	for my $slug ('data-science-bootcamp', 'algorithms-live') {
		is($s->sql_one('SELECT count(*) FROM cohorts WHERE course_id = ?1 AND is_active = 1', $s->course_id($slug)), 1, "$slug has an open cohort");
	}
	my $res = $admin->get("/admin/courses/$course");
	like($res->{content}, qr{href="/admin/courses/$course/cohorts"}, 'the course page links its cohorts');
	like($res->{content}, qr{href="/admin/courses/$course/steps"}, 'and its steps');
	$res = $admin->get("/admin/cohorts/$cohort");
	is($res->{status}, 200, 'the cohort page opens');
	like(text_of($res), qr/Tuesday evening .* 18:00–19:30 Europe\/Paris/, 'its evening sessions at 18:00 in the school\'s zone');
};

my $course;
my %step;
subtest 'steps: added, refused, edited, moved and deleted, each audited' => sub {
	$s->sql(q{INSERT INTO courses (slug, title, course_type, price_amount) VALUES ('pottery-live', 'Pottery Live', 'cohort', 9900)});
	$course = $s->course_id('pottery-live');
	$admin->get("/admin/courses/$course/steps");
	my $audits = audit_count();
	my $res = Forms::submit($admin, "/admin/courses/$course/steps", step_label => '', step_title => 'Kept title');
	is($res->{status}, 400, 'a step without a label is refused');
	like(Forms::field_error($res->{content}, 'step_label'), qr/Give the step a label/, 'beside its label');
	like($res->{content}, qr/value="Kept title"/, 'the title typed is kept');
	is(audit_count(), $audits, 'nothing audited');
	for (['Week 1', 'Wheel basics'], ['Week 2', 'Glazes'], ['Week 3', 'Firing']) {
		$admin->get("/admin/courses/$course/steps");
		is(Forms::submit($admin, "/admin/courses/$course/steps", step_label => $_->[0], step_title => $_->[1])->{status}, 303, "$_->[1] added");
		$step{$_->[1]} = $s->sql_one('SELECT id FROM course_steps WHERE course_id = ?1 AND title = ?2', $course, $_->[1]);
	}
	my $order = sub { join ',', map { "$_->[0]$_->[1]" } $s->sql('SELECT position, title FROM course_steps WHERE course_id = ?1 ORDER BY position', $course) };
	is($order->(), '1Wheel basics,2Glazes,3Firing', 'in order');
	my $a = last_audit();
	is_deeply([@$a[0, 1, 4]], ['step.create', "step:$step{Firing}", $admin_id], 'audited as a creation by the admin');

	$admin->get("/admin/courses/$course/steps");
	is(Forms::submit($admin, "/admin/steps/$step{Firing}/up")->{status}, 303, 'Firing moves up');
	is($order->(), '1Wheel basics,2Firing,3Glazes', 'swapped');
	$a = last_audit();
	is($a->[0], 'step.move_up', 'audited as a move');
	like($a->[2], qr/"position":3/, 'from 3');
	like($a->[3], qr/"position":2/, 'to 2');
	$admin->get("/admin/courses/$course/steps");
	is(Forms::submit($admin, "/admin/steps/$step{Firing}/down")->{status}, 303, 'and back down');
	is($order->(), '1Wheel basics,2Glazes,3Firing', 'in order again');
	is($admin->post("/admin/steps/$step{'Wheel basics'}/up", {}, from => "/admin/courses/$course/steps")->{status}, 400, 'the first cannot move up');

	$admin->get("/admin/steps/$step{Glazes}");
	$res = Forms::submit($admin, "/admin/steps/$step{Glazes}", step_title => '');
	is($res->{status}, 400, 'an edit without a title is refused');
	like(Forms::field_error($res->{content}, 'step_title'), qr/Give the step a title/, 'beside the title');
	$admin->get("/admin/steps/$step{Glazes}");
	is(Forms::submit($admin, "/admin/steps/$step{Glazes}", step_title => 'Glazes and slips')->{status}, 303, 'edited');
	$a = last_audit();
	is($a->[0], 'step.update', 'audited');
	like($a->[2], qr/"title":"Glazes"/, 'the title before');
	like($a->[3], qr/"title":"Glazes and slips"/, 'and after');

	$admin->get("/admin/courses/$course/steps");
	is(Forms::submit($admin, "/admin/courses/$course/steps", step_label => 'Extra', step_title => 'To delete')->{status}, 303, 'a fourth step');
	my $extra = $s->sql_one(q{SELECT id FROM course_steps WHERE title = 'To delete'});
	$admin->get("/admin/courses/$course/steps");
	is(Forms::submit($admin, "/admin/steps/$extra/delete")->{status}, 303, 'deleted while unused');
	is($s->sql_one('SELECT count(*) FROM course_steps WHERE course_id = ?1', $course), 3, 'three left');
	$a = last_audit();
	is_deeply([$a->[0], $a->[3]], ['step.delete', '{}'], 'audited, nothing after');
};

my ($spring, %opt);
subtest 'cohorts: the form refuses bad input beside each field, creates, edits' => sub {
	$admin->get("/admin/courses/$course/cohorts");
	my $audits = audit_count();
	my $res = Forms::submit($admin, "/admin/courses/$course/cohorts", name => '', starts_on => '2027-02-30',
	    enroll_deadline => 'soon', capacity => '0');
	is($res->{status}, 400, 'refused');
	like(Forms::field_error($res->{content}, 'name'), qr/Give the cohort a name/, 'name: its error');
	like(Forms::field_error($res->{content}, 'starts_on'), qr/Choose the day the cohort starts/, 'start day: its error');
	like(Forms::field_error($res->{content}, 'enroll_deadline'), qr/enrollment closes, in Europe\/Paris/, 'deadline: its error, naming the zone');
	like(Forms::field_error($res->{content}, 'capacity'), qr/whole number from 1/, 'places: its error');
	like($res->{content}, qr/value="2027-02-30"/, 'what was typed is kept');
	$admin->get("/admin/courses/$course/cohorts");
	$res = Forms::submit($admin, "/admin/courses/$course/cohorts", name => 'Gap', starts_on => '2027-03-22',
	    enroll_deadline => '2027-03-28T02:30', capacity => '5');
	like(Forms::field_error($res->{content}, 'enroll_deadline'), qr/clocks skip/, 'a deadline in the skipped hour is refused');
	is($s->sql_one('SELECT count(*) FROM cohorts WHERE course_id = ?1', $course), 0, 'no cohort made');
	is(audit_count(), $audits, 'nothing audited');

	$admin->get("/admin/courses/$course/cohorts");
	$res = Forms::submit($admin, "/admin/courses/$course/cohorts", name => 'Spring 2027', starts_on => '2027-03-22',
	    enroll_deadline => '2027-03-15T23:59', capacity => '2');
	is($res->{status}, 303, 'created');
	($spring) = ($res->{headers}{location} // '') =~ m{^/admin/cohorts/(\d+)$};
	ok($spring, 'and sent to its page');
	is_deeply([@{($s->sql('SELECT name, starts_on, enroll_deadline, capacity, held, is_active FROM cohorts WHERE id = ?1', $spring))[0]}],
	    ['Spring 2027', '2027-03-22', utc(2027, 3, 15, 22, 59), 2, 0, 1], 'the row: the deadline read in Paris (UTC+1 in March)');
	my $a = last_audit();
	is_deeply([@$a[0, 1, 2]], ['cohort.create', "cohort:$spring", '{}'], 'audited as a creation');
	like($a->[3], qr/"starts_on":"2027-03-22"/, 'with what was made');
	$res = $admin->get("/admin/cohorts/$spring");
	like($res->{content}, qr/id="enroll_deadline" name="enroll_deadline" type="datetime-local" value="2027-03-15T23:59"/, 'the deadline shown back in Paris');

	$admin->get("/admin/courses/$course/cohorts");
	$res = Forms::submit($admin, "/admin/courses/$course/cohorts", name => 'Spring 2027', starts_on => '2027-04-05',
	    enroll_deadline => '2027-04-01T12:00', capacity => '3');
	is($res->{status}, 409, 'a name taken in the course is refused');
	like(Forms::field_error($res->{content}, 'name'), qr/Another cohort of this course has this name/, 'beside the name');
	like($admin->get("/admin/courses/$course/cohorts")->{content}, qr/id="cohort-$spring"/, 'the list shows it');
	like(text_of($admin->get("/admin/courses/$course/cohorts")), qr/Spring 2027 .* 0 of 2/, 'with its places held of capacity');
};

subtest 'sessions: refused beside each field, then week 1 and week 2 at 18:00 across the change of hour' => sub {
	$admin->get("/admin/cohorts/$spring");
	my $audits = audit_count();
	my $res = Forms::submit($admin, "/admin/cohorts/$spring/options", option_step => $step{'Wheel basics'}, option_name => '',
	    option_weekday => '2', option_start => '25:00', option_end => '', option_capacity => '0', option_url => 'http://meet.example.org/x');
	is($res->{status}, 400, 'refused');
	like(Forms::field_error($res->{content}, 'option_name'), qr/Give the session a name/, 'name: its error');
	like(Forms::field_error($res->{content}, 'option_start'), qr/such as 18:00/, 'start: its error');
	like(Forms::field_error($res->{content}, 'option_end'), qr/after it starts/, 'end: its error');
	like(Forms::field_error($res->{content}, 'option_capacity'), qr/whole number from 1/, 'places: its error');
	like(Forms::field_error($res->{content}, 'option_url'), qr/https:\/\//, 'link: its error');
	like($res->{content}, qr/value="http:\/\/meet.example.org\/x"/, 'the link typed is kept');
	$admin->get("/admin/cohorts/$spring");
	$res = Forms::submit($admin, "/admin/cohorts/$spring/options", option_step => $step{'Wheel basics'}, option_name => 'Night owls',
	    option_weekday => '7', option_start => '02:30', option_end => '03:30', option_capacity => '5');
	is($res->{status}, 400, 'week 1\'s Sunday at 02:30 is refused: 28 March 2027 skips that hour');
	like(Forms::field_error($res->{content}, 'option_start'), qr/does not exist in Europe\/Paris/, 'beside the start');
	is($s->sql_one('SELECT count(*) FROM step_options WHERE cohort_id = ?1', $spring), 0, 'no session made');
	is(audit_count(), $audits, 'nothing audited');

	my @add = (['w1', 'Wheel basics', 'Tuesday evening', 2, '18:00', '19:30', 1],
	    ['w1b', 'Wheel basics', 'Thursday morning', 4, '09:00', '10:30', 5],
	    ['w2', 'Glazes and slips', 'Tuesday evening', 2, '18:00', '19:30', 5],
	    ['w2n', 'Glazes and slips', 'Sunday night', 7, '02:30', '03:30', 5]);
	for (@add) {
		my ($key, $st, $name, $wd, $from, $to, $cap) = @$_;
		$admin->get("/admin/cohorts/$spring");
		$res = Forms::submit($admin, "/admin/cohorts/$spring/options", option_step => $step{$st eq 'Glazes and slips' ? 'Glazes' : $st},
		    option_name => $name, option_weekday => $wd, option_start => $from, option_end => $to, option_capacity => $cap,
		    option_url => 'https://meet.example.org/pottery');
		is($res->{status}, 303, "$key: $name added");
		$opt{$key} = $s->sql_one('SELECT max(id) FROM step_options WHERE cohort_id = ?1', $spring);
	}
	my $a = last_audit();
	is_deeply([@$a[0, 1]], ['option.create', "option:$opt{w2n}"], 'audited');
	is_deeply([@{($s->sql('SELECT starts_at, ends_at FROM step_options WHERE id = ?1', $opt{w1}))[0]}],
	    [utc(2027, 3, 23, 17, 0), utc(2027, 3, 23, 18, 30)], 'week 1, Tuesday 23 March 18:00 in Paris is 17:00 UTC');
	is_deeply([@{($s->sql('SELECT starts_at, ends_at FROM step_options WHERE id = ?1', $opt{w2}))[0]}],
	    [utc(2027, 3, 30, 16, 0), utc(2027, 3, 30, 17, 30)], 'week 2, Tuesday 30 March 18:00 in Paris is 16:00 UTC');
	my $page = text_of($admin->get("/admin/cohorts/$spring"));
	like($page, qr/Tue 23 Mar 2027, 18:00–19:30 Europe\/Paris/, 'the page shows week 1 at 18:00');
	like($page, qr/Tue 30 Mar 2027, 18:00–19:30 Europe\/Paris/, 'and week 2 at 18:00 too');
	like($page, qr/Sun 4 Apr 2027, 02:30–03:30 Europe\/Paris/, 'week 2\'s Sunday has its 02:30');

	$admin->get("/admin/options/$opt{w1b}");
	$res = Forms::submit($admin, "/admin/options/$opt{w1b}", option_end => '08:00');
	is($res->{status}, 400, 'an edit ending before it starts is refused');
	like(Forms::field_error($res->{content}, 'option_end'), qr/after it starts/, 'beside the end');
	$admin->get("/admin/options/$opt{w1b}");
	is(Forms::submit($admin, "/admin/options/$opt{w1b}", option_start => '09:30', option_end => '11:00')->{status}, 303, 'edited');
	is($s->sql_one('SELECT starts_at FROM step_options WHERE id = ?1', $opt{w1b}), utc(2027, 3, 25, 8, 30), 'Thursday 25 March 09:30 in Paris');
	$a = last_audit();
	is($a->[0], 'option.update', 'audited');
	like($a->[2], qr/"start_minute":540/, 'the start before');
	like($a->[3], qr/"start_minute":570/, 'and after');
};

subtest 'a new start day moves every session, refused when one falls in the skipped hour' => sub {
	my $audits = audit_count();
	$admin->get("/admin/cohorts/$spring");
	my $res = Forms::submit($admin, "/admin/cohorts/$spring", starts_on => '2027-03-15');
	is($res->{status}, 409, 'a week earlier puts Sunday night on 28 March at 02:30: refused');
	like(Forms::field_error($res->{content}, 'starts_on'), qr/clocks skip/, 'beside the start day');
	is($s->sql_one('SELECT starts_on FROM cohorts WHERE id = ?1', $spring), '2027-03-22', 'nothing changed');
	is($s->sql_one('SELECT starts_at FROM step_options WHERE id = ?1', $opt{w1}), utc(2027, 3, 23, 17, 0), 'nor any session');
	is(audit_count(), $audits, 'nothing audited');

	$admin->get("/admin/cohorts/$spring");
	$res = Forms::submit($admin, "/admin/cohorts/$spring", starts_on => '2027-03-29');
	is($res->{status}, 303, 'a week later is saved');
	like(text_of($admin->get("/admin/cohorts/$spring")), qr/4 sessions moved/, 'the page says the sessions moved');
	is($s->sql_one('SELECT starts_at FROM step_options WHERE id = ?1', $opt{w1}), utc(2027, 3, 30, 16, 0), 'week 1 now on 30 March, 18:00 summer time');
	my $a = last_audit();
	is($a->[0], 'cohort.update', 'audited');
	like($a->[2], qr/"starts_on":"2027-03-22".*"sessions":\[\[$opt{w1},@{[utc(2027, 3, 23, 17, 0)]}/, 'the day and sessions before');
	like($a->[3], qr/"starts_on":"2027-03-29".*"sessions":\[\[$opt{w1},@{[utc(2027, 3, 30, 16, 0)]}/, 'and after');
	$admin->get("/admin/cohorts/$spring");
	is(Forms::submit($admin, "/admin/cohorts/$spring", starts_on => '2027-03-22')->{status}, 303, 'and back');
	is($s->sql_one('SELECT starts_at FROM step_options WHERE id = ?1', $opt{w1}), utc(2027, 3, 23, 17, 0), 'week 1 back on 23 March');
	$admin->get("/admin/cohorts/$spring");
	is(Forms::submit($admin, "/admin/options/$opt{w2n}/delete")->{status}, 303, 'an unbooked session is deleted');
	is(last_audit()->[0], 'option.delete', 'audited');
};

# A student enrolled in $cohort of $course as a paid checkout leaves
# them: an enrollment, a place taken, a row per step unbooked.
sub enroll {
	my ($uid, $cohort) = @_;
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, cohort_id) SELECT ?1, course_id, 'admin', id FROM cohorts WHERE id = ?2}, $uid, $cohort);
	$s->sql(q{INSERT INTO cohort_places (cohort_id, user_id, status, created_at, updated_at) VALUES (?1, ?2, 'taken', 1, 1)}, $cohort, $uid);
	$s->sql(q{UPDATE cohorts SET held = held + 1 WHERE id = ?1}, $cohort);
	$s->sql(q{INSERT INTO step_bookings (user_id, cohort_id, step_id, changed_at) SELECT ?1, c.id, s.id, 1 FROM cohorts c JOIN course_steps s ON s.course_id = c.course_id WHERE c.id = ?2}, $uid, $cohort);
	return $s->sql_one('SELECT id FROM enrollments WHERE user_id = ?1 AND cohort_id = ?2', $uid, $cohort);
}
sub booked { return $s->sql_one('SELECT booked FROM step_options WHERE id = ?1', $_[0]) }
sub held { return $s->sql_one('SELECT held FROM cohorts WHERE id = ?1', $_[0]) }
# Books session $opt for enrollment $eid through its step's form.
sub book {
	my ($eid, $opt) = @_;
	$admin->get("/admin/enrollments/$eid/cohort");
	return submit_where($admin, sub { grep { ($_->{name} // '') eq 'option_id' && grep { $_->{value} eq $opt } @{$_->{options} // []} } @{$_[0]{controls}} }, option_id => $opt);
}

my (undef, $ann) = $s->student(name => 'Ann Potter', email => 'ann.potter@example.org');
my (undef, $bob) = $s->student(name => 'Bob Kiln', email => 'bob.kiln@example.org');
my ($ann_e, $bob_e);
subtest 'the capacity never goes below the places held' => sub {
	$ann_e = enroll($ann, $spring);
	$bob_e = enroll($bob, $spring);
	is(held($spring), 2, 'two places held of two');
	my $audits = audit_count();
	$admin->get("/admin/cohorts/$spring");
	my $res = Forms::submit($admin, "/admin/cohorts/$spring", capacity => '1', name => 'Spring 2027 (renamed)');
	is($res->{status}, 409, 'one place is refused');
	like(Forms::field_error($res->{content}, 'capacity'), qr/2 places are held/, 'beside the capacity, with the count');
	like($res->{content}, qr/value="Spring 2027 \(renamed\)"/, 'what was typed is kept');
	is_deeply([@{($s->sql('SELECT name, capacity FROM cohorts WHERE id = ?1', $spring))[0]}], ['Spring 2027', 2], 'nothing changed');
	is(audit_count(), $audits, 'nothing audited');
	$admin->get("/admin/cohorts/$spring");
	is(Forms::submit($admin, "/admin/cohorts/$spring", capacity => '3')->{status}, 303, 'three is saved');
	like(last_audit()->[3], qr/"capacity":3/, 'audited');
};

subtest 'a student moved to another session of a step, refused when it is full' => sub {
	my $res = book($ann_e, $opt{w1});
	is($res->{status}, 303, 'Ann booked on Tuesday evening');
	is(booked($opt{w1}), 1, 'its one place taken');
	my $a = last_audit();
	is_deeply([@$a[0, 1]], ['cohort.move_booking', "enrollment:$ann_e"], 'audited on her enrollment');
	like($a->[2], qr/"$step{'Wheel basics'}":null/, 'unbooked before');
	like($a->[3], qr/"$step{'Wheel basics'}":$opt{w1}/, 'booked after');
	my $audits = audit_count();
	$res = book($bob_e, $opt{w1});
	is($res->{status}, 409, 'Bob on the same full session is refused');
	like(Forms::field_error($res->{content}, "option_$step{'Wheel basics'}"), qr/Tuesday evening is full/, 'beside that step, in plain words');
	is($s->sql_one('SELECT coalesce(option_id, 0) FROM step_bookings WHERE user_id = ?1 AND step_id = ?2', $bob, $step{'Wheel basics'}), 0, 'Bob stays unbooked');
	is(audit_count(), $audits, 'nothing audited');
	is(book($bob_e, $opt{w1b})->{status}, 303, 'Bob on Thursday morning');
	is(book($ann_e, $opt{w1b})->{status}, 303, 'Ann moved to Thursday morning');
	is_deeply([booked($opt{w1}), booked($opt{w1b})], [0, 2], 'Tuesday freed, Thursday holds both');
	is(book($ann_e, $opt{w2})->{status}, 303, 'Ann booked in week 2');

	$admin->get("/admin/options/$opt{w1b}");
	$res = Forms::submit($admin, "/admin/options/$opt{w1b}", option_capacity => '1');
	is($res->{status}, 409, 'a session\'s capacity below its bookings is refused');
	like(Forms::field_error($res->{content}, 'option_capacity'), qr/2 students booked/, 'beside its capacity');
	$admin->get("/admin/cohorts/$spring");
	$res = Forms::submit($admin, "/admin/options/$opt{w1b}/delete");
	is($res->{status}, 409, 'a booked session cannot be deleted');
	like(Forms::field_error($res->{content}, 'sessions'), qr/Students booked that session/, 'and the page says why');
	is(booked($opt{w1b}), 2, 'it is still there with its bookings');
};

subtest 'the roster shows each student\'s sessions, and the same as CSV' => sub {
	my $res = $admin->get("/admin/cohorts/$spring/roster");
	is($res->{status}, 200, 'the roster opens');
	my $t = text_of($res);
	like($t, qr/Ann Potter ann.potter\@example.org .*Week 1: Thursday morning, Thu 25 Mar 2027, 09:30–11:00 Europe\/Paris Week 2: Tuesday evening, Tue 30 Mar 2027, 18:00–19:30 Europe\/Paris Week 3: not booked/, 'Ann\'s sessions step by step');
	like($t, qr/Bob Kiln .*Week 2: not booked/, 'Bob\'s unbooked step');
	$res = $admin->get("/admin/cohorts/$spring/roster.csv");
	is($res->{status}, 200, 'the CSV downloads');
	like($res->{headers}{'content-type'}, qr{text/csv}, 'as CSV');
	my @lines = split /\r\n/, $res->{content};
	is($lines[0], 'name,email,joined,Week 1,Week 2,Week 3', 'a column per step');
	my ($ann_line) = grep { /^Ann Potter,/ } @lines;
	like($ann_line, qr/^Ann Potter,ann.potter\@example.org,\d{4}-\d\d-\d\d,"Thursday morning, Thu 25 Mar 2027, 09:30–11:00 Europe\/Paris","Tuesday evening, Tue 30 Mar 2027, 18:00–19:30 Europe\/Paris",not booked$/, 'Ann\'s row');
	is(scalar(@lines), 3, 'a header and two students');
};

my $autumn;
subtest 'a student moved to another cohort: places, sessions and counters follow' => sub {
	$admin->get("/admin/courses/$course/cohorts");
	my $res = Forms::submit($admin, "/admin/courses/$course/cohorts", name => 'Autumn 2027', starts_on => '2027-10-04',
	    enroll_deadline => '2027-09-27T12:00', capacity => '1');
	($autumn) = ($res->{headers}{location} // '') =~ m{/admin/cohorts/(\d+)$};
	ok($autumn, 'a second cohort with one place');
	my %a;
	for (['single', 'Wheel basics', 'Monday class', 1], ['w2a', 'Glazes', 'Wednesday class', 3], ['w2b', 'Glazes', 'Friday class', 5]) {
		$admin->get("/admin/cohorts/$autumn");
		Forms::submit($admin, "/admin/cohorts/$autumn/options", option_step => $step{$_->[1]}, option_name => $_->[2],
		    option_weekday => $_->[3], option_start => '18:00', option_end => '19:30', option_capacity => '4');
		$a{$_->[0]} = $s->sql_one('SELECT max(id) FROM step_options WHERE cohort_id = ?1', $autumn);
	}
	$admin->get("/admin/enrollments/$ann_e/cohort");
	$res = Forms::submit($admin, "/admin/enrollments/$ann_e/cohort", to_cohort => $autumn);
	is($res->{status}, 303, 'Ann moved to Autumn');
	is_deeply([held($spring), held($autumn)], [1, 1], 'her place in Spring given back, one taken in Autumn');
	is($s->sql_one(q{SELECT status FROM cohort_places WHERE cohort_id = ?1 AND user_id = ?2}, $spring, $ann), 'released', 'the old place released');
	is($s->sql_one(q{SELECT status FROM cohort_places WHERE cohort_id = ?1 AND user_id = ?2}, $autumn, $ann), 'taken', 'the new one taken');
	is_deeply([booked($opt{w1b}), booked($opt{w2})], [1, 0], 'her Spring sessions given back');
	is($s->sql_one('SELECT cohort_id FROM enrollments WHERE id = ?1', $ann_e), $autumn, 'her enrollment names Autumn');
	is(join(',', map { "$_->[0]:$_->[1]" } $s->sql('SELECT b.step_id, coalesce(b.option_id, 0) FROM step_bookings b JOIN course_steps s ON s.id = b.step_id WHERE b.user_id = ?1 ORDER BY s.position', $ann)),
	    "$step{'Wheel basics'}:$a{single},$step{Glazes}:0,$step{Firing}:0", 'the single-session step booked, the others to choose');
	is($s->sql_one('SELECT count(*) FROM step_bookings WHERE user_id = ?1 AND cohort_id = ?2', $ann, $spring), 0, 'no Spring row left');
	is(booked($a{single}), 1, 'the single session counts her');
	my $a = last_audit();
	is_deeply([@$a[0, 1, 4]], ['cohort.move_student', "enrollment:$ann_e", $admin_id], 'audited');
	like($a->[2], qr/"cohort_id":$spring/, 'from Spring');
	like($a->[3], qr/"cohort_id":$autumn/, 'to Autumn');

	my $audits = audit_count();
	$admin->get("/admin/enrollments/$bob_e/cohort");
	$res = Forms::submit($admin, "/admin/enrollments/$bob_e/cohort", to_cohort => $autumn);
	is($res->{status}, 409, 'Bob to the full Autumn is refused');
	like(Forms::field_error($res->{content}, 'to_cohort'), qr/This cohort is full\. Nobody was moved\./, 'in plain words beside the choice');
	is_deeply([held($spring), held($autumn), booked($opt{w1b})], [1, 1, 1], 'nothing moved');
	is($s->sql_one('SELECT cohort_id FROM enrollments WHERE id = ?1', $bob_e), $spring, 'Bob is still in Spring');
	is(audit_count(), $audits, 'nothing audited');
	like(text_of($admin->get("/admin/cohorts/$autumn/roster")), qr/Ann Potter .*Week 1: Monday class/, 'Autumn\'s roster has Ann');
	unlike(text_of($admin->get("/admin/cohorts/$spring/roster")), qr/Ann Potter/, 'Spring\'s does not');
};

subtest 'the roster pages by key' => sub {
	$s->sql(q{WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
	    INSERT INTO users (email, name, password_hash) SELECT 'bulk' || (CASE WHEN i < 10 THEN '0' ELSE '' END || i) || '@example.org', 'Bulk ' || (CASE WHEN i < 10 THEN '0' ELSE '' END || i), '$argon2id$x' FROM n});
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, cohort_id) SELECT u.id, ?1, 'admin', ?2 FROM users u WHERE substr(u.email, 1, 4) = 'bulk'}, $course, $spring);
	my (%seen, $pages);
	my $url = "/admin/cohorts/$spring/roster";
	while ($url) {
		my $res = $admin->get($url);
		$pages++;
		$seen{$1}++ while $res->{content} =~ /id="student-(\d+)"/g;
		($url) = $res->{content} =~ /<a rel="next" href="([^"]+)"/;
		$url =~ s/&amp;/&/g if $url;
		last if $pages > 5;
	}
	is($pages, 2, 'sixty-one students make two pages');
	is(scalar keys %seen, 61, 'every student once');
	my @csv = split /\r\n/, $admin->get("/admin/cohorts/$spring/roster.csv")->{content};
	is(scalar(@csv), 62, 'the CSV holds them all');
};

subtest 'deletions refused while used, with the reason' => sub {
	$admin->get("/admin/courses/$course/steps");
	my $res = Forms::submit($admin, "/admin/steps/$step{Glazes}/delete");
	is($res->{status}, 409, 'a step with sessions is not deleted');
	like(Forms::field_error($res->{content}, 'steps'), qr/cohorts offer 3 sessions of it/, 'the page says why');
	$admin->get("/admin/cohorts/$spring");
	$res = Forms::submit($admin, "/admin/cohorts/$spring/delete");
	is($res->{status}, 409, 'a cohort with students is not deleted');
	like(Forms::field_error($res->{content}, 'delete'), qr/untick "Taking students"/, 'deactivate instead');
	ok($s->sql_one('SELECT count(*) FROM cohorts WHERE id = ?1', $spring), 'it stays');

	$admin->get("/admin/courses/$course/cohorts");
	$res = Forms::submit($admin, "/admin/courses/$course/cohorts", name => 'Never', starts_on => '2028-01-03',
	    enroll_deadline => '2027-12-20T12:00', capacity => '4');
	my ($never) = ($res->{headers}{location} // '') =~ m{/admin/cohorts/(\d+)$};
	$admin->get("/admin/cohorts/$never");
	Forms::submit($admin, "/admin/cohorts/$never/options", option_step => $step{Firing}, option_name => 'Kiln day',
	    option_weekday => '6', option_start => '10:00', option_end => '12:00', option_capacity => '4');
	$admin->get("/admin/cohorts/$never");
	is(Forms::submit($admin, "/admin/cohorts/$never/delete")->{status}, 303, 'a cohort nobody joined is deleted');
	is($s->sql_one('SELECT count(*) FROM cohorts WHERE id = ?1', $never), 0, 'gone');
	is($s->sql_one(q{SELECT count(*) FROM step_options WHERE name = 'Kiln day'}), 0, 'with its sessions');
	my $a = last_audit();
	is_deeply([@$a[0, 1, 3]], ['cohort.delete', "cohort:$never", '{}'], 'audited, nothing after');
};

subtest 'a step moved takes its sessions to its new week' => sub {
	$admin->get("/admin/courses/$course/steps");
	is(Forms::submit($admin, "/admin/steps/$step{Glazes}/up")->{status}, 303, 'Glazes moves up to week 1');
	is($s->sql_one('SELECT starts_at FROM step_options WHERE id = ?1', $opt{w2}), utc(2027, 3, 23, 17, 0), 'its Tuesday session now on 23 March, 18:00 winter time');
	is($s->sql_one('SELECT starts_at FROM step_options WHERE id = ?1', $opt{w1b}), utc(2027, 4, 1, 7, 30), 'Wheel basics\' Thursday now on 1 April, 09:30 summer time');
};

done_testing;
