#!/usr/bin/env perl
# Learning through nginx and the account program: a course's home and its
# lessons open to its students, preview lessons to everyone, and a closed
# lesson is a 403 page that says why and never carries the lesson's body,
# for guests, other students, an expired, a refunded and a revoked
# student; marking lessons complete through the page's own forms, twice
# counting once, until the course is completed; its certificate and the
# public page that verifies it; a hostile lesson body is inert on the page.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;
use Forms;

my $s = Stack->start;

sub course { return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', shift) }
sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/&#39;/'/g; $h =~ s/&amp;/&/g; $h =~ s/\s+/ /g; return $h }

# A phrase from the body of each lesson the tests open: it must appear
# only where the lesson may be read.
my %phrase = (
	'c-programming-fundamentals/1' => 'Every C program starts in',
	'c-programming-fundamentals/2' => 'a character or a small number',
	'c-programming-fundamentals/3' => 'Three rules that prevent most bugs',
	'web-security-essentials/2' => 'escape on output',
	'testing-in-practice/2' => 'Tests that break whenever the code',
);
my $c_prog = course('c-programming-fundamentals');
my $c_sec = course('web-security-essentials');	# 365 days of access
my $c_test = course('testing-in-practice');	# 3 lessons

sub enroll {
	my ($uid, $cid, %o) = @_;
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, granted_at, status, order_id)
	    VALUES (?1, ?2, ?3, ?4, ?5, ?6)}, $uid, $cid, $o{source} // 'purchase',
	    $o{granted_at} // time, $o{status} // 'active', $o{order_id});
}

# Checks that $b cannot read lesson $key: a 403 page naming the reason,
# and the lesson's text nowhere in it.
sub closed_ok {
	my ($b, $key, $reason, $who) = @_;
	my $res = $b->get("/learn/$key");
	is($res->{status}, 403, "$who: /learn/$key is closed (403)");
	like($res->{content}, qr/id="why" data-reason="$reason"/, "$who: the page says why: $reason");
	unlike($res->{content}, qr/\Q$phrase{$key}\E/, "$who: the lesson's body is not in the answer");
	unlike($res->{content}, qr/class="prose lesson-body"/, "$who: nor any lesson body");
	return $res;
}

sub open_ok {
	my ($b, $key, $who) = @_;
	my $res = $b->get("/learn/$key");
	is($res->{status}, 200, "$who: /learn/$key opens");
	like($res->{content}, qr/\Q$phrase{$key}\E/, "$who: with the lesson's text");
	return $res;
}

subtest 'a guest reads preview lessons, and nothing else of a paid course' => sub {
	my $b = $s->browser;
	my $page = $b->get('/courses/c-programming-fundamentals')->{content};
	like($page, qr{<a class="tag" href="/learn/c-programming-fundamentals/1">Free preview</a>},
	    'the course page links its preview lesson');
	unlike($page, qr{href="/learn/c-programming-fundamentals/2"}, 'and not a closed one');
	my $res = open_ok($b, 'c-programming-fundamentals/1', 'guest');
	like($res->{content}, qr/id="preview-note"/, 'the preview says what it is');
	like($res->{content}, qr{action="/payment/add-to-cart/$c_prog"}, 'with the way to buy');
	unlike($res->{content}, qr{/complete"}, 'and no Mark complete');
	$res = closed_ok($b, 'c-programming-fundamentals/2', 'not_bought', 'guest');
	like($res->{content}, qr{action="/payment/add-to-cart/$c_prog"}, 'the closed page offers to buy');
	like($res->{content}, qr{/account/login\?next=%2Flearn%2Fc-programming-fundamentals%2F2}, 'and to log in first');
	closed_ok($b, 'c-programming-fundamentals/3', 'not_bought', 'guest');
	is($b->get('/learn/c-programming-fundamentals')->{status}, 403, 'the course home is closed too');
	is($b->get('/learn/c-programming-fundamentals/99')->{status}, 404, 'a lesson that does not exist is a 404');
	is($b->get('/learn/no-such-course')->{status}, 404, 'a course that does not exist is a 404');
	$res = $b->get('/learn/intro-to-git');
	is($res->{status}, 200, 'a free course is open to a guest');
	like($res->{content}, qr/Log in.*to keep your progress/s, 'who is asked to log in to keep progress');
};

subtest 'other students, expired, refunded and revoked ones see no closed lesson' => sub {
	my ($owner, $oid) = $s->student(name => 'Owner');
	enroll($oid, $c_prog);
	open_ok($owner, 'c-programming-fundamentals/2', 'the student who bought it');

	my ($other) = $s->student(name => 'Other Student');
	closed_ok($other, 'c-programming-fundamentals/2', 'not_bought', 'another student');
	is($other->post('/learn/c-programming-fundamentals/2/complete', {}, from => '/courses')->{status}, 403,
	    'another student cannot mark its lessons');

	my ($late, $lid) = $s->student(name => 'Late Student');
	enroll($lid, $c_sec, granted_at => time - 366 * 86400);
	my $res = closed_ok($late, 'web-security-essentials/2', 'expired', 'an expired student');
	like(text_of($res->{content}), qr/It ended on \d+ \w+ \d{4}\./, 'the page gives the date it ended');
	like($res->{content}, qr{action="/payment/add-to-cart/$c_sec"}, 'and offers to buy it again');
	my ($on_time, $tid) = $s->student(name => 'On Time');
	enroll($tid, $c_sec, granted_at => time - 300 * 86400);
	open_ok($on_time, 'web-security-essentials/2', 'a student within access_days');

	my ($refunded, $rid) = $s->student(name => 'Refunded Student');
	$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, refunded_amount)
	    VALUES ('ORD-20261201-REFUND', ?1, 'refunded', 'usd', 5900, 5900, 5900)}, $rid);
	my $order = $s->sql_one(q{SELECT id FROM orders WHERE number = 'ORD-20261201-REFUND'});
	enroll($rid, $c_test, status => 'revoked', order_id => $order);
	$res = closed_ok($refunded, 'testing-in-practice/2', 'refunded', 'a refunded student');
	like(text_of($res->{content}), qr/refunded/, 'the page says it was refunded');

	my ($revoked, $vid) = $s->student(name => 'Revoked Student');
	enroll($vid, $c_prog, source => 'admin', status => 'revoked');
	$res = closed_ok($revoked, 'c-programming-fundamentals/3', 'revoked', 'a revoked student');
	unlike($res->{content}, qr{add-to-cart}, 'a revoked student is not offered to buy it back');
};

# The form on $page whose action ends in $suffix, submitted as rendered.
sub submit {
	my ($b, $page, $suffix) = @_;
	my ($f) = grep { ($_->{action} // '') =~ /\Q$suffix\E$/ } Forms::parse($page);
	return undef unless $f;
	return $b->request('POST', $f->{action}, [ map { @$_ } Forms::pairs($f) ]);
}

subtest 'a student marks lessons complete until the course is completed' => sub {
	my ($b, $uid) = $s->student(name => 'Diligent Student');
	enroll($uid, $c_test);
	my $home = $b->get('/learn/testing-in-practice');
	is($home->{status}, 200, 'the course home opens');
	like($home->{content}, qr{<progress id="course-progress" max="100" value="0"}, 'at 0%');
	like($home->{content}, qr{id="continue" href="/learn/testing-in-practice/1">Start the course<}, 'Start goes to lesson 1');

	my $page = $b->get('/learn/testing-in-practice/1')->{content};
	like($page, qr/Mark complete/, 'a lesson offers Mark complete');
	is($s->sql_one('SELECT l.position FROM course_progress cp JOIN lessons l ON l.id = cp.last_lesson_id WHERE cp.user_id = ?1', $uid),
	    1, 'opening it records the last lesson opened');
	my $res = submit($b, $page, '/complete');
	is($res->{status}, 303, 'Mark complete answers with a redirect');
	is($res->{headers}{location}, '/learn/testing-in-practice/2', 'to the next lesson');
	my $done = sub { $s->sql_one(q{SELECT count(*) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id
	    WHERE p.user_id = ?1 AND l.course_id = ?2}, $uid, $c_test) };
	is($done->(), 1, 'one lesson is done');
	# The same form sent again (a double click, a reload): counted once.
	$res = submit($b, $page, '/complete');
	is($res->{status}, 303, 'marking it again is accepted');
	is($done->(), 1, 'and still counts once');

	$home = $b->get('/learn/testing-in-practice')->{content};
	like($home, qr{value="33"}, '1 of 3 is 33%');
	like(text_of($home), qr/1 of 3 lessons done/, 'the home says 1 of 3');
	like($home, qr{<li class="done"><a href="/learn/testing-in-practice/1">}, 'lesson 1 has its done mark');
	like($home, qr{id="continue" href="/learn/testing-in-practice/2">Continue<}, 'Continue goes to lesson 2');

	$page = $b->get('/learn/testing-in-practice/1')->{content};
	like($page, qr/Mark not complete/, 'a done lesson offers Mark not complete');
	$res = submit($b, $page, '/incomplete');
	is($res->{headers}{location}, '/learn/testing-in-practice/1', 'which comes back to the lesson');
	is($done->(), 0, 'and takes the mark away');

	for my $n (1 .. 3) {
		$res = submit($b, $b->get("/learn/testing-in-practice/$n")->{content}, '/complete');
		is($res->{status}, 303, "lesson $n marked complete");
	}
	is($res->{headers}{location}, '/learn/testing-in-practice', 'the last one leads to the course home');
	$res = $b->get($res->{headers}{location});
	like($res->{content}, qr/You completed the course/, 'which congratulates the student');
	like($res->{content}, qr{value="100"}, 'at 100%');
	like($res->{content}, qr/id="completed">Completed on/, 'and says when it was completed');
	ok($s->sql_one('SELECT completed_at FROM course_progress WHERE user_id = ?1 AND course_id = ?2', $uid, $c_test),
	    'the completion is recorded');

	# A lesson added later does not take the completion back.
	my $at = $s->sql_one('SELECT completed_at FROM course_progress WHERE user_id = ?1 AND course_id = ?2', $uid, $c_test);
	$s->sql(q{INSERT INTO lessons (course_id, position, title, body) VALUES (?1, 4, 'A later lesson', 'New *text*')}, $c_test);
	$home = $b->get('/learn/testing-in-practice')->{content};
	like(text_of($home), qr/3 of 4 lessons done/, 'a new lesson counts as not done');
	like($home, qr/id="completed">Completed on/, 'the course stays completed');
	is($s->sql_one('SELECT completed_at FROM course_progress WHERE user_id = ?1 AND course_id = ?2', $uid, $c_test),
	    $at, 'at the moment it first was');
	like($b->get('/learn/testing-in-practice/4')->{content}, qr{<p>New <em>text</em></p>},
	    'the new lesson, added by SQL, is rendered for its page');
	$s->sql('DELETE FROM lessons WHERE course_id = ?1 AND position = 4', $c_test);

	my ($other, $fid) = $s->student(name => 'Fresh Student');
	enroll($fid, $c_test);
	like($other->get('/learn/testing-in-practice')->{content}, qr{value="0"},
	    'another student of the same course starts at 0%');
};

subtest 'completing a course gives a certificate anyone can verify' => sub {
	my ($b, $uid) = $s->student(name => 'Certified Student');
	enroll($uid, $c_test);
	for my $n (1 .. 3) {
		submit($b, $b->get("/learn/testing-in-practice/$n")->{content}, '/complete');
	}
	my $home = $b->get('/learn/testing-in-practice')->{content};
	my ($url) = $home =~ m{<a href="(/certificates/[0-9a-f]{32})">See your certificate</a>};
	ok($url, 'the course home links the certificate');
	my $res = $b->get($url);
	is($res->{status}, 200, 'the student opens it');
	like($res->{content}, qr/Share or print it/, 'with how to share and print it');
	my $guest = $s->browser;
	$res = $guest->get($url);
	is($res->{status}, 200, 'anyone can open the verification URL');
	my $text = text_of($res->{content});
	like($text, qr/This certifies that Certified Student completed the course Testing in Practice on \d+ \w+ \d{4}/,
	    'it names the student, the course and the date');
	like($res->{content}, qr/id="verification" data-valid="yes"/, 'and says it is valid');
	unlike($res->{content}, qr/Share or print it/, 'a visitor is not offered to share it');
	unlike($res->{content}, qr/\@example\.org/, 'nor shown the student\'s email');
	like($guest->get('/static/style.css')->{content}, qr/\@media print \{.*?header\.site, footer\.site, \.flash, \.no-print, \.verify \{ display: none; \}/s,
	    'printing leaves out the header, the footer and the sharing links');

	# A refund voids it.
	$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, refunded_amount)
	    VALUES ('ORD-20261201-CERTRF', ?1, 'refunded', 'usd', 5900, 5900, 5900)}, $uid);
	$s->sql(q{UPDATE enrollments SET status = 'revoked', order_id = (SELECT id FROM orders WHERE number = 'ORD-20261201-CERTRF')
	    WHERE user_id = ?1 AND course_id = ?2}, $uid, $c_test);
	$res = $guest->get($url);
	like($res->{content}, qr/id="verification" data-valid="no"/, 'after a refund it is shown as no longer valid');
	like(text_of($res->{content}), qr/no longer valid\. The purchase of the course was refunded/, 'saying why');
	$s->sql(q{UPDATE enrollments SET order_id = NULL WHERE user_id = ?1 AND course_id = ?2}, $uid, $c_test);
	like(text_of($guest->get($url)->{content}), qr/no longer valid\. The student.{1,3}s enrollment in the course was withdrawn/,
	    'and after a revocation');
	(my $other = $url) =~ s/[0-9a-f]{4}$/0000/;
	$other =~ s/0000$/ffff/ if $other eq $url;
	is($guest->get($other)->{status}, 404, 'a code nobody was given is a 404');
	is($guest->get('/certificates/not-a-code')->{status}, 404, 'and so is a malformed one');
};

subtest 'a hostile lesson body is inert on the page' => sub {
	my ($b, $uid) = $s->student(name => 'Careful Reader');
	enroll($uid, $c_prog);
	# (sqlite3's .parameter takes one line: the newlines are in the SQL's
	# quoted text.)
	$s->sql("UPDATE lessons SET body = replace(?1, '|', '\n') WHERE course_id = ?2 AND position = 4",
	    q{<script>alert(1)</script>||[click](javascript:alert(1))||<img src=x onerror=alert(1)>||**bold**}, $c_prog);
	my $res = $b->get('/learn/c-programming-fundamentals/4');
	is($res->{status}, 200, 'the lesson opens');
	my ($body) = $res->{content} =~ m{<div class="prose lesson-body">(.*?)</div>\s*<form}s;
	ok(defined $body, 'its body is on the page');
	unlike($body, qr/<script/i, 'no script element');
	unlike($body, qr/javascript:/i, 'no javascript: link');
	unlike($body, qr/onerror/i, 'no event handler');
	like($body, qr{<strong>bold</strong>}, 'the Markdown still renders');
	is($s->enrollctl('render-content'), 0, 'enrollctl render-content renders it');
	is($s->sql_one(q{SELECT body_html LIKE '%<strong>bold</strong>%' AND body_html NOT LIKE '%<script%'
	    FROM lessons WHERE course_id = ?1 AND position = 4}, $c_prog), 1, 'and stores it, inert');
};

subtest 'a free course: enrolled students keep progress, others are asked to enroll' => sub {
	my ($b, $uid) = $s->student(name => 'Free Learner');
	my $page = $b->get('/learn/intro-to-git/2');
	is($page->{status}, 200, 'a free course\'s lesson opens for a student not enrolled');
	unlike($page->{content}, qr/Mark complete/, 'without Mark complete');
	my $res = $b->post('/learn/intro-to-git/2/complete', {});
	is($res->{status}, 403, 'marking without enrolling is refused');
	my $home = $b->get('/learn/intro-to-git')->{content};
	$res = submit($b, $home, '/enroll');
	is($res->{status}, 303, 'the course home\'s Enroll free form enrolls');
	like($b->get('/learn/intro-to-git/2')->{content}, qr/Mark complete/, 'then lessons can be marked');
};

done_testing;
