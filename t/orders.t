#!/usr/bin/env perl
# The student's orders: the list shows paid and refunded orders unless
# asked for the others; only a paid order's page is a receipt; an unpaid
# one says what happened and offers to go on (back to Stripe's page, or
# the courses back into the cart) or to drop it (the checkout closed at
# Stripe, the courses out of the cart); the receipt page and the
# confirmation mail show each line the same way: price, discount, paid.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;
use utf8;
binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $s = Stack->start;

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/&amp;/&/g; $h =~ s/\s+/ /g; return $h }
sub main_of { my $h = shift // ''; return $h =~ m{<main>(.*)</main>}s ? $1 : '' }
sub course { return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', shift) }
sub cart_of { my $uid = shift; return [map { $_->[0] } $s->sql(q{SELECT k.slug FROM cart_items i JOIN carts c ON c.id = i.cart_id JOIN courses k ON k.id = i.course_id WHERE c.user_id = ?1 ORDER BY k.slug}, $uid)] }

# An order of user uid in status st for the course slug, made in the
# database as checkout and the webhook would leave it; returns its id.
my $seq = 0;
sub order_row {
	my ($uid, $st, $slug, %o) = @_;
	my ($cid, $price, $title) = @{($s->sql('SELECT id, price_amount, title FROM courses WHERE slug = ?1', $slug))[0]};
	my $num = sprintf('ORD-20261201-T%05d', ++$seq);
	my $disc = $o{discount} // 0;
	$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, discount_amount, total_amount,
	    coupon_code, refunded_amount, created_at) VALUES (?1, ?2, ?3, 'usd', ?4, ?5, ?4 - ?5, nullif(?6, ''), ?7, ?8)},
	    $num, $uid, $st, $price, $disc, $o{coupon} // '', $o{refunded} // 0, 1795000000 + $seq);
	$s->sql(q{INSERT INTO order_items (order_id, course_id, title, unit_amount, discount_amount)
	    SELECT id, ?2, ?3, ?4, ?5 FROM orders WHERE number = ?1}, $num, $cid, $title, $price, $disc);
	return $s->sql_one('SELECT id FROM orders WHERE number = ?1', $num);
}
sub number_of { return $s->sql_one('SELECT number FROM orders WHERE id = ?1', shift) }

subtest 'the list shows paid and refunded orders; a filter shows the others' => sub {
	my ($b, $uid) = $s->student;
	my %id;
	$id{$_} = order_row($uid, $_, 'sql-for-analysts') for qw(paid refunded partially_refunded pending failed expired cancelled);
	my @settled = map { number_of($id{$_}) } qw(paid refunded partially_refunded);
	my @others = map { number_of($id{$_}) } qw(pending failed expired cancelled);
	my $res = $b->get('/payment/orders');
	is($res->{status}, 200, 'the orders page answers');
	my $text = text_of(main_of($res->{content}));
	like($text, qr/\Q$_\E/, "$_ (settled) is listed") for @settled;
	unlike($text, qr/\Q$_\E/, "$_ (not completed) is not") for @others;
	like($text, qr/4 checkouts that did not complete are not listed\. Show them/, 'the page says how many are left out');
	like($res->{content}, qr{<select id="show" name="show">\s*<option value="">Paid and refunded</option>}, 'a filter, on paid and refunded by default');

	$text = text_of(main_of($b->get('/payment/orders?show=unfinished')->{content}));
	like($text, qr/\Q$_\E/, "show=unfinished lists $_") for @others;
	unlike($text, qr/\Q$_\E/, "but not $_") for @settled;
	like($b->{last}{content}, qr{<option value="unfinished" selected>}, 'the filter shows its choice');
	$text = text_of(main_of($b->get('/payment/orders?show=all')->{content}));
	like($text, qr/\Q$_\E/, "show=all lists $_") for @settled, @others;
	$res = $b->get('/payment/orders?show=nonsense');
	is($res->{status}, 400, 'an unknown filter is a 400');
	like($res->{content}, qr/no such list of orders/, 'in plain words');

	my ($fresh) = $s->student;
	like(text_of(main_of($fresh->get('/payment/orders')->{content})), qr/You have no orders yet/, 'a student without orders is told so');
};

subtest 'only a paid order calls itself a receipt; an unpaid one says what happened' => sub {
	my ($b, $uid) = $s->student;
	my %page;
	for my $st (qw(paid refunded failed expired cancelled pending)) {
		my $id = order_row($uid, $st, 'sql-for-analysts', $st eq 'refunded' ? (refunded => 5900) : ());
		my $res = $b->get("/payment/order/$id");
		is($res->{status}, 200, "the $st order's page answers");
		$page{$st} = text_of(main_of($res->{content}));
		$page{"$st-html"} = $res->{content};
	}
	for my $st (qw(paid refunded)) {
		like($page{$st}, qr/Receipt for order ORD-/, "$st: headed as a receipt");
		like($page{$st}, qr/This page is your receipt/, "$st: and says so");
		unlike($page{"$st-html"}, qr{/continue"|/drop"}, "$st: nothing to continue or drop");
	}
	like($page{refunded}, qr/refunded in full/, 'the refunded receipt says so');
	for my $st (qw(failed expired cancelled pending)) {
		unlike($page{$st}, qr/receipt/i, "$st: the page never says receipt");
		like($page{"$st-html"}, qr{<form method="post" action="/payment/order/\d+/drop">\s*<input type="hidden" name="csrf_token" value="[0-9a-f]{64}">}, "$st: a drop form with the CSRF token");
	}
	like($page{failed}, qr/The payment did not go through, so nothing was charged/, 'failed: says what happened');
	like($page{expired}, qr/not finished in time and closed\. Nothing was charged/, 'expired: says what happened');
	like($page{cancelled}, qr/This checkout was cancelled\. Nothing was charged/, 'cancelled: says what happened');
	like($page{pending}, qr/still open\. Nothing has been charged yet/, 'pending: says what happened');
	like($page{$_}, qr/Check out again.*Drop it/, "$_: offers to check out again or drop it") for qw(failed expired cancelled);
	like($page{pending}, qr/Check out again.*Cancel this order/, 'a pending order without a payable session: check out again or cancel');
};

subtest 'check out again puts the courses and coupon back; drop takes them out' => sub {
	my ($b, $uid) = $s->student;
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('AGAIN10', 'percentage', 10)});
	my $failed = order_row($uid, 'failed', 'web-security-essentials', discount => 790, coupon => 'AGAIN10');
	$b->get("/payment/order/$failed");
	my $res = $b->post("/payment/order/$failed/continue", {});
	is($res->{status}, 303, 'check out again answers with a redirect');
	is($res->{headers}{location}, '/payment/cart', 'to the cart');
	is_deeply(cart_of($uid), ['web-security-essentials'], 'the course is back in the cart');
	is($s->sql_one('SELECT coupon_code FROM carts WHERE user_id = ?1', $uid), 'AGAIN10', 'with the coupon');
	my $cart = $b->get('/payment/cart')->{content};
	like($cart, qr/in your cart again/, 'the cart says so');
	like($cart, qr{id="total"><strong>\$71\.10<}, 'priced with the coupon');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $failed), 'failed', 'the old order is as it was');

	$res = $b->post("/payment/order/$failed/drop", {}, from => "/payment/order/$failed");
	is($res->{status}, 303, 'drop answers with a redirect');
	is($res->{headers}{location}, '/payment/orders', 'to the orders');
	is_deeply(cart_of($uid), [], 'the course is out of the cart');
	is($s->sql_one(q{SELECT coalesce(coupon_code, 'none') FROM carts WHERE user_id = ?1}, $uid), 'none', 'and the coupon with it');
	like($b->get('/payment/orders')->{content}, qr/order is dropped: nothing was charged/, 'the orders page says so');

	my $paid = order_row($uid, 'paid', 'intro-to-git');
	$res = $b->post("/payment/order/$paid/drop", {}, from => "/payment/order/$paid");
	is($res->{headers}{location}, "/payment/order/$paid", 'a paid order cannot be dropped');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $paid), 'paid', 'it stays paid');

	my ($other, $ouid) = $s->student;
	is($other->post("/payment/order/$failed/continue", {}, from => '/payment/orders')->{status}, 404, "another student's order is a 404");
	is_deeply(cart_of($ouid), [], 'and changes nothing');
	is($b->request('POST', "/payment/order/$failed/continue", { csrf_token => '0' x 64 })->{status}, 403, 'without the CSRF token: 403');
};

subtest 'an open checkout: continue goes to Stripe, cancel closes it there' => sub {
	my ($b, $uid) = $s->student;
	$b->post('/payment/add-to-cart/' . course('payments-engineering'), {}, from => '/courses/payments-engineering');
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	ok($cs, 'checkout opened a Stripe session');
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	$res = $b->get("/payment/order/$oid");
	like($res->{content}, qr{<a class="button" href="[^"]*/c/pay/\Q$cs\E">Continue to payment</a>}, 'the order offers Stripe\'s page');
	like(text_of(main_of($res->{content})), qr/Cancel this order/, 'or to cancel');
	$res = $b->post("/payment/order/$oid/continue", {});
	like($res->{headers}{location} // '', qr{/c/pay/\Q$cs\E$}, 'continue goes to Stripe\'s page');
	$res = $b->post("/payment/order/$oid/drop", {}, from => "/payment/order/$oid");
	is($res->{headers}{location}, '/payment/orders', 'cancel goes to the orders');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid), 'cancelled', 'the order is cancelled');
	is($s->emu_json('GET', "/v1/checkout/sessions/$cs")->{status}, 'expired', 'its Stripe session is expired, so it cannot be paid');
	is_deeply(cart_of($uid), [], 'and the course is out of the cart');
};

subtest 'the receipt page and the confirmation mail show lines the same way' => sub {
	my ($b, $uid, $email) = $s->student(name => 'Receipt Reader');
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('LINES20', 'percentage', 20)});
	for my $slug ('c-programming-fundamentals', 'payments-engineering') {
		$b->post('/payment/add-to-cart/' . course($slug), {}, from => "/courses/$slug");
	}
	$b->post('/payment/apply-coupon', { code => 'LINES20' }, from => '/payment/cart');
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	is($s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' })->{status}, 200, 'paid on Stripe\'s page');
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	ok($s->wait_for(sub { ($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid) // '') eq 'paid' }), 'the order is paid');
	my $page = $b->get("/payment/order/$oid")->{content};
	utf8::decode($page);
	my %want = ('C Programming Fundamentals' => ['$49.00', '$9.80', '$39.20'],
	    'Payments Engineering' => ['$129.00', '$25.80', '$103.20']);
	my %rows;
	while ($page =~ m{<tr><td><a href="[^"]*">([^<]+)</a></td><td class="num">([^<]+)</td><td class="num">−([^<]+)</td><td class="num">([^<]+)</td></tr>}g) {
		$rows{$1} = [$2, $3, $4];
	}
	is_deeply(\%rows, \%want, 'the page: price, discount and paid of each line');
	like(text_of($page), qr/Subtotal \$178\.00 Discount \(LINES20\) −\$35\.60 Total paid \$142\.40/, 'the page: subtotal, discount with the code, total paid');
	my $mail = pack('H*', $s->sql_one('SELECT ' . $s->hex_of('body') . q{ FROM outbox WHERE to_addr = ?1 AND subject LIKE 'Your order%'}, $email) // '');
	utf8::decode($mail);
	my %mrows;
	while ($mail =~ m{^  (\S[^\n]*)\n    Price (\S+)   Discount −(\S+)   Paid (\S+)\n}mg) {
		$mrows{$1} = [$2, $3, $4];
	}
	is_deeply(\%mrows, \%want, 'the mail: the same price, discount and paid of each line');
	like($mail, qr/^Subtotal: \$178\.00\nDiscount \(LINES20\): −\$35\.60\nTotal paid: \$142\.40$/m, 'the mail: the same totals');
};

done_testing;
