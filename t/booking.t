#!/usr/bin/env perl
# Booking live sessions (issue 19), through the real stack and the booking
# form as it is rendered, the school in Europe/Paris: a cohort student
# sees every step of the course, the single-option step booked already,
# and chooses the others; "Book later" leaves a step unbooked; a full
# option is refused with its step named and nothing of the submission
# applied; 20 students racing for an option's last place: exactly one gets
# it; a session downloads as an .ics file that Python's icalendar reads
# back with the right UTC times on both sides of the change to summer
# time; the private calendar feed works without a session, and a new link
# or a revoked one stops the old; a student who gives their own zone
# sees both times.  The cohort and the student's place are
# planted in the database: enrolling through the cart comes later.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempfile);
use POSIX ();
use Forms;
use Stack;

my $s = Stack->start(ENROLL_TIMEZONE => 'Europe/Paris');
my $course = $s->course_id('systems-design-cohort');
# A schedule of the test's own, not the demo's.
$s->sql('DELETE FROM step_options WHERE cohort_id IN (SELECT id FROM cohorts WHERE course_id = ?1)', $course);
$s->sql('DELETE FROM cohorts WHERE course_id = ?1', $course);
$s->sql('DELETE FROM course_steps WHERE course_id = ?1', $course);

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/&ndash;|–/-/g; $h =~ s/\s+/ /g; return $h }

# The cohort: week 1 has one option, week 2 two (Thursday with one
# place), all in March 2027.  Tuesdays 18:00-19:30 Paris: 23 March is in
# winter time (17:00Z), 30 March in summer time (16:00Z).
my $cohort = $s->sql_one(q{INSERT INTO cohorts (course_id, name, starts_on,
    enroll_deadline, capacity, created_at, updated_at) VALUES (?1, 'Spring
    cohort', '2027-03-22', 1805000000, 30, 1, 1) RETURNING id}, $course);
my @step = map { $s->sql_one(q{INSERT INTO course_steps (course_id, position,
    label, title) VALUES (?1, ?2, 'Week ' || ?2, ?3) RETURNING id}, $course,
    $_, ('Requirements', 'Storage')[$_ - 1]) } 1 .. 2;
sub option {
	my ($step, $name, $weekday, $starts, $capacity) = @_;
	return $s->sql_one(q{INSERT INTO step_options (cohort_id, step_id, name,
	    weekday, start_minute, end_minute, starts_at, ends_at, capacity,
	    meeting_url, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 1080,
	    1170, ?5, ?5 + 5400, ?6, 'https://meet.example/' || ?3, 1, 1)
	    RETURNING id}, $cohort, $step, $name, $weekday, $starts, $capacity);
}
my $w1 = option($step[0], 'Tuesday evening', 2, 1805821200, 30);
my $tue = option($step[1], 'Tuesday evening', 2, 1806422400, 30);
my $thu = option($step[1], 'Thursday evening', 4, 1806595200, 1);

# A student with a paid place in the cohort, as fulfilment leaves them:
# an enrollment naming it and a booking row per step, the single-option
# step booked.
sub cohort_student {
	my ($b, $id) = $s->student(@_);
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, cohort_id)
	    VALUES (?1, ?2, 'admin', ?3)}, $id, $course, $cohort);
	$s->sql(q{INSERT INTO step_bookings (user_id, cohort_id, step_id, option_id,
	    booked_at, changed_at) VALUES (?1, ?2, ?3, ?4, 1, 1), (?1, ?2, ?5, NULL,
	    NULL, 1)}, $id, $cohort, $step[0], $w1, $step[1]);
	$s->sql('UPDATE step_options SET booked = booked + 1 WHERE id = ?1', $w1);
	return ($b, $id);
}
sub booked_option {
	my ($id, $step) = @_;
	return $s->sql_one('SELECT coalesce(option_id, 0) FROM step_bookings WHERE user_id = ?1 AND step_id = ?2', $id, $step);
}
sub booked { $s->sql_one('SELECT booked FROM step_options WHERE id = ?1', $_[0]) }

# Submits the booking form as rendered, with the select of step $id set to
# $value for each pair of %choice.
sub book {
	my ($b, %choice) = @_;
	my ($f) = grep { ($_->{action} // '') eq "/account/courses/$course/book" }
	    Forms::parse($b->{last}{content});
	die "no booking form\n" unless $f;
	my ($i, %over) = (-1);
	for my $c (@{$f->{controls}}) {
		$i++;
		next unless ($c->{id} // '') =~ /^step-(\d+)$/ && exists $choice{$1};
		my $want = $choice{$1};
		die "step $1 offers no $want\n" unless grep { $_->{value} eq $want } @{$c->{options}};
		$over{$i} = $want;
	}
	my $body = join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } Forms::pairs($f, %over);
	return $b->request('POST', "/account/courses/$course/book", $body);
}

# Each event's start as Python's icalendar reads it, in Paris time.
sub parsed_starts {
	my ($fh, $file) = tempfile(UNLINK => 1);
	print $fh shift;
	close $fh;
	return `/usr/bin/python3 -c '
import sys, icalendar, zoneinfo
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for ev in cal.walk("VEVENT"):
    print(ev.decoded("dtstart").astimezone(zoneinfo.ZoneInfo("Europe/Paris")).isoformat())
' $file`;
}

my ($ann, $ann_id) = cohort_student(name => 'Ann Cohort');

subtest 'the wizard shows every step, in the school\'s time' => sub {
	my $res = $ann->get("/account/courses/$course/book");
	is($res->{status}, 200, 'a cohort student opens the booking page');
	my $t = text_of($res->{content});
	like($t, qr/You are in Spring cohort ?\. Times are in the school's time zone, Europe\/Paris/, 'naming the cohort and the zone');
	like($t, qr/Booked: Tuesday evening ?, Tue 23 Mar 2027, 18:00-19:30/, 'week 1, the only option, is booked already');
	like($t, qr/Tuesday evening: Tue 30 Mar 2027, 18:00-19:30, 30 left/, 'week 2 offers Tuesday, 18:00 in summer time too');
	like($t, qr/Thursday evening: Thu 1 Apr 2027, 18:00-19:30, 1 left/, 'and Thursday with its one place');
	like($res->{content}, qr{href="https://meet\.example/Tuesday evening"}, 'the booked session\'s meeting link is shown');
	unlike($res->{content}, qr{meet\.example/Thursday}, 'an option not booked shows no link');
	my ($out) = $s->student(name => 'Otto Outsider');
	is($out->get("/account/courses/$course/book")->{status}, 404, 'someone without a place gets 404');
};

subtest '"Book later" leaves the step unbooked; a choice books it' => sub {
	$ann->get("/account/courses/$course/book");
	my $res = Forms::submit($ann, "/account/courses/$course/book");
	is($res->{status}, 303, 'the form sent as rendered is accepted');
	like(text_of($ann->get("/account/courses/$course/book")->{content}), qr/Nothing was changed/, 'and says nothing changed');
	is(booked_option($ann_id, $step[1]), 0, 'week 2 stays unbooked');
	$res = book($ann, $step[1] => $thu);
	is($res->{status}, 303, 'choosing Thursday for week 2 is accepted');
	like(text_of($ann->get("/account/courses/$course/book")->{content}), qr/Your sessions are booked.*Booked: Thursday evening ?,/, 'the page shows it booked');
	is(booked_option($ann_id, $step[1]), $thu, 'the booking is stored');
	is(booked($thu), 1, 'and counted');
};

subtest 'a full option is refused, naming its step, and nothing is half-applied' => sub {
	my ($bob, $bob_id) = cohort_student(name => 'Bob Cohort');
	my $page = $bob->get("/account/courses/$course/book")->{content};
	like(text_of($page), qr/Thursday evening: Thu 1 Apr 2027, 18:00-19:30, full/, 'Thursday shows as full');
	like($page, qr/<option value="$thu" disabled>/, 'and cannot be chosen');
	# A stale page (Thursday had a place when Bob opened it): its
	# choice arrives after Ann took the place.
	$page =~ s/<option value="$thu" disabled>/<option value="$thu">/;
	$bob->{last}{content} = $page;
	my $before = $s->sql_joined(',', 'SELECT coalesce(option_id, 0) FROM step_bookings WHERE user_id = ?1 ORDER BY id', $bob_id);
	my $res = book($bob, $step[1] => $thu);
	is($res->{status}, 409, 'the booking is refused');
	like(Forms::text($res->{content}), qr/Week 2: Thursday evening has no place left/, 'naming the step and the option');
	is($s->sql_joined(',', 'SELECT coalesce(option_id, 0) FROM step_bookings WHERE user_id = ?1 ORDER BY id', $bob_id), $before, 'nothing changed');
	is(booked($thu), 1, 'Thursday still counts one');
};

subtest '20 students race for the last place of an option: one gets it' => sub {
	my $last = option($step[1], 'Wednesday morning', 3, 1806508800, 1);
	my @racers = map { [cohort_student(name => "Racer $_")] } 1 .. 20;
	$_->[0]->get("/account/courses/$course/book") for @racers;
	my @pids;
	for my $r (@racers) {
		my $pid = fork // die "fork: $!";
		if ($pid == 0) {
			my $res = book($r->[0], $step[1] => $last);
			POSIX::_exit($res->{status} == 303 ? 0 : $res->{status} == 409 ? 1 : 2);
		}
		push @pids, $pid;
	}
	my %codes;
	for (@pids) { waitpid($_, 0); $codes{$? >> 8}++ }
	is($codes{0} // 0, 1, 'exactly one booking succeeds');
	is($codes{1} // 0, 19, 'the 19 others are told it is full');
	is(booked($last), 1, 'the option counts one');
	is($s->sql_one('SELECT count(*) FROM step_bookings WHERE option_id = ?1', $last), 1, 'and holds one booking');
};

subtest 'a session downloads as iCalendar with the right UTC times' => sub {
	my $page = $ann->get("/account/courses/$course/book")->{content};
	my ($link) = $page =~ m{<a href="(/account/bookings/\d+/session\.ics)" id="ics-$step[0]">Add to my calendar};
	ok($link, 'the booked week 1 session has its calendar link') or return;
	my $res = $ann->get($link);
	is($res->{status}, 200, 'the week 1 session downloads');
	like($res->{headers}{'content-type'}, qr{^text/calendar}, 'as text/calendar');
	my $ics = $res->{content};
	my ($fh, $file) = tempfile(UNLINK => 1);
	print $fh $ics;
	close $fh;
	my $parsed = `/usr/bin/python3 -c '
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for ev in cal.walk("VEVENT"):
    print(ev.decoded("dtstart").isoformat(), ev.decoded("dtend").isoformat(), ev.get("summary"))
' $file`;
	like($parsed, qr/^2027-03-23T17:00:00\+00:00 2027-03-23T18:30:00\+00:00 Systems Design Cohort, Week 1: Requirements$/m, 'icalendar reads 18:00 Paris in winter as 17:00 UTC');
	my ($bob) = $s->student(name => 'Nosy');
	is($bob->get($link)->{status}, 404, 'another student cannot download it');
};

subtest 'the private calendar feed, replaced and revoked' => sub {
	$ann->get("/account/courses/$course/book");
	my $res = Forms::submit($ann, '/account/calendar/new');
	is($res->{status}, 200, 'Ann makes her calendar link');
	my ($url) = $res->{content} =~ m{value="(https?://[^"]+/account/calendar/[0-9a-f]{64}/sessions\.ics)"};
	ok($url, 'the page shows it') or return;
	my $anon = $s->browser;
	$res = $anon->get($url);
	is($res->{status}, 200, 'a calendar application reads it without a session');
	my @starts = $res->{content} =~ /^DTSTART:(\S+)\r$/mg;
	is_deeply(\@starts, ['20270323T170000Z', '20270401T160000Z'], 'both booked sessions, in UTC, either side of summer time');
	is(parsed_starts($res->{content}), "2027-03-23T18:00:00+01:00\n2027-04-01T18:00:00+02:00\n",
	    'icalendar reads them back as 18:00 in Paris, before and after the change to summer time');
	like($res->{content}, qr/^X-WR-CALNAME:My live sessions\r$/m, 'named');
	ok(!defined $res->{headers}{'set-cookie'}, 'and no cookie is set');
	$ann->get("/account/courses/$course/book");
	like(text_of($ann->{last}{content}), qr/You have a calendar link/, 'the booking page says a link exists');
	Forms::submit($ann, '/account/calendar/new');
	is($anon->get($url)->{status}, 404, 'a new link stops the old one');
	$ann->get("/account/courses/$course/book");
	Forms::submit($ann, '/account/calendar/revoke');
	is($s->sql_one('SELECT count(*) FROM calendar_feeds WHERE user_id = ?1', $ann_id), 0, 'revoking removes it');
};

subtest 'a student sees the sessions in their own zone too' => sub {
	$ann->get('/account/settings');
	my $res = Forms::submit($ann, '/account/settings/timezone', timezone => 'Mars/Olympus');
	is($res->{status}, 400, 'a zone that does not exist is refused');
	like(Forms::field_error($res->{content}, 'timezone'), qr/not a time zone we know/, 'next to the field');
	is($s->sql_one(q{SELECT coalesce(timezone, 'none') FROM users WHERE id = ?1}, $ann_id), 'none', 'and nothing is stored');
	$ann->get('/account/settings');
	$res = Forms::submit($ann, '/account/settings/timezone', timezone => 'America/New_York');
	is($res->{status}, 303, 'New York is accepted');
	my $t = text_of($ann->get("/account/courses/$course/book")->{content});
	like($t, qr{and in yours, America/New_York}, 'the booking page names both zones');
	like($t, qr{Tue 23 Mar 2027, 18:00-19:30 \(Tue 23 Mar 2027, 13:00-14:30 in America/New_York\)}, 'and gives both times');
	$ann->get('/account/settings');
	is(Forms::submit($ann, '/account/settings/timezone', timezone => '')->{status}, 303, 'emptied');
	is($s->sql_one(q{SELECT coalesce(timezone, 'none') FROM users WHERE id = ?1}, $ann_id), 'none', 'the school\'s zone alone again');
};

done_testing;
