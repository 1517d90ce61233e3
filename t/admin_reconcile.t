#!/usr/bin/env perl
# Reconciliation with Stripe (/admin/reconcile) on the real stack: the
# page finds each discrepancy planted through the emulator's control
# endpoints (a payment whose webhooks were lost, a refund made only in
# Stripe, a changed amount) and an order paid only in the store; applying
# a safe line brings the order to Stripe's state with an audit row, once,
# and the page is clean again; a clean period says so.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use POSIX qw(strftime);
use Test::More;
use Forms;
use Stack;

# A school far from UTC: the period's days are the school's.
my $s = Stack->start(ENROLL_TIMEZONE => 'Pacific/Auckland');

my $c_prog = $s->course_id('c-programming-fundamentals');	# $49.00
my $c_sec = $s->course_id('web-security-essentials');		# $79.00

# The admin, and a period around today (whatever the day is in Auckland).
my ($admin, $admin_id) = $s->admin;
my ($from, $until) = map { strftime('%Y-%m-%d', gmtime(time + $_ * 86400)) } -1, 1;
my $PAGE = "/admin/reconcile?from=$from&until=$until";

# A student buys one course up to Stripe's page; returns (browser, order
# id, session id).
sub checkout {
	my ($course) = @_;
	my ($b) = $s->student;
	my $slug = $s->sql_one('SELECT slug FROM courses WHERE id = ?1', $course);
	$b->get("/courses/$slug");
	Forms::submit($b, "/payment/add-to-cart/$course");
	my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
	my $cs = $s->checkout_session($res) or die "no checkout";
	return ($b, $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs), $cs);
}

# Pays session cs; silent: no webhook of it ever reaches the store.
sub pay {
	my ($cs, %o) = @_;
	my $res = $s->emu('POST', "/_emu/pay/$cs", { card => '4242424242424242',
	    ($o{silent} ? (silent => 1) : ()) });
	die "pay: $res->{status}" unless $res->{status} == 200;
}

sub order { my ($id, $cols) = @_; return @{($s->sql("SELECT $cols FROM orders WHERE id = ?1", $id))[0]} }
sub paid_by_webhook { my $id = shift; $s->wait_for(sub { (order($id, 'status'))[0] eq 'paid' }) }
sub pi_of { my $cs = shift; $s->emu_json('GET', "/v1/checkout/sessions/$cs")->{payment_intent} }

# The page's difference rows, as text.
sub differences {
	my ($html) = @_;
	return map { Forms::text($_) } $html =~ m{<tr class="difference">(.*?)</tr>}gs;
}

# Submits the Apply form rendered for payment pi, as a browser does.
sub apply {
	my ($pi) = @_;
	my ($f) = grep { ($_->{action} // '') eq '/admin/reconcile/apply' &&
	    grep({ ($_->{name} // '') eq 'payment_intent' && $_->{value} eq $pi } @{ $_->{controls} }) }
	    Forms::parse($admin->{last}{content});
	return undef unless $f;
	my $body = join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } Forms::pairs($f);
	return $admin->request('POST', '/admin/reconcile/apply', $body);
}

sub audit_rows { my $oid = shift; $s->sql(q{SELECT before_json, after_json FROM audit_log WHERE action = 'order.reconcile' AND subject = ?1}, "order:$oid") }

subtest 'a clean period says so' => sub {
	$admin->get('/admin/reconcile');
	my $res = Forms::submit($admin, '/admin/reconcile', from => '2020-01-01', until => '2020-01-31');
	is($res->{status}, 200, 'a past period, chosen in the form');
	like(Forms::text($res->{content}), qr/Stripe made 0 payments and 0 refunds for this store; the store has 0 paid orders/, 'nothing on either side');
	like($res->{content}, qr/id="clean"/, 'clean');
	like($res->{content}, qr/in Pacific\/Auckland/, 'the page names the school\'s zone');

	my (undef, $oid, $cs) = checkout($c_prog);
	pay($cs);
	ok(paid_by_webhook($oid), 'a purchase paid as usual');
	$res = $admin->get($PAGE);
	is($res->{status}, 200, 'today');
	like(Forms::text($res->{content}), qr/Stripe made 1 payment and 0 refunds for this store; the store has 1 paid order\b/, 'one payment on each side');
	like($res->{content}, qr/Clean: Stripe and the store agree/, 'clean: they agree');
	is(scalar differences($res->{content}), 0, 'no line');
	$res = $admin->get('/admin/reconcile');
	is($res->{status}, 200, 'without a period: this month so far');
	like($res->{content}, qr/id="clean"/, 'clean too');
};

my ($lost_oid, $lost_cs, $lost_pi);
subtest 'a payment the store never heard of' => sub {
	(undef, $lost_oid, $lost_cs) = checkout($c_sec);
	pay($lost_cs, silent => 1);
	$lost_pi = pi_of($lost_cs);
	$s->emu('POST', '/_emu/deliver-pending');
	is((order($lost_oid, 'status'))[0], 'pending', 'the store still waits for the payment');
	my $res = $admin->get($PAGE);
	my ($num) = order($lost_oid, 'number');
	my @d = differences($res->{content});
	is(scalar @d, 1, 'one line');
	like($d[0], qr/\Q$num\E.*Paid in Stripe, not in the store.*paid \$79\.00.*total \$79\.00.*Apply marks the order paid/,
	    'paid in Stripe, not in the store: what to do') or diag $d[0];
	unlike($res->{content}, qr/id="clean"/, 'not clean');
	is(scalar audit_rows($lost_oid), 0, 'reading the page changed nothing');
	is((order($lost_oid, 'status'))[0], 'pending', 'the order is still pending');

	$res = apply($lost_pi);
	ok($res, 'the line has an Apply button');
	is($res->{status}, 303, 'Apply redirects');
	is($res->{headers}{location}, $PAGE, 'back to the same period');
	is_deeply([order($lost_oid, 'status, total_amount, stripe_payment_intent')], ['paid', 7900, $lost_pi],
	    'the order is paid, by that payment');
	my $uid = $s->sql_one('SELECT user_id FROM orders WHERE id = ?1', $lost_oid);
	is($s->sql_one(q{SELECT status FROM enrollments WHERE user_id = ?1 AND course_id = ?2}, $uid, $c_sec),
	    'active', 'the student has the course');
	my @a = audit_rows($lost_oid);
	is(scalar @a, 1, 'one audit row');
	like($a[0][0], qr/"status":"pending"/, 'before: pending');
	like($a[0][1], qr/"status":"paid"/, 'after: paid');
	is($s->sql_one(q{SELECT actor_user_id FROM audit_log WHERE action = 'order.reconcile'}), $admin_id, 'by the admin');
	$res = $admin->get($res->{headers}{location});
	like($res->{content}, qr/Order \Q$num\E now matches Stripe/, 'the page says what was done');
	like($res->{content}, qr/id="clean"/, 'and the period is clean');

	# The same button again (a double click, a second tab) changes nothing.
	my $again = $admin->request('POST', '/admin/reconcile/apply', join '&',
	    "csrf_token=" . $admin->csrf, "payment_intent=$lost_pi", "from=$from", "until=$until");
	is($again->{status}, 303, 'applying again');
	is(scalar audit_rows($lost_oid), 1, 'no second audit row');
	like($admin->get($PAGE)->{content}, qr/already matched Stripe: nothing changed/, 'it says nothing changed');
};

subtest 'a refund made only in Stripe' => sub {
	my $refund = $s->emu('POST', "/_emu/refund/$lost_pi", { amount => 2000 });
	is($refund->{status}, 200, 'refunded $20.00 in Stripe');
	$s->emu('POST', '/_emu/deliver-pending');
	is_deeply([order($lost_oid, 'status, refunded_amount')], ['paid', 0], 'the store was not told');
	my $res = $admin->get($PAGE);
	like(Forms::text($res->{content}), qr/Stripe made 2 payments and 1 refund for this store/, 'the refund is counted');
	my @d = differences($res->{content});
	is(scalar @d, 1, 'one line');
	like($d[0], qr/Refunded in Stripe, but the store does not know.*refunded \$20\.00.*Apply records the refund/,
	    'refunded in Stripe: what to do') or diag $d[0];
	is(apply($lost_pi)->{status}, 303, 'Apply');
	is_deeply([order($lost_oid, 'status, refunded_amount')], ['partially_refunded', 2000], 'the order records the refund');
	my @a = audit_rows($lost_oid);
	is(scalar @a, 2, 'a second audit row');
	like($a[1][1], qr/"refunded_amount":2000/, 'after: refunded $20.00');
	like($admin->get($PAGE)->{content}, qr/id="clean"/, 'clean again');
};

subtest 'an amount changed, and an order paid only in the store' => sub {
	my (undef, $oid, $cs) = checkout($c_prog);
	pay($cs);
	ok(paid_by_webhook($oid), 'paid as usual');
	my $res = $s->emu('POST', "/_emu/amount/$cs", { amount => 3900 });
	is($res->{status}, 200, 'Stripe now says $39.00 was charged');
	my (undef, $only, $cs2) = checkout($c_sec);
	$s->sql(q{UPDATE orders SET status = 'paid', paid_at = ?2, stripe_payment_intent = 'pi_never_paid' WHERE id = ?1}, $only, time);
	my $before = $s->sql_one('SELECT count(*) FROM audit_log');
	$res = $admin->get($PAGE);
	my @d = differences($res->{content});
	is(scalar @d, 2, 'two lines');
	my ($num, $num2) = map { (order($_, 'number'))[0] } $oid, $only;
	my ($amount) = grep { /\Q$num\E/ } @d;
	like($amount // '', qr/The amounts differ.*paid \$39\.00.*total \$49\.00.*refund what was charged too much/,
	    'the amounts differ: what to check') or diag explain \@d;
	my ($store) = grep { /\Q$num2\E/ } @d;
	like($store // '', qr/Paid in the store, but Stripe has no payment for it.*no payment.*total \$79\.00.*Look the order up/,
	    'paid only in the store: what to check') or diag explain \@d;
	ok(!apply(pi_of($cs)), 'no Apply button for an amount');
	ok(!apply('pi_never_paid'), 'nor for a payment Stripe lacks');
	is($s->sql_one('SELECT count(*) FROM audit_log'), $before, 'reading the page wrote nothing');
	is((order($oid, 'status'))[0], 'paid', 'and changed no order');
};

subtest 'bad input changes nothing' => sub {
	$admin->get('/admin/reconcile');
	my $res = Forms::submit($admin, '/admin/reconcile', from => 'yesterday', until => $until);
	is($res->{status}, 400, 'a first day that is not a date: 400');
	like($res->{content}, qr{id="from-error">Give the first day as a date}, 'said next to the field');
	like($res->{content}, qr/name="from"[^>]*value="yesterday"/, 'what was typed is kept');
	$res = Forms::submit($admin, '/admin/reconcile', from => $until, until => $from);
	is($res->{status}, 400, 'the last day before the first: 400');
	like($res->{content}, qr{id="until-error">The last day cannot come before the first}, 'said next to the field');
	$res = $admin->get('/admin/reconcile?from=2025-01-01&until=2025-12-31');
	like($res->{content}, qr{id="until-error">Choose at most 92 days}, 'a year at once is refused');
	$res = $admin->request('POST', '/admin/reconcile/apply', 'csrf_token=' . $admin->csrf . '&payment_intent=pi_unknown');
	is($res->{status}, 404, 'Apply for a payment Stripe does not know: 404');
	$res = $admin->request('POST', '/admin/reconcile/apply', 'csrf_token=' . $admin->csrf);
	is($res->{status}, 400, 'Apply without a payment: 400');
	$res = $admin->request('POST', '/admin/reconcile/apply', "payment_intent=$lost_pi");
	is($res->{status}, 403, 'without the CSRF token: refused');
	my ($student) = $s->student;
	is($student->get($PAGE)->{status}, 403, 'a student gets 403');
};

done_testing();
