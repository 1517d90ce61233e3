#!/usr/bin/env perl
# Billing through nginx, the programs and the Stripe emulator: a student
# pays for two courses with a coupon; the billing page lists the payment
# with its amount, discount and status, links its order page and
# Stripe's own receipt (the charge's receipt_url, which opens); a partial
# refund at Stripe shows as refunded; buying a wishlisted course takes it
# off the wishlist; another student sees none of it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use Stack;

my $s = Stack->start;

sub course { return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', shift) }
sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/&amp;/&/g; $h =~ s/\s+/ /g; return $h }
$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('BILL10', 'percentage', 10)});

my ($b, $uid) = $s->student(name => 'Billing Student');
my $order;

subtest 'a payment with a coupon is on the billing page, with both receipts' => sub {
	like($b->get('/account/billing')->{content}, qr/You have made no payments yet/, 'no payments at first');
	$b->post('/account/wishlist/add/' . course('payments-engineering'), {}, from => '/courses/payments-engineering');
	for my $slug ('c-programming-fundamentals', 'payments-engineering') {
		$b->post('/payment/add-to-cart/' . course($slug), {}, from => "/courses/$slug");
	}
	$b->post('/payment/apply-coupon', { code => 'BILL10' }, from => '/payment/cart');
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	ok($cs, 'checkout sends the student to Stripe');
	is($s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' })->{status}, 200, 'paid with 4242');
	$res = $b->get("/payment/checkout/success?session_id=$cs");
	is($res->{status}, 303, 'the success page fulfils');
	$order = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	my $receipt = $s->sql_one('SELECT receipt_url FROM orders WHERE id = ?1', $order);
	like($receipt, qr{^http://127\.0\.0\.1:\d+/receipts/ch_\w+$}, 'the order keeps the charge\'s receipt_url');
	is($s->sql_one('SELECT count(*) FROM wishlist WHERE user_id = ?1', $uid), 0, 'the bought course left the wishlist');

	my $page = $b->get('/account/billing')->{content};
	my ($row) = $page =~ m{(<tr data-order="ORD-[^"]+">.*?</tr>)}s;
	ok($row, 'the billing page lists the payment');
	my $text = text_of($row);
	like($text, qr/\$160\.20/, 'amount paid: $178.00 less 10%');
	like($text, qr/−\$17\.80 BILL10/, 'the discount and its coupon');
	like($text, qr/Paid/, 'status Paid');
	like($row, qr{<a href="/payment/order/$order">ORD-}, 'a link to the order page');
	like($row, qr{<a href="\Q$receipt\E" rel="noopener">Receipt</a>}, 'and to Stripe\'s receipt');
	my $r = HTTP::Tiny->new->get($receipt);
	is($r->{status}, 200, 'Stripe\'s receipt opens');
	like($r->{content}, qr{id="paid">160\.20 USD<}, 'and shows the amount paid');
	my $receipt_page = $b->get("/payment/order/$order")->{content};
	like($receipt_page, qr{<a href="\Q$receipt\E" rel="noopener">its own receipt</a>}, 'the order page links it too');
	like($receipt_page, qr{<a href="/learn/c-programming-fundamentals">C Programming Fundamentals</a>},
	    'and leads to each course\'s lessons, not its sales page');
};

subtest 'a refund at Stripe shows on the billing page' => sub {
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', $order);
	is($s->emu('POST', '/v1/refunds', { payment_intent => $pi, amount => 2000 })->{status}, 200, 'Stripe refunds $20.00');
	ok($s->wait_for(sub { $s->sql_one('SELECT refunded_amount FROM orders WHERE id = ?1', $order) == 2000 }),
	    'the webhook records the refund');
	my $text = text_of(($b->get('/account/billing')->{content} =~ m{(<tr data-order="ORD-[^"]+">.*?</tr>)}s)[0]);
	like($text, qr/\$20\.00/, 'the refunded amount');
	like($text, qr/Partially refunded/, 'and the status');
};

subtest 'another student sees none of it' => sub {
	my ($other) = $s->student(name => 'Other Payer');
	my $page = $other->get('/account/billing')->{content};
	like($page, qr/You have made no payments yet/, 'their billing page is empty');
	unlike($page, qr/ORD-|receipts/, 'no order and no receipt of anyone else');
	is($other->get("/payment/order/$order")->{status}, 404, 'nor the order page');
};

done_testing;
