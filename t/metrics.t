#!/usr/bin/env perl
# GET /metrics in Prometheus' text format: requests by program and status,
# a latency histogram, worker restarts, SQLite busy waits (counters every
# worker of every program shares), and what the database knows (webhook
# events by outcome, orders by status, mail waiting).  Loopback only.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep);
use Stack;

my $s = Stack->start;
sub scrape {
	my (%o) = @_;
	my $res = HTTP::Tiny->new(timeout => 30, %o)->get($s->base . '/metrics');
	my %v;
	for (split /\n/, $res->{content} // '') {
		next if /^#/;
		$v{$1} = $2 if /^(\S+) (\S+)$/;
	}
	return ($res, \%v);
}
sub event {
	my ($id) = @_;
	return JSON::PP->new->encode({ id => $id, object => 'event', type => 'customer.created',
	    created => time, api_version => '2023-08-16', livemode => JSON::PP::false, data => { object => { id => 'cus_m' } } });
}

my $b = $s->browser;
is($b->get('/courses')->{status}, 200, 'a catalog page') for 1 .. 20;
is($b->get('/no/such/page')->{status}, 404, 'a page that is not there');
is($b->get('/account/login')->{status}, 200, 'a login page') for 1 .. 3;
is($s->deliver(event('evt_metrics_1'))->{status}, 200, 'a webhook event');

subtest 'requests by program and status, from every worker' => sub {
	my ($res, $v) = scrape();
	is($res->{status}, 200, 'answers 200');
	like($res->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'in Prometheus\' text format');
	like($res->{content}, qr/^# TYPE enroll_requests_total counter$/m, 'with TYPE lines');
	cmp_ok($v->{'enroll_requests_total{program="cart",code="2xx"}'}, '>=', 20, 'the 20 catalog pages (both workers counted)');
	cmp_ok($v->{'enroll_requests_total{program="cart",code="4xx"}'}, '>=', 1, 'the 404');
	cmp_ok($v->{'enroll_requests_total{program="account",code="2xx"}'}, '>=', 3, 'the account program\'s pages');
	is($v->{'enroll_requests_total{program="webhook",code="2xx"}'}, 1, 'the webhook\'s one event');
	my ($res2, $v2) = scrape();
	cmp_ok($v2->{'enroll_requests_total{program="cart",code="2xx"}'}, '>', $v->{'enroll_requests_total{program="cart",code="2xx"}'},
	    'a second scrape, by whichever worker, counts the first one too');
};

subtest 'a latency histogram per program' => sub {
	my ($res, $v) = scrape();
	my @les = ('0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf');
	my @counts = map { $v->{qq(enroll_request_duration_seconds_bucket{program="cart",le="$_"})} } @les;
	ok(!(grep { !defined } @counts), 'every bucket is there');
	ok(!(grep { $counts[$_] < $counts[$_ - 1] } 1 .. $#counts), 'cumulative');
	is($counts[-1], $v->{'enroll_request_duration_seconds_count{program="cart"}'}, '+Inf equals the count');
	my $answered = 0;
	$answered += $v->{qq(enroll_requests_total{program="cart",code="${_}xx"})} for 1 .. 5;
	is($v->{'enroll_request_duration_seconds_count{program="cart"}'}, $answered, 'which is every answered request');
	cmp_ok($v->{'enroll_request_duration_seconds_sum{program="cart"}'}, '>', 0, 'with the time they took');
};

subtest 'what the database knows' => sub {
	my ($res, $v) = scrape();
	is($v->{'enroll_webhook_events_total{outcome="ignored"}'}, $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE outcome = 'ignored'}), 'webhook events by outcome');
	is($v->{'enroll_outbox_pending'}, $s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'pending'}), 'mail waiting');
	my ($br) = $s->student;
	my $course = $s->sql_one(q{SELECT id FROM courses WHERE slug = 'payments-engineering'});
	$br->post("/payment/add-to-cart/$course", {}, from => '/payment/cart');
	$br->post('/payment/checkout', {}, from => '/payment/cart');
	($res, $v) = scrape();
	is($v->{'enroll_orders{status="pending"}'}, $s->sql_one(q{SELECT count(*) FROM orders WHERE status = 'pending'}), 'orders by status');
};

subtest 'worker restarts and SQLite busy waits' => sub {
	my (undef, $v) = scrape();
	my $before = $v->{'enroll_worker_restarts_total{program="cart"}'};
	my ($worker) = $s->worker_pids('cart');
	kill 'KILL', $worker;
	ok($s->wait_for(sub { (scrape())[1]{'enroll_worker_restarts_total{program="cart"}'} > $before }), 'a killed worker counts as a restart');
	my $busy = (scrape())[1]{'enroll_sqlite_busy_retries_total'};
	my $held = $s->dir . '/metrics-lock-held';
	my $pid = $s->hold_write_lock(1, file => $held);
	$s->wait_for(sub { -e $held }, 10);
	is($s->deliver(event('evt_metrics_2'))->{status}, 200, 'a webhook event waits for the lock, then is stored');
	waitpid($pid, 0);
	cmp_ok((scrape())[1]{'enroll_sqlite_busy_retries_total'}, '>', $busy, 'the waits are counted');
};

subtest 'only the operator\'s addresses reach it' => sub {
	my ($res) = scrape(local_address => '127.0.0.2');
	is($res->{status}, 403, 'another address gets 403');
};

done_testing;
