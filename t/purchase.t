#!/usr/bin/env perl
# The purchase path end to end, through nginx, the programs and the Stripe
# emulator: cart, coupon, checkout, payment on Stripe's page, fulfilment by
# webhook and by the success page in every order, the order pages and the
# mail.  Each check reads what a student, an admin or the database sees.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $s = Stack->start;

sub course { my $slug = shift; return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', $slug) }
my $c_prog = course('c-programming-fundamentals');	# $49.00
my $c_pay = course('payments-engineering');		# $129.00
my $c_sec = course('web-security-essentials');		# $79.00
my $c_git = course('intro-to-git');			# free

$s->sql(q{INSERT INTO coupons (code, kind, percent_off, max_uses) VALUES ('SAVE20', 'percentage', 20, 100)});
$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('FREEBIE', 'percentage', 100)});

# Checks out b's cart; returns the Checkout Session id it was sent to.
sub checkout {
	my ($b) = @_;
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	return undef unless $res->{status} == 303;
	return $s->checkout_session($res);
}

sub pay { my ($cs, $card) = @_; return $s->emu('POST', "/_emu/pay/$cs", { card => $card // '4242 4242 4242 4242' }) }

sub order_of { my $cs = shift; return $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs) }
sub status_of { my $id = shift; return $s->sql_one('SELECT status FROM orders WHERE id = ?1', $id) }
sub enrolled { my ($uid) = @_; return [map { $_->[0] } $s->sql(q{SELECT course_id FROM enrollments WHERE user_id = ?1 AND status = 'active' ORDER BY course_id}, $uid)] }

subtest 'a student buys two courses with a coupon' => sub {
	my ($b, $uid, $email) = $s->student(name => "Grace Buyer");
	$s->add_to_cart($b, $c_prog, $c_pay);
	my $res = $b->post('/payment/apply-coupon', { code => 'save20' }, from => '/payment/cart');
	is($res->{status}, 303, 'coupon form redirects');
	$res = $b->get('/payment/cart');
	like($res->{content}, qr/The coupon is applied/, 'the cart says the coupon applies');
	like($res->{content}, qr{id="subtotal">\$178\.00<}, 'subtotal $178.00');
	like($res->{content}, qr{id="discount">−\$35\.60<}, 'discount 20% = $35.60');
	like($res->{content}, qr{id="total"><strong>\$142\.40<}, 'total $142.40');

	my $cs = checkout($b);
	ok($cs, 'checkout sends the student to Stripe\'s page');
	my $oid = order_of($cs);
	my ($num, $st, $sub, $disc, $tot, $code) = @{($s->sql('SELECT number, status, subtotal_amount, discount_amount, total_amount, coupon_code FROM orders WHERE id = ?1', $oid))[0]};
	like($num, qr/^ORD-\d{8}-[A-Z0-9]{6}$/, "order number $num");
	is_deeply([$st, $sub, $disc, $tot, $code], ['pending', 17800, 3560, 14240, 'SAVE20'], 'pending order with frozen amounts');
	is($s->sql_one(q{SELECT status FROM coupon_redemptions WHERE order_id = ?1}, $oid), 'reserved', 'the coupon is reserved');
	my $session = $s->emu_json('GET', "/v1/checkout/sessions/$cs");
	is($session->{amount_total}, 14240, 'Stripe\'s session charges exactly our total');
	is($session->{metadata}{order_id}, "$oid", 'and carries our order id');

	my $page = $b->get("http://" . ($s->cfg('STRIPE_API_BASE') =~ m{//(.*)})[0] . "/c/pay/$cs");
	like($page->{content}, qr/C Programming Fundamentals/, 'Stripe\'s page lists the first course');
	like($page->{content}, qr/Payments Engineering/, 'and the second');
	like($page->{content}, qr/Discount \(SAVE20\)/, 'the discount is named by the code the student typed');
	like($page->{content}, qr/id="email"[^>]*value="\Q$email\E"/, 'the student\'s email is filled in');
	my $cus = $s->emu_json('GET', "/v1/customers/$session->{customer}");
	is($cus->{name}, 'Grace Buyer', 'the Stripe customer has the student\'s name');
	is($cus->{email}, lc $email, 'and email');
	is($s->emu_json('GET', "/v1/coupons/" . $s->emu_sql_one(q{SELECT json_extract(json, '$.discounts[0].coupon') FROM checkout_sessions WHERE id = ?1}, $cs))->{name},
	    'SAVE20', 'the one-off Stripe coupon is named by the code');

	is(pay($cs)->{status}, 200, 'paying with 4242 succeeds');
	$res = $b->get("/payment/checkout/success?session_id=$cs");
	is($res->{status}, 303, 'the success page sends the student to the order');
	is($res->{headers}{location}, "/payment/order/$oid", 'the order page');
	$res = $b->get("/payment/order/$oid");
	is($res->{status}, 200, 'order page answers');
	like($res->{content}, qr/Payment received/, 'it confirms the payment');
	like($res->{content}, qr/\Q$num\E/, 'shows the order number');
	like($res->{content}, qr/\$142\.40/, 'and the total');
	like($res->{content}, qr/SAVE20/, 'and the coupon');
	is(status_of($oid), 'paid', 'the order is paid');
	is_deeply(enrolled($uid), [$c_prog < $c_pay ? ($c_prog, $c_pay) : ($c_pay, $c_prog)], 'the student has both courses');
	is($s->sql_one(q{SELECT status FROM coupon_redemptions WHERE order_id = ?1}, $oid), 'redeemed', 'the coupon is redeemed');
	is($s->sql_one(q{SELECT count(*) FROM cart_items ci JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = ?1}, $uid), 0, 'the cart is empty');
	like($b->get('/payment/orders')->{content}, qr/\Q$num\E/, 'the order is in the history');

	# The webhook arrives too and changes nothing.
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'checkout.session.completed' AND order_id = ?1}, $oid) }), 'the webhook event is recorded');
	is($s->sql_one('SELECT count(*) FROM enrollments WHERE user_id = ?1', $uid), 2, 'still two enrollments');

	# A reload or bookmark of the success page shows the order again.
	is($b->get("/payment/checkout/success?session_id=$cs")->{status}, 303, 'a reload of the success page');
	is($s->sql_one('SELECT count(*) FROM enrollments WHERE user_id = ?1', $uid), 2, 'grants nothing more');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr = ?1 AND subject LIKE 'Your order%'}, $email), 1, 'one confirmation mail queued');

	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr = ?1 AND subject LIKE 'Welcome to%'}, $email), 2, 'and a welcome for each course');
	# The stack's mail worker sends each message as it is queued.
	# With the welcome mail of registration, four in all.
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'sent'}) == 4
	    && 4 == (() = glob($s->cfg('ENROLL_MAIL_DIR') . '/*.eml')) }, 10), 'the mail worker delivers them without being asked');
	my %mail;
	for my $f (glob($s->cfg('ENROLL_MAIL_DIR') . '/*.eml')) {
		open my $fh, '<', $f or die;
		local $/;
		my $text = <$fh>;
		my ($subject) = $text =~ /^Subject: (.*?)\r?$/m;
		$mail{$subject} = $text;
	}
	is(scalar keys %mail, 4, 'four messages written');
	like($mail{'Welcome: please confirm your email address'} // '', qr{/account/confirm-email\?token=}, 'the welcome of registration among them');
	my $mail = $mail{"Your order $num is confirmed"} // '';
	like($mail, qr/^To: \Q$email\E/m, 'the confirmation goes to the student');
	like($mail, qr/\Q$num\E/, 'names the order');
	like($mail, qr/\$142\.40/, 'and the total paid');
	like($mail{'Welcome to Payments Engineering'} // '', qr{/learn/payments-engineering}, 'the welcome links to the course\'s lessons');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE status = 'pending'}), 0, 'nothing left to send');
	is($s->enrollctl('send-mail'), 0, 'a second run');
	is(scalar(() = glob($s->cfg('ENROLL_MAIL_DIR') . '/*.eml')), 4, 'sends nothing twice');
};

subtest 'the webhook alone fulfils when the student never returns' => sub {
	my ($b, $uid) = $s->student;
	$s->add_to_cart($b, $c_sec);
	my $cs = checkout($b);
	my $oid = order_of($cs);
	pay($cs);
	ok($s->wait_for(sub { status_of($oid) eq 'paid' }), 'the order becomes paid by webhook');
	is_deeply(enrolled($uid), [$c_sec], 'the student has the course');
	my $res = $b->get("/payment/checkout/success?session_id=$cs");
	is($res->{headers}{location}, "/payment/order/$oid", 'a late success page shows the order');
	is($s->sql_one('SELECT count(*) FROM enrollments WHERE user_id = ?1', $uid), 1, 'one enrollment');
};

subtest 'the success page before the webhook fulfils from Stripe' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'delay', delivery_delay_ms => 3000 });
	my ($b, $uid) = $s->student;
	$s->add_to_cart($b, $c_sec);
	my $cs = checkout($b);
	my $oid = order_of($cs);
	pay($cs);
	is(status_of($oid), 'pending', 'no webhook yet');
	my $res = $b->get("/payment/checkout/success?session_id=$cs");
	is($res->{headers}{location}, "/payment/order/$oid", 'the success page confirms at once');
	is(status_of($oid), 'paid', 'paid from the retrieved session');
	ok($s->wait_for(sub { $s->sql_one(q{SELECT outcome FROM stripe_events WHERE type = 'checkout.session.completed' AND order_id = ?1}, $oid) }, 20), 'the delayed webhook arrives');
	is($s->sql_one(q{SELECT outcome FROM stripe_events WHERE type = 'checkout.session.completed' AND order_id = ?1}, $oid), 'already-fulfilled', 'and finds the order done');
	is($s->sql_one('SELECT count(*) FROM enrollments WHERE user_id = ?1', $uid), 1, 'one enrollment');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'a retried checkout reuses the open session' => sub {
	my ($b) = $s->student;
	$s->add_to_cart($b, $c_prog);
	my $cs1 = checkout($b);
	my $cs2 = checkout($b);
	is($cs2, $cs1, 'a second click (another tab) gets the same session');
	$s->add_to_cart($b, $c_sec);
	my $cs3 = checkout($b);
	isnt($cs3, $cs1, 'a changed cart gets a new session');
	is($s->emu_json('GET', "/v1/checkout/sessions/$cs1")->{status}, 'expired', 'after the old one was expired at Stripe');
	like(status_of(order_of($cs1)), qr/^(cancelled|expired)$/, 'and its order closed (by us, or first by Stripe\'s expiry event)');
	isnt(pay($cs1)->{status}, 200, 'the old session can no longer be paid');
};

subtest 'a free course is enrolled in without Stripe' => sub {
	my ($b, $uid) = $s->student;
	my $res = $b->post('/courses/intro-to-git/enroll', {}, from => '/courses/intro-to-git');
	is($res->{status}, 303, 'enrol answers with a redirect');
	is_deeply(enrolled($uid), [$c_git], 'the student has the free course');
	$res = $b->post('/courses/intro-to-git/enroll', {}, from => '/courses/intro-to-git');
	is($s->sql_one('SELECT count(*) FROM enrollments WHERE user_id = ?1', $uid), 1, 'enrolling again changes nothing');
	$res = $b->post("/courses/payments-engineering/enroll", {}, from => '/courses/payments-engineering');
	is($s->sql_one('SELECT count(*) FROM enrollments WHERE user_id = ?1', $uid), 1, 'a paid course cannot be enrolled in for free');
};

subtest 'a 100% coupon makes a $0 order fulfilled with no Stripe call' => sub {
	my ($b, $uid) = $s->student;
	$s->add_to_cart($b, $c_pay);
	$b->post('/payment/apply-coupon', { code => 'FREEBIE' }, from => '/payment/cart');
	my $before = scalar @{$s->emu_json('GET', '/_emu/requests') // []};
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	like($res->{headers}{location}, qr{^/payment/order/\d+$}, 'checkout goes straight to the order');
	my ($oid) = $res->{headers}{location} =~ /(\d+)$/;
	is(status_of($oid), 'paid', 'the order is paid');
	is($s->sql_one('SELECT total_amount FROM orders WHERE id = ?1', $oid), 0, 'for $0');
	is_deeply(enrolled($uid), [$c_pay], 'access granted');
	is(scalar @{$s->emu_json('GET', '/_emu/requests') // []}, $before, 'Stripe was not called');
};

subtest 'cart rules' => sub {
	my ($b, $uid) = $s->student;
	$s->add_to_cart($b, $c_prog);
	$b->post("/payment/add-to-cart/$c_prog", {}, from => '/payment/cart');
	like($b->get('/payment/cart')->{content}, qr/already in your cart/, 'a course already in the cart: said plainly');
	is($s->sql_one(q{SELECT count(*) FROM cart_items ci JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = ?1}, $uid), 1, 'once in the cart');
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source) VALUES (?1, ?2, 'admin')}, $uid, $c_sec);
	$b->post("/payment/add-to-cart/$c_sec", {}, from => '/payment/cart');
	like($b->get('/payment/cart')->{content}, qr/already have access/, 'an owned course is refused');
	$s->sql(q{UPDATE courses SET is_active = 0 WHERE id = ?1}, $c_pay);
	$b->post("/payment/add-to-cart/$c_pay", {}, from => '/payment/cart');
	like($b->get('/payment/cart')->{content}, qr/not on sale/, 'an inactive course is refused');
	$s->sql(q{UPDATE courses SET is_active = 1 WHERE id = ?1}, $c_pay);
	is($s->sql_one(q{SELECT count(*) FROM cart_items ci JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = ?1}, $uid), 1, 'the cart is unchanged');
	is($b->post('/payment/add-to-cart/999999', {}, from => '/payment/cart')->{status}, 404, 'an unknown course is a 404');
	my $res = $b->post('/payment/apply-coupon', { code => 'NOPE' }, from => '/payment/cart');
	like($res->{content}, qr/no coupon with that code/, 'an unknown coupon is refused in plain words');
	is($s->sql_one(q{SELECT coupon_code FROM carts WHERE user_id = ?1}, $uid), '', 'and not stored');
	$b->post("/payment/remove-from-cart/$c_prog", {}, from => '/payment/cart');
	like($b->get('/payment/cart')->{content}, qr/Your cart is empty/, 'removing empties the cart');
};

subtest 'a guest cart is merged at login' => sub {
	my ($b0, $uid, $email) = $s->student;
	$b0->post('/account/logout', {}, from => '/courses');
	my $g = $s->browser;
	$s->add_to_cart($g, $c_pay);
	my $csrf = $g->csrf('/account/login');
	my $res = $g->post('/account/login', { email => $email, password => 'correct horse battery' });
	is($res->{status}, 303, 'the guest logs in');
	like($g->get('/payment/cart')->{content}, qr/Payments Engineering/, 'the guest\'s course is in the cart');
};

done_testing;
