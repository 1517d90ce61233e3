#!/usr/bin/env perl
# Two hosts on one PostgreSQL (issue 20): two complete sets of the five
# programs and their mail workers, as two machines would run them, behind
# one nginx whose upstreams hold both, sharing nothing but the database
# (t/stack.sh ENROLL_HOSTS=2).  The races the store wins on one host are
# run again with the requests split between the hosts: 20 checkouts for a
# coupon's one use, the same webhook event delivered 10 times to each host
# at once, ten managers for a team's last seat, 20 checkouts for a
# cohort's last place, and send-mail run on both hosts at once.  Each ends
# as on one host: one winner, one fulfilment, each mail sent once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use POSIX ();
use Forms;
use Stack;

plan skip_all => 'two hosts share a PostgreSQL database: set ENROLL_TEST_PG (make test\'s PostgreSQL pass, t/pg_suite.sh)'
    unless $ENV{ENROLL_TEST_PG};

my $s = Stack->start(ENROLL_HOSTS => 2);
my @host = ($s->host(1), $s->host(2));
# The host the i-th racer's requests go to: half to each.
sub host_url { return $host[$_[0] % 2]->base }
sub text_of { return Forms::text(shift) }

# Runs $code->($i) in one process per racer, all at once; returns the
# lines they print, in no particular order.
sub race {
	my ($n, $code) = @_;
	pipe(my $rd, my $wr) or die "pipe: $!";
	my @kids;
	for my $i (0 .. $n - 1) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			close $rd;
			my $line = eval { $code->($i) } // "died $i $@" =~ s/\n/ /gr;
			syswrite $wr, "$line\n";
			POSIX::_exit(0);
		}
		push @kids, $pid;
	}
	close $wr;
	my @lines = <$rd>;
	waitpid($_, 0) for @kids;
	chomp @lines;
	return @lines;
}
sub count_of { my ($re, @lines) = @_; return scalar grep { /$re/ } @lines }

# The .eml files of outbox message $id in each host's mail folder.
sub copies_of {
	my $id = shift;
	return map { -e sprintf('%s/%06d.eml', $_, $id) ? 1 : 0 } $s->mail_dirs;
}

subtest 'both hosts serve the store, and the shared nginx reaches both' => sub {
	my @dirs = $s->mail_dirs;
	is(scalar @dirs, 2, 'two mail folders');
	isnt($host[0]->dir, $host[1]->dir, 'two run folders');
	for my $h (@host) {
		is(HTTP::Tiny->new->get($h->base . '/courses')->{status}, 200, 'the catalog from ' . $h->base);
		ok($h->parent_pid('webhook') && kill(0, $h->parent_pid('webhook')), 'its webhook program runs');
		ok($h->parent_pid('mail-worker') && kill(0, $h->parent_pid('mail-worker')), 'and its mail worker');
	}
	# Each host counts what its own programs answered (its metrics file).
	my $answered = sub {
		my $m = HTTP::Tiny->new->get($_[0]->base . '/metrics')->{content} // '';
		return $m =~ /^enroll_requests_total\{program="cart",code="2xx"\} (\d+)$/m ? $1 : -1;
	};
	my @before = map { $answered->($_) } @host;
	is(HTTP::Tiny->new->get($s->base . '/courses')->{status}, 200, 'the catalog through the shared nginx') for 1 .. 10;
	my @after = map { $answered->($_) } @host;
	cmp_ok($after[$_] - $before[$_], '>=', 4, 'whose requests reach host ' . ($_ + 1)) for 0, 1;
};

subtest 'a coupon with one use and 20 checkouts split across the hosts' => sub {
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off, max_uses) VALUES ('ONEUSE2H', 'percentage', 50, 1)});
	my $cid = $s->sql_one(q{SELECT id FROM coupons WHERE code = 'ONEUSE2H'});
	my $course = $s->course_id('c-programming-fundamentals');
	my (@b, @uid);
	for (1 .. 20) {
		my ($b, $uid) = $s->student;
		push @uid, $uid;
		$s->add_to_cart($b, $course);
		$b->get('/payment/cart');
		Forms::submit($b, '/payment/apply-coupon', code => 'ONEUSE2H');
		push @b, $b;
	}
	# Each racer's cart page from its host, then all click at once.
	$b[$_]->get(host_url($_) . '/payment/cart') for 0 .. $#b;
	my @lines = race(20, sub {
		my $i = shift;
		my $b = $b[$i];
		my $res = Forms::submit($b, '/payment/checkout');
		return $s->checkout_session($res) ? "stripe $i" : "other $i $res->{status} " . ($res->{headers}{location} // '');
	});
	is(count_of(qr/^(stripe|other \d+ 303) /, @lines), 20, 'every checkout is answered with a redirect') or diag explain \@lines;
	is($s->sql_one(q{SELECT count(*) FROM coupon_redemptions WHERE coupon_id = ?1 AND status IN ('reserved', 'redeemed')}, $cid), 1,
	    'exactly one reservation of the coupon');
	is($s->sql_one(q{SELECT count(*) FROM orders WHERE coupon_id = ?1}, $cid), 1, 'exactly one discounted order');
	my $uids = join ',', map { int } @uid;
	is($s->sql_one("SELECT count(*) FROM orders WHERE coupon_id IS NULL AND user_id IN ($uids)"),
	    count_of(qr/^stripe /, @lines) - 1, 'every other checkout that reached Stripe is at full price');
};

subtest 'the same event delivered 10 times to each host at once: one fulfilment, one mail' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my ($b, $uid, $email) = $s->student;
	my @courses = map { $s->course_id($_) } 'testing-in-practice', 'payments-engineering';
	$s->add_to_cart($b, @courses);
	$b->get('/payment/cart');
	my $cs = $s->checkout_session(Forms::submit($b, '/payment/checkout'));
	ok($cs, 'checkout reaches Stripe');
	is($s->emu('POST', "/_emu/pay/$cs", { card => '4242424242424242' })->{status}, 200, 'and the card is charged');
	my $list = $s->emu_json('GET', '/v1/events?type=checkout.session.completed&limit=100');
	my ($ev) = grep { ($_->{data}{object}{id} // '') eq $cs } @{$list->{data} // []};
	ok($ev, 'the emulator made the completed event (its delivery dropped)');
	my $body = JSON::PP->new->canonical->encode($ev // {});
	my @lines = race(20, sub { my $i = shift; return 'status ' . $host[$i % 2]->deliver($body)->{status} });
	is(count_of(qr/^status 200$/, @lines), 20, 'all 20 deliveries are answered 200') or diag explain \@lines;
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid), 'paid', 'the order is paid');
	is($s->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1 AND status = 'active'}, $uid), 2,
	    'two courses, two enrollments');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE event_id = ?1}, $ev->{id}), 1, 'one event row');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key = 'order-paid-' || ?1}, $oid), 1, 'one confirmation queued');
	my $mid = $s->sql_one(q{SELECT id FROM outbox WHERE dedupe_key = 'order-paid-' || ?1}, $oid);
	ok($s->wait_for(sub { $s->sql_one('SELECT status FROM outbox WHERE id = ?1', $mid) eq 'sent' }), 'a mail worker sends it');
	my @copies = copies_of($mid);
	is($copies[0] + $copies[1], 1, "its .eml file is in exactly one host's mail folder (@copies)");
	my $number = $s->sql_one('SELECT number FROM orders WHERE id = ?1', $oid);
	is(scalar(grep { /\Q$number\E/ } $s->mails_to($email)), 1, 'the student has one mail about the order');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'ten managers, five on each host, race for a team\'s last seat' => sub {
	my ($olga, $olga_id) = $s->student(name => 'Olga Owner');
	$olga->get('/account/teams');
	my ($team) = (Forms::submit($olga, '/account/teams', name => 'Two Host Team')->{headers}{location} // '') =~ m{(\d+)$};
	ok($team, 'the team is made');
	my $course = $s->course_id('sql-for-analysts');
	$s->sql(q{INSERT INTO team_seats (team_id, course_id, seats, held, updated_at) VALUES (?1, ?2, 1, 0, ?3)}, $team, $course, time);
	# The seats page from each racer's host while the seat is free.
	my @pages = map { $olga->get(host_url($_) . "/account/teams/$team/seats") } 0 .. 9;
	my @lines = race(10, sub {
		my $i = shift;
		$olga->{last} = $pages[$i];
		my $res = Forms::submit($olga, "/account/teams/$team/seats/assign", email => "seatracer$i\@example.org");
		return $res->{status} == 303 ? "won $i" :
		    $res->{status} == 409 && text_of($res->{content}) =~ /No seat of SQL for Analysts is left/ ? "full $i" :
		    "other $i $res->{status}";
	});
	is(count_of(qr/^won /, @lines), 1, 'one assignment wins') or diag explain \@lines;
	is(count_of(qr/^full /, @lines), 9, 'nine get the 409 page saying no seat is left') or diag explain \@lines;
	is(join('/', map { @$_ } $s->sql('SELECT seats, held FROM team_seats WHERE team_id = ?1 AND course_id = ?2', $team, $course)),
	    '1/1', 'the seat is held once');
	is($s->sql_one(q{SELECT count(*) FROM seat_assignments WHERE course_id = ?1 AND status <> 'revoked' AND substr(email, 1, 9) = 'seatracer'}, $course),
	    1, 'one assignment row');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr LIKE 'seatracer%'}), 1, 'one invitation queued');
	my ($winner) = map { /^won (\d+)/ ? $1 : () } @lines;
	ok($s->wait_for(sub { $s->mails_to("seatracer$winner\@example.org") == 1 }), 'and the winner\'s invitation mailed once')
	    if defined $winner;
};

subtest '20 checkouts, ten on each host, race for a cohort\'s last place' => sub {
	my $slug = 'systems-design-cohort';
	my $course = $s->course_id($slug);
	my $last = $s->sql_one(q{INSERT INTO cohorts (course_id, name, starts_on, enroll_deadline, capacity, created_at, updated_at)
	    VALUES (?1, 'Two host cohort', '2027-03-22', ?2, 1, 1, 1) RETURNING id}, $course, time + 20 * 86400);
	my @buyers = map { [$s->student(name => "Cohort Racer $_")] } 1 .. 20;
	for my $r (@buyers) {
		$r->[0]->get("/courses/$slug");
		my $res = Forms::submit($r->[0], "/payment/enroll-cohort/$last");
		die "enroll-cohort: $res->{status}\n" unless $res->{status} == 303;
	}
	$buyers[$_][0]->get(host_url($_) . '/payment/cart') for 0 .. $#buyers;
	my @lines = race(20, sub {
		my $i = shift;
		my $b = $buyers[$i][0];
		my $res = Forms::submit($b, '/payment/checkout');
		return "stripe $i" if $s->checkout_session($res);
		return "full $i" if ($res->{headers}{location} // '') eq '/payment/cart' &&
		    $b->get(host_url($i) . '/payment/cart')->{content} =~ /This cohort is full\./;
		return "other $i $res->{status}";
	});
	is(count_of(qr/^stripe /, @lines), 1, 'exactly one is sent to Stripe') or diag explain \@lines;
	is(count_of(qr/^full /, @lines), 19, 'the 19 others see "This cohort is full."') or diag explain \@lines;
	is($s->sql_one('SELECT held FROM cohorts WHERE id = ?1', $last), 1, 'the cohort holds one place');
	is($s->sql_one('SELECT count(*) FROM cohort_places WHERE cohort_id = ?1', $last), 1, 'one place row');
	my ($i) = map { /^stripe (\d+)/ ? $1 : () } @lines;
	is($s->sql_one('SELECT user_id FROM cohort_places WHERE cohort_id = ?1', $last), $buyers[$i // 0][1], 'the winner\'s');
	is($s->sql_one(q{SELECT count(*) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.cohort_id = ?1}, $last), 1,
	    'and one order');
};

subtest 'send-mail on both hosts at once sends each mail once' => sub {
	# Both hosts' cron jobs, with their mail workers stopped.
	for my $h (@host) {
		my $pid = $h->parent_pid('mail-worker');
		kill 'TERM', $pid;
		ok($s->wait_for(sub { !kill(0, $pid) }, 10), 'the mail worker of ' . $h->base . ' stops');
	}
	my $n0 = $s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'pending'});
	my @ids = map { $s->sql_one(q{INSERT INTO outbox (dedupe_key, to_addr, subject, body)
	    VALUES (?1, ?2, ?3, 'Hello from two hosts.') RETURNING id}, "two-hosts-$_", "cron$_\@example.org", "Message $_") } 1 .. 60;
	my @lines = race(4, sub {
		my $i = shift;
		open(STDOUT, '>', '/dev/null');
		return "exit $i " . $host[$i % 2]->enrollctl('send-mail');
	});
	is(count_of(qr/^exit \d+ 0$/, @lines), 4, 'four send-mail runs, two per host, each exits 0') or diag explain \@lines;
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'two-hosts-%' AND status = 'sent' AND attempts = 1}), 60,
	    'all 60 messages are sent, each in one attempt');
	my (@once, @twice, @per_host);
	for my $id (@ids) {
		my @c = copies_of($id);
		$per_host[$_] += $c[$_] for 0, 1;
		push @{ $c[0] + $c[1] == 1 ? \@once : \@twice }, $id;
	}
	is(scalar @once, 60, 'each has exactly one .eml file, in one host\'s mail folder') or diag "twice or never: @twice";
	note("host 1 sent $per_host[0], host 2 sent $per_host[1]; $n0 other mails were pending");
};

done_testing;
