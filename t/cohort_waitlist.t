#!/usr/bin/env perl
# The waitlist of a full cohort (issue 19), through the real stack, the
# school in Europe/Paris: students join a full cohort's waitlist through
# the form as rendered (the one the course page includes), refused in
# plain words when the cohort has places, or they wait already, or have
# the course; an admin moves the cohort's student to another cohort
# through the move form, which frees a place: the first waiting gets a
# held place and the mail saying until when (in the school's zone), the
# second does not; the offer runs out (its times set in the past) and
# `enrollctl expire-orders`, as the timer runs it, gives the place to the
# next, the first's row 'expired'; leaving while offered frees the place.
# The admin sees the waitlist, read-only.  The cohort and its first
# student's place are planted in the database.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Forms;
use Stack;

my $s = Stack->start(ENROLL_TIMEZONE => 'Europe/Paris');
my ($admin) = $s->admin(email => 'waitlist-admin@example.org');
my $course = $s->course_id('systems-design-cohort');
my $deadline = time() + 30 * 86400;
sub cohort {
	my ($name, $capacity) = @_;
	return $s->sql_one(q{INSERT INTO cohorts (course_id, name, starts_on,
	    enroll_deadline, capacity, created_at, updated_at) VALUES (?1, ?2,
	    '2027-03-22', ?3, ?4, 1, 1) RETURNING id}, $course, $name, $deadline,
	    $capacity);
}
my $tiny = cohort('Tiny cohort', 1);
my $roomy = cohort('Roomy cohort', 5);
sub held { $s->sql_one('SELECT held FROM cohorts WHERE id = ?1', $_[0]) }
sub row { $s->sql_one(q{SELECT status FROM cohort_waitlist WHERE cohort_id = ?1
    AND user_id = ?2 ORDER BY id DESC LIMIT 1}, $tiny, $_[0]) // '' }
sub offered_place { $s->sql_one(q{SELECT expires_at FROM cohort_places WHERE
    cohort_id = ?1 AND user_id = ?2 AND status = 'offered'}, $tiny, $_[0]) }
sub text_of { Forms::text($_[0]{content} // '') }
# The local time in Paris of $t, as the mail writes it.
sub paris {
	local $ENV{TZ} = 'Europe/Paris';
	POSIX::tzset();
	my @t = localtime($_[0]);
	my $s = POSIX::strftime('%a %d %b %Y, %H:%M', @t);
	$s =~ s/ 0(\d) / $1 /;
	POSIX::tzset();
	return $s;
}

# Ann holds Tiny's only place, as fulfilment leaves her.
my ($ann_b, $ann) = $s->student(name => 'Ann Early');
$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, cohort_id)
    VALUES (?1, ?2, 'admin', ?3)}, $ann, $course, $tiny);
$s->sql(q{INSERT INTO cohort_places (cohort_id, user_id, status, created_at,
    updated_at) VALUES (?1, ?2, 'taken', 1, 1)}, $tiny, $ann);
$s->sql('UPDATE cohorts SET held = 1 WHERE id = ?1', $tiny);
my $ann_e = $s->sql_one('SELECT id FROM enrollments WHERE user_id = ?1', $ann);
my ($bob, $bob_id, $bob_mail) = $s->student(name => 'Bob Second');
my ($cyd, $cyd_id, $cyd_mail) = $s->student(name => 'Cyd Third');

subtest 'students join a full cohort\'s waitlist through its form' => sub {
	my $res = $bob->get("/account/cohorts/$tiny/waitlist");
	is($res->{status}, 200, 'the cohort\'s waitlist page opens');
	like(text_of($res), qr/Tiny cohort is full\. Join the waitlist/, 'it says the cohort is full');
	$res = Forms::submit($bob, "/account/cohorts/$tiny/waitlist");
	is($res->{status}, 303, 'Bob joins with the form as rendered');
	is(row($bob_id), 'waiting', 'Bob waits');
	like(text_of($bob->get('/account/waitlists')), qr/Tiny cohort .*Waiting, number 1 in line/, 'his waitlists say he is first');
	$cyd->get("/account/cohorts/$tiny/waitlist");
	is(Forms::submit($cyd, "/account/cohorts/$tiny/waitlist")->{status}, 303, 'Cyd joins after him');
	like(text_of($cyd->get('/account/waitlists')), qr/Waiting, number 2 in line/, 'second in line');
	like(text_of($cyd->get("/account/cohorts/$tiny/waitlist")), qr/You are on the waitlist of Tiny cohort/, 'the page now says she waits');
};

subtest 'joining is refused in plain words, and changes nothing' => sub {
	my $rows = $s->sql_one('SELECT count(*) FROM cohort_waitlist');
	$bob->csrf("/account/cohorts/$tiny/waitlist");
	my $res = $bob->post("/account/cohorts/$tiny/waitlist", {});
	is($res->{status}, 409, 'Bob twice: refused');
	like(text_of($res), qr/You are already on this cohort's waitlist\./, 'saying why');
	$res = $bob->post("/account/cohorts/$roomy/waitlist", {});
	is($res->{status}, 409, 'a cohort with places: refused');
	like(text_of($res), qr/This cohort still has places/, 'saying so');
	unlike($bob->get("/account/cohorts/$roomy/waitlist")->{content}, qr/Join the waitlist/, 'and its page shows no waitlist form');
	$ann_b->csrf('/account/waitlists');
	$res = $ann_b->post("/account/cohorts/$tiny/waitlist", {});
	is($res->{status}, 409, 'Ann, a student of the course: refused');
	like(text_of($res), qr/You are already a student of this course\./, 'saying why');
	is($s->sql_one('SELECT count(*) FROM cohort_waitlist'), $rows, 'no row added');
};

my $until;
subtest 'a place freed by an admin\'s move is offered to the first waiting only' => sub {
	$admin->get("/admin/enrollments/$ann_e/cohort");
	my $res = Forms::submit($admin, "/admin/enrollments/$ann_e/cohort", to_cohort => $roomy);
	is($res->{status}, 303, 'the admin moves Ann to Roomy');
	is(row($bob_id), 'offered', 'Bob is offered the place');
	$until = offered_place($bob_id);
	ok($until && abs($until - (time() + 48 * 3600)) < 120, 'a place is held for him for 48 hours');
	is($s->sql_one('SELECT offer_expires_at FROM cohort_waitlist WHERE user_id = ?1', $bob_id), $until, 'his row says until when');
	is(held($tiny), 1, 'Tiny is full again: the place is his');
	$s->wait_for(sub { grep { /Tiny cohort/ } $s->mails_to($bob_mail) }, 10);
	my ($mail) = grep { /Tiny cohort/ } $s->mails_to($bob_mail);
	$mail //= '';
	like($mail, qr/a place in Tiny cohort \(.*\) is yours\s+until \Q${\ paris($until)}\E \(Europe\/Paris\)/, 'his mail says until when, in the school\'s zone');
	ok(defined $s->link_in($mail, '/courses/systems-design-cohort'), 'with the link to enroll');
	is(row($cyd_id), 'waiting', 'Cyd still waits');
	ok(!defined offered_place($cyd_id), 'no place held for her');
	is(scalar(grep { /Tiny cohort/ } $s->mails_to($cyd_mail)), 0, 'and no mail');
	like(text_of($bob->get('/account/waitlists')), qr/A place is yours until \Q${\ paris($until)}\E/, 'Bob\'s waitlists show the offer');
	my $t = text_of($admin->get("/admin/cohorts/$tiny/waitlist"));
	like($t, qr/Bob Second .*offered until .*Cyd Third .*waiting, number 1/, 'the admin sees who waits and in what state');
	like($admin->get("/admin/cohorts/$tiny")->{content}, qr{href="/admin/cohorts/$tiny/waitlist"}, 'linked from the cohort page');
};

subtest 'an offer not taken runs out in expire-orders and goes to the next' => sub {
	$s->sql(q{UPDATE cohort_waitlist SET offer_expires_at = ?2 WHERE user_id = ?1}, $bob_id, time() - 60);
	$s->sql(q{UPDATE cohort_places SET expires_at = ?2 WHERE user_id = ?1 AND status = 'offered'}, $bob_id, time() - 60);
	is($s->enrollctl('expire-orders'), 0, 'enrollctl expire-orders, as the timer runs it');
	is(row($bob_id), 'expired', 'Bob\'s row expired');
	ok(!defined offered_place($bob_id), 'his place released');
	is(row($cyd_id), 'offered', 'Cyd is offered it');
	ok(offered_place($cyd_id), 'held for her');
	is(held($tiny), 1, 'still one place held');
	$s->wait_for(sub { grep { /Tiny cohort/ } $s->mails_to($cyd_mail) }, 10);
	my ($mail) = grep { /Tiny cohort/ } $s->mails_to($cyd_mail);
	like($mail // '', qr/a place in Tiny cohort \(.*\) is yours\s+until .*\(Europe\/Paris\)/, 'she is told by mail, in the school\'s zone');
	is($s->enrollctl('expire-orders'), 0, 'run again');
	is(row($cyd_id), 'offered', 'her offer stands');
	like(text_of($bob->get('/account/waitlists')), qr/The offer ran out/, 'Bob reads that his offer ran out');
};

subtest 'leaving while offered frees the place' => sub {
	$cyd->get('/account/waitlists');
	my $res = Forms::submit($cyd, "/account/cohorts/$tiny/waitlist/leave");
	is($res->{status}, 303, 'Cyd leaves with the form as rendered');
	is(row($cyd_id), 'left', 'her row says so');
	is(held($tiny), 0, 'nobody waits: the place is free');
	like(text_of($cyd->get('/account/waitlists')), qr/Left the waitlist/, 'her waitlists say so');
};

subtest 'from the course page: the waitlist of a full cohort, and an offered place bought' => sub {
	my $small = cohort('Small cohort', 1);
	my ($fay_b, $fay) = $s->student(name => 'Fay Holder');
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, cohort_id)
	    VALUES (?1, ?2, 'admin', ?3)}, $fay, $course, $small);
	$s->sql(q{INSERT INTO cohort_places (cohort_id, user_id, status, created_at,
	    updated_at) VALUES (?1, ?2, 'taken', 1, 1)}, $small, $fay);
	$s->sql('UPDATE cohorts SET held = 1 WHERE id = ?1', $small);
	my ($gus, $gus_id) = $s->student(name => 'Gus Waiting');
	my $page = $gus->get('/courses/systems-design-cohort')->{content};
	like($page, qr{id="cohort-$small".*?Full.*?action="/account/cohorts/$small/waitlist"}s, 'the full cohort shows the waitlist\'s form');
	unlike($page, qr{action="/payment/enroll-cohort/$small"}, 'and no Enroll button');
	is(Forms::submit($gus, "/account/cohorts/$small/waitlist")->{status}, 303, 'Gus joins from the course page');
	like($gus->get('/courses/systems-design-cohort')->{content}, qr{action="/account/cohorts/$small/waitlist/leave"}, 'which then offers to leave');
	my $fay_e = $s->sql_one('SELECT id FROM enrollments WHERE user_id = ?1', $fay);
	$admin->get("/admin/enrollments/$fay_e/cohort");
	is(Forms::submit($admin, "/admin/enrollments/$fay_e/cohort", to_cohort => $roomy)->{status}, 303, 'Fay is moved out');
	is($s->sql_one(q{SELECT status FROM cohort_places WHERE cohort_id = ?1 AND user_id = ?2}, $small, $gus_id), 'offered', 'the place is offered to Gus');
	$page = $gus->get('/courses/systems-design-cohort')->{content};
	like(Forms::text($page), qr/A place in Small cohort is held for you/, 'his course page says the place is his');
	my $res = Forms::submit($gus, "/payment/enroll-cohort/$small");
	is($res->{status}, 303, 'he enrolls with the button, the cohort still counting full');
	$gus->get('/payment/cart');
	$res = Forms::submit($gus, '/payment/checkout');
	my $cs = $s->checkout_session($res);
	ok($cs, 'and checks out') or diag Forms::text($res->{content});
	is($s->sql_one(q{SELECT count(*) FROM cohort_places p JOIN orders o ON o.id = p.order_id WHERE p.cohort_id = ?1 AND p.user_id = ?2 AND p.status = 'offered' AND o.stripe_session_id = ?3}, $small, $gus_id, $cs), 1, 'his checkout uses the place offered to him');
	is(held($small), 1, 'one place held, no more');
	is($s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' })->{status}, 200, 'he pays');
	$s->wait_for(sub { ($s->sql_one(q{SELECT status FROM cohort_places WHERE cohort_id = ?1 AND user_id = ?2}, $small, $gus_id) // '') eq 'taken' }, 10);
	is($s->sql_one(q{SELECT cohort_id FROM enrollments WHERE user_id = ?1 AND status = 'active'}, $gus_id), $small, 'Gus is a student of Small cohort');
	is($s->sql_one(q{SELECT status FROM cohort_waitlist WHERE cohort_id = ?1 AND user_id = ?2}, $small, $gus_id), 'enrolled', 'his waitlist row ends: enrolled');
	is($s->enrollctl('expire-orders'), 0, 'the sweep runs');
	is($s->sql_one(q{SELECT status FROM cohort_places WHERE cohort_id = ?1 AND user_id = ?2}, $small, $gus_id), 'taken', 'and leaves his place alone');
};

done_testing;
