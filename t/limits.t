#!/usr/bin/env perl
# The production limits, with nginx.conf.example exactly as shipped (the
# other end-to-end tests drop its limit_req lines): a class of 30 students
# behind one school address opens the login page and logs in within a
# minute, and all get in; repeated wrong passwords for one account are
# stopped by the store's throttle; a flood of login POSTs still meets
# nginx's limit; and a burst of 2,000 distinct signed Stripe events sent
# 32 at a time from one address is all answered 200 and all stored.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use Stack;

my $s = Stack->start(ENROLL_NO_RATE_LIMITS => 0);
my $PW = 'correct horse battery';

subtest 'the stack runs nginx.conf.example with every limit it ships' => sub {
	my @lines = sub { open(my $fh, '<', shift) or die $!; grep { /^\s*(limit_req|map )/ } <$fh> };
	my @shipped = map { s/^\s+//r } $lines[0]->("$Stack::TOP/nginx.conf.example");
	my @running = map { s/^\s+//r } $lines[0]->($s->dir . '/nginx.conf');
	ok(@shipped >= 4, 'the shipped config has its limits');
	is_deeply(\@running, \@shipped, 'the running config has the same limit lines');
};

subtest 'a class of 30 behind one address opens the login page and logs in within a minute' => sub {
	my (undef, undef, $first) = $s->student(name => 'Student 1', password => $PW);
	my $hash = $s->sql_one('SELECT password_hash FROM users WHERE email = ?1', $first);
	my @emails = ($first);
	for my $i (2 .. 30) {
		my $email = "class$i\@school.example";
		$s->sql(q{INSERT INTO users (email, name, password_hash, role) VALUES (?1, ?2, ?3, 'student')}, $email, "Student $i", $hash);
		push @emails, $email;
	}
	my $t0 = time;
	my (@status, @names, @typos);
	for my $email (@emails) {
		my $b = $s->browser;
		my $page = $b->get('/account/login');
		$b->get('/account/login') if $email =~ /[02468]\@/;	# some reload it
		push @status, $page->{status};
		# Every third student mistypes the password once first: ten
		# typos from the school's one address lock out no one.
		if ($email =~ /(\d+)\@/ && $1 % 3 == 0) {
			my $typo = $b->post('/account/login', { email => $email, password => "$PW typo" });
			push @typos, $typo->{status};
		}
		my $res = $b->post('/account/login', { email => $email, password => $PW });
		push @status, $res->{status};
		push @names, (($b->get('/account/dashboard')->{content} // '') =~ /Welcome, ([^<.!]+)/)[0] // '';
	}
	my $took = time - $t0;
	ok($took < 60, sprintf('within a minute (%.1f s)', $took));
	is(scalar(grep { $_ == 429 } @status), 0, 'no page view or login was refused with 429');
	is_deeply([@status[map { 2 * $_ } 0 .. 29]], [(200) x 30], 'every student saw the login page');
	is_deeply(\@typos, [(400) x 10], 'ten typos were refused as wrong passwords');
	is_deeply([@status[map { 2 * $_ + 1 } 0 .. 29]], [(303) x 30], 'and every login succeeded');
	is_deeply(\@names, [map { "Student $_" } 1 .. 30], 'each dashboard greets its student');
	is($s->sql_one(q{SELECT count(DISTINCT user_id) FROM sessions}), 30, '30 sessions in the database');
};

subtest 'repeated wrong passwords for one account are stopped' => sub {
	my $b = $s->browser;
	$b->get('/account/login');
	my @status = map { $b->post('/account/login', { email => 'class7@school.example', password => "guess number $_" })->{status} } 1 .. 6;
	is_deeply([@status[0 .. 4]], [(400) x 5], 'five wrong passwords are refused');
	is($status[5], 429, 'the sixth attempt is stopped');
	my $res = $b->post('/account/login', { email => 'class7@school.example', password => $PW });
	is($res->{status}, 429, 'even with the right password, for now');
	like($res->{content}, qr/too many failed attempts/i, 'in plain words from the store, not nginx');
	is($s->sql_one(q{SELECT count(*) FROM login_attempts WHERE email = 'class7@school.example'}), 5, 'five failures recorded for the account');
	is($b->cookie('enroll_session'), undef, 'nobody is logged in');
};

subtest 'a flood of login POSTs from one address meets nginx' => sub {
	my $b = $s->browser;
	$b->get('/account/login');
	my %seen;
	# Without a CSRF token each is refused at once (403), but nginx
	# counts every POST before the store sees it.
	$seen{$b->request('POST', '/account/login', { email => 'x@example.org', password => 'x' })->{status}}++ for 1 .. 150;
	ok($seen{429}, "nginx answers 429 to a flood ($seen{429} of 150)");
	is($b->get('/account/login')->{status}, 200, 'the login page itself still opens');
};

subtest '2,000 signed webhook events, 32 at a time from one address: all 200, all stored' => sub {
	my ($n, $conc) = (2000, 32);
	my $t = time;
	my $run = int($t);
	my $dir = $s->dir;
	my @kids;
	my $t0 = time;
	for my $k (0 .. $conc - 1) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			my $http = HTTP::Tiny->new(timeout => 60, keep_alive => 1);
			open(my $out, '>', "$dir/sender.$k") or die $!;
			for (my $i = $k; $i < $n; $i += $conc) {
				my $body = sprintf('{"id":"evt_limits_%d_%d","object":"event","type":"customer.created","created":%d,'
				    . '"api_version":"2023-08-16","livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},'
				    . '"data":{"object":{"id":"cus_limits_%d","object":"customer","email":"buyer%d@example.org","livemode":false,"metadata":{}}}}',
				    $run, $i, $run, $i, $i);
				my $res = $http->request('POST', $s->base . '/payment/webhook', {
				    headers => { 'content-type' => 'application/json', 'stripe-signature' => $s->stripe_signature($body) },
				    content => $body });
				print $out "$res->{status}\n";
			}
			close $out;
			require POSIX;
			POSIX::_exit(0);
		}
		push @kids, $pid;
	}
	waitpid($_, 0) for @kids;
	my $took = time - $t0;
	my %status;
	for my $k (0 .. $conc - 1) {
		open(my $fh, '<', "$dir/sender.$k") or die $!;
		$status{$_}++ for map { chomp; $_ } <$fh>;
	}
	is_deeply(\%status, { 200 => $n }, sprintf('every one of the %d events was answered 200 (%.1f s, %.0f/s)', $n, $took, $n / ($took || 1)));
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE event_id LIKE ?1}, "evt_limits_${run}_%"), $n, 'and every one is stored in stripe_events');
	is($s->sql_one(q{SELECT count(DISTINCT event_id) FROM stripe_events WHERE event_id LIKE ?1 AND type = 'customer.created'}, "evt_limits_${run}_%"), $n, 'once each, with its type');
};

subtest 'the forgotten-password form: opening it is never limited, a flood of requests is' => sub {
	my $b = $s->browser;
	my @get = map { $b->get('/account/forgot-password')->{status} } 1 .. 60;
	is(scalar(grep { $_ == 200 } @get), 60, '60 openings of the form in a row are all answered');
	my $csrf = $b->csrf('/account/forgot-password');
	my @post = map { $b->post('/account/forgot-password', { email => "flood$_\@example.org", csrf_token => $csrf })->{status} } 1 .. 60;
	ok(scalar(grep { $_ == 200 } @post) >= 20, 'a burst of requests is answered');
	ok(scalar(grep { $_ == 429 } @post) >= 10, 'a flood meets nginx\'s limit');
};

done_testing;
