#!/usr/bin/env perl
# Download my data (GDPR articles 15 and 20): the link on the data page
# gives a JSON file to save, with the profile, the orders with their
# lines, the enrollments, the sessions and the cart of the person who asks,
# and nothing of anyone else's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use Forms;
use Stack;

my $s = Stack->start;

sub add_to_cart { my ($b, $slug) = @_; $b->get("/courses/$slug"); Forms::submit($b, qr{^/payment/add-to-cart/}) }
sub buy {
	my ($b, $slug) = @_;
	add_to_cart($b, $slug);
	$b->get('/payment/cart');
	my ($cs) = (Forms::submit($b, '/payment/checkout')->{headers}{location} // '') =~ m{/c/pay/(cs_\w+)};
	$s->emu('POST', "/_emu/pay/$cs", { card => '4242424242424242' });
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	$s->wait_for(sub { $s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid) eq 'paid' });
	return $s->sql_one('SELECT number FROM orders WHERE id = ?1', $oid);
}

my ($ann, $ann_id, $ann_email) = $s->student(name => 'Ann Export');
my ($bob, $bob_id, $bob_email) = $s->student(name => 'Bob Elsewhere');
my $ann_order = buy($ann, 'payments-engineering');
my $bob_order = buy($bob, 'testing-in-practice');
add_to_cart($ann, 'sql-for-analysts');

subtest 'the data page offers the download; it is a JSON file to save' => sub {
	my $page = $ann->get('/account/privacy')->{content};
	my ($href) = $page =~ m{<a class="button" href="([^"]+)" download>Download my data</a>};
	is($href, '/account/export', 'the page links to the download');
	my $res = $ann->get($href);
	is($res->{status}, 200, 'it answers');
	like($res->{headers}{'content-type'}, qr{^application/json}, 'with JSON');
	like($res->{headers}{'content-disposition'}, qr/^attachment; filename="enroll-my-data-$ann_id\.json"$/, 'as a file to save');
	like($res->{headers}{'cache-control'}, qr/no-store/, 'that no cache keeps');
	is($s->browser->get($href)->{status}, 303, 'a guest is sent to log in');
};

subtest 'it holds everything about the person' => sub {
	my $text = $ann->get('/account/export')->{content};
	my $d = decode_json($text);
	is($d->{profile}{email}, $ann_email, 'the profile: email');
	is($d->{profile}{name}, 'Ann Export', 'name');
	is($d->{profile}{id}, $ann_id, 'and number');
	is(scalar @{$d->{orders}}, 1, 'one order');
	my ($o) = @{$d->{orders}};
	is($o->{number}, $ann_order, 'hers');
	is($o->{status}, 'paid', 'paid');
	is($o->{total}, 12900, 'with its total in cents');
	is($o->{lines}[0]{title}, 'Payments Engineering', 'and its line');
	is($o->{lines}[0]{unit_amount}, 12900, 'with its price');
	is_deeply([map { $_->{course} } @{$d->{enrollments}}], ['payments-engineering'], 'the enrollment');
	ok(scalar @{$d->{sessions}} >= 1, 'where she is logged in');
	is_deeply([map { $_->{course} } @{$d->{cart}}], ['sql-for-analysts'], 'the cart');
	like($d->{payment_customer}[0]{stripe_customer_id}, qr/^cus_/, 'her customer at the payment service');
	is($d->{payment_customer}[0]{stripe_customer_id}, $s->sql_one('SELECT customer_id FROM stripe_customers WHERE user_id = ?1', $ann_id), 'the right one');

	ok((grep { $_->{subject} =~ /^Welcome/ } @{$d->{mail}}), 'the mail we sent her, by subject');
	unlike($text, qr/token=/, 'without the links in them');
	unlike($text, qr/\Q$bob_email\E/, 'nothing of the other student: not his email');
	unlike($text, qr/Bob Elsewhere/, 'nor his name');
	unlike($text, qr/\Q$bob_order\E/, 'nor his order');
	unlike($text, qr/Testing in Practice/, 'nor what he bought');
	unlike($text, qr/\Q${\ $s->sql_one('SELECT customer_id FROM stripe_customers WHERE user_id = ?1', $bob_id)}\E/, 'nor his customer');
	unlike($text, qr/password|token_hash|argon2/i, 'and no password hash or token of hers either');
};

done_testing;
