#!/usr/bin/env perl
# GET /healthz, as an operator's monitoring sees it: JSON with the
# database's state, the mail backlog, the last webhook event and Stripe's
# mode; 503 when the database cannot be written; no secret in it; only the
# operator's addresses reach it.
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
sub health {
	my (%o) = @_;
	my $res = HTTP::Tiny->new(timeout => 30, %o)->get($s->base . '/healthz');
	my $j = eval { decode_json($res->{content}) };
	return ($res, $j);
}

subtest 'a healthy store' => sub {
	# Waiting two minutes, and not due for an hour: the mail worker leaves
	# it, so the outbox holds still while the page and the test count it.
	$s->sql(q{INSERT INTO outbox (dedupe_key, to_addr, subject, body, created_at, next_attempt_at) VALUES ('health-1', 'a@example.org', 's', 'b', ?1, ?2)}, time - 120, time + 3600);
	my $ev = JSON::PP->new->encode({ id => 'evt_health', object => 'event', type => 'customer.created',
	    created => time, api_version => '2023-08-16', livemode => JSON::PP::false, data => { object => { id => 'cus_h' } } });
	is($s->deliver($ev)->{status}, 200, 'Stripe reaches the webhook');
	my ($res, $j) = health();
	is($res->{status}, 200, 'answers 200');
	like($res->{headers}{'content-type'}, qr{^application/json}, 'JSON');
	is($j->{status}, 'ok', 'status ok');
	is($j->{database}{writable}, JSON::PP::true, 'the database is writable');
	is($j->{database}{schema}, $s->schema_version, 'its schema');
	is($j->{database}{schema_expected}, $j->{database}{schema}, 'is the one the program needs');
	is($j->{outbox}{pending}, $s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'pending'}), 'mail waiting: as in the outbox');
	cmp_ok($j->{outbox}{oldest_age_seconds}, '>=', 119, 'and how long the oldest has waited');
	is($j->{webhook}{last_event_at}, $s->sql_one('SELECT max(received_at) FROM stripe_events'), 'when the last Stripe event came');
	is($j->{stripe}{mode}, 'test', 'Stripe in test mode');
	for my $secret ($s->cfg('STRIPE_SECRET_KEY'), $s->cfg('STRIPE_WEBHOOK_SECRET'),
	    $s->sql_one(q{SELECT value FROM settings WHERE key = 'secret'})) {
		unlike($res->{content}, qr/\Q$secret\E/, 'no secret in it');
	}
	is($res->{headers}{'set-cookie'}, undef, 'and no cookie');
};

subtest 'a database that cannot be written is a 503' => sub {
	# Another process holds the write lock longer than the store waits.
	my $held = $s->dir . '/health-lock-held';
	my $pid = $s->hold_write_lock(9, file => $held);
	$s->wait_for(sub { -e $held }, 10);
	my ($res, $j) = health();
	is($res->{status}, 503, 'answers 503');
	is($j->{status}, 'fail', 'status fail');
	is($j->{database}{writable}, JSON::PP::false, 'not writable');
	waitpid($pid, 0);
	($res) = health();
	is($res->{status}, 200, 'healthy again once the lock is gone');
};

subtest 'only the operator\'s addresses reach it' => sub {
	my ($res) = health(local_address => '127.0.0.2');
	is($res->{status}, 403, 'another address gets 403');
	unlike($res->{content}, qr/schema/, 'and learns nothing');
};

done_testing;
