#!/usr/bin/env perl
# The student's own pages through nginx: the dashboard's counts, courses
# to continue, completions and breakdown by type; My courses filtered by
# type and status through its own form; the progress page; and one
# student never seeing another's data on any page of the account.
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
sub enroll {
	my ($uid, $slug, %o) = @_;
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, granted_at, status, order_id)
	    VALUES (?1, ?2, ?3, ?4, ?5, ?6)}, $uid, course($slug), $o{source} // 'purchase',
	    $o{granted_at} // time, $o{status} // 'active', $o{order_id});
}
# Marks the first $n lessons of $slug done for the student, through the
# lesson pages' own forms.
sub do_lessons {
	my ($b, $slug, $n) = @_;
	for my $i (1 .. $n) {
		my $page = $b->get("/learn/$slug/$i")->{content};
		my ($f) = grep { ($_->{action} // '') =~ m{/complete$} } Forms::parse($page);
		die "no Mark complete on /learn/$slug/$i" unless $f;
		$b->request('POST', $f->{action}, [ map { @$_ } Forms::pairs($f) ]);
	}
}
# The titles of the cards of a My courses page, in order.
sub titles { return [ $_[0] =~ m{<li class="card library-card"[^>]*>\s*<h3><a href="[^"]*">([^<]+)</a>}g ] }

# Ann: six courses in every state.
my ($ann, $ann_id, $ann_email) = $s->student(name => 'Ann Library');
my $t0 = time - 1000;
enroll($ann_id, 'testing-in-practice', granted_at => $t0 + 1);		# completed below
enroll($ann_id, 'sql-for-analysts', granted_at => $t0 + 2);		# in progress
enroll($ann_id, 'c-programming-fundamentals', granted_at => $t0 + 3);	# not started
enroll($ann_id, 'web-security-essentials', granted_at => time - 400 * 86400); # expired
enroll($ann_id, 'writing-technical-docs', granted_at => $t0 + 4, source => 'admin'); # workshop
$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, refunded_amount, paid_at)
    VALUES ('ORD-20261201-ANNRF1', ?1, 'refunded', 'usd', 12900, 12900, 12900, ?2)}, $ann_id, $t0);
$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, discount_amount, total_amount, paid_at)
    VALUES ('ORD-20261201-ANNPD1', ?1, 'paid', 'usd', 9800, 980, 8820, ?2)}, $ann_id, $t0);
$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, refunded_amount, paid_at)
    VALUES ('ORD-20261201-ANNPR1', ?1, 'partially_refunded', 'usd', 5900, 5900, 1000, ?2)}, $ann_id, $t0);
enroll($ann_id, 'payments-engineering', granted_at => $t0 + 5, status => 'revoked',
    order_id => $s->sql_one(q{SELECT id FROM orders WHERE number = 'ORD-20261201-ANNRF1'}));
$s->sql(q{INSERT INTO wishlist (user_id, course_id, added_at) VALUES (?1, ?2, ?3)}, $ann_id, course('data-science-bootcamp'), time);
$s->sql(q{UPDATE orders SET receipt_url = 'http://stripe.test/receipts/ch_ann' WHERE number = 'ORD-20261201-ANNPD1'});
do_lessons($ann, 'testing-in-practice', 3);
do_lessons($ann, 'sql-for-analysts', 2);

subtest 'the dashboard counts, continues and breaks down' => sub {
	my $res = $ann->get('/account/dashboard');
	is($res->{status}, 200, 'the dashboard answers');
	my $html = $res->{content};
	like($html, qr{id="stat-enrolled">4<}, '4 courses open now (not the expired nor the refunded one)');
	like($html, qr{id="stat-in-progress">1<}, '1 in progress');
	like($html, qr{id="stat-completed">1<}, '1 completed');
	like($html, qr{id="stat-spent">\$137\.20<}, 'spent: $88.20 paid + $59.00 less $10.00 refunded');
	my ($cont) = $html =~ m{<h2>Continue learning</h2>(.*?)</section>}s;
	is_deeply(titles($cont), ['SQL for Analysts', 'Writing Technical Documentation', 'C Programming Fundamentals'],
	    'continue: the course in progress first, then the newest not started');
	like($cont, qr{<a class="button" href="/learn/sql-for-analysts/3">Continue</a>}, 'Continue leads to the next lesson');
	like($cont, qr{<progress max="100" value="50"}, 'with its progress bar');
	my ($done) = $html =~ m{id="completions">(.*?)</ul>}s;
	like($done, qr{Testing in Practice</a> <span class="meta">completed \d+ \w+ \d{4}</span> · <a href="/certificates/[0-9a-f]{32}">Certificate</a>},
	    'recent completions link the certificate');
	like(text_of($html), qr/Self-paced 3 1 Cohort 0 0 Workshop 1 0/, 'the breakdown by type');
	for my $link ('/account/my-courses', '/account/progress', '/account/wishlist', '/account/billing', '/payment/orders', '/account/settings') {
		like($html, qr{href="\Q$link\E"}, "a quick link to $link");
	}
};

subtest 'My courses filters by type and status through its own form' => sub {
	my $page = $ann->get('/account/my-courses')->{content};
	is(scalar @{titles($page)}, 6, 'all six courses by default, newest first');
	is(titles($page)->[0], 'Payments Engineering', 'newest enrollment first');
	my ($form) = grep { ($_->{action} // '') eq '/account/my-courses' } Forms::parse($page);
	ok($form, 'the page has its filter form');
	my %ci = map { ($form->{controls}[$_]{name} // '') => $_ } 0 .. $#{$form->{controls}};
	my %want = (
		'status=active' => ['Writing Technical Documentation', 'C Programming Fundamentals', 'SQL for Analysts'],
		'status=completed' => ['Testing in Practice'],
		'status=refunded' => ['Payments Engineering'],
		'status=expired' => ['Web Security Essentials'],
		'type=workshop' => ['Writing Technical Documentation'],
		'type=cohort' => [],
		'type=self_paced&status=active' => ['C Programming Fundamentals', 'SQL for Analysts'],
	);
	for my $case (sort keys %want) {
		my %over = map { my ($k, $v) = split /=/; ($ci{$k} => $v) } split /&/, $case;
		my $url = Forms::get_url($form, '/account/my-courses', Forms::pairs($form, %over));
		my $res = $ann->get($url);
		is($res->{status}, 200, "$url answers");
		is_deeply(titles($res->{content}), $want{$case}, "$case lists the right courses");
	}
	my $res = $ann->get(Forms::get_url($form, '/account/my-courses', Forms::pairs($form, $ci{status} => 'completed')));
	like($res->{content}, qr{<option value="completed" selected>Completed</option>}, 'the chosen status stays selected');
	like($res->{content}, qr{<a class="button[^"]*" href="/learn/testing-in-practice">Review</a>}, 'a completed course offers Review');
	$res = $ann->get('/account/my-courses?status=expired');
	like($res->{content}, qr{href="/courses/web-security-essentials">Buy again</a>}, 'an expired one offers to buy it again');
	like(text_of($res->{content}), qr/Expired/, 'and says it expired');
	is($ann->get('/account/my-courses?status=lost')->{status}, 400, 'a status the form never sends is a 400');
	is($ann->get('/account/my-courses?type=seminar')->{status}, 400, 'and so is a type');
	like($ann->get('/account/my-courses?type=cohort')->{content}, qr/None of your courses match/, 'an empty filter says so');
};

subtest 'the progress page: lessons done, last activity, completion' => sub {
	my $res = $ann->get('/account/progress');
	is($res->{status}, 200, 'the progress page answers');
	my $row = sub { my $slug = shift; return text_of(($res->{content} =~ m{<tr data-course="\Q$slug\E">(.*?)</tr>}s)[0]) };
	like($row->('testing-in-practice'), qr/3 of 3 \d+ \w+ \d{4} \d+ \w+ \d{4} · Certificate/, 'completed: all done, dated, certificate');
	like($row->('sql-for-analysts'), qr/2 of 4 \d+ \w+ \d{4} —/, 'in progress: 2 of 4, last activity, not completed');
	like($row->('c-programming-fundamentals'), qr/0 of 5 not started —/, 'not started');
	like($row->('payments-engineering'), qr/Refunded or revoked/, 'the refunded one says so');
};

subtest 'a new student sees empty pages, not someone else\'s' => sub {
	my ($bob) = $s->student(name => 'Bob Newcomer');
	# Every page of the account that shows a student's own data.
	for my $path ('/account/dashboard', '/account/my-courses', '/account/progress',
	    '/account/my-courses?status=completed', '/account/my-courses?status=refunded',
	    '/account/wishlist', '/account/billing', '/payment/orders', '/payment/orders?show=all',
	    '/account/settings') {
		my $res = $bob->get($path);
		is($res->{status}, 200, "$path answers Bob");
		unlike($res->{content}, qr/Ann Library|\Q$ann_email\E|Testing in Practice|SQL for Analysts|Data Science Bootcamp|ORD-20261201-ANN|ch_ann|\$137\.20/,
		    "$path shows nothing of Ann's");
	}
	unlike($bob->get('/courses/data-science-bootcamp')->{content}, qr/Wishlisted/, 'Ann\'s wishlist does not mark Bob\'s pages');
	unlike($bob->get('/learn/testing-in-practice')->{content}, qr/Completed on|certificates/, 'nor her completion his');
	like($bob->get('/account/dashboard')->{content}, qr{id="stat-enrolled">0<}, 'Bob has no courses');
	is($bob->get('/learn/sql-for-analysts/3')->{status}, 403, 'nor Ann\'s lessons');
	my $order = $s->sql_one(q{SELECT id FROM orders WHERE number = 'ORD-20261201-ANNPD1'});
	is($bob->get("/payment/order/$order")->{status}, 404, 'nor Ann\'s order');
};

done_testing;
