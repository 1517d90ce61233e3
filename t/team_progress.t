#!/usr/bin/env perl
# A team's progress (issue 18) through the real stack: the owner creates
# a team through its form; members hold seats of a course of 3 lessons
# (the assignment rows made here as lib's assignment makes them: an
# active assignment and its enrollment of source 'seat'); a member who
# opened the first lesson and marked it complete shows "started, 1 of 3",
# one who completed every lesson shows completed, one who did nothing
# "not started"; the summary counts them; the CSV has the same rows; a
# manager sees the page, a plain member gets 403 with a sentence, someone
# outside the team 404; the team's page links to it for managers only.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX qw(strftime);
use Forms;
use Stack;

# Eleven hours behind UTC: a day that differs from UTC's for most of it.
my $ZONE = 'Pacific/Pago_Pago';
my $s = Stack->start(ENROLL_TIMEZONE => $ZONE);
my $SLUG = 'testing-in-practice';
my $course = $s->course_id($SLUG);
is($s->sql_one('SELECT count(*) FROM lessons WHERE course_id = ?1', $course), 3, 'the course has 3 lessons');

my ($ob, $owner) = $s->student(name => 'Olga Owner', email => 'olga@example.org');
$ob->get('/account/teams');
my $res = Forms::submit($ob, '/account/teams', name => 'Acme Learning');
is($res->{status}, 303, 'the owner creates the team');
my $team = $s->sql_one(q{SELECT id FROM teams WHERE name = 'Acme Learning'});

my %who;
for my $p (['Ben Opened', 'ben@example.org', 'member'], ['Cat Done', 'cat@example.org', 'member'],
    ['Dan Idle', 'dan@example.org', 'member'], ['Meg Manager', 'meg@example.org', 'manager']) {
	my ($b, $id) = $s->student(name => $p->[0], email => $p->[1]);
	$who{$p->[1]} = { b => $b, id => $id };
	$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?1, ?2, ?3, 1)},
	    $team, $id, $p->[2]);
}
my ($xb) = $s->student(name => 'Xavier Outsider', email => 'xavier@example.org');

# Seats: 4 bought, 3 held by active assignments (Ben, Cat, Dan).
$s->sql(q{INSERT INTO team_seats (team_id, course_id, seats, held, updated_at) VALUES (?1, ?2, 4, 3, 1)},
    $team, $course);
for my $email (qw(ben@example.org cat@example.org dan@example.org)) {
	$s->sql(q{INSERT INTO seat_assignments (team_id, course_id, user_id, email, status, created_at, accepted_at)
	    VALUES (?1, ?2, ?3, ?4, 'active', 1, 1)}, $team, $course, $who{$email}{id}, $email);
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, seat_id, granted_at)
	    SELECT user_id, course_id, 'seat', id, 1 FROM seat_assignments WHERE email = ?1}, $email);
}

# Marks lesson $n complete as browser $b, through the lesson page's form.
sub complete {
	my ($b, $n) = @_;
	my $res = $b->get("/learn/$SLUG/$n");
	die "lesson $n: $res->{status}" unless $res->{status} == 200;
	$res = Forms::submit($b, "/learn/$SLUG/$n/complete");
	die "complete $n: $res->{status}" unless $res->{status} == 303;
}
complete($who{'ben@example.org'}{b}, 1);
complete($who{'cat@example.org'}{b}, $_) for 1 .. 3;

# Today in the school's zone, formatted by strftime's $fmt.
sub local_day {
	my $fmt = shift;
	local $ENV{TZ} = $ZONE;
	POSIX::tzset();
	my $d = strftime($fmt, localtime);
	POSIX::tzset();
	return $d;
}

sub row_of {
	my ($html, $user) = @_;
	my ($row) = $html =~ m{(<tr data-member="$user"[^>]*>.*?</tr>)}s;
	return Forms::text($row // '');
}

subtest 'the owner sees each member\'s progress and the summary' => sub {
	my $res = $ob->get("/account/teams/$team");
	like($res->{content}, qr{href="/account/teams/$team/progress"}, 'the team page links to the progress');
	$res = $ob->get("/account/teams/$team/progress");
	is($res->{status}, 200, 'the progress page opens');
	my $html = $res->{content};
	my $today = local_day('%-d %b %Y');
	like(row_of($html, $who{'ben@example.org'}{id}), qr/Ben Opened.*Testing in Practice.*started, 1 of 3 \Q$today\E/i,
	    'Ben started, 1 of 3, active today in the school\'s zone');
	like(row_of($html, $who{'cat@example.org'}{id}), qr/completed, 3 of 3/, 'Cat completed');
	like(row_of($html, $who{'dan@example.org'}{id}), qr/not started.*never/, 'Dan has not started');
	like(row_of($html, $who{'meg@example.org'}{id}), qr/holds no seat/, 'the manager holds no seat');
	my ($sum) = $html =~ m{(<tr data-course="$course">.*?</tr>)}s;
	like(Forms::text($sum // ''), qr/Testing in Practice\s*3\s*2\s*1/i, 'summary: 3 hold a seat, 2 started, 1 completed');
	my @members = $html =~ /<tr data-member="(\d+)"/g;
	my %seen; @members = grep { !$seen{$_}++ } @members;
	is(scalar @members, 5, 'every member is listed once');
};

subtest 'the CSV has the same rows' => sub {
	my $res = $ob->get("/account/teams/$team/progress.csv");
	is($res->{status}, 200, 'the CSV downloads');
	like($res->{headers}{'content-type'}, qr{^text/csv}, 'as CSV');
	my @lines = split /\r\n/, $res->{content};
	my $today = local_day('%Y-%m-%d');
	is($lines[0], 'name,email,course,started,lessons_done,lessons,completed,last_activity', 'its header');
	like($res->{content}, qr{^Ben Opened,ben\@example\.org,Testing in Practice,yes,1,3,no,\Q$today\E\r$}mi, 'Ben');
	like($res->{content}, qr{^Cat Done,cat\@example\.org,Testing in Practice,yes,3,3,yes,}mi, 'Cat');
	like($res->{content}, qr{^Dan Idle,dan\@example\.org,Testing in Practice,no,0,3,no,\r$}mi, 'Dan');
	is(scalar @lines, 6, 'a row per member and seat, and the header');
};

subtest 'a manager sees it; a plain member gets 403; an outsider 404' => sub {
	my $mb = $who{'meg@example.org'}{b};
	is($mb->get("/account/teams/$team/progress")->{status}, 200, 'the manager sees the progress');
	my $bb = $who{'ben@example.org'}{b};
	my $res = $bb->get("/account/teams/$team/progress");
	is($res->{status}, 403, 'a plain member gets 403');
	like(Forms::text($res->{content}), qr/Only the team's owner and managers can see its members' progress\./,
	    'with a plain sentence');
	is($bb->get("/account/teams/$team/progress.csv")->{status}, 403, 'and 403 for the CSV');
	unlike($bb->get("/account/teams/$team")->{content}, qr{/progress"}, 'the team page has no link for them');
	for my $path ("/account/teams/$team/progress", "/account/teams/$team/progress.csv",
	    '/account/teams/99999/progress') {
		is($xb->get($path)->{status}, 404, "an outsider gets 404 from $path");
	}
	is($s->browser->get("/account/teams/$team/progress")->{status}, 303, 'a guest is sent to log in');
};

done_testing;
