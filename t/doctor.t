#!/usr/bin/env perl
# `enrollctl doctor`: one line per check, OK/WARN/FAIL, exit 1 on any FAIL,
# for the settings operators get wrong.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $s = Stack->start;

# Runs the doctor with the stack's settings changed by %env (undef
# removes one); returns the exit status and the lines by check name.
sub doctor {
	my (%env) = @_;
	local %ENV = (%ENV, ENROLL_DB => $s->db, ENROLL_BASE_URL => $s->base,
	    ENROLL_MAIL_DIR => $s->cfg('ENROLL_MAIL_DIR'),
	    STRIPE_API_BASE => $s->cfg('STRIPE_API_BASE'),
	    STRIPE_SECRET_KEY => $s->cfg('STRIPE_SECRET_KEY'),
	    STRIPE_WEBHOOK_SECRET => $s->cfg('STRIPE_WEBHOOK_SECRET'), %env);
	delete $ENV{$_} for grep { !defined $env{$_} && exists $env{$_} } keys %env;
	my $out = `'$Stack::BUILD/bin/enrollctl' doctor 2>&1`;
	my %lines = map { /^(OK|WARN|FAIL)\s+(\S+(?: \S+)?)\s{2,}(.*)$/ ? ($2 => "$1 $3") : () } split /\n/, $out;
	return ($? >> 8, \%lines, $out);
}

subtest 'the test stack is healthy, with a warning about mail' => sub {
	chmod 0600, $s->db unless $s->pg;
	my ($rc, $l, $out) = doctor();
	is($rc, 0, 'exit 0') or diag($out);
	like($l->{'Stripe key'}, qr/^OK test mode/, 'a test key');
	like($l->{'webhook secret'}, qr/^OK/, 'a webhook secret');
	like($l->{'ENROLL_BASE_URL'}, qr/^OK this machine only/, 'a local address is fine for trying');
	if ($s->pg) {
		# Journal, disk and file mode are a SQLite file's; the server
		# keeps its own.
		like($l->{'database'}, qr/^OK PostgreSQL, connected/, 'PostgreSQL reached');
		is($l->{'database journal'}, undef, 'no SQLite file checks');
	} else {
		like($l->{'database journal'}, qr/^OK WAL/, 'WAL');
		like($l->{'database disk'}, qr/^OK local/, 'a local disk');
		like($l->{'database permissions'}, qr/^OK/, 'a private file');
	}
	like($l->{'mail'}, qr/^WARN .*not sent/, 'mail only written to files: a warning');
	like($l->{'Stripe'}, qr/^OK reached; this clock is \d+ s from Stripe's$/, 'Stripe reached, clocks agree');
};

subtest 'what operators get wrong fails, in plain words' => sub {
	my ($rc, $l) = doctor(STRIPE_WEBHOOK_SECRET => undef);
	is($rc, 1, 'no webhook secret: exit 1');
	like($l->{'webhook secret'}, qr/^FAIL STRIPE_WEBHOOK_SECRET is not set/, 'saying so');
	($rc, $l) = doctor(STRIPE_WEBHOOK_SECRET => 'sk_test_oops');
	like($l->{'webhook secret'}, qr/^FAIL .*whsec_/, 'a key where the signing secret belongs');
	($rc, $l) = doctor(ENROLL_BASE_URL => 'http://school.example');
	like($l->{'ENROLL_BASE_URL'}, qr/^FAIL not https/, 'a public address without TLS');
	($rc, $l) = doctor(STRIPE_SECRET_KEY => 'pk_test_publishable');
	like($l->{'Stripe key'}, qr/^FAIL .*not a secret key/, 'a publishable key');
	($rc, $l) = doctor(STRIPE_SECRET_KEY => 'sk_test_wrong');
	like($l->{'Stripe'}, qr/^FAIL Stripe refuses the key/, 'a key Stripe refuses');
	if (!$s->pg) {	# a SQLite file's mode
		chmod 0644, $s->db;
		($rc, $l) = doctor();
		like($l->{'database permissions'}, qr/^FAIL anyone on this machine can read it/, 'a world-readable database');
		is($rc, 1, 'exit 1');
		chmod 0600, $s->db;
	}
	($rc, $l) = doctor(ENROLL_SMTP_URL => 'smtp://mail.example:25');
	like($l->{'mail'}, qr/^WARN .*unencrypted/, 'SMTP in clear to another machine: a warning');
};

subtest 'a new database is private' => sub {
	my $db = $s->dir . '/fresh.db';
	local $ENV{ENROLL_DB} = $db;
	is(system("'$Stack::BUILD/bin/enrollctl' migrate >/dev/null 2>&1"), 0, 'enrollctl migrate makes one');
	is((stat $db)[2] & 0777, 0600, 'readable by its owner only');
};

done_testing;
