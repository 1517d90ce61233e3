#!/usr/bin/env perl
# The admin's orders and refunds, through the real stack and the Stripe
# emulator: the list finds orders by its filters and by number, email or
# Stripe id; an order's page shows its items, Stripe events and mail; a
# refund made from that page's form (one item, the whole order, an amount)
# ends exactly the access it should, mails the student once and makes one
# refund at Stripe, however often the form is sent and whether Stripe's
# charge.refunded arrives before or after; a refusal by Stripe and a
# Stripe that does not answer change nothing; marking an order reviewed
# leaves an audit row.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Stack;
use Forms;

my $s = Stack->start;

my $c_prog = $s->course_id('c-programming-fundamentals');
my $c_test = $s->course_id('testing-in-practice');
my $c_pay = $s->course_id('payments-engineering');

$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('ADMIN10', 'percentage', 10)});

# A student who bought @courses (optionally with a coupon) and whose order
# is paid; returns (browser, user id, email, order id).
sub buyer {
	my (%o) = @_;
	my ($b, $uid, $email) = $s->student(name => $o{name} // 'Buyer');
	$b->post("/payment/add-to-cart/$_", {}, from => '/payment/cart') for @{$o{courses}};
	$b->post('/payment/apply-coupon', { code => $o{coupon} }, from => '/payment/cart') if $o{coupon};
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my $cs = $s->checkout_session($res);
	die "no checkout session\n" unless $cs;
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	return ($b, $uid, $email, $oid) if $o{unpaid};
	$s->emu('POST', "/_emu/pay/$cs", { card => $o{card} // '4242424242424242' });
	$s->wait_for(sub { ($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid) // '') eq 'paid' })
	    or die "order $oid was not paid\n";
	$s->wait_for(sub { $s->sql_one('SELECT stripe_charge_id FROM orders WHERE id = ?1', $oid) });
	return ($b, $uid, $email, $oid);
}

# The admin, logged in.
my ($admin, $admin_id) = $s->admin;
is($admin->get('/admin/orders')->{status}, 200, 'the admin opens /admin/orders');

# The ids of the orders the page lists, in its order.
sub listed { my $html = shift; return [ $html =~ /<tr id="order-(\d+)"/g ] }

# Submits the list's filter form as the admin types it.
sub filter {
	my (%typed) = @_;
	$admin->get('/admin/orders');
	return Forms::submit($admin, '/admin/orders', %typed);
}

sub status_of { return $s->sql_one('SELECT status FROM orders WHERE id = ?1', shift) }
sub access_of {
	my ($uid, $cid) = @_;
	return $s->sql_one('SELECT status FROM enrollments WHERE user_id = ?1 AND course_id = ?2', $uid, $cid) // '';
}
sub refund_mails { return $s->sql_one(q{SELECT count(*) FROM outbox WHERE dedupe_key >= ?1 AND dedupe_key < ?2},
    "order-refund-$_[0]-", "order-refund-$_[0].") }
# What Stripe holds: the refunds of an order's payment intent.
sub stripe_refunds {
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', shift);
	return $s->emu_sql_one(q{SELECT count(*) FROM refunds WHERE json_extract(json, '$.payment_intent') = ?1}, $pi);
}
sub stripe_refunded {
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', shift);
	return $s->emu_sql_one(q{SELECT coalesce(sum(json_extract(json, '$.amount')), 0) FROM refunds WHERE json_extract(json, '$.payment_intent') = ?1}, $pi);
}

# The refund form of order $oid as rendered, filled in as the admin would:
# kind chosen in its select, the boxes of @titles ticked, other fields
# typed.  Returns the body a browser would post.
sub refund_body {
	my ($oid, %o) = @_;
	my $page = $admin->get("/admin/orders/$oid")->{content};
	my ($f) = grep { ($_->{action} // '') eq "/admin/orders/$oid/refund" } Forms::parse($page);
	die "no refund form on the order page\n" unless $f;
	my (%over, @ticked);
	my $i = -1;
	for my $c (@{$f->{controls}}) {
		$i++;
		next unless defined $c->{name};
		$over{$i} = $o{$c->{name}} if exists $o{$c->{name}} && $c->{type} ne 'checkbox';
		if ($c->{type} eq 'checkbox') {
			my $id = $c->{value};
			my $title = $s->sql_one('SELECT title FROM order_items WHERE id = ?1', $id);
			push @ticked, [$c->{name}, $id] if grep { $_ eq $title } @{$o{items} // []};
		}
	}
	my @pairs = (Forms::pairs($f, %over), @ticked);
	return join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } @pairs;
}
# The refund mail to $email, once it is sent (or '').
sub refund_mail {
	my $email = shift;
	$s->wait_for(sub { grep { /Subject: Refund for your order/ } $s->mails_to($email) }, 10);
	my @m = grep { /Subject: Refund for your order/ } $s->mails_to($email);
	return wantarray ? @m : $m[0] // '';
}
sub refund_post { my ($oid, $body) = @_; return $admin->request('POST', "/admin/orders/$oid/refund", $body) }

my ($b1, $u1, $e1, $o1) = buyer(name => 'Two Courses', courses => [$c_prog, $c_test]);
my ($b2, $u2, $e2, $o2) = buyer(name => 'With Coupon', courses => [$c_pay], coupon => 'ADMIN10');
my ($b3, $u3, $e3, $o3) = buyer(name => 'Not Paid', courses => [$c_pay], unpaid => 1);
my $n1 = $s->sql_one('SELECT number FROM orders WHERE id = ?1', $o1);

subtest 'the list finds orders by filters and by number, email or Stripe id' => sub {
	my $all = listed($admin->get('/admin/orders')->{content});
	ok((grep { $_ == $o1 } @$all) && (grep { $_ == $o3 } @$all), 'every order is listed');
	is_deeply(listed(filter(q => $n1)->{content}), [$o1], 'by its number');
	is_deeply(listed(filter(q => lc $n1)->{content}), [$o1], 'by its number typed in lower case');
	is_deeply(listed(filter(q => uc $e2)->{content}), [$o2], 'by the buyer\'s email');
	for my $col (qw(stripe_payment_intent stripe_session_id stripe_charge_id)) {
		my $id = $s->sql_one("SELECT $col FROM orders WHERE id = ?1", $o1);
		like($id, qr/^(pi|cs|ch)_/, "the order has its $col");
		is_deeply(listed(filter(q => $id)->{content}), [$o1], "by its $col");
	}
	my $res = filter(q => 'ORD-19990101-NOSUCH');
	is_deeply(listed($res->{content}), [], 'an unknown number finds nothing');
	like($res->{content}, qr/id="no-orders"/, 'and says so');
	my $paid = listed(filter(status => 'paid')->{content});
	ok((grep { $_ == $o1 } @$paid) && !(grep { $_ == $o3 } @$paid), 'status paid: the paid orders, not the pending one');
	is_deeply(listed(filter(status => 'pending')->{content}), [$o3], 'status pending: the unpaid one');
	is_deeply(listed(filter(coupon => 'admin10')->{content}), [$o2], 'by coupon code');
	my $test = listed(filter(course => 'testing-in-practice')->{content});
	is_deeply($test, [$o1], 'by course: the order with that course only');
	my @today = (POSIX::strftime('%Y-%m-%d', localtime(time - 86400)), POSIX::strftime('%Y-%m-%d', localtime(time + 86400)));
	ok(scalar @{listed(filter(from => $today[0], to => $today[1])->{content})} >= 3, 'a date range around today lists them');
	is_deeply(listed(filter(from => '2001-01-01', to => '2001-12-31')->{content}), [], 'a range in 2001 lists none');
	$res = filter(from => '2026-13-45');
	is($res->{status}, 400, 'a date that is no date is refused');
	like($res->{content}, qr/id="from-error"[^>]*>[^<]*YYYY-MM-DD/, 'with the error next to the field');
	like($res->{content}, qr/value="2026-13-45"/, 'and what was typed kept');

	$s->sql(q{UPDATE orders SET needs_review = 1, review_reason = 'test flag' WHERE id = ?1}, $o2);
	$all = listed($admin->get('/admin/orders')->{content});
	is($all->[0], $o2, 'an order needing review comes first, older as it is');
	# The box ticked, as a person ticks it (Forms::submit types text).
	$admin->get('/admin/orders');
	my ($f) = grep { ($_->{action} // '') eq '/admin/orders' } Forms::parse($admin->{last}{content});
	ok((grep { ($_->{name} // '') eq 'review' && $_->{type} eq 'checkbox' } @{$f->{controls}}), 'the form has a needs-review box');
	is_deeply(listed($admin->get(Forms::get_url($f, '/admin/orders', Forms::pairs($f), [review => 1]))->{content}), [$o2],
	    'needs review only');
};

subtest 'the list pages by key and stays complete' => sub {
	my $n = $s->sql_one('SELECT count(*) FROM orders');
	# 60 more orders of the same buyer, made in SQL (a page is 50).
	for my $i (1 .. 60) {
		$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, created_at)
		    VALUES (?1, ?2, 'expired', 'usd', 100, 100, ?3)}, sprintf('ORD-20260101-PAGE%02d', $i), $u3, time - 1000 - $i);
	}
	my (%seen, $pages);
	my $url = '/admin/orders';
	while ($url && $pages++ < 10) {
		my $res = $admin->get($url);
		$seen{$_}++ for @{listed($res->{content})};
		($url) = $res->{content} =~ /rel="next" href="([^"]+)"/;
		$url =~ s/&amp;/&/g if $url;
	}
	is($pages, 2, 'two pages');
	is(scalar(keys %seen), $n + 60, 'every order once');
	ok(!(grep { $_ > 1 } values %seen), 'none twice');
};

subtest 'an order\'s page shows its items, Stripe events and mail' => sub {
	$s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE order_id = ?1}, $o1) });
	my $res = $admin->get("/admin/orders/$o1");
	is($res->{status}, 200, 'it opens');
	my $page = $res->{content};
	like($page, qr/C Programming Fundamentals/i, 'the first item');
	like($page, qr/Testing in Practice/i, 'the second');
	like($page, qr/\$49\.00/, 'with its price as frozen');
	like($page, qr{<td class="event-type">checkout\.session\.completed</td>}, 'the completion event');
	like($page, qr{<td class="mail-subject">Your order \Q$n1\E is confirmed</td>}, 'the confirmation mail');
	like($page, qr/\Q$e1\E/, 'the buyer');
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', $o1);
	like($page, qr{<code>\Q$pi\E</code>}, 'the payment intent, not linked in test mode');
	unlike($page, qr{dashboard\.stripe\.com}, 'no link to Stripe\'s dashboard with a test key');
	is($admin->get('/admin/orders/999999')->{status}, 404, 'an unknown order is a 404');
	my $page2 = $admin->get("/admin/orders/$o2")->{content};
	like($page2, qr/coupon ADMIN10/, 'the coupon of a discounted order');
};

subtest 'one item of two, sent twice at once, webhook after: one refund, that course closed' => sub {
	$s->emu('POST', '/_emu/faults', { delivery => 'reorder', delivery_delay_ms => 60000 });
	my $body = refund_body($o1, kind => 'items', items => ['Testing in Practice'], note => 'asked by mail');
	my @kids;
	for (1 .. 2) {
		my $pid = fork // die;
		if (!$pid) { my $r = refund_post($o1, $body); POSIX::_exit($r->{status} == 303 ? 0 : 1) }
		push @kids, $pid;
	}
	my $ok = 0;
	for (@kids) { waitpid($_, 0); $ok++ if $? == 0 }
	is($ok, 2, 'both submissions are answered with the order page');
	is(stripe_refunds($o1), 1, 'Stripe holds one refund');
	my $net = $s->sql_one('SELECT unit_amount - discount_amount FROM order_items WHERE order_id = ?1 AND course_id = ?2', $o1, $c_test);
	is(stripe_refunded($o1), $net, 'of the item\'s price');
	is($s->sql_one(q{SELECT count(*) FROM refunds WHERE order_id = ?1}, $o1), 1, 'one refund row');
	is($s->sql_one(q{SELECT status FROM refunds WHERE order_id = ?1}, $o1), 'succeeded', 'succeeded');
	like($s->sql_one(q{SELECT stripe_refund_id FROM refunds WHERE order_id = ?1}, $o1), qr/^re_/, 'with Stripe\'s id');
	is($s->sql_one('SELECT refunded_amount FROM order_items WHERE order_id = ?1 AND course_id = ?2', $o1, $c_test), $net, 'the item is refunded');
	is($s->sql_one('SELECT refunded_amount FROM order_items WHERE order_id = ?1 AND course_id = ?2', $o1, $c_prog), 0, 'the other is not');
	is(status_of($o1), 'partially_refunded', 'the order is partly refunded');
	is($s->sql_one('SELECT refunded_amount FROM orders WHERE id = ?1', $o1), $net, 'by that amount');
	is(access_of($u1, $c_test), 'revoked', 'the refunded course is closed');
	is(access_of($u1, $c_prog), 'active', 'the other stays open');
	my $res = $b1->get('/learn/testing-in-practice/2');
	is($res->{status}, 403, 'the student\'s lesson of the refunded course is closed');
	like($res->{content}, qr/data-reason="refunded"/, 'and says it was refunded');
	is($b1->get('/learn/c-programming-fundamentals/2')->{status}, 200, 'the other course\'s lesson opens');
	is(refund_mails($o1), 1, 'one refund mail queued');
	my $mail = refund_mail($e1);
	like($mail, qr/Refund for your order/, 'the student gets it');
	like($mail, qr/Testing in Practice/, 'naming the closed course');
	is($s->sql_one(q{SELECT count(*) FROM audit_log WHERE subject = ?1 AND action = 'refund.succeeded'}, "order:$o1"), 1, 'one audit row of the refund');

	# Stripe's charge.refunded (and refund.created) arrive now.
	$s->emu('POST', '/_emu/deliver-pending');
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE order_id = ?1 AND type = 'charge.refunded'}, $o1) }),
	    'the charge.refunded event arrives after');
	$s->emu('POST', '/_emu/reset-faults');
	is(refund_mails($o1), 1, 'still one refund mail');
	is(access_of($u1, $c_prog), 'active', 'the course not refunded stays open');
	is(status_of($o1), 'partially_refunded', 'the order is as it was');
	is($s->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $o1), 0, 'and not flagged: the admin decided');
	is(stripe_refunds($o1), 1, 'Stripe still holds one refund');

	# The same form sent again, later: nothing more.
	$res = refund_post($o1, $body);
	is($res->{status}, 303, 'the form sent a third time');
	like($admin->get($res->{headers}{location})->{content}, qr/sent already/, 'is told it was sent already');
	is(stripe_refunds($o1), 1, 'and refunds nothing more');
	$res = $admin->get("/admin/orders/$o1");
	like($res->{content}, qr{<tr id="refund-\d+" data-status="succeeded">}, 'the page lists the refund');
	like($res->{content}, qr{<td class="event-type">charge\.refunded</td>}, 'and the event');
	like($res->{content}, qr{<td class="mail-subject">Refund for your order}, 'and the mail');
};

subtest 'one item, with charge.refunded arriving before Stripe\'s answer' => sub {
	my ($b, $uid, $email, $oid) = buyer(name => 'Webhook First', courses => [$c_prog, $c_test]);
	my $body = refund_body($oid, kind => 'items', items => ['C Programming Fundamentals']);
	# Stripe makes the refund and its events, then answers 5 s later (time
	# for the webhook, even on a loaded machine).
	$s->emu('POST', '/_emu/faults', { api_hang_ms => 5000 });
	my $res = refund_post($oid, $body);
	is($res->{status}, 303, 'the refund is made');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE order_id = ?1 AND type = 'charge.refunded'}, $oid), 1,
	    'charge.refunded was handled before the answer');
	is(stripe_refunds($oid), 1, 'one refund at Stripe');
	is(access_of($uid, $c_prog), 'revoked', 'the refunded course is closed');
	is(access_of($uid, $c_test), 'active', 'the other stays open');
	is(status_of($oid), 'partially_refunded', 'partly refunded');
	is($s->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $oid), 0, 'not flagged');
	is(refund_mails($oid), 1, 'one refund mail');
	like(scalar refund_mail($email), qr/lessons are closed to you now:\s+- C Programming Fundamentals/,
	    'the store\'s own, naming the closed course');
	$s->emu('POST', '/_emu/reset-faults');
};

subtest 'the whole order' => sub {
	my ($b, $uid, $email, $oid) = buyer(name => 'Whole', courses => [$c_prog, $c_test]);
	my $res = refund_post($oid, refund_body($oid, kind => 'whole'));
	is($res->{status}, 303, 'refunded');
	my $total = $s->sql_one('SELECT total_amount FROM orders WHERE id = ?1', $oid);
	is(stripe_refunded($oid), $total, 'Stripe gave all of it back');
	is(stripe_refunds($oid), 1, 'in one refund');
	is(status_of($oid), 'refunded', 'the order is refunded');
	is(access_of($uid, $c_prog), 'revoked', 'access to one course ends');
	is(access_of($uid, $c_test), 'revoked', 'and to the other');
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE order_id = ?1 AND type = 'charge.refunded'}, $oid) }),
	    'the event arrives');
	is(refund_mails($oid), 1, 'one refund mail');
	unlike($admin->get("/admin/orders/$oid")->{content}, qr/id="refund-form"/, 'nothing is left to refund: no form');
};

subtest 'an amount keeps access' => sub {
	my ($b, $uid, $email, $oid) = buyer(name => 'Amount', courses => [$c_prog]);
	my $res = refund_post($oid, refund_body($oid, kind => 'amount', amount => 'abc'));
	is($res->{status}, 400, 'an amount that is no amount is refused');
	like($res->{content}, qr/id="refund-amount-error"/, 'next to its field');
	is($s->sql_one('SELECT count(*) FROM refunds WHERE order_id = ?1', $oid), 0, 'nothing is recorded');
	$res = refund_post($oid, refund_body($oid, kind => 'amount', amount => '1000'));
	is($res->{status}, 409, 'more than was paid is refused');
	like($res->{content}, qr/id="refund-amount-error"[^>]*>[^<]*more than what remains/, 'in plain words');
	is(stripe_refunds($oid), 0, 'Stripe was not asked');
	$res = refund_post($oid, refund_body($oid, kind => 'amount', amount => '10.00'));
	is($res->{status}, 303, 'ten dollars are refunded');
	is(stripe_refunded($oid), 1000, 'Stripe gave 10.00 back');
	is(status_of($oid), 'partially_refunded', 'partly refunded');
	is(access_of($uid, $c_prog), 'active', 'access stays');
	is($b->get('/learn/c-programming-fundamentals/2')->{status}, 200, 'the lesson still opens');
	like(scalar refund_mail($email), qr/stay open/, 'the mail says the courses stay open');
};

subtest 'Stripe refuses: its message is shown, nothing changes' => sub {
	my ($b, $uid, $email, $oid) = buyer(name => 'Disputed', courses => [$c_prog]);
	$s->emu('POST', '/_emu/faults', { delivery => 'drop' });
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', $oid);
	is($s->emu('POST', "/_emu/dispute/$pi")->{status}, 200, 'the charge is disputed at Stripe (the store has not heard)');
	my $res = refund_post($oid, refund_body($oid, kind => 'whole'));
	$s->emu('POST', '/_emu/reset-faults');
	is($res->{status}, 502, 'the refund fails');
	like($res->{content}, qr/Stripe refused the refund: [^<]*charged back/i, 'with Stripe\'s message on the page');
	is($s->sql_one('SELECT status FROM refunds WHERE order_id = ?1', $oid), 'failed', 'the refund row is failed');
	is(status_of($oid), 'paid', 'the order is as it was');
	is(access_of($uid, $c_prog), 'active', 'access too');
	is(refund_mails($oid), 0, 'no mail');
	is(stripe_refunds($oid), 0, 'no refund at Stripe');
};

subtest 'Stripe does not answer: the refund waits, and is made once when sent again' => sub {
	my ($b, $uid, $email, $oid) = buyer(name => 'Retry', courses => [$c_test]);
	$s->emu('POST', '/_emu/faults', { api_status => 500, api_count => 10 });
	my $res = refund_post($oid, refund_body($oid, kind => 'whole'));
	$s->emu('POST', '/_emu/reset-faults');
	is($res->{status}, 502, 'the refund is not made');
	like($res->{content}, qr/Stripe did not answer/, 'the page says Stripe did not answer');
	is($s->sql_one('SELECT status FROM refunds WHERE order_id = ?1', $oid), 'pending', 'the refund waits');
	is(status_of($oid), 'paid', 'the order is as it was');
	is(access_of($uid, $c_test), 'active', 'access too');
	is(stripe_refunds($oid), 0, 'Stripe made nothing');
	$res = refund_post($oid, refund_body($oid, kind => 'amount', amount => '1.00'));
	is($res->{status}, 409, 'no other refund while one waits');
	$admin->get("/admin/orders/$oid");
	$res = Forms::submit($admin, "/admin/orders/$oid/refund-retry");
	is($res->{status}, 303, 'sent again from the list of refunds');
	is($s->sql_one('SELECT status FROM refunds WHERE order_id = ?1', $oid), 'succeeded', 'it succeeds');
	is(stripe_refunds($oid), 1, 'one refund at Stripe');
	is(status_of($oid), 'refunded', 'the order is refunded');
	is(access_of($uid, $c_test), 'revoked', 'access ends');
};

subtest 'marking a flagged order reviewed writes an audit row' => sub {
	my $page = $admin->get("/admin/orders/$o2")->{content};
	like($page, qr/Needs review:.*test flag/s, 'the page shows why it is flagged');
	my $res = Forms::submit($admin, "/admin/orders/$o2/review", note => '');
	is($res->{status}, 400, 'a review without a note is refused');
	like($res->{content}, qr/id="review-note-error"/, 'next to the field');
	is($s->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $o2), 1, 'and changes nothing');
	$admin->get("/admin/orders/$o2");
	$res = Forms::submit($admin, "/admin/orders/$o2/review", note => 'checked with the student');
	is($res->{status}, 303, 'marked reviewed');
	is($s->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $o2), 0, 'the flag is cleared');
	my ($row) = $s->sql(q{SELECT actor_user_id, before_json, after_json, detail FROM audit_log WHERE subject = ?1 AND action = 'order.review'}, "order:$o2");
	ok($row, 'one audit row');
	is($row->[0], $admin_id, 'by the admin');
	like($row->[1], qr/"needs_review":true.*test flag/, 'with the flag before');
	like($row->[2], qr/"needs_review":false.*checked with the student/, 'and after, with the note');
	like($admin->get("/admin/orders/$o2")->{content}, qr{<td class="audit-action">order\.review}, 'the page\'s audit trail shows it');
	$res = $admin->request('POST', "/admin/orders/$o2/review", [ csrf_token => $admin->csrf("/admin/orders/$o2"), note => 'again' ]);
	is($res->{status}, 409, 'an order not flagged cannot be reviewed again');
};

subtest 'students and guests get none of it' => sub {
	is($b1->get("/admin/orders/$o1")->{status}, 403, 'a student gets 403');
	is($s->browser->get('/admin/orders')->{status}, 303, 'a guest is sent to log in');
};

done_testing;
