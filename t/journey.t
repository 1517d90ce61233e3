#!/usr/bin/env perl
# The browser journey (t/js/journey.js) in headless Debian Chromium under
# playwright-core, against a stack of its own with the Stripe emulator: a
# new student registers, searches, reads a preview as a guest, buys two
# courses with a coupon, learns one to its certificate and verifies it;
# an admin makes a course with a cover and lessons and a coupon for it
# through the admin forms, and the student buys it with that coupon and
# opens its lessons; then the student has a card declined, forgets the
# password and sets a new one through the link in the mail; last, the
# admin finds the student's first order, refunds one of its courses and
# sees the refund in the reports; then the student, as a manager, makes
# a team, buys it 3 seats, takes one and invites a colleague, who
# registers from the mail's link, accepts the seat and opens a lesson.  The journey prints the TAP; its
# screenshots (every page at 1280 and 390 px) go to BUILD/journey/.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Path qw(remove_tree);
use Stack;

my $out = "$Stack::BUILD/journey";
remove_tree($out);
my $s = Stack->start;
$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('JOURNEY20', 'percentage', 20)});
# The school's admin, made as the README says (the password on stdin).
my ($admin, $pw) = ('head@example.org', 'the keeper of the light');
{
	local $ENV{ENROLL_DB} = $s->db;
	open(my $fh, '|-', "$Stack::BUILD/bin/enrollctl create-admin $admin >/dev/null") or die $!;
	print $fh "$pw\n";
	close $fh or die "create-admin failed";
}
my $rc = system('node', "$Stack::TOP/t/js/journey.js", $s->base, $out, 'JOURNEY20',
    $s->cfg('ENROLL_MAIL_DIR'), $admin, $pw);
exit($rc == 0 ? 0 : 1);
