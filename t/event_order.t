#!/usr/bin/env perl
# Stripe delivers events in any order and retries each on its own schedule:
# a refund or a dispute can arrive before the completion of the payment it
# concerns.  The store reads the session from Stripe on every event, so the
# order always ends in Stripe's state, and access exists exactly while
# Stripe holds the money.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use Stack;

my $s = Stack->start;
my $json = JSON::PP->new->canonical;
my $course = $s->sql_one(q{SELECT id FROM courses WHERE slug = 'payments-engineering'});
my $price = $s->sql_one('SELECT price_amount FROM courses WHERE id = ?1', $course);

sub buy_start {
	my ($br, $uid) = $s->student;
	$br->post("/payment/add-to-cart/$course", {}, from => '/payment/cart');
	my $res = $br->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	return ($br, $uid, $cs, $oid);
}
sub pay { my ($cs, $card) = @_; return $s->emu('POST', "/_emu/pay/$cs", { card => $card // '4242424242424242' }) }
sub pi_of { return $s->emu_json('GET', "/v1/checkout/sessions/$_[0]")->{payment_intent} }
sub refund { my ($pi, $amount) = @_; return $s->emu('POST', '/v1/refunds', { payment_intent => $pi, defined $amount ? (amount => $amount) : () }) }
sub order { my ($oid) = @_; my ($r) = $s->sql('SELECT status, refunded_amount, needs_review FROM orders WHERE id = ?1', $oid); return $r }
sub access { return $s->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1 AND course_id = ?2 AND status = 'active'}, $_[0], $course) }
sub hold { $s->emu('POST', '/_emu/faults', { delivery => 'reorder', delivery_delay_ms => 60000 }) }
sub release { $s->emu('POST', '/_emu/deliver-pending'); $s->emu('POST', '/_emu/reset-faults') }
sub handled { # events of the session's payment the store has recorded
	my ($oid) = @_;
	return $s->sql_one('SELECT count(*) FROM stripe_events WHERE order_id = ?1', $oid);
}
# What Stripe holds for a session, from the emulator's own state.
sub stripe_state {
	my ($cs) = @_;
	my $ch = $s->emu_json('GET', "/v1/checkout/sessions/$cs?expand[]=payment_intent.latest_charge")->{payment_intent}{latest_charge};
	return 'refunded' if $ch->{amount_refunded} >= $ch->{amount};
	return 'disputed' if $ch->{disputed};
	return $ch->{amount_refunded} > 0 ? 'partially_refunded' : 'paid';
}

subtest 'a full refund that arrives before the completion: no access' => sub {
	my ($br, $uid, $cs, $oid) = buy_start();
	hold();
	is(pay($cs)->{status}, 200, 'the student pays and closes the tab');
	is(refund(pi_of($cs))->{status}, 200, 'the payment is refunded at Stripe at once');
	release();
	ok($s->wait_for(sub { order($oid)->[0] eq 'refunded' }), 'the order ends refunded');
	is(order($oid)->[1], $price, 'by the whole amount');
	is(access($uid), 0, 'and the course was never granted');
	is($s->sql_one(q{SELECT type FROM stripe_events WHERE order_id = ?1 ORDER BY id LIMIT 1}, $oid) =~ /refund/ ? 1 : 0, 1,
	    'a refund event arrived first and was traced to the order through Stripe');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE order_id = ?1 AND outcome = 'refunded'}, $oid), 1,
	    'it ended the order refunded');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE order_id = ?1 AND outcome = 'granted'}, $oid), 0,
	    'and the completion that came later granted nothing');
	is($s->sql_one(q{SELECT status FROM coupon_redemptions WHERE order_id = ?1}, $oid) // 'none', 'none', 'no coupon stays held');
	is(stripe_state($cs), 'refunded', 'as Stripe says');
};

subtest 'a partial refund before the completion: access, recorded and flagged' => sub {
	my ($br, $uid, $cs, $oid) = buy_start();
	hold();
	pay($cs);
	is(refund(pi_of($cs), 1000)->{status}, 200, '$10.00 refunded at Stripe');
	release();
	ok($s->wait_for(sub { order($oid)->[0] eq 'partially_refunded' }), 'the order ends partly refunded');
	is(order($oid)->[1], 1000, 'by $10.00');
	is(order($oid)->[2], 1, 'flagged for an admin');
	is(access($uid), 1, 'the course is granted: Stripe holds most of the money');
};

subtest 'a dispute before the completion: no access' => sub {
	my ($br, $uid, $cs, $oid) = buy_start();
	hold();
	is(pay($cs, '4000 0000 0000 0259')->{status}, 200, 'paid with the dispute test card');
	release();
	ok($s->wait_for(sub { order($oid)->[0] eq 'disputed' }), 'the order ends disputed');
	is(access($uid), 0, 'no access');
	ok($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'charge.dispute.created' AND order_id = ?1}, $oid), 'the dispute event was traced to the order');
	is(order($oid)->[2], 1, 'flagged for an admin');
};

subtest 'a dispute after the grant takes access away' => sub {
	my ($br, $uid, $cs, $oid) = buy_start();
	pay($cs);
	ok($s->wait_for(sub { order($oid)->[0] eq 'paid' }), 'paid');
	is(access($uid), 1, 'with access');
	my $ch = $s->emu_json('GET', "/v1/checkout/sessions/$cs?expand[]=payment_intent")->{payment_intent}{latest_charge};
	is($s->emu('POST', "/_emu/dispute/$ch")->{status}, 200, 'the card holder disputes the charge');
	ok($s->wait_for(sub { order($oid)->[0] eq 'disputed' }), 'the order is disputed');
	is(access($uid), 0, 'access is suspended');
};

subtest 'late deliveries: refund first, completion a few seconds later' => sub {
	my ($br, $uid, $cs, $oid) = buy_start();
	$s->emu('POST', '/_emu/faults', { delivery => 'delay', delivery_delay_ms => 1500 });
	pay($cs);
	refund(pi_of($cs));
	$s->emu('POST', '/_emu/reset-faults');
	ok($s->wait_for(sub { handled($oid) >= 3 }, 20), 'the late events arrive');
	is(order($oid)->[0], 'refunded', 'the order is refunded');
	is(access($uid), 0, 'no access');
};

# Every event of a purchase, replayed in every order against an order that
# knows nothing yet: the end state is Stripe's each time.
sub permutations {
	my @l = @_;
	return ([]) unless @l;
	return map { my $i = $_; map { [ $l[$i], @$_ ] } permutations(@l[grep { $_ != $i } 0 .. $#l]) } 0 .. $#l;
}
sub events_of_purchase {
	my ($cs) = @_;
	my $pi = pi_of($cs);
	my @ev;
	for my $ev (@{$s->emu_json('GET', '/v1/events?limit=100')->{data}}) {
		my $o = $ev->{data}{object};
		next unless ($o->{id} // '') eq $cs || ($o->{id} // '') eq $pi || ($o->{payment_intent} // '') eq $pi;
		next unless $ev->{type} =~ /^(checkout\.session\.completed|payment_intent\.succeeded|charge\.refunded|charge\.dispute\.created)$/;
		push @ev, $ev;
	}
	return @ev;
}
sub forget { # the store back to "pending, no event seen", as if they had all been lost
	my ($oid, $uid) = @_;
	$s->sql(q{UPDATE orders SET status = 'pending', refunded_amount = 0, disputed_amount = 0, needs_review = 0, review_reason = '', paid_at = NULL, stripe_payment_intent = NULL WHERE id = ?1}, $oid);
	$s->sql('UPDATE checkout_sessions SET payment_intent = NULL WHERE order_id = ?1', $oid);
	$s->sql('DELETE FROM enrollments WHERE user_id = ?1', $uid);
	$s->sql(q{UPDATE coupon_redemptions SET status = 'reserved' WHERE order_id = ?1}, $oid);
	$s->sql('DELETE FROM stripe_events WHERE order_id = ?1 OR order_id IS NULL', $oid);
}
sub replay_all {
	my ($name, $cs, $oid, $uid, $want, $want_access) = @_;
	my @ev = events_of_purchase($cs);
	my ($runs, $good) = (0, 0);
	for my $p (permutations(@ev)) {
		forget($oid, $uid);
		for my $ev (@$p) {
			my $st = $s->deliver($json->encode($ev))->{status};
			diag("delivery answered $st") unless $st == 200;
		}
		$runs++;
		my $ok = order($oid)->[0] eq $want && access($uid) == $want_access;
		diag("$name: order " . join(' ', map { $_->{type} } @$p) . ' ended ' . order($oid)->[0]) unless $ok;
		$good += $ok;
	}
	return ($runs, $good, scalar @ev);
}

subtest 'every order of a refunded purchase\'s events ends refunded' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my ($br, $uid, $cs, $oid) = buy_start();
	pay($cs);
	refund(pi_of($cs), 1000);
	refund(pi_of($cs));
	my ($runs, $good, $n) = replay_all('refunded', $cs, $oid, $uid, 'refunded', 0);
	is($n, 4, 'completion, payment intent, two refunds');
	is($runs, 24, 'all 24 orders replayed');
	is($good, $runs, 'each ends refunded, without access');
	is(stripe_state($cs), 'refunded', 'which is Stripe\'s state');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'every order of a partly refunded purchase\'s events' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my ($br, $uid, $cs, $oid) = buy_start();
	pay($cs);
	refund(pi_of($cs), 700);
	my ($runs, $good, $n) = replay_all('partial', $cs, $oid, $uid, 'partially_refunded', 1);
	is($n, 3, 'completion, payment intent, one refund');
	is($good, $runs, "all $runs orders end partly refunded, with access");
	is(order($oid)->[1], 700, 'the amount is Stripe\'s');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'every order of a disputed purchase\'s events' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my ($br, $uid, $cs, $oid) = buy_start();
	pay($cs, '4000000000000259');
	my ($runs, $good, $n) = replay_all('disputed', $cs, $oid, $uid, 'disputed', 0);
	is($n, 3, 'completion, payment intent, dispute');
	is($good, $runs, "all $runs orders end disputed, without access");
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'every order of a plain purchase\'s events grants once' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my ($br, $uid, $cs, $oid) = buy_start();
	pay($cs);
	my ($runs, $good, $n) = replay_all('paid', $cs, $oid, $uid, 'paid', 1);
	is($n, 2, 'completion and payment intent');
	is($good, $runs, 'both orders end paid, with access');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key = 'order-paid-' || ?1}, $oid), 1, 'one confirmation mail');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'reconcile brings a missed refund in' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my ($br, $uid, $cs, $oid) = buy_start();
	pay($cs);
	is($br->get("/payment/checkout/success?session_id=$cs")->{status}, 303, 'the success page fulfils');
	is(order($oid)->[0], 'paid', 'paid');
	refund(pi_of($cs));
	is(order($oid)->[0], 'paid', 'the refund event is lost');
	is($s->enrollctl('reconcile'), 0, 'enrollctl reconcile runs');
	is(order($oid)->[0], 'refunded', 'and finds the refund');
	is(access($uid), 0, 'access is gone');
	$s->emu('POST', '/_emu/reset-faults');
};

done_testing;
