#!/usr/bin/env perl
# Deleting an account (GDPR article 17), as the student does it from the
# settings: the current password, what must happen first (a checkout
# that can still be paid), then the person is gone (name, email, password,
# sessions, cart, enrollments, links, mail) and so is their Stripe
# customer, while the books keep the orders and their lines with their
# amounts, shown to admins as "deleted user #N", and the audit log says so.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Forms;
use Stack;

my $s = Stack->start;
my $PW = 'correct horse battery';

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/\s+/ /g; return $h }
sub course { return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', shift) }
sub status_of { return $s->sql_one('SELECT status FROM orders WHERE id = ?1', shift) }
# Checks out the cart and returns the session id.
sub checkout {
	my ($b) = @_;
	$b->get('/payment/cart');
	my $res = Forms::submit($b, '/payment/checkout');
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	return $cs;
}
sub add_to_cart { my ($b, $slug) = @_; $b->get("/courses/$slug"); Forms::submit($b, qr{^/payment/add-to-cart/}) }

my $admin = do {
	local $ENV{ENROLL_DB} = $s->db;
	open(my $fh, '|-', "$Stack::BUILD/bin/enrollctl create-admin head\@school.example >/dev/null") or die;
	print $fh "$PW\n";
	close $fh;
	scalar $s->login('head@school.example', $PW);
};

my ($b, $uid, $email) = $s->student(password => $PW);
my $other_browser = $s->login($email, $PW);

# A paid order (so a Stripe customer exists), a pending checkout, a course
# left in the cart, a reset link waiting.
add_to_cart($b, 'payments-engineering');
my $paid_cs = checkout($b);
$s->emu('POST', "/_emu/pay/$paid_cs", { card => '4242424242424242' });
my $paid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $paid_cs);
ok($s->wait_for(sub { status_of($paid) eq 'paid' }), 'the student has a paid order');
my $customer = $s->sql_one('SELECT customer_id FROM stripe_customers WHERE user_id = ?1', $uid);
like($customer, qr/^cus_/, 'and a Stripe customer');
add_to_cart($b, 'sql-for-analysts');
my $pending_cs = checkout($b);
my $pending = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $pending_cs);
my $total = $s->sql_one('SELECT total_amount FROM orders WHERE id = ?1', $paid);
my $lines = $s->sql_one('SELECT count(*) FROM order_items WHERE order_id = ?1', $paid);

subtest 'the settings lead to the page, which says what must happen first' => sub {
	my $page = $b->get('/account/settings')->{content};
	my ($href) = $page =~ m{<a href="(/account/privacy)">};
	ok($href, 'the settings link to the data page');
	my $res = $b->get($href);
	like(text_of($res->{content}), qr/You have a checkout that can still be paid/, 'a pending checkout stands in the way');
	like($res->{content}, qr{href="/payment/order/$pending"}, 'with a link to its order');
	unlike($res->{content}, qr{action="/account/delete"}, 'and no delete button yet');
	# A delete posted anyway (an old tab) changes nothing.
	$res = $b->post('/account/delete', { current_password => $PW });
	is($res->{status}, 409, 'a delete posted anyway is refused');
	is($s->sql_one('SELECT deleted_at IS NULL FROM users WHERE id = ?1', $uid), 1, 'the account is untouched');

	$b->get("/payment/order/$pending");
	is(Forms::submit($b, "/payment/order/$pending/drop")->{status}, 303, 'the student drops the unpaid order');
	$res = $b->get('/account/privacy');
	like($res->{content}, qr{action="/account/delete"}, 'now the page offers the deletion');
};

subtest 'the current password is required' => sub {
	my $res = Forms::submit($b, '/account/delete', current_password => 'not my password');
	is($res->{status}, 400, 'a wrong password is refused');
	like($res->{content}, qr/id="delete-password-error">That is not your current password/, 'beside the field');
	is($s->sql_one('SELECT deleted_at IS NULL FROM users WHERE id = ?1', $uid), 1, 'nothing is deleted');
	$s->sql('DELETE FROM login_attempts');
};

subtest 'deleting removes the person and keeps the books' => sub {
	$s->sql(q{INSERT INTO mail_links (user_id, purpose, token_hash, email, created_at, expires_at) VALUES (?1, 'reset', ?2, ?3, ?4, ?5)},
	    $uid, 'f' x 64, $email, time, time + 3600);
	add_to_cart($b, 'testing-in-practice');
	$b->get('/account/privacy');
	my $res = Forms::submit($b, '/account/delete', current_password => $PW);
	is($res->{status}, 303, 'the deletion is done');
	is($res->{headers}{location}, '/', 'to the home page');
	like(text_of($b->get('/')->{content}), qr/Your account is deleted/, 'which says so');
	like($b->{last}{content}, qr{href="/account/login"}, 'as a guest');
	is($other_browser->get('/account/dashboard')->{status}, 303, 'the other browser is logged out too');

	my ($em, $name, $hash, $deleted) = @{($s->sql('SELECT email, name, password_hash, deleted_at FROM users WHERE id = ?1', $uid))[0]};
	is($em, "deleted-$uid\@deleted.invalid", 'the email is gone');
	is($name, 'Deleted user', 'the name is gone');
	unlike($hash, qr/^\$argon2id\$v=/, 'the password hash is gone');
	ok($deleted > 0, 'the account is marked deleted');
	for my $t (qw(sessions carts enrollments mail_links stripe_customers)) {
		is($s->sql_one("SELECT count(*) FROM $t WHERE user_id = ?1", $uid), 0, "no $t of the person");
	}
	is($s->sql_one('SELECT count(*) FROM outbox WHERE to_addr = ?1', $email), 0, 'no mail to the address is kept');
	is($s->sql_one(q{SELECT count(*) FROM users WHERE email = ?1 OR name = 'Ada Student' AND id = ?2}, $email, $uid), 0, 'nothing names them');

	is(status_of($paid), 'paid', 'the paid order stays');
	is($s->sql_one('SELECT total_amount FROM orders WHERE id = ?1', $paid), $total, 'with its amount');
	is($s->sql_one('SELECT count(*) FROM order_items WHERE order_id = ?1', $paid), $lines, 'and its lines');
	my ($action, $subject, $detail) = @{($s->sql(q{SELECT action, subject, detail FROM audit_log WHERE action = 'account.deleted'}))[0]};
	is($subject, "user:$uid", 'the audit log records the deletion by number');
	like($detail, qr/Stripe customer \Q$customer\E deleted/, 'with the Stripe customer');
	unlike($detail, qr/\Q$email\E/, 'and without the address');

	my $c = $s->emu_json('GET', "/v1/customers/$customer");
	ok($c->{deleted}, 'the Stripe customer is deleted through the API');
	ok(scalar($s->emu_sql('SELECT 1 FROM events WHERE type = ?1', 'customer.deleted')), 'Stripe emitted customer.deleted');
};

subtest 'the admin still sees the orders, as "deleted user #N"' => sub {
	my $page = $admin->get('/admin/users')->{content};
	my ($row) = $page =~ m{<tr id="user-$uid">(.*?)</tr>}s;
	like(text_of($row), qr/deleted user #$uid/, 'the list of people shows the number');
	like(text_of($row), qr/\b2\s*$/, 'with both orders');
	unlike($page, qr/\Q$email\E/, 'and nowhere the address');
	my ($users) = $admin->get('/admin/')->{content} =~ /id="count-users">(\d+)</;
	is($users, $s->sql_one('SELECT count(*) FROM users WHERE deleted_at IS NULL'), 'the admin home counts only live accounts');
};

subtest 'the address is free again; a later refund of the old order mails nobody' => sub {
	my (undef, $res) = $s->login($email, $PW);
	is($res->{status}, 400, 'the old login no longer works');
	my ($again, $new_id) = $s->student(email => $email, password => $PW);
	isnt($new_id, $uid, 'the address can make a new account');
	unlike($again->get('/payment/orders')->{content}, qr/Payments Engineering/, 'which sees none of the old orders');

	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', $paid);
	is($s->emu('POST', '/v1/refunds', { payment_intent => $pi })->{status}, 200, 'Stripe refunds the old order');
	ok($s->wait_for(sub { status_of($paid) eq 'refunded' }), 'the books record the refund');
	is($s->sql_one(q{SELECT count(*) FROM outbox WHERE to_addr LIKE '%deleted.invalid'}), 0, 'and no mail is queued for the deleted person');
	is($s->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'charge.refunded' AND outcome LIKE '%error%'}), 0, 'the webhook took it without error');
};

subtest 'the only administrator cannot delete the account' => sub {
	$admin->get('/account/privacy');
	like(text_of($admin->{last}{content}), qr/You are the only administrator/, 'the page says what to do first');
	is($admin->post('/account/delete', { current_password => $PW })->{status}, 409, 'and a delete is refused');
};

done_testing;
