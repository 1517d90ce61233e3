#!/usr/bin/env perl
# The ways real stores lost money or access, each reproduced against the
# real stack and the Stripe emulator: duplicated, reordered, missing and
# forged webhooks, declined cards, expired sessions, amount mismatches,
# refunds, a coupon's last use under concurrent checkouts, Stripe failing,
# and a busy database.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep);
use Stack;
use Forms;

my $s = Stack->start;
my $json = JSON::PP->new->canonical;

sub course { return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', shift) }
my $c_prog = course('c-programming-fundamentals');
my $c_test = course('testing-in-practice');
my $c_pay = course('payments-engineering');

sub add_to_cart {
	my ($b, @ids) = @_;
	$b->post("/payment/add-to-cart/$_", {}, from => '/payment/cart') for @ids;
}
sub checkout {
	my ($b) = @_;
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	return wantarray ? ($cs, $res) : $cs;
}
sub pay { my ($cs, $card) = @_; return $s->emu('POST', "/_emu/pay/$cs", { card => $card // '4242424242424242' }) }
sub order_of { return $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', shift) }
sub status_of { return $s->sql_one('SELECT status FROM orders WHERE id = ?1', shift) }
sub n_enrolled { return $s->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1 AND status = 'active'}, shift) }
sub event_of {	# the emulator's event of a type about a session, as JSON text
	my ($type, $cs) = @_;
	my $list = $s->emu_json('GET', "/v1/events?type=$type&limit=100");
	for my $ev (@{$list->{data} // []}) {
		return $json->encode($ev) if ($ev->{data}{object}{id} // '') eq $cs;
	}
	return undef;
}

subtest 'the same event delivered ten times at once grants once' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('TENX', 'percentage', 10)});
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_prog, $c_test);
	$b->post('/payment/apply-coupon', { code => 'TENX' }, from => '/payment/cart');
	my $cs = checkout($b);
	pay($cs);
	my $body = event_of('checkout.session.completed', $cs);
	ok($body, 'the emulator made the completed event (and dropped its delivery)');
	my @kids;
	for (1 .. 10) {
		my $pid = fork // die;
		if (!$pid) { my $r = $s->deliver($body); POSIX::_exit($r->{status} == 200 ? 0 : 1) }
		push @kids, $pid;
	}
	my $ok = 0;
	for (@kids) { waitpid($_, 0); $ok++ if $? == 0 }
	is($ok, 10, 'every delivery is answered 200');
	my $oid = order_of($cs);
	is(status_of($oid), 'paid', 'the order is paid');
	is(n_enrolled($uid), 2, 'two courses, two enrollments: nothing doubled');
	is($s->sql_one('SELECT count(*) FROM coupon_redemptions WHERE order_id = ?1', $oid), 1, 'one redemption');
	is($s->sql_one(q{SELECT status FROM coupon_redemptions WHERE order_id = ?1}, $oid), 'redeemed', 'redeemed');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'checkout.session.completed' AND order_id = ?1}, $oid), 1, 'one event row');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key = 'order-paid-' || ?1}, $oid), 1, 'one confirmation mail');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'events delivered newest first still grant exactly once' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'reorder', delivery_delay_ms => 500 });
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_prog);
	my $cs = checkout($b);
	pay($cs);
	$s->emu('POST', '/_emu/deliver-pending');
	my $oid = order_of($cs);
	ok($s->wait_for(sub { status_of($oid) eq 'paid' }), 'the order is paid');
	is(n_enrolled($uid), 1, 'one enrollment');
	$s->emu('POST', '/_emu/reset-faults');

	# A stale "expired" for the same session arriving after payment.
	my $late = $json->encode({ id => "evt_late_$oid", object => 'event', type => 'checkout.session.expired',
		created => time, api_version => '2023-08-16', livemode => JSON::PP::false,
		data => { object => { id => $cs, object => 'checkout.session', status => 'expired', payment_status => 'paid',
			amount_total => 4900, currency => 'usd', metadata => { order_id => "$oid" } } } });
	is($s->deliver($late)->{status}, 200, 'a late expiry event is acknowledged');
	is(status_of($oid), 'paid', 'and the paid order stays paid');
	is(n_enrolled($uid), 1, 'with its access');
};

subtest 'a declined card grants nothing; cancelling releases the coupon' => sub {
	$s->sql(q{INSERT INTO coupons (code, kind, amount_off) VALUES ('FIVE', 'fixed', 500)});
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_pay);
	$b->post('/payment/apply-coupon', { code => 'FIVE' }, from => '/payment/cart');
	my $cs = checkout($b);
	my $oid = order_of($cs);
	is(pay($cs, '4000 0000 0000 0002')->{status}, 402, 'the card is declined');
	is(pay($cs, '4000 0000 0000 9995')->{status}, 402, 'insufficient funds too');
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'payment_intent.payment_failed'}) }), 'the failure event arrives');
	is(status_of($oid), 'pending', 'the order still waits (the student may try another card)');
	is(n_enrolled($uid), 0, 'no access');
	# A link to the cancel page from another site carries no token (or
	# someone else's order's): the checkout stays open.
	for my $forged ('/payment/checkout/cancel', "/payment/checkout/cancel?order=$oid",
	    "/payment/checkout/cancel?order=$oid&token=" . ('0' x 64)) {
		my $res = $b->get($forged);
		is($res->{status}, 303, "$forged answers");
		is(status_of($oid), 'pending', 'and cancels nothing');
	}
	like($b->get('/payment/cart')->{content}, qr/Nothing was cancelled/, 'the cart page says so');
	is($s->emu_json('GET', "/v1/checkout/sessions/$cs")->{status}, 'open', 'the session is still open at Stripe');

	# The buyer presses Cancel on Stripe's page: back to our cancel_url.
	$b->get($s->sql_one('SELECT stripe_session_url FROM orders WHERE id = ?1', $oid));
	my $res = Forms::submit($b, qr{/cancel$});
	is($res->{status}, 303, 'Stripe\'s Cancel button');
	like($res->{headers}{location}, qr{/payment/checkout/cancel\?order=$oid&token=[0-9a-f]{64}$}, 'goes to the cancel link with the order\'s token');
	my $other = $s->student;
	is($other->get($res->{headers}{location})->{status}, 303, 'another student following that link');
	is(status_of($oid), 'pending', 'cancels nothing of theirs');
	$res = $b->get($res->{headers}{location});
	is($res->{status}, 303, 'the buyer following it');
	is(status_of($oid), 'cancelled', 'cancels the order');
	is($s->sql_one('SELECT status FROM coupon_redemptions WHERE order_id = ?1', $oid), 'released', 'and releases the coupon');
	is($s->emu_json('GET', "/v1/checkout/sessions/$cs")->{status}, 'expired', 'the session is expired at Stripe');
	like($b->get('/payment/cart')->{content}, qr/Payments Engineering/, 'the cart is kept');
};

subtest 'an amount that differs from the order grants nothing and flags it' => sub {
	# The store reads the session from Stripe, never from the event, so
	# the order is made to disagree with what Stripe charged: as if the
	# session had been created for other amounts.
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_prog);
	my $cs = checkout($b);
	my $oid = order_of($cs);
	$s->sql('UPDATE orders SET subtotal_amount = subtotal_amount + 100, total_amount = total_amount + 100 WHERE id = ?1', $oid);
	is(pay($cs)->{status}, 200, 'Stripe charges the session');
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'checkout.session.completed' AND order_id = ?1}, $oid) }),
	    'the completion event arrives');
	is($s->sql_one(q{SELECT outcome FROM stripe_events WHERE type = 'checkout.session.completed' AND order_id = ?1}, $oid),
	    'amount-mismatch', 'recorded as a mismatch');
	is(n_enrolled($uid), 0, 'no access when Stripe charged another amount');
	is($s->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $oid), 1, 'the order is flagged for an admin');
	is(status_of($oid), 'pending', 'and not marked paid');
};

subtest 'refunds: a full refund ends access, a partial one is flagged' => sub {
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_pay);
	my $cs = checkout($b);
	my $oid = order_of($cs);
	pay($cs);
	ok($s->wait_for(sub { status_of($oid) eq 'paid' }), 'paid');
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', $oid);
	like($pi, qr/^pi_/, 'the payment intent is recorded');
	my $r = $s->emu('POST', '/v1/refunds', { payment_intent => $pi, amount => 2900 });
	is($r->{status}, 200, 'a partial refund at Stripe');
	ok($s->wait_for(sub { status_of($oid) eq 'partially_refunded' }), 'the order is partially refunded');
	is($s->sql_one('SELECT refunded_amount FROM orders WHERE id = ?1', $oid), 2900, 'by $29.00');
	is($s->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $oid), 1, 'and flagged');
	is(n_enrolled($uid), 1, 'access stays until an admin decides');
	$r = $s->emu('POST', '/v1/refunds', { payment_intent => $pi });
	is($r->{status}, 200, 'the rest refunded');
	ok($s->wait_for(sub { status_of($oid) eq 'refunded' }), 'the order is refunded');
	is(n_enrolled($uid), 0, 'access is gone');
	ok($s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'order-refund-' || ?1 || '-%'}, $oid) >= 1, 'a refund mail is queued');
	is($s->emu('POST', '/v1/refunds', { payment_intent => $pi })->{status}, 400, 'Stripe refuses refunding more');
};

subtest 'a coupon with one use left and twenty concurrent checkouts' => sub {
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off, max_uses) VALUES ('ONLYONE', 'percentage', 50, 1)});
	my @b;
	for (1 .. 20) {
		my ($b) = $s->student;
		add_to_cart($b, $c_prog);
		$b->post('/payment/apply-coupon', { code => 'ONLYONE' }, from => '/payment/cart');
		$b->csrf('/payment/cart');
		push @b, $b;
	}
	my @kids;
	for my $b (@b) {
		my $pid = fork // die;
		if (!$pid) { my $r = $b->post('/payment/checkout', {}); POSIX::_exit($r->{status} == 303 ? 0 : 1) }
		push @kids, $pid;
	}
	waitpid($_, 0) for @kids;
	my $cid = $s->sql_one(q{SELECT id FROM coupons WHERE code = 'ONLYONE'});
	is($s->sql_one(q{SELECT count(*) FROM coupon_redemptions WHERE coupon_id = ?1 AND status IN ('reserved', 'redeemed')}, $cid), 1, 'exactly one reservation');
	is($s->sql_one(q{SELECT count(*) FROM orders WHERE coupon_id = ?1}, $cid), 1, 'exactly one discounted order');
};

subtest 'five simultaneous clicks on checkout make one order' => sub {
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_prog);
	$b->csrf('/payment/cart');
	my @kids;
	for (1 .. 5) {
		my $pid = fork // die;
		if (!$pid) { my $r = $b->post('/payment/checkout', {}); POSIX::_exit($r->{status} == 303 ? 0 : 1) }
		push @kids, $pid;
	}
	my $ok = 0;
	for (@kids) { waitpid($_, 0); $ok++ if $? == 0 }
	is($ok, 5, 'every click is answered with a redirect');
	is($s->sql_one('SELECT count(*) FROM orders WHERE user_id = ?1', $uid), 1, 'one order');
	my $cs = checkout($b);
	is($cs, $s->sql_one('SELECT stripe_session_id FROM orders WHERE user_id = ?1', $uid), 'and one session, which a later click reuses');
};

subtest 'Stripe answering 500 once still makes one session' => sub {
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_test);
	# The student is a Stripe customer already, so the session create is
	# the first call and the one that fails.
	my $cus = $s->emu_json('POST', '/v1/customers', { email => 'again@example.org' })->{id};
	$s->sql('INSERT INTO stripe_customers (user_id, customer_id) VALUES (?1, ?2)', $uid, $cus);
	$s->emu('POST', '/_emu/faults', { api_status => 500, api_count => 1 });
	my $cs = checkout($b);
	ok($cs, 'checkout still reaches Stripe\'s page');
	my $oid = order_of($cs);
	my $reqs = $s->emu_json('GET', '/_emu/requests');
	my @creates = grep { $_->{path} eq '/v1/checkout/sessions' && $_->{method} eq 'POST' && ($_->{body} // '') =~ /metadata\[order_id\]=$oid\b/ } @$reqs;
	is($creates[0]{status}, 500, 'the first create got a 500');
	cmp_ok(scalar @creates, '>=', 2, 'the create was sent again after the 500');
	my %keys = map { $_->{idempotency_key} => 1 } @creates;
	is(scalar keys %keys, 1, 'with one idempotency key');
	my $list = $s->emu_json('GET', '/v1/checkout/sessions?limit=100');
	is(scalar(grep { ($_->{metadata}{order_id} // '') eq "$oid" } @{$list->{data}}), 1, 'Stripe holds one session for the order');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'Stripe down: a plain page, nothing charged, the cart kept' => sub {
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_test);
	$s->emu('POST', '/_emu/faults', { api_status => 500, api_count => 10 });
	my (undef, $res) = checkout($b);
	is($res->{status}, 502, 'a 502 page');
	like($res->{content}, qr/Nothing was charged/, 'in plain words');
	$s->emu('POST', '/_emu/reset-faults');
	my $cs = checkout($b);
	ok($cs, 'a retry later works');
	is($s->sql_one(q{SELECT count(*) FROM orders WHERE user_id = ?1}, $uid), 1, 'with the same order');
};

subtest 'forged, stale and malformed webhooks are refused and change nothing' => sub {
	my $n = $s->sql_one('SELECT count(*) FROM stripe_events');
	my $body = '{"id":"evt_forged","object":"event","type":"checkout.session.completed","created":1,"data":{"object":{}}}';
	is($s->deliver($body, signature => 't=' . time . ',v1=' . ('0' x 64))->{status}, 400, 'a wrong signature is a 400');
	is($s->deliver($body, signature => '')->{status}, 400, 'no signature is a 400');
	is($s->deliver($body, signature => $s->stripe_signature($body, time - 3600))->{status}, 400, 'a stale signature is a 400');
	is($s->deliver('not json')->{status}, 400, 'a signed body that is not an event is a 400');
	is($s->sql_one('SELECT count(*) FROM stripe_events'), $n, 'nothing recorded');
	my $unknown = '{"id":"evt_unknown_type","object":"event","type":"invoice.paid","created":' . time . ',"data":{"object":{"id":"in_1"}}}';
	is($s->deliver($unknown)->{status}, 200, 'an unknown event type is acknowledged');
	is($s->sql_one(q{SELECT outcome FROM stripe_events WHERE event_id = 'evt_unknown_type'}), 'ignored', 'and stored');
	is($s->deliver($unknown)->{status}, 200, 'its duplicate too');
};

subtest 'a locked database answers 503 so that Stripe retries' => sub {
	my $ev = '{"id":"evt_busy","object":"event","type":"payment_intent.created","created":' . time . ',"data":{"object":{"id":"pi_busy"}}}';
	# An operator's session holding the write lock for 7 s (longer than
	# the store's 5 s wait).  It waits for the lock if another writer
	# (the mail worker) has it, and says when it holds it.
	my $held = $s->dir . '/lock-held';
	my $pid = $s->hold_write_lock(7, file => $held, commit => 1,
	    sql => "INSERT INTO audit_log (action) VALUES ('lock')");
	$s->wait_for(sub { -e $held }, 10);
	my $res = $s->deliver($ev);
	waitpid($pid, 0);
	is($res->{status}, 503, 'busy: 503');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE event_id = 'evt_busy'}), 0, 'nothing half-recorded');
	is($s->deliver($ev)->{status}, 200, 'the retry succeeds');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE event_id = 'evt_busy'}), 1, 'recorded once');
};

# Last: it moves the emulator's clock hours ahead for good.
subtest 'an expired session expires the order and releases its coupon' => sub {
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('LATE', 'percentage', 15)});
	my ($b, $uid) = $s->student;
	add_to_cart($b, $c_test);
	$b->post('/payment/apply-coupon', { code => 'LATE' }, from => '/payment/cart');
	my $cs = checkout($b);
	my $oid = order_of($cs);
	$s->emu('POST', '/_emu/advance-clock', { seconds => 3 * 3600 });
	ok($s->wait_for(sub { status_of($oid) eq 'expired' }, 20), 'checkout.session.expired expires the order');
	is($s->sql_one('SELECT status FROM coupon_redemptions WHERE order_id = ?1', $oid), 'released', 'the coupon is released');
	isnt(pay($cs)->{status}, 200, 'the expired session takes no payment');
	is(n_enrolled($uid), 0, 'no access');
};

done_testing;
