#!/usr/bin/env perl
# One Stripe account shared by two stores (staging beside production, two
# developers' `make run`, a second shop): Stripe sends every endpoint every
# event of the account.  Each store acts only on the sessions it made,
# refunds nothing it did not sell, survives a recreated database, and says
# plainly when Stripe refuses to start a payment.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use POSIX ();
use Stack;

my $a = Stack->start;
my $b = Stack->start_beside($a);

sub course { my ($s, $slug) = @_; return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', $slug) }
sub checkout {
	my ($br) = @_;
	my $res = $br->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	return wantarray ? ($cs, $res) : $cs;
}
sub buy_start {	# a new student of store $s with $slug in the cart, at Stripe's page
	my ($s, $slug) = @_;
	my ($br, $uid) = $s->student;
	$br->post('/payment/add-to-cart/' . course($s, $slug), {}, from => '/payment/cart');
	my $cs = checkout($br);
	return ($br, $uid, $cs);
}
sub pay { my ($cs, $card) = @_; return $a->emu('POST', "/_emu/pay/$cs", { card => $card // '4242424242424242' }) }
sub refunds_at_stripe { return $a->emu_sql_one('SELECT count(*) FROM refunds') }
sub our_refunds { return $a->emu_sql_one(q{SELECT count(*) FROM refunds WHERE json_extract(json, '$.metadata.enroll_install') = ?1}, $_[0]) }
sub order_row { my ($s, $id) = @_; my ($r) = $s->sql('SELECT status, needs_review, refunded_amount FROM orders WHERE id = ?1', $id); return $r }
sub events_of { my ($s, $type, $outcome) = @_; return $s->sql_one('SELECT count(*) FROM stripe_events WHERE type = ?1 AND outcome = ?2', $type, $outcome) }

my $install_a = $a->sql_one(q{SELECT value FROM settings WHERE key = 'install_id'});
my $install_b = $b->sql_one(q{SELECT value FROM settings WHERE key = 'install_id'});

subtest 'each database has its own install id' => sub {
	like($install_a, qr/^[0-9a-f]{32}$/, 'store A: 128 random bits');
	like($install_b, qr/^[0-9a-f]{32}$/, 'store B too');
	isnt($install_a, $install_b, 'and they differ');
	# A copy of the database (SQLite's VACUUM INTO; on PostgreSQL the
	# store's own copy-db into a new database).
	my $copy = $a->dir . '/copy.db';
	if ($a->pg) {
		$copy = Stack->pg_createdb;
		is(system("'$Stack::BUILD/bin/enrollctl' copy-db '" . $a->db . "' '$copy' >/dev/null 2>&1"), 0, 'copied');
	} else {
		$a->sql("VACUUM INTO '$copy'");
	}
	local $a->{cfg}{ENROLL_DB} = $copy;
	is($a->enrollctl('migrate'), 0, 'a copied database migrates');
	is($a->sql_one(q{SELECT value FROM settings WHERE key = 'install_id'}), $install_a, 'and keeps the install id');
};

my ($br_a, $uid_a, $cs_a) = buy_start($a, 'payments-engineering');
my ($br_b, $uid_b, $cs_b) = buy_start($b, 'payments-engineering');

subtest 'two stores sell at once on one account, each fulfils only its own' => sub {
	ok($cs_a && $cs_b, 'both students reach Stripe\'s page');
	is($a->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs_a), 1, 'store A\'s order is number 1');
	is($b->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs_b), 1, 'so is store B\'s');
	my $sa = $a->emu_json('GET', "/v1/checkout/sessions/$cs_a");
	is($sa->{metadata}{enroll_install}, $install_a, 'the session carries store A\'s install id');
	is($sa->{metadata}{order_number}, $a->sql_one('SELECT number FROM orders WHERE id = 1'), 'and the order\'s number');
	my @keys = map { $_->{idempotency_key} // '' } @{$a->emu_json('GET', '/_emu/requests')};
	my @posts = grep { $_ ne '' } @keys;
	ok(@posts && !(grep { !/^($install_a|$install_b)-/ } @posts), 'every idempotency key starts with an install id');
	my @kids;
	for my $cs ($cs_a, $cs_b) {
		my $pid = fork // die;
		if (!$pid) { POSIX::_exit(pay($cs)->{status} == 200 ? 0 : 1) }
		push @kids, $pid;
	}
	for (@kids) { waitpid($_, 0); is($?, 0, 'a payment succeeds') }
	ok($a->wait_for(sub { (order_row($a, 1)->[0] // '') eq 'paid' }), 'store A\'s order 1 is paid');
	ok($b->wait_for(sub { (order_row($b, 1)->[0] // '') eq 'paid' }), 'store B\'s order 1 is paid');
	ok($a->wait_for(sub { events_of($a, 'checkout.session.completed', 'not-ours') >= 1 }), 'store A saw B\'s completion and called it not ours');
	ok($b->wait_for(sub { events_of($b, 'checkout.session.completed', 'not-ours') >= 1 }), 'store B saw A\'s completion and called it not ours');
	is($a->sql_one(q{SELECT count(*) FROM enrollments WHERE status = 'active'}), 1, 'store A granted one course');
	is($a->sql_one(q{SELECT user_id FROM enrollments WHERE status = 'active'}), $uid_a, 'to its own student');
	is($b->sql_one(q{SELECT count(*) FROM enrollments WHERE status = 'active'}), 1, 'store B granted one course');
	is(order_row($a, 1)->[1], 0, 'store A\'s order is not flagged');
	is(order_row($b, 1)->[1], 0, 'nor is store B\'s');
	is(refunds_at_stripe(), 0, 'Stripe made no refund');
};

subtest 'another system\'s sales with our order ids change nothing' => sub {
	my ($br, $uid, $pending) = buy_start($a, 'testing-in-practice');
	my $pending_id = $a->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $pending);
	ok($pending_id, 'store A has a pending order');
	for my $oid (1, $pending_id) {
		my $foreign = $a->emu_json('POST', '/v1/checkout/sessions', [
		    mode => 'payment', 'metadata[order_id]' => $oid,
		    'line_items[0][price_data][currency]' => 'usd',
		    'line_items[0][price_data][unit_amount]' => 4900,
		    'line_items[0][price_data][product_data][name]' => 'Something else',
		    'line_items[0][quantity]' => 1,
		    success_url => 'https://other.example/thanks' ]);
		like($foreign->{id}, qr/^cs_/, "another system sells with metadata[order_id]=$oid");
		is(pay($foreign->{id})->{status}, 200, 'and is paid');
		ok($a->wait_for(sub { $a->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'checkout.session.completed' AND outcome = 'not-ours' AND order_id IS NULL}) >= 2 }),
		    'store A records its completion as not ours');
		my $pi = $a->emu_json('GET', "/v1/checkout/sessions/$foreign->{id}")->{payment_intent};
		is($a->emu('POST', '/v1/refunds', { payment_intent => $pi, amount => 1000 })->{status}, 200, 'the other system refunds part of it');
		ok($a->wait_for(sub { $a->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'charge.refunded' AND outcome = 'not-ours'}) >= ($oid == 1 ? 1 : 2) }),
		    'its charge.refunded is traced through Stripe and is not ours either');
	}
	is_deeply(order_row($a, 1), ['paid', 0, 0], 'the paid order 1 is unchanged: paid, not flagged, nothing refunded');
	is_deeply(order_row($a, $pending_id), ['pending', 0, 0], 'the pending order is unchanged');
	is($a->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1}, $uid), 0, 'its buyer got nothing');
	is($a->emu_sql_one(q{SELECT count(*) FROM refunds WHERE json_extract(json, '$.metadata.enroll_install') IS NOT NULL}), 0,
	    'neither store refunded anything at Stripe');
	is($a->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'order-refund-%'}), 0, 'and no refund mail went out');
};

subtest 'an event of the other mode (live on a test key) is not ours' => sub {
	my ($br, $uid, $cs) = buy_start($a, 'payments-engineering');
	my $oid = $a->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	my $session = $a->emu_json('GET', "/v1/checkout/sessions/$cs");
	$session->{status} = 'complete';
	$session->{payment_status} = 'paid';
	my $body = JSON::PP->new->canonical->encode({ id => "evt_live_$oid", object => 'event',
	    type => 'checkout.session.completed', created => time, api_version => '2023-08-16',
	    livemode => JSON::PP::true, data => { object => $session } });
	is($a->deliver($body)->{status}, 200, 'acknowledged');
	is($a->sql_one('SELECT outcome FROM stripe_events WHERE event_id = ?1', "evt_live_$oid"), 'not-ours', 'recorded as not ours');
	is_deeply(order_row($a, $oid), ['pending', 0, 0], 'the order is unchanged');
	like($a->log_text('webhook'), qr/evt_live_$oid is a live-mode event and the key is test-mode/, 'and the log says why, once');
};

subtest 'a paid session the order no longer uses is refunded, and only that one' => sub {
	my ($br, $uid, $first) = buy_start($a, 'c-programming-fundamentals');
	my $oid = $a->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $first);
	# The order forgets its open session (as after a crash between
	# Stripe's answer and our write) and the next click makes another.
	$a->sql('UPDATE orders SET stripe_session_id = NULL, stripe_session_url = NULL WHERE id = ?1', $oid);
	my $second = checkout($br);
	ok($second && $second ne $first, 'a second session for the same order');
	is($a->sql_one('SELECT count(*) FROM checkout_sessions WHERE order_id = ?1', $oid), 2, 'the store lists both');
	is(pay($first)->{status}, 200, 'the student pays the first one anyway');
	ok($a->wait_for(sub { our_refunds($install_a) == 1 }), 'the store refunds that payment at Stripe, with its install id');
	my $pi_first = $a->emu_json('GET', "/v1/checkout/sessions/$first")->{payment_intent};
	my ($meta_order, $refund_pi, $amount) = @{($a->emu_sql(q{SELECT json_extract(json, '$.metadata.order_id'), json_extract(json, '$.payment_intent'), json_extract(json, '$.amount') FROM refunds WHERE json_extract(json, '$.metadata.enroll_install') = ?1}, $install_a))[0]};
	is($meta_order, $oid, 'for the order');
	is($refund_pi, $pi_first, 'of the first session\'s payment');
	is($amount, $a->sql_one('SELECT total_amount FROM orders WHERE id = ?1', $oid), 'all of it');
	is($a->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $oid), 1, 'the order is flagged for a look');
	is(pay($second)->{status}, 200, 'then pays the current session');
	ok($a->wait_for(sub { (order_row($a, $oid)->[0] // '') eq 'paid' }), 'which grants the order');
	ok($a->wait_for(sub { $a->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'charge.refunded' AND order_id = ?1 AND outcome = 'superseded-settled'}, $oid) }),
	    'the refund\'s own event is recognised as settled');
	is(order_row($a, $oid)->[2], 0, 'and is not taken for a refund of the order');
	is(our_refunds($install_a), 1, 'one refund in all');
};

subtest 'a recreated database checks out order 1 again on the same account' => sub {
	# Same endpoint, same port, a new database.
	my ($port, $secret) = ($b->cfg('PORT'), $b->{endpoint}{secret});
	$b->stop;
	my $c = Stack->start(PORT => $port,
	    STRIPE_SECRET_KEY => $a->cfg('STRIPE_SECRET_KEY'),
	    STRIPE_API_BASE => $a->cfg('STRIPE_API_BASE'),
	    STRIPE_WEBHOOK_SECRET => $secret);
	isnt($c->sql_one(q{SELECT value FROM settings WHERE key = 'install_id'}), $install_b, 'the new database has a new install id');
	my ($br, $uid, $cs) = buy_start($c, 'payments-engineering');
	is($uid, 1, 'its first student is user 1 again');
	ok($cs, 'checkout reaches Stripe\'s page');
	is($c->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs), 1, 'for order 1 again');
	is(pay($cs)->{status}, 200, 'and the payment goes through');
	ok($c->wait_for(sub { (order_row($c, 1)->[0] // '') eq 'paid' }), 'order 1 of the new database is paid');
	$c->stop;
};

subtest 'Stripe refusing a request is not called a network failure' => sub {
	my ($br, $uid) = $a->student;
	$br->post('/payment/add-to-cart/' . course($a, 'payments-engineering'), {}, from => '/payment/cart');
	# Someone already used the key this store will send, with other
	# parameters: Stripe answers idempotency_error.
	my $key = "$install_a-customer-user-$uid-1";
	my $http = HTTP::Tiny->new;
	my $r = $http->request('POST', $a->cfg('STRIPE_API_BASE') . '/v1/customers', {
	    headers => { authorization => 'Bearer ' . $a->cfg('STRIPE_SECRET_KEY'),
	    'idempotency-key' => $key, 'content-type' => 'application/x-www-form-urlencoded' },
	    content => 'email=someone-else%40example.org' });
	is($r->{status}, 200, 'the key is taken');
	my ($cs, $res) = checkout($br);
	is($res->{status}, 502, 'the checkout fails');
	like($res->{content}, qr/The payment could not be started/, 'saying the payment could not be started');
	unlike($res->{content}, qr/could not reach/, 'not that the service was unreachable');
	like($a->log_text('checkout'), qr/idempotency_error.*req_/, 'the log names Stripe\'s error and request id');
	like($br->get('/payment/cart')->{content}, qr/Payments Engineering/, 'the cart is kept');
};

done_testing;
