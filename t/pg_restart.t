#!/usr/bin/env perl
# PostgreSQL restarts (a minor upgrade, a failover) under a running store:
# every worker's connection is dropped by the server.  A page read after
# it is answered at once on a new connection; a student's next purchase
# step works; nothing the store had is lost.  Runs in make test's
# PostgreSQL pass (ENROLL_TEST_PG), which owns the cluster it restarts.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;
use Forms;

plan skip_all => 'needs the PostgreSQL pass of make test (ENROLL_TEST_PG)'
    unless $ENV{ENROLL_TEST_PG};

my $s = Stack->start(ENROLL_WORKERS => 2);
my ($b, $uid) = $s->student;
my $course = $s->course_id('sql-for-analysts');
ok($course, 'a demo course');
$s->add_to_cart($b, $course);
my $carts = $s->sql_one('SELECT count(*) FROM cart_items');
is($carts, 1, 'one course in the cart before the restart');

is(system("$Stack::TOP/t/pg.sh", 'restart', $ENV{ENROLL_TEST_PG}), 0,
    'PostgreSQL restarted (every connection dropped)');

# Each of the two workers of each program meets its dropped connection
# once: every read is answered all the same.
my @codes = map { $s->browser->get('/courses')->{status} } 1 .. 6;
is_deeply(\@codes, [ (200) x 6 ], 'the catalog answers every request after the restart');
like($b->get('/payment/cart')->{content}, qr/SQL for Analysts/,
    "the student's cart is still there");
is($s->sql_one('SELECT count(*) FROM users WHERE id = ?1', $uid), 1, 'the student is kept');

# A write transaction on a worker whose connection was dropped begins on
# a new one.
$b->get('/account/settings');
my $res = Forms::submit($b, '/account/settings/name', name => 'Ada Restarted');
ok($res->{status} == 303 || $res->{status} == 200, "renaming answers ($res->{status})");
is($s->sql_one('SELECT name FROM users WHERE id = ?1', $uid), 'Ada Restarted',
    'and the new name is stored');

done_testing;
