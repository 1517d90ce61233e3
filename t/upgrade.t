#!/usr/bin/env perl
# Upgrades: a school's database made by an older schema (t/fixtures/
# schema-4.sql, before migration 005 rebuilt the orders table) migrates to
# the current schema losing nothing, and the store serves it; a program
# refuses, in plain words, a database newer than it knows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use Stack;

my $dir = tempdir('enroll-upgrade-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $db = "$dir/school.db";
system("sqlite3 '$db' < '$Stack::TOP/t/fixtures/schema-4.sql'") == 0 or die "cannot load the fixture";

sub q1 { my ($sql) = @_; my $v = `sqlite3 -batch -noheader '$db' "$sql"`; chomp $v; return $v }
sub enrollctl {
	my ($path, @args) = @_;
	local $ENV{ENROLL_DB} = $path;
	my $out = `'$Stack::BUILD/bin/enrollctl' @args 2>&1`;
	return ($? >> 8, $out);
}

my @tables = qw(users courses lessons coupons orders order_items coupon_redemptions
    enrollments stripe_customers stripe_events outbox carts cart_items settings);
my %before = map { $_ => q1("SELECT count(*) FROM $_") } @tables;
is(q1('PRAGMA user_version'), 4, 'the fixture is at schema version 4');
my $paid_before = q1(q{SELECT number, status, subtotal_amount, discount_amount, total_amount, coupon_code, stripe_payment_intent, paid_at FROM orders WHERE id = 1});

my ($rc, $out) = enrollctl($db, 'migrate');
is($rc, 0, 'enrollctl migrate upgrades it') or diag($out);
my $latest = q1('PRAGMA user_version');
cmp_ok($latest, '>', 4, "to schema version $latest");

subtest 'nothing is lost' => sub {
	is(q1("SELECT count(*) FROM $_"), $before{$_} + ($_ eq 'settings' ? 1 : 0), "$_: every row kept")
	    for @tables;
	is(q1(q{SELECT number, status, subtotal_amount, discount_amount, total_amount, coupon_code, stripe_payment_intent, paid_at FROM orders WHERE id = 1}),
	    $paid_before, 'the paid order is unchanged');
	is(q1(q{SELECT group_concat(course_id || ':' || status) FROM enrollments WHERE order_id = 1}), '1:active,4:active', 'its enrollments are active');
	is(q1(q{SELECT status || ' ' || amount FROM coupon_redemptions WHERE order_id = 1}), 'redeemed 1280', 'its coupon is redeemed');
	is(q1(q{SELECT status || ' ' || amount FROM coupon_redemptions WHERE order_id = 3}), 'reserved 790', 'the pending checkout still holds its reservation');
	is(q1(q{SELECT status || ' ' || refunded_amount FROM orders WHERE id = 2}), 'refunded 3900', 'the refunded order stays refunded');
	is(q1(q{SELECT status FROM enrollments WHERE order_id = 2}), 'revoked', 'without access');
	is(q1(q{SELECT order_id || ' ' || attempt FROM checkout_sessions WHERE session_id = 'cs_test_fixturePending'}), '3 2',
	    'each order\'s session is in the new list of sessions');
	is(q1(q{SELECT count(*) FROM checkout_sessions}), 3, 'all three');
	like(q1(q{SELECT value FROM settings WHERE key = 'install_id'}), qr/^[0-9a-f]{32}$/, 'the store gets an install id');
	is(q1('PRAGMA foreign_key_check'), '', 'every foreign key holds');
	is(q1('PRAGMA integrity_check'), 'ok', 'the file is sound');
	is(q1(q{SELECT count(*) FROM courses_fts WHERE courses_fts MATCH 'security'}), 1, 'title search still works');
};

subtest 'the upgraded store serves its school' => sub {
	my $s = Stack->start(ENROLL_DB => $db, ENROLL_SEED => 0);
	my $b = $s->browser;
	my $res = $b->post('/account/login', { email => 'grace@school.example', password => 'a long admin password' }, from => '/account/login');
	is($res->{status}, 303, 'a student logs in');
	like($b->get('/payment/orders')->{content}, qr/ORD-20261201-PAID01/, 'and finds her paid order');
	my $receipt = $b->get('/payment/order/1')->{content};
	like($receipt, qr/Receipt for order ORD-20261201-PAID01/, 'its receipt');
	like($receipt, qr/\$115\.20/, 'with the amount paid');
	like($b->get('/account/my-courses')->{content}, qr/Web Security Essentials/, 'her courses are hers');
	$s->stop;
};

subtest 'a database newer than the program is refused' => sub {
	my $newer = "$dir/newer.db";
	system("sqlite3 '$db' \".backup '$newer'\"") == 0 or die;
	system('sqlite3', $newer, 'PRAGMA user_version = ' . ($latest + 1)) == 0 or die;
	my ($rc2, $out2) = enrollctl($newer, 'migrate');
	isnt($rc2, 0, 'enrollctl migrate refuses it');
	like($out2, qr/newer than this enrollctl knows/, 'saying why');
	($rc2, $out2) = enrollctl($newer, 'expire-orders');
	isnt($rc2, 0, 'so do its other commands');
	like($out2, qr/upgraded by a newer enroll/, 'in plain words');
	is(q1(q{SELECT count(*) FROM orders}), $before{orders}, 'and nothing changed');
	my $log = "$dir/cart.log";
	local $ENV{ENROLL_DB} = $newer;
	my $status = system("timeout 10 '$Stack::BUILD/bin/cart' --socket '$dir/cart.sock' --workers 1 2>'$log'") >> 8;
	isnt($status, 0, 'a program will not serve it');
	like(do { open(my $fh, '<', $log) or die; local $/; <$fh> }, qr/newer enroll/, 'and says why');
};

done_testing;
